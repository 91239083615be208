"""Calibrated parameters that sit on a bound of their range, and the written reason for each.

A fitted value on its bound means the fit wanted to go further than the range allows (or
the mechanism is switched off at 0): either the range is wrong, the mechanism is, or there
is a reason to keep it there. So every such case needs a written reason, kept in
``data/bound_reasons.toml`` (docs/validation.md, "Parameters at a bound"); a test fails for
any case without one, and for a reason whose case no longer holds.

Two places a calibrated parameter can sit on a bound:

- **point**: the shipped value (the model's default, or the population distribution's) within
  ``EDGE`` of the low or high end of its range in ``calibrate.FREE_PARAMETERS``, measured in
  prior units (0-1, log scale where marked);
- **ensemble**: at least ``ENSEMBLE_SHARE`` of the ensemble's members within ``EDGE`` of one
  edge of the box the ABC prior was restricted to (the provenance's ``design_box``; the
  range itself when the file has none). A posterior that is flat near an edge puts about
  ``EDGE`` (1%) of its members there; five times that says it presses against the edge
  (with 100 members, 5 or more of them by chance when 1% is expected: p ~ 0.003).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from follicle.config_io import read_toml
from follicle.errors import FollicleInputError
from follicle.model.params import ModelParameters
from follicle.trials.calibrate import FREE_PARAMETERS, ParameterSet

DEFAULT_REASONS = Path(__file__).resolve().parents[1] / "data" / "bound_reasons.toml"
EDGE = 0.01  # share of the range (prior units) that counts as "on the bound"
ENSEMBLE_SHARE = 0.05  # share of members at one edge that counts as the ensemble on it
PLACES = ("point", "ensemble")
BOUNDS = ("low", "high")


@dataclass(frozen=True)
class AtBound:
    parameter: str
    place: str  # "point" or "ensemble"
    bound: str  # "low" or "high"
    detail: str  # the value, or the share of members, in words

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.parameter, self.place, self.bound)


def calibrated_with_bounds(bounds: dict | None = None) -> list[str]:
    """The parameters the point check covers: model parameters marked calibrated that have
    a range, and the population distribution's parameters (all fitted)."""
    bounds = FREE_PARAMETERS if bounds is None else bounds
    sources = ModelParameters.sources()
    return [
        name
        for name in bounds
        if name.startswith("population.") or str(sources.get(name, "")).startswith("calibrated")
    ]


def _unit(value: float, low: float, high: float, log: bool) -> float:
    if log:
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (value - low) / (high - low)


def point_at_bounds(
    values: dict[str, float] | None = None, bounds: dict | None = None
) -> list[AtBound]:
    """Shipped values (``values``, default those of ``ParameterSet()``) on a bound."""
    bounds = FREE_PARAMETERS if bounds is None else bounds
    if values is None:
        shipped = ParameterSet()
        values = {name: shipped.value(name) for name in calibrated_with_bounds(bounds)}
    found = []
    for name, value in values.items():
        low, high, log = bounds[name]
        unit = _unit(min(max(value, low), high), low, high, log)
        for bound, distance in (("low", unit), ("high", 1.0 - unit)):
            if distance <= EDGE:
                found.append(AtBound(name, "point", bound, f"value {value:.6g} in [{low}, {high}]"))
    return found


def ensemble_at_bounds(ensemble, bounds: dict | None = None) -> list[AtBound]:
    """Free parameters of ``ensemble`` whose members press against an edge of the box."""
    bounds = FREE_PARAMETERS if bounds is None else bounds
    box = ensemble.provenance.get("design_box") or {}
    found = []
    for index, name in enumerate(ensemble.free):
        low, high, log = bounds[name]
        edge_low, edge_high = box.get(name, (low, high))
        start, stop = (_unit(v, low, high, log) for v in (edge_low, edge_high))
        if stop <= start:
            continue
        units = [
            (_unit(member[index], low, high, log) - start) / (stop - start)
            for member in ensemble.members
        ]
        for bound, near in (
            ("low", [u <= EDGE for u in units]),
            ("high", [u >= 1 - EDGE for u in units]),
        ):
            share = sum(near) / len(units)
            if share >= ENSEMBLE_SHARE:
                found.append(
                    AtBound(
                        name,
                        "ensemble",
                        bound,
                        f"{100 * share:.0f}% of {len(units)} members within {100 * EDGE:.0f}% "
                        f"of the box edge {edge_low if bound == 'low' else edge_high:.6g}",
                    )
                )
    return found


def load_reasons(path: str | Path | None = None) -> dict[tuple[str, str, str], str]:
    """The reasons table: ``[[reason]]`` with ``parameter``, ``place`` (point or
    ensemble), ``bound`` (low or high) and a non-empty ``reason``."""
    path = Path(path) if path is not None else DEFAULT_REASONS
    source = str(path)
    reasons = {}
    for index, row in enumerate(read_toml(path).get("reason", [])):
        field = f"reason[{index}]"
        if set(row) != {"parameter", "place", "bound", "reason"}:
            raise FollicleInputError(
                field, sorted(row), "the keys parameter, place, bound, reason", source=source
            )
        if row["parameter"] not in FREE_PARAMETERS:
            raise FollicleInputError(
                f"{field}.parameter",
                row["parameter"],
                "a parameter with a range in calibrate.FREE_PARAMETERS",
                source=source,
            )
        if row["place"] not in PLACES:
            raise FollicleInputError(
                f"{field}.place", row["place"], f"one of {list(PLACES)}", source=source
            )
        if row["bound"] not in BOUNDS:
            raise FollicleInputError(
                f"{field}.bound", row["bound"], f"one of {list(BOUNDS)}", source=source
            )
        if not isinstance(row["reason"], str) or not row["reason"].strip():
            raise FollicleInputError(
                f"{field}.reason", row["reason"], "a written reason (non-empty)", source=source
            )
        key = (row["parameter"], row["place"], row["bound"])
        if key in reasons:
            raise FollicleInputError(field, list(key), "one reason per case", source=source)
        reasons[key] = row["reason"].strip()
    return reasons


def unexplained(found: list[AtBound], reasons: dict) -> list[AtBound]:
    """The cases on a bound that have no written reason."""
    return [case for case in found if case.key not in reasons]


def stale(found: list[AtBound], reasons: dict, *, places=PLACES) -> list[tuple[str, str, str]]:
    """Reasons (for ``places``) whose case no longer holds."""
    present = {case.key for case in found}
    return [key for key in reasons if key[1] in places and key not in present]
