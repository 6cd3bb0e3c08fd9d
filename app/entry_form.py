"""The direct entry form («Nhập trực tiếp») as data: its fields, what was typed, what is wrong.

Pure (no Streamlit): the page draws what this module says. The fields come from the
catalogue (one section per domain, in catalogue order); an indicator that does not concern
the unit's type is "không áp dụng" and is not asked. What a person types is read and checked
by the ETL's own code: the typed texts become the cells of a one-record `ParsedFile` laid out
like the template (same cells, same places), which `etl.validate.validate` and
`etl.validate.flag_outliers` check exactly as they check an uploaded workbook. The messages
are then shown beside their field, without the file and cell the ETL names and with
indicator codes replaced by their Vietnamese names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from accounts.users import User
from etl.catalogue import BOOL_NO, BOOL_YES, Indicator, load_catalogue, load_domains
from etl.normalize import fmt_vn
from etl.registry import UNIT_TYPES, Registry, Unit
from etl.staging import Message, ParsedFile, RawCell, RawRecord
from etl.template import DATA_SHEET, LABEL_ROWS, LABEL_UNIT_CODE, LABEL_YEAR, data_rows, entry_hint
from etl.validate import History, flag_outliers, indicator_phrase, place, validate

FORM_FILE = "nhap_truc_tiep.xlsx"  # the name validation gives the form's messages (stripped again)
_VALUE_COLUMN = "F"  # etl.template.VALUE_COL as a column letter
_LABEL_VALUE_COLUMN = "C"  # etl.template.LABEL_VALUE_COL


@dataclass(frozen=True)
class Field:
    """One indicator as the form asks for it."""

    code: str
    label: str  # the Vietnamese name with its unit
    kind: str  # int, float, pct, category, bool, text
    hint: str  # what the field accepts (bounds the Vietnamese way), shown as the field's help
    options: tuple[str, ...] = ()  # the choices of a category or yes/no field
    applies: bool = True  # False: "không áp dụng" for this unit's type, not asked
    not_applicable: str = ""  # why not, in words


@dataclass(frozen=True)
class Section:
    """One domain of the catalogue: its Vietnamese title and its fields."""

    domain: str
    title: str
    fields: tuple[Field, ...]


@dataclass
class FormCheck:
    """What validation said about the typed form: messages per field and for the whole report."""

    field_errors: dict[str, list[str]] = field(default_factory=dict)
    field_warnings: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # about the report as a whole (unit, year, nothing typed)
    warnings: list[str] = field(default_factory=list)
    values: dict[str, float | str] = field(default_factory=dict)  # code -> value as understood
    is_blank: bool = False  # nothing typed yet

    @property
    def n_errors(self) -> int:
        return len(self.errors) + sum(len(m) for m in self.field_errors.values())

    @property
    def ok(self) -> bool:
        """True when the report may be sent (warnings allowed)."""
        return self.n_errors == 0


def may_enter(user: User, unit_code: str | None) -> bool:
    """May `user` enter (or keep a draft of) the report of `unit_code`? A unit's account its own
    unit only, the Sở's administrator any unit, nobody else."""
    return user.scope.may_change and unit_code is not None and user.scope.allows_unit(unit_code)


def field_label(ind: Indicator) -> str:
    """'Tổng số viên chức, người lao động (người)'."""
    return f"{ind.name_vi} ({ind.unit_vi})" if ind.unit_vi else ind.name_vi


def _options(ind: Indicator) -> tuple[str, ...]:
    if ind.kind == "category":
        return ind.choices
    if ind.kind == "bool":
        return (BOOL_YES, BOOL_NO)
    return ()


def _field(ind: Indicator, unit_type: str | None) -> Field:
    applies = ind.applies(unit_type)
    why = ""
    if not applies:
        why = f"Không áp dụng cho {UNIT_TYPES.get(unit_type or '', unit_type or 'đơn vị này').lower()}"
    return Field(ind.code, field_label(ind), ind.kind, entry_hint(ind), _options(ind), applies, why)


def form_sections(unit_type: str | None) -> list[Section]:
    """The form of a unit of `unit_type`: one section per domain, fields in catalogue order.

    >>> [s.title for s in form_sections("ttyt")][:2]
    ['Quy mô hoạt động', 'Cải cách hành chính']
    """
    domains = load_domains()
    by_domain: dict[str, list[Field]] = {}
    for ind in load_catalogue().values():
        by_domain.setdefault(ind.domain, []).append(_field(ind, unit_type))
    return [Section(d, domains[d].name_vi, tuple(fields)) for d, fields in by_domain.items()]


