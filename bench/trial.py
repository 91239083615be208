"""Benchmark of virtual trials (issue 3, section 5).

Reports, end to end (cohort drawing, simulation with each person's history, endpoints,
statistics):
- a 4-arm trial (placebo, finasteride 1 mg, minoxidil 5%, both) with N people per arm
  (default 1,000), a 5.1 cm2 vertex target area and 12 months, serially and on a local
  Dask cluster of 1 and 2 worker processes (results checked identical);
- a prevalence study: M men (default 10,000) followed from age 18 to 70, staged every
  year (five 1 cm2 regional patches), prevalence of pattern loss by year of age;
- how run time scales with cohort size (serial);
- the same 4-arm trial with paired arms (``--paired``: each person's history simulated
  once, branched into the four arms), and the variance of each between-arm difference
  relative to the unpaired formula on the same people;
- each on both engines (``--engines numba numpy``, the default when numba is installed;
  the first is the one the paired, scaling and prevalence runs use), with each arm's
  mean change in hairs per engine (the engines agree in distribution, not draw for draw);
- with ``--compare-with DIR`` (an earlier version's source tree, e.g. made with
  ``git archive COMMIT | tar -x -C DIR``), the 4-arm trial run by that version in a
  subprocess, and the before/after ratios.

Wall-clock seconds (the Dask runs spread over processes); the serial run also reports
this process's CPU seconds. The load average is recorded with the figures.

    python bench/trial.py                         # the full benchmark (long on 2 cores)
    python bench/trial.py --n-per-arm 100 --prevalence-men 500 --json
    python bench/trial.py --sizes --prevalence-men 0 --compare-with /tmp/base
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

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


def engine_choices(requested: list[str] | None) -> list[str | None]:
    """The engines to run; [None] (the default engine) for a version without the choice."""
    if "engine" not in inspect.signature(run_trial).parameters:
        return [None]
    if requested:
        return requested
    from follicle.sim.engines import numba_available

    return ["numba", "numpy"] if numba_available() else ["numpy"]


def four_arm_figures(
    n_per_arm: int, workers_list: list[int], *, paired: bool, engine: str | None = None
) -> tuple:
    """Serial and Dask runs of the 4-arm trial; results checked identical."""
    trial = four_arm_trial(n_per_arm)
    options = {"paired": True} if paired else {}
    if engine is not None:
        options["engine"] = engine
    cpu = time.process_time()
    serial, seconds = timed(lambda: run_trial(trial, **options))
    figures = {
        "people": 4 * n_per_arm,
        "engine": engine or "default",
        "serial_s": round(seconds, 2),
        "serial_cpu_s": round(time.process_time() - cpu, 2),
    }
    for workers in workers_list:
        with dask_client(workers=workers) as client:
            parallel, seconds = timed(
                lambda client=client: run_trial(trial, client=client, **options)
            )
        pd.testing.assert_frame_equal(serial.observations, parallel.observations)
        pd.testing.assert_frame_equal(serial.comparisons, parallel.comparisons)
        figures[f"workers_{workers}_s"] = round(seconds, 2)
    figures["identical_across_workers"] = True
    return serial, figures


def paired_variance_ratios(result) -> dict:
    """Per endpoint and treated arm: the variance of the paired mean difference over the
    variance the unpaired formula gives on the same people (var_a/n + var_b/n)."""
    values, control = result.values, result.trial.control
    ratios = {}
    for endpoint in result.trial.endpoint:
        base = values.loc[values["arm"] == control, endpoint.label].to_numpy(float)
        for arm in result.trial.arm:
            if arm.name == control:
                continue
            treated = values.loc[values["arm"] == arm.name, endpoint.label].to_numpy(float)
            both = np.isfinite(treated) & np.isfinite(base)
            a, b = treated[both], base[both]
            paired = np.var(a - b, ddof=1)
            unpaired = np.var(a, ddof=1) + np.var(b, ddof=1)
            ratios[f"{arm.name}: {endpoint.label}"] = round(float(paired / unpaired), 3)
    return ratios


def baseline_figures(source: Path, args) -> dict:
    """The 4-arm trial run by an earlier version (its ``src`` first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(source / "src"))
    command = [sys.executable, __file__, "--n-per-arm", str(args.n_per_arm), "--sizes"]
    command += ["--prevalence-men", "0", "--no-paired", "--json", "--engines", "--workers"]
    command += [str(w) for w in args.workers]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-arm", type=int, default=1000)
    parser.add_argument("--prevalence-men", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--sizes", type=int, nargs="*", default=[25, 50, 100])
    parser.add_argument("--no-paired", action="store_true", help="skip the paired run")
    parser.add_argument("--compare-with", type=Path, help="an earlier version's source tree")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--engines", nargs="*", help="numba and/or numpy (default: both when numba is installed)"
    )
    args = parser.parse_args()
    engines = engine_choices(args.engines)
    import follicle

    figures: dict = {
        "version": __version__,
        "source": str(Path(follicle.__file__).parents[1]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min_before": round(os.getloadavg()[0], 1),
    }

    for engine in engines:  # warm up imports and caches (and compile)
        run_trial(four_arm_trial(2), **({"engine": engine} if engine else {}))
    for index, engine in enumerate(engines):
        key = "four_arm_trial" if index == 0 else f"four_arm_trial_{engine}"
        serial, figures[key] = four_arm_figures(
            args.n_per_arm, args.workers, paired=False, engine=engine
        )
        figures[key]["mean_change_hairs"] = (
            serial.endpoint("change hairs day 360").set_index("arm")["mean"].round(1).to_dict()
        )
        report(key, figures[key])
    first = {"engine": engines[0]} if engines[0] else {}
    if not args.no_paired:
        paired, figures["four_arm_trial_paired"] = four_arm_figures(
            args.n_per_arm, args.workers, paired=True, engine=engines[0]
        )
        figures["four_arm_trial_paired"]["variance_ratio"] = paired_variance_ratios(paired)
        report("four_arm_trial_paired", figures["four_arm_trial_paired"])
    if args.compare_with is not None:
        before = baseline_figures(args.compare_with, args)
        after = figures["four_arm_trial"]
        figures["before"] = {"source": before["source"], **before["four_arm_trial"]}
        figures["before_over_after"] = {
            key: round(before["four_arm_trial"][key] / after[key], 2)
            for key in after
            if key.endswith("_s") and key in before["four_arm_trial"] and after[key] > 0
        }
        report("before_over_after", figures["before_over_after"])

    scaling = {}
    for size in args.sizes:
        _, seconds = timed(lambda size=size: run_trial(four_arm_trial(size), **first))
        scaling[4 * size] = round(seconds, 2)
    if scaling:
        figures["serial_seconds_by_people"] = scaling
        report("serial_seconds_by_people", scaling)
    figures["load_average_1min_after"] = round(os.getloadavg()[0], 1)
    if args.prevalence_men <= 0:
        print(json.dumps(figures, indent=2) if args.json else figures)
        return

    study = prevalence_study(args.prevalence_men)
    workers = max(args.workers) if args.workers else 0
    result, seconds = timed(lambda: run_trial(study, workers=workers or None, **first))
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
