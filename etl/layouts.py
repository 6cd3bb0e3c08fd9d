"""The two layouts a submission holds, read from a grid (etl.grid) into raw records.

- "template": one unit-year, long form. Cells labelled `Mã đơn vị`, `Tên đơn vị`,
  `Năm báo cáo` (value in the first non-empty cell to their right) and a header row with
  `Mã chỉ tiêu` and `Giá trị`; every row below with a code is one indicator.
- "wide": many unit-years. A header row with `unit_code` and `year` (or `Mã đơn vị`, `Năm`),
  optionally `unit_name`/`Tên đơn vị`, and one column per indicator code; one row per unit-year.

Values are handed on as the file holds them; every problem is a Vietnamese message naming
the file, sheet and cell (or CSV line) and the fix.
"""

from __future__ import annotations

from pathlib import Path

from etl.grid import (
    LABEL_ROWS,
    UNIT_LABELS,
    UNIT_NAME_LABELS,
    YEAR_LABELS,
    Grid,
    Header,
)
from etl.staging import Message, RawCell, RawRecord


def _first_value_right_of(grid: Grid, r: int, c: int) -> int | None:
    """Column of the first non-empty cell right of (r, c), the label's value."""
    return next((c2 for c2 in range(c + 1, len(grid.rows[r])) if grid.text(r, c2)), None)


def _find_labels(grid: Grid, header_row: int) -> dict[str, tuple[int, int]]:
    """Cells labelled Mã đơn vị / Tên đơn vị / Năm báo cáo in the first rows: kind -> (row, col)."""
    kinds = {"unit": UNIT_LABELS, "name": UNIT_NAME_LABELS, "year": YEAR_LABELS}
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


def _read_template(path: Path, grid: Grid, header: Header) -> tuple[RawRecord, list[Message]]:
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


def _read_wide(path: Path, grid: Grid, header: Header) -> tuple[list[RawRecord], list[Message]]:
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
                    f"{column_name(grid, h, seen[code.casefold()])} và {column_name(grid, h, c)}. "
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
                    f"{grid.place(path)}, {column_name(grid, r, c)}: có số liệu nhưng cột này không có "
                    f"mã chỉ tiêu trên dòng tiêu đề ({row_name(grid, h)}). Cách sửa: ghi mã chỉ tiêu "
                    "vào dòng tiêu đề hoặc xoá số liệu của cột này rồi gửi lại.",
                )
            )
    if not records and not errors:
        errors.append(
            Message(
                grid.where(h, header.unit_col, unit_header),
                None,
                f"{grid.place(path)}: dưới dòng tiêu đề ({row_name(grid, h)}) không có dòng số liệu nào. "
                "Cách sửa: thêm một dòng cho mỗi đơn vị và mỗi năm dưới dòng tiêu đề rồi gửi lại.",
            )
        )
    return records, errors


def column_name(grid: Grid, r: int, c: int) -> str:
    """A header or data cell for a sentence: "ô F5" (workbook) or "dòng 5, cột thứ 6" (CSV)."""
    return grid.cell_name(r, c) if grid.sheet is not None else f"dòng {grid.line(r)}, cột thứ {c + 1}"


def row_name(grid: Grid, r: int) -> str:
    return f"dòng {grid.line(r)}"


def parse_grid(path: Path, grid: Grid, header: Header) -> tuple[list[RawRecord], list[Message]]:
    if header.layout == "template":
        record, errors = _read_template(path, grid, header)
        return [record], errors
    return _read_wide(path, grid, header)
