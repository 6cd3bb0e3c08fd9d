"""Browser tests of «Nộp báo cáo» and «Chi tiết báo cáo» in headless Chromium (issue 12).

A server of its own on a demo province built for this module (uploads change the data, and
the session's demo server must stay as the other browser tests expect it). A unit account
(`bvm`, BV Mắt) downloads its blank template, fills it with openpyxl as a clerk would in
Excel, uploads it and reads «ĐÃ NHẬN», then finds its figures on the pages; uploads a file
with an error and reads the message with the cell and the fix; uploads another unit's file
and is refused. The administrator uploads a folder of files at once and opens the difference
between two versions. A centre's account (`ttkn`) types its report into «Nhập trực tiếp»,
fixes an error shown by the field, keeps a draft, reloads, submits, and finds the submission in
its history and its figure on a page. Last (it changes the unit list), the administrator merges
two units on «Danh sách đơn vị». Screenshots go to test-artifacts/screenshots/nop-*.png,
nhap-truc-tiep-*.png and danh-sach-don-vi-*.png.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pytest

from accounts.audit import all_events
from accounts.store import store_path
from tests.browser import (
    MAIN,
    SCREENSHOTS,
    App,
    chart_texts,
    full_page_screenshot,
    need_chromium,
    rerun_and_wait,
    streamlit_server,
)
from tests.conftest import ROOT, run_etl, write_submission

pytest_plugins = ("tests.browser",)  # the session's browser and new_page
pytestmark = pytest.mark.browser

UPLOAD_MS = 120_000  # the ingest runs in a subprocess on two busy cores
YEAR = 2026  # the year the demo has no report for yet: the one being collected
UNIT_NAME = "Bệnh viện Mắt tỉnh An Lạc"
FILLED = {"staff_total": 321, "training_sessions": 7, "training_participants": 180, "complaints_received": 4}


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    need_chromium()
    root = tmp_path_factory.mktemp("upload")
    db = root / "data" / "dashboard.duckdb"
    run_etl("demo", "--db", str(db), check=True)
    with streamlit_server(ROOT / "dashboard.py", root / "streamlit.log", db=db) as server:
        yield App(server, db)


def _text(page) -> str:
    return page.locator(MAIN).inner_text().replace("\xa0", " ")


def _logged_in(app: App, new_page: Callable, username: str, path: str):
    page = new_page()
    app.log_in(page, username, next_path=f"/{path}")
    app.wait(page, page.url, UPLOAD_MS)
    app.assert_clean(page, f"{path} as {username}")
    return page


def fill_template(path: Path, values: dict[str, object]) -> Path:
    """Type values into the template's «Giá trị» column, by «Mã chỉ tiêu», as a clerk does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Báo cáo"]
    header = next(row for row in ws.iter_rows() if any(c.value == "Mã chỉ tiêu" for c in row))
    code_col = next(c.column for c in header if c.value == "Mã chỉ tiêu")
    value_col = next(c.column for c in header if c.value == "Giá trị")
    for r in range(header[0].row + 1, ws.max_row + 1):
        code = ws.cell(r, code_col).value
        if code in values:
            ws.cell(r, value_col).value = values[code]
    wb.save(path)
    return path


def _upload(page, files: list[Path] | Path, n_files: int | None = None) -> str:
    """Choose the files (or a folder) in the uploader, press «Nộp», wait for the verdicts; the main
    area's text."""
    chosen = str(files) if isinstance(files, Path) else [str(f) for f in files]
    page.locator(MAIN).locator('input[type="file"]').set_input_files(chosen)
    n_files = n_files if n_files is not None else len(files)
    button = page.get_by_role("button", name=f"Nộp {n_files} tệp")
    button.wait_for(state="visible", timeout=UPLOAD_MS)
    page.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=UPLOAD_MS)
    rerun_and_wait(page, button.click, UPLOAD_MS)
    page.get_by_text("Kết quả lần nộp vừa rồi").wait_for(timeout=UPLOAD_MS)
    return _text(page)


