"""``follicle trial`` from the web: a trial file given as text, run as a job."""

from __future__ import annotations

from contextlib import contextmanager

from follicle.errors import FollicleInputError
from follicle.web.actions.forms import toml_dict
from follicle.web.config import WebConfig

#: The web runs trials in its own process, one at a time: at most this many per arm.
MAX_TRIAL_PER_ARM = 2000


def parse_trial_text(trial_toml: str, *, n_per_arm: int | None = None, seed: int | None = None):
    """A trial file given as text. Arms must carry their treatments inline: a
    ``regimen = "FILE"`` would read a path on the server, so it is refused."""
    from follicle.trials.trial_file import parse_trial

    data = toml_dict(trial_toml, "trial")
    for index, arm in enumerate(data.get("arm") or []):
        if isinstance(arm, dict) and "regimen" in arm:
            raise FollicleInputError(
                f"arm[{index}].regimen",
                arm["regimen"],
                "[[arm.treatment]] tables in the file (files cannot be referenced here)",
            )
    trial = parse_trial(data, source="trial")
    if n_per_arm is not None:
        trial = trial.model_copy(update={"n_per_arm": n_per_arm})
    if not 1 <= trial.n_per_arm <= MAX_TRIAL_PER_ARM:
        raise FollicleInputError(
            "n_per_arm", trial.n_per_arm, f"1 to {MAX_TRIAL_PER_ARM} here (the CLI runs more)"
        )
    if seed is None and trial.seed is None:
        raise FollicleInputError("seed", None, "a seed (none in the trial file)")
    if seed is not None and not 0 <= seed < 2**63:
        raise FollicleInputError("seed", seed, "a whole number >= 0")
    return trial, seed


def run_trial_job(config: WebConfig, trial, seed: int | None, job_id: str, progress) -> dict:
    """``follicle trial --json`` with its HTML report written beside the uploads."""
    from follicle.report.trial_report import write_trial_report
    from follicle.trials.run import run_trial

    with _on_scheduler(config):
        result = run_trial(trial, seed=seed, scheduler=config.scheduler, progress=progress)
    reports = config.data_dir / "reports"
    reports.mkdir(exist_ok=True, mode=0o700)
    write_trial_report(result, reports / f"{job_id}.html")
    return result.to_dict()


#: Validation here: at most this many people per arm (the CLI runs more).
MAX_VALIDATE_PER_ARM = 500
#: ... and at most this many people per arm in each ensemble member's trial.
MAX_MEMBERS_PER_ARM = 200


def parse_validate_options(
    *,
    n_per_arm: int | None,
    seed: int | None,
    only: str | None,
    ensemble: bool = True,
    members: int | None = None,
    members_n_per_arm: int | None = None,
) -> dict:
    """``follicle validate``'s options from the page or the API, checked before queueing:
    people per arm (2-500 here), seed, target ids or patterns (comma separated) and, as
    the CLI by default, the posterior predictive intervals (``ensemble``; ``members`` of
    the shipped ensemble, each a trial of ``members_n_per_arm`` people per arm)."""
    from follicle.trials.ensemble import load_ensemble
    from follicle.trials.predictive import (
        DEFAULT_MEMBERS,
        DEFAULT_MEMBERS_N_PER_ARM,
        VALIDATION_N_PER_ARM,
    )
    from follicle.trials.targets import load_targets, select_targets
    from follicle.trials.validate import VALIDATION_SEED

    n = VALIDATION_N_PER_ARM if n_per_arm is None else n_per_arm
    if not 2 <= n <= MAX_VALIDATE_PER_ARM:
        raise FollicleInputError(
            "n_per_arm", n, f"2 to {MAX_VALIDATE_PER_ARM} here (the CLI runs more)"
        )
    seed = VALIDATION_SEED if seed is None else seed
    if not 0 <= seed < 2**63:
        raise FollicleInputError("seed", seed, "a whole number >= 0")
    patterns = [p.strip() for p in (only or "").split(",") if p.strip()]
    if len(patterns) > 50 or any(len(p) > 100 for p in patterns):
        raise FollicleInputError("only", (only or "")[:40], "at most 50 ids or patterns")
    select_targets(load_targets(None), patterns)  # names the bad pattern now, not in the job
    options = {"n_per_arm": n, "seed": seed, "only": patterns, "ensemble": bool(ensemble)}
    if not ensemble:
        return options
    members = DEFAULT_MEMBERS if members is None else members
    size = len(load_ensemble(None))
    if not 1 <= members <= size:
        raise FollicleInputError("members", members, f"1 to {size} (the shipped ensemble)")
    per_member = DEFAULT_MEMBERS_N_PER_ARM if members_n_per_arm is None else members_n_per_arm
    if not 2 <= per_member <= MAX_MEMBERS_PER_ARM:
        raise FollicleInputError(
            "members_n_per_arm", per_member, f"2 to {MAX_MEMBERS_PER_ARM} here"
        )
    return options | {"members": members, "members_n_per_arm": per_member}


def run_validate_job(config: WebConfig, options: dict, job_id: str, progress) -> dict:
    """``follicle validate --json`` on the shipped targets (with the posterior predictive
    intervals unless ``options["ensemble"]`` is off), and its HTML report. In this
    process, serially, unless the server has a Dask scheduler."""
    from follicle.report.trial_report import write_validation_report
    from follicle.trials.verbs import run_validation

    extra = {}
    if options.get("ensemble"):
        extra = {k: options[k] for k in ("members", "members_n_per_arm")}
    with _on_scheduler(config):
        report = run_validation(
            only=options["only"],
            n_per_arm=options["n_per_arm"],
            seed=options["seed"],
            workers=None if config.scheduler else 0,
            scheduler=config.scheduler,
            progress=progress,
            ensemble=bool(options.get("ensemble")),
            **extra,
        )
    reports = config.data_dir / "reports"
    reports.mkdir(exist_ok=True, mode=0o700)
    write_validation_report(report, reports / f"{job_id}.html")
    return report.to_dict()


@contextmanager
def _on_scheduler(config: WebConfig):
    """An unreachable scheduler is the server's configuration, said in one line."""
    try:
        yield
    except OSError as error:
        if config.scheduler is None:
            raise
        raise FollicleInputError(
            "--scheduler", config.scheduler, f"a reachable Dask scheduler ({error})"
        ) from None
