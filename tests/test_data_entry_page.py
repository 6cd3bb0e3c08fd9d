"""AppTest of «Nhập trực tiếp» on the demo province: the administrator picks a unit and corrects a
year (pre-filled from the values in force), a typed error appears by its field and locks the
submit button; a unit's account gets its own unit only. Nothing is saved here (the demo database
is the session's): saving and submitting are tests/test_entry.py and the browser test."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import TIMEOUT, dashboard_on, demo_db, logged_in, opened  # noqa: F401  (demo_db is a fixture)

PAGE = "pages/data_entry.py"


@pytest.fixture
def dashboard(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:  # noqa: F811
    return dashboard_on(demo_db, monkeypatch)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def test_the_administrator_corrects_a_units_year_from_its_values_in_force(dashboard, demo_db):  # noqa: F811
    at = opened(logged_in(dashboard, demo_db, "quan_tri"), PAGE)
    units = at.selectbox(key="don_vi")
    assert "TT Kiểm nghiệm" in units.options  # shown by name, never by code
    units.set_value("TTKN").run()
    at.selectbox(key="nam").set_value(2025).run()
    assert not at.exception, at.exception

    prefix = "nt_0_TTKN_2025_"
    assert at.text_input(key=prefix + "staff_total").value == "125"
    assert at.text_input(key=prefix + "sat_staff_pct").value == "85,6"
    assert at.selectbox(key=prefix + "dv_self_rating").value == "Xuất sắc"
    assert at.selectbox(key=prefix + "qcdc_conference").value == "Có"
    text = _texts(at)
    assert "Đã điền sẵn số liệu đang dùng của năm 2025" in text
    assert "Không áp dụng cho trung tâm tuyến tỉnh" in text
    assert not at.button(key="nt_nop").disabled

    at.text_input(key=prefix + "staff_total").input("12O").run()

    text = _texts(at)
    assert "«12O» không phải là số" in text and "Còn 1 lỗi, cần sửa trước khi nộp" in text
    assert at.button(key="nt_nop").disabled


def test_a_unit_account_enters_its_own_unit_only(dashboard, demo_db):  # noqa: F811
    at = opened(logged_in(dashboard, demo_db, "bvm"), PAGE)
    assert not [s for s in at.selectbox if s.key == "don_vi"]
    assert "**Đơn vị:** Bệnh viện Mắt tỉnh An Lạc" in [m.value for m in at.markdown]
    keys = {t.key for t in at.text_input}
    assert any(k.endswith("_BVM_2026_staff_total") for k in keys) and not any("CDC" in k for k in keys)
