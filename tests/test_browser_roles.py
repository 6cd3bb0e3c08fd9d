"""Browser tests of logging in and of what each role sees, in headless Chromium.

The same demo server as tests/test_browser.py (the session fixtures of tests/browser.py):
a deep link goes through the login form and back to the page and filters asked for; a
wrong password opens no session; each demo role sees its own sidebar; a unit's account
(`bvm`, BV Mắt) sees only its own unit's reports and profile and is refused the admin
pages; the administrator reads the logins in the audit log and adds an account that can
then log in; "Đăng xuất" ends the session on the server. Every role's first page is
screenshot into test-artifacts/screenshots/ (vai-tro-*.png) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from app.navigation import PAGE_ROLES, PAGES, WITHOUT_FILTERS, allowed
from tests.browser import (
    DEMO_PASSWORD,
    DEMO_USER,
    MAIN,
    PAGE_MS,
    SCREENSHOTS,
    SESSION_COOKIE,
    SIDEBAR,
    App,
    full_page_screenshot,
    login_error,
    login_url,
    nav_links,
    on_login_page,
    open_select,
    rerun_and_wait,
    submit_login,
    year_box,
)

pytest_plugins = ("tests.browser",)  # the session's server, browser and logged-in pages
pytestmark = pytest.mark.browser

NewPage = Callable[[], object]

# the sidebar's pages: the data pages every role sees, the two administrator pages, one's own
# account; the pages only some roles may open (app/navigation.py) by link and title
DATA_PAGES = [
    title for entries in PAGES.values() for _path, title, _icon, url in entries
    if url not in WITHOUT_FILTERS and url not in PAGE_ROLES
]  # fmt: skip
RESTRICTED = {
    url: title for entries in PAGES.values() for _path, title, _icon, url in entries if url in PAGE_ROLES
}
ADMIN_PAGES = ("Tài khoản người dùng", "Nhật ký hoạt động")
ACCOUNT_PAGE = "Đổi mật khẩu"
# demo account -> its role (accounts.scope) and the role's name as the sidebar shows it
ROLE_OF = {"lanh_dao": "lanh_dao", "ban_dan_van": "ban_dan_van", "quan_tri": "quan_tri", "bvm": "don_vi"}
ROLES = {
    "lanh_dao": "Lãnh đạo Sở",
    "ban_dan_van": "Ban Dân vận",
    "quan_tri": "Quản trị",
    "bvm": "Cán bộ đơn vị",
}
UNIT_USER, UNIT_SHORT, UNIT_NAME = "bvm", "BV Mắt", "Bệnh viện Mắt tỉnh An Lạc"
OTHER_UNIT, OTHER_NAME = "CDC", "Trung tâm Kiểm soát bệnh tật tỉnh An Lạc"
# the demo's one rejected report (etl/demo.py): another unit's file, in 2021
REJECTED_UNIT, REJECTED_YEAR = "TTYT Phú Lâm", 2021  # its short name: the page names no code
WRONG_PASSWORD_USER = "cdc"  # nobody else logs in as cdc here: its failed attempt throttles only it
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
NEW_USER, NEW_NAME, NEW_PASSWORD = "nguoi_thu_nghiem", "Người thử nghiệm", "mat-khau-thu-2026"


# every table's header cells and body rows (the pages' tables are static HTML: app.tables.markdown)
_TABLES_JS = """ts => ts.map(t => [
  [...t.querySelectorAll('thead th')].map(c => c.innerText.trim()),
  [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))])"""


def _text(text: str) -> str:
    """Text as read: the tables' non-breaking spaces as plain ones."""
    return text.replace("\xa0", " ")


def _main(page) -> str:
    return _text(page.locator(MAIN).inner_text())


def _table(page, first_header: str) -> list[dict[str, str]]:
    """The rows (header -> cell text) of the main area's table whose first column is
    `first_header`; [] when there is no such table."""
    tables = page.locator(MAIN).locator("table").evaluate_all(_TABLES_JS)
    for headers, rows in tables:
        headers = [_text(h) for h in headers]
        if headers and headers[0] == first_header:
            return [dict(zip(headers, map(_text, row), strict=False)) for row in rows]
    return []


def _titles(page) -> list[str]:
    return [title for title, _ in nav_links(page)]


def _logged_in(app: App, new_page: NewPage, username: str, password: str = DEMO_PASSWORD):
    """A new browser context logged in as `username`, on the page the login led to, drawn."""
    page = new_page()
    app.log_in(page, username, password)
    app.wait(page, page.url)
    app.assert_clean(page, f"first page of {username}")
    return page


