"""The direct entry form's drafts (app/drafts.py) and save path (app/entry.py): a draft per user,
unit and year until the report is submitted; a submission through the real upload path (the
CLI's ingest in a subprocess), versioned, superseding, raw file kept; roles checked on the
server; every step audited."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from accounts.audit import all_events
from accounts.store import store_path
from accounts.users import User
from app.drafts import DraftRefused, delete_draft, read_draft, save_draft
from app.entry import EntryInvalid, EntryRefused, submit_entry
from app.upload import VIA_ENTRY
from etl.db import raw_dir
from etl.registry import DEMO_REGISTRY_CSV, read_registry
from tests.test_ingest import current, query

BVM = User("bvm", "don_vi", "BVM", None, False, "", "")
ADMIN = User("quan_tri", "quan_tri", None, None, False, "", "")
TYPED = {
    "staff_total": "321",
    "training_sessions": "7",
    "training_participants": "180",
    "dv_self_rating": "Tốt",
}


def _events(db, action):
    return [e for e in all_events(store_path(db)) if e[2] == action]


def _page_ingests(db):
    """The ingest events the page's save path wrote (the CLI it runs writes its own as well)."""
    return [e for e in _events(db, "ingest") if "via" in json.loads(e[6] or "{}")]


@pytest.fixture(scope="module")
def units():
    return read_registry(DEMO_REGISTRY_CSV)


def _unit(units, code):
    return next(u for u in units if u.unit_code == code)


def test_a_draft_is_kept_per_user_unit_and_year_until_deleted(tmp_path):
    db = tmp_path / "so.duckdb"
    assert read_draft(db, BVM, "BVM", 2026) is None

    saved = save_draft(db, BVM, "BVM", 2026, {**TYPED, "complaints_received": "  ", "highlights": None})

    again = read_draft(db, BVM, "BVM", 2026)
    assert again is not None and again.typed == TYPED and again.saved_at == saved.saved_at
    assert read_draft(db, BVM, "BVM", 2025) is None
    assert read_draft(db, ADMIN, "BVM", 2026) is None  # the administrator's drafts are their own
    save_draft(db, BVM, "BVM", 2026, {"staff_total": "322"})
    assert read_draft(db, BVM, "BVM", 2026).typed == {"staff_total": "322"}
    assert delete_draft(db, BVM, "BVM", 2026, "bỏ") and read_draft(db, BVM, "BVM", 2026) is None
    assert not delete_draft(db, BVM, "BVM", 2026, "bỏ")

    saves = _events(db, "entry_draft_saved")
    assert [(e[1], e[3], e[4]) for e in saves] == [("bvm", "BVM năm 2026", "ok")] * 2
    assert json.loads(saves[0][6]) == {"unit_code": "BVM", "year": 2026, "n_fields": 4}
    [deleted] = _events(db, "entry_draft_deleted")
    assert json.loads(deleted[6])["reason"] == "bỏ"


@pytest.mark.parametrize(
    "user",
    [
        User("cdc", "don_vi", "CDC", None, False, "", ""),
        User("lanh_dao", "lanh_dao", None, None, False, "", ""),
        User("ban_dan_van", "ban_dan_van", None, None, False, "", ""),
    ],
)
def test_an_account_that_may_not_enter_the_unit_keeps_no_draft_and_the_attempt_is_audited(tmp_path, user):
    db = tmp_path / "so.duckdb"
    with pytest.raises(DraftRefused):
        save_draft(db, user, "BVM", 2026, TYPED, client="10.0.0.7")
    assert read_draft(db, user, "BVM", 2026) is None
    [event] = _events(db, "entry_draft_saved")
    assert (event[1], event[3], event[4], event[5]) == (user.username, "BVM năm 2026", "denied", "10.0.0.7")


def test_a_submission_goes_through_the_upload_path_supersedes_and_ends_the_draft(db, units):
    unit = _unit(units, "BVM")
    save_draft(db, BVM, "BVM", 2026, TYPED)

    first = submit_entry(db, BVM, unit, 2026, TYPED, units=units, history={}, client="10.0.0.7")

    assert (first.verdict, first.unit_code, first.year) == ("ĐÃ NHẬN", "BVM", 2026), first
    assert read_draft(db, BVM, "BVM", 2026) is None
    assert current(db, "BVM", 2026) == {
        "staff_total": "321.0", "training_sessions": "7.0", "training_participants": "180.0", "dv_self_rating": "Tốt",
    }  # fmt: skip
    [(name, by, sha)] = query(db, "select source_name, submitted_by, sha256 from submissions")
    assert name.startswith("Nhập trực tiếp - BV Mắt - năm 2026 - ") and name.endswith(".xlsx") and by == "bvm"
    kept = raw_dir(db) / sha[:2] / f"{sha}.xlsx"
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == sha  # the workbook itself is kept

    second = submit_entry(
        db, BVM, unit, 2026, {**TYPED, "staff_total": "330"}, units=units, history={}, today=date(2026, 12, 1)
    )

    assert second.verdict == "ĐÃ NHẬN"
    assert query(db, "select status from submissions order by submission_id") == [
        ("superseded",),
        ("accepted",),
    ]
    assert current(db, "BVM", 2026)["staff_total"] == "330.0"
    ingests = _page_ingests(db)
    assert [(e[1], e[4], json.loads(e[6])["via"]) for e in ingests] == [("bvm", "ok", VIA_ENTRY)] * 2
    assert json.loads(ingests[0][6])["verdict"] == "ĐÃ NHẬN" and ingests[0][5] == "10.0.0.7"
    [deleted] = _events(db, "entry_draft_deleted")
    assert json.loads(deleted[6])["reason"] == "đã nộp báo cáo"


def test_the_administrator_submits_for_any_unit(db, units):
    verdict = submit_entry(
        db, ADMIN, _unit(units, "CDC"), 2025, {"staff_total": "80"}, units=units, history={}
    )
    assert verdict.verdict == "ĐÃ NHẬN" and current(db, "CDC", 2025) == {"staff_total": "80.0"}


def test_a_unit_account_posting_another_unit_is_refused_on_the_server_and_audited(db, units):
    with pytest.raises(EntryRefused):
        submit_entry(db, BVM, _unit(units, "CDC"), 2026, TYPED, units=units, history={}, client="10.0.0.7")
    assert query(db, "select count(*) from submissions") == [(0,)]
    [event] = _page_ingests(db)
    assert (event[1], event[3], event[4]) == ("bvm", "CDC năm 2026", "denied")
    assert json.loads(event[6])["via"] == VIA_ENTRY


def test_a_form_with_errors_is_refused_before_anything_is_written(db, units):
    with pytest.raises(EntryInvalid) as refused:
        submit_entry(
            db, BVM, _unit(units, "BVM"), 2026, {**TYPED, "complaints_received": "2", "complaints_resolved": "9"},
            units=units, history={},
        )  # fmt: skip
    assert list(refused.value.check.field_errors) == ["complaints_resolved"]
    assert query(db, "select count(*) from submissions") == [(0,)]
    [event] = _page_ingests(db)
    assert (event[1], event[4]) == ("bvm", "failed")
