"""Chi tiết báo cáo: every version of one unit-year side by side, what changed between two of
them (which values, from what to what), each version's messages and its original file.
A unit's account sees its own unit only (the queries enforce it)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import auth, versions
from app import submission_queries as sq
from app import upload_view as view
from app.data import snapshot_path
from app.downloads import show_table
from app.tables.common import unique_labels
from app.tables.markdown import escape_markdown
from etl.catalogue import load_catalogue
from etl.db import db_path

scope = auth.current_scope()
snapshot = str(snapshot_path())
short_names = {u.unit_code: u.short_name for u in sq.registered_units(snapshot)}
labels = {
    code: f"{ind.name_vi} ({ind.unit_vi})" if ind.unit_vi else ind.name_vi
    for code, ind in load_catalogue().items()
}

st.header("Chi tiết báo cáo")
st.caption(
    "Mọi lần gửi báo cáo của một đơn vị trong một năm, đặt cạnh nhau: số liệu từng lần, những gì đã thay "
    "đổi giữa hai lần, thông báo lỗi, cảnh báo và tệp gốc để tải về."
)
pairs = sq.unit_years(snapshot, scope)
if pairs.is_empty():
    st.info("Chưa có báo cáo nào được gửi.", icon=":material/info:")
    st.stop()
cols = st.columns(2)
unit_codes = list(dict.fromkeys(pairs["unit_code"].to_list()))
if scope.sees_all_units:
    wanted = st.query_params.get("don_vi")
    unit_code = cols[0].selectbox(
        "Đơn vị", unit_codes, index=unit_codes.index(wanted) if wanted in unit_codes else 0,
        format_func=unique_labels(unit_codes, [short_names.get(c) for c in unit_codes]).get, key="ct_don_vi",
    )  # fmt: skip
else:
    unit_code = scope.unit_code
    cols[0].markdown(f"**Đơn vị:** {escape_markdown(short_names.get(unit_code, unit_code or ''))}")
years = pairs.filter(pl.col("unit_code") == unit_code)["year"].to_list()
if not years:
    st.info("Đơn vị chưa gửi báo cáo nào.", icon=":material/info:")
    st.stop()
wanted_year = st.query_params.get("ct_nam", "")  # a link may ask for a year (pages/data_checks.py)
year = cols[1].selectbox(
    "Năm báo cáo",
    years,
    index=years.index(int(wanted_year)) if wanted_year in map(str, years) else 0,
    key="ct_nam",
)

history = sq.submission_history(snapshot, scope, unit_code, year).sort("submission_id")
numbered = [
    (sid, view.version_label(i, received, status))
    for i, (sid, received, status) in enumerate(
        history.select("submission_id", "received_at", "status").rows(), 1
    )
]
label_of = dict(numbered)
with_values = [
    (sid, label)
    for sid, label in numbered
    if sid in set(history.filter(pl.col("status") != "rejected")["submission_id"])
]
values = sq.version_values(snapshot, scope, unit_code, year)

st.subheader(f"Các lần gửi ({len(numbered)})")
show_table(
    view.history_table(history, short_names).drop("unit"),
    {k: v for k, v in view.HISTORY_HEADERS.items() if k != "unit"},
    "ct_lan_gui",
    right=("n_errors", "n_warnings"),
    title=f"Các lần gửi báo cáo năm {year} của {short_names.get(unit_code, unit_code)}",
)

if len(with_values) >= 2:
    st.subheader("Những gì đã thay đổi")
    ids = [sid for sid, _ in with_values]
    c1, c2 = st.columns(2)
    older = c1.selectbox("Từ lần", ids[:-1], index=len(ids) - 2, format_func=label_of.get, key="ct_tu")
    newer_choices = [i for i in ids if i > older]
    newer = c2.selectbox(
        "Đến lần", newer_choices, index=len(newer_choices) - 1, format_func=label_of.get, key="ct_den"
    )
    changes = versions.diff_versions(versions.version_map(values, older), versions.version_map(values, newer))
    if not changes:
        st.success("Hai lần gửi này có cùng số liệu.", icon=":material/check_circle:")
    else:
        st.caption(f"{len(changes)} chỉ tiêu khác nhau giữa hai lần gửi.")
        show_table(
            versions.changes_frame(changes, labels),
            {"indicator": "Chỉ tiêu", "before": "Trước", "after": "Sau", "kind": "Thay đổi"},
            "ct_thay_doi",
            title="Những gì đã thay đổi",
        )

if with_values:
    st.subheader("Số liệu từng lần gửi")
    table = versions.side_by_side(values, with_values, labels)
    headers = {"indicator": "Chỉ tiêu", **{label: label for _, label in with_values}}
    if "changed" in table.columns:
        headers["changed"] = "Lần cuối khác lần trước"
    show_table(table, headers, "ct_so_lieu", title="Số liệu từng lần gửi")

st.subheader("Thông báo và tệp gốc của từng lần")
for sid, label in reversed(numbered):
    row = history.filter(pl.col("submission_id") == sid).row(0, named=True)
    errors, warnings = view.messages_of(row["errors"]), view.messages_of(row["warnings"])
    with st.expander(f"{label} · {row['source_name']}", expanded=sid == numbered[-1][0]):
        if errors or warnings:
            view.show_messages(errors, warnings)
        else:
            st.caption("Không có lỗi hay cảnh báo nào.")
        raw = sq.raw_file(snapshot, scope, db_path(), int(sid))
        if raw is None:
            st.caption("Không còn giữ tệp gốc của lần gửi này.")
        else:
            name, data = raw
            st.download_button(
                "Tải tệp gốc", data=data, file_name=name, icon=":material/download:", key=f"ct_goc_{sid}",
                on_click="ignore",
            )  # fmt: skip
