"""The compiled engine: the numpy engine's ``advance`` as one numba kernel (issue 13).

Between two epochs every follicle runs on its own (follicles are uncoupled, see
``follicle.sim.engine``), so the kernel takes the follicles one by one and makes each
one's transitions up to ``until`` in a tight compiled loop, writing the event log as it
goes. Everything that happens at an epoch (clock and DHT changes, the start of an
alopecia areata episode, microneedling sessions, transplants, the start of logging)
stays in Python, inherited from :class:`follicle.sim.engine.Engine`: those are rare.

Every formula comes from ``follicle.model.mechanisms``, compiled here with
``numba.njit``: the numpy engine calls the same functions on arrays, so the two engines
cannot drift apart. The kernel draws from the engine's own ``numpy.random.Generator``
(numba shares its bit generator's state), so a run is reproducible from its seed, but
in another order than the numpy engine's: the two agree in distribution, not draw for
draw (tests/test_kernel_agreement.py).

The kernel is compiled once per process (``cache=True`` keeps the machine code on disk,
so later processes and Dask workers load it in well under a second).
"""

from __future__ import annotations

import math
import sys
import threading

import numba
import numpy as np

from follicle.model import cycle, mechanisms
from follicle.model.androgens import DAYS_PER_YEAR
from follicle.sim.engine import LOG_RECORD, Engine, pack_phases

# error_model="numpy": a division by zero gives inf as in numpy, with no check per division.
# fastmath "arcp" (a division by a loop constant becomes a multiplication by its inverse)
# and "contract" (a * b + c fused into one instruction) change results in the last bit
# only; no flag that assumes finite values (next_t is inf for lost follicles).
_jit = numba.njit(cache=True, error_model="numpy", fastmath={"arcp", "contract"})

# the mechanisms, compiled for scalars
_response_dht_factor = _jit(mechanisms.response_dht_factor)
_response_rest_rate = _jit(mechanisms.response_rest_rate)
_response_anagen_rate = _jit(mechanisms.response_anagen_rate)
_response_growth = _jit(mechanisms.response_growth)
_anagen_speed = _jit(mechanisms.anagen_speed)
_rest_exposure = _jit(mechanisms.rest_exposure)
_rest_speed = _jit(mechanisms.rest_speed)
_baseline_exposure = _jit(mechanisms.baseline_exposure)
_lognormal_mu = _jit(mechanisms.lognormal_mu)
_anagen_mean_days_pow = _jit(mechanisms.anagen_mean_days)
_kenogen_mean_days = _jit(mechanisms.kenogen_mean_days)
_hidden_anagen_days = _jit(mechanisms.hidden_anagen_days)
_dystrophic_telogen_days = _jit(mechanisms.dystrophic_telogen_days)
_ageing_loss_probability = _jit(mechanisms.ageing_loss_probability)
_next_size = _jit(mechanisms.next_size)
_shaft_diameter_um = _jit(mechanisms.shaft_diameter_um)
_growth_mm_per_day = _jit(mechanisms.growth_mm_per_day)
_pack_phases = _jit(pack_phases)

