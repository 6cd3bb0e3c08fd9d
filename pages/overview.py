"""Tổng quan: KPI cards for the chosen year, reporting rate, one trend per domain, biggest movers."""

from __future__ import annotations

import streamlit as st

from app import charts, queries, tables
from app.downloads import show_chart
from app.filters import current_filters, no_data, page_header
from etl.catalogue import load_catalogue

CODES = (
    "cchc_score",
    "sat_inpatient_pct",
    "sat_outpatient_pct",
    "training_sessions",
    "training_participants",
    "complaints_received",
    "complaints_carried_in",
    "complaints_resolved",
    "dv_official_rating",
)
MOVER_CODES = (
    "cchc_score",
    "sat_inpatient_pct",
    "sat_outpatient_pct",
    "sat_staff_pct",
    "training_participants",
    "leader_dialogues",
)

f = current_filters()
cat = load_catalogue()
page_header(
    "Tổng quan",
    f,
    "Bức tranh chung về công tác dân vận của các đơn vị: tình hình báo cáo, các chỉ số chính và "
    "những đơn vị thay đổi nhiều nhất.",
)

panel_all = queries.panel(f.snapshot, CODES + MOVER_CODES, f.restated)
panel = tables.scoped(panel_all, f.unit_types, f.areas)
reporting = tables.scoped(queries.reporting(f.snapshot), f.unit_types, f.areas)

if panel.is_empty() or reporting.is_empty():
    no_data("Không có đơn vị nào thuộc phạm vi đã chọn. Hãy bỏ bớt điều kiện lọc loại đơn vị hoặc địa bàn.")
    st.stop()

st.subheader(f"Chỉ số chính năm {f.year}")
kpis = tables.overview_kpis(panel, reporting, f.year)
for start in range(0, len(kpis), 4):
    cols = st.columns(4)
    for col, kpi in zip(cols, kpis[start : start + 4], strict=False):
        value, delta, color, arrow = tables.kpi_display(kpi)
        history = [v for v in kpi.history if v is not None]
        col.metric(
            kpi.label,
            value,
            delta,
            delta_color=color,
            delta_arrow=arrow,
            help=kpi.help,
            border=True,
            chart_data=history if len(history) > 1 else None,
            chart_type="line",
            delta_description=f"so với {f.year - 1}" if delta else None,
        )
if f.restated:
    st.caption("Thẻ tình hình báo cáo luôn tính theo báo cáo gốc (đơn vị nào đã nộp tệp).")

st.subheader("Tình hình nộp báo cáo")
rep = tables.reporting_by_year(tables.scoped(reporting, year_from=f.year_from, year_to=f.year_to))
if rep.is_empty():
    no_data("Không có năm nào trong giai đoạn đã chọn.")
else:
    show_chart(charts.reporting_chart(rep), rep, "tq_bao_cao")
    missing = tables.missing_reports(reporting, f.year)
    with st.expander(f"Đơn vị chưa nộp báo cáo năm {f.year} ({len(missing)})"):
        if missing.is_empty():
            st.write("Tất cả đơn vị đang hoạt động đã nộp báo cáo.")
        else:
            st.dataframe(
                missing.select("unit_code", "short_name", "unit_type_vi", "area"),
                hide_index=True,
                column_config={
                    "unit_code": "Mã đơn vị",
                    "short_name": "Tên đơn vị",
                    "unit_type_vi": "Loại đơn vị",
                    "area": "Địa bàn",
                },
            )

st.subheader("Xu hướng theo lĩnh vực")
period = tables.scoped(panel, year_from=f.year_from, year_to=f.year_to)
trends = tables.domain_trends(period)
if trends.filter(trends["value"].is_not_null()).is_empty():
    no_data("Giai đoạn đã chọn chưa có số liệu của các lĩnh vực.")
else:
    show_chart(charts.domain_trends_chart(trends), trends, "tq_xu_huong")

st.subheader("Đơn vị thay đổi nhiều nhất")
code = st.selectbox(
    "Chỉ tiêu xét biến động",
    MOVER_CODES,
    format_func=lambda c: cat[c].label(),
    key="tq_chi_tieu",
)
moves = tables.top_movers(panel, code, f.year)
if moves.is_empty():
    no_data(f"Không có đơn vị nào báo cáo {cat[code].short_vi.lower()} cả hai năm {f.year - 1} và {f.year}.")
else:
    ind = cat[code]
    show_chart(charts.movers_chart(moves, ind.short_vi, ind.unit_vi, ind.kind, f.year), moves, "tq_bien_dong")
