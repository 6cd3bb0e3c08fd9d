"""Plotly figures: one function per chart, frames in, go.Figure out.

Shared look: Vietnamese titles that name the years, axis titles with units, numbers
the Vietnamese way (`separators=",."` on axes; hovers and labels pre-formatted with
app.fmt), one colour per domain and per unit type (Okabe-Ito, colour-blind safe).
"Chưa báo cáo" is never drawn as zero: grey cells in heatmaps, a gap plus a grey
cross on lines, a named grey marker in bar charts.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from app import metrics
from app.fmt import NOT_REPORTED, PLOTLY_SEPARATORS, fmt_int, fmt_num, fmt_pct, fmt_rank
from etl.catalogue import load_catalogue, load_domains
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
    "co_quan_so": "#D55E00",
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
STANDING_COLORS = {"better": "#CFE8F7", "same": "#F2F2F2", "worse": "#FBD9C2", "missing": "#FFFFFF"}
MISSING_COLOR = "#BDBDBD"
BACKGROUND_LINE = "#D0D0D0"
FONT_FAMILY = '"Source Sans", "Source Sans Pro", "Noto Sans", "DejaVu Sans", Arial, sans-serif'
HOVER_END = "<extra></extra>"  # hides Plotly's trace-name box


def domain_color(domain: str) -> str:
    domains = load_domains()
    return domains[domain].color if domain in domains else OKABE_ITO[0]


def series_color(code: str, index: int = 0) -> str:
    return SERIES_COLORS.get(code, OKABE_ITO[index % len(OKABE_ITO)])


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


def layout(
    fig: go.Figure,
    title: str,
    x_title: str | None,
    y_title: str | None,
    *,
    subtitle: str | None = None,
    height: int = 420,
    legend: bool = True,
    year_axis: bool = True,
    narrow: bool = False,
) -> go.Figure:
    """The common layout: title (with subtitle), axis titles, Vietnamese separators, legend below.

    `narrow` is for a chart in a half-width column: title and subtitle wrap sooner.
    """
    width_chars = 70 if narrow else 150
    sub = wrap_text(subtitle, width_chars + 30) if subtitle else ""
    title_text = wrap_text(title, width_chars)
    top = 50 + 20 * title_text.count("<br>") + (22 + 16 * sub.count("<br>") if sub else 0)
    plot_height = max(120, height - top - 60)
    fig.update_layout(
        title={"text": title_text, "subtitle": {"text": sub}, "x": 0, "xanchor": "left"},
        separators=PLOTLY_SEPARATORS,
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": top + 10, "b": 10},
        showlegend=legend,
        # below the x-axis title: ticks and the title take about 70 px under the plot area
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -min(0.6, 72 / plot_height),
            "xanchor": "left",
            "x": 0,
            "title": None,
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        plot_bgcolor="white",
    )
    fig.update_xaxes(title_text=x_title, showgrid=False, automargin=True)
    fig.update_yaxes(
        title_text=y_title, gridcolor="#EAEAEA", automargin=True, zeroline=False, tickformat=",~f"
    )
    if year_axis:
        fig.update_xaxes(tickmode="linear", dtick=1, tickformat="d")
    else:
        fig.update_xaxes(tickformat=",~f")
    return fig


def empty_figure(message: str) -> go.Figure:
    """A figure that says there is nothing to draw (used only as a defensive fallback)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, message, None, None, height=200, legend=False, year_axis=False)


def unique_labels(
    codes: Sequence[str], names: Sequence[str | None], groups: Sequence[str | None] | None = None
) -> dict[str, str]:
    """code -> display name; a short name shared by several units gets its group or code appended.

    `groups` (the ranking group, e.g. the province "P07" in the national demo) tells apart
    units of different provinces; the code is the fallback.
    """
    group_list = list(groups) if groups is not None else [None] * len(codes)
    pairs = {c: (n, g) for c, n, g in zip(codes, names, group_list, strict=True)}
    by_name: dict[str, int] = {}
    by_name_group: dict[tuple[str, str], int] = {}
    for name, group in pairs.values():
        by_name[name or ""] = by_name.get(name or "", 0) + 1
        by_name_group[(name or "", group or "")] = by_name_group.get((name or "", group or ""), 0) + 1
    out = {}
    for code, (name, group) in pairs.items():
        if name and by_name[name] == 1:
            out[code] = name
        elif name and group and by_name_group[(name, group)] == 1:
            out[code] = f"{name} ({group})"
        else:
            out[code] = f"{name or code} ({code})"
    return out


def labels_for(df: pl.DataFrame) -> dict[str, str]:
    """unique_labels for a frame with unit_code, short_name and (optionally) rank_group."""
    groups = df["rank_group"].to_list() if "rank_group" in df.columns else None
    return unique_labels(df["unit_code"].to_list(), df["short_name"].to_list(), groups)


def _labels(df: pl.DataFrame) -> list[str]:
    mapping = labels_for(df)
    return [mapping[c] for c in df["unit_code"].to_list()]


def _fmt_value(value: float | None, kind: str, unit_vi: str = "") -> str:
    if value is None:
        return NOT_REPORTED
    if kind == "pct" or unit_vi == "%":
        return fmt_pct(value)
    if kind == "int":
        return f"{fmt_int(value)} {unit_vi}".strip()
    return f"{fmt_num(value, 1)} {unit_vi}".strip()


# ----------------------------------------------------------------------------- overview


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
    fig = go.Figure()
    fig.add_bar(
        x=years,
        y=rep["reported"].to_list(),
        name="Đã báo cáo",
        marker_color=OKABE_ITO[0],
        customdata=custom,
        hovertemplate=hover,
        text=[c[3] for c in custom],
        textposition="inside",
        insidetextanchor="end",
    )
    fig.add_bar(
        x=years,
        y=(rep["expected"] - rep["reported"]).to_list(),
        name="Chưa báo cáo",
        marker={"color": MISSING_COLOR, "pattern": {"shape": "/"}},
        customdata=custom,
        hovertemplate=hover,
    )
    fig.update_layout(barmode="stack")
    return layout(
        fig,
        f"Tình hình nộp báo cáo của các đơn vị, {years_label(years)}",
        "Năm",
        "Số đơn vị",
        subtitle="Chỉ tính các đơn vị đang hoạt động trong năm; nhãn trên cột là tỷ lệ đã báo cáo.",
        height=380,
    )


