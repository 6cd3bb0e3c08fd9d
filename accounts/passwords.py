"""Password hashing (argon2id through argon2-cffi) and the rules a new password must meet.

No home-made crypto: hashes are argon2id with a random salt per hash, parameters from
argon2-cffi's defaults (RFC 9106's low-memory profile), upgraded on the next login
when those defaults change.
"""

from __future__ import annotations

import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEMO_PASSWORD = "demo"  # the demo database's accounts only (CONTRACT.md)
MIN_LENGTH = 10

_HASHER = PasswordHasher()
# Each hash or check takes the profile's 64 MiB of memory for its duration. Twenty readers
# logging in at the same moment would take 1,3 GB at once; one at a time they take 64 MiB,
# a login waiting about a tenth of a second for each one ahead of it.
_ONE_AT_A_TIME = threading.Lock()


def hash_password(password: str) -> str:
    with _ONE_AT_A_TIME:
        return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or malformed hash."""
    try:
        with _ONE_AT_A_TIME:
            return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against when the user name is unknown, so both cases take as long."""
    return hash_password("không phải mật khẩu của ai")


def password_problem(password: str, username: str, *, is_demo: bool) -> str | None:
    """Why `password` may not be used (Vietnamese), or None when it may.

    On the demo database any non-empty password goes; on a real one the demo password
    is refused outright, and a password must be long enough and not the user name.
    """
    if not password:
        return "Mật khẩu không được để trống."
    if is_demo:
        return None
    if password.strip().lower() == DEMO_PASSWORD:
        return (
            f"Mật khẩu «{DEMO_PASSWORD}» chỉ dùng cho dữ liệu minh họa; cơ sở dữ liệu thật không nhận "
            "mật khẩu này. Hãy chọn một mật khẩu khác."
        )
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự (hiện có {len(password)})."
    if password.strip().lower() == username.strip().lower():
        return "Mật khẩu không được trùng với tên đăng nhập."
    return None
