"""Downloads of the table behind each chart, as CSV (for Excel) and XLSX, and the way a chart
or a table is shown with them (show_chart, chart_or_note, show_table).

Files are built only when the reader clicks (deferred callables), so a page with many
charts pays nothing for its download buttons. A download holds what the reader saw:
Vietnamese headers only, no internal columns (codes of units, indicators, groups), numbers
rounded as displayed (app.fmt), and the title and filters of the view with the time and
data version (a first line in CSV, a sheet «Thông tin» in XLSX). Formula injection is
neutralised as in every export (app.sheets). Tables are shown as static Markdown
(app.tables.markdown), which the browser draws at once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go
import polars as pl
import streamlit as st
import xlsxwriter

from app import queries
from app.charts.locale import PLOTLY_CONFIG
from app.filters import FILTERS_KEY, MODE_REPORTED, MODE_RESTATED, Filters, no_data
from app.fmt import fmt_int, rounded
from app.sheets import (
    PCT_FORMAT,
    WORKBOOK_OPTIONS,
    Formats,
    cover_rows,
    csv_bytes,
    write_cover,
    write_sheet,
)
from app.sheets import neutralise as neutralise  # the formula guard every export shares
from app.sheets import safe_frame as safe_frame
from app.tables.common import DERIVED_MEASURES, type_label, with_unique_names
from app.tables.markdown import markdown_table
from etl.catalogue import load_catalogue

_SAFE_NAME = re.compile(r"[^0-9A-Za-z_-]+")
_TAG = re.compile(r"<[^>]+>")
# columns a reader never needs: codes behind names already shown, and the dashboard's own keys
INTERNAL_COLUMNS = (
    "rank_group", "current_code", "rank_pool", "indicator_code", "key", "kind", "domain", "source_units",
    "successor_code",
)  # fmt: skip
# decimals as the pages show them; other floats keep one decimal, catalogue indicators their kind's
DISPLAY_DECIMALS = {
    "per_10k": 2, "per_staff": 2, "coverage": 2, "score": 2, "percentile": 0, "composite": 1,
    "sat_inpatient_score": 2, "sat_outpatient_score": 2, "training_per_staff": 2, "complaints_per_10k": 2,
}  # fmt: skip
PCT_COLUMNS = ("pct", "lo", "hi", "rate_pct")
DEFAULT_TITLE = "Bảng số liệu tải từ trang theo dõi công tác dân vận ngành Y tế"
YEAR_COLUMNS = ("year", "valid_from", "valid_to", "year_from", "year_to")


@dataclass(frozen=True)
class DownloadContext:
    """What a downloaded file says about itself: the view's title and filters, the data behind it."""

    title: str
    filters: str
    meta: dict[str, str]
    snapshot: str

    def cover(self, now: datetime) -> list[tuple[str, str]]:
        return cover_rows(self.title, self.filters, now, self.meta, self.snapshot)

    def line(self, now: datetime) -> str:
        version = self.meta.get("data_version", "?")
        return f"{self.title}. Bộ lọc: {self.filters}. Tải lúc {now:%d/%m/%Y %H:%M}; số liệu phiên bản {version}."


def _is_pct(col: str) -> bool:
    if col in PCT_COLUMNS:
        return True
    ind = {**load_catalogue(), **DERIVED_MEASURES}.get(col)
    return ind is not None and ind.kind == "pct"


def _decimals(col: str) -> int:
    if col in DISPLAY_DECIMALS:
        return DISPLAY_DECIMALS[col]
    ind = load_catalogue().get(col)
    if ind is not None and ind.kind == "int":
        return 0
    return 1


def _rounded_column(col: str, decimals: int) -> pl.Expr:
    return pl.col(col).map_elements(lambda x: rounded(x, decimals), return_dtype=pl.Float64)


def prepare_download(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str | None]]:
    """The table as a reader downloads it, and its Excel number formats (by Vietnamese header).

    Units keep unique names (the code is dropped where a name is shown), internal columns
    go, floats are rounded as displayed, headers and coded values become Vietnamese.
    """
    out = with_unique_names(df) if {"unit_code", "short_name"} <= set(df.columns) else df
    drop = [c for c in INTERNAL_COLUMNS if c in out.columns]
    if "short_name" in out.columns and "unit_code" in out.columns:
        drop.append("unit_code")
    if "unit_type" in out.columns:
        if "unit_type_vi" in out.columns:
            drop.append("unit_type")
        else:
            out = out.with_columns(type_label()).drop("unit_type")
    out = out.drop(drop)
    bools = [c for c, t in out.schema.items() if t == pl.Boolean]
    out = out.with_columns(
        pl.col(c).replace_strict({True: "Có", False: "Không"}, return_dtype=pl.String) for c in bools
    )
    floats = [c for c, t in out.schema.items() if t in (pl.Float32, pl.Float64)]
    out = out.with_columns(_rounded_column(c, _decimals(c)) for c in floats)
    formats: dict[str, str | None] = {}
    for col, dtype in out.schema.items():
        if col in YEAR_COLUMNS:
            formats[col] = "0"
        elif _is_pct(col) and dtype.is_numeric():
            formats[col] = PCT_FORMAT
        elif dtype.is_integer():
            formats[col] = "#,##0"
        elif dtype.is_float():
            d = _decimals(col)
            formats[col] = "#,##0" + ("." + "0" * d if d else "")
    shown = vietnamese_headers(out)
    return shown, {new: formats.get(old) for old, new in zip(out.columns, shown.columns, strict=True)}


