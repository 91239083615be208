"""Benchmark of the simulation engine (issue 2, section 6).

Reports, from one run:
- phase transitions per second of the event-driven engine (engine time only);
- the time to simulate a full scalp (~100,000 follicles) for 10 years, end to end
  (scalp construction, engine, observations every 30 days);
- the speedup over (a) the day-by-day reference implementation and (b) a
  straightforward agent-based version written with Mesa, each run in the same process
  on a smaller scalp and compared per follicle-year simulated.

    python bench/engine.py            # a table
    python bench/engine.py --json     # the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time

import numpy as np

from follicle import __version__
from follicle.model.androgens import DAYS_PER_YEAR, People
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.scalp import build_scalp, resolve_area, start_in_steady_state
from follicle.person import parse_person
from follicle.sim.engine import Engine
from follicle.sim.reference import simulate_reference
from follicle.sim.simulate import simulate
from follicle.treatments.schedule import compile_regimen

PERSON = parse_person({"sex": "male", "age_years": 25, "androgen_sensitivity": "high"})
TEN_YEARS = round(10 * DAYS_PER_YEAR)


def engine_only(days: int, area, seed: int) -> tuple[float, int, int]:
    """Seconds inside Engine.run, transitions made, follicles."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    areas = resolve_area(area, P)
    schedule = compile_regimen(None, days=days, params=P, rng=rngs[2])
    state = build_scalp(PERSON, areas, params=P, rng=rngs[0])
    start_in_steady_state(state, t0=-30.0, params=P, rng=rngs[0])
    people = People.of([PERSON], P)
    engine = Engine(state, people=people, params=P, schedule=schedule, areas_cm2=areas, rng=rngs[1])
    t0 = np.full(state.n, -30.0)
    engine.prime(t0)
    start = time.perf_counter()
    engine.run(t_start=-30.0, t_end=float(days), log_from=-30.0)
    return time.perf_counter() - start, engine.transitions, state.n


def best_of(repeats: int, function):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def mesa_version(days: int, area_cm2: float, seed: int) -> tuple[float, int]:
    """The same cycle written the way a modeller would with Mesa: one agent per follicle,
    stepped every day. Returns (seconds, follicles)."""
    import mesa

    rng = np.random.default_rng(seed)

    def lognormal(mean, log_sd):
        return rng.lognormal(math.log(mean) - 0.5 * log_sd**2, log_sd)

    class Follicle(mesa.Agent):
        def __init__(self, model, sensitivity):
            super().__init__(model)
            self.sensitivity = sensitivity
            self.size = 1.0
            self.phase = "anagen"
            self.age = 0.0
            self.duration = lognormal(P.anagen_mean_days, P.anagen_log_sd) * rng.random()

        def step(self):
            self.age += 1.0
            if self.age < self.duration:
                return
            self.age = 0.0
            if self.phase == "anagen":
                self.phase, self.duration = (
                    "catagen",
                    lognormal(P.catagen_mean_days, P.catagen_log_sd),
                )
            elif self.phase == "catagen":
                self.phase, self.duration = (
                    "telogen",
                    lognormal(P.telogen_mean_days, P.telogen_log_sd),
                )
            elif self.phase == "telogen":
                self.model.shed += 1
                mean = P.kenogen_mean_days_terminal + (
                    P.kenogen_mean_days_miniaturized - P.kenogen_mean_days_terminal
                ) * (1 - self.size)
                self.phase, self.duration = "kenogen", lognormal(mean, P.kenogen_log_sd)
            else:
                damage = P.damage_per_cycle * self.sensitivity * self.size
                self.size = max(self.size + P.repair_per_cycle * (1 - self.size) - damage, 0.01)
                mean = P.anagen_mean_days * self.size**P.anagen_size_exponent
                self.phase, self.duration = "anagen", lognormal(mean, P.anagen_log_sd)

    class Scalp(mesa.Model):
        def __init__(self, n):
            super().__init__(seed=seed)
            self.shed = 0
            for _ in range(n):
                Follicle(self, rng.lognormal(0, 0.5))

        def step(self):
            self.agents.do("step")

    n = round(area_cm2 * P.follicular_units_per_cm2 * P.mean_follicles_per_unit)
    model = Scalp(n)
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    return time.perf_counter() - start, n


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="smaller comparison runs")
    args = parser.parse_args()

    # warm up imports and caches
    simulate(PERSON, days=30, area="vertex:1", seed=0)

    engine_seconds, transitions, follicles = min(
        (engine_only(TEN_YEARS, None, seed) for seed in range(3)), key=lambda r: r[0]
    )
    full_seconds, trajectory = best_of(
        3,
        lambda: simulate(
            PERSON, days=TEN_YEARS, observe_every_days=30, seed=1, with_history=False
        ),
    )
    with_history_seconds, _ = best_of(1, lambda: simulate(PERSON, days=TEN_YEARS, seed=1))

    # per follicle-year comparisons on smaller scalps (same process, same machine)
    engine_per_fy = engine_seconds / (follicles * 10)
    ref_days, ref_area = (365, 1.0) if args.quick else (730, 2.0)
    ref_seconds, _ = best_of(
        1,
        lambda: simulate_reference(
            PERSON,
            days=ref_days,
            observe_every_days=ref_days,
            area=f"vertex:{ref_area}",
            seed=1,
        ),
    )
    ref_follicles = ref_area * P.follicular_units_per_cm2 * P.mean_follicles_per_unit
    ref_per_fy = ref_seconds / (ref_follicles * (ref_days + ref_days) / DAYS_PER_YEAR)
    mesa_days, mesa_area = (180, 1.0) if args.quick else (365, 2.0)
    mesa_seconds, mesa_follicles = mesa_version(mesa_days, mesa_area, seed=1)
    mesa_per_fy = mesa_seconds / (mesa_follicles * mesa_days / DAYS_PER_YEAR)

    figures = {
        "follicle_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "full_scalp_follicles": follicles,
        "engine_transitions": transitions,
        "engine_seconds": engine_seconds,
        "transitions_per_second": transitions / engine_seconds,
        "full_scalp_10y_seconds_end_to_end": full_seconds,
        "full_scalp_10y_with_history_seconds": with_history_seconds,
        "full_scalp_10y_transitions_observed": trajectory.transitions,
        "reference_seconds_per_follicle_year": ref_per_fy,
        "mesa_seconds_per_follicle_year": mesa_per_fy,
        "engine_seconds_per_follicle_year": engine_per_fy,
        "speedup_vs_reference": ref_per_fy / engine_per_fy,
        "speedup_vs_mesa": mesa_per_fy / engine_per_fy,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"follicle {__version__} engine benchmark (python {figures['python']})")
        print(f"  full scalp: {follicles} follicles, {transitions} transitions in 10 years")
        print(
            f"  engine: {figures['transitions_per_second'] / 1e6:.1f} M transitions/s "
            f"({engine_seconds:.3f} s)"
        )
        print(
            f"  full scalp 10 years, end to end: {full_seconds:.3f} s "
            f"(with the person's history from age 15: {with_history_seconds:.3f} s)"
        )
        print(f"  speedup vs day-by-day reference: {figures['speedup_vs_reference']:,.0f}x")
        print(f"  speedup vs Mesa agent-based version: {figures['speedup_vs_mesa']:,.0f}x")
    return figures


if __name__ == "__main__":
    main()
