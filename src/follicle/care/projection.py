"""Projections: what to expect under each regimen, as bands over many simulated futures.

``project(person, {"plan": regimen}, years=3)`` simulates ``futures`` possible futures of
the person under each regimen and under no treatment, side by side in one engine run per
regimen, and summarises each observation day by the median and the 10th and 90th
percentiles. What the bands include is stated with them (``Projection.band_includes``,
docs/care.md "What the bands include"); by default every source of uncertainty the model
knows:

- parameter uncertainty: the futures are spread over ``members`` parameter sets drawn
  from the calibration ensemble (``follicle calibrate --ensemble``; the shipped one by
  default), so they differ in what the evidence leaves open about the model;
- between-person treatment response: each future draws the person's two response
  multipliers, to the stimulating treatments and to the DHT-lowering drugs (lognormal,
  mean 1, log SD ``treatment_response_log_sd`` of its parameter set; 0 would be a
  non-responder), unless the person file sets ``treatment_response`` or
  ``dht_drug_response``;
- follicle-level stochasticity: which follicles cycle when, how each cycle miniaturizes
  them, in the counted area;
- counting error: each observed count carries the relative error of one measurement
  (``count_error_cv``, independent between visits).

Each can be switched off (``ensemble=None``, ``between_person_response=False``,
``counting_error=False``) to see how much it adds. Every regimen is simulated on the same
futures (the same parameter sets, responses and random streams), so differences between
regimens come from the treatment, not from luck.

When a measurement is given (from the journal: a hair density in a region), the person's
androgen sensitivity is first fitted so that the simulated scalp on day 0 matches it:
the projection starts from the person's measured state. This is information for
planning, not a prediction for one person and not a prescription.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from follicle.care.findings import Finding
from follicle.errors import FollicleInputError
from follicle.model.androgens import DAYS_PER_YEAR, dht_drug_response
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.person import Person
from follicle.provenance import envelope, input_record
from follicle.regimen import NO_TREATMENT, Regimen
from follicle.sim.batch import simulate_cohort
from follicle.sim.inputs import NOT_GIVEN, renamed_seed
from follicle.sim.inputs import as_person as _parse_person
from follicle.sim.inputs import as_regimen as _parse_regimen
from follicle.sim.inputs import resolve_seed as _parse_seed
from follicle.vocabulary import current_name

MEASURES = ("density_per_cm2", "non_vellus_per_cm2", "terminal_per_cm2", "mean_diameter_um")
# journal metric name -> observation column (hairs_per_cm2: the old name, in journals
# written before the one vocabulary)
METRIC_COLUMNS = {
    "density_per_cm2": "density_per_cm2",
    "hairs_per_cm2": "density_per_cm2",
    "non_vellus_density_per_cm2": "non_vellus_per_cm2",
    "non_vellus_per_cm2": "non_vellus_per_cm2",
    "terminal_density_per_cm2": "terminal_per_cm2",
    "terminal_per_cm2": "terminal_per_cm2",
}
DEFAULT_AREA_CM2 = 1.0
COUNT_MEASURES = ("density_per_cm2", "non_vellus_per_cm2", "terminal_per_cm2")
BAND = (10, 50, 90)
NO_TREATMENT_LABEL = "no treatment"
DEFAULT_ENSEMBLE = "default"  # the ensemble shipped with follicle
DEFAULT_MEMBERS = 10
STOCHASTICITY = "follicle-level stochasticity (which follicles cycle, shrink and regrow when)"


@dataclass(frozen=True)
class Anchor:
    """A measured value the projection starts from (e.g. vertex density 140/cm2)."""

    region: str
    column: str
    value: float

    @classmethod
    def from_metric(cls, *, region: str, metric: str, value: float) -> Anchor:
        if metric not in METRIC_COLUMNS:
            raise FollicleInputError("metric", metric, f"one of {sorted(METRIC_COLUMNS)}")
        if not 0 <= value <= 600:
            raise FollicleInputError(metric, value, "a density from 0 to 600 hairs/cm2")
        return cls(region=region, column=METRIC_COLUMNS[metric], value=float(value))


@dataclass(frozen=True, eq=False)
class Projection:
    """``bands``: one row per regimen, region, day and measure; ``blocked``: the regimens a
    care rule blocks for this person, with the blocking findings (not simulated)."""

    bands: pd.DataFrame  # regimen, region, day, measure, p10, p50, p90
    provenance: dict[str, Any]
    blocked: dict[str, tuple[Finding, ...]] = field(default_factory=dict)

    @property
    def band_includes(self) -> list[str]:
        """What the spread of the bands comes from, in words."""
        return list(self.provenance.get("band_includes", []))

    def at(self, day: float, *, region: str, measure: str = "non_vellus_per_cm2") -> pd.DataFrame:
        """Each regimen's band on the observation day nearest ``day``."""
        measure = current_name(measure, where="measure")
        rows = self.bands[(self.bands["region"] == region) & (self.bands["measure"] == measure)]
        nearest = rows["day"].iloc[int(np.argmin(np.abs(rows["day"].to_numpy() - day)))]
        return rows[rows["day"] == nearest].set_index("regimen")[["p10", "p50", "p90"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "provenance": self.provenance,
            "format": "follicle.projection/1",
            "band_includes": self.band_includes,
            "blocked": {
                label: [f.to_dict() for f in findings] for label, findings in self.blocked.items()
            },
            "bands": self.bands.to_dict(orient="records"),
        }


def project(
    person: Person | dict | str | Path,
    regimens: Mapping[str, Regimen | dict | str | Path | None]
    | Sequence[Regimen | dict | str | Path],
    *,
    years: float,
    futures: int = 40,
    regions: tuple[str, ...] | None = None,
    area_cm2: float = DEFAULT_AREA_CM2,
    observe_every_days: int = 30,
    seed: int | None = None,
    anchor: Anchor | None = None,
    check_rules: bool = True,
    ensemble: Any = DEFAULT_ENSEMBLE,
    members: int = DEFAULT_MEMBERS,
    between_person_response: bool = True,
    counting_error: bool = True,
    random_seed: int | None = NOT_GIVEN,  # deprecated: use seed
) -> Projection:
    """Bands of what to expect under each regimen and under no treatment.

    ``person``, each regimen: a model, a dict or a TOML path (a file is hashed into the
    provenance). ``regimens``: label -> regimen, or a list, labelled by each regimen's
    name (a repeated name by the file's path, else by its position: ``regimen 2``).
    ``ensemble``: an ``Ensemble``, ``"default"`` (the shipped one) or None (the model's
    point parameters only); ``members`` of it are used, the futures spread evenly over
    them.

    A regimen that a care rule blocks for this person (``follicle plan check``: MN-7,
    RX-3, ...) is not simulated: it is listed in ``Projection.blocked`` with the blocking
    findings. ``check_rules=False`` simulates every regimen (model studies, not advice).
    """
    from follicle.care.plan import check_plan

    person_source = person
    person = _parse_person(person)
    if not 0 < years <= 30:
        raise FollicleInputError("years", years, "a number of years in (0, 30]")
    if not 5 <= futures <= 2000:
        raise FollicleInputError("futures", futures, "a whole number from 5 to 2000")
    if not 1 <= members <= 200:
        raise FollicleInputError("members", members, "a whole number from 1 to 200")
    seed = _parse_seed(renamed_seed(seed, random_seed, function="project"))
    days = max(1, round(years * DAYS_PER_YEAR))
    regions = regions or _default_regions(person)
    if anchor is not None and anchor.region not in regions:
        regions = (*regions, anchor.region)
    area = {region: area_cm2 for region in regions}
    fitted = None
    if anchor is not None:
        sensitivity_source = "fitted to the journal measurement"
    elif "androgen_sensitivity" in person.model_fields_set:
        sensitivity_source = "person file"
    else:
        sensitivity_source = (
            f"default ({person.androgen_sensitivity!r}): the person file does not set "
            "androgen_sensitivity"
        )
    if anchor is not None:
        fitted = fit_sensitivity(person, anchor, area=area, seed=seed)
        person = person.model_copy(update={"androgen_sensitivity": fitted})
    plans = {NO_TREATMENT_LABEL: NO_TREATMENT}
    blocked: dict[str, tuple[Finding, ...]] = {}
    inputs = [input_record("person", person_source if _is_path(person_source) else person)]
    for label, (source, parsed) in _labelled(regimens).items():
        inputs.append(input_record(f"regimen {label}", source if _is_path(source) else parsed))
        if check_rules and parsed is not None:
            check = check_plan(parsed, person=person)
            if not check.ok:
                blocked[label] = check.blocks
                continue
        plans[label] = parsed
    futures_plan = plan_futures(
        person,
        futures=futures,
        seed=seed,
        ensemble=ensemble,
        members=members,
        between_person_response=between_person_response,
    )
    frames = []
    for label, regimen in plans.items():
        # the same futures for every regimen: they differ by treatment, not by luck
        tables = []
        for group, (params, people, positions) in enumerate(futures_plan.groups):
            cohort = simulate_cohort(
                people,
                regimen,
                days=days,
                observe_every_days=min(observe_every_days, days),
                area=area,
                seed=seed
                if len(futures_plan.groups) == 1
                else np.random.SeedSequence(seed, spawn_key=(group,)),
                params=params,
            )
            table = cohort.table
            table["person"] = np.asarray(positions)[table["person"].to_numpy()]
            tables.append(table)
        table = pd.concat(tables, ignore_index=True)
        if counting_error:
            table = with_counting_error(table, futures_plan.count_error_cv, seed=seed)
        frames.append(_bands(table, label))
    context = {
        "years": years,
        "futures": futures,
        "area_cm2_per_region": area_cm2,
        "person": person.model_dump(mode="json"),
        "regimens": {label: r.model_dump(mode="json") for label, r in plans.items()},
        "blocked_not_projected": sorted(blocked),
        "androgen_sensitivity_source": sensitivity_source,
        "anchor": None if anchor is None else vars(anchor) | {"fitted_sensitivity": fitted},
        "band_includes": futures_plan.describe(counting_error=counting_error),
        "ensemble": futures_plan.ensemble_provenance,
        "note": "information for planning, not a prediction for one person or a prescription",
    }
    sets = [params.to_dict() for params, _, _ in futures_plan.groups]
    parameters = {  # a parameter the ensemble members vary: its value per member used
        name: value if all(s[name] == value for s in sets) else [s[name] for s in sets]
        for name, value in sets[0].items()
    }
    provenance = envelope("project", seed=seed, parameters=parameters, inputs=inputs, **context)
    return Projection(
        bands=pd.concat(frames, ignore_index=True), provenance=provenance, blocked=blocked
    )


def _is_path(source: Any) -> bool:
    return isinstance(source, str | Path)


def _labelled(regimens) -> dict[str, tuple[Any, Regimen]]:
    """label -> (what was given, the parsed regimen); a list is labelled by name."""
    if isinstance(regimens, Mapping):
        return {str(label): (r, _parse_regimen(r)) for label, r in regimens.items()}
    if isinstance(regimens, str | Path) or not isinstance(regimens, Sequence):
        raise FollicleInputError(
            "regimens", type(regimens).__name__, "a mapping label -> regimen or a list"
        )
    labelled: dict[str, tuple[Any, Regimen]] = {}
    for index, source in enumerate(regimens):
        parsed = _parse_regimen(source)
        label = parsed.name
        if label in labelled or label == NO_TREATMENT_LABEL:
            label = str(source) if _is_path(source) else f"regimen {index + 1}"
        labelled[label] = (source, parsed)
    return labelled


def anchor_from_journal_file(path: str | Path) -> Anchor:
    """:func:`anchor_from_journal` on the journal at ``path``; an input error when there
    is no journal there or it holds no usable measurement."""
    from follicle.care.journal.service import Journal

    if not Path(path).exists():
        raise FollicleInputError(
            "journal", str(path), "an existing journal (log a measurement first)"
        )
    with Journal.open(path, create=False) as journal:
        anchor = anchor_from_journal(journal)
    if anchor is None:
        raise FollicleInputError(
            "journal",
            str(path),
            "a journal holding a measurement with a region and a density metric "
            "(e.g. density_per_cm2)",
        )
    return anchor


@dataclass(frozen=True)
class FuturesPlan:
    """The futures of one projection: per parameter set, the people simulated with it
    (``positions``: their future numbers), and what they were drawn from."""

    groups: list[tuple[ModelParameters, list[Person], list[int]]]
    count_error_cv: np.ndarray  # per future
    response_source: str | None
    ensemble_provenance: dict[str, Any] | None

    def describe(self, *, counting_error: bool) -> list[str]:
        parts = []
        if self.ensemble_provenance is not None and "members" in self.ensemble_provenance:
            e = self.ensemble_provenance
            parts.append(
                f"parameter uncertainty ({e['members_used']} members of an ensemble of "
                f"{e['members']} posterior parameter sets)"
            )
        if self.response_source is not None:
            parts.append(self.response_source)
        parts.append(STOCHASTICITY)
        if counting_error:
            cv = float(np.median(self.count_error_cv))
            parts.append(f"counting error of one measurement (CV {100 * cv:.0f}%)")
        return parts


def plan_futures(
    person: Person,
    *,
    futures: int,
    seed: int,
    ensemble: Any = DEFAULT_ENSEMBLE,
    members: int = DEFAULT_MEMBERS,
    between_person_response: bool = True,
) -> FuturesPlan:
    """Assign each future a parameter set (members of the ensemble, in turn) and a
    treatment-response multiplier; deterministic given ``seed``."""
    missing = None
    if isinstance(ensemble, str) and ensemble == DEFAULT_ENSEMBLE:
        from follicle.trials.ensemble import DEFAULT_ENSEMBLE as SHIPPED
        from follicle.trials.ensemble import load_ensemble

        if SHIPPED.exists():
            ensemble = load_ensemble()
        else:  # an installation without the shipped file: say so rather than fail
            ensemble, missing = None, "no ensemble file shipped"
    if ensemble is None:
        parameter_sets = [DEFAULT_PARAMETERS]
        ensemble_provenance = None
    else:
        order = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(10**6,)))
        chosen = order.permutation(len(ensemble))[: min(members, futures, len(ensemble))]
        parameter_sets = [ensemble.parameter_set(int(i)).params for i in chosen]
        ensemble_provenance = {
            "members": len(ensemble),
            "members_used": len(chosen),
            "member_indices": [int(i) for i in chosen],
            "matches_model": ensemble.matches(DEFAULT_PARAMETERS),
            "created": ensemble.created,
            "version": ensemble.provenance.get("version"),
            "seed": ensemble.provenance.get("seed"),
        }
    fixed_response = bool({"treatment_response", "dht_drug_response"} & person.model_fields_set)
    if fixed_response:
        source = (
            f"treatment response fixed by the person file ({person.treatment_response:g}; "
            f"DHT-lowering drugs {dht_drug_response(person):g})"
        )
    elif between_person_response:
        source = (
            "between-person treatment response (each future draws the person's two "
            "response multipliers, to the DHT-lowering drugs and to the stimulating "
            "treatments, as virtual trial participants do; low draws are non-responders)"
        )
    else:
        source = None
    groups: list[tuple[ModelParameters, list[Person], list[int]]] = []
    cv = np.zeros(futures)
    for g, params in enumerate(parameter_sets):
        positions = list(range(g, futures, len(parameter_sets)))
        cv[positions] = params.count_error_cv
        if fixed_response or not between_person_response:
            groups.append((params, [person] * len(positions), positions))
            continue
        responses = draw_responses(
            person,
            len(positions),
            np.random.SeedSequence(seed, spawn_key=(10**6 + 1, g)),
            params=params,
        )
        people = [person.model_copy(update=r) for r in responses]
        groups.append((params, people, positions))
    if missing is not None:
        ensemble_provenance = {"not_included": f"parameter uncertainty ({missing})"}
    return FuturesPlan(groups, cv, source, ensemble_provenance)


