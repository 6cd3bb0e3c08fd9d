"""Charts of the CCHC ranking page: bump chart, percentiles, score distribution, the Sở's PAR rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from app.charts.common import (
    BACKGROUND_LINE,
    HOVER_END,
    LINE_PALETTE,
    NEUTRAL_TEXT,
    base_layout,
    domain_color,
    figure,
    row_labels,
    x_axis,
    y_axis,
    years_label,
)
from app.charts.ranks import rank_axis, rank_line, rank_text_positions
from app.fmt import fmt_num, fmt_rank
from app.tables.common import labels_for

RANK_HOVER = (
    "<b>%{customdata[0]}</b><br>Năm %{customdata[1]}: hạng %{customdata[2]}"
    "<br>Điểm CCHC: %{customdata[3]}<br>Điểm vị thế: %{customdata[4]}" + HOVER_END
)
_CHAR_PX = 6.3  # about one character of the 11 px label font, to make room for end labels
_RANK_PLOT_PX = 300  # the rank chart's plot height at 1.440 px (540 less title, axis and legend)


def rank_hover(df: pl.DataFrame, names: list[str]) -> list[list[str]]:
    """customdata for RANK_HOVER: name, year, "X/N" (đồng hạng), score, percentile."""
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


@dataclass(frozen=True)
class _Label:
    """One "X/N" label of the bump chart: on a unit's own line, or shared by tied units."""

    year: int
    rank: float
    text: str
    position: str
    code: str | None  # None: a label shared by several tied units


def bump_labels(
    points: pl.DataFrame, order: Sequence[str], names: dict[str, str], max_n: int, *, every: bool
) -> list[_Label]:
    """The "X/N" labels of the highlighted units, tied units sharing one label.

    `points` are the highlighted units' rows (unit_code, year, rank, rank_label). With
    `every`, each point is labelled; otherwise only each unit's first year (left of the
    point) and last year (right of it). Units tied at the same place share one label:
    "X/N (đồng hạng: A, B)" at the chart's last year, where there is room on the right,
    "X/N (đồng hạng)" elsewhere; the hover names every unit.
    """
    last_year = points["year"].max() if not points.is_empty() else None
    groups: dict[tuple[int, float, str], list[tuple[str, str]]] = {}
    for code in order:
        sub = points.filter(pl.col("unit_code") == code).sort("year")
        rows = sub.select("year", "rank", "rank_label").rows()
        for i, (year, rank, text) in enumerate(rows):
            if every:
                position = rank_text_positions([rank], max_n)[0]
            elif i == len(rows) - 1:
                position = "middle right"
            elif i == 0:
                position = "middle left"
            else:
                continue
            groups.setdefault((int(year), rank, position), []).append((code, text or ""))
    labels = []
    for (year, rank, position), members in groups.items():
        text = members[0][1]
        if len(members) == 1:
            labels.append(_Label(year, rank, text, position, members[0][0]))
            continue
        tied = ", ".join(names[c] for c, _ in members)
        at_right_end = position == "middle right" and year == last_year
        text = f"{text} (đồng hạng: {tied})" if at_right_end else f"{text} (đồng hạng)"
        labels.append(_Label(year, rank, text, position, None))
    return labels


def spread_labels(ranks: Sequence[float], gap: float) -> list[float]:
    """Where to draw labels that sit beside points at `ranks` (one year, one side) so that no
    two are closer than `gap` ranks: each run of crowded labels is spaced `gap` apart and
    centred on the points it labels, and never above the top of the rank axis; labels with
    room keep their point's rank.

    >>> spread_labels([1, 3, 4, 5], 1.5), spread_labels([2, 1, 9], 1.5)
    ([1.0, 2.5, 4.0, 5.5], [2.25, 0.75, 9.0])
    """
    order = sorted(range(len(ranks)), key=lambda i: ranks[i])
    wanted = [float(ranks[i]) for i in order]
    runs: list[tuple[int, int, float]] = []  # (first, last) positions in `order`, first label's place
    for k, rank in enumerate(wanted):
        first, last, top = k, k, rank
        # a run that would reach into the one above joins it, and the two are centred together
        while runs and top < runs[-1][2] + (runs[-1][1] - runs[-1][0] + 1) * gap:
            first = runs.pop()[0]
            n = last - first + 1
            top = sum(wanted[first : last + 1]) / n - gap * (n - 1) / 2
        runs.append((first, last, top))
    placed = [top + gap * (k - first) for first, last, top in runs for k in range(first, last + 1)]
    # never above the rank axis (its top is rank 0,4): push the crowd down from there instead
    for k, place in enumerate(placed):
        placed[k] = max(place, 0.6 if k == 0 else placed[k - 1] + gap)
    out = [0.0] * len(ranks)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def _labels_trace(labels: list[_Label], colors: dict[str, str], gap: float) -> dict:
    """ "X/N" labels drawn apart from the units' lines, as one trace of text: each in its unit's
    colour (grey when shared by tied units), spread apart where ranks crowd (spread_labels)."""
    y = [lb.rank for lb in labels]
    for key in {(lb.year, lb.position) for lb in labels}:
        idx = [i for i, lb in enumerate(labels) if (lb.year, lb.position) == key]
        for i, spread in zip(idx, spread_labels([labels[i].rank for i in idx], gap), strict=True):
            y[i] = spread
    return {
        "type": "scatter",
        "x": [lb.year for lb in labels],
        "y": y,
        # invisible markers the size of the lines' markers: the text keeps the same gap to the point
        "mode": "markers+text",
        "marker": {"size": 8, "opacity": 0},
        "text": [lb.text for lb in labels],
        "textposition": [lb.position for lb in labels],
        "textfont": {"size": 11, "color": [colors.get(lb.code or "", NEUTRAL_TEXT) for lb in labels]},
        "cliponaxis": False,
        "hoverinfo": "skip",
        "showlegend": False,
        "name": "Nhãn thứ hạng",
    }


