"""The calibration settings file: which targets are held out, and how the ensemble is built.

``data/calibration.toml`` is the one place that splits the targets into *fitted* (every
fit may use them) and *held out* (no fit sees them; ``follicle validate`` reports them
apart). The split is a list of target ids in a data file, so no code keys on an id.
Ids listed there but absent from a targets file are ignored (another targets file may not
have them) and reported by ``TargetSplit.missing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from follicle.config_io import read_toml, validate
from follicle.trials.targets import TargetsFile

DEFAULT_CALIBRATION = Path(__file__).resolve().parents[1] / "data" / "calibration.toml"
FIT, HOLDOUT = "fit", "holdout"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitSettings(_Strict):
    holdout: tuple[str, ...] = ()
    # held-out targets a model change was looked for after they missed: still held out of
    # every fit, but their passes are weaker evidence, and validate says so
    informed: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _informed_are_held_out(self):
        stray = sorted(set(self.informed) - set(self.holdout))
        if stray:
            raise ValueError(
                f"split.informed = {stray} is not allowed; expected ids listed in split.holdout"
            )
        return self


class EnsembleSettings(_Strict):
    free: tuple[str, ...] = Field(..., min_length=1)
    seed: int = Field(1, ge=0)
    n_per_arm: int = Field(20, ge=2, le=10_000)
    design_runs: int = Field(18, ge=3, le=1000)
    design_half_width: float = Field(0.15, gt=0, le=0.5)
    population_size: int = Field(500, ge=20, le=100_000)
    max_generations: int = Field(10, ge=1, le=100)
    min_acceptance_rate: float = Field(0.02, gt=0, lt=1)
    members: int = Field(100, ge=2, le=10_000)


class CalibrationSettings(_Strict):
    split: SplitSettings = SplitSettings()
    ensemble: EnsembleSettings


def load_calibration_settings(path: str | Path | None = None) -> CalibrationSettings:
    path = Path(path) if path is not None else DEFAULT_CALIBRATION
    return validate(CalibrationSettings, read_toml(path), source=str(path))


@dataclass(frozen=True)
class TargetSplit:
    """The targets file cut in two by role; ``missing``: listed held-out ids not in it."""

    fitted: TargetsFile | None
    holdout: TargetsFile | None
    missing: tuple[str, ...]

    def role(self, target_id: str) -> str:
        held = self.holdout is not None and any(t.id == target_id for t in self.holdout.target)
        return HOLDOUT if held else FIT


def split_targets(targets: TargetsFile, settings: CalibrationSettings | None = None) -> TargetSplit:
    settings = settings or load_calibration_settings()
    held = set(settings.split.holdout)
    fitted = tuple(t for t in targets.target if t.id not in held)
    holdout = tuple(t for t in targets.target if t.id in held)
    present = {t.id for t in targets.target}
    return TargetSplit(
        fitted=targets.model_copy(update={"target": fitted}) if fitted else None,
        holdout=targets.model_copy(update={"target": holdout}) if holdout else None,
        missing=tuple(sorted(held - present)),
    )


def informed_targets(settings: CalibrationSettings | None = None) -> frozenset[str]:
    """Held-out target ids a model change was looked for after they missed."""
    settings = settings or load_calibration_settings()
    return frozenset(settings.split.informed)


def target_roles(targets: TargetsFile, settings: CalibrationSettings | None = None) -> dict:
    """target id -> "fit" or "holdout"."""
    settings = settings or load_calibration_settings()
    held = set(settings.split.holdout)
    return {t.id: HOLDOUT if t.id in held else FIT for t in targets.target}
