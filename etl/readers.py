"""Readers: find the table in a submitted workbook or CSV and hand its raw cells on, with their locations.

This module owns file formats and layouts: which sheet holds the table, which row is the
header, where the unit and the year are, which encoding and separator a CSV uses. It never
interprets a value: a number typed as text stays text ("1.234", "92,5"), a cell Excel stored
as a number arrives as a float, a blank cell as None. `etl.normalize` and `etl.validate`
decide what the values mean. Bad input never raises: it comes back as a ParsedFile with a
Vietnamese message that names the file, sheet and cell (or CSV line) and says how to fix it.

Workbooks are .xlsx/.xlsm, and as units' older or other programs save them .xls (Excel
97-2003), .xlsb (Excel binary) and .ods (LibreOffice): fastexcel (calamine) reads all five,
and what the file holds decides how it is opened, not its name. A password-protected
workbook is an encrypted OLE container that no reader can open: it is told so, with how to
remove the password.

Two layouts, in workbooks and .csv/.txt alike:
- "template": one unit-year, long form. Cells labelled `Mã đơn vị`, `Tên đơn vị`,
  `Năm báo cáo` (value in the first non-empty cell to their right) and a header row with
  `Mã chỉ tiêu` and `Giá trị`; every row below with a code is one indicator.
- "wide": many unit-years. A header row with `unit_code` and `year` (or `Mã đơn vị`, `Năm`),
  optionally `unit_name`/`Tên đơn vị`, and one column per indicator code; one row per unit-year.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import fastexcel

from etl.registry import nfc
from etl.staging import Message, ParsedFile, RawCell, RawRecord

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
TEMPLATE_SHEET = "Báo cáo"
LABEL_ROWS = 30  # the unit and year labels sit in the first rows of the sheet
HEADER_ROWS = 60  # the header row sits below at most this many title and label rows
FILE_WHERE = "toàn tệp"  # where a message about the whole file points
UNKNOWN_FORMAT = "unknown"  # file_format of a file whose layout was never found

FIX_TEMPLATE = "Cách sửa: dùng mẫu báo cáo tải từ lệnh `python -m etl template` và không xoá dòng tiêu đề."
FIX_SAVE_XLSX = (
    "Cách sửa: mở tệp bằng Excel, chọn «Lưu thành» (Save As) kiểu «Excel Workbook (*.xlsx)» rồi gửi lại."
)
FIX_SAVE_CSV_UTF8 = (
    "Cách sửa: trong Excel chọn «Lưu thành» (Save As) kiểu «CSV UTF-8 (Comma delimited) (*.csv)» rồi gửi lại."
)

# label and header keys, compared after `_key` (NFC, case-folded, trailing ':' '*' and spaces dropped)
_CODE_HEADER = "mã chỉ tiêu"
_VALUE_HEADER = "giá trị"
_UNIT_LABELS = frozenset({"mã đơn vị"})
_UNIT_NAME_LABELS = frozenset({"tên đơn vị"})
_YEAR_LABELS = frozenset({"năm báo cáo", "năm"})
_WIDE_UNIT = frozenset({"unit_code", "mã đơn vị"})
_WIDE_YEAR = frozenset({"year", "năm", "năm báo cáo"})
_WIDE_UNIT_NAME = frozenset({"unit_name", "tên đơn vị"})
_LONGEST_LABEL = 40  # longer cells are never a label, even in NFD with a trailing colon

_CSV_DELIMITERS = (";", ",", "\t")
_ZIP_MAGIC = b"PK\x03\x04"  # every .xlsx is a zip archive
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), and the container of an encrypted .xlsx
# the streams an encrypted (password-protected) Office 2007+ file holds, named in UTF-16 in its directory
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# how calamine names Excel's error values (#DIV/0! ...) in a CellError detail
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
}
_EXCEL_ERROR_DETAIL = re.compile(r"got '(?:Error|CellError)\((\w+)\)")

Value = str | float | None


def read_file(path: Path) -> ParsedFile:
    """Read a submitted workbook or CSV into raw cells, or into messages saying why not.

    Dispatches on the content and the extension (.xlsx, .xlsm, .xls, .xlsb, .ods: workbook;
    .csv/.txt: CSV). Never raises for
    bad input: an unknown extension, an empty or corrupt file, or a file without a
    recognisable table gives a ParsedFile with one error and no records.

    Example:
        >>> parsed = read_file(Path("BVDKT_2024.xlsx"))
        >>> parsed.records[0].cells[0]
        RawCell(indicator_text='staff_total', value=450.0, where='Báo cáo!E10')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + CSV_SUFFIXES:
        return _failed(path, FILE_WHERE, _unknown_suffix_message(path))
    try:
        data = path.read_bytes()
    except OSError:
        return _failed(
            path,
            FILE_WHERE,
            f"Tệp «{path.name}»: không mở được tệp để đọc. "
            "Cách sửa: kiểm tra tệp còn đó và không bị chương trình khác khoá, rồi gửi lại.",
        )
    if not data.strip():
        return _failed(
            path,
            FILE_WHERE,
            f"Tệp «{path.name}»: tệp rỗng, không có nội dung. "
            "Cách sửa: mở lại tệp báo cáo, kiểm tra số liệu đã được lưu rồi gửi lại đúng tệp đó.",
        )
    # a workbook renamed to .csv is still a workbook: read what the file is, not what it is called
    if suffix in WORKBOOK_SUFFIXES or data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return _read_workbook(path, data)
    return _read_csv(path, data)


