"""Running trial blocks: serially in this process or as tasks on a Dask cluster.

Determinism contract: an arm's people are split into fixed blocks of ``block_size`` by
person index (never by the number of workers). Block b of arm a draws its candidates and
simulates them with streams spawned from ``SeedSequence(seed, spawn_key=(a, b, round,
k))``; results are concatenated in block order. So a trial gives identical results
serially, on 2 workers or on a cluster of 100.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.model.params import ModelParameters
from follicle.model.regions import REGIONS
from follicle.regimen import Regimen
from follicle.sim.batch import simulate_cohort, simulate_cohort_arms
from follicle.treatments.schedule import compile_regimen
from follicle.trials.cohorts import Population, SensitivityDistribution, draw_candidates
from follicle.trials.endpoints import endpoint_values
from follicle.trials.staging import DEFAULT_RULE, StagingRule, stage_names, stage_table
from follicle.trials.summary import day_moments, stage_counts
from follicle.trials.trial_file import Endpoint, Improvement

DEFAULT_IMPROVEMENT = Improvement()
PEOPLE_COLUMNS = (
    "age_years",
    "androgen_sensitivity",
    "follicle_density_per_cm2",
    "treatment_response",
    "dht_drug_response",
)


@dataclass(frozen=True)
class BlockTask:
    """Everything one block needs; small and picklable (sent to Dask workers)."""

    arm_index: int
    block_index: int
    size: int
    seed: int
    population: Population
    regimen: Regimen
    days: int
    observe_every_days: int
    target_region: str
    target_area_cm2: float
    staging_patch_cm2: float | None  # None: no staging patches (no stage needed)
    params: ModelParameters
    max_candidates: int
    sensitivity: SensitivityDistribution | None = None
    rule: StagingRule = DEFAULT_RULE
    columns: tuple[str, ...] | None = None  # observation columns to return (None: all)
    endpoints: tuple[Endpoint, ...] = ()
    improvement: Improvement = DEFAULT_IMPROVEMENT
    first_person: int = 0  # the arm's index of this block's first person
    keep_observations: int | None = None  # return observations of the arm's first N only
    # paired arms: every arm's regimen; the block's people and their history up to day 0
    # are simulated once (with arm 0's streams) and branched into each arm
    paired_regimens: tuple[Regimen, ...] = ()
    engine: str | None = None  # "numba" or "numpy" (follicle.sim.engines); None: default

    @property
    def area(self) -> dict[str, float]:
        area = {}
        if self.staging_patch_cm2 is not None:
            area = dict.fromkeys(REGIONS, self.staging_patch_cm2)
        area[self.target_region] = self.target_area_cm2
        return area


@dataclass(frozen=True)
class BlockResult:
    """One block's people, endpoint values and summaries; ``person`` counts within the
    block. ``observations`` holds only the people ``keep_observations`` asks for."""

    arm_index: int
    block_index: int
    people: pd.DataFrame  # person, age, sensitivity, density, baseline stage
    observations: pd.DataFrame  # person, day, target-area columns (+ stage)
    values: pd.DataFrame  # person, one column per endpoint
    moments: pd.DataFrame  # summary.day_moments of every observed column
    stage_counts: pd.DataFrame | None  # summary.stage_counts (trials with stages)
    candidates: int  # candidates simulated to fill the block


def _seed(task: BlockTask, round_index: int, stream: int) -> np.random.SeedSequence:
    key = (task.arm_index, task.block_index, round_index, stream)
    return np.random.SeedSequence(task.seed, spawn_key=key)


def run_block(task: BlockTask) -> BlockResult:
    """Draw, simulate and (if asked) stage people until the block holds ``task.size``."""
    if task.paired_regimens:
        raise ValueError("a paired task runs with run_paired_block")
    return _run_arms(task, (task.regimen,))[0]


def run_paired_block(task: BlockTask) -> list[BlockResult]:
    """One block of every arm at once: the same people, their history simulated once and
    branched into each arm's regimen (``task.paired_regimens``); one result per arm.
    Arm 0's block is exactly the unpaired block 0 of arm 0 (the same streams)."""
    return _run_arms(task, task.paired_regimens)


