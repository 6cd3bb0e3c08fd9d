"""Reporting deadlines per year, kept in the accounts store (app/deadlines.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from accounts.audit import all_events
from accounts.store import store_path
from accounts.users import User
from app.deadlines import DeadlineRefused, deadline_of, read_deadlines, set_deadline


def _user(username: str, role: str, unit: str | None = None) -> User:
    return User(username, role, unit, None, False, "", "")


def test_20_11_unless_set_and_each_change_audited(tmp_path):
    db = tmp_path / "so.duckdb"
    assert read_deadlines(db) == {} and deadline_of(2025, {}) == date(2025, 11, 20)

    set_deadline(db, 2025, date(2025, 12, 5), _user("quan_tri", "quan_tri"), client="10.0.0.9")
    set_deadline(db, 2025, date(2025, 12, 10), _user("quan_tri", "quan_tri"))

    deadlines = read_deadlines(db)
    assert deadlines == {2025: date(2025, 12, 10)}
    assert deadline_of(2025, deadlines) == date(2025, 12, 10) and deadline_of(2024, deadlines) == date(
        2024, 11, 20
    )
    events = [e for e in all_events(store_path(db)) if e[2] == "deadline_set"]
    assert [(e[1], e[3], e[4]) for e in events] == [("quan_tri", "2025", "ok")] * 2
    assert json.loads(events[1][6]) == {"due_on": "2025-12-10", "before": "2025-12-05"}


@pytest.mark.parametrize("role", ["lanh_dao", "ban_dan_van"])
def test_only_the_administrator_sets_a_deadline(tmp_path, role):
    db = tmp_path / "so.duckdb"
    with pytest.raises(DeadlineRefused):
        set_deadline(db, 2025, date(2025, 12, 5), _user("x", role))
    assert read_deadlines(db) == {}
    assert [e[4] for e in all_events(store_path(db)) if e[2] == "deadline_set"] == ["denied"]