def test_deep_link_goes_through_the_login_to_that_page_and_year(app: App, new_page: NewPage) -> None:
    """A copied link opened without a session asks for the login first, then opens on that
    page with its filters (year 2020)."""
    page = new_page()
    page.goto(f"{app.url}/xep-hang-cchc?nam=2020", wait_until="domcontentloaded", timeout=PAGE_MS)
    assert on_login_page(page.url), (
        f"a page link without a session did not lead to the login page: {page.url}"
    )
    assert parse_qs(urlsplit(page.url).query).get("tiep") == ["/xep-hang-cchc?nam=2020"], page.url
    submit_login(page, DEMO_USER, DEMO_PASSWORD, PAGE_MS)
    assert page.url == f"{app.url}/xep-hang-cchc?nam=2020", (
        f"the login did not lead back to the link: {page.url}"
    )
    drawn = app.wait(page, page.url)
    app.assert_clean(page, "deep link after the login")
    assert page.get_by_role("heading", name="Xếp hạng cải cách hành chính (CCHC)").first.is_visible()
    assert year_box(page).input_value() == "2020"
    assert "Năm chi tiết 2020" in _main(page), "the page does not say it shows 2020"
    assert drawn["n"] >= 1, "the linked page shows no chart"


def test_wrong_password_says_so_and_opens_no_session(app: App, new_page: NewPage) -> None:
    page = new_page()
    page.goto(login_url(app.url), wait_until="domcontentloaded", timeout=PAGE_MS)
    submit_login(page, WRONG_PASSWORD_USER, "khong-phai-mat-khau", PAGE_MS)
    assert on_login_page(page.url), page.url
    assert login_error(page) == WRONG
    assert page.get_by_label("Tên đăng nhập", exact=True).input_value() == WRONG_PASSWORD_USER  # kept
    assert page.get_by_label("Mật khẩu", exact=True).input_value() == ""  # not sent back
    page.screenshot(path=str(SCREENSHOTS / "dang-nhap-sai.png"), full_page=True)
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    for path in ("/", "/tap-huan"):
        page.goto(app.url + path, wait_until="domcontentloaded", timeout=PAGE_MS)
        assert on_login_page(page.url), f"{path} opened without a session after a wrong password: {page.url}"


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_sees_its_pages_in_the_sidebar(app: App, new_page: NewPage, username: str) -> None:
    """Every role sees the data pages and its own account page; only the administrator sees
    the two administration pages, and a page kept for some roles shows for those only. The
    sidebar says who is logged in, in which role."""
    page = _logged_in(app, new_page, username)
    full_page_screenshot(page, SCREENSHOTS / f"vai-tro-{username}.png")
    titles = _titles(page)
    assert set(DATA_PAGES) <= set(titles), f"{username}: data pages missing from the sidebar: {titles}"
    assert ACCOUNT_PAGE in titles, f"{username}: no {ACCOUNT_PAGE} in the sidebar: {titles}"
    if username == "quan_tri":
        assert set(ADMIN_PAGES) <= set(titles), f"the administrator does not see {ADMIN_PAGES}: {titles}"
    else:
        assert not set(ADMIN_PAGES) & set(titles), f"{username} sees administration pages: {titles}"
    for url, title in RESTRICTED.items():  # e.g. Báo cáo tổng hợp: lanh_dao and quan_tri only
        may = allowed(url, ROLE_OF[username])
        assert (title in titles) == may, f"{username} {'does not see' if may else 'sees'} «{title}»: {titles}"
    sidebar = _text(page.locator(SIDEBAR).inner_text())
    assert f"({ROLES[username]}" in sidebar, f"{username}: the sidebar does not name the role: {sidebar}"
    if username == UNIT_USER:
        assert UNIT_SHORT in sidebar, f"the unit's account does not name its unit: {sidebar}"
    assert page.locator(SIDEBAR).get_by_role("button", name="Đăng xuất").is_visible()