def draw_responses(
    person: Person, size: int, seed: np.random.SeedSequence, *, params: ModelParameters
) -> list[dict[str, float]]:
    """Treatment-response multipliers (``treatment_response``, ``dht_drug_response``) for
    ``size`` futures of ``person``, drawn by the trials' own cohort code
    (``trials.cohorts.draw_candidates``), so a projection spreads the response exactly as
    a virtual trial arm of people like this one does."""
    from follicle.trials.cohorts import Population, draw_candidates

    population = Population(
        sex=person.sex, age_years=min(max(person.age_years, 12.0), 100.0), androgen_sensitivity=0
    )
    drawn = draw_candidates(population, size, seed, params=params)
    keys = ("treatment_response", "dht_drug_response")
    return [{key: float(candidate[key]) for key in keys} for candidate in drawn]


def with_counting_error(table: pd.DataFrame, cv: np.ndarray, *, seed: int) -> pd.DataFrame:
    """Each observed count times (1 + cv e), e standard normal, independent between
    futures, regions and days (the trials' measurement model, execution.with_count_error);
    the same draws for every regimen (rows are in the same order)."""
    table = table.sort_values(["person", "region", "day"], kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(10**6 + 2,)))
    factor = 1.0 + cv[table["person"].to_numpy()] * rng.standard_normal(len(table))
    for column in COUNT_MEASURES:
        table[column] = np.maximum(table[column].to_numpy(float) * factor, 0.0)
    return table


