"""Nhật ký hoạt động (administrators only): who did what, when, from where; read-only, with a download.

The log itself cannot be changed from here or anywhere else (accounts/store.py).
"""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timedelta

import streamlit as st

from accounts.audit import ACTION_NAMES, events
from accounts.store import connect, store_path
from app import auth, queries
from app.accounts_view import AUDIT_HEADERS, VIETNAM_TIME, audit_table, day_bounds_utc
from app.data import snapshot_path
from app.downloads import show_table
from etl.db import db_path

admin = auth.current_user()
if not admin.scope.is_admin:
    auth.note_denied(admin, "Nhật ký hoạt động")
    st.error("Chỉ tài khoản quản trị mới mở được trang này.", icon=":material/block:")
    st.stop()

st.header("Nhật ký hoạt động")
st.caption(
    "Đăng nhập, đăng xuất, thay đổi tài khoản, nạp danh sách đơn vị, nạp báo cáo, sao lưu, khôi phục và các "
    "trang đã xem: ai, lúc nào (giờ Việt Nam), từ máy nào. Nhật ký chỉ được ghi thêm, không sửa hay xoá được."
)

today = datetime.now(VIETNAM_TIME).date()
left, mid, right = st.columns([1, 1, 2])
day_from = left.date_input(
    "Từ ngày", value=today - timedelta(days=30), format="DD/MM/YYYY", key="tu_ngay", bind="query-params"
)
day_to = mid.date_input("Đến ngày", value=today, format="DD/MM/YYYY", key="den_ngay", bind="query-params")
actor = right.text_input("Người thực hiện (tên đăng nhập)", key="nguoi", bind="query-params").strip() or None
actions = st.multiselect(
    "Loại việc",
    list(ACTION_NAMES),
    format_func=ACTION_NAMES.get,
    key="viec",
    bind="query-params",
    placeholder="Mọi loại việc",
    select_all=False,
)
if not isinstance(day_from, date) or not isinstance(day_to, date):
    st.stop()
since, until = day_bounds_utc(min(day_from, day_to), max(day_from, day_to))
with closing(connect(store_path(db_path()))) as con:
    found = events(con, since=since, until=until, actor=actor, actions=tuple(actions))

units = queries.units(str(snapshot_path()))
table = audit_table(found, dict(units.select("unit_code", "short_name").iter_rows()))
if table.is_empty():
    st.info("Không có hoạt động nào khớp bộ lọc.", icon=":material/info:")
else:
    show_table(table, AUDIT_HEADERS, "nhat_ky", download=table.rename(AUDIT_HEADERS))
