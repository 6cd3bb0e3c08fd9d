"""What a document reads: the frames of one snapshot for one year, through app.queries.

One query per frame, made the way the pages make it (the as-reported panel of every unit,
who was expected to report, the submission log), so the report and the dashboard can never
disagree. Unit names come from the registry: a document names units, never their codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import polars as pl

from accounts.scope import Scope
from app import deadlines, queries, tables
from etl.catalogue import load_catalogue
from etl.registry import UNIT_TYPES
from report.wording import vietnamese_key


class NoData(ValueError):
    """The year has no data in the snapshot (the message is Vietnamese, for the person who asked)."""


@dataclass(frozen=True)
class Source:
    """The frames a document is written from (all units, as reported, every year)."""

    snapshot: str
    year: int
    year_from: int
    meta: dict[str, str]
    panel: pl.DataFrame  # queries.panel: every indicator, every unit-year with a report
    units: pl.DataFrame  # queries.units
    expected: pl.DataFrame  # who had to report each year, with has_report
    reporting: pl.DataFrame  # queries.reporting: has_report and first_received_at
    log: pl.DataFrame  # queries.intake_log: every file version received
    due: date  # the year's reporting deadline (app/deadlines.py: 20/11 unless the Sở set another)
    names: dict[str, str]  # unit_code -> the unit's full name
    order: dict[str, int]  # unit_code -> its place in tables: by unit type, then name (Vietnamese order)

    @property
    def previous(self) -> int:
        return self.year - 1

    @cached_property
    def kpi_series(self) -> pl.DataFrame:
        """The overview's key indicators year by year (tables.kpi_series), built once for the
        sections that read them (CCHC's trend, Dân vận's rated units)."""
        return tables.kpi_series(self.panel, self.reporting)

    @property
    def is_demo(self) -> bool:
        return self.meta.get("is_demo") == "1"

    def in_year(self, year: int | None = None) -> pl.DataFrame:
        """The panel's rows of `year` (default: the report's year)."""
        return tables.in_year(self.panel, self.year if year is None else year)

    def in_period(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame`'s rows from year_from to the report's year (for the trend charts)."""
        return tables.scoped(frame, year_from=self.year_from, year_to=self.year)

    def name(self, unit_code: str) -> str:
        return self.names.get(unit_code, unit_code)

    def is_new(self, unit_code: str) -> bool:
        """True when the unit began in the report's year (it has no figures for the year before)."""
        rows = self.units.filter(pl.col("unit_code") == unit_code)["valid_from"]
        return not rows.is_empty() and rows[0] is not None and rows[0] >= self.year

    def ordered(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (with unit_code) in the order units are listed in a table (see `unit_order`)."""
        place = pl.col("unit_code").replace_strict(self.order, default=len(self.order), return_dtype=pl.Int64)
        return frame.sort(place, "unit_code")


def intake_log(snapshot: str) -> pl.DataFrame:
    """queries.intake_log for the whole province: the Sở's own documents see every unit's files."""
    return queries.intake_log(snapshot, Scope.province())


def unit_order(all_units: pl.DataFrame) -> dict[str, int]:
    """Each unit's place in a table: provincial hospitals first, the Sở's own offices last (the
    registry's unit types in order), then by name in Vietnamese alphabetical order."""
    types = {t: i for i, t in enumerate(UNIT_TYPES)}
    rows = all_units.select("unit_code", "unit_type", "name").rows()
    ranked = sorted(rows, key=lambda r: (types.get(r[1], len(types)), vietnamese_key(r[2] or r[0])))
    return {code: i for i, (code, _, _) in enumerate(ranked)}


def year_error(year: int, available: list[int]) -> str:
    """The Vietnamese message for a year without data, naming the years that have some."""
    if not available:
        return f"Cơ sở dữ liệu chưa có số liệu của năm nào, nên chưa lập được văn bản năm {year}."
    span = str(available[0]) if len(available) == 1 else f"{available[0]}–{available[-1]}"
    return f"Năm {year} chưa có số liệu nào được nạp; các năm có số liệu: {span}."


def load_source(snapshot: str, year: int, year_from: int | None = None, due: date | None = None) -> Source:
    """The frames for a document on `year`; the trend charts start at `year_from` (default year - 4);
    `due` is the year's deadline as the Sở set it (default 20/11).

    Raises NoData (with a Vietnamese message) when no unit has data for `year`.
    """
    available = queries.years(snapshot)
    if year not in available:
        raise NoData(year_error(year, available))
    start = max(available[0], year - 4) if year_from is None else min(year_from, year)
    all_units = queries.units(snapshot)
    panel = queries.panel(snapshot, tuple(load_catalogue()))
    expected = tables.expected_with_reports(queries.expected_units(all_units, available), panel)
    names = dict(all_units.select("unit_code", "name").iter_rows())
    return Source(
        snapshot=snapshot,
        year=year,
        year_from=start,
        meta=queries.meta(snapshot),
        panel=panel,
        units=all_units,
        expected=expected,
        reporting=queries.reporting(snapshot),
        log=intake_log(snapshot),
        due=due or deadlines.default_deadline(year),
        names=names,
        order=unit_order(all_units),
    )
