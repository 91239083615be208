"""The course of alopecia areata episodes, drawn by the model.

A person with patchy alopecia areata has a first episode from day 0 whose duration is
lognormal (median ``aa_episode_median_days``, log SD ``aa_episode_log_sd``); with
probability ``aa_relapse_probability`` a second episode follows after an exponential
gap (mean ``aa_relapse_gap_mean_days``). How the hair falls and regrows during and after
an episode is the engine's (docs/model.md, Alopecia areata): so whether and when a
patch regrows is a model output, not an input.
"""

from __future__ import annotations

import numpy as np

from follicle.model.params import ModelParameters

MAX_EPISODE_DAYS = 3650  # person.AlopeciaAreataEpisode's bound


def draw_course(
    rng: np.random.Generator,
    size: int,
    *,
    params: ModelParameters,
    region: str,
    area_cm2: float,
) -> list[list[dict]]:
    """Episodes (person-file dicts) of ``size`` people with a first episode from day 0.

    The patch is centred on the simulated area of ``region`` and at least twice the size
    of ``area_cm2``, so that the target area lies inside it.
    """
    patch_cm2 = float(min(200.0, max(params.aa_patch_area_cm2, 2.0 * area_cm2)))
    mu = np.log(params.aa_episode_median_days)
    first = np.exp(mu + params.aa_episode_log_sd * rng.standard_normal(size))
    second = np.exp(mu + params.aa_episode_log_sd * rng.standard_normal(size))
    relapse = rng.random(size) < params.aa_relapse_probability
    gap = rng.exponential(params.aa_relapse_gap_mean_days, size)
    courses = []
    for k in range(size):
        duration = int(np.clip(round(first[k]), 1, MAX_EPISODE_DAYS))
        episodes = [_episode(0, duration, region, patch_cm2)]
        if relapse[k]:
            start = duration + max(1, round(gap[k]))
            again = int(np.clip(round(second[k]), 1, MAX_EPISODE_DAYS))
            episodes.append(_episode(start, again, region, patch_cm2))
        courses.append(episodes)
    return courses


def _episode(start: int, duration: int, region: str, patch_cm2: float) -> dict:
    return {
        "start_day": start,
        "duration_days": duration,
        "region": region,
        "patch_area_cm2": round(patch_cm2, 4),
    }