def _background_trace(df: pl.DataFrame, names: dict[str, str]) -> dict:
    """Every other unit as one thin grey trace (lines broken by gaps): one trace draws faster than
    one per unit, and the hover still names the unit of each point."""
    xs: list[int | None] = []
    ys: list[float | None] = []
    custom: list[list[str] | None] = []
    for code in df["unit_code"].unique(maintain_order=True).to_list():
        sub = df.filter(pl.col("unit_code") == code)
        xs += [*sub["year"].to_list(), None]
        ys += [*sub["rank"].to_list(), None]
        custom += [*rank_hover(sub, [names[code]] * sub.height), None]
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "showlegend": False,
        "line": {"color": BACKGROUND_LINE, "width": 1},
        # two dozen grey lines behind the highlighted ones read as noise: faded to a texture
        "opacity": 1.0 if df["unit_code"].n_unique() <= 10 else 0.5,
        "customdata": custom,
        "hovertemplate": RANK_HOVER,
        "name": "Các đơn vị khác",
        "connectgaps": False,
    }


def bump_chart(ranked: pl.DataFrame, highlight: Sequence[str], *, max_background: int = 60) -> go.Figure:
    """Rank over years, rank 1 on top; highlighted units in colour with "X/N" labels.

    Other units are thin grey lines when there are at most `max_background` of them. The
    rank axis stops at the largest pool of the years shown and always labels rank 1.
    """
    df = ranked.filter(pl.col("rank").is_not_null()).sort("unit_code", "year")
    names = labels_for(df)
    max_n = int(df["rank_of"].max() or 1) if not df.is_empty() else 1
    traces = []
    others = df.filter(~pl.col("unit_code").is_in(list(highlight)))
    if not others.is_empty() and others["unit_code"].n_unique() <= max_background:
        traces.append(_background_trace(others, names))
    chosen = [c for c in highlight if c in names]
    points = df.filter(pl.col("unit_code").is_in(chosen))
    # up to three units: every point labelled on its line; more: the first and last years only,
    # in a trace of their own (_labels_trace), spread apart where the units' ranks crowd
    every = len(chosen) <= 3
    labels = bump_labels(points, chosen, names, max_n, every=every)
    colors = {code: LINE_PALETTE[i % len(LINE_PALETTE)] for i, code in enumerate(chosen)}
    for code in chosen:
        sub = points.filter(pl.col("unit_code") == code)
        years = sub["year"].to_list()
        line = {
            "type": "scatter",
            "x": years,
            "y": sub["rank"].to_list(),
            "mode": "lines+markers",
            "name": names[code],
            "line": {"color": colors[code], "width": 3},
            "marker": {"size": 8},
            "customdata": rank_hover(sub, [names[code]] * sub.height),
            "hovertemplate": RANK_HOVER,
        }
        if every:
            own = {lb.year: lb for lb in labels if lb.code == code}
            line |= {
                "mode": "lines+markers+text",
                "text": [own[y].text if y in own else "" for y in years],
                "textposition": [own[y].position if y in own else "middle right" for y in years],
                "textfont": {"size": 11},
                "cliponaxis": False,
            }
        traces.append(line)
    # the labels not drawn on a line: the first- and last-year ones, or only the tied units' shared ones
    apart = labels if not every else [lb for lb in labels if lb.code is None]
    if apart:
        # a label is about 14 px tall; the plot is about 300 px tall at the figure's 540
        traces.append(_labels_trace(apart, colors, gap=14 * (max_n + 0.2) / _RANK_PLOT_PX))
    years = df["year"].to_list()
    layout = base_layout(
        f"Thứ hạng CCHC của các đơn vị do Sở Y tế xếp hạng, {years_label(years)}",
        subtitle=(
            "Nhãn X/N: hạng X trong N đơn vị được xếp hạng năm đó (N thay đổi theo năm); "
            "đơn vị bằng điểm chung một nhãn (đồng hạng). Di chuột để xem hạng từng năm. "
            "Đường xám: các đơn vị khác."
        ),
        height=540,
        x=x_axis("Năm"),
        y=rank_axis(max_n),
    )
    if years:
        left_pad = 1.1 if any(lb.position == "middle left" and lb.code is None for lb in labels) else 0.6
        # room for the "X/N" labels left of the first and right of the last year
        layout["xaxis"]["range"] = [min(years) - left_pad, max(years) + 0.6]
        right = [lb.text for lb in labels if lb.position == "middle right" and lb.year == max(years)]
        longest = max((len(t) for t in right), default=0)
        layout["margin"]["r"] = max(10, min(380, round(_CHAR_PX * longest) - 45))
    return figure(traces, layout)