def to_csv_bytes(df: pl.DataFrame, context: DownloadContext | None = None) -> bytes:
    """UTF-8 CSV with a BOM so Excel opens Vietnamese text correctly; the context as a first line."""
    return csv_bytes(df, context.line(datetime.now()) if context else None)


def to_xlsx_bytes(
    df: pl.DataFrame,
    sheet: str = "Dữ liệu",
    *,
    context: DownloadContext | None = None,
    formats: dict[str, str | None] | None = None,
) -> bytes:
    """An XLSX workbook: the table (header frozen, filters on) and, with a context, a sheet «Thông tin»."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    fmt = Formats(book)
    write_sheet(book, fmt, sheet, df, formats)
    if context:
        write_cover(book, fmt, context.title, context.cover(datetime.now()))
    book.close()
    return buf.getvalue()


def file_stem(title: str) -> str:
    """A file name stem from a key or title: ascii letters, digits, '-' and '_'."""
    return _SAFE_NAME.sub("_", title).strip("_") or "du_lieu"


def _csv(df: pl.DataFrame, context: DownloadContext | None) -> bytes:
    return to_csv_bytes(prepare_download(df)[0], context)


def _xlsx(df: pl.DataFrame, context: DownloadContext | None) -> bytes:
    frame, formats = prepare_download(df)
    return to_xlsx_bytes(frame, context=context, formats=formats)


def _deferred(
    build: Callable[[pl.DataFrame, DownloadContext | None], bytes],
    df: pl.DataFrame,
    context: DownloadContext | None,
) -> Callable[[], bytes]:
    return lambda: build(df, context)


# (label, file extension, builder, MIME type) of each download button
_FORMATS = (
    ("Tải CSV", "csv", _csv, "text/csv"),
    ("Tải XLSX", "xlsx", _xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


def filters_text(f: Filters) -> str:
    """The view's filters in words: 'năm chi tiết 2025; giai đoạn 2015–2025; tất cả đơn vị; theo báo cáo gốc'."""
    mode = MODE_RESTATED if f.restated else MODE_REPORTED
    return (
        f"năm chi tiết {f.year}; giai đoạn {f.period_label}; {f.scope_label}; {mode[:1].lower() + mode[1:]}"
    )


def current_context(title: str) -> DownloadContext | None:
    """The download context of this page run (the sidebar's filters); None outside the dashboard."""
    f = st.session_state.get(FILTERS_KEY)
    if not isinstance(f, Filters):
        return None
    return DownloadContext(title, filters_text(f), queries.meta(f.snapshot), f.snapshot)


def download_buttons(df: pl.DataFrame, key: str, title: str | None = None) -> None:
    """Two small buttons (CSV, XLSX) for the table behind a chart; `key` names the files, `title`
    (default: DEFAULT_TITLE, never the key) heads the file with the page's filters.

    The file is shaped at the click (prepare_download), never on a page run. No hover
    tooltip: the label says it all, and each tooltip doubles what the browser spends
    drawing the button, on every page that has charts and tables.
    """
    stem = file_stem(key)
    context = current_context(title or DEFAULT_TITLE)
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        for text, ext, build, mime in _FORMATS:
            st.download_button(
                text,
                data=_deferred(build, df, context),
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
    "rank_prev": "Hạng năm trước",
    "rank_change": "Thay đổi hạng (số bậc tăng)",
    "percentile": "Điểm vị thế (100 = đứng đầu, 0 = cuối bảng)",
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
            label = f"Điểm vị thế: {catalogue[base].short_vi}"
        else:
            label = col
        while label in names.values():
            label += " "
        names[col] = label
    return out.rename(names)


def chart_title(fig: go.Figure) -> str | None:
    """The chart's title as plain text (line breaks and tags removed)."""
    title = fig.layout.title.text if fig.layout.title else None
    return " ".join(_TAG.sub(" ", title).split()) if title else None


def show_chart(fig: go.Figure, table: pl.DataFrame, key: str, *, wide: bool = False) -> None:
    """A Plotly chart (stable key) with the download buttons of the table behind it.

    `wide`: on a phone the chart keeps a tablet's width and scrolls sideways inside its box
    (app/page_style.py), for charts whose labels need the room (names at the line ends).
    """
    if wide:
        with st.container(key=f"rong_{key}"):
            st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    else:
        st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    download_buttons(table, key, chart_title(fig))


def show_chart_row(figs: Sequence[go.Figure], table: pl.DataFrame, key: str, title: str) -> None:
    """Charts side by side in st.columns (stable keys `key`_1, _2...), with one set of download
    buttons for the table behind them all. On a phone Streamlit stacks the columns, so the
    charts come one below the other at full width, where one wide figure would be squeezed."""
    for i, (column, fig) in enumerate(zip(st.columns(len(figs)), figs, strict=True), start=1):
        column.plotly_chart(fig, key=f"{key}_{i}", config=PLOTLY_CONFIG)
    download_buttons(table, key, title)


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
    title: str | None = None,
) -> None:
    """A static table (Markdown, drawn at once) with the download buttons of the full table.

    `display` holds the formatted text, `headers` names (and orders) its columns, `right`
    aligns number columns; a column with no text in any shown row is left out. More rows
    than `page_size` get page buttons (key `<key>_trang`), so every row stays reachable
    without drawing thousands at once. `download` is the numeric table behind it (default:
    `display`); `title` heads the downloaded file.
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
    download_buttons(display if download is None else download, key, title)
