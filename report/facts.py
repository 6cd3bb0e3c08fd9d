"""The figures of the yearly report, domain by domain, computed by the dashboard's own tables.

Each function takes the Source of one year and returns a small frozen record of what the
report says about a domain: province-wide values for the year and the year before, the
best and weakest units, the rows of the table by unit and the frame behind the chart.
Everything comes from app.tables (the functions the pages call), so a figure in the report
is the figure on the page. Unit codes stay in the frames; the writers name units.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from app import intake, queries, tables
from report.source import Source

SATISFACTION_TARGET = 90.0  # the satisfaction page's default target
EDGE = 3  # how many best and weakest units a sentence names


@dataclass(frozen=True)
class Reporting:
    """Who reported for the year: counts and the units to name."""

    expected: int
    reported: int
    on_time: int
    late: list[tuple[str, str]]  # (unit code, first received "dd/mm/yyyy")
    missing: list[str]  # unit codes
    rejected: list[str]  # unit codes whose file was rejected and not resent


def reporting(src: Source) -> Reporting:
    expected = queries.expected_units(src.units, [src.year])
    status = intake.intake_status(expected, src.log, src.year, src.due)
    counts = intake.status_counts(status)

    def codes(name: str) -> list[str]:
        return status.filter(pl.col("status") == name)["unit_code"].to_list()

    late = status.filter(pl.col("status") == intake.LATE).select(
        "unit_code", pl.col("first_received_at").dt.strftime("%d/%m/%Y")
    )
    return Reporting(
        expected=status.height,
        reported=counts[intake.ON_TIME] + counts[intake.LATE],
        on_time=counts[intake.ON_TIME],
        late=[(c, d) for c, d in late.iter_rows()],
        missing=codes(intake.MISSING),
        rejected=codes(intake.REJECTED),
    )


def _row(frame: pl.DataFrame, **where: object) -> dict | None:
    """The first row of `frame` matching every column == value, as a dict (None when none)."""
    cond = pl.lit(True)
    for col, value in where.items():
        cond &= pl.col(col) == value
    rows = frame.filter(cond)
    return rows.row(0, named=True) if not rows.is_empty() else None


def _get(row: dict | None, key: str) -> float | None:
    return None if row is None else row.get(key)


@dataclass(frozen=True)
class Cchc:
    """Administrative reform: the Sở's PAR rank and the units the Sở scores."""

    par: dict | None  # tables.par_ranks row of the year: rank, rank_of, cchc_score
    par_previous: dict | None  # the latest ranked year before
    mean: float | None  # mean score of the units the Sở ranks (overview trend "cchc")
    mean_previous: float | None
    league: pl.DataFrame  # tables.league_year of the year, plus previous_label
    tthc: dict[str, float | None]  # received, ontime, online, ontime_pct, online_pct (+ _prev)
    chart: pl.DataFrame  # tables.cchc_ranked in the period (score distribution chart)


def _tthc(panel_year: pl.DataFrame) -> dict[str, float | None]:
    both = pl.col("tthc_received").is_not_null()
    sums = panel_year.select(
        received=pl.col("tthc_received").sum(),
        ontime=pl.col("tthc_ontime").sum(),
        online=pl.col("tthc_online").sum(),
        n_units=pl.col("tthc_received").count(),
        ontime_base=pl.when(both & pl.col("tthc_ontime").is_not_null()).then(pl.col("tthc_received")).sum(),
        online_base=pl.when(both & pl.col("tthc_online").is_not_null()).then(pl.col("tthc_received")).sum(),
    ).row(0, named=True)
    if not sums["n_units"]:
        return {"received": None, "ontime": None, "online": None, "ontime_pct": None, "online_pct": None}
    return {
        "received": sums["received"],
        "ontime": sums["ontime"],
        "online": sums["online"],
        "ontime_pct": 100 * sums["ontime"] / sums["ontime_base"] if sums["ontime_base"] else None,
        "online_pct": 100 * sums["online"] / sums["online_base"] if sums["online_base"] else None,
        "n_units": sums["n_units"],
    }


