"""Danh sách đơn vị: every unit of the Sở with its type, area, active years, lineage and status,
and the log of changes; the administrator renames, merges, splits and closes units here (each
change runs the CLI's own `python -m etl units ...` command, app/unit_admin.py)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app import auth, queries
from app import unit_admin as admin
from app.data import snapshot_path
from app.downloads import show_table
from app.tables import units as view
from etl.db import db_path
from etl.registry import UNIT_TYPES

RESULT_KEY = "dsdv_ket_qua"
SHOW_OPTIONS = ("Tất cả đơn vị", "Đang hoạt động", "Đã thôi hoạt động")

user = auth.current_user()
snapshot = str(snapshot_path())
this_year = date.today().year
all_units = queries.units(snapshot)
changes = queries.unit_changes(snapshot)
listed = view.unit_list(all_units, changes, this_year)
names = dict(zip(listed["unit_code"], listed["name"], strict=True))

st.header("Danh sách đơn vị")
st.caption(
    "Các đơn vị trực thuộc Sở, năm hoạt động, đơn vị kế thừa và tiền thân. Đơn vị đã sáp nhập: khi xem "
    "«quy đổi theo cơ cấu hiện tại», số liệu các năm trước được tính cho đơn vị tiếp nhận. Đơn vị đã chia "
    "tách: số liệu các năm trước vẫn là của đơn vị cũ, không quy đổi sang đơn vị mới nào. Đơn vị không còn "
    "hoạt động thì không phải nộp báo cáo từ năm thôi hoạt động."
)
if not admin.may_change_units(user):
    st.info("Tài khoản của bạn chỉ xem danh sách, không thay đổi được.", icon=":material/visibility:")

shown = st.segmented_control("Hiện", SHOW_OPTIONS, default=SHOW_OPTIONS[0], key="hien", bind="query-params")
if shown == SHOW_OPTIONS[1]:
    table = listed.filter(listed["status"].is_in([view.ACTIVE, view.NOT_YET]))
elif shown == SHOW_OPTIONS[2]:
    table = listed.filter(~listed["status"].is_in([view.ACTIVE, view.NOT_YET]))
else:
    table = listed
counts = {s: int((listed["status"] == s).sum()) for s in view.STATUS_ORDER}
st.caption(", ".join(f"{n} đơn vị {s.lower()}" for s, n in counts.items() if n) + f" (năm {this_year}).")
show_table(table.drop("unit_code"), view.LIST_HEADERS, "dsdv_bang", title="Danh sách đơn vị")

st.subheader("Lịch sử thay đổi")
log = view.change_log(changes, all_units)
if log.is_empty():
    st.caption("Chưa có thay đổi nào được ghi trên trang này hoặc bằng lệnh `python -m etl units`.")
else:
    show_table(log, view.LOG_HEADERS, "dsdv_lich_su", title="Lịch sử thay đổi danh sách đơn vị")

if not admin.may_change_units(user):
    st.stop()

st.subheader("Thay đổi danh sách")
st.caption(
    "Năm hiệu lực là năm đầu tiên theo cơ cấu mới: từ năm đó đơn vị cũ không còn phải nộp báo cáo. Mỗi thay "
    "đổi được kiểm tra trước (đơn vị đã có báo cáo cho năm đó thì không thay đổi được), ghi vào nhật ký hoạt "
    "động, và các trang cập nhật ngay."
)
# the result of the last change, beside the forms; always drawn, so the tabs below keep their place
# when the message goes (else they would be drawn anew and jump back to the first one)
result_box = st.container()
if outcome := st.session_state.pop(RESULT_KEY, None):
    if outcome.ok:
        result_box.success(outcome.message, icon=":material/check_circle:")
    else:
        result_box.error(outcome.message, icon=":material/block:")
choices = view.unit_choices(listed)
type_names = {"": "Như đơn vị cũ", **UNIT_TYPES}


def _year(key: str, first_year_of: str) -> int:
    label = f"Năm hiệu lực (năm đầu tiên {first_year_of})"
    return int(st.number_input(label, 1990, 2100, this_year, step=1, format="%d", key=key))


def _run(action: str, args: list[str], target: str) -> None:
    try:
        outcome = admin.change_units(db_path(), user, action, args, target=target, client=auth.client())
    except admin.UnitChangeRefused:
        outcome = admin.ChangeOutcome(False, "Tài khoản của bạn không được thay đổi danh sách đơn vị.")
    st.session_state[RESULT_KEY] = outcome
    st.rerun()


rename_tab, merge_tab, split_tab, close_tab = st.tabs(["Đổi tên", "Sáp nhập", "Chia tách", "Giải thể"])

with rename_tab:
    code = st.selectbox("Đơn vị", list(choices), format_func=choices.get, key="dsdv_doi_ten_don_vi")
    new_name = st.text_input("Tên đầy đủ mới", key="dsdv_doi_ten_ten")
    new_short = st.text_input(
        "Tên ngắn mới (trên biểu đồ; để trống: như tên đầy đủ)", key="dsdv_doi_ten_ngan"
    )
    year = _year("dsdv_doi_ten_nam", "mang tên mới")
    st.caption("Tên cũ được giữ làm tên gọi khác, nên tệp báo cáo ghi tên cũ vẫn được nhận ra.")
    if st.button("Đổi tên", key="dsdv_doi_ten_nut", disabled=not (code and new_name.strip())):
        _run("rename", admin.rename_args(code, new_name, year, new_short), code)

with merge_tab:
    sources = st.multiselect(
        "Các đơn vị được sáp nhập", list(choices), format_func=choices.get, key="dsdv_sn_nguon",
        placeholder="Gõ tên đơn vị để tìm",
    )  # fmt: skip
    to_new = (
        st.radio(
            "Sáp nhập vào",
            ["Một đơn vị đang hoạt động", "Một đơn vị mới"],
            horizontal=True,
            key="dsdv_sn_kieu",
        )
        == "Một đơn vị mới"
    )
    fields: dict[str, str] = {}
    if to_new:
        into = st.text_input(
            "Mã đơn vị mới (chữ in hoa không dấu, ví dụ TTYTKV_BAC)", key="dsdv_sn_ma"
        ).strip()
        fields["name"] = st.text_input("Tên đầy đủ của đơn vị mới", key="dsdv_sn_ten")
        fields["short_name"] = st.text_input("Tên ngắn (trên biểu đồ)", key="dsdv_sn_ngan")
        fields["unit_type"] = st.selectbox(
            "Loại đơn vị", list(type_names), format_func=type_names.get, key="dsdv_sn_loai"
        )
        fields["area"] = st.text_input("Địa bàn (để trống: như các đơn vị sáp nhập)", key="dsdv_sn_dia_ban")
    else:
        targets = [c for c in choices if c not in sources]
        into = (
            st.selectbox("Đơn vị nhận sáp nhập", targets, format_func=choices.get, key="dsdv_sn_dich") or ""
        )
    year = _year("dsdv_sn_nam", "sau sáp nhập")
    ready = bool(sources and into and (not to_new or fields["name"].strip()))
    if st.button("Sáp nhập", key="dsdv_sn_nut", disabled=not ready):
        _run(
            "merge", admin.merge_args(sources, into, year, **fields), f"{', '.join(sources)} → {into.upper()}"
        )

with split_tab:
    code = st.selectbox("Đơn vị được chia tách", list(choices), format_func=choices.get, key="dsdv_ct_don_vi")
    n_new = int(st.number_input("Số đơn vị mới", 2, 10, 2, step=1, key="dsdv_ct_so"))
    new_units = []
    for i in range(n_new):
        cols = st.columns([2, 4, 3, 3])
        new_units.append(
            {
                "unit_code": cols[0].text_input(f"Mã đơn vị mới {i + 1}", key=f"dsdv_ct_ma_{i}").strip(),
                "name": cols[1].text_input(f"Tên đầy đủ {i + 1}", key=f"dsdv_ct_ten_{i}"),
                "short_name": cols[2].text_input(f"Tên ngắn {i + 1}", key=f"dsdv_ct_ngan_{i}"),
                "area": cols[3].text_input(f"Địa bàn {i + 1}", key=f"dsdv_ct_dia_ban_{i}"),
            }
        )
    split_type = st.selectbox(
        "Loại đơn vị mới", list(type_names), format_func=type_names.get, key="dsdv_ct_loai"
    )
    year = _year("dsdv_ct_nam", "sau chia tách")
    st.caption(
        "Tên ngắn, địa bàn: ghi cho mọi đơn vị mới hoặc để trống cả (khi đó như đơn vị cũ). Số liệu các năm "
        "trước của đơn vị cũ không quy đổi sang đơn vị mới nào."
    )
    ready = bool(code and all(u["unit_code"] and u["name"].strip() for u in new_units))
    if st.button("Chia tách", key="dsdv_ct_nut", disabled=not ready):
        target = f"{code} → {', '.join(u['unit_code'].upper() for u in new_units)}"
        _run("split", admin.split_args(code, new_units, year, split_type), target)

with close_tab:
    code = st.selectbox("Đơn vị giải thể", list(choices), format_func=choices.get, key="dsdv_gt_don_vi")
    year = _year("dsdv_gt_nam", "không còn hoạt động")
    st.caption(f"Năm hoạt động cuối cùng của đơn vị: {year - 1}. Số liệu các năm trước vẫn được giữ.")
    sure = st.checkbox("Đơn vị thôi hoạt động, không có đơn vị nào kế thừa", key="dsdv_gt_xac_nhan")
    if st.button("Ghi giải thể", key="dsdv_gt_nut", disabled=not (code and sure)):
        _run("close", admin.close_args(code, year), code)