def domain_trends_chart(trends: pl.DataFrame) -> go.Figure:
    """Small multiples: one headline series per domain over the years."""
    domains = load_domains()
    order = [
        d for d in ("cchc", "hai_long", "tap_huan", "khieu_nai") if d in trends["domain"].unique().to_list()
    ]
    titles = []
    for d in order:
        sub = trends.filter(pl.col("domain") == d)
        titles.append(f"{domains[d].name_vi}<br><sup>{sub['measure'][0]} ({sub['unit_vi'][0]})</sup>")
    fig = make_subplots(rows=1, cols=max(1, len(order)), subplot_titles=titles, horizontal_spacing=0.07)
    for i, d in enumerate(order, start=1):
        sub = trends.filter(pl.col("domain") == d).sort("year")
        unit = sub["unit_vi"][0]
        custom = [
            [
                str(y),
                _fmt_value(v, "pct" if unit == "%" else ("int" if unit not in ("điểm",) else "float"), unit),
                fmt_int(n),
            ]
            for y, v, n in sub.select("year", "value", "n_units").iter_rows()
        ]
        fig.add_scatter(
            x=sub["year"].to_list(),
            y=sub["value"].to_list(),
            mode="lines+markers",
            name=domains[d].name_vi,
            line={"color": domains[d].color, "width": 2.5},
            marker={"size": 6},
            connectgaps=False,
            customdata=custom,
            hovertemplate="Năm %{customdata[0]}: <b>%{customdata[1]}</b><br>Từ %{customdata[2]} đơn vị báo cáo"
            + HOVER_END,
            row=1,
            col=i,
        )
        if unit == "%":
            fig.update_yaxes(ticksuffix="%", row=1, col=i)
    years = trends["year"].to_list()
    fig.update_annotations(font_size=13)
    layout(fig, f"Xu hướng chính theo lĩnh vực, {years_label(years)}", None, None, height=330, legend=False)
    fig.update_xaxes(tickmode="auto", nticks=6, tickformat="d")
    fig.update_layout(margin={"t": 110})
    return fig


