"""The demo database's accounts (CONTRACT.md): lanh_dao, ban_dan_van, quan_tri and one per unit.

All with the password `demo`, which the login page shows. Only ever written beside a
demo database (etl.demo builds it); a real database refuses that password everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from accounts.audit import now_iso, record_event
from accounts.passwords import DEMO_PASSWORD, hash_password
from accounts.store import connect, transaction

DEMO_ROLES = (
    ("lanh_dao", "lanh_dao", "Lãnh đạo Sở (minh họa)"),
    ("ban_dan_van", "ban_dan_van", "Ban Dân vận Tỉnh ủy (minh họa)"),
    ("quan_tri", "quan_tri", "Quản trị (minh họa)"),
)


def demo_username(unit_code: str) -> str:
    return unit_code.lower()


def write_demo_accounts(store: Path, unit_codes: Iterable[str]) -> int:
    """A fresh accounts store at `store` holding the demo accounts; returns how many.

    One hash serves every account: they share a password that is public by design, so a
    salt per account would protect nothing, and 40 argon2 hashes would add seconds to
    every demo build.
    """
    store = Path(store)
    # written beside and swapped in whole, like the demo database itself
    work = store.with_name(f".{store.name}.building")
    for path in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        path.unlink(missing_ok=True)
    shared_hash = hash_password(DEMO_PASSWORD)
    stamp = now_iso()
    rows = [(name, shared_hash, role, None, full, stamp, stamp) for name, role, full in DEMO_ROLES]
    rows += [(demo_username(c), shared_hash, "don_vi", c, None, stamp, stamp) for c in sorted(unit_codes)]
    with closing(connect(work)) as con:
        with transaction(con):
            con.executemany(
                "insert into users (username, password_hash, role, unit_code, full_name, created_at, "
                "password_changed_at) values (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            record_event(
                con, "demo", actor="demo", target="tài khoản minh họa", detail={"n_accounts": len(rows)}
            )
        con.execute("pragma journal_mode = delete")  # folds the WAL into the file before the swap
    for path in (Path(f"{store}-wal"), Path(f"{store}-shm")):
        path.unlink(missing_ok=True)
    os.replace(work, store)
    return len(rows)
