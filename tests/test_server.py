"""The server launcher: Streamlit options from the command line, the Vietnamese index page."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.requests import Request
from starlette.responses import Response

from accounts.sessions import authenticate
from accounts.store import connect, store_path
from accounts.users import add_user
from app.login import LOGIN_PATH, LOGOUT_PATH, SESSION_COOKIE
from app.navigation import APP_TITLE, DEFAULT_URL, url_paths
from app.server import (
    PAGE_MODULES,
    freeze_startup_objects,
    index_html,
    page_routes,
    parse_options,
    ready_message,
    server_urls,
)

LOGIN_PATHS = (LOGIN_PATH, LOGOUT_PATH)


def test_options_are_typed_like_streamlit_run_takes_them() -> None:
    args = ["--server.port", "8502", "--server.headless=true", "--browser.gatherUsageStats", "false"]
    options = parse_options([*args, "--server.address", "127.0.0.1"])
    assert options == {
        "server.port": 8502,
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "server.address": "127.0.0.1",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--server.nosuch", "1"], "Không có tùy chọn --server.nosuch"),
        (["8502"], "Không hiểu tham số «8502»"),
    ],
)
def test_unknown_option_or_stray_argument_stops_with_a_vietnamese_message(
    args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        parse_options(args)


def test_the_ready_message_names_where_to_open_the_dashboard() -> None:
    assert server_urls("127.0.0.1", 8502) == ["http://127.0.0.1:8502"]
    every = server_urls("0.0.0.0", 8501)  # every interface: this machine, then its network address
    assert every[0] == "http://localhost:8501"
    assert all(url.startswith("http://") and url.endswith(":8501") for url in every)
    assert server_urls("", 8501) == every
    message = ready_message(["http://localhost:8501", "http://10.0.0.5:8501"])
    assert (
        "Trang theo dõi đã sẵn sàng. Mở trình duyệt tại:\n  http://localhost:8501\n  http://10.0.0.5:8501"
        in message
    )


def test_index_page_is_vietnamese_titled_and_names_the_server() -> None:
    html = index_html()
    assert '<html lang="vi">' in html
    assert f"<title>{APP_TITLE}</title>" in html
    assert html.index("window.__streamlit") < html.index('<script type="module"')


def test_root_and_every_page_link_get_the_index_page_once_logged_in(signed_in: str) -> None:
    routes = {route.path: route.endpoint for route in page_routes() if route.path not in LOGIN_PATHS}
    assert set(routes) == {"/", *(f"/{url}" for url in url_paths())}
    pages = [path for path in routes if path != f"/{DEFAULT_URL}"]
    html = {path: _respond(routes[path], _get(path, cookie=signed_in)) for path in pages}
    assert all(response.status_code == 200 and b'lang="vi"' in response.body for response in html.values())
    # without a session every one of them sends the visitor to log in, keeping where they were going
    for path in pages:
        response = _respond(routes[path], _get(path, "nam=2020"))
        assert response.status_code == 303
        assert response.headers["location"] == f"/dang-nhap?tiep={quote(path + '?nam=2020', safe='')}"


def test_default_page_link_goes_to_the_root_with_its_filters() -> None:
    """Streamlit serves the default page at the root only; its own link would show "Page not found"."""
    endpoint = next(route.endpoint for route in page_routes() if route.path == f"/{DEFAULT_URL}")
    response = _respond(endpoint, _get(f"/{DEFAULT_URL}", "nam=2020&loai=Chi+c%E1%BB%A5c"))
    assert response.status_code == 307
    assert response.headers["location"] == "/?nam=2020&loai=Chi+c%E1%BB%A5c"
    assert _respond(endpoint, _get(f"/{DEFAULT_URL}")).headers["location"] == "/"


def _respond(endpoint: Callable[[Request], Awaitable[Response]], request: Request) -> Response:
    # in its own thread: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, endpoint(request)).result()


def _get(path: str, query: str = "", cookie: str | None = None) -> Request:
    headers = [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())] if cookie else []
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


@pytest.fixture
def signed_in(db: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A live session token of an account on a Sở's database (DASHBOARD_DB points at it)."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    with closing(connect(store_path(db))) as con:
        add_user(con, "lanh_dao", "mat-khau-dai-du", "lanh_dao", is_demo=False, actor="test")
        token = authenticate(con, "lanh_dao", "mat-khau-dai-du", client=None).token
    assert token
    return token


def test_startup_objects_are_left_out_of_the_collection_after_each_run() -> None:
    try:
        frozen = freeze_startup_objects()
        # what the collector still walks after a run: objects made since, not the modules
        walked = len(gc.get_objects())
        assert all(name in sys.modules for name in PAGE_MODULES)
        assert frozen > 10 * walked
    finally:
        gc.unfreeze()
