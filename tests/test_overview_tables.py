"""app/tables/overview.py on tiny frames: what the overview's cards and trends compare."""

from __future__ import annotations

import polars as pl

from app.tables.overview import same_units_sums


def test_same_units_sums_pair_each_unit_with_its_own_year_before_code_by_code() -> None:
    panel = pl.DataFrame(
        {
            "unit_code": ["A", "B", "C", "A", "B", "C", "A", "B"],
            "year": [2023, 2023, 2023, 2024, 2024, 2024, 2025, 2025],
            "x": [10, 20, 30, 11, None, 33, 12, 22],  # B skipped 2024: no pair into 2024 or 2025
            "y": [None, 1, None, None, 2, None, None, None],  # one pair (B, 2024), none in 2025
        }
    )
    sums = same_units_sums(panel, ["x", "y"])
    assert sums["x"] == {2024: (44.0, 40.0, 2), 2025: (12.0, 11.0, 1)}
    assert sums["y"] == {2024: (2.0, 1.0, 1)}
    assert same_units_sums(panel.filter(pl.col("year") == 2023), ["x"]) == {"x": {}}