def typed_text(ind: Indicator, value_num: float | None, value_text: str | None) -> str:
    """A stored value as a person would type it, such that reading it back gives the same value.

    >>> from etl.catalogue import load_catalogue
    >>> c = load_catalogue()
    >>> typed_text(c["patient_visits"], 12345.0, None), typed_text(c["sat_staff_pct"], 92.5, None)
    ('12.345', '92,5')
    >>> typed_text(c["sat_staff_pct"], 0.5, None)  # 0,5 alone would read as 50%
    '0,5%'
    """
    if not ind.is_numeric:
        return value_text or ""
    if value_num is None:
        return ""
    if ind.kind == "pct" and 0 < value_num <= 1:
        return f"{fmt_vn(value_num)}%"
    if ind.kind == "float" and value_num == int(value_num) and abs(value_num) >= 1000:
        return str(int(value_num))  # "1.234" in a decimal field is read with a warning about the dot
    return fmt_vn(value_num)


def typed_from_values(
    rows: list[tuple[str, float | None, str | None]], unit_type: str | None
) -> dict[str, str]:
    """The form pre-filled from stored values (indicator_code, value_num, value_text); only the
    fields the unit is asked."""
    catalogue = load_catalogue()
    out = {}
    for code, num, text in rows:
        ind = catalogue.get(code)
        if ind is not None and ind.applies(unit_type):
            out[code] = typed_text(ind, num, text)
    return out


def not_asked_values(rows: list[tuple[str, float | None, str | None]], unit_type: str | None) -> list[str]:
    """The labels of stored values the form does not ask for (indicators that do not concern the
    unit's type, sent in a workbook anyway): a report sent from the form no longer carries them."""
    catalogue = load_catalogue()
    return [
        field_label(catalogue[code])
        for code, _, _ in rows
        if code in catalogue and not catalogue[code].applies(unit_type)
    ]


def history_of(unit_code: str, rows: list[tuple[int, str, float | None, str | None]]) -> History:
    """The unit's numeric values by indicator and year (year, indicator_code, value_num,
    value_text rows), as the ingest's outlier check reads them.

    >>> history_of("BVM", [(2024, "staff_total", 80.0, None), (2024, "highlights", None, "...")])
    {('BVM', 'staff_total'): [(2024, 80.0)]}
    """
    out: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for year, code, num, _ in rows:
        if num is not None:
            out.setdefault((unit_code, code), []).append((int(year), float(num)))
    return out


def values_of_year(
    rows: list[tuple[int, str, float | None, str | None]], year: int
) -> list[tuple[str, float | None, str | None]]:
    """The (indicator_code, value_num, value_text) of one year among all-years rows."""
    return [(code, num, text) for y, code, num, text in rows if y == year]


@cache
def cell_of(code: str) -> str:
    """Where the template holds an indicator's value ('Báo cáo!F12'): the form's messages use
    the same places as a workbook's."""
    return f"{DATA_SHEET}!{_VALUE_COLUMN}{data_rows()[code] + 1}"


def _label_cell(label: str) -> str:
    return f"{DATA_SHEET}!{_LABEL_VALUE_COLUMN}{LABEL_ROWS[label] + 1}"


def form_record(unit: Unit, year: int, typed: Mapping[str, str | None]) -> ParsedFile:
    """The typed form as the reader would hand a filled template to validation.

    Fields that do not apply to the unit stay blank whatever is typed (they are not asked).
    """
    cells = []
    for code, ind in load_catalogue().items():
        raw = typed.get(code) if ind.applies(unit.unit_type) else None
        value = raw if isinstance(raw, str) and raw.strip() else None
        cells.append(RawCell(code, value, cell_of(code)))
    record = RawRecord(
        unit_text=unit.unit_code,
        unit_where=_label_cell(LABEL_UNIT_CODE),
        year_text=float(year),
        year_where=_label_cell(LABEL_YEAR),
        cells=cells,
        unit_name_text=unit.name,
    )
    return ParsedFile(Path(FORM_FILE), "template", [record])


# what a message says of the workbook, as it reads on the form
_FORM_WORDS = {"điền số liệu vào cột «Giá trị»": "điền số liệu vào các ô của biểu mẫu"}


@cache
def _code_pattern() -> re.Pattern[str]:
    codes = sorted(load_catalogue(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, codes)) + r")\b")


