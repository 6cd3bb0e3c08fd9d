"""Logging in and out: password checks with throttling and lockout, and login sessions.

Time is a parameter (`now`, seconds since the epoch) everywhere, so the tests drive
throttling, lockout and expiry with a clock of their own instead of sleeping.

- After each failed login for a user name the next attempt must wait 1, 2, 4, 8 s;
  attempts inside the wait are refused without checking the password. The fifth
  failure in a row locks the name for 15 minutes. User names that do not exist are
  throttled the same way, so the answers never tell which names exist.
- A client address gets the same treatment after 20 failures in a row (one machine
  trying many names).
- A session ends after 30 minutes without activity, or 12 hours after login.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass

from accounts.audit import record_event
from accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from accounts.store import transaction
from accounts.users import User, get_user, normalise_username, password_hash_of


@dataclass(frozen=True)
class Policy:
    max_failures: int = 5
    lockout_s: float = 15 * 60
    client_max_failures: int = 20
    idle_s: float = 30 * 60
    max_age_s: float = 12 * 3600
    touch_every_s: float = 30  # last_seen_at is written at most this often per session

    def wait_after(self, n_failures: int) -> float:
        """Seconds the next attempt must wait after `n_failures` failures in a row."""
        return 0.0 if n_failures <= 0 else float(min(2 ** (n_failures - 1), 8))


POLICY = Policy()
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    token: str | None
    message: str | None  # Vietnamese, for the login form, when the login failed


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def _blocked(
    con: sqlite3.Connection, key: str, limit: int, policy: Policy, now: float, *, throttled: bool = True
) -> str | None:
    """Why an attempt under `key` may not be checked now (Vietnamese), or None.

    `throttled` keys (user names) also wait between attempts; client addresses only lock.
    """
    row = con.execute("select * from login_failures where key = ?", [key]).fetchone()
    if row is None:
        return None
    if row["locked_until"] and now < row["locked_until"]:
        return (
            f"Đăng nhập sai quá {limit} lần nên tạm bị khoá; thử lại sau "
            f"{_minutes(row['locked_until'] - now)} phút, hoặc nhờ quản trị đặt lại mật khẩu."
        )
    if row["locked_until"] or not throttled:
        return None  # a lockout that is over: the count starts again at the next failure
    wait = row["last_failure_at"] + policy.wait_after(row["n_failures"]) - now
    if wait > 0:
        return f"Vừa đăng nhập sai; vui lòng chờ {max(1, round(wait))} giây rồi thử lại."
    return None


def _count_failure(con: sqlite3.Connection, key: str, limit: int, policy: Policy, now: float) -> bool:
    """Add a failure under `key`; True when this one locks it."""
    row = con.execute("select n_failures, locked_until from login_failures where key = ?", [key]).fetchone()
    n = 1 if row is None or row["locked_until"] else row["n_failures"] + 1
    locked_until = now + policy.lockout_s if n >= limit else None
    con.execute(
        "insert or replace into login_failures (key, n_failures, last_failure_at, locked_until) "
        "values (?, ?, ?, ?)",
        [key, n, now, locked_until],
    )
    return locked_until is not None


def authenticate(
    con: sqlite3.Connection,
    username: str,
    password: str,
    *,
    client: str | None,
    now: float | None = None,
    policy: Policy = POLICY,
) -> LoginResult:
    """Check a login; on success open a session and return its token (give it to the browser)."""
    now = time.time() if now is None else now
    name = normalise_username(username)
    user_key, client_key = f"user:{name}", f"client:{client or '?'}"
    for key, limit, throttled in (
        (client_key, policy.client_max_failures, False),
        (user_key, policy.max_failures, True),
    ):
        reason = _blocked(con, key, limit, policy, now, throttled=throttled)
        if reason:
            with transaction(con):
                record_event(con, "login_throttled", actor=name or None, outcome="denied", client=client)
            return LoginResult(None, None, reason)
    stored = password_hash_of(con, name) if name else None
    matches = verify_password(stored or dummy_hash(), password) and stored is not None
    user = get_user(con, name) if matches else None
    if user is not None and user.is_disabled:
        with transaction(con):
            record_event(con, "login_failed", actor=name, outcome="denied", client=client,
                         detail={"reason": "account disabled"})  # fmt: skip
        return LoginResult(None, None, "Tài khoản này đã bị khoá. Liên hệ quản trị của Sở để mở lại.")
    if user is None:
        with transaction(con):
            locked = _count_failure(con, user_key, policy.max_failures, policy, now)
            _count_failure(con, client_key, policy.client_max_failures, policy, now)
            record_event(con, "login_locked" if locked else "login_failed", actor=name or None,
                         outcome="failed", client=client)  # fmt: skip
        if locked:
            return LoginResult(None, None, _blocked(con, user_key, policy.max_failures, policy, now))
        return LoginResult(None, None, WRONG)
    token = secrets.token_urlsafe(32)
    with transaction(con):
        con.execute("delete from login_failures where key in (?, ?)", [user_key, client_key])
        if needs_rehash(stored):
            con.execute(
                "update users set password_hash = ? where username = ?", [hash_password(password), name]
            )
        con.execute(
            "insert into sessions (token_hash, username, created_at, last_seen_at, client) values (?, ?, ?, ?, ?)",
            [_token_hash(token), name, now, now, client],
        )
        record_event(con, "login", actor=name, client=client)
    return LoginResult(user, token, None)


def session_user(
    con: sqlite3.Connection, token: str | None, *, now: float | None = None, policy: Policy = POLICY
) -> User | None:
    """The user of a live session, marking it active; None (and the session ended) once expired."""
    if not token:
        return None
    now = time.time() if now is None else now
    key = _token_hash(token)
    row = con.execute("select * from sessions where token_hash = ?", [key]).fetchone()
    if row is None:
        return None
    user = get_user(con, row["username"])
    expired = now - row["last_seen_at"] > policy.idle_s or now - row["created_at"] > policy.max_age_s
    if expired or user is None or user.is_disabled:
        with transaction(con):
            con.execute("delete from sessions where token_hash = ?", [key])
            if expired:
                record_event(con, "session_expired", actor=row["username"], client=row["client"])
        return None
    if now - row["last_seen_at"] >= policy.touch_every_s:
        con.execute("update sessions set last_seen_at = ? where token_hash = ?", [now, key])
    return user


def end_session(con: sqlite3.Connection, token: str | None, *, client: str | None = None) -> None:
    """Log out: the session's token stops working at once."""
    if not token:
        return
    key = _token_hash(token)
    row = con.execute("select username from sessions where token_hash = ?", [key]).fetchone()
    if row is None:
        return
    with transaction(con):
        con.execute("delete from sessions where token_hash = ?", [key])
        record_event(con, "logout", actor=row["username"], client=client)
