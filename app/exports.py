"""The whole current data set for spreadsheets and analysts: one XLSX workbook, or one CSV or
Parquet table, and the cover every export carries (what it is, filters, when, which data).

The data are the values in force (the latest accepted file of each unit and year), as
reported, read through app.queries like every page. The workbook has a cover sheet, one
sheet per domain (one row per unit-year that reported something in it), the indicator
list and the unit list; Vietnamese headers with units, Excel number formats (Excel shows
92,5% and 1.234 in a Vietnamese locale), a frozen header row and filters. Blank stays
blank: not reported, never 0. Text a spreadsheet would run as a formula is neutralised:
in XLSX the cell is marked as text (quote prefix, the value unchanged), in CSV and
Parquet it gets a leading apostrophe.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import polars as pl
import xlsxwriter

from app import queries, tables
from app.fmt import fmt_int
from app.sheets import (
    PCT_FORMAT,
    WORKBOOK_OPTIONS,
    Formats,
    cover_rows,
    csv_bytes,
    safe_frame,
    write_cover,
    write_sheet,
)
from etl.catalogue import load_catalogue, load_domains
from etl.registry import UNIT_TYPES

KEY_COLUMNS = {"year": "Năm", "unit_code": "Mã đơn vị", "name": "Tên đơn vị", "unit_type_vi": "Loại đơn vị",
               "area": "Địa bàn"}  # fmt: skip
SCORE_DECIMALS = {"sat_inpatient_score": 2, "sat_outpatient_score": 2}
TITLE = (
    "Toàn bộ số liệu công tác dân vận ngành Y tế đang có hiệu lực (bản báo cáo được tiếp nhận mới nhất của mỗi "
    "đơn vị, mỗi năm), theo báo cáo gốc; mỗi trang một lĩnh vực, mỗi dòng một đơn vị – một năm có số liệu của "
    "lĩnh vực đó. Ô trống: đơn vị chưa báo cáo chỉ tiêu (khác với số 0)."
)


@dataclass(frozen=True)
class ExportScope:
    """Which rows an export holds; empty tuples and None mean everything."""

    year_from: int | None = None
    year_to: int | None = None
    unit_types: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()

    def describe(self, years: list[int]) -> str:
        """The filters in words, for the cover: 'Không lọc: mọi đơn vị, các năm 2015–2025'."""
        shown = [y for y in years if (self.year_from or y) <= y <= (self.year_to or y)]
        span = (
            f"{shown[0]}–{shown[-1]}" if len(shown) > 1 else (str(shown[0]) if shown else "không có năm nào")
        )
        parts = []
        if self.unit_types:
            parts.append("loại đơn vị: " + ", ".join(UNIT_TYPES.get(t, t) for t in self.unit_types))
        if self.areas:
            parts.append("địa bàn: " + ", ".join(self.areas))
        if not parts and len(shown) == len(years):
            return f"Không lọc: mọi đơn vị, các năm {span}"
        return "; ".join([f"các năm {span}", *parts])


def unit_years(snapshot: str, scope: ExportScope = ExportScope()) -> pl.DataFrame:
    """Every unit-year with a report in the scope: year, code, name, type, area, every indicator."""
    codes = tuple(load_catalogue())
    panel = tables.scoped(queries.panel(snapshot, codes), scope.unit_types, scope.areas, scope.year_from,
                          scope.year_to)  # fmt: skip
    names = queries.units(snapshot).select("unit_code", "name")
    return (
        panel.join(names, on="unit_code", how="left")
        .with_columns(tables.type_label())
        .select(*KEY_COLUMNS, *codes)
        .sort("year", "unit_code")
    )


def domain_codes() -> dict[str, list[str]]:
    """domain code -> its indicator codes, in catalogue order, domains in domains.csv order."""
    out: dict[str, list[str]] = {d: [] for d in load_domains()}
    for code, ind in load_catalogue().items():
        out.setdefault(ind.domain, []).append(code)
    return {d: codes for d, codes in out.items() if codes}


def headers() -> dict[str, str]:
    """Column -> Vietnamese header with its unit, for the key columns and every indicator."""
    return {**KEY_COLUMNS, **{code: ind.label() for code, ind in load_catalogue().items()}}


def number_format(code: str) -> str | None:
    """The Excel number format of a column ('#,##0', '0.0%'...); None for text."""
    if code == "year":
        return "0"
    ind = load_catalogue().get(code)
    if ind is None or not ind.is_numeric:
        return None
    if ind.kind == "pct":
        return PCT_FORMAT
    if ind.kind == "int":
        return "#,##0"
    return "#,##0." + "0" * SCORE_DECIMALS.get(code, 1)


def _catalogue_sheet() -> tuple[pl.DataFrame, dict[str, str]]:
    domains = load_domains()
    rows = [
        (domains[ind.domain].name_vi if ind.domain in domains else ind.domain, ind.label(), ind.name_vi,
         ind.unit_vi or "", code)
        for code, ind in load_catalogue().items()
    ]  # fmt: skip
    frame = pl.DataFrame(rows, schema=["domain", "column", "name_vi", "unit_vi", "code"], orient="row")
    names = {"domain": "Lĩnh vực", "column": "Tên cột", "name_vi": "Chỉ tiêu", "unit_vi": "Đơn vị tính",
             "code": "Mã chỉ tiêu (tên cột trong tệp Parquet)"}  # fmt: skip
    return frame, names


def _units_sheet(snapshot: str) -> tuple[pl.DataFrame, dict[str, str]]:
    units = queries.units(snapshot)
    names = dict(units.select("unit_code", "name").iter_rows())
    frame = units.with_columns(
        tables.type_label(),
        successor=pl.col("successor_code").replace_strict(names, default=pl.col("successor_code")),
    ).select("unit_code", "name", "short_name", "unit_type_vi", "area", "valid_from", "valid_to", "successor")
    headers = {"unit_code": "Mã đơn vị", "name": "Tên đơn vị", "short_name": "Tên viết tắt",
               "unit_type_vi": "Loại đơn vị", "area": "Địa bàn", "valid_from": "Hoạt động từ năm",
               "valid_to": "Hoạt động đến năm", "successor": "Sáp nhập, đổi tên thành"}  # fmt: skip
    return frame, headers


def _domain_sheets(data: pl.DataFrame) -> list[tuple[str, pl.DataFrame, dict[str, str | None], list[str]]]:
    """(sheet name, frame with Vietnamese headers, header -> number format, wide text headers) per domain."""
    names, domains, catalogue = headers(), load_domains(), load_catalogue()
    out = []
    for domain, codes in domain_codes().items():
        rows = data.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in codes)).select(
            *KEY_COLUMNS, *codes
        )
        formats = {names[c]: number_format(c) for c in ("year", *codes)}
        wide = [names[c] for c in codes if catalogue[c].kind == "text"]
        title = domains[domain].name_vi if domain in domains else domain
        out.append((title, rows.rename(names, strict=False), formats, wide))
    return out


def to_workbook(
    snapshot: str, scope: ExportScope = ExportScope(), exported_at: datetime | None = None
) -> bytes:
    """The whole data set in scope as one XLSX workbook (see the module docstring)."""
    exported_at = exported_at or datetime.now()
    sheets = _domain_sheets(unit_years(snapshot, scope))
    cat_frame, cat_headers = _catalogue_sheet()
    unit_frame, unit_headers = _units_sheet(snapshot)
    sheets.append(("Danh mục chỉ tiêu", cat_frame.rename(cat_headers), {}, []))
    sheets.append(("Danh sách đơn vị", unit_frame.rename(unit_headers),
                   {"Hoạt động từ năm": "0", "Hoạt động đến năm": "0"}, []))  # fmt: skip
    rows = cover_rows(
        TITLE, scope.describe(queries.years(snapshot)), exported_at, queries.meta(snapshot), snapshot
    )
    rows.append(("Các trang", "; ".join(f"«{n}»: {fmt_int(f.height)} dòng" for n, f, _, _ in sheets)))
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    fmt = Formats(book)
    write_cover(book, fmt, "Số liệu công tác dân vận ngành Y tế", rows, name="Giới thiệu")
    for name, frame, formats, wide in sheets:
        write_sheet(book, fmt, name, frame, formats, freeze_cols=3 if "Tên đơn vị" in frame.columns else 0,
                    wide=wide)  # fmt: skip
    book.close()
    return buf.getvalue()


# ----------------------------------------------------------------------------- CSV and Parquet


def to_csv(snapshot: str, scope: ExportScope = ExportScope()) -> bytes:
    """The data set in scope as one wide CSV (UTF-8 with BOM, Vietnamese headers, percentages 0-100)."""
    return csv_bytes(unit_years(snapshot, scope).rename(headers(), strict=False))


def to_parquet(
    snapshot: str, scope: ExportScope = ExportScope(), exported_at: datetime | None = None
) -> bytes:
    """The data set in scope as one Parquet table for analysts.

    Column names are the indicator codes of the catalogue (stable names to script
    against); each column's Vietnamese header is in its field metadata ("label"), and the
    cover (filters, export time, data version) in the table's metadata.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    exported_at = exported_at or datetime.now()
    data = safe_frame(unit_years(snapshot, scope))
    labels = headers()
    table = data.to_arrow()
    fields = [f.with_metadata({"label": labels.get(f.name, f.name)}) for f in table.schema]
    cover = cover_rows("Số liệu công tác dân vận ngành Y tế", scope.describe(queries.years(snapshot)),
                       exported_at, queries.meta(snapshot), snapshot)  # fmt: skip
    schema = pa.schema(fields, metadata=dict(cover))
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_batches(table.to_batches(), schema=schema), buf)
    return buf.getvalue()


EXPORT_FORMATS = {"xlsx": to_workbook, "csv": to_csv, "parquet": to_parquet}
