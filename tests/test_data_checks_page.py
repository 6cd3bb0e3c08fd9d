"""AppTest of "Kiểm tra số liệu" on a copy of the demo province: the administrator sees the
findings, marks one checked (audited), a new version that changes the figure brings it back;
the Sở's leadership reads the list with no way to mark, and a forged mark is refused.

A copy, because the test sends the demo a new version of a report (the session's demo is
shared by other test modules). The copy costs a file copy, not a demo build.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.audit import all_events
from accounts.store import connect, store_path
from accounts.users import get_user
from app.check_marks import MARK_ACTION, MarkRefused, mark_checked
from etl.db import snapshot_dir
from tests.conftest import ingest_json, write_submission
from tests.test_pages import dashboard_on, logged_in, opened
from tests.test_queries import demo_database

PAGE = "pages/data_checks.py"
# the demo's TT Pháp y reported its staff satisfaction for 2024 without the survey size
UNIT, UNIT_NAME, YEAR, RATE = "TTPY", "TT Pháp y", 2024, 86.2
FINDING = f"rate_no_size|{UNIT}|{YEAR}|sat_staff_pct"
FINDING_TEXT = "Đã báo cáo tỷ lệ 86,2% nhưng «Số phiếu khảo sát nhân viên y tế» để trống"
LINK = f"(chi-tiet-bao-cao?don_vi={UNIT}&ct_nam={YEAR})"
MARK_BUTTON = "Đánh dấu đã xác minh với đơn vị"


@pytest.fixture(scope="module")
def checks_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's demo province (database, snapshots, accounts store)."""
    demo = demo_database(tmp_path_factory.getbasetemp())
    db = tmp_path_factory.mktemp("kiem_tra") / "dashboard.duckdb"
    shutil.copy2(demo, db)
    shutil.copytree(snapshot_dir(demo), snapshot_dir(db))
    with closing(sqlite3.connect(store_path(demo))) as src, closing(sqlite3.connect(store_path(db))) as dst:
        src.backup(dst)
    return db


