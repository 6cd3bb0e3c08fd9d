"""The submission workbook a unit fills in, generated from the indicator catalogue.

Every row of the data sheet comes from `data/indicators.csv`, so a new catalogue
row is a new template row. The layout is part of the outside contract
(CONTRACT.md): a header row with `Mã chỉ tiêu` and `Giá trị`, and the unit code and
year in the cells right of the labels `Mã đơn vị` and `Năm báo cáo`. The reader
(`etl/readers.py`) finds the data sheet by that header, not by its position.

The sheet is protected without a password: the lock only stops a unit from
breaking the layout by accident; anyone may lift it (Review > Unprotect Sheet).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import xlsxwriter

from etl.catalogue import BOOL_NO, BOOL_YES, Indicator, load_catalogue, load_domains
from etl.grid import TEMPLATE_SHEET, TEMPLATE_SIDE_SHEETS
from etl.registry import UNIT_TYPES, Unit

INSTRUCTIONS_SHEET, LISTS_SHEET = TEMPLATE_SIDE_SHEETS
DATA_SHEET = TEMPLATE_SHEET
HEADERS = ("STT", "Mã chỉ tiêu", "Lĩnh vực", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Hướng dẫn nhập")
LABEL_UNIT_CODE = "Mã đơn vị"
LABEL_UNIT_NAME = "Tên đơn vị"
LABEL_YEAR = "Năm báo cáo"
DEADLINE = "20/11"
YEAR_MIN, YEAR_MAX = 2015, 2100

# 0-based positions on the data sheet
LABEL_COL, LABEL_VALUE_COL = 1, 2  # labels in B, their values in C
LABEL_ROWS = {LABEL_UNIT_CODE: 4, LABEL_UNIT_NAME: 5, LABEL_YEAR: 6}
HEADER_ROW = 8
CODE_COL, VALUE_COL = 1, 5  # B and F
_COLUMN_WIDTHS = (6, 24, 22, 58, 12, 18, 36)
_TEXT_ROW_HEIGHT = 75


def vn_number(x: float) -> str:
    """A bound as a Vietnamese reads it: 1000000 -> '1.000.000', 4.5 -> '4,5'."""
    if x == int(x):
        return f"{int(x):,}".replace(",", ".")
    whole, _, frac = f"{x:,.4f}".rstrip("0").partition(".")
    return whole.replace(",", ".") + "," + frac


def _example(ind: Indicator) -> str:
    hi = ind.max if ind.max is not None else 100.0
    if hi <= 5:
        return "4,25"
    if hi <= 100:
        return "85,5"
    return "1.234,5"


def entry_hint(ind: Indicator) -> str:
    """Column G: what a cell accepts, in Vietnamese (bounds in Vietnamese number format)."""
    lo = vn_number(ind.min) if ind.min is not None else None
    hi = vn_number(ind.max) if ind.max is not None else None
    span = f"từ {lo} đến {hi}" if lo and hi else (f"từ {lo} trở lên" if lo else "")
    if ind.kind == "int":
        return f"Số nguyên {span}".strip()
    if ind.kind == "pct":
        return f"Tỷ lệ %, {span}, ví dụ 92,5 (không ghi 0,925)"
    if ind.kind == "float":
        return f"Số thập phân {span}, ví dụ {_example(ind)}".replace("  ", " ")
    if ind.kind == "category":
        return "Chọn: " + " / ".join(ind.choices)
    if ind.kind == "bool":
        return f"Chọn: {BOOL_YES} / {BOOL_NO}"
    return "Văn bản tự do"


def _clip(text: str, limit: int) -> str:
    # excel refuses validation titles over 32 characters and messages over 255 (224 for errors)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validation(ind: Indicator) -> dict | None:
    """The Excel data validation for an indicator's value cell, or None for free text."""
    hint = entry_hint(ind)
    common = {
        "input_title": _clip(ind.short_vi, 32),
        "input_message": _clip(f"{hint}. Để trống nếu chưa có số liệu; số liệu bằng không thì ghi 0.", 255),
        "error_title": "Giá trị không hợp lệ",
        "error_message": _clip(f"«{ind.short_vi}»: {hint[0].lower()}{hint[1:]}.", 224),
    }
    if ind.kind in ("int", "float", "pct"):
        # whole bounds written as integers: Excel shows "1" rather than "1.0" in its dialog
        lo, hi = (
            int(x) if x == int(x) else x for x in (ind.min or 0, ind.max if ind.max is not None else 1e12)
        )
        kind = "integer" if ind.kind == "int" else "decimal"
        return {"validate": kind, "criteria": "between", "minimum": lo, "maximum": hi, **common}
    if ind.kind in ("category", "bool"):
        choices = list(ind.choices) if ind.kind == "category" else [BOOL_YES, BOOL_NO]
        return {"validate": "list", "source": choices, **common}
    return None


