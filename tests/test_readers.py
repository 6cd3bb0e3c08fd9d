"""Readers: every real-life mess of DOMAIN.md read into exact raw cells, or into a message that says why not."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from etl.readers import read_file
from etl.staging import ParsedFile

# ---------------------------------------------------------------------------------------------
# fixture builders: tiny real files under tmp_path


class Formula:
    """A formula cell with the cached result Excel would have saved."""

    def __init__(self, formula: str, result: str | float):
        self.formula, self.result = formula, result


Cells = dict[str, object]  # "B4" -> str | float | int | bool | Formula


FIXTURES = Path(__file__).parent / "fixtures"


def _xlsx(
    path: Path,
    sheets: dict[str, Cells],
    merges: dict[str, list[tuple[str, str]]] | None = None,
    hidden: tuple[str, ...] = (),
) -> Path:
    """Write a workbook cell by cell: str as text, int/float as numbers, as a person would type them."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, cells in sheets.items():
        sheet = workbook.add_worksheet(name)
        for cell, value in cells.items():
            if isinstance(value, Formula):
                sheet.write_formula(cell, value.formula, None, value.result)
            elif isinstance(value, bool):
                sheet.write_boolean(cell, value)
            elif isinstance(value, int | float):
                sheet.write_number(cell, value)
            else:
                sheet.write_string(cell, str(value))
        for cell_range, text in (merges or {}).get(name, []):
            sheet.merge_range(cell_range, text, workbook.add_format({"bold": True, "align": "center"}))
        if name in hidden:
            sheet.hide()
    workbook.close()
    return path


def _shift(cells: Cells, rows: int, cols: int) -> Cells:
    """The same cells moved down and right, as when a unit inserts rows or columns above and left."""
    moved = {}
    for cell, value in cells.items():
        r, c = xl_cell_to_rowcol(cell)
        moved[xl_rowcol_to_cell(r + rows, c + cols)] = value
    return moved


