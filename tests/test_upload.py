"""Uploads from the browser (app/upload.py): the CLI's own ingest, roles enforced, every file audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accounts.audit import all_events
from accounts.store import store_path
from accounts.users import User
from app.upload import Upload, UploadRefused, ingest_uploads, safe_name
from tests.conftest import write_submission
from tests.test_ingest import GOOD, query


def _user(username: str, role: str, unit: str | None = None) -> User:
    return User(username, role, unit, None, False, "", "")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("bvm_2025.xlsx", "bvm_2025.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ke_toan\\Báo cáo 2025.xlsx", "Báo cáo 2025.xlsx"),
        ("..\\..\\x.xlsx", "x.xlsx"),
        (".hidden.csv", "hidden.csv"),
        ("bad\x00name\n.xlsx", "badname.xlsx"),
        ('a<b>:"c|?*.csv', "a_b___c___.csv"),
        ("..", "tep_tai_len"),
        ("", "tep_tai_len"),
    ],
)
def test_uploaded_names_are_kept_without_folders_or_control_characters(sent, kept):
    assert safe_name(sent) == kept


def test_a_long_name_keeps_its_extension():
    name = safe_name("x" * 300 + ".xlsx")
    assert len(name) == 120 and name.endswith(".xlsx")


def _upload(path: Path, name: str | None = None) -> Upload:
    return Upload(name or path.name, path.read_bytes())


@pytest.mark.parametrize("role", ["lanh_dao", "ban_dan_van"])
def test_roles_that_change_nothing_are_refused_where_the_upload_is_processed(tmp_path, db, role):
    file = write_submission(tmp_path / "bvm.xlsx", "BVM", 2024, GOOD)

    with pytest.raises(UploadRefused):
        ingest_uploads(db, [_upload(file)], _user("nguoi_xem", role))

    assert query(db, "select count(*) from submissions") == [(0,)]
    [event] = [e for e in all_events(store_path(db)) if e[2] == "ingest"]
    assert (event[1], event[3], event[4]) == ("nguoi_xem", "bvm.xlsx", "denied")


def test_a_unit_uploads_its_file_and_is_refused_another_units(tmp_path, db):
    mine = write_submission(tmp_path / "a" / "bvm.xlsx", "BVM", 2024, GOOD)
    bad = write_submission(tmp_path / "b" / "bvm.xlsx", "BVM", 2023, {**GOOD, "complaints_resolved": 40})
    theirs = write_submission(tmp_path / "cdc.xlsx", "CDC", 2024, GOOD)
    seen: list[tuple[int, int]] = []

    verdicts = ingest_uploads(
        db, [_upload(mine), _upload(bad, "../bvm.xlsx"), _upload(theirs)], _user("bvm", "don_vi", "BVM"),
        client="10.0.0.5", on_progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip

    assert [(v.name, v.verdict) for v in verdicts] == [
        ("bvm.xlsx", "ĐÃ NHẬN"),
        ("bvm.xlsx", "TỪ CHỐI"),
        ("cdc.xlsx", "TỪ CHỐI"),
    ]
    assert "Đơn thư" in verdicts[1].errors[0] and "Cách sửa" in verdicts[1].errors[0]
    assert "không phải của đơn vị «BVM»" in verdicts[2].errors[0]
    assert seen and seen[-1] == (3, 3)  # the progress bar reached the end
    rows = query(db, "select unit_code, year, status, submitted_by from submissions order by submission_id")
    assert rows == [("BVM", 2024, "accepted", "bvm"), ("BVM", 2023, "rejected", "bvm")]
    events = [e for e in all_events(store_path(db)) if e[2] == "ingest" and e[1] == "bvm"]
    assert [(e[3], e[4], e[5]) for e in events] == [
        ("bvm.xlsx", "ok", "10.0.0.5"),
        ("bvm.xlsx", "failed", "10.0.0.5"),
        ("cdc.xlsx", "denied", "10.0.0.5"),
    ]
    assert json.loads(events[2][6])["unit_code"] == "CDC"
    # one row a file, the page's: the command it ran writes none of its own
    assert [e[1] for e in all_events(store_path(db)) if e[2] == "ingest"] == ["bvm", "bvm", "bvm"]


def test_the_administrator_uploads_for_several_units_at_once(tmp_path, db):
    files = [write_submission(tmp_path / f"{u}.xlsx", u, 2024, GOOD) for u in ("BVM", "CDC", "BVDKT")]

    verdicts = ingest_uploads(db, [_upload(f) for f in files], _user("quan_tri", "quan_tri"))

    assert [v.verdict for v in verdicts] == ["ĐÃ NHẬN"] * 3
    assert {v.unit_code for v in verdicts} == {"BVM", "CDC", "BVDKT"}
    events = [e for e in all_events(store_path(db)) if e[2] == "ingest" and e[1] == "quan_tri"]
    assert len(events) == 3 and all(json.loads(e[6])["on_behalf_of_unit"] for e in events)


def test_the_same_file_again_is_unchanged(tmp_path, db):
    file = write_submission(tmp_path / "bvm.xlsx", "BVM", 2024, GOOD)
    user = _user("bvm", "don_vi", "BVM")
    ingest_uploads(db, [_upload(file)], user)

    [again] = ingest_uploads(db, [_upload(file, "bvm (1).xlsx")], user)

    assert (again.name, again.verdict) == ("bvm (1).xlsx", "KHÔNG ĐỔI")


@pytest.mark.parametrize(
    ("name", "sent"),
    [
        ("bao_cao/bvm_2025.xlsx", True),
        ("bao_cao/2025/cdc.ods", True),
        ("bao_cao/~$bvm_2025.xlsx", False),  # Excel's lock file while the workbook is open
        ("bao_cao/.DS_Store", False),
        ("bao_cao/Thumbs.db", False),
        ("bao_cao/ghi_chu.docx", True),  # a file someone put there: it gets a verdict
    ],
)
def test_an_uploaded_folder_passes_over_what_nobody_sent(name, sent):
    from app.upload_view import is_sent

    assert is_sent(name) is sent


def test_a_units_file_without_a_readable_unit_stays_in_its_own_history(tmp_path, db):
    """A clerk who left the unit cell blank sees the rejection among the unit's own files."""
    from accounts.scope import Scope
    from app.submission_queries import submission_history
    from etl.db import latest_snapshot

    blank = write_submission(tmp_path / "bao_cao.xlsx", None, 2024, GOOD)
    [verdict] = ingest_uploads(db, [_upload(blank)], _user("bvm", "don_vi", "BVM"), client="10.0.0.5")
    assert verdict.verdict == "TỪ CHỐI" and "Mã đơn vị" in verdict.errors[0]
    history = submission_history(str(latest_snapshot(db)), Scope("don_vi", "BVM"))
    assert history.filter(history["source_name"] == "bao_cao.xlsx").height == 1
    assert submission_history(str(latest_snapshot(db)), Scope("don_vi", "CDC")).is_empty()


def test_an_upload_while_a_cli_ingest_holds_the_database_is_told_to_wait_and_changes_nothing(tmp_path, db):
    """An operator's long ingest at the terminal holds the database beyond the upload's wait: the
    clerk's file is not loaded, the page says why and what to do, and sent again later it is."""
    from tests.test_snapshots import another_writer

    mine = write_submission(tmp_path / "bvm.xlsx", "BVM", 2024, GOOD)
    user = _user("bvm", "don_vi", "BVM")
    with another_writer(db):
        [busy] = ingest_uploads(db, [_upload(mine)], user, client="10.0.0.5")
    assert busy.verdict == "TỪ CHỐI"
    assert (
        "đang được một tiến trình khác ghi" in busy.errors[0] and "chờ ít phút rồi nộp lại" in busy.errors[0]
    )
    assert query(db, "select count(*) from submissions") == [(0,)]
    [again] = ingest_uploads(db, [_upload(mine)], user, client="10.0.0.5")
    assert again.verdict == "ĐÃ NHẬN"
    outcomes = [e[4] for e in all_events(store_path(db)) if e[2] == "ingest" and e[1] == "bvm"]
    assert outcomes == ["failed", "ok"]
