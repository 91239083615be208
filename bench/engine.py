"""Benchmark of the simulation engine (issue 2, section 6; issue 13, item 5).

Reports, from one run (CPU seconds of this process, so that other load on the machine
inflates the figures less than wall time would; the load average is printed with them):
- the numpy engine's phase transitions per second on one core (numpy runs these
  operations single-threaded), with and without the event log;
- the compiled (numba) engine of issue 13 (``follicle.sim.kernel``) the same way, in the
  same loop (the two engines alternate, so that load changes hit both alike), its ratio
  to the numpy engine, its rate with the log written into fresh memory (the first run of
  a process: the kernel's pool of log buffers is empty), and its compile time (empty
  cache, in a fresh process) and load time (from the on-disk cache) reported apart;
- the limit set by the random draws alone: lognormal (and uniform) draws per second with
  the PCG64 and SFC64 bit generators, and the transitions per second those draws would
  allow, from the draws per transition counted on the engine itself;
- a Mesa 3 peer of the untreated model (one agent per follicle, stepped every day)
  written the two ways Mesa 3 offers: ``model.agents.do("step")`` and
  ``model.agents.shuffle_do("step")``. ``shuffle_do`` (random activation) is the
  idiomatic peer: it is what Mesa 3's documentation shows for stepping agents in random
  order, the replacement of the RandomActivation scheduler. The engines' speedups over
  each, per transition and per follicle-year;
- issue 13's goals for the engine checked on these figures: the compiled engine with the
  log >= 30 M transitions/s and >= 2.5x the numpy engine, and >= 1000x the idiomatic
  Mesa peer per transition;
- the time to simulate a full scalp (~100,000 follicles) for 10 years end to end, and
  the speedup over the day-by-day reference implementation, for both engines.

    python bench/engine.py            # a table
    python bench/engine.py --json     # the figures as JSON
    python bench/engine.py --quick    # smaller comparison runs
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

from follicle import __version__
from follicle.model.androgens import DAYS_PER_YEAR, People
from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.model.scalp import build_scalp, resolve_area, start_in_steady_state
from follicle.person import parse_person
from follicle.sim.engine import Engine
from follicle.sim.engines import engine_class, numba_available
from follicle.sim.reference import simulate_reference
from follicle.sim.simulate import simulate
from follicle.treatments.schedule import compile_regimen

PERSON = parse_person({"sex": "male", "age_years": 25, "androgen_sensitivity": "high"})
TEN_YEARS = round(10 * DAYS_PER_YEAR)


class CountingGenerator:
    """A numpy Generator that counts the values it draws, by kind (normal-based draws:
    lognormal, normal, standard_normal; uniform: random; other)."""

    NORMAL = frozenset({"lognormal", "normal", "standard_normal"})

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self.counts = {"normal": 0, "uniform": 0, "other": 0}

    def __getattr__(self, name):
        method = getattr(self._rng, name)

        def counted(*args, **kwargs):
            values = method(*args, **kwargs)
            kind = "normal" if name in self.NORMAL else "uniform" if name == "random" else "other"
            self.counts[kind] += int(np.size(values))
            return values

        return counted


def engine_run(days: int, area, seed: int, *, logging: bool, rng_wrapper=None, cls=Engine):
    """CPU seconds inside Engine.run, transitions made, follicles, the engine's rng."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    areas = resolve_area(area, P)
    schedule = compile_regimen(None, days=days, params=P, rng=rngs[2])
    state = build_scalp(PERSON, areas, params=P, rng=rngs[0])
    start_in_steady_state(state, t0=-30.0, params=P, rng=rngs[0])
    people = People.of([PERSON], P)
    rng = rng_wrapper(rngs[1]) if rng_wrapper else rngs[1]
    engine = cls(state, people=people, params=P, schedule=schedule, areas_cm2=areas, rng=rng)
    engine.prime(np.full(state.n, -30.0))
    log_from = -30.0 if logging else float(days) + 1.0  # after the end: nothing logged
    start = time.process_time()
    engine.run(t_start=-30.0, t_end=float(days), log_from=log_from)
    return time.process_time() - start, engine.transitions, state.n, rng


