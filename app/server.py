"""Start the dashboard's Streamlit server: `python -m app.server [--section.option value ...]`.

The same server as `streamlit run dashboard.py` (same options), served as an `st.App` with
two changes, both about the first load of a page in the browser:

- Streamlit takes a `pages/` folder beside the main script for a legacy (v1) multipage app
  until the script's first run calls `st.navigation`, so the first visitor after a server
  start who opened a link to a page (/xep-hang-cchc) got an English "Page not found" pop-up
  over the right page (streamlit/streamlit#9992). dashboard.py always navigates with
  `st.navigation`; saying so before the server starts spares that visitor the pop-up.
- The root and every page link are answered with Streamlit's own index.html (the default
  page's own link, /tong-quan, is sent to the root, where Streamlit shows it), changed in
  three ways: `lang="vi"`, so the browser does not offer to translate the page "from
  English" and screen readers read it as Vietnamese; the dashboard's title in the tab
  before the app loads; and the server's address given to the frontend up front
  (`window.__streamlit.BACKEND_BASE_URL`). Without that, the frontend opening /tap-huan
  first asks /tap-huan/_stcore/health whether the server lives there, is told no, waits
  100 ms and asks the root: every first load of a page link paid for it.

tests/test_browser.py checks all of it in Chromium. Behind a proxy that adds a base path
(server.baseUrlPath) these routes do not match and Streamlit serves its page unchanged.

One more change is about the server's own work per page view: see freeze_startup_objects.
And the terminal speaks Vietnamese: Streamlit's English welcome (and its lookup of an
external address the Sở's network has no use for) is replaced by announce_when_ready, and
Ctrl+C ends with a line saying so (_stop_on_ctrl_c), not a traceback.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
from functools import cache
from html import escape
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit import config
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager

from app.allocator import tune_glibc_malloc
from app.login import login_redirect, login_routes, user_of_request
from app.navigation import APP_TITLE, DEFAULT_URL, url_paths
from app.startup import prepare_database
from etl.db import db_path

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
# what every page run imports: loaded before serving, so their objects are frozen with the rest
PAGE_MODULES = (
    "app.auth",
    "app.cards",
    "app.charts",
    "app.downloads",
    "app.exports",
    "app.filters",
    "app.intake",
    "app.queries",
    "app.tables",
    "plotly.graph_objects",
    # DuckDB's .pl() imports these on the first query: at start, not in the first visitor's wait
    "numpy",
    "pyarrow",
)
# the routes below match only paths without a base path, so the server is at the root
_SERVER_AT_ROOT = '<script>window.__streamlit = {BACKEND_BASE_URL: new URL("/", location.href).href}</script>'


@cache
def index_html() -> str:
    """Streamlit's index.html in Vietnamese, with the dashboard's title and the server's address."""
    html = (Path(st.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    for old, new in (
        ('<html lang="en">', '<html lang="vi">'),
        ("<title>Streamlit</title>", f"<title>{escape(APP_TITLE)}</title>"),
        ("<head>", "<head>\n    " + _SERVER_AT_ROOT),
    ):
        if old not in html:  # another Streamlit version: serve its page as it is
            return html
        html = html.replace(old, new, 1)
    return html


async def _index(request: Request) -> Response:
    # no session, no dashboard: the login page first, then back to this page and its filters
    if await run_in_threadpool(user_of_request, request) is None:
        return login_redirect(request)
    return HTMLResponse(index_html(), headers={"Cache-Control": "no-cache"})


async def _to_root(request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=307)


def page_routes() -> list[Route]:
    """The root and every page link, answered with index_html().

    The default page lives at the root: Streamlit knows no /tong-quan and would say so in an
    English pop-up, so that link is sent to the root with its query (filters) kept.
    """
    pages = [Route(f"/{url}", _index, methods=["GET"]) for url in url_paths() if url != DEFAULT_URL]
    return [
        Route("/", _index, methods=["GET"]),
        Route(f"/{DEFAULT_URL}", _to_root, methods=["GET"]),
        *pages,
        *login_routes(),
    ]


def parse_options(args: list[str]) -> dict[str, object]:
    """Streamlit options as `streamlit run` takes them, for `st.App.run(config=...)`.

    `["--server.port", "8502", "--server.headless=true"]` -> `{"server.port": 8502,
    "server.headless": True}`; an unknown option or a stray argument stops with a message.
    """
    options: dict[str, object] = {}
    items = iter(args)
    for arg in items:
        if not arg.startswith("--"):
            raise SystemExit(f"Không hiểu tham số «{arg}»: các tùy chọn có dạng --server.port 8502")
        key, has_value, value = arg[2:].partition("=")
        if not has_value:
            value = next(items, "")
        option = config._config_options_template.get(key)
        if option is None:
            raise SystemExit(f"Không có tùy chọn --{key} (xem các tùy chọn: streamlit run --help)")
        kind = option.type
        if kind is bool:
            parsed: object = value.strip().lower() in ("true", "1", "yes")
        elif kind in (int, float):
            parsed = kind(value)
        else:
            parsed = value
        if option.multiple:  # given once per value, like `streamlit run`
            parsed = [*options.get(key, []), parsed]  # type: ignore[misc]
        options[key] = parsed
    return options


EVERY_INTERFACE = ("", "0.0.0.0", "::")  # server.address values that listen on every network


def lan_address() -> str | None:
    """This machine's address on the office network: the one a packet out would leave from
    (a UDP socket is only pointed, nothing is sent); None without a network."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def server_urls(host: str, port: int) -> list[str]:
    """The addresses to open the dashboard at: the one it listens on, or, listening on every
    interface (the default), this machine's own and its address on the network."""
    if host not in EVERY_INTERFACE:
        return [f"http://{host}:{port}"]
    lan = lan_address()
    return [f"http://localhost:{port}", *([f"http://{lan}:{port}"] if lan else [])]


def ready_message(urls: list[str]) -> str:
    lines = "\n".join(f"  {url}" for url in urls)
    return f"\nTrang theo dõi đã sẵn sàng. Mở trình duyệt tại:\n{lines}\nDừng máy chủ: Ctrl+C.\n"


def announce_when_ready(timeout_s: float = 300.0) -> None:
    """Print ready_message once the server accepts connections (in a thread of its own).

    The address and port are read once Streamlit's runtime exists, from its resolved
    configuration (command line, .streamlit/config.toml, environment): read any earlier,
    the configuration would be parsed before the command line's options are applied.
    """

    def wait() -> None:
        deadline = time.monotonic() + timeout_s
        while not Runtime.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        host = str(config.get_option("server.address") or "")
        port = int(config.get_option("server.port"))
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1" if host in EVERY_INTERFACE else host, port), 1):
                    print(ready_message(server_urls(host, port)), flush=True)
                    return
            except OSError:
                time.sleep(0.2)

    threading.Thread(target=wait, name="announce-ready", daemon=True).start()


def _stop_on_ctrl_c(signum: int, frame: object) -> None:
    """Ctrl+C: the web server has already stopped serving when it passes the signal on (as
    after SIGTERM), so end here with a Vietnamese line instead of Python's KeyboardInterrupt
    traceback through the event loop."""
    print("\nĐã dừng máy chủ trang theo dõi.", flush=True)
    os._exit(0)


def freeze_startup_objects() -> int:
    """Import the pages' modules and leave every object alive now out of garbage collection.

    Streamlit runs a full collection after every script run (runner.postScriptGC), and a
    full collection walks every tracked object. With Streamlit, Plotly, Polars and DuckDB
    loaded that is about 120 ms of CPU per page view on a 2-core machine, spent while the
    browser draws the page on the other core. Modules and what they hold live as long as
    the server, so walking them again after every run is wasted: `gc.freeze()` moves them
    to a generation the collector skips, and the collection after a run then costs a few
    ms. Objects created later (each run's frames and figures) are collected as before.
    Returns how many objects are frozen.
    """
    # imported before the runtime exists, the cached queries would each warn that they use
    # an in-memory cache (they do, and so they will once the runtime starts): not worth a line
    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = cache_log.level
    cache_log.setLevel(logging.ERROR)
    try:
        for name in PAGE_MODULES:
            importlib.import_module(name)
    finally:
        cache_log.setLevel(level)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


SCRIPT_ERROR = "Trang gặp lỗi nên chưa hiển thị được."


def show_script_error(exc: Exception) -> bool:
    """A page's uncaught exception: the traceback goes to the server log (Streamlit has written it
    already), the reader gets a Vietnamese line with a reference to quote, never the traceback."""
    ref = secrets.token_hex(3)
    print(f"Lỗi trang, mã {ref}: {type(exc).__name__} (chi tiết ở dòng 'Uncaught app execution' phía trên)",
          file=sys.stderr, flush=True)  # fmt: skip
    st.error(
        f"{SCRIPT_ERROR} Vui lòng tải lại trang; nếu lỗi lặp lại, báo cho quản trị của Sở kèm mã lỗi **{ref}**.",
        icon=":material/error:",
    )
    return True  # suppress Streamlit's own (English) error box


def main(args: list[str]) -> None:
    """Serve dashboard.py with `args` as Streamlit options until the server stops."""
    options = parse_options(args)
    prepare_database(db_path())
    PagesManager.uses_pages_directory = False
    tune_glibc_malloc()  # before the server starts its threads
    freeze_startup_objects()
    options.setdefault("logger.hideWelcomeMessage", True)
    announce_when_ready()
    signal.signal(signal.SIGINT, _stop_on_ctrl_c)
    st.App(DASHBOARD, routes=page_routes(), on_script_error=show_script_error).run(config=options)


if __name__ == "__main__":
    main(sys.argv[1:])
