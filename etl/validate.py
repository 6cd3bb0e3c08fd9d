"""Validation of a read file against the catalogue and the unit registry.

Errors reject the file whole; warnings travel with an accepted file. Every
message is Vietnamese and names the file, the place in it, the indicator, what
is wrong and how to fix it.
"""

from __future__ import annotations

import difflib
import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from etl.catalogue import Indicator, Rule, load_catalogue
from etl.normalize import fmt_vn, is_blank, parse_value, parse_year
from etl.registry import Registry, loose_key, nfc
from etl.staging import Message, ParsedFile, RawRecord

EARLIEST_YEAR = 2000
# columns a wide table may carry for people's convenience; they are not indicators
_IGNORED_COLUMNS = {"ten don vi", "unit name", "name", "stt", "ghi chu", "loai don vi"}
# a value further than this many robust standard deviations from the unit's own
# history is flagged for review (DHIS2 / WHO data-quality practice), never changed
OUTLIER_K = 4.0
OUTLIER_MIN_HISTORY = 4

History = Mapping[tuple[str, str], list[tuple[int, float]]]


@dataclass(frozen=True)
class ValidValue:
    indicator_code: str
    value_num: float | None
    value_text: str | None
    source_cell: str


@dataclass
class ValidRecord:
    unit_code: str
    year: int
    values: list[ValidValue]


@dataclass
class Validation:
    records: list[ValidRecord] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    unit_code: str | None = None
    year: int | None = None


def place(where: str) -> str:
    """'Báo cáo!F12' -> 'trang «Báo cáo», ô F12'; CSV places ('dòng 7') stay as they are."""
    sheet, sep, cell = where.rpartition("!")
    return f"trang «{sheet}», ô {cell}" if sep else where


def indicator_phrase(ind: Indicator) -> str:
    return f"chỉ tiêu «{ind.name_vi}» ({ind.code})"


