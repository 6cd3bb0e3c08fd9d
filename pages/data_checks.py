"""Kiểm tra số liệu: for the Sở's operators, the figures in force to check with the units (values
far outside a unit's own history, CCHC ranks the scores contradict or units ranked without a
score, satisfaction rates without a survey size, counts that do not add up), each linked to
its submission, for the sidebar's period and units. The administrator marks a finding
"đã xác minh với đơn vị" (audited); the Sở's leadership reads the list (the page is theirs and
the administrator's only: app/navigation.py)."""

from __future__ import annotations

import streamlit as st

from app import auth, check_marks, check_queries, tables
from app.downloads import show_table
from app.filters import current_filters, no_data, page_header
from app.fmt import fmt_int
from app.tables import check_list
from app.tables.data_checks import CHECK_NAMES
from etl.db import db_path

SAVED_KEY = "ktsl_da_luu"

f = current_filters()
user = auth.current_user()
page_header(
    "Kiểm tra số liệu",
    f,
    "Các số liệu đang dùng cần xác minh lại với đơn vị: khác xa các năm khác của chính đơn vị, thứ hạng "
    "CCHC lệch với điểm hoặc thiếu điểm, tỷ lệ hài lòng không kèm số phiếu khảo sát, các số không khớp "
    "nhau. Số liệu không bị thay đổi; mỗi dòng dẫn tới báo cáo của đơn vị.",
    uses_year=False,
)

every = check_list.with_marks(
    check_queries.findings(f.snapshot, user.scope), check_marks.read_marks(db_path())
)
in_view = tables.scoped(every, f.unit_types, f.areas, f.year_from, f.year_to)

c1, c2 = st.columns([1, 2])
state = c1.radio(
    "Tình trạng xác minh", check_list.STATES, horizontal=True, key="ktsl_tinh_trang", bind="query-params"
)
checks = c2.multiselect(
    "Loại kiểm tra",
    list(CHECK_NAMES),
    format_func=CHECK_NAMES.get,
    key="ktsl_loai",
    bind="query-params",
    placeholder="Tất cả các loại",
    select_all=False,
)

st.markdown(
    tables.markdown_table(check_list.summary(in_view), check_list.SUMMARY_HEADERS, right=("n_open", "n_all"))
)

if saved := st.session_state.pop(SAVED_KEY, None):
    st.success(saved, icon=":material/check_circle:")

shown = check_list.in_state(in_view, state, tuple(checks))
if shown.is_empty():
    no_data(f"Không có trường hợp nào ({state.lower()}) trong giai đoạn {f.period_label} và phạm vi đã chọn.")
else:
    st.caption(
        f"{fmt_int(shown.height)} trường hợp, giai đoạn {f.period_label}. Bấm «Chi tiết báo cáo» để xem "
        "các lần gửi của đơn vị năm đó và tệp gốc."
    )
    table = check_list.display(shown, check_queries.reported_unit_years(f.snapshot, user.scope))
    show_table(
        table,
        check_list.shown_headers(table, state, tuple(checks)),
        "ktsl_danh_sach",
        download=check_list.download(shown),
        escaped=("link",),
        title=f"Các trường hợp cần kiểm tra số liệu ({state.lower()}), {f.period_label}",
    )

st.subheader("Đánh dấu đã xác minh với đơn vị")
if not user.scope.is_admin:
    st.caption(
        "Chỉ tài khoản quản trị của Sở đánh dấu được; mỗi lần đánh dấu được ghi vào nhật ký hoạt động."
    )
    st.stop()
open_rows = check_list.in_state(in_view, check_list.UNVERIFIED, tuple(checks))
if open_rows.is_empty():
    st.caption("Không còn trường hợp nào chưa xác minh trong phạm vi đang xem.")
    st.stop()
choices = {r["finding_key"]: r for r in open_rows.iter_rows(named=True)}
with st.form("ktsl_xac_minh", border=True):
    picked = st.selectbox(
        "Trường hợp đã xác minh", list(choices), format_func={k: check_list.choice_label(r) for k, r in choices.items()}.get,
        key="ktsl_truong_hop",
    )  # fmt: skip
    note = st.text_input(
        "Ghi chú (không bắt buộc)", max_chars=check_marks.NOTE_MAX_CHARS, key="ktsl_ghi_chu",
        placeholder="Ví dụ: đã gọi điện, đơn vị xác nhận số liệu đúng",
    )  # fmt: skip
    if st.form_submit_button("Đánh dấu đã xác minh với đơn vị", icon=":material/verified:"):
        row = choices[picked]
        label = check_list.choice_label(row)
        try:
            check_marks.mark_checked(
                db_path(), row["finding_key"], row["fingerprint"], user, note=note, client=auth.client(),
                target=label,
                detail={"unit_code": row["unit_code"], "year": row["year"], "check": CHECK_NAMES[row["check"]],
                        "finding": row["detail"]},
            )  # fmt: skip
        except check_marks.MarkRefused:
            st.error("Tài khoản của bạn không được đánh dấu xác minh.", icon=":material/block:")
            st.stop()
        st.session_state[SAVED_KEY] = f"Đã đánh dấu đã xác minh với đơn vị: {label}."
        st.rerun()
