"""Browser tests: the real dashboard server, driven by headless Chromium as a reader would use it.

One server for the whole file, started on a database path that does not exist yet, so the
first page load exercises the first-run path (issue 2: build the demo, then chart it). The
other tests reuse that server and its demo database (issue 3: every page draws its charts
without an exception, a filter change redraws, a link with query parameters reproduces the
view). Full-page screenshots go to test-artifacts/screenshots/ for a person to look at.

Skipped only when Chromium is missing on a developer machine; with $CI set they must run.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.db import latest_snapshot
from tests.browser import (
    CHROMIUM,
    ROOT,
    SIDEBAR,
    Server,
    chart_texts,
    choose_year,
    exception_texts,
    full_page_screenshot,
    nav_links,
    new_context,
    rerun_and_wait,
    streamlit_server,
    wait_for_charts,
    year_box,
)
from tests.conftest import run_etl

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEMO_NOTICE = "Dữ liệu minh họa"
BUILDING_NOTICE = "Đang tạo dữ liệu minh họa"
# the seven pages issue 3 asks for, as the sidebar names them
PAGE_TITLES = (
    "Tổng quan", "Xếp hạng CCHC", "Sự hài lòng", "Tập huấn", "Khiếu nại, phản ánh", "So sánh đơn vị",
    "Hồ sơ đơn vị",
)  # fmt: skip
FIRST_LOAD_MS = 60_000  # the first load builds the demo province (about 10 s)
PAGE_MS = 60_000


def _need_chromium() -> None:
    """Skip on a developer machine without Chromium; in CI a missing browser is a failure."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed (pip install -r requirements-dev.txt)"
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(f"browser tests need Chromium: {reason}")


