"""The training page's tables: sessions and participants by year and unit type, coverage per unit,
units with no training."""

from __future__ import annotations

import polars as pl

from app.tables.common import type_label, unit_identity


def training_by_year(panel: pl.DataFrame) -> pl.DataFrame:
    """Sessions and participants per year and unit type (sums over units that reported)."""
    return (
        panel.group_by("year", "unit_type")
        .agg(
            sessions=pl.col("training_sessions").sum(),
            participants=pl.col("training_participants").sum(),
            n_units=pl.col("training_sessions").count().cast(pl.Int64),
        )
        .filter(pl.col("n_units") > 0)
        .with_columns(type_label())
        .sort("year", "unit_type")
    )


def training_coverage(panel_year: pl.DataFrame) -> pl.DataFrame:
    """Per unit in one year: sessions, participants, staff and participants per staff member."""
    per_staff = pl.when(pl.col("staff_total") > 0).then(
        pl.col("training_participants") / pl.col("staff_total")
    )
    return (
        panel_year.select(
            *unit_identity(),
            sessions=pl.col("training_sessions"),
            participants=pl.col("training_participants"),
            staff=pl.col("staff_total"),
            per_staff=per_staff,
        )
        .filter(pl.col("sessions").is_not_null() | pl.col("participants").is_not_null())
        .sort("per_staff", "unit_code", nulls_last=False)
    )


def no_training(panel_year: pl.DataFrame, expected_year: pl.DataFrame) -> pl.DataFrame:
    """Units with no training that year: reported 0 sessions, or did not report it (said so)."""
    reported = panel_year.select("unit_code", "training_sessions")
    return (
        expected_year.select("unit_code", "short_name", type_label(), "has_report")
        .join(reported, on="unit_code", how="left")
        .filter(pl.col("training_sessions").fill_null(0) == 0)
        .with_columns(
            status=pl.when(pl.col("training_sessions") == 0)
            .then(pl.lit("Báo cáo 0 lớp"))
            .when(pl.col("has_report"))
            .then(pl.lit("Chưa báo cáo chỉ tiêu này"))
            .otherwise(pl.lit("Chưa nộp báo cáo năm"))
        )
        .select("unit_code", "short_name", "unit_type_vi", "status")
        .sort("status", "unit_code")
    )