# positions of the parameter values in the float array the kernel receives
_PARAMETERS = (
    "androgen_anagen_shortening",
    "androgen_rest_prolongation",
    "androgen_telogen_share",
    "catagen_mean_days",
    "catagen_log_sd",
    "telogen_mean_days",
    "telogen_log_sd",
    "aa_dystrophic_telogen_factor",
    "ageing_start_years",
    "ageing_loss_per_year",
    "kenogen_mean_days_terminal",
    "kenogen_mean_days_miniaturized",
    "kenogen_log_sd",
    "aa_regrowth_delay_mean_days",
    "onset_ramp_years",
    "androgen_growth_per_decade",
    "menopause_age_years",
    "menopause_androgen_factor",
    "damage_per_cycle",
    "repair_per_cycle",
    "step_fraction",
    "damage_cycle_log_sd",
    "apm_detach_size",
    "loss_size",
    "diameter_cycle_noise_cv",
    "anagen_mean_days",
    "anagen_size_exponent",
    "anagen_log_sd",
    "emergence_days",
    "terminal_diameter_mean_um",
    "growth_mm_per_day",
)
(
    SHORTENING,
    PROLONGATION,
    TELOGEN_SHARE,
    CATAGEN_MEAN,
    CATAGEN_SD,
    TELOGEN_MEAN,
    TELOGEN_SD,
    DYSTROPHIC_FACTOR,
    AGEING_START,
    AGEING_LOSS,
    KENOGEN_TERMINAL,
    KENOGEN_MINIATURIZED,
    KENOGEN_SD,
    REGROWTH_DELAY,
    ONSET_RAMP,
    GROWTH_PER_DECADE,
    MENOPAUSE_AGE,
    MENOPAUSE_FACTOR,
    DAMAGE,
    REPAIR,
    STEP_FRACTION,
    DAMAGE_SD,
    DETACH_SIZE,
    LOSS_SIZE,
    DIAMETER_CV,
    ANAGEN_MEAN,
    ANAGEN_EXPONENT,
    ANAGEN_SD,
    EMERGENCE,
    TERMINAL_MEAN_UM,
    GROWTH_MM,
) = range(len(_PARAMETERS))

HIDDEN, ANAGEN, CATAGEN, TELOGEN, KENOGEN, LOST = (
    cycle.ANAGEN_HIDDEN,
    cycle.ANAGEN,
    cycle.CATAGEN,
    cycle.TELOGEN,
    cycle.KENOGEN,
    cycle.LOST,
)
_LOG_BUFFER = 1 << 18  # events per log buffer (7.6 MB)
# Free log buffers are kept for the next engine of the process: writing into memory
# already faulted in is ~20% faster than into fresh memory (docs/performance.md). At
# most this many buffers (122 MB) are kept; a buffer is free when no log holds it.
_POOL_SIZE = 16
_pool: list[np.ndarray] = []  # _pool[0] is a probe, never handed out (see _free_buffer)
_pool_lock = threading.Lock()
_NO_LOG = np.empty(0, LOG_RECORD)


def parameter_values(params) -> np.ndarray:
    return np.array([float(getattr(params, name)) for name in _PARAMETERS])


@_jit
def _anagen_mean_days(size, anagen_mean, size_exponent):
    """``mechanisms.anagen_mean_days``, with size ** 2 (the default exponent) as size * size:
    what numpy computes for an array ** 2 (its own fast path), 4x faster than pow."""
    if size_exponent == 2.0:
        return anagen_mean * (size * size)
    return _anagen_mean_days_pow(size, anagen_mean, size_exponent)


@_jit
def _lognormal_at(rng, mu, log_sd):
    """A lognormal draw from its log-scale location (precomputed for fixed means)."""
    return math.exp(mu + log_sd * rng.standard_normal())


@_jit
def _day_row(t, days):
    return min(math.floor(t), days)


