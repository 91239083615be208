"""A virtual trial run over members of the calibration ensemble: power with parameter
uncertainty.

One trial at fixed parameters answers "if the model's parameters were exactly these, how
large is the effect and how many people per arm detect it". Over the ensemble, each member
runs the same trial on the same virtual people (the trial's seed: common random numbers),
so the spread between members is what the evidence leaves open about the parameters. Per
endpoint and treated arm: the difference and the people per arm for 80% power as the
median and 10-90% over members, and the share of members whose trial is significant at
5% (two-sided): a simulation estimate of the trial's assurance (power averaged over the
posterior), with its binomial standard error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.trials.ensemble import Ensemble
from follicle.trials.run import run_trial
from follicle.trials.trial_file import Trial


@dataclass(frozen=True)
class EnsembleTrialResult:
    summary: pd.DataFrame  # endpoint, arm, members, difference_p10/50/90, n80_p10/50/90, ...
    per_member: pd.DataFrame  # the comparisons of every member's trial, with ``member``
    provenance: dict[str, Any]

    @property
    def includes(self) -> list[str]:
        return list(self.provenance["includes"])

    def to_dict(self) -> dict[str, Any]:
        def clean(frame):
            return [
                {
                    k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in row.items()
                }
                for row in frame.to_dict(orient="records")
            ]

        return {
            "provenance": self.provenance,
            "format": "follicle.ensemble-trial/1",
            "includes": self.includes,
            "summary": clean(self.summary),
            "per_member": clean(self.per_member),
        }


def choose_members(ensemble: Ensemble, count: int, seed: int) -> list[int]:
    """``count`` distinct member indices, a seeded permutation of the ensemble."""
    if not 1 <= count <= len(ensemble):
        raise FollicleInputError("members", count, f"a whole number from 1 to {len(ensemble)}")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(10**6,)))
    return [int(i) for i in rng.permutation(len(ensemble))[:count]]


def run_trial_over_ensemble(
    trial: Trial,
    *,
    ensemble: Ensemble,
    members: int = 10,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[float], None] | None = None,
) -> EnsembleTrialResult:
    """Run ``trial`` once per chosen member (same people, the member's parameters)."""
    from follicle.trials.execution import dask_client

    if not isinstance(trial, Trial):
        raise FollicleInputError("trial", type(trial).__name__, "a Trial (load_trial(path))")
    seed = trial.seed if seed is None else seed
    if seed is None:
        raise FollicleInputError("seed", seed, "a whole number >= 0 (in the file or --seed)")
    chosen = choose_members(ensemble, members, seed)
    frames = []
    with dask_client(workers=workers, scheduler=scheduler) as new_client:
        dask = client or new_client
        for position, index in enumerate(chosen):
            pset = ensemble.parameter_set(index)
            varies_population = any(name.startswith("population.") for name in ensemble.free)
            result = run_trial(
                trial,
                seed=seed,
                params=pset.params,
                sensitivity=(
                    pset.sensitivity.get(trial.population.sex) if varies_population else None
                ),
                client=dask,
                progress=(
                    None
                    if progress is None
                    else lambda done, p=position: progress((p + done) / len(chosen))
                ),
            )
            frames.append(result.comparisons.assign(member=index))
    per_member = pd.concat(frames, ignore_index=True)
    rows = []
    for (endpoint, arm), group in per_member.groupby(["endpoint", "arm"], sort=False):
        diff = group["difference"].to_numpy(float)
        needed = group["n_per_arm_for_80pct_power"].to_numpy(float)
        needed = np.where(needed > 0, needed, np.nan)
        significant = float(np.mean(group["p_value"].to_numpy(float) < 0.05))
        rows.append(
            {
                "endpoint": endpoint,
                "arm": arm,
                "members": len(group),
                "difference_p10": float(np.nanpercentile(diff, 10)),
                "difference_p50": float(np.nanpercentile(diff, 50)),
                "difference_p90": float(np.nanpercentile(diff, 90)),
                "n80_p10": _percentile(needed, 10),
                "n80_p50": _percentile(needed, 50),
                "n80_p90": _percentile(needed, 90),
                "share_significant": significant,
                "share_significant_se": math.sqrt(significant * (1 - significant) / len(group)),
            }
        )
    from follicle.provenance import envelope, input_record

    provenance = envelope(
        "run_trial_over_ensemble",
        seed=seed,
        parameters=ensemble.parameter_set(chosen[0]).params.to_dict()
        | {name: [ensemble.values(i)[name] for i in chosen] for name in ensemble.free},
        inputs=[input_record("trial", trial), input_record("ensemble", ensemble.to_dict())],
        n_per_arm=trial.n_per_arm,
        trial=trial.model_dump(mode="json"),
        members_used=chosen,
        ensemble_members=len(ensemble),
        ensemble_created=ensemble.created,
        includes=[
            f"parameter uncertainty ({len(chosen)} members of an ensemble of {len(ensemble)})",
            "between-person variation (the trial's virtual people, the same for every member)",
            "sampling of the trial's people and follicle-level stochasticity",
            "the trial's measurement model (count error)",
        ],
    )
    return EnsembleTrialResult(pd.DataFrame(rows), per_member, provenance)


def _percentile(values: np.ndarray, q: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.percentile(finite, q)) if len(finite) else math.nan
