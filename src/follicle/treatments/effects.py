"""The daily effect series a regimen produces, before they are combined into clocks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from follicle.model.regions import REGIONS


@dataclass
class Session:
    """A procedure on one day that pushes resting follicles in some regions into anagen.

    Each person attends it with probability ``attendance`` (the course's adherence).
    """

    day: int
    regions: np.ndarray  # bool per region
    activation_probability: float
    attendance: float = 1.0


@dataclass
class Effects:
    """Accumulates treatment effects over days 0..days (inclusive)."""

    days: int
    dht_residual: list[np.ndarray] = field(default_factory=list)
    minoxidil_topical: np.ndarray = None  # 5%-twice-daily equivalents, before absorption
    minoxidil_systemic: np.ndarray = None
    absorption_gain: np.ndarray = None  # extra topical uptake factor, 0 = none
    growth: np.ndarray = None  # [region, day]
    anagen_prolongation: np.ndarray = None  # [region, day]
    rest_speedup: np.ndarray = None  # [region, day], added to the resting clocks' rate
    sessions: list[Session] = field(default_factory=list)
    transplants: list = field(default_factory=list)

    def __post_init__(self):
        n = self.days + 1
        self.minoxidil_topical = np.zeros(n)
        self.minoxidil_systemic = np.zeros(n)
        self.absorption_gain = np.zeros(n)
        self.growth = np.zeros((len(REGIONS), n))
        self.anagen_prolongation = np.zeros((len(REGIONS), n))
        self.rest_speedup = np.zeros((len(REGIONS), n))


def course_mask(course, days: int) -> np.ndarray:
    """True on the days a course is taken (start_day <= day < stop_day)."""
    day = np.arange(days + 1)
    active = day >= course.start_day
    if course.stop_day is not None:
        active &= day < course.stop_day
    return active


def first_order(
    target: np.ndarray, tau_days: float, *, tau_off_days: float | None = None
) -> np.ndarray:
    """Daily first-order approach of an effect to its target (onset and wash-out).

    With ``tau_off_days`` the effect rises with time constant ``tau_days`` and falls with
    ``tau_off_days`` (a drug can act within days and wash out over weeks).
    """
    out = np.empty_like(target, dtype=float)
    keep_on = np.exp(-1.0 / tau_days)
    keep_off = keep_on if tau_off_days is None else np.exp(-1.0 / tau_off_days)
    level = 0.0
    for index, value in enumerate(target):
        keep = keep_on if value >= level else keep_off
        level = value + (level - value) * keep
        out[index] = level
    return out


def decaying_pulses(pulse_days, amplitude: float, tau_days: float, days: int) -> np.ndarray:
    """Sum of exponentially decaying pulses starting on ``pulse_days``."""
    day = np.arange(days + 1)
    out = np.zeros(days + 1)
    for start in pulse_days:
        after = day >= start
        out[after] += amplitude * np.exp(-(day[after] - start) / tau_days)
    return out


def region_mask(names) -> np.ndarray:
    return np.array([name in names for name in REGIONS])