# ---------------------------------------------------------------------------------------------
# the grid: one sheet or one CSV file, whatever it came from


@dataclass(frozen=True)
class _Grid:
    """One sheet or CSV file as rows of raw cell strings, with the means to type and locate them.

    `rows[r][c]` is the cell's text as the file holds it (fastexcel's string form of a number
    for a workbook), None when blank. A typed workbook grid also knows which cells Excel stored
    as text, which hold an Excel error, and the exact numbers; in a CSV every cell is text.
    """

    sheet: str | None  # None for a CSV file
    rows: Sequence[Sequence[str | None]]
    columns: Sequence[int] = ()  # workbook: real 0-based column of each loaded column
    lines: Sequence[int] = ()  # CSV: 1-based physical line on which each row starts
    text_cells: frozenset[tuple[int, int]] = frozenset()
    excel_errors: dict[tuple[int, int], str] = field(default_factory=dict)
    numbers: Sequence[Sequence[float | None]] = ()  # workbook: float load, column-major
    key_cache: dict[int, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def raw(self, r: int, c: int) -> str | None:
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def text(self, r: int, c: int) -> str:
        """The cell as NFC text, "" when blank: for labels, headers and codes."""
        if (r, c) in self.excel_errors:
            return self.excel_errors[(r, c)]
        raw = self.raw(r, c)
        return _clean(raw) if raw else ""

    def keys(self, r: int) -> list[str]:
        """Label keys of row r's cells, computed once: headers and labels are searched twice."""
        if r not in self.key_cache:
            # labels are short; skipping long cells spares normalising instructions and names
            self.key_cache[r] = [
                _key(raw) if raw and len(raw) <= _LONGEST_LABEL else "" for raw in self.rows[r]
            ]
        return self.key_cache[r]

    def value(self, r: int, c: int) -> Value:
        """The cell as a reader hands it on: None, a float (an Excel number) or NFC text."""
        return self.values(c, (r,))[0]

    def values(self, c: int, rows: Sequence[int]) -> list[Value]:
        """Column c's cells in the given rows, typed as `value` says (the wide reader's hot loop)."""
        result: list[Value] = []
        numbers = self.numbers[c] if self.numbers else None
        for r in rows:
            row = self.rows[r]
            raw = row[c] if c < len(row) else None
            if self.sheet is None or (r, c) in self.text_cells:
                result.append((_clean(raw) or None) if raw is not None else None)
            elif (r, c) in self.excel_errors:
                result.append(self.excel_errors[(r, c)])
            elif raw is None or raw in ("true", "false"):  # booleans are handed on as text
                result.append(raw)
            elif numbers is not None and numbers[r] is not None:
                result.append(numbers[r])
            else:  # an untyped grid: only headers and labels are read from it
                result.append(_clean(raw) or None)
        return result

    def line(self, r: int) -> int:
        """Excel row number (workbook) or physical line number (CSV) of row r."""
        return self.lines[r] if self.sheet is None else r + 1

    def where(self, r: int, c: int, column: str | None = None) -> str:
        """Machine-stable location: "Báo cáo!F12", "dòng 7" or "dòng 7, cột staff_total"."""
        return self.wheres(c, (r,), column)[0]

    def wheres(self, c: int, rows: Sequence[int], column: str | None = None) -> list[str]:
        """`where` of column c's cells in the given rows."""
        if self.sheet is not None:
            prefix = f"{self.sheet}!{_column_letter(self.columns[c])}"
            return [f"{prefix}{r + 1}" for r in rows]
        suffix = f", cột {column}" if column else ""
        return [f"dòng {self.lines[r]}{suffix}" for r in rows]

    def cell_name(self, r: int, c: int) -> str:
        """Location for a sentence: "ô F12" or "dòng 7"."""
        if self.sheet is not None:
            return f"ô {_column_letter(self.columns[c])}{r + 1}"
        return f"dòng {self.lines[r]}"

    def place(self, path: Path) -> str:
        """The start of every message about this grid: file, and sheet for a workbook."""
        return f"Tệp «{path.name}», trang «{self.sheet}»" if self.sheet is not None else f"Tệp «{path.name}»"


@dataclass(frozen=True)
class _Header:
    """Where a layout's header row is and which columns play which part."""

    layout: str  # "template" or "wide"
    row: int
    code_col: int = -1  # template
    value_col: int = -1  # template
    unit_col: int = -1  # wide
    year_col: int = -1  # wide
    name_col: int | None = None  # wide, optional


def _clean(raw: str) -> str:
    """`registry.nfc` with a fast path for plain ASCII (codes, numbers), which it would return unchanged."""
    if raw.isascii() and raw.isprintable() and "  " not in raw and raw == raw.strip():
        return raw
    return nfc(raw)


def _key(text: str) -> str:
    """Loose label key: NFC, case-folded, trailing ':' '*' and spaces ignored."""
    return _clean(text).casefold().rstrip(" :*")


@cache
def _column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _find_header(grid: _Grid) -> _Header | None:
    """The template header if the grid has one, else the wide header, else None.

    The template is looked for first: its label block ("Mã đơn vị", "Năm") could pass for
    a wide header when both labels share a row.
    """
    scanned = range(min(len(grid.rows), HEADER_ROWS))
    for r in scanned:
        row = grid.keys(r)
        if _CODE_HEADER in row and _VALUE_HEADER in row:
            return _Header(
                "template", r, code_col=row.index(_CODE_HEADER), value_col=row.index(_VALUE_HEADER)
            )
    keys = [grid.keys(r) for r in scanned]
    if any(_CODE_HEADER in row or _VALUE_HEADER in row for row in keys):
        return None  # half a template header: reported as such, never read as a wide table
    for r, row in enumerate(keys):
        unit = next((c for c, k in enumerate(row) if k in _WIDE_UNIT), None)
        year = next((c for c, k in enumerate(row) if k in _WIDE_YEAR), None)
        if unit is not None and year is not None:
            name = next((c for c, k in enumerate(row) if k in _WIDE_UNIT_NAME), None)
            return _Header("wide", r, unit_col=unit, year_col=year, name_col=name)
    return None


def _no_header_message(path: Path, grids: Sequence[_Grid]) -> Message:
    """Why no table was found: half a template header in some sheet, or no header anywhere."""
    for grid in grids:
        for r in range(min(len(grid.rows), HEADER_ROWS)):
            row = grid.keys(r)
            for found, missing in ((_CODE_HEADER, "Giá trị"), (_VALUE_HEADER, "Mã chỉ tiêu")):
                if found in row:
                    c = row.index(found)
                    return Message(
                        grid.where(r, c),
                        None,
                        f"{grid.place(path)}, {grid.cell_name(r, c)}: dòng tiêu đề có cột «{grid.text(r, c)}» "
                        f"nhưng thiếu cột «{missing}». {FIX_TEMPLATE}",
                    )
    sheets = [grid.sheet for grid in grids if grid.sheet is not None]
    if len(sheets) > 1:
        place = f"Tệp «{path.name}», các trang {', '.join(f'«{s}»' for s in sheets)}"
    else:
        place = grids[0].place(path) if grids else f"Tệp «{path.name}»"
    return Message(
        sheets[0] if sheets else FILE_WHERE,
        None,
        f"{place}: không tìm thấy dòng tiêu đề có cột «Mã chỉ tiêu» và «Giá trị» (mẫu báo cáo) "
        f"hoặc cột «unit_code» và «year» (bảng số liệu nhiều năm) trong {HEADER_ROWS} dòng đầu. "
        "Cách sửa: dùng mẫu báo cáo tải từ lệnh `python -m etl template` và không xoá dòng tiêu đề; "
        "bảng số liệu nhiều năm cần một dòng tiêu đề gồm unit_code, year và mã các chỉ tiêu.",
    )


# ---------------------------------------------------------------------------------------------
# layouts


def _first_value_right_of(grid: _Grid, r: int, c: int) -> int | None:
    """Column of the first non-empty cell right of (r, c), the label's value."""
    return next((c2 for c2 in range(c + 1, len(grid.rows[r])) if grid.text(r, c2)), None)


def _find_labels(grid: _Grid, header_row: int) -> dict[str, tuple[int, int]]:
    """Cells labelled Mã đơn vị / Tên đơn vị / Năm báo cáo in the first rows: kind -> (row, col)."""
    kinds = {"unit": _UNIT_LABELS, "name": _UNIT_NAME_LABELS, "year": _YEAR_LABELS}
    found: dict[str, tuple[int, int]] = {}
    # rows above the header first, where the template puts them; stop once all three are found
    above = range(min(header_row, LABEL_ROWS))
    below = range(header_row + 1, min(len(grid.rows), LABEL_ROWS))
    for r in (*above, *below):
        if len(found) == len(kinds):
            break
        for c, key in enumerate(grid.keys(r)):
            for kind, labels in kinds.items():
                if key in labels and kind not in found:
                    found[kind] = (r, c)
    return found


def _looks_like_code(text: str) -> bool:
    """Indicator codes have no spaces; headings ("I. CẢI CÁCH HÀNH CHÍNH") and signatures do."""
    return not any(ch.isspace() for ch in text)


def _read_template(path: Path, grid: _Grid, header: _Header) -> tuple[RawRecord, list[Message]]:
    """One record from a template sheet: the labelled unit and year, one cell per code row."""
    labels = _find_labels(grid, header.row)
    missing_where = grid.sheet if grid.sheet is not None else "đầu tệp"

    def labelled(kind: str) -> tuple[tuple[int, int] | None, str]:
        """The label's value cell (None when the label or its value is missing) and where to point."""
        if kind not in labels:
            return None, missing_where
        r, c = labels[kind]
        right = _first_value_right_of(grid, r, c)
        return ((r, right), grid.where(r, right)) if right is not None else (None, grid.where(r, c))

    (unit, unit_where), (name, _), (year, year_where) = labelled("unit"), labelled("name"), labelled("year")
    record = RawRecord(
        unit_text=grid.text(*unit) if unit else None,
        unit_where=unit_where,
        year_text=grid.value(*year) if year else None,
        year_where=year_where,
        unit_name_text=grid.text(*name) if name else None,
    )
    errors: list[Message] = []
    seen: dict[str, int] = {}
    for r in range(header.row + 1, len(grid.rows)):
        code = grid.text(r, header.code_col)
        if not code:
            continue
        value = grid.value(r, header.value_col)
        if value is None and not _looks_like_code(code):
            continue  # a merged heading or a signature line below the table, not an indicator
        key = code.casefold()
        if key in seen:
            first = grid.cell_name(seen[key], header.code_col)
            errors.append(
                Message(
                    grid.where(r, header.code_col),
                    code,
                    f"{grid.place(path)}: mã chỉ tiêu «{code}» có ở hai dòng, {first} và "
                    f"{grid.cell_name(r, header.code_col)}. Cách sửa: giữ một dòng cho mỗi chỉ tiêu, "
                    "xoá dòng thừa rồi gửi lại.",
                )
            )
            continue
        seen[key] = r
        record.cells.append(RawCell(code, value, grid.where(r, header.value_col)))
    if not record.cells and not errors:
        errors.append(
            Message(
                grid.where(header.row, header.code_col),
                None,
                f"{grid.place(path)}: dưới dòng tiêu đề ({grid.cell_name(header.row, header.code_col)}) "
                "không có dòng nào ghi mã chỉ tiêu. Cách sửa: dùng mẫu báo cáo tải từ lệnh "
                "`python -m etl template`, giữ nguyên cột «Mã chỉ tiêu» và điền cột «Giá trị».",
            )
        )
    return record, errors


def _read_wide(path: Path, grid: _Grid, header: _Header) -> tuple[list[RawRecord], list[Message]]:
    """One record per data row of a wide table: unit, year, and every indicator column."""
    h = header.row
    errors: list[Message] = []
    indicators: list[tuple[int, str]] = []
    unnamed: list[int] = []
    seen: dict[str, int] = {}
    for c in range(len(grid.rows[h])):
        if c in (header.unit_col, header.year_col, header.name_col):
            continue
        code = grid.text(h, c)
        if not code:
            unnamed.append(c)
        elif code.casefold() in seen:
            errors.append(
                Message(
                    grid.where(h, c),
                    code,
                    f"{grid.place(path)}: cột «{code}» có hai lần trên dòng tiêu đề, "
                    f"{_column_name(grid, h, seen[code.casefold()])} và {_column_name(grid, h, c)}. "
                    "Cách sửa: giữ một cột cho mỗi chỉ tiêu, xoá cột thừa rồi gửi lại.",
                )
            )
        else:
            seen[code.casefold()] = c
            indicators.append((c, code))
    unit_header, year_header = grid.text(h, header.unit_col), grid.text(h, header.year_col)
    data_rows = [
        r
        for r in range(h + 1, len(grid.rows))
        if any(raw is not None and raw.strip() for raw in grid.rows[r])
    ]
    # column by column: a bulk history table has tens of thousands of rows
    units = [grid.text(r, header.unit_col) or None for r in data_rows]
    names = (
        [grid.text(r, header.name_col) or None for r in data_rows] if header.name_col is not None else None
    )
    years = grid.values(header.year_col, data_rows)
    unit_wheres = grid.wheres(header.unit_col, data_rows, unit_header)
    year_wheres = grid.wheres(header.year_col, data_rows, year_header)
    columns = [(code, grid.values(c, data_rows), grid.wheres(c, data_rows, code)) for c, code in indicators]
    records = [
        RawRecord(
            unit_text=units[i],
            unit_where=unit_wheres[i],
            year_text=years[i],
            year_where=year_wheres[i],
            unit_name_text=names[i] if names is not None else None,
            cells=[RawCell(code, values[i], wheres[i]) for code, values, wheres in columns],
        )
        for i in range(len(data_rows))
    ]
    # a value under a blank header (or right of the header's last cell in a CSV) belongs to no indicator
    width = len(grid.rows[h])
    widest = max((len(grid.rows[r]) for r in data_rows), default=width)
    for c in [*unnamed, *range(width, widest)]:
        r = next(
            (r for r, v in zip(data_rows, grid.values(c, data_rows), strict=True) if v is not None), None
        )
        if r is not None:
            errors.append(
                Message(
                    grid.where(r, c, f"thứ {c + 1}"),
                    None,
                    f"{grid.place(path)}, {_column_name(grid, r, c)}: có số liệu nhưng cột này không có "
                    f"mã chỉ tiêu trên dòng tiêu đề ({_row_name(grid, h)}). Cách sửa: ghi mã chỉ tiêu "
                    "vào dòng tiêu đề hoặc xoá số liệu của cột này rồi gửi lại.",
                )
            )
    if not records and not errors:
        errors.append(
            Message(
                grid.where(h, header.unit_col, unit_header),
                None,
                f"{grid.place(path)}: dưới dòng tiêu đề ({_row_name(grid, h)}) không có dòng số liệu nào. "
                "Cách sửa: thêm một dòng cho mỗi đơn vị và mỗi năm dưới dòng tiêu đề rồi gửi lại.",
            )
        )
    return records, errors


def _column_name(grid: _Grid, r: int, c: int) -> str:
    """A header or data cell for a sentence: "ô F5" (workbook) or "dòng 5, cột thứ 6" (CSV)."""
    return grid.cell_name(r, c) if grid.sheet is not None else f"dòng {grid.line(r)}, cột thứ {c + 1}"


def _row_name(grid: _Grid, r: int) -> str:
    return f"dòng {grid.line(r)}"


def _parse_grid(path: Path, grid: _Grid, header: _Header) -> tuple[list[RawRecord], list[Message]]:
    if header.layout == "template":
        record, errors = _read_template(path, grid, header)
        return [record], errors
    return _read_wide(path, grid, header)


# ---------------------------------------------------------------------------------------------
# workbooks


def _load_sheet_text(reader: fastexcel.ExcelReader, name: str, n_rows: int | None = None) -> _Grid | None:
    """Every cell of a sheet (or its first `n_rows`) as text; row i is Excel row i + 1."""
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", n_rows=n_rows)
        batch = sheet.to_arrow()
    except fastexcel.FastExcelError:
        return None  # a chart sheet or a sheet calamine cannot read holds no table
    # empty leading columns are dropped; absolute_index is the column's real position
    columns = [info.absolute_index for info in sheet.available_columns()]
    rows = list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
    return _Grid(sheet=name, rows=rows, columns=columns)


def _with_cell_types(reader: fastexcel.ExcelReader, grid: _Grid) -> _Grid:
    """Add to a text grid which cells Excel stored as text, which hold an Excel error, and the numbers.

    Loading the sheet as booleans makes calamine report every text cell as a CellError
    ("Expected boolean but got 'String(...)'"), whereas numbers and booleans convert silently.
    An int or float load cannot tell: calamine parses text like "1234" or "92.5" into numbers
    without complaint. The numbers themselves come from a float load, because the string load
    rounds them (85.1234567891 -> "85.123456789", 1e-12 -> "0"). CellError.position is
    (row, column) in the loaded range, the same indices as the text load: all three loads
    keep the same rows and columns.
    """
    sheet = reader.load_sheet(grid.sheet, header_row=None, skip_rows=0, dtypes="boolean")
    _, cell_errors = sheet.to_arrow_with_errors()
    text_cells: set[tuple[int, int]] = set()
    excel_errors: dict[tuple[int, int], str] = {}
    for error in cell_errors.errors if cell_errors else ():
        position = tuple(error.position)
        detail = error.detail
        match = None if "'String(" in detail else _EXCEL_ERROR_DETAIL.search(detail)
        if match:
            excel_errors[position] = _EXCEL_ERRORS.get(match.group(1), f"#{match.group(1).upper()}!")
        else:  # text, or a date or duration, which is handed on as its text form
            text_cells.add(position)
    batch = reader.load_sheet(grid.sheet, header_row=None, skip_rows=0, dtypes="float").to_arrow()
    numbers = [column.to_pylist() for column in batch.columns]
    return replace(grid, text_cells=frozenset(text_cells), excel_errors=excel_errors, numbers=numbers)


def _read_workbook(path: Path, data: bytes) -> ParsedFile:
    """Read the sheet(s) with a header: the template sheet, or every sheet of a wide table."""
    if is_encrypted(data):
        return _failed(path, FILE_WHERE, _password_message(path))
    try:
        reader = fastexcel.read_excel(data)
        sheet_names = reader.sheet_names
    except fastexcel.FastExcelError:
        return _failed(path, FILE_WHERE, _corrupt_message(path))
    # the project's data sheet first, the others (instructions, hidden lists) in workbook order
    ordered = sorted(sheet_names, key=lambda name: _key(name) != _key(TEMPLATE_SHEET))
    # the preferred sheet is read whole; the others only as far as a header can be, and
    # whole only when they turn out to hold a table (the hidden unit list can be long)
    grids = [
        grid
        for i, name in enumerate(ordered)
        if (grid := _load_sheet_text(reader, name, None if i == 0 else HEADER_ROWS + 1)) is not None
    ]
    found = [(grid, header) for grid in grids if (header := _find_header(grid)) is not None]
    found = [
        (grid if grid is grids[0] else (_load_sheet_text(reader, grid.sheet) or grid), header)
        for grid, header in found
    ]
    if not found:
        message = _no_header_message(path, grids)
        return _failed(path, message.where, message.message)
    layout = found[0][1].layout
    # a template file is one unit-year: read one sheet; a wide table may be split over sheets
    chosen = found[:1] if layout == "template" else [f for f in found if f[1].layout == "wide"]
    parsed = ParsedFile(path=path, file_format=layout)
    for grid, header in chosen:
        try:
            typed = _with_cell_types(reader, grid)
        except fastexcel.FastExcelError:
            return _failed(path, FILE_WHERE, _corrupt_message(path))
        records, errors = _parse_grid(path, typed, header)
        parsed.records.extend(records)
        parsed.errors.extend(errors)
    read_names = ", ".join(f"«{grid.sheet}»" for grid, _ in chosen)
    for grid, _ in found:
        if all(grid is not g for g, _ in chosen):
            parsed.warnings.append(
                Message(
                    grid.sheet or FILE_WHERE,
                    None,
                    f"Tệp «{path.name}», trang «{grid.sheet}»: trang này cũng có bảng số liệu nhưng không được "
                    f"đọc; chỉ đọc trang {read_names}. Cách sửa: nếu số liệu đúng nằm ở trang «{grid.sheet}», "
                    "chép sang trang được đọc hoặc xoá trang thừa rồi gửi lại.",
                )
            )
    return parsed


# ---------------------------------------------------------------------------------------------
# CSV


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """Text of a CSV file and the codec used: BOM first, then strict UTF-8, then Windows-1258."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None, None
    for codec in ("utf-8", "cp1258"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None, None


def _split_csv(
    text: str, delimiter: str, limit: int | None = None
) -> tuple[list[list[str | None]], list[int]]:
    """CSV records as rows of cells ("" -> None) and the physical line each record starts on.

    Raises csv.Error with the line number when the text cannot be split (an unclosed quote
    swallowing the rest of a large file).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str | None]] = []
    lines: list[int] = []
    previous = 0
    for record in reader:
        rows.append([cell if cell.strip() else None for cell in record])
        lines.append(previous + 1)
        previous = reader.line_num
        if limit is not None and len(rows) >= limit:
            break
    return rows, lines