def run_task(task: BlockTask) -> BlockResult | list[BlockResult]:
    """A task's result: its block, or the list of its arms' blocks for a paired task."""
    return run_paired_block(task) if task.paired_regimens else run_block(task)


def _run_arms(task: BlockTask, regimens: tuple[Regimen, ...]) -> list[BlockResult]:
    stage_range = task.population.stage_range
    scalp_area = float(sum(task.params.region_area_cm2.values()))
    people, tried, accepted, round_index = [], 0, 0, 0
    tables: list[list[pd.DataFrame]] = [[] for _ in regimens]
    # the regimens' daily series (deterministic: no draws), for the scalp DHT column
    schedules = [
        compile_regimen(regimen, days=task.days, params=task.params, rng=np.random.default_rng(0))
        for regimen in regimens
    ]
    while accepted < task.size:
        need = task.size - accepted
        if stage_range is None:
            batch = need
        else:
            if tried >= task.max_candidates:
                raise FollicleInputError(
                    "population.stage",
                    task.population.stage,
                    f"a stage reachable in this population: only {accepted} of {tried} "
                    "candidates were in range at baseline",
                )
            rate = accepted / tried if tried else 0.5
            batch = math.ceil(need / max(rate, 0.02) * 1.2) + 2
            batch = max(1, min(batch, task.max_candidates - tried, 20 * task.size))
        candidates = draw_candidates(
            task.population,
            batch,
            _seed(task, round_index, 0),
            sensitivity=task.sensitivity,
            params=task.params,
            target_region=task.target_region,
            target_area_cm2=task.target_area_cm2,
        )
        options = {
            "days": task.days,
            "observe_every_days": task.observe_every_days,
            "area": task.area,
            "seed": _seed(task, round_index, 1),
            "params": task.params,
            "engine": task.engine,
        }
        if len(regimens) == 1:
            cohorts = [simulate_cohort(candidates, regimens[0], **options)]
        else:
            cohorts = simulate_cohort_arms(candidates, list(regimens), **options)
        # one photograph per region and visit: its count error, drawn before enrolment
        # (the same draws in every paired arm: they share the baseline visit)
        factors = count_factors(task, round_index, len(cohorts[0].table))
        keep = None
        for arm, (cohort, schedule) in enumerate(zip(cohorts, schedules, strict=True)):
            table = cohort.table
            table["count_factor"], table["entry_factor"] = factors
            target = table[table["region"] == task.target_region].drop(
                columns=["region", "entry_factor"]
            )
            target = target.sort_values(["person", "day"], kind="stable").reset_index(drop=True)
            target["shed_per_day_scalp"] = target["shed_per_day"] / target["area_cm2"] * scalp_area
            target["scalp_dht_change_percent"] = 100.0 * (schedule.dht_at(target["day"]) - 1.0)
            if task.staging_patch_cm2 is not None:
                stages = stage_table(task.population.sex, table, task.rule)
                target["stage"] = stages.reindex(
                    pd.MultiIndex.from_frame(target[["person", "day"]])
                ).to_numpy()
            if keep is None:  # entry is decided once, on the first arm's baseline visit
                if task.staging_patch_cm2 is not None:
                    # entry is decided on the baseline visit as measured (with count
                    # error), so an arm selected by stage regresses to the mean
                    # (docs/model.md)
                    baseline = measured_baseline_stages(task, table)
                    baseline = baseline.reindex(range(batch)).to_numpy()
                else:
                    baseline = np.full(batch, -1)
                if stage_range is None:
                    keep = np.arange(batch)
                else:
                    keep = np.flatnonzero(
                        (baseline >= stage_range[0]) & (baseline <= stage_range[1])
                    )
                keep = keep[:need]
            if task.columns is not None:
                wanted = ["person", "day", "count_factor"]
                wanted += [c for c in task.columns if c in target.columns]
                target = target[list(dict.fromkeys(wanted))]
            rows = target[target["person"].isin(keep)].copy()
            rows["person"] = (
                rows["person"]
                .map({int(p): accepted + i for i, p in enumerate(keep)})
                .astype("int64")
            )
            if not rows.empty:
                tables[arm].append(rows)
        names = stage_names(task.population.sex)
        chosen = pd.DataFrame([candidates[p] for p in keep], columns=list(PEOPLE_COLUMNS))
        chosen.insert(0, "person", np.arange(accepted, accepted + keep.size))
        chosen["baseline_stage"] = [names[baseline[p]] if baseline[p] >= 0 else "" for p in keep]
        people.append(chosen)
        accepted += keep.size
        tried += batch
        round_index += 1
    people_frame = pd.concat(people, ignore_index=True)
    results = []
    for arm, (regimen, parts) in enumerate(zip(regimens, tables, strict=True)):
        observations = pd.concat(parts, ignore_index=True)
        observations = observations.sort_values(["person", "day"], kind="stable")
        observations = observations.reset_index(drop=True)
        arm_task = task
        if task.paired_regimens:
            arm_task = replace(task, arm_index=arm, regimen=regimen, paired_regimens=())
        results.append(summarize_block(arm_task, people_frame, observations, tried))
    return results


