"""Charts of the complaints page: channels, received vs resolved with the resolution rate,
complaints per 10.000 visits, citizen reception and leader dialogues."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from app.charts.common import (
    HOVER_END,
    bar_label_range,
    base_layout,
    count_axis,
    domain_color,
    figure,
    grid,
    row_labels,
    series_color,
    units_layout,
    x_axis,
    y_axis,
    years_label,
)
from app.fmt import fmt_int, fmt_num, fmt_pct


def count_bars(
    years: Sequence[int],
    values: Sequence[float | None],
    n_units: Sequence[int | None],
    label: str,
    color: str,
    unit_word: str,
) -> dict:
    """One bar series of yearly counts, the hover giving the count and how many units reported it."""
    custom = [[label, str(y), fmt_int(v), fmt_int(n)] for y, v, n in zip(years, values, n_units, strict=True)]
    return {
        "type": "bar",
        "x": list(years),
        "y": list(values),
        "name": label,
        "marker": {"color": color},
        "customdata": custom,
        "hovertemplate": f"<b>%{{customdata[0]}}</b>, năm %{{customdata[1]}}: %{{customdata[2]}} {unit_word}"
        "<br>Số đơn vị báo cáo: %{customdata[3]}" + HOVER_END,
    }


def channels_chart(ch: pl.DataFrame) -> go.Figure:
    """Feedback per year, stacked by channel."""
    traces = []
    for i, code in enumerate(ch["indicator_code"].unique(maintain_order=True).to_list()):
        sub = ch.filter(pl.col("indicator_code") == code).sort("year")
        traces.append(
            count_bars(
                sub["year"].to_list(),
                sub["value"].to_list(),
                sub["n_units"].to_list(),
                sub["label"][0],
                series_color(code, i),
                "lượt",
            )
        )
    layout = base_layout(
        f"Phản ánh, góp ý theo kênh tiếp nhận, {years_label(ch['year'].to_list())}",
        x=x_axis("Năm"),
        y=y_axis("Số lượt phản ánh (lượt)"),
    )
    return figure(traces, {**layout, "barmode": "stack"})


_FLOW_SERIES = (
    ("received", "complaints_received", "Tiếp nhận trong năm"),
    ("carried_in", "complaints_carried_in", "Tồn năm trước chuyển sang"),
    ("resolved", "complaints_resolved", "Đã giải quyết"),
    ("outstanding", "complaints_outstanding", "Còn tồn cuối năm"),
)


def complaint_flow_chart(flow: pl.DataFrame) -> go.Figure:
    """Received, carried over, resolved and still open per year (grouped bars, top) and the
    province-wide resolution rate (line, bottom), protracted cases in the rate's hover."""
    df = flow.sort("year")
    years = df["year"].to_list()
    n_units = df["n_units"].to_list()
    traces = [
        count_bars(years, df[col].to_list(), n_units, label, series_color(code), "đơn")
        for col, code, label in _FLOW_SERIES
    ]
    custom = [
        [str(y), fmt_pct(r), fmt_int(p), fmt_int(n)]
        for y, r, p, n in df.select("year", "rate_pct", "protracted", "n_units").iter_rows()
    ]
    traces.append(
        {
            "type": "scatter",
            "x": years,
            "y": df["rate_pct"].to_list(),
            "xaxis": "x2",
            "yaxis": "y2",
            "mode": "lines+markers+text",
            "line": {"color": domain_color("khieu_nai"), "width": 3},
            "text": [c[1] for c in custom],
            # every other label above the line when the years are many: on a phone a year is
            # about 25 px wide, less than a "93,6%" label
            "textposition": [
                "top center" if len(years) > 6 and i % 2 else "bottom center" for i in range(len(years))
            ],
            "textfont": {"size": 11},
            "cliponaxis": False,  # the first year's label reaches past the plot's left edge
            "customdata": custom,
            "name": "Tỷ lệ giải quyết",
            "showlegend": False,
            "hovertemplate": (
                "Năm %{customdata[0]}: <b>%{customdata[1]}</b> đơn thư đã giải quyết"
                "<br>Vụ việc phức tạp, kéo dài: %{customdata[2]}<br>Số đơn vị báo cáo: %{customdata[3]}"
                + HOVER_END
            ),
        }
    )
    layout = base_layout(
        f"Đơn thư tiếp nhận, giải quyết, tồn đọng và tỷ lệ giải quyết, {years_label(years)}",
        subtitle="Tỷ lệ giải quyết = đã giải quyết / (tiếp nhận + tồn năm trước); ô tồn năm trước để trống "
        "được tính là 0.",
        height=600,
    )
    layout = grid(
        layout, 2, 1, x=x_axis("Năm"), y=y_axis(), row_heights=[0.62, 0.38], vspace=0.08, shared_x=True
    )
    layout["yaxis"]["title"] = {"text": "Số đơn thư (đơn)"}
    layout["yaxis2"] |= {"title": {"text": "Tỷ lệ giải quyết (%)"}, "ticksuffix": "%", "range": [0, 120]}
    return figure(traces, {**layout, "barmode": "group"})


