"""What the property-based tests share: hypothesis profiles, cell strategies, file writers.

Two profiles: "ci" (the default: few examples, derandomised, so a CI run is short and
repeatable) and "long" (bench/fuzz.py: many random examples). `HYPOTHESIS_PROFILE` picks
one for pytest. Every property calls `tally(name)` once per case so that bench/fuzz.py can
print how many cases each property ran.

The writers make real files the way units do: workbooks through xlsxwriter (strings always
written as strings, numbers as numbers), CSV through the csv module in the encoding and with
the separator chosen, Windows-1258 the way Windows writes Vietnamese (tone marks combining).
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from etl.catalogue import load_catalogue
from etl.normalize import fmt_vn, free_text, is_blank
from etl.registry import DEMO_REGISTRY_CSV, Registry, read_registry

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=_QUIET
)
settings.register_profile(
    "long", max_examples=1500, deadline=None, database=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CASES: Counter[str] = Counter()
TODAY = date(2026, 3, 1)
CATALOGUE = load_catalogue()
REGISTRY = Registry(read_registry(DEMO_REGISTRY_CSV))
# indicators a cross-field rule can reject (rank > ranked, resolved > received ...): the
# round trips leave them out, since random values of them contradict each other
RULED = frozenset(r.left[0].code for i in CATALOGUE.values() for r in i.rules if r.severity == "error")

_VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
VI_LETTERS = _VI + _VI.upper()
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # the only combining marks Windows-1258 has


def tally(name: str) -> None:
    CASES[name] += 1


# ---------------------------------------------------------------------------------------------
# cell contents


vi_words = st.text(alphabet=VI_LETTERS + "0123456789", min_size=1, max_size=8)
vi_line = st.lists(vi_words, min_size=1, max_size=6).map(" ".join)
vi_text = st.text(alphabet=VI_LETTERS + "0123456789 .,;:-()/%\n", max_size=40)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
number_text = st.one_of(
    finite.map(fmt_vn),  # 1.234,5
    finite.map(lambda x: f"{x:,}"),  # 1,234.5
    finite.map(repr),  # 1234.5, 1e-05
    finite.map(lambda x: f"{fmt_vn(x)}%"),
    st.integers(-(10**30), 10**30).map(str),
)
date_text = (
    st.dates()
    .map(lambda d: st.sampled_from([f"{d:%d/%m/%Y}", d.isoformat(), f"{d:%d-%m-%y}"]))
    .flatmap(lambda s: s)
)
spaces = st.text(alphabet=" \t\n\r\u00a0\u202f\u3000\u200b", max_size=5)
controls = st.text(alphabet=st.characters(categories=["Cc", "Cf"]), min_size=1, max_size=5)
cell_text = st.one_of(
    vi_text,
    number_text,
    date_text,
    spaces,
    controls,
    st.sampled_from(["", "-", "n/a", "x", "Có", "Không", "Xuất sắc", "true", "#N/A", "2024", "Năm 2024"]),
    st.text(max_size=30),
    st.tuples(controls, vi_text, controls).map("".join),
)
cell_value = st.one_of(st.none(), cell_text, finite, st.booleans(), st.dates())
codes = st.sampled_from(sorted(CATALOGUE))
code_text = st.one_of(codes, codes.map(str.upper), codes.map(lambda c: f" {c} "), cell_text)


# ---------------------------------------------------------------------------------------------
# values that must be accepted as they were typed: (what goes in the cell, what is stored)


def _decimal(lo: float, hi: float, places: int) -> st.SearchStrategy[float]:
    scale = 10**places
    return st.integers(int(lo * scale), int(hi * scale)).map(lambda k: k / scale)


def _number_forms(ind, x: float) -> st.SearchStrategy[tuple[object, tuple]]:
    expected = (float(x), None)
    forms: list[object] = [fmt_vn(x), float(x)]
    if x == int(x):
        forms.append(str(int(x)))
    else:
        forms.append(fmt_vn(x).replace(".", ""))  # 1234,5: no thousands dots
    if ind.kind == "pct":
        forms = [f"{fmt_vn(x)}%", f"{fmt_vn(x)} %"] + ([] if 0 < x <= 1 else forms)
        forms.append(x / 100)  # Excel's percent cell holds the fraction
    return st.sampled_from(forms).map(lambda typed: (typed, expected))


def accepted_value(code: str) -> st.SearchStrategy[tuple[object, tuple]]:
    """(typed cell content, (value_num, value_text) stored) for one indicator."""
    ind = CATALOGUE[code]
    if ind.kind == "int":
        return st.integers(int(ind.min), int(ind.max)).flatmap(lambda n: _number_forms(ind, n))
    if ind.kind in ("float", "pct"):
        return (
            st.integers(0, 3)
            .flatmap(lambda p: _decimal(ind.min, ind.max, p))
            .flatmap(lambda x: _number_forms(ind, x))
        )
    if ind.kind == "bool":
        yes = st.sampled_from(["Có", "có", "CÓ", "x", "1", 1.0, True, "Đạt", "co"]).map(
            lambda t: (t, (None, "Có"))
        )
        no = st.sampled_from(["Không", "không", "0", 0.0, False, "Chưa", "khong"]).map(
            lambda t: (t, (None, "Không"))
        )
        return st.one_of(yes, no)
    if ind.kind == "category":

        def spellings(choice: str) -> st.SearchStrategy[tuple[object, tuple]]:
            bare = "".join(c for c in unicodedata.normalize("NFD", choice) if not unicodedata.combining(c))
            typed = [
                choice,
                choice.upper(),
                choice.lower(),
                unicodedata.normalize("NFD", choice),
                bare,
                f" {choice} ",
            ]
            return st.sampled_from(typed).map(lambda t: (t, (None, choice)))

        return st.sampled_from(ind.choices).flatmap(spellings)
    # free text: lines as a person types them, stored as they were (already NFC, single spaces)
    text = st.lists(vi_line, min_size=1, max_size=4).map("\n".join).filter(lambda t: not is_blank(t))
    return text.map(lambda t: (t, (None, free_text(t))))


roundtrip_codes = st.lists(
    st.sampled_from(sorted(set(CATALOGUE) - RULED)), min_size=1, max_size=12, unique=True
)


@st.composite
def submission(draw) -> tuple[str, int, object, dict[str, tuple[object, tuple]]]:
    """A unit active in a year, the year as typed, and accepted values for some indicators."""
    year = draw(st.integers(2015, 2025))
    unit = draw(st.sampled_from(sorted(c for c, u in REGISTRY.units.items() if u.active_in(year))))
    typed_year = draw(st.sampled_from([float(year), str(year), f"Năm {year}"]))
    values = {code: draw(accepted_value(code)) for code in draw(roundtrip_codes)}
    return unit, year, typed_year, values


# ---------------------------------------------------------------------------------------------
# writers


def write_cell(ws, wb, r: int, c: int, value: object) -> None:
    """One cell as a person's Excel holds it: text as text (never a formula), numbers as numbers."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), wb.date_format)
    elif isinstance(value, int | float):
        ws.write_number(r, c, float(value))
    else:
        ws.write_string(r, c, str(value))


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    return wb


