"""Property-based tests of the readers, the normalisers and validation (hypothesis).

Two properties over random input: whatever a cell, a sheet layout, a CSV encoding or
separator holds, reading and validating return a result or Vietnamese messages naming the
file, never an exception; and a value that is accepted round-trips: the workbook or CSV is
written, read and validated, and what is stored is what was typed. The "ci" profile (the
default, tests/fuzz.py) keeps this short; `bench/fuzz.py` runs the long profile.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from etl.grid import column_letter, key
from etl.normalize import is_blank, parse_number_text, parse_value, parse_year
from etl.readers import read_file
from etl.validate import validate
from tests.fuzz import (
    CATALOGUE,
    DELIMITERS,
    ENCODINGS,
    REGISTRY,
    TODAY,
    VI_LETTERS,
    accepted_value,
    cell_text,
    cell_value,
    code_text,
    codes,
    csv_text,
    encode,
    roundtrip_codes,
    submission,
    tally,
    vi_words,
    write_grid,
    write_template,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _read_and_validate(path: Path):
    parsed = read_file(path)
    result = validate(parsed, REGISTRY, TODAY)
    for message in (*result.errors, *result.warnings):
        assert isinstance(message.message, str) and message.message.strip()
        assert f"«{path.name}»" in message.message, message.message
    if not result.errors:
        assert result.records, "a file without errors holds at least one unit-year"
    return result


def _stored(result) -> dict[str, tuple[float | None, str | None]]:
    [record] = result.records
    return {v.indicator_code: (v.value_num, v.value_text) for v in record.values}


def _same(stored: tuple, expected: tuple) -> bool:
    (num, text), (want_num, want_text) = stored, expected
    if want_num is None:
        return num is None and text == want_text
    return text is None and num is not None and math.isclose(num, want_num, rel_tol=1e-12, abs_tol=1e-9)


# ---------------------------------------------------------------------------------------------
# normalisers

# what a reader hands on: None, an Excel number (any float) or text
raw_value = st.one_of(st.none(), cell_text, st.floats())


@given(raw=raw_value, code=codes)
def test_any_cell_parses_to_a_value_or_a_vietnamese_problem(raw, code):
    tally("normalize: any cell")
    ind = CATALOGUE[code]
    parsed = parse_value(raw, ind)
    if parsed is None:
        assert is_blank(raw)
        return
    if not parsed.ok:
        assert parsed.problem and parsed.fix
        return
    if ind.is_numeric:
        assert parsed.value_num is not None and math.isfinite(parsed.value_num)
        assert ind.min is None or parsed.value_num >= ind.min
        assert ind.max is None or parsed.value_num <= ind.max
    elif ind.kind == "category":
        assert parsed.value_text in ind.choices
    elif ind.kind == "bool":
        assert parsed.value_text in ("Có", "Không")
    else:
        assert parsed.value_text is not None


@given(text=cell_text, kind=st.sampled_from(["int", "float", "pct"]))
def test_a_number_is_read_finite_or_not_at_all(text, kind):
    tally("normalize: number text")
    value, note = parse_number_text(text, kind)
    assert value is None or math.isfinite(value)
    assert note is None or value is not None


@given(raw=raw_value)
def test_a_year_is_four_digits_or_unreadable(raw):
    tally("normalize: year")
    year = parse_year(raw)
    assert year is None or isinstance(year, int)


@given(data=st.data(), code=st.sampled_from(sorted(CATALOGUE)))
def test_a_typed_value_is_stored_as_it_was_meant(data, code):
    tally("normalize: round trip")
    typed, expected = data.draw(accepted_value(code))
    if isinstance(typed, bool):  # a reader hands an Excel boolean on as its text
        typed = str(typed).lower()
    parsed = parse_value(typed, CATALOGUE[code])
    assert parsed is not None and parsed.ok, (typed, parsed)
    assert _same((parsed.value_num, parsed.value_text), expected), (typed, parsed, expected)


# ---------------------------------------------------------------------------------------------
# grid helpers


@given(text=st.text(max_size=60))
def test_label_keys_are_clean_text(text):
    tally("grid: key")
    k = key(text)
    assert k == key(k)  # idempotent: a key of a key is itself
    assert not any(ch in k for ch in "\t\r\n")


@given(index=st.integers(0, 16383))
def test_column_letters_are_excels(index):
    tally("grid: column letter")
    letters = column_letter(index)
    assert letters.isascii() and letters.isupper() and 1 <= len(letters) <= 3
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    assert number == index + 1


# ---------------------------------------------------------------------------------------------
# readers and validation over random workbooks and CSV files

sheet_names = st.one_of(
    st.sampled_from(["Báo cáo", "Sheet1", "Hướng dẫn", "BÁO CÁO"]),
    st.text(alphabet=VI_LETTERS + "0123456789 ", min_size=1, max_size=31).map(str.strip).filter(bool),
)
grid_rows = st.lists(st.lists(cell_value, max_size=8), max_size=14)


@st.composite
def laid_out_rows(draw) -> list[list[object]]:
    """Random rows, often with a template's labels and header or a wide header somewhere in them."""
    rows = draw(grid_rows)
    layout = draw(st.sampled_from(["none", "template", "wide", "half"]))
    at = draw(st.integers(0, len(rows)))
    col = draw(st.integers(0, 3))
    pad = [None] * col
    if layout == "template":
        unit = draw(st.one_of(st.sampled_from(sorted(REGISTRY.units)), cell_text))
        year = draw(st.one_of(st.integers(1990, 2030), cell_text))
        body = [[*pad, draw(code_text), None, draw(cell_value)] for _ in range(draw(st.integers(0, 8)))]
        rows[at:at] = [
            [*pad, "Mã đơn vị", unit],
            [*pad, "Năm báo cáo", year],
            [*pad, "Mã chỉ tiêu", "Chỉ tiêu", "Giá trị"],
            *body,
        ]
    elif layout == "wide":
        header = [*pad, "unit_code", "year", *draw(st.lists(code_text, max_size=5))]
        unit_cell = st.one_of(st.sampled_from(sorted(REGISTRY.units)), cell_text)
        body = [
            [*pad, draw(unit_cell), draw(cell_value), *draw(st.lists(cell_value, max_size=6))]
            for _ in range(draw(st.integers(0, 6)))
        ]
        rows[at:at] = [header, *body]
    elif layout == "half":
        rows[at:at] = [[*pad, draw(st.sampled_from(["Mã chỉ tiêu", "Giá trị"]))]]
    return rows


