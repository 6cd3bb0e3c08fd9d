"""Sự hài lòng: pooled trends with Wilson intervals, unit x year heatmap, units below the
target line, and the mean 5-point score."""

from __future__ import annotations

import streamlit as st

from app import charts, tables
from app.downloads import chart_or_note, show_chart, show_table
from app.filters import current_filters, expected_in_scope, no_data, page_header, scoped_panel, tabbed
from app.fmt import fmt_int, fmt_pct
from etl.catalogue import load_catalogue

CODES = (*tables.SATISFACTION_CODES, *tables.SCORE_CODES)
HEATMAP_MAX_UNITS = 40  # beyond this the heatmap keeps the best and worst units
HEATMAP_EDGE = 15
TARGETS = [70 + 0.5 * i for i in range(61)]  # 70% to 100% by half a point

f = current_filters()
cat = load_catalogue()
page_header(
    "Sự hài lòng",
    f,
    "Tỷ lệ hài lòng của người bệnh nội trú, ngoại trú và của nhân viên y tế, kèm số phiếu khảo sát: "
    "tỷ lệ từ 12 phiếu không có cùng độ tin cậy như từ 1.200 phiếu.",
)

panel, period = scoped_panel(
    f,
    CODES,
    required=tables.SATISFACTION_CODES,
    message="Chưa có đơn vị nào báo cáo tỷ lệ hài lòng trong phạm vi và giai đoạn đã chọn.",
)

# a selectbox, not a slider: as quick to set, and the browser draws it in a fraction of the time
target = st.selectbox(
    "Mục tiêu tỷ lệ hài lòng",
    options=TARGETS,
    # the catalogue's target of the satisfaction rates (90%) is where the page opens
    index=TARGETS.index(cat["sat_inpatient_pct"].target or 90.0),
    width=240,
    format_func={v: fmt_pct(v, 1) for v in TARGETS}.get,
    key="hl_muc_tieu",
    bind="query-params",
    help='Đơn vị có tỷ lệ dưới mức này được liệt kê bên dưới. Mặc định 90% (nhiều đơn vị báo cáo "trên 90%").',
)

st.subheader("Xu hướng toàn ngành")
if f.restated:
    st.caption(
        "Chế độ quy đổi: tỷ lệ của các đơn vị đã sáp nhập được bình quân gia quyền theo số phiếu vào đơn vị hiện nay."
    )


def draw_rates() -> None:
    trend = tables.satisfaction_trend(period)
    show_chart(charts.satisfaction_trend_chart(trend, target), trend, "hl_xu_huong")


def draw_scores() -> None:
    chart_or_note(
        tables.score_trend(period),
        charts.score_trend_chart,
        "hl_diem",
        "Các đơn vị chưa báo cáo điểm hài lòng trung bình (thang 5) trong giai đoạn đã chọn.",
    )


tabbed("hl_xu_huong_tab", {"Tỷ lệ hài lòng": draw_rates, "Điểm hài lòng trung bình (thang 5)": draw_scores})

st.subheader("Theo đơn vị")
code = st.radio(
    "Khảo sát",
    tables.SATISFACTION_CODES,
    format_func={c: cat[c].short_vi for c in tables.SATISFACTION_CODES}.get,
    horizontal=True,
    key="hl_khao_sat",
    bind="query-params",
)
ind = cat[code]


def draw_target() -> None:
    year_rows = tables.unit_satisfaction(tables.in_year(panel, f.year), code)
    if year_rows.is_empty():
        no_data(f"Năm {f.year} chưa có đơn vị nào báo cáo {ind.short_vi.lower()}.")
        return
    show_chart(
        charts.unit_dots_chart(year_rows, ind.short_vi, f.year, target), year_rows, "hl_muc_tieu_chart"
    )
    below = tables.below_target(tables.in_year(panel, f.year), code, target)
    survey = f"{ind.short_vi.lower()}, năm {f.year}"
    if below.is_empty():
        st.success(
            f"Không có đơn vị nào dưới mục tiêu {fmt_pct(target, 1)} ({survey}): "
            f"cả {fmt_int(year_rows.height)} đơn vị báo cáo đều đạt.",
            icon=":material/check_circle:",
        )
    else:
        st.markdown(
            f"**{len(below)} đơn vị dưới mục tiêu {fmt_pct(target, 1)}** ({survey}). Cột cuối cho biết đơn vị "
            "vẫn dưới mục tiêu cả khi tính sai số chọn mẫu (cận trên khoảng tin cậy 95% cũng dưới mục tiêu)."
        )
        show_table(
            tables.formatted(
                tables.with_unique_names(below),
                {"pct": 1, "lo": 1, "hi": 1, "n": 0},
                percent=("pct", "lo", "hi"),
            ),
            {
                "short_name": "Tên đơn vị",
                "unit_type_vi": "Loại đơn vị",
                "pct": "Tỷ lệ hài lòng",
                "n": "Số phiếu",
                "lo": "Cận dưới KTC 95%",
                "hi": "Cận trên KTC 95%",
                "certain": "Chắc chắn dưới mục tiêu",
            },
            "hl_duoi_muc_tieu",
            download=below,
            right=("pct", "n", "lo", "hi"),
        )


def draw_heatmap() -> None:
    grid = tables.unit_year_grid(panel, expected_in_scope(f, panel), code, (f.year_from, f.year_to))
    if grid.is_empty():
        no_data(f"Chưa có đơn vị nào báo cáo {ind.short_vi.lower()} trong giai đoạn đã chọn.")
        return
    shown, total = tables.limit_grid(grid, f.year, HEATMAP_EDGE, HEATMAP_MAX_UNITS)
    note = None
    if shown["unit_code"].n_unique() < total:
        note = (
            f"Hiển thị {HEATMAP_EDGE} đơn vị cao nhất và {HEATMAP_EDGE} đơn vị thấp nhất năm {f.year} "
            f"trong {fmt_int(total)} đơn vị; tải bảng số liệu để xem đủ."
        )
    show_chart(
        charts.heatmap_chart(shown, ind.short_vi, ind.kind, ind.unit_vi, year=f.year, subtitle=note),
        grid,
        "hl_heatmap",
        wide=True,  # the units' names and the colour bar leave a phone no room for the years
    )


tabbed("hl_theo_don_vi", {"So với mục tiêu": draw_target, "Bản đồ nhiệt theo năm": draw_heatmap})
