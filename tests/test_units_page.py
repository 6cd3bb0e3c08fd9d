"""«Danh sách đơn vị»: the list and the change log as each role sees them (AppTest on the demo
province, read only), and the server side of a change (app/unit_admin.py) on a database of its
own: the CLI's command run in a subprocess, its Vietnamese answer, the refusal of other roles,
the audit rows. (A merge made through the page in Chromium: tests/test_browser_upload.py.)"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from accounts.audit import all_events
from accounts.store import connect, store_path
from accounts.users import User, add_user
from app import unit_admin
from tests.test_account_pages import texts
from tests.test_pages import TIMEOUT, dashboard_on, demo_db, logged_in  # noqa: F401  (demo_db is a fixture)

PAGE = "pages/units.py"


@pytest.fixture
def dashboard(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:  # noqa: F811
    return dashboard_on(demo_db, monkeypatch)


def test_the_leaders_read_the_list_with_its_lineage_and_no_forms(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "lanh_dao").run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    body = texts(at)
    assert at.header[0].value == "Danh sách đơn vị"
    # the demo's 2025 reorganisation: district centres merged into area centres
    assert "Đơn vị kế thừa: «Trung tâm Y tế khu vực Hòa Thuận» từ năm 2025" in body
    assert "Tiếp nhận «Trung tâm Y tế huyện Hòa Thuận», «Trung tâm Y tế huyện Phú Lâm»" in body
    assert "Đã sáp nhập" in body and "2015–2024" in body
    assert "chỉ xem danh sách" in body
    assert not at.tabs and not at.text_input and not at.main.button
    assert "TTYT_PHULAM" not in body  # names, not codes


def test_the_administrator_gets_the_four_changes(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "quan_tri").run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert [t.label for t in at.tabs] == ["Đổi tên", "Sáp nhập", "Chia tách", "Giải thể"]
    sources = at.multiselect(key="dsdv_sn_nguon")
    assert "Bệnh viện Mắt tỉnh An Lạc" in sources.options
    assert "Trung tâm Y tế huyện Phú Lâm" not in sources.options  # an ended unit cannot be merged again
    assert at.button(key="dsdv_sn_nut").disabled  # nothing chosen yet


def test_list_shows_only_the_units_still_active_when_asked(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "lanh_dao").run()
    at.switch_page(PAGE).run()
    ended_row = "| Trung tâm Y tế huyện Phú Lâm |"  # a row of the table (its first cell)
    assert ended_row in texts(at)
    at.get("button_group")[0].set_value("Đang hoạt động").run()
    assert not at.exception
    body = texts(at)
    assert "| Trung tâm Y tế khu vực Hòa Thuận |" in body and ended_row not in body


def _account(db: Path, username: str, role: str) -> User:
    with closing(connect(store_path(db))) as con:
        return add_user(con, username, "mat-khau-du-dai-2026", role, is_demo=False, actor="test")


def _audit(db: Path, action: str) -> list[tuple]:
    return [(e[1], e[3], e[4]) for e in all_events(store_path(db)) if e[2] == action]


def test_a_leader_is_refused_where_the_change_is_made_and_the_attempt_audited(db: Path) -> None:
    leader = _account(db, "lanh_dao_so", "lanh_dao")
    with pytest.raises(unit_admin.UnitChangeRefused):
        unit_admin.change_units(db, leader, "close", unit_admin.close_args("BVM", 2026), target="BVM")
    assert _audit(db, "units_close") == [("lanh_dao_so", "BVM", "denied")]
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        assert con.execute("select valid_to from units where unit_code = 'BVM'").fetchone() == (None,)


def test_the_administrator_merges_through_the_cli_and_reads_its_answer(db: Path) -> None:
    admin = _account(db, "quan_tri_so", "quan_tri")
    args = unit_admin.merge_args(
        ["BVTT", "BVPH"], "BVPTT", 2026, name="-Bệnh viện Phổi và Tâm thần", area="Phía Bắc"
    )
    done = unit_admin.change_units(db, admin, "merge", args, target="BVTT, BVPH → BVPTT", client="10.0.0.9")
    assert done.ok, done.message
    assert "«-Bệnh viện Phổi và Tâm thần» từ năm 2026" in done.message  # a leading "-" stays a name
    assert "BVPTT" not in done.message and "(BVTT)" not in done.message  # the page names units, no codes
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        rows = con.execute(
            "select unit_code, valid_to, successor_code from units where unit_code in ('BVTT', 'BVPH')"
        )
        assert sorted(rows.fetchall()) == [("BVPH", 2025, "BVPTT"), ("BVTT", 2025, "BVPTT")]
        assert con.execute("select changed_by from unit_changes").fetchall() == [("quan_tri_so",)]
    # one row, the page's (the user, from where): the command run for it writes none of its own
    rows = [e for e in all_events(store_path(db)) if e[2] == "units_merge"]
    assert [(e[1], e[4], e[5]) for e in rows] == [("quan_tri_so", "ok", "10.0.0.9")]

    again = unit_admin.change_units(db, admin, "merge", args, target="BVTT, BVPH → BVPTT")
    assert not again.ok and "đã sáp nhập vào" in again.message
    assert [e[2] for e in _audit(db, "units_merge") if e[0] == "quan_tri_so"] == ["ok", "failed"]
