"""Tests for app.queries and app.tables on the real province demo snapshot.

The demo is built once per test session through the real pipeline (etl.demo.build_demo)
and read through the same query functions the pages use.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from accounts.scope import Scope
from app import queries, tables
from etl.db import latest_snapshot

CCHC = ("cchc_score", "cchc_rank", "cchc_rank_of")


def demo_database(base: Path) -> Path:
    """The province demo under `base` (shared by the test modules of one session)."""
    from etl.demo import build_demo

    db = base / "demo_province" / "dashboard.duckdb"
    if latest_snapshot(db) is None:
        build_demo(db, scale="province")
    return db


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = demo_database(tmp_path_factory.getbasetemp())
    snap = latest_snapshot(db)
    assert snap is not None
    return str(snap)


def test_units_follow_lineage_to_todays_unit(snapshot: str) -> None:
    units = queries.units(snapshot)
    current = dict(zip(units["unit_code"].to_list(), units["current_code"].to_list(), strict=True))
    assert current["TTYTDP"] == "CDC"
    assert current["TTYT_PHULAM"] == "TTYTKV_HOATHUAN"
    assert current["BVPHCN"] == "BVYDCT"
    assert current["CDC"] == "CDC"
    assert set(units["rank_group"].unique().to_list()) == {""}


def test_sở_par_rank_is_its_own_pool(snapshot: str) -> None:
    panel = queries.panel(snapshot, CCHC)
    par = tables.par_ranks(panel)
    labels = dict(zip(par["year"].to_list(), par["rank_label"].to_list(), strict=True))
    assert labels[2017] == "18/20"
    assert labels[2020] == "9/19"
    assert par["unit_code"].unique().to_list() == ["SYT"]
    ranked = tables.cchc_ranked(panel)
    assert "SYT" not in ranked["unit_code"].to_list()


def _par(rows: list[tuple[int, int, int]]) -> pl.DataFrame:
    """par_ranks() rows of the Sở: (year, rank, rank_of)."""
    return pl.DataFrame(
        {
            "year": [r[0] for r in rows],
            "short_name": ["Sở Y tế"] * len(rows),
            "rank": [r[1] for r in rows],
            "rank_of": [r[2] for r in rows],
        }
    )


@pytest.mark.parametrize(
    ("rows", "year", "expected"),
    [
        ([(2024, 6, 21), (2025, 5, 19)], 2025, "xếp hạng **5/19**"),
        ([(2024, 6, 21), (2025, 5, 19)], 2025, "tăng 1 bậc so với năm 2024 (6/21)."),
        ([(2024, 3, 21), (2025, 5, 19)], 2025, "giảm 2 bậc so với năm 2024 (3/21)."),
        ([(2023, 5, 20), (2025, 5, 19)], 2025, "giữ hạng so với năm 2023 (5/20)."),
        ([(2025, 5, 19)], 2025, "trong các sở, ban, ngành tỉnh."),
        (
            [(2023, 4, 20), (2025, 5, 19)],
            2024,
            "chưa có thứ hạng PAR Index năm 2024; gần nhất: năm 2023, hạng **4/20**",
        ),
    ],
)
def test_par_headline_says_the_rank_out_of_n_and_the_move_since_the_last_ranked_year(
    rows: list[tuple[int, int, int]], year: int, expected: str
) -> None:
    headline = tables.par_headline(_par(rows), year)
    assert headline is not None and expected in headline
    assert headline.startswith("**Sở Y tế**")


def test_par_headline_is_absent_before_any_par_rank() -> None:
    assert tables.par_headline(_par([(2025, 5, 19)]), 2024) is None
    assert tables.par_headline(_par([]), 2025) is None


def test_ranks_are_computed_from_scores_with_ties(snapshot: str) -> None:
    ranked = tables.cchc_ranked(queries.panel(snapshot, CCHC))
    year = ranked.filter((pl.col("year") == 2024) & pl.col("rank").is_not_null()).sort("rank")
    scores = year["cchc_score"].to_list()
    ranks = year["rank"].to_list()
    # competition ranking: equal scores share a rank, a higher score never ranks lower
    for (s1, r1), (s2, r2) in zip(
        zip(scores, ranks, strict=True), zip(scores[1:], ranks[1:], strict=True), strict=False
    ):
        assert (r1 == r2) == (s1 == s2)
        assert s1 >= s2
    assert set(year["rank_of"].to_list()) == {year.height}
    assert all(label.endswith(f"/{year.height}") for label in year["rank_label"].to_list())


def test_reported_rank_that_contradicts_the_scores_is_listed(snapshot: str) -> None:
    mismatches = tables.rank_mismatches(tables.cchc_ranked(queries.panel(snapshot, CCHC)))
    assert mismatches.select("unit_code", "year").rows() == [("BVM", 2022)]


def test_years_with_a_missing_report_keep_the_reported_ranks(snapshot: str) -> None:
    ranked = tables.cchc_ranked(queries.panel(snapshot, CCHC))
    # TTPY sent no file for 2016: computed ranks would be one short, so 2016 uses the reports
    assert 2016 in tables.incomplete_rank_years(ranked)
    y2016 = ranked.filter(pl.col("year") == 2016)
    assert (y2016["rank"] == y2016["cchc_rank"].cast(pl.Int64)).all()


def test_reporting_rate_counts_only_active_units(snapshot: str) -> None:
    rep = tables.reporting_by_year(queries.reporting(snapshot))
    assert (rep["rate_pct"] <= 100).all()
    by_year = {r["year"]: r for r in rep.iter_rows(named=True)}
    units = queries.units(snapshot)
    active_2025 = units.filter(
        (pl.col("valid_from") <= 2025) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= 2025))
    ).height
    assert by_year[2025]["expected"] == active_2025
    assert by_year[2016]["reported"] == by_year[2016]["expected"] - 1  # TTPY 2016 is missing
    missing = tables.missing_reports(queries.reporting(snapshot), 2016)
    assert missing["unit_code"].to_list() == ["TTPY"]


def test_restated_panel_sums_predecessors_into_todays_unit(snapshot: str) -> None:
    codes = ("training_sessions", "sat_inpatient_pct")
    reported = queries.panel(snapshot, codes)
    restated = queries.panel(snapshot, codes, restated=True)
    sources = ["TTYT_HOATHUAN", "TTYT_MYXUYEN", "TTYT_PHULAM"]
    parts = reported.filter((pl.col("year") == 2020) & pl.col("unit_code").is_in(sources))
    row = restated.filter((pl.col("year") == 2020) & (pl.col("unit_code") == "TTYTKV_HOATHUAN")).row(
        0, named=True
    )
    assert row["training_sessions"] == parts["training_sessions"].sum()
    assert row["source_units"] == ", ".join(sorted(parts["unit_code"].to_list()))
    # a survey rate is weighted by the survey sizes, so it lies between its sources
    pcts = parts["sat_inpatient_pct"].drop_nulls()
    assert pcts.min() <= row["sat_inpatient_pct"] <= pcts.max()
    assert "TTYT_PHULAM" not in restated["unit_code"].to_list()


def test_restated_panel_drops_pool_specific_scores_of_merged_units(snapshot: str) -> None:
    restated = queries.panel(snapshot, CCHC, restated=True)
    before = restated.filter((pl.col("unit_code") == "TTYTKV_HOATHUAN") & (pl.col("year") < 2025))
    assert before["cchc_score"].null_count() == before.height


def test_a_pages_panel_is_the_same_picked_from_the_shared_frame_or_read_alone(snapshot: str) -> None:
    codes = ("complaints_received", "sat_inpatient_pct")
    picked = queries.panel(snapshot, codes)
    read_alone = queries._text_panel(snapshot, tuple(picked.columns[8:-2]), False)
    assert picked.columns == read_alone.columns
    assert picked.equals(read_alone)
    assert "cchc_score" not in picked.columns  # only what was asked (and the survey sizes)


def test_one_years_panel_holds_that_year_of_the_whole_panel(snapshot: str) -> None:
    codes = ("difficulties", "proposals")
    for restated in (False, True):
        whole = queries.panel(snapshot, codes, restated)
        year = queries.year_panel(snapshot, codes, 2024, restated)
        assert year["year"].unique().to_list() == [2024]
        assert year.equals(whole.filter(pl.col("year") == 2024))
        assert year["difficulties"].drop_nulls().len() > 0


def test_unknown_indicator_code_never_reaches_sql(snapshot: str) -> None:
    with pytest.raises(ValueError, match="unknown indicator"):
        queries.panel(snapshot, ("cchc_score; drop table units",))


def test_satisfaction_trend_pools_forms_with_wilson_bounds(snapshot: str) -> None:
    trend = tables.satisfaction_trend(queries.panel(snapshot, tables.SATISFACTION_CODES))
    assert set(trend["indicator_code"].unique().to_list()) == set(tables.SATISFACTION_CODES)
    assert (trend["lo"] <= trend["pct"]).all() and (trend["pct"] <= trend["hi"]).all()
    assert (trend["n"] > 0).all()


def test_unit_year_grid_marks_missing_and_inactive_years(snapshot: str) -> None:
    panel = queries.panel(snapshot, tables.SATISFACTION_CODES)
    expected = tables.expected_in_view(
        queries.expected_units(queries.units(snapshot), queries.years(snapshot)), panel, restated=False
    )
    grid = tables.unit_year_grid(panel, expected, "sat_inpatient_pct", (2015, 2025))
    status = {(r["unit_code"], r["year"]): r["status"] for r in grid.iter_rows(named=True)}
    assert status[("TTYT_NUIHONG", 2019)] == "missing"  # sent no report that year
    assert status[("TTYT_NUIHONG", 2025)] == "inactive"  # merged into an area centre
    assert status[("BVDKT", 2020)] == "reported"


def test_unit_history_and_texts_of_one_unit(snapshot: str) -> None:
    history = queries.unit_history(snapshot, ("training_sessions",), ("CDC",))
    assert history["unit_code"].unique().to_list() == ["CDC"]
    assert history["year"].min() == 2018
    texts = queries.unit_texts(snapshot, "CDC", Scope.province())
    assert {"year", "highlights", "dv_official_rating"} <= set(texts.columns)
    assert texts["dv_official_rating"].drop_nulls().is_in(list(tables.RATING_ORDER)).all()


def test_league_table_ranks_every_unit_with_enough_data(snapshot: str) -> None:
    codes = tables.source_codes(tuple(tables.COMPOSITE_DEFAULT_WEIGHTS))
    assert "training_per_staff" not in codes and {"training_participants", "staff_total"} <= set(codes)
    year = tables.in_year(queries.panel(snapshot, codes), 2024)
    league = tables.league_table(year, tables.COMPOSITE_DEFAULT_WEIGHTS)
    scored = league.filter(pl.col("composite").is_not_null())
    assert scored.height > 10
    assert scored["composite"].is_between(0, 100).all()
    assert scored.sort("rank")["composite"].is_sorted(descending=True)
    # participants count per staff member: the composite compares a rate, not a head count
    assert "pct_training_per_staff" in league.columns


def test_overview_trends_draw_shares_of_units_as_rates(snapshot: str) -> None:
    panel = queries.panel(snapshot, tables.KPI_CODES)
    trends = tables.kpi_trends(tables.kpi_series(panel, queries.reporting(snapshot)), 2015, 2025)
    reporting = dict(trends.filter(pl.col("key") == "reporting").select("year", "value").iter_rows())
    # every active unit reported in 2025, after the mergers left fewer units: 100%, not a fall
    assert reporting[2025] == 100.0
    good = trends.filter(pl.col("key") == "good")
    assert good["value"].drop_nulls().is_between(0, 100).all()
    assert good["unit_vi"].unique().to_list() == ["%"]
    row = trends.filter((pl.col("key") == "reporting") & (pl.col("year") == 2025)).row(0, named=True)
    assert row["basis"].endswith("đơn vị đang hoạt động đã báo cáo")


def test_heatmap_rows_put_todays_units_first_and_closed_units_under_their_successor(snapshot: str) -> None:
    from app import charts

    panel = queries.panel(snapshot, tables.SATISFACTION_CODES)
    expected = tables.expected_in_view(
        queries.expected_units(queries.units(snapshot), queries.years(snapshot)), panel, restated=False
    )
    grid = tables.unit_year_grid(panel, expected, "sat_inpatient_pct", (2015, 2025))
    order = charts.heatmap_order(grid, 2025)
    closed = order["is_closed"].to_list()
    assert closed == sorted(closed)  # all of today's units first, then the closed ones
    labels = dict(zip(order["unit_code"].to_list(), order["label"].to_list(), strict=True))
    assert labels["TTYT_NUIHONG"].startswith("TTYT Núi Hồng → ")
    assert "→" not in labels["BVDKT"]


def test_dashboard_db_env_selects_the_database(tmp_path: Path, snapshot: str) -> None:
    from etl.db import db_path

    os.environ["DASHBOARD_DB"] = str(tmp_path / "x.duckdb")
    try:
        assert db_path() == tmp_path / "x.duckdb"
    finally:
        del os.environ["DASHBOARD_DB"]


def test_a_units_scope_gets_only_its_own_submissions_and_texts(snapshot: str) -> None:
    everything = queries.intake_log(snapshot, Scope.province())
    assert everything["unit_code"].n_unique() > 30
    for role in ("lanh_dao", "ban_dan_van", "quan_tri"):
        assert queries.intake_log(snapshot, Scope(role)).height == everything.height
    # held once for every role that sees all units, not once a role
    assert queries.intake_log(snapshot, Scope("lanh_dao")) is queries.intake_log(
        snapshot, Scope("ban_dan_van")
    )
    mine = queries.intake_log(snapshot, Scope("don_vi", "BVM"))
    assert mine.height == everything.filter(pl.col("unit_code") == "BVM").height > 0
    assert mine["unit_code"].unique().to_list() == ["BVM"]
    # files whose unit could not be read belong to nobody's scope but the Sở's
    assert mine["unit_code"].null_count() == 0
    assert not queries.unit_texts(snapshot, "BVM", Scope("don_vi", "BVM")).is_empty()
    with pytest.raises(queries.OutOfScope):
        queries.unit_texts(snapshot, "CDC", Scope("don_vi", "BVM"))