class _Messages:
    """Collects messages for one file, each prefixed with the file name and place."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.errors: list[Message] = []
        self.warnings: list[Message] = []

    def _text(self, where: str, ind: Indicator | None, what: str, fix: str | None) -> str:
        subject = f", {indicator_phrase(ind)}" if ind else ""
        tail = f" Cách sửa: {fix}." if fix else ""
        return f"Tệp «{self.file_name}», {place(where)}{subject}: {what}.{tail}"

    def error(self, where: str, ind: Indicator | None, what: str, fix: str | None = None) -> None:
        self.errors.append(Message(where, ind.code if ind else None, self._text(where, ind, what, fix)))

    def warn(self, where: str, ind: Indicator | None, what: str, fix: str | None = None) -> None:
        self.warnings.append(Message(where, ind.code if ind else None, self._text(where, ind, what, fix)))


def _resolve_unit(rec: RawRecord, registry: Registry, out: _Messages) -> str | None:
    typed = rec.unit_text if not is_blank(rec.unit_text) else rec.unit_name_text
    if typed is None or is_blank(typed):
        out.error(rec.unit_where, None, "chưa ghi mã đơn vị", "ghi mã đơn vị vào ô bên phải nhãn «Mã đơn vị»")
        return None
    typed = fmt_vn(typed) if isinstance(typed, float) else nfc(typed)
    codes = registry.match(typed)
    if len(codes) == 1:
        return codes[0]
    if len(codes) > 1:
        names = "; ".join(f"{c} ({registry.units[c].name})" for c in codes)
        out.error(rec.unit_where, None, f"«{typed}» khớp với nhiều đơn vị: {names}", "ghi đúng mã đơn vị")
        return None
    near = registry.closest(typed)
    hint = "; ".join(f"{u.unit_code} ({u.name})" for u in near)
    fix = (
        f"ghi đúng mã đơn vị; gần giống nhất là: {hint}"
        if near
        else "ghi đúng mã đơn vị theo danh sách của Sở"
    )
    out.error(rec.unit_where, None, f"không có đơn vị «{typed}» trong danh sách đơn vị của Sở", fix)
    return None


def _resolve_year(rec: RawRecord, today: date, out: _Messages) -> int | None:
    year = parse_year(rec.year_text)
    if year is None:
        shown = "" if rec.year_text is None else f" «{rec.year_text}»"
        out.error(
            rec.year_where, None, f"không đọc được năm báo cáo{shown}", "ghi năm bằng 4 chữ số, ví dụ 2024"
        )
        return None
    if year > today.year:
        out.error(
            rec.year_where,
            None,
            f"năm báo cáo {year} ở tương lai",
            f"ghi năm đã hoặc đang báo cáo (không quá {today.year})",
        )
        return None
    if year < EARLIEST_YEAR:
        out.error(rec.year_where, None, f"năm báo cáo {year} quá xa", f"ghi năm từ {EARLIEST_YEAR} trở đi")
        return None
    return year


def _check_active(unit_code: str, year: int, rec: RawRecord, registry: Registry, out: _Messages) -> bool:
    unit = registry.units[unit_code]
    if unit.active_in(year):
        return True
    if unit.valid_to is not None and year > unit.valid_to:
        succ = registry.units.get(unit.successor_code or "")
        fix = (
            f"từ năm {unit.valid_to + 1} hãy báo cáo dưới mã {succ.unit_code} ({succ.name})"
            if succ
            else "kiểm tra lại năm báo cáo"
        )
        what = f"đơn vị {unit_code} ({unit.name}) chỉ hoạt động đến năm {unit.valid_to}, không có số liệu năm {year}"
    else:
        preds = registry.predecessors(unit_code)
        fix = (
            "số liệu năm đó thuộc về " + ", ".join(f"{p} ({registry.units[p].name})" for p in preds)
            if preds
            else "kiểm tra lại năm báo cáo"
        )
        what = f"đơn vị {unit_code} ({unit.name}) bắt đầu hoạt động từ năm {unit.valid_from}, không có số liệu năm {year}"
    out.error(rec.year_where, None, what, fix)
    return False


def _closest_codes(text: str) -> list[str]:
    catalogue = load_catalogue()
    return difflib.get_close_matches(text.strip().lower(), list(catalogue), n=3, cutoff=0.5)


def _term_text(terms, values: dict[str, float | None], blank_as_zero: bool) -> str:
    catalogue = load_catalogue()
    parts = []
    for t in terms:
        v = values.get(t.code)
        shown = fmt_vn(v) if v is not None else ("trống, tính là 0" if blank_as_zero else "trống")
        factor = f"{fmt_vn(t.factor)} × " if t.factor != 1 else ""
        parts.append(f"{factor}{catalogue[t.code].short_vi} ({shown})")
    return " + ".join(parts)


def sum_terms(terms, values: dict[str, float | None], blank_as_zero: bool) -> float | None:
    """A rule side (factor x indicator terms) over `values`; None when a term is blank, unless
    the rule counts a blank as 0 (also app/tables/data_checks.py, on the values in force)."""
    total = 0.0
    for t in terms:
        v = values.get(t.code)
        if v is None:
            if not blank_as_zero:
                return None
            v = 0.0
        total += t.factor * v
    return total


def _check_rule(host: Indicator, rule: Rule, values, cells, out: _Messages) -> None:
    catalogue = load_catalogue()
    report = out.error if rule.severity == "error" else out.warn
    if rule.op == "blank_or_zero":
        if host.code not in values:
            return
        v = values.get(rule.left[0].code)
        if v is None or v == 0:
            n_ind = catalogue[rule.left[0].code]
            report(
                cells[host.code],
                host,
                f"đã báo cáo tỷ lệ nhưng «{n_ind.name_vi}» để trống hoặc bằng 0; tỷ lệ tính từ quá ít phiếu không đủ tin cậy",
                f"ghi số phiếu khảo sát vào dòng {n_ind.code}",
            )
        return
    if values.get(rule.left[0].code) is None:
        return
    left = sum_terms(rule.left, values, rule.blank_as_zero)
    right = sum_terms(rule.right, values, rule.blank_as_zero)
    if left is None or right is None or left <= right:
        return
    left_ind = catalogue[rule.left[0].code]
    what = (
        f"{_term_text(rule.left, values, rule.blank_as_zero)} lớn hơn "
        f"{_term_text(rule.right, values, rule.blank_as_zero)}"
    )
    fix = (
        "kiểm tra lại các số này; số liệu như vậy không thể đúng"
        if rule.severity == "error"
        else "kiểm tra lại; nếu đúng thì giữ nguyên, tệp vẫn được nhận"
    )
    report(cells.get(left_ind.code, ""), left_ind, what, fix)


def _check_outlier(
    unit_code: str, year: int, ind: Indicator, value: float, where: str, history: History, out
) -> None:
    if ind.restate == "none":
        return  # ranks and scores are relative to their pool and year, not to the unit's past
    past = [v for y, v in history.get((unit_code, ind.code), []) if y != year]
    if len(past) < OUTLIER_MIN_HISTORY:
        return
    median = statistics.median(past)
    mad = statistics.median(abs(v - median) for v in past) * 1.4826
    # small counts vary like Poisson counts (sd ~ sqrt(mean)): 7 complaints against a
    # usual 2 is ordinary, so the spread never goes below sqrt(median)
    spread = max(mad, 0.05 * abs(median), math.sqrt(abs(median)), 1.0)
    if abs(value - median) > OUTLIER_K * spread:
        out.warn(
            where,
            ind,
            f"giá trị {fmt_vn(value)} khác xa số liệu các năm khác của đơn vị (trung vị {fmt_vn(round(median, 2))})",
            "kiểm tra lại; nếu đúng thì giữ nguyên, số liệu vẫn được nhận và được đánh dấu để rà soát",
        )


def _validate_record(rec, registry, today, out) -> tuple[str | None, int | None, ValidRecord | None]:
    """Validate one unit-year; returns the unit and year understood, and the record when it is clean."""
    catalogue = load_catalogue()
    n_errors = len(out.errors)
    unit_code = _resolve_unit(rec, registry, out)
    year = _resolve_year(rec, today, out)
    if unit_code and year:
        _check_active(unit_code, year, rec, registry, out)
    values: dict[str, float | None] = {}
    cells: dict[str, str] = {}
    parsed_values: list[ValidValue] = []
    for cell in rec.cells:
        code = nfc(cell.indicator_text).lower()
        if loose_key(code) in _IGNORED_COLUMNS:
            continue
        ind = catalogue.get(code)
        if ind is None:
            near = _closest_codes(code)
            fix = (
                f"dùng mã trong danh mục, có thể là: {', '.join(near)}"
                if near
                else "dùng đúng mã chỉ tiêu trong mẫu báo cáo"
            )
            out.error(cell.where, None, f"mã chỉ tiêu «{cell.indicator_text}» không có trong danh mục", fix)
            continue
        if code in cells:
            out.error(
                cell.where,
                ind,
                f"chỉ tiêu được ghi hai lần (lần đầu ở {place(cells[code])})",
                "chỉ giữ một dòng",
            )
            continue
        cells[code] = cell.where
        if is_blank(cell.value):
            if isinstance(cell.value, str) and cell.value.strip():
                out.warn(
                    cell.where,
                    ind,
                    f"«{cell.value.strip()}» được hiểu là chưa báo cáo",
                    "nếu số liệu bằng 0 hãy ghi 0",
                )
            continue
        parsed = parse_value(cell.value, ind)
        if not parsed.ok:
            out.error(cell.where, ind, parsed.problem, parsed.fix)
            continue
        if parsed.note:
            out.warn(cell.where, ind, parsed.note, "kiểm tra lại; nếu đúng thì giữ nguyên")
        values[code] = parsed.value_num
        parsed_values.append(ValidValue(code, parsed.value_num, parsed.value_text, cell.where))
    if not parsed_values and len(out.errors) == n_errors:
        out.error(rec.unit_where, None, "không có số liệu nào được báo cáo", "điền số liệu vào cột «Giá trị»")
    for ind in catalogue.values():
        for rule in ind.rules:
            _check_rule(ind, rule, values, cells, out)
    if len(out.errors) > n_errors or unit_code is None or year is None:
        return unit_code, year, None
    return unit_code, year, ValidRecord(unit_code, year, parsed_values)


def flag_outliers(file_name: str, records: list[ValidRecord], history: History) -> list[Message]:
    """Warnings for values far outside each unit's own history (median ± k·MAD)."""
    catalogue = load_catalogue()
    out = _Messages(file_name)
    for rec in records:
        for v in rec.values:
            if v.value_num is not None:
                ind = catalogue[v.indicator_code]
                _check_outlier(rec.unit_code, rec.year, ind, v.value_num, v.source_cell, history, out)
    return out.warnings


