"""Start a Streamlit server and headless Chromium, log in, and wait until a page has drawn its charts.

Shared by the browser tests (tests/test_browser.py, tests/test_browser_roles.py) and the page
benchmark (bench/pages.py), so both measure the same thing the same way. Chromium is Debian's
/usr/bin/chromium driven by Playwright's sync API (never `playwright install`). Nothing runs
at import.

"Drawn" means: the Streamlit script run is over (the app root reports script state
`notRunning`, so no element is stale), no lazily loaded element still shows its skeleton,
and every `stPlotlyChart` holds Plotly's `.main-svg`.

Every dashboard page wants a login: `log_in` goes through the real login form (app/login.py)
the way a person does. The end of this file holds the pytest fixtures of the browser tests
(one demo server for the whole session); the test modules load it as a plugin
(`pytest_plugins = ("tests.browser",)`), so both share the same session fixtures.
PYTEST_DONT_REWRITE: it is imported before pytest registers it as that plugin.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import pytest

if TYPE_CHECKING:  # playwright is imported lazily: a machine without it can still import this module
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 900}

EXCEPTION = '[data-testid="stException"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'

# the login form (app/login.py) as a person sees it
LOGIN_PATH = "/dang-nhap"
LOGIN_USER_LABEL = "Tên đăng nhập"
LOGIN_PASSWORD_LABEL = "Mật khẩu"
LOGIN_BUTTON = "Đăng nhập"
LOGIN_ERROR = '[role="alert"]'
SESSION_COOKIE = "dv_phien"
DEMO_PASSWORD = "demo"  # every demo account's (the login page of the demo says so)
DEMO_USER = "lanh_dao"  # Sở leadership: sees every data page

# a server on a database that does not exist yet builds the demo province before it answers
# its health check (app/startup.py): 10-30 s on two busy cores, so the start may take a while
START_TIMEOUT_S = 180.0

QUIET_MS = 150  # no message for this long after a rerun's messages: that run is over

# True once the run is over and every chart has its SVG; then {t: ms since navigation start, n: charts}
_DRAWN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const rerun = window.__stRerun;
  // a rerun so quick that React never painted "running": its messages came and then a pause
  if (rerun && !rerun.ran && !(window.__stMessages > rerun.messages
      && performance.now() - window.__stLastMessage > QUIET_MS)) return false;
  // lazily loaded elements (Plotly, the KPI sparklines) show a skeleton until their code arrives
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (!charts.every(c => c.querySelector('.main-svg'))) return false;
  return {t: performance.now(), n: charts.length};
}""".replace("QUIET_MS", str(QUIET_MS))


# Each condition of _DRAWN_JS as it stands now, to say why a page is not "drawn" yet
_DRAWN_STATE_JS = """() => ({
  script: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
  rerunSeen: window.__stRerun ? window.__stRerun.ran || window.__stMessages > window.__stRerun.messages : null,
  skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
  charts: [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(c => !!c.querySelector('.main-svg')),
})"""

# Arms a watcher that notes when the next script run starts (a rerun may start and end between
# two polls, and before it starts the old page still looks "drawn"), and the moment of the
# reader's next pointer release: the click that changes the widget. A rerun also counts as
# started once the server's messages for it have arrived (see _COUNT_MESSAGES_JS).
_ARM_RERUN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = {ran: false, t0: performance.now(), tInput: null, messages: window.__stMessages ?? Infinity};
  window.__stRerun = state;
  const obs = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') { state.ran = true; obs.disconnect(); }
  });
  obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  document.addEventListener('pointerup', () => { state.tInput = performance.now(); }, {capture: true, once: true});
}"""
# Counts the WebSocket messages a page receives. A rerun can be so quick that React paints only
# its end, and the script state never shows "running"; its messages still arrive.
_COUNT_MESSAGES_JS = """(() => {
  const Native = window.WebSocket;
  window.__stMessages = 0;
  window.__stLastMessage = 0;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__stMessages++; window.__stLastMessage = performance.now(); });
    }
  };
})()"""
_DISARM_RERUN_JS = """() => {
  const state = window.__stRerun;
  delete window.__stRerun;
  return state ? (state.tInput ?? state.t0) : null;
}"""

# the same scripts for other clients of the page (bench/load.py drives Playwright asynchronously)
DRAWN_JS, ARM_RERUN_JS, COUNT_MESSAGES_JS, DISARM_RERUN_JS = (
    _DRAWN_JS,
    _ARM_RERUN_JS,
    _COUNT_MESSAGES_JS,
    _DISARM_RERUN_JS,
)

# The text of every chart's SVG (title, axes, labels, annotations), in page order, a space
# between texts and between the lines Plotly draws for one (a wrapped title is a tspan a line)
_CHART_TEXTS_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .map(c => [...c.querySelectorAll('.main-svg text')].map(t => {
    const lines = [...t.querySelectorAll('tspan.line')];
    return lines.length ? lines.map(l => l.textContent).join(' ') : t.textContent;
  }).join(' '))"""

