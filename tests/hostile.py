"""Hostile and broken files, made at test time (nothing big is committed): shared by
tests/test_hostile_files.py, which checks each refusal and its message, and bench/hostile.py,
which times each one and measures its memory.

Each builder writes into a folder and returns the file's path; the large ones are made
without holding their size in memory (a sparse file, an archive of repeated bytes).
"""

from __future__ import annotations

import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from etl.limits import MAX_ROWS


def _small_workbook(path: Path, cells: Callable[[xlsxwriter.Workbook, object], None] | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Báo cáo")
    ws.write_string("B5", "Mã đơn vị")
    ws.write_string("C5", "BVDKT")
    ws.write_string("B6", "Năm báo cáo")
    ws.write_number("C6", 2024)
    ws.write_row("A9", ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Giá trị"])
    ws.write_row("A10", [1, "staff_total", "Tổng số viên chức", 450])
    if cells is not None:
        cells(wb, ws)
    wb.close()
    return path


def with_parts(path: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> Path:
    """Rewrite an archive with some parts replaced and others added."""
    source = path.with_suffix(".src")
    path.rename(source)
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    source.unlink()
    return path


def zip_bomb(folder: Path) -> Path:
    """An .xlsx whose sheet is 60 MB of spaces packed into ~60 KB (a ratio of ~1.000)."""
    path = _small_workbook(folder / "bao_cao_bom_nen.xlsx")
    source = path.with_suffix(".src")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info))
                continue
            with zout.open(info.filename, "w") as part:
                part.write(zin.read(info).replace(b"<sheetData>", b"<sheetData>" + b" " * 1024, 1))
                block = b" " * (1024 * 1024)
                for _ in range(60):
                    part.write(block)
    source.unlink()
    return path


def _declare(path: Path, part: str, size: int) -> Path:
    """Patch the size the archive's central directory declares for one part (the bytes stay)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + struct.unpack_from("<H", data, at + 28)[0]] != part.encode():
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 24, size)  # the uncompressed size
    path.write_bytes(bytes(data))
    return path


def lying_zip(folder: Path) -> Path:
    """An .xlsx whose central directory declares a sheet of 4 GB: refused on what it declares."""
    return _declare(
        _small_workbook(folder / "bao_cao_khai_gian.xlsx"), "xl/worksheets/sheet1.xml", 0xFFFF_FFF0
    )


def understated_zip(folder: Path) -> Path:
    """An .xlsx declaring its 3 MB sheet as 1.000 bytes: caught while inflating, past what it declared."""
    path = _small_workbook(folder / "bao_cao_khai_thieu.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * (3 * 1024 * 1024), 1)
    return _declare(with_parts(path, {"xl/worksheets/sheet1.xml": padded}), "xl/worksheets/sheet1.xml", 1000)


def huge_file(folder: Path, size: int = 200 * 1024 * 1024) -> Path:
    """A 200 MB .xlsx, sparse: it takes no room on disk and no time to make."""
    path = folder / "bao_cao_200MB.xlsx"
    with path.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(size)
    return path


def million_rows(folder: Path, rows: int = 1_000_000) -> Path:
    """A workbook whose sheet has a million rows of data below the template's header."""
    path = _small_workbook(folder / "bao_cao_trieu_dong.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    body = b"".join(b'<row r="%d"><c r="B%d"><v>1</v></c></row>' % (r, r) for r in range(11, rows + 11))
    sheet = sheet.replace(b"</sheetData>", body + b"</sheetData>")
    return with_parts(path, {"xl/worksheets/sheet1.xml": sheet})


def _with_cell(path: Path, ref: str) -> Path:
    """Add one text cell at `ref` in its own last row (xlsxwriter would walk every row up to it)."""
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    row = "".join(ch for ch in ref if ch.isdigit()).encode()
    cell = b'<row r="%s"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>' % (row, ref.encode())
    return with_parts(
        path, {"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", cell + b"</sheetData>")}
    )


def far_corner(folder: Path) -> Path:
    """A 6 KB workbook with one cell at XFD1048576: the reader would build the whole sheet's rectangle."""
    return _with_cell(_small_workbook(folder / "bao_cao_o_cuoi_trang.xlsx"), "XFD1048576")


def far_column(folder: Path) -> Path:
    """A workbook with a cell in the sheet's last column, XFD (16.384 columns), on row 20."""
    return _with_cell(_small_workbook(folder / "bao_cao_cot_cuoi.xlsx"), "XFD20")


def million_rows_csv(folder: Path, rows: int = MAX_ROWS * 10) -> Path:
    path = folder / "lich_su_trieu_dong.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("unit_code;year;staff_total\n")
        line = "BVDKT;2024;450\n"
        for _ in range(rows // 10_000):
            f.write(line * 10_000)
    return path


def formulas(folder: Path) -> Path:
    """Formulas with stored results, one of them from another workbook (an external link);
    the stored result 96 differs from what 1+1 gives, so evaluating it would show."""

    def cells(wb, ws):
        ws.write_row("A11", [2, "sat_inpatient_pct", "Hài lòng nội trú"])
        ws.write_formula("D11", "=[1]Sheet1!$A$1", None, 92.5)
        ws.write_row("A12", [3, "sat_inpatient_n", "Số phiếu"])
        ws.write_formula("D12", "=1+1", None, 96)

    path = _small_workbook(folder / "bao_cao_cong_thuc.xlsx", cells)
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
        b'<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    )
    return with_parts(path, {}, {"xl/externalLinks/externalLink1.xml": link})


def uncached_formula(folder: Path) -> Path:
    """A formula whose result the file does not hold (as openpyxl and other programs save them)."""

    def cells(wb, ws):
        ws.write_row("A11", [2, "training_sessions", "Lớp tập huấn"])
        ws.write_formula("D11", "=SUM(E1:E3)", None, "")

    return _small_workbook(folder / "bao_cao_chua_tinh.xlsx", cells)


def binary_csv(folder: Path) -> Path:
    """256 KB of random bytes that all decode as Windows-1258, so only their look gives them away."""
    path = folder / "du_lieu_rac.csv"
    valid = [b for b in range(256) if len(bytes([b]).decode("cp1258", "ignore")) == 1]
    path.write_bytes(bytes(random.Random(14).choices(valid, k=256 * 1024)))
    return path


def control_name(folder: Path) -> Path:
    """A valid report under a name holding a terminal escape sequence and a backspace."""
    return _small_workbook(folder / "bvdkt\x1b[2J\x08_2024.xlsx")


def many_files(folder: Path, n: int = 2000) -> Path:
    """A folder of `n` small wide CSV files, each a different unit-year of one unit's staff."""
    target = folder / "nhieu_tep"
    target.mkdir()
    for i in range(n):
        year, unit = 2015 + i % 11, ("BVDKT", "BVDKKV_BAC", "BVDKKV_NAM")[i % 3]
        (target / f"tep_{i:05d}.csv").write_text(f"unit_code;year;staff_total\n{unit};{year};{100 + i}\n")
    return target


HOSTILE = {
    "bom nén (.xlsx)": zip_bomb,
    "khai gian kích thước": lying_zip,
    "khai thiếu kích thước": understated_zip,
    "tệp 200 MB": huge_file,
    "1 triệu dòng (.xlsx)": million_rows,
    "ô ở góc XFD1048576": far_corner,
    "ô ở cột XFD": far_column,
    "1 triệu dòng (.csv)": million_rows_csv,
    "công thức, liên kết ngoài": formulas,
    "công thức chưa tính": uncached_formula,
    "CSV nhị phân": binary_csv,
    "tên tệp có ký tự điều khiển": control_name,
}
