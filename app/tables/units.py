"""The unit list as «Danh sách đơn vị» shows it: names, type, area, active years, lineage, status,
and the log of renames, mergers, splits and closures. Pure Polars on the cached frames
(queries.units, queries.unit_changes); no codes in what a person reads."""

from __future__ import annotations

import polars as pl

from app.tables.markdown import escape_markdown
from etl.registry import UNIT_TYPES
from etl.unit_rules import KIND_NAMES

ACTIVE = "Đang hoạt động"
NOT_YET = "Chưa hoạt động"
MERGED = "Đã sáp nhập"
SPLIT = "Đã chia tách"
ENDED = "Đã thôi hoạt động"
STATUS_ORDER = (ACTIVE, NOT_YET, MERGED, SPLIT, ENDED)

LIST_HEADERS = {
    "name": "Tên đơn vị",
    "short_name": "Tên ngắn",
    "type_name": "Loại đơn vị",
    "area": "Địa bàn",
    "active_years": "Năm hoạt động",
    "lineage": "Kế thừa, tiền thân, tên cũ",
    "status": "Tình trạng",
}
LOG_HEADERS = {
    "effective_year": "Năm hiệu lực",
    "kind_name": "Thay đổi",
    "what": "Đơn vị",
    "changed_at": "Lúc ghi",
    "changed_by": "Người thực hiện",
}


def active_years(valid_from: int | None, valid_to: int | None) -> str:
    """The years a unit is active, as read: '2015–nay', '2015–2024', 'đến 2024'.

    >>> active_years(2015, None), active_years(2015, 2024), active_years(None, 2024), active_years(None, None)
    ('2015–nay', '2015–2024', 'đến 2024', 'không ghi')
    """
    if valid_from is None:
        return f"đến {valid_to}" if valid_to is not None else "không ghi"
    return f"{valid_from}–{'nay' if valid_to is None else valid_to}"


def _quoted(names: list[str]) -> str:
    return ", ".join(f"«{n}»" for n in names)


def _split_links(
    changes: pl.DataFrame,
) -> tuple[dict[str, tuple[list[str], int]], dict[str, tuple[str, int]]]:
    """Split source -> (new units, year) and new unit -> (source, year), from the change log."""
    into: dict[str, tuple[list[str], int]] = {}
    came_from: dict[str, tuple[str, int]] = {}
    for row in changes.filter(pl.col("change_kind") == "split").iter_rows(named=True):
        source = row["from_codes"][0]
        into[source] = (list(row["to_codes"]), row["effective_year"])
        for code in row["to_codes"]:
            came_from[code] = (source, row["effective_year"])
    return into, came_from


def _status(unit: dict, split_into: dict, this_year: int) -> str:
    if unit["valid_from"] is not None and unit["valid_from"] > this_year:
        return NOT_YET
    if unit["valid_to"] is None or unit["valid_to"] >= this_year:
        return ACTIVE
    if unit["successor_code"]:
        return MERGED
    return SPLIT if unit["unit_code"] in split_into else ENDED