def per_10k_chart(by_unit: pl.DataFrame, year: int, *, max_units: int = 50) -> go.Figure:
    """Complaints per 10.000 patient visits per unit (only units that report visits)."""
    df = by_unit.filter(pl.col("per_10k").is_not_null()).sort(
        "per_10k", "unit_code", descending=[True, False]
    )
    shown = df.head(max_units)
    names = row_labels(shown)
    custom = [
        [n, fmt_num(p, 2), fmt_int(r), fmt_int(v)]
        for n, p, r, v in zip(
            names, *(shown[c].to_list() for c in ("per_10k", "received", "visits")), strict=True
        )
    ]
    bars = {
        "type": "bar",
        "x": shown["per_10k"].to_list(),
        "y": names,
        "orientation": "h",
        "marker": {"color": domain_color("khieu_nai")},
        "customdata": custom,
        "text": [c[1] for c in custom],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": (
            "<b>%{customdata[0]}</b><br>Đơn thư trên 10.000 lượt khám: %{customdata[1]}"
            "<br>Đơn thư tiếp nhận: %{customdata[2]}<br>Lượt khám bệnh: %{customdata[3]}" + HOVER_END
        ),
    }
    note = f" ({len(names)} đơn vị cao nhất trong {fmt_int(df.height)})" if df.height > max_units else ""
    layout = units_layout(
        f"Đơn thư trên 10.000 lượt khám bệnh, năm {year}{note}",
        names,
        x_axis(
            "Đơn thư / 10.000 lượt khám (đơn)", years=False, range=bar_label_range(shown["per_10k"].to_list())
        ),
        subtitle="Chỉ các đơn vị có báo cáo tổng lượt khám bệnh.",
    )
    return figure([bars], layout)


def reception_chart(rec: pl.DataFrame) -> go.Figure:
    """Citizen-reception sessions and leader dialogues per year (lines)."""
    traces = []
    for i, code in enumerate(("citizen_reception_days", "leader_dialogues")):
        sub = rec.filter(pl.col("indicator_code") == code).sort("year")
        if sub.is_empty():
            continue
        label, unit = sub["label"][0], sub["unit_vi"][0]
        custom = [
            [str(y), fmt_int(v), fmt_int(n)] for y, v, n in sub.select("year", "value", "n_units").iter_rows()
        ]
        traces.append(
            {
                "type": "scatter",
                "x": sub["year"].to_list(),
                "y": sub["value"].to_list(),
                "mode": "lines+markers",
                "name": f"{label} ({unit})",
                "line": {"color": series_color(code, i), "width": 2.5},
                "marker": {"size": 6},
                "customdata": custom,
                "hovertemplate": f"<b>{label}</b> năm %{{customdata[0]}}: %{{customdata[1]}} {unit}"
                "<br>Số đơn vị báo cáo: %{customdata[2]}" + HOVER_END,
            }
        )
    layout = base_layout(
        f"Tiếp công dân và đối thoại của người đứng đầu, {years_label(rec['year'].to_list())}",
        height=360,
        x=x_axis("Năm"),
        y=count_axis("Số buổi / cuộc", rec["value"].max() if rec.height else None),
    )
    return figure(traces, layout)