def movers_chart(moves: pl.DataFrame, label: str, unit_vi: str, kind: str, year: int) -> go.Figure:
    """Horizontal bars of the biggest direction-aware changes from year-1 to year."""
    df = moves.sort("gain")
    names = _labels(df)
    custom = [
        [n, _fmt_value(p, kind, unit_vi), _fmt_value(v, kind, unit_vi), fmt_num(d, 1)]
        for n, p, v, d in zip(
            names, df["value_prev"].to_list(), df["value"].to_list(), df["delta"].to_list(), strict=True
        )
    ]
    colors = [OKABE_ITO[0] if imp else OKABE_ITO[5] for imp in df["improved"].to_list()]
    fig = go.Figure(
        go.Bar(
            x=df["gain"].to_list(),
            y=names,
            orientation="h",
            marker_color=colors,
            customdata=custom,
            text=[
                ("+" if (d or 0) > 0 else "") + c[3]
                for d, c in zip(df["delta"].to_list(), custom, strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                f"<b>%{{customdata[0]}}</b><br>{year - 1}: %{{customdata[1]}}<br>{year}: %{{customdata[2]}}"
                "<br>Thay đổi: %{customdata[3]}" + HOVER_END
            ),
        )
    )
    fig.add_vline(x=0, line_color="#888", line_width=1)
    return layout(
        fig,
        f"Đơn vị thay đổi nhiều nhất về {label[:1].lower() + label[1:]}, {year - 1}–{year}",
        f"Mức cải thiện ({unit_vi}; dương = tốt lên)",
        None,
        subtitle="Xanh: cải thiện; cam: giảm. Chỉ gồm đơn vị có số liệu cả hai năm.",
        height=max(320, 40 + 28 * len(names)),
        legend=False,
        year_axis=False,
    )


# ----------------------------------------------------------------------------- CCHC


def _rank_hover(df: pl.DataFrame, names: list[str]) -> list[list[str]]:
    out = []
    for name, row in zip(names, df.iter_rows(named=True), strict=True):
        tie = " (đồng hạng)" if row.get("is_tie") else ""
        out.append(
            [
                name,
                str(row["year"]),
                fmt_rank(row["rank"], row["rank_of"]) + tie,
                fmt_num(row.get("cchc_score"), 1),
                fmt_num(row.get("percentile"), 0),
            ]
        )
    return out


_RANK_HOVER = (
    "<b>%{customdata[0]}</b><br>Năm %{customdata[1]}: hạng %{customdata[2]}"
    "<br>Điểm CCHC: %{customdata[3]}<br>Bách phân vị: %{customdata[4]}" + HOVER_END
)


def bump_chart(ranked: pl.DataFrame, highlight: Sequence[str], *, max_background: int = 60) -> go.Figure:
    """Rank over years, rank 1 on top; highlighted units in colour with "X/N" labels.

    Other units are thin grey lines when there are at most `max_background` of them.
    """
    df = ranked.filter(pl.col("rank").is_not_null()).sort("unit_code", "year")
    labels = labels_for(df)
    fig = go.Figure()
    others = [c for c in df["unit_code"].unique(maintain_order=True).to_list() if c not in highlight]
    if len(others) <= max_background:
        for code in others:
            sub = df.filter(pl.col("unit_code") == code)
            names = [labels[code]] * sub.height
            fig.add_scatter(
                x=sub["year"].to_list(),
                y=sub["rank"].to_list(),
                mode="lines+markers",
                showlegend=False,
                line={"color": BACKGROUND_LINE, "width": 1},
                marker={"size": 4, "color": BACKGROUND_LINE},
                customdata=_rank_hover(sub, names),
                hovertemplate=_RANK_HOVER,
                name=labels[code],
            )
    for i, code in enumerate(highlight):
        sub = df.filter(pl.col("unit_code") == code)
        if sub.is_empty():
            continue
        names = [labels[code]] * sub.height
        fig.add_scatter(
            x=sub["year"].to_list(),
            y=sub["rank"].to_list(),
            mode="lines+markers+text",
            name=labels[code],
            line={"color": LINE_PALETTE[i % len(LINE_PALETTE)], "width": 3},
            marker={"size": 8},
            text=_end_labels(sub["rank_label"].to_list(), every=len(highlight) <= 3),
            textposition=_end_positions(sub.height, every=len(highlight) <= 3),
            textfont={"size": 11},
            customdata=_rank_hover(sub, names),
            hovertemplate=_RANK_HOVER,
        )
    max_n = int(df["rank_of"].max() or 1) if not df.is_empty() else 1
    fig.update_yaxes(autorange=False, range=[max_n + 0.8, 0.2], dtick=max(1, round(max_n / 10)))
    years = df["year"].to_list()
    if years:
        # room for the "X/N" labels left of the first and right of the last year
        fig.update_xaxes(range=[min(years) - 0.6, max(years) + 0.6])
    return layout(
        fig,
        f"Thứ hạng CCHC của các đơn vị do Sở Y tế xếp hạng, {years_label(years)}",
        "Năm",
        "Thứ hạng (1 = cao nhất)",
        subtitle=(
            "Nhãn X/N: hạng X trong N đơn vị được xếp hạng năm đó (N thay đổi theo năm); "
            "di chuột để xem hạng từng năm. Đường xám: các đơn vị khác."
        ),
        height=520,
    )


def _end_labels(labels: list[str | None], *, every: bool) -> list[str]:
    """All "X/N" labels, or (when many lines share the chart) only the first and the last."""
    if every:
        return [lbl or "" for lbl in labels]
    return [(lbl or "") if i in (0, len(labels) - 1) else "" for i, lbl in enumerate(labels)]


def _end_positions(n: int, *, every: bool) -> list[str]:
    if every:
        return ["bottom center"] * n  # rank 1 sits at the top edge: a label above it would be cut
    return ["middle left" if i == 0 and n > 1 else "middle right" for i in range(n)]


def percentile_chart(ranked: pl.DataFrame, highlight: Sequence[str]) -> go.Figure:
    """Rank percentile (100 = first, 0 = last) of the highlighted units: comparable across years."""
    df = ranked.filter(pl.col("unit_code").is_in(list(highlight)) & pl.col("percentile").is_not_null()).sort(
        "unit_code", "year"
    )
    labels = labels_for(df)
    fig = go.Figure()
    for i, code in enumerate(highlight):
        sub = df.filter(pl.col("unit_code") == code)
        if sub.is_empty():
            continue
        fig.add_scatter(
            x=sub["year"].to_list(),
            y=sub["percentile"].to_list(),
            mode="lines+markers",
            name=labels[code],
            line={"color": LINE_PALETTE[i % len(LINE_PALETTE)], "width": 2.5},
            customdata=_rank_hover(sub, [labels[code]] * sub.height),
            hovertemplate=_RANK_HOVER,
        )
    fig.update_yaxes(range=[-5, 105])
    return layout(
        fig,
        f"Bách phân vị thứ hạng CCHC, {years_label(df['year'].to_list())}",
        "Năm",
        "Bách phân vị (100 = đứng đầu, 0 = cuối bảng)",
        subtitle="Quy đổi hạng X/N về thang 0–100 để so sánh giữa các năm có số đơn vị khác nhau.",
    )


def score_distribution_chart(ranked: pl.DataFrame) -> go.Figure:
    """Box and points of CCHC scores per year (pool "so")."""
    df = ranked.filter(pl.col("cchc_score").is_not_null()).sort("year")
    names = _labels(df)
    fig = go.Figure(
        go.Box(
            x=df["year"].to_list(),
            y=df["cchc_score"].to_list(),
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": domain_color("cchc"), "size": 5, "opacity": 0.7},
            line={"color": domain_color("cchc")},
            fillcolor="rgba(0,114,178,0.12)",
            name="Điểm CCHC",
            customdata=_rank_hover(df, names),
            hovertemplate=_RANK_HOVER,
        )
    )
    return layout(
        fig,
        f"Phân bố điểm CCHC của các đơn vị theo năm, {years_label(df['year'].to_list())}",
        "Năm",
        "Điểm CCHC (điểm, thang 100)",
        subtitle="Mỗi chấm là một đơn vị; hộp là khoảng giữa 50% đơn vị, vạch ngang là trung vị.",
        legend=False,
    )


def par_chart(par: pl.DataFrame, unit_name: str) -> go.Figure:
    """The Sở's PAR rank among provincial departments, its own pool: rank 1 on top, "X/N" labels."""
    df = par.sort("year")
    custom = [
        [str(y), fmt_rank(r, n), fmt_num(s, 2), fmt_num(p, 0)]
        for y, r, n, s, p in df.select("year", "rank", "rank_of", "cchc_score", "percentile").iter_rows()
    ]
    fig = go.Figure(
        go.Scatter(
            x=df["year"].to_list(),
            y=df["rank"].to_list(),
            mode="lines+markers+text",
            name=unit_name,
            line={"color": domain_color("cchc"), "width": 3},
            marker={"size": 9},
            text=df["rank_label"].to_list(),
            textposition="bottom center",
            customdata=custom,
            hovertemplate=(
                f"<b>{unit_name}</b><br>Năm %{{customdata[0]}}: hạng %{{customdata[1]}}"
                "<br>Điểm PAR Index: %{customdata[2]}<br>Bách phân vị: %{customdata[3]}" + HOVER_END
            ),
        )
    )
    max_n = int(df["rank_of"].max() or 1)
    fig.update_yaxes(autorange=False, range=[max_n + 1, 0.3], dtick=2 if max_n > 10 else 1)
    return layout(
        fig,
        f"Thứ hạng chỉ số CCHC (PAR Index) của {unit_name} trong các sở, ban, ngành tỉnh, {years_label(df['year'].to_list())}",
        "Năm",
        "Thứ hạng (1 = cao nhất)",
        subtitle=(
            "Nhóm xếp hạng riêng do tỉnh chấm; không so sánh với thứ hạng các đơn vị do Sở xếp. "
            "Biểu đồ không phụ thuộc bộ lọc loại đơn vị, địa bàn."
        ),
        height=380,
        legend=False,
    )


# ----------------------------------------------------------------------------- satisfaction


def satisfaction_trend_chart(trend: pl.DataFrame, target: float | None = None) -> go.Figure:
    """Pooled satisfaction per survey with its 95% Wilson band; survey forms in the hover."""
    fig = go.Figure()
    for i, code in enumerate(trend["indicator_code"].unique(maintain_order=True).to_list()):
        sub = trend.filter(pl.col("indicator_code") == code).sort("year")
        color = series_color(code, i)
        label = sub["label"][0]
        xs = sub["year"].to_list()
        fig.add_scatter(
            x=xs + xs[::-1],
            y=sub["hi"].to_list() + sub["lo"].to_list()[::-1],
            fill="toself",
            fillcolor=_rgba(color, 0.15),
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            name=f"{label} (KTC 95%)",
            mode="lines",
        )
        custom = [
            [str(y), fmt_pct(p), fmt_pct(lo), fmt_pct(hi), fmt_int(n), fmt_int(u), fmt_int(nu)]
            for y, p, lo, hi, n, u, nu in sub.select(
                "year", "pct", "lo", "hi", "n", "n_units", "n_units_no_size"
            ).iter_rows()
        ]
        fig.add_scatter(
            x=xs,
            y=sub["pct"].to_list(),
            mode="lines+markers",
            name=label,
            line={"color": color, "width": 2.5},
            customdata=custom,
            hovertemplate=(
                f"<b>{label}</b> năm %{{customdata[0]}}: %{{customdata[1]}}"
                "<br>Khoảng tin cậy 95%: %{customdata[2]} – %{customdata[3]}"
                "<br>Số phiếu khảo sát: %{customdata[4]} phiếu (%{customdata[5]} đơn vị)"
                "<br>Đơn vị không báo số phiếu (không tính): %{customdata[6]}" + HOVER_END
            ),
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color="#555",
            annotation_text=f"Mục tiêu {fmt_pct(target, 0)}",
            annotation_position="bottom right",
        )
    fig.update_yaxes(ticksuffix="%")
    return layout(
        fig,
        f"Tỷ lệ hài lòng toàn ngành (gộp phiếu khảo sát), {years_label(trend['year'].to_list())}",
        "Năm",
        "Tỷ lệ hài lòng (%)",
        subtitle="Dải màu: khoảng tin cậy 95% (Wilson) theo tổng số phiếu khảo sát.",
    )


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def heatmap_chart(
    grid: pl.DataFrame, label: str, kind: str, unit_vi: str, *, subtitle: str | None = None
) -> go.Figure:
    """Unit x year heatmap; "Chưa báo cáo" cells grey with a dash, inactive years left empty."""
    names = labels_for(grid)
    order = (
        grid.group_by("unit_code")
        .agg(pl.col("value").drop_nulls().last().alias("last"))
        .sort("last", nulls_last=False)
    )
    y_order = [names[c] for c in order["unit_code"].to_list()]
    years = sorted(grid["year"].unique().to_list())
    index = {(r["unit_code"], r["year"]): r for r in grid.iter_rows(named=True)}
    z, zmiss, text, custom = [], [], [], []
    for code in order["unit_code"].to_list():
        zrow, mrow, trow, crow = [], [], [], []
        for y in years:
            row = index.get((code, y))
            status = row["status"] if row else "inactive"
            value = row["value"] if row else None
            n = row["n"] if row else None
            zrow.append(value if status == "reported" else None)
            mrow.append(1 if status == "missing" else None)
            trow.append(fmt_num(value, 1) if status == "reported" else ("–" if status == "missing" else ""))
            shown = (
                _fmt_value(value, kind, unit_vi)
                if status == "reported"
                else (NOT_REPORTED if status == "missing" else "Chưa hoạt động")
            )
            crow.append([names[code], str(y), shown, fmt_int(n) if n is not None else "không có"])
        z.append(zrow)
        zmiss.append(mrow)
        text.append(trow)
        custom.append(crow)
    hover = (
        "<b>%{customdata[0]}</b><br>Năm %{customdata[1]}: %{customdata[2]}<br>Số phiếu khảo sát: %{customdata[3]}"
        + HOVER_END
    )
    fig = go.Figure()
    fig.add_heatmap(
        x=years,
        y=y_order,
        z=zmiss,
        colorscale=[[0, MISSING_COLOR], [1, MISSING_COLOR]],
        showscale=False,
        customdata=custom,
        hovertemplate=hover,
        text=text,
        texttemplate="%{text}",
        xgap=2,
        ygap=2,
        name=NOT_REPORTED,
    )
    fig.add_heatmap(
        x=years,
        y=y_order,
        z=z,
        colorscale="Viridis",
        customdata=custom,
        hovertemplate=hover,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 10},
        xgap=2,
        ygap=2,
        colorbar={"title": {"text": unit_vi}, "ticksuffix": "%" if unit_vi == "%" else ""},
        name=label,
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=y_order, showgrid=False)
    return layout(
        fig,
        f"{label} theo đơn vị và năm, {years_label(years)}",
        "Năm",
        "Đơn vị",
        subtitle=subtitle
        or "Ô xám có dấu –: chưa báo cáo; ô trống: đơn vị chưa hoặc không còn hoạt động năm đó.",
        height=max(360, 120 + 22 * len(y_order)),
        legend=False,
    )


