"""Marks on the data-check findings: "đã xác minh với đơn vị", who, when, an optional note.

Kept in the accounts store (`<db>.accounts.sqlite3`, SQLite in WAL mode) beside the
deadlines, not in DuckDB: the server saves a mark at any moment, also while an ingest holds
the DuckDB file, and a new snapshot leaves the marks where they are. A mark is keyed by the
finding (check, unit, year, indicator) and remembers the figures it was made on (the
finding's fingerprint, app/tables/data_checks.py): when the unit sends a version that
changes them, the mark no longer matches and the finding shows as unchecked again. Only the
Sở's administrator marks; every attempt, refused ones included, is audited.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import polars as pl

from accounts.audit import now_iso, record_event
from accounts.store import connect, store_path, transaction
from accounts.users import User

NOTE_MAX_CHARS = 300
MARK_ACTION = "finding_verified"

_TABLE = """
create table if not exists data_check_marks (
    finding_key text primary key,
    fingerprint text not null,
    note text,
    marked_by text not null,
    marked_at text not null
)
"""

MARKS_SCHEMA = {
    "finding_key": pl.String,
    "mark_fingerprint": pl.String,
    "note": pl.String,
    "marked_by": pl.String,
    "marked_at": pl.String,
}


class MarkRefused(PermissionError):
    """Only the Sở's administrator (quan_tri) marks a finding checked."""


def _open(db: Path) -> sqlite3.Connection:
    con = connect(store_path(db))
    con.execute(_TABLE)
    return con


def read_marks(db: Path) -> pl.DataFrame:
    """Every mark (finding_key, mark_fingerprint, note, marked_by, marked_at as UTC ISO text)."""
    if not store_path(db).exists():
        return pl.DataFrame(schema=MARKS_SCHEMA)
    with closing(_open(db)) as con:
        rows = con.execute(
            "select finding_key, fingerprint, note, marked_by, marked_at from data_check_marks"
        ).fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=MARKS_SCHEMA, orient="row")


def mark_checked(
    db: Path,
    finding_key: str,
    fingerprint: str,
    user: User,
    *,
    note: str = "",
    client: str | None = None,
    target: str | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """Save "đã xác minh với đơn vị" on one finding, as it stands now (audited).

    `target` (the finding in words: unit, year, indicator) and `detail` (what was odd) go
    into the audit row so the log reads on its own. MarkRefused, after an audit row
    "denied", for any role but quan_tri.
    """
    note = " ".join((note or "").split())[:NOTE_MAX_CHARS]
    audit_detail = {**(detail or {}), "note": note or None}
    with closing(_open(db)) as con:
        if user.role != "quan_tri":
            record_event(
                con, MARK_ACTION, actor=user.username, target=target or finding_key, outcome="denied", client=client,
                detail=audit_detail,
            )  # fmt: skip
            raise MarkRefused(user.role)
        with transaction(con):
            con.execute(
                "insert or replace into data_check_marks (finding_key, fingerprint, note, marked_by, marked_at) "
                "values (?, ?, ?, ?, ?)",
                [finding_key, fingerprint, note or None, user.username, now_iso()],
            )
            record_event(
                con,
                MARK_ACTION,
                actor=user.username,
                target=target or finding_key,
                client=client,
                detail=audit_detail,
            )
