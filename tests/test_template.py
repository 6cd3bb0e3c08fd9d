"""The submission workbook: generated from the catalogue, readable by the reader, hard to break."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import fastexcel
import openpyxl
import pytest

from etl.catalogue import load_catalogue, load_domains
from etl.readers import read_file
from etl.registry import DEMO_REGISTRY_CSV, Registry, read_registry
from etl.template import DATA_SHEET, HEADERS, INSTRUCTIONS_SHEET, LISTS_SHEET, entry_hint, write_template
from etl.validate import validate

UNITS = read_registry(DEMO_REGISTRY_CSV)
BY_CODE = {u.unit_code: u for u in UNITS}


def _rows(path: Path, sheet: str = DATA_SHEET) -> list[list[str | None]]:
    """The sheet as a person sees it, every cell as text (fastexcel, the reader's engine)."""
    frame = fastexcel.read_excel(path).load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    return [list(r) for r in frame.iter_rows()]


def _header_index(rows: list[list[str | None]]) -> int:
    return next(i for i, r in enumerate(rows) if r[: len(HEADERS)] == list(HEADERS))


def _label_value(rows: list[list[str | None]], label: str) -> str | None:
    for r in rows:
        if label in r:
            return r[r.index(label) + 1]
    raise AssertionError(f"no label {label!r}")


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "BVDKT_2024.xlsx"
    write_template(path, UNITS, BY_CODE["BVDKT"], 2024)
    return path


def test_sheets_in_order_instructions_first(filled: Path) -> None:
    assert fastexcel.read_excel(filled).sheet_names == [INSTRUCTIONS_SHEET, DATA_SHEET, LISTS_SHEET]


def test_header_row_has_exactly_the_contract_titles(filled: Path) -> None:
    rows = _rows(filled)
    header = rows[_header_index(rows)]
    assert header[: len(HEADERS)] == [
        "STT", "Mã chỉ tiêu", "Lĩnh vực", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Hướng dẫn nhập",
    ]  # fmt: skip


def test_one_row_per_catalogue_indicator_in_order_with_domain_headings(filled: Path) -> None:
    rows = _rows(filled)
    body = rows[_header_index(rows) + 1 :]
    codes = [r[1] for r in body if r[1]]
    assert codes == list(load_catalogue())
    headings = [r[0] for r in body if not r[1] and r[0]]
    assert headings == [d.name_vi for d in load_domains().values()]
    by_code = {r[1]: r for r in body if r[1]}
    ind = load_catalogue()["sat_inpatient_pct"]
    assert by_code[ind.code][2:5] == [load_domains()[ind.domain].name_vi, ind.name_vi, ind.unit_vi]


def test_labels_hold_unit_code_name_and_year_to_their_right(filled: Path) -> None:
    rows = _rows(filled)
    assert _label_value(rows, "Mã đơn vị") == "BVDKT"
    assert _label_value(rows, "Tên đơn vị") == "Bệnh viện Đa khoa tỉnh An Lạc"
    assert _label_value(rows, "Năm báo cáo") in ("2024", "2024.0")
    title = " ".join(c for r in rows[:3] for c in r if c)
    assert "SỞ Y TẾ TỈNH AN LẠC" in title
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in title
    assert "BÁO CÁO KẾT QUẢ CÔNG TÁC DÂN VẬN NĂM 2024" in title


def test_blank_template_has_empty_label_values(tmp_path: Path) -> None:
    path = tmp_path / "mau_trong.xlsx"
    write_template(path, UNITS)
    rows = _rows(path)
    assert _label_value(rows, "Mã đơn vị") is None
    assert _label_value(rows, "Năm báo cáo") is None
    parsed = read_file(path)
    assert parsed.records[0].unit_text is None
    assert all(cell.value is None for cell in parsed.records[0].cells)


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("tthc_received", "Số nguyên từ 0 đến 1.000.000"),
        ("sat_inpatient_pct", "Tỷ lệ %, từ 0 đến 100, ví dụ 92,5"),
        ("sat_inpatient_score", "Số thập phân từ 1 đến 5, ví dụ 4,25"),
        ("dv_self_rating", "Chọn: Xuất sắc / Tốt / Khá / Trung bình / Yếu"),
        ("qcdc_conference", "Chọn: Có / Không"),
        ("highlights", "Văn bản tự do"),
    ],
)
def test_entry_hint_in_column_g_speaks_vietnamese_numbers(filled: Path, code: str, hint: str) -> None:
    assert entry_hint(load_catalogue()[code]).startswith(hint)
    rows = _rows(filled)
    row = next(r for r in rows if r[1] == code)
    assert row[6].startswith(hint)


def test_instructions_cover_deadline_number_format_blanks_and_resubmission(filled: Path) -> None:
    text = " ".join(c for r in _rows(filled, INSTRUCTIONS_SHEET) for c in r if c)
    for phrase in ("20/11", "1.234", "92,5", "0,925", "chưa báo cáo", "ghi 0", "thay thế", "Trung bình"):
        assert phrase in text, phrase


def _validations(path: Path) -> dict[str, object]:
    """Data validations of the data sheet by cell (openpyxl: fastexcel does not read them)."""
    ws = openpyxl.load_workbook(path)[DATA_SHEET]
    found = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            found[cell_range.coord] = dv
    return found


def _value_cell(path: Path, code: str) -> str:
    ws = openpyxl.load_workbook(path)[DATA_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == code)
    return f"F{row}"


