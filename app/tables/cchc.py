"""The CCHC ranking page's tables: ranks from scores (ties, pools never mixed), mismatches with
the reported ranks, the Sở's own PAR rank, the year's league and the units to highlight."""

from __future__ import annotations

import polars as pl

from app import metrics
from app.fmt import fmt_int, fmt_rank
from app.tables.common import in_year, rank_label, type_label


def cchc_ranked(panel: pl.DataFrame) -> pl.DataFrame:
    """Units ranked by the Sở (pool "so"), per year and ranking group, never mixed with other pools.

    Ranks are computed from the scores (competition ranking: 1, 2, 2, 4). When the Sở
    ranked more units than have a score here (a report missing or rejected), the
    computed ranks would be too good, so that year keeps the reported ranks. Adds
    rank, rank_of, rank_label ("X/N"), rank_source ("computed"/"reported"), is_tie,
    percentile (100 = best) and rank_mismatch: the reported rank contradicts the scores
    (outside what the missing units could explain). Run it on the unscoped panel: a
    unit's rank belongs to the whole pool, not to the view.
    """
    pool = panel.filter(pl.col("rank_pool") == "so")
    groups = ["year", "rank_pool", "rank_group"]
    ranked = metrics.competition_rank(pool, "cchc_score", groups)
    reported_rank = pl.col("cchc_rank").cast(pl.Int64)
    has_computed = pl.col("rank_computed").is_not_null()
    ranked = ranked.with_columns(
        n_reported=pl.col("cchc_rank_of").cast(pl.Int64).max().over(groups),
    ).with_columns(
        n_missing=(pl.col("n_reported") - pl.col("n_ranked")).clip(lower_bound=0).fill_null(0),
    )
    complete = pl.col("n_missing") == 0
    use_computed = has_computed & complete
    ranked = ranked.with_columns(
        rank=pl.when(use_computed).then(pl.col("rank_computed")).otherwise(reported_rank),
        rank_of=pl.when(use_computed)
        .then(pl.col("n_ranked"))
        .otherwise(pl.col("cchc_rank_of").cast(pl.Int64)),
        rank_source=pl.when(use_computed).then(pl.lit("computed")).otherwise(pl.lit("reported")),
    )
    # with m units missing a score, a consistent reported rank lies in [computed, computed + m]
    outside = (reported_rank < pl.col("rank_computed")) | (
        reported_rank > pl.col("rank_computed") + pl.col("n_missing")
    )
    wrong_n = (pl.col("cchc_rank_of").cast(pl.Int64) != pl.col("n_reported")).fill_null(False)
    ranked = ranked.with_columns(
        is_tie=pl.col("rank").is_not_null() & (pl.len().over([*groups, "rank"]) > 1),
        percentile=metrics.rank_percentile(pl.col("rank"), pl.col("rank_of")),
        rank_mismatch=(has_computed & reported_rank.is_not_null() & (outside | wrong_n)).fill_null(False),
    )
    return ranked.with_columns(rank_label=rank_label("rank", "rank_of"))


def incomplete_rank_years(ranked: pl.DataFrame) -> list[int]:
    """Years whose ranks come from the reports because some ranked units have no score here."""
    rows = ranked.filter((pl.col("rank_source") == "reported") & pl.col("cchc_score").is_not_null())
    return sorted(rows["year"].unique().to_list())


def rank_mismatches(ranked: pl.DataFrame) -> pl.DataFrame:
    """Unit-years whose reported rank contradicts the scores (see cchc_ranked)."""
    low = pl.col("rank_computed")
    high = pl.col("rank_computed") + pl.col("n_missing")
    n = pl.coalesce(pl.col("n_reported"), pl.col("n_ranked")).cast(pl.String)
    expected = (
        pl.when(pl.col("n_missing") == 0)
        .then(pl.format("{}/{}", low, n))
        .otherwise(pl.format("{}–{}/{}", low, high, n))
    )
    return (
        ranked.filter(pl.col("rank_mismatch"))
        .select(
            "year",
            "unit_code",
            "short_name",
            "cchc_score",
            reported_label=rank_label("cchc_rank", "cchc_rank_of"),
            computed_label=expected,
        )
        .sort("year", "unit_code")
    )


