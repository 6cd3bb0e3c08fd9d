"""The intake page's chart: how units reported, year by year."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from app.charts.common import HOVER_END, MISSING_COLOR, base_layout, count_axis, figure, years_label
from app.intake import LATE, MISSING, ON_TIME, REJECTED

_COLORS = {ON_TIME: "#009E73", LATE: "#E69F00", REJECTED: "#D55E00", MISSING: MISSING_COLOR}


def timeliness_chart(counts: pl.DataFrame) -> go.Figure:
    """Stacked bars per year: units that reported on time, late, were rejected, or are missing."""
    years = sorted(counts["year"].unique().to_list())
    traces = []
    for status in (ON_TIME, LATE, REJECTED, MISSING):
        part = counts.filter(pl.col("status") == status).sort("year")
        traces.append(
            {
                "type": "bar",
                "name": status,
                "x": part["year"].to_list(),
                "y": part["n_units"].to_list(),
                "marker": {"color": _COLORS[status]},
                "hovertemplate": f"Năm %{{x}}<br>{status}: %{{y:,d}} đơn vị{HOVER_END}",
            }
        )
    layout = base_layout(
        f"Tình hình nộp báo cáo theo hạn nộp, {years_label(years)}",
        subtitle="Chỉ tính các đơn vị đang hoạt động trong năm; nộp muộn là bản được nhận đầu tiên sau hạn "
        "của năm đó (20/11 nếu Sở không đặt hạn khác).",
        y=count_axis("Số đơn vị", counts.group_by("year").agg(pl.col("n_units").sum())["n_units"].max()),
    )
    layout["barmode"] = "stack"
    return figure(traces, layout)