@dataclass(frozen=True)
class _Row:
    """One pre-computed row of the data sheet: a domain heading or an indicator."""

    domain: str
    indicator: Indicator | None
    number: int = 0


@cache
def _rows() -> tuple[_Row, ...]:
    rows: list[_Row] = []
    last_domain = None
    for n, ind in enumerate(load_catalogue().values(), start=1):
        if ind.domain != last_domain:
            rows.append(_Row(ind.domain, None))
            last_domain = ind.domain
        rows.append(_Row(ind.domain, ind, n))
    return tuple(rows)


def data_rows() -> dict[str, int]:
    """0-based row of each indicator on the data sheet (for tests and the reader's messages)."""
    return {r.indicator.code: HEADER_ROW + 1 + i for i, r in enumerate(_rows()) if r.indicator}


def _department_name(units: list[Unit], unit: Unit | None) -> str:
    """The Sở the unit reports to, for the title block; its code shares the unit's prefix at national scale."""
    offices = [u for u in units if u.unit_type == "co_quan_so"]
    if unit is not None and "_" in unit.unit_code:
        prefix = unit.unit_code.split("_", 1)[0] + "_"
        offices = [u for u in offices if u.unit_code.startswith(prefix)] or offices
    return offices[0].name.upper() if offices else "SỞ Y TẾ"


def _instructions(choices: tuple[str, ...]) -> list[tuple[str, str]]:
    """The instructions sheet as (style, text) lines."""
    ratings = " / ".join(choices)
    return [
        ("title", "HƯỚNG DẪN ĐIỀN BÁO CÁO KẾT QUẢ CÔNG TÁC DÂN VẬN"),
        ("text", ""),
        ("head", "1. Ai điền, gửi khi nào"),
        (
            "text",
            "Mỗi đơn vị trực thuộc Sở Y tế (bệnh viện, trung tâm y tế, trung tâm tuyến tỉnh, chi cục, "
            "cơ quan Sở) giao cán bộ phụ trách công tác dân vận điền báo cáo; Thủ trưởng đơn vị chịu "
            "trách nhiệm về số liệu.",
        ),
        (
            "text",
            f"Hạn gửi: chậm nhất ngày {DEADLINE} hằng năm, gửi về Sở Y tế (phòng Tổ chức cán bộ). Số liệu tính "
            "cho cả năm báo cáo (những tháng còn lại ghi số ước thực hiện).",
        ),
        (
            "text",
            "Mỗi đơn vị, mỗi năm gửi một tệp. Nên đặt tên tệp theo mẫu <Mã đơn vị>_<Năm>.xlsx, ví dụ "
            "BVDKT_2024.xlsx.",
        ),
        ("text", ""),
        ("head", "2. Điền vào đâu"),
        (
            "text",
            f"Chỉ điền trên trang «{DATA_SHEET}»: các ô «{LABEL_UNIT_CODE}», «{LABEL_UNIT_NAME}», "
            f"«{LABEL_YEAR}» (cột C) và cột «Giá trị» (cột F), là các ô nền vàng. Các ô khác đã được khóa.",
        ),
        (
            "text",
            f"«{LABEL_UNIT_CODE}»: chọn trong danh sách thả xuống. Nếu không tìm thấy mã, ghi đúng tên đơn "
            "vị và báo cho Sở Y tế.",
        ),
        ("text", ""),
        ("head", "3. Cách gõ số"),
        ("text", "Số nguyên: gõ 1234 hoặc 1.234 (dấu chấm ngăn cách hàng nghìn)."),
        ("text", "Số thập phân: dùng dấu phẩy, ví dụ 92,5 hoặc 4,25."),
        (
            "text",
            "Tỷ lệ phần trăm: gõ theo thang 0 đến 100, ví dụ 92,5 nghĩa là 92,5%. Không gõ 0,925; không "
            "gõ thêm chữ hay đơn vị tính vào ô số.",
        ),
        ("text", "Giá trị tiền (hỗ trợ an sinh xã hội) ghi theo đơn vị triệu đồng, ví dụ 125,5."),
        ("text", ""),
        ("head", "4. Ô trống và số 0"),
        (
            "text",
            "Ô để trống nghĩa là «chưa báo cáo». Nếu số liệu bằng không (ví dụ không có đơn thư nào), "
            "hãy ghi 0. Hai trường hợp này được thống kê khác nhau.",
        ),
        ("text", ""),
        ("head", "5. Chọn trong danh sách"),
        ("text", f"Xếp loại công tác dân vận chỉ nhận một trong các mức: {ratings}."),
        ("text", f"Các chỉ tiêu Có/Không: chọn «{BOOL_YES}» hoặc «{BOOL_NO}» trong danh sách thả xuống."),
        ("text", ""),
        ("head", "6. Không được sửa"),
        (
            "text",
            f"Không sửa mã chỉ tiêu, không thêm, xóa hay đổi thứ tự cột, không đổi tên trang «{DATA_SHEET}». "
            "Trang được khóa không đặt mật khẩu chỉ để tránh sửa nhầm; xin đừng bỏ khóa.",
        ),
        ("text", ""),
        ("head", "7. Gửi lại khi cần sửa số liệu"),
        (
            "text",
            "Điền lại đầy đủ một tệp mới (tất cả chỉ tiêu, không chỉ dòng cần sửa) và gửi lại. Tệp nhận sau "
            "cùng thay thế tệp trước; tệp cũ vẫn được lưu để đối chiếu.",
        ),
        (
            "text",
            "Nếu tệp bị từ chối, thông báo của Sở nêu rõ tên tệp, ô cần sửa và cách sửa; sửa xong gửi lại "
            "cả tệp.",
        ),
    ]


