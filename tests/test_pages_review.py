"""AppTest checks of what issue 11 asked the leaders' pages to say: "không áp dụng" apart from
"chưa báo cáo", no internal codes, fair league tables, widgets that live in the address."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import TIMEOUT, chart_specs, kpi_cards, logged_in, open_page
from tests.test_queries import demo_database

CDC = "Trung tâm Kiểm soát bệnh tật tỉnh An Lạc"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.getbasetemp())


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    return logged_in(AppTest.from_file("../dashboard.py", default_timeout=TIMEOUT), demo_db)


def app_db(_at: AppTest) -> Path:
    return Path(os.environ["DASHBOARD_DB"])


def _table(at: AppTest, starts: str) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(starts))


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()[2:]]


def test_scorecard_says_not_applicable_where_a_unit_type_has_no_patients(app: AppTest) -> None:
    app.query_params["ss_don_vi"] = ["BVĐK tỉnh", "CDC"]
    at = open_page(app, "pages/compare.py")
    assert not at.exception
    card = _rows(_table(at, "| Chỉ tiêu"))
    header = _table(at, "| Chỉ tiêu").splitlines()[0]
    assert "CDC" in header and "BVĐK tỉnh" in header
    inpatient = next(r for r in card if r[0] == "Hài lòng nội trú")
    assert "Không áp dụng" in inpatient and "Chưa báo cáo" not in inpatient
    per_visit = next(r for r in card if r[0].startswith("Đơn thư / 10"))
    assert "Không áp dụng" in per_visit


def test_league_keeps_the_so_out_scores_coverage_of_what_applies_and_highlights_chosen(app: AppTest) -> None:
    app.query_params["ss_don_vi"] = ["BVĐK tỉnh", "CDC"]
    at = open_page(app, "pages/compare.py")
    league = _table(at, "| Hạng")
    rows = _rows(league)
    names = [r[2] for r in rows]
    assert not any("Sở Y tế" in n for n in names)  # ranked by the province, its own pool
    assert ":blue-background[CDC]" in names and ":blue-background[BVĐK\xa0tỉnh]" in names
    assert sum(n.startswith(":blue-background[") for n in names) == 2
    # a centre without patients is not short of data for lacking inpatient satisfaction
    cdc = next(r for r in rows if "CDC" in r[2])
    assert cdc[-1] == "100%" or cdc[-2] == "100%"
    assert "Thay đổi" in league.splitlines()[0]
    changes = [r[1] for r in rows]
    assert all(c in {"=", "–"} or (c[:1] in "▲▼" and 0 < int(c[2:]) < len(rows)) for c in changes), changes
    assert any(c[:1] in "▲▼" for c in changes) and any(
        c == "–" for c in changes
    )  # merged units: no past rank
    method = next(m.value for m in at.markdown if m.value.startswith("**Phương pháp tính**"))
    assert "bách phân vị" not in method.lower() and "điểm vị thế" in method


def test_league_sorts_by_a_column_from_the_address(app: AppTest) -> None:
    app.query_params["ss_sap_xep"] = "Tên đơn vị"
    at = open_page(app, "pages/compare.py")
    names = [
        r[2].removeprefix(":blue-background[").rstrip("]").replace("\xa0", " ")
        for r in _rows(_table(at, "| Hạng"))
    ]
    assert names == sorted(names)


def test_weights_read_the_vietnamese_way_and_come_from_the_address(app: AppTest) -> None:
    app.query_params["ss_w_cchc_score"] = "3,5"
    at = open_page(app, "pages/compare.py")
    assert not at.exception
    weights = next(c.value for c in at.caption if c.value.startswith("Trọng số đang dùng"))
    assert "Điểm CCHC 3,5" in weights and "Hài lòng nội trú 1,5" in weights
    assert at.selectbox(key="ss_w_cchc_score").value == 3.5
    assert all("." not in o for o in at.selectbox(key="ss_w_cchc_score").options)


def test_choosing_a_unit_type_keeps_two_units_to_compare(app: AppTest) -> None:
    app.query_params["ss_don_vi"] = ["BVĐK tỉnh", "CDC"]
    at = open_page(app, "pages/compare.py")
    at.sidebar.multiselect(key="loai").set_value(["tt_tinh"]).run()
    assert not at.exception
    chosen = at.multiselect(key="ss_don_vi").value
    assert "CDC" in chosen and len(chosen) >= 2
    assert not any("Chọn ít nhất 2 đơn vị" in i.value for i in at.info)


def test_profile_names_the_unit_without_its_code_and_leaves_out_surveys_that_do_not_apply(
    app: AppTest,
) -> None:
    app.query_params["don_vi"] = CDC
    app.query_params["hs_linh_vuc"] = "Sự hài lòng"
    at = open_page(app, "pages/unit_profile.py")
    assert not at.exception
    picker = at.selectbox(key="don_vi")
    assert picker.value == "CDC"
    assert all("(" not in o or "_" not in o for o in picker.options)  # no "(TTYTKV_HOATHUAN)"
    assert not any("CDC)" in c.value or "Mã CDC" in c.value for c in at.caption)
    assert any(
        c.value.startswith("Không áp dụng cho trung tâm tuyến tỉnh: hài lòng nội trú") for c in at.caption
    )
    names = [t.get("name") or "" for spec in chart_specs(at) for t in spec["data"]]
    assert any("nhân viên" in n for n in names) and not any("nội trú" in n for n in names)


@pytest.mark.parametrize(
    ("path", "params", "key", "value"),
    [
        ("pages/satisfaction.py", {"hl_muc_tieu": "85,0%"}, "hl_muc_tieu", 85.0),
        ("pages/satisfaction.py", {"hl_khao_sat": "Hài lòng ngoại trú"}, "hl_khao_sat", "sat_outpatient_pct"),
        (
            "pages/overview.py",
            {"tq_chi_tiet": "Đơn vị thay đổi nhiều nhất", "tq_chi_tieu": "Hài lòng nhân viên y tế (%)"},
            "tq_chi_tieu",
            "sat_staff_pct",
        ),
        ("pages/cchc.py", {"cchc_don_vi": ["BV Mắt", "CDC"]}, "cchc_don_vi", ["BVM", "CDC"]),
    ],
    ids=["target", "survey", "movers", "cchc_highlight"],
)
def test_a_page_widget_is_read_from_the_address(
    app: AppTest, path: str, params: dict, key: str, value
) -> None:
    for name, v in params.items():
        app.query_params[name] = v
    at = open_page(app, path)
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[key] == value


def test_overview_cards_say_what_they_rest_on_and_sums_compare_the_same_units(app: AppTest) -> None:
    at = open_page(app, "pages/overview.py")
    cards = kpi_cards(at)
    # 13 units have inpatients in 2025: the card's base is theirs, not every unit's
    assert 'kpi-basis">13/13 đơn vị báo cáo<' in cards
    assert 'kpi-basis">19/19 đơn vị báo cáo<' in cards
    # 2025 has 19 units after the mergers, 2024 had 28: the change is over the 14 in both years
    assert "so với 2024, cùng 14 đơn vị báo cáo cả hai năm" in cards
    assert "trong số đơn vị được Sở đánh giá" in cards


def test_overview_opens_with_a_sentence_and_links_each_unit_needing_attention_to_its_profile(
    app: AppTest,
) -> None:
    app.query_params["nam"] = "2023"
    at = open_page(app, "pages/overview.py")
    assert not at.exception
    assert any(m.value.startswith("Năm 2023: ") and "đơn vị cần chú ý" in m.value for m in at.markdown)
    listed = next(m.value for m in at.markdown if m.value.startswith("- [**"))
    line = next(x for x in listed.splitlines() if x.endswith("chưa nộp báo cáo năm 2023"))
    match = re.match(r"- \[\*\*(.+?)\*\*\]\((ho-so-don-vi\?[^)]+)\): ", line)
    assert match, line
    assert match.group(1) == "TT Giám định y khoa"
    # following the link opens that unit's profile, in that year
    profile = logged_in(AppTest.from_file("../dashboard.py", default_timeout=TIMEOUT), app_db(app))
    for key, values in parse_qs(match.group(2).split("?", 1)[1]).items():
        profile.query_params[key] = values
    profile = open_page(profile, "pages/unit_profile.py")
    assert not profile.exception
    assert profile.selectbox(key="don_vi").value == "TTGDYK"
    assert profile.sidebar.selectbox(key="nam").value == 2023


def test_overview_gathers_the_units_difficulties_and_proposals_by_point(app: AppTest) -> None:
    app.query_params["tq_chi_tiet"] = "Khó khăn, đề xuất của các đơn vị"
    at = open_page(app, "pages/overview.py")
    assert not at.exception
    lists = [m.value for m in at.markdown if m.value.startswith("- ") and not m.value.startswith("- [**")]
    assert len(lists) == 2 and all(" — *" in line for text in lists for line in text.splitlines())
    assert any(m.value.startswith("**Khó khăn, hạn chế** (") for m in at.markdown)


def test_complaints_table_tells_not_applicable_and_nothing_to_resolve_from_not_reported(app: AppTest) -> None:
    at = open_page(app, "pages/complaints.py")
    assert not at.exception
    rows = {r[0]: r for r in _rows(_table(at, "| Đơn vị | Tiếp nhận |"))}
    cdc = rows["CDC"]
    assert cdc.count("Không\xa0áp\xa0dụng") == 2 and "Chưa\xa0báo\xa0cáo" not in cdc  # no visits at a CDC
    assert any("0 đơn, không có gì cần giải quyết" in cell for cell in rows["TT\xa0Cấp\xa0cứu\xa0115"])


def test_a_merged_units_profile_says_why_its_cchc_rank_starts_with_it(app: AppTest) -> None:
    app.query_params["don_vi"] = "Trung tâm Y tế khu vực Hòa Thuận"
    app.query_params["cach_tinh"] = "Quy đổi theo cơ cấu hiện tại"
    at = open_page(app, "pages/unit_profile.py")
    assert not at.exception
    assert any(
        c.value.startswith("Thứ hạng CCHC chỉ có từ năm 2025: mỗi năm là một đợt xếp hạng riêng")
        for c in at.caption
    )


def test_cchc_league_highlights_the_units_chosen_on_the_chart(app: AppTest) -> None:
    app.query_params["cchc_goc_nhin"] = "Bảng xếp hạng theo năm"
    app.query_params["cchc_don_vi"] = ["BV Mắt", "CDC"]
    at = open_page(app, "pages/cchc.py")
    assert not at.exception
    names = [r[1] for r in _rows(_table(at, "| Hạng"))]
    assert sorted(n for n in names if n.startswith(":blue-background[")) == [
        ":blue-background[BV\xa0Mắt]",
        ":blue-background[CDC]",
    ]