# Charts whose margins Plotly had to widen: the figure's own margin is too small for its tick
# labels, axis title, legend or colour bar, so Plotly drew it, widened the margin and drew it
# all again (app/charts/margins.fit_margins estimates them to spare that second draw)
_MARGIN_PUSHES_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
  .map(gd => {
    const layout = gd._fullLayout, asked = layout.margin, got = layout._size;
    const sides = ['l', 'b', 'r', 't'].filter(s => Math.round(got[s]) > Math.round(asked[s]))
      .map(s => `${s} ${Math.round(asked[s])} -> ${Math.round(got[s])}`);
    return sides.length ? `${(layout.title.text || '').replace(/<[^>]+>/g, '')}: ${sides.join(', ')}` : null;
  }).filter(Boolean)"""

_LEGEND_OVERLAPS_JS = """() => {
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .filter(gd => gd.offsetParent !== null)
    .flatMap(gd => {
      const legend = gd.querySelector('.legend .scrollbox');
      if (!legend) return [];
      const box = legend.getBoundingClientRect();
      const labels = [...gd.querySelectorAll('.xaxislayer-above text, .g-xtitle text, [class^="g-x"][class$="title"] text')]
        .filter(t => t.textContent.trim() && hit(box, t.getBoundingClientRect()));
      const title = (gd._fullLayout.title.text || '').replace(/<[^>]+>/g, '');
      return labels.map(t => `${title}: «${t.textContent.trim()}» under the legend`);
    });
}"""

_CONTENT_HEIGHT_JS = """() => Math.max(
  ...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
    .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))"""


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `streamlit run` process."""

    process: subprocess.Popen
    url: str
    log_path: Path

    def log_text(self) -> str:
        """Everything the server has printed so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's output, for failure messages."""
        return self.log_text()[-chars:]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_streamlit(
    script: str | Path, log_path: Path, *, db: Path | None = None, timeout_s: float = START_TIMEOUT_S
) -> Server:
    """Start `python -m streamlit run script` on a free port and wait for its health endpoint.

    The dashboard starts the way scripts/run.sh starts it, through `python -m app.server`.

    `db` sets DASHBOARD_DB (when the file does not exist the dashboard's server builds the demo
    there before it answers, hence the long default timeout). The server runs in its own
    process group so stop_streamlit ends it and anything it started; it is stopped here too
    when it never becomes healthy.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if db is not None:
        env["DASHBOARD_DB"] = str(db)
    dashboard = Path(script).resolve() == ROOT / "dashboard.py"
    launch = ["app.server"] if dashboard else ["streamlit", "run", str(script)]
    cmd = [
        sys.executable, "-m", *launch,
        "--server.address", "127.0.0.1", "--server.headless", "true", "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        # no file watcher: nothing is edited while we measure, and polling costs CPU on 2 cores
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + timeout_s
    while not _healthy(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_streamlit(server)
            raise RuntimeError(f"streamlit did not start ({' '.join(cmd)}):\n{server.log_tail()}")
        time.sleep(0.2)
    return server


def stop_streamlit(server: Server, timeout_s: float = 10.0) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL if it lingers."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=timeout_s)
    except ProcessLookupError:
        pass


@contextmanager
def streamlit_server(
    script: str | Path, log_path: Path, *, db: Path | None = None, timeout_s: float = START_TIMEOUT_S
) -> Iterator[Server]:
    """start_streamlit as a context manager: the server is stopped on the way out, whatever happens."""
    server = start_streamlit(script, log_path, db=db, timeout_s=timeout_s)
    try:
        yield server
    finally:
        stop_streamlit(server)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's headless Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context (VIEWPORT) whose pages count their WebSocket messages, which
    rerun_and_wait needs to see a very quick rerun."""
    context = browser.new_context(viewport=VIEWPORT, **options)
    context.add_init_script(_COUNT_MESSAGES_JS)
    return context