def unit_dots_chart(
    rows: pl.DataFrame, label: str, year: int, target: float, *, max_units: int = 50
) -> go.Figure:
    """One dot per unit with its 95% Wilson interval, against a target line (worst first)."""
    df = rows.sort("pct", "unit_code").head(max_units)
    names = _labels(df)
    below = [p < target for p in df["pct"].to_list()]
    custom = [
        [n, fmt_pct(p), fmt_pct(lo), fmt_pct(hi), fmt_int(k) if k is not None else "không có"]
        for n, p, lo, hi, k in zip(names, *(df[c].to_list() for c in ("pct", "lo", "hi", "n")), strict=True)
    ]
    pct = df["pct"].to_list()
    err_plus = [(hi - p) if hi is not None else None for p, hi in zip(pct, df["hi"].to_list(), strict=True)]
    err_minus = [(p - lo) if lo is not None else None for p, lo in zip(pct, df["lo"].to_list(), strict=True)]
    fig = go.Figure(
        go.Scatter(
            x=pct,
            y=names,
            mode="markers",
            marker={"size": 9, "color": [OKABE_ITO[5] if b else OKABE_ITO[2] for b in below]},
            error_x={
                "type": "data",
                "array": err_plus,
                "arrayminus": err_minus,
                "color": "#999",
                "thickness": 1.2,
            },
            customdata=custom,
            name=label,
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>" + label + ": %{customdata[1]}"
                "<br>Khoảng tin cậy 95%: %{customdata[2]} – %{customdata[3]}"
                "<br>Số phiếu khảo sát: %{customdata[4]}" + HOVER_END
            ),
        )
    )
    fig.add_vline(
        x=target,
        line_dash="dash",
        line_color="#555",
        annotation_text=f"Mục tiêu {fmt_pct(target, 0)}",
        annotation_position="top",
    )
    fig.update_xaxes(ticksuffix="%")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1])
    shown = f" ({df.height} đơn vị thấp nhất)" if rows.height > max_units else ""
    return layout(
        fig,
        f"{label} của từng đơn vị so với mục tiêu {fmt_pct(target, 0)}, năm {year}{shown}",
        "Tỷ lệ hài lòng (%)",
        None,
        subtitle="Cam: dưới mục tiêu; xanh: đạt. Vạch ngang: khoảng tin cậy 95% theo số phiếu (ngắn = nhiều phiếu).",
        height=max(340, 110 + 22 * df.height),
        legend=False,
        year_axis=False,
    )


