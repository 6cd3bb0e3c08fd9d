"""The per-chart downloads (app.downloads): what the reader saw, with the view's title and filters."""

from __future__ import annotations

import io
from datetime import datetime

import polars as pl
from openpyxl import load_workbook

from app.downloads import (
    DownloadContext,
    chart_title,
    filters_text,
    prepare_download,
    to_csv_bytes,
    to_xlsx_bytes,
)
from app.filters import Filters
from app.sheets import cover_rows

CONTEXT = DownloadContext(
    "Tỷ lệ hài lòng toàn ngành, 2021–2025",
    "năm chi tiết 2025; giai đoạn 2021–2025; tất cả đơn vị; theo báo cáo gốc",
    {"data_version": "7", "schema_version": "1", "province_name": "Tỉnh Thử"},
    "/x/dashboard.snapshots/v000000007-f3.duckdb",
)


def _table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": [2025, 2025],
            "unit_code": ["P01_A", "P02_A"],
            "short_name": ["BV A", "BV A"],
            "rank_group": ["P01", "P02"],
            "current_code": ["P01_A", "P02_A"],
            "unit_type": ["bv_tinh", "bv_tinh"],
            "sat_inpatient_pct": [92.45, None],
            "per_10k": [1.23456, 0.5],
            "n": [1234, 12],
            "is_tie": [True, False],
            "note": ["=1+1", "bình thường"],
        }
    )


def test_a_download_holds_what_the_reader_saw() -> None:
    frame, formats = prepare_download(_table())
    assert frame.columns == [
        "Năm", "Tên đơn vị", "Hài lòng nội trú (%)", "Đơn thư / 10.000 lượt khám", "Số phiếu khảo sát",
        "Đồng hạng", "Ghi chú", "Loại đơn vị",
    ]  # fmt: skip
    assert frame["Tên đơn vị"].to_list() == ["BV A (P01)", "BV A (P02)"]  # codes gone, names still unique
    assert frame["Hài lòng nội trú (%)"].to_list() == [92.5, None]  # rounded as shown, blank stays blank
    assert frame["Đơn thư / 10.000 lượt khám"].to_list() == [1.23, 0.5]
    assert frame["Đồng hạng"].to_list() == ["Có", "Không"]
    assert formats["Năm"] == "0" and formats["Hài lòng nội trú (%)"] == "0.0%"
    assert formats["Số phiếu khảo sát"] == "#,##0" and formats["Đơn thư / 10.000 lượt khám"] == "#,##0.00"


def test_xlsx_and_csv_carry_the_title_and_filters() -> None:
    frame, formats = prepare_download(_table())
    book = load_workbook(io.BytesIO(to_xlsx_bytes(frame, context=CONTEXT, formats=formats)))
    assert book.sheetnames == ["Dữ liệu", "Thông tin"]
    data = book["Dữ liệu"]
    assert data.freeze_panes == "A2" and data.auto_filter.ref
    assert data["C2"].value == 0.925  # 92,45 shown as 92,5%: the file holds the figure as shown
    assert data["C2"].number_format == "0.0%"
    assert data["G2"].value == "=1+1" and data["G2"].quotePrefix
    info = {r[0]: r[1] for r in book["Thông tin"].iter_rows(values_only=True) if r[0]}
    assert info["Nội dung"] == CONTEXT.title and info["Bộ lọc"] == CONTEXT.filters
    assert info["Phiên bản cơ sở dữ liệu"].startswith("số liệu phiên bản 7")
    csv = to_csv_bytes(frame, CONTEXT).decode("utf-8")
    first, header = csv.lstrip("\ufeff").splitlines()[:2]
    first = first.strip('"')  # one quoted cell: the title has commas
    assert first.startswith("Tỷ lệ hài lòng toàn ngành, 2021–2025. Bộ lọc: năm chi tiết 2025;")
    assert "số liệu phiên bản 7" in first
    assert header.startswith("Năm,Tên đơn vị,")
    assert "'=1+1" in csv


def test_filters_in_words_and_chart_titles_as_text() -> None:
    f = Filters(snapshot="s", year=2024, year_from=2020, year_to=2024, unit_types=("ttyt",), restated=True)
    assert filters_text(f) == (
        "năm chi tiết 2024; giai đoạn 2020–2024; Trung tâm y tế khu vực/huyện; quy đổi theo cơ cấu hiện tại"
    )
    import plotly.graph_objects as go

    fig = go.Figure(layout={"title": {"text": "Đơn thư tiếp nhận,<br>giải quyết, 2021–2025"}})
    assert chart_title(fig) == "Đơn thư tiếp nhận, giải quyết, 2021–2025"
    rows = dict(cover_rows("T", "F", datetime(2025, 1, 2, 3, 4), {"is_demo": "1"}, "/a/b.duckdb"))
    assert rows["Thời điểm xuất"] == "02/01/2025 03:04" and "Dữ liệu minh họa" in rows
