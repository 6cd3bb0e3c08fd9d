"""Báo cáo tổng hợp: the draft of the yearly summary report for the sidebar's year (.docx, and PDF
where LibreOffice is installed), and the whole data set as XLSX, CSV or Parquet, for the Sở's
leadership (lanh_dao) and administrators (quan_tri). The report is built by report.summary from
the same queries and tables as every page; this page only asks for it and offers the files."""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from app import deadlines
from app.exports import ExportScope, to_csv, to_parquet, to_workbook
from app.filters import current_filters, no_data, page_header
from etl.db import db_path
from report.pdf import find_soffice, pdf_bytes
from report.source import NoData
from report.summary import build_summary
from report.writer import Built

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUILT_KEY = "bc_ban_soan"


@st.cache_data(show_spinner=False, max_entries=8)
def _report(snapshot: str, year: int, year_from: int, today: date, due: date) -> Built:
    """One draft per snapshot, year, period, day and deadline, shared by every reader who asks for it."""
    return build_summary(snapshot, year, year_from=year_from, today=today, due=due)


f = current_filters()
page_header(
    "Báo cáo tổng hợp",
    f,
    "Dự thảo báo cáo kết quả công tác dân vận ngành Y tế của năm đang chọn, theo thể thức văn bản hành chính "
    "(Nghị định 30/2020/NĐ-CP), lập từ chính số liệu của trang theo dõi: người soạn chỉ sửa và trình ký.",
)
st.caption(
    f"Báo cáo năm **{f.year}** tính cho toàn ngành (không áp dụng bộ lọc loại đơn vị, địa bàn); biểu đồ xu hướng "
    f"từ năm {f.year_from}. Chọn năm và giai đoạn ở thanh bên trái."
)

wanted = (f.snapshot, f.year, f.year_from)
if st.button(f"Soạn báo cáo năm {f.year}", key="bc_soan", type="primary", icon=":material/edit_document:"):
    with st.spinner("Đang soạn báo cáo (số liệu, bảng, biểu đồ)..."):
        try:
            due = deadlines.deadline_of(f.year, deadlines.read_deadlines(db_path()))
            st.session_state[BUILT_KEY] = (wanted, _report(*wanted, date.today(), due))
        except NoData as exc:
            no_data(str(exc))

stored = st.session_state.get(BUILT_KEY)
if stored and stored[0] == wanted:
    built: Built = stored[1]
    if built.charts_missing:
        st.warning(built.charts_missing, icon=":material/warning:")
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Tải báo cáo (.docx)",
            data=built.docx,
            file_name=f"bao_cao_cong_tac_dan_van_{f.year}.docx",
            mime=DOCX_MIME,
            key="bc_tai_docx",
            icon=":material/download:",
            on_click="ignore",
        )
        if find_soffice():
            st.download_button(
                "Tải bản PDF",
                data=partial(pdf_bytes, built.docx),
                file_name=f"bao_cao_cong_tac_dan_van_{f.year}.pdf",
                mime="application/pdf",
                key="bc_tai_pdf",
                icon=":material/picture_as_pdf:",
                on_click="ignore",
            )
    if not find_soffice():
        st.caption("Máy chủ chưa cài LibreOffice nên chưa tải được bản PDF; mở tệp .docx và lưu thành PDF.")

st.subheader("Toàn bộ số liệu")
st.caption(
    "Mọi số liệu đang có hiệu lực (bản báo cáo được tiếp nhận mới nhất của mỗi đơn vị, mỗi năm), theo báo cáo gốc: "
    "XLSX mỗi trang một lĩnh vực, có trang giới thiệu; CSV và Parquet một bảng cho người phân tích số liệu."
)
scope = ExportScope()
with st.container(horizontal=True, gap="small"):
    for label, ext, build, mime in (
        ("Tải XLSX", "xlsx", to_workbook, XLSX_MIME),
        ("Tải CSV", "csv", to_csv, "text/csv"),
        ("Tải Parquet", "parquet", to_parquet, "application/vnd.apache.parquet"),
    ):
        st.download_button(
            label,
            data=partial(build, f.snapshot, scope),
            file_name=f"so_lieu_cong_tac_dan_van.{ext}",
            mime=mime,
            key=f"bc_xuat_{ext}",
            icon=":material/download:",
            type="tertiary",
            on_click="ignore",
        )
