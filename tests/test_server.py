"""The server launcher: Streamlit options from the command line, the Vietnamese index page."""

from __future__ import annotations

import gc
import sys

import pytest

from app.navigation import APP_TITLE, url_paths
from app.server import PAGE_MODULES, freeze_startup_objects, index_html, page_routes, parse_options


def test_options_are_typed_like_streamlit_run_takes_them() -> None:
    args = ["--server.port", "8502", "--server.headless=true", "--browser.gatherUsageStats", "false"]
    options = parse_options([*args, "--server.address", "127.0.0.1"])
    assert options == {
        "server.port": 8502,
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "server.address": "127.0.0.1",
    }


@pytest.mark.parametrize("args", [["--server.nosuch", "1"], ["8502"]])
def test_unknown_option_or_stray_argument_stops_with_a_message(args: list[str]) -> None:
    with pytest.raises(SystemExit, match="option"):
        parse_options(args)


def test_index_page_is_vietnamese_titled_and_names_the_server() -> None:
    html = index_html()
    assert '<html lang="vi">' in html
    assert f"<title>{APP_TITLE}</title>" in html
    assert html.index("window.__streamlit") < html.index('<script type="module"')


def test_root_and_every_page_link_get_the_index_page() -> None:
    paths = [route.path for route in page_routes()]
    assert paths == ["/", *(f"/{url}" for url in url_paths())]


def test_startup_objects_are_left_out_of_the_collection_after_each_run() -> None:
    try:
        frozen = freeze_startup_objects()
        # what the collector still walks after a run: objects made since, not the modules
        walked = len(gc.get_objects())
        assert all(name in sys.modules for name in PAGE_MODULES)
        assert frozen > 10 * walked
    finally:
        gc.unfreeze()
