"""Versions of one unit-year's report side by side, and what changed between two of them.

Pure transforms over the long values frame of `submission_queries.version_values`
(submission_id, indicator_code, value_num, value_text). A blank cell is not a value: an
indicator present in one version and blank or absent in the other is a change ("trống"),
and 0 is never the same as blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from app.fmt import fmt_num

BLANK = "(trống)"  # how a value not reported reads in a comparison


@dataclass(frozen=True)
class Change:
    """One indicator whose value differs between two versions (None: blank in that version)."""

    indicator_code: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "Thêm"
        if self.after is None:
            return "Bỏ trống"
        return "Sửa"


def value_text(value_num: float | None, value_text_: str | None) -> str | None:
    """A stored value as the page shows it: numbers the Vietnamese way (1.234,5), text as written."""
    if value_num is not None:
        decimals = 0 if float(value_num).is_integer() else 2
        text = fmt_num(value_num, decimals)
        # 92,50 reads as 92,5: trailing zeros of the decimals say nothing
        return text.rstrip("0").rstrip(",") if "," in text else text
    if value_text_ is not None and value_text_.strip():
        return value_text_
    return None


def version_map(values: pl.DataFrame, submission_id: int) -> dict[str, str | None]:
    """indicator code -> shown value of one version."""
    rows = values.filter(pl.col("submission_id") == submission_id)
    return {
        code: value_text(num, text)
        for code, num, text in rows.select("indicator_code", "value_num", "value_text").iter_rows()
    }


def diff_versions(before: Mapping[str, str | None], after: Mapping[str, str | None]) -> list[Change]:
    """The indicators whose shown value differs, in `after`'s order then those only in `before`.

    Blank and absent are the same (not reported); anything else that differs is a change.
    """
    codes = list(dict.fromkeys([*after, *before]))
    return [
        Change(code, before.get(code), after.get(code))
        for code in codes
        if before.get(code) != after.get(code)
    ]


def changes_frame(changes: Sequence[Change], labels: Mapping[str, str]) -> pl.DataFrame:
    """Changes as a table: indicator (Vietnamese name), code, before, after, kind."""
    return pl.DataFrame(
        {
            "indicator": [labels.get(c.indicator_code, c.indicator_code) for c in changes],
            "indicator_code": [c.indicator_code for c in changes],
            "before": [c.before or BLANK for c in changes],
            "after": [c.after or BLANK for c in changes],
            "kind": [c.kind for c in changes],
        },
        schema={k: pl.String for k in ("indicator", "indicator_code", "before", "after", "kind")},
    )


def side_by_side(
    values: pl.DataFrame, versions: Sequence[tuple[int, str]], labels: Mapping[str, str]
) -> pl.DataFrame:
    """One row per indicator reported in any version, one column per version (its label), in order.

    `versions` is [(submission_id, column label)], oldest first; the last column `changed`
    says "Có" where the newest version differs from the one before it.
    """
    maps = [version_map(values, sid) for sid, _ in versions]
    order = [c for c in labels if any(c in m for m in maps)]
    order += [c for m in maps for c in m if c not in labels and c not in order]
    data: dict[str, list] = {"indicator": [labels.get(c, c) for c in order]}
    for (_, label), m in zip(versions, maps, strict=True):
        data[label] = [m.get(c) or BLANK for c in order]
    if len(maps) >= 2:
        changed = {c.indicator_code for c in diff_versions(maps[-2], maps[-1])}
        data["changed"] = ["Có" if c in changed else "" for c in order]
    return pl.DataFrame(data, schema={k: pl.String for k in data})
