"""Tập huấn: sessions and participants by year and unit type, participants per staff member,
and the units with no training in the chosen year."""

from __future__ import annotations

import streamlit as st

from app import charts, tables
from app.downloads import chart_or_note, show_chart, show_table
from app.filters import current_filters, expected_in_scope, page_header, scoped_panel

CODES = ("training_sessions", "training_participants", "staff_total")

f = current_filters()
page_header(
    "Tập huấn, bồi dưỡng",
    f,
    "Các lớp tập huấn về công tác dân vận, Quy chế dân chủ ở cơ sở, quy tắc ứng xử, kỹ năng giao tiếp: "
    "số lớp, lượt người dự và mức bao phủ so với số viên chức của đơn vị.",
)

panel, period = scoped_panel(
    f,
    CODES,
    required=("training_sessions", "training_participants"),
    message="Chưa có đơn vị nào báo cáo số liệu tập huấn trong phạm vi và giai đoạn đã chọn.",
)

st.subheader("Theo năm và loại đơn vị")
by_year = tables.training_by_year(period)
show_chart(charts.training_by_year_chart(by_year), by_year, "th_theo_nam")
if f.restated:
    st.caption(
        "Chế độ quy đổi: số lớp và lượt người dự của các đơn vị đã sáp nhập được cộng vào đơn vị hiện nay."
    )

st.subheader(f"Mức bao phủ năm {f.year}")
year_panel = tables.in_year(panel, f.year)
coverage = tables.training_coverage(year_panel)
chart_or_note(
    coverage.filter(coverage["per_staff"].is_not_null()),
    lambda cov: charts.coverage_chart(cov, f.year),
    "th_bao_phu",
    f"Năm {f.year} chưa có đơn vị nào báo cáo đủ lượt người dự tập huấn và số viên chức.",
)

st.subheader(f"Đơn vị không tổ chức tập huấn năm {f.year}")
none = tables.no_training(year_panel, tables.in_year(expected_in_scope(f, panel), f.year))
if none.is_empty():
    st.success(
        f"Năm {f.year}, mọi đơn vị đang hoạt động đều có báo cáo tổ chức tập huấn.",
        icon=":material/check_circle:",
    )
else:
    st.caption(
        '"Báo cáo 0 lớp" là đơn vị ghi rõ không tổ chức lớp nào; "Chưa báo cáo" là đơn vị để trống '
        "chỉ tiêu hoặc chưa nộp báo cáo năm: hai trường hợp khác nhau."
    )
    show_table(
        none,
        {"short_name": "Tên đơn vị", "unit_type_vi": "Loại đơn vị", "status": "Tình trạng"},
        "th_khong_tap_huan",
    )
