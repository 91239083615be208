"""The event-driven engine: cost grows with phase transitions, not days x follicles.

Follicles are uncoupled ([P] Plikus 2011: human scalp follicles behave as independent
units), so between two *epochs* (days when a treatment changes a cycle clock or the DHT
level, a microneedling session, the start of an alopecia areata episode, a transplant)
each follicle's chain of transitions can be run on its own. ``advance(until)`` repeatedly
takes every follicle whose next transition falls before ``until`` and makes it, all
such follicles at once with numpy, until none is left; time-dependent inputs (androgen
exposure, growth signals, immune episodes) are read at each follicle's own event time.
Nothing is discretized in time: this is an exact continuous-time simulation of the
model, which ``follicle.sim.reference`` simulates day by day.

One engine can hold the follicles of many people under one regimen (a trial arm): each
follicle knows its person, and everything personal (age, sex, onset, immune episodes,
transplant harvests) is looked up per follicle. Every transition after ``log_from`` is
written to an :class:`EventLog`, from which ``follicle.sim.observe`` derives observations.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from follicle.model import cycle, mechanisms, response
from follicle.model.androgens import DAYS_PER_YEAR, People
from follicle.model.params import ModelParameters
from follicle.model.regions import REGION_INDEX
from follicle.model.scalp import (
    FollicleState,
    concatenate,
    draw_units,
    new_follicles,
    region_frame_um,
)
from follicle.person import AlopeciaAreataEpisode
from follicle.treatments.schedule import TreatmentSchedule

_ANAGEN_PHASES = (cycle.ANAGEN_HIDDEN, cycle.ANAGEN)
_REST_PHASES = (cycle.TELOGEN, cycle.KENOGEN)
_LOG_COLUMNS = {
    "time": np.float64,
    "follicle": np.int64,
    "old_phase": np.int8,
    "new_phase": np.int8,
    "had_hair": bool,
    "has_hair": bool,
    "diameter_um": np.float64,
    "length_mm": np.float64,
}
# The compiled engine writes its events as packed records (29 bytes instead of the 36 of
# the columns): one store stream per transition, half the memory to fault in. ``phases``
# packs old phase (bits 0-2: 0-6, ABSENT included), new phase (bits 3-5), had hair (bit
# 6) and has hair (bit 7); the other fields are the columns' values unchanged.
LOG_RECORD = np.dtype(
    [
        ("time", np.float64),
        ("follicle", np.int32),
        ("phases", np.uint8),
        ("diameter_um", np.float64),
        ("length_mm", np.float64),
    ]
)


def pack_phases(old_phase, new_phase, had_hair, has_hair):
    """The ``phases`` byte of a log record (works on scalars and arrays)."""
    return old_phase | (new_phase << 3) | (had_hair << 6) | (has_hair << 7)


def _unpack_records(records: np.ndarray, columns: dict[str, np.ndarray]) -> None:
    """Log records into (slices of) the log's columns."""
    for name in ("time", "follicle", "diameter_um", "length_mm"):
        columns[name][:] = records[name]
    phases = np.ascontiguousarray(records["phases"])
    old, new = columns["old_phase"].view(np.uint8), columns["new_phase"].view(np.uint8)
    np.bitwise_and(phases, 7, out=old)
    np.right_shift(phases, 3, out=new)
    np.bitwise_and(new, 7, out=new)
    np.not_equal(np.bitwise_and(phases, 64), 0, out=columns["had_hair"])
    np.greater_equal(phases, 128, out=columns["has_hair"])


