"""Benchmark of virtual trials (issue 3, section 5).

Reports, end to end (cohort drawing, simulation with each person's history, endpoints,
statistics):
- a 4-arm trial (placebo, finasteride 1 mg, minoxidil 5%, both) with N people per arm
  (default 1,000), a 5.1 cm2 vertex target area and 12 months, serially and on a local
  Dask cluster of 1 and 2 worker processes (results checked identical);
- a prevalence study: M men (default 10,000) followed from age 18 to 70, staged every
  year (five 1 cm2 regional patches), prevalence of pattern loss by year of age;
- how run time scales with cohort size (serial).

    python bench/trial.py                         # the full benchmark (long on 2 cores)
    python bench/trial.py --n-per-arm 100 --prevalence-men 500 --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import pandas as pd

from follicle import __version__
from follicle.trials import parse_trial, run_trial
from follicle.trials.execution import dask_client

ARMS = [
    {"name": "placebo"},
    {"name": "finasteride 1 mg", "treatment": [{"kind": "finasteride", "dose_mg": 1.0}]},
    {"name": "minoxidil 5%", "treatment": [{"kind": "minoxidil", "concentration_percent": 5}]},
    {
        "name": "both",
        "treatment": [
            {"kind": "finasteride", "dose_mg": 1.0},
            {"kind": "minoxidil", "concentration_percent": 5},
        ],
    },
]


def four_arm_trial(n_per_arm: int):
    return parse_trial(
        {
            "name": "4-arm benchmark",
            "n_per_arm": n_per_arm,
            "seed": 1,
            "population": {"sex": "male", "age_years": [18, 41]},
            "target_area": {"region": "vertex", "area_cm2": 5.1},
            "arm": ARMS,
            "endpoint": [
                {"measure": "change", "column": "hairs", "day": 360},
                {"measure": "change", "column": "non_vellus_per_cm2", "day": 360},
                {"measure": "fraction_improved", "day": 360},
            ],
        }
    )


def prevalence_study(men: int):
    return parse_trial(
        {
            "name": "prevalence 18-70",
            "n_per_arm": men,
            "seed": 1,
            "population": {"sex": "male", "age_years": [18, 19]},  # born across a year
            "target_area": {"region": "vertex", "area_cm2": 1.0},
            "observe_every_days": 365,
            "days": 52 * 365,
            "keep_observations_per_arm": 0,  # prevalence comes from the merged stage counts
            "arm": [{"name": "untreated"}],
            "endpoint": [
                {"measure": "fraction_with_pattern_loss", "day": 12 * 365, "name": "age 30"},
                {"measure": "fraction_with_pattern_loss", "day": 32 * 365, "name": "age 50"},
                {"measure": "fraction_with_pattern_loss", "day": 52 * 365, "name": "age 70"},
            ],
        }
    )


def report(key: str, value) -> None:
    """Each figure as soon as it is measured (stderr), so long runs show progress."""
    print(f"{key}: {value}", file=sys.stderr, flush=True)


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-arm", type=int, default=1000)
    parser.add_argument("--prevalence-men", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--sizes", type=int, nargs="*", default=[25, 50, 100])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict = {
        "version": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }

    trial = four_arm_trial(args.n_per_arm)
    serial, seconds = timed(lambda: run_trial(trial))
    figures["four_arm_trial"] = {"people": 4 * args.n_per_arm, "serial_s": round(seconds, 2)}
    for workers in args.workers:
        with dask_client(workers=workers) as client:
            parallel, seconds = timed(lambda client=client: run_trial(trial, client=client))
        pd.testing.assert_frame_equal(serial.observations, parallel.observations)
        figures["four_arm_trial"][f"workers_{workers}_s"] = round(seconds, 2)
    figures["four_arm_trial"]["identical_across_workers"] = True
    report("four_arm_trial", figures["four_arm_trial"])
    figures["four_arm_trial"]["mean_change_hairs"] = (
        serial.endpoint("change hairs day 360").set_index("arm")["mean"].round(1).to_dict()
    )

    scaling = {}
    for size in args.sizes:
        _, seconds = timed(lambda size=size: run_trial(four_arm_trial(size)))
        scaling[4 * size] = round(seconds, 2)
    figures["serial_seconds_by_people"] = scaling
    report("serial_seconds_by_people", scaling)
    if args.prevalence_men <= 0:
        print(json.dumps(figures, indent=2) if args.json else figures)
        return

    study = prevalence_study(args.prevalence_men)
    workers = max(args.workers) if args.workers else 0
    result, seconds = timed(lambda: run_trial(study, workers=workers or None))
    by_age = result.prevalence_by_age().set_index("age_years")["prevalence"]
    figures["prevalence_study"] = {
        "men": args.prevalence_men,
        "workers": workers,
        "seconds": round(seconds, 2),
        "prevalence_by_age": {int(a): round(v, 3) for a, v in by_age.items() if a % 10 == 0},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
