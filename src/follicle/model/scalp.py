"""Building a scalp (or a patch of it): regions, follicular units and their follicles.

Follicles are stored as a struct of arrays (:class:`FollicleState`), one entry per
follicle. A patch (a 1 cm2 tattooed square, a 5.1 cm2 circle...) is built with exactly
the per-follicle statistics of the whole region, so it can be simulated on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from follicle.errors import FollicleInputError
from follicle.model import cycle
from follicle.model.params import ModelParameters
from follicle.model.regions import REGION_INDEX, REGIONS
from follicle.person import Person


@dataclass(frozen=True)
class Patch:
    """A target area inside one region, e.g. ``Patch(region="vertex", area_cm2=5.1)``."""

    region: str
    area_cm2: float

    def __post_init__(self):
        if self.region not in REGION_INDEX:
            raise FollicleInputError("area.region", self.region, f"one of {list(REGIONS)}")
        if not 0 < self.area_cm2 <= 500:
            raise FollicleInputError("area.area_cm2", self.area_cm2, "a number in (0, 500] cm2")


AreaSpec = None | str | Patch | dict


def resolve_area(area: AreaSpec, params: ModelParameters) -> dict[str, float]:
    """Region -> simulated area in cm2.

    ``None`` or ``"scalp"``: the whole scalp; a region name: that whole region;
    ``"vertex:5.1"`` or ``Patch("vertex", 5.1)``: a patch; a dict: region -> cm2.
    """
    if area is None or area == "scalp":
        return dict(params.region_area_cm2)
    if isinstance(area, str):
        if ":" in area:
            region, _, size = area.partition(":")
            try:
                return resolve_area(Patch(region.strip(), float(size)), params)
            except ValueError:
                raise FollicleInputError(
                    "area", area, "'scalp', a region, or REGION:CM2 such as 'vertex:5.1'"
                ) from None
        if area in REGION_INDEX:
            return {area: params.region_area_cm2[area]}
        raise FollicleInputError("area", area, "'scalp', a region, or REGION:CM2 ('vertex:5.1')")
    if isinstance(area, Patch):
        return {area.region: area.area_cm2}
    if isinstance(area, dict):
        if not area:
            raise FollicleInputError("area", area, "at least one region")
        return {
            key: resolve_area(Patch(key, float(value)), params)[key] for key, value in area.items()
        }
    raise FollicleInputError("area", area, "None, 'scalp', a region, 'vertex:5.1', Patch or dict")


@dataclass
class FollicleState:
    """Every follicle, as parallel arrays (struct of arrays)."""

    person: np.ndarray  # int32, index of the person the follicle belongs to
    region: np.ndarray  # int8, index into REGIONS
    unit: np.ndarray  # int64, follicular unit id (unique across people)
    x_um: np.ndarray  # float64, exit point in the region/patch frame
    y_um: np.ndarray
    terminal_diameter_um: np.ndarray  # float64, shaft diameter at full size
    sensitivity: np.ndarray  # float64, androgen sensitivity (person x region x follicle)
    transplanted: np.ndarray  # bool
    phase: np.ndarray  # int8, cycle.ANAGEN_HIDDEN .. cycle.LOST
    next_t: np.ndarray  # float64, day of the next transition (inf when lost)
    pending: np.ndarray  # float64, operational anagen left after emergence
    size: np.ndarray  # float64, relative size (1 = full terminal size)
    diameter_um: np.ndarray  # float64, diameter of the current shaft
    attached: np.ndarray  # bool, arrector pili attached (can still recover)
    cycles: np.ndarray  # int32, completed anagen entries
    has_hair: np.ndarray  # bool, a shaft above the skin
    t_emerge: np.ndarray  # float64, day the current shaft emerged
    shaft_length_mm: np.ndarray  # float64, length when growth stopped
    cycle_start: np.ndarray  # float64, day of the last anagen entry
    rest_until: np.ndarray  # float64, earliest day of the next anagen (grafts)
    anagen_androgen: np.ndarray  # float64, androgen level (no DHT factor) at anagen entry
    activated: np.ndarray  # bool, pushed into anagen: skip kenogen
    attacked: np.ndarray  # bool, alopecia areata attack scheduled
    dystrophic: np.ndarray  # bool, short telogen after an attack
    held: np.ndarray  # bool, anagen blocked by an alopecia areata episode

    @property
    def n(self) -> int:
        return self.phase.size

    @property
    def alive(self) -> np.ndarray:
        return self.phase != cycle.LOST

    def append(self, other: FollicleState) -> None:
        """Add ``other``'s follicles after these (in place: the engine holds this object)."""
        joined = concatenate([self, other])
        for item in fields(self):
            setattr(self, item.name, getattr(joined, item.name))

    def subset(self, keep: np.ndarray) -> FollicleState:
        return FollicleState(**{f.name: getattr(self, f.name)[keep] for f in fields(self)})


