"""A slow, obviously correct reference implementation of the model (day by day).

Every follicle is an object; every day each one ages by its phase's clock rate and
changes phase when its age passes the phase's drawn duration. Counts are made by
looking at every follicle on every observation day. It shares with the fast engine
only the model's formulas (``follicle.model.cycle``), the initial scalp and the
compiled treatment schedule, and is used by the tests to check that the event-driven
engine simulates the same model (in distribution). Transplants are not covered here;
they have their own tests. Time resolution: one day (transitions happen at day ends).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from follicle.measure.hairs_table import DEFAULT_CUTOFFS
from follicle.model import cycle, response
from follicle.model.androgens import (
    DAYS_PER_YEAR,
    baseline_exposure,
    dht_drug_response,
    onset_age_years,
)
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.model.regions import REGION_INDEX, REGIONS
from follicle.model.scalp import build_scalp, region_frame_um, resolve_area, start_in_steady_state
from follicle.person import Person
from follicle.regimen import Regimen
from follicle.treatments.schedule import compile_regimen


@dataclass
class _Follicle:
    region: int
    unit: int
    x: float
    y: float
    terminal: float
    sensitivity: float
    phase: int
    age: float  # operational days spent in the phase
    duration: float  # operational days the phase lasts
    pending: float  # anagen left after emergence
    size: float = 1.0
    diameter: float = 0.0
    attached: bool = True
    has_hair: bool = False
    cycle_start: float = 0.0
    activated: bool = False
    attacked_dystrophic: bool = False
    held: bool = False
    androgen: float = 0.0  # androgen level (no DHT factor) at anagen entry


def simulate_reference(
    person: Person,
    regimen: Regimen | None = None,
    *,
    days: int,
    observe_every_days: int,
    area,
    seed: int,
    params: ModelParameters = DEFAULT_PARAMETERS,
    with_history: bool = False,
) -> pd.DataFrame:
    """The observations the fast engine would report, simulated day by day."""
    if regimen is not None and regimen.of_kind("transplant"):
        raise NotImplementedError("the reference implementation does not model transplants")
    areas = resolve_area(area, params)
    scalp_rng, engine_rng, schedule_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(3)
    )
    schedule = compile_regimen(regimen, days=days, params=params, rng=schedule_rng)
    state = build_scalp(person, areas, params=params, rng=scalp_rng)
    history = 0.0
    if with_history:
        history = person.age_years - min(onset_age_years(person, params), person.age_years)
        history *= DAYS_PER_YEAR
    start_day = -observe_every_days - math.ceil(history)
    start_in_steady_state(state, t0=start_day, params=params, rng=scalp_rng)
    follicles = [
        _Follicle(
            region=int(state.region[i]),
            unit=int(state.unit[i]),
            x=float(state.x_um[i]),
            y=float(state.y_um[i]),
            terminal=float(state.terminal_diameter_um[i]),
            sensitivity=float(state.sensitivity[i]),
            phase=int(state.phase[i]),
            age=0.0,
            duration=float(state.next_t[i] - start_day),
            pending=float(state.pending[i]),
            diameter=float(state.diameter_um[i]),
            has_hair=bool(state.has_hair[i]),
            cycle_start=float(state.cycle_start[i]),
        )
        for i in range(state.n)
    ]
    start_androgen = float(baseline_exposure(start_day, person, params))
    for f in follicles:
        f.androgen = start_androgen
    model = _DayByDay(person, params, schedule, areas, engine_rng)
    observation_days = list(range(0, days + 1, observe_every_days))
    if observation_days[-1] != days:
        observation_days.append(days)
    rows, shed_since = [], {r: 0 for r in range(len(REGIONS))}
    last_observed = -observe_every_days
    for day in range(start_day, days):
        shed = model.step(follicles, day)
        for region in shed:
            shed_since[region] += 1
        if day + 1 in observation_days:
            rows.extend(_observe(follicles, day + 1, day + 1 - last_observed, shed_since, areas))
            shed_since = {r: 0 for r in range(len(REGIONS))}
            last_observed = day + 1
    return pd.DataFrame(rows)


class _DayByDay:
    def __init__(self, person, params, schedule, areas, rng):
        self.person, self.p, self.schedule, self.areas, self.rng = (
            person,
            params,
            schedule,
            areas,
            rng,
        )
        self.episodes = []  # (episode, set of follicle ids)

    def step(self, follicles: list[_Follicle], day: int) -> list[int]:
        """Live through ``day``; return the regions of the hairs shed."""
        p, rng = self.p, self.rng
        anagen_rate, rest_rate = self.schedule.clocks_on(day)
        dht = self.schedule.dht_step_on(day)
        for episode in self.person.alopecia_areata:
            if episode.start_day == day:
                self.episodes.append((episode, self._members(follicles, episode)))
        for session in self.schedule.sessions:
            if session.day == day and rng.random() < session.attendance:
                for f in follicles:
                    resting = f.phase in (cycle.TELOGEN, cycle.KENOGEN)
                    if (
                        resting
                        and session.regions[f.region]
                        and rng.random() < session.activation_probability
                    ):
                        f.activated = True
                        f.age = f.duration  # its phase ends today
        shed = []
        r, r_dht = self.person.treatment_response, dht_drug_response(self.person)
        attack_chance = {}
        for episode, _ in self.episodes:
            attack_chance[id(episode)] = -math.expm1(-1.0 / episode.attack_mean_days)
        release_chance = -math.expm1(-1.0 / p.aa_regrowth_delay_mean_days)
        for index, f in enumerate(follicles):
            if f.phase == cycle.LOST:
                continue
            if f.phase in (cycle.ANAGEN_HIDDEN, cycle.ANAGEN):
                for episode, members in self.episodes:
                    active = episode.start_day <= day < episode.end_day
                    if active and index in members and rng.random() < attack_chance[id(episode)]:
                        f.attacked_dystrophic = True
                        f.age = f.duration
                        break
                felt = response.dht_factor(dht, r_dht)
                shortening = p.androgen_anagen_shortening * f.androgen * felt * f.sensitivity
                rate = response.anagen_rate(anagen_rate[f.region], r) * (1.0 + shortening)
            elif f.phase == cycle.CATAGEN:
                rate = 1.0
            else:
                felt = response.dht_factor(dht, r_dht)
                slowing = p.androgen_rest_prolongation * f.androgen * felt * f.sensitivity
                if f.phase == cycle.TELOGEN:
                    slowing *= p.androgen_telogen_share
                rate = response.rest_rate(rest_rate[f.region], r) / (1.0 + slowing)
            if f.held:
                if self._blocked(index, day + 1) or rng.random() >= release_chance:
                    continue
                f.held = False
                f.age = f.duration
            else:
                f.age += rate
            while f.phase != cycle.LOST and f.age >= f.duration:
                f.age -= f.duration
                shed_now = self._transition(f, index, float(day + 1))
                if shed_now:
                    shed.append(f.region)
                if f.held:
                    break
        return shed

    def _members(self, follicles, episode) -> set[int]:
        if episode.region not in self.areas:
            return set()
        centre = region_frame_um(self.areas[episode.region]) / 2
        radius = math.sqrt(episode.patch_area_cm2 / math.pi) * 1e4
        region = REGION_INDEX[episode.region]
        return {
            i
            for i, f in enumerate(follicles)
            if f.region == region
            and f.phase != cycle.LOST
            and math.hypot(f.x - centre, f.y - centre) <= radius
        }

    def _blocked(self, index: int, t: float) -> bool:
        return any(
            e.start_day <= t < e.end_day and index in members for e, members in self.episodes
        )

    def _transition(self, f: _Follicle, index: int, t: float) -> bool:
        """Leave the current phase at time ``t``; True when a hair is shed."""
        p, rng = self.p, self.rng
        if f.phase in (cycle.ANAGEN_HIDDEN, cycle.ANAGEN) and f.attacked_dystrophic:
            f.phase = cycle.CATAGEN
            f.duration = rng.lognormal(_mu(p.catagen_mean_days, p.catagen_log_sd), p.catagen_log_sd)
            return False
        if f.phase == cycle.ANAGEN_HIDDEN:
            f.phase, f.has_hair, f.duration = cycle.ANAGEN, True, f.pending
            return False
        if f.phase == cycle.ANAGEN:
            f.phase = cycle.CATAGEN
            f.duration = rng.lognormal(_mu(p.catagen_mean_days, p.catagen_log_sd), p.catagen_log_sd)
            return False
        if f.phase == cycle.CATAGEN:
            f.phase = cycle.TELOGEN
            f.duration = rng.lognormal(_mu(p.telogen_mean_days, p.telogen_log_sd), p.telogen_log_sd)
            if f.attacked_dystrophic:
                f.duration *= p.aa_dystrophic_telogen_factor
            return False
        if f.phase == cycle.TELOGEN:
            had_hair, f.has_hair = f.has_hair, False
            age_years = self.person.age_years + t / DAYS_PER_YEAR
            hazard = p.ageing_loss_per_year if age_years > p.ageing_start_years else 0.0
            years = max(t - f.cycle_start, 0.0) / DAYS_PER_YEAR
            if rng.random() < -math.expm1(-hazard * years):
                f.phase = cycle.LOST
                return had_hair
            f.phase = cycle.KENOGEN
            mean = float(cycle.kenogen_mean_days(f.size, p))
            f.duration = (
                0.0 if f.activated else rng.lognormal(_mu(mean, p.kenogen_log_sd), p.kenogen_log_sd)
            )
            f.activated = False
            f.attacked_dystrophic = False
            return had_hair
        # kenogen -> a new anagen, unless an immune episode blocks it
        if self._blocked(index, t):
            f.held = True
            return False
        androgen = float(baseline_exposure(t, self.person, p))
        r, r_dht = self.person.treatment_response, dht_drug_response(self.person)
        exposure = androgen * float(response.dht_factor(self.schedule.dht_at(t), r_dht))
        growth = float(response.growth(self.schedule.growth_at(np.array([f.region]), t)[0], r))
        step = np.array([rng.random()]) if p.shrinkage_mode == "stepwise" else None
        f.size = float(
            cycle.next_size(
                np.array([f.size]),
                exposure=np.array([exposure * f.sensitivity]),
                growth=np.array([growth]),
                attached=np.array([f.attached]),
                params=p,
                step_draw=step,
                damage_noise=cycle.unit_lognormal(p.damage_cycle_log_sd, rng, 1),
            )[0]
        )
        if f.size < p.apm_detach_size:
            f.attached = False
        if f.size < p.loss_size:
            f.phase = cycle.LOST
            return False
        f.diameter = f.terminal * f.size * rng.lognormal(0.0, p.diameter_cycle_noise_cv)
        f.androgen = androgen
        mean = float(cycle.anagen_mean_days(f.size, p))
        anagen = rng.lognormal(_mu(mean, p.anagen_log_sd), p.anagen_log_sd)
        hidden = min(p.emergence_days, anagen)
        f.phase, f.duration, f.pending, f.cycle_start = (
            cycle.ANAGEN_HIDDEN,
            hidden,
            anagen - hidden,
            t,
        )
        return False


def _mu(mean: float, log_sd: float) -> float:
    return math.log(mean) - 0.5 * log_sd**2


def _observe(follicles, day, interval, shed_since, areas) -> list[dict]:
    cut = DEFAULT_CUTOFFS
    rows = []
    present = [REGION_INDEX[name] for name in areas]
    for label, members in [(REGIONS[r], {r}) for r in present] + [("scalp", set(present))]:
        group = [f for f in follicles if f.region in members]
        alive = [f for f in group if f.phase != cycle.LOST]
        hairs = [f.diameter for f in alive if f.has_hair]
        per_unit = {}
        for f in alive:
            if f.has_hair:
                per_unit[f.unit] = per_unit.get(f.unit, 0) + 1
        n = len(hairs)
        phases = [f.phase for f in alive]
        rows.append(
            {
                "day": float(day),
                "region": label,
                "follicles": len(alive),
                "hairs": n,
                "terminal_hairs": sum(d >= cut.terminal_min_um for d in hairs),
                "vellus_hairs": sum(d <= cut.vellus_max_um for d in hairs),
                "non_vellus_hairs": sum(d > cut.vellus_max_um for d in hairs),
                "thin_hairs": sum(d < cut.thin_below_um for d in hairs),
                "density_per_cm2": n / sum(areas[REGIONS[r]] for r in members),
                "mean_diameter_um": float(np.mean(hairs)) if hairs else float("nan"),
                "anagen_fraction": sum(ph in (cycle.ANAGEN_HIDDEN, cycle.ANAGEN) for ph in phases)
                / len(alive),
                "catagen_fraction": phases.count(cycle.CATAGEN) / len(alive),
                "telogen_fraction": phases.count(cycle.TELOGEN) / len(alive),
                "kenogen_fraction": phases.count(cycle.KENOGEN) / len(alive),
                "shed_per_day": sum(shed_since[r] for r in members) / interval,
                "single_hair_unit_share": sum(c == 1 for c in per_unit.values())
                / max(len(per_unit), 1),
            }
        )
    return rows
