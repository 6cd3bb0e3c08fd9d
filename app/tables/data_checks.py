"""The findings of the "Kiểm tra số liệu" page: figures in force that an operator should check
with the unit, each one row with what is odd written in Vietnamese.

Four checks, the same ones the ingest warns about, run here on the values in force (so a
finding reflects the whole history, also years loaded after the file):
- `outlier`: a value far outside the unit's own other years (median ± k·MAD, exactly the
  rule of etl.validate's `_check_outlier`, vectorised over a unit × year matrix);
- `rank_mismatch`, `rank_no_score`: a reported CCHC rank the scores contradict
  (tables.rank_mismatches), and units without a score in a year the Sở ranked more units
  than have one (tables.incomplete_rank_years), or that report a rank without a score;
- `rate_no_size`: a satisfaction rate reported without its survey size (the catalogue's
  "blank or 0" rules);
- `sum_rule`: counts that do not add up (the catalogue's "a > b + c" rules).

Every finding has a `finding_key` (check, unit, year, indicator) and a `fingerprint` (the
figures it rests on), which the marks (app/check_marks.py) are matched against.
"""

from __future__ import annotations

import operator
from functools import reduce

import numpy as np
import polars as pl

from app.fmt import fmt_num, fmt_pct, fmt_rank, rounded
from app.tables.cchc import incomplete_rank_years, rank_mismatches
from etl.catalogue import Indicator, Rule, Term, load_catalogue
from etl.validate import OUTLIER_K, OUTLIER_MIN_HISTORY, sum_terms

CHECK_NAMES = {
    "outlier": "Khác xa các năm khác",
    "rank_mismatch": "Hạng lệch với điểm CCHC",
    "rank_no_score": "Xếp hạng thiếu điểm CCHC",
    "rate_no_size": "Tỷ lệ thiếu số phiếu khảo sát",
    "sum_rule": "Số liệu không khớp nhau",
}
FINDING_SCHEMA = {
    "check": pl.String,
    "unit_code": pl.String,
    "short_name": pl.String,
    "year": pl.Int32,
    "indicator_code": pl.String,
    "indicator": pl.String,
    "detail": pl.String,
    "value": pl.Float64,
    "finding_key": pl.String,
    "fingerprint": pl.String,
}
RANK_CODES = ("cchc_score", "cchc_rank", "cchc_rank_of")
_MAD_TO_SD = 1.4826  # as etl.validate: a normal distribution's SD from its MAD


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def finding_key(check: str, unit_code: str, year: int, indicator_code: str) -> str:
    """The key a mark is saved under: it outlives snapshots (no ids of the database in it).

    >>> finding_key("outlier", "BVM", 2024, "channel_online")
    'outlier|BVM|2024|channel_online'
    """
    return f"{check}|{unit_code}|{year}|{indicator_code}"


def fingerprint(values: dict[str, float | None]) -> str:
    """The figures a finding rests on, as text: a mark made on other figures no longer holds.

    >>> fingerprint({"sat_staff_pct": 85.8, "sat_staff_n": None})
    'sat_staff_pct=85.8;sat_staff_n='
    """
    return ";".join(f"{code}={'' if v is None else repr(float(v))}" for code, v in values.items())


def figure(ind: Indicator, value: float | None) -> str:
    """A value as the pages write it: '92,5%', '1.234', '0,5' (at most two decimals).

    >>> figure(load_catalogue()["sat_staff_pct"], 85.8), figure(load_catalogue()["dv_awards"], 0.5)
    ('85,8%', '0,5')
    """
    if value is None:
        return "trống"
    decimals = next(d for d in (0, 1, 2) if d == 2 or rounded(value, d) == rounded(value, 2))
    return fmt_pct(value, decimals) if ind.kind == "pct" else fmt_num(value, decimals)


