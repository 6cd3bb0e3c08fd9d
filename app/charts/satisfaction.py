"""Charts of the satisfaction page: pooled trends with Wilson bands, unit x year heatmap, units
against the target, the mean 5-point score."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from app.charts.common import (
    HOVER_END,
    MISSING_COLOR,
    OKABE_ITO,
    base_layout,
    figure,
    hline,
    note,
    rgba,
    row_labels,
    series_color,
    units_layout,
    value_text,
    vline,
    x_axis,
    y_axis,
    years_label,
)
from app.fmt import NOT_REPORTED, fmt_int, fmt_num, fmt_pct
from app.tables.common import labels_for

HEATMAP_TEXT_CELLS = 300  # beyond this many cells the values are in the hover only (faster, calmer)
CLOSED_LABEL_COLOR = "#767676"


def satisfaction_trend_chart(trend: pl.DataFrame, target: float | None = None) -> go.Figure:
    """Pooled satisfaction per survey with its 95% Wilson band; survey forms in the hover."""
    traces = []
    for i, code in enumerate(trend["indicator_code"].unique(maintain_order=True).to_list()):
        sub = trend.filter(pl.col("indicator_code") == code).sort("year")
        color = series_color(code, i)
        label = sub["label"][0]
        xs = sub["year"].to_list()
        traces.append(
            {
                "type": "scatter",
                "x": xs + xs[::-1],
                "y": sub["hi"].to_list() + sub["lo"].to_list()[::-1],
                "fill": "toself",
                "fillcolor": rgba(color, 0.15),
                "line": {"width": 0},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": f"{label} (KTC 95%)",
                "mode": "lines",
            }
        )
        custom = [
            [str(y), fmt_pct(p), fmt_pct(lo), fmt_pct(hi), fmt_int(n), fmt_int(u), fmt_int(nu)]
            for y, p, lo, hi, n, u, nu in sub.select(
                "year", "pct", "lo", "hi", "n", "n_units", "n_units_no_size"
            ).iter_rows()
        ]
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": sub["pct"].to_list(),
                "mode": "lines+markers",
                "name": label,
                "line": {"color": color, "width": 2.5},
                "marker": {"size": 6},
                "customdata": custom,
                "hovertemplate": (
                    f"<b>{label}</b> năm %{{customdata[0]}}: %{{customdata[1]}}"
                    "<br>Khoảng tin cậy 95%: %{customdata[2]} – %{customdata[3]}"
                    "<br>Số phiếu khảo sát: %{customdata[4]} phiếu (%{customdata[5]} đơn vị)"
                    "<br>Đơn vị không báo số phiếu (không tính): %{customdata[6]}" + HOVER_END
                ),
            }
        )
    layout = base_layout(
        f"Tỷ lệ hài lòng toàn ngành (gộp phiếu khảo sát), {years_label(trend['year'].to_list())}",
        subtitle="Dải màu: khoảng tin cậy 95% (Wilson) theo tổng số phiếu khảo sát.",
        x=x_axis("Năm"),
        y=y_axis("Tỷ lệ hài lòng (%)", ticksuffix="%"),
    )
    if target is not None:
        layout["shapes"] = [hline(target, color="#555", dash="dash")]
        layout["annotations"] = [
            note(f"Mục tiêu {fmt_pct(target, 0)}", 1, target, xanchor="right", yanchor="top")
        ]
    return figure(traces, layout)


def heatmap_order(grid: pl.DataFrame, year: int) -> pl.DataFrame:
    """The heatmap's rows top to bottom: unit_code, label, is_closed.

    Units active in the grid's last year come first, best value of `year` on top (their
    latest value when `year` is blank). Units that closed before then follow, grouped by
    the unit that took them over, so the old district centres sit together under a line
    and never among today's units; their label says where they went ("A → B").
    """
    names = labels_for(grid)
    last = grid["year"].max()
    per_unit = grid.group_by("unit_code", maintain_order=True).agg(
        value_year=pl.col("value").filter(pl.col("year") == year).first(),
        value_last=pl.col("value").drop_nulls().last(),
        is_closed=(pl.col("status").filter(pl.col("year") == last) == "inactive").all()
        & (pl.col("year") == last).any(),
        successor=pl.col("successor_name").first() if "successor_name" in grid.columns else pl.lit(None),
    )
    per_unit = per_unit.with_columns(
        sort_value=pl.coalesce("value_year", "value_last"),
        name=pl.col("unit_code").replace_strict(names, default=pl.col("unit_code")),
    )
    active = per_unit.filter(~pl.col("is_closed")).sort(
        ["sort_value", "name"], descending=[True, False], nulls_last=True
    )
    closed = per_unit.filter(pl.col("is_closed")).sort(["successor", "name"], nulls_last=True)
    return pl.concat([active, closed]).select(
        "unit_code",
        label=pl.when(pl.col("is_closed") & pl.col("successor").is_not_null())
        .then(pl.format("{} → {}", "name", "successor"))
        .otherwise(pl.col("name")),
        is_closed="is_closed",
    )


def heatmap_chart(
    grid: pl.DataFrame,
    label: str,
    kind: str,
    unit_vi: str,
    *,
    year: int | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Unit x year heatmap; "Chưa báo cáo" cells grey with a dash, inactive years left empty.

    Rows follow heatmap_order: today's units first (best of `year` on top), then the units
    that have closed, grouped by their successor, below a dark line and labelled in grey.
    """
    years = sorted(grid["year"].unique().to_list())
    order = heatmap_order(grid, year if year is not None else years[-1])
    codes = order["unit_code"].to_list()
    closed = order["is_closed"].to_list()
    # grey tick labels mark the closed units (Plotly reads this bit of HTML in tick text)
    y_labels = [
        f'<span style="color:{CLOSED_LABEL_COLOR}">{lbl}</span>' if is_closed else lbl
        for lbl, is_closed in zip(order["label"].to_list(), closed, strict=True)
    ]
    names = dict(zip(codes, order["label"].to_list(), strict=True))
    with_text = len(codes) * len(years) <= HEATMAP_TEXT_CELLS
    index = {(r["unit_code"], r["year"]): r for r in grid.iter_rows(named=True)}
    z, zmiss, text, tmiss, custom = [], [], [], [], []
    for code in codes:
        zrow, mrow, trow, tmrow, crow = [], [], [], [], []
        for y in years:
            row = index.get((code, y))
            status = row["status"] if row else "inactive"
            value = row["value"] if row else None
            n = row["n"] if row else None
            zrow.append(value if status == "reported" else None)
            mrow.append(1 if status == "missing" else None)
            trow.append(fmt_num(value, 1) if status == "reported" and with_text else "")
            tmrow.append("–" if status == "missing" else "")
            shown = (
                value_text(value, kind, unit_vi)
                if status == "reported"
                else (NOT_REPORTED if status == "missing" else "Chưa hoạt động / đã sáp nhập")
            )
            crow.append([names[code], str(y), shown, fmt_int(n) if n is not None else "không có"])
        z.append(zrow)
        zmiss.append(mrow)
        text.append(trow)
        tmiss.append(tmrow)
        custom.append(crow)
    hover = (
        "<b>%{customdata[0]}</b><br>Năm %{customdata[1]}: %{customdata[2]}<br>Số phiếu khảo sát: %{customdata[3]}"
        + HOVER_END
    )
    cells = {"type": "heatmap", "x": years, "y": y_labels, "customdata": custom, "hovertemplate": hover}
    missing = {
        **cells,
        "z": zmiss,
        "colorscale": [[0, MISSING_COLOR], [1, MISSING_COLOR]],
        "showscale": False,
        "text": tmiss,
        "texttemplate": "%{text}",
        "xgap": 2,
        "ygap": 2,
        "name": NOT_REPORTED,
    }
    values = {
        **cells,
        "z": z,
        "colorscale": "Viridis",
        "xgap": 2,
        "ygap": 2,
        "colorbar": {"title": {"text": unit_vi}, "ticksuffix": "%" if unit_vi == "%" else ""},
        "name": label,
    }
    if with_text:
        values |= {"text": text, "texttemplate": "%{text}", "textfont": {"size": 10}}
    n_active = closed.count(False)
    notes = ["Ô xám có dấu –: chưa báo cáo; ô trống: đơn vị chưa hoạt động hoặc đã sáp nhập năm đó."]
    if n_active < len(codes):
        notes.append("Dưới vạch đậm, chữ xám: đơn vị đã sáp nhập, giải thể (→ đơn vị kế thừa).")
    if not with_text:
        notes.append("Di chuột lên ô để xem tỷ lệ và số phiếu.")
    layout = base_layout(
        f"{label} theo đơn vị và năm, {years_label(years)}",
        subtitle=" ".join([subtitle, *notes] if subtitle else notes),
        height=max(360, 140 + 22 * len(codes)),
        legend=False,
        x=x_axis("Năm"),
        y=y_axis(
            None,
            type="category",
            categoryorder="array",
            categoryarray=y_labels,
            autorange="reversed",
            showgrid=False,
        ),
    )
    if 0 < n_active < len(codes):
        line = hline(n_active - 0.5, color="#333")
        line["line"]["width"] = 2
        layout["shapes"] = [line]
    return figure([missing, values], layout)