def test_unit_account_sees_only_its_own_unit(app: App, page, new_page: NewPage) -> None:
    """`bvm` (BV Mắt) sees its own row and files on "Tiếp nhận báo cáo" where the Sở sees every
    unit; its "Hồ sơ đơn vị" offers only its own unit, even when the link asks for another."""
    intake = f"{app.url}/tiep-nhan-bao-cao?nam={REJECTED_YEAR}"
    app.load(page, intake)  # lanh_dao, for comparison
    app.assert_clean(page, "intake, lanh_dao")
    every_unit = [row["Đơn vị"] for row in _table(page, "Đơn vị")]
    assert len(every_unit) >= 10 and UNIT_SHORT in every_unit, every_unit
    rejected_tab = f"{intake}&tn_muc={quote('Tệp bị từ chối')}"
    app.load(page, rejected_tab)
    rejected = _table(page, "Ngày nhận")
    assert any(row.get("Đơn vị") == REJECTED_UNIT for row in rejected), rejected

    unit = _logged_in(app, new_page, UNIT_USER)
    app.load(unit, intake)
    app.assert_clean(unit, "intake, bvm")
    full_page_screenshot(unit, SCREENSHOTS / "vai-tro-bvm-tiep-nhan-bao-cao.png")
    rows = _table(unit, "Đơn vị")
    assert [row["Đơn vị"] for row in rows] == [UNIT_SHORT], f"bvm sees other units' reports: {rows}"
    assert all(row.get("Tệp đang dùng", "").startswith("BVM") for row in rows), rows
    metrics = unit.locator(".kpi-value").all_inner_texts()
    assert metrics and all(m.endswith("/1") for m in metrics), f"the counts are not of one unit: {metrics}"
    others = set(every_unit) - {UNIT_SHORT}
    seen = [name for name in others if name in _main(unit)]
    assert not seen, f"bvm's intake page names other units: {seen}"
    app.load(unit, rejected_tab)
    assert not _table(unit, "Ngày nhận"), "bvm sees another unit's rejected file"
    assert f"Năm {REJECTED_YEAR} không có tệp nào bị từ chối." in _main(unit)
    seen = [name for name in others if name in _main(unit)]
    assert not seen, f"bvm's rejected files name other units: {seen}"

    # the link to CDC's profile as the Sở copies it (the unit's name is in the link), and by its code
    app.load(page, f"{app.url}/ho-so-don-vi")
    box = page.locator(MAIN).get_by_role("combobox", name="Đơn vị", exact=True)
    open_select(page, box)
    box.press_sequentially(OTHER_NAME[:20])
    rerun_and_wait(page, page.get_by_role("option", name=OTHER_NAME, exact=True).click)
    assert box.input_value() == OTHER_NAME and "don_vi=" in page.url, page.url
    for link in (page.url, f"{app.url}/ho-so-don-vi?don_vi={OTHER_UNIT}"):
        app.load(unit, link)
        app.assert_clean(unit, f"profile, bvm, {link}")
        box = unit.locator(MAIN).get_by_role("combobox", name="Đơn vị", exact=True)
        assert box.input_value() == UNIT_NAME, f"{link}: bvm opened {box.input_value()}"
        open_select(unit, box)
        options = [_text(o) for o in unit.get_by_role("option").all_inner_texts()]
        unit.keyboard.press("Escape")
        assert options == [UNIT_NAME], f"bvm may pick other units' profiles: {options}"
        assert OTHER_NAME not in _main(unit), f"{link}: bvm sees CDC's profile"
        assert UNIT_NAME in _main(unit)


def test_admin_reads_the_logins_and_adds_an_account_that_can_log_in(app: App, new_page: NewPage) -> None:
    """The administrator's "Nhật ký hoạt động" lists the logins just made (who, "Đăng nhập");
    "Tài khoản người dùng" adds an account, which then logs in with its own role."""
    for username in ("ban_dan_van", UNIT_USER):
        _logged_in(app, new_page, username)
    admin = _logged_in(app, new_page, "quan_tri")
    app.load(admin, f"{app.url}/nhat-ky-hoat-dong")
    app.assert_clean(admin, "audit log")
    full_page_screenshot(admin, SCREENSHOTS / "vai-tro-quan-tri-nhat-ky-hoat-dong.png")
    rows = _table(admin, "Thời điểm")
    logins = {row["Người thực hiện"] for row in rows if row["Việc"] == "Đăng nhập"}
    assert {"ban_dan_van", UNIT_USER, "quan_tri"} <= logins, f"logins in the audit log: {rows[:12]}"

    app.load(admin, f"{app.url}/quan-tri-tai-khoan")
    main = admin.locator(MAIN)
    main.get_by_role("textbox", name="Tên đăng nhập mới", exact=True).fill(NEW_USER)
    main.get_by_role("textbox", name="Họ tên", exact=True).fill(NEW_NAME)
    open_select(admin, main.get_by_role("combobox", name="Vai trò", exact=True))
    admin.get_by_role("option", name="Ban Dân vận", exact=True).click()
    main.get_by_role("textbox", name=re.compile(r"^Mật khẩu \(")).fill(NEW_PASSWORD)
    main.get_by_role("textbox", name="Nhập lại mật khẩu", exact=True).fill(NEW_PASSWORD)
    main.get_by_role("button", name="Thêm tài khoản").click()
    done = admin.get_by_text(f"Đã thêm tài khoản «{NEW_USER}» (Ban Dân vận).")
    done.wait_for(state="visible", timeout=PAGE_MS)
    app.wait(admin, admin.url)
    app.assert_clean(admin, "account added")
    full_page_screenshot(admin, SCREENSHOTS / "vai-tro-quan-tri-tai-khoan.png")
    added = [row for row in _table(admin, "Tên đăng nhập") if row["Tên đăng nhập"] == NEW_USER]
    assert added and added[0]["Vai trò"] == "Ban Dân vận" and added[0]["Họ tên"] == NEW_NAME, added

    newcomer = _logged_in(app, new_page, NEW_USER, NEW_PASSWORD)
    sidebar = _text(newcomer.locator(SIDEBAR).inner_text())
    assert NEW_NAME in sidebar and "(Ban Dân vận" in sidebar, sidebar
    assert not set(ADMIN_PAGES) & set(_titles(newcomer))