# ----------------------------------------------------------------------------- logging in


class LoginFailed(RuntimeError):
    """The login form did not let the account in (the message says why)."""


def on_login_page(url: str) -> bool:
    """True when `url` is the login form, whatever its query."""
    return urlsplit(url).path.rstrip("/") == LOGIN_PATH


def login_url(base_url: str, next_path: str | None = None) -> str:
    """The login form's address; `next_path` (path and query) is where it leads after logging in."""
    return f"{base_url}{LOGIN_PATH}" + (f"?tiep={quote(next_path, safe='')}" if next_path else "")


def submit_login(page: Page, username: str, password: str, timeout_ms: float = 60_000) -> None:
    """Fill the login form open in `page` and press "Đăng nhập"; returns once the answer has
    arrived: the page the login leads to, or the form again with its message."""
    page.get_by_label(LOGIN_USER_LABEL, exact=True).fill(username)
    page.get_by_label(LOGIN_PASSWORD_LABEL, exact=True).fill(password)
    with page.expect_navigation(wait_until="commit", timeout=timeout_ms):
        page.get_by_role("button", name=LOGIN_BUTTON, exact=True).click()


def login_error(page: Page) -> str | None:
    """The message the login form shows (wrong password, lockout, ...), or None."""
    page.wait_for_load_state("domcontentloaded")
    alert = page.locator(LOGIN_ERROR)
    return alert.first.inner_text().strip() if alert.count() else None


def log_in(
    target: Page | BrowserContext,
    base_url: str,
    username: str = DEMO_USER,
    password: str = DEMO_PASSWORD,
    *,
    next_path: str | None = None,
    timeout_ms: float = 60_000,
) -> None:
    """Log `target` in as `username` through the real login form, as a person does.

    Opens <base_url>/dang-nhap (asking to land on `next_path` afterwards, the root by
    default), fills "Tên đăng nhập" and "Mật khẩu", presses "Đăng nhập" and waits until the
    browser has left the login page. The session cookie then serves every tab of the
    browser context.

    A Page is left on the page it landed on, not waited for (the caller usually opens
    another). A BrowserContext logs in in a tab of its own that waits until the landing
    page has drawn (so no script run of the login is left going when the caller starts
    timing) and closes. Raises LoginFailed, with the form's message, when the login is
    refused, and when the browser is logged in already (the server skips the form).
    """
    if not hasattr(target, "goto"):  # a BrowserContext
        tab = target.new_page()
        try:
            log_in(tab, base_url, username, password, next_path=next_path, timeout_ms=timeout_ms)
            wait_for_charts(tab, timeout_ms)
        finally:
            tab.close()
        return
    url = login_url(base_url, next_path)
    target.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    if not on_login_page(target.url):
        raise LoginFailed(f"{url} led to {target.url}: this browser context is logged in already")
    submit_login(target, username, password, timeout_ms)
    if on_login_page(target.url):
        why = login_error(target) or target.locator("body").inner_text()[:300]
        raise LoginFailed(f"logging in as {username!r} was refused: {why}")


# ----------------------------------------------------------------------------- waiting