def unit_dots_chart(
    rows: pl.DataFrame, label: str, year: int, target: float, *, max_units: int = 50
) -> go.Figure:
    """One dot per unit with its 95% Wilson interval, against a target line (worst first)."""
    df = rows.sort("pct", "unit_code").head(max_units)
    names = row_labels(df)
    below = [p < target for p in df["pct"].to_list()]
    custom = [
        [n, fmt_pct(p), fmt_pct(lo), fmt_pct(hi), fmt_int(k) if k is not None else "không có"]
        for n, p, lo, hi, k in zip(names, *(df[c].to_list() for c in ("pct", "lo", "hi", "n")), strict=True)
    ]
    pct = df["pct"].to_list()
    err_plus = [(hi - p) if hi is not None else None for p, hi in zip(pct, df["hi"].to_list(), strict=True)]
    err_minus = [(p - lo) if lo is not None else None for p, lo in zip(pct, df["lo"].to_list(), strict=True)]
    dots = {
        "type": "scatter",
        "x": pct,
        "y": names,
        "mode": "markers",
        "marker": {"size": 9, "color": [OKABE_ITO[5] if b else OKABE_ITO[2] for b in below]},
        "error_x": {
            "type": "data",
            "array": err_plus,
            "arrayminus": err_minus,
            "color": "#999",
            "thickness": 1.2,
        },
        "customdata": custom,
        "name": label,
        "hovertemplate": (
            "<b>%{customdata[0]}</b><br>" + label + ": %{customdata[1]}"
            "<br>Khoảng tin cậy 95%: %{customdata[2]} – %{customdata[3]}"
            "<br>Số phiếu khảo sát: %{customdata[4]}" + HOVER_END
        ),
    }
    shown = f" ({df.height} đơn vị thấp nhất)" if rows.height > max_units else ""
    layout = units_layout(
        f"{label} của từng đơn vị so với mục tiêu {fmt_pct(target, 0)}, năm {year}{shown}",
        names,
        x_axis("Tỷ lệ hài lòng (%)", years=False, ticksuffix="%"),
        subtitle="Cam: dưới mục tiêu; xanh: đạt. Vạch ngang: khoảng tin cậy 95% theo số phiếu (ngắn = nhiều phiếu).",
    )
    layout["shapes"] = [vline(target, color="#555", dash="dash")]
    layout["annotations"] = [
        note(f"Mục tiêu {fmt_pct(target, 0)}", target, 1, xref="x", yref="y domain", yanchor="bottom")
    ]
    return figure([dots], layout)