@_jit
def advance_kernel(
    until,
    start,
    state,
    person_values,
    clocks,
    schedule,
    episodes,
    prm,
    flags,
    rng,
    log,
    pos,
):
    """Make every transition before ``until`` of follicles ``start``, ``start + 1``...

    Events are written as ``LOG_RECORD`` from ``log[pos]`` on. Returns (the follicle to
    resume from, the position after the last event written, transitions made): the
    follicle is ``n`` when done; a smaller one when ``log`` filled (take another, call
    again).
    Each follicle's state is held in local variables while its transitions are made.
    """
    (
        phase,
        next_t,
        pending,
        size,
        diameter,
        attached,
        cycles,
        has_hair,
        t_emerge,
        shaft_length,
        cycle_start,
        rest_until,
        anagen_androgen,
        activated,
        attacked,
        dystrophic,
        held,
        sensitivity,
        terminal_diameter,
        region,
        person,
    ) = state
    age_years, level, onset_years, female, response, dht_response = person_values
    felt_anagen, felt_rest, felt_dht = clocks
    dht_by_day, growth_by_day, days = schedule
    episode_ptr, episode_of, episode_start, episode_end = episodes
    typical, stepwise, logging, has_episodes, dht_changes, grows = flags
    capacity = log.size
    shortening = prm[SHORTENING]
    k = prm[PROLONGATION]
    share = prm[TELOGEN_SHARE]
    catagen_mu = _lognormal_mu(prm[CATAGEN_MEAN], prm[CATAGEN_SD])
    telogen_mu = _lognormal_mu(prm[TELOGEN_MEAN], prm[TELOGEN_SD])
    damage_mu = _lognormal_mu(1.0, prm[DAMAGE_SD])
    # lognormals with per-follicle means, drawn as mean x a mean-1 lognormal (the same
    # distribution as exp(log(mean) - sd^2 / 2 + sd z), without a log per draw)
    kenogen_mu = _lognormal_mu(1.0, prm[KENOGEN_SD])
    anagen_mu = _lognormal_mu(1.0, prm[ANAGEN_SD])
    # the parameters the loop reads, as locals: loop constants for the compiler
    ageing_loss = prm[AGEING_LOSS]
    ageing_start = prm[AGEING_START]
    anagen_exponent = prm[ANAGEN_EXPONENT]
    anagen_mean = prm[ANAGEN_MEAN]
    anagen_sd = prm[ANAGEN_SD]
    catagen_sd = prm[CATAGEN_SD]
    damage = prm[DAMAGE]
    damage_sd = prm[DAMAGE_SD]
    detach_size = prm[DETACH_SIZE]
    diameter_cv = prm[DIAMETER_CV]
    dystrophic_factor = prm[DYSTROPHIC_FACTOR]
    emergence = prm[EMERGENCE]
    growth_mm = prm[GROWTH_MM]
    growth_per_decade = prm[GROWTH_PER_DECADE]
    kenogen_miniaturized = prm[KENOGEN_MINIATURIZED]
    kenogen_sd = prm[KENOGEN_SD]
    kenogen_terminal = prm[KENOGEN_TERMINAL]
    loss_size = prm[LOSS_SIZE]
    menopause_age = prm[MENOPAUSE_AGE]
    menopause_factor = prm[MENOPAUSE_FACTOR]
    onset_ramp = prm[ONSET_RAMP]
    regrowth_delay = prm[REGROWTH_DELAY]
    repair = prm[REPAIR]
    step_fraction = prm[STEP_FRACTION]
    telogen_sd = prm[TELOGEN_SD]
    terminal_mean_um = prm[TERMINAL_MEAN_UM]
    transitions = 0
    n = phase.size
    for i in range(start, n):
        t = next_t[i]
        if not t < until:
            continue
        # the follicle's state, in local variables while its transitions are made
        ph = phase[i]
        hair = has_hair[i]
        sz = size[i]
        diam = diameter[i]
        length = shaft_length[i]
        emerged = t_emerge[i]
        androgen_then = anagen_androgen[i]
        sens = sensitivity[i]
        who = person[i]
        where = region[i]
        # the clocks as this person feels them, fixed until the next epoch
        r = response[who]
        r_dht = dht_response[who]
        anagen_clock = felt_anagen[who, where]
        rest_clock = felt_rest[who, where]
        dht_clock = felt_dht[who]
        full = False
        # The phases follow each other in a fixed order, so the loop runs through them in
        # that order, each block falling through to the next one: the branch predictor
        # sees the same taken branches cycle after cycle (an if/elif chain on the phase
        # jumps differently at every transition). A block runs only for a follicle in
        # its phase with a transition due before ``until``.
        while t < until:
            if ph == KENOGEN:
                if logging and pos >= capacity:
                    full = True
                    break
                transitions += 1
                # a new cycle: immune block, then miniaturization, then a new anagen
                if has_episodes:
                    blocked_until = np.inf
                    for j in range(episode_ptr[i], episode_ptr[i + 1]):
                        e = episode_of[j]
                        if episode_start[e] <= t < episode_end[e]:
                            blocked_until = min(blocked_until, episode_end[e])
                    if blocked_until < np.inf:
                        # no event: the follicle stays in kenogen until after the episode
                        t = blocked_until + rng.exponential(regrowth_delay)
                        held[i] = True
                        continue
                    held[i] = False
                androgen = _baseline_exposure(
                    age_years[who] + t / DAYS_PER_YEAR,
                    onset_years[who],
                    level[who],
                    female[who],
                    onset_ramp,
                    growth_per_decade,
                    menopause_age,
                    menopause_factor,
                )
                dht = 1.0
                signal = 0.0
                if t >= 0.0:
                    row = _day_row(t, days)
                    if dht_changes:
                        dht = dht_by_day[row]
                    if grows:
                        signal = growth_by_day[where, row]
                if not typical:
                    if dht != 1.0:  # 1 ** r is 1: no power to take (all of the history)
                        dht = _response_dht_factor(dht, r_dht)
                    signal = _response_growth(signal, r)
                step_draw = rng.random() if stepwise else 0.0
                noise = _lognormal_at(rng, damage_mu, damage_sd)
                sz = _next_size(
                    sz,
                    androgen * dht * sens,
                    signal,
                    attached[i],
                    noise,
                    step_draw,
                    damage,
                    repair,
                    stepwise,
                    step_fraction,
                )
                attached[i] = attached[i] and sz >= detach_size
                if sz < loss_size:
                    ph = LOST
                    t_next = np.inf
                else:
                    noise = math.exp(diameter_cv * rng.standard_normal())
                    diam = _shaft_diameter_um(terminal_diameter[i], sz, noise)
                    androgen_then = androgen
                    mean = _anagen_mean_days(sz, anagen_mean, anagen_exponent)
                    anagen = mean * _lognormal_at(rng, anagen_mu, anagen_sd)
                    hidden = _hidden_anagen_days(anagen, emergence)
                    pending[i] = anagen - hidden
                    exposure = androgen_then * dht_clock * sens
                    t_next = t + hidden / _anagen_speed(anagen_clock, exposure, shortening)
                    cycles[i] += 1
                    cycle_start[i] = t
                    ph = HIDDEN
                if ph == LOST:
                    hair = False
                if logging:
                    pos = _write(log, pos, t, i, KENOGEN, ph, False, hair, diam, length)
                t = t_next
                if not t < until:
                    break
            if ph == HIDDEN:
                if logging and pos >= capacity:
                    full = True
                    break
                transitions += 1
                if attacked[i]:
                    # an immune attack ends anagen: catagen now, then a short telogen
                    attacked[i] = False
                    dystrophic[i] = True
                    ph = CATAGEN
                    t_next = t + _lognormal_at(rng, catagen_mu, catagen_sd)
                    if logging:
                        pos = _write(log, pos, t, i, HIDDEN, ph, hair, hair, diam, length)
                    t = t_next
                    continue
                had = hair
                ph = ANAGEN
                hair = True
                emerged = t
                exposure = androgen_then * dht_clock * sens
                t_next = t + pending[i] / _anagen_speed(anagen_clock, exposure, shortening)
                if logging:
                    # a growing shaft's length is not stored (0)
                    pos = _write(log, pos, t, i, HIDDEN, ANAGEN, had, True, diam, 0.0)
                t = t_next
                if not t < until:
                    break
            if ph == ANAGEN:
                if logging and pos >= capacity:
                    full = True
                    break
                transitions += 1
                # the shaft's length when anagen ends (the end of growth or an attack)
                growth = _growth_mm_per_day(diam, terminal_mean_um, growth_mm)
                length = growth * (t - emerged)
                if attacked[i]:
                    # an immune attack ends anagen: catagen now, then a short telogen
                    attacked[i] = False
                    dystrophic[i] = True
                ph = CATAGEN
                t_next = t + _lognormal_at(rng, catagen_mu, catagen_sd)
                if logging:
                    pos = _write(log, pos, t, i, ANAGEN, CATAGEN, hair, hair, diam, length)
                t = t_next
                if not t < until:
                    break
            if ph == CATAGEN:
                if logging and pos >= capacity:
                    full = True
                    break
                transitions += 1
                duration = _lognormal_at(rng, telogen_mu, telogen_sd)
                duration = _dystrophic_telogen_days(duration, dystrophic[i], dystrophic_factor)
                ph = TELOGEN
                t_next = t + duration / _rest_speed_felt(
                    TELOGEN, rest_clock, androgen_then * dht_clock * sens, k, share
                )
                if logging:
                    pos = _write(log, pos, t, i, CATAGEN, TELOGEN, hair, hair, diam, length)
                t = t_next
                if not t < until:
                    break
            if ph == TELOGEN:
                if logging and pos >= capacity:
                    full = True
                    break
                transitions += 1
                # shedding (exogen) ends telogen; the empty follicle may be lost to ageing
                had = hair
                hair = False
                age = age_years[who] + t / DAYS_PER_YEAR
                chance = _ageing_loss_probability(
                    age, (t - cycle_start[i]) / DAYS_PER_YEAR, ageing_start, ageing_loss
                )
                if chance > 0.0 and rng.random() < chance:
                    ph = LOST
                    t_next = np.inf
                else:
                    ph = KENOGEN
                    if activated[i]:
                        duration = 0.0
                    else:
                        mean = _kenogen_mean_days(sz, kenogen_terminal, kenogen_miniaturized)
                        duration = mean * _lognormal_at(rng, kenogen_mu, kenogen_sd)
                        duration = duration / _rest_speed_felt(
                            KENOGEN, rest_clock, androgen_then * dht_clock * sens, k, share
                        )
                    t_next = max(t + duration, rest_until[i])
                    activated[i] = False
                    dystrophic[i] = False
                if logging:
                    pos = _write(log, pos, t, i, TELOGEN, ph, had, False, diam, length)
                t = t_next
            if ph == LOST:  # lost follicles never come back (next_t is inf)
                break
        phase[i] = ph
        next_t[i] = t
        has_hair[i] = hair
        size[i] = sz
        diameter[i] = diam
        shaft_length[i] = length
        t_emerge[i] = emerged
        anagen_androgen[i] = androgen_then
        if full:
            return i, pos, transitions
    return n, pos, transitions


