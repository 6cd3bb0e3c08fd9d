"""Browser tests of issue 11's views: each page's link reproduces its view in a fresh browser,
and the pages read on a phone (390 px) and on paper (A4, no sidebar, the filters written).

Every page is opened by a link that sets its page widgets (not only the sidebar) to values
other than their defaults, in a browser context that logged in for that link alone, and
must show what those values choose. Screenshots at 1440 and 390 px go to
test-artifacts/screenshots/ (xem-*.png) for a person to look at; the print of the overview
to test-artifacts/print-tong-quan.pdf.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from tests.browser import MAIN, SCREENSHOTS, SIDEBAR, App, full_page_screenshot, legend_overlaps

pytest_plugins = ("tests.browser",)  # the session's server, browser and logged-in pages
pytestmark = pytest.mark.browser

# page -> (query parameters that are not the defaults, texts the view then shows)
LINKS: dict[str, tuple[list[tuple[str, str]], tuple[str, ...]]] = {
    "tong-quan": (
        [
            ("nam", "2023"),
            ("tq_chi_tiet", "Đơn vị thay đổi nhiều nhất"),
            ("tq_chi_tieu", "Hài lòng nhân viên y tế (%)"),
        ],
        ("Năm 2023: ", "về hài lòng nhân viên"),  # the movers chart's title names the chosen indicator
    ),
    "xep-hang-cchc": (
        [("cchc_goc_nhin", "Bảng xếp hạng theo năm"), ("cchc_don_vi", "BV Mắt"), ("cchc_don_vi", "CDC")],
        ("Bảng xếp hạng CCHC năm 2025",),
    ),
    "su-hai-long": (
        [("hl_muc_tieu", "95,0%"), ("hl_khao_sat", "Hài lòng ngoại trú")],
        ("dưới mục tiêu 95,0%", "hài lòng ngoại trú, năm 2025"),
    ),
    "so-sanh-don-vi": (
        [
            ("ss_don_vi", "CDC"),
            ("ss_don_vi", "BV Mắt"),
            ("ss_w_cchc_score", "4"),
            ("ss_do_phu", "60"),
            ("ss_sap_xep", "Tên đơn vị"),
        ],
        ("Điểm CCHC 4;", "Không áp dụng"),
    ),
    "ho-so-don-vi": (
        [("don_vi", "Trung tâm Kiểm soát bệnh tật tỉnh An Lạc"), ("hs_linh_vuc", "Sự hài lòng")],
        ("Trung tâm Kiểm soát bệnh tật tỉnh An Lạc", "Không áp dụng cho trung tâm tuyến tỉnh"),
    ),
    # the demo's one rejected file, with the message to pass on, on its own tab
    "tiep-nhan-bao-cao": (
        [("nam", "2021"), ("tn_muc", "Tệp bị từ chối")],
        ("Lỗi đầu tiên", "Cách sửa: kiểm tra lại các số này"),
    ),
}


def _logged_in_at(app: App, new_page: Callable[[], object], path: str, width: int = 1440):
    """A fresh browser context (no cookie) that logs in for `path` and lands on it, drawn."""
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    app.log_in(page, next_path=path)
    app.wait(page, page.url)
    app.assert_clean(page, path)
    return page


@pytest.mark.parametrize("url", list(LINKS))
def test_a_pages_link_opens_the_same_view_in_a_fresh_browser(app: App, new_page, url: str) -> None:
    params, shows = LINKS[url]
    path = f"/{url}?{urlencode(params)}"
    first = _logged_in_at(app, new_page, path)
    text = first.locator(MAIN).inner_text()
    for expected in shows:
        assert expected in text, f"{path}: «{expected}» not on the page"
    # the address still holds every choice, so copying it now gives the same link
    for key, value in params:
        assert urlencode([(key, value)]) in first.url, f"{key} left the address: {first.url}"
    # a second person opening the copied address sees the same view
    second = _logged_in_at(app, new_page, first.url.removeprefix(app.url))
    assert second.locator(MAIN).inner_text() == text
    full_page_screenshot(second, SCREENSHOTS / f"xem-{url}-1440.png")


CHART_PAGES = [*LINKS, "tap-huan", "khieu-nai-phan-anh"]


@pytest.mark.parametrize("url", CHART_PAGES)
def test_a_page_reads_on_a_phone(app: App, new_page, url: str) -> None:
    params, _shows = LINKS.get(url, ([], ()))
    page = _logged_in_at(app, new_page, f"/{url}?{urlencode(params)}", width=390)
    # nothing wider than the screen: no sideways scrolling of the page
    overflow = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m.scrollWidth - m.clientWidth; }"
    )
    assert overflow <= 2, f"{url}: the page is {overflow} px wider than a 390 px phone"
    # year labels stand upright on a narrow axis; the legend below them must not cover them
    assert not legend_overlaps(page), legend_overlaps(page)
    if url == "tong-quan":
        boxes = [c.bounding_box() for c in page.locator(".kpi-card").all()]
        assert len(boxes) == 8
        # two cards a row, not eight screens of one
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"] + 100
        # the trends (the first tab): three charts one below the other, each the screen's width
        app.load(page, f"{app.url}/tong-quan?nam=2023")
        trends = [c.bounding_box() for c in page.locator('[data-testid="stPlotlyChart"]').all()]
        assert len(trends) == 3 and trends[0]["y"] < trends[1]["y"] < trends[2]["y"], trends
        assert all(abs(t["x"] - trends[0]["x"]) < 2 and t["width"] > 300 for t in trends), trends
    if url == "xep-hang-cchc":
        # the rank chart (the first tab) keeps the width its line-end names need and scrolls in its box
        app.load(page, f"{app.url}/xep-hang-cchc")
        width = page.evaluate(
            "() => +document.querySelector('[class*=\"st-key-rong_cchc_bump\"] .main-svg').getAttribute('width')"
        )
        assert width >= 600, f"the rank chart is squeezed to {width} px"
        assert not legend_overlaps(page), legend_overlaps(page)
    full_page_screenshot(page, SCREENSHOTS / f"xem-{url}-390.png")


def test_printing_a_page_gives_a4_without_the_sidebar_and_with_the_filters(app: App, new_page) -> None:
    page = _logged_in_at(app, new_page, "/tong-quan?nam=2024")
    page.emulate_media(media="print")
    assert not page.locator(SIDEBAR).is_visible(), "the sidebar is printed"
    assert not page.get_by_role("button", name="CSV").first.is_visible(), "download buttons are printed"
    out = SCREENSHOTS.parent / "print-tong-quan.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(out), format="A4", print_background=True)
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is needed to read the printed page (apt-get install poppler-utils)")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(x) for x in size.split()[2:5:2])
    assert size.endswith("(A4)") and width < height, size  # A4 portrait
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Năm chi tiết 2024" in text and "phạm vi: tất cả đơn vị" in text
    assert "Bộ lọc" not in text and "Đăng xuất" not in text  # the sidebar's heading and button


def test_a_unit_needing_attention_links_to_its_profile(app: App, new_page) -> None:
    page = _logged_in_at(app, new_page, "/tong-quan?nam=2023")
    link = page.locator(MAIN).get_by_role("link", name="TT Giám định y khoa")
    href = link.get_attribute("href")
    assert href and href.startswith("ho-so-don-vi?don_vi="), href
    target = link.evaluate("a => a.href")  # as the browser resolves it beside the page
    page.goto(target, wait_until="commit")
    app.wait(page, target)
    app.assert_clean(page, target)
    text = page.locator(MAIN).inner_text()
    assert "Trung tâm Giám định y khoa tỉnh An Lạc" in text
    assert page.url.startswith(f"{app.url}/ho-so-don-vi?")
