"""What a reader hands to validation: raw cells with their location, and messages.

Readers never interpret values; validation never opens files. Locations are
strings a person can find in the file: "Báo cáo!F12" for a workbook cell,
"dòng 7" for a CSV line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Message:
    """One error or warning, in Vietnamese, for the person who sent the file."""

    where: str
    indicator: str | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class RawCell:
    """One indicator value as it sits in the file.

    `value` is None for a blank cell, a float for a cell Excel stored as a number,
    and a str for anything typed as text (to be parsed the Vietnamese way).
    Not frozen: a wide history table makes hundreds of thousands of these and
    frozen instances are several times slower to create.
    """

    indicator_text: str
    value: str | float | None
    where: str


@dataclass
class RawRecord:
    """One unit-year of a file, before validation."""

    unit_text: str | None
    unit_where: str
    year_text: str | float | None
    year_where: str
    cells: list[RawCell] = field(default_factory=list)
    unit_name_text: str | None = None  # a template's "Tên đơn vị", used when the code is blank


@dataclass
class ParsedFile:
    """A whole file as read: its records, or the errors that stopped reading it."""

    path: Path
    file_format: str  # "template" (one unit-year, long) or "wide" (many unit-years)
    records: list[RawRecord] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
