"""Who has reported, late or not at all: the operators' view of report intake.

Pure Polars transforms over the submission log (`queries.intake_log`) and the units
expected to report (`queries.expected_units`). A report is due on 20/11 of its year;
a later correction does not make a report late, only its first accepted version counts.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

DEADLINE_DAY, DEADLINE_MONTH = 20, 11
ON_TIME = "Đúng hạn"
LATE = "Nộp muộn"
REJECTED = "Bị từ chối, chưa nộp lại"
MISSING = "Chưa nộp"
STATUS_ORDER = (MISSING, REJECTED, LATE, ON_TIME)  # what an operator chases first


def deadline(year: int) -> datetime:
    """The last moment a report for `year` is on time: 20/11 of that year, end of day."""
    return datetime(year, DEADLINE_MONTH, DEADLINE_DAY, 23, 59, 59)


def intake_status(expected: pl.DataFrame, log: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per unit expected to report in `year`, with where its report stands.

    `expected` has unit_code, year and unit attributes; `log` has one row per file
    version (unit_code, year, status, source_name, received_at, n_warnings). Returns the
    expected rows plus status (see STATUS_ORDER), first_received_at, last_received_at,
    source_name (the file in force, else the last one received), n_versions, n_rejected,
    n_warnings (of the version in force), sorted with what needs chasing first.
    """
    mine = log.filter(pl.col("year") == year, pl.col("unit_code").is_not_null())
    accepted = pl.col("status") != "rejected"
    per_unit = (
        mine.sort("received_at")
        .group_by("unit_code")
        .agg(
            first_received_at=pl.col("received_at").filter(accepted).min(),
            last_received_at=pl.col("received_at").max(),
            source_name=pl.coalesce(
                pl.col("source_name").filter(pl.col("status") == "accepted").last(),
                pl.col("source_name").last(),
            ),
            n_versions=pl.len().cast(pl.Int64),
            n_rejected=(pl.col("status") == "rejected").sum().cast(pl.Int64),
            n_warnings=pl.col("n_warnings").filter(pl.col("status") == "accepted").last(),
            has_report=(pl.col("status") == "accepted").any(),
        )
    )
    status = (
        pl.when(pl.col("has_report") & (pl.col("first_received_at") <= deadline(year)))
        .then(pl.lit(ON_TIME))
        .when(pl.col("has_report"))
        .then(pl.lit(LATE))
        .when(pl.col("n_rejected") > 0)
        .then(pl.lit(REJECTED))
        .otherwise(pl.lit(MISSING))
    )
    order = pl.col("status").replace_strict({s: i for i, s in enumerate(STATUS_ORDER)}, return_dtype=pl.Int8)
    return (
        expected.filter(pl.col("year") == year)
        .join(per_unit, on="unit_code", how="left")
        .with_columns(
            has_report=pl.col("has_report").fill_null(False),
            n_versions=pl.col("n_versions").fill_null(0),
            n_rejected=pl.col("n_rejected").fill_null(0),
        )
        .with_columns(status=status)
        .sort(order, "unit_code")
        .drop("has_report")
    )


def status_counts(status: pl.DataFrame) -> dict[str, int]:
    """How many units are in each status, every status present (0 when none)."""
    counts = dict(status.group_by("status").len().iter_rows())
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def timeliness_by_year(expected: pl.DataFrame, log: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Per year, how many expected units reported on time, late, were rejected or are missing."""
    frames = [status_counts(intake_status(expected, log, y)) | {"year": y} for y in years]
    return pl.DataFrame(frames).unpivot(index="year", variable_name="status", value_name="n_units")


def rejected_files(log: pl.DataFrame, year: int | None = None) -> pl.DataFrame:
    """Rejected files (of `year`, plus those whose unit or year could not be read), newest first,
    with the first error message to pass on to the unit."""
    rejected = log.filter(pl.col("status") == "rejected")
    if year is not None:
        rejected = rejected.filter((pl.col("year") == year) | pl.col("year").is_null())
    return rejected.select("received_at", "source_name", "unit_code", "year", "n_errors", "first_error").sort(
        "received_at", descending=True
    )
