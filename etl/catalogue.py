"""The indicator catalogue: the single source of truth for codes, labels, units, bounds and rules.

Everything that needs to know about an indicator (template, validation, database,
chart titles) reads `data/indicators.csv` through this module. Two optional columns say
what an indicator means for whom: `applies_to` (unit types separated by `|`; blank = every
type), so a blank of a CDC in inpatient satisfaction reads "không áp dụng", never "chưa báo
cáo"; and `target`, the Sở's target in the indicator's unit (90 for satisfaction rates).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CATALOGUE_CSV = DATA_DIR / "indicators.csv"
DOMAINS_CSV = DATA_DIR / "domains.csv"

KINDS = ("int", "float", "pct", "category", "bool", "text")
NUMERIC_KINDS = ("int", "float", "pct")
BOOL_YES, BOOL_NO = "Có", "Không"


@dataclass(frozen=True)
class Term:
    """One `factor * code` term of a rule expression."""

    factor: float
    code: str


@dataclass(frozen=True)
class Rule:
    """A cross-field rule parsed from the catalogue's `rule` column.

    `op` is ">" (left > right is the violation) or "blank_or_zero" (left is blank or 0).
    """

    severity: str  # "error" or "warn"
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    blank_as_zero: bool
    text: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in (*self.left, *self.right))


@dataclass(frozen=True)
class Indicator:
    """One row of the catalogue."""

    code: str
    domain: str
    name_vi: str
    short_vi: str
    unit_vi: str
    kind: str
    min: float | None
    max: float | None
    direction: str  # "up" (higher is better), "down" or "none"
    n_code: str | None  # the indicator holding the survey size behind a rate
    restate: str  # how predecessors combine: "sum", "wmean", "mean" or "none"
    choices: tuple[str, ...]
    rules: tuple[Rule, ...]
    position: int
    # the unit types the indicator concerns (a CDC has no inpatients); empty = every type
    applies_to: tuple[str, ...] = ()
    target: float | None = None  # the Sở's target, in the indicator's unit, where it has one

    def applies(self, unit_type: str | None) -> bool:
        """Does the indicator concern a unit of this type? (blank elsewhere means "không áp dụng")"""
        return not self.applies_to or unit_type in self.applies_to

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def label(self) -> str:
        """Vietnamese label with the unit, for axis titles and table headers."""
        return f"{self.short_vi} ({self.unit_vi})" if self.unit_vi else self.short_vi


@dataclass(frozen=True)
class Domain:
    code: str
    name_vi: str
    color: str


_TERM = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*\*\s*)?([a-z_][a-z0-9_]*)\s*$")


def _parse_terms(text: str) -> tuple[Term, ...]:
    terms = []
    for part in text.split("+"):
        m = _TERM.match(part)
        if not m:
            raise ValueError(f"cannot parse rule term {part!r}")
        terms.append(Term(float(m.group(1) or 1), m.group(2)))
    return tuple(terms)


def parse_rule(text: str) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Parse a catalogue rule cell into cross-field rules and allowed choices.

    >>> parse_rule("one of: Tốt | Khá")[1]
    ('Tốt', 'Khá')
    """
    text = text.strip()
    if not text:
        return (), ()
    if text.startswith("one of:"):
        return (), tuple(c.strip() for c in text[len("one of:") :].split("|"))
    m = re.match(r"^(error|warn) if (.+?)(\s*\(blank counts as 0\))?$", text)
    if not m:
        raise ValueError(f"cannot parse rule {text!r}")
    severity, body, blank = m.group(1), m.group(2), bool(m.group(3))
    severity = "error" if severity == "error" else "warn"
    if body.endswith(" is blank or 0"):
        left = _parse_terms(body[: -len(" is blank or 0")])
        return (Rule(severity, left, "blank_or_zero", (), blank, text),), ()
    left_text, sep, right_text = body.partition(">")
    if not sep:
        raise ValueError(f"cannot parse rule {text!r}")
    rule = Rule(severity, _parse_terms(left_text), ">", _parse_terms(right_text), blank, text)
    return (rule,), ()


def _bound(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def load_catalogue(path: Path = CATALOGUE_CSV) -> dict[str, Indicator]:
    """Read the catalogue, in file order, keyed by indicator code."""
    catalogue: dict[str, Indicator] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for position, row in enumerate(csv.DictReader(f)):
            rules, choices = parse_rule(row["rule"])
            if row["kind"] not in KINDS:
                raise ValueError(f"{row['code']}: unknown kind {row['kind']!r}")
            catalogue[row["code"]] = Indicator(
                code=row["code"],
                domain=row["domain"],
                name_vi=row["name_vi"],
                short_vi=row["short_vi"] or row["name_vi"],
                unit_vi=row["unit_vi"],
                kind=row["kind"],
                min=_bound(row["min"]),
                max=_bound(row["max"]),
                direction=row["direction"] or "none",
                n_code=row["n_code"] or None,
                restate=row["restate"] or "none",
                choices=choices,
                rules=rules,
                position=position,
                applies_to=tuple(t.strip() for t in (row.get("applies_to") or "").split("|") if t.strip()),
                target=_bound(row.get("target") or ""),
            )
    for ind in catalogue.values():
        for rule in ind.rules:
            unknown = [c for c in rule.codes if c not in catalogue]
            if unknown:
                raise ValueError(f"{ind.code}: rule names unknown indicators {unknown}")
    return catalogue


@cache
def load_domains(path: Path = DOMAINS_CSV) -> dict[str, Domain]:
    """Read the domains (Vietnamese name and chart colour), keyed by code."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["code"]: Domain(r["code"], r["name_vi"], r["color"]) for r in csv.DictReader(f)}


def indicators_in(domain: str) -> list[Indicator]:
    """The catalogue's indicators of one domain, in catalogue order."""
    return [i for i in load_catalogue().values() if i.domain == domain]
