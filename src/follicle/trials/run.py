"""``run_trial``: a virtual clinical trial from a trial file, with statistics and provenance."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.sim.engines import check_engine
from follicle.trials import statistics, summary
from follicle.trials.cohorts import SensitivityDistribution
from follicle.trials.endpoints import DEFAULT_MIN_STAGE
from follicle.trials.execution import BlockTask, dask_client, execute
from follicle.trials.staging import parse_stage_range
from follicle.trials.trial_file import BINARY_MEASURES, Trial, load_trial, parse_trial
from follicle.vocabulary import current_name

TRAJECTORY_COLUMNS = ("hairs", "non_vellus_per_cm2", "terminal_per_cm2", "thin_share_percent")


@dataclass(frozen=True, eq=False)
class TrialResult:
    """What ``run_trial`` returns. Tables are pandas DataFrames.

    - ``people``: one row per person (arm, person, age, sensitivity, density, baseline stage)
    - ``observations``: the target area per person and observation day (+ ``stage``);
      only the first ``keep_observations_per_arm`` people per arm when the trial says so
    - ``values``: one row per person, one column per endpoint
    - ``moments``: per arm, column, kind (value or change from day 0) and day: count,
      mean and M2 over every person (``trajectory_bands`` reads them)
    - ``stage_counts``: per arm, year of age and stage code: people (trials with stages)
    - ``arms``: per endpoint and arm: n, mean, SD, 95% CI
    - ``comparisons``: per endpoint and non-control arm: difference vs control, 95% CI,
      p-value, and people per arm needed to detect that difference at 80% power
    """

    trial: Trial
    seed: int
    people: pd.DataFrame
    observations: pd.DataFrame
    values: pd.DataFrame
    moments: pd.DataFrame
    stage_counts: pd.DataFrame
    arms: pd.DataFrame
    comparisons: pd.DataFrame
    candidates: dict[str, int]
    provenance: dict[str, Any] = field(repr=False)

    def endpoint(self, label: str) -> pd.DataFrame:
        return self.arms[self.arms["endpoint"] == label]

    def trajectory_bands(
        self, column: str = "non_vellus_per_cm2", *, change: bool = False
    ) -> pd.DataFrame:
        """Per arm and day: mean, SD, count and 95% CI of the mean over every person (of
        each person's change from day 0 when ``change``), and the 10th and 90th
        percentiles over the people whose observations were kept (everyone by default;
        ``keep_observations_per_arm`` in the trial file)."""
        column = current_name(column, where="trajectory_bands column")
        kind = "change" if change else "value"
        columns = sorted(self.moments.index.get_level_values("column").unique())
        if column not in columns:
            raise FollicleInputError("column", column, f"one of {columns}")
        moments = self.moments.xs((column, kind), level=("column", "kind"))
        frame = moments.assign(
            std=np.sqrt(moments["m2"] / (moments["count"] - 1).where(moments["count"] > 1))
        )[["mean", "std", "count"]]
        half = 1.96 * frame["std"] / np.sqrt(frame["count"])
        frame["ci_low"], frame["ci_high"] = frame["mean"] - half, frame["mean"] + half
        quantiles = self._kept_quantiles(column, change=change)
        frame = frame.join(quantiles, how="left")
        return frame.reset_index()[
            ["arm", "day", "mean", "std", "count", "p10", "p90", "ci_low", "ci_high"]
        ]

    def _kept_quantiles(self, column: str, *, change: bool) -> pd.DataFrame:
        obs = self.observations[["arm", "person", "day", column]]
        if obs.empty:
            index = self.moments.index.droplevel(["column", "kind"]).unique()
            return pd.DataFrame({"p10": np.nan, "p90": np.nan}, index=index)
        if change:
            delta = summary.change_from_first_day(obs, column, keys=("arm", "person"))
            obs = obs.assign(**{column: delta})
        grouped = obs.groupby(["arm", "day"], sort=False)[column]
        return pd.DataFrame({"p10": grouped.quantile(0.1), "p90": grouped.quantile(0.9)})

    def prevalence_by_age(self, *, min_stage: str | None = None) -> pd.DataFrame:
        """Per arm and whole year of age (age at baseline + day): people observed and the
        share at ``min_stage`` or beyond (default Hamilton-Norwood II / Ludwig I)."""
        if self.stage_counts.empty:
            raise FollicleInputError(
                "prevalence_by_age",
                self.trial.name,
                "a trial with stages (a stage range or a fraction_with_pattern_loss endpoint)",
            )
        sex = self.trial.population.sex
        low = parse_stage_range(min_stage or DEFAULT_MIN_STAGE[sex], sex)[0]
        counts = self.stage_counts.reset_index()
        counts["loss"] = counts["people"].where(counts["stage"] >= low, 0)
        table = counts.groupby(["arm", "age_years"], sort=False)[["people", "loss"]].sum()
        table["prevalence"] = table["loss"] / table["people"]
        return table.drop(columns="loss").reset_index()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (docs/trials.md, "JSON")."""
        stages = (
            self.people.groupby("arm", sort=False)["baseline_stage"]
            .value_counts()
            .unstack(fill_value=0)
        )
        return {
            "provenance": self.provenance,
            "trial": self.trial.name,
            "seed": self.seed,
            "n_per_arm": self.trial.n_per_arm,
            "target_area": self.trial.target_area.label,
            "endpoints": _records(self.arms),
            "comparisons": _records(self.comparisons),
            "candidates_per_arm": self.candidates,
            "baseline_stages": {
                arm: {k: int(v) for k, v in row.items() if k} for arm, row in stages.iterrows()
            },
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]


def _as_trial(trial) -> Trial:
    if isinstance(trial, Trial):
        return trial
    if isinstance(trial, dict):
        return parse_trial(trial)
    if isinstance(trial, str | Path):
        return load_trial(trial)
    raise FollicleInputError("trial", type(trial).__name__, "a Trial, a dict or a TOML path")


def plan_tasks(
    trial: Trial,
    *,
    seed: int,
    params: ModelParameters,
    sensitivity: SensitivityDistribution | None = None,
    engine: str | None = None,
) -> list[BlockTask]:
    """The fixed blocks of every arm: block b of arm a holds people b*size ... ."""
    needs_stage = trial.population.stage is not None or any(
        e.measure == "fraction_with_pattern_loss" or e.column == "stage" for e in trial.endpoint
    )
    columns = {"area_cm2", "stage", trial.improvement.column, *TRAJECTORY_COLUMNS}
    columns |= {e.column for e in trial.endpoint}
    tasks = []
    # paired: one task per block carries every arm (arm 0's streams, branched per arm)
    arms = trial.arm[:1] if trial.paired else trial.arm
    paired_regimens = tuple(arm.regimen for arm in trial.arm) if trial.paired else ()
    for a, arm in enumerate(arms):
        for b, start in enumerate(range(0, trial.n_per_arm, trial.block_size)):
            size = min(trial.block_size, trial.n_per_arm - start)
            tasks.append(
                BlockTask(
                    arm_index=a,
                    block_index=b,
                    size=size,
                    seed=seed,
                    population=trial.population,
                    regimen=arm.regimen,
                    days=trial.duration_days,
                    observe_every_days=trial.observation_step_days,
                    target_region=trial.target_area.region,
                    target_area_cm2=trial.target_area.area_cm2,
                    staging_patch_cm2=trial.staging_patch_cm2 if needs_stage else None,
                    params=params,
                    max_candidates=math.ceil(trial.max_candidates_factor * size),
                    sensitivity=sensitivity,
                    columns=tuple(sorted(columns)),
                    endpoints=trial.endpoint,
                    improvement=trial.improvement,
                    first_person=start,
                    keep_observations=trial.keep_observations_per_arm,
                    paired_regimens=paired_regimens,
                    engine=engine,
                )
            )
    return tasks


def run_trial(
    trial: Trial | dict | str | Path,
    *,
    seed: int | None = None,
    params: ModelParameters | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    sensitivity: SensitivityDistribution | None = None,
    progress: Callable[[float], None] | None = None,
    paired: bool | None = None,
    engine: str | None = None,
) -> TrialResult:
    """Run a virtual trial (a ``Trial``, a dict or a trial TOML path).

    ``seed`` overrides the file's seed (one is required). ``workers=None`` runs serially;
    ``workers=N`` on a local Dask cluster of N processes; ``scheduler="tcp://..."`` on an
    existing cluster; ``client`` reuses a Dask client. Results are identical in all cases.
    ``paired`` overrides the file's ``paired`` (the same people in every arm, their past
    simulated once; comparisons then use the paired differences).
    ``engine``: ``"numba"`` or ``"numpy"`` (None: the default, ``follicle.sim.engines``).
    """
    trial = _as_trial(trial)
    if paired is not None and paired != trial.paired:
        trial = trial.model_copy(update={"paired": bool(paired)})
    seed = trial.seed if seed is None else seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise FollicleInputError("seed", seed, "a whole number >= 0 (in the file or --seed)")
    params = params or DEFAULT_PARAMETERS
    engine = check_engine(engine)  # resolved here: every worker runs the same engine
    tasks = plan_tasks(trial, seed=seed, params=params, sensitivity=sensitivity, engine=engine)
    if client is not None:
        results = execute(tasks, client=client, progress=progress)
    else:
        with dask_client(workers=workers, scheduler=scheduler) as new_client:
            results = execute(tasks, client=new_client, progress=progress)
    return assemble(trial, seed, params, results, sensitivity=sensitivity, engine=engine)


def assemble(trial, seed, params, results, *, sensitivity=None, engine=None) -> TrialResult:
    """Concatenate blocks in order and compute endpoints and statistics."""
    # a paired task's result is its arms' blocks: put every block in (arm, block) order
    flat = [r for item in results for r in (item if isinstance(item, list) else [item])]
    results = sorted(flat, key=lambda r: (r.arm_index, r.block_index))
    people, observations, value_frames, candidates = [], [], [], {}
    moments: dict[str, list] = {arm.name: [] for arm in trial.arm}
    counts: dict[str, list] = {arm.name: [] for arm in trial.arm}
    for result in results:
        arm = trial.arm[result.arm_index].name
        offset = result.block_index * trial.block_size
        for frame, into in (
            (result.people, people),
            (result.observations, observations),
            (result.values, value_frames),
        ):
            into.append(frame.assign(person=frame["person"] + offset, arm=arm))
        moments[arm].append(result.moments)
        counts[arm].append(result.stage_counts)
        candidates[arm] = candidates.get(arm, 0) + result.candidates
    people_frame = _arm_first(pd.concat(people, ignore_index=True))
    obs_frame = _arm_first(pd.concat(observations, ignore_index=True))
    value_frame = _arm_first(pd.concat(value_frames, ignore_index=True))
    moment_frame = pd.concat(
        {arm: summary.merge_moments(parts) for arm, parts in moments.items()}, names=["arm"]
    )
    count_frame = pd.concat(
        {arm: summary.merge_counts(parts) for arm, parts in counts.items()}, names=["arm"]
    )
    values = {
        arm.name: {
            e.label: value_frame.loc[value_frame["arm"] == arm.name, e.label].to_numpy()
            for e in trial.endpoint
        }
        for arm in trial.arm
    }
    arm_rows, comparison_rows = [], []
    control = trial.control
    for e in trial.endpoint:
        binary = e.measure in BINARY_MEASURES
        for arm in trial.arm:
            stats = statistics.summarize(values[arm.name][e.label], binary=binary)
            arm_rows.append({"endpoint": e.label, "arm": arm.name, **stats.to_dict()})
        base = values[control][e.label]
        for arm in trial.arm:
            if arm.name == control:
                continue
            treated = values[arm.name][e.label]
            if trial.paired:  # the same people in both arms, in the same order
                diff = statistics.paired_difference(treated, base, binary=binary)
            else:
                diff = statistics.difference(treated, base, binary=binary)
            if binary:
                needed = statistics.sample_size_two_proportions(
                    float(np.nanmean(treated)), float(np.nanmean(base))
                )
            else:
                pooled = math.sqrt((np.nanvar(treated, ddof=1) + np.nanvar(base, ddof=1)) / 2)
                needed = statistics.sample_size_two_means(diff.difference, pooled)
            comparison_rows.append(
                {
                    "endpoint": e.label,
                    "arm": arm.name,
                    "control": control,
                    **diff.to_dict(),
                    "n_per_arm_for_80pct_power": needed,
                }
            )
    from follicle.provenance import envelope, input_record

    provenance = envelope(
        "run_trial",
        seed=seed,
        parameters=params.to_dict(),
        inputs=[input_record("trial", trial)],
        block_size=trial.block_size,
        engine=check_engine(engine),
        trial=trial.model_dump(mode="json"),
        sensitivity_distribution=(
            sensitivity.model_dump()
            if sensitivity
            else trial.population.sensitivity_model().model_dump()
        ),
    )
    return TrialResult(
        trial=trial,
        seed=seed,
        people=people_frame,
        observations=obs_frame,
        values=value_frame,
        moments=moment_frame,
        stage_counts=count_frame,
        arms=pd.DataFrame(arm_rows),
        comparisons=pd.DataFrame(
            comparison_rows,
            columns=[
                "endpoint",
                "arm",
                "control",
                "difference",
                "ci_low",
                "ci_high",
                "p_value",
                "n_per_arm_for_80pct_power",
            ],
        ),
        candidates=candidates,
        provenance=provenance,
    )


def _arm_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["arm", *[c for c in frame.columns if c != "arm"]]]