def score_trend_chart(scores: pl.DataFrame) -> go.Figure:
    """Mean 5-point satisfaction score per year (weighted by survey forms)."""
    traces = []
    for i, code in enumerate(scores["indicator_code"].unique(maintain_order=True).to_list()):
        sub = scores.filter(pl.col("indicator_code") == code).sort("year")
        label = sub["label"][0]
        custom = [
            [str(y), fmt_num(s, 2), fmt_int(u), fmt_int(n) if n else "không có"]
            for y, s, u, n in sub.select("year", "score", "n_units", "n").iter_rows()
        ]
        traces.append(
            {
                "type": "scatter",
                "x": sub["year"].to_list(),
                "y": sub["score"].to_list(),
                "mode": "lines+markers",
                "name": label,
                "line": {"color": series_color(code, i), "width": 2.5},
                "marker": {"size": 6},
                "customdata": custom,
                "hovertemplate": (
                    f"<b>{label}</b> năm %{{customdata[0]}}: %{{customdata[1]}}/5"
                    "<br>Đơn vị báo cáo: %{customdata[2]}<br>Số phiếu khảo sát: %{customdata[3]}" + HOVER_END
                ),
            }
        )
    layout = base_layout(
        f"Điểm hài lòng trung bình (thang 5), {years_label(scores['year'].to_list())}",
        subtitle="Bình quân gia quyền theo số phiếu khảo sát của các đơn vị có báo cáo điểm.",
        height=360,
        x=x_axis("Năm"),
        y=y_axis("Điểm trung bình (điểm, thang 5)"),
    )
    return figure(traces, layout)
