"""The demo scenario: an untreated and a treated man with high androgen sensitivity.

``run_demo(seed=...)`` simulates the same 25-year-old man for 10 years untreated and
under finasteride 1 mg with topical minoxidil 5%, observed every 91 days: the main job
of follicle in one call (``follicle demo`` prints and plots it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from follicle.model.androgens import DAYS_PER_YEAR
from follicle.person import Person, parse_person
from follicle.provenance import envelope, input_record
from follicle.regimen import Regimen, parse_regimen
from follicle.sim.simulate import simulate
from follicle.sim.trajectory import Trajectory

DEMO_PERSON = {"name": "demo man", "sex": "male", "age_years": 25, "androgen_sensitivity": "high"}
DEMO_REGIMEN = {
    "name": "finasteride 1 mg + minoxidil 5%",
    "treatment": [
        {"kind": "finasteride", "dose_mg": 1.0},
        {
            "kind": "minoxidil",
            "route": "topical",
            "concentration_percent": 5,
            "applications_per_day": 2,
        },
    ],
}
DEMO_TITLE = "A 25-year-old man with high androgen sensitivity"
DEMO_YEARS = 10
DEMO_OBSERVE_EVERY_DAYS = 91
DEMO_SEED = 2026


@dataclass(frozen=True, eq=False)  # holds trajectories
class DemoResult:
    """The demo's trajectories by regimen label ("untreated", "fin 1 mg + min 5%")."""

    trajectories: dict[str, Trajectory]
    days: int
    provenance: dict[str, Any]
    person: Person
    regimens: dict[str, Regimen | None]  # by label, None for untreated

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``follicle demo --json`` (schema: schemas/demo.json)."""
        return {
            "provenance": self.provenance,
            "title": DEMO_TITLE,
            "trajectories": {k: t.to_dict() for k, t in self.trajectories.items()},
        }


def run_demo(
    *, seed: int = DEMO_SEED, progress: Callable[[float], None] | None = None
) -> DemoResult:
    """Simulate the demo man untreated and treated (same seed: the same scalp)."""
    person = parse_person(DEMO_PERSON, source="demo person")
    regimens = {
        "untreated": None,
        "fin 1 mg + min 5%": parse_regimen(DEMO_REGIMEN, source="demo regimen"),
    }
    days = round(DEMO_YEARS * DAYS_PER_YEAR)
    trajectories = {
        label: simulate(
            person,
            regimen,
            days=days,
            observe_every_days=DEMO_OBSERVE_EVERY_DAYS,
            seed=seed,
            progress=progress,
        )
        for label, regimen in regimens.items()
    }
    first = next(iter(trajectories.values()))
    provenance = envelope(
        "run_demo",
        seed=first.provenance["seed"],
        parameters=first.provenance["parameters"],
        inputs=[input_record("person", person), input_record("regimen", DEMO_REGIMEN)],
        days=days,
        observe_every_days=DEMO_OBSERVE_EVERY_DAYS,
    )
    return DemoResult(
        trajectories=trajectories,
        days=days,
        provenance=provenance,
        person=person,
        regimens=regimens,
    )