def _template(values: dict[str, object], first_row: int = 11) -> Cells:
    """The project template's data sheet: labels in B5:C7, header in row 9, codes in B, values in E."""
    cells: Cells = {
        "B5": "Mã đơn vị:",
        "C5": "BVDKT",
        "B6": "Tên đơn vị:",
        "C6": "Bệnh viện Đa khoa tỉnh",
        "B7": "Năm báo cáo:",
        "C7": 2024,
        "A9": "STT",
        "B9": "Mã chỉ tiêu",
        "C9": "Tên chỉ tiêu",
        "D9": "Đơn vị tính",
        "E9": "Giá trị",
    }
    for i, (code, value) in enumerate(values.items()):
        row = first_row + i
        cells[f"A{row}"] = i + 1
        cells[f"B{row}"] = code
        cells[f"C{row}"] = f"Tên của chỉ tiêu {code}"
        if value is not None:
            cells[f"E{row}"] = value
    return cells


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: vowel shapes (â ê ô ơ ư ă) precomposed, tone marks as combining marks."""
    shapes = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            shape = "".join(m for m in marks if m in shapes)
            tones = "".join(m for m in marks if m not in shapes)
            out += unicodedata.normalize("NFC", base + shape).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _records(parsed: ParsedFile) -> list[tuple]:
    """Everything a reader hands on, as plain tuples to compare exactly."""
    return [
        (
            r.unit_text,
            r.unit_where,
            r.year_text,
            r.year_where,
            r.unit_name_text,
            [(c.indicator_text, c.value, c.where) for c in r.cells],
        )
        for r in parsed.records
    ]


# ---------------------------------------------------------------------------------------------
# files that read: one case per real-life mess


def template_with_title_block_merged_headings_and_blank_rows(tmp: Path) -> Path:
    cells = _template({"staff_total": 450, "beds_planned": None}, first_row=11)
    cells.update({"A15": 3, "B15": "sat_inpatient_pct", "E15": "92,5"})  # after a blank row and a heading
    cells.update({"B13": "II. SỰ HÀI LÒNG"})  # a heading typed into the code column, no value
    cells.update({"B18": "Người lập biểu", "D18": "Thủ trưởng đơn vị"})  # signature block below the table
    merges = {
        "Báo cáo": [
            ("A1:E1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("A2:E2", "Độc lập - Tự do - Hạnh phúc"),
            ("A3:E3", "BÁO CÁO KẾT QUẢ CÔNG TÁC DÂN VẬN NĂM 2024"),
            ("A10:E10", "I. QUY MÔ ĐƠN VỊ"),
            ("A14:E14", "II. SỰ HÀI LÒNG NGƯỜI BỆNH"),
        ]
    }
    sheets = {
        "Hướng dẫn": {"A1": "Hướng dẫn điền báo cáo", "A3": "Không sửa cột Mã chỉ tiêu; điền cột Giá trị."},
        "Báo cáo": cells,
        "DS": {"A1": "Có", "A2": "Không", "B1": "Xuất sắc"},
    }
    return _xlsx(tmp / "BVDKT_2024.xlsx", sheets, merges, hidden=("DS",))


def _nfd(text: str) -> str:
    """Decomposed Unicode, as some Vietnamese input methods type it."""
    return unicodedata.normalize("NFD", text)


def labels_in_other_case_and_nfd(tmp: Path) -> Path:
    nfd = _nfd
    cells: Cells = {
        "A1": nfd("MÃ ĐƠN VỊ :"),
        "B1": "TTYT_DUCPHO",
        "A2": nfd("tên đơn vị"),
        "B2": nfd("Trung tâm Y tế huyện Đức Phổ"),
        "A3": "năm",
        "C3": 2023,  # the first non-empty cell right of the label, not the one next to it
        "A5": nfd("MÃ CHỈ TIÊU"),
        "B5": nfd("GIÁ TRỊ:"),
        "A6": nfd("staff_total "),
        "B6": 79,
    }
    return _xlsx(tmp / "ducpho.xlsx", {"Sheet1": cells})


def numbers_stored_as_numbers_or_text(tmp: Path) -> Path:
    values = {
        "sat_a": "92,5",  # typed as text, Vietnamese decimal comma
        "sat_b": 92.5,  # an Excel number
        "count_a": "1.234",  # text, Vietnamese thousands
        "ratio": 0.925,  # an Excel number that looks like a fraction
        "count_b": "1234",  # text digits stay text (an int load would turn them into a number)
        "precise": 85.1234567891,  # a number the string load would round
        "flag": True,  # an Excel boolean
        "broken": Formula("=1/0", "#DIV/0!"),  # an Excel error value
        "blank_spaces": "   ",  # only spaces: blank
        "rating": "Tốt",
    }
    return _xlsx(tmp / "types.xlsx", {"Báo cáo": _template(values, first_row=10)})


def leading_empty_rows_and_columns(tmp: Path) -> Path:
    cells = _template({"count_a": "1.234", "count_b": 7, "sat_a": "92,5"}, first_row=10)
    del cells["A9"]
    for row in (10, 11, 12):
        del cells[f"A{row}"]  # column A left empty too: the table starts at column D after the shift
    return _xlsx(tmp / "shifted.xlsx", {"Báo cáo": _shift(cells, rows=3, cols=2)})


def wide_workbook_over_two_sheets(tmp: Path) -> Path:
    header = ["unit_code", "year", "unit_name", "staff_total", "sat_inpatient_pct", "dv_rating_so"]
    history = {f"{chr(65 + i)}3": h for i, h in enumerate(header)}
    history.update({"A4": "BVDKT", "B4": 2023, "C4": "Bệnh viện Đa khoa tỉnh", "D4": 450, "E4": 92.5})
    history.update({"F4": "Tốt", "A6": "CDC", "B6": "2023", "E6": "91,2"})  # row 5 blank; text year
    later = {"A1": "Mã đơn vị", "B1": "Năm", "C1": "staff_total", "A2": "BVDKT", "B2": 2024, "C2": 470}
    merges = {"2015-2023": [("A1:F1", "SỐ LIỆU CÔNG TÁC DÂN VẬN CÁC NĂM")]}
    return _xlsx(tmp / "lich_su.xlsx", {"2015-2023": history, "2024": later}, merges)


def wide_csv_with_bom_and_semicolons(tmp: Path) -> Path:
    text = (
        "Mã đơn vị;Năm;staff_total;sat_inpatient_pct;highlights\r\n"
        'BVDKT;2023;1.234;92,5;"Đối thoại; tiếp dân"\r\n'
        "\r\n"
        'CDC;2024;;"90,1";\r\n'
    )
    return _write(tmp / "history.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))


def utf16_tab_separated_unicode_text(tmp: Path) -> Path:
    text = "unit_code\tyear\tstaff_total\tdv_rating_so\r\nTTYT_DUCPHO\t2022\t79\tKhá\r\n"
    return _write(tmp / "unicode_text.txt", text.encode("utf-16"))  # BOM + little-endian, as Excel writes it


def legacy_windows_1258_csv(tmp: Path) -> Path:
    text = (
        "Mã đơn vị,TTYT_DUCPHO\r\n"
        "Tên đơn vị,Trung tâm Y tế huyện Đức Phổ\r\n"
        "Năm báo cáo,2024\r\n"
        "\r\n"
        "Mã chỉ tiêu,Giá trị\r\n"
        "dv_rating_so,Tốt\r\n"
    )
    data = _cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the case is real only if the bytes are not UTF-8
    return _write(tmp / "ducpho_2024.csv", data)


def csv_template_with_title_block(tmp: Path) -> Path:
    text = (
        "SỞ Y TẾ TỈNH AN LẠC;;;CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "BỆNH VIỆN ĐA KHOA TỈNH;;;Độc lập - Tự do - Hạnh phúc\n"
        "\n"
        "Mã đơn vị:;BVDKT\n"
        "Năm báo cáo:;2024\n"
        "\n"
        "STT;Mã chỉ tiêu;Tên chỉ tiêu;Giá trị\n"
        '1;staff_total;"Tổng số viên chức; người lao động";450\n'
        '2;highlights;Điểm nổi bật;"Dòng một\nDòng hai"\n'  # a quoted value over two lines
        "3;sat_inpatient_pct;Hài lòng nội trú;92,5\n"
    )
    return _write(tmp / "bvdkt.csv", text.encode("utf-8"))


def workbook_saved_with_csv_extension(tmp: Path) -> Path:
    workbook = _xlsx(tmp / "real.xlsx", {"Báo cáo": _template({"staff_total": 450})})
    return _write(tmp / "renamed.csv", workbook.read_bytes())


READABLE: list[tuple[Callable[[Path], Path], str, list[tuple]]] = [
    (
        template_with_title_block_merged_headings_and_blank_rows,
        "template",
        [
            (
                "BVDKT",
                "Báo cáo!C5",
                2024.0,
                "Báo cáo!C7",
                "Bệnh viện Đa khoa tỉnh",
                [
                    ("staff_total", 450.0, "Báo cáo!E11"),
                    ("beds_planned", None, "Báo cáo!E12"),
                    ("sat_inpatient_pct", "92,5", "Báo cáo!E15"),
                ],
            )
        ],
    ),
    (
        labels_in_other_case_and_nfd,
        "template",
        [
            (
                "TTYT_DUCPHO",
                "Sheet1!B1",
                2023.0,
                "Sheet1!C3",
                "Trung tâm Y tế huyện Đức Phổ",
                [("staff_total", 79.0, "Sheet1!B6")],
            )
        ],
    ),
    (
        numbers_stored_as_numbers_or_text,
        "template",
        [
            (
                "BVDKT",
                "Báo cáo!C5",
                2024.0,
                "Báo cáo!C7",
                "Bệnh viện Đa khoa tỉnh",
                [
                    ("sat_a", "92,5", "Báo cáo!E10"),
                    ("sat_b", 92.5, "Báo cáo!E11"),
                    ("count_a", "1.234", "Báo cáo!E12"),
                    ("ratio", 0.925, "Báo cáo!E13"),
                    ("count_b", "1234", "Báo cáo!E14"),
                    ("precise", 85.1234567891, "Báo cáo!E15"),
                    ("flag", "true", "Báo cáo!E16"),
                    ("broken", "#DIV/0!", "Báo cáo!E17"),
                    ("blank_spaces", None, "Báo cáo!E18"),
                    ("rating", "Tốt", "Báo cáo!E19"),
                ],
            )
        ],
    ),
    (
        leading_empty_rows_and_columns,
        "template",
        [
            (
                "BVDKT",
                "Báo cáo!E8",
                2024.0,
                "Báo cáo!E10",
                "Bệnh viện Đa khoa tỉnh",
                [
                    ("count_a", "1.234", "Báo cáo!G13"),
                    ("count_b", 7.0, "Báo cáo!G14"),
                    ("sat_a", "92,5", "Báo cáo!G15"),
                ],
            )
        ],
    ),
    (
        wide_workbook_over_two_sheets,
        "wide",
        [
            (
                "BVDKT",
                "2015-2023!A4",
                2023.0,
                "2015-2023!B4",
                "Bệnh viện Đa khoa tỉnh",
                [
                    ("staff_total", 450.0, "2015-2023!D4"),
                    ("sat_inpatient_pct", 92.5, "2015-2023!E4"),
                    ("dv_rating_so", "Tốt", "2015-2023!F4"),
                ],
            ),
            (
                "CDC",
                "2015-2023!A6",
                "2023",
                "2015-2023!B6",
                None,
                [
                    ("staff_total", None, "2015-2023!D6"),
                    ("sat_inpatient_pct", "91,2", "2015-2023!E6"),
                    ("dv_rating_so", None, "2015-2023!F6"),
                ],
            ),
            ("BVDKT", "2024!A2", 2024.0, "2024!B2", None, [("staff_total", 470.0, "2024!C2")]),
        ],
    ),
    (
        wide_csv_with_bom_and_semicolons,
        "wide",
        [
            (
                "BVDKT",
                "dòng 2, cột Mã đơn vị",
                "2023",
                "dòng 2, cột Năm",
                None,
                [
                    ("staff_total", "1.234", "dòng 2, cột staff_total"),
                    ("sat_inpatient_pct", "92,5", "dòng 2, cột sat_inpatient_pct"),
                    ("highlights", "Đối thoại; tiếp dân", "dòng 2, cột highlights"),
                ],
            ),
            (
                "CDC",
                "dòng 4, cột Mã đơn vị",
                "2024",
                "dòng 4, cột Năm",
                None,
                [
                    ("staff_total", None, "dòng 4, cột staff_total"),
                    ("sat_inpatient_pct", "90,1", "dòng 4, cột sat_inpatient_pct"),
                    ("highlights", None, "dòng 4, cột highlights"),
                ],
            ),
        ],
    ),
    (
        utf16_tab_separated_unicode_text,
        "wide",
        [
            (
                "TTYT_DUCPHO",
                "dòng 2, cột unit_code",
                "2022",
                "dòng 2, cột year",
                None,
                [
                    ("staff_total", "79", "dòng 2, cột staff_total"),
                    ("dv_rating_so", "Khá", "dòng 2, cột dv_rating_so"),
                ],
            )
        ],
    ),
    (
        legacy_windows_1258_csv,
        "template",
        [
            (
                "TTYT_DUCPHO",
                "dòng 1",
                "2024",
                "dòng 3",
                "Trung tâm Y tế huyện Đức Phổ",
                [("dv_rating_so", "Tốt", "dòng 6")],
            )
        ],
    ),
    (
        csv_template_with_title_block,
        "template",
        [
            (
                "BVDKT",
                "dòng 4",
                "2024",
                "dòng 5",
                None,
                [
                    ("staff_total", "450", "dòng 8"),
                    ("highlights", "Dòng một\nDòng hai", "dòng 9"),
                    ("sat_inpatient_pct", "92,5", "dòng 11"),
                ],
            )
        ],
    ),
    (
        workbook_saved_with_csv_extension,
        "template",
        [
            (
                "BVDKT",
                "Báo cáo!C5",
                2024.0,
                "Báo cáo!C7",
                "Bệnh viện Đa khoa tỉnh",
                [("staff_total", 450.0, "Báo cáo!E11")],
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("build", "file_format", "expected"), READABLE, ids=[case[0].__name__ for case in READABLE]
)
def test_reads_every_mess_into_exact_cells(tmp_path, build, file_format, expected):
    parsed = read_file(build(tmp_path))

    assert parsed.errors == []
    assert parsed.file_format == file_format
    assert _records(parsed) == expected


def test_text_values_are_nfc(tmp_path):
    parsed = read_file(labels_in_other_case_and_nfd(tmp_path))

    name = parsed.records[0].unit_name_text
    assert name == unicodedata.normalize("NFC", name)


def test_windows_1258_file_is_read_with_a_warning_to_save_as_utf8(tmp_path):
    parsed = read_file(legacy_windows_1258_csv(tmp_path))

    assert [w.where for w in parsed.warnings] == ["toàn tệp"]
    message = parsed.warnings[0].message
    assert "«ducpho_2024.csv»" in message
    assert "Windows-1258" in message
    assert "CSV UTF-8" in message


def test_utf8_file_has_no_encoding_warning(tmp_path):
    assert read_file(csv_template_with_title_block(tmp_path)).warnings == []


def test_only_the_report_sheet_of_a_template_is_read_and_a_second_one_is_flagged(tmp_path):
    draft = _template({"staff_total": 1})
    path = _xlsx(tmp_path / "two.xlsx", {"Báo cáo (nháp)": draft, "Báo cáo": _template({"staff_total": 450})})

    parsed = read_file(path)

    assert [c.value for c in parsed.records[0].cells] == [450.0]
    assert [w.where for w in parsed.warnings] == ["Báo cáo (nháp)"]
    assert "«Báo cáo (nháp)»" in parsed.warnings[0].message


# ---------------------------------------------------------------------------------------------
# files that do not read: one error naming the file, the place and the fix


def duplicate_code_in_workbook(tmp: Path) -> Path:
    cells = _template({"staff_total": 450, "beds_planned": 100})
    cells.update({"A13": 3, "B13": "staff_total", "E13": 460})
    return _xlsx(tmp / "dup.xlsx", {"Báo cáo": cells})


def duplicate_code_in_csv(tmp: Path) -> Path:
    text = "Mã đơn vị;CDC\nNăm;2024\nMã chỉ tiêu;Giá trị\nstaff_total;40\nSTAFF_TOTAL;41\n"
    return _write(tmp / "dup.csv", text.encode("utf-8"))


def header_row_deleted(tmp: Path) -> Path:
    cells = {k: v for k, v in _template({"staff_total": 450}).items() if not k.endswith("9")}
    return _xlsx(tmp / "bao_cao.xlsx", {"Hướng dẫn": {"A1": "Hướng dẫn"}, "Báo cáo": cells})


def value_column_renamed(tmp: Path) -> Path:
    cells = _template({"staff_total": 450}) | {"E9": "Số liệu"}
    return _xlsx(tmp / "renamed.xlsx", {"Báo cáo": cells})


def no_indicator_rows(tmp: Path) -> Path:
    return _xlsx(tmp / "blank.xlsx", {"Báo cáo": _template({})})


def duplicate_column_in_wide_table(tmp: Path) -> Path:
    text = "unit_code,year,staff_total,staff_total\nCDC,2024,40,41\n"
    return _write(tmp / "wide.csv", text.encode("utf-8"))


def value_under_blank_header(tmp: Path) -> Path:
    cells = {"A1": "unit_code", "B1": "year", "C1": "staff_total", "A2": "CDC", "B2": 2024, "C2": 40, "E2": 5}
    return _xlsx(tmp / "wide.xlsx", {"Số liệu": cells})


def corrupt_workbook(tmp: Path) -> Path:
    return _write(tmp / "hong.xlsx", os.urandom(2048))


def empty_csv(tmp: Path) -> Path:
    return _write(tmp / "rong.csv", b"")


def empty_workbook_file(tmp: Path) -> Path:
    return _write(tmp / "rong.xlsx", b"")


def unknown_extension(tmp: Path) -> Path:
    return _write(tmp / "bao_cao.pdf", b"%PDF-1.7 ...")


def old_excel_format(tmp: Path) -> Path:
    return _write(tmp / "bao_cao.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))


def password_protected(tmp: Path) -> Path:
    """A workbook saved with a password to open (tests/fixtures: encrypted the way Excel does,
    ECMA-376 agile encryption, password «matkhau»)."""
    return _write(tmp / "bao_cao_co_mat_khau.xlsx", (FIXTURES / "bvm_2024_co_mat_khau.xlsx").read_bytes())


def csv_without_any_table(tmp: Path) -> Path:
    return _write(tmp / "ghi_chu.csv", "Kính gửi Sở Y tế,\nđơn vị xin gửi báo cáo.\n".encode())


UNREADABLE: list[tuple[Callable[[Path], Path], str, str | None, list[str]]] = [
    (
        duplicate_code_in_workbook,
        "Báo cáo!B13",
        "staff_total",
        ["trang «Báo cáo»", "«staff_total» có ở hai dòng, ô B11 và ô B13", "xoá dòng thừa"],
    ),
    (duplicate_code_in_csv, "dòng 5", "STAFF_TOTAL", ["có ở hai dòng, dòng 4 và dòng 5"]),
    (
        header_row_deleted,
        "Báo cáo",
        None,
        [
            "Tệp «bao_cao.xlsx», các trang «Báo cáo», «Hướng dẫn»: không tìm thấy dòng tiêu đề có cột "
            "«Mã chỉ tiêu» và «Giá trị»",
            "python -m etl template",
        ],
    ),
    (
        value_column_renamed,
        "Báo cáo!B9",
        None,
        ["ô B9: dòng tiêu đề có cột «Mã chỉ tiêu»", "thiếu cột «Giá trị»"],
    ),
    (no_indicator_rows, "Báo cáo!B9", None, ["không có dòng nào ghi mã chỉ tiêu"]),
    (
        duplicate_column_in_wide_table,
        "dòng 1",
        "staff_total",
        ["cột «staff_total» có hai lần", "dòng 1, cột thứ 3 và dòng 1, cột thứ 4"],
    ),
    (value_under_blank_header, "Số liệu!E2", None, ["ô E2: có số liệu", "không có mã chỉ tiêu"]),
    (corrupt_workbook, "toàn tệp", None, ["không mở được tệp bảng tính", "Excel Workbook (*.xlsx)"]),
    (empty_csv, "toàn tệp", None, ["tệp rỗng"]),
    (empty_workbook_file, "toàn tệp", None, ["tệp rỗng"]),
    (unknown_extension, "toàn tệp", None, ["không nhận tệp có đuôi «.pdf»", ".xlsx"]),
    (old_excel_format, "toàn tệp", None, ["không mở được tệp bảng tính", "Excel Workbook (*.xlsx)"]),
    (password_protected, "toàn tệp", None, ["có đặt mật khẩu", "Mã hoá bằng mật khẩu", "xoá hết mật khẩu"]),
    (csv_without_any_table, "toàn tệp", None, ["không tìm thấy dòng tiêu đề"]),
]


@pytest.mark.parametrize(
    ("build", "where", "indicator", "phrases"), UNREADABLE, ids=[case[0].__name__ for case in UNREADABLE]
)
def test_unreadable_file_gives_one_vietnamese_error_with_place_and_fix(
    tmp_path, build, where, indicator, phrases
):
    path = build(tmp_path)

    parsed = read_file(path)

    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.where, error.indicator) == (where, indicator)
    assert error.message.startswith(f"Tệp «{path.name}»")
    assert "Cách sửa:" in error.message
    for phrase in phrases:
        assert phrase in error.message


def test_duplicate_code_keeps_the_first_value_only(tmp_path):
    parsed = read_file(duplicate_code_in_workbook(tmp_path))

    assert [(c.indicator_text, c.value) for c in parsed.records[0].cells] == [
        ("staff_total", 450.0),
        ("beds_planned", 100.0),
    ]


def test_missing_unit_label_points_at_the_sheet_and_a_blank_year_at_its_label(tmp_path):
    cells = {k: v for k, v in _template({"staff_total": 450}).items() if k not in ("B5", "C5", "C7")}

    record = read_file(_xlsx(tmp_path / "no_unit.xlsx", {"Báo cáo": cells})).records[0]

    assert (record.unit_text, record.unit_where) == (None, "Báo cáo")
    assert (record.year_text, record.year_where) == (None, "Báo cáo!B7")


@pytest.mark.parametrize("name", ["bvm_2024_excel97.xls", "bvm_2024_libreoffice.ods"])
def test_older_excel_and_libreoffice_workbooks_are_read_like_xlsx(name):
    """Saved by LibreOffice as Excel 97-2003 (.xls) and as .ods from the same hand-filled workbook."""
    parsed = read_file(FIXTURES / name)

    assert parsed.errors == [] and parsed.file_format == "template"
    [record] = parsed.records
    assert (record.unit_text, record.year_text) == ("BVM", 2024.0)
    assert [(c.indicator_text, c.value, c.where) for c in record.cells] == [
        ("staff_total", 120.0, "Báo cáo!F10"),
        ("training_sessions", 3.0, "Báo cáo!F11"),
        ("training_participants", 95.0, "Báo cáo!F12"),
    ]


def test_an_xls_renamed_to_csv_is_still_read_as_a_workbook(tmp_path):
    path = _write(tmp_path / "bvm.csv", (FIXTURES / "bvm_2024_excel97.xls").read_bytes())

    parsed = read_file(path)

    assert parsed.errors == [] and parsed.records[0].unit_text == "BVM"
