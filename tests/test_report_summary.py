"""The yearly summary report (report.summary, `python -m etl report`) on the province demo.

The document is opened with python-docx and its sentences and tables are checked against
what the query layer (app.queries, app.tables) returns for the year, computed here
independently; the NĐ 30 frame is checked piece by piece; one test converts it to PDF
with LibreOffice and reads the text back (pdftotext).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import polars as pl
import pytest

from app import queries, tables
from app.fmt import fmt_int, fmt_num, fmt_pct
from etl.catalogue import load_catalogue
from report.images import ChartImages, find_browser
from report.source import NoData
from report.summary import build_summary
from tests.conftest import run_etl
from tests.report_demo import snapshot_of
from tests.test_queries import demo_database

YEAR = 2025
TODAY = date(2025, 12, 5)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> str:
    return snapshot_of(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def report(snapshot: str) -> docx.document.Document:
    """The latest year's report, with charts where a browser is installed."""
    built = build_summary(snapshot, YEAR, year_from=2021, today=TODAY)
    return docx.Document(io.BytesIO(built.docx))


def body_text(doc: docx.document.Document) -> str:
    """Every paragraph, outside and inside tables, one per line."""
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def prose(doc: docx.document.Document) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def table_with(doc: docx.document.Document, header: str) -> list[list[str]]:
    """The rows (header row first) of the first table whose header row has `header`."""
    for table in doc.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if header in rows[0]:
            return rows
    raise AssertionError(f"no table with the column {header!r}")


def names(snapshot: str) -> dict[str, str]:
    return dict(queries.units(snapshot).select("unit_code", "name").iter_rows())


def test_the_administrative_frame(report) -> None:
    text = body_text(report)
    heading = [c.text for row in report.tables[0].rows for c in row.cells]
    assert heading[0].split("\n")[:2] == ["UBND TỈNH AN LẠC", "SỞ Y TẾ"]
    assert heading[1].split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert heading[2] == "Số: …/BC-SYT"
    assert heading[3] == "An Lạc, ngày … tháng … năm 2025"
    date_run = report.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    assert date_run.italic
    paragraphs = [p.text for p in report.paragraphs]
    title = paragraphs.index("BÁO CÁO")
    assert paragraphs[title + 1] == f"Kết quả công tác dân vận ngành Y tế năm {YEAR}"
    parts = [p for p in paragraphs if p[:4] in ("I. K", "II. ", "III.", "IV. ")]
    assert parts == [
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "II. HẠN CHẾ, KHÓ KHĂN VÀ NGUYÊN NHÂN",
        f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {YEAR + 1}",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    for section in ("1. Công tác cải cách hành chính", "2. Sự hài lòng của người bệnh và nhân viên y tế",
                    "3. Công tác tập huấn, bồi dưỡng"):  # fmt: skip
        assert section in paragraphs
    assert "Nơi nhận:" in text and "- Lưu: VT, TCCB." in text
    assert "GIÁM ĐỐC" in text and "[Họ và tên người ký]" in text
    assert "Số liệu minh họa của một tỉnh giả định" in text  # the demo says so, highlighted


def test_page_and_fonts_follow_the_decree(report) -> None:
    section = report.sections[0]
    sizes = ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")
    assert [round(getattr(section, s).mm) for s in sizes] == [210, 297, 20, 20, 30, 15]
    normal = report.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 14


def test_sentences_carry_the_query_figures(report, snapshot: str) -> None:
    text = prose(report)
    panel = queries.panel(snapshot, tuple(load_catalogue()))
    year_rows = panel.filter(pl.col("year") == YEAR)
    # satisfaction: forms pooled over the units, as on the satisfaction page
    trend = tables.satisfaction_trend(panel)
    for code in ("sat_inpatient_pct", "sat_outpatient_pct"):
        now = trend.filter((pl.col("indicator_code") == code) & (pl.col("year") == YEAR)).row(0, named=True)
        before = trend.filter((pl.col("indicator_code") == code) & (pl.col("year") == YEAR - 1))["pct"][0]
        name = load_catalogue()[code].name_vi
        moved = "tăng" if now["pct"] > before else "giảm"
        expected = (
            f"{name} đạt {fmt_pct(now['pct'])} ({fmt_int(now['n'])} phiếu, {fmt_int(now['n_units'])} đơn vị), "
            f"{moved} {fmt_num(abs(now['pct'] - before), 1)} điểm phần trăm so với năm {YEAR - 1}"
        )
        assert expected in text
    # training and complaints: sums over the units that reported
    sessions = int(year_rows["training_sessions"].sum())
    participants = int(year_rows["training_participants"].sum())
    assert f"đã tổ chức {fmt_int(sessions)} lớp tập huấn" in text
    assert f"với {fmt_int(participants)} lượt người tham dự" in text
    flow = tables.complaint_flow(panel).filter(pl.col("year") == YEAR).row(0, named=True)
    assert f"tiếp nhận {fmt_int(flow['received'])} đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh" in text
    assert f"đã giải quyết {fmt_int(flow['resolved'])} đơn, đạt tỷ lệ {fmt_pct(flow['rate_pct'])}" in text
    # CCHC: the Sở's own PAR rank, and the mean score of the units the Sở ranks
    par = tables.par_ranks(panel).filter(pl.col("year") == YEAR).row(0, named=True)
    assert f"xếp hạng {par['rank_label']} trong các sở, ban, ngành tỉnh" in text
    mean = year_rows.filter(pl.col("rank_pool") == "so")["cchc_score"].mean()
    assert f"điểm bình quân đạt {fmt_num(mean, 1)} điểm" in text
    # dân vận ratings as the Sở gave them
    ratings = dict(year_rows["dv_official_rating"].drop_nulls().value_counts().iter_rows())
    assert f"{fmt_int(ratings['Xuất sắc'])} đơn vị Xuất sắc" in text
    # who reported: every unit active that year, as on the overview
    reporting = tables.reporting_by_year(queries.reporting(snapshot)).filter(pl.col("year") == YEAR)
    row = reporting.row(0, named=True)
    assert f"nhận được báo cáo của {row['reported']}/{row['expected']} đơn vị" in text