def summarize_block(
    task: BlockTask, people: pd.DataFrame, observations: pd.DataFrame, candidates: int
) -> BlockResult:
    """Endpoint values and summaries of a filled block, and the observations to keep."""
    sex = task.population.sex
    values = pd.DataFrame({"person": np.arange(task.size)})
    counted = with_count_error(task, observations)
    observations = observations.drop(columns="count_factor", errors="ignore")
    for endpoint in task.endpoints:
        source = observations if endpoint.measure in ASSESSED_MEASURES else counted
        values[endpoint.label] = endpoint_values(
            endpoint, source, n=task.size, sex=sex, improvement=task.improvement
        )
    numeric = [
        c
        for c in observations.columns
        if c not in ("person", "day", "area_cm2", "stage")
        and pd.api.types.is_numeric_dtype(observations[c])
    ]
    counts = None
    if "stage" in observations:
        counts = stage_counts(observations, people["age_years"].to_numpy(float))
    kept = observations
    if task.keep_observations is not None:
        limit = task.keep_observations - task.first_person
        kept = observations[observations["person"] < limit].reset_index(drop=True)
    return BlockResult(
        task.arm_index,
        task.block_index,
        people,
        kept,
        values,
        day_moments(observations, numeric),
        counts,
        candidates,
    )


# Columns a trial counts in its target area (phototrichogram, counts on photographs):
# they carry the count error. Shares, diameters, shedding and stages do not.
COUNTED_COLUMNS = (
    "hairs",
    "terminal_hairs",
    "intermediate_hairs",
    "vellus_hairs",
    "non_vellus_hairs",
    "thin_hairs",
    "density_per_cm2",
    "terminal_per_cm2",
    "intermediate_per_cm2",
    "vellus_per_cm2",
    "non_vellus_per_cm2",
)
# Endpoints that stand for a clinician's assessment (global photographs, staging,
# regrowth of a patch) read the simulated scalp itself (docs/trials.md, Endpoints).
ASSESSED_MEASURES = ("fraction_improved", "fraction_with_pattern_loss", "fraction_regrown")


