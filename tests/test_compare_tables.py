"""Tests for the league table helpers of app.tables.compare: change of rank like with like, order."""

from __future__ import annotations

import polars as pl

from app.tables.compare import league_display, sort_league, with_rank_change


def _league(scores: dict[str, float | None]) -> pl.DataFrame:
    codes = list(scores)
    ranked = sorted((c for c in codes if scores[c] is not None), key=lambda c: -scores[c])
    return pl.DataFrame(
        {
            "unit_code": codes,
            "short_name": [f"Đơn vị {c}" for c in codes],
            "composite": [scores[c] for c in codes],
            "rank": [ranked.index(c) + 1 if c in ranked else None for c in codes],
        },
        schema_overrides={"rank": pl.Int64},
    )


def test_change_of_rank_counts_only_units_ranked_both_years() -> None:
    now = _league({"A": 90.0, "B": 80.0, "C": 70.0, "NEW": 95.0})
    # last year C led and two units since merged away ranked above A
    before = _league({"A": 60.0, "B": 65.0, "C": 99.0, "OLD1": 98.0, "OLD2": 97.0})
    out = with_rank_change(now, before)
    change = dict(zip(out["unit_code"].to_list(), out["rank_change"].to_list(), strict=True))
    # among A, B, C: A went 3rd -> 1st (+2), B 2nd -> 2nd, C 1st -> 3rd; NEW has no past
    assert change == {"A": 2, "B": 0, "C": -2, "NEW": None}


def test_display_highlights_the_chosen_units_and_writes_the_change() -> None:
    now = with_rank_change(_league({"A": 90.0, "B": 80.0}), _league({"A": 70.0, "B": 80.0}))
    shown = league_display(
        now.with_columns(
            rank_label=pl.lit("1/2"),
            unit_type_vi=pl.lit(""),
            area=pl.lit(""),
            coverage=pl.lit(1.0),
            note=pl.lit(None),
        ),
        ["B"],
    )
    assert shown["short_name"].to_list() == ["Đơn\xa0vị\xa0A", ":blue-background[Đơn\xa0vị\xa0B]"]
    assert shown["change"].to_list() == ["▲ 1", "▼ 1"]


def test_sort_by_name_or_by_change_keeps_unranked_units_last() -> None:
    league = with_rank_change(_league({"B": 80.0, "A": 70.0, "C": None}), _league({"B": 60.0, "A": 70.0}))
    assert sort_league(league, "Tên đơn vị")["unit_code"].to_list() == ["A", "B", "C"]
    assert sort_league(league, "Thay đổi hạng so với năm trước")["unit_code"].to_list() == ["B", "A", "C"]


def test_league_download_has_no_internal_or_repeated_columns() -> None:
    from app.downloads import vietnamese_headers
    from app.tables.compare import COMPOSITE_DEFAULT_WEIGHTS, league_table

    panel = pl.DataFrame(
        {
            "unit_code": ["A", "B"],
            "year": [2025, 2025],
            "short_name": ["Đơn vị A", "Đơn vị B"],
            "unit_type": ["ttyt", "tt_tinh"],
            "area": ["", ""],
            "rank_pool": ["so", "so"],
            "rank_group": ["", ""],
            **{
                c: [1.0, 2.0]
                for c in ("cchc_score", "sat_inpatient_pct", "sat_outpatient_pct", "sat_staff_pct")
            },
            **{
                c: [1, 2]
                for c in ("training_participants", "staff_total", "complaints_protracted", "leader_dialogues")
            },
            "dvk_models_recognized": [0, 1],
        }
    )
    league = league_table(panel, COMPOSITE_DEFAULT_WEIGHTS)
    headers = vietnamese_headers(league.drop("rank_group", "rank_label")).columns
    assert not [h for h in headers if "_" in h or h.isascii()], headers
    assert len(set(headers)) == len(headers)
