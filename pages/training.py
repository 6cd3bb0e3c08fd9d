"""Tập huấn: sessions and participants by year and unit type, participants per staff member,
and the units with no training in the chosen year."""

from __future__ import annotations

import streamlit as st

from app import charts, queries, tables
from app.downloads import download_buttons, show_chart, vietnamese_headers
from app.filters import current_filters, no_data, page_header

CODES = ("training_sessions", "training_participants", "staff_total")

f = current_filters()
page_header(
    "Tập huấn, bồi dưỡng",
    f,
    "Các lớp tập huấn về công tác dân vận, Quy chế dân chủ ở cơ sở, quy tắc ứng xử, kỹ năng giao tiếp: "
    "số lớp, lượt người dự và mức bao phủ so với số viên chức của đơn vị.",
)

panel = tables.scoped(queries.panel(f.snapshot, CODES, f.restated), f.unit_types, f.areas)
period = tables.scoped(panel, year_from=f.year_from, year_to=f.year_to)
if not tables.has_values(period, "training_sessions", "training_participants"):
    no_data("Chưa có đơn vị nào báo cáo số liệu tập huấn trong phạm vi và giai đoạn đã chọn.")
    st.stop()

st.subheader("Theo năm và loại đơn vị")
by_year = tables.training_by_year(period)
left, right = st.columns(2)
with left:
    show_chart(charts.training_by_year_chart(by_year, "sessions", narrow=True), by_year, "th_lop")
with right:
    show_chart(charts.training_by_year_chart(by_year, "participants", narrow=True), by_year, "th_luot")
if f.restated:
    st.caption(
        "Chế độ quy đổi: số lớp và lượt người dự của các đơn vị đã sáp nhập được cộng vào đơn vị hiện nay."
    )

st.subheader(f"Mức bao phủ năm {f.year}")
year_panel = tables.in_year(panel, f.year)
coverage = tables.training_coverage(year_panel)
if coverage.filter(coverage["per_staff"].is_not_null()).is_empty():
    no_data(f"Năm {f.year} chưa có đơn vị nào báo cáo đủ lượt người dự tập huấn và số viên chức.")
else:
    show_chart(charts.coverage_chart(coverage, f.year), coverage, "th_bao_phu")

st.subheader(f"Đơn vị không tổ chức tập huấn năm {f.year}")
expected_all = queries.expected_units(queries.units(f.snapshot), queries.years(f.snapshot))
expected = tables.scoped(tables.expected_in_view(expected_all, panel, f.restated), f.unit_types, f.areas)
none = tables.no_training(year_panel, tables.in_year(expected, f.year))
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
    st.dataframe(
        none.drop("unit_code"),
        hide_index=True,
        column_config={"short_name": "Tên đơn vị", "unit_type_vi": "Loại đơn vị", "status": "Tình trạng"},
    )
    download_buttons(vietnamese_headers(none), "th_khong_tap_huan")
