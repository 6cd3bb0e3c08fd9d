"""Downloads of the table behind each chart, as CSV (for Excel) and XLSX, and the way a chart
or a table is shown with them (show_chart, chart_or_note, show_table).

Files are built only when the reader clicks (deferred callables), so a page with many
charts pays nothing for its download buttons. Text cells that a spreadsheet would run
as a formula (starting with = + - @, also after a tab or carriage return) are prefixed
with an apostrophe; numbers stay numbers. Tables are shown as static Markdown
(app.tables.markdown), which the browser draws at once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st
import xlsxwriter

from app.filters import no_data
from app.fmt import fmt_int
from app.tables.common import DERIVED_MEASURES
from app.tables.markdown import markdown_table
from etl.catalogue import load_catalogue

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_-]+")


def neutralise(text: str | None) -> str | None:
    """'=1+1' -> "'=1+1": a cell a spreadsheet would evaluate becomes plain text."""
    if text and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def safe_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column neutralised (a new frame; the input is untouched)."""
    text_cols = [c for c, t in df.schema.items() if t == pl.String]
    if not text_cols:
        return df
    return df.with_columns(pl.col(c).map_elements(neutralise, return_dtype=pl.String) for c in text_cols)


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    # lists and structs have no cell form in CSV or Excel: join or stringify them
    out = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List):
            out.append(pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", ").alias(name))
        elif isinstance(dtype, pl.Struct | pl.Object):
            out.append(pl.col(name).cast(pl.String).alias(name))
    return df.with_columns(out) if out else df


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM so Excel opens Vietnamese text correctly."""
    buf = io.BytesIO()
    safe_frame(_flat(df)).write_csv(buf)
    return b"\xef\xbb\xbf" + buf.getvalue()


def to_xlsx_bytes(df: pl.DataFrame, sheet: str = "Dữ liệu") -> bytes:
    """An XLSX workbook with one sheet; text is never interpreted as a formula."""
    frame = safe_frame(_flat(df))
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    for col, name in enumerate(frame.columns):
        ws.write_string(0, col, str(name), bold)
        width = max(10, min(60, len(str(name)) + 2))
        ws.set_column(col, col, width)
    for row_idx, row in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(row):
            if value is None:
                ws.write_blank(row_idx, col, None)
            elif isinstance(value, bool):
                ws.write_boolean(row_idx, col, value)
            elif isinstance(value, int | float):
                ws.write_number(row_idx, col, value)
            else:
                ws.write_string(row_idx, col, str(value))
    ws.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()


def file_stem(title: str) -> str:
    """A file name stem from a key or title: ascii letters, digits, '-' and '_'."""
    return _SAFE_NAME.sub("_", title).strip("_") or "du_lieu"


def _deferred(build: Callable[[pl.DataFrame], bytes], df: pl.DataFrame) -> Callable[[], bytes]:
    return lambda: build(df)


# (label, file extension, builder, MIME type) of each download button
_FORMATS = (
    ("Tải CSV", "csv", to_csv_bytes, "text/csv"),
    ("Tải XLSX", "xlsx", to_xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


def download_buttons(df: pl.DataFrame, key: str) -> None:
    """Two small buttons (CSV, XLSX) for the table behind a chart; `key` names the files.

    No hover tooltip: the label says it all, and each tooltip doubles what the browser
    spends drawing the button, on every page that has charts and tables.
    """
    stem = file_stem(key)
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        for text, ext, build, mime in _FORMATS:
            st.download_button(
                text,
                data=_deferred(build, df),
                file_name=f"{stem}.{ext}",
                mime=mime,
                key=f"{key}_{ext}",
                icon=":material/download:",
                type="tertiary",
                on_click="ignore",
            )


# Vietnamese headers for the downloaded tables; indicator codes get their catalogue label
COLUMN_LABELS: dict[str, str] = {
    "year": "Năm",
    "unit_code": "Mã đơn vị",
    "short_name": "Tên đơn vị",
    "name": "Tên đầy đủ",
    "unit_type": "Mã loại đơn vị",
    "unit_type_vi": "Loại đơn vị",
    "area": "Địa bàn",
    "valid_from": "Hoạt động từ năm",
    "valid_to": "Hoạt động đến năm",
    "successor_code": "Đơn vị kế thừa",
    "rank_pool": "Nhóm xếp hạng",
    "current_code": "Đơn vị hiện nay",
    "rank_group": "Nhóm tỉnh",
    "n_sources": "Số đơn vị gộp",
    "source_units": "Gộp từ các đơn vị",
    "value": "Giá trị",
    "value_prev": "Giá trị năm trước",
    "delta": "Thay đổi",
    "delta_rel_pct": "Thay đổi (%)",
    "gain": "Mức cải thiện",
    "improved": "Cải thiện",
    "group": "Nhóm",
    "n": "Số phiếu khảo sát",
    "n_units": "Số đơn vị báo cáo",
    "n_units_no_size": "Số đơn vị không báo số phiếu",
    "pct": "Tỷ lệ (%)",
    "lo": "Cận dưới KTC 95% (%)",
    "hi": "Cận trên KTC 95% (%)",
    "certain": "Dưới mục tiêu cả khi tính sai số",
    "rank": "Hạng",
    "rank_of": "Số đơn vị xếp hạng",
    "rank_label": "Hạng (X/N)",
    "percentile": "Bách phân vị",
    "rank_computed": "Hạng tính từ điểm",
    "n_ranked": "Số đơn vị được xếp hạng",
    "is_tie": "Đồng hạng",
    "rank_mismatch": "Lệch với hạng báo cáo",
    "reported_label": "Hạng đơn vị báo cáo",
    "computed_label": "Hạng tính từ điểm",
    "note": "Ghi chú",
    "status": "Tình trạng",
    "label": "Chỉ tiêu",
    "indicator_code": "Mã chỉ tiêu",
    "measure": "Chỉ số",
    "unit_vi": "Đơn vị tính",
    "domain": "Lĩnh vực",
    "expected": "Số đơn vị phải báo cáo",
    "reported": "Số đơn vị đã báo cáo",
    "rate_pct": "Tỷ lệ (%)",
    "late": "Nộp sau hạn 20/11",
    "has_report": "Đã nộp báo cáo",
    "first_received_at": "Thời điểm nhận",
    "sessions": "Số lớp tập huấn",
    "participants": "Lượt người dự",
    "staff": "Số viên chức, NLĐ",
    "per_staff": "Lượt dự / viên chức",
    "received": "Đơn thư tiếp nhận",
    "carried_in": "Tồn năm trước",
    "resolved": "Đã giải quyết",
    "outstanding": "Còn tồn cuối năm",
    "protracted": "Vụ việc phức tạp, kéo dài",
    "visits": "Lượt khám bệnh",
    "per_10k": "Đơn thư / 10.000 lượt khám",
    "score": "Điểm trung bình",
    "composite": "Chỉ số tổng hợp",
    "coverage": "Độ phủ dữ liệu (0–1)",
    "median": "Trung vị toàn tỉnh",
    "standing": "So với trung vị",
    "direction": "Chiều tốt",
    "kind": "Kiểu",
    "sources": "Gộp từ",
    "year_from": "Từ năm",
    "year_to": "Đến năm",
    "weight": "Trọng số",
    "successor_name": "Đã sáp nhập vào",
    "key": "Mã chỉ số",
    "basis": "Căn cứ",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "status": {"reported": "Đã báo cáo", "missing": "Chưa báo cáo", "inactive": "Chưa/không còn hoạt động"},
    "standing": {
        "better": "Tốt hơn trung vị",
        "same": "Ngang trung vị",
        "worse": "Kém hơn trung vị",
        "missing": "Chưa báo cáo",
    },
    "direction": {"up": "Cao hơn là tốt", "down": "Thấp hơn là tốt", "none": "Không đánh giá"},
}


def vietnamese_headers(df: pl.DataFrame) -> pl.DataFrame:
    """The table with Vietnamese column headers (and coded values spelled out) for a download."""
    catalogue: dict = {**load_catalogue(), **DERIVED_MEASURES}
    out = df.with_columns(
        pl.col(c).replace_strict(VALUE_LABELS[c], default=pl.col(c)).alias(c)
        for c in df.columns
        if c in VALUE_LABELS and df.schema[c] == pl.String
    )
    names: dict[str, str] = {}
    for col in out.columns:
        base = col.removeprefix("pct_")
        if col in COLUMN_LABELS:
            label = COLUMN_LABELS[col]
        elif col in catalogue:
            label = catalogue[col].label()
        elif col.startswith("pct_") and base in catalogue:
            label = f"Bách phân vị: {catalogue[base].short_vi}"
        else:
            label = col
        while label in names.values():
            label += " "
        names[col] = label
    return out.rename(names)


def show_chart(fig: go.Figure, table: pl.DataFrame, key: str) -> None:
    """A Plotly chart (stable key) with the download buttons of the table behind it."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    download_buttons(vietnamese_headers(table), key)


