"""Restating to today's units: renames, mergers, survey-size weights, blanks, the wide panel."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from etl.catalogue import load_catalogue
from etl.registry import Registry, Unit
from etl.restate import restate_to_current, restate_wide


def _by_unit(df: pl.DataFrame, col: str, key: str = "unit_code") -> dict:
    return dict(zip(df[key].to_list(), df[col].to_list(), strict=True))


def _unit(code: str, successor: str | None = None) -> Unit:
    return Unit(code, code, code, "ttyt", "Phía Bắc", 2015, None, successor, "so")


def _lineage(units: list[Unit]) -> pl.DataFrame:
    registry = Registry(units)
    return pl.DataFrame(
        {
            "unit_code": list(registry.units),
            "current_code": [registry.current_successor(c) for c in registry.units],
        }
    )


def _long(rows: list[tuple[str, int, str, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unit_code": pl.String,
            "year": pl.Int64,
            "indicator_code": pl.String,
            "value_num": pl.Float64,
        },
        orient="row",
    )


def test_restate_merger_sums_and_weights_by_survey_size():
    lineage = _lineage(
        [
            _unit("TTYT_PHULAM", "TTYTKV_HOATHUAN"),
            _unit("TTYT_HOATHUAN", "TTYTKV_HOATHUAN"),
            _unit("TTYTKV_HOATHUAN"),
        ]
    )
    long = _long(
        [
            ("TTYT_PHULAM", 2024, "complaints_received", 3),
            ("TTYT_PHULAM", 2024, "sat_inpatient_pct", 90),
            ("TTYT_PHULAM", 2024, "sat_inpatient_n", 100),
            ("TTYT_PHULAM", 2024, "sat_admin_pct", 80),
            ("TTYT_PHULAM", 2024, "cchc_score", 85),
            ("TTYT_HOATHUAN", 2024, "complaints_received", 5),
            ("TTYT_HOATHUAN", 2024, "sat_inpatient_pct", 80),
            ("TTYT_HOATHUAN", 2024, "sat_inpatient_n", 300),
            ("TTYT_HOATHUAN", 2024, "sat_admin_pct", 90),
            ("TTYT_HOATHUAN", 2024, "cchc_score", 70),
            ("TTYTKV_HOATHUAN", 2025, "complaints_received", 10),
            ("BVM", 2024, "complaints_received", 1),  # not in the lineage: stands for itself
        ]
    )
    before = long.clone()
    out = restate_to_current(long, lineage, load_catalogue())
    assert_frame_equal(long, before)

    merged = out.filter((pl.col("unit_code") == "TTYTKV_HOATHUAN") & (pl.col("year") == 2024))
    values = _by_unit(merged, "value_num", key="indicator_code")
    assert values == {
        "complaints_received": 8.0,
        "sat_admin_pct": 85.0,
        "sat_inpatient_n": 400.0,
        # (90 * 100 + 80 * 300) / 400, not the plain mean 85
        "sat_inpatient_pct": 82.5,
    }  # cchc_score dropped: scores belong to their pool and year
    assert _by_unit(merged, "method", key="indicator_code")["sat_inpatient_pct"] == "wmean"
    assert set(merged["n_sources"].to_list()) == {2}
    assert set(merged["source_units"].to_list()) == {"TTYT_HOATHUAN, TTYT_PHULAM"}

    own = out.filter(pl.col("year") == 2025).row(0, named=True)
    assert (own["unit_code"], own["value_num"], own["source_units"]) == (
        "TTYTKV_HOATHUAN",
        10.0,
        "TTYTKV_HOATHUAN",
    )
    assert out.filter(pl.col("unit_code") == "BVM")["value_num"].to_list() == [1.0]


def test_restate_falls_back_to_mean_without_survey_size_and_keeps_blanks():
    lineage = _lineage([_unit("P", "K"), _unit("Q", "K"), _unit("K")])
    long = _long(
        [
            ("P", 2023, "sat_inpatient_pct", 90),
            ("P", 2023, "sat_inpatient_n", 100),
            ("Q", 2023, "sat_inpatient_pct", 80),  # Q gave no survey size
            ("P", 2023, "complaints_received", 3),
            ("Q", 2023, "complaints_received", None),  # blank, not 0
        ]
    )
    out = restate_to_current(long, lineage, load_catalogue())
    sat = out.filter(pl.col("indicator_code") == "sat_inpatient_pct").row(0, named=True)
    assert (sat["value_num"], sat["method"], sat["n_sources"]) == (85.0, "mean_fallback", 2)
    complaints = out.filter(pl.col("indicator_code") == "complaints_received").row(0, named=True)
    # only P contributed: the chart must say "from P", not pretend Q reported 0
    assert (complaints["value_num"], complaints["n_sources"], complaints["source_units"]) == (3.0, 1, "P")


def test_restate_follows_a_rename_chain():
    lineage = _lineage([_unit("OLD", "MID"), _unit("MID", "NEW"), _unit("NEW")])
    long = _long(
        [
            ("OLD", 2015, "training_sessions", 4),
            ("MID", 2016, "training_sessions", 5),
            ("NEW", 2017, "training_sessions", 6),
        ]
    )
    out = restate_to_current(long, lineage, load_catalogue())
    assert out["unit_code"].to_list() == ["NEW", "NEW", "NEW"]
    assert out["value_num"].to_list() == [4.0, 5.0, 6.0]
    assert out["source_units"].to_list() == ["OLD", "MID", "NEW"]


def test_restate_wide_combines_merged_units_and_leaves_the_rest_alone():
    lineage = _lineage([_unit("P", "K"), _unit("Q", "K"), _unit("K"), _unit("OLD", "NEW"), _unit("NEW")])
    wide = pl.DataFrame(
        {
            "unit_code": ["P", "Q", "K", "OLD", "NEW", "BVM"],
            "year": [2023, 2023, 2025, 2023, 2025, 2023],
            "complaints_received": [3, 5, 10, 2, 4, None],
            "cchc_score": [85.0, 70.0, 90.0, 60.0, 61.0, 88.0],
            "highlights": ["p", "q", "k", "old", "new", "bvm"],
        },
        schema_overrides={"year": pl.Int32},
    )
    out = restate_wide(wide, lineage, load_catalogue())
    assert out.columns == [*wide.columns, "n_sources", "source_units"]
    assert (
        out.schema["year"] == pl.Int32
        and out.schema["complaints_received"] == wide.schema["complaints_received"]
    )
    rows = {(r["unit_code"], r["year"]): r for r in out.iter_rows(named=True)}
    assert set(rows) == {("K", 2023), ("K", 2025), ("NEW", 2023), ("NEW", 2025), ("BVM", 2023)}
    merged = rows[("K", 2023)]
    # summed; the merged units' own scores and texts belong to units that no longer exist
    assert (merged["complaints_received"], merged["cchc_score"], merged["highlights"]) == (8, None, None)
    assert (merged["n_sources"], merged["source_units"]) == (2, "P, Q")
    renamed = rows[("NEW", 2023)]
    assert (renamed["complaints_received"], renamed["source_units"]) == (2, "OLD")
    # outside any lineage: as reported, blank stays blank
    assert (rows[("BVM", 2023)]["complaints_received"], rows[("BVM", 2023)]["cchc_score"]) == (None, 88.0)
    assert rows[("K", 2025)]["highlights"] == "k"


def test_restate_wide_of_an_empty_panel_keeps_its_columns():
    wide = pl.DataFrame(schema={"unit_code": pl.String, "year": pl.Int32, "complaints_received": pl.Int64})
    out = restate_wide(
        wide, pl.DataFrame(schema={"unit_code": pl.String, "current_code": pl.String}), load_catalogue()
    )
    assert out.is_empty() and out.columns == [
        "unit_code",
        "year",
        "complaints_received",
        "n_sources",
        "source_units",
    ]