def score_trend_chart(scores: pl.DataFrame) -> go.Figure:
    """Mean 5-point satisfaction score per year (weighted by survey forms)."""
    fig = go.Figure()
    for i, code in enumerate(scores["indicator_code"].unique(maintain_order=True).to_list()):
        sub = scores.filter(pl.col("indicator_code") == code).sort("year")
        label = sub["label"][0]
        custom = [
            [str(y), fmt_num(s, 2), fmt_int(u), fmt_int(n) if n else "không có"]
            for y, s, u, n in sub.select("year", "score", "n_units", "n").iter_rows()
        ]
        fig.add_scatter(
            x=sub["year"].to_list(),
            y=sub["score"].to_list(),
            mode="lines+markers",
            name=label,
            line={"color": series_color(code, i), "width": 2.5},
            customdata=custom,
            hovertemplate=(
                f"<b>{label}</b> năm %{{customdata[0]}}: %{{customdata[1]}}/5"
                "<br>Đơn vị báo cáo: %{customdata[2]}<br>Số phiếu khảo sát: %{customdata[3]}" + HOVER_END
            ),
        )
    return layout(
        fig,
        f"Điểm hài lòng trung bình (thang 5), {years_label(scores['year'].to_list())}",
        "Năm",
        "Điểm trung bình (điểm, thang 5)",
        subtitle="Bình quân gia quyền theo số phiếu khảo sát của các đơn vị có báo cáo điểm.",
        height=360,
    )


# ----------------------------------------------------------------------------- trainings


def training_by_year_chart(df: pl.DataFrame, measure: str, *, narrow: bool = False) -> go.Figure:
    """Stacked bars per year by unit type: `measure` is "sessions" or "participants"."""
    cat = load_catalogue()
    code = "training_sessions" if measure == "sessions" else "training_participants"
    unit_vi = cat[code].unit_vi
    fig = go.Figure()
    for unit_type, type_vi in UNIT_TYPES.items():
        sub = df.filter(pl.col("unit_type") == unit_type).sort("year")
        if sub.is_empty():
            continue
        custom = [
            [type_vi, str(y), fmt_int(v), fmt_int(n)]
            for y, v, n in sub.select("year", measure, "n_units").iter_rows()
        ]
        fig.add_bar(
            x=sub["year"].to_list(),
            y=sub[measure].to_list(),
            name=type_vi,
            marker_color=UNIT_TYPE_COLORS[unit_type],
            customdata=custom,
            hovertemplate=(
                "<b>%{customdata[0]}</b>, năm %{customdata[1]}<br>"
                + cat[code].short_vi
                + f": %{{customdata[2]}} {unit_vi}<br>Số đơn vị báo cáo: %{{customdata[3]}}"
                + HOVER_END
            ),
        )
    fig.update_layout(barmode="stack")
    return layout(
        fig,
        f"{cat[code].short_vi} theo loại đơn vị, {years_label(df['year'].to_list())}",
        "Năm",
        f"{cat[code].short_vi} ({unit_vi})",
        height=440,
        narrow=narrow,
    )


def coverage_chart(cov: pl.DataFrame, year: int, *, max_units: int = 50) -> go.Figure:
    """Participants per staff member per unit in one year (horizontal bars, by unit type colour)."""
    df = cov.filter(pl.col("per_staff").is_not_null()).sort("per_staff", "unit_code")
    shown = df.head(max_units) if df.height > max_units else df
    names = _labels(shown)
    custom = [
        [n, t, fmt_num(p, 2), fmt_int(s), fmt_int(pt), fmt_int(st)]
        for n, t, p, s, pt, st in zip(
            names,
            *(shown[c].to_list() for c in ("unit_type_vi", "per_staff", "sessions", "participants", "staff")),
            strict=True,
        )
    ]
    # one trace per unit type, so the legend says what the colours mean
    fig = go.Figure()
    types = _type_codes(shown)
    for unit_type, type_vi in UNIT_TYPES.items():
        idx = [i for i, t in enumerate(types) if t == unit_type]
        if not idx:
            continue
        fig.add_bar(
            x=[shown["per_staff"][i] for i in idx],
            y=[names[i] for i in idx],
            orientation="h",
            name=type_vi,
            marker_color=UNIT_TYPE_COLORS[unit_type],
            customdata=[custom[i] for i in idx],
            text=[custom[i][2] for i in idx],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                "<b>%{customdata[0]}</b> (%{customdata[1]})<br>Lượt dự trên mỗi viên chức: %{customdata[2]}"
                "<br>Số lớp: %{customdata[3]}<br>Lượt người dự: %{customdata[4]}<br>Số viên chức, NLĐ: %{customdata[5]}"
                + HOVER_END
            ),
        )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names)
    note = f" ({len(names)} đơn vị thấp nhất trong {fmt_int(df.height)})" if df.height > max_units else ""
    return layout(
        fig,
        f"Lượt người dự tập huấn trên mỗi viên chức, năm {year}{note}",
        "Lượt dự / viên chức (lượt/người)",
        None,
        subtitle="Màu theo loại đơn vị. 1,0 nghĩa là trung bình mỗi viên chức dự một lượt tập huấn trong năm.",
        height=max(380, 170 + 22 * len(names)),
        year_axis=False,
    )


