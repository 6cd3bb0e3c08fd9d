"""The complaints page's tables: channels, the yearly flow with the resolution rate, units in one
year with their rates, citizen reception and dialogues."""

from __future__ import annotations

import polars as pl

from app import metrics
from app.tables.common import CHANNEL_CODES, unit_identity
from etl.catalogue import load_catalogue


def channels_by_year(panel: pl.DataFrame) -> pl.DataFrame:
    """Feedback volume per year and channel (sums over units that reported the channel)."""
    cat = load_catalogue()
    rows = panel.group_by("year").agg(
        *(pl.col(c).sum().alias(c) for c in CHANNEL_CODES),
        *(pl.col(c).count().alias(f"{c}__n") for c in CHANNEL_CODES),
    )
    frames = [
        rows.select(
            "year",
            indicator_code=pl.lit(c),
            label=pl.lit(cat[c].short_vi),
            value=pl.when(pl.col(f"{c}__n") > 0).then(pl.col(c)),
            n_units=pl.col(f"{c}__n").cast(pl.Int64),
        )
        for c in CHANNEL_CODES
    ]
    return pl.concat(frames).filter(pl.col("n_units") > 0).sort("year", "indicator_code")


def complaint_flow(panel: pl.DataFrame) -> pl.DataFrame:
    """Per year: received, carried in, resolved, still open, protracted and the resolution rate.

    The rate pools the units whose own rate is defined (blank-aware, metrics.resolution_rate).
    """
    rated = metrics.complaints_outstanding(metrics.resolution_rate(panel))
    ok = pl.col("resolution_rate_pct").is_not_null()
    return (
        rated.group_by("year")
        .agg(
            received=pl.col("complaints_received").sum(),
            carried_in=pl.col("complaints_carried_in").sum(),
            resolved=pl.col("complaints_resolved").sum(),
            outstanding=pl.col("complaints_outstanding").sum(),
            protracted=pl.col("complaints_protracted").sum(),
            rate_num=pl.when(ok).then(pl.col("complaints_resolved")).sum(),
            rate_den=pl.when(ok)
            .then(pl.col("complaints_received") + pl.col("complaints_carried_in").fill_null(0))
            .sum(),
            n_units=pl.col("complaints_received").count().cast(pl.Int64),
        )
        .filter(pl.col("n_units") > 0)
        .with_columns(
            rate_pct=pl.when(pl.col("rate_den") > 0).then(100 * pl.col("rate_num") / pl.col("rate_den"))
        )
        .drop("rate_num", "rate_den")
        .sort("year")
    )


def complaints_by_unit(panel_year: pl.DataFrame) -> pl.DataFrame:
    """Per unit in one year: volumes, resolution rate, protracted cases, complaints per 10.000 visits."""
    rated = metrics.resolution_rate(panel_year)
    return (
        rated.select(
            *unit_identity(),
            received=pl.col("complaints_received"),
            carried_in=pl.col("complaints_carried_in"),
            resolved=pl.col("complaints_resolved"),
            rate_pct=pl.col("resolution_rate_pct"),
            protracted=pl.col("complaints_protracted"),
            visits=pl.col("patient_visits"),
            per_10k=metrics.per_10k(pl.col("complaints_received"), pl.col("patient_visits")),
        )
        .filter(pl.col("received").is_not_null() | pl.col("resolved").is_not_null())
        .sort("unit_code")
    )


def reception_by_year(panel: pl.DataFrame) -> pl.DataFrame:
    """Citizen-reception sessions, citizens received and leader dialogues per year (long)."""
    cat = load_catalogue()
    codes = ("citizen_reception_days", "leader_dialogues", "citizen_visits")
    frames = [
        panel.group_by("year")
        .agg(value=pl.col(c).sum(), n_units=pl.col(c).count().cast(pl.Int64))
        .with_columns(indicator_code=pl.lit(c), label=pl.lit(cat[c].short_vi), unit_vi=pl.lit(cat[c].unit_vi))
        for c in codes
    ]
    return (
        pl.concat(frames)
        .filter(pl.col("n_units") > 0)
        .select("year", "indicator_code", "label", "unit_vi", "value", "n_units")
        .sort("indicator_code", "year")
    )
