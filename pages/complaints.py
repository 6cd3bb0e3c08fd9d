"""Khiếu nại, phản ánh: volumes by channel, received vs resolved vs carried over, the resolution
rate, complaints per 10.000 patient visits, citizen reception and leader dialogues."""

from __future__ import annotations

import streamlit as st

from app import charts, queries, tables
from app.downloads import download_buttons, show_chart, vietnamese_headers
from app.filters import current_filters, no_data, page_header

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

f = current_filters()
page_header(
    "Khiếu nại, tố cáo, kiến nghị, phản ánh",
    f,
    "Đơn thư và phản ánh theo kênh tiếp nhận, tình hình giải quyết, vụ việc phức tạp kéo dài, "
    "tiếp công dân và đối thoại của người đứng đầu.",
)

panel = tables.scoped(queries.panel(f.snapshot, CODES, f.restated), f.unit_types, f.areas)
period = tables.scoped(panel, year_from=f.year_from, year_to=f.year_to)
if not tables.has_values(period, *CODES[:-1]):
    no_data("Chưa có đơn vị nào báo cáo số liệu đơn thư, phản ánh trong phạm vi và giai đoạn đã chọn.")
    st.stop()
if f.restated:
    st.caption("Chế độ quy đổi: số liệu của các đơn vị đã sáp nhập được cộng vào đơn vị hiện nay.")

st.subheader("Kênh tiếp nhận")
channels = tables.channels_by_year(period)
if channels.is_empty():
    no_data("Các đơn vị chưa báo cáo phản ánh theo kênh tiếp nhận trong giai đoạn đã chọn.")
else:
    show_chart(charts.channels_chart(channels), channels, "kn_kenh")

st.subheader("Tiếp nhận và giải quyết")
flow = tables.complaint_flow(period)
if flow.is_empty():
    no_data("Các đơn vị chưa báo cáo số đơn thư tiếp nhận trong giai đoạn đã chọn.")
else:
    show_chart(charts.complaint_flow_chart(flow), flow, "kn_luong")
    show_chart(charts.resolution_rate_chart(flow), flow, "kn_ty_le")

st.subheader(f"Theo đơn vị, năm {f.year}")
by_unit = tables.complaints_by_unit(tables.in_year(panel, f.year))
if by_unit.is_empty():
    no_data(f"Năm {f.year} chưa có đơn vị nào báo cáo số đơn thư.")
else:
    if by_unit.filter(by_unit["per_10k"].is_not_null()).is_empty():
        no_data(
            f"Năm {f.year} chưa có đơn vị nào báo cáo tổng lượt khám bệnh, nên chưa tính được tỷ lệ trên 10.000 lượt khám."
        )
    else:
        show_chart(charts.per_10k_chart(by_unit, f.year), by_unit, "kn_10k")
    st.caption("Bảng theo đơn vị: tỷ lệ giải quyết = đã giải quyết / (tiếp nhận + tồn năm trước).")
    st.dataframe(
        tables.formatted(
            by_unit.drop("unit_code"),
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
        ),
        hide_index=True,
        column_config={
            "rank_group": None,
            "short_name": "Tên đơn vị",
            "unit_type_vi": "Loại đơn vị",
            "received": "Tiếp nhận",
            "carried_in": "Tồn năm trước",
            "resolved": "Đã giải quyết",
            "rate_pct": "Tỷ lệ giải quyết",
            "protracted": "Phức tạp, kéo dài",
            "visits": "Lượt khám bệnh",
            "per_10k": "Trên 10.000 lượt khám",
        },
    )
    download_buttons(vietnamese_headers(by_unit), "kn_theo_don_vi")

st.subheader("Tiếp công dân và đối thoại")
reception = tables.reception_by_year(period)
if reception.is_empty():
    no_data("Các đơn vị chưa báo cáo số buổi tiếp công dân và đối thoại trong giai đoạn đã chọn.")
else:
    show_chart(charts.reception_chart(reception), reception, "kn_tiep_dan")
