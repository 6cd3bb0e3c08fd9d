"""app/tables/units.py: the unit list, the change log and the profile's notes, on tiny frames."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from app.tables import units as view

UNITS = pl.DataFrame(
    {
        "unit_code": ["A", "B", "C", "D", "E", "F", "G"],
        "name": ["TTYT A", "TTYT B", "TTYT KV 1", "BV cũ", "BV Bắc", "BV Nam", "TT Pháp y"],
        "short_name": ["A", "B", "KV 1", "BV cũ", "BV Bắc", "BV Nam", "Pháp y"],
        "unit_type": ["ttyt", "ttyt", "ttyt", "bv_tinh", "bv_tinh", "bv_tinh", "tt_tinh"],
        "area": ["Bắc", "Bắc", "Bắc", "Toàn tỉnh", "Bắc", "Nam", ""],
        "valid_from": [2015, 2015, 2025, 2015, 2026, 2026, 2015],
        "valid_to": [2024, 2024, None, 2025, None, None, 2025],
        "successor_code": ["C", "C", None, None, None, None, None],
    },
    schema_overrides={"valid_from": pl.Int32, "valid_to": pl.Int32},
)
CHANGES = pl.DataFrame(
    {
        "change_id": [1, 2, 3, 4],
        "change_kind": ["merge", "split", "close", "rename"],
        "effective_year": [2025, 2026, 2026, 2026],
        "from_codes": [["A", "B"], ["D"], ["G"], ["C"]],
        "to_codes": [["C"], ["E", "F"], [], ["C"]],
        "old_name": [None, "BV cũ", "TT Pháp y", "TTYT khu vực một"],
        "new_name": ["TTYT KV 1", None, None, "TTYT KV 1"],
        "changed_at": [datetime(2026, 12, 1, 9, 30)] * 4,
        "changed_by": ["quan_tri", "quan_tri", None, "cli:danvan"],
    },
    schema_overrides={"change_id": pl.Int32, "effective_year": pl.Int32},
)


def _rows() -> dict[str, dict]:
    listed = view.unit_list(UNITS, CHANGES, 2026)
    return {r["unit_code"]: r for r in listed.iter_rows(named=True)}


def test_each_unit_says_its_status_and_lineage_in_words() -> None:
    rows = _rows()
    assert {c: r["status"] for c, r in rows.items()} == {
        "A": view.MERGED, "B": view.MERGED, "C": view.ACTIVE, "D": view.SPLIT,
        "E": view.ACTIVE, "F": view.ACTIVE, "G": view.ENDED,
    }  # fmt: skip
    assert rows["A"]["lineage"] == "Đơn vị kế thừa: «TTYT KV 1» từ năm 2025"
    assert rows["C"]["lineage"] == "Tiếp nhận «TTYT A», «TTYT B»; tên cũ «TTYT khu vực một» (đến năm 2025)"
    assert rows["D"]["lineage"].startswith("Chia tách thành «BV Bắc», «BV Nam» từ năm 2026")
    assert "không quy đổi sang đơn vị mới nào" in rows["D"]["lineage"]
    assert rows["E"]["lineage"] == "Tách từ «BV cũ» năm 2026"
    assert (rows["D"]["active_years"], rows["C"]["active_years"]) == ("2015–2025", "2025–nay")
    assert rows["A"]["type_name"] == "Trung tâm y tế khu vực/huyện"


def test_units_in_force_come_first_and_only_they_can_be_changed() -> None:
    listed = view.unit_list(UNITS, CHANGES, 2026)
    assert listed["status"].to_list()[:3] == [view.ACTIVE] * 3 and view.ACTIVE not in listed["status"][3:]
    assert set(view.unit_choices(listed)) == {"C", "E", "F"}
    # a unit that opens next year is listed as not yet active, and may still be changed
    later = view.unit_list(UNITS, CHANGES, 2025)
    assert {r["unit_code"]: r["status"] for r in later.iter_rows(named=True)}["E"] == view.NOT_YET
    assert "E" in view.unit_choices(later)


def test_change_log_names_units_newest_first() -> None:
    log = view.change_log(CHANGES, UNITS)
    assert log["what"].to_list() == [
        "«TTYT khu vực một» thành «TTYT KV 1»",
        "«TT Pháp y»",
        "«BV cũ» thành «BV Bắc», «BV Nam»",
        "«TTYT A», «TTYT B» vào «TTYT KV 1»",
    ]
    assert log["kind_name"].to_list() == ["Đổi tên", "Giải thể", "Chia tách", "Sáp nhập"]
    assert log["changed_at"][0] == "01/12/2026 09:30" and log["changed_by"][1] == ""


def test_profile_notes_say_a_split_history_stays_with_the_old_unit() -> None:
    assert view.profile_notes(CHANGES, UNITS, "E") == [
        "**Tách từ** «BV cũ» năm 2026: số liệu các năm trước của đơn vị cũ không quy đổi sang đơn vị này "
        "(không chia được số liệu của một đơn vị)."
    ]
    assert view.profile_notes(CHANGES, UNITS, "D")[0].startswith("**Đã chia tách thành** «BV Bắc», «BV Nam»")
    assert view.profile_notes(CHANGES, UNITS, "C") == ["**Tên cũ** (đến năm 2025): «TTYT khu vực một»."]
    assert view.profile_notes(CHANGES, UNITS, "A") == []


def test_lineage_names_predecessors_and_the_successor_chain_and_marks_the_years() -> None:
    from app.tables.profile import lineage_events, unit_lineage

    chain = UNITS.with_columns(  # C later merged on into E, which merged into F
        successor_code=pl.when(pl.col("unit_code") == "C")
        .then(pl.lit("E"))
        .when(pl.col("unit_code") == "E")
        .then(pl.lit("F"))
        .otherwise(pl.col("successor_code")),
        valid_to=pl.when(pl.col("unit_code") == "C")
        .then(pl.lit(2025, pl.Int32))
        .otherwise(pl.col("valid_to")),
    )
    lineage = unit_lineage(chain, "C")
    assert [p["unit_code"] for p in lineage["predecessors"]] == ["A", "B"]
    assert [s["short_name"] for s in lineage["successors"]] == ["BV Bắc", "BV Nam"]
    assert unit_lineage(chain, "G") == {"predecessors": [], "successors": []}
    # A and B closed in 2024 and C opened in 2025: formed by their merger; C's own last year
    assert lineage_events(chain, "C") == [
        (2025, "Hợp nhất từ A, B"),
        (2025, "Năm cuối trước khi sáp nhập vào BV Bắc"),
    ]
    assert lineage_events(chain, "NOT_A_UNIT") == []
