"""The unit profile's tables: lineage (predecessors, successors, events to mark), the restated
group, active years, ratings and free text by year."""

from __future__ import annotations

import polars as pl

from app.fmt import NOT_REPORTED
from app.tables.common import unique_labels
from app.tables.markdown import escape_markdown


def unit_lineage(all_units: pl.DataFrame, unit_code: str) -> dict[str, list[dict]]:
    """The unit's predecessors (directly merged or renamed into it) and its successor chain.

    Rows as dicts for these few units only: the registry has 5.000 rows at national scale.
    """
    preds = all_units.filter(pl.col("successor_code") == unit_code).sort("unit_code").to_dicts()
    successor_of = dict(
        zip(all_units["unit_code"].to_list(), all_units["successor_code"].to_list(), strict=True)
    )
    chain: list[str] = []
    seen = {unit_code}
    nxt = successor_of.get(unit_code)
    while nxt and nxt not in seen and nxt in successor_of:
        chain.append(nxt)
        seen.add(nxt)
        nxt = successor_of[nxt]
    rows = {r["unit_code"]: r for r in all_units.filter(pl.col("unit_code").is_in(chain)).to_dicts()}
    return {"predecessors": preds, "successors": [rows[code] for code in chain]}


def lineage_events(
    all_units: pl.DataFrame, unit_code: str, lineage: dict[str, list[dict]] | None = None
) -> list[tuple[int, str]]:
    """(year, Vietnamese label) events to mark on the unit's trend charts.

    A predecessor that closed in year Y joined the unit in Y + 1: when the unit itself
    starts in Y + 1 it was renamed ("Đổi tên từ ...") or formed by a merger ("Hợp nhất
    từ ..."), otherwise the predecessor merged into it ("... sáp nhập vào"). A unit
    that later merged into another gets its last year marked. `lineage`: the unit's
    unit_lineage when the caller has it already.
    """
    lin = lineage if lineage is not None else unit_lineage(all_units, unit_code)
    mine = all_units.filter(pl.col("unit_code") == unit_code)
    events: list[tuple[int, str]] = []
    if mine.is_empty():
        return events
    me = mine.row(0, named=True)
    by_year: dict[int, list[str]] = {}
    for pred in lin["predecessors"]:
        if pred["valid_to"] is not None:
            by_year.setdefault(int(pred["valid_to"]) + 1, []).append(pred["short_name"])
    for year, names in sorted(by_year.items()):
        joined = ", ".join(names)
        if me["valid_from"] is not None and int(me["valid_from"]) == year:
            label = f"Đổi tên từ {joined}" if len(names) == 1 else f"Hợp nhất từ {joined}"
        else:
            label = f"{joined} sáp nhập vào"
        events.append((year, label))
    if me["successor_code"] and me["valid_to"] is not None:
        succ = lin["successors"][0] if lin["successors"] else None
        label = succ["short_name"] if succ else me["successor_code"]
        events.append((int(me["valid_to"]), f"Năm cuối trước khi sáp nhập vào {label}"))
    return events


def restated_sources(panel: pl.DataFrame, all_units: pl.DataFrame) -> pl.DataFrame:
    """Which predecessors a restated panel combined, per today's unit: for the chart captions."""
    if "source_units" not in panel.columns:
        return pl.DataFrame(schema={"unit_code": pl.String, "short_name": pl.String, "sources": pl.String})
    names = {r[0]: r[1] for r in all_units.select("unit_code", "short_name").iter_rows()}
    merged = (
        panel.filter(pl.col("n_sources") > 1)
        .group_by("unit_code", "short_name")
        .agg(
            codes=pl.col("source_units")
            .str.split(", ")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort(),
            year_from=pl.col("year").min(),
            year_to=pl.col("year").max(),
        )
        .sort("unit_code")
    )
    return merged.with_columns(
        sources=pl.col("codes").map_elements(
            lambda codes: ", ".join(names.get(c, c) for c in codes), return_dtype=pl.String
        )
    ).select("unit_code", "short_name", "sources", "year_from", "year_to")


def profile_labels(units: pl.DataFrame) -> dict[str, str]:
    """unit_code -> the name the profile picker shows (and its link carries): the full name,
    made unique when two units share one; never the internal code alone."""
    names = units.select("unit_code", "name").sort("unit_code")
    return unique_labels(names["unit_code"].to_list(), names["name"].to_list())


def default_profile_unit(units: pl.DataFrame) -> str:
    """The unit a profile opens on: a unit ranked by the Sở with a long history and a lineage to show."""
    preds = (
        units.filter(pl.col("unit_code") != pl.col("current_code")).group_by("current_code").agg(n=pl.len())
    )
    current = (
        units.filter(pl.col("unit_code") == pl.col("current_code"))
        .join(preds, left_on="unit_code", right_on="current_code", how="left")
        .with_columns(n=pl.col("n").fill_null(0), is_so=pl.col("rank_pool") == "so")
        .sort(
            ["is_so", "valid_from", pl.col("n") > 0, "n", "unit_code"],
            descending=[True, False, True, True, False],
            nulls_last=True,
        )
    )
    return current["unit_code"][0] if not current.is_empty() else units["unit_code"][0]


def lineage_group(all_units: pl.DataFrame, unit_code: str) -> list[str]:
    """The unit and every unit whose history it carries today (for the restated profile)."""
    members = all_units.filter(pl.col("current_code") == unit_code)["unit_code"].to_list()
    return sorted({unit_code, *members})


def active_years(all_units: pl.DataFrame, codes: list[str], year_from: int, year_to: int) -> list[int]:
    """Years in [year_from, year_to] when at least one of `codes` was active (expected to report)."""
    years: set[int] = set()
    for row in all_units.filter(pl.col("unit_code").is_in(codes)).iter_rows(named=True):
        start = max(year_from, row["valid_from"] or year_from)
        end = min(year_to, row["valid_to"] or year_to)
        years.update(range(start, end + 1))
    return sorted(years)


def restated_caption(history: pl.DataFrame, all_units: pl.DataFrame, name: str) -> str | None:
    """'Số liệu quy đổi theo cơ cấu hiện tại: X gộp từ A, B (2015–2024).' for a restated chart."""
    sources = restated_sources(history, all_units)
    if sources.is_empty():
        return None
    row = sources.row(0, named=True)
    return (
        f"Số liệu quy đổi theo cơ cấu hiện tại: {name} gộp từ {row['sources']} "
        f"({row['year_from']}–{row['year_to']})."
    )


def ratings_table(texts: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """Ratings and yes/no criteria per year, columns named in Vietnamese, blanks spelled out."""
    present = [c for c in labels if c in texts.columns]
    if not present:
        return pl.DataFrame(schema={"year": pl.Int32})
    return (
        texts.select("year", *present)
        .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in present))
        .with_columns(pl.col(c).fill_null(NOT_REPORTED) for c in present)
        .rename({c: labels[c] for c in present})
        .sort("year", descending=True)
    )


def free_texts(texts: pl.DataFrame, labels: dict[str, str]) -> list[tuple[int, list[tuple[str, str]]]]:
    """(year, [(label, escaped text), ...]) newest first, only years with some text."""
    present = [c for c in labels if c in texts.columns]
    out = []
    for row in texts.sort("year", descending=True).iter_rows(named=True):
        # the unit's own line breaks stay: Markdown breaks a line on two trailing spaces
        items = [(labels[c], escape_markdown(row[c]).replace("\n", "  \n")) for c in present if row.get(c)]
        if items:
            out.append((int(row["year"]), items))
    return out
