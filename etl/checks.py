"""Data contracts on the loaded tables: keys, accepted values and arithmetic identities.

The ETL runs them after an ingest and the tests reuse them, like dbt's
`unique` / `not_null` / `accepted_values` / `expression_is_true` tests.
"""

from __future__ import annotations

import duckdb

from etl.catalogue import load_catalogue

# (description, query returning offending rows); an empty result means the check holds
_CHECKS: list[tuple[str, str]] = [
    (
        "mã báo cáo không trùng",
        "select submission_id from submission_log group by all having count(*) > 1",
    ),
    (
        "mỗi đơn vị, mỗi năm có nhiều nhất một báo cáo đang có hiệu lực",
        "select unit_code, year from submissions where status = 'accepted' group by all having count(*) > 1",
    ),
    (
        "báo cáo được nhận có mã đơn vị và năm",
        "select submission_id from submissions where status <> 'rejected' and (unit_code is null or year is null)",
    ),
    (
        "mã đơn vị của báo cáo có trong danh sách đơn vị",
        "select submission_id from submissions s where unit_code is not null "
        "and not exists (select 1 from units u where u.unit_code = s.unit_code)",
    ),
    (
        "đơn vị kế thừa có trong danh sách đơn vị",
        "select unit_code from units u where successor_code is not null "
        "and not exists (select 1 from units v where v.unit_code = u.successor_code)",
    ),
    (
        "báo cáo bị từ chối không mang số liệu",
        "select submission_id from submissions where status = 'rejected' and indicator_codes is not null",
    ),
    (
        "số giá trị của mỗi báo cáo khớp với n_values",
        "select submission_id from submissions where status <> 'rejected' and not ("
        "len(indicator_codes) = n_values and len(values_num) = n_values "
        "and len(values_text) = n_values and len(source_cells) = n_values)",
    ),
    (
        "mã chỉ tiêu có trong danh mục",
        "select distinct indicator_code from submitted_values "
        "where indicator_code not in (select code from indicators)",
    ),
    (
        "mỗi chỉ tiêu xuất hiện một lần trong một báo cáo",
        "select submission_id, indicator_code from submitted_values group by all having count(*) > 1",
    ),
    (
        "giá trị số nằm trong giới hạn của danh mục",
        "select c.unit_code, c.year, c.indicator_code from current_values c join indicators i "
        "on i.code = c.indicator_code where c.value_num < i.min_value or c.value_num > i.max_value",
    ),
    (
        "báo cáo bị thay thế có thời điểm thay thế",
        "select submission_id from submissions where status = 'superseded' and superseded_at is null",
    ),
]


def _side(terms, blank_as_zero: bool) -> str:
    fill = "coalesce({}, 0)" if blank_as_zero else "{}"
    return " + ".join(f"{t.factor} * " + fill.format(t.code) for t in terms)


def _rule_checks() -> list[tuple[str, str]]:
    """One check per error rule of the catalogue, on the values in force."""
    checks = []
    for ind in load_catalogue().values():
        for rule in ind.rules:
            if rule.severity != "error" or rule.op != ">":
                continue

            query = (
                f"select unit_code, year from unit_year_wide where {rule.left[0].code} is not null "
                f"and {_side(rule.left, rule.blank_as_zero)} > {_side(rule.right, rule.blank_as_zero)}"
            )
            checks.append((f"quy tắc «{rule.text}»", query))
    return checks


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run every check; returns a Vietnamese line per failing check (empty when all hold)."""
    failures = []
    for description, query in _CHECKS + _rule_checks():
        rows = con.execute(f"select * from ({query}) limit 5").fetchall()
        if rows:
            failures.append(f"{description}: ví dụ {rows}")
    return failures
