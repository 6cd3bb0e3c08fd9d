"""The unit registry: which units exist, when, under which names, and who succeeded whom.

A registry is a CSV the Sở can edit in Excel (`data/units_demo.csv` is the demo
province's). `match_unit` turns whatever a unit typed into a registered code.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from etl.catalogue import DATA_DIR

DEMO_REGISTRY_CSV = DATA_DIR / "units_demo.csv"
_INVISIBLE = frozenset({"Cc", "Cf"})  # control and format characters (U+0007, U+200B, U+FEFF ...)

UNIT_TYPES: dict[str, str] = {
    "bv_tinh": "Bệnh viện tuyến tỉnh",
    "bv_chuyen_khoa": "Bệnh viện chuyên khoa",
    "ttyt": "Trung tâm y tế khu vực/huyện",
    "tt_tinh": "Trung tâm tuyến tỉnh",
    "chi_cuc": "Chi cục",
    "co_quan_so": "Cơ quan Sở",
}
RANK_POOLS: dict[str, str] = {
    "so": "Đơn vị do Sở Y tế xếp hạng",
    "tinh": "Sở, ban, ngành do tỉnh xếp hạng (PAR Index)",
}
REGISTRY_COLUMNS = (
    "unit_code", "name", "short_name", "unit_type", "area",
    "valid_from", "valid_to", "successor_code", "rank_pool", "aliases",
)  # fmt: skip

# common abbreviations in unit names, expanded before matching
_ABBREVIATIONS = {
    "ttyt": "trung tâm y tế",
    "bvđkkv": "bệnh viện đa khoa khu vực",
    "bvđkt": "bệnh viện đa khoa tỉnh",
    "bvđk": "bệnh viện đa khoa",
    "bv": "bệnh viện",
    "tt": "trung tâm",
    "kv": "khu vực",
    "tp": "thành phố",
    "tx": "thị xã",
    "yhct": "y học cổ truyền",
    "ydct": "y dược cổ truyền",
    "phcn": "phục hồi chức năng",
    "syt": "sở y tế",
}


@dataclass(frozen=True)
class Unit:
    """One registered unit."""

    unit_code: str
    name: str
    short_name: str
    unit_type: str
    area: str
    valid_from: int | None
    valid_to: int | None
    successor_code: str | None
    rank_pool: str
    aliases: tuple[str, ...] = field(default=())

    def active_in(self, year: int) -> bool:
        """True when the unit existed (and so was expected to report) in `year`."""
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )


def nfc(text: str) -> str:
    """Unicode NFC with collapsed whitespace, without invisible control and format characters
    (a bell or an escape pasted from elsewhere, a zero-width space, a byte-order mark, a
    right-to-left override): how every text from a file is stored.

    A control character in stored text would also stop the yearly report, whose Word
    document cannot hold one.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = " ".join(text.split())
    if not text.isprintable():  # rare: only then look at each character
        text = " ".join("".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE).split())
    return text


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Matching key: NFC, lower case, no punctuation, abbreviations expanded."""
    words = re.sub(r"[^\w]+", " ", nfc(text).casefold()).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@lru_cache(maxsize=65536)
def loose_key(text: str) -> str:
    """`name_key` without diacritics: 'Hoà' and 'Hòa' (old and new tone placement) meet here."""
    decomposed = unicodedata.normalize("NFD", name_key(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def read_registry(path: Path) -> list[Unit]:
    """Read a registry CSV (UTF-8, with or without BOM; `,` or `;`).

    Raises ValueError with a Vietnamese message when a row is unusable.
    """
    raw = Path(path).read_bytes().decode("utf-8-sig")
    dialect = ";" if raw.splitlines()[0].count(";") > raw.splitlines()[0].count(",") else ","
    rows = list(csv.DictReader(raw.splitlines(), delimiter=dialect))
    missing = [c for c in REGISTRY_COLUMNS if c not in (rows[0].keys() if rows else ())]
    if missing:
        raise ValueError(f"Tệp danh sách đơn vị {Path(path).name} thiếu cột: {', '.join(missing)}.")
    units: list[Unit] = []
    for line, row in enumerate(rows, start=2):
        code = (row["unit_code"] or "").strip().upper()
        if not code:
            continue
        if row["unit_type"] not in UNIT_TYPES:
            raise ValueError(
                f"Tệp {Path(path).name}, dòng {line}: loại đơn vị «{row['unit_type']}» không hợp lệ; "
                f"dùng một trong: {', '.join(UNIT_TYPES)}."
            )
        aliases = tuple(nfc(a) for a in (row["aliases"] or "").split("|") if a.strip())
        units.append(
            Unit(
                unit_code=code,
                name=nfc(row["name"]),
                short_name=nfc(row["short_name"] or row["name"]),
                unit_type=row["unit_type"],
                area=nfc(row["area"] or ""),
                valid_from=_int_or_none(row["valid_from"]),
                valid_to=_int_or_none(row["valid_to"]),
                successor_code=(row["successor_code"] or "").strip().upper() or None,
                rank_pool=(row["rank_pool"] or "so").strip(),
                aliases=aliases,
            )
        )
    codes = {u.unit_code for u in units}
    for u in units:
        if u.successor_code and u.successor_code not in codes:
            raise ValueError(
                f"Tệp {Path(path).name}: đơn vị {u.unit_code} có đơn vị kế thừa {u.successor_code} không có trong danh sách."
            )
    return units


class Registry:
    """Units by code, with name matching and lineage."""

    def __init__(self, units: list[Unit]):
        self.units = {u.unit_code: u for u in units}
        self._exact: dict[str, set[str]] = {}
        self._loose: dict[str, set[str]] = {}
        for u in units:
            for text in (u.unit_code, u.name, u.short_name, *u.aliases):
                self._exact.setdefault(name_key(text), set()).add(u.unit_code)
                self._loose.setdefault(loose_key(text), set()).add(u.unit_code)

    def __contains__(self, code: str) -> bool:
        return code in self.units

    def match(self, text: str) -> list[str]:
        """Codes of the units whose code, name or alias matches `text` (usually one)."""
        for index, key in ((self._exact, name_key(text)), (self._loose, loose_key(text))):
            if key in index:
                return sorted(index[key])
        return []

    def closest(self, text: str, n: int = 3) -> list[Unit]:
        """The registered units whose names look most like `text`, for error messages."""
        keys = list(self._loose)
        best = difflib.get_close_matches(loose_key(text), keys, n=n * 2, cutoff=0.4)
        seen: list[str] = []
        for key in best:
            for code in sorted(self._loose[key]):
                if code not in seen:
                    seen.append(code)
        return [self.units[c] for c in seen[:n]]

    def current_successor(self, code: str) -> str:
        """Follow the successor chain to the unit that carries `code`'s history today."""
        seen = {code}
        while (nxt := self.units[code].successor_code) and nxt not in seen:
            seen.add(nxt)
            code = nxt
        return code

    def predecessors(self, code: str) -> list[str]:
        """Units whose successor is `code`, directly."""
        return sorted(c for c, u in self.units.items() if u.successor_code == code)
