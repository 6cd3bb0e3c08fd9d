"""What the upload and submission pages show: verdicts, histories, versions, in Vietnamese.

Pure frames and texts (tested without a browser), plus the few drawing helpers the pages
share. Everything that comes from a file (names, messages) is shown escaped: as text,
never as Markdown or HTML.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime
from pathlib import Path

import polars as pl
import streamlit as st

from app.tables.markdown import escape_markdown
from app.upload import FileVerdict

STATUS_NAMES = {"accepted": "Đang dùng", "superseded": "Đã được thay thế", "rejected": "Bị từ chối"}
UPLOAD_TYPES = ("xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the file uploader's own words are English in Streamlit; these rules show Vietnamese instead
# (a constant: no data from any file goes into it)
_UPLOADER_CSS = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "Kéo thả vào đây (mỗi tệp tối đa 50 MB)"; font-size: 0.9rem; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "BUTTON"; }
</style>
"""


def uploader_css(button: str) -> str:
    """The uploader's Vietnamese words; `button` is one of the page's own constant labels."""
    return _UPLOADER_CSS.replace("BUTTON", button)


def is_sent(name: str) -> bool:
    """False for a lock, hidden or system file of an uploaded folder (etl.ingest.is_sent_file)."""
    from etl.ingest import is_sent_file

    return is_sent_file(Path(re.split(r"[/\\]", name)[-1]))


def messages_of(json_text: str | None) -> list[str]:
    """The Vietnamese messages of a stored errors or warnings JSON array."""
    try:
        items = json.loads(json_text or "[]")
    except ValueError:
        return []
    return [str(m.get("message", "")) for m in items if isinstance(m, dict)]


def version_label(number: int, received_at: datetime, status: str) -> str:
    """'Lần 2 · 25/11/2024 09:30 · Đang dùng': a version as a column title or a choice."""
    return f"Lần {number} · {received_at:%d/%m/%Y %H:%M} · {STATUS_NAMES.get(status, status)}"


def submission_label(row: tuple, unit_labels: dict[str, str]) -> str:
    """One sent file in the picker: (submission_id, unit_code, year, source_name, received_at, status)."""
    _id, unit_code, year, source_name, received_at, status = row
    unit = unit_labels.get(unit_code, "?") if unit_code else "?"
    return f"{source_name} · {unit} năm {year or '?'} · {received_at:%d/%m/%Y %H:%M} · {STATUS_NAMES.get(status, status)}"


def history_table(history: pl.DataFrame, short_names: dict[str, str]) -> pl.DataFrame:
    """The file versions (submission_queries.submission_history) as the page lists them."""
    return history.select(
        pl.col("year").cast(pl.String).fill_null("?").alias("year"),
        pl.col("unit_code")
        .replace_strict(short_names, default=pl.col("unit_code"))
        .fill_null("?")
        .alias("unit"),
        pl.col("source_name"),
        pl.col("status").replace_strict(STATUS_NAMES, default=pl.col("status")).alias("status"),
        pl.col("received_at").dt.strftime("%d/%m/%Y %H:%M").alias("received_at"),
        pl.col("submitted_by").fill_null(""),
        pl.col("errors").map_elements(lambda t: len(messages_of(t)), return_dtype=pl.Int64).alias("n_errors"),
        pl.col("warnings")
        .map_elements(lambda t: len(messages_of(t)), return_dtype=pl.Int64)
        .alias("n_warnings"),
    )


HISTORY_HEADERS = {
    "year": "Năm",
    "unit": "Đơn vị",
    "source_name": "Tệp",
    "status": "Tình trạng",
    "received_at": "Nhận lúc",
    "submitted_by": "Người nộp",
    "n_errors": "Số lỗi",
    "n_warnings": "Số cảnh báo",
}


def template_bytes(units: list, unit, year: int) -> bytes:
    """The blank submission workbook of `unit` and `year`: etl.template, as `python -m etl template` writes it."""
    from etl.template import write_template

    with tempfile.TemporaryDirectory(prefix="mau_") as tmp:
        out = Path(tmp) / "mau.xlsx"
        write_template(out, units, unit=unit, year=year)
        return out.read_bytes()


def show_messages(errors: list[str], warnings: list[str]) -> None:
    """A file's errors and warnings, one line each, as plain text."""
    lines = [f"- **Lỗi:** {escape_markdown(m)}" for m in errors]
    lines += [f"- **Cảnh báo:** {escape_markdown(m)}" for m in warnings]
    if lines:
        st.markdown("\n".join(lines))


def show_verdict(v: FileVerdict, short_names: dict[str, str]) -> None:
    """One uploaded file: its name, the CLI's verdict, the unit (by its short name) and year,
    then its messages."""
    name = escape_markdown(v.name)
    unit = short_names.get(v.unit_code or "", v.unit_code)
    who = f" · {escape_markdown(unit)} năm {v.year}" if unit and v.year else ""
    line = f"**{name}** — **{v.verdict}**{who}"
    with st.container(border=True):
        if v.status == "accepted":
            st.success(line, icon=":material/check_circle:")
        elif v.status == "unchanged":
            st.info(line, icon=":material/sync_disabled:")
        else:
            st.error(line, icon=":material/cancel:")
        show_messages(v.errors, v.warnings)