def test_logout_ends_the_session(app: App, new_page: NewPage) -> None:
    """ "Đăng xuất" leads to the login page saying so; a page link then asks for the login again,
    even with the old session cookie put back (the session ended on the server)."""
    page = _logged_in(app, new_page, "ban_dan_van")
    old = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert old, "no session cookie after the login"
    page.locator(SIDEBAR).get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(on_login_page, timeout=PAGE_MS)
    page.get_by_text("Bạn đã đăng xuất").wait_for(state="visible", timeout=PAGE_MS)
    page.screenshot(path=str(SCREENSHOTS / "dang-xuat.png"), full_page=True)
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{app.url}/tap-huan", wait_until="domcontentloaded", timeout=PAGE_MS)
    assert on_login_page(page.url), f"a page opened after the logout: {page.url}"
    page.context.add_cookies(old)
    page.goto(f"{app.url}/tap-huan", wait_until="domcontentloaded", timeout=PAGE_MS)
    assert on_login_page(page.url), f"the old session still opens pages after the logout: {page.url}"
    app.log_in(page, "ban_dan_van")  # and the same browser may log in again


def test_unit_account_is_refused_the_administration_pages(app: App, new_page: NewPage) -> None:
    """The links of the pages a unit's account may not open (the two administration pages,
    Báo cáo tổng hợp) show the refusal in place of the page (not the page, not Streamlit's
    English "Page not found")."""
    unit = _logged_in(app, new_page, UNIT_USER)
    refused = {url: title for url, title in RESTRICTED.items() if not allowed(url, ROLE_OF[UNIT_USER])}
    assert {"quan-tri-tai-khoan", "nhat-ky-hoat-dong"} <= set(refused), refused
    for url, title in refused.items():
        app.load(unit, f"{app.url}/{url}")
        app.assert_clean(unit, f"{title}, bvm")
        full_page_screenshot(unit, SCREENSHOTS / f"vai-tro-bvm-{url}.png")
        unit.wait_for_timeout(500)  # the pop-up, when there is one, comes with the first run
        dialogs = unit.get_by_role("dialog").all_inner_texts()
        main = _main(unit)
        refusal = f"Tài khoản của bạn không có quyền mở trang «{title}»"
        assert refusal in main, f"no refusal on {unit.url}; pop-ups {dialogs}; page: {main[:300]}"
        assert not dialogs, dialogs
        assert "ban_dan_van" not in main and "Đăng nhập" not in main, f"{title} is shown to a unit's account"


# Kiểm tra số liệu: the demo's BV Mắt reported 9 online complaints in 2024 against a usual 1
OUTLIER_UNIT, OUTLIER_YEAR = "BV Mắt", 2024
OUTLIER_TEXT = "Giá trị 9 cao hơn nhiều so với các năm khác của đơn vị (trung vị 1 của 10 năm có số liệu)."
OUTLIER_CHOICE = "BV Mắt · 2024 · Số phản ánh qua website, mạng xã hội, Zalo · Khác xa các năm khác"
MARK_BUTTON = "Đánh dấu đã xác minh với đơn vị"


def _check_row(page, text: str) -> dict[str, str]:
    """The row (header -> text) of the findings table whose «Điều cần xác minh» is `text`."""
    for headers, rows in page.locator(MAIN).locator("table").evaluate_all(_TABLES_JS):
        if "Điều cần xác minh" in headers:
            found = [dict(zip(map(_text, headers), map(_text, r), strict=False)) for r in rows]
            return next((r for r in found if r["Điều cần xác minh"] == text), {})
    return {}


