"""Nộp báo cáo: a unit's clerk (or the Sở's administrator for any unit) downloads the blank
template, uploads one or more files, reads each file's verdict and messages, and finds every
version sent before with its messages and the file itself."""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from app import auth
from app import submission_queries as sq
from app import upload_view as view
from app.data import snapshot_path
from app.downloads import show_table
from app.tables.common import unique_labels
from app.tables.markdown import escape_markdown
from app.upload import Upload, UploadRefused, ingest_uploads, may_upload
from etl.db import db_path

RESULTS_KEY = "nop_ket_qua"
ROUND_KEY = "nop_luot"  # a new key empties the uploader after each upload

user = auth.current_user()
scope = user.scope
snapshot = str(snapshot_path())
units = sq.registered_units(snapshot)
short_names = {u.unit_code: u.short_name for u in units}
by_code = {u.unit_code: u for u in units}
# names made unique where two units share one, never the internal code beside every name
unit_labels = unique_labels(list(by_code), [u.short_name for u in units])
own = next((u for u in units if u.unit_code == user.unit_code), None)

st.header("Nộp báo cáo")
if scope.sees_all_units:
    st.caption(
        "Nộp thay các đơn vị: chọn một hay nhiều tệp (cả một thư mục), mỗi tệp được kiểm tra và nạp như "
        "lệnh `python -m etl ingest`, với cùng kết quả và thông báo lỗi."
    )
else:
    unit_name = escape_markdown(own.name if own else str(user.unit_code))
    st.caption(
        f"Báo cáo năm của **{unit_name}**: tải mẫu, điền cột «Giá trị», rồi nộp tệp tại đây. Mỗi tệp được "
        "nhận trọn vẹn hoặc bị từ chối trọn vẹn, kèm thông báo lỗi và cách sửa."
    )
if not may_upload(user):
    st.info("Tài khoản của bạn chỉ xem số liệu, không nộp báo cáo.", icon=":material/visibility:")

st.subheader("1. Tải mẫu báo cáo")
this_year = date.today().year
cols = st.columns(2)
if scope.sees_all_units:
    unit = by_code.get(
        cols[0].selectbox("Đơn vị", list(by_code), format_func=unit_labels.get, key="nop_mau_don_vi") or ""
    )
else:
    unit = own
year = cols[1 if scope.sees_all_units else 0].selectbox(
    "Năm báo cáo", list(range(this_year, this_year - 6, -1)), key="nop_mau_nam"
)
if unit is not None:
    st.download_button(
        f"Tải mẫu báo cáo năm {year} của {unit.short_name} (.xlsx)",
        data=partial(view.template_bytes, units, unit, year),
        file_name=f"mau_bao_cao_{unit.unit_code}_{year}.xlsx",
        mime=view.XLSX_MIME,
        icon=":material/download:",
        key="nop_tai_mau",
        on_click="ignore",
    )

st.subheader("2. Nộp tệp")
round_no = st.session_state.get(ROUND_KEY, 0)
# the Sở's operators receive a folder's worth of e-mailed files at once
whole_folder = scope.sees_all_units and st.toggle("Chọn cả một thư mục", key="nop_thu_muc")
st.markdown(view.uploader_css("Chọn thư mục" if whole_folder else "Chọn tệp"), unsafe_allow_html=True)
files = st.file_uploader(
    "Chọn thư mục chứa các tệp báo cáo (kể cả thư mục con)"
    if whole_folder
    else "Chọn tệp báo cáo (.xlsx, .xls, .ods, .xlsb, .csv); chọn được nhiều tệp một lần",
    accept_multiple_files="directory" if whole_folder else True,
    key=f"nop_tep_{round_no}_{int(whole_folder)}",
)
if whole_folder:  # as `ingest FOLDER` does: Excel's lock files and hidden or system files are nobody's report
    files = sorted((f for f in files if view.is_sent(f.name)), key=lambda f: f.name)
if st.button(
    f"Nộp {len(files)} tệp" if files else "Nộp tệp", type="primary", disabled=not files, key="nop_gui",
    icon=":material/upload:",
):  # fmt: skip
    bar = st.progress(0.0, text=f"Đang kiểm tra và nạp {len(files)} tệp...")

    def advance(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Đã xử lý {done}/{total} tệp")

    uploads = [Upload(f.name, f.getvalue()) for f in files]
    try:
        verdicts = ingest_uploads(db_path(), uploads, user, client=auth.client(), on_progress=advance)
    except UploadRefused:
        verdicts = None
        st.error(
            "Tài khoản của bạn không được nộp báo cáo (chỉ cán bộ đơn vị và quản trị của Sở). "
            "Lần thử này đã được ghi vào nhật ký hoạt động.",
            icon=":material/block:",
        )
    bar.empty()
    if verdicts is not None:
        st.session_state[RESULTS_KEY] = verdicts
        st.session_state[ROUND_KEY] = round_no + 1
        st.rerun()  # the next run reads the new snapshot and empties the uploader

verdicts = st.session_state.get(RESULTS_KEY)
if verdicts:
    counts = {w: sum(v.verdict == w for v in verdicts) for w in ("ĐÃ NHẬN", "TỪ CHỐI", "KHÔNG ĐỔI")}
    st.markdown(
        f"**Kết quả lần nộp vừa rồi:** {counts['ĐÃ NHẬN']} tệp được nhận, {counts['TỪ CHỐI']} tệp bị từ chối, "
        f"{counts['KHÔNG ĐỔI']} tệp không đổi."
    )
    for v in verdicts:
        view.show_verdict(v, short_names)

st.subheader("3. Các báo cáo đã nộp")
if scope.sees_all_units:  # the Sở's whole log is long: one unit at a time on request
    shown_unit = st.selectbox(
        "Đơn vị", [None, *short_names], format_func={None: "Tất cả đơn vị", **unit_labels}.get,
        key="nop_ls_don_vi",
    )  # fmt: skip
else:
    shown_unit = user.unit_code
history = sq.submission_history(snapshot, scope, shown_unit)
if history.is_empty():
    st.info("Chưa có tệp nào được nộp.", icon=":material/info:")
    st.stop()
st.caption("Mọi lần nộp, kể cả tệp bị từ chối và bản đã được thay thế; mới nhất trước.")
show_table(
    view.history_table(history, short_names),
    view.HISTORY_HEADERS,
    "nop_lich_su",
    right=("n_errors", "n_warnings"),
    title="Các báo cáo đã nộp",
)
choices = history.select("submission_id", "unit_code", "year", "source_name", "received_at", "status").rows()
picked = st.selectbox(
    "Xem thông báo và tải tệp đã nộp",
    choices,
    format_func={r: view.submission_label(r, unit_labels) for r in choices}.get,
    key="nop_chon_ban",
)
row = history.filter(history["submission_id"] == picked[0]).row(0, named=True)
errors, warnings = view.messages_of(row["errors"]), view.messages_of(row["warnings"])
if errors or warnings:
    view.show_messages(errors, warnings)
else:
    st.caption("Tệp này không có lỗi hay cảnh báo nào.")
raw = sq.raw_file(snapshot, scope, db_path(), int(picked[0]))
if raw is None:
    st.caption("Không còn giữ tệp gốc của lần nộp này.")
else:
    name, data = raw
    st.download_button(
        f"Tải tệp đã nộp «{escape_markdown(name)}»", data=data, file_name=name, icon=":material/download:",
        key="nop_tai_goc", on_click="ignore",
    )  # fmt: skip
