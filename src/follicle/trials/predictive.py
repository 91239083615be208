"""Posterior predictive intervals of validation targets over the calibration ensemble.

A point run answers "with the shipped parameters, on these virtual people, what is the
model's value". A published value is one draw of a real study: other people, other
sampling, and parameters the evidence pins down only so far. So each of ``members``
ensemble members runs the target's virtual trial with its own parameters *and its own
seed stream* (other people, other count errors), and the central ``level`` interval of the
target's model value over those member trials is the posterior predictive interval. It
includes parameter uncertainty (the members), between-person heterogeneity and the trial's
sampling at the members' people per arm (each member's own people); the published value
"lies inside" when it falls in the interval (a range target: when its range overlaps it).
An interval of zero width (every member gave the same value: the target depends only on
parameters the ensemble does not vary and on no person, e.g. a drug's DHT suppression) has
no spread to judge a published value by, so it is reported as not judged (``None``): only
the point run's tolerance applies to it.
Nothing here is keyed on a target or on the shipped ensemble's numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from follicle.errors import FollicleInputError

DEFAULT_LEVEL = 0.9
# What an "n/a" mark means, in every front end (the CLI's text, the web's trial page).
NOT_JUDGED_NOTE = (
    "every member gave the same value (it depends on no varied parameter and no person), "
    "so there is no spread to judge the published value by; the point run's tolerance applies"
)
# People per arm of validate's point run. At 100 the simulation's own 95% interval was
# wider than the target's tolerance for Kaufman 1998's arms (5.1 cm2 counts), so a pass or
# a miss was mostly the draw; 300 narrows it sqrt(3) times (docs/validation.md, Status).
VALIDATION_N_PER_ARM = 300
# The default budget: members x people per arm = 500 people per arm, about 1.7x the point
# run (docs/validation.md, "Posterior predictive intervals").
DEFAULT_MEMBERS = 20
DEFAULT_MEMBERS_N_PER_ARM = 25
# A spawn key no other stream of a trial uses (execution.py keys blocks by (arm, block,
# round, stream) with small numbers; ensemble_trial.choose_members uses (10**6,)).
_MEMBER_SEED_KEY = 2 * 10**6


def member_seed(seed: int, position: int) -> int:
    """The trial seed of the ``position``-th member of a predictive run: its own stream,
    a pure function of (seed, position), so results do not depend on the workers."""
    if position < 0:
        raise FollicleInputError("position", position, "a whole number >= 0")
    sequence = np.random.SeedSequence(seed, spawn_key=(_MEMBER_SEED_KEY, position))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass(frozen=True)
class PredictiveInterval:
    """The central ``level`` interval of a target's value over member trials."""

    low: float
    median: float
    high: float
    members: int  # member trials with a finite value
    sampling_se: float  # root mean square of the members' own standard errors
    parameter_sd: float  # sqrt(max(variance over members - sampling_se^2, 0))

    @property
    def judged(self) -> bool:
        """Whether the interval can judge a published value: some member gave a value and
        the members' values spread (a zero-width interval holds no uncertainty at all)."""
        return math.isfinite(self.low) and self.high > self.low

    def contains(
        self, *, centre: float, range_low: float | None = None, range_high: float | None = None
    ) -> bool | None:
        """Whether the published value (or range) lies in (overlaps) the interval; None
        when no member gave a value or the interval has no spread (``judged`` is False)."""
        if not self.judged:
            return None
        if range_low is not None and range_high is not None:
            return bool(range_low <= self.high and range_high >= self.low)
        return bool(self.low <= centre <= self.high)


def predictive_interval(
    values: Sequence[float],
    standard_errors: Sequence[float] | None = None,
    *,
    level: float = DEFAULT_LEVEL,
) -> PredictiveInterval:
    """Central ``level`` interval (linear-interpolated percentiles) of the finite
    ``values``, one per member trial; ``standard_errors`` (each member trial's own SE)
    split the spread into sampling and parameter parts (method of moments)."""
    if not 0 < level < 1:
        raise FollicleInputError("level", level, "a share between 0 and 1 (e.g. 0.9)")
    array = np.asarray(values, float)
    finite = np.isfinite(array)
    if not finite.any():
        return PredictiveInterval(math.nan, math.nan, math.nan, 0, math.nan, math.nan)
    kept = array[finite]
    tail = 100 * (1 - level) / 2
    low, median, high = np.percentile(kept, [tail, 50, 100 - tail])
    sampling = parameter = math.nan
    if standard_errors is not None:
        errors = np.asarray(standard_errors, float)[finite]
        errors = errors[np.isfinite(errors)]
        if errors.size:
            sampling = float(np.sqrt(np.mean(errors**2)))
            if kept.size > 1:
                parameter = float(np.sqrt(max(np.var(kept, ddof=1) - sampling**2, 0.0)))
    return PredictiveInterval(
        float(low), float(median), float(high), int(kept.size), sampling, parameter
    )


def includes(*, members: int, ensemble_size: int, n_per_arm: int) -> list[str]:
    """What the interval's spread is made of (printed and in the JSON)."""
    return [
        f"parameter uncertainty ({members} members of an ensemble of {ensemble_size})",
        "between-person heterogeneity (each member trial draws its own virtual people)",
        f"trial sampling at {n_per_arm} people per arm, with the trial's count error "
        "(a published trial with more people per arm would sample less)",
    ]
