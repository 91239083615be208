"""The verbs behind ``follicle trial``, ``validate`` and ``calibrate``.

Each takes the command's options as keywords (files as paths, every option checked
here, errors naming the option's keyword), runs the library and returns the frozen
result the command prints (``to_dict()`` is its ``--json``). The command line, the web
and scripts call these, so they agree on defaults and bounds:

- ``workers``: local Dask worker processes; None (the default) uses every core, 0 runs
  serially; ``scheduler`` an existing Dask cluster instead (not both).
- ``parameters``: a parameter set written by ``follicle calibrate`` (TOML path), or a
  ``ParameterSet``; None the shipped parameters.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from follicle.errors import FollicleInputError
from follicle.trials.predictive import (
    DEFAULT_MEMBERS,
    DEFAULT_MEMBERS_N_PER_ARM,
    VALIDATION_N_PER_ARM,
)

# Bounds of the execution options (docs/cli.md): the trial file's own limit on people per
# arm, and more local worker processes than any machine here would start usefully.
MAX_N_PER_ARM = 10_000_000
MAX_WORKERS = 256
MAX_SEED = 2**63 - 1
MAX_BLOCK_SIZE = 100_000


def check_seed(seed: int) -> int:
    """``seed`` if it is a whole number from 0 to 2**63-1."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise FollicleInputError("seed", seed, f"a whole number from 0 to {MAX_SEED}")
    return seed


def resolve_execution(
    *, workers: int | None = None, scheduler: str | None = None
) -> tuple[int | None, str | None]:
    """``(workers, scheduler)`` for the library's runners: every core unless told."""
    if workers is not None and scheduler is not None:
        raise FollicleInputError("workers", workers, "none when a scheduler is given (one of)")
    if workers is not None and not 0 <= workers <= MAX_WORKERS:
        raise FollicleInputError("workers", workers, f"0 (serial) to {MAX_WORKERS}")
    if workers is None and scheduler is None:
        workers = os.cpu_count() or 1
    return workers, scheduler


def parameter_set(parameters=None):
    """A ``ParameterSet`` from a path, a ``ParameterSet`` or None (the shipped one)."""
    from follicle.trials.calibrate import ParameterSet, load_parameter_set

    if parameters is None or isinstance(parameters, ParameterSet):
        return parameters or ParameterSet()
    return load_parameter_set(parameters)


def trial_with_overrides(
    trial,
    *,
    n_per_arm: int | None = None,
    keep_observations: int | None = None,
    block_size: int | None = None,
    paired: bool = False,
):
    """The trial (a ``Trial`` or a trial file) with the given execution options replacing
    the file's: people per arm, people per arm whose daily observations are kept, people
    per task; ``paired=True`` branches each person into every arm (False keeps the
    file's choice)."""
    from follicle.trials.trial_file import Trial, load_trial

    trial = trial if isinstance(trial, Trial) else load_trial(trial)
    update = {}
    if n_per_arm is not None:
        if not 1 <= n_per_arm <= MAX_N_PER_ARM:
            raise FollicleInputError("n_per_arm", n_per_arm, f"1 to {MAX_N_PER_ARM}")
        update["n_per_arm"] = n_per_arm
    if keep_observations is not None:
        if keep_observations < 0:
            raise FollicleInputError("keep_observations", keep_observations, "a number >= 0")
        update["keep_observations_per_arm"] = keep_observations
    if block_size is not None:
        if not 1 <= block_size <= MAX_BLOCK_SIZE:
            raise FollicleInputError("block_size", block_size, f"1 to {MAX_BLOCK_SIZE}")
        update["block_size"] = block_size
    if paired:
        update["paired"] = True
    return trial.model_copy(update=update) if update else trial


