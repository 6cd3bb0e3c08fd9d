"""First-minute benchmark: from `git clone` to the first chart a new user sees.

    python -m bench.first_chart [--source .] [--keep] [--port 0]

On a fresh clone of `--source` (its committed HEAD, cloned into a temporary folder), does
what the README tells a new user: `bash scripts/run.sh`, which installs the packages into
the clone's own .venv, builds the demo province (app/startup.py, before the server answers)
and serves; then opens the root in headless Chromium, logs in as `lanh_dao` through the
login form and waits until the overview has drawn every chart (tests/browser.py decides
"drawn"). Prints each phase and the total:

    clone               0,4 s
    install            38,1 s   (.venv with requirements.txt; uv when scripts/_venv.sh uses it)
    demo and server    21,7 s   (until the health check answers)
    login, first chart  3,9 s
    clone to first chart 64,1 s

The clone's install does download its packages (the package caches of this machine are
used as the installer finds them). Nothing is asserted; the server and the clone are
removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.browser import ROOT, free_port, launch_chromium, log_in, new_context, wait_for_charts

HEALTH_TIMEOUT_S = 900.0  # a slow network may take long over the install


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _installed(clone: Path) -> bool:
    """scripts/_venv.sh stamps .venv once the requirements are installed."""
    venv = clone / ".venv"
    return venv.is_dir() and any(p.name.startswith(".installed-requirements.txt") for p in venv.iterdir())


def _fmt(seconds: float) -> str:
    return f"{seconds:6.1f} s".replace(".", ",")


def measure(source: Path, port: int, keep: bool) -> dict[str, float]:
    """Clone, start as the README says, log in and wait for the first chart; the phase times."""
    work = Path(tempfile.mkdtemp(prefix="first_chart_"))
    clone = work / "clone"
    times: dict[str, float] = {}
    started = time.monotonic()
    subprocess.run(["git", "clone", "-q", str(source), str(clone)], check=True)
    times["clone"] = time.monotonic() - started
    port = port or free_port()
    url = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARD_DB", "VIRTUAL_ENV")}
    log = (work / "run.log").open("w")
    server = subprocess.Popen(
        ["bash", "scripts/run.sh", "--server.port", str(port)],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with everything it started
    )
    try:
        mark = time.monotonic()
        while not _installed(clone):
            if server.poll() is not None:
                raise RuntimeError(f"scripts/run.sh stopped; see {work / 'run.log'}")
            time.sleep(0.2)
        times["install"] = time.monotonic() - mark
        mark = time.monotonic()
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() - mark > HEALTH_TIMEOUT_S:
                raise RuntimeError(f"the server did not come up; see {work / 'run.log'}")
            time.sleep(0.2)
        times["server"] = time.monotonic() - mark
        mark = time.monotonic()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                page = new_context(browser, locale="vi-VN").new_page()
                log_in(page, url)
                wait_for_charts(page, 120_000)
            finally:
                browser.close()
        times["first_chart"] = time.monotonic() - mark
        times["total"] = time.monotonic() - started
        return times
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if keep:
            print(f"clone kept in {clone}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Clone-to-first-chart time on a fresh clone.")
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the repository to clone (default: this one)"
    )
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the clone and its log")
    args = parser.parse_args()
    times = measure(args.source, args.port, args.keep)
    print(f"clone                {_fmt(times['clone'])}")
    print(f"install              {_fmt(times['install'])}   (.venv with requirements.txt, scripts/_venv.sh)")
    print(f"demo and server      {_fmt(times['server'])}   (until the health check answers)")
    print(f"login, first chart   {_fmt(times['first_chart'])}")
    print(f"clone to first chart {_fmt(times['total'])}")


if __name__ == "__main__":
    main()