def par_ranks(panel: pl.DataFrame) -> pl.DataFrame:
    """The Sở's own PAR rank among provincial departments (pool "tinh"), per year."""
    return (
        panel.filter((pl.col("rank_pool") == "tinh") & pl.col("cchc_rank").is_not_null())
        .select(
            "year",
            "unit_code",
            "short_name",
            "cchc_score",
            rank=pl.col("cchc_rank").cast(pl.Int64),
            rank_of=pl.col("cchc_rank_of").cast(pl.Int64),
        )
        .with_columns(
            rank_label=rank_label("rank", "rank_of"),
            percentile=metrics.rank_percentile(pl.col("rank"), pl.col("rank_of")),
        )
        .sort("unit_code", "year")
    )


def par_headline(par: pl.DataFrame, year: int) -> str | None:
    """One sentence on the Sở's PAR rank in `year` (Markdown), against its previous ranked year.

    `par` is par_ranks() for one Sở. Without a rank in `year` it names the latest rank
    before it; None when the Sở has no PAR rank up to `year`.
    """
    rows = par.filter(pl.col("year") <= year).sort("year")
    if rows.is_empty():
        return None
    last = rows.row(-1, named=True)
    name, rank = last["short_name"], fmt_rank(last["rank"], last["rank_of"])
    if last["year"] != year:
        return (
            f"**{name}** chưa có thứ hạng PAR Index năm {year}; gần nhất: năm {last['year']}, "
            f"hạng **{rank}** trong các sở, ban, ngành tỉnh."
        )
    text = (
        f"**{name}** năm {year} xếp hạng **{rank}** về chỉ số cải cách hành chính (PAR Index) "
        "trong các sở, ban, ngành tỉnh"
    )
    if rows.height < 2:
        return text + "."
    prev = rows.row(-2, named=True)
    steps = prev["rank"] - last["rank"]  # rank 1 is best: a smaller rank is a move up
    if steps > 0:
        change = f"tăng {fmt_int(steps)} bậc"
    elif steps < 0:
        change = f"giảm {fmt_int(-steps)} bậc"
    else:
        change = "giữ hạng"
    return f"{text}, {change} so với năm {prev['year']} ({fmt_rank(prev['rank'], prev['rank_of'])})."


def default_highlight(ranked: pl.DataFrame, year: int, n: int = 5) -> list[str]:
    """Units to highlight on the bump chart: the best `n` and the worst 2 of `year`.

    Units ranked in at least half of the years come first, so the lines have a history.
    """
    ranked_years = ranked.filter(pl.col("rank").is_not_null())
    span = max(1, ranked_years["year"].n_unique())
    history = ranked_years.group_by("unit_code").agg(n_years=pl.len())
    yr = (
        ranked_years.filter(pl.col("year") == year)
        .join(history, on="unit_code", how="left")
        .filter(pl.col("n_years") * 2 >= span)
        .sort("rank", "unit_code")
    )
    codes = yr["unit_code"].head(n).to_list() + yr["unit_code"].tail(2).to_list()
    return list(dict.fromkeys(codes))


def league_year(ranked: pl.DataFrame, year: int) -> pl.DataFrame:
    """The ranking of one year, best first, with ties marked "đồng hạng"."""
    return (
        in_year(ranked, year)
        .filter(pl.col("rank").is_not_null())
        .select(
            "rank",
            "rank_label",
            "unit_code",
            "short_name",
            type_label(),
            "cchc_score",
            reported_label=rank_label("cchc_rank", "cchc_rank_of"),
            note=pl.when(pl.col("is_tie")).then(pl.lit("Đồng hạng")).otherwise(pl.lit("")),
            rank_group="rank_group",
        )
        .sort("rank_group", "rank", "unit_code")
    )


def rank_groups(all_units: pl.DataFrame) -> dict[str, str]:
    """Ranking group -> a Vietnamese label (the name of the Sở that ranks it), in code order.

    A real province has one group (""); the national demo has one per province.
    """
    groups = sorted(all_units["rank_group"].unique().to_list())
    syt = all_units.filter(pl.col("rank_pool") == "tinh").select("rank_group", "name")
    names = {g: n for g, n in syt.iter_rows()}
    return {g: names.get(g) or (g or "Toàn tỉnh") for g in groups}
