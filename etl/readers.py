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

Two layouts, in workbooks and .csv/.txt alike: the template (one unit-year) and the wide
table (many unit-years), read by etl.layouts from the grid this module builds (etl.grid: one
sheet or CSV file as raw cell text with its locations, and the header search).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import fastexcel

from etl.grid import (
    FILE_WHERE,
    HEADER_ROWS,
    TEMPLATE_SHEET,
    TEMPLATE_SIDE_SHEETS,
    Grid,
    find_header,
    key,
    no_header_message,
)
from etl.layouts import parse_grid
from etl.limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    check_workbook_zip,
    columns_message,
    external_links_message,
    formula_errors,
    looks_binary,
    rows_message,
    too_large,
)
from etl.staging import Message, ParsedFile

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
UNKNOWN_FORMAT = "unknown"  # file_format of a file whose layout was never found

FIX_SAVE_XLSX = (
    "Cách sửa: mở tệp bằng Excel, chọn «Lưu thành» (Save As) kiểu «Excel Workbook (*.xlsx)» rồi gửi lại."
)
FIX_SAVE_CSV_UTF8 = (
    "Cách sửa: trong Excel chọn «Lưu thành» (Save As) kiểu «CSV UTF-8 (Comma delimited) (*.csv)» rồi gửi lại."
)


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
        >>> parsed = read_file(Path("BVDKT_2024.xlsx"))  # doctest: +SKIP
        >>> parsed.records[0].cells[0]  # doctest: +SKIP
        RawCell(indicator_text='staff_total', value=450.0, where='Báo cáo!E10')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + CSV_SUFFIXES:
        return _failed(path, FILE_WHERE, _unknown_suffix_message(path))
    try:
        oversize = too_large(path, path.stat().st_size)
        if oversize is not None:
            return _failed(path, oversize.where, oversize.message)
        data = path.read_bytes()
    except OSError:
        return _failed(
            path,
            FILE_WHERE,
            f"Tệp «{path.name}»: không mở được tệp để đọc. "
            "Cách sửa: kiểm tra tệp còn đó và không bị chương trình khác khoá, rồi gửi lại.",
        )
    if not data or data.isspace():  # isspace, unlike strip, copies nothing of a large file
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
# workbooks


def _load_sheet_text(reader: fastexcel.ExcelReader, name: str, n_rows: int | None = None) -> Grid | None:
    """Every cell of a sheet (or its first `n_rows`) as text; row i is Excel row i + 1."""
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", n_rows=n_rows)
        batch = sheet.to_arrow()
    except fastexcel.FastExcelError:
        return None  # a chart sheet or a sheet calamine cannot read holds no table
    # empty leading columns are dropped; absolute_index is the column's real position
    columns = [info.absolute_index for info in sheet.available_columns()]
    rows = list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
    return Grid(sheet=name, rows=rows, columns=columns)


def _with_cell_types(reader: fastexcel.ExcelReader, grid: Grid) -> Grid:
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


def _template_sheet(reader: fastexcel.ExcelReader, names: list[str]) -> list[Grid]:
    """[the data sheet] of a workbook with the template's sheets only, else []: there the
    sheet «Báo cáo» holding the template's header is all the file has to say, so the others
    (instructions, hidden lists) are not even loaded, most of the time of a folder of them.
    Any other sheet (a second copy of the report, a table) gets the full search."""
    expected = {key(TEMPLATE_SHEET), *(key(n) for n in TEMPLATE_SIDE_SHEETS)}
    if key(names[0]) != key(TEMPLATE_SHEET) or not {key(n) for n in names} <= expected:
        return []
    grid = _load_sheet_text(reader, names[0])
    header = find_header(grid) if grid is not None else None
    return [grid] if header is not None and header.layout == "template" else []


def _read_workbook(path: Path, data: bytes) -> ParsedFile:
    """Read the sheet(s) with a header: the template sheet, or every sheet of a wide table."""
    if is_encrypted(data):
        return _failed(path, FILE_WHERE, _password_message(path))
    archive = check_workbook_zip(path, data) if data.startswith(_ZIP_MAGIC) else None
    if archive is not None and archive.refusal:
        return _failed(path, FILE_WHERE, archive.refusal)
    try:
        reader = fastexcel.read_excel(data)
        sheet_names = reader.sheet_names
    except fastexcel.FastExcelError:
        return _failed(path, FILE_WHERE, _corrupt_message(path))
    # the project's data sheet first, the others (instructions, hidden lists) in workbook order
    ordered = sorted(sheet_names, key=lambda name: key(name) != key(TEMPLATE_SHEET))
    # the preferred sheet is read whole; the others only as far as a header can be, and
    # whole only when they turn out to hold a table (the hidden unit list can be long)
    grids = _template_sheet(reader, ordered) or [
        grid
        for i, name in enumerate(ordered)
        if (grid := _load_sheet_text(reader, name, None if i == 0 else HEADER_ROWS + 1)) is not None
    ]
    too_long = next((grid for grid in grids if len(grid.rows) > MAX_ROWS), None)
    if too_long is not None:  # an .xls or .ods sheet, which the archive check does not measure
        return _failed(path, FILE_WHERE, rows_message(path, too_long.sheet))
    found = [(grid, header) for grid in grids if (header := find_header(grid)) is not None]
    found = [
        (grid if grid is grids[0] else (_load_sheet_text(reader, grid.sheet) or grid), header)
        for grid, header in found
    ]
    if not found:
        message = no_header_message(path, grids)
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
        records, errors = parse_grid(path, typed, header)
        parsed.records.extend(records)
        parsed.errors.extend(errors)
    if archive is not None:
        parsed.errors.extend(formula_errors(path, parsed, archive.uncached))
        if archive.external_links:
            parsed.warnings.append(external_links_message(path))
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
        header = find_header(Grid(sheet=None, rows=rows, lines=lines))
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
    if looks_binary(text):
        return _failed(
            path,
            FILE_WHERE,
            f"Tệp «{path.name}»: không phải tệp CSV (bảng chữ) mà là dữ liệu nhị phân: có thể là tệp của một "
            f"chương trình khác bị đổi đuôi thành «{path.suffix}», hoặc tệp bị hỏng. Cách sửa: mở tệp báo cáo "
            "bằng Excel, chọn «Lưu thành» (Save As) kiểu «Excel Workbook (*.xlsx)» hoặc «CSV UTF-8» rồi gửi lại.",
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
        rows, lines = _split_csv(text, delimiter, limit=MAX_ROWS + 1)
    except csv.Error:
        return _failed(
            path,
            FILE_WHERE,
            f'Tệp «{path.name}»: không tách được các ô của tệp CSV, thường do một dấu ngoặc kép (") '
            f"không được đóng. {FIX_SAVE_CSV_UTF8}",
            warnings,
        )
    if len(rows) > MAX_ROWS:
        return _failed(path, FILE_WHERE, rows_message(path, None), warnings)
    if max(map(len, rows), default=0) > MAX_COLUMNS:
        return _failed(path, FILE_WHERE, columns_message(path, None), warnings)
    grid = Grid(sheet=None, rows=rows, lines=lines)
    header = find_header(grid)
    if header is None:
        message = no_header_message(path, [grid])
        return _failed(path, message.where, message.message, warnings)
    records, errors = parse_grid(path, grid, header)
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
