"""The server's allocator settings (app/allocator.py), each in a fresh Python process: they
only count when made before the memory they govern is allocated."""

from __future__ import annotations

import os
import subprocess
import sys

from app.allocator import POLARS_MALLOC_CONF, POLARS_MALLOC_ENV
from tests.browser import ROOT

# Big blocks (1 MiB, the size of a query frame's column or a figure's JSON) freed while small
# objects allocated between them live on, as after a page run. Prints the resident memory
# the process keeps, in MiB, over what it had before.
_KEPT_AFTER_A_RUN = """
import sys, threading
from app.allocator import tune_glibc_malloc
if sys.argv[1] == "tuned":
    assert tune_glibc_malloc()
def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
def page_run(kept):
    for round in range(3):
        big = []
        for i in range(150):
            big.append(bytearray(1 << 20))
            kept.append(bytearray(200))
        del big
before = rss_mib()
kept = []
worker = threading.Thread(target=page_run, args=(kept,))
worker.start()
worker.join()
print(rss_mib() - before)
"""


def _run(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """What `code` prints in a fresh Python process, with no Polars allocator setting of
    its own unless `env` gives one (this test process has set it by importing app)."""
    base = {k: v for k, v in os.environ.items() if k != POLARS_MALLOC_ENV}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT, env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return proc.stdout.strip()


def test_a_page_runs_big_blocks_go_back_to_the_system_when_freed() -> None:
    assert int(_run(_KEPT_AFTER_A_RUN, "tuned")) < 20


def test_polars_allocator_setting_is_in_place_before_polars_can_load() -> None:
    # importing the app package (every way into the server does) sets it
    code = "import os, sys, app; print('polars' in sys.modules, os.environ.get(sys.argv[1]))"
    assert _run(code, POLARS_MALLOC_ENV).split() == ["False", POLARS_MALLOC_CONF]


def test_an_administrators_own_polars_allocator_setting_is_kept() -> None:
    code = "import os, sys, app; print(os.environ[sys.argv[1]])"
    assert _run(code, POLARS_MALLOC_ENV, env={POLARS_MALLOC_ENV: "narenas:2"}) == "narenas:2"