def percentile_chart(ranked: pl.DataFrame, highlight: Sequence[str]) -> go.Figure:
    """Rank percentile (100 = first, 0 = last) of the highlighted units: comparable across years."""
    df = ranked.filter(pl.col("unit_code").is_in(list(highlight)) & pl.col("percentile").is_not_null()).sort(
        "unit_code", "year"
    )
    labels = labels_for(df)
    traces = []
    for i, code in enumerate(highlight):
        sub = df.filter(pl.col("unit_code") == code)
        if sub.is_empty():
            continue
        traces.append(
            {
                "type": "scatter",
                "x": sub["year"].to_list(),
                "y": sub["percentile"].to_list(),
                "mode": "lines+markers",
                "name": labels[code],
                "line": {"color": LINE_PALETTE[i % len(LINE_PALETTE)], "width": 2.5},
                "marker": {"size": 6},
                "customdata": rank_hover(sub, [labels[code]] * sub.height),
                "hovertemplate": RANK_HOVER,
            }
        )
    layout = base_layout(
        f"Vị thế thứ hạng CCHC (0–100), {years_label(df['year'].to_list())}",
        subtitle="Quy đổi hạng X/N về thang 0–100 (100 = đứng đầu, 50 = giữa bảng, 0 = cuối bảng) để so "
        "sánh giữa các năm có số đơn vị khác nhau.",
        x=x_axis("Năm"),
        y=y_axis(
            "Điểm vị thế (0–100)",  # the scale is in the subtitle: a longer title outgrew the plot
            range=[-5, 105],
            tickvals=[0, 25, 50, 75, 100],
        ),
    )
    return figure(traces, layout)


def score_distribution_chart(ranked: pl.DataFrame) -> go.Figure:
    """Box and points of CCHC scores per year (pool "so")."""
    df = ranked.filter(pl.col("cchc_score").is_not_null()).sort("year")
    names = row_labels(df)
    box = {
        "type": "box",
        "x": df["year"].to_list(),
        "y": df["cchc_score"].to_list(),
        "boxpoints": "all",
        "jitter": 0.4,
        "pointpos": 0,
        "marker": {"color": domain_color("cchc"), "size": 5, "opacity": 0.7},
        "line": {"color": domain_color("cchc")},
        "fillcolor": "rgba(0,114,178,0.12)",
        "name": "Điểm CCHC",
        "customdata": rank_hover(df, names),
        "hovertemplate": RANK_HOVER,
    }
    layout = base_layout(
        f"Phân bố điểm CCHC của các đơn vị theo năm, {years_label(df['year'].to_list())}",
        subtitle="Mỗi chấm là một đơn vị; hộp là khoảng giữa 50% đơn vị, vạch ngang là trung vị.",
        legend=False,
        x=x_axis("Năm"),
        y=y_axis("Điểm CCHC (điểm, thang 100)"),
    )
    return figure([box], layout)


def par_chart(par: pl.DataFrame, unit_name: str) -> go.Figure:
    """The Sở's PAR rank among provincial departments, its own pool: rank 1 on top, "X/N" labels."""
    df = par.sort("year")
    max_n = int(df["rank_of"].max() or 1)
    custom = [
        [str(y), fmt_rank(r, n), fmt_num(s, 2), fmt_num(p, 0)]
        for y, r, n, s, p in df.select("year", "rank", "rank_of", "cchc_score", "percentile").iter_rows()
    ]
    line = rank_line(
        df["year"].to_list(),
        df["rank"].to_list(),
        df["rank_label"].to_list(),
        max_n,
        name=unit_name,
        custom=custom,
        hovertemplate=(
            f"<b>{unit_name}</b><br>Năm %{{customdata[0]}}: hạng %{{customdata[1]}}"
            "<br>Điểm PAR Index: %{customdata[2]}<br>Điểm vị thế: %{customdata[3]}" + HOVER_END
        ),
        marker_size=9,
    )
    layout = base_layout(
        f"Thứ hạng chỉ số CCHC (PAR Index) của {unit_name} trong các sở, ban, ngành tỉnh, "
        f"{years_label(df['year'].to_list())}",
        subtitle=(
            "Nhóm xếp hạng riêng do tỉnh chấm; không so sánh với thứ hạng các đơn vị do Sở xếp. "
            "Biểu đồ không phụ thuộc bộ lọc loại đơn vị, địa bàn."
        ),
        height=380,
        legend=False,
        x=x_axis("Năm"),
        y=rank_axis(max_n),
    )
    return figure([line], layout)
