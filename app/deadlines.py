"""The reporting deadline of each year: 20/11 unless the Sở set another date for that year.

Kept in the accounts store (`<db>.accounts.sqlite3`, SQLite in WAL mode), not in DuckDB:
the server must be able to save a new date at any moment, also while an ingest holds the
DuckDB file, and the backup already carries that store. Each change is audited.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

from accounts.audit import now_iso, record_event
from accounts.store import connect, store_path, transaction
from accounts.users import User

DEFAULT_DAY, DEFAULT_MONTH = 20, 11

_TABLE = """
create table if not exists report_deadlines (
    year integer primary key,
    due_on text not null,
    set_by text not null,
    set_at text not null
)
"""


class DeadlineRefused(PermissionError):
    """Only the Sở's administrator sets deadlines."""


def default_deadline(year: int) -> date:
    return date(year, DEFAULT_MONTH, DEFAULT_DAY)


def _open(db: Path) -> sqlite3.Connection:
    con = connect(store_path(db))
    con.execute(_TABLE)
    return con


def read_deadlines(db: Path) -> dict[int, date]:
    """The years whose deadline the Sở changed, with the date (the others keep 20/11)."""
    if not store_path(db).exists():
        return {}
    with closing(_open(db)) as con:
        rows = con.execute("select year, due_on from report_deadlines").fetchall()
    return {int(year): date.fromisoformat(due) for year, due in rows}


def deadline_of(year: int, deadlines: dict[int, date]) -> date:
    """The deadline of `year`: the one the Sở set, else 20/11 of that year."""
    return deadlines.get(year, default_deadline(year))


def end_of(day: date) -> datetime:
    """The last moment a report is on time on `day`."""
    return datetime(day.year, day.month, day.day, 23, 59, 59)


def set_deadline(db: Path, year: int, due_on: date, user: User, client: str | None = None) -> None:
    """Save `due_on` as the deadline of `year` (audited); DeadlineRefused for any role but quan_tri."""
    with closing(_open(db)) as con:
        if user.role != "quan_tri":
            record_event(
                con, "deadline_set", actor=user.username, target=str(year), outcome="denied", client=client,
                detail={"due_on": due_on.isoformat()},
            )  # fmt: skip
            raise DeadlineRefused(user.role)
        before = con.execute("select due_on from report_deadlines where year = ?", [year]).fetchone()
        with transaction(con):
            con.execute(
                "insert or replace into report_deadlines (year, due_on, set_by, set_at) values (?, ?, ?, ?)",
                [year, due_on.isoformat(), user.username, now_iso()],
            )
            record_event(
                con, "deadline_set", actor=user.username, target=str(year), client=client,
                detail={"due_on": due_on.isoformat(), "before": before[0] if before else None},
            )  # fmt: skip
