"""Changes to the unit list with an effective year: rename, merge (N to 1), split (1 to N), close.

Each operation checks the change against the registry and the reports already received
(etl/unit_rules.py), then writes, in one transaction, the units rows (validity years,
successor, old names kept as aliases so old files still match), one row of the
`unit_changes` log and a new data version. The caller publishes the snapshot and audits (etl/units_cli.py).

What each change means for the figures:
- rename: the same unit code under a new name; its history is its own, nothing restated.
- merge: every merged unit stops the year before the effective year and names the unit
  that takes it over as its successor, so "quy đổi theo cơ cấu hiện tại" counts its history
  under that unit (etl.restate, unit_lineage).
- split: the split unit stops; the new units start in the effective year. Its history is
  not restated onto any one of them (a unit's figures cannot be divided): it stays its own.
- close: the unit stops, with no successor.
A stopped unit is no longer expected to report (app/intake.py, queries.expected_units).
Messages are Vietnamese; a refused change raises UnitChangeError and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import duckdb

from etl.db import bump_data_version
from etl.ingest import registry_from_db
from etl.registry import Unit, nfc
from etl.unit_rules import (
    KIND_NAMES,
    NewUnit,
    UnitChangeError,
    check_active,
    check_can_end,
    check_name_free,
    check_not_ended,
    check_year,
    known_unit,
    label,
    labels,
    new_unit,
    split_sources,
)

__all__ = [
    "KIND_NAMES",
    "NewUnit",
    "UnitChange",
    "UnitChangeError",
    "close_unit",
    "merge_units",
    "rename_unit",
    "split_unit",
]


@dataclass(frozen=True)
class UnitChange:
    """A change made: its kind, year, the units it ends or renames and the units it leads to."""

    kind: str
    effective_year: int
    from_codes: tuple[str, ...]
    to_codes: tuple[str, ...]
    summary: str  # what was done, in Vietnamese, for the operator

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "effective_year": self.effective_year,
            "from_codes": list(self.from_codes), "to_codes": list(self.to_codes),
        }  # fmt: skip


def _write(
    con: duckdb.DuckDBPyConnection,
    change: UnitChange,
    *,
    updated: list[Unit] = (),
    added: list[Unit] = (),
    names: tuple[str | None, str | None] = (None, None),
    by: str | None = None,
) -> UnitChange:
    """The units rows, the log row and the data version, in one transaction."""
    con.execute("begin")
    try:
        for u in updated:
            con.execute(
                "update units set name = ?, short_name = ?, valid_to = ?, successor_code = ?, aliases = ? "
                "where unit_code = ?",
                [u.name, u.short_name, u.valid_to, u.successor_code, "|".join(u.aliases), u.unit_code],
            )
        for u in added:
            con.execute(
                "insert into units (unit_code, name, short_name, unit_type, area, valid_from, valid_to, "
                "successor_code, rank_pool, aliases) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [u.unit_code, u.name, u.short_name, u.unit_type, u.area, u.valid_from, u.valid_to,
                 u.successor_code, u.rank_pool, "|".join(u.aliases)],
            )  # fmt: skip
        con.execute(
            "insert into unit_changes select coalesce(max(change_id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? "
            "from unit_changes",
            [change.kind, change.effective_year, list(change.from_codes), list(change.to_codes),
             names[0], names[1], datetime.now().replace(microsecond=0), by],
        )  # fmt: skip
        bump_data_version(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return change


def rename_unit(
    con: duckdb.DuckDBPyConnection,
    code: str,
    name: str,
    from_year: int,
    *,
    short_name: str | None = None,
    by: str | None = None,
) -> UnitChange:
    """Give `code` a new name from `from_year`; the old name and short name stay as aliases.

    The unit keeps its code, so its reports, before and after, stay its own. `short_name`
    (the charts' label) defaults to the new name.
    """
    check_year(from_year)
    registry = registry_from_db(con)
    unit = known_unit(registry, code)
    check_not_ended(con, registry, unit)
    check_active(unit, from_year, "đổi tên")
    new_name, new_short = nfc(name or ""), nfc(short_name or "") or nfc(name or "")
    if not new_name:
        raise UnitChangeError("Cần tên mới của đơn vị (tuỳ chọn --name).")
    if new_name == unit.name and new_short == unit.short_name:
        raise UnitChangeError(f"{label(unit)} đã có đúng tên này; không có gì thay đổi.")
    check_name_free(registry, new_name, unit.unit_code)
    check_name_free(registry, new_short, unit.unit_code)
    # the old names stay as aliases: a file that still says the old name matches the unit
    kept = (a for a in (*unit.aliases, unit.name, unit.short_name) if a not in (new_name, new_short))
    renamed = replace(unit, name=new_name, short_name=new_short, aliases=tuple(dict.fromkeys(kept)))
    summary = (
        f"Đã đổi tên đơn vị {unit.unit_code} từ năm {from_year}: «{unit.name}» thành «{new_name}». Mã đơn vị "
        "giữ nguyên, số liệu các năm trước vẫn là của đơn vị; tên cũ được giữ làm tên gọi khác, nên tệp ghi "
        "tên cũ vẫn được nhận ra."
    )
    change = UnitChange("rename", from_year, (unit.unit_code,), (unit.unit_code,), summary)
    return _write(con, change, updated=[renamed], names=(unit.name, new_name), by=by)


def merge_units(
    con: duckdb.DuckDBPyConnection,
    codes: list[str],
    into: str,
    from_year: int,
    *,
    new: NewUnit | None = None,
    by: str | None = None,
) -> UnitChange:
    """Merge the units `codes` into `into` from `from_year` (N to 1).

    `into` is an existing unit active in `from_year`, or (with `new`) a unit created that
    year. The merged units stop the year before and name `into` as their successor.
    """
    check_year(from_year)
    registry = registry_from_db(con)
    sources = [known_unit(registry, c) for c in dict.fromkeys(c.strip().upper() for c in codes)]
    if not sources:
        raise UnitChangeError("Cần ít nhất một đơn vị được sáp nhập.")
    target_code = into.strip().upper()
    if target_code in {u.unit_code for u in sources}:
        raise UnitChangeError(
            f"Đơn vị nhận sáp nhập {target_code} cũng nằm trong danh sách đơn vị được sáp nhập. Cách sửa: chỉ ghi "
            f"các đơn vị nhập vào {target_code} (ví dụ: units merge B C --into {target_code})."
        )
    for unit in sources:
        check_can_end(con, registry, unit, from_year)
    existing = registry.units.get(target_code)
    added: list[Unit] = []
    if existing is not None:
        if new is not None and (new.name or new.unit_type or new.area or new.short_name):
            raise UnitChangeError(
                f"{label(existing)} đã có trong danh sách; bỏ các tuỳ chọn --name, --type, --area "
                "(muốn đổi tên đơn vị này thì dùng units rename)."
            )
        if existing.successor_code or existing.unit_code in split_sources(con):
            raise UnitChangeError(f"{label(existing)} không còn hoạt động; không nhận sáp nhập được.")
        check_active(existing, from_year, "nhận sáp nhập")
        target = existing
    else:
        if new is None or not new.name:
            raise UnitChangeError(
                f"Chưa có đơn vị mã «{into}». Để sáp nhập vào một đơn vị mới, ghi tên của đơn vị mới (--name) "
                "và nếu cần loại đơn vị (--type), địa bàn (--area); để sáp nhập vào một đơn vị đã có, ghi đúng mã "
                "của đơn vị đó."
            )
        target = new_unit(registry, replace(new, unit_code=target_code), from_year, sources, set())
        added.append(target)
    ended = [replace(u, valid_to=from_year - 1, successor_code=target.unit_code) for u in sources]
    summary = (
        f"Đã sáp nhập {labels(sources)} vào {label(target)} từ năm {from_year}"
        f"{' (đơn vị mới)' if added else ''}. Từ năm {from_year} các đơn vị được sáp nhập không còn phải nộp "
        f"báo cáo; khi xem «quy đổi theo cơ cấu hiện tại», số liệu các năm trước của chúng được tính cho "
        f"«{target.name}»."
    )
    change = UnitChange("merge", from_year, tuple(u.unit_code for u in sources), (target.unit_code,), summary)
    return _write(con, change, updated=ended, added=added, names=(None, target.name), by=by)


def split_unit(
    con: duckdb.DuckDBPyConnection,
    code: str,
    into: list[NewUnit],
    from_year: int,
    *,
    by: str | None = None,
) -> UnitChange:
    """Split `code` into new units from `from_year` (1 to N, N >= 2).

    The split unit stops the year before, with no successor: its history stays its own and
    is not restated onto any one of the new units.
    """
    check_year(from_year)
    registry = registry_from_db(con)
    unit = known_unit(registry, code)
    if len(into) < 2:
        raise UnitChangeError(
            "Chia tách cần ít nhất hai đơn vị mới. Nếu đơn vị chỉ đổi tên, dùng units rename; nếu nhập vào "
            "một đơn vị khác, dùng units merge."
        )
    check_can_end(con, registry, unit, from_year)
    seen: set[str] = set()
    added = []
    for new in into:
        made = new_unit(registry, new, from_year, [unit], seen)
        if made.name in {a.name for a in added}:
            raise UnitChangeError(f"Hai đơn vị mới cùng tên «{made.name}»; mỗi đơn vị cần một tên riêng.")
        seen.add(made.unit_code)
        added.append(made)
    ended = replace(unit, valid_to=from_year - 1)
    summary = (
        f"Đã chia tách {label(unit)} thành {labels(added)} từ năm {from_year}. Từ năm {from_year} đơn vị cũ "
        "không còn phải nộp báo cáo, các đơn vị mới bắt đầu nộp. Số liệu các năm trước vẫn là của đơn vị cũ, "
        "không quy đổi sang đơn vị mới nào (không chia được số liệu của một đơn vị)."
    )
    change = UnitChange("split", from_year, (unit.unit_code,), tuple(u.unit_code for u in added), summary)
    return _write(con, change, updated=[ended], added=added, names=(unit.name, None), by=by)


def close_unit(
    con: duckdb.DuckDBPyConnection, code: str, from_year: int, *, by: str | None = None
) -> UnitChange:
    """Close `code` from `from_year`, the first year it no longer exists (last year: `from_year - 1`)."""
    check_year(from_year)
    registry = registry_from_db(con)
    unit = known_unit(registry, code)
    check_not_ended(con, registry, unit)
    if unit.valid_to is not None and unit.valid_to < from_year:
        raise UnitChangeError(
            f"{label(unit)} đã thôi hoạt động từ năm {unit.valid_to + 1}; không có gì thay đổi."
        )
    check_can_end(con, registry, unit, from_year)
    summary = (
        f"Đã ghi {label(unit)} giải thể (thôi hoạt động) từ năm {from_year}; năm hoạt động cuối cùng là "
        f"{from_year - 1}. Từ năm {from_year} đơn vị không còn phải nộp báo cáo; số liệu các năm trước vẫn giữ."
    )
    change = UnitChange("close", from_year, (unit.unit_code,), (), summary)
    return _write(
        con, change, updated=[replace(unit, valid_to=from_year - 1)], names=(unit.name, None), by=by
    )
