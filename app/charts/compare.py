"""Charts of the comparison page: where the chosen units stand on each indicator."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from app.charts.common import HOVER_END, LINE_PALETTE, base_layout, figure, hline, note, vline, x_axis, y_axis
from app.fmt import NOT_REPORTED, fmt_num
from app.tables.common import labels_for

SYMBOLS = ("circle", "diamond", "square", "triangle-up")
ROW_SPAN = 0.7  # share of an indicator's row the units spread over


def dodge_offsets(n: int, span: float = ROW_SPAN) -> list[float]:
    """Vertical offsets that give each of `n` units its own lane inside an indicator's row, so
    units with the same percentile (ties) sit side by side instead of on top of each other.

    >>> dodge_offsets(1), dodge_offsets(3)
    ([0.0], [-0.35, 0.0, 0.35])
    """
    if n <= 1:
        return [0.0]
    step = span / (n - 1)
    return [round(-span / 2 + i * step, 6) for i in range(n)]


def percentile_profile_chart(
    league: pl.DataFrame, unit_codes: Sequence[str], measures: dict[str, str], year: int
) -> go.Figure:
    """Each chosen unit's percentile per indicator (100 = best in the province that year).

    `measures` maps the indicator (or rate) codes the composite uses to their short names,
    top to bottom. Every unit has its own lane in each row (first unit on top), so tied
    units stay visible.
    """
    df = league.filter(pl.col("unit_code").is_in(list(unit_codes)))
    labels = labels_for(df)
    codes = list(measures)
    chosen = [c for c in unit_codes if c in labels]
    offsets = dodge_offsets(len(chosen))
    traces = []
    for i, code in enumerate(chosen):
        row = df.filter(pl.col("unit_code") == code)
        values = [row[f"pct_{c}"][0] if f"pct_{c}" in row.columns else None for c in codes]
        custom = [
            [labels[code], measures[c], fmt_num(v, 0) if v is not None else NOT_REPORTED]
            for c, v in zip(codes, values, strict=True)
        ]
        traces.append(
            {
                "type": "scatter",
                "x": values,
                "y": [r + offsets[i] for r in range(len(codes))],
                "mode": "markers",
                "name": labels[code],
                "marker": {
                    "size": 11,
                    "color": LINE_PALETTE[i % len(LINE_PALETTE)],
                    "symbol": SYMBOLS[i % len(SYMBOLS)],
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": custom,
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}: điểm vị thế %{customdata[2]}"
                + HOVER_END,
            }
        )
    layout = base_layout(
        f"Vị trí của các đơn vị đã chọn theo từng chỉ tiêu, năm {year}",
        subtitle="Điểm vị thế trong tỉnh: 100 = tốt nhất hoặc đạt mục tiêu, 0 = thấp nhất. Mỗi đơn vị "
        "một làn trong hàng của chỉ tiêu (đơn vị bằng nhau vẫn thấy rõ); chỉ tiêu đơn vị chưa báo cáo "
        "hoặc không áp dụng không có điểm trên hàng đó.",
        height=max(360, 150 + (18 + 9 * len(chosen)) * len(codes)),
        x=x_axis(
            # short: the plot beside the indicators' names is narrow on a phone; the scale is
            # explained in the subtitle
            "Điểm vị thế (0–100)",
            years=False,
            range=[-5, 105],
            tickvals=[0, 25, 50, 75, 100],
        ),
        y=y_axis(
            None,
            tickmode="array",
            tickvals=list(range(len(codes))),
            ticktext=[measures[c] for c in codes],
            range=[len(codes) - 0.5, -0.5],
            showgrid=False,
        ),
    )
    separators = [hline(r + 0.5, color="#E4E4E4") for r in range(len(codes) - 1)]
    layout["shapes"] = [*separators, vline(50, color="#888", dash="dot")]
    layout["annotations"] = [note("Trung vị", 50, 1, xref="x", yref="y domain", yanchor="bottom")]
    return figure(traces, layout)
