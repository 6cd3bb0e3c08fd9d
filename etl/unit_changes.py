"""Changes to the unit list with an effective year: rename, merge (N to 1), split (1 to N), close.

Each operation checks the change against the registry and the reports already received,
then writes, in one transaction, the units rows (validity years, successor, old names kept
as aliases so old files still match), one row of the `unit_changes` log and a new data
version. The caller publishes the snapshot and audits (etl/units_cli.py).

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

import re
from dataclasses import dataclass, replace
from datetime import datetime

import duckdb

from etl.db import bump_data_version
from etl.ingest import registry_from_db
from etl.registry import UNIT_TYPES, Registry, Unit, nfc

KIND_NAMES = {"rename": "Đổi tên", "merge": "Sáp nhập", "split": "Chia tách", "close": "Giải thể"}
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,39}")
_EARLIEST, _LATEST = 1990, 2100


class UnitChangeError(ValueError):
    """A change the unit list cannot take; the message says why and what to do (Vietnamese)."""


@dataclass(frozen=True)
class NewUnit:
    """A unit created by a merger or a split; blank fields are taken from the units it comes from."""

    unit_code: str
    name: str
    short_name: str | None = None
    unit_type: str | None = None
    area: str | None = None


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


def label(unit: Unit) -> str:
    """How a message names a unit: its name, with the code the unit writes in its files."""
    return f"«{unit.name}» ({unit.unit_code})"


def _labels(units: list[Unit]) -> str:
    return ", ".join(label(u) for u in units)


def _check_year(year: int) -> None:
    if not _EARLIEST <= year <= _LATEST:
        raise UnitChangeError(f"Năm hiệu lực {year} không hợp lệ; ghi năm có bốn chữ số, ví dụ 2026.")


def _known(registry: Registry, code: str) -> Unit:
    wanted = code.strip().upper()
    unit = registry.units.get(wanted)
    if unit is not None:
        return unit
    near = registry.closest(code)
    hint = f" Có phải: {_labels(near)}?" if near else ""
    raise UnitChangeError(
        f"Không có đơn vị mã «{code}» trong danh sách đơn vị.{hint} "
        "Xem danh sách bằng `python -m etl units export TỆP.csv` hoặc ở trang «Danh sách đơn vị»."
    )


def _split_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select from_codes from unit_changes where change_kind = 'split'").fetchall()
    return {code for (codes,) in rows for code in codes}


def _check_not_ended(con: duckdb.DuckDBPyConnection, registry: Registry, unit: Unit) -> None:
    """Refuse a change to a unit that a merger or a split has already ended."""
    if unit.successor_code:
        succ = registry.units.get(unit.successor_code)
        raise UnitChangeError(
            f"{label(unit)} đã sáp nhập vào {label(succ) if succ else unit.successor_code}"
            f"{f' từ năm {unit.valid_to + 1}' if unit.valid_to is not None else ''}; "
            "không thay đổi thêm được. Nếu thông tin đó sai, sửa danh sách đơn vị (xuất ra CSV, sửa, nạp lại)."
        )
    if unit.unit_code in _split_sources(con):
        raise UnitChangeError(
            f"{label(unit)} đã được chia tách thành các đơn vị khác; không thay đổi thêm được."
        )


def _check_can_end(con: duckdb.DuckDBPyConnection, registry: Registry, unit: Unit, year: int) -> None:
    """Refuse to end `unit` from `year` when it did not exist then, has already ended, or has
    reports accepted for `year` or later."""
    if unit.valid_from is not None and year <= unit.valid_from:
        raise UnitChangeError(
            f"{label(unit)} bắt đầu hoạt động năm {unit.valid_from}, nên không thể thôi hoạt động từ năm {year}. "
            f"Cách sửa: chọn năm hiệu lực từ {unit.valid_from + 1} trở đi (năm đầu tiên đơn vị không còn "
            "phải nộp báo cáo)."
        )
    _check_not_ended(con, registry, unit)
    if unit.valid_to is not None and unit.valid_to < year - 1:
        raise UnitChangeError(
            f"{label(unit)} đã thôi hoạt động từ năm {unit.valid_to + 1} (năm hoạt động cuối: {unit.valid_to}). "
            f"Cách sửa: chọn năm hiệu lực {unit.valid_to + 1} hoặc sớm hơn."
        )
    reported = [
        r[0]
        for r in con.execute(
            "select distinct year from submissions where unit_code = ? and status = 'accepted' and year >= ? "
            "order by year",
            [unit.unit_code, year],
        ).fetchall()
    ]
    if reported:
        years = ", ".join(map(str, reported))
        raise UnitChangeError(
            f"{label(unit)} đã có báo cáo được tiếp nhận cho năm {years}, tức là đơn vị còn hoạt động trong "
            f"năm đó. Cách sửa: chọn năm hiệu lực từ {reported[-1] + 1} trở đi. Báo cáo đã nhận không bao giờ "
            "bị xoá hay tự chuyển sang đơn vị khác; nếu báo cáo đó gửi nhầm mã, hãy liên hệ đơn vị trước."
        )


def _check_active(unit: Unit, year: int, what: str) -> None:
    if not unit.active_in(year):
        span = f"{unit.valid_from or '…'}–{unit.valid_to or 'nay'}"
        raise UnitChangeError(
            f"{label(unit)} không hoạt động năm {year} (hoạt động {span}), nên không {what} từ năm đó được. "
            "Cách sửa: chọn năm hiệu lực trong những năm đơn vị còn hoạt động."
        )


def _check_name_free(registry: Registry, name: str, own_code: str | None = None) -> None:
    others = [c for c in registry.match(name) if c != own_code]
    if others:
        owner = registry.units[others[0]]
        raise UnitChangeError(
            f"Tên «{name}» đã là tên, tên ngắn hoặc tên gọi khác của {label(owner)}; hai đơn vị trùng tên thì "
            "tệp ghi tên đó không biết là của đơn vị nào. Cách sửa: chọn tên khác"
            + (
                ", hoặc sáp nhập vào chính đơn vị đó (--into " + owner.unit_code + ")."
                if own_code is None
                else "."
            )
        )


def _new_unit(registry: Registry, new: NewUnit, year: int, origin: list[Unit], seen: set[str]) -> Unit:
    """A unit created from `origin` in `year`; type, area and rank pool default to theirs when shared."""
    code = new.unit_code.strip().upper()
    if not _CODE.fullmatch(code):
        raise UnitChangeError(
            f"Mã đơn vị mới «{new.unit_code}» không hợp lệ: dùng chữ in hoa không dấu, chữ số và dấu gạch dưới, "
            "bắt đầu bằng một chữ (ví dụ TTYTKV_BAC)."
        )
    if code in registry or code in seen:
        raise UnitChangeError(f"Mã «{code}» đã có trong danh sách đơn vị; chọn mã khác cho đơn vị mới.")
    name = nfc(new.name or "")
    if not name:
        raise UnitChangeError(f"Đơn vị mới «{code}» cần tên đầy đủ (tuỳ chọn --name).")
    _check_name_free(registry, name)
    short = nfc(new.short_name or "") or name
    if short != name:
        _check_name_free(registry, short)

    def shared(values: set[str], option: str, what: str) -> str:
        if len(values) == 1:
            return values.pop()
        raise UnitChangeError(
            f"Các đơn vị {_labels(origin)} không cùng {what}; ghi {what} của đơn vị mới «{name}» ({option})."
        )

    unit_type = new.unit_type or shared({u.unit_type for u in origin}, "--type", "loại đơn vị")
    if unit_type not in UNIT_TYPES:
        raise UnitChangeError(
            f"Loại đơn vị «{unit_type}» không hợp lệ; dùng một trong: "
            + ", ".join(f"{k} ({v})" for k, v in UNIT_TYPES.items())
            + "."
        )
    area = nfc(new.area) if new.area else shared({u.area for u in origin}, "--area", "địa bàn")
    pools = {u.rank_pool for u in origin}
    return Unit(
        unit_code=code, name=name, short_name=short, unit_type=unit_type, area=area, valid_from=year,
        valid_to=None, successor_code=None, rank_pool=pools.pop() if len(pools) == 1 else "so",
    )  # fmt: skip


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
    _check_year(from_year)
    registry = registry_from_db(con)
    unit = _known(registry, code)
    _check_not_ended(con, registry, unit)
    _check_active(unit, from_year, "đổi tên")
    new_name, new_short = nfc(name or ""), nfc(short_name or "") or nfc(name or "")
    if not new_name:
        raise UnitChangeError("Cần tên mới của đơn vị (tuỳ chọn --name).")
    if new_name == unit.name and new_short == unit.short_name:
        raise UnitChangeError(f"{label(unit)} đã có đúng tên này; không có gì thay đổi.")
    _check_name_free(registry, new_name, unit.unit_code)
    _check_name_free(registry, new_short, unit.unit_code)
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
    _check_year(from_year)
    registry = registry_from_db(con)
    sources = [_known(registry, c) for c in dict.fromkeys(c.strip().upper() for c in codes)]
    if not sources:
        raise UnitChangeError("Cần ít nhất một đơn vị được sáp nhập.")
    target_code = into.strip().upper()
    if target_code in {u.unit_code for u in sources}:
        raise UnitChangeError(
            f"Đơn vị nhận sáp nhập {target_code} cũng nằm trong danh sách đơn vị được sáp nhập. Cách sửa: chỉ ghi "
            f"các đơn vị nhập vào {target_code} (ví dụ: units merge B C --into {target_code})."
        )
    for unit in sources:
        _check_can_end(con, registry, unit, from_year)
    existing = registry.units.get(target_code)
    added: list[Unit] = []
    if existing is not None:
        if new is not None and (new.name or new.unit_type or new.area or new.short_name):
            raise UnitChangeError(
                f"{label(existing)} đã có trong danh sách; bỏ các tuỳ chọn --name, --type, --area "
                "(muốn đổi tên đơn vị này thì dùng units rename)."
            )
        if existing.successor_code or existing.unit_code in _split_sources(con):
            raise UnitChangeError(f"{label(existing)} không còn hoạt động; không nhận sáp nhập được.")
        _check_active(existing, from_year, "nhận sáp nhập")
        target = existing
    else:
        if new is None or not new.name:
            raise UnitChangeError(
                f"Chưa có đơn vị mã «{into}». Để sáp nhập vào một đơn vị mới, ghi tên của đơn vị mới (--name) "
                "và nếu cần loại đơn vị (--type), địa bàn (--area); để sáp nhập vào một đơn vị đã có, ghi đúng mã "
                "của đơn vị đó."
            )
        target = _new_unit(registry, replace(new, unit_code=target_code), from_year, sources, set())
        added.append(target)
    ended = [replace(u, valid_to=from_year - 1, successor_code=target.unit_code) for u in sources]
    summary = (
        f"Đã sáp nhập {_labels(sources)} vào {label(target)} từ năm {from_year}"
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
    _check_year(from_year)
    registry = registry_from_db(con)
    unit = _known(registry, code)
    if len(into) < 2:
        raise UnitChangeError(
            "Chia tách cần ít nhất hai đơn vị mới. Nếu đơn vị chỉ đổi tên, dùng units rename; nếu nhập vào "
            "một đơn vị khác, dùng units merge."
        )
    _check_can_end(con, registry, unit, from_year)
    seen: set[str] = set()
    added = []
    for new in into:
        made = _new_unit(registry, new, from_year, [unit], seen)
        if made.name in {a.name for a in added}:
            raise UnitChangeError(f"Hai đơn vị mới cùng tên «{made.name}»; mỗi đơn vị cần một tên riêng.")
        seen.add(made.unit_code)
        added.append(made)
    ended = replace(unit, valid_to=from_year - 1)
    summary = (
        f"Đã chia tách {label(unit)} thành {_labels(added)} từ năm {from_year}. Từ năm {from_year} đơn vị cũ "
        "không còn phải nộp báo cáo, các đơn vị mới bắt đầu nộp. Số liệu các năm trước vẫn là của đơn vị cũ, "
        "không quy đổi sang đơn vị mới nào (không chia được số liệu của một đơn vị)."
    )
    change = UnitChange("split", from_year, (unit.unit_code,), tuple(u.unit_code for u in added), summary)
    return _write(con, change, updated=[ended], added=added, names=(unit.name, None), by=by)


def close_unit(
    con: duckdb.DuckDBPyConnection, code: str, from_year: int, *, by: str | None = None
) -> UnitChange:
    """Close `code` from `from_year`, the first year it no longer exists (last year: `from_year - 1`)."""
    _check_year(from_year)
    registry = registry_from_db(con)
    unit = _known(registry, code)
    _check_not_ended(con, registry, unit)
    if unit.valid_to is not None and unit.valid_to < from_year:
        raise UnitChangeError(
            f"{label(unit)} đã thôi hoạt động từ năm {unit.valid_to + 1}; không có gì thay đổi."
        )
    _check_can_end(con, registry, unit, from_year)
    summary = (
        f"Đã ghi {label(unit)} giải thể (thôi hoạt động) từ năm {from_year}; năm hoạt động cuối cùng là "
        f"{from_year - 1}. Từ năm {from_year} đơn vị không còn phải nộp báo cáo; số liệu các năm trước vẫn giữ."
    )
    change = UnitChange("close", from_year, (unit.unit_code,), (), summary)
    return _write(
        con, change, updated=[replace(unit, valid_to=from_year - 1)], names=(unit.name, None), by=by
    )