@dataclass
class EventLog:
    """Transitions in the order they were made (each follicle's in time order).

    A chunk is a tuple of column values (the numpy engine) or an array of ``LOG_RECORD``
    (the compiled engine); chunks are never changed once added."""

    _chunks: list[tuple | np.ndarray] = field(default_factory=list)

    def add(self, time, follicle, old_phase, new_phase, had_hair, has_hair, diameter, length):
        if np.size(follicle):
            self._chunks.append(
                (time, follicle, old_phase, new_phase, had_hair, has_hair, diameter, length)
            )

    def add_records(self, records: np.ndarray) -> None:
        if records.size:
            self._chunks.append(records)

    def arrays(self) -> dict[str, np.ndarray]:
        """The log as columns; scalars given for a whole chunk are broadcast."""
        sizes = [
            np.size(chunk[1]) if isinstance(chunk, tuple) else chunk.size for chunk in self._chunks
        ]
        total = sum(sizes)
        columns = {name: np.empty(total, dtype) for name, dtype in _LOG_COLUMNS.items()}
        start = 0
        for chunk, n in zip(self._chunks, sizes, strict=True):
            part = {name: column[start : start + n] for name, column in columns.items()}
            if isinstance(chunk, tuple):
                for name, value in zip(_LOG_COLUMNS, chunk, strict=True):
                    part[name][:] = value
            else:
                _unpack_records(chunk, part)
            start += n
        return columns


def _among(phase: np.ndarray, codes: tuple[int, int]) -> np.ndarray:
    """``np.isin(phase, codes)`` for two codes: two comparisons, much faster on int8."""
    return (phase == codes[0]) | (phase == codes[1])


@dataclass
class EpisodeRuntime:
    episode: AlopeciaAreataEpisode
    members: np.ndarray  # bool per follicle, fixed at the episode's start