def test_tables_are_the_query_tables(report, snapshot: str) -> None:
    unit_names = names(snapshot)
    league = tables.league_year(tables.cchc_ranked(queries.panel(snapshot, ("cchc_score", "cchc_rank",
                                                                             "cchc_rank_of"))), YEAR)  # fmt: skip
    rows = table_with(report, "Điểm CCHC")
    shown = {r[1]: (r[0], r[2]) for r in rows[1:]}
    expected = {unit_names[c]: (lbl, fmt_num(s, 1)) for c, lbl, s in league.select(
        "unit_code", "rank_label", "cchc_score").iter_rows()}  # fmt: skip
    assert shown == expected
    panel = queries.panel(snapshot, tuple(load_catalogue()))
    by_unit = tables.complaints_by_unit(panel.filter(pl.col("year") == YEAR))
    rows = table_with(report, "Tỷ lệ giải quyết")
    shown = {r[0]: (r[1], r[3], r[4]) for r in rows[1:]}
    for code, received, resolved, rate in by_unit.select(
        "unit_code", "received", "resolved", "rate_pct"
    ).iter_rows():
        rate_text = fmt_pct(rate) if rate is not None else "–"  # nothing to resolve: no rate, not a blank
        assert shown[unit_names[code]] == (fmt_int(received), fmt_int(resolved), rate_text)


def test_units_are_named_never_coded(report, snapshot: str) -> None:
    text = body_text(report)
    units = queries.units(snapshot)
    short = set(units["short_name"].to_list())
    for code in units["unit_code"].to_list():
        if code not in short and code != "SYT":  # "SYT" is the Sở's document symbol (BC-SYT)
            assert code not in text, code
    for code in load_catalogue():
        assert code not in text, code


@pytest.mark.skipif(find_browser() is None, reason="no chromium: the report is written without charts")
def test_the_dashboard_charts_are_images(report) -> None:
    assert len(report.inline_shapes) == 4
    captions = [p.text for p in report.paragraphs if p.text.startswith("Biểu đồ ")]
    assert captions[0] == "Biểu đồ 1. Phân bố điểm cải cách hành chính của các đơn vị, 2021–2025"
    assert len(captions) == 4


def test_a_year_with_missing_units_names_them_and_without_a_browser_says_so(snapshot: str) -> None:
    # 2023: one unit sent nothing (etl.demo.PROVINCE_MISSING)
    built = build_summary(snapshot, 2023, today=TODAY, charts=ChartImages(enabled=False))
    doc = docx.Document(io.BytesIO(built.docx))
    text = prose(doc)
    missing = names(snapshot)["TTGDYK"]
    assert f"còn 1 đơn vị chưa gửi báo cáo: {missing}" in text
    assert built.charts_missing and "không chèn được biểu đồ" in text
    assert len(doc.inline_shapes) == 0
    assert table_with(doc, "Điểm CCHC") and table_with(doc, "Tỷ lệ giải quyết")


def test_a_year_without_data_fails_clearly(snapshot: str, tmp_path: Path, tmp_path_factory) -> None:
    with pytest.raises(NoData, match="Năm 2031 chưa có số liệu nào được nạp; các năm có số liệu: 2015–2025"):
        build_summary(snapshot, 2031, charts=ChartImages(enabled=False))
    db = demo_database(tmp_path_factory.getbasetemp())
    proc = run_etl("report", "--year", "2031", "--out", str(tmp_path / "bc.docx"), db=db)
    assert proc.returncode == 2
    assert "Năm 2031 chưa có số liệu" in proc.stderr
    assert not (tmp_path / "bc.docx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by scripts/test.sh")
def test_the_cli_writes_the_report_and_its_pdf(tmp_path: Path, tmp_path_factory, snapshot: str) -> None:
    db = demo_database(tmp_path_factory.getbasetemp())
    out = tmp_path / "bao_cao_2025.docx"
    proc = run_etl("report", "--year", str(YEAR), "--out", str(out), "--pdf", db=db)
    assert proc.returncode == 0, proc.stderr
    pdf = out.with_suffix(".pdf")
    assert out.exists() and pdf.exists()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 8 <= pages <= 16, pages
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert f"Kết quả công tác dân vận ngành Y tế năm {YEAR}" in text
    flow = tables.complaint_flow(queries.panel(snapshot, ("complaints_received", "complaints_carried_in",
                                                          "complaints_resolved", "complaints_protracted")))  # fmt: skip
    assert fmt_pct(flow.filter(pl.col("year") == YEAR)["rate_pct"][0]) in text
