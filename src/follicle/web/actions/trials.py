"""``follicle trial`` from the web: a trial file given as text, run as a job."""

from __future__ import annotations

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

    result = run_trial(trial, seed=seed, progress=progress)
    reports = config.data_dir / "reports"
    reports.mkdir(exist_ok=True, mode=0o700)
    write_trial_report(result, reports / f"{job_id}.html")
    return result.to_dict()