def region_frame_um(area_cm2: float) -> float:
    """Side of the square frame (um) that holds a region or patch of this area."""
    return float(np.sqrt(area_cm2) * 1e4)


def new_follicles(
    *,
    person_index: int,
    region: np.ndarray,
    unit: np.ndarray,
    x_um: np.ndarray,
    y_um: np.ndarray,
    person: Person,
    params: ModelParameters,
    rng: np.random.Generator,
) -> FollicleState:
    """Fresh full-size follicles with person- and region-specific properties (phase unset)."""
    terminal, spread = _draw_traits(region.size, person, params, rng)
    return _fresh_state(
        person=np.full(region.size, person_index, np.int32),
        region=region,
        unit=unit,
        x_um=x_um,
        y_um=y_um,
        terminal=terminal,
        sensitivity=_sensitivity(person, params)[region] * spread,
    )


def _draw_traits(
    n: int, person: Person, params: ModelParameters, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each new follicle's terminal diameter and its sensitivity's lognormal spread (the
    random draws of ``new_follicles``, in their order)."""
    mean_um = person.terminal_diameter_um or params.terminal_diameter_mean_um
    terminal = rng.normal(mean_um, params.terminal_diameter_sd_um, n)
    terminal = np.clip(terminal, 0.6 * mean_um, 1.6 * mean_um)
    vellus = rng.random(n) < params.vellus_follicle_fraction
    spread = rng.lognormal(0.0, params.vellus_follicle_diameter_log_sd, vellus.sum())
    terminal[vellus] = params.vellus_follicle_diameter_um * spread
    spread = params.follicle_sensitivity_log_sd
    return terminal, rng.lognormal(-0.5 * spread**2, spread, n)


def _sensitivity(person: Person, params: ModelParameters) -> np.ndarray:
    """The person's androgen sensitivity x each region's pattern factor, by region index."""
    pattern = np.array([params.pattern_sensitivity[person.sex][name] for name in REGIONS])
    return person.sensitivity * pattern


def _fresh_state(*, person, region, unit, x_um, y_um, terminal, sensitivity) -> FollicleState:
    """Full-size follicles in kenogen (phase unset) from their drawn properties."""
    n = region.size
    zeros = np.zeros(n)
    return FollicleState(
        person=person.astype(np.int32),
        region=region.astype(np.int8),
        unit=unit.astype(np.int64),
        x_um=x_um.astype(float),
        y_um=y_um.astype(float),
        terminal_diameter_um=terminal,
        sensitivity=sensitivity,
        transplanted=np.zeros(n, bool),
        phase=np.full(n, cycle.KENOGEN, np.int8),
        next_t=zeros.copy(),
        pending=zeros.copy(),
        size=np.ones(n),
        diameter_um=terminal.copy(),
        attached=np.ones(n, bool),
        cycles=np.zeros(n, np.int32),
        has_hair=np.zeros(n, bool),
        t_emerge=zeros.copy(),
        shaft_length_mm=zeros.copy(),
        cycle_start=zeros.copy(),
        rest_until=np.full(n, -np.inf),
        anagen_androgen=zeros.copy(),
        activated=np.zeros(n, bool),
        attacked=np.zeros(n, bool),
        dystrophic=np.zeros(n, bool),
        held=np.zeros(n, bool),
    )


def draw_units(
    n_units: int,
    frame_um: float,
    params: ModelParameters,
    rng: np.random.Generator,
    *,
    ethnicity: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Follicles per unit and each follicle's unit index and exit point."""
    probabilities = params.unit_size_probabilities_for(ethnicity)
    sizes = rng.choice(np.arange(1, 5), size=n_units, p=probabilities)
    centres = rng.uniform(0.0, frame_um, size=(n_units, 2))
    owner = np.repeat(np.arange(n_units), sizes)
    jitter = rng.normal(0.0, params.unit_spread_um, size=(owner.size, 2))
    points = np.clip(centres[owner] + jitter, 0.0, frame_um)
    return owner, points[:, 0], points[:, 1]


def build_scalp(
    persons: Person | list[Person],
    areas_cm2: dict[str, float],
    *,
    params: ModelParameters,
    rng: np.random.Generator,
) -> FollicleState:
    """Follicles of each person for the given areas, unit counts Poisson around density.

    The draws are made person by person and region by region (the random stream of
    ``new_follicles`` per part); the state is then assembled once for everyone."""
    persons = [persons] if isinstance(persons, Person) else list(persons)
    columns: dict[str, list[np.ndarray]] = {
        name: [] for name in ("person", "region", "unit", "x", "y", "terminal", "sensitivity")
    }
    next_unit = 0
    for index, person in enumerate(persons):
        per_unit = np.dot(np.arange(1, 5), params.unit_size_probabilities_for(person.ethnicity))
        unit_density = params.follicular_units_per_cm2
        if person.follicle_density_per_cm2 is not None:
            unit_density = person.follicle_density_per_cm2 / per_unit
        sensitivity = _sensitivity(person, params)
        for name, area in areas_cm2.items():
            n_units = int(rng.poisson(unit_density * area))
            owner, x, y = draw_units(
                n_units, region_frame_um(area), params, rng, ethnicity=person.ethnicity
            )
            terminal, spread = _draw_traits(owner.size, person, params, rng)
            region = REGION_INDEX[name]
            columns["person"].append(np.full(owner.size, index, np.int32))
            columns["region"].append(np.full(owner.size, region, np.int8))
            columns["unit"].append(owner + next_unit)
            columns["x"].append(x)
            columns["y"].append(y)
            columns["terminal"].append(terminal)
            columns["sensitivity"].append(sensitivity[region] * spread)
            next_unit += n_units
    joined = {
        name: np.concatenate(parts) if parts else np.empty(0) for name, parts in columns.items()
    }
    return _fresh_state(
        person=joined["person"],
        region=joined["region"],
        unit=joined["unit"],
        x_um=joined["x"],
        y_um=joined["y"],
        terminal=joined["terminal"],
        sensitivity=joined["sensitivity"],
    )


def concatenate(parts: list[FollicleState]) -> FollicleState:
    return FollicleState(
        **{
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in fields(FollicleState)
        }
    )


def start_in_steady_state(
    state: FollicleState, *, t0, params: ModelParameters, rng: np.random.Generator
) -> None:
    """Put every follicle at a random point of an untreated full-size cycle at ``t0``.

    Renewal theory: a random time falls in a phase with probability mean / cycle mean,
    inside a length-biased duration (for LN(mu, s^2) that is LN(mu + s^2, s^2)), at a
    uniform position within it. So the scalp starts in its stationary state.
    """
    n = state.n
    t0 = np.broadcast_to(np.asarray(t0, float), (n,))
    dists = [
        cycle.LogNormal(params.anagen_mean_days, params.anagen_log_sd),
        cycle.LogNormal(params.catagen_mean_days, params.catagen_log_sd),
        cycle.LogNormal(params.telogen_mean_days, params.telogen_log_sd),
        cycle.LogNormal(params.kenogen_mean_days_terminal, params.kenogen_log_sd),
    ]
    means = np.array([d.mean for d in dists])
    which = rng.choice(4, size=n, p=means / means.sum())
    total = np.empty(n)
    for k, dist in enumerate(dists):
        chosen = which == k
        total[chosen] = dist.length_biased().sample(rng, chosen.sum())
    elapsed = rng.random(n) * total
    remaining = total - elapsed
    noise = rng.lognormal(0.0, params.diameter_cycle_noise_cv, n)
    state.diameter_um[:] = state.terminal_diameter_um * noise
    growth = cycle.growth_mm_per_day(state.diameter_um, params)
    past_anagen = dists[0].sample(rng, n)
    state.shaft_length_mm[:] = growth * np.maximum(past_anagen - params.emergence_days, 0.0)
    state.cycle_start[:] = t0 - rng.random(n) * means.sum()

    anagen = which == 0
    hidden_part = np.minimum(params.emergence_days, total)
    hidden = anagen & (elapsed < hidden_part)
    visible = anagen & ~hidden
    state.phase[hidden] = cycle.ANAGEN_HIDDEN
    state.next_t[hidden] = (t0 + hidden_part - elapsed)[hidden]
    state.pending[hidden] = (total - hidden_part)[hidden]
    state.phase[visible] = cycle.ANAGEN
    state.next_t[visible] = (t0 + remaining)[visible]
    state.t_emerge[visible] = (t0 - elapsed + hidden_part)[visible]
    state.cycle_start[anagen] = (t0 - elapsed)[anagen]
    for k, code in ((1, cycle.CATAGEN), (2, cycle.TELOGEN), (3, cycle.KENOGEN)):
        chosen = which == k
        state.phase[chosen] = code
        state.next_t[chosen] = (t0 + remaining)[chosen]
    state.has_hair[:] = (
        (state.phase == cycle.ANAGEN)
        | (state.phase == cycle.CATAGEN)
        | (state.phase == cycle.TELOGEN)
    )