@_jit
def _write(log, pos, t, i, old, new, had, has, diameter, length):
    """One event into the log at ``pos``; the next position."""
    record = log[pos]
    record.time = t
    record.follicle = i
    record.phases = _pack_phases(old, new, had, has)
    record.diameter_um = diameter
    record.length_mm = length
    return pos + 1


@_jit
def _rest_speed_felt(phase, rest_clock, exposure, k, share):
    """How fast telogen and kenogen run (Engine._rest_speed), from the rest clock and
    the exposure as the follicle's person feels them."""
    if k == 0.0:
        return rest_clock
    if share != 1.0:
        exposure = _rest_exposure(exposure, phase == TELOGEN, share)
    return _rest_speed(rest_clock, exposure, k)


@_jit
def change_clocks_kernel(
    when,
    state,
    old_clocks,
    new_clocks,
    rest_changes,
    prm,
):
    """New clock rates or DHT factor from ``when``: rescale each free follicle's remaining
    operational time in anagen (always) and in telogen or kenogen (when ``rest_changes``),
    as ``Engine._change_clocks`` does."""
    phase, next_t, rest_until, attacked, held, anagen_androgen, sensitivity, region, person = state
    old_anagen, old_rest, old_dht = old_clocks
    new_anagen, new_rest, new_dht = new_clocks
    shortening = prm[SHORTENING]
    k = prm[PROLONGATION]
    share = prm[TELOGEN_SHARE]
    for i in range(phase.size):
        ph = phase[i]
        t = next_t[i]
        if attacked[i] or held[i] or not np.isfinite(t):
            continue
        growing = ph <= ANAGEN  # HIDDEN or ANAGEN
        if not (growing or (rest_changes and TELOGEN <= ph <= KENOGEN)):
            continue
        where = region[i]
        who = person[i]
        androgen = anagen_androgen[i]
        sens = sensitivity[i]
        a0, z0, d0 = old_anagen[who, where], old_rest[who, where], old_dht[who]
        a1, z1, d1 = new_anagen[who, where], new_rest[who, where], new_dht[who]
        if growing:
            ratio = _anagen_speed(a0, androgen * d0 * sens, shortening) / _anagen_speed(
                a1, androgen * d1 * sens, shortening
            )
        else:
            ratio = _rest_speed_felt(ph, z0, androgen * d0 * sens, k, share) / _rest_speed_felt(
                ph, z1, androgen * d1 * sens, k, share
            )
        next_t[i] = max(when + (t - when) * ratio, rest_until[i])