def run_trial_file(
    trial,
    *,
    seed: int | None = None,
    n_per_arm: int | None = None,
    keep_observations: int | None = None,
    block_size: int | None = None,
    parameters=None,
    paired: bool = False,
    over_ensemble: int | None = None,
    ensemble: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[float], None] | None = None,
):
    """``follicle trial``: run a trial file with its options overridden; a ``TrialResult``,
    or with ``over_ensemble=K`` an ``EnsembleTrialResult`` (the trial once for each of K
    members of the calibration ensemble, ``ensemble`` a file or the shipped one)."""
    workers, scheduler = resolve_execution(workers=workers, scheduler=scheduler)
    trial = trial_with_overrides(
        trial,
        n_per_arm=n_per_arm,
        keep_observations=keep_observations,
        block_size=block_size,
        paired=paired,
    )
    if seed is None and trial.seed is None:
        raise FollicleInputError("seed", None, "a seed (none in the trial file)")
    if seed is not None:
        check_seed(seed)
    if over_ensemble is not None:
        from follicle.trials.ensemble import load_ensemble
        from follicle.trials.ensemble_trial import run_trial_over_ensemble

        if parameters is not None:
            raise FollicleInputError("parameters", str(parameters), "none with over_ensemble")
        return run_trial_over_ensemble(
            trial,
            ensemble=load_ensemble(ensemble),
            members=over_ensemble,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    from follicle.trials.run import run_trial

    pset = parameter_set(parameters)
    return run_trial(
        trial,
        seed=seed,
        params=pset.params,
        sensitivity=pset.sensitivity.get(trial.population.sex) if parameters else None,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )


def run_validation(
    *,
    targets: str | Path | None = None,
    only: Sequence[str] | None = None,
    n_per_arm: int = VALIDATION_N_PER_ARM,
    seed: int = 2,
    parameters=None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[float], None] | None = None,
    ensemble: bool = False,
    ensemble_file: str | Path | None = None,
    members: int = DEFAULT_MEMBERS,
    members_n_per_arm: int = DEFAULT_MEMBERS_N_PER_ARM,
):
    """``follicle validate``: every published target (or those matching ``only``) as a
    virtual trial; a ``ValidationReport``. The default seed 2 gives other people than
    calibration's seed 1. With ``ensemble=True`` each target also gets its posterior
    predictive interval over ``members`` members of the ensemble (``ensemble_file`` or the
    shipped one), each a virtual trial of ``members_n_per_arm`` people per arm."""
    from follicle.trials.ensemble import load_ensemble
    from follicle.trials.targets import load_targets, select_targets
    from follicle.trials.validate import validate

    if not 2 <= n_per_arm <= MAX_N_PER_ARM:
        raise FollicleInputError("n_per_arm", n_per_arm, f"2 to {MAX_N_PER_ARM}")
    workers, scheduler = resolve_execution(workers=workers, scheduler=scheduler)
    target_set = select_targets(load_targets(targets), only)
    pset = parameter_set(parameters)
    members_ensemble = False
    if ensemble:
        members_ensemble = load_ensemble(ensemble_file)
        if not 1 <= members <= len(members_ensemble):
            raise FollicleInputError("members", members, f"1 to {len(members_ensemble)}")
        if not 2 <= members_n_per_arm <= MAX_N_PER_ARM:
            raise FollicleInputError(
                "members_n_per_arm", members_n_per_arm, f"2 to {MAX_N_PER_ARM}"
            )
    elif ensemble_file is not None:
        raise FollicleInputError("ensemble_file", str(ensemble_file), "none without ensemble")
    return validate(
        target_set,
        n_per_arm=n_per_arm,
        seed=check_seed(seed),
        params=pset.params,
        sensitivity=pset.sensitivity if parameters else None,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        ensemble=members_ensemble,
        members=members,
        members_n_per_arm=members_n_per_arm,
    )


def run_calibration(
    *,
    targets: str | Path | None = None,
    only: Sequence[str] | None = None,
    free: Sequence[str] | None = None,
    start=None,
    n_per_arm: int = 60,
    seed: int = 1,
    max_evaluations: int = 40,
    ensemble: bool = False,
    settings: str | Path | None = None,
    include_held_out: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[float], None] | None = None,
):
    """``follicle calibrate``: a point fit of ``free`` (a ``CalibrationResult``) or, with
    ``ensemble``, the posterior ensemble (an ``Ensemble``; ``settings`` choose its free
    parameters, people and seed). Both fit only the targets the settings do not hold out
    for validation, unless ``include_held_out``. ``start``: the parameter set to start
    from (a path or ``ParameterSet``; default the shipped one)."""
    from follicle.trials.calibrate import DEFAULT_FREE, calibrate, check_free
    from follicle.trials.calibration_config import load_calibration_settings, split_targets
    from follicle.trials.targets import load_targets, select_targets

    workers, scheduler = resolve_execution(workers=workers, scheduler=scheduler)
    loaded = load_calibration_settings(settings)
    target_set = select_targets(load_targets(targets), only)
    if include_held_out:
        loaded = loaded.model_copy(update={"split": type(loaded.split)()})
    split = split_targets(target_set, loaded)
    if split.fitted is None:
        raise FollicleInputError(
            "targets",
            "every selected one held out for validation",
            "one that calibration may fit (include_held_out, --include-held-out, fits the "
            "held-out ones too)",
        )
    if ensemble:  # build_ensemble splits the targets itself and records the split
        from follicle.trials.ensemble import build_ensemble

        return build_ensemble(
            target_set,
            settings=loaded,
            base=parameter_set(start),
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    if max_evaluations < 1:
        raise FollicleInputError("max_evaluations", max_evaluations, "a whole number >= 1")
    return calibrate(
        split.fitted,
        free=check_free(list(free) if free else DEFAULT_FREE),
        start=parameter_set(start),
        n_per_arm=n_per_arm,
        seed=check_seed(seed),
        max_evaluations=max_evaluations,
        workers=workers,
        scheduler=scheduler,
        progress=None if progress is None else lambda i, _: progress(i / max_evaluations),
    )
