"""AppTest: the login gate, role-scoped pages and the account pages, on the demo province.

Each test logs a demo account in through the real accounts store (tests/test_pages.logged_in)
and drives dashboard.py the way the browser does.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.audit import events
from accounts.sessions import authenticate
from accounts.store import connect, store_path
from accounts.users import get_user
from tests.test_pages import TIMEOUT, dashboard_on, demo_db, logged_in  # noqa: F401  (demo_db is a fixture)

NEW_PASSWORD = "mat-khau-moi-2026"


@pytest.fixture
def dashboard(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:  # noqa: F811
    return dashboard_on(demo_db, monkeypatch)


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "error", "success", "warning")
        for e in at.get(kind)
    ]
    # as a reader sees it: no Markdown escapes; short cells keep their words on no-break spaces
    return "\n".join(str(p) for p in parts).replace("\\", "").replace("\u00a0", " ")


def test_without_a_session_nothing_but_the_way_to_log_in(dashboard: AppTest) -> None:
    at = dashboard.run()
    assert not at.exception
    assert any("đăng nhập" in i.value.lower() for i in at.info)
    assert not at.get("plotly_chart") and not at.sidebar.get("selectbox")
    dashboard.session_state["auth_token"] = "khong-phai-phien-nao"
    assert not dashboard.run().get("plotly_chart")


def test_a_unit_account_sees_only_its_own_submissions(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "bvm").run()
    at.switch_page("pages/intake.py").run()
    assert not at.exception, [e.message for e in at.exception]
    body = texts(at)
    assert "BV Mắt" in body
    for other in ("BVĐK tỉnh", "CDC", "TT Kiểm nghiệm", "BV Phổi"):
        assert other not in body, other
    at.switch_page("pages/unit_profile.py").run()
    assert not at.exception
    assert len(at.selectbox(key="don_vi").options) == 1
    assert "Mắt" in at.subheader[0].value


def test_the_sos_roles_see_every_units_submissions(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "ban_dan_van").run()
    at.switch_page("pages/intake.py").run()
    assert not at.exception
    body = texts(at)
    assert "BV Mắt" in body and "BVĐK tỉnh" in body


def test_admin_pages_refuse_other_roles_even_when_opened_directly(demo_db: Path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    with closing(connect(store_path(demo_db))) as con:
        leader = get_user(con, "lanh_dao")
    for page in ("../pages/admin_users.py", "../pages/audit_log.py"):
        at = AppTest.from_file(page, default_timeout=TIMEOUT)
        at.session_state["auth_user"] = leader
        at.run()
        assert not at.exception
        assert any("quản trị" in e.value for e in at.error)
        assert not at.get("download_button") and not at.get("text_input")


def test_admin_adds_a_user_who_can_then_log_in(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "quan_tri").run()
    at.switch_page("pages/admin_users.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "lanh_dao" in texts(at)
    at.text_input(key="tk_ten").input("can_bo_moi")
    at.text_input(key="tk_ho_ten").input("Trần Thị B")
    at.selectbox(key="tk_vai_tro").select("ban_dan_van")
    at.text_input(key="tk_mat_khau").input(NEW_PASSWORD)
    at.text_input(key="tk_nhap_lai").input(NEW_PASSWORD)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert "Đã thêm tài khoản «can_bo_moi»" in texts(at)
    with closing(connect(store_path(demo_db))) as con:
        assert authenticate(con, "can_bo_moi", NEW_PASSWORD, client=None).user.role == "ban_dan_van"
        added = events(con, actions=("user_added",))[0]
    assert added["actor"] == "quan_tri" and added["target"] == "can_bo_moi"


def test_audit_log_lists_logins_and_page_views(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "quan_tri").run()
    at.switch_page("pages/audit_log.py").run()
    assert not at.exception, [e.message for e in at.exception]
    body = texts(at)
    assert "Đăng nhập" in body and "Xem trang" in body and "quan" in body
    assert [b.label for b in at.get("download_button")] == ["Tải CSV", "Tải XLSX"]


def test_a_user_changes_their_own_password(dashboard: AppTest, demo_db: Path) -> None:  # noqa: F811
    at = logged_in(dashboard, demo_db, "cdc").run()
    at.switch_page("pages/account.py").run()
    assert not at.exception
    at.text_input(key="mk_cu").input("sai-mat-khau")
    at.text_input(key="mk_moi").input(NEW_PASSWORD)
    at.text_input(key="mk_lai").input(NEW_PASSWORD)
    at.get("form_submit_button")[0].click().run()
    assert any("hiện tại không đúng" in e.value for e in at.error)
    at.text_input(key="mk_cu").input("demo")
    at.get("form_submit_button")[0].click().run()
    assert any("Đã đổi mật khẩu" in s.value for s in at.success)
    with closing(connect(store_path(demo_db))) as con:
        assert authenticate(con, "cdc", NEW_PASSWORD, client=None).user is not None
        assert authenticate(con, "cdc", "demo", client=None).user is None
