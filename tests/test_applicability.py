"""Tests for app.tables.applicability and the catalogue's applies_to and target columns:
blank, zero and "không áp dụng" are three things."""

from __future__ import annotations

import polars as pl

from app.tables.applicability import applicable_codes, applies, applies_expr, applies_to, not_applicable_note
from etl.catalogue import load_catalogue
from etl.registry import UNIT_TYPES


def test_catalogue_names_only_known_unit_types_and_keeps_every_type_for_blank() -> None:
    catalogue = load_catalogue()
    for ind in catalogue.values():
        assert set(ind.applies_to) <= set(UNIT_TYPES), ind.code
    assert catalogue["sat_inpatient_pct"].applies_to == ("bv_tinh", "bv_chuyen_khoa", "ttyt")
    assert catalogue["sat_staff_pct"].applies_to == ()  # every unit has staff
    assert catalogue["sat_inpatient_pct"].target == 90.0
    assert catalogue["cchc_score"].target is None


def test_an_indicator_concerns_only_the_types_the_catalogue_names() -> None:
    assert not applies("patient_visits", "tt_tinh")
    assert not applies("sat_inpatient_pct", "co_quan_so")
    assert applies("sat_inpatient_pct", "ttyt")
    assert applies("training_sessions", "co_quan_so")
    assert applies("sat_admin_pct", "chi_cuc") and not applies("sat_admin_pct", "bv_tinh")


def test_a_derived_rate_concerns_the_units_its_sources_concern() -> None:
    # complaints per 10.000 visits needs patient visits: not for a CDC
    assert applies_to("complaints_per_10k") == ("bv_tinh", "bv_chuyen_khoa", "ttyt")
    assert applies_to("training_per_staff") == ()
    assert applicable_codes(["complaints_per_10k", "resolution_rate_pct"], "tt_tinh") == [
        "resolution_rate_pct"
    ]


def test_expression_and_note() -> None:
    df = pl.DataFrame({"unit_type": ["ttyt", "tt_tinh", None]})
    assert df.select(applies_expr("sat_inpatient_pct"))["unit_type"].to_list() == [True, False, False]
    note = not_applicable_note(
        ["sat_inpatient_pct", "sat_staff_pct"], "tt_tinh", {"sat_inpatient_pct": "Hài lòng nội trú"}
    )
    assert note == "Không áp dụng cho trung tâm tuyến tỉnh: hài lòng nội trú."
    assert not_applicable_note(["sat_staff_pct"], "tt_tinh", {}) is None
