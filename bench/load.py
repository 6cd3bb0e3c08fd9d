"""Load benchmark: N logged-in readers at once against one dashboard server.

    python -m bench.load [--sessions 1 5 10 20] [--scale province national] [--reuse]
                         [--out bench/out/load]

For each scale (the province demo, ~40 units; the national demo, 5.000+ units) one server
is started the way scripts/run.sh starts it, on 127.0.0.1. For each N, one headless Chromium
opens N browser contexts at the same moment; each opens the first data page by its link and
logs in through the real login form it is led to (a different demo account per session
where there are enough: lanh_dao, ban_dan_van, quan_tri, then unit accounts), which brings
it back to that page, then opens every other data page it may open by its link in the
sidebar, as a reader does (the browser keeps the app loaded and only the page is run and
drawn), and on each page chooses another year in the sidebar. It reports, per N:

- page-ready time: from the click on a sidebar link or a year to the script run over and
  every chart drawn (tests/browser.py's definition), p50 and p95 over every visit and
  redraw: the goal's figure;
- the login apart (from the click on «Đăng nhập» to the first page drawn, once a session:
  the browser loads the whole app then, and N sessions logging in at the same moment is
  the burst a meeting brings), p50 and p95;
- errors: timeouts, Streamlit exception boxes, pages that never drew;
- the server's peak resident memory (its whole process tree), sampled every 0,2 s;
- the server's own time of each page run (its wait for a place at app/run_gate.py's gate
  and its work, from the server's log), p50 and p95: what a reader waits for on the server,
  whatever their browser;
- the CPU time the server and the browsers used, per measured visit, and as a share of all
  the machine's cores over the run: the browsers share the server's two cores here, so this
  says how much of the waiting is the clients' own work (a machine busy near 100% queues
  every view, whatever the server does).

Goal on a 2-core machine: 20 sessions, 0 errors, p95 <= 5 s, server RSS <= 500 MB at national
scale. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.navigation import PAGES, WITHOUT_CHARTS, WITHOUT_FILTERS, allowed
from app.run_gate import parse_run_log
from etl.db import latest_snapshot
from tests.browser import (
    ARM_RERUN_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNT_MESSAGES_JS,
    DISARM_RERUN_JS,
    DRAWN_JS,
    NAV_LINK,
    ROOT,
    streamlit_server,
)

DASHBOARD = ROOT / "dashboard.py"
PAGE_TIMEOUT_MS = 120_000
ACCOUNTS = ("lanh_dao", "ban_dan_van", "quan_tri")
UNIT_ACCOUNTS = ("bvdkt", "bvm", "bvph", "cdc", "ttkn", "bvsn", "bvtt", "ttgdyk", "ttpy", "ttcc115",
                 "bvydct", "ttytkv_anlac", "ttytkv_hoathuan", "ttytkv_tanhung", "ttytkv_tayson",
                 "ttytkv_songcau", "bvdkkv_bac")  # fmt: skip
GOAL_P95_S, GOAL_RSS_MB = 5.0, 500.0
# how often a waiting client looks whether its page is drawn: polling on every animation frame
# (as the tests do, for one page at a time) would make each of twenty pages paint sixty
# frames a second while it waits, on the cores the server needs
POLL_MS = 50


@dataclass
class Outcome:
    """What one N-session run measured."""

    # (seconds, what, is a login): a login is a page's link, the login form, that page drawn;
    # the rest are page views (sidebar links and year changes)
    measured: list[tuple[float, str, bool]] = field(default_factory=list)
    server_runs_s: list[float] = field(default_factory=list)  # each page run on the server: its wait and work
    errors: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    server_cpu_s: float = 0.0
    browsers_cpu_s: float = 0.0
    wall_s: float = 0.0

    def add(self, seconds: float, what: str, *, login: bool = False) -> None:
        self.measured.append((seconds, what, login))

    def times_s(self, login: bool = False) -> list[float]:
        return [seconds for seconds, _what, is_login in self.measured if is_login == login]

    def quantile(self, q: float, login: bool = False) -> float:
        return _quantile(self.times_s(login), q)


def _quantile(times: list[float], q: float) -> float:
    if not times:
        return float("nan")
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _username(i: int, national: bool) -> str:
    # the national demo's unit codes carry their province; its leadership accounts serve all
    if national or i < len(ACCOUNTS):
        return ACCOUNTS[i % len(ACCOUNTS)]
    return UNIT_ACCOUNTS[(i - len(ACCOUNTS)) % len(UNIT_ACCOUNTS)]


def _pages_for(role: str) -> list[str]:
    return [
        url
        for entries in PAGES.values()
        for _path, _title, _icon, url in entries
        if url not in WITHOUT_FILTERS and url not in WITHOUT_CHARTS and allowed(url, role)
    ]


def _role(username: str) -> str:
    return username if username in ACCOUNTS else "don_vi"


_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _process_tree() -> dict[int, list[int]]:
    """Each process's children (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """User and system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * _TICK_S
    except (OSError, IndexError, ValueError):
        return 0.0


