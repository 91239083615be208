"""The model's time course: whole trajectories, not end points (issue 9).

Prints, for the shipped parameters (or ``--parameters SET.toml``):

1. men 25-35 at Norwood III (``--stage``; vertex, 1 cm2): mean change in hairs/cm2 (the
   simulated scalp, without count error) at 0.25, 0.5, 1, 2, 5 and 10 years, untreated and on
   finasteride 1 mg, minoxidil 5%, both, and dutasteride 0.5 mg;
2. women 25-45 at Ludwig I (midscalp, 1 cm2) over 14 years: mean stage, kenogen share,
   thin-hair share and hairs/cm2 every 2 years;
3. men's prevalence of pattern loss (Hamilton-Norwood >= II) by age decade, 20 to 80.

Run: ``nice -n 10 .venv/bin/python bench/time_course.py --n-per-arm 60 --seed 7``.
The published values these shapes are compared with are in docs/validation.md,
*Time course*.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from follicle.model.params import DEFAULT_PARAMETERS
from follicle.trials.run import run_trial

STEP_DAYS = 91  # one quarter: 0.25 y = 91 d; "1 y" is day 364, "5 y" 1820, "10 y" 3640
MEN_DAYS = (91, 182, 364, 728, 1820, 3640)
MEN_ARMS = {
    "untreated": [],
    "finasteride 1 mg": [{"kind": "finasteride", "dose_mg": 1.0}],
    "minoxidil 5%": [{"kind": "minoxidil", "concentration_percent": 5, "applications_per_day": 2}],
    "fin + min": [
        {"kind": "finasteride", "dose_mg": 1.0},
        {"kind": "minoxidil", "concentration_percent": 5, "applications_per_day": 2},
    ],
    "dutasteride 0.5 mg": [{"kind": "dutasteride", "dose_mg": 0.5}],
}


def men_time_course(n: int, seed: int, params, stage: str) -> dict[str, dict[int, float]]:
    trial = {
        "name": f"time course, men 25-35 Norwood {stage}",
        "n_per_arm": n,
        "population": {"sex": "male", "age_years": [25, 35], "stage": stage},
        "target_area": {"region": "vertex", "area_cm2": 1.0},
        "observe_every_days": STEP_DAYS,
        "arm": [
            {"name": name, "regimen": {"name": name, "treatment": treatment}}
            for name, treatment in MEN_ARMS.items()
        ],
        "endpoint": [{"measure": "change", "column": "density_per_cm2", "day": MEN_DAYS[-1]}],
    }
    result = run_trial(trial, seed=seed, params=params)
    bands = result.trajectory_bands("density_per_cm2", change=True)
    table = {}
    for arm in MEN_ARMS:
        rows = bands[bands["arm"] == arm].set_index("day")
        table[arm] = {day: float(rows.loc[day, "mean"]) for day in MEN_DAYS}
    baseline = result.trajectory_bands("density_per_cm2")
    base = baseline[(baseline["arm"] == "untreated") & (baseline["day"] == 0)]["mean"]
    table["baseline hairs/cm2"] = float(base.iloc[0])
    return table


def women_time_course(n: int, seed: int, params) -> dict[int, dict[str, float]]:
    years = range(0, 15, 2)
    days = [round(y * 365.25 / STEP_DAYS) * STEP_DAYS for y in years]
    trial = {
        "name": "time course, women 25-45 Ludwig I",
        "n_per_arm": n,
        "population": {"sex": "female", "age_years": [25, 45], "stage": "I"},
        "target_area": {"region": "midscalp", "area_cm2": 1.0},
        "observe_every_days": STEP_DAYS,
        "arm": [{"name": "untreated"}],
        "endpoint": [
            {"measure": "value", "column": column, "day": days[-1]}
            for column in ("kenogen_fraction", "density_per_cm2", "thin_share_percent")
        ],
    }
    result = run_trial(trial, seed=seed, params=params)
    rows = {}
    obs = result.observations
    for year, day in zip(years, days, strict=True):
        at = obs[obs["day"] == day]
        rows[year] = {
            "mean Ludwig stage": float(at["stage"].mean()),
            "share >= II": float((at["stage"] >= 2).mean()),
            "kenogen share": float(at["kenogen_fraction"].mean()),
            "thin share": float(at["thin_share_percent"].mean()) / 100,
            "hairs/cm2": float(at["density_per_cm2"].mean()),
        }
    return rows


def men_prevalence(n: int, seed: int, params) -> dict[int, float]:
    out = {}
    for age in range(20, 81, 10):
        trial = {
            "name": f"prevalence at {age}",
            "n_per_arm": n,
            "population": {"sex": "male", "age_years": age},
            "arm": [{"name": "untreated"}],
            "endpoint": [{"measure": "fraction_with_pattern_loss", "day": 0}],
        }
        result = run_trial(trial, seed=seed, params=params)
        out[age] = float(result.arms["mean"].iloc[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-arm", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--parameters", default=None, help="a parameter set TOML")
    parser.add_argument(
        "--stage",
        default="III to III vertex",
        help="men's Norwood stage range at entry ('III vertex to V': the Kaufman 1998 men)",
    )
    parser.add_argument("--only", choices=("men", "women", "prevalence"), action="append")
    args = parser.parse_args()
    params = DEFAULT_PARAMETERS
    if args.parameters:
        from follicle.trials.calibrate import load_parameter_set

        params = load_parameter_set(args.parameters).params
    parts = args.only or ["men", "women", "prevalence"]
    start = time.perf_counter()
    if "men" in parts:
        table = men_time_course(args.n_per_arm, args.seed, params, args.stage)
        print(
            f"Men 25-35, Norwood {args.stage}, vertex 1 cm2, n={args.n_per_arm}/arm, "
            f"seed {args.seed}"
        )
        print(f"baseline {table.pop('baseline hairs/cm2'):.1f} hairs/cm2 (untreated arm)")
        print("mean change in hairs/cm2 (simulated scalp, no count error) at years:")
        header = " ".join(f"{d / 365.25:>6.2f}" for d in MEN_DAYS)
        print(f"{'arm':<20} {header}")
        for arm, values in table.items():
            print(f"{arm:<20} " + " ".join(f"{values[d]:>6.1f}" for d in MEN_DAYS))
        untreated = table["untreated"]
        rate_early = untreated[728] / 2.0
        rate_late = (untreated[3640] - untreated[1820]) / ((3640 - 1820) / 365.25)
        print(f"untreated loss rate /cm2/year: years 0-2 {rate_early:.1f}, 5-10 {rate_late:.1f}")
    if "women" in parts:
        rows = women_time_course(args.n_per_arm, args.seed, params)
        print(f"\nWomen 25-45, Ludwig I, midscalp 1 cm2, untreated, n={args.n_per_arm}")
        keys = list(next(iter(rows.values())))
        print(f"{'year':<5} " + " ".join(f"{k:>18}" for k in keys))
        for year, row in rows.items():
            print(f"{year:<5} " + " ".join(f"{row[k]:>18.3f}" for k in keys))
    if "prevalence" in parts:
        out = men_prevalence(args.n_per_arm, args.seed, params)
        print(f"\nMen, pattern loss (Norwood >= II) by age, n={args.n_per_arm} per age")
        print(" ".join(f"{age}: {value:.2f}" for age, value in out.items()))
    print(f"\n({time.perf_counter() - start:.0f} s; {np.__name__} engine)")


if __name__ == "__main__":
    main()
