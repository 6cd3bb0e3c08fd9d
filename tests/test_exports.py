"""The full-data export (app.exports, `python -m etl export`): XLSX opened with openpyxl, CSV, Parquet."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from app import queries
from app.exports import ExportScope, to_csv, to_parquet, to_workbook
from etl.db import latest_snapshot
from tests.conftest import run_etl
from tests.report_demo import FORMULA_TEXT, FORMULA_UNIT, FORMULA_YEAR, altered_demo

WHEN = datetime(2025, 12, 5, 9, 30)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(latest_snapshot(altered_demo(tmp_path_factory.getbasetemp())))


@pytest.fixture(scope="module")
def book(snapshot: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_workbook(snapshot, exported_at=WHEN)))


def rows_of(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def test_the_cover_says_what_when_which_filters_and_data(book, snapshot: str) -> None:
    assert book.sheetnames[0] == "Giới thiệu"
    assert book.sheetnames[1:7] == [
        "Quy mô hoạt động", "Cải cách hành chính", "Sự hài lòng", "Tập huấn, bồi dưỡng", "Khiếu nại, phản ánh",
        "Đánh giá công tác dân vận",
    ]  # fmt: skip
    cover = {r[0]: r[1] for r in book["Giới thiệu"].iter_rows(values_only=True) if r[0]}
    assert cover["Bộ lọc"] == "Không lọc: mọi đơn vị, các năm 2015–2025"
    assert cover["Thời điểm xuất"] == "05/12/2025 09:30"
    version = queries.meta(snapshot)["data_version"]
    assert cover["Phiên bản cơ sở dữ liệu"].startswith(f"số liệu phiên bản {version} (bản đọc v")
    assert "Toàn bộ số liệu" in cover["Nội dung"] and "Dữ liệu minh họa" in cover


def test_a_domain_sheet_has_vietnamese_headers_formats_frozen_header_and_filters(book, snapshot: str) -> None:
    ws = book["Sự hài lòng"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Năm", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Địa bàn", "Hài lòng nội trú (%)"]
    assert not any("_" in h for h in header)
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    panel = queries.panel(snapshot, ("sat_inpatient_pct",))
    value = panel.filter((pl.col("unit_code") == "BVDKT") & (pl.col("year") == 2025))["sat_inpatient_pct"][0]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "BVDKT" and r[0].value == 2025)
    assert row[0].number_format == "0"
    assert row[5].number_format == "0.0%" and row[5].value == pytest.approx(value / 100)
    assert row[6].number_format == "#,##0" and isinstance(row[6].value, int)


def test_blank_stays_blank_and_formula_text_arrives_as_text(book) -> None:
    rows = rows_of(book["Đánh giá công tác dân vận"])
    mine = next(r for r in rows if r["Mã đơn vị"].value == FORMULA_UNIT and r["Năm"].value == FORMULA_YEAR)
    cell = mine["Kết quả nổi bật"]
    assert cell.value == FORMULA_TEXT and cell.data_type == "s" and cell.quotePrefix
    assert mine["Khó khăn, hạn chế"].quotePrefix and mine["Đề xuất, kiến nghị"].quotePrefix
    assert mine["Mô hình Dân vận khéo đăng ký (mô hình)"].value is None  # not reported, not 0


def test_csv_and_parquet_hold_the_same_rows(snapshot: str) -> None:
    text = to_csv(snapshot).decode("utf-8")
    assert text.startswith("\ufeffNăm,Mã đơn vị,Tên đơn vị,")
    assert f"'{FORMULA_TEXT}".replace('"', '""') in text
    csv = pl.read_csv(io.BytesIO(text.encode("utf-8")))
    table = pq.read_table(io.BytesIO(to_parquet(snapshot, exported_at=WHEN)))
    assert table.num_rows == csv.height
    assert table.schema.field("sat_inpatient_pct").metadata[b"label"].decode() == "Hài lòng nội trú (%)"
    assert table.schema.metadata["Thời điểm xuất".encode()].decode() == "05/12/2025 09:30"
    highlights = pl.from_arrow(table).filter(
        pl.col("unit_code") == FORMULA_UNIT, pl.col("year") == FORMULA_YEAR
    )
    assert highlights["highlights"][0] == f"'{FORMULA_TEXT}"


def test_a_scope_filters_rows_and_says_so(snapshot: str) -> None:
    scope = ExportScope(year_from=2024, unit_types=("ttyt",))
    book = openpyxl.load_workbook(io.BytesIO(to_workbook(snapshot, scope, WHEN)))
    cover = {r[0]: r[1] for r in book["Giới thiệu"].iter_rows(values_only=True) if r[0]}
    assert cover["Bộ lọc"] == "các năm 2024–2025; loại đơn vị: Trung tâm y tế khu vực/huyện"
    rows = rows_of(book["Tập huấn, bồi dưỡng"])
    assert rows and {r["Năm"].value for r in rows} == {2024, 2025}
    assert {r["Loại đơn vị"].value for r in rows} == {"Trung tâm y tế khu vực/huyện"}


def test_the_cli_exports_by_file_suffix(tmp_path: Path, tmp_path_factory) -> None:
    db = altered_demo(tmp_path_factory.getbasetemp())
    out = tmp_path / "so_lieu.xlsx"
    proc = run_etl("export", "--out", str(out), "--from", "2025", db=db)
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(out)
    assert {r[0].value for r in book["Sự hài lòng"].iter_rows(min_row=2)} == {2025}
    proc = run_etl("export", "--out", str(tmp_path / "so_lieu.ods"), db=db)
    assert proc.returncode == 2 and ".xlsx hoặc .csv hoặc .parquet" in proc.stderr
    # a file already there (perhaps edited since) is never written over
    before = out.read_bytes()
    proc = run_etl("export", "--out", str(out), db=db)
    assert proc.returncode == 2 and "đã có" in proc.stderr and out.read_bytes() == before
