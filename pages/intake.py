"""Tiếp nhận báo cáo: for the Sở's operators, who has reported for the chosen year, who is
late or missing (to chase, with the reminder letter), the completeness of every unit over the
period, the reporting and on-time rates, the deadline of each year, and which files were
rejected with the message to pass on. Below the counts and the chart by year each of these is
a tab, drawn when open. A unit's account sees its own unit only."""

from __future__ import annotations

from datetime import date
from functools import partial

import polars as pl
import streamlit as st

from app import auth, charts, deadlines, intake, queries, tables
from app.cards import Card, show_cards
from app.downloads import show_chart, show_table
from app.filters import current_filters, no_data, page_header, tabbed
from app.fmt import fmt_int
from etl.db import db_path

f = current_filters()
user = auth.current_user()
scope = user.scope
due_dates = deadlines.read_deadlines(db_path())
due = deadlines.deadline_of(f.year, due_dates)
page_header(
    "Tiếp nhận báo cáo",
    f,
    f"Tình hình nộp báo cáo năm của các đơn vị (hạn năm {f.year}: {due:%d/%m/%Y}): "
    "đơn vị chưa nộp, nộp muộn, tệp bị từ chối cần đơn vị sửa và gửi lại."
    if scope.sees_all_units
    else f"Tình hình nộp báo cáo năm của đơn vị (hạn năm {f.year}: {due:%d/%m/%Y}): "
    "các tệp đã gửi, tệp bị từ chối và lỗi cần sửa trước khi gửi lại.",
    own_unit=None
    if scope.sees_all_units
    else tables.short_name_of(queries.units(f.snapshot), scope.unit_code),
)

# the log comes already cut to the caller's scope; the expected units follow it
log = queries.intake_log(f.snapshot, scope)
all_units = queries.units(f.snapshot)
in_scope = intake.in_scope_units(
    all_units, None if scope.sees_all_units else scope.unit_code, f.unit_types, f.areas
)
expected = queries.expected_units(in_scope, [f.year])
status = intake.intake_status(expected, log, f.year, due)
if status.is_empty():
    no_data(f"Không có đơn vị nào phải báo cáo năm {f.year} trong phạm vi đã chọn.")
    st.stop()

counts = intake.status_counts(status)
show_cards([Card(name, f"{fmt_int(counts[name])}/{fmt_int(status.height)}") for name in intake.STATUS_ORDER])

years = [y for y in queries.years(f.snapshot) if f.year_from <= y <= f.year_to]
# every unit-year's status, once for the chart by year, the rates and the matrix
statuses = intake.year_statuses(queries.expected_units(in_scope, years), log, years, due_dates)
by_year = intake.timeliness_by_year(statuses, years)
show_chart(charts.timeliness_chart(by_year), by_year, "tn_theo_nam")
# the years to chase and to set a deadline for: the one being collected now may have no data yet
open_years = sorted({date.today().year, *queries.years(f.snapshot)}, reverse=True)


