"""Changes to the unit list made on «Danh sách đơn vị»: each runs the CLI's own command.

The server never opens DuckDB read-write: as app/upload.py does for reports, it runs
`python -m etl units rename|merge|split|close ... --by USER` in a subprocess and shows what
the command printed (its Vietnamese result or refusal). Only the Sở's administrator
(`quan_tri`) may change the list; that is checked here, where the change is made, not only by
hiding the forms, and every attempt (refused ones included) leaves an audit row.
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from accounts.audit import command_env, record_event
from accounts.scope import ROLE_NAMES
from accounts.store import connect, store_path
from accounts.users import User

VIA = "trang Danh sách đơn vị"  # how the audit log tells the page from a terminal
ACTIONS = ("rename", "merge", "split", "close")
_ROOT = Path(__file__).resolve().parent.parent
_TIMEOUT_S = 300  # the command waits a few seconds for an ingest that holds the database


class UnitChangeRefused(PermissionError):
    """The account's role may not change the unit list (everyone but quan_tri)."""


@dataclass(frozen=True)
class ChangeOutcome:
    """What the command said: done or not, and its message for the page."""

    ok: bool
    message: str


def may_change_units(user: User) -> bool:
    """Only the Sở's administrator renames, merges, splits and closes units."""
    return user.role == "quan_tri"


def rename_args(code: str, name: str, from_year: int, short_name: str = "") -> list[str]:
    args = [code, f"--name={name}", f"--from-year={from_year}"]
    return args + ([f"--short-name={short_name}"] if short_name.strip() else [])


def merge_args(
    codes: list[str], into: str, from_year: int, *, name: str = "", short_name: str = "",
    unit_type: str = "", area: str = "",
) -> list[str]:  # fmt: skip
    """`units merge` arguments; name, type and area only for a new unit (leave them blank otherwise)."""
    args = [*codes, f"--into={into}", f"--from-year={from_year}"]
    for option, value in (
        ("--name", name),
        ("--short-name", short_name),
        ("--type", unit_type),
        ("--area", area),
    ):
        if value.strip():
            args.append(f"{option}={value}")  # one argument: a name starting with "-" stays a name
    return args


def split_args(code: str, new_units: list[dict[str, str]], from_year: int, unit_type: str = "") -> list[str]:
    """`units split` arguments; each new unit a dict of unit_code, name and optionally short_name, area."""
    args = [code, f"--from-year={from_year}", "--into", *(u["unit_code"] for u in new_units)]
    args += [f"--name={u['name']}" for u in new_units]
    if all(u.get("short_name", "").strip() for u in new_units):
        args += [f"--short-name={u['short_name']}" for u in new_units]
    if all(u.get("area", "").strip() for u in new_units):
        args += [f"--area={u['area']}" for u in new_units]
    return args + ([f"--type={unit_type}"] if unit_type else [])


def close_args(code: str, from_year: int) -> list[str]:
    return [code, f"--from-year={from_year}"]


def units_command(db: Path, action: str, args: list[str], user: User) -> list[str]:
    """The command line the server runs for `user`'s change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown unit change {action!r}")
    return [sys.executable, "-m", "etl", "units", action, *args, "--by", user.username, "--db", str(db)]


# the command names a unit «Bệnh viện Mắt tỉnh An Lạc» (BVM) for the operator at a terminal;
# the page names it by its name only
_CODE_AFTER_NAME = re.compile(r"(»)\s\([A-Z][A-Z0-9_]*\)")


def _message(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stdout if proc.returncode == 0 else proc.stderr).strip()
    if proc.returncode not in (0, 1) or not text:
        # a usage error (a blank field the form let through) or a crash: say it plainly
        last = text.splitlines()[-1] if text else ""
        return f"Chưa thực hiện được thay đổi: {last or 'lệnh dừng giữa chừng.'} Không có gì thay đổi."
    return _CODE_AFTER_NAME.sub(r"\1", text)


def _audit(
    db: Path, user: User, action: str, target: str, outcome: str, client: str | None, detail: dict
) -> None:
    with closing(connect(store_path(db))) as con:
        record_event(
            con, f"units_{action}", actor=user.username, target=target, outcome=outcome, client=client,
            detail={"via": VIA, **detail},
        )  # fmt: skip


def change_units(
    db: Path, user: User, action: str, args: list[str], *, target: str, client: str | None = None
) -> ChangeOutcome:
    """Run `python -m etl units <action> <args>` for `user` and say what it did (audited).

    Raises UnitChangeRefused, after auditing the attempt, for a role other than quan_tri.
    `target` names the units for the audit log.
    """
    if not may_change_units(user):
        reason = f"vai trò «{ROLE_NAMES[user.role]}» không được thay đổi danh sách đơn vị"
        _audit(db, user, action, target, "denied", client, {"reason": reason})
        raise UnitChangeRefused(user.role)
    try:
        proc = subprocess.run(
            units_command(db, action, args, user), cwd=_ROOT, env=command_env(), capture_output=True, text=True,
            timeout=_TIMEOUT_S, check=False,
        )  # fmt: skip
        outcome = ChangeOutcome(proc.returncode == 0, _message(proc))
    except subprocess.TimeoutExpired:
        outcome = ChangeOutcome(
            False, "Chưa thực hiện được thay đổi: cơ sở dữ liệu bận quá lâu. Hãy thử lại sau."
        )
    _audit(db, user, action, target, "ok" if outcome.ok else "failed", client, {"message": outcome.message})
    return outcome
