"""Nhập trực tiếp: a unit's clerk (or the Sở's administrator, for any unit) types the yearly report
into a form generated from the catalogue, pre-filled with the values in force when correcting
them, checked by the ETL's own validation as they type, kept as a draft on demand, and
submitted as one workbook through the upload path, exactly like an uploaded file."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app import auth, drafts
from app import entry_form as form
from app import entry_view as view
from app import submission_queries as sq
from app.data import snapshot_path
from app.entry import EntryInvalid, EntryRefused, submit_entry
from app.tables.markdown import escape_markdown
from etl.db import db_path

RESULT_KEY = "nt_ket_qua"
ROUND_KEY = "nt_luot"  # a new round starts the form again from the new values in force
NOTE_KEY = "nt_ghi_chu"
KEY_UNIT, KEY_YEAR = "don_vi", "nam"  # query parameters (and widget keys)
YEARS_OFFERED = 6

user = auth.current_user()
scope = user.scope
db = db_path()
snapshot = str(snapshot_path())
units = sq.registered_units(snapshot)
by_code = {u.unit_code: u for u in units}
this_year = date.today().year
candidate_years = list(range(this_year, this_year - YEARS_OFFERED, -1))

st.header("Nhập trực tiếp")
st.caption(
    "Nhập báo cáo năm ngay trên trang, không cần tệp Excel. Số viết kiểu Việt Nam (1.234 là một nghìn hai "
    "trăm ba mươi tư, 92,5 là chín mươi hai phẩy năm); ô để trống là **chưa báo cáo**, khác với số 0. Mỗi ô "
    "được kiểm tra như khi nạp tệp; «Nộp báo cáo» gửi đúng tệp Excel mà đơn vị lẽ ra tải lên, thay thế lần "
    "gửi trước và được lưu lại như mọi tệp đã nộp."
)

cols = st.columns(2)
if scope.sees_all_units:
    offered = [u.unit_code for u in units if any(u.active_in(y) for y in candidate_years)]
    unit_code = cols[0].selectbox(
        "Đơn vị",
        offered,
        format_func={c: by_code[c].short_name for c in offered}.get,
        key=KEY_UNIT,
        bind="query-params",
    )
else:
    unit_code = user.unit_code
    cols[0].markdown(
        f"**Đơn vị:** {escape_markdown(by_code[unit_code].name if unit_code in by_code else '')}"
    )
unit = by_code.get(unit_code or "")
if unit is None or not form.may_enter(user, unit.unit_code):
    st.error("Tài khoản của bạn không nhập được báo cáo của đơn vị nào.", icon=":material/block:")
    st.stop()
years = [y for y in candidate_years if unit.active_in(y)]
if not years:
    st.info(f"{unit.name} không còn hoạt động trong các năm gần đây.", icon=":material/info:")
    st.stop()
year = cols[1].selectbox("Năm báo cáo", years, key=KEY_YEAR, bind="query-params")

verdict = st.session_state.pop(RESULT_KEY, None)
if verdict is not None:
    view.draw_verdict(verdict, unit.name, year)
    st.page_link("pages/upload.py", label="Xem các báo cáo đã nộp", icon=":material/history:")

sections = form.form_sections(unit.unit_type)
rows = sq.unit_values(snapshot, scope, unit.unit_code).rows()
year_values = form.values_of_year(rows, year)
in_force = form.typed_from_values(year_values, unit.unit_type)
not_asked = form.not_asked_values(year_values, unit.unit_type)
if not_asked:
    st.warning(
        "Số liệu đang dùng có các chỉ tiêu không áp dụng cho đơn vị này, biểu mẫu không hỏi nên báo cáo nộp "
        "từ đây sẽ không còn chúng: " + escape_markdown("; ".join(not_asked)) + ".",
        icon=":material/warning:",
    )
prefix = f"nt_{st.session_state.get(ROUND_KEY, 0)}_{unit.unit_code}_{year}_"
if prefix + "ready" not in st.session_state:
    draft = drafts.read_draft(db, user, unit.unit_code, year)
    view.start_form(prefix, sections, draft.typed if draft else in_force)
    st.session_state[prefix + "draft"] = draft.saved_label() if draft else None
    st.session_state[prefix + "ready"] = True


def _next_round(note: str | None = None) -> None:
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state[NOTE_KEY] = note


@st.fragment
def entry_form() -> None:
    """The form, its summary and its buttons: typing reruns this part of the page only."""
    typed = view.typed_values(prefix, sections)
    history = form.history_of(unit.unit_code, rows)
    check = form.check_entry(unit, year, typed, sq.unit_registry(snapshot), history, date.today())
    note = st.session_state.pop(NOTE_KEY, None)
    if note:
        st.info(note, icon=":material/info:")
    saved = st.session_state.get(prefix + "draft")
    if saved:
        st.info(
            f"Đang dùng bản nháp lưu lúc {saved}. Bản nháp được giữ đến khi nộp báo cáo.",
            icon=":material/edit_note:",
        )
    elif in_force:
        st.caption(f"Đã điền sẵn số liệu đang dùng của năm {year}; sửa những ô cần sửa rồi nộp lại.")
    view.draw_summary(check, sections)
    view.draw_sections(sections, prefix, check)

    left, middle, right = st.columns(3)
    if left.button("Lưu nháp", icon=":material/save:", key="nt_luu_nhap", width="stretch"):
        try:
            draft = drafts.save_draft(db, user, unit.unit_code, year, typed, auth.client())
        except drafts.DraftRefused:
            st.error("Tài khoản của bạn không lưu được bản nháp của đơn vị này.", icon=":material/block:")
        else:
            st.session_state[prefix + "draft"] = draft.saved_label()
            st.rerun(scope="fragment")
    if saved and middle.button("Bỏ bản nháp", icon=":material/delete:", key="nt_bo_nhap", width="stretch"):
        drafts.delete_draft(db, user, unit.unit_code, year, "người nhập bỏ bản nháp", auth.client())
        _next_round("Đã bỏ bản nháp; biểu mẫu trở về số liệu đang dùng.")
        st.rerun()
    sent = right.button(
        "Nộp báo cáo", type="primary", icon=":material/send:", key="nt_nop", disabled=not check.ok,
        width="stretch", help=None if check.ok else "Sửa hết lỗi rồi mới nộp được.",
    )  # fmt: skip
    if not check.ok:
        right.caption("Sửa hết lỗi rồi mới nộp được.")
    if sent:
        with st.spinner("Đang kiểm tra và nạp báo cáo..."):
            try:
                result = submit_entry(
                    db, user, unit, year, typed, units=units, history=history, client=auth.client()
                )
            except EntryRefused:
                st.error("Tài khoản của bạn không nộp được báo cáo của đơn vị này.", icon=":material/block:")
                return
            except EntryInvalid:
                st.error("Biểu mẫu còn lỗi, chưa nộp. Sửa các ô báo đỏ rồi nộp lại.", icon=":material/error:")
                return
        st.session_state[RESULT_KEY] = result
        if result.status != "rejected":
            _next_round()
        st.rerun()  # the whole page again: the new snapshot, the form from the values now in force


entry_form()
