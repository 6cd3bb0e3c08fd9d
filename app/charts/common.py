"""What every chart shares: palettes, the common layout, axes, unit labels and value text.

Shared look: Vietnamese titles that name the years, axis titles with units, numbers the
Vietnamese way (`separators=",."` on axes; hovers and labels pre-formatted with app.fmt),
one colour per domain and per unit type (Okabe-Ito, colour-blind safe). "Chưa báo cáo" is
never drawn as zero: grey cells in heatmaps, a gap plus a grey cross on lines, a named
grey marker in bar charts.

Figures are built from plain dicts (base_layout, grid, vline...) and validated once by
`figure`: Plotly's step-by-step `update_*` and `add_vline` calls cost ten times more on the
server, and every millisecond there delays the first chart in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from app.charts.margins import fit_margins
from app.fmt import NOT_REPORTED, PLOTLY_SEPARATORS, fmt_int, fmt_num, fmt_pct
from app.tables.common import labels_for
from etl.catalogue import load_domains
from etl.registry import UNIT_TYPES

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Okabe-Ito without the yellow, which is unreadable as a thin line on white
LINE_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999")
UNIT_TYPE_COLORS: dict[str, str] = {
    "bv_tinh": "#0072B2",
    "bv_chuyen_khoa": "#56B4E9",
    "ttyt": "#009E73",
    "tt_tinh": "#E69F00",
    "chi_cuc": "#CC79A7",
    "co_quan_so": "#000000",  # not vermillion: beside the orange of tt_tinh the two read as one
}
# fixed colours for series that appear on several pages
SERIES_COLORS: dict[str, str] = {
    "sat_inpatient_pct": "#009E73",
    "sat_outpatient_pct": "#0072B2",
    "sat_staff_pct": "#E69F00",
    "sat_inpatient_score": "#009E73",
    "sat_outpatient_score": "#0072B2",
    "channel_hotline": "#D55E00",
    "channel_mailbox": "#E69F00",
    "channel_direct": "#0072B2",
    "channel_online": "#CC79A7",
    "complaints_received": "#D55E00",
    "complaints_carried_in": "#E69F00",
    "complaints_resolved": "#009E73",
    "complaints_outstanding": "#CC79A7",
    "citizen_reception_days": "#0072B2",
    "leader_dialogues": "#E69F00",
    "citizen_visits": "#56B4E9",
}
MISSING_COLOR = "#BDBDBD"
BACKGROUND_LINE = "#D0D0D0"
NEUTRAL_TEXT = "#444444"
FONT_FAMILY = '"Source Sans", "Source Sans Pro", "Noto Sans", "DejaVu Sans", Arial, sans-serif'
HOVER_END = "<extra></extra>"  # hides Plotly's trace-name box


def domain_color(domain: str) -> str:
    domains = load_domains()
    return domains[domain].color if domain in domains else OKABE_ITO[0]


def series_color(code: str, index: int = 0) -> str:
    return SERIES_COLORS.get(code, OKABE_ITO[index % len(OKABE_ITO)])


def rgba(hex_color: str, alpha: float) -> str:
    """'#0072B2', 0.15 -> 'rgba(0,114,178,0.15)' (for bands and fills)."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def years_label(years: Sequence[int]) -> str:
    """'2015–2025' or '2024' for chart titles."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def wrap_text(text: str, width: int) -> str:
    """Break a long subtitle into lines of about `width` characters (Plotly does not wrap)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return "<br>".join(lines)


def x_axis(title: str | None = None, *, years: bool = True, **extra: object) -> dict:
    """An x axis: no grid; years as whole numbers one per tick, else numbers the Vietnamese way."""
    ticks = {"tickmode": "linear", "dtick": 1, "tickformat": "d"} if years else {"tickformat": ",~f"}
    return {"title": {"text": title}, "showgrid": False, "automargin": True, **ticks, **extra}


def y_axis(title: str | None = None, **extra: object) -> dict:
    """A y axis: light grid, no zero line, numbers the Vietnamese way (4.000, not 4000)."""
    return {
        "title": {"text": title},
        "gridcolor": "#EAEAEA",
        "automargin": True,
        "zeroline": False,
        "tickformat": ",~f",
        **extra,
    }


TITLE_CHARS, SUBTITLE_CHARS = 48, 64
# the top margin's share of a title: each line (18 px type, 1,3 line height), and the pad above
# and gap below the title block
TITLE_LINE_PX, TITLE_GAP_PX = 24, 26


def count_axis(title: str, top: float | None) -> dict:
    """A y axis of whole things (units, cases): no "0,5 đơn vị" tick, one tick per unit when
    the tallest bar (`top`) is small, Plotly's own spacing of whole numbers otherwise."""
    extra: dict = {"tickformat": ",d", "rangemode": "tozero"}
    if top is not None and top <= 6:
        extra |= {"tick0": 0, "dtick": 1}
    return y_axis(title, **extra)