class CompiledEngine(Engine):
    """The engine with ``advance`` compiled (numba); everything else as the numpy engine."""

    name = "numba"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prm = parameter_values(self.params)
        self._episode_index: tuple | None = None
        self._episode_key: tuple[int, int] | None = None
        self._buffer: np.ndarray | None = None  # the log buffer being filled
        self._used = 0  # its records already handed to the log

    def advance(self, until: float) -> None:
        s, schedule, people = self.state, self.schedule, self.people
        state = (
            s.phase,
            s.next_t,
            s.pending,
            s.size,
            s.diameter_um,
            s.attached,
            s.cycles,
            s.has_hair,
            s.t_emerge,
            s.shaft_length_mm,
            s.cycle_start,
            s.rest_until,
            s.anagen_androgen,
            s.activated,
            s.attacked,
            s.dystrophic,
            s.held,
            s.sensitivity,
            s.terminal_diameter_um,
            s.region,
            s.person,
        )
        person_values = (
            people.age_years,
            people.level,
            people.onset_years,
            people.female,
            people.response,
            people.dht_response,
        )
        clocks = self._felt(self.anagen_rate, self.rest_rate, self.dht)
        schedule_values = (
            schedule.dht_factor,
            schedule.growth,
            int(schedule.days),
        )
        flags = (
            people.typical_response,
            self.params.shrinkage_mode == "stepwise",
            self.logging,
            bool(self.episodes),
            not schedule._no_dht_change,
            not schedule._no_growth,
        )
        episodes = self._episodes()
        start = 0
        while True:
            log = self._log_buffer()
            start, pos, transitions = advance_kernel(
                float(until),
                start,
                state,
                person_values,
                clocks,
                schedule_values,
                episodes,
                self._prm,
                flags,
                self.rng,
                log,
                self._used,
            )
            self.transitions += transitions
            # the records written go to the log as a view (no copy); the next call
            # writes after them, so no record handed to the log is ever written again
            self.log.add_records(log[self._used : pos])
            self._used = pos
            if start >= s.n:
                break

    def _change_clocks(self, when: float, day: int) -> None:
        """As ``Engine._change_clocks``, compiled (it runs at every clock change)."""
        s = self.state
        anagen_rate, rest_rate = self.schedule.clocks_on(day)
        dht = self.schedule.dht_step_on(day)
        dht_matters = self.params.androgen_rest_prolongation > 0 and dht != self.dht
        rest_changes = bool(np.any(rest_rate != self.rest_rate) or dht_matters)
        change_clocks_kernel(
            float(when),
            (
                s.phase,
                s.next_t,
                s.rest_until,
                s.attacked,
                s.held,
                s.anagen_androgen,
                s.sensitivity,
                s.region,
                s.person,
            ),
            self._felt(self.anagen_rate, self.rest_rate, self.dht),
            self._felt(anagen_rate, rest_rate, dht),
            rest_changes,
            self._prm,
        )
        self.anagen_rate, self.rest_rate, self.dht = anagen_rate.copy(), rest_rate.copy(), dht

    def branch(self, schedule) -> CompiledEngine:
        other = super().branch(schedule)
        other._buffer = None  # each branch writes into its own buffers
        return other

    def _felt(self, anagen_rate, rest_rate, dht) -> tuple:
        """The anagen and rest clocks per (person, region) and the DHT factor per person,
        as each person feels them (model.response), computed once for all follicles."""
        people = self.people
        anagen = np.tile(np.asarray(anagen_rate, np.float64), (len(people), 1))
        rest = np.tile(np.asarray(rest_rate, np.float64), (len(people), 1))
        felt_dht = np.full(len(people), float(dht))
        if not people.typical_response:
            r = people.response
            anagen = mechanisms.response_anagen_rate(anagen, r[:, None])
            rest = mechanisms.response_rest_rate(rest, r[:, None])
            felt_dht = mechanisms.response_dht_factor(felt_dht, people.dht_response)
        return anagen, rest, felt_dht

    def _log_buffer(self) -> np.ndarray:
        """The buffer to write the log into: the current one while it has room."""
        if not self.logging:
            return _NO_LOG
        if self._buffer is None or self._used >= self._buffer.size:
            self._buffer, self._used = _free_buffer(_LOG_BUFFER), 0
        return self._buffer

    def _episodes(self) -> tuple:
        """Each follicle's alopecia areata episodes, as compressed rows (CSR)."""
        key = (len(self.episodes), self.state.n)
        if self._episode_key != key:
            n = self.state.n
            members = [np.flatnonzero(e.members) for e in self.episodes]
            follicle = np.concatenate([np.empty(0, np.int64), *members])
            which = np.concatenate(
                [np.empty(0, np.int64)]
                + [np.full(m.size, e, np.int64) for e, m in enumerate(members)]
            )
            order = np.argsort(follicle, kind="stable")
            ptr = np.zeros(n + 1, np.int64)
            np.cumsum(np.bincount(follicle, minlength=n), out=ptr[1:])
            start = np.array([float(e.episode.start_day) for e in self.episodes], np.float64)
            end = np.array([float(e.episode.end_day) for e in self.episodes], np.float64)
            self._episode_index = (ptr, which[order], start, end)
            self._episode_key = key
        return self._episode_index


def _free_buffer(size: int) -> np.ndarray:
    """A log buffer of ``size`` records: a free one of the pool, else a new one.

    A buffer is free when only the pool refers to it: no log chunk, array view (a view
    refers to the array that owns its memory) or engine. Its reference count is then the
    probe's, an array only the pool holds, counted the same way: comparing with the
    probe rather than a fixed number keeps the test right whatever references the
    interpreter's loop and call add."""
    with _pool_lock:
        if not _pool:
            _pool.append(np.empty(0, LOG_RECORD))
        for index, buffer in enumerate(_pool):
            count = sys.getrefcount(buffer)
            if index == 0:
                free = count
            elif buffer.size == size and count == free:
                return buffer
        buffer = np.empty(size, LOG_RECORD)
        if len(_pool) <= _POOL_SIZE:
            _pool.append(buffer)
        return buffer


def clear_log_pool() -> None:
    """Forget the pooled log buffers (the next engines write into fresh memory)."""
    with _pool_lock:
        _pool.clear()
