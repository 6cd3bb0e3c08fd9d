"""Who has reported, late or not at all: the operators' view of report intake.

Pure Polars transforms over the submission log (`queries.intake_log`) and the units
expected to report (`queries.expected_units`). A report is due on 20/11 of its year
unless the Sở set another date for that year (app/deadlines.py, passed in as `due`);
a later correction does not make a report late, only its first accepted version counts.
The completeness matrix adds the years a unit was not expected at all (not yet opened,
or already closed or merged), which count in no rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import polars as pl

DEADLINE_DAY, DEADLINE_MONTH = 20, 11
ON_TIME = "Đúng hạn"
LATE = "Nộp muộn"
REJECTED = "Bị từ chối, chưa nộp lại"
MISSING = "Chưa nộp"
NOT_EXPECTED = "Không phải nộp"  # the unit was not active that year
STATUS_ORDER = (MISSING, REJECTED, LATE, ON_TIME)  # what an operator chases first
TO_CHASE = (MISSING, REJECTED)  # who the reminder letter goes to


def deadline(year: int, due: date | None = None) -> datetime:
    """The last moment a report for `year` is on time: `due` (default 20/11 of that year), end of day."""
    day = due or date(year, DEADLINE_MONTH, DEADLINE_DAY)
    return datetime(day.year, day.month, day.day, 23, 59, 59)


def reminder_docx(snapshot: str, year: int, units: list[str], due: date) -> bytes:
    """The letter reminding `units` to send their report of `year` (report.reminder), as .docx;
    it names the deadline while that is still ahead. Built when an operator clicks."""
    from report.reminder import build_reminder  # loaded only when an operator asks for the letter

    ahead = due if date.today() <= due else None
    return build_reminder(snapshot, year, only=units, deadline=ahead, due=due).docx


def _status_facts() -> list[pl.Expr]:
    """What a status is decided from, aggregated over a unit's file versions of a year:
    when the first version that was not rejected arrived, how many were rejected, and
    whether one is in force (a later correction does not make a report late)."""
    return [
        pl.col("received_at").filter(pl.col("status") != "rejected").min().alias("first_received_at"),
        (pl.col("status") == "rejected").sum().cast(pl.Int64).alias("n_rejected"),
        (pl.col("status") == "accepted").any().alias("has_report"),
    ]


def _status(cutoff: datetime | pl.Expr) -> pl.Expr:
    """A unit-year's status from has_report, first_received_at and n_rejected; `cutoff` is
    the deadline's last moment (one value, or a column when several years are at hand)."""
    return (
        pl.when(pl.col("has_report") & (pl.col("first_received_at") <= cutoff))
        .then(pl.lit(ON_TIME))
        .when(pl.col("has_report"))
        .then(pl.lit(LATE))
        .when(pl.col("n_rejected") > 0)
        .then(pl.lit(REJECTED))
        .otherwise(pl.lit(MISSING))
    )


def intake_status(
    expected: pl.DataFrame, log: pl.DataFrame, year: int, due: date | None = None
) -> pl.DataFrame:
    """One row per unit expected to report in `year`, with where its report stands.

    `expected` has unit_code, year and unit attributes; `log` has one row per file
    version (unit_code, year, status, source_name, received_at, n_warnings). Returns the
    expected rows plus status (see STATUS_ORDER), first_received_at, last_received_at,
    source_name (the file in force, else the last one received), n_versions, n_rejected,
    n_warnings (of the version in force), sorted with what needs chasing first.
    """
    mine = log.filter(pl.col("year") == year, pl.col("unit_code").is_not_null())
    per_unit = (
        mine.sort("received_at")
        .group_by("unit_code")
        .agg(
            *_status_facts(),
            last_received_at=pl.col("received_at").max(),
            source_name=pl.coalesce(
                pl.col("source_name").filter(pl.col("status") == "accepted").last(),
                pl.col("source_name").last(),
            ),
            n_versions=pl.len().cast(pl.Int64),
            n_warnings=pl.col("n_warnings").filter(pl.col("status") == "accepted").last(),
        )
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
        .with_columns(status=_status(deadline(year, due)))
        .sort(order, "unit_code")
        .drop("has_report")
    )


