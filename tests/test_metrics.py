"""Tests for app.metrics: ranks and pools, percentiles, Wilson intervals, rates, composite, restating."""

from __future__ import annotations

import math

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.metrics import (
    NOTE_LOW_COVERAGE,
    NOTE_NO_WEIGHTS,
    competition_rank,
    complaints_outstanding,
    composite_index,
    movers,
    per_10k,
    rank_percentile,
    resolution_rate,
    robust_z,
    standing,
    wilson_interval,
)


def _by_unit(df: pl.DataFrame, col: str, key: str = "unit_code") -> dict:
    return dict(zip(df[key].to_list(), df[col].to_list(), strict=True))


# ---------------------------------------------------------------- ranks


def test_competition_rank_ties_nulls_and_pools_never_mixed():
    df = pl.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D", "E", "SYT", "A", "B"],
            "year": [2024, 2024, 2024, 2024, 2024, 2024, 2025, 2025],
            "rank_pool": ["so", "so", "so", "so", "so", "tinh", "so", "so"],
            "cchc_score": [90.0, 85.0, 85.0, 80.0, None, 70.0, 60.0, float("nan")],
        }
    )
    before = df.clone()
    ranked = competition_rank(df, "cchc_score", ["year", "rank_pool"])

    assert_frame_equal(df, before)  # input untouched
    y2024 = ranked.filter(pl.col("year") == 2024)
    # đồng hạng: 1, 2, 2, 4; the blank is not ranked (and not last)
    assert _by_unit(y2024, "rank_computed") == {"A": 1, "B": 2, "C": 2, "D": 4, "E": None, "SYT": 1}
    assert _by_unit(y2024, "n_ranked") == {"A": 4, "B": 4, "C": 4, "D": 4, "E": 4, "SYT": 1}
    # the Sở's 70 points would rank last among the units if pools were mixed
    y2025 = ranked.filter(pl.col("year") == 2025)
    assert _by_unit(y2025, "rank_computed") == {"A": 1, "B": None}  # NaN is blank, not a score
    assert _by_unit(y2025, "n_ranked") == {"A": 1, "B": 1}


def test_competition_rank_lower_is_better_and_no_groups():
    df = pl.DataFrame({"unit_code": ["A", "B", "C"], "complaints_protracted": [3, 0, 0]})
    ranked = competition_rank(df, "complaints_protracted", [], higher_is_better=False)
    assert _by_unit(ranked, "rank_computed") == {"A": 3, "B": 1, "C": 1}


def test_rank_percentile_best_is_100_and_single_unit_pool():
    df = pl.DataFrame({"rank": [1, 10, 19, 1, None, 20], "n": [19, 19, 19, 1, 19, 19]})
    pct = df.select(rank_percentile(pl.col("rank"), pl.col("n")).alias("pct"))["pct"].to_list()
    # 9/19 in 2020 and 18/20 in 2017 (seed 004) compare as percentiles
    assert pct == [100.0, 50.0, 0.0, 100.0, None, None]
    assert pl.select(rank_percentile(pl.lit(18), pl.lit(20))).item() == pytest.approx(100 * 2 / 19)


def test_rank_percentile_of_computed_ranks_with_ties():
    df = pl.DataFrame({"unit_code": ["A", "B", "C"], "year": [2024] * 3, "cchc_score": [90.0, 90.0, 70.0]})
    ranked = competition_rank(df, "cchc_score", ["year"]).with_columns(
        pct=rank_percentile(pl.col("rank_computed"), pl.col("n_ranked"))
    )
    assert _by_unit(ranked, "pct") == {"A": 100.0, "B": 100.0, "C": 0.0}


# ---------------------------------------------------------------- Wilson