def count_factors(task: BlockTask, round_index: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Measurement factors for ``size`` photographs (person, region, visit): the count's
    1 + cv e (e standard normal, cv = ``count_error_cv``, floored at 0) and the entry
    assessment's 1 + share x cv e (share = ``entry_error_share``: how much of the
    baseline count's error the entry assessment carries; its own error is not
    modelled). Their own stream, so the simulated people are the same with or without
    count error."""
    cv, share = task.params.count_error_cv, task.params.entry_error_share
    if cv == 0:
        return np.ones(size), np.ones(size)
    error = np.random.default_rng(_seed(task, round_index, 2)).standard_normal(size)
    return np.maximum(1.0 + cv * error, 0.0), np.maximum(1.0 + share * cv * error, 0.0)


def measured_baseline_stages(task: BlockTask, table: pd.DataFrame) -> pd.Series:
    """Each candidate's stage on day 0 from the densities as the entry assessment
    measures them (x ``entry_factor``, carrying ``entry_error_share`` of the baseline
    count's error): the stage that decides entry. Indexed by person."""
    rule = task.rule
    day0 = table[table["day"] == 0]
    factor = day0.get("entry_factor", 1.0)
    measured = day0.assign(**{rule.column: day0[rule.column] * factor})
    return stage_table(task.population.sex, measured, rule).xs(0.0, level="day")


def with_count_error(task: BlockTask, observations: pd.DataFrame) -> pd.DataFrame:
    """The target-area counts as a trial measures them: each visit's counts x (1 + e),
    e normal with SD ``count_error_cv``, independent between visits and people, the same
    for every counted column of one visit (one photograph). The factors are the
    ``count_factor`` column when present (drawn before enrolment, ``run_block``), else
    drawn here from the block's stream."""
    present = [c for c in COUNTED_COLUMNS if c in observations.columns]
    if "count_factor" in observations.columns:
        factor = observations["count_factor"].to_numpy(float)
        observations = observations.drop(columns="count_factor")
    else:
        cv = task.params.count_error_cv
        if cv == 0 or not present or observations.empty:
            return observations
        stream = np.random.SeedSequence(
            task.seed, spawn_key=(task.arm_index, task.block_index, 0, 2)
        )
        error = np.random.default_rng(stream).standard_normal(len(observations))
        factor = np.maximum(1.0 + cv * error, 0.0)
    counted = observations.copy()
    for column in present:
        counted[column] = counted[column].to_numpy(float) * factor
    return counted


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A Dask client: on ``scheduler`` if given, else a local cluster of ``workers``
    processes with one thread each; ``None`` when neither is given (serial)."""
    if scheduler is None and not workers:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    if workers < 0:
        raise FollicleInputError("workers", workers, "a whole number >= 0 (0: serial)")
    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in new workers, which turns off
    # glibc's adaptive mmap threshold: every large numpy temporary is then mapped and
    # unmapped afresh, and a block ran 40% slower in a worker than in this process
    # (bench/scaling.py). Unset it for the clusters we start.
    import dask

    trim = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
    with (
        dask.config.set({trim: None}),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=50,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def execute(
    tasks: Sequence[BlockTask],
    *,
    client=None,
    progress: Callable[[float], None] | None = None,
) -> list[BlockResult | list[BlockResult]]:
    """Run ``tasks``; results in task order whatever finished first (a paired task's
    result is the list of its arms' blocks)."""
    total = sum(_people(task) for task in tasks) or 1
    done = 0
    results: list = [None] * len(tasks)
    if client is None:
        for index, task in enumerate(tasks):
            results[index] = run_task(task)
            done += _people(task)
            if progress is not None:
                progress(done / total)
        return results  # type: ignore[return-value]
    from distributed import as_completed

    futures = [client.submit(run_task, task, pure=False) for task in tasks]
    position = {future.key: index for index, future in enumerate(futures)}
    try:
        for future in as_completed(futures):
            index = position[future.key]
            results[index] = future.result()
            done += _people(tasks[index])
            if progress is not None:
                progress(done / total)
    finally:
        for future in futures:
            future.release()
    return results  # type: ignore[return-value]


def _people(task: BlockTask) -> int:
    """People a task simulates into its arms (a paired task's people count per arm)."""
    return task.size * max(1, len(task.paired_regimens))