def cchc(src: Source) -> Cchc:
    ranked = tables.cchc_ranked(src.panel).filter(pl.col("rank_group") == "")
    league = tables.league_year(ranked, src.year)
    previous = tables.league_year(ranked, src.previous).select("unit_code", previous_label="rank_label")
    league = league.join(previous, on="unit_code", how="left").sort("rank", "unit_code")
    department = src.units.filter((pl.col("rank_pool") == "tinh") & (pl.col("rank_group") == ""))["unit_code"]
    par = tables.par_ranks(src.panel).filter(pl.col("unit_code").is_in(department.implode()))
    par_rows = par.filter(pl.col("year") <= src.year).sort("year")
    this = _row(par_rows, year=src.year)
    before = par_rows.filter(pl.col("year") < src.year)
    trend = tables.kpi_trends(src.kpi_series, src.previous, src.year).filter(pl.col("key") == "cchc")
    tthc = _tthc(src.in_year())
    tthc |= {f"{k}_prev": v for k, v in _tthc(src.in_year(src.previous)).items()}
    return Cchc(
        par=this,
        par_previous=before.row(-1, named=True) if this and not before.is_empty() else None,
        mean=_get(_row(trend, year=src.year), "value"),
        mean_previous=_get(_row(trend, year=src.previous), "value"),
        league=league,
        tthc=tthc,
        chart=src.in_period(ranked.filter(pl.col("cchc_score").is_not_null())),
    )


@dataclass(frozen=True)
class Survey:
    """One satisfaction survey province-wide: pooled rate, forms, units, and the year before."""

    code: str
    label: str
    pct: float | None
    n: float | None
    n_units: int
    pct_previous: float | None
    by_unit: pl.DataFrame  # tables.unit_satisfaction of the year (pct ascending)
    below: pl.DataFrame  # tables.below_target at SATISFACTION_TARGET


@dataclass(frozen=True)
class Satisfaction:
    surveys: list[Survey]
    scores: dict[str, tuple[float | None, float | None]]  # score code -> (year, previous)
    table: pl.DataFrame  # one row per unit: unit_code, <code>_pct, <code>_n for each survey
    chart: pl.DataFrame  # tables.satisfaction_trend in the period


def satisfaction(src: Source) -> Satisfaction:
    trend = tables.satisfaction_trend(src.panel)
    year_rows = src.in_year()
    surveys = []
    for code in tables.SATISFACTION_CODES:
        now = _row(trend, indicator_code=code, year=src.year)
        if now is None:
            continue
        surveys.append(
            Survey(
                code=code,
                label=now["label"],
                pct=now["pct"],
                n=now["n"],
                n_units=now["n_units"],
                pct_previous=_get(_row(trend, indicator_code=code, year=src.previous), "pct"),
                by_unit=tables.unit_satisfaction(year_rows, code),
                below=tables.below_target(year_rows, code, SATISFACTION_TARGET),
            )
        )
    scores_frame = tables.score_trend(src.panel)
    scores = {
        code: (
            _get(_row(scores_frame, indicator_code=code, year=src.year), "score"),
            _get(_row(scores_frame, indicator_code=code, year=src.previous), "score"),
        )
        for code in tables.SCORE_CODES
    }
    table = None
    for s in surveys:
        part = s.by_unit.select(
            "unit_code", pl.col("pct").alias(f"{s.code}_pct"), pl.col("n").alias(f"{s.code}_n")
        )
        table = part if table is None else table.join(part, on="unit_code", how="full", coalesce=True)
    return Satisfaction(
        surveys=surveys,
        scores=scores,
        table=table if table is not None else pl.DataFrame(schema={"unit_code": pl.String}),
        chart=src.in_period(trend),
    )


@dataclass(frozen=True)
class Training:
    sessions: float | None
    participants: float | None
    n_units: int
    sessions_previous: float | None
    participants_previous: float | None
    per_staff: float | None  # participants / staff over units that report both
    coverage: pl.DataFrame  # tables.training_coverage of the year
    none: pl.DataFrame  # tables.no_training of the year
    chart: pl.DataFrame  # tables.training_by_year in the period


def _training_totals(by_year: pl.DataFrame, year: int) -> dict | None:
    rows = by_year.filter(pl.col("year") == year)
    if rows.is_empty():
        return None
    return rows.select(pl.col("sessions").sum(), pl.col("participants").sum(), pl.col("n_units").sum()).row(
        0, named=True
    )


