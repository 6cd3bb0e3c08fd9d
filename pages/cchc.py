"""Xếp hạng CCHC: the two rank pools side by side as tabs, never mixed. The units the Sở ranks:
rank trajectories (bump chart), standing over the years, score distribution, the year's ranking with
ties (the rank/score checks are the operators' page's: one line points there). The Sở among the provincial departments: its PAR rank, also summed up in
one sentence above the tabs, since it is the figure the Sở's leadership looks for first."""

from __future__ import annotations

import streamlit as st

from app import charts, queries, tables
from app.downloads import chart_or_note, show_chart, show_table
from app.filters import current_filters, no_data, page_header, tabbed

CODES = ("cchc_score", "cchc_rank", "cchc_rank_of")
PERCENTILE_TAB = "Vị thế qua các năm (0–100)"
DATA_CHECK_POINTER = (
    "Các trường hợp cần kiểm tra số liệu: xem trang «Kiểm tra số liệu» (dành cho cán bộ quản lý số liệu)."
)
# the table behind each of the three rank views
RANK_COLUMNS = (
    "year",
    "unit_code",
    "short_name",
    "rank_group",
    "cchc_score",
    "rank",
    "rank_of",
    "rank_label",
    "is_tie",
    "cchc_rank",
    "cchc_rank_of",
    "percentile",
)

f = current_filters()
page_header(
    "Xếp hạng cải cách hành chính (CCHC)",
    f,
    "Thứ hạng CCHC do Sở Y tế chấm cho các đơn vị trực thuộc, và thứ hạng của chính Sở Y tế "
    "trong các sở, ban, ngành do tỉnh chấm (hai nhóm xếp hạng riêng, không trộn lẫn).",
)
if f.restated:
    st.info(
        "Thứ hạng chỉ so sánh được trong cùng một đợt xếp hạng, nên trang này luôn dùng số liệu "
        "theo báo cáo gốc, kể cả khi chọn quy đổi theo cơ cấu hiện tại.",
        icon=":material/info:",
    )

all_units = queries.units(f.snapshot)
panel_all = queries.panel(f.snapshot, CODES, False)
# ranks belong to the whole pool: rank first, then narrow to the reader's scope
ranked_all = tables.cchc_ranked(panel_all)
groups = tables.rank_groups(all_units)
group = ""
if len(groups) > 1:
    group = st.selectbox(
        "Nhóm xếp hạng (mỗi Sở Y tế xếp hạng các đơn vị của mình)",
        list(groups),
        format_func=groups.get,
        key="cchc_nhom",
        bind="query-params",
    )
ranked_group = ranked_all.filter(ranked_all["rank_group"] == group)
ranked = tables.scoped(ranked_group, f.unit_types, f.areas, f.year_from, f.year_to)