def wait_for_charts(
    page: Page, timeout_ms: float = 60_000, check: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Wait until the script run is over and every chart is drawn.

    Returns {"t": ms from navigation start to that moment, "n": number of charts}. Polls on
    every animation frame, so the time is accurate to a frame. `check`, when given, runs
    every couple of seconds while waiting and may raise to give up early (e.g. the server
    logged a traceback).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if check is None:
        return page.wait_for_function(_DRAWN_JS, polling="raf", timeout=timeout_ms).json_value()
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left_ms = (deadline - time.monotonic()) * 1000
        try:
            handle = page.wait_for_function(_DRAWN_JS, polling="raf", timeout=max(1.0, min(2_000.0, left_ms)))
            return handle.json_value()
        except PlaywrightTimeout:
            check()
            if left_ms <= 2_000:
                raise


def goto_and_wait(
    page: Page, url: str, timeout_ms: float = 60_000, check: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Open `url` in `page` and wait for every chart (see wait_for_charts)."""
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    return wait_for_charts(page, timeout_ms, check)


def rerun_and_wait(page: Page, action: Callable[[], object], timeout_ms: float = 60_000) -> float:
    """Do `action` (a widget change), wait for the rerun it causes to draw every chart.

    Returns the milliseconds from the click that made the change (or, without a click, from
    just before the action) to every chart drawn.
    """
    page.evaluate(_ARM_RERUN_JS)
    try:
        action()
        drawn = wait_for_charts(page, timeout_ms)
    finally:
        started = page.evaluate(_DISARM_RERUN_JS)
    return float(drawn["t"]) - float(started)


def drawn_state(page: Page) -> dict[str, Any]:
    """Where each condition of "drawn" stands (script state, rerun seen, skeletons, charts with
    their SVG): what a timeout message should say."""
    return page.evaluate(_DRAWN_STATE_JS)


def chart_texts(page: Page) -> list[str]:
    """The visible text of each chart (titles, axis labels, annotations), in page order."""
    return page.evaluate(_CHART_TEXTS_JS)


def margin_pushes(page: Page) -> list[str]:
    """The charts on the page whose margins Plotly had to widen after a first draw (each was
    drawn twice), with the sides and pixels: "Title: b 26 -> 35"."""
    return page.evaluate(_MARGIN_PUSHES_JS)


def legend_overlaps(page: Page) -> list[str]:
    """The x-axis labels and titles that a chart's legend covers, on every visible chart:
    "Title: «2020» under the legend" (empty when every legend stands clear)."""
    return page.evaluate(_LEGEND_OVERLAPS_JS)


def exception_texts(page: Page) -> list[str]:
    """The text of every Streamlit exception box on the page (empty when there is none)."""
    return page.locator(EXCEPTION).all_inner_texts()


def nav_links(page: Page) -> list[tuple[str, str]]:
    """(title, href) of every page in the sidebar navigation, in order."""
    links = page.locator(NAV_LINK)
    return [
        (links.nth(i).inner_text().split("\n")[-1].strip(), links.nth(i).get_attribute("href") or "")
        for i in range(links.count())
    ]


def year_box(page: Page) -> Locator:
    """The sidebar's year selectbox (an ARIA combobox labelled "Năm xem chi tiết")."""
    return page.locator(SIDEBAR).get_by_role("combobox", name="Năm xem chi tiết")


def open_select(page: Page, box: Locator, timeout_ms: float = 2_000) -> None:
    """Open a selectbox's list of options (`box`: its combobox) the way a person does: click it.

    The box is first scrolled to the middle of its scroll area: a box at the bottom edge of
    the window (the sidebar's year, below the account box) opens its list past the edge,
    the sidebar scrolls to show it, and the scroll closes the list again. A click that did
    not open the list is repeated.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    for attempt in range(3):
        box.click()
        try:
            page.get_by_role("listbox").first.wait_for(state="visible", timeout=timeout_ms)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def open_year_list(page: Page) -> None:
    """Open the sidebar year selectbox's list of options."""
    open_select(page, year_box(page))


def pick_year(page: Page, year: int) -> None:
    """Click `year` in the open year list."""
    page.get_by_role("option", name=str(year), exact=True).click()


def choose_year(page: Page, year: int) -> None:
    """Pick `year` in the sidebar year selectbox the way a person does: open it, click the option."""
    open_year_list(page)
    pick_year(page, year)


def full_page_screenshot(page: Page, path: Path) -> None:
    """Screenshot the whole page: Streamlit scrolls inside stMain, so grow the viewport to fit it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or VIEWPORT
    height = int(page.evaluate(_CONTENT_HEIGHT_JS))
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 40)})
    try:
        page.wait_for_timeout(300)  # let the layout (and Plotly's resize handler) settle
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


# ----------------------------------------------------------------------------- pytest fixtures
# One demo server for the whole test session, shared by every browser test module: each
# loads this module as a plugin (`pytest_plugins = ("tests.browser",)`), so the session
# fixtures below exist once however many modules ask for them.

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"  # for a person to look at
PAGE_MS = 60_000


def need_chromium() -> None:
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


class App:
    """A running dashboard: its base URL and the database it was pointed at."""

    def __init__(self, server: Server, db: Path) -> None:
        self.server = server
        self.db = db
        self.url = server.url

    def fail_message(self, what: str) -> str:
        return f"{what}\n--- server log (tail) ---\n{self.server.log_tail()}"

    def check_server(self, log_from: int, page: Page | None = None) -> None:
        """Give up waiting for a page when the server died or logged a Python traceback since
        `log_from`, or when `page` was sent to the login page (no live session)."""
        log = self.server.log_text()[log_from:]
        if self.server.process.poll() is not None or "Traceback (most recent call last)" in log:
            pytest.fail(self.fail_message("the server failed while the page was loading"))
        if page is not None and on_login_page(page.url):
            pytest.fail(f"{page.url}: sent to the login page instead (the session is not live)")

    def load(self, page: Page, url: str, timeout_ms: float = PAGE_MS) -> dict:
        """Open `url` and wait for every chart (see wait)."""
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        return self.wait(page, url, timeout_ms)

    def wait(self, page: Page, url: str, timeout_ms: float = PAGE_MS) -> dict:
        """Wait for every chart; a server failure or a timeout fails the test with the server log."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        log_from = len(self.server.log_text())
        try:
            return wait_for_charts(page, timeout_ms, check=lambda: self.check_server(log_from, page))
        except PlaywrightTimeout:
            text = page.locator("body").inner_text()[-500:]
            pytest.fail(
                self.fail_message(f"{url}: charts not drawn within {timeout_ms / 1000:.0f} s; page: {text}")
            )

    def log_in(
        self,
        page: Page,
        username: str = DEMO_USER,
        password: str = DEMO_PASSWORD,
        *,
        next_path: str | None = None,
    ) -> None:
        """log_in on this server; a refused login fails the test with the server log."""
        try:
            log_in(page, self.url, username, password, next_path=next_path, timeout_ms=PAGE_MS)
        except LoginFailed as exc:
            pytest.fail(self.fail_message(str(exc)))

    def assert_clean(self, page: Page, where: str) -> None:
        """No Streamlit exception box on the page."""
        errors = exception_texts(page)
        assert not errors, self.fail_message(
            f"{where}: Streamlit exception on the page:\n" + "\n".join(errors)
        )


@dataclass
class FirstStart:
    """The dashboard started on a database path that did not exist (a fresh machine)."""

    db: Path
    app: App | None  # None: the server did not start
    error: str | None
    built_before_health: bool  # the demo's snapshot was there when the server first answered
    start_s: float


@pytest.fixture(scope="session")
def first_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstStart]:
    """Start the dashboard on a database that does not exist yet. A server that does not come
    up is recorded, not raised: it fails the first-run test, and `app` starts another."""
    from etl.db import latest_snapshot

    need_chromium()
    root = tmp_path_factory.mktemp("fresh")
    db = root / "data" / "dashboard.duckdb"
    started = time.monotonic()
    try:
        server = start_streamlit(ROOT / "dashboard.py", root / "streamlit.log", db=db)
    except RuntimeError as exc:
        yield FirstStart(db, None, str(exc), False, time.monotonic() - started)
        return
    try:
        built = latest_snapshot(db) is not None
        yield FirstStart(db, App(server, db), None, built, time.monotonic() - started)
    finally:
        stop_streamlit(server)


@pytest.fixture(scope="session")
def fresh_app(first_start: FirstStart) -> App:
    """The dashboard as it came up on a fresh machine (it built the demo province first)."""
    if first_start.app is None:
        pytest.fail(f"the dashboard did not start on a fresh machine:\n{first_start.error}")
    return first_start.app


@pytest.fixture(scope="session")
def app(first_start: FirstStart, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The dashboard on the demo province: the fresh server once it built the demo; otherwise
    (first run broken) a second server on a demo built with the CLI, so a broken first run
    fails one test, not every page."""
    from etl.db import latest_snapshot
    from tests.conftest import run_etl

    fresh = first_start.app
    if fresh is not None and latest_snapshot(fresh.db) is not None and fresh.server.process.poll() is None:
        yield fresh
        return
    root = tmp_path_factory.mktemp("demo")
    db = root / "data" / "dashboard.duckdb"
    run_etl("demo", "--db", str(db), check=True)
    with streamlit_server(ROOT / "dashboard.py", root / "streamlit.log", db=db) as server:
        yield App(server, db)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A function giving a tab in a browser context of its own (own cookies: not logged in);
    every context it made is closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = new_context(browser, locale="vi-VN")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(app: App, new_page: Callable[[], Page]) -> Page:
    """A tab logged in as lanh_dao (Sở leadership, every data page) on the demo server."""
    tab = new_page()
    app.log_in(tab, DEMO_USER)
    return tab
