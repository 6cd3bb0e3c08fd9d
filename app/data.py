"""Which snapshot the dashboard reads, and the read-only connection to it.

The ETL owns the main database file; the dashboard only opens the newest published
snapshot, read-only, so a viewer never blocks an ingest. On a fresh machine (no
database at all) the demo province is built first; when the main file exists but has
never been published, a snapshot is published from it (retrying while an ingest
holds the file).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from app.startup import may_build_demo
from etl.db import DatabaseBusy, db_path, latest_snapshot, publish_first_snapshot

# one first-run build per process, even when several browser sessions open at once
_BUILD_LOCK = threading.Lock()
_ROOT = Path(__file__).resolve().parent.parent


class SnapshotUnavailable(RuntimeError):
    """The database exists but no snapshot could be published (the file stays locked)."""


def _publish_from_main(db: Path) -> Path:
    """Publish a first snapshot of an existing main file (it waits while an ingest holds it)."""
    try:
        return publish_first_snapshot(db)
    except DatabaseBusy as exc:
        raise SnapshotUnavailable(str(db)) from exc


def _build_demo(db: Path) -> None:
    """Build the demo in a child process: the ETL starts worker processes of its own,
    which must not re-import a Streamlit script."""
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "demo", "--db", str(db)],
        cwd=_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"Không tạo được dữ liệu minh họa:\n{proc.stderr[-2000:]}")


def ensure_snapshot(db: Path) -> Path:
    """The newest snapshot of `db`, building the demo or publishing a first snapshot if needed."""
    snap = latest_snapshot(db)
    if snap is not None:
        return snap
    with _BUILD_LOCK:
        snap = latest_snapshot(db)  # another session may have built it meanwhile
        if snap is not None:
            return snap
        if not db.exists():
            if not may_build_demo(db):
                raise SnapshotUnavailable(str(db))
            with st.spinner("Đang tạo dữ liệu minh họa..."):
                _build_demo(db)
            snap = latest_snapshot(db)
            if snap is not None:
                return snap
        with st.spinner("Đang chuẩn bị bản đọc của cơ sở dữ liệu..."):
            return _publish_from_main(db)


def snapshot_path() -> Path:
    """The snapshot this run reads (see ensure_snapshot); $DASHBOARD_DB selects the database."""
    return ensure_snapshot(db_path())


@st.cache_resource(show_spinner=False, max_entries=4)
def get_connection(snapshot: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to one snapshot; queries take a cursor each (thread safety).

    A new snapshot path is a new cache entry, so new data means a new connection; old
    entries fall out of the cache and their files stay readable until closed (POSIX).
    """
    return duckdb.connect(snapshot, read_only=True)


# Query results are Polars frames, which no caller changes in place (every Polars operation
# returns a new frame): one copy shared by every session, where st.cache_data would unpickle a
# new copy on every call (60 ms for the national panel) and keep one per session in memory.
shared_frame = st.cache_resource(show_spinner=False, max_entries=64)


def query_frame(snapshot: str, sql: str, params: list | None = None) -> pl.DataFrame:
    """The whole result of `sql` (values bound from `params`) on `snapshot`, as a Polars frame."""
    cur = get_connection(snapshot).cursor()
    try:
        return cur.sql(sql, params=params).pl() if params else cur.sql(sql).pl()
    finally:
        cur.close()


def is_demo(snapshot: str) -> bool:
    """True while the snapshot holds the demo province (meta is_demo = '1')."""
    from app.queries import meta  # queries imports this module

    return meta(snapshot).get("is_demo") == "1"
