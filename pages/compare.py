"""So sánh đơn vị (for Ban Dân vận): a scorecard of 2-8 chosen units against the province median,
their percentile profile, and a league table of every unit by a composite index whose weights
the reader sets and whose method is written on the page."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import charts, queries, tables
from app.downloads import download_buttons, show_chart, show_table, vietnamese_headers
from app.filters import current_filters, no_data, page_header
from app.fmt import fmt_int, fmt_pct
from app.widgets import WEIGHT_STEPS, unit_multiselect, weight_text

PAGE_SIZE = 25
# the catalogue codes behind the scorecard and the weights (rates are computed from counts)
CODES = tables.source_codes((*tables.SCORECARD_CODES, *tables.COMPOSITE_DEFAULT_WEIGHTS))

f = current_filters()
page_header(
    "So sánh đơn vị",
    f,
    "Đặt các đơn vị cạnh nhau: bảng điểm theo từng chỉ tiêu so với trung vị toàn tỉnh, và bảng xếp hạng "
    "theo chỉ số tổng hợp có trọng số điều chỉnh được.",
    uses_period=False,
)

all_units = queries.units(f.snapshot)
panel_all = queries.panel(f.snapshot, CODES, f.restated)
panel_year_all = tables.in_year(panel_all, f.year)
groups = tables.rank_groups(all_units)
group = ""
if len(groups) > 1:
    group = st.selectbox(
        "Tỉnh (nhóm so sánh)", list(groups), format_func=groups.get, key="ss_nhom", bind="query-params"
    )
# the median and the percentiles are the whole province's; the filters only narrow what is listed
province_year = panel_year_all.filter(panel_year_all["rank_group"] == group)
province_prev = tables.in_year(panel_all, f.year - 1).filter(pl.col("rank_group") == group)
in_scope = tables.scoped(province_year, f.unit_types, f.areas)
if in_scope.is_empty():
    no_data(
        f"Năm {f.year} không có đơn vị nào thuộc phạm vi đã chọn có báo cáo. Hãy chọn năm khác hoặc bỏ bớt bộ lọc."
    )
    st.stop()

# the inputs open on demand, so the browser loads them only when the reader adjusts a weight
with st.popover("Điều chỉnh trọng số chỉ số tổng hợp", icon=":material/tune:"):
    cols = st.columns(4)
    weights: dict[str, float] = {}
    for i, (code, default) in enumerate(tables.COMPOSITE_DEFAULT_WEIGHTS.items()):
        weights[code] = cols[i % 4].selectbox(
            tables.measure(code).short_vi,
            WEIGHT_STEPS,
            index=WEIGHT_STEPS.index(default),
            format_func=weight_text,
            key=f"ss_w_{code}",
            bind="query-params",
            help=f"{tables.measure(code).name_vi}. Trọng số 0 = không tính chỉ tiêu này.",
        )
    min_coverage = st.slider(
        "Độ phủ dữ liệu tối thiểu (%)",
        0,
        100,
        50,
        step=5,
        key="ss_do_phu",
        bind="query-params",
        help="Đơn vị có tổng trọng số các chỉ tiêu đã báo cáo thấp hơn mức này không được tính chỉ số.",
    )
with st.expander("Phương pháp tính chỉ số tổng hợp", icon=":material/functions:"):
    st.markdown(
        "**Phương pháp tính**\n"
        "1. Với mỗi chỉ tiêu có trọng số lớn hơn 0, mỗi đơn vị **có báo cáo** chỉ tiêu đó được một **điểm vị thế** "
        "từ 0 đến 100: đơn vị đứng đầu tỉnh được 100, đơn vị thấp nhất được 0, đơn vị đứng giữa được khoảng 50 "
        "(nói cách khác: điểm 70 nghĩa là làm tốt hơn khoảng 70% các đơn vị khác). Theo chiều tốt của chỉ tiêu "
        "(ví dụ vụ việc phức tạp, kéo dài: càng ít càng tốt); bằng nhau thì cùng điểm. Chỉ tiêu có **mục tiêu** "
        "(tỷ lệ hài lòng 90%): đơn vị đạt mục tiêu được đủ 100 điểm, để một chênh lệch nhỏ giữa các đơn vị cùng "
        "đạt mục tiêu không thành điểm thấp. Lượt tập huấn được tính **trên mỗi viên chức**, không theo số lượt, "
        "để đơn vị lớn không được lợi vì đông người.\n"
        "2. **Chỉ số tổng hợp** = bình quân gia quyền các điểm vị thế của những chỉ tiêu đơn vị đã báo cáo; "
        "trọng số được chia lại trên các chỉ tiêu đó.\n"
        f"3. **Thiếu dữ liệu được xử lý rõ ràng**: ô trống không bị coi là 0. Chỉ tiêu **không áp dụng** cho loại "
        f"đơn vị (ví dụ hài lòng người bệnh nội trú với trung tâm không khám chữa bệnh) không được tính, cũng không "
        f"làm giảm độ phủ. Độ phủ = tổng trọng số các chỉ tiêu đã báo cáo / tổng trọng số các chỉ tiêu áp dụng "
        f"cho đơn vị; đơn vị có độ phủ dưới {fmt_pct(min_coverage, 0)} không được tính chỉ số "
        '(ghi chú "Thiếu dữ liệu").\n'
        "4. Xếp hạng theo chỉ số tổng hợp trong các đơn vị do Sở Y tế xếp hạng; bằng điểm thì đồng hạng. "
        "Sở Y tế do tỉnh xếp hạng nên không nằm trong bảng này. Cột «Thay đổi» so với năm trước: xếp lại cả hai năm trong các đơn vị có mặt cả hai năm, "
        "cùng trọng số, để đơn vị sáp nhập hay mới thành lập không làm xê dịch các đơn vị khác."
    )
weights_in_use = "; ".join(
    f"{tables.measure(c).short_vi} {weight_text(w)}" for c, w in weights.items() if w > 0
)
st.caption(f"Trọng số đang dùng: {weights_in_use or 'chưa chọn chỉ tiêu nào'}.")

league_all = tables.with_rank_change(
    tables.league_table(province_year, weights, min_coverage / 100),
    tables.league_table(province_prev, weights, min_coverage / 100),
)
league = league_all.filter(league_all["unit_code"].is_in(in_scope["unit_code"].to_list()))

st.subheader(f"Bảng điểm các đơn vị đã chọn, năm {f.year}")
options = in_scope.sort("unit_code")
labels = charts.labels_for(options)
ranked_codes = league.filter(league["composite"].is_not_null())["unit_code"].to_list()
default = (
    list(dict.fromkeys(ranked_codes[:2] + ranked_codes[-2:])) if len(ranked_codes) >= 2 else list(labels)[:2]
)
chosen = unit_multiselect(
    "Đơn vị so sánh (2 đến 8 đơn vị)", labels, [c for c in default if c in labels], "ss_don_vi"
)
if len(chosen) < 2:
    no_data("Chọn ít nhất 2 đơn vị để so sánh.")
else:
    card = tables.scorecard(province_year, chosen)
    st.caption(
        "Màu ô so với trung vị toàn tỉnh năm đó, theo chiều tốt của chỉ tiêu: xanh = tốt hơn, "
        'cam = kém hơn, xám = ngang; ô trắng ghi "Chưa báo cáo" là đơn vị để trống chỉ tiêu, '
        '"Không áp dụng" là chỉ tiêu không dành cho loại đơn vị đó. ' + tables.RATE_NOTE
    )
    st.markdown(tables.scorecard_markdown(card))
    download_buttons(vietnamese_headers(card), "ss_bang_diem")
    weighted = {c: tables.measure(c).short_vi for c, w in weights.items() if w > 0}
    if weighted:
        show_chart(
            charts.percentile_profile_chart(league_all, chosen, weighted, f.year),
            league_all.filter(league_all["unit_code"].is_in(chosen)),
            "ss_vi_tri",
        )

st.subheader(f"Bảng xếp hạng chỉ số tổng hợp, năm {f.year}")
if league.filter(league["composite"].is_not_null()).is_empty():
    no_data("Không đơn vị nào đủ dữ liệu để tính chỉ số tổng hợp với trọng số hiện tại.")
else:
    order = st.selectbox(
        "Sắp xếp bảng theo", list(tables.LEAGUE_SORTS), key="ss_sap_xep", bind="query-params", width=320
    )
    st.caption(
        f"{fmt_int(league.height)} đơn vị do Sở Y tế xếp hạng; chỉ số 0–100 (100 = tốt nhất). "
        "Tên tô xanh: các đơn vị đang so sánh ở trên. Cột «Thay đổi»: số bậc tăng (▲) hay giảm (▼) so với "
        f"năm {f.year - 1}."
    )
    show_table(
        tables.league_display(tables.sort_league(league, order), chosen),
        {
            "rank_label": "Hạng (X/N)",
            "change": "Thay đổi",
            "short_name": "Tên đơn vị",
            "unit_type_vi": "Loại đơn vị",
            "area": "Địa bàn",
            "composite": "Chỉ số tổng hợp",
            "coverage": "Độ phủ dữ liệu",
            "note": "Ghi chú",
        },
        "ss_xep_hang_tong_hop",
        # the download: rank and pool size as numbers (not the "X/N" text beside them again)
        download=tables.sort_league(league, order).drop("rank_group", "rank_label"),
        right=("rank_label", "change", "composite", "coverage"),
        escaped=("short_name",),
        page_size=PAGE_SIZE,
    )
