"""Charts of the unit profile: one unit's indicators and CCHC rank over the years, lineage marked."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from app import metrics
from app.charts.common import (
    HOVER_END,
    LINE_PALETTE,
    MISSING_COLOR,
    SERIES_COLORS,
    axis_ref,
    base_layout,
    figure,
    grid,
    rgba,
    value_text,
    vline,
    wrap_text,
    x_axis,
    y_axis,
    years_label,
)
from app.charts.ranks import rank_axis, rank_line
from app.fmt import NOT_REPORTED, fmt_int, fmt_num, fmt_rank
from etl.catalogue import load_catalogue


def unit_trend_chart(
    history: pl.DataFrame,
    codes: Sequence[str],
    title: str,
    y_title: str | None,
    *,
    active_years: Sequence[int] = (),
    events: Sequence[tuple[int, str]] = (),
    wilson: bool = False,
    subtitle: str | None = None,
    narrow: bool = False,
    split: bool = False,
) -> go.Figure:
    """One unit's indicators over the years; blanks in an active year get a grey cross.

    `events` (year, label) are drawn as dotted vertical lines with a note (lineage:
    renamed, merged). With `wilson`, percentage series get their 95% band. With `split`,
    each indicator gets its own panel and y axis (stacked, sharing the years), for series
    of different sizes such as participants (thousands) and classes (tens).
    """
    cat = load_catalogue()
    df = history.sort("year")
    present = [c for c in codes if c in df.columns and df[c].is_not_null().any()]
    panels = len(present) if split and present else 1
    all_years = sorted(set(df["year"].to_list()) | set(active_years))
    active = set(active_years)
    traces: list[dict] = []
    missing_shown = False
    for i, code in enumerate(present):
        xr, yr = axis_ref(i if panels > 1 else 0)
        ind = cat[code]
        color = SERIES_COLORS[code] if code.startswith("sat_") else LINE_PALETTE[i % len(LINE_PALETTE)]
        by_year = dict(zip(df["year"].to_list(), df[code].to_list(), strict=True))
        n_by_year = (
            dict(zip(df["year"].to_list(), df[ind.n_code].to_list(), strict=True))
            if ind.n_code and ind.n_code in df.columns
            else {}
        )
        ys = [by_year.get(y) for y in all_years]
        if wilson and ind.n_code and n_by_year:
            traces.extend(_wilson_band(all_years, by_year, n_by_year, color, (xr, yr)))
        custom = [
            [
                str(y),
                value_text(v, ind.kind, ind.unit_vi),
                fmt_int(n_by_year.get(y)) if n_by_year.get(y) is not None else "không có",
            ]
            for y, v in zip(all_years, ys, strict=True)
        ]
        n_line = "<br>Số phiếu khảo sát: %{customdata[2]}" if ind.n_code else ""
        traces.append(
            {
                "type": "scatter",
                "x": all_years,
                "y": ys,
                "xaxis": xr,
                "yaxis": yr,
                "mode": "lines+markers",
                "name": ind.short_vi,
                "connectgaps": False,
                "line": {"color": color, "width": 2.5},
                "marker": {"size": 7},
                "customdata": custom,
                "hovertemplate": f"<b>{ind.short_vi}</b> năm %{{customdata[0]}}: %{{customdata[1]}}{n_line}"
                + HOVER_END,
            }
        )
        gaps = [y for y, v in zip(all_years, ys, strict=True) if v is None and y in active]
        if gaps:
            filled = _carry(ys)
            traces.append(
                {
                    "type": "scatter",
                    "x": gaps,
                    "y": [filled[all_years.index(y)] for y in gaps],
                    "xaxis": xr,
                    "yaxis": yr,
                    "mode": "markers",
                    "name": NOT_REPORTED,
                    "legendgroup": "missing",
                    "showlegend": not missing_shown,
                    "marker": {"symbol": "x-thin", "size": 12, "line": {"width": 2, "color": MISSING_COLOR}},
                    "customdata": [[str(y)] for y in gaps],
                    "hovertemplate": f"<b>{ind.short_vi}</b> năm %{{customdata[0]}}: {NOT_REPORTED}"
                    + HOVER_END,
                }
            )
            missing_shown = True
    percent = {"ticksuffix": "%"} if {cat[c].unit_vi for c in present} == {"%"} else {}
    # counts start at zero: 13 and 20 classes a year should not look like a tripling
    counts = {"rangemode": "tozero"} if all(cat[c].kind == "int" for c in present) else {}
    layout = base_layout(
        title,
        subtitle=subtitle,
        height=400 + 120 * (panels - 1),
        narrow=narrow,
        x=x_axis("Năm"),
        y=y_axis(y_title, **percent, **counts),
    )
    if panels > 1:
        layout = grid(layout, panels, 1, x=x_axis("Năm"), y=y_axis(**percent), vspace=0.1, shared_x=True)
        for i, code in enumerate(present):
            name = "yaxis" if i == 0 else f"yaxis{i + 1}"
            layout[name]["title"] = {"text": wrap_text(cat[code].label(), 28)}
            if cat[code].kind == "int":
                layout[name]["rangemode"] = "tozero"
    return figure(traces, mark_events(layout, events, all_years, narrow=narrow, panels=panels), narrow=narrow)


def _wilson_band(
    years: list[int],
    by_year: dict[int, float | None],
    n_by_year: dict[int, float | None],
    color: str,
    axes: tuple[str, str],
) -> list[dict]:
    """The 95% Wilson band of a percentage series (years with a rate and a survey size)."""
    pts = [(y, by_year.get(y), n_by_year.get(y)) for y in years]
    pts = [(y, float(p), float(n)) for y, p, n in pts if p is not None and n is not None and n > 0]
    if not pts:
        return []
    lo, hi = metrics.wilson_interval("p", "n")
    bounds = pl.DataFrame(pts, schema=["year", "p", "n"], orient="row").select(
        "year", lo.alias("lo"), hi.alias("hi")
    )
    xs = bounds["year"].to_list()
    return [
        {
            "type": "scatter",
            "x": xs + xs[::-1],
            "y": bounds["hi"].to_list() + bounds["lo"].to_list()[::-1],
            "xaxis": axes[0],
            "yaxis": axes[1],
            "fill": "toself",
            "fillcolor": rgba(color, 0.15),
            "line": {"width": 0},
            "hoverinfo": "skip",
            "showlegend": False,
            "mode": "lines",
        }
    ]


def mark_events(
    layout: dict,
    events: Sequence[tuple[int, str]],
    years: Sequence[int],
    *,
    narrow: bool = False,
    panels: int = 1,
) -> dict:
    """`layout` with dotted vertical lines at lineage events (renamed, merged), crossing every
    panel, and their labels above the plot.

    The x axis is pinned to `years` (and the events) so a long label never stretches it; a
    label in the right half of the chart extends to the left.
    """
    out = dict(layout)
    span = sorted({*years, *(y for y, _ in events)})
    if span:
        pinned = {"range": [span[0] - 0.4, span[-1] + 0.4], "dtick": 2 if narrow and len(span) > 6 else 1}
        for i in range(panels):
            name = "xaxis" if i == 0 else f"xaxis{i + 1}"
            out[name] = {**out[name], **pinned}
    middle = (span[0] + span[-1]) / 2 if span else 0
    width = 45 if narrow else 90
    shapes = list(out.get("shapes", []))
    annotations = list(out.get("annotations", []))
    for year, label in events:
        shapes.extend(vline(year, axes=axis_ref(i), color="#555", dash="dot") for i in range(panels))
        annotations.append(
            {
                "x": year,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": wrap_text(label, width),
                "showarrow": False,
                "xanchor": "right" if year > middle else "left",
                "font": {"size": 11, "color": "#333"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    out["shapes"], out["annotations"] = shapes, annotations
    if events:
        lines = max(wrap_text(label, width).count("<br>") + 1 for _, label in events)
        out["margin"] = {**out["margin"], "t": out["margin"]["t"] + 8 + 16 * lines}
    return out


def _carry(values: list[float | None]) -> list[float | None]:
    """Values with blanks filled from the nearest earlier (else later) value: where a gap marker sits."""
    out: list[float | None] = []
    last = None
    for v in values:
        last = v if v is not None else last
        out.append(last)
    first = next((v for v in values if v is not None), None)
    return [v if v is not None else first for v in out]


def unit_rank_chart(
    history: pl.DataFrame,
    unit_name: str,
    events: Sequence[tuple[int, str]] = (),
    years: Sequence[int] = (),
) -> go.Figure:
    """One unit's reported CCHC rank "X/N" over the years, rank 1 on top; `years` sets the x axis
    and the span in the title (the years the unit existed in the period)."""
    df = history.filter(pl.col("cchc_rank").is_not_null()).sort("year")
    labels = [fmt_rank(r, n) for r, n in df.select("cchc_rank", "cchc_rank_of").iter_rows()]
    custom = [
        [str(y), lbl, fmt_num(s, 1)]
        for y, lbl, s in zip(df["year"].to_list(), labels, df["cchc_score"].to_list(), strict=True)
    ]
    max_n = int(df["cchc_rank_of"].max() or df["cchc_rank"].max() or 1)
    line = rank_line(
        df["year"].to_list(),
        df["cchc_rank"].to_list(),
        labels,
        max_n,
        name="Thứ hạng CCHC",
        custom=custom,
        hovertemplate=f"<b>{unit_name}</b> năm %{{customdata[0]}}: hạng %{{customdata[1]}}"
        "<br>Điểm CCHC: %{customdata[2]}" + HOVER_END,
    )
    span = list(years) or df["year"].to_list()
    layout = base_layout(
        f"Thứ hạng CCHC của {unit_name} theo báo cáo, {years_label(span)}",
        subtitle="Nhãn X/N: hạng X trong N đơn vị cùng đợt xếp hạng.",
        height=380,
        legend=False,
        x=x_axis("Năm"),
        y=rank_axis(max_n),
    )
    return figure([line], mark_events(layout, events, span))