class _Sampler(threading.Thread):
    """Every 0,2 s: the server's resident memory (its whole process tree) and the CPU time used
    so far by the server and by the browsers (every other process this benchmark started).

    The browsers run on the server's two cores here, where a reader's browser runs on their
    own machine: their CPU time says how much of the page-ready time is the clients' own work.
    """

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid, self.peak_rss_mb, self._done = server_pid, 0.0, threading.Event()
        self._cpu: dict[int, tuple[bool, float]] = {}  # pid -> (is the server's, CPU s at last sight)
        self._start = self._sample()

    def _sample(self) -> dict[str, float]:
        children = _process_tree()
        server = set(_descendants(self.server_pid, children))
        ours = _descendants(os.getpid(), children)
        self.peak_rss_mb = max(self.peak_rss_mb, sum(_rss_kb(p) for p in server) / 1024)
        for pid in ours:
            if pid != os.getpid():
                self._cpu[pid] = (pid in server, _cpu_s(pid))
        return self.cpu_s()

    def cpu_s(self) -> dict[str, float]:
        totals = {"server": 0.0, "browsers": 0.0}
        for is_server, seconds in self._cpu.values():
            totals["server" if is_server else "browsers"] += seconds
        return totals

    def run(self) -> None:
        while not self._done.wait(0.2):
            self._sample()

    def stop(self) -> dict[str, float]:
        """CPU seconds used since the start, by "server" and "browsers"."""
        self._done.set()
        self.join()
        end = self._sample()
        return {k: end[k] - self._start[k] for k in end}


async def _drawn(page, timeout_ms: float = PAGE_TIMEOUT_MS) -> None:
    await page.wait_for_function(DRAWN_JS, polling=POLL_MS, timeout=timeout_ms)


async def _log_in(page, base: str, username: str, first_url: str) -> float:
    """Open page `first_url` by its link, log in on the form it leads to, and come back to it:
    seconds from the click on «Đăng nhập» to every chart of the page drawn."""
    await page.goto(f"{base}/dang-nhap?tiep=%2F{first_url}", wait_until="domcontentloaded")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill("demo")
    started = time.perf_counter()
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(lambda url: "/dang-nhap" not in url, timeout=PAGE_TIMEOUT_MS)
    await _drawn(page)
    return time.perf_counter() - started


async def _rerun(page, click) -> float:
    """Seconds from `click` (which starts a script run) to that run's charts all drawn.

    The page's rerun watcher (tests/browser.py) tells the new run from the page drawn before
    it, also for a run so quick that the browser never shows it running.
    """
    await page.evaluate(ARM_RERUN_JS)
    started = time.perf_counter()
    await click()
    await _drawn(page)
    elapsed = time.perf_counter() - started
    await page.evaluate(DISARM_RERUN_JS)
    return elapsed


async def _change_year(page, year: int) -> float:
    """Choose `year` in the sidebar's year box; seconds from the click to every chart drawn."""
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Năm xem chi tiết")
    await box.scroll_into_view_if_needed()
    await box.click()
    return await _rerun(page, page.get_by_role("option", name=str(year), exact=True).click)


async def _open_from_sidebar(page, url: str) -> float:
    """Click the sidebar's link to page `url`; seconds from the click to every chart drawn."""
    link = page.locator(f'{NAV_LINK}[href$="/{url}"]')
    await link.scroll_into_view_if_needed()
    return await _rerun(page, link.click)


async def _session(
    browser, base: str, i: int, national: bool, outcome: Outcome, start: asyncio.Event
) -> None:
    username = _username(i, national)
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    await context.add_init_script(COUNT_MESSAGES_JS)
    page = await context.new_page()
    try:
        await start.wait()
        pages = _pages_for(_role(username))
        for n, url in enumerate(pages):
            where = f"phiên {i} ({username}) /{url}"
            try:
                if n == 0:  # the first page by its link (and the login), the others from the sidebar
                    outcome.add(await _log_in(page, base, username, url), f"/{url} (đăng nhập)", login=True)
                else:
                    outcome.add(await _open_from_sidebar(page, url), f"/{url}")
                outcome.add(await _change_year(page, 2020 + (i + n) % 5), f"/{url} (đổi năm)")
                if await page.locator('[data-testid="stException"]').count():
                    outcome.errors.append(f"{where}: lỗi trên trang")
            except Exception as exc:
                outcome.errors.append(f"{where}: {type(exc).__name__}: {str(exc)[:120]}")
    finally:
        await context.close()


async def _run_sessions(base: str, n: int, national: bool) -> Outcome:
    from playwright.async_api import async_playwright

    outcome = Outcome()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            start = asyncio.Event()
            tasks = [
                asyncio.create_task(_session(browser, base, i, national, outcome, start)) for i in range(n)
            ]
            await asyncio.sleep(0.5)  # every context open before the first request
            started = time.perf_counter()
            start.set()
            await asyncio.gather(*tasks)
            outcome.wall_s = time.perf_counter() - started
        finally:
            await browser.close()
    return outcome


