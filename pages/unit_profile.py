"""Hồ sơ đơn vị: one unit across the years: all four domains, ratings, "Dân vận khéo" models,
free-text highlights and difficulties, and its lineage (marked on every trend chart)."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app import auth, charts, queries, tables
from app.downloads import show_chart, show_table
from app.filters import current_filters, no_data, page_header, tabbed
from app.links import PROFILE_KEY
from app.tables import units as unit_tables
from etl.registry import RANK_POOLS, UNIT_TYPES

CODES = (
    "cchc_score",
    "cchc_rank",
    "cchc_rank_of",
    *tables.SATISFACTION_CODES,
    "training_sessions",
    "training_participants",
    "staff_total",
    "complaints_received",
    "complaints_resolved",
    "complaints_protracted",
    "leader_dialogues",
    "dvk_models",
    "dvk_models_recognized",
    "dv_awards",
)
TEXT_LABELS = {
    "dv_self_rating": "Tự đánh giá",
    "dv_official_rating": "Sở đánh giá",
    "qcdc_conference": "Hội nghị viên chức",
    "xsd_achieved": "Xanh - Sạch - Đẹp",
}
FREE_TEXT = {
    "highlights": "Kết quả nổi bật",
    "difficulties": "Khó khăn, hạn chế",
    "proposals": "Đề xuất, kiến nghị",
}

f = current_filters()
scope = auth.current_scope()
page_header(
    "Hồ sơ đơn vị",
    f,
    'Toàn bộ số liệu của một đơn vị qua các năm, đánh giá, mô hình "Dân vận khéo", kết quả nổi bật, '
    "khó khăn và quá trình đổi tên, sáp nhập.",
    uses_year=False,
    own_unit=None
    if scope.sees_all_units
    else tables.short_name_of(queries.units(f.snapshot), scope.unit_code),
)
all_units = queries.units(f.snapshot)
choices = tables.scoped(all_units, f.unit_types, f.areas).sort("unit_code")
if not scope.sees_all_units:  # a unit's account opens its own profile only
    choices = all_units.filter(all_units["unit_code"] == scope.unit_code)
if choices.is_empty():
    no_data("Không có đơn vị nào thuộc loại và địa bàn đã chọn.")
    st.stop()
# names over the whole registry, so a unit's link (its name) is the same whatever the filters
all_labels = tables.profile_labels(all_units)
labels = {code: all_labels[code] for code in choices["unit_code"].to_list()}
unit = st.selectbox(
    "Đơn vị",
    list(labels),
    index=list(labels).index(tables.default_profile_unit(choices)),
    format_func=labels.get,
    key=PROFILE_KEY,
    bind="query-params",
    placeholder="Gõ tên đơn vị để tìm",
)
me = choices.filter(choices["unit_code"] == unit).row(0, named=True)
lineage = tables.unit_lineage(all_units, unit)
events = tables.lineage_events(all_units, unit, lineage)

# the header: what the unit is, when it existed, where its history goes
until = f"{me['valid_to']}" if me["valid_to"] else "nay"
st.subheader(me["name"])
st.caption(
    f"{UNIT_TYPES.get(me['unit_type'], me['unit_type'])} · Địa bàn: {me['area'] or 'không ghi'} · "
    f"Hoạt động: {me['valid_from'] or '?'}–{until} · {RANK_POOLS.get(me['rank_pool'], me['rank_pool'])}"
)
lines = []
if lineage["predecessors"]:
    preds = ", ".join(
        f"{p['name']} ({p['valid_from'] or '?'}–{p['valid_to'] or 'nay'})" for p in lineage["predecessors"]
    )
    lines.append(f"**Tiền thân (đổi tên, sáp nhập vào đơn vị này):** {preds}.")
if lineage["successors"]:
    chain = " → ".join(f"{s['name']} (từ {s['valid_from'] or '?'})" for s in lineage["successors"])
    lines.append(f"**Đã sáp nhập / đổi tên thành:** {chain}.")
lines += unit_tables.profile_notes(queries.unit_changes(f.snapshot), all_units, unit)  # splits, old names
if lines:
    st.info("  \n".join(lines), icon=":material/account_tree:")

restated = f.restated and me["current_code"] == unit
if f.restated and not restated:
    st.warning(
        f"Đơn vị này đã sáp nhập vào {lineage['successors'][-1]['name'] if lineage['successors'] else me['current_code']}: "
        "ở chế độ quy đổi, số liệu của đơn vị nằm trong hồ sơ đơn vị kế thừa. Dưới đây là số liệu theo báo cáo gốc.",
        icon=":material/info:",
    )
group = tables.lineage_group(all_units, unit) if restated else [unit]
history = queries.unit_history(f.snapshot, CODES, tuple(group), restated)
history = tables.scoped(history, year_from=f.year_from, year_to=f.year_to)
years_active = tables.active_years(all_units, group, f.year_from, f.year_to)
subtitle = None
if restated and len(group) > 1:
    subtitle = tables.restated_caption(history, all_units, me["short_name"])
elif lineage["predecessors"]:
    subtitle = (
        "Số liệu theo báo cáo gốc, chưa gộp số liệu của các đơn vị tiền thân "
        '(chọn "Quy đổi theo cơ cấu hiện tại" để gộp).'
    )

if history.is_empty():
    no_data(f"{me['short_name']} chưa có báo cáo nào được tiếp nhận trong giai đoạn {f.period_label}.")
    st.stop()

name = me["short_name"]
# the years this unit (or its lineage group) existed in the period: CDC starts in 2018, not 2015
period = charts.years_label(years_active) or f.period_label
trend_options = {"active_years": years_active, "events": events, "subtitle": subtitle}


def draw_cchc() -> None:
    """The unit's CCHC rank (or score, when it was never ranked) over the years."""
    ranked_years = history.filter(history["cchc_rank"].is_not_null())["year"].to_list()
    if ranked_years and len(ranked_years) < len(years_active) and (restated or lineage["predecessors"]):
        # a merged unit's rank starts with the unit: ranks belong to one round each, never summed
        st.caption(
            f"Thứ hạng CCHC chỉ có từ năm {min(ranked_years)}: mỗi năm là một đợt xếp hạng riêng của Sở, "
            "nên thứ hạng của các đơn vị tiền thân không cộng hay quy đổi được vào đơn vị này "
            "(xem hồ sơ của từng đơn vị tiền thân)."
        )
    if tables.has_values(history, "cchc_rank"):
        show_chart(
            charts.unit_rank_chart(history, name, events, years_active),
            history.select("year", "cchc_score", "cchc_rank", "cchc_rank_of"),
            "hs_cchc",
        )
    elif tables.has_values(history, "cchc_score"):
        show_chart(
            charts.unit_trend_chart(
                history,
                ["cchc_score"],
                f"Điểm CCHC của {name}, {period}",
                "Điểm CCHC (điểm, thang 100)",
                **trend_options,
            ),
            history.select("year", "cchc_score"),
            "hs_cchc",
        )
    else:
        no_data(f"{name} chưa báo cáo điểm hay thứ hạng CCHC trong giai đoạn {period}.")