def draw_units() -> None:
    """The pool the Sở ranks: its own units."""
    # the data checks (reported ranks that do not match the scores, units ranked without a
    # score: tables.rank_mismatches, tables.incomplete_rank_years) are the operators' work and
    # shown on their page; the leader gets one line saying where
    in_period = tables.scoped(ranked_group, year_from=f.year_from, year_to=f.year_to)
    if not tables.rank_mismatches(in_period).is_empty() or tables.incomplete_rank_years(ranked):
        st.caption(DATA_CHECK_POINTER)
    if ranked.filter(ranked["rank"].is_not_null()).is_empty():
        no_data("Không có đơn vị nào được xếp hạng CCHC trong phạm vi và giai đoạn đã chọn.")
        return
    in_view = ranked.filter(ranked["rank"].is_not_null()).unique("unit_code").sort("unit_code")
    labels = charts.labels_for(in_view)
    default = [c for c in tables.default_highlight(ranked, f.year) if c in labels][:8]
    # the picker opens on demand: the chart already names the highlighted units, and the
    # browser loads the picker's code only when it is opened
    with st.popover("Chọn đơn vị làm nổi bật", icon=":material/checklist:"):
        highlight = st.multiselect(
            "Đơn vị làm nổi bật (tối đa 8)",
            list(labels),
            default=default,
            format_func=labels.get,
            max_selections=8,
            key="cchc_don_vi",
            bind="query-params",
            placeholder="Gõ tên đơn vị để tìm",
            select_all=False,
        )

    def draw_bump() -> None:
        show_chart(charts.bump_chart(ranked, highlight), ranked.select(RANK_COLUMNS), "cchc_bump", wide=True)

    def draw_percentile() -> None:
        if not highlight:
            no_data("Chọn ít nhất một đơn vị để xem vị thế thứ hạng qua các năm.")
            return
        chosen = ranked.filter(ranked["unit_code"].is_in(highlight))
        show_chart(
            charts.percentile_chart(ranked, highlight),
            chosen.select(RANK_COLUMNS),
            "cchc_percentile",
            wide=True,
        )

    def draw_scores() -> None:
        chart_or_note(
            ranked.filter(ranked["cchc_score"].is_not_null()).select(RANK_COLUMNS),
            charts.score_distribution_chart,
            "cchc_phan_bo",
            "Các đơn vị chưa báo cáo điểm CCHC trong giai đoạn đã chọn.",
        )

    def draw_league() -> None:
        st.markdown(f"**Bảng xếp hạng CCHC năm {f.year}**")
        league = tables.league_year(tables.scoped(ranked_group, f.unit_types, f.areas), f.year)
        if league.is_empty():
            no_data(f"Năm {f.year} chưa có đơn vị nào được xếp hạng trong phạm vi đã chọn.")
            return
        st.caption(
            "Đồng hạng: các đơn vị bằng điểm nhận cùng hạng, hạng kế tiếp bị bỏ qua (1, 2, 2, 4). "
            "Hạng tính trong toàn bộ các đơn vị do Sở xếp hạng, kể cả khi đang lọc theo loại hay địa bàn."
        )
        if highlight:
            st.caption("Tên tô xanh: các đơn vị đang làm nổi bật trên biểu đồ.")
        shown = tables.formatted(league, {"cchc_score": 1})
        show_table(
            shown.with_columns(tables.highlighted_names(shown, highlight)),
            {
                "rank_label": "Hạng (X/N)",
                "short_name": "Tên đơn vị",
                "unit_type_vi": "Loại đơn vị",
                "cchc_score": "Điểm CCHC",
                "reported_label": "Hạng đơn vị báo cáo",
                "note": "Ghi chú",
            },
            "cchc_bang_xep_hang",
            download=league,
            right=("rank_label", "cchc_score", "reported_label"),
            escaped=("short_name",),
        )

    tabbed(
        "cchc_goc_nhin",
        {
            "Thứ hạng qua các năm": draw_bump,
            "Bảng xếp hạng theo năm": draw_league,
            PERCENTILE_TAB: draw_percentile,
            "Phân bố điểm CCHC": draw_scores,
        },
    )


def draw_par() -> None:
    """The pool the province ranks: its departments, the Sở among them."""
    chart_or_note(
        tables.scoped(par, year_from=f.year_from, year_to=f.year_to),
        lambda t: charts.par_chart(t, t["short_name"][0]),
        "cchc_par",
        "Chưa có thứ hạng PAR Index của Sở Y tế trong giai đoạn đã chọn.",
    )


# the Sở's own PAR rank (all years: the headline compares with the year before the period too)
par = tables.par_ranks(panel_all)
par = par.filter(
    par["unit_code"].is_in(all_units.filter(all_units["rank_group"] == group)["unit_code"].to_list())
)
headline = tables.par_headline(par, f.year)
if headline:
    st.markdown(headline)
# two pools, never mixed: one tab each
tabbed(
    "cchc_nhom_xep_hang",
    {
        "Các đơn vị do Sở Y tế xếp hạng": draw_units,
        "Sở Y tế trong các sở, ban, ngành tỉnh (PAR Index)": draw_par,
    },
)