def _formats(wb: xlsxwriter.Workbook) -> dict:
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1}
    fmt = {
        "org": wb.add_format({**base, "bold": True, "align": "center"}),
        "nation": wb.add_format({**base, "bold": True, "align": "center"}),
        "motto": wb.add_format({**base, "bold": True, "align": "center", "underline": 1}),
        "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "label": wb.add_format({**base, "bold": True, "align": "right"}),
        "label_value": wb.add_format({**cell, "locked": False, "bg_color": "#FFF2CC"}),
        "header": wb.add_format(
            {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9D9D9"}
        ),
        "cell": wb.add_format(cell),
        "center": wb.add_format({**cell, "align": "center"}),
        "wrap": wb.add_format({**cell, "text_wrap": True}),
        "hint": wb.add_format({**cell, "text_wrap": True, "font_size": 10, "font_color": "#404040"}),
        "na_hint": wb.add_format(
            {**cell, "text_wrap": True, "font_size": 10, "bold": True, "bg_color": "#E7E6E6"}
        ),
        "int": wb.add_format({**cell, "locked": False, "bg_color": "#FFF2CC", "num_format": "#,##0"}),
        "dec": wb.add_format({**cell, "locked": False, "bg_color": "#FFF2CC", "num_format": "#,##0.0#"}),
        "choice": wb.add_format({**cell, "locked": False, "bg_color": "#FFF2CC"}),
        "text": wb.add_format(
            {**cell, "locked": False, "bg_color": "#FFF2CC", "text_wrap": True, "valign": "top"}
        ),
        "i_title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "i_head": wb.add_format({**base, "bold": True}),
        "i_text": wb.add_format({**base, "text_wrap": True}),
    }
    for domain in load_domains().values():
        fmt[f"domain:{domain.code}"] = wb.add_format(
            {**cell, "bold": True, "font_color": "#FFFFFF", "bg_color": domain.color}
        )
    return fmt


def _value_format(ind: Indicator, fmt: dict):
    return {"int": fmt["int"], "float": fmt["dec"], "pct": fmt["dec"], "text": fmt["text"]}.get(
        ind.kind, fmt["choice"]
    )


def _write_value(ws, row: int, ind: Indicator, value: object, fmt: dict) -> None:
    cell_format = _value_format(ind, fmt)
    if value is None:
        ws.write_blank(row, VALUE_COL, None, cell_format)
    elif isinstance(value, bool):
        ws.write_string(row, VALUE_COL, BOOL_YES if value else BOOL_NO, cell_format)
    elif isinstance(value, int | float):
        ws.write_number(row, VALUE_COL, value, cell_format)
    else:
        ws.write_string(row, VALUE_COL, str(value), cell_format)


def _write_instructions(wb: xlsxwriter.Workbook, fmt: dict) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 110)
    choices = next((i.choices for i in load_catalogue().values() if i.kind == "category"), ())
    for row, (style, text) in enumerate(_instructions(choices)):
        if text:
            ws.write_string(row, 0, text, fmt[f"i_{style}"])
        if style == "text" and len(text) > 105:
            ws.set_row(row, 16 * (len(text) // 105 + 1))
    ws.protect("", {"format_columns": True, "format_rows": True})


def _write_lists(wb: xlsxwriter.Workbook, units: list[Unit], year: int | None) -> int:
    """The hidden sheet holding the unit codes for the dropdown; returns how many."""
    ws = wb.add_worksheet(LISTS_SHEET)
    listed = [u for u in units if year is None or u.active_in(year)] or list(units)
    ws.write_row(0, 0, ("Mã đơn vị", "Tên đơn vị"))
    for row, u in enumerate(listed, start=1):
        ws.write_string(row, 0, u.unit_code)
        ws.write_string(row, 1, u.name)
    ws.hide()
    ws.protect()
    return len(listed)


def _write_title_block(ws, fmt: dict, department: str, unit: Unit | None, year: int | None) -> None:
    ws.merge_range(0, 0, 0, 2, department, fmt["org"])
    ws.merge_range(0, 3, 0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fmt["nation"])
    ws.merge_range(1, 0, 1, 2, unit.name.upper() if unit else "", fmt["org"])
    ws.merge_range(1, 3, 1, 6, "Độc lập - Tự do - Hạnh phúc", fmt["motto"])
    title = f"BÁO CÁO KẾT QUẢ CÔNG TÁC DÂN VẬN NĂM {year if year else '....'}"
    ws.merge_range(2, 0, 2, 6, title, fmt["title"])


def _write_labels(ws, fmt: dict, unit: Unit | None, year: int | None, n_units: int) -> None:
    code_row, name_row, year_row = (LABEL_ROWS[k] for k in (LABEL_UNIT_CODE, LABEL_UNIT_NAME, LABEL_YEAR))
    for label, row in LABEL_ROWS.items():
        ws.write_string(row, LABEL_COL, label, fmt["label"])
    ws.write(code_row, LABEL_VALUE_COL, unit.unit_code if unit else None, fmt["label_value"])
    ws.write(name_row, LABEL_VALUE_COL, unit.name if unit else None, fmt["label_value"])
    ws.write(year_row, LABEL_VALUE_COL, year, fmt["label_value"])
    # no hint text right of the values: the reader takes the first non-empty cell right of a
    # label as its value, so a hint there would be read as the unit code when the code is blank
    ws.data_validation(
        code_row,
        LABEL_VALUE_COL,
        code_row,
        LABEL_VALUE_COL,
        {
            "validate": "list",
            "source": f"='{LISTS_SHEET}'!$A$2:$A${n_units + 1}",
            "input_title": LABEL_UNIT_CODE,
            "input_message": "Chọn mã đơn vị trong danh sách của Sở Y tế.",
            "error_title": "Mã đơn vị không có",
            "error_message": "Mã này không có trong danh sách đơn vị của Sở Y tế; chọn trong danh sách thả xuống.",
        },
    )
    ws.data_validation(
        year_row,
        LABEL_VALUE_COL,
        year_row,
        LABEL_VALUE_COL,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": YEAR_MIN,
            "maximum": YEAR_MAX,
            "input_title": LABEL_YEAR,
            "input_message": "Năm báo cáo, 4 chữ số, ví dụ 2024.",
            "error_title": "Năm không hợp lệ",
            "error_message": f"Ghi năm báo cáo bằng 4 chữ số, từ {YEAR_MIN} đến {YEAR_MAX}.",
        },
    )


def applicability_hint(ind: Indicator, unit: Unit | None) -> str:
    """What column G adds for an indicator that concerns some unit types only ("" otherwise).

    For a unit the indicator does not concern: leave the cell blank, it reads "không áp
    dụng", never "chưa báo cáo". Without a unit: the types it concerns.
    """
    if not ind.applies_to:
        return ""
    if unit is not None and not ind.applies(unit.unit_type):
        return f"KHÔNG ÁP DỤNG cho {UNIT_TYPES.get(unit.unit_type, unit.unit_type).lower()}: để trống ô này."
    if unit is not None:
        return ""
    return "Chỉ dành cho: " + ", ".join(UNIT_TYPES.get(t, t).lower() for t in ind.applies_to) + "."


def _write_table(ws, fmt: dict, values: Mapping[str, object], unit: Unit | None = None) -> None:
    domains = load_domains()
    ws.write_row(HEADER_ROW, 0, HEADERS, fmt["header"])
    for offset, item in enumerate(_rows(), start=1):
        row = HEADER_ROW + offset
        if item.indicator is None:
            ws.merge_range(row, 0, row, 6, domains[item.domain].name_vi, fmt[f"domain:{item.domain}"])
            continue
        ind = item.indicator
        ws.write_number(row, 0, item.number, fmt["center"])
        ws.write_string(row, 1, ind.code, fmt["cell"])
        ws.write_string(row, 2, domains[ind.domain].name_vi, fmt["wrap"])
        ws.write_string(row, 3, ind.name_vi, fmt["wrap"])
        ws.write_string(row, 4, ind.unit_vi, fmt["center"])
        _write_value(ws, row, ind, values.get(ind.code), fmt)
        extra = applicability_hint(ind, unit)
        hint = f"{extra} {entry_hint(ind)}" if extra else entry_hint(ind)
        ws.write_string(row, 6, hint, fmt["na_hint"] if extra.startswith("KHÔNG") else fmt["hint"])
        if ind.kind == "text":
            ws.set_row(row, _TEXT_ROW_HEIGHT)
        rule = _validation(ind)
        if rule is not None:
            ws.data_validation(row, VALUE_COL, row, VALUE_COL, rule)


def write_template(
    out: Path,
    units: list[Unit],
    unit: Unit | None = None,
    year: int | None = None,
    values: Mapping[str, object] | None = None,
    *,
    created: datetime | None = None,
) -> None:
    """Write the submission workbook for `unit` and `year` (blank when None) to `out`.

    `values` (indicator code -> number, str or bool) pre-fills the `Giá trị` column:
    numbers are stored as numbers, strings as typed text (so "92,5" stays text, as a
    unit would type it), booleans as Có/Không. Percentages are numbers from 0 to 100.
    The file is written under a temporary name and renamed, so `out` is never half-written.
    `created` stamps the document properties (default now); with it the bytes are reproducible.

    Example:
        write_template(Path("BVDKT_2024.xlsx"), read_registry(DEMO_REGISTRY_CSV), unit, 2024)
    """
    values = dict(values or {})
    unknown = sorted(set(values) - set(load_catalogue()))
    if unknown:
        raise ValueError(f"unknown indicator codes: {', '.join(unknown)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": False, "in_memory": True})
    try:
        wb.set_properties({"created": created or datetime.now(), "author": _department_name(units, unit)})
        fmt = _formats(wb)
        _write_instructions(wb, fmt)
        ws = wb.add_worksheet(DATA_SHEET)
        n_units = _write_lists(wb, units, year)
        for col, width in enumerate(_COLUMN_WIDTHS):
            ws.set_column(col, col, width)
        _write_title_block(ws, fmt, _department_name(units, unit), unit, year)
        _write_labels(ws, fmt, unit, year, n_units)
        _write_table(ws, fmt, values, unit)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(HEADER_ROW)
        ws.protect("", {"format_columns": True, "format_rows": True})
        wb.close()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