def _sniff_delimiter(text: str) -> str:
    """The separator under which the header row has the most cells (`;` when Excel used comma decimals).

    Each candidate splits the first rows; one that yields a recognisable header beats one that
    does not. Without any header, the separator most frequent in the first non-blank line wins.
    """
    best, best_cells = None, 0
    for delimiter in _CSV_DELIMITERS:
        try:
            rows, lines = _split_csv(text, delimiter, limit=HEADER_ROWS)
        except csv.Error:
            continue
        header = _find_header(_Grid(sheet=None, rows=rows, lines=lines))
        if header is not None:
            cells = sum(cell is not None for cell in rows[header.row])
            if cells > best_cells:
                best, best_cells = delimiter, cells
    if best is not None:
        return best
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(_CSV_DELIMITERS, key=first.count)


def _read_csv(path: Path, data: bytes) -> ParsedFile:
    """Decode, sniff the separator, find the header and read the layout it names."""
    text, codec = _decode(data)
    if text is None:
        return _failed(
            path,
            FILE_WHERE,
            f"Tệp «{path.name}»: không đọc được chữ trong tệp (không phải UTF-8, UTF-16 hay Windows-1258). "
            f"{FIX_SAVE_CSV_UTF8}",
        )
    warnings: list[Message] = []
    if codec == "cp1258":
        warnings.append(
            Message(
                FILE_WHERE,
                None,
                f"Tệp «{path.name}»: tệp không phải UTF-8 nên đã được đọc theo bảng mã Windows-1258 "
                "(tiếng Việt cũ); hãy kiểm tra lại tên đơn vị và chữ có dấu. " + FIX_SAVE_CSV_UTF8,
            )
        )
    delimiter = _sniff_delimiter(text)
    try:
        rows, lines = _split_csv(text, delimiter)
    except csv.Error:
        return _failed(
            path,
            FILE_WHERE,
            f'Tệp «{path.name}»: không tách được các ô của tệp CSV, thường do một dấu ngoặc kép (") '
            f"không được đóng. {FIX_SAVE_CSV_UTF8}",
            warnings,
        )
    grid = _Grid(sheet=None, rows=rows, lines=lines)
    header = _find_header(grid)
    if header is None:
        message = _no_header_message(path, [grid])
        return _failed(path, message.where, message.message, warnings)
    records, errors = _parse_grid(path, grid, header)
    return ParsedFile(path=path, file_format=header.layout, records=records, errors=errors, warnings=warnings)


