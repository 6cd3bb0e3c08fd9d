"""What every spreadsheet file the dashboard writes shares: formula neutralisation, the cover
(what the file is, its filters, when, from which data), CSV bytes with a BOM, and XLSX sheets
with Vietnamese headers, Excel number formats, a frozen header row and filters.

Text a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
return) is neutralised: in XLSX the cell is marked as text with Excel's quote prefix (the
value itself unchanged), in CSV and Parquet it gets a leading apostrophe. Numbers stay
numbers. Percentages (0-100 in the data) go into XLSX as fractions under a '%' format, as
Excel expects, so 92.5 shows as 92,5% in a Vietnamese locale and sums stay right.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PCT_FORMAT = "0.0%"
SAFETY_NOTE = "Ô văn bản bắt đầu bằng = + - @ (hoặc dấu tab, xuống dòng) được lưu dạng văn bản, không chạy như công thức."
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def neutralise(text: str | None) -> str | None:
    """'=1+1' -> "'=1+1": a cell a spreadsheet would evaluate becomes plain text."""
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text


def flat(df: pl.DataFrame) -> pl.DataFrame:
    """Lists joined with ", " and structs as text: CSV and Excel cells hold neither."""
    out = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List):
            out.append(pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", ").alias(name))
        elif isinstance(dtype, pl.Struct | pl.Object):
            out.append(pl.col(name).cast(pl.String).alias(name))
    return df.with_columns(out) if out else df


def safe_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column neutralised (a new frame; the input is untouched)."""
    text_cols = [c for c, t in df.schema.items() if t == pl.String]
    if not text_cols:
        return df
    return df.with_columns(pl.col(c).map_elements(neutralise, return_dtype=pl.String) for c in text_cols)


def cover_rows(
    title: str, filters: str, exported_at: datetime, meta: dict[str, str], snapshot: str
) -> list[tuple[str, str]]:
    """(label, text) rows of a file's cover: what it holds, the filters, when, which data version."""
    rows = [("Nội dung", title)]
    if meta.get("province_name"):
        rows.append(("Địa phương", meta["province_name"]))
    rows += [
        ("Bộ lọc", filters),
        ("Thời điểm xuất", f"{exported_at:%d/%m/%Y %H:%M}"),
        (
            "Phiên bản cơ sở dữ liệu",
            f"số liệu phiên bản {meta.get('data_version', '?')} (bản đọc {Path(snapshot).name}; "
            f"cấu trúc phiên bản {meta.get('schema_version', '?')})",
        ),
    ]
    if meta.get("is_demo") == "1":
        rows.append(("Dữ liệu minh họa", "Có: số liệu của một tỉnh giả định, chỉ để xem thử."))
    return [*rows, ("An toàn", SAFETY_NOTE)]


def csv_bytes(df: pl.DataFrame, title: str | None = None) -> bytes:
    """UTF-8 CSV with a BOM (Excel then reads Vietnamese right), text neutralised; `title` as a first line."""
    buf = io.BytesIO()
    safe_frame(flat(df)).write_csv(buf)
    head = b""
    if title:
        line = io.BytesIO()
        pl.DataFrame({"t": [neutralise(title)]}).write_csv(line, include_header=False)
        head = line.getvalue()
    return b"\xef\xbb\xbf" + head + buf.getvalue()


class Formats:
    """The formats of one workbook, each made once, by (number format, quote prefix, wrap)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self._cache: dict[tuple, object] = {}
        self.head = book.add_format(
            {"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.label = book.add_format({"bold": True, "valign": "top"})

    def get(self, num_format: str | None = None, *, quote: bool = False, wrap: bool = False):
        key = (num_format, quote, wrap)
        if key not in self._cache:
            spec: dict = {"valign": "top"}
            if num_format:
                spec["num_format"] = num_format
            if quote:
                spec["quote_prefix"] = True
            if wrap:
                spec["text_wrap"] = True
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def _write_cell(
    ws, row: int, col: int, value: object, fmt: Formats, num_format: str | None, wrap: bool
) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt.get(num_format, wrap=wrap))
    elif isinstance(value, bool):
        ws.write_string(row, col, "Có" if value else "Không")
    elif isinstance(value, int | float):
        if num_format == PCT_FORMAT:
            value = value / 100
        ws.write_number(row, col, value, fmt.get(num_format))
    elif isinstance(value, datetime):
        ws.write_string(row, col, f"{value:%d/%m/%Y %H:%M}")
    else:
        text = str(value)
        ws.write_string(row, col, text, fmt.get(None, quote=text.startswith(FORMULA_START), wrap=wrap))


def write_sheet(
    book: xlsxwriter.Workbook,
    fmt: Formats,
    name: str,
    frame: pl.DataFrame,
    formats: dict[str, str | None] | None = None,
    *,
    freeze_cols: int = 0,
    wide: Sequence[str] = (),
) -> None:
    """One data sheet of `frame` (its column names are the headers): typed cells in `formats`
    (column -> Excel number format; PCT_FORMAT columns hold 0-100), a frozen header row,
    filters on, the `wide` text columns wrapped."""
    formats = formats or {}
    frame = flat(frame)
    ws = book.add_worksheet(name[:31])
    cols = frame.columns
    for j, col in enumerate(cols):
        ws.write_string(0, j, col, fmt.head)
        ws.set_column(j, j, 60 if col in wide else max(10, min(40, len(col) // 2 + 6)))
    for i, row in enumerate(frame.iter_rows(), start=1):
        for j, (col, value) in enumerate(zip(cols, row, strict=True)):
            _write_cell(ws, i, j, value, fmt, formats.get(col), col in wide)
    ws.set_row(0, 48)
    ws.freeze_panes(1, freeze_cols)
    ws.autofilter(0, 0, max(frame.height, 1), max(len(cols) - 1, 0))


def write_cover(
    book: xlsxwriter.Workbook,
    fmt: Formats,
    heading: str,
    rows: list[tuple[str, str]],
    name: str = "Thông tin",
) -> None:
    """A sheet that says what the file is: a heading, then label | text rows."""
    ws = book.add_worksheet(name[:31])
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, heading, fmt.title)
    wrap = fmt.get(None, wrap=True)
    for r, (label, text) in enumerate(rows, start=2):
        ws.write_string(r, 0, label, fmt.label)
        ws.write_string(
            r, 1, text, fmt.get(None, quote=text.startswith(FORMULA_START), wrap=True) if text else wrap
        )