def test_wilson_interval_90_pct_of_100_forms():
    """Hand calculation, p = 0.9, n = 100, z = 1.96 (z² = 3.8416).

    denominator = 1 + z²/n = 1.038416
    centre      = (0.9 + 3.8416/200) / 1.038416 = 0.919208 / 1.038416 = 0.885202
    half-width  = 1.96 * sqrt(0.9*0.1/100 + 3.8416/40000) / 1.038416
                = 1.96 * sqrt(0.00099604) / 1.038416 = 1.96 * 0.0315601 / 1.038416 = 0.0595694
    bounds      = 0.825633 .. 0.944771  ->  82,56% .. 94,48%
    """
    df = pl.DataFrame({"sat_inpatient_pct": [90.0], "sat_inpatient_n": [100]})
    lo, hi = wilson_interval("sat_inpatient_pct", "sat_inpatient_n")
    out = df.with_columns(lo, hi)
    assert out.columns[-2:] == ["sat_inpatient_pct_lo", "sat_inpatient_pct_hi"]
    assert out["sat_inpatient_pct_lo"].item() == pytest.approx(82.5633, abs=1e-4)
    assert out["sat_inpatient_pct_hi"].item() == pytest.approx(94.4771, abs=1e-4)


def test_wilson_interval_blank_or_zero_forms_and_bounds():
    df = pl.DataFrame(
        {
            "pct": [90.0, 90.0, None, 100.0, 0.0, 90.0, 90.0],
            "n": [0, None, 100, 10, 10, 12, 1200],
        }
    )
    lo, hi = wilson_interval("pct", "n")
    rows = df.select(lo, hi).rows()
    assert rows[0] == (None, None)  # n = 0
    assert rows[1] == (None, None)  # n blank
    assert rows[2] == (None, None)  # percentage blank
    # 10/10 satisfied: upper bound exactly 100, lower bound 1 / (1 + z²/n)
    assert rows[3][1] == 100.0
    assert rows[3][0] == pytest.approx(100 / (1 + 1.96**2 / 10))
    assert rows[4][0] == 0.0
    # the same 90% from 12 forms is much weaker evidence than from 1.200
    width_12 = rows[5][1] - rows[5][0]
    width_1200 = rows[6][1] - rows[6][0]
    assert width_12 > 5 * width_1200
    assert all(0 <= v <= 100 for row in rows[3:] for v in row)


# ---------------------------------------------------------------- rates


def test_resolution_rate_blank_is_not_zero():
    df = pl.DataFrame(
        {
            "unit_code": [
                "normal",
                "carried_blank",
                "resolved_blank",
                "all_blank",
                "received_blank",
                "zero_denominator",
                "zero_resolved",
            ],
            "complaints_received": [8, 8, 8, None, None, 0, 4],
            "complaints_carried_in": [2, None, 2, None, 3, None, 0],
            "complaints_resolved": [5, 6, None, 2, 3, 0, 0],
        }
    )
    before = df.clone()
    out = resolution_rate(df)
    assert_frame_equal(df, before)
    assert _by_unit(out, "resolution_rate_pct") == {
        "normal": 50.0,
        "carried_blank": 75.0,  # catalogue: a blank carried_in counts as 0
        "resolved_blank": None,
        "all_blank": None,
        "received_blank": None,  # intake unknown: no denominator
        "zero_denominator": None,  # nothing to resolve is not 0% or 100%
        "zero_resolved": 0.0,  # 0 resolved out of 4 is a real 0%
    }


def test_complaints_outstanding_follows_the_same_blank_rules():
    df = pl.DataFrame(
        {
            "complaints_received": [8, 8, None],
            "complaints_carried_in": [2, None, 2],
            "complaints_resolved": [5, 6, 1],
        }
    )
    assert complaints_outstanding(df)["complaints_outstanding"].to_list() == [5.0, 2.0, None]


def test_per_10k_null_when_base_blank_or_zero():
    df = pl.DataFrame({"complaints_received": [5, 5, 5, None], "patient_visits": [20_000, 0, None, 1000]})
    out = df.select(per_10k(pl.col("complaints_received"), pl.col("patient_visits")).alias("rate"))
    assert out["rate"].to_list() == [2.5, None, None, None]


# ---------------------------------------------------------------- composite index

WEIGHTS = {"sat_inpatient_pct": 2.0, "complaints_protracted": 1.0}
DIRECTIONS = {"sat_inpatient_pct": "up", "complaints_protracted": "down"}


def _composite_input() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D", "E", "A", "B", "C"],
            "year": [2024] * 5 + [2025] * 3,
            "sat_inpatient_pct": [95.0, 90.0, 92.0, None, None, 90.0, 90.0, 80.0],
            "complaints_protracted": [2, 0, None, None, 5, 1, 1, 1],
            "staff_total": [100, 200, 300, 400, 500, 100, 200, 300],
        }
    )


