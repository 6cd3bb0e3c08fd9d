"""The accounts store: users, login sessions, login throttling and the audit log.

One SQLite file beside the DuckDB database (`data/dashboard.duckdb` ->
`data/dashboard.accounts.sqlite3`). It is not in DuckDB on purpose: the ETL owns the
DuckDB file and holds it for the whole of an ingest, while the server must record logins
and page views at any moment. SQLite in WAL mode lets the server and a CLI command write
at once (each write waits briefly for the other) while readers never block.

The audit table is append-only, enforced by triggers in the database itself, so no code
path (nor a page of the dashboard) can edit or delete what it records.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1

_SCHEMA = """
create table if not exists users (
    username text primary key,
    password_hash text not null,
    role text not null check (role in ('lanh_dao', 'ban_dan_van', 'don_vi', 'quan_tri')),
    unit_code text,
    full_name text,
    is_disabled integer not null default 0,
    created_at text not null,
    password_changed_at text not null,
    check ((role = 'don_vi') = (unit_code is not null))
);

-- one row per open login; only the token's hash is kept, so a copy of this file
-- (a backup, say) does not let anyone into a live session
create table if not exists sessions (
    token_hash text primary key,
    username text not null references users(username),
    created_at real not null,
    last_seen_at real not null,
    client text
);

-- consecutive failed logins per user name typed (known or not, so the answers do not
-- tell which names exist) and per client address
create table if not exists login_failures (
    key text primary key,
    n_failures integer not null,
    last_failure_at real not null,
    locked_until real
);

create table if not exists audit (
    audit_id integer primary key autoincrement,
    at text not null,
    actor text,
    action text not null,
    target text,
    outcome text not null default 'ok',
    client text,
    detail text
);
create index if not exists audit_at on audit (at);

create trigger if not exists audit_no_update before update on audit
begin select raise(abort, 'the audit log is append-only'); end;
create trigger if not exists audit_no_delete before delete on audit
begin select raise(abort, 'the audit log is append-only'); end;
"""


def store_path(db: Path) -> Path:
    """The accounts store of the DuckDB database `db` (same folder, same stem)."""
    db = Path(db)
    return db.parent / f"{db.stem}.accounts.sqlite3"


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) an accounts store in WAL mode, schema in place.

    Autocommit mode: every statement is its own transaction unless a caller opens one
    with `with transaction(con):`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("pragma journal_mode = wal")
    con.execute("pragma foreign_keys = on")
    con.execute("pragma busy_timeout = 10000")
    version = con.execute("pragma user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        con.close()
        raise RuntimeError(
            f"Tệp tài khoản {path} có phiên bản cấu trúc {version}, mới hơn phần mềm ({SCHEMA_VERSION}); "
            "hãy cập nhật phần mềm."
        )
    if version < SCHEMA_VERSION:
        con.executescript(_SCHEMA)
        con.execute(f"pragma user_version = {SCHEMA_VERSION}")
    return con


class transaction:
    """`with transaction(con):` runs the block as one immediate (write-locking) transaction."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        self.con.execute("begin immediate")
        return self.con

    def __exit__(self, exc_type, exc, tb) -> None:
        self.con.execute("rollback" if exc_type else "commit")
