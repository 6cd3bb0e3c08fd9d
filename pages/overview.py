"""Tổng quan: a sentence on the year, KPI cards, the units needing attention (each a link to
its profile), reporting rate, the key indicators' trends (one panel each, coloured by domain),
biggest movers, and the units' difficulties and proposals gathered by point."""

from __future__ import annotations

import streamlit as st

from app import auth, charts, queries, tables
from app.cards import show_cards
from app.downloads import chart_or_note, show_chart, show_chart_row, show_table
from app.filters import current_filters, folded, no_data, page_header, scoped_panel, tabbed
from app.fmt import fmt_int
from app.links import profile_href
from etl.catalogue import load_catalogue
from report.texts import grouped, unit_texts

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

# what the attention list also looks at: protracted cases (the targets come from the catalogue)
ATTENTION_CODES = ("complaints_protracted", "sat_staff_pct")
OPINION_CODES = {"difficulties": "Khó khăn, hạn chế", "proposals": "Đề xuất, kiến nghị"}
ATTENTION_SHOWN = 12  # the rest behind an expander: the list is a call list, not a report

panel, _ = scoped_panel(f, tables.KPI_CODES + MOVER_CODES + ATTENTION_CODES)
reporting = tables.scoped(queries.reporting(f.snapshot), f.unit_types, f.areas)

if panel.is_empty() or reporting.is_empty():
    no_data("Không có đơn vị nào thuộc phạm vi đã chọn. Hãy bỏ bớt điều kiện lọc loại đơn vị hoặc địa bàn.")
    st.stop()

series = tables.kpi_series(panel, reporting)  # the cards and the trends read the same series
kpis = tables.overview_kpis(series, panel, f.year)
attention = tables.units_needing_attention(panel, reporting, f.year)
st.markdown(tables.year_headline(kpis, f.year, attention.height))
st.subheader(f"Chỉ số chính năm {f.year}")
show_cards([tables.kpi_card(kpi, f.year) for kpi in kpis])
if f.restated:
    st.caption("Thẻ tình hình báo cáo luôn tính theo báo cáo gốc (đơn vị nào đã nộp tệp).")


def draw_trends() -> None:
    trends = tables.kpi_trends(series, f.year_from, f.year_to)
    trends = trends.filter(trends["value"].is_not_null())
    if trends.is_empty():
        no_data("Giai đoạn đã chọn chưa có số liệu của các lĩnh vực.")
        return
    st.caption(f"Diễn biến các chỉ số chính, {f.period_label}. {charts.TRENDS_NOTE}")
    # three charts in three columns rather than one 3x3 grid: a phone stacks the columns
    show_chart_row(
        charts.kpi_trend_columns(trends, f.year),
        trends,
        "tq_xu_huong",
        f"Diễn biến các chỉ số chính, {f.period_label}",
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
        format_func={c: cat[c].label() for c in MOVER_CODES}.get,
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


def draw_attention() -> None:
    if attention.is_empty():
        st.success(f"Năm {f.year} không có đơn vị nào cần chú ý đặc biệt.", icon=":material/check_circle:")
        return
    st.caption(
        "Chưa nộp báo cáo, dưới mục tiêu của Sở, tụt từ 5 bậc xếp hạng CCHC trở lên (so với cùng các đơn vị "
        "năm trước) hoặc có vụ việc phức tạp, kéo dài. Bấm tên đơn vị để mở hồ sơ."
    )
    labels = tables.profile_labels(queries.units(f.snapshot))
    # one Markdown list, not a page link per unit: one element for the browser to draw
    lines = [
        f"- [**{tables.escape_markdown(row['short_name'])}**]"
        f"({profile_href(labels.get(row['unit_code'], row['short_name']), f.year)}): "
        + tables.escape_markdown(row["reasons"])
        for row in attention.iter_rows(named=True)
    ]
    st.markdown("\n".join(lines[:ATTENTION_SHOWN]))
    if len(lines) > ATTENTION_SHOWN:
        # drawn once opened: at national scale the rest is hundreds of links on every run
        folded(
            f"Xem thêm {fmt_int(len(lines) - ATTENTION_SHOWN)} đơn vị",
            "tq_them_don_vi",
            lambda: st.markdown("\n".join(lines[ATTENTION_SHOWN:])),
        )


def draw_opinions() -> None:
    if not auth.current_scope().sees_all_units:  # a unit reads its own words on its profile only
        no_data(
            "Ý kiến của các đơn vị chỉ dành cho Sở Y tế và Ban Dân vận; ý kiến của đơn vị bạn có trong hồ sơ đơn vị."
        )
        return
    year_rows = tables.scoped(
        queries.year_panel(f.snapshot, tuple(OPINION_CODES), f.year, f.restated), f.unit_types, f.areas
    )
    names = dict(year_rows.select("unit_code", "short_name").iter_rows())
    st.caption(
        f"Ý kiến các đơn vị ghi trong báo cáo năm {f.year}, gom theo ý: ý nhiều đơn vị cùng nêu đứng trước, "
        "kèm tên các đơn vị."
    )
    for code, title in OPINION_CODES.items():
        points = grouped(unit_texts(year_rows, code, names))
        st.markdown(f"**{title}** ({fmt_int(len(points))} ý)")
        if not points:
            no_data(f"Năm {f.year} chưa đơn vị nào ghi {title.lower()}.")
            continue
        st.markdown(
            "\n".join(
                f"- {tables.escape_markdown(point)} — *{tables.escape_markdown(', '.join(who))}*"
                for point, who in points
            )
        )


st.subheader("Đơn vị cần chú ý")
draw_attention()

tabbed(
    "tq_chi_tiet",
    {
        "Xu hướng theo lĩnh vực": draw_trends,
        "Tình hình nộp báo cáo": draw_reporting,
        "Đơn vị thay đổi nhiều nhất": draw_movers,
        "Khó khăn, đề xuất của các đơn vị": draw_opinions,
    },
)