def status_counts(status: pl.DataFrame) -> dict[str, int]:
    """How many units are in each status, every status present (0 when none)."""
    counts = dict(status.group_by("status").len().iter_rows())
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def year_statuses(
    expected: pl.DataFrame, log: pl.DataFrame, years: list[int], deadlines: Mapping[int, date] | None = None
) -> pl.DataFrame:
    """unit_code, year, status of every expected unit-year of `years`: intake_status's rule
    for all the years in one pass (the intake page shows eleven years, 5.000 units nationally)."""
    due = deadlines or {}
    received_type = log.schema["received_at"]
    cutoffs = pl.DataFrame(
        {"year": years, "cutoff": [deadline(y, due.get(y)) for y in years]},
        schema={"year": pl.Int32, "cutoff": pl.Datetime("us")},
    ).with_columns(pl.col("cutoff").cast(received_type))
    per_unit_year = (
        log.filter(pl.col("unit_code").is_not_null(), pl.col("year").is_in(years))
        .group_by("unit_code", pl.col("year").cast(pl.Int32))
        .agg(*_status_facts())
    )
    return (
        expected.select("unit_code", pl.col("year").cast(pl.Int32))
        .filter(pl.col("year").is_in(years))
        .join(per_unit_year, on=["unit_code", "year"], how="left")
        .join(cutoffs, on="year", how="left")
        .with_columns(pl.col("has_report").fill_null(False), pl.col("n_rejected").fill_null(0))
        .select("unit_code", "year", status=_status(pl.col("cutoff")))
    )