def draw_satisfaction() -> None:
    """The unit's satisfaction rates with their 95% intervals."""
    # surveys that do not concern this type of unit (inpatients at a CDC) are left out, and said so
    codes = tables.applicable_codes(tables.SATISFACTION_CODES, me["unit_type"])
    left_out = tables.not_applicable_note(
        tables.SATISFACTION_CODES,
        me["unit_type"],
        {c: tables.measure(c).short_vi for c in tables.SATISFACTION_CODES},
    )
    if left_out:
        st.caption(left_out)
    if tables.has_values(history, *codes):
        sat_cols = [c for c in history.columns if c.startswith("sat_") and tables.applies(c, me["unit_type"])]
        show_chart(
            charts.unit_trend_chart(
                history,
                codes,
                f"Tỷ lệ hài lòng tại {name}, {period}",
                "Tỷ lệ hài lòng (%)",
                wilson=True,
                **{
                    **trend_options,
                    "subtitle": subtitle
                    or "Dải màu: khoảng tin cậy 95% theo số phiếu khảo sát; dấu x xám: năm chưa báo cáo.",
                },
            ),
            history.select("year", *sat_cols),
            "hs_hai_long",
        )
    else:
        no_data(f"{name} chưa báo cáo tỷ lệ hài lòng trong giai đoạn {period}.")


