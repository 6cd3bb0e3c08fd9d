"""Validation rules, driven by the catalogue, with messages that name file, place and fix."""

from datetime import date
from pathlib import Path

import pytest

from etl.registry import DEMO_REGISTRY_CSV, Registry, read_registry
from etl.staging import ParsedFile, RawCell, RawRecord
from etl.validate import flag_outliers, validate

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def registry():
    return Registry(read_registry(DEMO_REGISTRY_CSV))


def _file(cells: dict, unit="BVDKT", year="2024", name="bao_cao.xlsx", unit_name=None) -> ParsedFile:
    raw_cells = [RawCell(code, value, f"Báo cáo!F{10 + i}") for i, (code, value) in enumerate(cells.items())]
    record = RawRecord(unit, "Báo cáo!C5", year, "Báo cáo!C7", raw_cells, unit_name_text=unit_name)
    return ParsedFile(Path(name), "template", [record])


def test_a_clean_file_is_accepted(registry):
    result = validate(
        _file({"staff_total": "1.234", "sat_inpatient_pct": "92,5", "sat_inpatient_n": 300.0}),
        registry,
        TODAY,
    )
    assert not result.errors
    assert (result.unit_code, result.year) == ("BVDKT", 2024)
    values = {v.indicator_code: v.value_num for v in result.records[0].values}
    assert values == {"staff_total": 1234, "sat_inpatient_pct": 92.5, "sat_inpatient_n": 300}


def test_blank_cells_are_not_stored(registry):
    result = validate(_file({"staff_total": "100", "complaints_received": None}), registry, TODAY)
    assert [v.indicator_code for v in result.records[0].values] == ["staff_total"]


def test_unknown_unit_names_the_closest_units(registry):
    result = validate(_file({"staff_total": "10"}, unit="TTYT Hòa Thuân Nam"), registry, TODAY)
    [err] = result.errors
    assert err.where == "Báo cáo!C5"
    assert "bao_cao.xlsx" in err.message
    assert "trang «Báo cáo», ô C5" in err.message
    assert "TTYT_HOATHUAN" in err.message
    assert "Cách sửa" in err.message
    assert not result.records


def test_unit_found_by_name_when_code_is_blank(registry):
    result = validate(
        _file({"staff_total": "10"}, unit=None, unit_name="Trung tâm Y tế huyện Hoà Thuận"), registry, TODAY
    )
    assert result.unit_code == "TTYT_HOATHUAN"
    assert not result.errors


@pytest.mark.parametrize(
    ("year", "fragment"),
    [("2027", "tương lai"), ("năm ngoái", "không đọc được năm"), ("1999", "quá xa")],
)
def test_bad_years(registry, year, fragment):
    result = validate(_file({"staff_total": "10"}, year=year), registry, TODAY)
    assert fragment in result.errors[0].message


def test_unit_not_active_that_year_points_to_successor(registry):
    result = validate(_file({"staff_total": "10"}, unit="TTYT_PHULAM", year="2025"), registry, TODAY)
    [err] = result.errors
    assert "TTYTKV_HOATHUAN" in err.message


def test_unit_before_it_existed_points_to_predecessors(registry):
    result = validate(_file({"staff_total": "10"}, unit="CDC", year="2016"), registry, TODAY)
    assert "TTYTDP" in result.errors[0].message


def test_cross_field_error_rejects_the_file(registry):
    result = validate(
        _file({"complaints_received": "10", "complaints_carried_in": None, "complaints_resolved": "12"}),
        registry,
        TODAY,
    )
    [err] = result.errors
    assert err.indicator == "complaints_resolved"
    assert err.where == "Báo cáo!F12"
    assert "trống, tính là 0" in err.message
    assert not result.records


def test_cross_field_warning_keeps_the_file(registry):
    result = validate(_file({"staff_total": "10", "training_participants": "500"}), registry, TODAY)
    assert not result.errors
    assert any(w.indicator == "training_participants" for w in result.warnings)


def test_rate_without_sample_size_is_a_warning(registry):
    result = validate(_file({"sat_outpatient_pct": "95"}), registry, TODAY)
    assert not result.errors
    assert any("Số phiếu khảo sát người bệnh ngoại trú" in w.message for w in result.warnings)


def test_unknown_indicator_code_suggests_codes(registry):
    result = validate(_file({"sat_inpatient_pc": "95"}), registry, TODAY)
    assert "sat_inpatient_pct" in result.errors[0].message


def test_one_bad_cell_rejects_the_whole_file(registry):
    result = validate(_file({"staff_total": "100", "sat_inpatient_pct": "trên 90%"}), registry, TODAY)
    assert len(result.errors) == 1
    assert result.errors[0].where == "Báo cáo!F11"
    assert not result.records


def test_wide_file_duplicate_unit_year(registry):
    rec = RawRecord(
        "BVDKT", "dòng 2", "2020", "dòng 2", [RawCell("staff_total", "10", "dòng 2, cột staff_total")]
    )
    rec2 = RawRecord(
        "bvdkt", "dòng 3", 2020.0, "dòng 3", [RawCell("staff_total", "11", "dòng 3, cột staff_total")]
    )
    result = validate(ParsedFile(Path("lich_su.csv"), "wide", [rec, rec2]), registry, TODAY)
    assert "xuất hiện hai lần" in result.errors[0].message
    assert "dòng 3" in result.errors[0].message


def test_outliers_against_the_units_own_history_are_warnings(registry):
    result = validate(_file({"complaints_received": "400"}), registry, TODAY)
    history = {
        ("BVDKT", "complaints_received"): [
            (2019, 20.0),
            (2020, 22.0),
            (2021, 18.0),
            (2022, 25.0),
            (2023, 21.0),
        ]
    }
    [warning] = flag_outliers("bao_cao.xlsx", result.records, history)
    assert warning.indicator == "complaints_received"
    assert "trung vị 21" in warning.message
    calm = validate(_file({"complaints_received": "24"}), registry, TODAY)
    assert flag_outliers("bao_cao.xlsx", calm.records, history) == []


def test_small_counts_and_ranks_are_not_flagged_as_outliers(registry):
    history = {
        ("BVDKT", "complaints_protracted"): [(2019, 2.0), (2020, 1.0), (2021, 2.0), (2022, 3.0), (2023, 2.0)],
        ("BVDKT", "cchc_rank"): [(2019, 2.0), (2020, 1.0), (2021, 2.0), (2022, 3.0), (2023, 2.0)],
    }
    result = validate(
        _file({"complaints_protracted": "7", "cchc_rank": "25", "cchc_rank_of": "30"}), registry, TODAY
    )
    assert flag_outliers("bao_cao.xlsx", result.records, history) == []
