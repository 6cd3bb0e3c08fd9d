"""Load benchmark: N logged-in readers at once against one dashboard server.

    python -m bench.load [--sessions 1 5 10 20] [--scale province national] [--reuse]
                         [--out bench/out/load]

For each scale (the province demo, ~40 units; the national demo, 5.000+ units) one server
is started the way scripts/run.sh starts it, on 127.0.0.1. For each N, one headless Chromium
opens N browser contexts at the same moment; each logs in through the real login form (a
different demo account per session where there are enough: lanh_dao, ban_dan_van,
quan_tri, then unit accounts), then visits every data page it may open and, on each page,
chooses another year in the sidebar. It reports, per N:

- page-ready time: from navigation (or the click on the year) to the script run over and
  every chart drawn (tests/browser.py's definition), p50 and p95 over every visit and redraw;
- errors: timeouts, Streamlit exception boxes, pages that never drew;
- the server's peak resident memory (its whole process tree), sampled every 0,2 s.

Goal on a 2-core machine: 20 sessions, 0 errors, p95 <= 5 s, server RSS <= 500 MB at national
scale. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.navigation import PAGES, WITHOUT_CHARTS, WITHOUT_FILTERS, allowed
from etl.db import latest_snapshot
from tests.browser import CHROMIUM, CHROMIUM_ARGS, DRAWN_JS, ROOT, streamlit_server

DASHBOARD = ROOT / "dashboard.py"
PAGE_TIMEOUT_MS = 120_000
ACCOUNTS = ("lanh_dao", "ban_dan_van", "quan_tri")
UNIT_ACCOUNTS = ("bvdkt", "bvm", "bvph", "cdc", "ttkn", "bvsn", "bvtt", "ttgdyk", "ttpy", "ttcc115",
                 "bvydct", "ttytkv_anlac", "ttytkv_hoathuan", "ttytkv_tanhung", "ttytkv_tayson",
                 "ttytkv_songcau", "bvdkkv_bac")  # fmt: skip
GOAL_P95_S, GOAL_RSS_MB = 5.0, 500.0


@dataclass
class Outcome:
    """What one N-session run measured."""

    times_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    wall_s: float = 0.0

    def quantile(self, q: float) -> float:
        if not self.times_s:
            return float("nan")
        ordered = sorted(self.times_s)
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


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class _RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, _tree_rss_mb(self.pid))
            self._done.wait(0.2)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


async def _drawn(page, timeout_ms: float = PAGE_TIMEOUT_MS) -> None:
    await page.wait_for_function(DRAWN_JS, polling="raf", timeout=timeout_ms)


async def _log_in(page, base: str, username: str) -> None:
    await page.goto(f"{base}/dang-nhap?tiep=%2Fdoi-mat-khau", wait_until="domcontentloaded")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill("demo")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(lambda url: "/dang-nhap" not in url, timeout=PAGE_TIMEOUT_MS)


async def _change_year(page, year: int) -> float:
    """Choose `year` in the sidebar's year box; seconds from the click to every chart drawn."""
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Năm xem chi tiết")
    await box.scroll_into_view_if_needed()
    await box.click()
    started = time.perf_counter()
    await page.get_by_role("option", name=str(year), exact=True).click()
    # a quick rerun may come and go between two polls; then the page is drawn already
    with contextlib.suppress(Exception):
        await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=2_000)
    await _drawn(page)
    return time.perf_counter() - started


async def _session(
    browser, base: str, i: int, national: bool, outcome: Outcome, start: asyncio.Event
) -> None:
    username = _username(i, national)
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    try:
        await start.wait()
        await _log_in(page, base, username)
        for n, url in enumerate(_pages_for(_role(username))):
            where = f"phiên {i} ({username}) /{url}"
            try:
                started = time.perf_counter()
                await page.goto(f"{base}/{url}", wait_until="commit")
                await _drawn(page)
                outcome.times_s.append(time.perf_counter() - started)
                outcome.times_s.append(await _change_year(page, 2020 + (i + n) % 5))
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
    for scale in args.scale:
        db = _demo(scale, args.out, args.reuse)
        with streamlit_server(DASHBOARD, args.out / f"streamlit-{scale}.log", db=db) as server:
            for n in args.sessions:
                sampler = _RssSampler(server.process.pid)
                sampler.start()
                result = asyncio.run(_run_sessions(server.url, n, scale == "national"))
                result.peak_rss_mb = sampler.stop()
                rows.append((scale, n, result))
                print(
                    f"[{scale}] {n} phiên: {len(result.times_s)} lần đo, p50 {_fmt(result.quantile(0.5))} s, "
                    f"p95 {_fmt(result.quantile(0.95))} s, {len(result.errors)} lỗi, "
                    f"RSS đỉnh {_fmt(result.peak_rss_mb, 0)} MB, {_fmt(result.wall_s, 1)} s",
                    flush=True,
                )
                for error in result.errors[:5]:
                    print(f"    {error}", flush=True)
    print(
        "\n| Quy mô | Phiên | Lần đo | p50 (s) | p95 (s) | Lỗi | RSS đỉnh (MB) | Thời gian (s) | Đạt mục tiêu |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for scale, n, r in rows:
        ok = not r.errors and r.quantile(0.95) <= GOAL_P95_S and r.peak_rss_mb <= GOAL_RSS_MB
        median = statistics.median(r.times_s) if r.times_s else float("nan")
        print(
            f"| {scale} | {n} | {len(r.times_s)} | {_fmt(median)} | {_fmt(r.quantile(0.95))} | {len(r.errors)} | "
            f"{_fmt(r.peak_rss_mb, 0)} | {_fmt(r.wall_s, 1)} | {'có' if ok else 'KHÔNG'} |"
        )
    print(
        f"\nMục tiêu: 20 phiên, 0 lỗi, p95 <= {_fmt(GOAL_P95_S, 0)} s, RSS <= {_fmt(GOAL_RSS_MB, 0)} MB ở quy mô toàn quốc."
    )


if __name__ == "__main__":
    main()
