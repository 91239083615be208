"""``validate``: run every target of a targets file as a virtual trial; model vs published.

Targets with the same population and target area share one trial (the union of their
arms and endpoints), so each arm is simulated once. Every trial uses the same seed
(common random numbers: calibration compares parameter sets on the same people).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.trials import predictive, statistics
from follicle.trials.calibration_config import informed_targets, target_roles
from follicle.trials.cohorts import SensitivityDistribution
from follicle.trials.execution import dask_client, execute
from follicle.trials.run import assemble, plan_tasks
from follicle.trials.targets import Target, TargetsFile, load_targets
from follicle.trials.trial_file import BINARY_MEASURES, Trial, parse_trial

if TYPE_CHECKING:  # ensemble -> calibrate -> validate: imported where used
    from follicle.trials.ensemble import Ensemble


@dataclass(frozen=True)
class ValidationReport:
    """``table``: one row per target; ``trials``: the TrialResults behind it."""

    table: pd.DataFrame
    provenance: dict[str, Any] = field(repr=False)
    trials: list = field(repr=False, default_factory=list)

    @property
    def passed(self) -> int:
        return int(self.table["pass"].sum())

    def passed_by_role(self) -> dict[str, dict[str, int]]:
        """Per role ("fit": calibration used them; "holdout": no fit did): passed, total."""
        roles = self.table["role"] if "role" in self.table else pd.Series(dtype=str)
        return {
            role: {
                "passed": int(self.table.loc[roles == role, "pass"].sum()),
                "total": int((roles == role).sum()),
            }
            for role in ("fit", "holdout")
        }

    def to_dict(self) -> dict[str, Any]:
        rows = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in self.table.to_dict(orient="records")
        ]
        return {
            "provenance": self.provenance,
            "targets": rows,
            "passed": self.passed,
            "total": len(self.table),
            "passed_by_role": self.passed_by_role(),
            "predictive": self.predictive(),
        }

    def predictive(self) -> dict[str, Any] | None:
        """The posterior predictive check in short (None when no ensemble was run):
        level, members, people per arm, what the intervals include, and how many
        published values lie inside their interval (and how many intervals had no spread
        to judge one by)."""
        used = self.provenance.get("predictive")
        if not used or "published_in_predictive" not in self.table:
            return None
        inside = self.table["published_in_predictive"]
        spread = self.table["predictive_high"] > self.table["predictive_low"]
        return {
            "level": used["level"],
            "members": used["members"],
            "n_per_arm": used["n_per_arm"],
            "includes": used["includes"],
            "ensemble_matches_model": used["ensemble_matches_model"],
            "inside": int((inside == True).sum()),  # noqa: E712 (None: no value)
            "total": int(inside.notna().sum()),
            # a zero-width interval (no member varies it) cannot judge a published value
            "not_judged": int(
                (inside.isna() & ~spread & self.table["predictive_low"].notna()).sum()
            ),
        }


def _endpoint_dict(target: Target) -> dict:
    measure, column = target.measure_and_column
    endpoint = {
        "name": _label(target),
        "measure": measure,
        "column": column,
        "day": target.day,
        "baseline_day": target.baseline_day,
    }
    if target.min_stage is not None:
        endpoint["min_stage"] = target.min_stage
    if measure == "fraction_regrown":
        endpoint["min_fraction_of_baseline"] = target.min_fraction_of_baseline
    return endpoint


def _label(target: Target) -> str:
    measure, column = target.measure_and_column
    stage = f" >= {target.min_stage}" if target.min_stage else ""
    if measure == "fraction_regrown":
        stage += f" >= {target.min_fraction_of_baseline:g} of baseline"
    return f"{measure} {column}{stage} day {target.day} from {target.baseline_day}"


def _observation_step(members: list[Target]) -> int | None:
    """The finest observation step a group's targets ask for (None: the trial's default);
    it must divide every endpoint day of the group, so it is reduced to a divisor."""
    asked = [t.observe_every_days for t in members if t.observe_every_days is not None]
    if not asked:
        return None
    step = min(asked)
    days = [d for t in members for d in (t.day, t.baseline_day)]
    while any(day % step for day in days):
        step -= 1
    return step


def build_trials(
    targets: TargetsFile, *, n_per_arm: int, block_size: int = 50
) -> list[tuple[Trial, list[Target]]]:
    """One trial per (population, target area): the union of its targets' arms/endpoints."""
    groups: dict[str, list[Target]] = {}
    for target in targets.target:
        groups.setdefault(targets.population_key(target), []).append(target)
    trials = []
    for index, members in enumerate(groups.values()):
        arms = list(dict.fromkeys(arm for t in members for arm in t.arms))
        endpoints = list({_label(t): _endpoint_dict(t) for t in members}.values())
        first = members[0]
        data = {
            "name": f"targets group {index + 1}: " + ", ".join(t.id for t in members),
            "n_per_arm": n_per_arm,
            "block_size": block_size,
            "population": first.population.model_dump(mode="json", exclude_none=True),
            "target_area": first.target_area.model_dump(),
            "arm": [{"name": arm, "regimen": targets.regimen_for(arm)} for arm in arms],
            "endpoint": endpoints,
            "improvement": targets.improvement.model_dump(),
        }
        step = _observation_step(members)
        if step is not None:
            data["observe_every_days"] = step
        trials.append((parse_trial(data, source=f"targets group {index + 1}"), members))
    return trials


