"""The rules a change to the unit list must pass (etl/unit_changes.py), with their Vietnamese refusals.

Each check raises UnitChangeError saying why the change cannot be made and what to do
instead; none writes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

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


def label(unit: Unit) -> str:
    """How a message names a unit: its name, with the code the unit writes in its files."""
    return f"«{unit.name}» ({unit.unit_code})"


def labels(units: list[Unit]) -> str:
    return ", ".join(label(u) for u in units)


def check_year(year: int) -> None:
    if not _EARLIEST <= year <= _LATEST:
        raise UnitChangeError(f"Năm hiệu lực {year} không hợp lệ; ghi năm có bốn chữ số, ví dụ 2026.")


def known_unit(registry: Registry, code: str) -> Unit:
    wanted = code.strip().upper()
    unit = registry.units.get(wanted)
    if unit is not None:
        return unit
    near = registry.closest(code)
    hint = f" Có phải: {labels(near)}?" if near else ""
    raise UnitChangeError(
        f"Không có đơn vị mã «{code}» trong danh sách đơn vị.{hint} "
        "Xem danh sách bằng `python -m etl units export TỆP.csv` hoặc ở trang «Danh sách đơn vị»."
    )


def split_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select from_codes from unit_changes where change_kind = 'split'").fetchall()
    return {code for (codes,) in rows for code in codes}


def check_not_ended(con: duckdb.DuckDBPyConnection, registry: Registry, unit: Unit) -> None:
    """Refuse a change to a unit that a merger or a split has already ended."""
    if unit.successor_code:
        succ = registry.units.get(unit.successor_code)
        raise UnitChangeError(
            f"{label(unit)} đã sáp nhập vào {label(succ) if succ else unit.successor_code}"
            f"{f' từ năm {unit.valid_to + 1}' if unit.valid_to is not None else ''}; "
            "không thay đổi thêm được. Nếu thông tin đó sai, sửa danh sách đơn vị (xuất ra CSV, sửa, nạp lại)."
        )
    if unit.unit_code in split_sources(con):
        raise UnitChangeError(
            f"{label(unit)} đã được chia tách thành các đơn vị khác; không thay đổi thêm được."
        )


def check_can_end(con: duckdb.DuckDBPyConnection, registry: Registry, unit: Unit, year: int) -> None:
    """Refuse to end `unit` from `year` when it did not exist then, has already ended, or has
    reports accepted for `year` or later."""
    if unit.valid_from is not None and year <= unit.valid_from:
        raise UnitChangeError(
            f"{label(unit)} bắt đầu hoạt động năm {unit.valid_from}, nên không thể thôi hoạt động từ năm {year}. "
            f"Cách sửa: chọn năm hiệu lực từ {unit.valid_from + 1} trở đi (năm đầu tiên đơn vị không còn "
            "phải nộp báo cáo)."
        )
    check_not_ended(con, registry, unit)
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


def check_active(unit: Unit, year: int, what: str) -> None:
    if not unit.active_in(year):
        span = f"{unit.valid_from or '…'}–{unit.valid_to or 'nay'}"
        raise UnitChangeError(
            f"{label(unit)} không hoạt động năm {year} (hoạt động {span}), nên không {what} từ năm đó được. "
            "Cách sửa: chọn năm hiệu lực trong những năm đơn vị còn hoạt động."
        )


def check_name_free(registry: Registry, name: str, own_code: str | None = None) -> None:
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


def new_unit(registry: Registry, new: NewUnit, year: int, origin: list[Unit], seen: set[str]) -> Unit:
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
    check_name_free(registry, name)
    short = nfc(new.short_name or "") or name
    if short != name:
        check_name_free(registry, short)

    def shared(values: set[str], option: str, what: str) -> str:
        if len(values) == 1:
            return values.pop()
        raise UnitChangeError(
            f"Các đơn vị {labels(origin)} không cùng {what}; ghi {what} của đơn vị mới «{name}» ({option})."
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
