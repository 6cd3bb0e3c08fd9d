"""The gate in front of page runs: how many work at once, and the log lines bench/load.py reads."""

from __future__ import annotations

import threading
import time

from app.run_gate import RUNS_AT_ONCE, page_run, parse_run_log, run_log_line


def test_no_more_runs_work_at_once_than_the_gate_lets_in_and_every_run_gets_its_turn() -> None:
    inside, most, finished = 0, 0, []
    lock = threading.Lock()

    def run(i: int) -> None:
        nonlocal inside, most
        with page_run():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1
        finished.append(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS_AT_ONCE * 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert most == RUNS_AT_ONCE
    assert sorted(finished) == list(range(RUNS_AT_ONCE * 3))


def test_a_run_that_stops_with_an_exception_gives_its_place_back() -> None:
    for _ in range(RUNS_AT_ONCE + 1):
        try:
            with page_run():
                raise RuntimeError("st.stop() ends a run by raising")
        except RuntimeError:
            pass
    done = threading.Event()

    def run() -> None:
        with page_run():
            done.set()

    threading.Thread(target=run).start()
    assert done.wait(timeout=5)


def test_the_run_log_is_read_back_from_among_the_servers_other_lines() -> None:
    log = "\n".join(
        ["Uvicorn running", run_log_line(0.25, 1.5), "page-running is not a run", run_log_line(0, 0.1)]
    )
    assert parse_run_log(log) == [(0.25, 1.5), (0.0, 0.1)]