DV_CODES = ("dvk_models", "dvk_models_recognized", "dv_awards", "leader_dialogues")
# tab -> (codes, chart title, y title, one panel per code, key, what a blank means, extra download columns)
DOMAIN_TABS = {
    "Tập huấn": (
        ("training_participants", "training_sessions"),
        f"Tập huấn tại {name}, {period}",
        None,
        True,
        "hs_tap_huan",
        "số liệu tập huấn",
        ("staff_total",),
    ),
    "Khiếu nại, phản ánh": (
        ("complaints_received", "complaints_resolved", "complaints_protracted"),
        f"Đơn thư tại {name}, {period}",
        "Số đơn thư / vụ việc",
        False,
        "hs_khieu_nai",
        "số liệu đơn thư",
        (),
    ),
    "Công tác dân vận": (
        DV_CODES,
        f'Mô hình "Dân vận khéo", khen thưởng và đối thoại tại {name}, {period}',
        "Số lượng",
        False,
        "hs_dan_van",
        'mô hình "Dân vận khéo" hay khen thưởng',
        (),
    ),
}


def domain_chart(
    codes: tuple[str, ...],
    title: str,
    y_title: str | None,
    split: bool,
    key: str,
    what: str,
    extra: tuple[str, ...],
) -> None:
    """One domain's trend chart of the unit, or why there is none."""
    if not tables.has_values(history, *codes):
        no_data(f"{name} chưa báo cáo {what} trong giai đoạn {period}.")
        return
    show_chart(
        charts.unit_trend_chart(history, codes, title, y_title, split=split, **trend_options),
        history.select("year", *codes, *extra),
        key,
    )


st.subheader("Theo lĩnh vực")
tabbed(
    "hs_linh_vuc",
    {
        "Cải cách hành chính": draw_cchc,
        "Sự hài lòng": draw_satisfaction,
        **{label: partial(domain_chart, *spec) for label, spec in DOMAIN_TABS.items()},
    },
)

texts = queries.unit_texts(f.snapshot, unit, scope)
texts = tables.scoped(texts, year_from=f.year_from, year_to=f.year_to)
ratings = tables.ratings_table(texts, TEXT_LABELS)
st.markdown("**Xếp loại và tiêu chí theo năm**")
if ratings.is_empty():
    no_data(f"{name} chưa có xếp loại công tác dân vận trong giai đoạn {period}.")
else:
    show_table(ratings, {"year": "Năm", **{v: v for v in TEXT_LABELS.values()}}, "hs_xep_loai")

st.markdown("**Kết quả nổi bật, khó khăn và đề xuất theo năm**")
free = tables.free_texts(texts, FREE_TEXT)
if not free:
    no_data(f"{name} chưa có nội dung tự luận trong giai đoạn {period}.")
else:
    # the latest year in full; earlier years in one expander (one element draws faster than ten)
    (latest, items), earlier = free[0], free[1:]
    st.markdown(f"**Năm {latest}**  \n" + "  \n".join(f"**{label}:** {body}" for label, body in items))
    if earlier:
        with st.expander(f"Các năm trước ({earlier[-1][0]}–{earlier[0][0]})"):
            st.markdown(
                "\n\n".join(
                    f"**Năm {year}**  \n" + "  \n".join(f"**{label}:** {body}" for label, body in year_items)
                    for year, year_items in earlier
                )
            )
