"""Drafts of the direct entry form: what a person typed, kept until the report is submitted.

One draft per user, unit and year, in the accounts store (`<db>.accounts.sqlite3`, SQLite in
WAL mode) beside the deadlines: the server must be able to save one at any moment, also while
an ingest holds the DuckDB file. A draft holds the typed texts as they are (errors included:
it is work in progress); it is saved on demand («Lưu nháp») and deleted once its report is
submitted. Who may keep a draft is checked here (app.entry_form.may_enter), and every save
and deletion, refused or not, is audited.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from accounts.audit import now_iso, record_event
from accounts.store import connect, store_path, transaction
from accounts.users import User
from app.entry_form import may_enter

_TABLE = """
create table if not exists entry_drafts (
    username text not null,
    unit_code text not null,
    year integer not null,
    typed text not null,
    saved_at text not null,
    primary key (username, unit_code, year)
)
"""


class DraftRefused(PermissionError):
    """The account may not keep a draft of this unit's report."""


@dataclass(frozen=True)
class Draft:
    """A saved draft: the typed texts by indicator code and when it was saved (UTC)."""

    typed: dict[str, str]
    saved_at: datetime

    def saved_label(self) -> str:
        """'09:30 ngày 25/11/2026', in the server's local time."""
        return f"{self.saved_at.astimezone():%H:%M} ngày {self.saved_at.astimezone():%d/%m/%Y}"


def _open(db: Path) -> sqlite3.Connection:
    con = connect(store_path(db))
    con.execute(_TABLE)
    return con


def _target(unit_code: str, year: int) -> str:
    return f"{unit_code} năm {year}"


def read_draft(db: Path, user: User, unit_code: str, year: int) -> Draft | None:
    """The user's draft of `unit_code`'s report for `year`, or None (none kept, or not theirs to see)."""
    if not may_enter(user, unit_code) or not store_path(db).exists():
        return None
    with closing(_open(db)) as con:
        row = con.execute(
            "select typed, saved_at from entry_drafts where username = ? and unit_code = ? and year = ?",
            [user.username, unit_code, year],
        ).fetchone()
    if row is None:
        return None
    typed = json.loads(row[0])
    return Draft({str(k): str(v) for k, v in typed.items()}, datetime.fromisoformat(row[1]))


def _check_may_enter(
    con: sqlite3.Connection, user: User, action: str, unit_code: str, year: int, client: str | None
) -> None:
    """DraftRefused, after auditing the attempt as `action`, unless `user` may enter `unit_code`."""
    if not may_enter(user, unit_code):
        record_event(
            con, action, actor=user.username, target=_target(unit_code, year),
            outcome="denied", client=client, detail={"unit_code": unit_code, "year": year},
        )  # fmt: skip
        raise DraftRefused(unit_code)


def save_draft(
    db: Path, user: User, unit_code: str, year: int, typed: dict[str, str | None], client: str | None = None
) -> Draft:
    """Keep what `user` typed for `unit_code` and `year` (replacing their earlier draft), audited.

    Raises DraftRefused (after auditing the attempt) for another unit's account or a read-only role.
    """
    kept = {code: text for code, text in typed.items() if isinstance(text, str) and text.strip()}
    with closing(_open(db)) as con:
        _check_may_enter(con, user, "entry_draft_saved", unit_code, year, client)
        saved_at = now_iso()
        with transaction(con):
            con.execute(
                "insert or replace into entry_drafts (username, unit_code, year, typed, saved_at) "
                "values (?, ?, ?, ?, ?)",
                [user.username, unit_code, year, json.dumps(kept, ensure_ascii=False), saved_at],
            )
            record_event(
                con, "entry_draft_saved", actor=user.username, target=_target(unit_code, year), client=client,
                detail={"unit_code": unit_code, "year": year, "n_fields": len(kept)},
            )  # fmt: skip
    return Draft(kept, datetime.fromisoformat(saved_at))


def delete_draft(
    db: Path, user: User, unit_code: str, year: int, reason: str, client: str | None = None
) -> bool:
    """Delete the user's draft (its report was submitted, or they discarded it), audited; False
    when there was none. Raises DraftRefused (audited) for an account that may not enter the unit."""
    with closing(_open(db)) as con:
        _check_may_enter(con, user, "entry_draft_deleted", unit_code, year, client)
        with transaction(con):
            gone = con.execute(
                "delete from entry_drafts where username = ? and unit_code = ? and year = ?",
                [user.username, unit_code, year],
            ).rowcount
            if gone:
                record_event(
                    con, "entry_draft_deleted", actor=user.username, target=_target(unit_code, year),
                    client=client, detail={"unit_code": unit_code, "year": year, "reason": reason},
                )  # fmt: skip
    return bool(gone)