def unit_list(units: pl.DataFrame, changes: pl.DataFrame, this_year: int) -> pl.DataFrame:
    """One row per unit: unit_code (for pickers, never shown), name, short_name, type_name, area,
    active_years, lineage, status; units in force first, then by name.

    `lineage` says, in words, who took the unit over (and from when), whom it took over,
    what a split made of it or made it from, and its names before a rename.
    """
    names = dict(zip(units["unit_code"], units["name"], strict=True))
    predecessors: dict[str, list[str]] = {}
    for code, succ in zip(units["unit_code"], units["successor_code"], strict=True):
        if succ:
            predecessors.setdefault(succ, []).append(names[code])
    split_into, came_from = _split_links(changes)
    renames: dict[str, list[str]] = {}
    for row in changes.filter(pl.col("change_kind") == "rename").iter_rows(named=True):
        renames.setdefault(row["from_codes"][0], []).append(
            f"tên cũ «{row['old_name']}» (đến năm {row['effective_year'] - 1})"
        )
    rows = []
    for unit in units.iter_rows(named=True):
        code = unit["unit_code"]
        notes = []
        if unit["successor_code"]:
            start = f" từ năm {unit['valid_to'] + 1}" if unit["valid_to"] is not None else ""
            notes.append(f"đơn vị kế thừa: «{names.get(unit['successor_code'], '?')}»{start}")
        if code in predecessors:
            notes.append("tiếp nhận " + _quoted(sorted(predecessors[code])))
        if code in split_into:
            parts, year = split_into[code]
            notes.append(
                f"chia tách thành {_quoted([names.get(c, '?') for c in parts])} từ năm {year} "
                "(số liệu cũ không quy đổi sang đơn vị mới nào)"
            )
        if code in came_from:
            source, year = came_from[code]
            notes.append(f"tách từ «{names.get(source, '?')}» năm {year}")
        notes.extend(renames.get(code, []))
        text = "; ".join(notes)
        rows.append(
            {
                "unit_code": code, "name": unit["name"], "short_name": unit["short_name"],
                "type_name": UNIT_TYPES.get(unit["unit_type"], unit["unit_type"]), "area": unit["area"],
                "active_years": active_years(unit["valid_from"], unit["valid_to"]),
                "lineage": text[:1].upper() + text[1:], "status": _status(unit, split_into, this_year),
            }
        )  # fmt: skip
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ("unit_code", *LIST_HEADERS)})
    order = pl.col("status").replace_strict({s: i for i, s in enumerate(STATUS_ORDER)}, return_dtype=pl.Int32)
    return frame.sort(order, pl.col("name"))


def change_log(changes: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """The change log newest first: effective_year, kind_name, what (units by name), changed_at, changed_by."""
    names = dict(zip(units["unit_code"], units["name"], strict=True))
    rows = []
    for row in changes.sort("change_id", descending=True).iter_rows(named=True):
        sources = _quoted([names.get(c, c) for c in row["from_codes"]])
        targets = _quoted([names.get(c, c) for c in row["to_codes"]])
        if row["change_kind"] == "rename":
            what = f"«{row['old_name']}» thành «{row['new_name']}»"
        elif row["change_kind"] == "close":
            what = sources
        else:
            what = (
                f"{sources} thành {targets}" if row["change_kind"] == "split" else f"{sources} vào {targets}"
            )
        rows.append(
            {
                "effective_year": str(row["effective_year"]),
                "kind_name": KIND_NAMES[row["change_kind"]],
                "what": what,
                "changed_at": row["changed_at"].strftime("%d/%m/%Y %H:%M") if row["changed_at"] else "",
                "changed_by": row["changed_by"] or "",
            }
        )
    return pl.DataFrame(rows, schema={c: pl.String for c in LOG_HEADERS})


def unit_choices(listed: pl.DataFrame, statuses: tuple[str, ...] = (ACTIVE, NOT_YET)) -> dict[str, str]:
    """code -> name of the listed units in `statuses` (by default the units a change may touch), by name."""
    picked = listed.filter(pl.col("status").is_in(list(statuses))).sort("name")
    return dict(zip(picked["unit_code"], picked["name"], strict=True))


def profile_notes(changes: pl.DataFrame, units: pl.DataFrame, unit_code: str) -> list[str]:
    """What the change log adds to a unit's profile (Markdown lines, names escaped): the split it came
    from or was ended by, whose history stays with the old unit, and its names before a rename."""
    names = dict(zip(units["unit_code"], units["name"], strict=True))

    def quoted(codes) -> str:
        return ", ".join(f"«{escape_markdown(names.get(c, c))}»" for c in codes)

    notes = []
    for row in changes.sort("change_id").iter_rows(named=True):
        year = row["effective_year"]
        if row["change_kind"] == "split" and unit_code in row["to_codes"]:
            notes.append(
                f"**Tách từ** {quoted(row['from_codes'])} năm {year}: số liệu các năm trước của đơn vị cũ "
                "không quy đổi sang đơn vị này (không chia được số liệu của một đơn vị)."
            )
        elif row["change_kind"] == "split" and unit_code in row["from_codes"]:
            notes.append(
                f"**Đã chia tách thành** {quoted(row['to_codes'])} từ năm {year}: số liệu các năm trước vẫn là "
                "của đơn vị này, không quy đổi sang đơn vị mới nào."
            )
        elif row["change_kind"] == "rename" and unit_code in row["from_codes"]:
            notes.append(f"**Tên cũ** (đến năm {year - 1}): «{escape_markdown(row['old_name'] or '')}».")
    return notes