# ---------------------------------------------------------------------------------------------
# failures


def _failed(path: Path, where: str, message: str, warnings: list[Message] | None = None) -> ParsedFile:
    return ParsedFile(
        path=path,
        file_format=UNKNOWN_FORMAT,
        errors=[Message(where, None, message)],
        warnings=list(warnings or []),
    )


def is_encrypted(data: bytes) -> bool:
    """True for a password-protected Office file: an OLE container holding an encrypted package.

    Excel saves a workbook with a password to open as an OLE file (like an .xls) whose
    directory names the streams EncryptedPackage and EncryptionInfo; a plain .xls has neither.
    """
    return data.startswith(_OLE_MAGIC) and any(name in data for name in _ENCRYPTED_STREAMS)


def _password_message(path: Path) -> str:
    return (
        f"Tệp «{path.name}»: tệp có đặt mật khẩu (mật khẩu mở tệp), nên hệ thống không đọc được. "
        "Cách sửa: mở tệp bằng Excel và nhập mật khẩu, chọn «Tệp» (File) > «Thông tin» (Info) > "
        "«Bảo vệ sổ làm việc» (Protect Workbook) > «Mã hoá bằng mật khẩu» (Encrypt with Password), "
        "xoá hết mật khẩu trong ô, bấm OK, lưu tệp rồi gửi lại. Trong LibreOffice: «Tệp» > «Lưu thành», "
        "bỏ dấu chọn «Lưu với mật khẩu»."
    )


def _unknown_suffix_message(path: Path) -> str:
    suffix = path.suffix.lower()
    return (
        f"Tệp «{path.name}»: không nhận tệp có đuôi «{suffix or '(không có đuôi)'}»; hệ thống chỉ đọc "
        "tệp bảng tính (.xlsx, .xlsm, .xls, .xlsb, .ods) và tệp CSV (.csv, .txt). Cách sửa: điền số liệu "
        "vào mẫu báo cáo tải từ lệnh `python -m etl template`, lưu dạng .xlsx rồi gửi lại."
    )


def _corrupt_message(path: Path) -> str:
    return (
        f"Tệp «{path.name}»: không mở được tệp bảng tính: tệp bị hỏng, có đặt mật khẩu, hoặc không phải "
        f"tệp bảng tính dù có đuôi «{path.suffix}». Cách sửa: mở tệp bằng Excel (bỏ mật khẩu nếu có), "
        "chọn «Lưu thành» (Save As) kiểu «Excel Workbook (*.xlsx)» rồi gửi lại."
    )
