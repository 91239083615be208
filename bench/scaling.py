"""How virtual-trial run time scales with workers and cohort size, up to a million people.

The trial: men 18-41 (the default population, each with his history from onset), placebo
vs finasteride 1 mg, a 1 cm2 vertex area, 12 months, observed every 30 days; blocks of
1,000 people, per-day observations kept for the first 1,000 people per arm only
(``keep_observations_per_arm``), so the client holds endpoint values and merged
summaries, never everyone's observations. Each size runs serially and on local Dask
clusters of the given worker counts; the endpoint values must be identical in every
run. Prints seconds, microseconds per person, speedup over serial (same process) and the
client's peak memory; the time to start a local cluster is reported apart.

    python bench/scaling.py                          # 10k, 30k, 100k people; 0, 1, 2 workers
    python bench/scaling.py --sizes 1000000 --workers 2 --no-serial   # the million
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time

import numpy as np
import pandas as pd

from follicle import __version__
from follicle.trials import parse_trial, run_trial
from follicle.trials.execution import dask_client


def lean_trial(people: int):
    return parse_trial(
        {
            "name": "scaling benchmark",
            "n_per_arm": people // 2,
            "seed": 1,
            "block_size": 1000,
            "keep_observations_per_arm": 1000,
            "population": {"sex": "male", "age_years": [18, 41]},
            "target_area": {"region": "vertex", "area_cm2": 1.0},
            "arm": [
                {"name": "placebo"},
                {"name": "finasteride", "treatment": [{"kind": "finasteride", "dose_mg": 1.0}]},
            ],
            "endpoint": [
                {"measure": "change", "column": "non_vellus_per_cm2", "day": 360},
                {"measure": "fraction_improved", "day": 360},
            ],
        }
    )


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 30_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-serial", action="store_true", help="skip the serial runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for people in args.sizes:
        trial = lean_trial(people)
        reference = None
        serial_seconds = None
        for workers in ([] if args.no_serial else [0]) + args.workers:
            startup = 0.0
            if workers == 0:
                start = time.perf_counter()
                result = run_trial(trial)
                seconds = time.perf_counter() - start
            else:
                start = time.perf_counter()
                with dask_client(workers=workers) as client:
                    client.wait_for_workers(workers)
                    startup = time.perf_counter() - start
                    start = time.perf_counter()
                    result = run_trial(trial, client=client)
                    seconds = time.perf_counter() - start
            if reference is None:
                reference = result.values
            else:
                pd.testing.assert_frame_equal(reference, result.values, check_exact=True)
            if workers == 0:
                serial_seconds = seconds
            row = {
                "people": 2 * trial.n_per_arm,
                "workers": workers,
                "seconds": round(seconds, 1),
                "cluster_start_s": round(startup, 1),
                "us_per_person": round(1e6 * seconds / (2 * trial.n_per_arm)),
                "speedup_vs_serial": round(serial_seconds / seconds, 2) if serial_seconds else None,
                "client_peak_mb": round(peak_memory_mb()),
                "finasteride_minus_placebo": round(
                    float(result.comparisons["difference"].iloc[0]), 3
                ),
            }
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    figures = {
        "version": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "identical_across_workers": True,
        "runs": rows,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