def validate(parsed: ParsedFile, registry: Registry, today: date) -> Validation:
    """Check every record of a read file; the file is acceptable only if `errors` is empty."""
    out = _Messages(parsed.path.name)
    result = Validation(errors=out.errors, warnings=out.warnings)
    out.errors.extend(parsed.errors)
    out.warnings.extend(parsed.warnings)
    if parsed.errors:
        return result
    if not parsed.records:
        out.error("", None, "tệp không có dòng số liệu nào", "điền số liệu vào mẫu báo cáo rồi gửi lại")
        return result
    seen: dict[tuple[str, int], str] = {}
    understood: set[tuple[str | None, int | None]] = set()
    for rec in parsed.records:
        unit_code, year, valid = _validate_record(rec, registry, today, out)
        understood.add((unit_code, year))
        if valid is None:
            continue
        key = (valid.unit_code, valid.year)
        if key in seen:
            out.error(
                rec.unit_where,
                None,
                f"đơn vị {valid.unit_code} năm {valid.year} xuất hiện hai lần (lần đầu ở {place(seen[key])})",
                "chỉ giữ một dòng cho mỗi đơn vị và năm",
            )
            continue
        seen[key] = rec.unit_where
        result.records.append(valid)
    if len(understood) == 1:
        result.unit_code, result.year = understood.pop()
    if result.errors:
        result.records = []
    return result