def field_message(message: Message) -> str:
    """A validation message as the form shows it beside its field: without the file, sheet and
    cell (the person typed it here), indicator codes replaced by their Vietnamese names.

    >>> from etl.staging import Message
    >>> field_message(Message("Báo cáo!F10", "staff_total",
    ...     "Tệp «nhap_truc_tiep.xlsx», trang «Báo cáo», ô F10, chỉ tiêu «Tổng số viên chức, người lao động» "
    ...     "(staff_total): «abc» không phải là số. Cách sửa: nhập một số nguyên."))
    '«abc» không phải là số. Cách sửa: nhập một số nguyên.'
    """
    catalogue = load_catalogue()
    ind = catalogue.get(message.indicator or "")
    subject = f", {indicator_phrase(ind)}" if ind else ""
    prefix = f"Tệp «{FORM_FILE}», {place(message.where)}{subject}: "
    text = message.message
    if text.startswith(prefix):
        text = text[len(prefix) :]
    elif text.startswith(f"Tệp «{FORM_FILE}»"):
        text = text.split(": ", 1)[-1]
    for workbook_words, form_words in _FORM_WORDS.items():
        text = text.replace(workbook_words, form_words)
    return _code_pattern().sub(lambda m: f"«{catalogue[m.group(1)].short_vi}»", text)


_INGEST_PREFIX = re.compile(
    r"^Tệp «[^»]*»(?:, trang «[^»]*», ô [A-Z]+\d+)?(?:, chỉ tiêu «(?P<name>[^»]*)» \([a-z0-9_]+\))?: ", re.S
)


def verdict_message(text: str) -> str:
    """A message of the ingest's verdict on the submitted workbook, as the form shows it: the
    indicator's name first, without the file, sheet, cell or indicator code.

    >>> verdict_message("Tệp «x.xlsx», trang «Báo cáo», ô F34, chỉ tiêu «Số lượt người tham dự tập huấn» "
    ...     "(training_participants): giá trị 96 khác xa số liệu các năm khác.")
    'Số lượt người tham dự tập huấn: giá trị 96 khác xa số liệu các năm khác.'
    """
    catalogue = load_catalogue()
    found = _INGEST_PREFIX.match(text)
    if found:
        rest = text[found.end() :]
        text = f"{found['name']}: {rest}" if found["name"] else rest
    return _code_pattern().sub(lambda m: f"«{catalogue[m.group(1)].short_vi}»", text)


def _sort(messages: list[Message], out: FormCheck, *, errors: bool) -> None:
    for m in messages:
        text = field_message(m)
        if m.indicator:
            target = out.field_errors if errors else out.field_warnings
            target.setdefault(m.indicator, []).append(text)
        else:
            (out.errors if errors else out.warnings).append(text)


def check_entry(
    unit: Unit,
    year: int,
    typed: Mapping[str, str | None],
    registry: Registry,
    history: History,
    today: date,
) -> FormCheck:
    """Validate the typed form with the ETL's own checks: bounds, types, cross-field rules, the
    unit and year, and (once there is no error) outliers against the unit's own history."""
    validation = validate(form_record(unit, year, typed), registry, today)
    out = FormCheck(is_blank=not any(isinstance(t, str) and t.strip() for t in typed.values()))
    _sort(validation.errors, out, errors=True)
    _sort(validation.warnings, out, errors=False)
    if validation.records:
        _sort(flag_outliers(FORM_FILE, validation.records, history), out, errors=False)
        for v in validation.records[0].values:
            out.values[v.indicator_code] = v.value_num if v.value_num is not None else v.value_text
    return out


def workbook_values(values: Mapping[str, float | str]) -> dict[str, object]:
    """The understood values as the workbook's «Giá trị» cells: numbers as numbers (whole counts
    as integers), a percentage of at most 1 written «0,5%» (a bare 0,5 reads as 50%), the rest as text.

    >>> workbook_values({"staff_total": 120.0, "sat_staff_pct": 0.5, "dv_self_rating": "Tốt"})
    {'staff_total': 120, 'sat_staff_pct': '0,5%', 'dv_self_rating': 'Tốt'}
    """
    catalogue = load_catalogue()
    out: dict[str, object] = {}
    for code, value in values.items():
        ind = catalogue[code]
        if isinstance(value, str) or not ind.is_numeric:
            out[code] = value
        elif ind.kind == "pct" and 0 < value <= 1:
            out[code] = f"{fmt_vn(value)}%"
        elif ind.kind == "int":
            out[code] = int(value)
        else:
            out[code] = float(value)
    return out


def summary_lines(check: FormCheck, sections: list[Section]) -> tuple[list[str], list[str]]:
    """Every error and warning as one line each, the field named first, in form order (for the
    summary above the form)."""
    labels = {f.code: f.label for s in sections for f in s.fields}
    order = [f.code for s in sections for f in s.fields]
    errors = list(check.errors)
    warnings = list(check.warnings)
    for code in order:
        errors += [f"{labels[code]}: {m}" for m in check.field_errors.get(code, [])]
        warnings += [f"{labels[code]}: {m}" for m in check.field_warnings.get(code, [])]
    return errors, warnings