def _slug(title: str) -> str:
    """'Khiếu nại, phản ánh' -> 'khieu-nai-phan-anh' (file names for screenshots)."""
    plain = unicodedata.normalize("NFD", title.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


class App:
    """A running dashboard: its base URL and the database it was pointed at."""

    def __init__(self, server: Server, db: Path) -> None:
        self.server = server
        self.db = db
        self.url = server.url

    def fail_message(self, what: str) -> str:
        return f"{what}\n--- server log (tail) ---\n{self.server.log_tail()}"

    def check_server(self, log_from: int) -> None:
        """Give up waiting for a page when the server died or logged a Python traceback since `log_from`."""
        log = self.server.log_text()[log_from:]
        if self.server.process.poll() is not None or "Traceback (most recent call last)" in log:
            pytest.fail(self.fail_message("the server failed while the page was loading"))

    def load(self, page, url: str, timeout_ms: float = 60_000) -> dict:
        """Open `url` and wait for every chart (see wait)."""
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        return self.wait(page, url, timeout_ms)

    def wait(self, page, url: str, timeout_ms: float = 60_000) -> dict:
        """Wait for every chart; a server failure or a timeout fails the test with the server log."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        log_from = len(self.server.log_text())
        try:
            return wait_for_charts(page, timeout_ms, check=lambda: self.check_server(log_from))
        except PlaywrightTimeout:
            text = page.locator("body").inner_text()[-500:]
            pytest.fail(
                self.fail_message(f"{url}: charts not drawn within {timeout_ms / 1000:.0f} s; page: {text}")
            )


@pytest.fixture(scope="session")
def fresh_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The dashboard pointed at a database that does not exist yet (a fresh machine)."""
    _need_chromium()
    root = tmp_path_factory.mktemp("fresh")
    db = root / "data" / "dashboard.duckdb"
    with streamlit_server(ROOT / "dashboard.py", root / "streamlit.log", db=db) as server:
        yield App(server, db)


@pytest.fixture(scope="session")
def app(fresh_app: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The dashboard on the demo province: the fresh server once its first load built the demo;
    otherwise (first run broken, or not run) a second server on a demo built with the CLI, so
    a broken first run fails one test, not every page."""
    if latest_snapshot(fresh_app.db) is not None and fresh_app.server.process.poll() is None:
        yield fresh_app
        return
    root = tmp_path_factory.mktemp("demo")
    db = root / "data" / "dashboard.duckdb"
    run_etl("demo", "--db", str(db), check=True)
    with streamlit_server(ROOT / "dashboard.py", root / "streamlit.log", db=db) as server:
        yield App(server, db)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = new_context(browser, locale="vi-VN")
    try:
        yield context.new_page()
    finally:
        context.close()


def _assert_clean(app: App, page, where: str) -> None:
    errors = exception_texts(page)
    assert not errors, app.fail_message(f"{where}: Streamlit exception on the page:\n" + "\n".join(errors))


def _charts_change(page, before: list[str], within_s: float = 5.0) -> bool:
    """True once some chart's text differs from `before` (Plotly may redraw a frame after the run ends)."""
    deadline = time.monotonic() + within_s
    while chart_texts(page) == before:
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


def test_first_load_builds_demo_and_charts_it(fresh_app: App, page) -> None:
    """Issue 2: a fresh machine (no database) opens the dashboard and sees a chart and the demo notice."""
    app = fresh_app
    assert not app.db.exists(), "this test must run first, on a server whose database does not exist yet"
    page.goto(app.url, wait_until="commit")
    # the reader is told why the first page takes a while
    page.get_by_text(BUILDING_NOTICE).first.wait_for(state="visible", timeout=PAGE_MS)
    drawn = app.wait(page, app.url, FIRST_LOAD_MS)
    assert drawn["n"] >= 1, app.fail_message("the first page shows no chart after building the demo")
    assert page.get_by_text(DEMO_NOTICE).first.is_visible()
    _assert_clean(app, page, "first load")
    assert latest_snapshot(app.db) is not None, "the demo was not built at DASHBOARD_DB"


def test_every_page_draws_its_charts_and_redraws_on_a_new_year(app: App, page, subtests) -> None:
    """Issue 3: every page in the sidebar draws all its charts, shows the demo notice, no exception;
    choosing another year in the sidebar reruns the page cleanly, and the overview's charts change."""
    app.load(page, app.url, FIRST_LOAD_MS)
    links = nav_links(page)
    titles = [title for title, _ in links]
    assert set(PAGE_TITLES) <= set(titles), f"sidebar navigation is missing pages: {titles}"
    for index, (title, href) in enumerate(links):
        name = href.rstrip("/").rsplit("/", 1)[-1] if href.rstrip("/") != app.url else _slug(title)
        with subtests.test(page=name):
            url = href if href.startswith("http") else app.url + "/" + href.lstrip("/")
            drawn = app.load(page, url, PAGE_MS)
            full_page_screenshot(page, SCREENSHOTS / f"{name}.png")
            _assert_clean(app, page, title)
            assert drawn["n"] >= 1, f"{title}: no chart on the page"
            assert page.get_by_text(DEMO_NOTICE).first.is_visible(), f"{title}: no demo notice"

            year = int(year_box(page).input_value())
            before = chart_texts(page)
            rerun_and_wait(page, lambda y=year - 1: choose_year(page, y), PAGE_MS)
            _assert_clean(app, page, f"{title}, year {year - 1}")
            assert year_box(page).input_value() == str(year - 1)
            assert f"nam={year - 1}" in page.url, f"{title}: the year is not in the link ({page.url})"
            if index == 0:  # the default page (overview): its KPIs and movers are for the chosen year
                assert _charts_change(page, before), f"{title}: no chart changed after choosing {year - 1}"


def test_link_with_query_params_reproduces_the_view(app: App, page) -> None:
    """Issue 3: a copied link (?nam=2020&tu_nam=2017&den_nam=2022) opens on that year and period."""
    app.load(page, f"{app.url}/?nam=2020&tu_nam=2017&den_nam=2022", FIRST_LOAD_MS)
    _assert_clean(app, page, "link with query parameters")
    assert year_box(page).input_value() == "2020"
    caption = page.locator('[data-testid="stMain"]').inner_text()
    assert "2020" in caption and "2017–2022" in caption, "the page does not say it shows 2020, 2017–2022"
    texts = " ".join(chart_texts(page))
    assert "2017–2022" in texts, "no chart title names the linked period 2017–2022"


def test_first_visitor_of_a_page_link_sees_that_page_without_a_pop_up(app: App, page, tmp_path: Path) -> None:
    """A link to a page, opened first thing after a server start, shows that page and no
    "Page not found" pop-up (Streamlit's legacy pages/ handling, see app/server.py)."""
    with streamlit_server(ROOT / "dashboard.py", tmp_path / "streamlit.log", db=app.db) as server:
        fresh = App(server, app.db)
        fresh.load(page, f"{server.url}/so-sanh-don-vi", PAGE_MS)
        _assert_clean(fresh, page, "first visit by a link")
        assert page.get_by_role("heading", name="So sánh đơn vị").first.is_visible()
        page.wait_for_timeout(500)  # the pop-up, when there is one, comes with the first run
        assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").first.inner_text()


def test_overview_by_its_own_link_opens_at_the_root_with_the_filters(app: App, page) -> None:
    """/tong-quan (the default page's name) leads to the overview at the root, filters kept,
    without Streamlit's English "Page not found" pop-up."""
    app.load(page, f"{app.url}/tong-quan?nam=2020", PAGE_MS)
    _assert_clean(app, page, "overview by its own link")
    assert "/tong-quan" not in page.url and "nam=2020" in page.url, page.url
    assert year_box(page).input_value() == "2020"
    page.wait_for_timeout(500)  # the pop-up, when there is one, comes with the first run
    assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").first.inner_text()


def test_page_link_is_vietnamese_and_connects_to_the_server_directly(app: App, page) -> None:
    """A page link's HTML says it is Vietnamese (no "translate from English" offer) and tells
    the frontend where the server is, so it does not first probe /<page>/_stcore/health
    and wait before connecting (app/server.py)."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    app.load(page, f"{app.url}/tap-huan", PAGE_MS)
    _assert_clean(app, page, "page link")
    assert page.evaluate("document.documentElement.lang") == "vi"
    probes = [url for url in requested if "/tap-huan/_stcore/" in url]
    assert not probes, f"the frontend probed the page path for the server: {probes}"
    assert any(url.endswith("/_stcore/health") for url in requested), "no health check at the root"


def test_scope_filters_open_from_the_sidebar_and_restate_the_view(app: App, page) -> None:
    """The unit-type, area and restated filters sit behind a sidebar button; choosing "quy đổi"
    reruns the page in that mode, says so, and puts it in the link."""
    app.load(page, f"{app.url}/tap-huan", PAGE_MS)
    sidebar = page.locator(SIDEBAR)
    assert "theo báo cáo gốc" in sidebar.inner_text()
    sidebar.get_by_role("button", name=re.compile("Phạm vi đơn vị")).click()
    restated = page.get_by_text("Quy đổi theo cơ cấu hiện tại", exact=True)
    rerun_and_wait(page, restated.click, PAGE_MS)
    _assert_clean(app, page, "restated view")
    assert "cach_tinh=" in page.url, page.url
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "quy đổi theo cơ cấu hiện tại" in main.lower()


def test_cchc_highlight_picker_opens_on_demand_and_redraws_the_bump_chart(app: App, page) -> None:
    """The units highlighted on the rank chart are chosen behind a button; removing one
    redraws the chart."""
    app.load(page, f"{app.url}/xep-hang-cchc", PAGE_MS)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('[data-testid="stMultiSelect"]').count() == 0  # closed: not built yet
    main.get_by_role("button", name=re.compile("Chọn đơn vị làm nổi bật")).click()
    picker = page.locator('[data-testid="stMultiSelect"]')
    picker.wait_for()
    chips = picker.locator("[data-tag]")
    chips.first.wait_for()
    n_chips = chips.count()
    last = chips.last.inner_text().strip()
    before = chart_texts(page)
    assert n_chips >= 2 and last in before[0], f"{last} is highlighted but not labelled on the chart"
    rerun_and_wait(page, picker.get_by_role("button", name=f"Remove {last}").click, PAGE_MS)
    _assert_clean(app, page, "highlight changed")
    assert chips.count() == n_chips - 1
    assert _charts_change(page, before), "the rank chart did not change"
