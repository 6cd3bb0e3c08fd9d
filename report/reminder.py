"""The reminder letter ("công văn đôn đốc") to the units whose yearly report is missing.

Built from the intake status of the operators' page (app.intake.intake_status): every unit
expected to report for the year that has sent nothing, or whose file was rejected and not
resent (with the file and its first error, so the unit knows what to fix), and the date by
which to send it. The same NĐ 30 frame as the report; a letter may be written before any
data for the year has arrived, since chasing everyone is exactly its use then.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from docx.shared import Cm

from app import deadlines, intake, queries
from app.fmt import fmt_int
from report.docx_kit import add_par, data_table, new_document
from report.frame import add_closing, add_heading_block, date_line, issuer_from_meta
from report.images import ChartImages
from report.source import intake_log
from report.writer import Built, Writer

REPLY_DAYS = 7  # after the deadline has passed, units get a week from the letter
STATUS_TEXT = {intake.MISSING: "Chưa gửi báo cáo", intake.REJECTED: "Tệp bị từ chối, chưa gửi lại"}
RECIPIENTS = ("Như trên", "Giám đốc Sở (để báo cáo)", "Lưu: VT, TCCB")
NAMED_RECIPIENTS = 6  # more units than this are addressed as "the units listed below"


class NothingToChase(ValueError):
    """Every unit expected to report for the year has a report in force (Vietnamese message)."""


@dataclass(frozen=True)
class Chase:
    """One unit to chase: its name, why, and (for a rejected file) what to fix."""

    unit_code: str
    name: str
    status: str  # intake.MISSING or intake.REJECTED
    detail: str


def units_to_chase(status: pl.DataFrame, log: pl.DataFrame, names: dict[str, str], year: int) -> list[Chase]:
    """The units of `status` (intake_status) to chase, missing ones first, with the last rejected file
    and its first error for those whose file was rejected."""
    rejected = intake.rejected_files(log, year).filter(pl.col("unit_code").is_not_null())
    last = {code: row for code, *row in rejected.unique("unit_code", keep="first").select(
        "unit_code", "source_name", "received_at", "first_error").iter_rows()}  # fmt: skip
    out = []
    for code, state in (
        status.filter(pl.col("status").is_in(list(STATUS_TEXT))).select("unit_code", "status").iter_rows()
    ):
        detail = ""
        if state == intake.REJECTED and code in last:
            source, received_at, error = last[code]
            detail = f"Tệp «{source}» nhận ngày {received_at:%d/%m/%Y}: {error or 'không đạt yêu cầu'}"
        out.append(Chase(code, names.get(code, code), state, detail))
    return out


def reply_by(due: date, today: date) -> date:
    """The date to send the report by: the year's deadline `due` if still ahead, else a week on."""
    return due if today <= due else today + timedelta(days=REPLY_DAYS)


def _addressees(w: Writer, chase: list[Chase]) -> None:
    if len(chase) == 1:
        add_par(w.doc, f"Kính gửi: {chase[0].name}.", align="center", indent=False, before=12, after=12)
        return
    if len(chase) > NAMED_RECIPIENTS:
        add_par(w.doc, "Kính gửi: Thủ trưởng các đơn vị có tên tại danh sách dưới đây.", align="center",
                indent=False, before=12, after=12)  # fmt: skip
        return
    head = add_par(w.doc, "Kính gửi:", align="left", indent=False, before=12, after=0)
    head.paragraph_format.left_indent = Cm(2.5)
    for i, c in enumerate(chase):
        end = "." if i == len(chase) - 1 else ";"
        item = add_par(w.doc, f"- {c.name}{end}", align="left", indent=False, after=0)
        item.paragraph_format.left_indent = Cm(4.5)
    add_par(w.doc, after=6)