def _model_value(result, target: Target) -> tuple[float, float, float]:
    label = _label(target)
    measure, column = target.measure_and_column
    binary = measure in BINARY_MEASURES
    values = result.values
    arm_values = [values.loc[values["arm"] == arm, label].to_numpy() for arm in target.arms]
    if target.statistic == "sd":
        return statistics.standard_deviation(arm_values[0])
    if target.statistic == "day_of_peak":
        bands = result.trajectory_bands(column)
        arm = bands[(bands["arm"] == target.arms[0]) & (bands["day"] > target.baseline_day)]
        arm = arm[arm["day"] <= target.day]
        return statistics.day_of_peak(
            arm["day"].to_numpy(float),
            arm["mean"].to_numpy(float),
            arm["std"].to_numpy(float) / np.sqrt(arm["count"].to_numpy(float)),
        )
    if target.is_difference:
        diff = statistics.difference(arm_values[-1], arm_values[0], binary=binary)
        return diff.difference, diff.ci_low, diff.ci_high
    summary = statistics.summarize(arm_values[0], binary=binary)
    return summary.mean, summary.ci_low, summary.ci_high


@dataclass(frozen=True)
class _Run:
    """One pass over the target trials: the point run or one ensemble member's."""

    seed: int
    params: ModelParameters
    sensitivity: dict[str, SensitivityDistribution]
    plans: list
    member: int | None = None


def _ensemble_runs(
    ensemble, *, targets, members, members_n_per_arm, seed, params, sensitivity, level
) -> tuple[list[_Run], dict[str, Any] | None]:
    """The member runs of a predictive check and what the provenance says about them."""
    if ensemble is False or ensemble is None:
        return [], None
    from follicle.trials.calibrate import ParameterSet
    from follicle.trials.cohorts import DEFAULT_SENSITIVITY
    from follicle.trials.ensemble import DEFAULT_ENSEMBLE, Ensemble, load_ensemble
    from follicle.trials.ensemble_trial import choose_members

    source = DEFAULT_ENSEMBLE if ensemble is True else ensemble
    if not isinstance(source, Ensemble):
        source = load_ensemble(source)
    if not 1 <= members <= len(source):
        raise FollicleInputError("members", members, f"a whole number from 1 to {len(source)}")
    if not 2 <= members_n_per_arm <= 10_000_000:
        raise FollicleInputError("members_n_per_arm", members_n_per_arm, "2 to 10000000")
    if not 0 < level < 1:
        raise FollicleInputError("level", level, "a share between 0 and 1 (e.g. 0.9)")
    base = ParameterSet(params, {**DEFAULT_SENSITIVITY, **(sensitivity or {})})
    varies_population = any(name.startswith("population.") for name in source.free)
    plans = build_trials(targets, n_per_arm=members_n_per_arm)
    runs = []
    for position, index in enumerate(choose_members(source, members, seed)):
        member = source.parameter_set(index, base)
        runs.append(
            _Run(
                predictive.member_seed(seed, position),
                member.params,
                member.sensitivity if varies_population else dict(sensitivity or {}),
                plans,
                index,
            )
        )
    used = {
        "level": level,
        "members": members,
        "members_used": [run.member for run in runs],
        "member_seeds": [run.seed for run in runs],
        "n_per_arm": members_n_per_arm,
        "ensemble_members": len(source),
        "ensemble_created": source.provenance.get("created"),
        "ensemble_free": list(source.free),
        "ensemble_matches_model": source.matches(params),
        "includes": predictive.includes(
            members=members, ensemble_size=len(source), n_per_arm=members_n_per_arm
        ),
    }
    return runs, used


def _member_values(runs, results, spans) -> dict[str, tuple[list[float], list[float]]]:
    """Per target id: each member trial's model value and its standard error."""
    values: dict[str, tuple[list[float], list[float]]] = {}
    position = 0
    for run in runs:
        for trial, targets in run.plans:
            start, stop, override = spans[position]
            position += 1
            result = assemble(
                trial, run.seed, run.params, results[start:stop], sensitivity=override
            )
            for target in targets:
                model, low, high = _model_value(result, target)
                into = values.setdefault(target.id, ([], []))
                into[0].append(model)
                into[1].append((high - low) / (2 * 1.959964))
    return values


PREDICTIVE_COLUMNS = (
    "predictive_low",
    "predictive_median",
    "predictive_high",
    "predictive_members",
    "predictive_sampling_se",
    "predictive_parameter_sd",
    "published_in_predictive",
)


