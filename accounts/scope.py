"""Who may see which rows: the caller's scope, passed to every query that returns
submissions, files or messages.

A scope is built from the logged-in account (app/auth.py) or, on the Sở's own command
line, is `Scope.province()`. It is frozen and hashable, so it is part of a query's
cache key: two callers with different scopes never share a cached result.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("lanh_dao", "ban_dan_van", "don_vi", "quan_tri")
ROLE_NAMES = {
    "lanh_dao": "Lãnh đạo Sở",
    "ban_dan_van": "Ban Dân vận",
    "don_vi": "Cán bộ đơn vị",
    "quan_tri": "Quản trị",
}


@dataclass(frozen=True)
class Scope:
    """A role and, for a unit account (`don_vi`), the one unit it belongs to."""

    role: str
    unit_code: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if (self.role == "don_vi") != (self.unit_code is not None):
            raise ValueError("a don_vi scope has exactly one unit; other roles have none")

    @classmethod
    def province(cls) -> Scope:
        """Everything: the Sở's operators on the command line, the yearly report."""
        return cls("quan_tri")

    @property
    def sees_all_units(self) -> bool:
        """True unless the scope is one unit's."""
        return self.role != "don_vi"

    @property
    def may_change(self) -> bool:
        """True for the roles that may change data (upload, correct, manage)."""
        return self.role in ("quan_tri", "don_vi")

    @property
    def is_admin(self) -> bool:
        return self.role == "quan_tri"

    def allows_unit(self, unit_code: str | None) -> bool:
        """May this scope see the submissions, files and messages of `unit_code`?"""
        return self.sees_all_units or (unit_code is not None and unit_code == self.unit_code)
