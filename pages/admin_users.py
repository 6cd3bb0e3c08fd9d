"""Tài khoản người dùng (administrators only): every account, add one, disable, enable, reset a password.

Every change goes through accounts.users, which writes the audit log.
"""

from __future__ import annotations

from contextlib import closing

import streamlit as st

from accounts.passwords import MIN_LENGTH
from accounts.scope import ROLE_NAMES, ROLES
from accounts.store import connect, store_path
from accounts.users import AccountError, add_user, list_users, reset_password, set_disabled
from app import auth, queries
from app.accounts_view import USERS_HEADERS, users_table
from app.data import snapshot_path
from app.downloads import show_table
from etl.db import db_path

admin = auth.current_user()
if not admin.scope.is_admin:  # the navigation hides this page too; this is the check that counts
    auth.note_denied(admin, "Tài khoản người dùng")
    st.error("Chỉ tài khoản quản trị mới mở được trang này.", icon=":material/block:")
    st.stop()

snapshot = str(snapshot_path())
is_demo = queries.meta(snapshot).get("is_demo") == "1"
units = queries.units(snapshot)
unit_names = dict(units.select("unit_code", "name").iter_rows())
store = store_path(db_path())

st.header("Tài khoản người dùng")
st.caption(
    "Ai đăng nhập được trang theo dõi và với vai trò gì. Lãnh đạo Sở và Ban Dân vận xem mọi trang; tài khoản "
    "đơn vị xem các trang chung và báo cáo của riêng đơn vị mình; quản trị quản lý tài khoản và xem nhật ký. "
    "Mọi thay đổi được ghi vào nhật ký hoạt động."
)


def _done(message: str) -> None:
    st.session_state["tk_thong_bao"] = message
    st.rerun()


if note := st.session_state.pop("tk_thong_bao", None):
    st.success(note, icon=":material/check_circle:")

with closing(connect(store)) as con:
    users = list_users(con)
show_table(users_table(users, unit_names), USERS_HEADERS, "tai_khoan")

add_tab, change_tab = st.tabs(["Thêm tài khoản", "Khoá, mở khoá, đặt lại mật khẩu"])
with add_tab, st.form("them_tai_khoan", clear_on_submit=True, enter_to_submit=False):
    left, right = st.columns(2)
    username = left.text_input(
        "Tên đăng nhập mới", key="tk_ten", help="Chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới."
    )
    full_name = right.text_input("Họ tên", key="tk_ho_ten")
    role = left.selectbox(
        "Vai trò", ROLES, format_func=ROLE_NAMES.get, key="tk_vai_tro", placeholder="Chọn vai trò"
    )
    unit = right.selectbox(
        "Đơn vị (chỉ với vai trò Cán bộ đơn vị)",
        [None, *units["unit_code"].to_list()],
        format_func={None: "—", **unit_names}.get,
        key="tk_don_vi",
        placeholder="Chọn đơn vị",
    )
    password = left.text_input(
        f"Mật khẩu (ít nhất {MIN_LENGTH} ký tự)",
        type="password",
        autocomplete="new-password",
        key="tk_mat_khau",
    )
    again = right.text_input(
        "Nhập lại mật khẩu", type="password", autocomplete="new-password", key="tk_nhap_lai"
    )
    if st.form_submit_button("Thêm tài khoản", icon=":material/person_add:"):
        try:
            if password != again:
                raise AccountError("Hai lần nhập mật khẩu không khớp nhau.")
            with closing(connect(store)) as con:
                made = add_user(
                    con, username, password, role, unit_code=unit if role == "don_vi" else None,
                    full_name=full_name.strip() or None, is_demo=is_demo, actor=admin.username,
                    client=auth.client(),
                )  # fmt: skip
        except AccountError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            _done(f"Đã thêm tài khoản «{made.username}» ({ROLE_NAMES[made.role]}).")

with change_tab:
    names = [u.username for u in users]
    if not names:
        st.caption("Chưa có tài khoản nào.")
    else:
        chosen = st.selectbox("Tài khoản", names, key="tk_chon", placeholder="Chọn tài khoản")
        target = next(u for u in users if u.username == chosen)
        is_self = target.username == admin.username
        if target.is_disabled:
            if st.button("Mở khoá tài khoản", icon=":material/lock_open:"):
                with closing(connect(store)) as con:
                    set_disabled(con, chosen, False, actor=admin.username, client=auth.client())
                _done(f"Đã mở khoá tài khoản «{chosen}».")
        elif st.button("Khoá tài khoản", icon=":material/lock:", disabled=is_self,
                       help="Không tự khoá tài khoản đang dùng." if is_self else None):  # fmt: skip
            with closing(connect(store)) as con:
                set_disabled(con, chosen, True, actor=admin.username, client=auth.client())
            _done(f"Đã khoá tài khoản «{chosen}»; các phiên đăng nhập của tài khoản đã kết thúc.")
        with st.form("dat_lai_mat_khau", enter_to_submit=False):
            new = st.text_input("Mật khẩu mới", type="password", autocomplete="new-password")
            new_again = st.text_input("Nhập lại mật khẩu mới", type="password", autocomplete="new-password")
            if st.form_submit_button("Đặt lại mật khẩu", icon=":material/key:"):
                try:
                    if new != new_again:
                        raise AccountError("Hai lần nhập mật khẩu không khớp nhau.")
                    with closing(connect(store)) as con:
                        reset_password(
                            con, chosen, new, is_demo=is_demo, actor=admin.username, client=auth.client()
                        )
                except AccountError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    _done(f"Đã đặt lại mật khẩu của «{chosen}»; tài khoản đăng nhập lại bằng mật khẩu mới.")