def _predictive_columns(target: Target, member_values, level: float) -> dict[str, Any]:
    if target.id not in member_values:
        return {}
    values, errors = member_values[target.id]
    interval = predictive.predictive_interval(values, errors, level=level)
    low, high = (target.range or (None, None)) if target.kind == "range" else (None, None)
    inside = interval.contains(centre=target.centre, range_low=low, range_high=high)
    return dict(
        zip(
            PREDICTIVE_COLUMNS,
            (
                interval.low,
                interval.median,
                interval.high,
                interval.members,
                interval.sampling_se,
                interval.parameter_sd,
                inside,
            ),
            strict=True,
        )
    )


# Validation draws other virtual people than calibration (calibrate.CALIBRATION_SEED), so
# the default report is a check on people the fit never saw.
VALIDATION_SEED = 2


def validate(
    targets: TargetsFile | str | Path | None = None,
    *,
    n_per_arm: int = 200,
    seed: int = VALIDATION_SEED,
    params: ModelParameters | None = None,
    sensitivity: dict[str, SensitivityDistribution] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[float], None] | None = None,
    ensemble: Ensemble | str | Path | bool = False,
    members: int = predictive.DEFAULT_MEMBERS,
    members_n_per_arm: int = predictive.DEFAULT_MEMBERS_N_PER_ARM,
    level: float = predictive.DEFAULT_LEVEL,
) -> ValidationReport:
    """Run every target; model value (with its 95% CI) vs the published value.

    With ``ensemble`` (an ``Ensemble``, a path, or True for the shipped one) also each
    target's posterior predictive interval (``level``, default the central 90%) over
    ``members`` member trials of ``members_n_per_arm`` people per arm, each with its own
    seed stream (``follicle.trials.predictive``), and whether the published value lies in it.
    """
    targets_source = targets
    if not isinstance(targets, TargetsFile):
        targets = load_targets(targets)
    params = params or DEFAULT_PARAMETERS
    plans = build_trials(targets, n_per_arm=n_per_arm)
    runs = [_Run(seed, params, sensitivity or {}, plans)]
    chosen, used = _ensemble_runs(
        ensemble,
        targets=targets,
        members=members,
        members_n_per_arm=members_n_per_arm,
        seed=seed,
        params=params,
        sensitivity=sensitivity,
        level=level,
    )
    runs += chosen
    all_tasks, spans = [], []
    for run in runs:
        for trial, _ in run.plans:
            override = run.sensitivity.get(trial.population.sex)
            tasks = plan_tasks(trial, seed=run.seed, params=run.params, sensitivity=override)
            spans.append((len(all_tasks), len(all_tasks) + len(tasks), override))
            all_tasks += tasks
    if client is not None:
        results = execute(all_tasks, client=client, progress=progress)
    else:
        with dask_client(workers=workers, scheduler=scheduler) as new_client:
            results = execute(all_tasks, client=new_client, progress=progress)
    member_values = _member_values(runs[1:], results, spans[len(plans) :])
    rows, trial_results = [], []
    roles, informed = target_roles(targets), informed_targets()
    for (trial, members), (start, stop, override) in zip(plans, spans[: len(plans)], strict=True):
        result = assemble(trial, seed, params, results[start:stop], sensitivity=override)
        trial_results.append(result)
        for target in members:
            model, low, high = _model_value(result, target)
            rows.append(
                {
                    "id": target.id,
                    "role": roles[target.id],
                    "informed": target.id in informed,
                    "endpoint": target.endpoint,
                    "arms": " vs ".join(target.arms),
                    "day": target.day,
                    "kind": target.kind,
                    "published": target.centre,
                    "tolerance": target.allowed,
                    "range_low": target.range[0] if target.range else math.nan,
                    "range_high": target.range[1] if target.range else math.nan,
                    "model": model,
                    "model_ci_low": low,
                    "model_ci_high": high,
                    "n_per_arm": n_per_arm,
                    "pass": bool(np.isfinite(model) and target.passes(model)),
                    **_predictive_columns(target, member_values, level),
                    "source": target.source,
                }
            )
    from follicle.provenance import envelope, input_record

    provenance = envelope(
        "validate",
        seed=seed,
        parameters=params.to_dict(),
        inputs=[
            input_record(
                "targets", targets_source if isinstance(targets_source, str | Path) else targets
            )
        ],
        n_per_arm=n_per_arm,
        roles="fit: calibration may use the target; holdout: no fit sees it "
        "(data/calibration.toml); informed: a held-out target after whose misses a model "
        "change was looked for (its pass is weaker evidence)",
        sensitivity_distribution={
            sex: value.model_dump() for sex, value in (sensitivity or {}).items()
        },
        predictive=used,
    )
    return ValidationReport(pd.DataFrame(rows), provenance, trial_results)