def test_composite_index_missing_indicator_and_low_coverage():
    wide = _composite_input()
    before = wide.clone()
    out = composite_index(wide, WEIGHTS, DIRECTIONS).filter(pl.col("year") == 2024)
    assert_frame_equal(wide, before)

    # satisfaction percentiles among A 95, C 92, B 90: 100, 50, 0
    assert _by_unit(out, "pct_sat_inpatient_pct") == {"A": 100.0, "B": 0.0, "C": 50.0, "D": None, "E": None}
    # protracted cases, lower is better, among B 0, A 2, E 5: 100, 50, 0 (E still counts here)
    assert _by_unit(out, "pct_complaints_protracted") == {
        "A": 50.0,
        "B": 100.0,
        "C": None,
        "D": None,
        "E": 0.0,
    }
    composite = _by_unit(out, "composite")
    assert composite["A"] == pytest.approx((2 * 100 + 1 * 50) / 3)
    assert composite["B"] == pytest.approx((2 * 0 + 1 * 100) / 3)
    # C did not report protracted cases: weights renormalised, not counted as a zero (33,3)
    assert composite["C"] == pytest.approx(50.0)
    assert _by_unit(out, "coverage") == pytest.approx({"A": 1.0, "B": 1.0, "C": 2 / 3, "D": 0.0, "E": 1 / 3})
    # E reported a third of the weight (< 0.5) and D nothing: no composite, said so
    assert composite["D"] is None and composite["E"] is None
    assert _by_unit(out, "note") == {
        "A": None,
        "B": None,
        "C": None,
        "D": NOTE_LOW_COVERAGE,
        "E": NOTE_LOW_COVERAGE,
    }
    assert _by_unit(out, "rank") == {"A": 1, "C": 2, "B": 3, "D": None, "E": None}
    assert out["unit_code"].to_list()[:3] == ["A", "C", "B"]  # best first
    assert set(out["n_ranked"].to_list()) == {3}
    assert "staff_total" not in out.columns


def test_composite_index_years_apart_and_ties_share_a_rank():
    out = composite_index(_composite_input(), WEIGHTS, DIRECTIONS).filter(pl.col("year") == 2025)
    # equal values tie on both indicators: đồng hạng 1, 1, then 3
    assert _by_unit(out, "rank") == {"A": 1, "B": 1, "C": 3}
    assert _by_unit(out, "composite") == pytest.approx({"A": 100.0, "B": 100.0, "C": 100 / 3})


def test_composite_index_min_coverage_and_zero_weights():
    wide = _composite_input()
    out = composite_index(wide, WEIGHTS, DIRECTIONS, min_coverage=0.0).filter(pl.col("year") == 2024)
    assert _by_unit(out, "composite")["E"] == 0.0  # ranked last on the one indicator it reported
    assert _by_unit(out, "composite")["D"] is None  # reported nothing at all

    only_sat = composite_index(wide, {**WEIGHTS, "complaints_protracted": 0}, DIRECTIONS)
    assert "pct_complaints_protracted" not in only_sat.columns
    assert _by_unit(only_sat.filter(pl.col("year") == 2024), "composite")["C"] == 50.0

    nothing = composite_index(wide, {"sat_inpatient_pct": 0.0}, DIRECTIONS)
    assert nothing["composite"].null_count() == nothing.height
    assert set(nothing["note"].to_list()) == {NOTE_NO_WEIGHTS}


@pytest.mark.parametrize(
    ("weights", "directions"),
    [
        ({"sat_inpatient_pct": -1.0}, DIRECTIONS),
        ({"beds_planned": 1.0}, {"beds_planned": "up"}),  # not a column of the frame
        ({"staff_total": 1.0}, {"staff_total": "none"}),  # no better or worse
    ],
)
def test_composite_index_rejects_unusable_weights(weights, directions):
    with pytest.raises(ValueError):
        composite_index(_composite_input(), weights, directions)


# ---------------------------------------------------------------- movers and standing