def _frame(rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return empty_findings()
    return pl.DataFrame(rows, schema=FINDING_SCHEMA)


def _row(check: str, unit_code: str, short_name: str, year: int, ind: Indicator, detail: str,
         value: float | None, figures: dict[str, float | None]) -> dict:  # fmt: skip
    return {
        "check": check,
        "unit_code": unit_code,
        "short_name": short_name,
        "year": year,
        "indicator_code": ind.code,
        "indicator": ind.name_vi,
        "detail": detail,
        "value": value,
        "finding_key": finding_key(check, unit_code, year, ind.code),
        "fingerprint": fingerprint(figures),
    }


# ----------------------------------------------------------------------------- outliers


def _row_median(a: np.ndarray) -> np.ndarray:
    """The median of each row, blanks (nan) left out; nan for a row with nothing.

    Sorting puts nan last, so the middle of the k reported cells is at (k-1)//2 and k//2:
    the same value as statistics.median, many times faster than np.nanmedian on short rows.
    """
    ordered = np.sort(a, axis=1)
    k = (~np.isnan(a)).sum(axis=1)
    lo = np.clip((k - 1) // 2, 0, None)[:, None]
    hi = np.clip(k // 2, 0, a.shape[1] - 1)[:, None]
    mid = (np.take_along_axis(ordered, lo, axis=1) + np.take_along_axis(ordered, hi, axis=1))[:, 0] / 2
    return np.where(k > 0, mid, np.nan)


def _leave_one_out(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every cell: the median, the robust spread and the count of the row's other cells."""
    n_rows, n_cols = matrix.shape
    median = np.full((n_rows, n_cols), np.nan)
    spread = np.full((n_rows, n_cols), np.nan)
    n_past = np.zeros((n_rows, n_cols), dtype=int)
    if n_cols < 2:
        return median, spread, n_past
    with np.errstate(invalid="ignore"):
        for j in range(n_cols):
            others = np.delete(matrix, j, axis=1)
            med = _row_median(others)
            mad = _row_median(np.abs(others - med[:, None])) * _MAD_TO_SD
            # as etl.validate: small counts vary like Poisson counts, so the spread never goes
            # below sqrt(median), 5% of the median, or 1
            floor = np.maximum(np.maximum(0.05 * np.abs(med), np.sqrt(np.abs(med))), 1.0)
            median[:, j] = med
            spread[:, j] = np.maximum(mad, floor)
            n_past[:, j] = (~np.isnan(others)).sum(axis=1)
    return median, spread, n_past


def outliers(values: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Values far outside the unit's own other years (the ingest's outlier rule).

    `values`: long frame (unit_code, year, indicator_code, value_num) of the values in force,
    every year of the units concerned (the history); `units`: unit_code -> short_name.
    Ranks and scores (restate "none") are relative to their pool and are never flagged.
    """
    catalogue = load_catalogue()
    codes = [c for c, ind in catalogue.items() if ind.is_numeric and ind.restate != "none"]
    v = values.filter(pl.col("indicator_code").is_in(codes) & pl.col("value_num").is_not_null())
    if v.is_empty():
        return empty_findings()
    years = sorted(v["year"].unique().to_list())
    wide = v.with_columns(pl.col("year").cast(pl.String)).pivot(
        on="year", index=["unit_code", "indicator_code"], values="value_num"
    )
    matrix = wide.select([str(y) for y in years]).to_numpy().astype(float)
    median, spread, n_past = _leave_one_out(matrix)
    with np.errstate(invalid="ignore"):
        flagged = (
            ~np.isnan(matrix)
            & (n_past >= OUTLIER_MIN_HISTORY)
            & (np.abs(matrix - median) > OUTLIER_K * spread)
        )
    names = dict(units.select("unit_code", "short_name").iter_rows())
    rows = []
    for i, j in zip(*np.nonzero(flagged), strict=True):
        unit_code, code = wide["unit_code"][int(i)], wide["indicator_code"][int(i)]
        ind, value, med = catalogue[code], float(matrix[i, j]), float(median[i, j])
        way = "cao hơn nhiều" if value > med else "thấp hơn nhiều"
        detail = (
            f"Giá trị {figure(ind, value)} {way} so với các năm khác của đơn vị "
            f"(trung vị {figure(ind, med)} của {fmt_num(int(n_past[i, j]))} năm có số liệu)."
        )
        rows.append(
            _row("outlier", unit_code, names.get(unit_code, unit_code), years[int(j)], ind, detail, value,
                 {code: value})
        )  # fmt: skip
    return _frame(rows).sort("year", "unit_code", "indicator_code")


# ----------------------------------------------------------------------------- catalogue rules


def rule_codes() -> tuple[str, ...]:
    """Every indicator a catalogue rule reads (hosts and terms), for the panel query."""
    codes: list[str] = []
    for ind in load_catalogue().values():
        for rule in ind.rules:
            codes += [ind.code, *rule.codes]
    return tuple(dict.fromkeys(codes))


def _terms_text(terms: tuple[Term, ...], row: dict, blank_as_zero: bool) -> str:
    catalogue = load_catalogue()
    parts = []
    for t in terms:
        ind, v = catalogue[t.code], row.get(t.code)
        shown = figure(ind, v) if v is not None else ("trống, tính là 0" if blank_as_zero else "trống")
        factor = f"{fmt_num(t.factor)} × " if t.factor != 1 else ""
        parts.append(f"{factor}{ind.short_vi} ({shown})")
    return " + ".join(parts)


def _rate_without_size(host: Indicator, rule: Rule, row: dict) -> str | None:
    if row.get(host.code) is None:
        return None
    n_ind = load_catalogue()[rule.left[0].code]
    n = row.get(n_ind.code)
    if n is not None and n != 0:
        return None
    how = "để trống" if n is None else "bằng 0"
    return (
        f"Đã báo cáo tỷ lệ {figure(host, row[host.code])} nhưng «{n_ind.name_vi}» {how}: "
        "không rõ tỷ lệ tính trên bao nhiêu phiếu."
    )


def _sum_broken(rule: Rule, row: dict) -> str | None:
    if row.get(rule.left[0].code) is None:
        return None
    left = sum_terms(rule.left, row, rule.blank_as_zero)
    right = sum_terms(rule.right, row, rule.blank_as_zero)
    if left is None or right is None or left <= right:
        return None
    why = "số liệu như vậy không thể đúng" if rule.severity == "error" else "cần xác minh với đơn vị"
    return (
        f"{_terms_text(rule.left, row, rule.blank_as_zero)} lớn hơn "
        f"{_terms_text(rule.right, row, rule.blank_as_zero)}: {why}."
    )


def _terms_expr(terms: tuple[Term, ...], blank_as_zero: bool) -> pl.Expr:
    """factor × code + ...; a blank term makes the whole blank unless blanks count as 0."""
    parts = [t.factor * (pl.col(t.code).fill_null(0.0) if blank_as_zero else pl.col(t.code)) for t in terms]
    return reduce(operator.add, parts)


def _breaks(host: Indicator, rule: Rule) -> pl.Expr:
    """The rows where `rule` does not hold (as etl.validate `_check_rule` decides)."""
    if rule.op == "blank_or_zero":
        n = pl.col(rule.left[0].code)
        return pl.col(host.code).is_not_null() & (n.is_null() | (n == 0))
    left = _terms_expr(rule.left, rule.blank_as_zero)
    right = _terms_expr(rule.right, rule.blank_as_zero)
    return pl.col(rule.left[0].code).is_not_null() & (left > right).fill_null(False)


def rule_findings(panel: pl.DataFrame) -> pl.DataFrame:
    """Unit-years breaking a catalogue rule: rates without a survey size, sums that do not add up.

    `panel`: the unit-year panel (unit_code, short_name, year and the rule_codes()), as
    reported. The rules are the ones the ingest checks (etl.validate `_check_rule`).
    """
    catalogue = load_catalogue()
    rows = []
    for host in catalogue.values():
        for rule in host.rules:
            codes = list(dict.fromkeys((host.code, *rule.codes)))
            if panel.is_empty() or any(c not in panel.columns for c in codes):
                continue
            hits = panel.filter(_breaks(host, rule)).select("unit_code", "short_name", "year", *codes)
            for row in hits.iter_rows(named=True):
                if rule.op == "blank_or_zero":
                    detail, check, ind = _rate_without_size(host, rule, row), "rate_no_size", host
                else:
                    detail, check, ind = _sum_broken(rule, row), "sum_rule", catalogue[rule.left[0].code]
                if detail is None:
                    continue
                rows.append(
                    _row(check, row["unit_code"], row["short_name"], row["year"], ind, detail, row.get(ind.code),
                         {c: row.get(c) for c in codes})
                )  # fmt: skip
    return _frame(rows).unique("finding_key", keep="first").sort("year", "unit_code", "indicator_code")


# ----------------------------------------------------------------------------- CCHC ranks


def _rank_figures(row: dict) -> dict[str, float | None]:
    return {c: row.get(c) for c in RANK_CODES}


def rank_findings(ranked: pl.DataFrame, expected: pl.DataFrame) -> pl.DataFrame:
    """Reported ranks the scores contradict, and units the Sở ranked that have no score here.

    `ranked`: tables.cchc_ranked on the whole unscoped panel (ranks belong to the pool);
    `expected`: who was expected to report each year (queries.expected_units) with
    rank_pool and rank_group, for the units whose report is missing altogether.
    """
    catalogue = load_catalogue()
    rank_ind, score_ind = catalogue["cchc_rank"], catalogue["cchc_score"]
    rows = []
    mismatches = rank_mismatches(ranked).join(
        ranked.select("year", "unit_code", "cchc_rank", "cchc_rank_of"), on=["year", "unit_code"], how="left"
    )
    for r in mismatches.iter_rows(named=True):
        detail = (
            f"Đơn vị báo cáo hạng {r['reported_label']} với điểm CCHC {figure(score_ind, r['cchc_score'])}; "
            f"theo điểm của các đơn vị, hạng phải là {r['computed_label']}."
        )
        rows.append(
            _row("rank_mismatch", r["unit_code"], r["short_name"], r["year"], rank_ind, detail, r["cchc_rank"],
                 _rank_figures(r))
        )  # fmt: skip
    rows += _without_score(ranked, expected, score_ind)
    return _frame(rows).unique("finding_key", keep="first").sort("year", "unit_code", "check")


def _without_score(ranked: pl.DataFrame, expected: pl.DataFrame, score_ind: Indicator) -> list[dict]:
    groups = ["year", "rank_group"]
    sizes = ranked.group_by(groups).agg(
        n_reported=pl.col("n_reported").max(), n_scored=pl.col("cchc_score").count()
    )
    short = set(incomplete_rank_years(ranked))
    in_pool = expected.filter((pl.col("rank_pool") == "so") & pl.col("year").is_in(list(short)))
    reported = ranked.select("year", "unit_code", *RANK_CODES)
    missing = (
        in_pool.select("year", "unit_code", "short_name", "rank_group")
        .join(reported, on=["year", "unit_code"], how="left")
        .filter(pl.col("cchc_score").is_null())
    )
    # a rank without a score counts in any year, complete or not
    ranked_bare = ranked.filter(pl.col("cchc_rank").is_not_null() & pl.col("cchc_score").is_null()).select(
        "year", "unit_code", "short_name", "rank_group", *RANK_CODES
    )
    has_row = set(reported.select("year", "unit_code").iter_rows())
    rows = []
    both = pl.concat([missing.select(ranked_bare.columns), ranked_bare]).unique(["year", "unit_code"])
    for r in both.join(sizes, on=groups, how="left").iter_rows(named=True):
        n_text = ""
        if r["n_reported"] is not None and r["n_scored"] is not None and r["n_reported"] > r["n_scored"]:
            n_text = (
                f" Năm {r['year']} Sở xếp hạng {fmt_num(r['n_reported'])} đơn vị nhưng chỉ "
                f"{fmt_num(r['n_scored'])} đơn vị có điểm, nên thứ hạng năm đó lấy theo hạng đơn vị báo cáo."
            )
        if r["cchc_rank"] is not None:
            what = f"Đơn vị báo cáo hạng {fmt_rank(r['cchc_rank'], r['cchc_rank_of'])} nhưng không ghi điểm CCHC."
        elif (r["year"], r["unit_code"]) in has_row:
            what = "Báo cáo của đơn vị không ghi điểm CCHC."
        else:
            what = "Chưa có điểm CCHC: đơn vị chưa có báo cáo năm này được tiếp nhận."
        rows.append(
            _row("rank_no_score", r["unit_code"], r["short_name"], r["year"], score_ind, what + n_text, None,
                 _rank_figures(r))
        )  # fmt: skip
    return rows