def build_reminder(
    snapshot: str,
    year: int,
    *,
    today: date | None = None,
    deadline: date | None = None,
    due: date | None = None,
    only: list[str] | None = None,
) -> Built:
    """The reminder letter for `year` as .docx bytes; `only` limits it to those unit codes (the
    units an operator's page shows), `due` is the year's reporting deadline as the Sở set it
    (default 20/11), `deadline` the date to reply by (default: reply_by).

    Raises NothingToChase when every expected unit has reported; ValueError when no unit
    was active in `year`.
    """
    today = today or date.today()
    due = due or deadlines.default_deadline(year)
    all_units = queries.units(snapshot)
    expected = queries.expected_units(all_units, [year])
    if only is not None:
        expected = expected.filter(pl.col("unit_code").is_in(only))
    if expected.is_empty():
        raise ValueError(f"Không có đơn vị nào phải báo cáo năm {year} trong danh sách đơn vị.")
    log = intake_log(snapshot)
    status = intake.intake_status(expected, log, year, due)
    names = dict(all_units.select("unit_code", "name").iter_rows())
    chase = units_to_chase(status, log, names, year)
    if not chase:
        raise NothingToChase(
            f"Năm {year}, cả {fmt_int(status.height)} đơn vị phải báo cáo đều đã có báo cáo được tiếp nhận: "
            "không cần gửi công văn đôn đốc."
        )
    meta = queries.meta(snapshot)
    issuer = issuer_from_meta(meta)
    title = f"Công văn đôn đốc gửi báo cáo kết quả công tác dân vận năm {year}"
    doc = new_document(title)
    w = Writer(doc, ChartImages(enabled=False))
    w.note(f"Dự thảo do trang theo dõi công tác dân vận lập ngày {today:%d/%m/%Y} theo tình hình tiếp nhận báo cáo; "
           "xóa các dòng tô vàng trước khi trình ký.")  # fmt: skip
    if meta.get("is_demo") == "1":
        w.note("Số liệu minh họa của một tỉnh giả định: văn bản này chỉ để xem thử.")
    add_heading_block(
        doc, issuer, f"Số: …/{issuer.symbol}-TCCB", date_line(issuer.place, today),
        subject=f"V/v đôn đốc gửi báo cáo kết quả công tác dân vận năm {year}",
    )  # fmt: skip
    _addressees(w, chase)
    until = deadline or reply_by(due, today)
    w.para(
        "Thực hiện chế độ báo cáo kết quả công tác dân vận hằng năm, các đơn vị trực thuộc Sở Y tế gửi báo cáo kết "
        f"quả công tác dân vận năm {year} về Sở Y tế trước ngày {due:%d/%m/%Y}."
    )
    w.para(
        f"Đến ngày {today:%d/%m/%Y}, Sở Y tế chưa nhận được báo cáo hợp lệ của {fmt_int(len(chase))} đơn vị sau:"
    )
    rows = [[fmt_int(i), c.name, STATUS_TEXT[c.status], c.detail] for i, c in enumerate(chase, start=1)]
    data_table(doc, ["STT", "Đơn vị", "Tình trạng", "Ghi chú"], rows, (1.2, 6.0, 3.3, 6.0), right=(0,))
    add_par(doc, after=0)
    rejected = any(c.status == intake.REJECTED for c in chase)
    units = "các đơn vị có tên trên" if len(chase) > 1 else "đơn vị"
    w.para(
        f"Để kịp thời tổng hợp, báo cáo Ủy ban nhân dân tỉnh và Ban Dân vận Tỉnh ủy, Sở Y tế đề nghị Thủ trưởng {units} "
        "khẩn trương hoàn thành báo cáo theo mẫu của Sở Y tế, gửi về Sở Y tế (qua Phòng Tổ "
        f"chức cán bộ) trước ngày {until:%d/%m/%Y}."
        + (
            " Đơn vị có tệp bị từ chối sửa theo nội dung lỗi nêu trên và gửi lại toàn bộ tệp."
            if rejected
            else ""
        )
    )
    w.para(
        "Quá thời hạn trên, đơn vị nào chưa gửi báo cáo, Sở Y tế sẽ tổng hợp theo số liệu hiện có và xem xét khi "
        f"đánh giá, xếp loại công tác dân vận năm {year} của đơn vị."
    )
    w.para(
        f"Sở Y tế đề nghị Thủ trưởng {'các đơn vị' if len(chase) > 1 else 'đơn vị'} quan tâm, thực hiện./."
    )
    add_closing(doc, issuer, list(RECIPIENTS))
    buf = io.BytesIO()
    doc.save(buf)
    return Built(buf.getvalue(), title, None)
