"""Đổi mật khẩu: every user changes their own password (the current one proves it is them)."""

from __future__ import annotations

from contextlib import closing

import streamlit as st

from accounts.passwords import MIN_LENGTH
from accounts.store import connect, store_path
from accounts.users import AccountError, change_password
from app import auth, queries
from app.data import snapshot_path
from etl.db import db_path

user = auth.current_user()
st.header("Đổi mật khẩu")
st.caption(
    f"Tài khoản **{user.username}**. Mật khẩu mới cần ít nhất {MIN_LENGTH} ký tự và khác tên đăng nhập. "
    "Sau khi đổi, mọi phiên đăng nhập của tài khoản kết thúc; hãy đăng nhập lại bằng mật khẩu mới."
)
with st.form("doi_mat_khau", enter_to_submit=False):
    current = st.text_input(
        "Mật khẩu hiện tại", type="password", autocomplete="current-password", key="mk_cu"
    )
    new = st.text_input("Mật khẩu mới", type="password", autocomplete="new-password", key="mk_moi")
    again = st.text_input("Nhập lại mật khẩu mới", type="password", autocomplete="new-password", key="mk_lai")
    submitted = st.form_submit_button("Đổi mật khẩu", icon=":material/key:")

if submitted:
    if new != again:
        st.error("Hai lần nhập mật khẩu mới không khớp nhau.", icon=":material/error:")
    else:
        is_demo = queries.meta(str(snapshot_path())).get("is_demo") == "1"
        try:
            with closing(connect(store_path(db_path()))) as con:
                change_password(con, user.username, current, new, is_demo=is_demo, client=auth.client())
        except AccountError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.success(
                "Đã đổi mật khẩu. Hãy đăng nhập lại bằng mật khẩu mới.", icon=":material/check_circle:"
            )
            auth.go_to_login()
