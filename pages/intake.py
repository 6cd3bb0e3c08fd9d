"""Tiếp nhận báo cáo: for the Sở's operators, who has reported for the chosen year, who is
late or missing (to chase), and which files were rejected with the message to pass on."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import auth, charts, intake, queries, tables
from app.downloads import show_chart, show_table
from app.filters import current_filters, no_data, page_header
from app.fmt import fmt_int

f = current_filters()
scope = auth.current_scope()
page_header(
    "Tiếp nhận báo cáo",
    f,
    f"Tình hình nộp báo cáo năm của các đơn vị (hạn {intake.DEADLINE_DAY}/{intake.DEADLINE_MONTH} hằng năm): "
    "đơn vị chưa nộp, nộp muộn, tệp bị từ chối cần đơn vị sửa và gửi lại."
    if scope.sees_all_units
    else f"Tình hình nộp báo cáo năm của đơn vị (hạn {intake.DEADLINE_DAY}/{intake.DEADLINE_MONTH} hằng năm): "
    "các tệp đã gửi, tệp bị từ chối và lỗi cần sửa trước khi gửi lại.",
)

# the log comes already cut to the caller's scope; the expected units follow it
log = queries.intake_log(f.snapshot, scope)
in_scope = queries.units(f.snapshot)
if not scope.sees_all_units:
    in_scope = in_scope.filter(in_scope["unit_code"] == scope.unit_code)
expected = queries.expected_units(in_scope, [f.year])
if f.unit_types:
    expected = expected.filter(expected["unit_type"].is_in(list(f.unit_types)))
if f.areas:
    expected = expected.filter(expected["area"].is_in(list(f.areas)))
status = intake.intake_status(expected, log, f.year)
if status.is_empty():
    no_data(f"Không có đơn vị nào phải báo cáo năm {f.year} trong phạm vi đã chọn.")
    st.stop()

counts = intake.status_counts(status)
for column, name in zip(st.columns(len(counts)), intake.STATUS_ORDER, strict=True):
    column.metric(name, f"{fmt_int(counts[name])}/{fmt_int(status.height)}", border=True)

# the reminder letter is the Sở operators' tool, not a unit's nor the Ban Dân vận's
if scope.role in ("quan_tri", "lanh_dao") and counts[intake.MISSING] + counts[intake.REJECTED]:

    def reminder_docx() -> bytes:
        from report.reminder import build_reminder  # loaded only when an operator asks for the letter

        return build_reminder(f.snapshot, f.year, only=status["unit_code"].to_list()).docx

    st.download_button(
        "Tải công văn đôn đốc (.docx)",
        data=reminder_docx,
        file_name=f"cong_van_don_doc_bao_cao_{f.year}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="tn_cong_van",
        icon=":material/description:",
        on_click="ignore",
    )
    st.caption(
        "Dự thảo công văn gửi các đơn vị chưa nộp hoặc có tệp bị từ chối chưa gửi lại (trong phạm vi đang xem), "
        "kèm lỗi cần sửa và hạn gửi; ghi số, ngày rồi trình ký."
    )

years = [y for y in queries.years(f.snapshot) if f.year_from <= y <= f.year_to]
by_year = intake.timeliness_by_year(queries.expected_units(in_scope, years), log, years)
show_chart(charts.timeliness_chart(by_year), by_year, "tn_theo_nam")

st.subheader(f"Từng đơn vị, năm {f.year}")
shown = status.select(
    "short_name", "status", "first_received_at", "source_name", "n_versions", "n_rejected", "n_warnings"
)
show_table(
    tables.formatted(shown, {"n_versions": 0, "n_rejected": 0, "n_warnings": 0}).with_columns(
        pl.col("first_received_at").dt.strftime("%d/%m/%Y")
    ),
    {
        "short_name": "Đơn vị",
        "status": "Tình trạng",
        "first_received_at": "Nhận lần đầu",
        "source_name": "Tệp đang dùng",
        "n_versions": "Số lần gửi",
        "n_rejected": "Số lần bị từ chối",
        "n_warnings": "Cảnh báo",
    },
    "tn_don_vi",
    download=shown,
    right=("n_versions", "n_rejected", "n_warnings"),
)

st.subheader("Tệp bị từ chối")
rejected = intake.rejected_files(log, f.year)
if rejected.is_empty():
    st.success(f"Năm {f.year} không có tệp nào bị từ chối.", icon=":material/check_circle:")
else:
    st.caption("Gửi lại thông báo lỗi cho đơn vị; khi nhận tệp đã sửa, nạp lại bằng `python -m etl ingest`.")
    show_table(
        tables.formatted(rejected, {"n_errors": 0}).with_columns(
            pl.col("received_at").dt.strftime("%d/%m/%Y %H:%M"), pl.col("year").cast(pl.String)
        ),
        {
            "received_at": "Ngày nhận",
            "source_name": "Tệp",
            "unit_code": "Mã đơn vị",
            "year": "Năm",
            "n_errors": "Số lỗi",
            "first_error": "Lỗi đầu tiên",
        },
        "tn_tu_choi",
        download=rejected,
        right=("n_errors",),
    )