class Engine:
    """Runs the follicles of one or more people through time. Mutates ``state``."""

    def __init__(
        self,
        state: FollicleState,
        *,
        people: People,
        params: ModelParameters,
        schedule: TreatmentSchedule,
        areas_cm2: dict[str, float],
        rng: np.random.Generator,
    ):
        self.state = state
        self.people = people
        self.params = params
        self.schedule = schedule
        self.areas_cm2 = areas_cm2
        self.rng = rng
        self.anagen_rate, self.rest_rate = schedule.clocks_on(-1)
        self.dht = 1.0
        self.log = EventLog()
        self.logging = False
        self.episodes: list[EpisodeRuntime] = []
        self.transitions = 0
        self.initial: dict[str, np.ndarray] | None = None
        self.log_start: float | None = None

    # ---- driving ------------------------------------------------------------------------

    def prime(self, t0: np.ndarray) -> None:
        """Set each follicle's androgen level and convert its remaining operational time
        in anagen, telogen or kenogen (drawn at speed 1 by ``start_in_steady_state``) into
        real time at ``t0``."""
        s = self.state
        s.anagen_androgen[:] = self.people.baseline_exposure(s.person, t0, self.params)
        growing = np.flatnonzero(np.isin(s.phase, _ANAGEN_PHASES))
        speed = self._anagen_speed(growing)
        s.next_t[growing] = t0[growing] + (s.next_t[growing] - t0[growing]) / speed
        resting = np.flatnonzero(np.isin(s.phase, _REST_PHASES))
        speed = self._rest_speed(resting)
        s.next_t[resting] = t0[resting] + (s.next_t[resting] - t0[resting]) / speed

    def run(
        self,
        *,
        t_start: float,
        t_end: float,
        log_from: float,
        progress: Callable[[float], None] | None = None,
        end_epochs: bool = True,
    ) -> None:
        """Simulate from ``t_start`` to ``t_end``, logging events from ``log_from`` on.

        ``end_epochs=False`` stops after the transitions before ``t_end``, before the
        epochs of ``t_end`` itself: a point to ``branch`` from and ``run`` on from
        ``t_start=t_end`` (exactly as one run would have gone on)."""
        # day 0 is always an epoch: the past up to day 0 is then simulated in the same
        # batches (the same random draws) whatever the regimen, so every regimen starts
        # from the same scalp
        actions: list[tuple[float, int, object]] = [(log_from, 0, None), (0.0, 6, None)]
        for day in self.schedule.clock_change_days():
            actions.append((float(day), 1, day))
        for person, someone in enumerate(self.people.persons):
            for episode in someone.alopecia_areata:
                if episode.start_day <= t_end:
                    actions.append((float(episode.start_day), 2, (person, episode)))
        for session in self.schedule.sessions:
            actions.append((float(session.day), 3, session))
        for transplant in self.schedule.transplants:
            actions.append((float(transplant.day), 4, transplant))
        if progress is not None:  # yearly ticks only report; advancing in pieces is exact
            for when in np.arange(t_start, t_end, DAYS_PER_YEAR)[1:]:
                actions.append((float(when), 5, None))
        actions.sort(key=lambda item: (item[0], item[1]))
        handlers = {
            0: lambda when, _: self._start_logging(when),
            1: self._change_clocks,
            2: self._start_episode,
            3: self._session,
            4: self._transplant,
            5: lambda when, _: progress((when - t_start) / (t_end - t_start)),
            6: lambda when, _: None,
        }
        for when, kind, payload in actions:
            if t_start <= when <= t_end and (end_epochs or when < t_end):
                self.advance(when)
                handlers[kind](when, payload)
        self.advance(t_end)
        if progress is not None:
            progress(1.0)

    def branch(self, schedule: TreatmentSchedule) -> Engine:
        """An independent copy of this engine (state, random stream, log) that goes on
        under ``schedule``: paired trial arms share each person's history this way.
        The schedule must take nothing before day 0, like every compiled regimen."""
        for now, then in zip(self.schedule.clocks_on(-1), schedule.clocks_on(-1), strict=True):
            if not np.array_equal(now, then):
                raise ValueError("a branch's schedule must have the same clocks before day 0")
        other = copy.copy(self)
        other.schedule = schedule
        other.state = copy.deepcopy(self.state)
        other.rng = copy.deepcopy(self.rng)
        other.log = EventLog(list(self.log._chunks))  # chunks are never changed in place
        other.episodes = [EpisodeRuntime(e.episode, e.members.copy()) for e in self.episodes]
        return other

    def advance(self, until: float) -> None:
        """Make every transition that falls before ``until``."""
        s = self.state
        idx = np.flatnonzero(s.next_t < until)
        while idx.size:
            phase = s.phase[idx]
            order = np.argsort(phase, kind="stable")
            idx, phase = idx[order], phase[order]
            bounds = np.searchsorted(phase, np.arange(cycle.LOST + 1))
            self.transitions += idx.size
            self._from_hidden(idx[bounds[0] : bounds[1]])
            self._from_anagen(idx[bounds[1] : bounds[2]])
            self._from_catagen(idx[bounds[2] : bounds[3]])
            self._from_telogen(idx[bounds[3] : bounds[4]])
            self._from_kenogen(idx[bounds[4] : bounds[5]])
            idx = idx[s.next_t[idx] < until]

    # ---- transitions ----------------------------------------------------------------------

    def _emit(self, idx, t, old, new, had_hair):
        if self.logging:
            s = self.state
            # every caller has set the follicles' phase to ``new`` (a scalar): a growing
            # shaft's length is not stored (0), the others' is
            length = 0.0 if new == cycle.ANAGEN else s.shaft_length_mm[idx]
            self.log.add(t, idx, old, new, had_hair, s.has_hair[idx], s.diameter_um[idx], length)

    def _anagen_speed(self, idx, anagen_rate=None, dht=None) -> np.ndarray:
        """How fast anagen runs: the region's clock, faster under androgen exposure.

        The androgen level is the one at anagen entry; the DHT factor acts in real time.
        Both treatment effects are scaled by each person's response (model.response).
        """
        s = self.state
        rate = (self.anagen_rate if anagen_rate is None else anagen_rate)[s.region[idx]]
        dht = self.dht if dht is None else dht
        if not self.people.typical_response:
            who = s.person[idx]
            rate = response.anagen_rate(rate, self.people.response[who])
            dht = response.dht_factor(dht, self.people.dht_response[who])
        exposure = s.anagen_androgen[idx] * dht * s.sensitivity[idx]
        return mechanisms.anagen_speed(rate, exposure, self.params.androgen_anagen_shortening)

    def _rest_speed(self, idx, rest_rate=None, dht=None) -> np.ndarray:
        """How fast telogen and kenogen run: the region's clock (scaled by the person's
        response), slower under androgen exposure (androgen level at the last anagen
        entry x the DHT factor of the day x sensitivity), like the anagen clock."""
        s = self.state
        rate = (self.rest_rate if rest_rate is None else rest_rate)[s.region[idx]]
        dht = self.dht if dht is None else dht
        if not self.people.typical_response:
            who = s.person[idx]
            rate = response.rest_rate(rate, self.people.response[who])
            dht = response.dht_factor(dht, self.people.dht_response[who])
        k = self.params.androgen_rest_prolongation
        if k == 0:
            return rate
        exposure = s.anagen_androgen[idx] * dht * s.sensitivity[idx]
        share = self.params.androgen_telogen_share
        if share != 1.0:  # telogen held by androgens less than kenogen (or not at all)
            exposure = mechanisms.rest_exposure(exposure, s.phase[idx] == cycle.TELOGEN, share)
        return mechanisms.rest_speed(rate, exposure, k)

    def _from_hidden(self, idx):
        if not idx.size:
            return
        s = self.state
        attacked = s.attacked[idx]
        if attacked.any():
            self._dystrophy(idx[attacked], cycle.ANAGEN_HIDDEN)
            idx = idx[~attacked]
        t = s.next_t[idx]
        s.phase[idx] = cycle.ANAGEN
        s.has_hair[idx] = True
        s.t_emerge[idx] = t
        s.next_t[idx] = t + s.pending[idx] / self._anagen_speed(idx)
        self._emit(idx, t, cycle.ANAGEN_HIDDEN, cycle.ANAGEN, False)

    def _from_anagen(self, idx):
        if not idx.size:
            return
        s = self.state
        attacked = s.attacked[idx]
        if attacked.any():
            self._dystrophy(idx[attacked], cycle.ANAGEN)
            idx = idx[~attacked]
        t = s.next_t[idx]
        growth = cycle.growth_mm_per_day(s.diameter_um[idx], self.params)
        s.shaft_length_mm[idx] = growth * (t - s.t_emerge[idx])
        self._to_catagen(idx, t)
        self._emit(idx, t, cycle.ANAGEN, cycle.CATAGEN, True)

    def _dystrophy(self, idx, old_phase):
        """An immune attack ends anagen: catagen now, then a short telogen."""
        s = self.state
        t = s.next_t[idx]
        had_hair = s.has_hair[idx].copy()
        if old_phase == cycle.ANAGEN:
            growth = cycle.growth_mm_per_day(s.diameter_um[idx], self.params)
            s.shaft_length_mm[idx] = growth * (t - s.t_emerge[idx])
        s.attacked[idx] = False
        s.dystrophic[idx] = True
        self._to_catagen(idx, t)
        self._emit(idx, t, old_phase, cycle.CATAGEN, had_hair)

    def _to_catagen(self, idx, t):
        s, p = self.state, self.params
        s.phase[idx] = cycle.CATAGEN
        duration = cycle.LogNormal(p.catagen_mean_days, p.catagen_log_sd).sample(self.rng, idx.size)
        s.next_t[idx] = t + duration

    def _from_catagen(self, idx):
        if not idx.size:
            return
        s, p = self.state, self.params
        t = s.next_t[idx]
        duration = cycle.LogNormal(p.telogen_mean_days, p.telogen_log_sd).sample(self.rng, idx.size)
        duration = mechanisms.dystrophic_telogen_days(
            duration, s.dystrophic[idx], p.aa_dystrophic_telogen_factor
        )
        s.phase[idx] = cycle.TELOGEN
        s.next_t[idx] = t + duration / self._rest_speed(idx)
        self._emit(idx, t, cycle.CATAGEN, cycle.TELOGEN, s.has_hair[idx])

    def _from_telogen(self, idx):
        """Shedding (exogen) ends telogen; the empty follicle may be lost to ageing."""
        if not idx.size:
            return
        s, p = self.state, self.params
        t = s.next_t[idx]
        had_hair = s.has_hair[idx].copy()
        s.has_hair[idx] = False
        age = self.people.age_at(s.person[idx], t)
        years = (t - s.cycle_start[idx]) / DAYS_PER_YEAR
        chance = mechanisms.ageing_loss_probability(
            age, years, p.ageing_start_years, p.ageing_loss_per_year
        )
        dies = self.rng.random(idx.size) < chance
        if dies.any():
            self._lose(idx[dies], t[dies], cycle.TELOGEN, had_hair[dies])
            idx, t, had_hair = idx[~dies], t[~dies], had_hair[~dies]
        means = cycle.kenogen_mean_days(s.size[idx], p)
        duration = cycle.lognormal_from_means(means, p.kenogen_log_sd, self.rng)
        s.phase[idx] = cycle.KENOGEN  # before the speed: it depends on the phase
        duration = np.where(s.activated[idx], 0.0, duration / self._rest_speed(idx))
        s.next_t[idx] = np.maximum(t + duration, s.rest_until[idx])
        s.activated[idx] = False
        s.dystrophic[idx] = False
        self._emit(idx, t, cycle.TELOGEN, cycle.KENOGEN, had_hair)

    def _lose(self, idx, t, old_phase, had_hair):
        s = self.state
        s.phase[idx] = cycle.LOST
        s.next_t[idx] = np.inf
        s.has_hair[idx] = False
        self._emit(idx, t, old_phase, cycle.LOST, had_hair)

    def _from_kenogen(self, idx):
        """A new cycle: immune block, then miniaturization, then a new anagen."""
        if not idx.size:
            return
        s, p = self.state, self.params
        t = s.next_t[idx]
        if self.episodes:
            blocked_until = self._blocked_until(idx, t)
            blocked = np.isfinite(blocked_until)
            if blocked.any():
                delay = self.rng.exponential(p.aa_regrowth_delay_mean_days, blocked.sum())
                s.next_t[idx[blocked]] = blocked_until[blocked] + delay
                s.held[idx[blocked]] = True
                idx, t = idx[~blocked], t[~blocked]
            s.held[idx] = False
        androgen = self.people.baseline_exposure(s.person[idx], t, p)
        dht = self.schedule.dht_at(t)
        growth = self.schedule.growth_at(s.region[idx], t)
        if not self.people.typical_response:
            who = s.person[idx]
            dht = response.dht_factor(dht, self.people.dht_response[who])
            growth = response.growth(growth, self.people.response[who])
        exposure = androgen * dht * s.sensitivity[idx]
        step_draw = self.rng.random(idx.size) if p.shrinkage_mode == "stepwise" else None
        size = cycle.next_size(
            s.size[idx],
            exposure=exposure,
            growth=growth,
            attached=s.attached[idx],
            params=p,
            step_draw=step_draw,
            damage_noise=cycle.unit_lognormal(p.damage_cycle_log_sd, self.rng, idx.size),
        )
        s.size[idx] = size
        s.attached[idx] &= size >= p.apm_detach_size
        lost = size < p.loss_size
        if lost.any():
            self._lose(idx[lost], t[lost], cycle.KENOGEN, np.zeros(lost.sum(), bool))
            keep = ~lost
            idx, t, size, androgen = idx[keep], t[keep], size[keep], androgen[keep]
        noise = self.rng.lognormal(0.0, p.diameter_cycle_noise_cv, idx.size)
        s.diameter_um[idx] = mechanisms.shaft_diameter_um(s.terminal_diameter_um[idx], size, noise)
        s.anagen_androgen[idx] = androgen
        anagen = cycle.lognormal_from_means(
            cycle.anagen_mean_days(size, p), p.anagen_log_sd, self.rng
        )
        hidden = mechanisms.hidden_anagen_days(anagen, p.emergence_days)
        s.pending[idx] = anagen - hidden
        s.phase[idx] = cycle.ANAGEN_HIDDEN
        s.next_t[idx] = t + hidden / self._anagen_speed(idx)
        s.cycles[idx] += 1
        s.cycle_start[idx] = t
        self._emit(idx, t, cycle.KENOGEN, cycle.ANAGEN_HIDDEN, False)

    def _blocked_until(self, idx, t) -> np.ndarray:
        """End day of an active immune episode covering each follicle, else inf."""
        until = np.full(idx.size, np.inf)
        for runtime in self.episodes:
            episode = runtime.episode
            members = runtime.members[idx]
            active = members & (t >= episode.start_day) & (t < episode.end_day)
            until = np.where(active, np.minimum(until, episode.end_day), until)
        return until

    # ---- epochs ---------------------------------------------------------------------------

    def _start_logging(self, when: float) -> None:
        s = self.state
        self.logging = True
        self.log_start = when
        self.initial = {
            "phase": s.phase.copy(),
            "has_hair": s.has_hair.copy(),
            "diameter_um": s.diameter_um.copy(),
            "shaft_length_mm": np.where(
                s.phase == cycle.ANAGEN,
                cycle.growth_mm_per_day(s.diameter_um, self.params) * (when - s.t_emerge),
                s.shaft_length_mm,
            ),
        }

    def _change_clocks(self, when: float, day: int) -> None:
        """New clock rates or DHT factor from ``day``: rescale the remaining operational time."""
        s = self.state
        anagen_rate, rest_rate = self.schedule.clocks_on(day)
        dht = self.schedule.dht_step_on(day)
        free = ~(s.attacked | s.held) & np.isfinite(s.next_t)
        growing = np.flatnonzero(free & _among(s.phase, _ANAGEN_PHASES))
        ratio = self._anagen_speed(growing) / self._anagen_speed(growing, anagen_rate, dht)
        self._rescale(growing, when, ratio)
        dht_matters = self.params.androgen_rest_prolongation > 0 and dht != self.dht
        if np.any(rest_rate != self.rest_rate) or dht_matters:
            resting = np.flatnonzero(free & _among(s.phase, _REST_PHASES))
            ratio = self._rest_speed(resting) / self._rest_speed(resting, rest_rate, dht)
            self._rescale(resting, when, ratio)
        self.anagen_rate, self.rest_rate, self.dht = anagen_rate.copy(), rest_rate.copy(), dht

    def _rescale(self, idx, when, ratio) -> None:
        s = self.state
        s.next_t[idx] = np.maximum(when + (s.next_t[idx] - when) * ratio, s.rest_until[idx])

    def _start_episode(self, when: float, payload) -> None:
        """Alopecia areata: anagen follicles in the patch are attacked at a constant rate."""
        person, episode = payload
        s = self.state
        members = self._patch_members(person, episode)
        self.episodes.append(EpisodeRuntime(episode, members))
        idx = np.flatnonzero(members & np.isin(s.phase, _ANAGEN_PHASES))
        attack = when + self.rng.exponential(episode.attack_mean_days, idx.size)
        hit = (attack < s.next_t[idx]) & (attack < episode.end_day)
        s.next_t[idx[hit]] = attack[hit]
        s.attacked[idx[hit]] = True

    def _patch_members(self, person: int, episode: AlopeciaAreataEpisode) -> np.ndarray:
        """The person's follicles inside a circular patch centred in the region's frame."""
        s = self.state
        if episode.region not in self.areas_cm2:
            return np.zeros(s.n, bool)
        centre = region_frame_um(self.areas_cm2[episode.region]) / 2
        radius = np.sqrt(episode.patch_area_cm2 / np.pi) * 1e4
        distance = np.hypot(s.x_um - centre, s.y_um - centre)
        region = REGION_INDEX[episode.region]
        return (s.person == person) & (s.region == region) & (distance <= radius) & s.alive

    def _session(self, when: float, session) -> None:
        """Microneedling: resting follicles in the treated regions may enter anagen now.

        Each person attends a scheduled session with probability ``session.attendance``.
        """
        s = self.state
        attends = self.rng.random(len(self.people)) < session.attendance
        candidates = session.regions[s.region] & np.isin(s.phase, _REST_PHASES)
        idx = np.flatnonzero(candidates & attends[s.person])
        hit = idx[self.rng.random(idx.size) < session.activation_probability]
        s.activated[hit] = True
        # pushed follicles leave their resting phase during the session's day
        s.next_t[hit] = np.maximum(when + self.rng.random(hit.size), s.rest_until[hit])

    def _transplant(self, when: float, surgery) -> None:
        """Each person's surgery: units move from the donor to the recipient region."""
        grafts = [self._graft_one(when, surgery, person) for person in range(len(self.people))]
        grafts = [g for g in grafts if g is not None]
        if not grafts:
            return
        s = self.state
        first = s.n
        s.append(concatenate(grafts))
        added = s.n - first
        for runtime in self.episodes:
            runtime.members = np.concatenate([runtime.members, np.zeros(added, bool)])
        if self.logging:
            idx = np.arange(first, s.n)
            self._emit(
                idx, np.full(added, when), cycle.ABSENT, cycle.TELOGEN, np.zeros(added, bool)
            )

    def _graft_one(self, when: float, surgery, person: int) -> FollicleState | None:
        s, p, rng = self.state, self.params, self.rng
        someone = self.people.persons[person]
        recipient_area = surgery.recipient_area_cm2 or p.region_area_cm2[surgery.region]
        donor = REGION_INDEX[surgery.donor_region]
        harvested = np.empty(0, np.int64)
        if surgery.donor_region in self.areas_cm2:
            # the share of the grafts that comes from the simulated donor area
            area = self.areas_cm2[surgery.donor_region]
            share = min(1.0, area / p.region_area_cm2[surgery.donor_region])
            mine = (s.person == person) & (s.region == donor) & s.alive
            candidates = np.unique(s.unit[mine])
            n_harvest = min(int(rng.binomial(surgery.grafts, share)), candidates.size)
            chosen = rng.choice(candidates, n_harvest, replace=False)
            harvested = np.flatnonzero(np.isin(s.unit, chosen) & s.alive)
            self._lose(
                harvested,
                np.full(harvested.size, when),
                s.phase[harvested].copy(),
                s.has_hair[harvested].copy(),
            )
        if surgery.region not in self.areas_cm2:
            return None
        share = min(1.0, self.areas_cm2[surgery.region] / recipient_area)
        n_grafts = int(rng.binomial(surgery.grafts, share))
        if n_grafts == 0:
            return None
        frame = region_frame_um(self.areas_cm2[surgery.region])
        owner, x, y = draw_units(n_grafts, frame, p, rng, ethnicity=someone.ethnicity)
        n = owner.size
        grafts = new_follicles(
            person_index=person,
            region=np.full(n, REGION_INDEX[surgery.region], np.int8),
            unit=owner + s.unit.max() + 1,
            x_um=x,
            y_um=y,
            person=someone,
            params=p,
            rng=rng,
        )
        # donor dominance: grafts keep the donor region's sensitivity and size
        pattern = p.pattern_sensitivity[someone.sex]
        if pattern[surgery.region] > 0:
            grafts.sensitivity *= pattern[surgery.donor_region] / pattern[surgery.region]
        else:
            grafts.sensitivity[:] = 0.0
        take = min(harvested.size, n)
        if take:
            source = harvested[:take]
            grafts.sensitivity[:take] = s.sensitivity[source]
            grafts.terminal_diameter_um[:take] = s.terminal_diameter_um[source]
            grafts.size[:take] = s.size[source]
        grafts = grafts.subset(rng.random(n) < surgery.graft_survival)
        m = grafts.phase.size
        grafts.transplanted[:] = True
        grafts.phase[:] = cycle.TELOGEN
        grafts.has_hair[:] = True
        grafts.diameter_um[:] = grafts.terminal_diameter_um * grafts.size
        grafts.shaft_length_mm[:] = p.transplant_trimmed_length_mm
        low, high = p.transplant_shock_telogen_days
        grafts.next_t[:] = when + rng.uniform(low, high, m)
        grafts.rest_until[:] = when + rng.exponential(p.transplant_regrowth_mean_days, m)
        grafts.cycle_start[:] = when
        return grafts
