"""The 'Báo cáo tổng hợp' page (pages/yearly_report.py) under AppTest: ask for the draft, get the files.

The page is not in the navigation yet (role checks are wired there), so the test gives it the
sidebar's filters the way dashboard.py does, through st.session_state.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.filters import FILTERS_KEY, Filters
from tests.conftest import ROOT
from tests.report_demo import snapshot_of

PAGE = str(ROOT / "pages" / "yearly_report.py")


@pytest.fixture
def page(tmp_path_factory: pytest.TempPathFactory) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    snapshot = snapshot_of(tmp_path_factory.getbasetemp())
    at.session_state[FILTERS_KEY] = Filters(snapshot=snapshot, year=2025, year_from=2021, year_to=2025)
    return at


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_the_page_offers_the_draft_and_the_data(page: AppTest) -> None:
    page.run()
    assert not page.exception, [e.message for e in page.exception]
    assert labels(page) == ["Tải XLSX", "Tải CSV", "Tải Parquet"]
    page.button(key="bc_soan").click().run()
    assert not page.exception, [e.message for e in page.exception]
    assert labels(page)[0] == "Tải báo cáo (.docx)"


def test_a_year_without_data_is_explained(page: AppTest) -> None:
    page.session_state[FILTERS_KEY] = Filters(
        snapshot=page.session_state[FILTERS_KEY].snapshot, year=2031, year_from=2027, year_to=2031
    )
    page.run()
    page.button(key="bc_soan").click().run()
    assert not page.exception
    assert any("Năm 2031 chưa có số liệu" in i.value for i in page.info)
    assert "Tải báo cáo (.docx)" not in labels(page)
