"""AppTest of Nộp báo cáo and Chi tiết báo cáo on the demo province, per role."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.audit import all_events
from accounts.store import store_path
from app.deadlines import read_deadlines
from app.submission_queries import registered_units
from etl.db import latest_snapshot
from tests.test_pages import TIMEOUT, dashboard_on, demo_db, logged_in, opened  # noqa: F401  (demo_db is a fixture)


@pytest.fixture
def dashboard(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:  # noqa: F811
    return dashboard_on(demo_db, monkeypatch)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [e.value for e in at.error] + [i.value for i in at.info] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_a_unit_sees_its_template_uploader_and_only_its_own_history(dashboard, demo_db):  # noqa: F811
    at = opened(logged_in(dashboard, demo_db, "bvm"), "pages/upload.py")

    text = _texts(at)
    assert "Nộp báo cáo" in text and "Bệnh viện Mắt tỉnh An Lạc" in text
    assert "3. Các báo cáo đã nộp" in text
    # the history's table lists this unit's files only
    tables = [m.value.replace("\xa0", " ") for m in at.markdown if m.value.startswith("| Năm |")]
    assert tables, text
    rows = tables[0].splitlines()[2:]
    assert rows and all("| BV Mắt |" in r for r in rows), rows
    picks = at.selectbox(key="nop_chon_ban").options
    assert picks and all("BV Mắt" in p for p in picks)


def test_the_page_itself_tells_a_viewer_it_only_reads(demo_db, monkeypatch):  # noqa: F811
    """Opened without the navigation's refusal, the page still offers nothing to send: the upload
    itself is refused where it is processed (tests/test_upload.py)."""
    from contextlib import closing

    from accounts.store import connect, store_path
    from accounts.users import get_user

    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    with closing(connect(store_path(demo_db))) as con:
        viewer = get_user(con, "ban_dan_van")
    at = AppTest.from_file("../pages/upload.py", default_timeout=TIMEOUT)
    at.session_state["auth_user"] = viewer
    at.run()
    assert not at.exception
    assert any("chỉ xem số liệu, không nộp báo cáo" in i.value for i in at.info)


def test_the_detail_shows_versions_and_what_changed(dashboard, demo_db):  # noqa: F811
    at = opened(logged_in(dashboard, demo_db, "quan_tri"), "pages/submission_detail.py")
    units = at.selectbox(key="ct_don_vi").options
    # units by name, never by their internal code
    assert "BV Mắt" in units and not any(u.endswith(")") for u in units), units
    # the demo's first unit-year with two accepted versions
    for unit in registered_units(str(latest_snapshot(demo_db))):
        if unit.short_name not in units:  # no file received from it
            continue
        at.selectbox(key="ct_don_vi").set_value(unit.unit_code).run()
        for year in at.selectbox(key="ct_nam").options:
            at.selectbox(key="ct_nam").set_value(int(year)).run()
            if "Những gì đã thay đổi" in _texts(at):
                assert not at.exception
                assert any("| Chỉ tiêu | Trước | Sau |" in m.value for m in at.markdown)
                return
    pytest.fail("no unit-year of the demo has two versions with values")


def test_intake_shows_the_matrix_rates_and_who_to_chase_and_the_admin_sets_a_deadline(dashboard, demo_db):  # noqa: F811
    at = logged_in(dashboard, demo_db, "quan_tri")
    # each section is a tab, drawn when open: its name in the link opens it
    sections = {
        "Tỷ lệ nộp theo năm": "| Năm | Đơn vị phải nộp | Đã nộp | Đúng hạn | Tỷ lệ đã nộp |",
        "Mức độ đầy đủ": "| Đơn vị | 20",  # one column per year
        "Chưa nộp, đôn đốc": "| Đơn vị | Tình trạng | Số lần bị từ chối |",
    }
    for tab, table_head in sections.items():
        at.query_params["tn_muc"] = tab
        at = opened(at, "pages/intake.py")
        tables = [m.value.replace("\xa0", " ") for m in at.markdown]
        assert any(t.startswith(table_head) for t in tables), (tab, [t[:60] for t in tables])
    assert "Tải công văn đôn đốc (.docx)" in [b.label for b in at.get("download_button")]
    year = at.selectbox(key="tn_han_nam").value
    at.date_input(key=f"tn_han_{year}").set_value(date(year, 12, 15)).run()
    at.button(key="tn_han_luu").click().run()

    assert not at.exception
    assert any(f"Đã đặt hạn nộp báo cáo năm {year} là 15/12/{year}." in s.value for s in at.success)
    assert read_deadlines(demo_db)[year] == date(year, 12, 15)
    assert [e[1] for e in all_events(store_path(demo_db)) if e[2] == "deadline_set"][-1] == "quan_tri"


def _history_rows(at: AppTest) -> list[str]:
    """The body rows of the history table (the first table headed «Năm»), non-breaking spaces as plain."""
    table = next(m.value for m in at.markdown if m.value.startswith("| Năm |"))
    return table.replace("\xa0", " ").splitlines()[2:]


def test_the_administrator_narrows_the_history_to_one_unit(dashboard, demo_db):  # noqa: F811
    at = opened(logged_in(dashboard, demo_db, "quan_tri"), "pages/upload.py")
    assert any("| CDC |" in r for r in _history_rows(at))

    at.selectbox(key="nop_ls_don_vi").set_value("BVM").run()

    rows = _history_rows(at)
    assert rows and all("| BV Mắt |" in r for r in rows), rows


@pytest.mark.parametrize("page", ["pages/intake.py", "pages/unit_profile.py"])
def test_a_units_own_pages_name_its_unit_as_the_scope(dashboard, demo_db, page):  # noqa: F811
    at = opened(logged_in(dashboard, demo_db, "bvm"), page)
    header = next(c.value for c in at.caption if "phạm vi:" in c.value)
    assert "phạm vi: BV Mắt" in header and "tất cả đơn vị" not in header, header
