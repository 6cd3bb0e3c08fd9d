"""Tiếp nhận báo cáo: for the Sở's operators, who has reported for the chosen year, who is
late or missing (to chase), and which files were rejected with the message to pass on."""

from __future__ import annotations

import streamlit as st

from app import charts, intake, queries
from app.downloads import download_buttons, show_chart, vietnamese_headers
from app.filters import current_filters, no_data, page_header
from app.fmt import fmt_int

f = current_filters()
page_header(
    "Tiếp nhận báo cáo",
    f,
    f"Tình hình nộp báo cáo năm của các đơn vị (hạn {intake.DEADLINE_DAY}/{intake.DEADLINE_MONTH} hằng năm): "
    "đơn vị chưa nộp, nộp muộn, tệp bị từ chối cần đơn vị sửa và gửi lại.",
)

expected = queries.expected_units(queries.units(f.snapshot), [f.year])
if f.unit_types:
    expected = expected.filter(expected["unit_type"].is_in(list(f.unit_types)))
if f.areas:
    expected = expected.filter(expected["area"].is_in(list(f.areas)))
log = queries.intake_log(f.snapshot)
status = intake.intake_status(expected, log, f.year)
if status.is_empty():
    no_data(f"Không có đơn vị nào phải báo cáo năm {f.year} trong phạm vi đã chọn.")
    st.stop()

counts = intake.status_counts(status)
for column, name in zip(st.columns(len(counts)), intake.STATUS_ORDER, strict=True):
    column.metric(name, f"{fmt_int(counts[name])}/{fmt_int(status.height)}", border=True)

years = [y for y in queries.years(f.snapshot) if f.year_from <= y <= f.year_to]
by_year = intake.timeliness_by_year(queries.expected_units(queries.units(f.snapshot), years), log, years)
show_chart(charts.timeliness_chart(by_year), by_year, "tn_theo_nam")

st.subheader(f"Từng đơn vị, năm {f.year}")
shown = status.select(
    "short_name", "status", "first_received_at", "source_name", "n_versions", "n_rejected", "n_warnings"
)
st.dataframe(
    shown,
    hide_index=True,
    column_config={
        "short_name": "Đơn vị",
        "status": "Tình trạng",
        "first_received_at": st.column_config.DatetimeColumn("Nhận lần đầu", format="DD/MM/YYYY"),
        "source_name": "Tệp đang dùng",
        "n_versions": "Số lần gửi",
        "n_rejected": "Số lần bị từ chối",
        "n_warnings": "Cảnh báo",
    },
)
download_buttons(vietnamese_headers(shown), "tn_don_vi", label="Tải danh sách")

st.subheader("Tệp bị từ chối")
rejected = intake.rejected_files(log, f.year)
if rejected.is_empty():
    st.success(f"Năm {f.year} không có tệp nào bị từ chối.", icon=":material/check_circle:")
else:
    st.caption("Gửi lại thông báo lỗi cho đơn vị; khi nhận tệp đã sửa, nạp lại bằng `python -m etl ingest`.")
    st.dataframe(
        rejected,
        hide_index=True,
        column_config={
            "received_at": st.column_config.DatetimeColumn("Ngày nhận", format="DD/MM/YYYY HH:mm"),
            "source_name": "Tệp",
            "unit_code": "Mã đơn vị",
            "year": st.column_config.NumberColumn("Năm", format="%d"),
            "n_errors": "Số lỗi",
            "first_error": st.column_config.TextColumn("Lỗi đầu tiên", width="large"),
        },
    )
