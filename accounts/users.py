"""User accounts: create, list, disable, enable, reset and change passwords. Every change is audited.

Used by the command line (`python -m etl users ...`, accounts/cli.py) and the admin page.
Functions take an open store connection; who acts and from where go to the audit log.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from accounts.audit import now_iso, record_event
from accounts.passwords import DEMO_PASSWORD, hash_password, password_problem, verify_password
from accounts.scope import ROLES, Scope
from accounts.store import transaction

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


class AccountError(ValueError):
    """A request the accounts store refuses; the message is Vietnamese and says what to do."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    unit_code: str | None
    full_name: str | None
    is_disabled: bool
    created_at: str
    password_changed_at: str

    @property
    def scope(self) -> Scope:
        return Scope(self.role, self.unit_code)


def _user(row: sqlite3.Row) -> User:
    return User(
        row["username"], row["role"], row["unit_code"], row["full_name"], bool(row["is_disabled"]),
        row["created_at"], row["password_changed_at"],
    )  # fmt: skip


def normalise_username(username: str) -> str:
    return username.strip().lower()


def get_user(con: sqlite3.Connection, username: str) -> User | None:
    row = con.execute("select * from users where username = ?", [normalise_username(username)]).fetchone()
    return _user(row) if row else None


def password_hash_of(con: sqlite3.Connection, username: str) -> str | None:
    row = con.execute(
        "select password_hash from users where username = ?", [normalise_username(username)]
    ).fetchone()
    return row[0] if row else None


def list_users(con: sqlite3.Connection) -> list[User]:
    order = "case role when 'quan_tri' then 0 when 'lanh_dao' then 1 when 'ban_dan_van' then 2 else 3 end"
    return [_user(r) for r in con.execute(f"select * from users order by {order}, username").fetchall()]


def _check_new_password(password: str, username: str, is_demo: bool) -> None:
    problem = password_problem(password, username, is_demo=is_demo)
    if problem:
        raise AccountError(problem)


def add_user(
    con: sqlite3.Connection,
    username: str,
    password: str,
    role: str,
    *,
    unit_code: str | None = None,
    full_name: str | None = None,
    is_demo: bool,
    actor: str,
    client: str | None = None,
) -> User:
    """Create an account. A `don_vi` account needs its unit; other roles have none."""
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise AccountError(
            f"Tên đăng nhập «{username}» không hợp lệ: dùng 2-64 ký tự chữ thường không dấu, số, "
            "dấu chấm, gạch ngang hoặc gạch dưới, bắt đầu bằng chữ hoặc số."
        )
    if role not in ROLES:
        raise AccountError(f"Vai trò «{role}» không có; chọn một trong: {', '.join(ROLES)}.")
    if role == "don_vi" and not unit_code:
        raise AccountError("Tài khoản vai trò don_vi phải gắn với một đơn vị (tuỳ chọn --unit MÃ_ĐƠN_VỊ).")
    if role != "don_vi" and unit_code:
        raise AccountError(f"Chỉ tài khoản vai trò don_vi mới gắn với một đơn vị (vai trò «{role}»).")
    _check_new_password(password, name, is_demo)
    if get_user(con, name):
        raise AccountError(f"Đã có tài khoản «{name}».")
    stamp = now_iso()
    with transaction(con):
        con.execute(
            "insert into users (username, password_hash, role, unit_code, full_name, created_at, "
            "password_changed_at) values (?, ?, ?, ?, ?, ?, ?)",
            [name, hash_password(password), role, unit_code, full_name, stamp, stamp],
        )
        record_event(con, "user_added", actor=actor, target=name, client=client,
                     detail={"role": role, "unit_code": unit_code})  # fmt: skip
    return get_user(con, name)  # type: ignore[return-value]


def _require(con: sqlite3.Connection, username: str) -> User:
    user = get_user(con, username)
    if user is None:
        raise AccountError(f"Không có tài khoản «{username}».")
    return user


def set_disabled(
    con: sqlite3.Connection, username: str, disabled: bool, *, actor: str, client: str | None = None
) -> User:
    """Disable (and end every open session of) or enable an account."""
    user = _require(con, username)
    with transaction(con):
        con.execute("update users set is_disabled = ? where username = ?", [int(disabled), user.username])
        if disabled:
            con.execute("delete from sessions where username = ?", [user.username])
        record_event(con, "user_disabled" if disabled else "user_enabled", actor=actor,
                     target=user.username, client=client)  # fmt: skip
    return _require(con, username)


def _set_password(con: sqlite3.Connection, user: User, password: str) -> None:
    con.execute(
        "update users set password_hash = ?, password_changed_at = ? where username = ?",
        [hash_password(password), now_iso(), user.username],
    )
    # a new password ends the old sessions and clears a lockout
    con.execute("delete from sessions where username = ?", [user.username])
    con.execute("delete from login_failures where key = ?", [f"user:{user.username}"])


def reset_password(
    con: sqlite3.Connection, username: str, password: str, *, is_demo: bool, actor: str,
    client: str | None = None,
) -> User:  # fmt: skip
    """An administrator sets a new password (the account's lockout is lifted)."""
    user = _require(con, username)
    _check_new_password(password, user.username, is_demo)
    with transaction(con):
        _set_password(con, user, password)
        record_event(con, "password_reset", actor=actor, target=user.username, client=client)
    return user


def change_password(
    con: sqlite3.Connection, username: str, current: str, new: str, *, is_demo: bool,
    client: str | None = None,
) -> None:  # fmt: skip
    """A user changes their own password, proving the current one first."""
    user = _require(con, username)
    stored = password_hash_of(con, user.username) or ""
    if not verify_password(stored, current):
        with transaction(con):
            record_event(con, "password_changed", actor=user.username, target=user.username,
                         outcome="failed", client=client, detail={"reason": "wrong current password"})  # fmt: skip
        raise AccountError("Mật khẩu hiện tại không đúng.")
    if new == current:
        raise AccountError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    _check_new_password(new, user.username, is_demo)
    with transaction(con):
        _set_password(con, user, new)
        record_event(con, "password_changed", actor=user.username, target=user.username, client=client)


def accounts_with_demo_password(con: sqlite3.Connection) -> list[str]:
    """User names whose password is still the demo one (refused outside the demo database)."""
    rows = con.execute("select username, password_hash from users order by username").fetchall()
    return [r["username"] for r in rows if verify_password(r["password_hash"], DEMO_PASSWORD)]
