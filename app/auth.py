"""Who is using the dashboard: the logged-in user of this run, their scope, page access, logout.

dashboard.py calls `require_user()` first on every run. The session token comes from
the HttpOnly cookie the login page set (app/login.py), read from the browser's
connection request; a test or a run that logged in through the accounts API may keep it
in st.session_state instead. The token is checked against the accounts store on every
run, so a logout, an expired session or a disabled account takes effect at the next
click. Pages ask for `current_scope()` and pass it to the queries, which enforce it.
"""

from __future__ import annotations

from contextlib import closing

import streamlit as st

from accounts.audit import record_event
from accounts.scope import ROLE_NAMES, Scope
from accounts.sessions import end_session, session_user
from accounts.store import connect, store_path
from accounts.users import User
from app.login import LOGIN_PATH, LOGOUT_PATH, SESSION_COOKIE, client_address
from etl.db import db_path

TOKEN_KEY = "auth_token"
USER_KEY = "auth_user"
_LAST_PAGE_KEY = "auth_last_page"


def _store():
    return closing(connect(store_path(db_path())))


def session_token() -> str | None:
    token = st.session_state.get(TOKEN_KEY) or st.context.cookies.get(SESSION_COOKIE)
    return token if isinstance(token, str) else None  # AppTest has no browser cookies


def client() -> str | None:
    """The visitor's address for the audit log (None where there is no browser, e.g. AppTest)."""
    peer, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    if peer is None:
        # Streamlit gives no address for a connection from this machine: a local browser, or
        # the reverse proxy, whose X-Forwarded-For then says who the visitor is
        peer = "127.0.0.1"
    elif not isinstance(peer, str):
        return None  # no browser behind this run (AppTest)
    return client_address(peer, forwarded if isinstance(forwarded, str) else None)


def _go(path: str) -> None:
    """Send the browser to one of the server's own pages (login, logout)."""
    # a same-origin link the script writes itself; no data from any file goes into it
    st.markdown(f'<meta http-equiv="refresh" content="0; url={path}">', unsafe_allow_html=True)
    st.link_button("Đến trang đăng nhập", path, icon=":material/login:")


def require_user() -> User:
    """The logged-in user of this run; otherwise a pointer to the login page and stop."""
    with _store() as con:
        user = session_user(con, session_token())
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(USER_KEY, None)
        st.info(
            "Phiên đăng nhập đã kết thúc hoặc chưa đăng nhập. Vui lòng đăng nhập lại.", icon=":material/lock:"
        )
        _go(LOGIN_PATH)
        st.stop()
    st.session_state[USER_KEY] = user
    return user


def current_user() -> User:
    """The user require_user() found for this run (pages run after it)."""
    return st.session_state[USER_KEY]


def current_scope() -> Scope:
    return current_user().scope


def note_page_view(user: User, page_title: str) -> None:
    """Audit a page opened (once per page change in a browser session, not every rerun)."""
    if st.session_state.get(_LAST_PAGE_KEY) == page_title:
        return
    st.session_state[_LAST_PAGE_KEY] = page_title
    with _store() as con:
        record_event(con, "page_view", actor=user.username, target=page_title, client=client())


def note_denied(user: User, what: str) -> None:
    with _store() as con:
        record_event(
            con, "access_denied", actor=user.username, target=what, outcome="denied", client=client()
        )


def logout() -> None:
    """End the session in the store (the token stops working at once), then go to the logout page."""
    with _store() as con:
        end_session(con, session_token(), client=client())
    for key in (TOKEN_KEY, USER_KEY, _LAST_PAGE_KEY):
        st.session_state.pop(key, None)


def draw_account_box(user: User, unit_name: str | None = None) -> None:
    """The sidebar's line on who is logged in (and for which unit), and the logout button."""
    unit = f" · {unit_name}" if unit_name else ""
    st.caption(f"Đăng nhập: **{user.full_name or user.username}** ({ROLE_NAMES[user.role]}{unit})")
    if st.button("Đăng xuất", icon=":material/logout:", key="dang_xuat"):
        logout()
        _go(LOGOUT_PATH)
        st.stop()


def go_to_login() -> None:
    """After the session ended here (a new password): forget it and send the browser to log in again."""
    for key in (TOKEN_KEY, USER_KEY, _LAST_PAGE_KEY):
        st.session_state.pop(key, None)
    _go(LOGOUT_PATH)
    st.stop()