def base_layout(
    title: str,
    *,
    subtitle: str | None = None,
    height: int = 420,
    legend: bool = True,
    narrow: bool = False,
    panel_titles: bool = False,
    x: dict | None = None,
    y: dict | None = None,
    title_chars: int | None = None,
) -> dict:
    """The common layout: title (with subtitle), Vietnamese separators, legend below, one x and
    one y axis (x_axis() and y_axis() unless given).

    `narrow` is for a chart in a half-width column (its legend wraps sooner);
    `panel_titles` leaves room above the plot for the titles of subplots; `title_chars` wraps
    the title at that many characters (a chart in a third of the width). Figures are built
    from plain dicts and validated once by `figure`: Plotly's step-by-step updates cost
    ten times more, and every millisecond the server spends here delays the first chart.
    """
    # lines a phone shows whole (about 50 title and 65 subtitle characters at 390 px), which
    # are also the lengths that read best on a wide screen; Plotly itself never wraps
    sub = wrap_text(subtitle, SUBTITLE_CHARS) if subtitle else ""
    title_text = wrap_text(title, title_chars or TITLE_CHARS)
    # a title line is 1,3 x its 18 px font, a subtitle line 1,3 x 13 px; then room for labels
    # drawn just above the plot (a rank chart's top row)
    top = (
        TITLE_GAP_PX
        + TITLE_LINE_PX * (title_text.count("<br>") + 1)
        + (24 + 18 * sub.count("<br>") if sub else 0)
    )
    top += 28 if panel_titles else 0
    return {
        # the title block hangs from the top (Plotly centres it in the top margin otherwise, and a
        # long one then runs into the plot)
        "title": {
            "text": title_text,
            "subtitle": {"text": sub},
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14},
        },
        "separators": PLOTLY_SEPARATORS,
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#31333F"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": top + 10, "b": 10},
        "showlegend": legend,
        # at the figure's foot, below the axis labels whatever their height: Plotly keeps room
        # above a legend placed in the container for the labels (on a phone the year labels
        # stand upright and grow taller than any offset under the plot would allow)
        "legend": {
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "xanchor": "left",
            "x": 0,
            "title": {"text": None},
        },
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "xaxis": x if x is not None else x_axis(),
        "yaxis": y if y is not None else y_axis(),
    }


def figure(traces: list[dict], layout: dict, *, narrow: bool = False) -> go.Figure:
    """The figure of `traces` (dicts with a "type") and `layout`, validated once.

    The left and bottom margins are set to what the tick labels, axis titles and legend
    need (fit_margins): Plotly would otherwise draw the chart, find the margins too small
    and draw it again, which doubles its cost in the browser. `narrow`: the chart sits in a
    half-width column (its legend wraps sooner).
    """
    return go.Figure(data=traces, layout=fit_margins(traces, _year_range(traces, layout), narrow=narrow))


def _year_range(traces: list[dict], layout: dict) -> dict:
    """A year axis (x_axis(years=True)) without a range of its own spans the data's years and
    half a year either side: Plotly's padding would otherwise show an empty year (2014 before
    a 2015 start, 2018 before a unit founded in 2019)."""
    axis = layout.get("xaxis")
    if (
        not isinstance(axis, dict)
        or axis.get("dtick") != 1
        or "range" in axis
        or axis.get("tickformat") != "d"
    ):
        return layout
    years = [
        x
        for t in traces
        if t.get("xaxis", "x") == "x" and t.get("type") in (None, "scatter", "bar")
        for x in (t.get("x") or [])
        if isinstance(x, int | float) and not isinstance(x, bool)
    ]
    if not years:
        return layout
    return {**layout, "xaxis": {**axis, "range": [min(years) - 0.5, max(years) + 0.5]}}


def axis_ref(panel: int) -> tuple[str, str]:
    """("x", "y") for the first panel of a grid, ("x2", "y2") for the second..."""
    return ("x", "y") if panel == 0 else (f"x{panel + 1}", f"y{panel + 1}")


def grid(
    layout: dict,
    rows: int,
    cols: int,
    *,
    x: dict,
    y: dict,
    titles: Sequence[str] = (),
    hspace: float = 0.07,
    vspace: float = 0.12,
    row_heights: Sequence[float] | None = None,
    shared_x: bool = False,
) -> dict:
    """`layout` with one axis pair per panel, panels numbered row by row (axis_ref(i) names them).

    Domains are computed as plotly.subplots.make_subplots does, without its cost; `titles`
    go above the panels; with `shared_x` the panels of a column share one year axis and
    only the bottom one shows its ticks.
    """
    heights = list(row_heights or [1.0] * rows)
    free_h, free_v = 1 - hspace * (cols - 1), 1 - vspace * (rows - 1)
    width = free_h / cols
    tops = []
    top = 1.0
    for h in heights:
        tops.append(top)
        top -= free_v * h / sum(heights) + vspace
    out = {k: v for k, v in layout.items() if k not in ("xaxis", "yaxis")}
    annotations = list(out.get("annotations", []))
    for i in range(rows * cols):
        row, col = divmod(i, cols)
        xr, yr = axis_ref(i)
        x0 = col * (width + hspace)
        y1 = tops[row]
        y0 = y1 - free_v * heights[row] / sum(heights)
        x_extra: dict = {"domain": [max(0.0, round(x0, 6)), min(1.0, round(x0 + width, 6))], "anchor": yr}
        if shared_x and row < rows - 1:
            x_extra |= {"showticklabels": False, "title": {"text": None}}
        if shared_x and row > 0:
            x_extra["matches"] = axis_ref(col)[0]
        out["xaxis" if i == 0 else f"xaxis{i + 1}"] = {**x, **x_extra}
        # rounded: float sums drift just outside [0, 1], which Plotly refuses
        y_domain = [max(0.0, round(y0, 6)), min(1.0, round(y1, 6))]
        out["yaxis" if i == 0 else f"yaxis{i + 1}"] = {**y, "domain": y_domain, "anchor": xr}
        if i < len(titles) and titles[i]:
            annotations.append(
                {
                    "text": titles[i],
                    "x": x0 + width / 2,
                    "y": y1,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 13},
                }
            )
    out["annotations"] = annotations
    return out


