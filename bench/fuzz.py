"""Long fuzz run: every hypothesis property of the readers, normalisers, validation and upload
names (tests/test_fuzz.py, tests/test_hostile_files.py) under the "long" profile, random seeds.

    python -m bench.fuzz [--examples 1500]

Prints, per property, the cases run (examples tried, shrinking included), the seconds and the
failure if any (the falsifying example is printed by hypothesis above the table); exit 1 when
a property failed. CI runs the same properties under the short "ci" profile.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=None, help="examples per property (default: the long profile's)"
    )
    args = parser.parse_args(argv)
    os.environ["HYPOTHESIS_PROFILE"] = "long"
    from hypothesis import settings

    from tests import fuzz

    if args.examples:
        settings.register_profile("bench", parent=settings.get_profile("long"), max_examples=args.examples)
        settings.load_profile("bench")
    from tests import test_fuzz, test_hostile_files

    properties = [
        (name, test)
        for module in (test_fuzz, test_hostile_files)
        for name, test in vars(module).items()
        if name.startswith("test_") and hasattr(test, "hypothesis")
    ]
    rows, failed = [], 0
    with tempfile.TemporaryDirectory(prefix="fuzz_") as tmp:
        for name, test in properties:
            before, start = sum(fuzz.CASES.values()), time.perf_counter()
            kwargs = {"folder": Path(tmp)} if "folder" in inspect.signature(test).parameters else {}
            try:
                test(**kwargs)
                outcome = "đạt"
            except Exception as exc:  # a property's failure is a row of the table, not the end of the run
                outcome = f"LỖI {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                failed += 1
            rows.append((name, sum(fuzz.CASES.values()) - before, time.perf_counter() - start, outcome))
    width = max(len(name) for name, *_ in rows)
    print(f"{'tính chất':<{width}}  {'số ca':>7}  {'giây':>7}  kết quả")
    for name, cases, seconds, outcome in rows:
        shown = f"{seconds:.1f}".replace(".", ",")
        print(f"{name:<{width}}  {cases:>7}  {shown:>7}  {outcome}")
    total = sum(cases for _, cases, _, _ in rows)
    total_vi = f"{total:,}".replace(",", ".")
    print(f"{len(rows)} tính chất, {total_vi} ca, {failed} tính chất không đạt")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