@pytest.fixture
def dashboard(checks_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return dashboard_on(checks_db, monkeypatch)


def _table(at: AppTest) -> str:
    tables = [
        m.value.replace("\xa0", " ")
        for m in at.markdown
        if "| Đơn vị | Năm |" in m.value.split("\n", 1)[0]  # the list (the summary has no unit column)
    ]
    return tables[0] if tables else ""


def _row_of(at: AppTest, text: str) -> str:
    """The table's line holding `text`, its Markdown escapes removed."""
    return next((line for line in _table(at).replace("\\", "").splitlines() if text in line), "")


def _mark_events(db: Path) -> list[tuple]:
    return [e for e in all_events(store_path(db)) if e[2] == MARK_ACTION]


def test_the_administrator_sees_the_findings_and_marks_one_checked(
    dashboard: AppTest, checks_db: Path
) -> None:
    at = opened(logged_in(dashboard, checks_db, "quan_tri"), PAGE)

    table = _table(at)
    # the unverified are listed: a "Xác minh" column would say "Chưa xác minh" on every row
    assert (
        table.splitlines()[0] == "| Loại kiểm tra | Đơn vị | Năm | Chỉ tiêu | Điều cần xác minh | Báo cáo |"
    )
    row = _row_of(at, FINDING_TEXT)
    assert UNIT_NAME in row and "2024" in row and "Tỷ lệ hài lòng của nhân viên y tế" in row, table[:2000]
    assert f"[Chi tiết báo cáo]{LINK}" in row
    summary = next(m.value for m in at.markdown if m.value.startswith("| Loại kiểm tra | Chưa xác minh |"))
    summary = summary.replace("\xa0", " ")
    assert (
        "| Hạng lệch với điểm CCHC | 1 | 1 |" in summary
        and "| Tỷ lệ thiếu số phiếu khảo sát | 4 | 4 |" in summary
    )
    # the CCHC checks of the demo, chosen by check: BV Mắt's reported rank of 2022, and TT Pháp y
    # without a score in 2016 (the Sở ranked one unit more than have a score)
    at.multiselect(key="ktsl_loai").set_value(["rank_mismatch", "rank_no_score"]).run()
    ranks = _table(at).replace("\\", "")
    assert ranks.startswith("| Loại kiểm tra |")  # two checks chosen: the column tells them apart
    assert (
        "| Hạng lệch với điểm CCHC | BV Mắt | 2022 |" in ranks
        and "| Xếp hạng thiếu điểm CCHC | TT Pháp y | 2016 |" in ranks
    )
    assert FINDING_TEXT not in ranks
    at.multiselect(key="ktsl_loai").set_value(["rank_mismatch"]).run()
    assert _table(at).startswith("| Đơn vị | Năm |")  # one check chosen: the filter names it
    at.radio(key="ktsl_tinh_trang").set_value("Tất cả").run()
    assert "| Xác minh |" in _table(at).splitlines()[0]  # every state listed: each row says its own
    at.radio(key="ktsl_tinh_trang").set_value("Chưa xác minh").run()
    at.multiselect(key="ktsl_loai").set_value([]).run()
    assert [b.label for b in at.get("download_button")] == ["Tải CSV", "Tải XLSX"]

    at.selectbox(key="ktsl_truong_hop").set_value(FINDING)
    at.text_input(key="ktsl_ghi_chu").input("Đã gọi điện, đơn vị xác nhận 86,2%")
    [button] = [b for b in at.get("form_submit_button") if b.label == MARK_BUTTON]
    button.click().run()

    assert not at.exception, [e.message for e in at.exception]
    assert any("Đã đánh dấu đã xác minh với đơn vị: TT Pháp y · 2024" in s.value for s in at.success)
    assert not _row_of(at, FINDING_TEXT), "a checked finding is still listed as unchecked"
    at.radio(key="ktsl_tinh_trang").set_value("Đã xác minh").run()
    row = _row_of(at, FINDING_TEXT)
    assert (
        "Đã xác minh với đơn vị (quan_tri, " in row
        and "Đã gọi điện, đơn vị xác nhận 86,2%" in row.replace("\\", "")
    )
    [event] = _mark_events(checks_db)
    assert event[1] == "quan_tri" and event[4] == "ok"
    assert event[3] == "TT Pháp y · 2024 · Tỷ lệ hài lòng của nhân viên y tế · Tỷ lệ thiếu số phiếu khảo sát"


def test_a_new_version_keeps_the_mark_unless_it_changes_the_figure(
    dashboard: AppTest, checks_db: Path
) -> None:
    if not [e for e in _mark_events(checks_db) if e[4] == "ok"]:
        admin = get_user_of(checks_db, "quan_tri")
        mark_checked(checks_db, FINDING, f"sat_staff_pct={RATE!r};sat_staff_n=", admin)
    files = checks_db.parent / "gui_lai"
    files.mkdir(exist_ok=True)

    code, report = ingest_json(
        write_submission(files / "ttpy_2024_v2.xlsx", UNIT, YEAR, {"staff_total": 31, "sat_staff_pct": RATE}),
        db=checks_db,
    )
    assert code == 0 and report["summary"]["accepted"] == 1, report
    at = opened(logged_in(dashboard, checks_db, "quan_tri"), PAGE)
    assert not _row_of(at, FINDING_TEXT), "a version with the same rate lost the mark"

    code, report = ingest_json(
        write_submission(files / "ttpy_2024_v3.xlsx", UNIT, YEAR, {"staff_total": 31, "sat_staff_pct": 80}),
        db=checks_db,
    )
    assert code == 0, report
    at.run()
    row = _row_of(at, "Đã báo cáo tỷ lệ 80% nhưng «Số phiếu khảo sát nhân viên y tế» để trống")
    assert "Chưa xác minh: số liệu đã đổi sau lần xác minh ngày" in row, _table(at)[:3000]


def get_user_of(db: Path, username: str):
    with closing(connect(store_path(db))) as con:
        return get_user(con, username)


def test_the_leadership_reads_the_list_and_cannot_mark(dashboard: AppTest, checks_db: Path) -> None:
    at = opened(logged_in(dashboard, checks_db, "lanh_dao"), PAGE)
    assert _table(at), "lanh_dao does not see the list"
    assert not at.get("form_submit_button") and not at.get("text_input")
    assert any("Chỉ tài khoản quản trị của Sở đánh dấu được" in c.value for c in at.caption)
    # a mark sent on lanh_dao's behalf anyway is refused where it is saved, and logged
    before = len(_mark_events(checks_db))
    with pytest.raises(MarkRefused):
        mark_checked(checks_db, FINDING, "x", get_user_of(checks_db, "lanh_dao"), note="giả mạo")
    events = _mark_events(checks_db)
    assert len(events) == before + 1 and events[-1][1] == "lanh_dao" and events[-1][4] == "denied"
