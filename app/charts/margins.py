"""The margins a figure needs, estimated before it leaves the server.

Plotly widens a margin that is too small for the tick labels, the axis titles, the legend or
a colour bar (`automargin`), but only after drawing the chart, and then draws it all again:
on every first view. `fit_margins` asks for enough room at once. The sizes were measured in
Chromium on the demo's charts at 1.440 px; on a phone a legend wraps into more rows and those
charts are still drawn twice (the server does not know the screen's width).
"""

from __future__ import annotations

import math
import re

from app.fmt import fmt_num

_TAG = re.compile(r"<[^>]+>")
_CHAR_WIDTH = 6.8  # px per character of the 13 px font (a little over the average)
# the figure's width on a wide screen (the page's main column) and in a half-width column
_WIDE_FIGURE_PX, _NARROW_FIGURE_PX = 940, 440
# Plotly adds this much to every margin an axis, legend or colour bar asks for: the smallest
# base margin, at most 12 px; base_layout's right margin is 10
_AUTOMARGIN_PAD = 10
_TICK_LABELS_PX, _X_TITLE_PX = 26, 30  # below the plot: year or value labels, the axis title
_COLORBAR_PX = 100  # right of the plot: a heatmap's colour bar with its ticks and title


def _label_chars(traces: list[dict], axis: dict) -> int:
    """The length of the longest tick label of the first y axis, estimated from its data."""
    labels = axis.get("ticktext") or axis.get("categoryarray")
    if not labels:
        first = [t for t in traces if t.get("yaxis", "y") == "y" and t.get("type") != "heatmap"]
        values = [v for t in first for v in (t.get("y") or []) if v is not None]
        labels = [v for v in values if isinstance(v, str)]
        numbers = [abs(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if not labels:
            widest = fmt_num(max(numbers), 1) if numbers else "100"
            return len(widest) + len(str(axis.get("ticksuffix", "")))
    return max((len(_TAG.sub("", str(label))) for label in labels), default=3)


def _legend_rows(traces: list[dict], plot_px: float) -> int:
    """How many rows the horizontal legend below the plot takes (0 without a legend), when
    the plot area is `plot_px` wide (Plotly wraps a horizontal legend at its width)."""
    names = [t.get("name") or "" for t in traces if t.get("showlegend", True) and t.get("name")]
    if len(names) < 2 and not any(t.get("showlegend") for t in traces):
        return 0
    entries = [40 + _CHAR_WIDTH * len(_TAG.sub("", name)) for name in dict.fromkeys(names)]
    width = max(200.0, plot_px)
    if sum(entries) < width:
        return 1
    # a legend that needs more than one row gives every entry the widest entry's width
    per_row = max(1, int(width // max(entries)))
    return math.ceil(len(entries) / per_row)


def _has_colorbar(traces: list[dict]) -> bool:
    return any(t.get("type") == "heatmap" and t.get("showscale", True) for t in traces)


def fit_margins(traces: list[dict], layout: dict, *, narrow: bool = False) -> dict:
    """`layout` with left, bottom and right margins wide enough for tick labels, axis titles,
    the legend and a colour bar.

    Axes keep `automargin`, so a label longer than estimated still fits; but then Plotly
    draws the chart, finds a margin too small and draws it all again, on the page's first
    view too. The estimates are therefore generous: a few pixels of white cost nothing.
    """
    yaxis = layout.get("yaxis", {})
    # the widest title of the left axes (a panel's title may wrap over two lines: 16 px more)
    y_titles = [
        (axis.get("title") or {}).get("text") or ""
        for key, axis in layout.items()
        if key.startswith("yaxis") and isinstance(axis, dict) and axis.get("side") != "right"
    ]
    y_title_px = max((26 + 16 * title.count("<br>") for title in y_titles if title), default=0)
    # in a grid with a shared year axis only the bottom panel's x axis (xaxis2...) has a title
    has_x_title = any(
        (axis.get("title") or {}).get("text") for key, axis in layout.items() if key.startswith("xaxis")
    )
    margin = dict(layout["margin"])
    left = 18 + round(_CHAR_WIDTH * _label_chars(traces, yaxis)) + y_title_px
    margin["l"] = max(margin.get("l", 0), min(320, left + _AUTOMARGIN_PAD))
    colorbar = _has_colorbar(traces)
    if colorbar:
        margin["r"] = max(margin.get("r", 0), _COLORBAR_PX)
    figure_px = _NARROW_FIGURE_PX if narrow else _WIDE_FIGURE_PX
    plot_px = figure_px - margin["l"] - margin.get("r", 0)
    rows = _legend_rows(traces, plot_px) if layout.get("showlegend", True) else 0
    axis_px = _TICK_LABELS_PX + (_X_TITLE_PX if has_x_title else 0)
    below = axis_px + (14 + 22 * rows if rows else 0) + (10 if colorbar else 0)
    margin["b"] = max(margin.get("b", 0), below + _AUTOMARGIN_PAD)
    return {**layout, "margin": margin}
