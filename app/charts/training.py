"""Charts of the training page: sessions and participants by year and unit type, coverage per unit."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from app.charts.common import (
    HOVER_END,
    UNIT_TYPE_COLORS,
    axis_ref,
    bar_label_range,
    base_layout,
    figure,
    grid,
    row_labels,
    type_codes,
    units_layout,
    x_axis,
    y_axis,
    years_label,
)
from app.fmt import fmt_int, fmt_num
from etl.catalogue import load_catalogue
from etl.registry import UNIT_TYPES

_MEASURES = (("sessions", "training_sessions"), ("participants", "training_participants"))


def training_by_year_chart(df: pl.DataFrame) -> go.Figure:
    """Sessions (top) and participants (below) per year, stacked by unit type, one shared legend.

    The panels stand one above the other on a shared year axis: side by side, a phone squeezed
    each to a third of its width and the right panel's tick labels ran into the left one.
    """
    cat = load_catalogue()
    titles = [f"{cat[code].short_vi} ({cat[code].unit_vi})" for _, code in _MEASURES]
    traces = []
    for panel, (measure, code) in enumerate(_MEASURES):
        xr, yr = axis_ref(panel)
        unit_vi = cat[code].unit_vi
        for unit_type, type_vi in UNIT_TYPES.items():
            sub = df.filter(pl.col("unit_type") == unit_type).sort("year")
            if sub.is_empty():
                continue
            custom = [
                [type_vi, str(y), fmt_int(v), fmt_int(n)]
                for y, v, n in sub.select("year", measure, "n_units").iter_rows()
            ]
            traces.append(
                {
                    "type": "bar",
                    "x": sub["year"].to_list(),
                    "y": sub[measure].to_list(),
                    "xaxis": xr,
                    "yaxis": yr,
                    "name": type_vi,
                    "legendgroup": unit_type,
                    "showlegend": panel == 0,
                    "marker": {"color": UNIT_TYPE_COLORS[unit_type]},
                    "customdata": custom,
                    "hovertemplate": (
                        "<b>%{customdata[0]}</b>, năm %{customdata[1]}<br>"
                        + cat[code].short_vi
                        + f": %{{customdata[2]}} {unit_vi}<br>Số đơn vị báo cáo: %{{customdata[3]}}"
                        + HOVER_END
                    ),
                }
            )
    layout = base_layout(
        f"Lớp tập huấn và lượt người dự theo loại đơn vị, {years_label(df['year'].to_list())}",
        subtitle="Cộng các đơn vị đã báo cáo; màu theo loại đơn vị.",
        height=620,
        panel_titles=True,
    )
    layout = grid(layout, 2, 1, x=x_axis("Năm"), y=y_axis(), titles=titles, vspace=0.14, shared_x=True)
    return figure(traces, {**layout, "barmode": "stack"})


def coverage_chart(cov: pl.DataFrame, year: int, *, max_units: int = 50) -> go.Figure:
    """Participants per staff member per unit in one year (horizontal bars, by unit type colour)."""
    df = cov.filter(pl.col("per_staff").is_not_null()).sort("per_staff", "unit_code")
    shown = df.head(max_units) if df.height > max_units else df
    names = row_labels(shown)
    custom = [
        [n, t, fmt_num(p, 2), fmt_int(s), fmt_int(pt), fmt_int(st)]
        for n, t, p, s, pt, st in zip(
            names,
            *(shown[c].to_list() for c in ("unit_type_vi", "per_staff", "sessions", "participants", "staff")),
            strict=True,
        )
    ]
    # one trace per unit type, so the legend says what the colours mean
    traces = []
    types = type_codes(shown)
    per_staff = shown["per_staff"].to_list()
    for unit_type, type_vi in UNIT_TYPES.items():
        idx = [i for i, t in enumerate(types) if t == unit_type]
        if not idx:
            continue
        traces.append(
            {
                "type": "bar",
                "x": [per_staff[i] for i in idx],
                "y": [names[i] for i in idx],
                "orientation": "h",
                "name": type_vi,
                "marker": {"color": UNIT_TYPE_COLORS[unit_type]},
                "customdata": [custom[i] for i in idx],
                "text": [custom[i][2] for i in idx],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": (
                    "<b>%{customdata[0]}</b> (%{customdata[1]})<br>Lượt dự trên mỗi viên chức: %{customdata[2]}"
                    "<br>Số lớp: %{customdata[3]}<br>Lượt người dự: %{customdata[4]}"
                    "<br>Số viên chức, NLĐ: %{customdata[5]}" + HOVER_END
                ),
            }
        )
    note = f" ({len(names)} đơn vị thấp nhất trong {fmt_int(df.height)})" if df.height > max_units else ""
    layout = units_layout(
        f"Lượt người dự tập huấn trên mỗi viên chức, năm {year}{note}",
        names,
        x_axis("Lượt dự / viên chức (lượt/người)", years=False, range=bar_label_range(per_staff)),
        subtitle="Màu theo loại đơn vị. 1,0 nghĩa là trung bình mỗi viên chức dự một lượt tập huấn trong năm.",
        legend=True,
        top_first=False,
        min_height=380,
        extra_height=120,
    )
    return figure(traces, layout)
