"""Plotly figures: one function per chart, frames in, go.Figure out.

`common` holds what every chart shares (palettes, the layout, labels), `margins` the room a
figure needs around its plot, `ranks` the rank axes and lines; one module per page holds that
page's charts. Pages import the package (`from app import charts`) and
call `charts.bump_chart(...)`.
"""

from app.charts.cchc import bump_chart, par_chart, percentile_chart, score_distribution_chart
from app.charts.common import (
    LINE_PALETTE,
    OKABE_ITO,
    SERIES_COLORS,
    UNIT_TYPE_COLORS,
    base_layout,
    domain_color,
    figure,
    value_text,
    wrap_text,
    years_label,
)
from app.charts.compare import dodge_offsets, percentile_profile_chart
from app.charts.complaints import channels_chart, complaint_flow_chart, per_10k_chart, reception_chart
from app.charts.intake import timeliness_chart
from app.charts.overview import (
    TRENDS_NOTE,
    kpi_trend_columns,
    kpi_trends_chart,
    movers_chart,
    reporting_chart,
)
from app.charts.profile import mark_events, unit_rank_chart, unit_trend_chart
from app.charts.ranks import rank_ticks
from app.charts.satisfaction import (
    heatmap_chart,
    heatmap_order,
    satisfaction_trend_chart,
    score_trend_chart,
    unit_dots_chart,
)
from app.charts.training import coverage_chart, training_by_year_chart
from app.tables.common import labels_for, unique_labels  # units are named alike in tables and charts

__all__ = [
    "LINE_PALETTE",
    "OKABE_ITO",
    "SERIES_COLORS",
    "TRENDS_NOTE",
    "UNIT_TYPE_COLORS",
    "base_layout",
    "bump_chart",
    "channels_chart",
    "complaint_flow_chart",
    "coverage_chart",
    "dodge_offsets",
    "domain_color",
    "figure",
    "heatmap_chart",
    "heatmap_order",
    "kpi_trend_columns",
    "kpi_trends_chart",
    "labels_for",
    "mark_events",
    "movers_chart",
    "par_chart",
    "per_10k_chart",
    "percentile_chart",
    "percentile_profile_chart",
    "rank_ticks",
    "reception_chart",
    "reporting_chart",
    "satisfaction_trend_chart",
    "score_distribution_chart",
    "score_trend_chart",
    "timeliness_chart",
    "training_by_year_chart",
    "unique_labels",
    "unit_dots_chart",
    "unit_rank_chart",
    "unit_trend_chart",
    "value_text",
    "wrap_text",
    "years_label",
]