def test_data_checks_the_administrator_marks_an_outlier_the_leadership_reads(
    app: App, new_page: NewPage
) -> None:
    """«Kiểm tra số liệu»: the administrator finds BV Mắt's outlier of 2024, follows its link to
    the submission, marks it checked with a note and finds it in the audit log; the Sở's
    leadership reads the list without a way to mark; the Ban Dân vận is refused the page."""
    from accounts.audit import all_events
    from accounts.store import store_path
    from app.check_marks import MARK_ACTION

    admin = _logged_in(app, new_page, "quan_tri")
    app.load(admin, f"{app.url}/kiem-tra-so-lieu")
    app.assert_clean(admin, "Kiểm tra số liệu, quan_tri")
    full_page_screenshot(admin, SCREENSHOTS / "kiem-tra-so-lieu.png")
    row = _check_row(admin, OUTLIER_TEXT)
    assert row, f"no outlier row for {OUTLIER_UNIT}: {_main(admin)[:1500]}"
    assert row["Đơn vị"] == OUTLIER_UNIT and row["Năm"] == str(OUTLIER_YEAR), row
    assert row["Loại kiểm tra"] == "Khác xa các năm khác", row
    assert "Xác minh" not in row, "the unverified are listed: the filter says it, not a column"
    assert "BVM" not in _main(admin), "a unit code is shown on the page"

    # the row's link (a new tab, as Markdown links open) leads to the unit's submissions of that year
    link = (
        admin.locator(MAIN).locator("tr", has_text=OUTLIER_TEXT).get_by_role("link", name="Chi tiết báo cáo")
    )
    app.load(admin, link.evaluate("a => a.href"))
    assert "/chi-tiet-bao-cao?" in admin.url, admin.url
    assert admin.get_by_role("combobox", name="Năm báo cáo").input_value() == str(OUTLIER_YEAR)
    assert OUTLIER_UNIT in admin.get_by_role("combobox", name="Đơn vị").input_value()

    app.load(admin, f"{app.url}/kiem-tra-so-lieu")
    box = admin.get_by_role("combobox", name="Trường hợp đã xác minh")
    open_select(admin, box)
    admin.keyboard.type("BV Mắt · 2024 · Số phản ánh")
    admin.get_by_role("option", name=OUTLIER_CHOICE, exact=True).click()
    admin.get_by_label("Ghi chú (không bắt buộc)").fill("Đã gọi điện, đơn vị xác nhận 9 phản ánh")
    rerun_and_wait(admin, lambda: admin.get_by_role("button", name=MARK_BUTTON).click(), PAGE_MS)
    # the mark's run ends in a rerun that shows the list without it: wait for that one
    admin.get_by_text(f"Đã đánh dấu đã xác minh với đơn vị: {OUTLIER_CHOICE}.").wait_for(timeout=PAGE_MS)
    app.wait(admin, admin.url)
    app.assert_clean(admin, "after the mark")
    assert not _check_row(admin, OUTLIER_TEXT), "the checked outlier is still listed as unchecked"
    events = [e for e in all_events(store_path(app.db)) if e[2] == MARK_ACTION]
    assert [(e[1], e[3], e[4]) for e in events][-1:] == [("quan_tri", OUTLIER_CHOICE, "ok")], events
    app.load(admin, f"{app.url}/nhat-ky-hoat-dong")
    assert "Xác minh số liệu với đơn vị" in _main(admin) and OUTLIER_CHOICE in _main(admin)

    leader = _logged_in(app, new_page, "lanh_dao")
    app.load(leader, f"{app.url}/kiem-tra-so-lieu?ktsl_tinh_trang=Tất+cả")
    app.assert_clean(leader, "Kiểm tra số liệu, lanh_dao")
    checked = _check_row(leader, OUTLIER_TEXT)
    assert checked.get("Xác minh", "").startswith("Đã xác minh với đơn vị (quan_tri, "), checked
    assert "Đã gọi điện, đơn vị xác nhận 9 phản ánh" in checked["Xác minh"]
    assert not leader.get_by_role("button", name=MARK_BUTTON).count(), "lanh_dao is offered the mark"

    viewer = _logged_in(app, new_page, "ban_dan_van")
    app.load(viewer, f"{app.url}/kiem-tra-so-lieu")
    main = _main(viewer)
    assert "Tài khoản của bạn không có quyền mở trang «Kiểm tra số liệu»" in main, main[:300]
    assert OUTLIER_TEXT not in main