def test_a_unit_downloads_its_template_fills_it_uploads_it_and_sees_its_figures(
    upload_app: App, new_page, tmp_path: Path
) -> None:
    page = _logged_in(upload_app, new_page, "bvm", "nop-bao-cao")
    assert UNIT_NAME in _text(page)
    with page.expect_download(timeout=UPLOAD_MS) as download:
        page.get_by_role("button", name=f"Tải mẫu báo cáo năm {YEAR} của BV Mắt (.xlsx)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == f"mau_bao_cao_BVM_{YEAR}.xlsx"
    sheet = openpyxl.load_workbook(template)["Báo cáo"]
    cells = [c.value for row in sheet.iter_rows(max_row=12) for c in row]
    assert "BVM" in cells and YEAR in cells  # its own unit and year, filled in

    text = _upload(page, [fill_template(template, FILLED)])

    full_page_screenshot(page, SCREENSHOTS / "nop-don-vi-da-nhan.png")
    upload_app.assert_clean(page, "upload as bvm")
    assert f"{template.name} — ĐÃ NHẬN · BV Mắt năm {YEAR}" in text, text
    history = text.split("3. Các báo cáo đã nộp", 1)[1]
    assert template.name in history and "Đang dùng" in history and "bvm" in history

    # its figures on the pages: training coverage (participants per staff member) in the year it sent
    upload_app.load(page, f"{upload_app.url}/tap-huan?nam={YEAR}", UPLOAD_MS)
    upload_app.assert_clean(page, "training page after the upload")
    coverage = next(t for t in chart_texts(page) if f"trên mỗi viên chức, năm {YEAR}" in t)
    assert "BV Mắt" in coverage and "0,56" in coverage, coverage  # 180 / 321
    no_training = _text(page).split(f"Đơn vị không tổ chức tập huấn năm {YEAR}", 1)[1]
    assert "BV Mắt" not in no_training and "CDC" in no_training
    full_page_screenshot(page, SCREENSHOTS / "nop-don-vi-tap-huan.png")


def test_a_unit_reads_the_messages_of_a_bad_file_and_is_refused_another_units(
    upload_app: App, new_page, tmp_path: Path
) -> None:
    bad = write_submission(
        tmp_path / "bvm_loi.xlsx", "BVM", YEAR - 1, {"complaints_received": 12, "complaints_resolved": 40}
    )
    other = write_submission(tmp_path / "cdc_2025.xlsx", "CDC", YEAR - 1, {"staff_total": 100})
    page = _logged_in(upload_app, new_page, "bvm", "nop-bao-cao")

    text = _upload(page, [bad, other])

    full_page_screenshot(page, SCREENSHOTS / "nop-don-vi-tu-choi.png")
    upload_app.assert_clean(page, "bad upload as bvm")
    assert "bvm_loi.xlsx — TỪ CHỐI" in text, text
    assert "Tệp «bvm_loi.xlsx», trang «Báo cáo», ô F11" in text and "Cách sửa" in text, text
    assert "cdc_2025.xlsx — TỪ CHỐI" in text
    assert "là báo cáo của đơn vị «CDC», không phải của đơn vị «BVM»" in text
    refused = [
        e for e in all_events(store_path(upload_app.db)) if e[2] == "ingest" and e[3] == "cdc_2025.xlsx"
    ]
    assert [(e[1], e[4]) for e in refused] == [("bvm", "denied")]


def test_an_operator_uploads_a_folder_and_opens_the_diff_between_two_versions(
    upload_app: App, new_page, tmp_path: Path
) -> None:
    """A folder of e-mailed files, subfolders included; Excel's lock file and Windows' Thumbs.db
    are passed over as `ingest FOLDER` does."""
    inbox = tmp_path / "hop_thu"
    write_submission(inbox / "bvdkt" / "bvdkt_2026.xlsx", "BVDKT", YEAR, {"staff_total": 1200})
    write_submission(
        inbox / "bvdkt" / "bvdkt_2026_sua.xlsx", "BVDKT", YEAR, {"staff_total": 1250, "training_sessions": 9}
    )
    write_submission(inbox / "cdc_2026.xlsx", "CDC", YEAR, {"staff_total": 80})
    (inbox / "bvdkt" / "~$bvdkt_2026.xlsx").write_bytes(b"lock")
    (inbox / "Thumbs.db").write_bytes(bytes(16))
    page = _logged_in(upload_app, new_page, "quan_tri", "nop-bao-cao")
    rerun_and_wait(page, page.locator(MAIN).get_by_text("Chọn cả một thư mục").click, UPLOAD_MS)

    text = _upload(page, inbox, n_files=3)

    upload_app.assert_clean(page, "upload as quan_tri")
    for name, unit in (
        ("bvdkt_2026.xlsx", "BVĐK tỉnh"),
        ("bvdkt_2026_sua.xlsx", "BVĐK tỉnh"),
        ("cdc_2026.xlsx", "CDC"),
    ):
        assert f"{name} — ĐÃ NHẬN · {unit} năm {YEAR}" in text, text
    assert "Thumbs.db" not in text and "~$" not in text
    full_page_screenshot(page, SCREENSHOTS / "nop-quan-tri.png")

    upload_app.load(page, f"{upload_app.url}/chi-tiet-bao-cao?don_vi=BVDKT", UPLOAD_MS)
    upload_app.assert_clean(page, "submission detail")
    detail = _text(page)
    full_page_screenshot(page, SCREENSHOTS / "nop-chi-tiet.png")
    assert "Những gì đã thay đổi" in detail, detail[:2000]
    changes = detail.split("Những gì đã thay đổi", 1)[1].split("Số liệu từng lần gửi", 1)[0]
    assert "1.200\t1.250\tSửa" in changes, changes
    assert "(trống)\t9\tThêm" in changes, changes


ENTRY_USER, ENTRY_UNIT = "ttkn", "TT Kiểm nghiệm"  # a provincial centre: inpatient questions do not apply
STAFF = "Tổng số viên chức, người lao động (người)"
PARTICIPANTS = "Số lượt người tham dự tập huấn (lượt người)"
RECEIVED = "Tổng số đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh tiếp nhận (đơn)"
RESOLVED = "Số đơn thư đã giải quyết xong (đơn)"


def _type(page, label: str, value: str) -> None:
    """Type into a field of the form and leave it (Tab), as a person does; wait for the check."""
    box = page.locator(MAIN).get_by_label(label, exact=True)
    box.fill(value)
    rerun_and_wait(page, lambda: box.press("Tab"), UPLOAD_MS)


def _by_field(page, label: str) -> str:
    """The text of the column holding a field of the form: the field and the messages right below it."""
    column = page.locator('[data-testid="stColumn"]').filter(has=page.get_by_label(label, exact=True)).last
    return column.inner_text().replace("\xa0", " ")


def test_a_unit_enters_its_report_in_the_form_fixes_an_error_keeps_a_draft_and_submits_it(
    upload_app: App, new_page
) -> None:
    page = _logged_in(upload_app, new_page, ENTRY_USER, f"nhap-truc-tiep?nam={YEAR}")
    text = _text(page)
    assert "Trung tâm Kiểm nghiệm tỉnh An Lạc" in text and "Biểu mẫu chưa có số liệu nào" in text, text[:1500]
    assert "Tỷ lệ hài lòng của người bệnh nội trú (%)\nKhông áp dụng cho trung tâm tuyến tỉnh" in text
    assert not page.locator(MAIN).get_by_label("Tỷ lệ hài lòng của người bệnh nội trú (%)").count()
    submit = page.get_by_role("button", name="Nộp báo cáo")

    for label, value in ((STAFF, "120"), (PARTICIPANTS, "90"), (RECEIVED, "2"), (RESOLVED, "5")):
        _type(page, label, value)

    error = (
        "Đơn thư đã giải quyết (5) lớn hơn Đơn thư tiếp nhận (2) + Đơn thư tồn năm trước (trống, tính là 0)"
    )
    assert error in _by_field(page, RESOLVED), _text(page)[:3000]
    assert "Còn 1 lỗi, cần sửa trước khi nộp" in _text(page)
    assert submit.is_disabled()
    full_page_screenshot(page, SCREENSHOTS / "nhap-truc-tiep-loi.png")

    _type(page, RESOLVED, "1")

    assert error not in _text(page) and "Còn 1 lỗi" not in _text(page)
    assert "khác xa số liệu các năm khác của đơn vị" in _by_field(page, PARTICIPANTS)  # a warning only
    assert submit.is_enabled()
    rerun_and_wait(page, page.get_by_role("button", name="Lưu nháp").click, UPLOAD_MS)
    # saving reruns the form once more (st.rerun of the fragment), which a busy machine may
    # start after the first run's messages have gone quiet: wait for the message it draws
    page.get_by_text("Đang dùng bản nháp lưu lúc").first.wait_for(timeout=UPLOAD_MS)

    page.reload()
    upload_app.wait(page, page.url, UPLOAD_MS)
    assert "Đang dùng bản nháp lưu lúc" in _text(page), _text(page)[:1500]
    assert page.locator(MAIN).get_by_label(PARTICIPANTS, exact=True).input_value() == "90"
    assert page.locator(MAIN).get_by_label(RESOLVED, exact=True).input_value() == "1"

    rerun_and_wait(page, submit.click, UPLOAD_MS)
    page.get_by_text("ĐÃ NHẬN").first.wait_for(timeout=UPLOAD_MS)
    upload_app.wait(page, page.url, UPLOAD_MS)
    upload_app.assert_clean(page, "form submitted")
    full_page_screenshot(page, SCREENSHOTS / "nhap-truc-tiep-da-nhan.png")
    text = _text(page)
    assert f"ĐÃ NHẬN — báo cáo năm {YEAR} của Trung tâm Kiểm nghiệm tỉnh An Lạc" in text, text[:2000]
    assert "Đang dùng bản nháp" not in text  # the draft ended with the submission
    assert (
        page.locator(MAIN).get_by_label(STAFF, exact=True).input_value() == "120"
    )  # the values now in force
    submitted = [
        e for e in all_events(store_path(upload_app.db))
        if e[2] == "ingest" and e[1] == ENTRY_USER and '"via": "trang Nhập trực tiếp"' in (e[6] or "")
    ]  # fmt: skip
    assert [(e[4], e[3].startswith(f"Nhập trực tiếp - {ENTRY_UNIT} - năm {YEAR}")) for e in submitted] == [
        ("ok", True)
    ]

    upload_app.load(page, f"{upload_app.url}/nop-bao-cao", UPLOAD_MS)
    history = _text(page).split("3. Các báo cáo đã nộp", 1)[1]
    assert f"Nhập trực tiếp - {ENTRY_UNIT} - năm {YEAR}" in history and "Đang dùng" in history, history

    upload_app.load(page, f"{upload_app.url}/tap-huan?nam={YEAR}", UPLOAD_MS)
    coverage = next(t for t in chart_texts(page) if f"trên mỗi viên chức, năm {YEAR}" in t)
    assert ENTRY_UNIT in coverage and "0,75" in coverage, coverage  # 90 / 120


MERGED_NAME, MERGED_SHORT = "Bệnh viện Phổi và Tâm thần tỉnh An Lạc", "BV Phổi - Tâm thần"


def _chart_text(page, words: str) -> str:
    """The text of the chart holding `words`, waiting until it is drawn (a tab draws its charts
    when it is first shown, after the click that shows it)."""
    deadline = time.monotonic() + UPLOAD_MS / 1000
    while not (found := [t for t in chart_texts(page) if words in t]):
        assert time.monotonic() < deadline, f"no chart with {words!r}: {chart_texts(page)}"
        page.wait_for_timeout(200)
    return found[0]


def test_an_operator_merges_two_units_on_the_unit_list_and_their_history_follows(
    upload_app: App, new_page
) -> None:
    """Danh sách đơn vị: quan_tri merges BV Tâm thần and BV Phổi (no report for the year being
    collected) into a new hospital from that year; the list and its log show it, the audit log has
    the row, and the profile's restated view counts both histories under the new unit."""
    page = _logged_in(upload_app, new_page, "quan_tri", "danh-sach-don-vi")
    main = page.locator(MAIN)
    main.get_by_role("tab", name="Sáp nhập").click()  # tabs switch in the browser, no rerun
    sources = main.get_by_role("combobox", name="Các đơn vị được sáp nhập")
    for name in ("Bệnh viện Tâm thần tỉnh An Lạc", "Bệnh viện Phổi tỉnh An Lạc"):
        sources.click()
        sources.fill(name)
        rerun_and_wait(page, page.get_by_role("option", name=name, exact=True).click, UPLOAD_MS)
    rerun_and_wait(page, main.get_by_text("Một đơn vị mới", exact=True).click, UPLOAD_MS)
    for label, value in (
        ("Mã đơn vị mới (chữ in hoa không dấu, ví dụ TTYTKV_BAC)", "BVPTT"),
        ("Tên đầy đủ của đơn vị mới", MERGED_NAME),
        ("Tên ngắn (trên biểu đồ)", MERGED_SHORT),
        ("Địa bàn (để trống: như các đơn vị sáp nhập)", "Thành phố An Lạc"),
    ):
        _type(page, label, value)
    year_box = "Năm hiệu lực (năm đầu tiên sau sáp nhập)"
    if main.get_by_label(year_box, exact=True).input_value() != str(YEAR):  # it opens on this year
        _type(page, year_box, str(YEAR))

    rerun_and_wait(page, main.get_by_role("button", name="Sáp nhập", exact=True).click, UPLOAD_MS)

    upload_app.assert_clean(page, "merge on the unit list")
    full_page_screenshot(page, SCREENSHOTS / "danh-sach-don-vi-sap-nhap.png")
    text = _text(page)
    assert (
        "Đã sáp nhập «Bệnh viện Tâm thần tỉnh An Lạc», «Bệnh viện Phổi tỉnh An Lạc» vào "
        f"«{MERGED_NAME}» từ năm {YEAR} (đơn vị mới)"
    ) in text, text[:2000]
    rows = {line.split("\t", 1)[0]: line for line in text.splitlines() if "\t" in line}
    assert rows[MERGED_NAME].endswith(
        f"{YEAR}–nay\tTiếp nhận «Bệnh viện Phổi tỉnh An Lạc», «Bệnh viện Tâm thần tỉnh An Lạc»\tĐang hoạt động"
    ), rows[MERGED_NAME]
    assert rows["Bệnh viện Tâm thần tỉnh An Lạc"].endswith(
        f"2015–{YEAR - 1}\tĐơn vị kế thừa: «{MERGED_NAME}» từ năm {YEAR}\tĐã sáp nhập"
    ), rows["Bệnh viện Tâm thần tỉnh An Lạc"]
    log = text.split("Lịch sử thay đổi", 1)[1].split("Thay đổi danh sách", 1)[0]
    assert (
        f"{YEAR}\tSáp nhập\t«Bệnh viện Tâm thần tỉnh An Lạc», «Bệnh viện Phổi tỉnh An Lạc» vào «{MERGED_NAME}»"
        in log
    )
    assert "quan_tri" in log
    audited = [
        e for e in all_events(store_path(upload_app.db)) if e[2] == "units_merge" and e[1] == "quan_tri"
    ]
    assert [(e[3], e[4], '"via": "trang Danh sách đơn vị"' in (e[6] or "")) for e in audited] == [
        ("BVTT, BVPH → BVPTT", "ok", True)
    ]
    upload_app.load(page, f"{upload_app.url}/nhat-ky-hoat-dong", UPLOAD_MS)
    assert "Sáp nhập đơn vị" in _text(page)

    # the restated history: the new hospital's training trend is both hospitals' added up
    profile = urlencode({"don_vi": MERGED_NAME, "cach_tinh": "Quy đổi theo cơ cấu hiện tại", "nam": YEAR - 1})
    upload_app.load(page, f"{upload_app.url}/ho-so-don-vi?{profile}", UPLOAD_MS)
    upload_app.assert_clean(page, "profile of the merged unit")
    main.get_by_role("tab", name="Tập huấn").click()  # its chart draws once the tab shows, no rerun
    training = _chart_text(page, f"Tập huấn tại {MERGED_SHORT}")
    assert f"{MERGED_SHORT} gộp từ BV Phổi, BV Tâm thần" in training, training