@given(
    sheets=st.dictionaries(sheet_names, laid_out_rows(), min_size=1, max_size=3),
    stem=st.text(alphabet=VI_LETTERS + "0123456789 _-", min_size=1, max_size=20),
    suffix=st.sampled_from([".xlsx", ".xlsm"]),
)
def test_any_workbook_reads_to_a_result_or_messages(folder, sheets, stem, suffix):
    tally("readers: workbook")
    # Excel compares sheet names case-insensitively; xlsxwriter refuses duplicates
    assume(len({name.casefold() for name in sheets}) == len(sheets))
    path = write_grid(folder / f"{stem.strip() or 'tep'}{suffix}", sheets)
    _read_and_validate(path)


@given(
    rows=laid_out_rows(),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    quoting=st.booleans(),
)
def test_any_csv_reads_to_a_result_or_messages(folder, rows, encoding, delimiter, quoting):
    tally("readers: csv")
    text = csv_text([[str(v) if v is not None else None for v in row] for row in rows], delimiter)
    if quoting:
        text = text.replace('"', "")  # unbalanced quotes, as a hand edit leaves them
    try:
        data = encode(text, encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    path = folder / "bang_so_lieu.csv"
    path.write_bytes(data)
    _read_and_validate(path)


@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt"]))
def test_any_bytes_read_to_a_result_or_messages(folder, data, suffix):
    tally("readers: bytes")
    path = folder / f"tep_bat_ky{suffix}"
    path.write_bytes(data)
    _read_and_validate(path)


# ---------------------------------------------------------------------------------------------
# round trips: what was typed is what is stored


@given(sub=submission(), top=st.integers(0, 20), left=st.integers(0, 5))
def test_a_workbook_stores_what_was_typed(folder, sub, top, left):
    tally("round trip: workbook")
    unit, year, typed_year, values = sub
    path = write_template(
        folder / "bao_cao.xlsx",
        unit,
        typed_year,
        [(c, t) for c, (t, _) in values.items()],
        top=top,
        left=left,
    )
    result = _read_and_validate(path)
    assert not result.errors, [m.message for m in result.errors]
    assert (result.unit_code, result.year) == (unit, year)
    stored = _stored(result)
    assert set(stored) == set(values)
    for code, (typed, expected) in values.items():
        assert _same(stored[code], expected), (code, typed, stored[code], expected)


@given(
    data=st.data(),
    codes_=roundtrip_codes,
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    n_rows=st.integers(1, 4),
)
def test_a_wide_csv_stores_what_was_typed(folder, data, codes_, encoding, delimiter, n_rows):
    tally("round trip: csv")
    units = data.draw(
        st.lists(st.sampled_from(sorted(REGISTRY.units)), min_size=n_rows, max_size=n_rows, unique=True)
    )
    rows, expected = [["unit_code", "year", *codes_]], {}
    for unit in units:
        unit_years = [y for y in range(2015, 2026) if REGISTRY.units[unit].active_in(y)]
        assume(unit_years)
        year = data.draw(st.sampled_from(unit_years))
        # a CSV holds text only: Excel numbers become their Vietnamese text
        cells = {c: data.draw(accepted_value(c).filter(lambda tv: isinstance(tv[0], str))) for c in codes_}
        rows.append([unit, str(year), *(typed for typed, _ in cells.values())])
        expected[(unit, year)] = {c: want for c, (_, want) in cells.items()}
    path = folder / "lich_su.csv"
    path.write_bytes(encode(csv_text(rows, delimiter), encoding))
    result = _read_and_validate(path)
    assert not result.errors, [m.message for m in result.errors]
    stored = {
        (r.unit_code, r.year): {v.indicator_code: (v.value_num, v.value_text) for v in r.values}
        for r in result.records
    }
    assert set(stored) == set(expected)
    for unit_year, values in expected.items():
        assert set(stored[unit_year]) == set(values)
        for code, want in values.items():
            assert _same(stored[unit_year][code], want), (unit_year, code, stored[unit_year][code], want)


invisible = st.characters(categories=["Cc", "Cf"]).filter(lambda ch: not ch.isspace() and ch != "\x00")


@given(
    words=st.lists(st.tuples(vi_words, st.lists(invisible, max_size=2).map("".join)), min_size=1, max_size=6),
    code=st.sampled_from(["highlights", "difficulties", "proposals"]),
)
def test_free_text_is_stored_without_invisible_characters(folder, words, code):
    tally("round trip: invisible characters")
    typed = " ".join(word + junk for word, junk in words)
    path = write_template(folder / "y_kien.xlsx", "BVDKT", 2024.0, [(code, typed)])
    result = _read_and_validate(path)
    assert not result.errors, [m.message for m in result.errors]
    assert _stored(result)[code] == (None, " ".join(word for word, _ in words))
