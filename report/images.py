"""The dashboard's Plotly charts as PNG images for documents, through kaleido and Debian's chromium.

kaleido drives a headless browser; starting it costs about 2 s, each image after that
about 0,15 s, so one server is started per process (`kaleido.start_sync_server`) and kept.
Where no browser is found, or it fails to start or answer, `ChartImages.png` returns None
and `reason` says why in Vietnamese: the document is then written with its tables only and
tells the writer so. Charts are drawn narrower than on screen (720 px) and scaled up, so
their text stays legible at the width of an A4 page.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

WIDTH_PX = 720
SCALE = 2.5
START_TIMEOUT_S = 90.0
IMAGE_TIMEOUT_S = 60.0
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_BROWSER = (
    "Máy lập văn bản không có trình duyệt Chromium nên không chèn được biểu đồ; các bảng số liệu vẫn "
    "đầy đủ. Cài Chromium (apt-get install chromium) rồi lập lại văn bản để có biểu đồ."
)
BROWSER_FAILED = "Không vẽ được biểu đồ ({}); các bảng số liệu vẫn đầy đủ."

_LOCK = threading.Lock()  # kaleido's sync server takes one request at a time
_STATE: dict[str, Any] = {"started": False, "error": None}


def find_browser() -> str | None:
    """The browser kaleido will drive: $BROWSER_PATH, else the first of BROWSERS on the PATH."""
    path = os.environ.get("BROWSER_PATH")
    if path:
        return path if os.path.exists(path) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _with_timeout(fn: Callable[[], Any], seconds: float) -> Any:
    """fn() in a daemon thread; TimeoutError when it does not return in time.

    kaleido's sync server waits forever for a browser that died, so every call is guarded.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"quá {seconds:.0f} giây")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _render(fig: go.Figure, width: int, scale: float) -> bytes:
    import kaleido

    height = int(fig.layout.height or 450)
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    return kaleido.calc_fig_sync(fig, opts=opts)


def _start() -> str | None:
    """Start the process's kaleido server once; the reason it cannot draw, or None."""
    if _STATE["started"] or _STATE["error"]:
        return _STATE["error"]
    if find_browser() is None:
        _STATE["error"] = NO_BROWSER
        return NO_BROWSER
    import kaleido

    try:
        kaleido.start_sync_server(n=1, timeout=IMAGE_TIMEOUT_S, mathjax=False, silence_warnings=True)
        # the first image starts the browser: its failure or hang shows here
        probe = go.Figure(layout={"height": 100, "width": 100})
        _with_timeout(lambda: _render(probe, 100, 1), START_TIMEOUT_S)
    except Exception as exc:
        _STATE["error"] = BROWSER_FAILED.format(exc or type(exc).__name__)
        return _STATE["error"]
    _STATE["started"] = True
    return None


class ChartImages:
    """PNG images of Plotly figures; `reason` is set (in Vietnamese) once drawing is impossible.

    `enabled=False` never starts a browser (a document with tables only, e.g. in tests).
    """

    def __init__(self, *, enabled: bool = True) -> None:
        self.reason: str | None = None if enabled else NO_BROWSER
        self._enabled = enabled

    def check(self) -> str | None:
        """Start the browser if needed; the reason no chart can be drawn, or None when charts work."""
        if self._enabled and not self.reason:
            with _LOCK:
                self.reason = _start()
        return self.reason

    def png(self, fig: go.Figure, width: int = WIDTH_PX, scale: float = SCALE) -> bytes | None:
        """The figure as PNG bytes, or None (and `reason` set) when no image can be drawn."""
        if not self._enabled or self.reason:
            return None
        with _LOCK:
            self.reason = _start()
            if self.reason:
                return None
            try:
                return _with_timeout(lambda: _render(fig, width, scale), IMAGE_TIMEOUT_S)
            except TimeoutError as exc:
                # the server still waits on the lost image: no later document may queue behind it
                _STATE["error"] = self.reason = BROWSER_FAILED.format(exc)
            except Exception as exc:
                self.reason = BROWSER_FAILED.format(exc or type(exc).__name__)
            return None