def write_template(
    path: Path, unit: object, year: object, rows: list[tuple[object, object]], *, top: int = 4, left: int = 1
) -> Path:
    """The template layout at an offset: labels, then the header, then (code, value) rows."""
    wb = new_workbook(path)
    ws = wb.add_worksheet("Báo cáo")
    ws.write_string(0, 0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.write_string(top, left, "Mã đơn vị")
    write_cell(ws, wb, top, left + 1, unit)
    ws.write_string(top + 1, left, "Năm báo cáo")
    write_cell(ws, wb, top + 1, left + 1, year)
    header = top + 3
    ws.write_row(header, left, ["Mã chỉ tiêu", "Chỉ tiêu", "Giá trị"])
    for i, (code, value) in enumerate(rows, start=1):
        write_cell(ws, wb, header + i, left, code)
        write_cell(ws, wb, header + i, left + 2, value)
    wb.close()
    return path


def write_grid(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = new_workbook(path)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                write_cell(ws, wb, r, c, value)
    wb.close()
    return path


def cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258 as Windows writes it: base letters with ^ ˘ ơ ư composed,
    the five tone marks as combining characters."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONES))
        out += (letter + "".join(m for m in marks if m in _TONES)).encode("cp1258")
    return bytes(out)


def encode(text: str, encoding: str) -> bytes:
    return cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def csv_text(rows: list[list[object]], delimiter: str) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


ENCODINGS = ("utf-8", "utf-8-sig", "cp1258", "utf-16")
DELIMITERS = (";", ",", "\t")
