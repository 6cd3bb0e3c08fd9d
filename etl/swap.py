"""Replacing a whole database file safely (the demo rebuild, a restore).

The replacement is written beside its target (same folder, so `os.replace` is atomic)
and swapped in only when complete: a reader sees the old file or the new one, never a
half-written one, and a failed build leaves the target as it was. Before the swap the
new file's `data_version` is set above anything the target has had, because the
dashboard caches queries by snapshot path (`v<version>-f<format>.duckdb`): a version
number used twice would show the old data under the new name.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.db import DatabaseBusy, connect, get_meta, publish_snapshot, set_meta, snapshot_dir

_SNAPSHOT_NAME = re.compile(r"v(\d+)-f\d+\.duckdb")


@dataclass(frozen=True)
class DatabaseInfo:
    """What a read-only look at a database file found."""

    path: Path
    exists: bool
    is_duckdb: bool = False
    is_demo: bool = False
    data_version: int = 0
    schema_version: int = 0


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def busy_message(db: Path) -> str:
    return (
        f"Tệp cơ sở dữ liệu «{db}» đang được một tiến trình khác mở (ví dụ một lệnh nạp đang chạy). "
        "Hãy chờ tiến trình đó xong rồi chạy lại."
    )


def inspect_database(db: Path, attempts: int = 6, wait_s: float = 0.5) -> DatabaseInfo:
    """Look at `db` read-only, changing nothing in it.

    A file DuckDB cannot open (not a database, damaged) is reported as `is_duckdb=False`;
    raises DatabaseBusy when another process still holds it after a few seconds.
    """
    db = Path(db)
    if not db.exists():
        return DatabaseInfo(db, exists=False)
    for attempt in range(attempts):
        try:
            con = duckdb.connect(str(db), read_only=True)
            break
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower():
                return DatabaseInfo(db, exists=True)
            if attempt == attempts - 1:
                raise DatabaseBusy(busy_message(db)) from exc
            time.sleep(wait_s)
    with closing(con):
        has_meta = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'meta'"
        ).fetchone()[0]
        meta = dict(con.execute("select key, value from meta").fetchall()) if has_meta else {}
    return DatabaseInfo(
        db,
        exists=True,
        is_duckdb=True,
        is_demo=meta.get("is_demo") == "1",
        data_version=_int(meta.get("data_version")),
        schema_version=_int(meta.get("schema_version")),
    )


def newest_snapshot_version(db: Path) -> int:
    """The highest data version among the published snapshots of `db` (any format), or 0."""
    folder = snapshot_dir(db)
    if not folder.is_dir():
        return 0
    found = (_SNAPSHOT_NAME.fullmatch(p.name) for p in folder.iterdir())
    return max((int(m.group(1)) for m in found if m), default=0)


def beside(db: Path, purpose: str) -> Path:
    """A temporary database path in the folder of `db` (the same file system, for os.replace)."""
    return db.parent / f".{db.stem}.{purpose}-{os.getpid()}.duckdb"


def remove_database(db: Path) -> None:
    """Remove a database file with its WAL and its snapshot folder (for temporary databases)."""
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    shutil.rmtree(snapshot_dir(db), ignore_errors=True)


def swap_in(
    new: Path, target: Path, *, at_least: int = 0, allow: Callable[[DatabaseInfo], None] | None = None
) -> Path:
    """Move the complete database `new` onto `target` and publish a snapshot of it.

    `allow` sees the target as it is just before the swap and raises to stop it (the
    demo checks once more that it only ever replaces a demo). The new data version is
    above `at_least`, the target's own and every snapshot of the target. The target's
    old snapshots are removed once the new one is published. Returns the new snapshot.
    """
    info = inspect_database(target)  # DatabaseBusy while someone holds the target
    if allow is not None:
        allow(info)
    with closing(duckdb.connect(str(new))) as con:
        own = _int(get_meta(con, "data_version"))
        version = max(at_least, own, info.data_version, newest_snapshot_version(target)) + 1
        set_meta(con, "data_version", str(version))
    # the old file's write-ahead log must not be replayed into the new file
    Path(f"{target}.wal").unlink(missing_ok=True)
    os.replace(new, target)
    shutil.rmtree(snapshot_dir(new), ignore_errors=True)
    old = list(snapshot_dir(target).glob("v*.duckdb")) if snapshot_dir(target).is_dir() else []
    try:
        with closing(connect(target)) as con:
            snap = publish_snapshot(con, target)
    finally:
        # the old snapshots show a database that is gone: without a new snapshot the
        # dashboard then publishes one from the new file itself, rather than show the old
        for path in old:
            path.unlink(missing_ok=True)
    return snap