def training(src: Source) -> Training:
    by_year = tables.training_by_year(src.panel)
    now, before = _training_totals(by_year, src.year), _training_totals(by_year, src.previous)
    coverage = tables.training_coverage(src.in_year())
    both = coverage.filter(pl.col("per_staff").is_not_null())
    staff = both["staff"].sum()
    return Training(
        sessions=_get(now, "sessions"),
        participants=_get(now, "participants"),
        n_units=int(_get(now, "n_units") or 0),
        sessions_previous=_get(before, "sessions"),
        participants_previous=_get(before, "participants"),
        per_staff=both["participants"].sum() / staff if staff else None,
        coverage=coverage,
        none=tables.no_training(src.in_year(), tables.in_year(src.expected, src.year)),
        chart=src.in_period(by_year),
    )


@dataclass(frozen=True)
class Complaints:
    flow: dict | None  # tables.complaint_flow row of the year
    flow_previous: dict | None
    channels: list[tuple[str, float]]  # (label, count) of the year
    reception: dict[str, float | None]  # reception_by_year values of the year by indicator code
    by_unit: pl.DataFrame  # tables.complaints_by_unit of the year
    chart: pl.DataFrame  # tables.complaint_flow in the period


def complaints(src: Source) -> Complaints:
    flow = tables.complaint_flow(src.panel)
    channels = tables.channels_by_year(src.in_year())
    reception = tables.reception_by_year(src.in_year())
    return Complaints(
        flow=_row(flow, year=src.year),
        flow_previous=_row(flow, year=src.previous),
        channels=[(label, value) for label, value in channels.select("label", "value").iter_rows() if value],
        reception=dict(reception.select("indicator_code", "value").iter_rows()),
        by_unit=tables.complaints_by_unit(src.in_year()),
        chart=src.in_period(flow),
    )


@dataclass(frozen=True)
class DanVan:
    """The Sở's rating of each unit's dân vận work and what units report beside it."""

    ratings: dict[str, int]  # rating -> units, in tables.RATING_ORDER
    good: tuple[float | None, float | None, float | None, float | None]  # Kpi good: value, total, prev...
    self_higher: list[str]  # unit codes that rated themselves above the Sở's rating
    sums: dict[str, float | None]  # dvk_models, dvk_models_recognized, dv_awards, social_support_*
    sums_previous: dict[str, float | None]
    yes: dict[str, tuple[int, int]]  # qcdc_conference, xsd_achieved -> (units "Có", units reporting)
    table: pl.DataFrame  # per unit of the year: ratings, models, yes/no criteria


_DV_TABLE = ("unit_code", "dv_self_rating", "dv_official_rating", "dvk_models", "dvk_models_recognized",
             "qcdc_conference", "xsd_achieved")  # fmt: skip
_DV_SUMS = (
    "dvk_models",
    "dvk_models_recognized",
    "dv_awards",
    "social_support_people",
    "social_support_value",
)


def _sums(panel_year: pl.DataFrame) -> dict[str, float | None]:
    row = panel_year.select(
        *(pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in _DV_SUMS)
    ).row(0, named=True)
    return dict(row)


def dan_van(src: Source) -> DanVan:
    year_rows = src.in_year()
    counts = dict(year_rows["dv_official_rating"].drop_nulls().value_counts().iter_rows())
    good = next(k for k in tables.overview_kpis(src.kpi_series, src.panel, src.year) if k.key == "good")
    order = {r: i for i, r in enumerate(tables.RATING_ORDER)}  # 0 = best
    rated = year_rows.filter(
        pl.col("dv_official_rating").is_not_null() & pl.col("dv_self_rating").is_not_null()
    )
    higher = [
        code
        for code, own, official in rated.select(
            "unit_code", "dv_self_rating", "dv_official_rating"
        ).iter_rows()
        if order.get(own, 99) < order.get(official, 99)
    ]
    yes = {
        c: (int((year_rows[c] == "Có").sum()), int(year_rows[c].is_not_null().sum()))
        for c in ("qcdc_conference", "xsd_achieved")
    }
    table = year_rows.filter(
        pl.col("dv_official_rating").is_not_null() | pl.col("dv_self_rating").is_not_null()
    )
    return DanVan(
        ratings={r: int(counts.get(r, 0)) for r in tables.RATING_ORDER},
        good=(good.value, good.total, good.previous, good.previous_total),
        self_higher=higher,
        sums=_sums(year_rows),
        sums_previous=_sums(src.in_year(src.previous)),
        yes=yes,
        table=table.select(*_DV_TABLE),
    )