def _type_codes(df: pl.DataFrame) -> list[str]:
    back = {v: k for k, v in UNIT_TYPES.items()}
    return [back.get(t, t) for t in df["unit_type_vi"].to_list()]


# ----------------------------------------------------------------------------- complaints


def channels_chart(ch: pl.DataFrame) -> go.Figure:
    """Feedback per year, stacked by channel."""
    fig = go.Figure()
    for i, code in enumerate(ch["indicator_code"].unique(maintain_order=True).to_list()):
        sub = ch.filter(pl.col("indicator_code") == code).sort("year")
        label = sub["label"][0]
        custom = [
            [label, str(y), fmt_int(v), fmt_int(n)]
            for y, v, n in sub.select("year", "value", "n_units").iter_rows()
        ]
        fig.add_bar(
            x=sub["year"].to_list(),
            y=sub["value"].to_list(),
            name=label,
            marker_color=series_color(code, i),
            customdata=custom,
            hovertemplate="<b>%{customdata[0]}</b>, năm %{customdata[1]}: %{customdata[2]} lượt<br>Số đơn vị báo cáo: %{customdata[3]}"
            + HOVER_END,
        )
    fig.update_layout(barmode="stack")
    return layout(
        fig,
        f"Phản ánh, góp ý theo kênh tiếp nhận, {years_label(ch['year'].to_list())}",
        "Năm",
        "Số lượt phản ánh (lượt)",
    )


_FLOW_SERIES = (
    ("received", "complaints_received", "Tiếp nhận trong năm"),
    ("carried_in", "complaints_carried_in", "Tồn năm trước chuyển sang"),
    ("resolved", "complaints_resolved", "Đã giải quyết"),
    ("outstanding", "complaints_outstanding", "Còn tồn cuối năm"),
)


def complaint_flow_chart(flow: pl.DataFrame) -> go.Figure:
    """Received, carried over, resolved and still open per year (grouped bars)."""
    fig = go.Figure()
    df = flow.sort("year")
    for col, code, label in _FLOW_SERIES:
        custom = [
            [label, str(y), fmt_int(v), fmt_int(n)]
            for y, v, n in df.select("year", col, "n_units").iter_rows()
        ]
        fig.add_bar(
            x=df["year"].to_list(),
            y=df[col].to_list(),
            name=label,
            marker_color=series_color(code),
            customdata=custom,
            hovertemplate="<b>%{customdata[0]}</b>, năm %{customdata[1]}: %{customdata[2]} đơn<br>Số đơn vị báo cáo: %{customdata[3]}"
            + HOVER_END,
        )
    fig.update_layout(barmode="group")
    return layout(
        fig,
        f"Đơn thư tiếp nhận, giải quyết và tồn đọng, {years_label(df['year'].to_list())}",
        "Năm",
        "Số đơn thư (đơn)",
    )


def resolution_rate_chart(flow: pl.DataFrame) -> go.Figure:
    """Province-wide resolution rate per year, with protracted cases in the hover."""
    df = flow.sort("year")
    custom = [
        [str(y), fmt_pct(r), fmt_int(p), fmt_int(n)]
        for y, r, p, n in df.select("year", "rate_pct", "protracted", "n_units").iter_rows()
    ]
    fig = go.Figure(
        go.Scatter(
            x=df["year"].to_list(),
            y=df["rate_pct"].to_list(),
            mode="lines+markers+text",
            line={"color": domain_color("khieu_nai"), "width": 3},
            text=[c[1] for c in custom],
            textposition="bottom center",
            customdata=custom,
            name="Tỷ lệ giải quyết",
            hovertemplate=(
                "Năm %{customdata[0]}: <b>%{customdata[1]}</b> đơn thư đã giải quyết"
                "<br>Vụ việc phức tạp, kéo dài: %{customdata[2]}<br>Số đơn vị báo cáo: %{customdata[3]}"
                + HOVER_END
            ),
        )
    )
    fig.update_yaxes(ticksuffix="%", range=[0, 108])
    return layout(
        fig,
        f"Tỷ lệ giải quyết đơn thư, {years_label(df['year'].to_list())}",
        "Năm",
        "Tỷ lệ giải quyết (%)",
        subtitle="Đã giải quyết / (tiếp nhận + tồn năm trước); ô tồn năm trước để trống được tính là 0.",
        height=360,
        legend=False,
    )


def per_10k_chart(by_unit: pl.DataFrame, year: int, *, max_units: int = 50) -> go.Figure:
    """Complaints per 10.000 patient visits per unit (only units that report visits)."""
    df = by_unit.filter(pl.col("per_10k").is_not_null()).sort(
        "per_10k", "unit_code", descending=[True, False]
    )
    shown = df.head(max_units)
    names = _labels(shown)
    custom = [
        [n, fmt_num(p, 2), fmt_int(r), fmt_int(v)]
        for n, p, r, v in zip(
            names, *(shown[c].to_list() for c in ("per_10k", "received", "visits")), strict=True
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=shown["per_10k"].to_list(),
            y=names,
            orientation="h",
            marker_color=domain_color("khieu_nai"),
            customdata=custom,
            text=[c[1] for c in custom],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>Đơn thư trên 10.000 lượt khám: %{customdata[1]}"
                "<br>Đơn thư tiếp nhận: %{customdata[2]}<br>Lượt khám bệnh: %{customdata[3]}" + HOVER_END
            ),
        )
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1])
    note = f" ({len(names)} đơn vị cao nhất trong {fmt_int(df.height)})" if df.height > max_units else ""
    return layout(
        fig,
        f"Đơn thư trên 10.000 lượt khám bệnh, năm {year}{note}",
        "Đơn thư / 10.000 lượt khám (đơn)",
        None,
        subtitle="Chỉ các đơn vị có báo cáo tổng lượt khám bệnh.",
        height=max(340, 110 + 22 * len(names)),
        legend=False,
        year_axis=False,
    )


