"""Marks on the data-check findings, kept in the accounts store (app/check_marks.py)."""

from __future__ import annotations

import json

import pytest

from accounts.audit import all_events
from accounts.store import store_path
from accounts.users import User
from app.check_marks import MARK_ACTION, MarkRefused, mark_checked, read_marks

KEY, FINGERPRINT = "rate_no_size|TTPY|2024|sat_staff_pct", "sat_staff_pct=86.2;sat_staff_n="


def _user(username: str, role: str, unit: str | None = None) -> User:
    return User(username, role, unit, None, False, "", "")


def _events(db):
    return [e for e in all_events(store_path(db)) if e[2] == MARK_ACTION]


def test_the_administrator_marks_a_finding_and_the_log_says_what(tmp_path) -> None:
    db = tmp_path / "so.duckdb"
    assert read_marks(db).is_empty()

    mark_checked(
        db, KEY, FINGERPRINT, _user("quan_tri", "quan_tri"), note="  Đã gọi điện,\n đơn vị xác nhận  ",
        client="10.0.0.9", target="TT Pháp y · 2024 · Tỷ lệ hài lòng của nhân viên y tế",
        detail={"unit_code": "TTPY", "year": 2024},
    )  # fmt: skip

    marks = read_marks(db)
    assert marks.select("finding_key", "mark_fingerprint", "note", "marked_by").rows() == [
        (KEY, FINGERPRINT, "Đã gọi điện, đơn vị xác nhận", "quan_tri")
    ]
    [event] = _events(db)
    assert event[1] == "quan_tri" and event[3] == "TT Pháp y · 2024 · Tỷ lệ hài lòng của nhân viên y tế"
    assert event[4] == "ok" and event[5] == "10.0.0.9"
    assert json.loads(event[6]) == {"unit_code": "TTPY", "year": 2024, "note": "Đã gọi điện, đơn vị xác nhận"}


def test_marking_again_on_new_figures_replaces_the_mark(tmp_path) -> None:
    db = tmp_path / "so.duckdb"
    admin = _user("quan_tri", "quan_tri")
    mark_checked(db, KEY, FINGERPRINT, admin)
    mark_checked(db, KEY, "sat_staff_pct=80.0;sat_staff_n=", admin, note="Số mới cũng đúng")
    assert read_marks(db).select("mark_fingerprint", "note").rows() == [
        ("sat_staff_pct=80.0;sat_staff_n=", "Số mới cũng đúng")
    ]
    assert len(_events(db)) == 2


@pytest.mark.parametrize(("role", "unit"), [("lanh_dao", None), ("ban_dan_van", None), ("don_vi", "TTPY")])
def test_only_the_administrator_marks(tmp_path, role, unit) -> None:
    db = tmp_path / "so.duckdb"
    with pytest.raises(MarkRefused):
        mark_checked(db, KEY, FINGERPRINT, _user("ai_do", role, unit), note="giả mạo")
    assert read_marks(db).is_empty()
    assert [(e[1], e[4]) for e in _events(db)] == [("ai_do", "denied")]
