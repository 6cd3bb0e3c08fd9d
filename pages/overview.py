"""Tổng quan: KPI cards for the chosen year, reporting rate, the key indicators' trends (one
panel each, coloured by domain), biggest movers."""

from __future__ import annotations

import streamlit as st

from app import charts, queries, tables
from app.cards import show_cards
from app.downloads import chart_or_note, show_chart, show_table
from app.filters import current_filters, no_data, page_header, scoped_panel, tabbed
from etl.catalogue import load_catalogue

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

panel, _ = scoped_panel(f, tables.KPI_CODES + MOVER_CODES)
reporting = tables.scoped(queries.reporting(f.snapshot), f.unit_types, f.areas)

if panel.is_empty() or reporting.is_empty():
    no_data("Không có đơn vị nào thuộc phạm vi đã chọn. Hãy bỏ bớt điều kiện lọc loại đơn vị hoặc địa bàn.")
    st.stop()

st.subheader(f"Chỉ số chính năm {f.year}")
show_cards([tables.kpi_card(kpi, f.year) for kpi in tables.overview_kpis(panel, reporting, f.year)])
if f.restated:
    st.caption("Thẻ tình hình báo cáo luôn tính theo báo cáo gốc (đơn vị nào đã nộp tệp).")


def draw_trends() -> None:
    trends = tables.kpi_trends(panel, reporting, f.year_from, f.year_to)
    chart_or_note(
        trends.filter(trends["value"].is_not_null()),
        lambda t: charts.kpi_trends_chart(t, f.year),
        "tq_xu_huong",
        "Giai đoạn đã chọn chưa có số liệu của các lĩnh vực.",
    )


def draw_reporting() -> None:
    rep = tables.reporting_by_year(tables.scoped(reporting, year_from=f.year_from, year_to=f.year_to))
    if rep.is_empty():
        no_data("Không có năm nào trong giai đoạn đã chọn.")
        return
    show_chart(charts.reporting_chart(rep), rep, "tq_bao_cao")
    missing = tables.missing_reports(reporting, f.year)
    if missing.is_empty():
        st.caption(f"Năm {f.year}, tất cả đơn vị đang hoạt động đã nộp báo cáo.")
        return
    with st.expander(f"Đơn vị chưa nộp báo cáo năm {f.year} ({len(missing)})"):
        show_table(
            missing,
            {
                "short_name": "Tên đơn vị",
                "unit_type_vi": "Loại đơn vị",
                "area": "Địa bàn",
            },
            "tq_chua_nop",
        )


def draw_movers() -> None:
    code = st.selectbox(
        "Chỉ tiêu xét biến động",
        MOVER_CODES,
        format_func=lambda c: cat[c].label(),
        key="tq_chi_tieu",
        bind="query-params",
    )
    ind = cat[code]
    chart_or_note(
        tables.top_movers(panel, code, f.year),
        lambda moves: charts.movers_chart(moves, ind.short_vi, ind.unit_vi, ind.kind, f.year),
        "tq_bien_dong",
        f"Không có đơn vị nào báo cáo {ind.short_vi.lower()} cả hai năm {f.year - 1} và {f.year}.",
    )


tabbed(
    "tq_chi_tiet",
    {
        "Xu hướng theo lĩnh vực": draw_trends,
        "Tình hình nộp báo cáo": draw_reporting,
        "Đơn vị thay đổi nhiều nhất": draw_movers,
    },
)