def test_movers_direction_aware_and_blank_years_excluded():
    wide = pl.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D", "A", "B", "C", "D", "E"],
            "year": [2023] * 4 + [2024] * 5,
            "sat_inpatient_pct": [80.0, 90.0, None, 88.0, 90.0, 85.0, 90.0, 88.0, 95.0],
            "complaints_received": [10, 4, 5, 0, 5, 8, 5, 3, 1],
        }
    )
    up = movers(wide, "sat_inpatient_pct", 2024, "up")
    # C was blank in 2023 and E did not exist: neither is a move
    assert up["unit_code"].to_list() == ["A", "D", "B"]
    assert up["delta"].to_list() == [10.0, 0.0, -5.0]
    assert up["improved"].to_list() == [True, None, False]
    assert up["delta_rel_pct"].to_list() == pytest.approx([12.5, 0.0, -5 / 90 * 100])

    down = movers(wide, "complaints_received", 2024, "down")
    # fewer complaints is better: A (10 -> 5) improved most, D (0 -> 3) has no relative change
    assert down["unit_code"].to_list() == ["A", "C", "D", "B"]
    assert down["improved"].to_list() == [True, None, False, False]
    assert _by_unit(down, "delta_rel_pct")["D"] is None


def test_standing_scalar_and_expression():
    assert standing(92.0, 90.0, "up") == "better"
    assert standing(88.0, 90.0, "up") == "worse"
    assert standing(2, 5, "down") == "better"
    assert standing(90.0, 90.0, "up") == "same"
    assert standing(500, 90, "none") == "same"
    assert standing(None, 90, "none") == "missing"
    assert standing(float("nan"), 90, "up") == "missing"
    assert standing(0, 90, "up") == "worse"  # a reported 0 is a value
    assert standing(91.0, 90.0, "up", tolerance=1.5) == "same"

    df = pl.DataFrame(
        {
            "value": [92.0, 88.0, 2.0, None, 500.0, 5.0],
            "median": [90.0, 90.0, 5.0, 90.0, 90.0, None],
            "direction": ["up", "up", "down", "up", "none", "up"],
        }
    )
    out = df.select(standing(pl.col("value"), pl.col("median"), pl.col("direction")).alias("s"))
    assert out["s"].to_list() == ["better", "worse", "better", "missing", "same", "same"]


def test_robust_z_flags_an_outlier_in_a_units_history():
    df = pl.DataFrame(
        {"unit_code": ["A"] * 5 + ["B"] * 3, "value_num": [90, 91, 92, 89, 20, 50, 50, 50]},
    )
    z = df.with_columns(z=robust_z(pl.col("value_num")).over("unit_code"))["z"].to_list()
    assert abs(z[4]) > 3.5 and all(abs(v) < 3.5 for v in z[:4])
    assert z[5:] == [None, None, None]  # a flat history has no spread to judge by
    assert not math.isnan(z[0])


def test_composite_index_leaves_out_what_does_not_apply_and_scores_a_met_target_in_full():
    wide = pl.DataFrame(
        {
            "unit_code": ["HOSPITAL", "BEST", "CENTRE", "LOW"],
            "year": [2025] * 4,
            "sat_inpatient_pct": [93.3, 99.0, None, 85.0],
            "complaints_protracted": [0, 0, 0, 2],
            "has_patients": [True, True, False, True],
        }
    )
    plain = composite_index(wide, WEIGHTS, DIRECTIONS)
    assert _by_unit(plain, "coverage")["CENTRE"] == pytest.approx(1 / 3)  # a blank it could never fill
    assert _by_unit(plain, "pct_sat_inpatient_pct")["HOSPITAL"] == 50.0
    out = composite_index(
        wide,
        WEIGHTS,
        DIRECTIONS,
        applicable={"sat_inpatient_pct": "has_patients"},
        targets={"sat_inpatient_pct": 90.0},
    )
    # the centre has no inpatients: its coverage is complete and its index rests on what applies
    assert _by_unit(out, "coverage")["CENTRE"] == 1.0
    assert _by_unit(out, "composite")["CENTRE"] == 100.0
    # 93,3% over the 90% target scores in full whatever its rank; 85% under it keeps its rank's score
    assert _by_unit(out, "pct_sat_inpatient_pct") == {
        "HOSPITAL": 100.0,
        "BEST": 100.0,
        "CENTRE": None,
        "LOW": 0.0,
    }
    assert "has_patients" not in out.columns
