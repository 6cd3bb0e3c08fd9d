"""Page benchmark: query time, browser time against a one-chart floor, filter redraw time.

    python -m bench.pages [--reuse] [--scale province national] [--runs 5] [--query-runs 7]
                          [--redraw-runs 4] [--out bench/out/pages]

For every data page of dashboard.py that the demo's `lanh_dao` (Sở leadership) may open,
logged in as that account (the account and administration pages are left out: no data, no
year to change), at province and at national scale (`python -m etl demo --scale national`,
5.000+ units; building it takes a minute or two, --reuse keeps it):

- queries: the total time of every app.queries call the page's run makes (the dashboard
  frame's calls included), replayed directly with every query cache emptied first, as the first
  visitor after a new snapshot pays them; median of --query-runs. The calls are recorded,
  not listed by hand: each page runs once under Streamlit's AppTest with the public query
  functions wrapped, so a page that gains a query is measured without editing this file.
- browser: headless Chromium, from navigation start to every chart drawn (tests/browser.py
  decides "drawn"), median of --runs after one warm-up visit, next to the same time for
  bench/hello_page.py (one tiny chart: the floor of Streamlit plus Chromium) visited right
  before each page visit; "x floor" is the median of those paired ratios, so a burst of load
  on the machine hits both sides of a ratio. "x shell" is the same against bench/hello_shell.py
  (the tiny chart inside st.navigation with the dashboard's page list, visited between the
  two): what a page draws beyond the multipage shell every page needs; no goal, the shell's
  own "x floor" is in its row. The browser logs in once, through the real login
  form, before anything is timed (landing on "Đổi mật khẩu", a page without data, so no
  page's queries are warmed by it); every visit then carries the session cookie, and its
  time includes the server's session check, as a reader's does.
- restated: the same query replay with the sidebar's "quy đổi theo cơ cấu hiện tại" chosen
  (history restated to today's units), against the same goal; in the details lines.
- redraw: on a loaded page, choose another year in the sidebar and time until the rerun has
  drawn every chart again; median of --redraw-runs.

Goals: queries <= 20 ms (province) and <= 100 ms (national) per page; browser time <= 1.3x the
floor (province) and <= 1.6x (national); redraw <= 1 s. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.navigation import DEFAULT_URL, PAGES, WITHOUT_CHARTS, WITHOUT_FILTERS, allowed
from etl.db import latest_snapshot
from tests.browser import (
    DEMO_PASSWORD,
    DEMO_USER,
    ROOT,
    chart_texts,
    drawn_state,
    exception_texts,
    goto_and_wait,
    launch_chromium,
    log_in,
    new_context,
    open_year_list,
    pick_year,
    rerun_and_wait,
    streamlit_server,
    year_box,
)

DASHBOARD = ROOT / "dashboard.py"
HELLO = ROOT / "bench" / "hello_page.py"
HELLO_SHELL = ROOT / "bench" / "hello_shell.py"
SCALES = ("province", "national")
QUERY_GOAL_MS = {"province": 20.0, "national": 100.0}
FLOOR_GOAL = {"province": 1.3, "national": 1.6}
REDRAW_GOAL_S = 1.0
LOAD_TIMEOUT_MS = 180_000
REDRAW_TIMEOUT_MS = 30_000
# where the benchmark's login lands: a page with no data (no query of a measured page warmed)
LOGIN_LANDING = "/doi-mat-khau"


@dataclass(frozen=True)
class PageEntry:
    """One page of the dashboard."""

    path: str  # relative to the repository, e.g. pages/cchc.py
    title: str
    url_path: str
    default: bool
    charts: bool = True  # False: a page of files to download (app.navigation.WITHOUT_CHARTS)


@dataclass(frozen=True)
class Call:
    """One top-level call of an app.queries function made during a page run."""

    name: str
    args: tuple
    kwargs: dict


@dataclass
class PageResult:
    """Every figure measured for one page at one scale (None: not measured or failed)."""

    query_ms: float | None = None
    restated_ms: float | None = None  # the same page with history restated to today's units
    slowest: tuple[str, float] | None = None
    n_calls: int = 0
    first_s: float | None = None
    browser_s: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # each visit over the hello visit just before it
    shell_ratios: list[float] = field(default_factory=list)  # each visit over the shell visit before it
    redraw_s: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- pages


def discover_pages() -> list[PageEntry]:
    """The data pages the benchmark's account may open, in sidebar order (app/navigation.py):
    not the account and administration pages (no data, no year to change)."""
    return [
        PageEntry(path, title, url, url == DEFAULT_URL, url not in WITHOUT_CHARTS)
        for entries in PAGES.values()
        for path, title, _icon, url in entries
        if url not in WITHOUT_FILTERS and allowed(url, DEMO_USER)
    ]


# ----------------------------------------------------------------------------- databases


def build_db(scale: str, db: Path, reuse: bool) -> Path:
    """The demo database for `scale` at `db` (reused when --reuse and it has a snapshot)."""
    if reuse and latest_snapshot(db) is not None:
        print(f"[{scale}] reusing {db}")
        from app.startup import prepare_database

        prepare_database(db)  # a demo built before the accounts existed gets its demo accounts
        return db
    print(f"[{scale}] building the demo database at {db} ...", flush=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "etl", "demo", "--db", str(db), "--scale", scale]
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    while True:
        try:
            out, _ = proc.communicate(timeout=15)
            break
        except subprocess.TimeoutExpired:
            print(f"[{scale}]   still building ... {time.monotonic() - started:.0f} s", flush=True)
    if proc.returncode != 0:
        raise SystemExit(f"[{scale}] demo build failed:\n{out}")
    print(f"[{scale}]   {out.strip()}  ({time.monotonic() - started:.0f} s)")
    return db


# ----------------------------------------------------------------------------- queries


def _query_functions() -> dict[str, Callable]:
    """The public functions defined in app.queries: what pages call (cached or built on cached ones)."""
    from app import queries

    return {
        name: fn
        for name, fn in vars(queries).items()
        if not name.startswith("_") and callable(fn) and not isinstance(fn, type)
        and getattr(fn, "__module__", "") == queries.__name__
    }  # fmt: skip


def _clear_query_caches() -> None:
    """Empty every cache of app.queries, the private ones behind public functions included."""
    from app import queries

    for fn in vars(queries).values():
        if hasattr(fn, "clear") and getattr(fn, "__module__", "") == queries.__name__:
            fn.clear()


def _quiet_streamlit() -> None:
    # cached functions used outside a Streamlit runtime log a warning each
    import streamlit.logger

    streamlit.logger.set_log_level(logging.ERROR)


def _session_token(db: Path) -> str:
    """A live session of the demo's lanh_dao, opened through the real password check (the
    dashboard runs nothing without one; AppTest has no cookie, so it goes in session_state)."""
    from contextlib import closing

    from accounts.sessions import authenticate
    from accounts.store import connect, store_path

    with closing(connect(store_path(db))) as con:
        result = authenticate(con, DEMO_USER, DEMO_PASSWORD, client="bench")
    if not result.token:
        raise SystemExit(f"cannot log in as {DEMO_USER} on {db}: {result.message}")
    return result.token


def record_calls(db: Path, pages: list[PageEntry], *, restated: bool = False) -> dict[str, list[Call] | str]:
    """Run every page once under AppTest, logged in as lanh_dao, and record its top-level
    app.queries calls.

    Nested calls (reporting -> units) are part of their caller's time and are not replayed
    separately. A page that raises maps to the error text instead of its calls. `restated`
    runs the pages with history restated to today's units (the sidebar's "quy đổi").
    """
    from streamlit.testing.v1 import AppTest

    _quiet_streamlit()
    from app import queries
    from app.auth import TOKEN_KEY
    from app.filters import KEY_MODE, MODE_RESTATED

    os.environ["DASHBOARD_DB"] = str(db)
    originals = _query_functions()
    calls: list[Call] = []
    depth = 0

    def recorder(name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal depth
            if depth == 0:
                calls.append(Call(name, args, kwargs))
            depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                depth -= 1

        return wrapper

    recorded: dict[str, list[Call] | str] = {}
    try:
        for name, fn in originals.items():
            setattr(queries, name, recorder(name, fn))
        _quiet_streamlit()
        at = AppTest.from_file(str(DASHBOARD), default_timeout=300)
        at.session_state[TOKEN_KEY] = _session_token(db)
        if restated:
            at.query_params[KEY_MODE] = MODE_RESTATED
        at.run()
        for page in pages:
            calls.clear()
            at.switch_page(page.path)
            at.run()
            _quiet_streamlit()
            if at.exception:
                recorded[page.path] = "; ".join(e.value.splitlines()[0] for e in at.exception)
            else:
                recorded[page.path] = list(calls)
    finally:
        for name, fn in originals.items():
            setattr(queries, name, fn)
    return recorded


def time_calls(calls: list[Call], runs: int) -> tuple[float, tuple[str, float]]:
    """Median total ms of replaying `calls` in order with every query cache emptied first,
    and the slowest call (name, median ms)."""
    functions = _query_functions()
    totals: list[float] = []
    per_call: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        _clear_query_caches()
        started = time.perf_counter()
        for i, call in enumerate(calls):
            t0 = time.perf_counter()
            functions[call.name](*call.args, **call.kwargs)
            per_call[i].append((time.perf_counter() - t0) * 1000)
        totals.append((time.perf_counter() - started) * 1000)
    medians = [statistics.median(t) for t in per_call]
    worst = max(range(len(calls)), key=medians.__getitem__) if calls else None
    slowest = (calls[worst].name, medians[worst]) if worst is not None else ("-", 0.0)
    return statistics.median(totals), slowest


def measure_queries(scale: str, db: Path, pages: list[PageEntry], runs: int, results: dict) -> None:
    print(f"[{scale}] recording each page's queries (AppTest) ...", flush=True)
    recorded = record_calls(db, pages)
    for page in pages:
        res: PageResult = results[scale][page.path]
        calls = recorded[page.path]
        if isinstance(calls, str):
            res.notes.append(f"AppTest exception: {calls}")
            continue
        res.query_ms, res.slowest = time_calls(calls, runs)
        res.n_calls = len(calls)
        names = ", ".join(dict.fromkeys(c.name for c in calls))
        print(f"[{scale}]   {page.title}: {len(calls)} calls ({names}) {res.query_ms:.1f} ms")
    recorded = record_calls(db, pages, restated=True)
    for page in pages:
        calls = recorded[page.path]
        if not isinstance(calls, str):
            results[scale][page.path].restated_ms = time_calls(calls, runs)[0]


# ----------------------------------------------------------------------------- browser


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


def _page_url(base: str, page: PageEntry) -> str:
    return f"{base}/" if page.default else f"{base}/{page.url_path}"


def _visit(context, url: str, notes: list[str] | None = None, *, charts: bool = True) -> float:
    """Seconds from navigation start to every chart drawn, in a new tab (warm HTTP cache);
    `charts`: the page has charts (no chart is then noted)."""
    tab = context.new_page()
    try:
        drawn = goto_and_wait(tab, url, LOAD_TIMEOUT_MS)
        if notes is not None:
            errors = exception_texts(tab)
            if errors and not any(n.startswith("exception") for n in notes):
                notes.append("exception on the page: " + _first_line(errors[0]))
            if charts and drawn["n"] == 0 and "no chart" not in notes:
                notes.append("no chart")
        return float(drawn["t"]) / 1000
    finally:
        tab.close()


def _redraws(context, url: str, runs: int, notes: list[str], *, charts: bool = True) -> list[float]:
    """Seconds for the page to redraw after each change of the sidebar year (a redraw that
    never comes is noted, and the page's other figures are kept)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab = context.new_page()
    try:
        goto_and_wait(tab, url, LOAD_TIMEOUT_MS)
        latest = int(year_box(tab).input_value())
        times = []
        for i in range(runs):
            year = latest - 1 if i % 2 == 0 else latest
            before = chart_texts(tab)
            open_year_list(tab)  # the time runs from the click on the new year
            try:
                ms = rerun_and_wait(tab, lambda y=year: pick_year(tab, y), REDRAW_TIMEOUT_MS)
            except PlaywrightTimeout:
                state = drawn_state(tab)
                notes.append(f"no redraw within {REDRAW_TIMEOUT_MS // 1000} s of choosing {year}: {state}")
                break
            times.append(ms / 1000)
            errors = exception_texts(tab)
            if errors:
                notes.append(f"exception after choosing {year}: {_first_line(errors[0])}")
                break
            if i == 0 and charts and chart_texts(tab) == before:
                notes.append("(info) no chart text changed with the year: the year drives only tables here")
        return times
    finally:
        tab.close()


def measure_browser(
    scale: str,
    db: Path,
    pages: list[PageEntry],
    hello_url: str,
    shell_url: str,
    args,
    results: dict,
    floors: dict,
    shells: dict,
    log_dir: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    with (
        streamlit_server(DASHBOARD, log_dir / f"streamlit-{scale}.log", db=db) as server,
        sync_playwright() as pw,
    ):
        browser = launch_chromium(pw)
        try:
            context = new_context(browser)
            # before anything is timed: one login for the whole context (every tab shares its cookie)
            print(f"[{scale}] browser: logging in as {DEMO_USER} ...", flush=True)
            log_in(
                context,
                server.url,
                DEMO_USER,
                DEMO_PASSWORD,
                next_path=LOGIN_LANDING,
                timeout_ms=LOAD_TIMEOUT_MS,
            )
            print(
                f"[{scale}] browser: warm-up visit of every page (first visit = cold query caches) ...",
                flush=True,
            )
            _visit(context, hello_url)
            _visit(context, shell_url)
            for page in pages:
                res: PageResult = results[scale][page.path]
                res.first_s = _visit(context, _page_url(server.url, page), res.notes, charts=page.charts)
            floor: list[float] = []
            shell: list[tuple[float, float]] = []
            for r in range(args.runs):
                print(f"[{scale}] browser: round {r + 1}/{args.runs}", flush=True)
                for page in pages:
                    # the floors right before each page: the three share the machine's load of the moment
                    hello_s = _visit(context, hello_url)
                    shell_s = _visit(context, shell_url)
                    page_s = _visit(context, _page_url(server.url, page))
                    floor.append(hello_s)
                    shell.append((shell_s, shell_s / hello_s))
                    res = results[scale][page.path]
                    res.browser_s.append(page_s)
                    res.ratios.append(page_s / hello_s)
                    res.shell_ratios.append(page_s / shell_s)
            floors[scale] = floor
            shells[scale] = shell
            print(f"[{scale}] redraw after a year change ...", flush=True)
            for page in pages:
                res = results[scale][page.path]
                res.redraw_s = _redraws(
                    context, _page_url(server.url, page), args.redraw_runs, res.notes, charts=page.charts
                )
            context.close()
        finally:
            browser.close()


# ----------------------------------------------------------------------------- report


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _cell(value: float | None, fmt: str, ok: bool | None, width: int) -> str:
    if value is None:
        return "-   ".rjust(width)
    return (format(value, fmt) + ("   " if ok is None or ok else " NO")).rjust(width)


def report(
    pages: list[PageEntry], scales: list[str], results: dict, floors: dict, shells: dict, args
) -> None:
    width = max(len("hello (floor)"), *(len(p.title) for p in pages)) + 2
    print()
    print(
        f"Page benchmark: median of {args.query_runs} query replays, {args.runs} browser visits, "
        f"{args.redraw_runs} redraws ({os.cpu_count()} cores). NO = goal not met. Server logs: {args.out}/streamlit-*.log"
    )
    cols = [("queries ms", 12), ("browser s", 12), ("x floor", 10), ("x shell", 10), ("redraw s", 11)]
    line1 = "".ljust(width) + "".join(f"{name:^{w * len(scales)}}" for name, w in cols)
    line2 = "page".ljust(width) + "".join(f"{s:>{w}}" for _, w in cols for s in scales)
    print(line1)
    print(line2)
    print("-" * len(line2))
    misses: list[str] = []
    for page in pages:
        row = page.title.ljust(width)
        q_cells, b_cells, x_cells, s_cells, r_cells = [], [], [], [], []
        for scale in scales:
            res: PageResult = results[scale][page.path]
            q_ok = None if res.query_ms is None else res.query_ms <= QUERY_GOAL_MS[scale]
            q_cells.append(_cell(res.query_ms, ".1f", q_ok, 12))
            b = _median(res.browser_s)
            ratio = _median(res.ratios)
            x_ok = None if ratio is None else ratio <= FLOOR_GOAL[scale]
            b_cells.append(_cell(b, ".2f", None, 12))
            x_cells.append(_cell(ratio, ".2f", x_ok, 10))
            s_cells.append(_cell(_median(res.shell_ratios), ".2f", None, 10))
            r = _median(res.redraw_s)
            r_ok = None if r is None else r <= REDRAW_GOAL_S
            r_cells.append(_cell(r, ".2f", r_ok, 11))
            for ok, what in ((q_ok, "queries"), (x_ok, "browser"), (r_ok, "redraw")):
                if ok is False:
                    misses.append(f"{page.title} ({scale}): {what}")
        print(row + "".join(q_cells + b_cells + x_cells + s_cells + r_cells))
    floor_row = "hello (floor)".ljust(width) + "".join("-   ".rjust(12) for _ in scales)
    floor_row += "".join(_cell(_median(floors.get(s, [])), ".2f", None, 12) for s in scales)
    print(floor_row)
    shell_row = "hello in the shell".ljust(width) + "".join("-   ".rjust(12) for _ in scales)
    shell_row += "".join(_cell(_median([t for t, _ in shells.get(s, [])]), ".2f", None, 12) for s in scales)
    shell_row += "".join(_cell(_median([x for _, x in shells.get(s, [])]), ".2f", None, 10) for s in scales)
    print(shell_row)
    goals = "goal".ljust(width)
    goals += "".join(f"<= {QUERY_GOAL_MS[s]:.0f}".rjust(12) for s in scales)
    goals += "".join("".rjust(12) for _ in scales)
    goals += "".join(f"<= {FLOOR_GOAL[s]:.1f}x".rjust(10) for s in scales)
    goals += "".join("".rjust(10) for _ in scales)
    goals += "".join(f"<= {REDRAW_GOAL_S:.0f}".rjust(11) for _ in scales)
    print(goals)
    print()
    print(
        "details: slowest query call (median ms), calls per run, queries with history restated "
        "to today's units (ms, same goal), first visit with cold caches (s)"
    )
    for page in pages:
        parts = []
        for scale in scales:
            res = results[scale][page.path]
            slow = f"{res.slowest[0]} {res.slowest[1]:.1f}" if res.slowest else "-"
            first = f"{res.first_s:.2f}" if res.first_s is not None else "-"
            restated = f"{res.restated_ms:.1f}" if res.restated_ms is not None else "-"
            if res.restated_ms is not None and res.restated_ms > QUERY_GOAL_MS[scale]:
                restated += " NO"
                misses.append(f"{page.title} ({scale}): queries restated")
            parts.append(f"{scale}: {slow}, {res.n_calls} calls, restated {restated}, first {first}")
        print(f"  {page.title}: " + "; ".join(parts))
        for scale in scales:
            for note in results[scale][page.path].notes:
                print(f"    ! {scale}: {note}")
    print()
    print("goals NOT met: " + ("; ".join(misses) if misses else "none"))


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    p.add_argument("--reuse", action="store_true", help="reuse the demo databases in --out if they exist")
    p.add_argument("--scale", nargs="+", choices=SCALES, default=list(SCALES), help="scales to measure")
    p.add_argument("--runs", type=int, default=5, help="browser visits per page (after one warm-up)")
    p.add_argument("--query-runs", type=int, default=7, help="query replays per page")
    p.add_argument("--redraw-runs", type=int, default=4, help="year changes per page")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "pages", help="databases and logs")
    p.add_argument("--no-browser", action="store_true", help="queries only")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # a plain `kill` unwinds like Ctrl-C, so the servers and the browser are stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    pages = discover_pages()
    scales = [s for s in SCALES if s in args.scale]
    print(f"pages: {', '.join(p.title for p in pages)}")
    dbs = {s: build_db(s, args.out / s / "dashboard.duckdb", args.reuse) for s in scales}
    results = {s: {p.path: PageResult() for p in pages} for s in scales}
    floors: dict[str, list[float]] = {}
    shells: dict[str, list[tuple[float, float]]] = {}
    for scale in scales:
        measure_queries(scale, dbs[scale], pages, args.query_runs, results)
    if not args.no_browser:
        with (
            streamlit_server(HELLO, args.out / "streamlit-hello.log") as hello,
            streamlit_server(HELLO_SHELL, args.out / "streamlit-hello-shell.log") as shell,
        ):
            for scale in scales:
                measure_browser(
                    scale,
                    dbs[scale],
                    pages,
                    hello.url + "/",
                    shell.url + "/",
                    args,
                    results,
                    floors,
                    shells,
                    args.out,
                )
    report(pages, scales, results, floors, shells, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