def chart_or_note(
    table: pl.DataFrame, build: Callable[[pl.DataFrame], go.Figure], key: str, empty_message: str
) -> bool:
    """show_chart(build(table)) when `table` has rows, else the Vietnamese `empty_message`.

    Returns whether a chart was drawn.
    """
    if table.is_empty():
        no_data(empty_message)
        return False
    show_chart(build(table), table, key)
    return True


TABLE_PAGE_SIZE = 50


def _has_text(column: pl.Series) -> bool:
    return bool(column.cast(pl.String).fill_null("").str.strip_chars().ne("").any())


def show_table(
    display: pl.DataFrame,
    headers: dict[str, str],
    key: str,
    *,
    download: pl.DataFrame | None = None,
    right: Sequence[str] = (),
    escaped: Sequence[str] = (),
    page_size: int = TABLE_PAGE_SIZE,
) -> None:
    """A static table (Markdown, drawn at once) with the download buttons of the full table.

    `display` holds the formatted text, `headers` names (and orders) its columns, `right`
    aligns number columns; a column with no text in any shown row is left out. More rows
    than `page_size` get page buttons (key `<key>_trang`), so every row stays reachable
    without drawing thousands at once. `download` is the numeric table behind it (default:
    `display`).
    """
    rows = display
    pages = max(1, -(-display.height // page_size))
    if pages > 1:
        st.caption(f"{fmt_int(display.height)} dòng; mỗi trang {page_size} dòng.")
        page = st.pagination(pages, key=f"{key}_trang")
        rows = display.slice((page - 1) * page_size, page_size)
    # a column with nothing in it (no tie this year, no note) only takes room
    shown = {c: h for c, h in headers.items() if c in rows.columns and _has_text(rows[c])}
    st.markdown(markdown_table(rows, shown, right=right, escaped=escaped))
    download_buttons(vietnamese_headers(display if download is None else download), key)