def engine_figures(repeats: int, classes: dict) -> dict:
    """Transitions per CPU second over a full scalp for 10 years, best of ``repeats``, for
    each engine class of ``classes`` ({name: class}); the engines take turns run by run."""
    runs = {(name, logging): [] for name in classes for logging in (True, False)}
    for seed in range(repeats):
        for name, cls in classes.items():
            for logging in (True, False):
                runs[name, logging].append(
                    engine_run(TEN_YEARS, None, seed, logging=logging, cls=cls)
                )
    figures = {}
    for (name, logging), done in runs.items():
        seconds, transitions, follicles, _ = min(done, key=lambda r: r[0] / r[1])
        key = "with_log" if logging else "without_log"
        figures.setdefault(name, {"follicles": follicles})[key] = {
            "transitions_per_second": transitions / seconds,
            "cpu_seconds": seconds,
            "transitions": transitions,
        }
    return figures


def kernel_fresh_memory_rate() -> float:
    """The compiled engine's transitions per CPU second with the log written into fresh
    memory: the first run of a process, before the pool holds any free log buffer."""
    from follicle.sim import kernel

    kernel.clear_log_pool()
    seconds, transitions, _, _ = engine_run(
        TEN_YEARS, None, 0, logging=True, cls=engine_class("numba")
    )
    return transitions / seconds


def draws_per_transition() -> dict:
    """The engine's random draws per transition (untreated model, 1 cm2, 10 years)."""
    _, transitions, _, rng = engine_run(
        TEN_YEARS, "vertex:1", 0, logging=False, rng_wrapper=CountingGenerator
    )
    return {kind: count / transitions for kind, count in rng.counts.items()}


def rng_rates(bit_generator, *, total: int = 20_000_000, batch: int = 100_000) -> dict:
    """Draws per CPU second in engine-sized batches: lognormal, exp(mu + sd x normal)
    (how ``cycle.lognormal_from_means`` draws) and uniform."""
    rng = np.random.Generator(bit_generator(1))
    rounds = total // batch

    def rate(draw):
        draw()  # warm
        start = time.process_time()
        for _ in range(rounds):
            draw()
        return rounds * batch / (time.process_time() - start)

    return {
        "lognormal": rate(lambda: rng.lognormal(0.5, 0.3, batch)),
        "exp_normal": rate(lambda: np.exp(0.5 + 0.3 * rng.standard_normal(batch))),
        "uniform": rate(lambda: rng.random(batch)),
    }


def rng_limit(per_transition: dict, rates: dict) -> float:
    """Transitions per second if drawing the random numbers were all the work."""
    normal = max(rates["lognormal"], rates["exp_normal"])
    seconds = per_transition["normal"] / normal + per_transition["uniform"] / rates["uniform"]
    return 1.0 / seconds if seconds > 0 else math.inf


def mesa_peer(days: int, area_cm2: float, seed: int, *, activation: str) -> dict:
    """The untreated cycle written the way a modeller would with Mesa 3: one agent per
    follicle, stepped every day, activated with ``agents.do`` or ``agents.shuffle_do``."""
    import mesa

    def lognormal(rng, mean, log_sd):
        return rng.lognormal(math.log(mean) - 0.5 * log_sd**2, log_sd)

    class Follicle(mesa.Agent):
        def __init__(self, model, sensitivity):
            super().__init__(model)
            self.sensitivity = sensitivity
            self.size = 1.0
            self.phase = "anagen"
            self.age = 0.0
            self.duration = lognormal(model.rng, P.anagen_mean_days, P.anagen_log_sd)
            self.duration *= model.rng.random()

        def step(self):
            self.age += 1.0
            if self.age < self.duration:
                return
            self.age = 0.0
            self.model.transitions += 1
            rng = self.model.rng
            if self.phase == "anagen":
                self.phase = "catagen"
                self.duration = lognormal(rng, P.catagen_mean_days, P.catagen_log_sd)
            elif self.phase == "catagen":
                self.phase = "telogen"
                self.duration = lognormal(rng, P.telogen_mean_days, P.telogen_log_sd)
            elif self.phase == "telogen":
                self.model.shed += 1
                mean = P.kenogen_mean_days_terminal + (
                    P.kenogen_mean_days_miniaturized - P.kenogen_mean_days_terminal
                ) * (1 - self.size)
                self.phase = "kenogen"
                self.duration = lognormal(rng, mean, P.kenogen_log_sd)
            else:
                damage = P.damage_per_cycle * self.sensitivity * self.size
                self.size = max(self.size + P.repair_per_cycle * (1 - self.size) - damage, 0.01)
                mean = P.anagen_mean_days * self.size**P.anagen_size_exponent
                self.phase = "anagen"
                self.duration = lognormal(rng, mean, P.anagen_log_sd)

    class Scalp(mesa.Model):
        def __init__(self, n):
            super().__init__(seed=seed)
            self.shed = 0
            self.transitions = 0
            for _ in range(n):
                Follicle(self, self.rng.lognormal(0, 0.5))

        def step(self):
            if activation == "shuffle_do":
                self.agents.shuffle_do("step")
            else:
                self.agents.do("step")

    n = round(area_cm2 * P.follicular_units_per_cm2 * P.mean_follicles_per_unit)
    model = Scalp(n)
    start = time.process_time()
    for _ in range(days):
        model.step()
    seconds = time.process_time() - start
    return {
        "follicles": n,
        "days": days,
        "cpu_seconds": seconds,
        "transitions": model.transitions,
        "transitions_per_second": model.transitions / seconds,
        "seconds_per_follicle_year": seconds / (n * days / DAYS_PER_YEAR),
    }