def _default_regions(person: Person) -> tuple[str, ...]:
    if person.sex == "female":
        return ("midscalp", "frontal", "occipital")
    return ("vertex", "frontal", "occipital")


def _bands(table: pd.DataFrame, label: str) -> pd.DataFrame:
    table = table[table["region"] != "scalp"]
    long = table.melt(
        id_vars=["person", "region", "day"], value_vars=list(MEASURES), var_name="measure"
    )
    grouped = long.groupby(["region", "day", "measure"], sort=False)["value"]
    out = grouped.quantile([b / 100 for b in BAND]).unstack()
    out.columns = [f"p{b}" for b in BAND]
    out = out.reset_index()
    out.insert(0, "regimen", label)
    return out


def fit_sensitivity(
    person: Person,
    anchor: Anchor,
    *,
    area: dict[str, float] | None = None,
    seed: int,
    futures: int = 48,
    fit_area_cm2: float = 4.0,
    steps: int = 12,
) -> float:
    """The androgen sensitivity whose median day-0 value matches the measurement.

    Bisection on [0, 5]: a higher sensitivity means fewer and thinner hairs at any age,
    so the median simulated density falls with it. The median is taken over ``futures``
    simulated ``fit_area_cm2`` patches with one seed, which keeps its noise (SE ~1
    hair/cm2) small against the steps of the bisection. When even 0 or 5 cannot reach
    the measurement the nearest end is returned. ``area`` is accepted for symmetry with
    ``project`` and not used: a density does not depend on the area it is counted on.
    """

    def median_at(sensitivity: float) -> float:
        someone = person.model_copy(update={"androgen_sensitivity": sensitivity})
        table = simulate_cohort(
            [someone] * futures,
            None,
            days=1,
            observe_every_days=1,
            area={anchor.region: area[anchor.region]},
            seed=seed,
        ).table
        rows = table[(table["region"] == anchor.region) & (table["day"] == 0)]
        return float(rows[anchor.column].median())

    low, high = 0.0, 5.0
    if median_at(low) <= anchor.value:
        return low
    if median_at(high) >= anchor.value:
        return high
    for _ in range(steps):
        middle = (low + high) / 2
        if median_at(middle) > anchor.value:
            low = middle
        else:
            high = middle
    return round((low + high) / 2, 3)


def anchor_from_journal(journal) -> Anchor | None:
    """The newest journal measurement with a region and a known density metric."""
    for entry in journal.entries(kinds=["measurement"], newest_first=True):
        details = entry.details
        if details.region is None:
            continue
        for metric, value in details.metrics.items():
            if metric in METRIC_COLUMNS:
                try:
                    return Anchor.from_metric(region=details.region, metric=metric, value=value)
                except FollicleInputError as error:
                    raise FollicleInputError(
                        f"journal entry #{entry.id} {metric}",
                        value,
                        f"{error.allowed}; "
                        f"correct it (follicle journal amend {entry.id}) or void it",
                    ) from None
    return None