def vline(
    x: float, *, axes: tuple[str, str] = ("x", "y"), color: str = "#888", dash: str | None = None
) -> dict:
    """A vertical line across the whole height of one panel."""
    return {
        "type": "line",
        "xref": axes[0],
        "x0": x,
        "x1": x,
        "yref": f"{axes[1]} domain",
        "y0": 0,
        "y1": 1,
        "line": {"color": color, "width": 1, "dash": dash},
    }


def hline(
    y: float, *, axes: tuple[str, str] = ("x", "y"), color: str = "#888", dash: str | None = None
) -> dict:
    """A horizontal line across the whole width of one panel."""
    return {
        "type": "line",
        "xref": f"{axes[0]} domain",
        "x0": 0,
        "x1": 1,
        "yref": axes[1],
        "y0": y,
        "y1": y,
        "line": {"color": color, "width": 1, "dash": dash},
    }


def note(text: str, x: float, y: float, *, xref: str = "x domain", yref: str = "y", **extra: object) -> dict:
    """A short label on the plot (no arrow), e.g. "Mục tiêu 90%" beside its line."""
    return {"text": text, "x": x, "y": y, "xref": xref, "yref": yref, "showarrow": False, **extra}


def row_labels(df: pl.DataFrame) -> list[str]:
    """The display name of each row's unit, in row order (see labels_for)."""
    mapping = labels_for(df)
    return [mapping[c] for c in df["unit_code"].to_list()]


def value_text(value: float | None, kind: str, unit_vi: str = "", decimals: int = 1) -> str:
    """A value as a person reads it: '92,5%', '1.234 lượt', '4,2 điểm', or 'Chưa báo cáo'."""
    if value is None:
        return NOT_REPORTED
    if kind == "pct" or unit_vi == "%":
        return fmt_pct(value)
    if kind == "int":
        return f"{fmt_int(value)} {unit_vi}".strip()
    return f"{fmt_num(value, decimals)} {unit_vi}".strip()


def type_codes(df: pl.DataFrame) -> list[str]:
    """The unit type code of each row, from its Vietnamese label (unit_type_vi)."""
    back = {v: k for k, v in UNIT_TYPES.items()}
    return [back.get(t, t) for t in df["unit_type_vi"].to_list()]


def units_layout(
    title: str,
    names: list[str],
    x: dict,
    *,
    subtitle: str | None = None,
    legend: bool = False,
    top_first: bool = True,
    min_height: int = 340,
    extra_height: int = 80,
) -> dict:
    """The layout of a chart with one row per unit (horizontal bars or dots): a row of 22 px per
    unit, the units' names on the y axis, the first of `names` on top (`top_first`).

    The height is the title block's, `extra_height` below the plot (axis labels, its title, a
    legend) and the rows': counted from a fixed total, a two-line title squeezed the rows
    until Plotly left out every other unit's name.
    """
    layout = base_layout(
        title,
        subtitle=subtitle,
        legend=legend,
        x=x,
        y=y_axis(
            None, type="category", categoryorder="array", categoryarray=names[::-1] if top_first else names
        ),
    )
    rows_px = 22 * len(names)
    return {**layout, "height": max(min_height, layout["margin"]["t"] + extra_height + rows_px)}


def bar_label_range(values: Sequence[float | None]) -> list[float]:
    """A value axis for bars labelled outside their ends: from zero (or the lowest negative)
    to the highest, with a quarter of the span added on each side that has bars. Plotly's
    own padding leaves a phone's narrow plot too little, and "+6,0" or "3,11" is cut off.

    >>> bar_label_range([4.0, 0.4]), bar_label_range([6.0, -2.0])
    ([0.0, 5.0], [-4.0, 8.0])
    """
    shown = [v for v in values if v is not None]
    low, high = min([0.0, *shown]), max([0.0, *shown])
    pad = 0.25 * ((high - low) or 1.0)
    return [low - pad if low < 0 else low, high + pad if high > 0 else high]