_FIRST_RUN = """
import time
start = time.perf_counter()
from follicle.sim.simulate import simulate
imported = time.perf_counter()
simulate({"sex": "male", "age_years": 30}, days=30, area="vertex:0.1", seed=0, engine="numba")
print(imported - start, time.perf_counter() - imported)
"""


def kernel_first_run(cache_dir: str) -> float:
    """Seconds of the first compiled run in a fresh process (imports excluded)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_RUN], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[1])


def kernel_figures(figures: dict, numpy_figures: dict) -> dict:
    """The compiled engine's figures (or why there are none), its ratio to the numpy engine,
    and its compile and cache-load times (wall seconds of a fresh process's first run)."""
    if not numba_available():
        return {"status": "numba is not installed"}
    with tempfile.TemporaryDirectory() as cache:
        compile_seconds = kernel_first_run(cache)  # empty cache: compiles
        load_seconds = kernel_first_run(cache)  # loads what the first run cached
    figures["status"] = "built"
    figures["with_log_fresh_memory_transitions_per_second"] = kernel_fresh_memory_rate()
    figures["compile_seconds_first_run"] = compile_seconds
    figures["cached_seconds_first_run"] = load_seconds
    figures["ratio_to_numpy_engine"] = {
        key: figures[key]["transitions_per_second"] / numpy_figures[key]["transitions_per_second"]
        for key in ("with_log", "without_log")
    }
    return figures


def best_of(repeats: int, function):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        result = function()
        times.append(time.process_time() - start)
    return min(times), result


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="smaller comparison runs")
    args = parser.parse_args()
    load_before = os.getloadavg()

    for kind in ("numpy", "numba") if numba_available() else ("numpy",):
        simulate(PERSON, days=30, area="vertex:1", seed=0, engine=kind)  # warm up, compile
    repeats = 2 if args.quick else 3
    classes = {"numpy": Engine}
    if numba_available():
        classes["numba"] = engine_class("numba")
    by_engine = engine_figures(repeats, classes)
    engine = by_engine["numpy"]
    kernel = kernel_figures(by_engine.get("numba"), engine)
    per_transition = draws_per_transition()
    rates = {
        name: rng_rates(bg) for name, bg in (("PCG64", np.random.PCG64), ("SFC64", np.random.SFC64))
    }
    limits = {name: rng_limit(per_transition, rate) for name, rate in rates.items()}

    mesa_days, mesa_area = (365, 2.0) if args.quick else (730, 5.0)
    mesa = {
        activation: mesa_peer(mesa_days, mesa_area, seed=1, activation=activation)
        for activation in ("do", "shuffle_do")
    }
    follicles = engine["follicles"]
    engine_logged = engine["with_log"]
    engine_per_fy = engine_logged["cpu_seconds"] / (follicles * 10)

    full_scalp = {
        kind: best_of(
            1 if args.quick else 3,
            lambda kind=kind: simulate(
                PERSON,
                days=TEN_YEARS,
                observe_every_days=30,
                seed=1,
                with_history=False,
                engine=kind,
            ),
        )
        for kind in (("numpy", "numba") if numba_available() else ("numpy",))
    }
    full_seconds, trajectory = full_scalp["numpy"]
    ref_days, ref_area = (365, 1.0) if args.quick else (730, 2.0)
    ref_seconds, _ = best_of(
        1,
        lambda: simulate_reference(
            PERSON, days=ref_days, observe_every_days=ref_days, area=f"vertex:{ref_area}", seed=1
        ),
    )
    ref_follicles = ref_area * P.follicular_units_per_cm2 * P.mean_follicles_per_unit
    ref_per_fy = ref_seconds / (ref_follicles * (ref_days + ref_days) / DAYS_PER_YEAR)

    figures = {
        "follicle_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]},
        "timing": "CPU seconds of this process",
        "numpy_engine": engine,
        "numba_kernel": kernel,
        "draws_per_transition": per_transition,
        "rng_draws_per_second": rates,
        "rng_limit_transitions_per_second": limits,
        "mesa": mesa,
        "engine_vs_mesa_per_transition": {
            k: engine_logged["transitions_per_second"] / v["transitions_per_second"]
            for k, v in mesa.items()
        },
        "engine_vs_mesa_per_follicle_year": {
            k: v["seconds_per_follicle_year"] / engine_per_fy for k, v in mesa.items()
        },
        "engine_share_of_rng_limit": {
            k: engine_logged["transitions_per_second"] / v for k, v in limits.items()
        },
        "full_scalp_10y_seconds_end_to_end": full_seconds,
        "full_scalp_10y_transitions": trajectory.transitions,
        "full_scalp_10y_seconds_end_to_end_by_engine": {
            kind: seconds for kind, (seconds, _) in full_scalp.items()
        },
        "reference_seconds_per_follicle_year": ref_per_fy,
        "engine_seconds_per_follicle_year": engine_per_fy,
        "speedup_vs_reference": ref_per_fy / engine_per_fy,
    }
    if kernel.get("status") == "built":
        kernel_logged = kernel["with_log"]["transitions_per_second"]
        kernel_per_fy = kernel["with_log"]["cpu_seconds"] / (kernel["follicles"] * 10)
        figures["kernel_vs_mesa_per_transition"] = {
            k: kernel_logged / v["transitions_per_second"] for k, v in mesa.items()
        }
        figures["kernel_vs_mesa_per_follicle_year"] = {
            k: v["seconds_per_follicle_year"] / kernel_per_fy for k, v in mesa.items()
        }
        figures["kernel_share_of_rng_limit"] = {k: kernel_logged / v for k, v in limits.items()}
        figures["kernel_speedup_vs_reference"] = ref_per_fy / kernel_per_fy
        figures["goals"] = engine_goals(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return figures


IDIOMATIC_MESA = "shuffle_do"  # random activation, as Mesa 3's docs show


def engine_goals(f: dict) -> dict:
    """Issue 13's engine goals ("done when"), each with its figure and whether it is met."""
    kernel = f["numba_kernel"]
    rate = kernel["with_log"]["transitions_per_second"]
    ratio = kernel["ratio_to_numpy_engine"]["with_log"]
    mesa = f["kernel_vs_mesa_per_transition"][IDIOMATIC_MESA]
    return {
        "compiled engine with the log >= 30 M transitions/s": {
            "figure": rate,
            "unit": "transitions/s",
            "met": rate >= 30e6,
        },
        "compiled engine with the log >= 2.5x the numpy engine (same run)": {
            "figure": ratio,
            "unit": "x",
            "met": ratio >= 2.5,
        },
        f">= 1000x the idiomatic Mesa peer (agents.{IDIOMATIC_MESA}), per transition": {
            "figure": mesa,
            "unit": "x",
            "met": mesa >= 1000,
        },
    }


def print_table(f: dict) -> None:
    mega = 1e6
    load = f["load_average_1min"]
    engine = f["numpy_engine"]
    print(
        f"follicle {f['follicle_version']} engine benchmark (python {f['python']}, "
        f"numpy {f['numpy']}, {f['cpus']} CPUs, load {load['before']:.1f} -> "
        f"{load['after']:.1f}; CPU time)"
    )
    print(f"  full scalp: {engine['follicles']} follicles, 10 years")
    for key, label in (("with_log", "with the event log"), ("without_log", "without logging")):
        run = engine[key]
        print(
            f"  numpy engine, one core, {label}: "
            f"{run['transitions_per_second'] / mega:.1f} M transitions/s "
            f"({run['transitions']} in {run['cpu_seconds']:.2f} s)"
        )
    kernel = f["numba_kernel"]
    if kernel["status"] != "built":
        print(f"  numba kernel: {kernel['status']}")
    else:
        for key, label in (("with_log", "with the event log"), ("without_log", "without logging")):
            run = kernel[key]
            print(
                f"  numba engine, one core, {label}: "
                f"{run['transitions_per_second'] / mega:.1f} M transitions/s "
                f"({run['transitions']} in {run['cpu_seconds']:.2f} s), "
                f"{kernel['ratio_to_numpy_engine'][key]:.2f}x the numpy engine"
            )
        print(
            f"  numba engine, with the log into fresh memory (a process's first run): "
            f"{kernel['with_log_fresh_memory_transitions_per_second'] / mega:.1f} M transitions/s"
        )
        print(
            f"  numba engine, first run in a fresh process: "
            f"{kernel['compile_seconds_first_run']:.1f} s compiling (empty cache), "
            f"{kernel['cached_seconds_first_run']:.2f} s from the cache (wall)"
        )
    d = f["draws_per_transition"]
    print(
        f"  random draws per transition: {d['normal']:.2f} normal-based, "
        f"{d['uniform']:.2f} uniform, {d['other']:.3f} other"
    )
    for name, rate in f["rng_draws_per_second"].items():
        print(
            f"  {name}: {rate['lognormal'] / mega:.0f} M lognormal/s, "
            f"{rate['exp_normal'] / mega:.0f} M exp(normal)/s, "
            f"{rate['uniform'] / mega:.0f} M uniform/s -> draws alone cap the engine at "
            f"{f['rng_limit_transitions_per_second'][name] / mega:.0f} M transitions/s "
            f"(numpy engine at {100 * f['engine_share_of_rng_limit'][name]:.0f}%)"
        )
    for name, run in f["mesa"].items():
        idiomatic = " (the idiomatic peer: Mesa 3's docs show it)" if name == IDIOMATIC_MESA else ""
        print(
            f"  Mesa peer, agents.{name}('step'){idiomatic}: "
            f"{run['transitions_per_second']:,.0f} transitions/s "
            f"({run['follicles']} follicles x {run['days']} days in {run['cpu_seconds']:.2f} s); "
            f"numpy engine {f['engine_vs_mesa_per_transition'][name]:,.0f}x per transition, "
            f"{f['engine_vs_mesa_per_follicle_year'][name]:,.0f}x per follicle-year"
        )
    if "kernel_vs_mesa_per_transition" in f:
        for name in f["mesa"]:
            print(
                f"  numba engine vs Mesa agents.{name}: "
                f"{f['kernel_vs_mesa_per_transition'][name]:,.0f}x per transition, "
                f"{f['kernel_vs_mesa_per_follicle_year'][name]:,.0f}x per follicle-year"
            )
        print(
            "  numba engine at "
            + ", ".join(
                f"{100 * share:.0f}% ({name})"
                for name, share in f["kernel_share_of_rng_limit"].items()
            )
            + " of the random-draw limit (numpy draws)"
        )
    for goal, check in f.get("goals", {}).items():
        figure = check["figure"]
        rate = check["unit"] == "transitions/s"
        shown = f"{figure / mega:.1f} M/s" if rate else f"{figure:,.2f}x"
        print(f"  goal: {goal}: {shown}, {'met' if check['met'] else 'NOT met'}")
    for kind, seconds in f["full_scalp_10y_seconds_end_to_end_by_engine"].items():
        print(f"  full scalp 10 years, end to end, {kind} engine: {seconds:.2f} s")
    print(
        f"  speedup vs day-by-day reference (per follicle-year): {f['speedup_vs_reference']:,.0f}x"
        " (numpy engine)"
        + (
            f", {f['kernel_speedup_vs_reference']:,.0f}x (numba engine)"
            if "kernel_speedup_vs_reference" in f
            else ""
        )
    )


if __name__ == "__main__":
    main()
