"""Virtual patients: people drawn from documented population distributions.

A ``Population`` says who may enter a trial: sex, age (a number or a range, uniform),
ethnicity, androgen sensitivity (fixed, or drawn from the population distribution) and an
optional baseline stage range. ``draw_candidates`` draws candidate people; the trial keeps
those who really are at the wanted stage after living their history up to baseline
(``execution.run_block``), so "Norwood III vertex to V" means what it says.

Population distributions (docs/trials.md, "Cohorts"):

- androgen sensitivity: a share ``predisposed_share`` of people is predisposed, with a
  lognormal sensitivity (``median``, ``log_sd``, clipped to 5); the others have none;
  optionally a normal distribution of the androgen onset age (``SensitivityDistribution``).
  These numbers are fitted to the prevalence of pattern loss by age (``follicle
  calibrate``); the defaults are in ``DEFAULT_SENSITIVITY``;
- treatment response: each person's two multipliers of the treatment effects
  (``follicle.model.response``): one of the growth-stimulating treatments
  (``treatment_response``) and one of the DHT-lowering drugs (``dht_drug_response``),
  each lognormal with mean 1 and log SD ``treatment_response_log_sd`` (a model
  parameter, calibrated to arm SDs), their logs correlated by
  ``treatment_response_correlation`` (an assumption, 0: independent pathways);
- follicle density: normal, mean 220/cm2, SD 30/cm2, clipped to 150-300 ([P] Barman
  1965: 175-300/cm2, mean 223), x 1.9 / 2.2 for people of Asian ancestry ([S] 2.2 hairs
  per follicular unit in Caucasians, 1.9 in Asians, physiology.md). No sourced
  difference is applied for other ethnicities.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from follicle.model import alopecia_areata
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.person import SENSITIVITY_LEVELS
from follicle.trials.staging import parse_stage_range

DENSITY_MEAN_PER_CM2 = 220.0
DENSITY_SD_PER_CM2 = 30.0
DENSITY_RANGE_PER_CM2 = (150.0, 300.0)
ETHNIC_DENSITY_FACTOR: dict[str, float] = {"asian": 1.9 / 2.2}

Ethnicity = Literal["caucasian", "asian", "african", "hispanic", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SensitivityDistribution(_Strict):
    """Predisposition over a population: who is predisposed, how strongly, from when.

    A share ``predisposed_share`` has a lognormal androgen sensitivity (``median``,
    ``log_sd``, clipped to 5), the others none. When ``onset_mean_years`` is given, each
    person's androgen onset age is normal (``onset_mean_years``, ``onset_sd_years``,
    clipped to 12-80); otherwise the model's default onset applies to everyone.
    """

    predisposed_share: float = Field(..., ge=0, le=1)
    median: float = Field(..., gt=0, le=5)
    log_sd: float = Field(..., ge=0, le=3)
    onset_mean_years: float | None = Field(None, ge=12, le=80)
    onset_sd_years: float = Field(0.0, ge=0, le=30)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        predisposed = rng.random(size) < self.predisposed_share
        values = self.median * np.exp(self.log_sd * rng.standard_normal(size))
        return np.where(predisposed, np.minimum(values, 5.0), 0.0)

    def draw_onset(self, rng: np.random.Generator, size: int) -> np.ndarray | None:
        if self.onset_mean_years is None:
            return None
        return np.clip(rng.normal(self.onset_mean_years, self.onset_sd_years, size), 12, 80)


# Men: fitted by `follicle calibrate` (Powell, 30 evaluations, 200 men per age, seed 1)
# to the prevalence of pattern loss (~30% by 30, ~50% by 50: targets.toml) with the
# default model parameters: model 0.27 and 0.505. Only the sensitivity median and the
# predisposed share moved from the start (onset 25 +- 8 years: [S] onset typically 20-25).
# Model v2 (androgens that grow with time since onset and lengthen the resting phases):
# the median refitted (Powell, 8 evaluations, 150 men per age, seed 1) to the three men's
# prevalence targets (30, 50, 80): 0.41 -> 0.253, objective 1.61 -> 0.38 (0.25, 0.56, 0.69).
# Women: calibrated by hand (seed 1, 200 women per target) to the two women's prevalence
# targets (premenopausal 10-25%, 57% at 80: targets.toml) together with the model's
# menopause_androgen_factor (1.5 -> 2.5), the men's log SD and onset kept: median 0.4,
# predisposed share 0.6 give 0.145 and 0.52 (share 0.45, median 0.5: 0.155 and 0.455).
DEFAULT_SENSITIVITY: dict[str, SensitivityDistribution] = {
    "male": SensitivityDistribution(
        predisposed_share=0.81,
        median=0.253,
        log_sd=0.9,
        onset_mean_years=25.0,
        onset_sd_years=8.0,
    ),
    "female": SensitivityDistribution(
        predisposed_share=0.6,
        median=0.4,
        log_sd=0.9,
        onset_mean_years=25.0,
        onset_sd_years=8.0,
    ),
}


class Population(_Strict):
    """Who may enter a trial arm. Unknown keys are errors."""

    sex: Literal["male", "female"]
    age_years: float | tuple[float, float] = Field(
        ..., description="an age, or [lowest, highest] drawn uniformly"
    )
    ethnicity: Ethnicity | None = None
    androgen_sensitivity: float | str | tuple[float, float] | None = Field(
        None,
        description="fixed (number 0-5 or label), a [low, high] uniform range, or absent: "
        "the population distribution",
    )
    sensitivity_distribution: SensitivityDistribution | None = None
    stage: str | None = Field(
        None,
        description="baseline Hamilton-Norwood (men) or Ludwig (women) stage or range, "
        "e.g. 'III vertex to V', 'II or more'",
    )
    condition: Literal["patchy alopecia areata, first episode"] | None = Field(
        None,
        description="a condition every member has: an alopecia areata episode starting on "
        "day 0 in a patch over the target area, its course drawn by the model",
    )
    note: str = ""

    @field_validator("age_years")
    @classmethod
    def _ages(cls, value):
        low, high = (value, value) if isinstance(value, int | float) else value
        if not 12 <= low <= high <= 100:
            raise ValueError(
                f"age_years = {value!r} is not allowed; expected an age or a range "
                "[low, high] within 12-100"
            )
        return value

    @field_validator("androgen_sensitivity")
    @classmethod
    def _sensitivity(cls, value):
        if value is None:
            return value
        if isinstance(value, str):
            if value not in SENSITIVITY_LEVELS:
                raise ValueError(
                    f"androgen_sensitivity = {value!r} is not allowed; expected a number "
                    f"0-5, a [low, high] range or one of {list(SENSITIVITY_LEVELS)}"
                )
            return value
        low, high = (value, value) if isinstance(value, int | float) else value
        if not 0 <= low <= high <= 5:
            raise ValueError(
                f"androgen_sensitivity = {value!r} is not allowed; expected a number 0-5 "
                "or a range [low, high] within 0-5"
            )
        return value

    @model_validator(mode="after")
    def _stage(self):
        if self.stage is not None:
            try:
                parse_stage_range(self.stage, self.sex)
            except ValueError as error:
                raise ValueError(str(error)) from None
        return self

    @property
    def stage_range(self) -> tuple[int, int] | None:
        return None if self.stage is None else parse_stage_range(self.stage, self.sex)

    @property
    def age_range(self) -> tuple[float, float]:
        value = self.age_years
        return (float(value), float(value)) if isinstance(value, int | float) else value

    def sensitivity_model(self) -> SensitivityDistribution:
        return self.sensitivity_distribution or DEFAULT_SENSITIVITY[self.sex]


def draw_candidates(
    population: Population,
    size: int,
    seed: np.random.SeedSequence,
    *,
    sensitivity: SensitivityDistribution | None = None,
    params: ModelParameters = DEFAULT_PARAMETERS,
    target_region: str = "vertex",
    target_area_cm2: float = 1.0,
) -> list[dict]:
    """``size`` candidate people (person dicts) drawn from ``population``.

    ``sensitivity`` overrides the population distribution (calibration uses it). With a
    ``condition``, each person's episode (its duration) is drawn from the model's
    alopecia areata course (``follicle.model.alopecia_areata``) over the target area.
    """
    rng = np.random.default_rng(seed)
    low, high = population.age_range
    ages = rng.uniform(low, high, size) if high > low else np.full(size, low)
    fixed = population.androgen_sensitivity
    model = sensitivity or population.sensitivity_model()
    onset = None
    if fixed is None:
        values = model.draw(rng, size)
        onset = model.draw_onset(rng, size)
    elif isinstance(fixed, str):
        values = np.full(size, SENSITIVITY_LEVELS[fixed])
    elif isinstance(fixed, int | float):
        values = np.full(size, float(fixed))
    else:
        values = rng.uniform(fixed[0], fixed[1], size)
    factor = ETHNIC_DENSITY_FACTOR.get(population.ethnicity or "", 1.0)
    density = np.clip(
        rng.normal(DENSITY_MEAN_PER_CM2, DENSITY_SD_PER_CM2, size), *DENSITY_RANGE_PER_CM2
    )
    people = []
    for index, (age, value, dens) in enumerate(zip(ages, values, density * factor, strict=True)):
        person = {
            "sex": population.sex,
            "age_years": round(float(age), 3),
            "androgen_sensitivity": round(float(value), 4),
            "follicle_density_per_cm2": round(float(np.clip(dens, 80, 400)), 2),
        }
        if population.ethnicity is not None:
            person["ethnicity"] = population.ethnicity
        if onset is not None:
            person["onset_age_years"] = round(float(onset[index]), 3)
        people.append(person)
    # drawn after everything else, so the other draws stay as they were without it
    log_sd = params.treatment_response_log_sd
    stimulation = rng.standard_normal(size)
    for person, value in zip(people, _multipliers(stimulation, log_sd), strict=True):
        person["treatment_response"] = value
    if population.condition is not None:
        episodes = alopecia_areata.draw_course(
            rng, size, params=params, region=target_region, area_cm2=target_area_cm2
        )
        for person, course in zip(people, episodes, strict=True):
            person["alopecia_areata"] = course
    # the DHT-drug response after everything else too, so that every earlier draw (and
    # with correlation 1 the multiplier itself) stays as it was before it existed
    rho = params.treatment_response_correlation
    own = rng.standard_normal(size) if rho < 1.0 else np.zeros(size)
    dht_drug = rho * stimulation + np.sqrt(max(1.0 - rho**2, 0.0)) * own
    for person, value in zip(people, _multipliers(dht_drug, log_sd), strict=True):
        person["dht_drug_response"] = value
    return people


def _multipliers(z: np.ndarray, log_sd: float) -> list[float]:
    """Lognormal multipliers with mean 1 from standard normals, capped at 10 (the person
    file's limit)."""
    values = np.exp(log_sd * z - 0.5 * log_sd**2)
    return [round(float(min(value, 10.0)), 4) for value in values]