def reception_chart(rec: pl.DataFrame) -> go.Figure:
    """Citizen-reception sessions and leader dialogues per year (lines)."""
    fig = go.Figure()
    for i, code in enumerate(("citizen_reception_days", "leader_dialogues")):
        sub = rec.filter(pl.col("indicator_code") == code).sort("year")
        if sub.is_empty():
            continue
        label, unit = sub["label"][0], sub["unit_vi"][0]
        custom = [
            [str(y), fmt_int(v), fmt_int(n)] for y, v, n in sub.select("year", "value", "n_units").iter_rows()
        ]
        fig.add_scatter(
            x=sub["year"].to_list(),
            y=sub["value"].to_list(),
            mode="lines+markers",
            name=f"{label} ({unit})",
            line={"color": series_color(code, i), "width": 2.5},
            customdata=custom,
            hovertemplate=f"<b>{label}</b> năm %{{customdata[0]}}: %{{customdata[1]}} {unit}<br>Số đơn vị báo cáo: %{{customdata[2]}}"
            + HOVER_END,
        )
    return layout(
        fig,
        f"Tiếp công dân và đối thoại của người đứng đầu, {years_label(rec['year'].to_list())}",
        "Năm",
        "Số buổi / cuộc",
        height=360,
    )


# ----------------------------------------------------------------------------- comparison


def percentile_profile_chart(
    league: pl.DataFrame, unit_codes: Sequence[str], codes: Sequence[str], year: int
) -> go.Figure:
    """Each chosen unit's percentile per indicator (100 = best in the province that year)."""
    cat = load_catalogue()
    df = league.filter(pl.col("unit_code").is_in(list(unit_codes)))
    labels = labels_for(df)
    ind_labels = [cat[c].short_vi for c in codes]
    fig = go.Figure()
    for i, code in enumerate(unit_codes):
        row = df.filter(pl.col("unit_code") == code)
        if row.is_empty():
            continue
        values = [row[f"pct_{c}"][0] if f"pct_{c}" in row.columns else None for c in codes]
        custom = [
            [labels[code], lbl, fmt_num(v, 0) if v is not None else NOT_REPORTED]
            for lbl, v in zip(ind_labels, values, strict=True)
        ]
        fig.add_scatter(
            x=values,
            y=ind_labels,
            mode="markers",
            name=labels[code],
            marker={
                "size": 12,
                "color": LINE_PALETTE[i % len(LINE_PALETTE)],
                "symbol": ["circle", "diamond", "square", "triangle-up"][i % 4],
            },
            customdata=custom,
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}: bách phân vị %{customdata[2]}"
            + HOVER_END,
        )
    fig.add_vline(
        x=50, line_dash="dot", line_color="#888", annotation_text="Trung vị", annotation_position="top"
    )
    fig.update_xaxes(range=[-5, 105])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=ind_labels[::-1])
    return layout(
        fig,
        f"Vị trí của các đơn vị đã chọn theo từng chỉ tiêu, năm {year}",
        "Bách phân vị trong tỉnh (100 = tốt nhất, theo chiều tốt của chỉ tiêu)",
        None,
        subtitle="Chỉ tiêu đơn vị chưa báo cáo không có điểm trên hàng đó.",
        height=max(340, 120 + 34 * len(codes)),
        year_axis=False,
    )


# ----------------------------------------------------------------------------- unit profile


def unit_trend_chart(
    history: pl.DataFrame,
    codes: Sequence[str],
    title: str,
    y_title: str,
    *,
    active_years: Sequence[int] = (),
    events: Sequence[tuple[int, str]] = (),
    wilson: bool = False,
    subtitle: str | None = None,
    narrow: bool = False,
) -> go.Figure:
    """One unit's indicators over the years; blanks in an active year get a grey cross.

    `events` (year, label) are drawn as dotted vertical lines with a note (lineage:
    renamed, merged). With `wilson`, percentage series get their 95% band.
    """
    cat = load_catalogue()
    df = history.sort("year")
    fig = go.Figure()
    all_years = sorted(set(df["year"].to_list()) | set(active_years))
    missing_shown = False
    for i, code in enumerate(codes):
        if code not in df.columns:
            continue
        ind = cat[code]
        color = SERIES_COLORS[code] if code.startswith("sat_") else LINE_PALETTE[i % len(LINE_PALETTE)]
        by_year = dict(zip(df["year"].to_list(), df[code].to_list(), strict=True))
        n_by_year = (
            dict(zip(df["year"].to_list(), df[ind.n_code].to_list(), strict=True))
            if ind.n_code and ind.n_code in df.columns
            else {}
        )
        ys = [by_year.get(y) for y in all_years]
        if all(v is None for v in ys):
            continue
        if wilson and ind.n_code and n_by_year:
            lo_hi = [_wilson(by_year.get(y), n_by_year.get(y)) for y in all_years]
            pts = [(y, lo, hi) for y, (lo, hi) in zip(all_years, lo_hi, strict=True) if lo is not None]
            if pts:
                xs = [p[0] for p in pts]
                fig.add_scatter(
                    x=xs + xs[::-1],
                    y=[p[2] for p in pts] + [p[1] for p in pts][::-1],
                    fill="toself",
                    fillcolor=_rgba(color, 0.15),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    mode="lines",
                )
        custom = [
            [
                str(y),
                _fmt_value(v, ind.kind, ind.unit_vi),
                fmt_int(n_by_year.get(y)) if n_by_year.get(y) is not None else "không có",
            ]
            for y, v in zip(all_years, ys, strict=True)
        ]
        n_line = "<br>Số phiếu khảo sát: %{customdata[2]}" if ind.n_code else ""
        fig.add_scatter(
            x=all_years,
            y=ys,
            mode="lines+markers",
            name=ind.short_vi,
            connectgaps=False,
            line={"color": color, "width": 2.5},
            marker={"size": 7},
            customdata=custom,
            hovertemplate=f"<b>{ind.short_vi}</b> năm %{{customdata[0]}}: %{{customdata[1]}}{n_line}"
            + HOVER_END,
        )
        gaps = [y for y, v in zip(all_years, ys, strict=True) if v is None and y in set(active_years)]
        if gaps:
            filled = _carry(ys)
            fig.add_scatter(
                x=gaps,
                y=[filled[all_years.index(y)] for y in gaps],
                mode="markers",
                name=NOT_REPORTED,
                legendgroup="missing",
                showlegend=not missing_shown,
                marker={"symbol": "x-thin", "size": 12, "line": {"width": 2, "color": MISSING_COLOR}},
                customdata=[[str(y)] for y in gaps],
                hovertemplate=f"<b>{ind.short_vi}</b> năm %{{customdata[0]}}: {NOT_REPORTED}" + HOVER_END,
            )
            missing_shown = True
    units = {cat[c].unit_vi for c in codes if c in cat}
    if units == {"%"}:
        fig.update_yaxes(ticksuffix="%")
    layout(fig, title, "Năm", y_title, subtitle=subtitle, height=400, narrow=narrow)
    return mark_events(fig, events, all_years, narrow=narrow)


