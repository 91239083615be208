"""Start-up time of the ``follicle`` command (issue 11): median wall time of quick
commands, side by side with a bare ``python -c pass`` on the same interpreter.

    python bench/startup.py              # a table, 15 runs per command
    python bench/startup.py --runs 30 --json

Each command runs as a fresh process through the installed console script, so the
figure is what a user waits for. A journal in a temporary folder takes the ``journal
log`` entries (one per run, each at a different minute).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def follicle_script() -> str:
    """The installed console script beside this interpreter (or on PATH)."""
    beside = Path(sys.executable).with_name("follicle")
    found = str(beside) if beside.exists() else shutil.which("follicle")
    if not found:
        raise SystemExit("follicle is not installed (pip install -e .)")
    return found


def median_seconds(make_argv, runs: int) -> tuple[float, float, float]:
    """(median, min, max) wall seconds over ``runs`` runs; make_argv(i) gives run i's argv."""
    times = []
    for index in range(runs):
        argv = make_argv(index)
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]!r}")
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    follicle = follicle_script()
    with tempfile.TemporaryDirectory() as folder:
        journal = os.path.join(folder, "journal.sqlite3")

        def journal_log(index: int) -> list[str]:
            at = f"2026-03-02T{index // 60:02d}:{index % 60:02d}"
            return [follicle, "journal", "log", "application", "finasteride", "--dose-mg",
                    "1", "--at", at, "--tz", "UTC", "--db", journal]  # fmt: skip

        cases = {
            "python -c pass": lambda i: [sys.executable, "-c", "pass"],
            "python -c 'import follicle'": lambda i: [sys.executable, "-c", "import follicle"],
            "follicle --version": lambda i: [follicle, "--version"],
            "follicle --help": lambda i: [follicle, "--help"],
            "follicle journal log application": journal_log,
        }
        results = {name: median_seconds(argv, options.runs) for name, argv in cases.items()}
    if options.json:
        print(json.dumps({name: dict(zip(("median_s", "min_s", "max_s"), r, strict=True))
                          for name, r in results.items()}, indent=2))  # fmt: skip
        return
    print(f"{'command':36} {'median s':>9} {'min s':>7} {'max s':>7}   ({options.runs} runs)")
    for name, (median, low, high) in results.items():
        print(f"{name:36} {median:9.3f} {low:7.3f} {high:7.3f}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