def _demo(scale: str, out: Path, reuse: bool) -> Path:
    from etl.demo import build_demo

    db = out / scale / "dashboard.duckdb"
    if not (reuse and latest_snapshot(db) is not None):
        print(f"[{scale}] building the demo at {db} ...", flush=True)
        build_demo(db, scale=scale)
    return db


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument(
        "--scale", nargs="+", choices=("province", "national"), default=["province", "national"]
    )
    parser.add_argument("--reuse", action="store_true", help="keep demo databases built by an earlier run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load")
    args = parser.parse_args(argv)
    rows = []
    os.environ["DASHBOARD_LOG_RUNS"] = "1"  # the server's own time of each page run, in its log
    for scale in args.scale:
        db = _demo(scale, args.out, args.reuse)
        with streamlit_server(DASHBOARD, args.out / f"streamlit-{scale}.log", db=db) as server:
            for n in args.sessions:
                log_start = len(server.log_text())
                sampler = _Sampler(server.process.pid)
                sampler.start()
                result = asyncio.run(_run_sessions(server.url, n, scale == "national"))
                cpu = sampler.stop()
                result.peak_rss_mb, result.server_cpu_s, result.browsers_cpu_s = (
                    sampler.peak_rss_mb,
                    cpu["server"],
                    cpu["browsers"],
                )
                result.server_runs_s = [w + r for w, r in parse_run_log(server.log_text()[log_start:])]
                rows.append((scale, n, result))
                print(
                    f"[{scale}] {n} phiên: {len(result.times_s())} lần xem trang, p50 {_fmt(result.quantile(0.5))} s, "
                    f"p95 {_fmt(result.quantile(0.95))} s; đăng nhập p95 {_fmt(result.quantile(0.95, login=True))} s; "
                    f"máy chủ p95 {_fmt(_quantile(result.server_runs_s, 0.95))} s; "
                    f"{len(result.errors)} lỗi, RSS đỉnh {_fmt(result.peak_rss_mb, 0)} MB, {_fmt(result.wall_s, 1)} s; "
                    f"CPU máy chủ {_fmt(result.server_cpu_s, 1)} s, trình duyệt {_fmt(result.browsers_cpu_s, 1)} s",
                    flush=True,
                )
                for error in result.errors[:5]:
                    print(f"    {error}", flush=True)
                slow = sorted(result.measured, reverse=True)[:5]
                print(
                    "    chậm nhất: " + "; ".join(f"{what} {_fmt(t)} s" for t, what, _login in slow),
                    flush=True,
                )
    _print_table(rows)


def _share(cpu_s: float, wall_s: float, cores: int) -> str:
    """CPU time as a share of what the machine's cores had during the run: "80%"."""
    return f"{_fmt(100 * cpu_s / (wall_s * cores), 0)}%" if wall_s > 0 else "-"


def _print_table(rows: list[tuple[str, int, Outcome]]) -> None:
    print(
        "\n| Quy mô | Phiên | Lần xem trang | p50 (s) | p95 (s) | Đăng nhập p50 / p95 (s) "
        "| Máy chủ chạy trang p50 / p95 (s) | Lỗi | RSS đỉnh (MB) | Thời gian (s) "
        "| CPU máy chủ / trình duyệt mỗi lần xem (s) | Máy bận: máy chủ / trình duyệt | Đạt mục tiêu |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cores = os.cpu_count() or 1
    for scale, n, r in rows:
        ok = not r.errors and r.quantile(0.95) <= GOAL_P95_S and r.peak_rss_mb <= GOAL_RSS_MB
        views = max(1, len(r.measured))
        print(
            f"| {scale} | {n} | {len(r.times_s())} | {_fmt(r.quantile(0.5))} | {_fmt(r.quantile(0.95))} | "
            f"{_fmt(r.quantile(0.5, login=True))} / {_fmt(r.quantile(0.95, login=True))} | "
            f"{_fmt(_quantile(r.server_runs_s, 0.5))} / {_fmt(_quantile(r.server_runs_s, 0.95))} | {len(r.errors)} | "
            f"{_fmt(r.peak_rss_mb, 0)} | {_fmt(r.wall_s, 1)} | "
            f"{_fmt(r.server_cpu_s / views)} / {_fmt(r.browsers_cpu_s / views)} | "
            f"{_share(r.server_cpu_s, r.wall_s, cores)} / {_share(r.browsers_cpu_s, r.wall_s, cores)} | "
            f"{'có' if ok else 'KHÔNG'} |"
        )
    print(
        f"\nMục tiêu: 20 phiên, 0 lỗi, p95 thời gian xem trang <= {_fmt(GOAL_P95_S, 0)} s, "
        f"RSS <= {_fmt(GOAL_RSS_MB, 0)} MB ở quy mô toàn quốc."
    )


if __name__ == "__main__":
    main()