@pytest.mark.parametrize(
    ("code", "kind", "formula"),
    [
        ("dv_official_rating", "list", '"Xuất sắc,Tốt,Khá,Trung bình,Yếu"'),
        ("xsd_achieved", "list", '"Có,Không"'),
        ("staff_total", "whole", "1"),
        ("sat_staff_pct", "decimal", "0"),
    ],
)
def test_value_cells_validate_from_the_catalogue(filled: Path, code: str, kind: str, formula: str) -> None:
    dv = _validations(filled)[_value_cell(filled, code)]
    assert dv.type == kind
    assert dv.formula1 == formula
    ind = load_catalogue()[code]
    if ind.max is not None:
        assert float(dv.formula2) == ind.max
    assert dv.error and dv.prompt  # Vietnamese messages on entry and on refusal


def test_free_text_cells_are_not_validated(filled: Path) -> None:
    assert _value_cell(filled, "highlights") not in _validations(filled)


def test_unit_code_is_a_dropdown_of_registered_codes_and_year_a_whole_number(filled: Path) -> None:
    validations = _validations(filled)
    unit_dv, year_dv = validations["C5"], validations["C7"]
    assert unit_dv.type == "list" and LISTS_SHEET in unit_dv.formula1
    assert (year_dv.type, year_dv.formula1, year_dv.formula2) == ("whole", "2015", "2100")
    listed = [r[0] for r in _rows(filled, LISTS_SHEET)[1:]]
    assert listed == [u.unit_code for u in UNITS if u.active_in(2024)]
    assert openpyxl.load_workbook(filled)[LISTS_SHEET].sheet_state == "hidden"


def test_sheet_is_protected_and_only_value_cells_are_unlocked(filled: Path) -> None:
    ws = openpyxl.load_workbook(filled)[DATA_SHEET]
    assert ws.protection.sheet
    value_cell = _value_cell(filled, "staff_total")
    row = value_cell[1:]
    assert not ws[value_cell].protection.locked
    for col in "ABCDEG":
        assert ws[f"{col}{row}"].protection.locked, col
    assert not ws["C5"].protection.locked and not ws["C7"].protection.locked
    assert ws["B5"].protection.locked
    assert ws.freeze_panes == "A10"


def test_prefilled_workbook_round_trips_through_reader_and_validation(tmp_path: Path) -> None:
    values = {
        "staff_total": 1020,
        "beds_planned": "1.234",  # thousands typed as text
        "sat_inpatient_pct": 92.5,
        "sat_inpatient_n": 1500,
        "sat_outpatient_pct": "91,5",  # a decimal typed as text
        "sat_outpatient_n": 900,
        "sat_inpatient_score": 4.25,
        "dv_self_rating": "Tốt",
        "qcdc_conference": True,
        "xsd_achieved": "Không",
        "highlights": "Đổi mới phong cách, thái độ phục vụ; duy trì đường dây nóng.",
    }
    path = tmp_path / "BVDKT_2024.xlsx"
    write_template(path, UNITS, BY_CODE["BVDKT"], 2024, values)
    parsed = read_file(path)
    assert parsed.file_format == "template" and not parsed.errors
    raw = {c.indicator_text: c.value for c in parsed.records[0].cells if c.value is not None}
    assert raw["staff_total"] == 1020.0  # a number stays a number
    assert raw["beds_planned"] == "1.234"  # typed text stays text for normalisation
    result = validate(parsed, Registry(UNITS), date(2026, 1, 1))
    assert not result.errors
    assert (result.unit_code, result.year) == ("BVDKT", 2024)
    got = {
        v.indicator_code: v.value_num if v.value_num is not None else v.value_text
        for v in result.records[0].values
    }
    assert got == {
        "staff_total": 1020.0, "beds_planned": 1234.0, "sat_inpatient_pct": 92.5, "sat_inpatient_n": 1500.0,
        "sat_outpatient_pct": 91.5, "sat_outpatient_n": 900.0, "sat_inpatient_score": 4.25,
        "dv_self_rating": "Tốt", "qcdc_conference": "Có", "xsd_achieved": "Không",
        "highlights": "Đổi mới phong cách, thái độ phục vụ; duy trì đường dây nóng.",
    }  # fmt: skip


def test_unknown_indicator_code_in_values_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no_such_code"):
        write_template(tmp_path / "x.xlsx", UNITS, values={"no_such_code": 1})
    assert list(tmp_path.iterdir()) == []


def test_rewriting_leaves_only_the_finished_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "mau.xlsx"
    write_template(path, UNITS, BY_CODE["SYT"], 2025)
    write_template(path, UNITS, BY_CODE["SYT"], 2025, {"staff_total": 80})
    assert [p.name for p in path.parent.iterdir()] == ["mau.xlsx"]
    assert read_file(path).records[0].unit_text == "SYT"


def test_rows_that_do_not_concern_the_unit_say_so_in_column_g(tmp_path: Path) -> None:
    path = tmp_path / "CDC_2025.xlsx"
    write_template(path, UNITS, BY_CODE["CDC"], 2025)
    rows = _rows(path)
    by_code = {r[1]: r for r in rows[_header_index(rows) + 1 :] if r[1]}
    assert by_code["sat_inpatient_pct"][6].startswith(
        "KHÔNG ÁP DỤNG cho trung tâm tuyến tỉnh: để trống ô này."
    )
    assert not by_code["sat_staff_pct"][6].startswith("KHÔNG")
    blank = tmp_path / "blank.xlsx"
    write_template(blank, UNITS, None, 2025)
    rows = _rows(blank)
    by_code = {r[1]: r for r in rows[_header_index(rows) + 1 :] if r[1]}
    assert by_code["patient_visits"][6].startswith(
        "Chỉ dành cho: bệnh viện tuyến tỉnh, bệnh viện chuyên khoa"
    )
