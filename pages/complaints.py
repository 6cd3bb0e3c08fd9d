"""Khiếu nại, phản ánh: volumes by channel, received vs resolved vs carried over, the resolution
rate, citizen reception and leader dialogues by year; per unit for the chosen year, a table and
complaints per 10.000 patient visits."""

from __future__ import annotations

import streamlit as st

from app import charts, tables
from app.downloads import chart_or_note, show_table
from app.filters import current_filters, no_data, page_header, scoped_panel, tabbed

CODES = (
    "complaints_received",
    "complaints_carried_in",
    "complaints_resolved",
    "complaints_protracted",
    *tables.CHANNEL_CODES,
    "citizen_reception_days",
    "citizen_visits",
    "leader_dialogues",
    "patient_visits",
)
# the per-unit table: short headers so every column fits the page
UNIT_TABLE = {
    "short_name": "Đơn vị",
    "received": "Tiếp nhận",
    "carried_in": "Tồn năm trước",
    "resolved": "Đã giải quyết",
    "rate_pct": "Tỷ lệ giải quyết",
    "protracted": "Phức tạp, kéo dài",
    "visits": "Lượt khám",
    "per_10k": "Đơn / 10.000 lượt khám",
}

f = current_filters()
page_header(
    "Khiếu nại, tố cáo, kiến nghị, phản ánh",
    f,
    "Đơn thư và phản ánh theo kênh tiếp nhận, tình hình giải quyết, vụ việc phức tạp kéo dài, "
    "tiếp công dân và đối thoại của người đứng đầu.",
)

panel, period = scoped_panel(
    f,
    CODES,
    required=CODES[:-1],
    message="Chưa có đơn vị nào báo cáo số liệu đơn thư, phản ánh trong phạm vi và giai đoạn đã chọn.",
)
if f.restated:
    st.caption("Chế độ quy đổi: số liệu của các đơn vị đã sáp nhập được cộng vào đơn vị hiện nay.")

st.subheader("Theo năm")
tabbed(
    "kn_theo_nam",
    {
        "Tiếp nhận và giải quyết": lambda: chart_or_note(
            tables.complaint_flow(period),
            charts.complaint_flow_chart,
            "kn_luong",
            "Các đơn vị chưa báo cáo số đơn thư tiếp nhận trong giai đoạn đã chọn.",
        ),
        "Kênh tiếp nhận": lambda: chart_or_note(
            tables.channels_by_year(period),
            charts.channels_chart,
            "kn_kenh",
            "Các đơn vị chưa báo cáo phản ánh theo kênh tiếp nhận trong giai đoạn đã chọn.",
        ),
        "Tiếp công dân và đối thoại": lambda: chart_or_note(
            tables.reception_by_year(period),
            charts.reception_chart,
            "kn_tiep_dan",
            "Các đơn vị chưa báo cáo số buổi tiếp công dân và đối thoại trong giai đoạn đã chọn.",
        ),
    },
)

st.subheader(f"Theo đơn vị, năm {f.year}")
by_unit = tables.complaints_by_unit(tables.in_year(panel, f.year))


def draw_unit_table() -> None:
    st.caption(
        "Tỷ lệ giải quyết = đã giải quyết / (tiếp nhận + tồn năm trước). Đơn / 10.000 lượt khám: đơn thư "
        "tiếp nhận trên 10.000 lượt khám bệnh. Bảng tải về có thêm loại đơn vị."
    )
    shown = tables.formatted(
        tables.with_unique_names(by_unit),
        {
            "received": 0,
            "carried_in": 0,
            "resolved": 0,
            "rate_pct": 1,
            "protracted": 0,
            "visits": 0,
            "per_10k": 2,
        },
        percent=("rate_pct",),
    )
    show_table(
        # a centre with no patients has no visits to count complaints against: "không áp dụng"
        tables.explain_blanks(
            shown,
            by_unit,
            {"visits": "patient_visits", "per_10k": "complaints_per_10k", "rate_pct": "resolution_rate_pct"},
        ),
        UNIT_TABLE,
        "kn_theo_don_vi",
        download=by_unit,
        right=tuple(UNIT_TABLE)[1:],
    )


def draw_per_10k() -> None:
    chart_or_note(
        by_unit.filter(by_unit["per_10k"].is_not_null()),
        lambda rows: charts.per_10k_chart(rows, f.year),
        "kn_10k",
        f"Năm {f.year} chưa có đơn vị nào báo cáo tổng lượt khám bệnh, nên chưa tính được tỷ lệ trên "
        "10.000 lượt khám.",
    )


if by_unit.is_empty():
    no_data(f"Năm {f.year} chưa có đơn vị nào báo cáo số đơn thư.")
else:
    # the table first: every figure of every unit; the chart of one of its columns is a click away
    tabbed(
        "kn_don_vi_xem", {"Bảng theo đơn vị": draw_unit_table, "Đơn thư trên 10.000 lượt khám": draw_per_10k}
    )
