"""Charts of the overview page: reporting per year, the key indicators' trends, biggest movers."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from app.charts.common import (
    HOVER_END,
    MISSING_COLOR,
    OKABE_ITO,
    axis_ref,
    bar_label_range,
    base_layout,
    domain_color,
    figure,
    grid,
    row_labels,
    units_layout,
    value_text,
    vline,
    x_axis,
    y_axis,
    years_label,
)
from app.fmt import fmt_int, fmt_num, fmt_pct
from etl.catalogue import load_domains

# the reporting rate belongs to no domain: a neutral dark grey
REPORTING_COLOR = "#555555"


def reporting_chart(rep: pl.DataFrame) -> go.Figure:
    """Units that reported vs units expected per year (stacked bars), rate as bar label."""
    years = rep["year"].to_list()
    custom = [
        [str(y), fmt_int(r), fmt_int(e), fmt_pct(p), fmt_int(late)]
        for y, r, e, p, late in rep.select("year", "reported", "expected", "rate_pct", "late").iter_rows()
    ]
    hover = (
        "Năm %{customdata[0]}<br>Đã báo cáo: %{customdata[1]}/%{customdata[2]} đơn vị (%{customdata[3]})"
        "<br>Nộp sau hạn 20/11: %{customdata[4]}" + HOVER_END
    )
    traces = [
        {
            "type": "bar",
            "x": years,
            "y": rep["reported"].to_list(),
            "name": "Đã báo cáo",
            "marker": {"color": OKABE_ITO[0]},
            "customdata": custom,
            "hovertemplate": hover,
            "text": [c[3] for c in custom],
            "textposition": "inside",
            "insidetextanchor": "end",
        },
        {
            "type": "bar",
            "x": years,
            "y": (rep["expected"] - rep["reported"]).to_list(),
            "name": "Chưa báo cáo",
            "marker": {"color": MISSING_COLOR, "pattern": {"shape": "/"}},
            "customdata": custom,
            "hovertemplate": hover,
        },
    ]
    layout = base_layout(
        f"Tình hình nộp báo cáo của các đơn vị, {years_label(years)}",
        subtitle="Chỉ tính các đơn vị đang hoạt động trong năm; nhãn trên cột là tỷ lệ đã báo cáo.",
        height=380,
        x=x_axis("Năm"),
        y=y_axis("Số đơn vị"),
    )
    return figure(traces, {**layout, "barmode": "stack"})


def pct_range(values: list[float | None], min_span: float = 10.0) -> list[float] | None:
    """A y range for a percentage panel at least `min_span` points tall, never past 0 or 100: a
    rate moving between 96% and 100% should not fill the panel like a collapse.

    >>> pct_range([96.4, 100.0]), pct_range([91.0, 95.0])
    ([89.5, 100.5], [87.5, 98.5])
    """
    shown = [v for v in values if v is not None]
    if not shown or max(shown) - min(shown) >= min_span:
        return None  # Plotly's own range fits
    middle = (min(shown) + max(shown)) / 2
    low = min(max(0.0, middle - min_span / 2), 100.0 - min_span)
    return [low - 0.5, low + min_span + 0.5]


TRENDS_NOTE = (
    "Mỗi ô một chỉ số, màu theo lĩnh vực; tỷ lệ đơn vị đã báo cáo và tỷ lệ Xuất sắc/Tốt tính bằng %, "
    "vì số đơn vị thay đổi khi sáp nhập."
)


def kpi_trend_columns(trends: pl.DataFrame, year: int | None = None, *, columns: int = 3) -> list[go.Figure]:
    """The key indicators' small multiples as `columns` figures of stacked panels, for a row of
    st.columns: side by side on a wide screen, one below the other on a phone (Streamlit
    stacks columns on a narrow screen; a single Plotly grid would keep three columns there).

    The indicators keep their order, the first third in the first figure; each figure's
    title names the domains it holds.
    """
    keys = trends["key"].unique(maintain_order=True).to_list()
    per = max(1, math.ceil(len(keys) / columns))
    parts = [keys[i : i + per] for i in range(0, len(keys), per)]
    return [kpi_trends_chart(trends.filter(pl.col("key").is_in(part)), year, columns=1) for part in parts]


def _trends_title(trends: pl.DataFrame, years: list[int]) -> str:
    """ "Sự hài lòng, Tập huấn, bồi dưỡng, 2015–2025": the domains of the panels, then the years."""
    domains = load_domains()
    names = []
    for domain in trends["domain"].unique(maintain_order=True).to_list():
        name = domains[domain].name_vi if domain in domains else "Tình hình báo cáo"
        if name not in names:
            names.append(name)
    return f"{'; '.join(names)}, {years_label(years)}"


def kpi_trends_chart(trends: pl.DataFrame, year: int | None = None, *, columns: int = 3) -> go.Figure:
    """Small multiples: each key indicator over the years, one panel each, in its domain's colour.

    `trends` is tables.kpi_trends (key, label, unit_vi, kind, domain, year, value, basis). Shares
    of units (reporting, rated Xuất sắc/Tốt) are drawn as rates, so a year with fewer units
    after a merger does not look like a fall. `year`, when given, is marked on every panel.
    With one column the title names the panels' domains (kpi_trend_columns) and the page
    carries TRENDS_NOTE; with more, it is the whole grid's title and note.
    """
    keys = trends["key"].unique(maintain_order=True).to_list()
    rows = max(1, math.ceil(len(keys) / columns))
    years = trends["year"].to_list()
    marked = f" Vạch chấm: năm {year}, năm của các thẻ số liệu." if year is not None else ""
    layout = base_layout(
        _trends_title(trends, years) if columns == 1 else f"Diễn biến các chỉ số chính, {years_label(years)}",
        subtitle=marked.strip() or None if columns == 1 else TRENDS_NOTE + marked,
        height=(100 if columns == 1 else 120) + 210 * rows,
        legend=False,
        panel_titles=True,
        narrow=columns == 1,
        title_chars=40 if columns == 1 else None,
    )
    traces, titles, shapes = [], [], []
    panel_axes: dict[int, dict] = {}
    for i, key in enumerate(keys):
        sub = trends.filter(pl.col("key") == key).sort("year")
        first = sub.row(0, named=True)
        titles.append(f"{first['label']} ({first['unit_vi']})")
        xr, yr = axis_ref(i)
        color = REPORTING_COLOR if first["domain"] == "" else domain_color(first["domain"])
        decimals = 1 if first["kind"] != "int" else 0
        custom = [
            [str(y), value_text(v, first["kind"], first["unit_vi"], decimals), basis or ""]
            for y, v, basis in sub.select("year", "value", "basis").iter_rows()
        ]
        traces.append(
            {
                "type": "scatter",
                "x": sub["year"].to_list(),
                "y": sub["value"].to_list(),
                "xaxis": xr,
                "yaxis": yr,
                "mode": "lines+markers",
                "name": first["label"],
                "line": {"color": color, "width": 2.5},
                "marker": {"size": 5},
                "connectgaps": False,
                "customdata": custom,
                "hovertemplate": f"<b>{first['label']}</b><br>Năm %{{customdata[0]}}: <b>%{{customdata[1]}}</b>"
                "<br>%{customdata[2]}" + HOVER_END,
            }
        )
        if first["kind"] == "pct":
            panel_axes[i] = {"ticksuffix": "%", "range": pct_range(sub["value"].to_list())}
        if year is not None and years and min(years) <= year <= max(years):
            shapes.append(vline(year, axes=(xr, yr), color="#999", dash="dot"))
    # years only under the bottom row, few y ticks: fewer labels for the browser to measure
    layout = grid(
        {**layout, "shapes": shapes},
        rows,
        columns,
        x=x_axis(years=False, tickformat="d", nticks=6),
        y=y_axis(nticks=4),
        titles=titles,
        vspace=0.12 if rows > 1 else 0.1,
        shared_x=True,
    )
    for i, extra in panel_axes.items():
        name = "yaxis" if i == 0 else f"yaxis{i + 1}"
        layout[name] = {**layout[name], **extra}
    return figure(traces, layout)


def movers_chart(moves: pl.DataFrame, label: str, unit_vi: str, kind: str, year: int) -> go.Figure:
    """Horizontal bars of the biggest direction-aware changes from year-1 to year."""
    df = moves.sort("gain")
    names = row_labels(df)
    custom = [
        [n, value_text(p, kind, unit_vi), value_text(v, kind, unit_vi), fmt_num(d, 1)]
        for n, p, v, d in zip(
            names, df["value_prev"].to_list(), df["value"].to_list(), df["delta"].to_list(), strict=True
        )
    ]
    bars = {
        "type": "bar",
        "x": df["gain"].to_list(),
        "y": names,
        "orientation": "h",
        "marker": {"color": [OKABE_ITO[0] if imp else OKABE_ITO[5] for imp in df["improved"].to_list()]},
        "customdata": custom,
        "text": [
            ("+" if (d or 0) > 0 else "") + c[3] for d, c in zip(df["delta"].to_list(), custom, strict=True)
        ],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": (
            f"<b>%{{customdata[0]}}</b><br>{year - 1}: %{{customdata[1]}}<br>{year}: %{{customdata[2]}}"
            "<br>Thay đổi: %{customdata[3]}" + HOVER_END
        ),
    }
    layout = units_layout(
        f"Đơn vị thay đổi nhiều nhất về {label[:1].lower() + label[1:]}, {year - 1}–{year}",
        names,
        x_axis(
            f"Mức cải thiện ({unit_vi}; dương = tốt lên)",
            years=False,
            range=bar_label_range(df["gain"].to_list()),
        ),
        subtitle="Xanh: cải thiện; cam: giảm. Chỉ gồm đơn vị có số liệu cả hai năm.",
        top_first=False,
        min_height=320,
    )
    return figure([bars], {**layout, "shapes": [vline(0, color="#888")]})
