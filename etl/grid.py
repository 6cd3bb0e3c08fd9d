"""The grid a reader works on: one sheet or one CSV file as raw cell text, with its locations,
and the search for the header row that says which layout it holds.

Shared by etl.readers (which builds grids from workbooks and CSV files) and etl.layouts
(which reads the template and wide layouts from a grid). Nothing here opens a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl.registry import nfc
from etl.staging import Message

TEMPLATE_SHEET = "Báo cáo"
# the template's other sheets (etl/template.py writes them): instructions and the hidden lists
TEMPLATE_SIDE_SHEETS = ("Hướng dẫn", "Danh mục")
LABEL_ROWS = 30  # the unit and year labels sit in the first rows of the sheet
HEADER_ROWS = 60  # the header row sits below at most this many title and label rows
FILE_WHERE = "toàn tệp"  # where a message about the whole file points
FIX_TEMPLATE = "Cách sửa: dùng mẫu báo cáo tải từ lệnh `python -m etl template` và không xoá dòng tiêu đề."
# label and header keys, compared after `key` (NFC, case-folded, trailing ':' '*' and spaces dropped)
CODE_HEADER = "mã chỉ tiêu"
VALUE_HEADER = "giá trị"
UNIT_LABELS = frozenset({"mã đơn vị"})
UNIT_NAME_LABELS = frozenset({"tên đơn vị"})
YEAR_LABELS = frozenset({"năm báo cáo", "năm"})
_WIDE_UNIT = frozenset({"unit_code", "mã đơn vị"})
_WIDE_YEAR = frozenset({"year", "năm", "năm báo cáo"})
_WIDE_UNIT_NAME = frozenset({"unit_name", "tên đơn vị"})
_LONGEST_LABEL = 40  # longer cells are never a label, even in NFD with a trailing colon

Value = str | float | None


@dataclass(frozen=True)
class Grid:
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
        return clean(raw) if raw else ""

    def keys(self, r: int) -> list[str]:
        """Label keys of row r's cells, computed once: headers and labels are searched twice."""
        if r not in self.key_cache:
            # labels are short; skipping long cells spares normalising instructions and names
            self.key_cache[r] = [
                key(raw) if raw and len(raw) <= _LONGEST_LABEL else "" for raw in self.rows[r]
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
                result.append((clean_value(raw) or None) if raw is not None else None)
            elif (r, c) in self.excel_errors:
                result.append(self.excel_errors[(r, c)])
            elif raw is None or raw in ("true", "false"):  # booleans are handed on as text
                result.append(raw)
            elif numbers is not None and numbers[r] is not None:
                result.append(numbers[r])
            else:  # an untyped grid: only headers and labels are read from it
                result.append(clean(raw) or None)
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
            prefix = f"{self.sheet}!{column_letter(self.columns[c])}"
            return [f"{prefix}{r + 1}" for r in rows]
        suffix = f", cột {column}" if column else ""
        return [f"dòng {self.lines[r]}{suffix}" for r in rows]

    def cell_name(self, r: int, c: int) -> str:
        """Location for a sentence: "ô F12" or "dòng 7"."""
        if self.sheet is not None:
            return f"ô {column_letter(self.columns[c])}{r + 1}"
        return f"dòng {self.lines[r]}"

    def place(self, path: Path) -> str:
        """The start of every message about this grid: file, and sheet for a workbook."""
        return f"Tệp «{path.name}», trang «{self.sheet}»" if self.sheet is not None else f"Tệp «{path.name}»"


@dataclass(frozen=True)
class Header:
    """Where a layout's header row is and which columns play which part."""

    layout: str  # "template" or "wide"
    row: int
    code_col: int = -1  # template
    value_col: int = -1  # template
    unit_col: int = -1  # wide
    year_col: int = -1  # wide
    name_col: int | None = None  # wide, optional


def clean(raw: str) -> str:
    """`registry.nfc` with a fast path for plain ASCII (codes, numbers), which it would return unchanged."""
    if raw.isascii() and raw.isprintable() and "  " not in raw and raw == raw.strip():
        return raw
    return nfc(raw)


def clean_value(raw: str) -> str:
    """`clean` line by line: a value cell keeps its line breaks (a unit's free text is written in
    paragraphs), each line NFC with collapsed spaces, blank lines at either end dropped."""
    if "\n" not in raw and "\r" not in raw:
        return clean(raw)
    lines = [nfc(line) for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def key(text: str) -> str:
    """Loose label key: NFC, case-folded, trailing ':' '*' and spaces ignored."""
    return clean(text).casefold().rstrip(" :*")


@cache
def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def find_header(grid: Grid) -> Header | None:
    """The template header if the grid has one, else the wide header, else None.

    The template is looked for first: its label block ("Mã đơn vị", "Năm") could pass for
    a wide header when both labels share a row.
    """
    scanned = range(min(len(grid.rows), HEADER_ROWS))
    for r in scanned:
        row = grid.keys(r)
        if CODE_HEADER in row and VALUE_HEADER in row:
            return Header("template", r, code_col=row.index(CODE_HEADER), value_col=row.index(VALUE_HEADER))
    keys = [grid.keys(r) for r in scanned]
    if any(CODE_HEADER in row or VALUE_HEADER in row for row in keys):
        return None  # half a template header: reported as such, never read as a wide table
    for r, row in enumerate(keys):
        unit = next((c for c, k in enumerate(row) if k in _WIDE_UNIT), None)
        year = next((c for c, k in enumerate(row) if k in _WIDE_YEAR), None)
        if unit is not None and year is not None:
            name = next((c for c, k in enumerate(row) if k in _WIDE_UNIT_NAME), None)
            return Header("wide", r, unit_col=unit, year_col=year, name_col=name)
    return None


def no_header_message(path: Path, grids: Sequence[Grid]) -> Message:
    """Why no table was found: half a template header in some sheet, or no header anywhere."""
    for grid in grids:
        for r in range(min(len(grid.rows), HEADER_ROWS)):
            row = grid.keys(r)
            for found, missing in ((CODE_HEADER, "Giá trị"), (VALUE_HEADER, "Mã chỉ tiêu")):
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