def draw_units() -> None:
    st.caption(f"Tình trạng báo cáo năm {f.year} của từng đơn vị phải nộp.")
    shown = status.select(
        "short_name", "status", "first_received_at", "source_name", "n_versions", "n_rejected", "n_warnings"
    )
    show_table(
        intake.status_display(shown),
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
    st.caption("Xem từng lần gửi, những gì đã thay đổi và tệp gốc ở trang «Chi tiết báo cáo».")


def draw_chase() -> None:
    chase_year = st.selectbox("Năm cần đôn đốc", open_years, key="tn_nam_don_doc")
    chase_due = deadlines.deadline_of(chase_year, due_dates)
    chase = intake.to_chase(
        intake.intake_status(queries.expected_units(in_scope, [chase_year]), log, chase_year, chase_due)
    )
    if chase.is_empty():
        st.success(
            f"Năm {chase_year}, mọi đơn vị trong phạm vi đang xem đã nộp báo cáo.",
            icon=":material/check_circle:",
        )
    else:
        st.caption(
            f"{fmt_int(chase.height)} đơn vị chưa có báo cáo năm {chase_year} được tiếp nhận "
            f"(hạn {chase_due:%d/%m/%Y}). Tải danh sách (CSV, XLSX) hoặc dự thảo công văn đôn đốc."
        )
        chase_table = chase.select("short_name", "status", "n_rejected")
        show_table(
            tables.formatted(chase_table, {"n_rejected": 0}),
            {"short_name": "Đơn vị", "status": "Tình trạng", "n_rejected": "Số lần bị từ chối"},
            "tn_chua_nop", download=chase_table, right=("n_rejected",),
            title=f"Đơn vị chưa nộp báo cáo năm {chase_year}",
        )  # fmt: skip
        # the reminder letter is the Sở operators' tool, not a unit's nor the Ban Dân vận's
        if scope.role in ("quan_tri", "lanh_dao"):
            st.download_button(
                "Tải công văn đôn đốc (.docx)",
                data=partial(
                    intake.reminder_docx, f.snapshot, chase_year, chase["unit_code"].to_list(), chase_due
                ),
                file_name=f"cong_van_don_doc_bao_cao_{chase_year}.docx",
                mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                key="tn_cong_van",
                icon=":material/description:",
                on_click="ignore",
            )
            st.caption(
                "Dự thảo công văn gửi các đơn vị chưa nộp hoặc có tệp bị từ chối chưa gửi lại "
                "(trong phạm vi đang xem), kèm lỗi cần sửa và hạn gửi; ghi số, ngày rồi trình ký."
            )


def draw_rejected() -> None:
    rejected = intake.rejected_files(log, f.year, all_units)
    if rejected.is_empty():
        st.success(f"Năm {f.year} không có tệp nào bị từ chối.", icon=":material/check_circle:")
    else:
        st.caption("Gửi lại thông báo lỗi cho đơn vị; tệp đã sửa được nộp lại ở trang «Nộp báo cáo».")
        show_table(
            tables.formatted(rejected, {"n_errors": 0}).with_columns(
                pl.col("received_at").dt.strftime("%d/%m/%Y %H:%M"), pl.col("year").cast(pl.String)
            ),
            {
                "received_at": "Ngày nhận",
                "source_name": "Tệp",
                "unit": "Đơn vị",
                "year": "Năm",
                "n_errors": "Số lỗi",
                "first_error": "Lỗi đầu tiên",
            },
            "tn_tu_choi",
            download=rejected,
            right=("n_errors",),
        )


def draw_rates() -> None:
    rates = intake.rates_by_year(intake.completeness(in_scope, statuses, years))
    st.caption(
        "Chỉ tính các đơn vị phải nộp năm đó (đơn vị chưa thành lập hoặc đã giải thể, sáp nhập không tính), "
        "nên tỷ lệ không bao giờ vượt 100%."
    )
    show_table(
        intake.rates_display(rates), intake.RATE_HEADERS, "tn_ty_le", download=rates,
        right=("n_expected", "n_reported", "n_on_time", "reporting_rate_pct", "on_time_rate_pct"),
        title="Tỷ lệ nộp báo cáo theo năm",
    )  # fmt: skip


def draw_completeness() -> None:
    short = intake.SHORT_STATUS
    st.caption(
        f"Từng đơn vị, {f.period_label}. Mỗi ô: «{short[intake.ON_TIME]}», «{short[intake.LATE]}» "
        f"(nộp sau hạn của năm), «{short[intake.REJECTED]}» (tệp bị từ chối, chưa nộp lại), «{short[intake.MISSING]}», «{short[intake.NOT_EXPECTED]}»: không phải nộp "
        "(đơn vị chưa hoạt động hoặc đã thôi hoạt động năm đó). Tệp tải về ghi đầy đủ."
    )
    matrix = intake.completeness_matrix(intake.completeness(in_scope, statuses, years))
    show_table(
        intake.matrix_display(matrix), {"short_name": "Đơn vị", **{str(y): str(y) for y in years}}, "tn_ma_tran",
        download=matrix.drop("unit_code"), title="Mức độ đầy đủ báo cáo theo đơn vị và năm",
    )  # fmt: skip


# the sections as tabs: only the open one is drawn, and its name is in the page's link
tabbed(
    "tn_muc",
    {
        "Từng đơn vị": draw_units,
        "Chưa nộp, đôn đốc": draw_chase,
        "Tệp bị từ chối": draw_rejected,
        "Tỷ lệ nộp theo năm": draw_rates,
        "Mức độ đầy đủ": draw_completeness,
    },
)

if scope.is_admin:
    with st.expander("Hạn nộp báo cáo từng năm"):
        st.caption(
            f"Mặc định là {intake.DEADLINE_DAY}/{intake.DEADLINE_MONTH} của năm báo cáo. Hạn mới áp dụng ngay "
            "cho việc tính đúng hạn, nộp muộn của năm đó; mỗi lần đổi được ghi vào nhật ký hoạt động."
        )
        c1, c2 = st.columns(2)
        set_year = c1.selectbox("Năm báo cáo", open_years, key="tn_han_nam")
        new_due = c2.date_input(
            "Hạn nộp",
            value=deadlines.deadline_of(set_year, due_dates),
            format="DD/MM/YYYY",
            key=f"tn_han_{set_year}",
        )
        if st.button("Lưu hạn nộp", key="tn_han_luu", icon=":material/event:"):
            deadlines.set_deadline(db_path(), set_year, new_due, user, client=auth.client())
            st.session_state["tn_han_da_luu"] = (
                f"Đã đặt hạn nộp báo cáo năm {set_year} là {new_due:%d/%m/%Y}."
            )
            st.rerun()
        if saved := st.session_state.pop("tn_han_da_luu", None):
            st.success(saved, icon=":material/check_circle:")