def mark_events(
    fig: go.Figure, events: Sequence[tuple[int, str]], years: Sequence[int], *, narrow: bool = False
) -> go.Figure:
    """Dotted vertical lines at lineage events (renamed, merged) with their label above the plot.

    The x axis is pinned to `years` (and the events) so a long label never stretches it; a
    label in the right half of the chart extends to the left.
    """
    span = sorted({*years, *(y for y, _ in events)})
    if span:
        fig.update_xaxes(range=[span[0] - 0.4, span[-1] + 0.4], dtick=2 if narrow and len(span) > 6 else 1)
    middle = (span[0] + span[-1]) / 2 if span else 0
    for year, label in events:
        fig.add_vline(x=year, line_dash="dot", line_color="#555")
        fig.add_annotation(
            x=year,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=wrap_text(label, 45 if narrow else 90),
            showarrow=False,
            xanchor="right" if year > middle else "left",
            font={"size": 11, "color": "#333"},
            bgcolor="rgba(255,255,255,0.85)",
        )
    if events:
        lines = max(wrap_text(label, 45 if narrow else 90).count("<br>") + 1 for _, label in events)
        fig.update_layout(margin_t=fig.layout.margin.t + 8 + 16 * lines)
    return fig


def _carry(values: list[float | None]) -> list[float | None]:
    """Values with blanks filled from the nearest earlier (else later) value: where a gap marker sits."""
    out: list[float | None] = []
    last = None
    for v in values:
        last = v if v is not None else last
        out.append(last)
    first = next((v for v in values if v is not None), None)
    return [v if v is not None else first for v in out]


def _wilson(pct: float | None, n: float | None, z: float = 1.96) -> tuple[float | None, float | None]:
    if pct is None or n is None or n <= 0:
        return None, None
    frame = pl.DataFrame({"p": [float(pct)], "n": [float(n)]})
    lo, hi = metrics.wilson_interval("p", "n", z)
    row = frame.select(lo, hi).row(0)
    return row[0], row[1]


def unit_rank_chart(
    history: pl.DataFrame,
    unit_name: str,
    events: Sequence[tuple[int, str]] = (),
    years: Sequence[int] = (),
) -> go.Figure:
    """One unit's reported CCHC rank "X/N" over the years, rank 1 on top; `years` sets the x axis."""
    df = history.filter(pl.col("cchc_rank").is_not_null()).sort("year")
    labels = [fmt_rank(r, n) for r, n in df.select("cchc_rank", "cchc_rank_of").iter_rows()]
    custom = [
        [str(y), lbl, fmt_num(s, 1)]
        for y, lbl, s in zip(df["year"].to_list(), labels, df["cchc_score"].to_list(), strict=True)
    ]
    fig = go.Figure(
        go.Scatter(
            x=df["year"].to_list(),
            y=df["cchc_rank"].to_list(),
            mode="lines+markers+text",
            text=labels,
            textposition="bottom center",
            line={"color": domain_color("cchc"), "width": 3},
            marker={"size": 8},
            customdata=custom,
            name="Thứ hạng CCHC",
            hovertemplate=f"<b>{unit_name}</b> năm %{{customdata[0]}}: hạng %{{customdata[1]}}<br>Điểm CCHC: %{{customdata[2]}}"
            + HOVER_END,
        )
    )
    max_n = int(df["cchc_rank_of"].max() or 1)
    fig.update_yaxes(autorange=False, range=[max_n + 1, 0.3])
    layout(
        fig,
        f"Thứ hạng CCHC của {unit_name} theo báo cáo, {years_label(df['year'].to_list())}",
        "Năm",
        "Thứ hạng (1 = cao nhất)",
        subtitle="Nhãn X/N: hạng X trong N đơn vị cùng đợt xếp hạng.",
        height=380,
        legend=False,
    )
    return mark_events(fig, events, list(years) or df["year"].to_list())


# ----------------------------------------------------------------------------- styled tables

STANDING_LABELS = {
    "better": "tốt hơn trung vị",
    "same": "ngang trung vị",
    "worse": "kém hơn trung vị",
    "missing": "chưa báo cáo",
}


def scorecard_styler(card: pl.DataFrame):  # -> pandas Styler (pandas is imported lazily)
    """The scorecard as a styled table: indicators in rows, units in columns, cells coloured by standing.

    Colours: light blue = better than the province median (direction-aware), light orange =
    worse, grey = about the same; "Chưa báo cáo" on white. The median column is plain.
    """
    import pandas as pd

    units = card.select("unit_code", "short_name").unique("unit_code", maintain_order=True)
    names = unique_labels(units["unit_code"].to_list(), units["short_name"].to_list())
    indicators = card.select("indicator_code", "label", "kind").unique("indicator_code", maintain_order=True)
    median_col = "Trung vị toàn tỉnh"
    text: dict[str, list[str]] = {"Chỉ tiêu": indicators["label"].to_list(), median_col: []}
    colors: dict[str, list[str]] = {"Chỉ tiêu": [""] * indicators.height, median_col: []}
    by_key = {(r["indicator_code"], r["unit_code"]): r for r in card.iter_rows(named=True)}
    for code, kind in indicators.select("indicator_code", "kind").iter_rows():
        first = next(r for (c, _), r in by_key.items() if c == code)
        text[median_col].append(_fmt_value(first["median"], kind) if first["median"] is not None else "–")
        colors[median_col].append("")
    for unit, label in names.items():
        text[label] = []
        colors[label] = []
        for code, kind in indicators.select("indicator_code", "kind").iter_rows():
            row = by_key[(code, unit)]
            text[label].append(_fmt_value(row["value"], kind))
            colors[label].append(f"background-color: {STANDING_COLORS[row['standing']]}")
    text_df = pd.DataFrame(text)
    color_df = pd.DataFrame(colors)
    return text_df.style.apply(lambda _: color_df, axis=None)
