"""Start a Streamlit server and headless Chromium, and wait until a page has drawn its charts.

Shared by the browser tests (tests/test_browser.py) and the page benchmark (bench/pages.py),
so both measure the same thing the same way. Chromium is Debian's /usr/bin/chromium driven
by Playwright's sync API (never `playwright install`). Nothing runs at import.

"Drawn" means: the Streamlit script run is over (the app root reports script state
`notRunning`, so no element is stale), no lazily loaded element still shows its skeleton,
and every `stPlotlyChart` holds Plotly's `.main-svg`.
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

if TYPE_CHECKING:  # playwright is imported lazily: a machine without it can still import this module
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

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

# The text of every chart's SVG (title, axes, labels, annotations), in page order
_CHART_TEXTS_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .map(c => [...c.querySelectorAll('.main-svg')].map(s => s.textContent).join(' '))"""

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
    script: str | Path, log_path: Path, *, db: Path | None = None, timeout_s: float = 60.0
) -> Server:
    """Start `python -m streamlit run script` on a free port and wait for its health endpoint.

    The dashboard starts the way scripts/run.sh starts it, through `python -m app.server`.

    `db` sets DASHBOARD_DB (the dashboard builds the demo there on first load when the file
    does not exist). The server runs in its own process group so stop_streamlit ends it and
    anything it started; it is stopped here too when it never becomes healthy.
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
    script: str | Path, log_path: Path, *, db: Path | None = None, timeout_s: float = 60.0
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


def year_box(page: Page):
    """The sidebar's year selectbox (an ARIA combobox labelled "Năm xem chi tiết")."""
    return page.locator(SIDEBAR).get_by_role("combobox", name="Năm xem chi tiết")


def open_year_list(page: Page) -> None:
    """Open the sidebar year selectbox's list of options."""
    year_box(page).click()


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