def timeliness_by_year(statuses: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Per year and status (STATUS_ORDER), how many expected units (`statuses`: year_statuses)."""
    found = statuses.group_by("year", "status").len()
    counts = {(year, status): n for year, status, n in found.iter_rows()}
    return pl.DataFrame(
        {
            "year": [y for _ in STATUS_ORDER for y in years],
            "status": [s for s in STATUS_ORDER for _ in years],
            "n_units": [counts.get((y, s), 0) for s in STATUS_ORDER for y in years],
        },
        schema={"year": pl.Int64, "status": pl.String, "n_units": pl.Int64},
    )


def completeness(all_units: pl.DataFrame, statuses: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """One row per unit and year (unit_code, short_name, year, status), NOT_EXPECTED included.

    `all_units` are the units to show (unit_code, short_name); `statuses` (year_statuses)
    has the unit-years they had to report (queries.expected_units), so a unit opened in
    2020 is NOT_EXPECTED in 2019 and one closed in 2023 is NOT_EXPECTED from 2024 on.
    """
    grid = all_units.select("unit_code", "short_name").join(
        pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross"
    )
    return (
        grid.join(statuses, on=["unit_code", "year"], how="left")
        .with_columns(pl.col("status").fill_null(NOT_EXPECTED))
        .sort("unit_code", "year")
    )


def completeness_matrix(long: pl.DataFrame) -> pl.DataFrame:
    """Units as rows, one column per year (named by the year), each cell the unit's status that year."""
    if long.is_empty():
        return pl.DataFrame(schema={"unit_code": pl.String, "short_name": pl.String})
    return (
        long.with_columns(pl.col("year").cast(pl.String))
        .pivot(on="year", index=["unit_code", "short_name"], values="status", sort_columns=True)
        .sort("unit_code")
    )


def rates_by_year(long: pl.DataFrame) -> pl.DataFrame:
    """Per year: units expected, reported (on time or late), on time, and the two rates in percent.

    Only units expected that year count, so a rate never passes 100%.
    """
    expected = long.filter(pl.col("status") != NOT_EXPECTED)
    return (
        expected.group_by("year")
        .agg(
            n_expected=pl.len().cast(pl.Int64),
            n_reported=pl.col("status").is_in([ON_TIME, LATE]).sum().cast(pl.Int64),
            n_on_time=(pl.col("status") == ON_TIME).sum().cast(pl.Int64),
        )
        .with_columns(
            reporting_rate_pct=100 * pl.col("n_reported") / pl.col("n_expected"),
            on_time_rate_pct=100 * pl.col("n_on_time") / pl.col("n_expected"),
        )
        .sort("year")
    )


def to_chase(status: pl.DataFrame) -> pl.DataFrame:
    """The units of one year's status (intake_status) that have not reported: missing or rejected."""
    return status.filter(pl.col("status").is_in(TO_CHASE))


def rejected_files(
    log: pl.DataFrame, year: int | None = None, units: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Rejected files (of `year`, plus those whose unit or year could not be read), newest first,
    with the first error message to pass on to the unit.

    With the registry (`units`), `unit` names the unit the file says it is from: its short name,
    or, for a code the registry does not know, that code as the file wrote it, in «»; a file
    whose unit could not be read says so.
    """
    rejected = log.filter(pl.col("status") == "rejected")
    if year is not None:
        rejected = rejected.filter((pl.col("year") == year) | pl.col("year").is_null())
    rejected = rejected.select(
        "received_at", "source_name", "unit_code", "year", "n_errors", "first_error"
    ).sort("received_at", descending=True)
    if units is None:
        return rejected
    names = dict(units.select("unit_code", "short_name").iter_rows())
    unit = [
        names.get(code) or (f"«{code}»" if code else "(không đọc được)")
        for code in rejected["unit_code"].to_list()
    ]
    # the name takes the code's place
    return rejected.with_columns(pl.Series("unit_code", unit, dtype=pl.String)).rename({"unit_code": "unit"})


def in_scope_units(all_units: pl.DataFrame, unit_code: str | None, unit_types=(), areas=()) -> pl.DataFrame:
    """The registered units an intake view covers: one unit for a unit's account, else the
    sidebar's unit types and areas (none chosen: all)."""
    units = all_units
    if unit_code is not None:
        units = units.filter(pl.col("unit_code") == unit_code)
    if unit_types:
        units = units.filter(pl.col("unit_type").is_in(list(unit_types)))
    if areas:
        units = units.filter(pl.col("area").is_in(list(areas)))
    return units


NO_REPORT = "—"  # a figure that only a received report has: not "Chưa báo cáo", nothing is missing


def status_display(status: pl.DataFrame) -> pl.DataFrame:
    """intake_status rows as the page shows them: counts in Vietnamese, the date as 20/11/2025,
    and "—" for the date, file and warnings of a unit with no report in force: without a
    report there is nothing to count, and a blank would read as a figure the unit left out."""
    from app.fmt import fmt_int

    def count(column: str) -> pl.Expr:
        return pl.col(column).map_elements(fmt_int, return_dtype=pl.String)

    reported = pl.col("status").is_in([ON_TIME, LATE])
    return status.with_columns(
        pl.col("first_received_at").dt.strftime("%d/%m/%Y").fill_null(NO_REPORT),
        pl.col("source_name").fill_null(NO_REPORT),
        count("n_versions"),
        count("n_rejected"),
        pl.when(reported)
        .then(count("n_warnings").fill_null("0"))
        .otherwise(pl.lit(NO_REPORT))
        .alias("n_warnings"),
    )


def rates_display(rates: pl.DataFrame) -> pl.DataFrame:
    """rates_by_year with the percentages as Vietnamese text (92,5%)."""
    from app.fmt import fmt_pct

    return rates.with_columns(
        pl.col("reporting_rate_pct").map_elements(fmt_pct, return_dtype=pl.String),
        pl.col("on_time_rate_pct").map_elements(fmt_pct, return_dtype=pl.String),
        pl.col("year").cast(pl.String),
    )


RATE_HEADERS = {
    "year": "Năm",
    "n_expected": "Đơn vị phải nộp",
    "n_reported": "Đã nộp",
    "n_on_time": "Đúng hạn",
    "reporting_rate_pct": "Tỷ lệ đã nộp",
    "on_time_rate_pct": "Tỷ lệ đúng hạn",
}


# the matrix's cells in few letters, so eleven years fit on a screen (the caption says what they mean)
SHORT_STATUS = {
    ON_TIME: "Đúng hạn",
    LATE: "Muộn",
    REJECTED: "Từ chối",
    MISSING: "Chưa nộp",
    NOT_EXPECTED: "–",
}


def matrix_display(matrix: pl.DataFrame) -> pl.DataFrame:
    """completeness_matrix with each status in SHORT_STATUS's words (the download keeps the full ones)."""
    years = [c for c in matrix.columns if c not in ("unit_code", "short_name")]
    return matrix.with_columns(pl.col(y).replace_strict(SHORT_STATUS, default=pl.col(y)) for y in years)
