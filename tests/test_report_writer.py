"""The dashboard's charts as the report prints them (report/writer.py)."""

from __future__ import annotations

import plotly.graph_objects as go

from app.charts.common import base_layout, figure
from report.writer import for_print


def _chart(title: str, subtitle: str | None) -> go.Figure:
    bars = [{"type": "bar", "x": [2024, 2025], "y": [3, 4], "name": "Lớp"}]
    return figure(bars, base_layout(title, subtitle=subtitle, height=420))


def test_the_title_gives_its_room_back_and_the_plot_keeps_its_size() -> None:
    # two title lines on the page; in print the numbered caption says the title
    chart = _chart(
        "Lớp tập huấn và lượt người dự theo loại đơn vị trong toàn ngành, 2021–2025",
        "Cộng các đơn vị đã báo cáo.",
    )
    printed = for_print(chart)

    assert "<br>" in chart.layout.title.text
    assert printed.layout.title.text == "Cộng các đơn vị đã báo cáo."
    freed = chart.layout.margin.t - printed.layout.margin.t
    assert freed == 48  # two title lines of 24 px
    assert chart.layout.height - printed.layout.height == freed
    plot_before = chart.layout.height - chart.layout.margin.t - chart.layout.margin.b
    plot_after = printed.layout.height - printed.layout.margin.t - printed.layout.margin.b
    assert plot_after == plot_before


def test_a_chart_without_subtitle_prints_with_a_plain_top() -> None:
    chart = _chart("Số lớp tập huấn", None)
    printed = for_print(chart)

    assert not printed.layout.title.text
    assert printed.layout.margin.t == 10  # the margin of a chart without title
    assert chart.layout.height - printed.layout.height == chart.layout.margin.t - 10
