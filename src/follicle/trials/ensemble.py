"""Calibration with uncertainty: an ensemble of parameter sets drawn from an ABC posterior.

Method (docs/validation.md, "Calibration with uncertainty"):

1. **Prior.** Each free parameter is uniform on its bounds in
   ``calibrate.FREE_PARAMETERS`` (log-uniform where marked), written in unit coordinates
   u in [0, 1].
2. **Design.** A full simulation of the *fitted* targets (never the held-out ones,
   ``data/calibration.toml``) costs about a minute of CPU, too much for ABC to call
   thousands of times. So ``design_runs`` simulations are run at the shipped values and at
   a Latin hypercube of points in a box of half-width ``design_half_width`` around them,
   all on the same virtual people (common random numbers).
3. **Emulator.** Per target, a linear regression of the model value on u over the design
   runs; its residual SD (degrees of freedom corrected) measures what the line misses.
4. **ABC-SMC** (``pyabc``) on the emulator, with the prior restricted to the design box
   (where the emulator was fitted). The distance is the root mean square over the fitted
   targets of the standardized misses z = miss / s (a ``range`` target misses only outside
   its range), s^2 = (tolerance / 2)^2 + (simulation standard error)^2 + (emulator
   residual SD)^2: the tolerance is read as the half-width of a 95% interval, and the
   emulator's own uncertainty widens it (as in history matching). ABC-SMC
   lowers the acceptance threshold by generations until it reaches the value a model that
   fits every target within its tolerances stays under 95% of the time
   (sqrt(chi2_0.95(n) / n)), the acceptance rate falls below ``min_acceptance_rate``, or
   ``max_generations`` have run; provenance records where it stopped.
5. **Ensemble.** ``members`` parameter sets resampled (systematic, by weight) from the last
   generation, written with provenance (``Ensemble.write``).

pyabc's Dask sampler is not used: the expensive simulations are the design runs, and they
already run on follicle's own Dask execution (results independent of the workers); ABC on
the emulator takes seconds on one core.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.trials.calibrate import (
    FREE_PARAMETERS,
    ParameterSet,
    check_free,
    from_unit,
    to_unit,
)
from follicle.trials.calibration_config import (
    CalibrationSettings,
    load_calibration_settings,
    split_targets,
)
from follicle.trials.targets import TargetsFile, load_targets

DEFAULT_ENSEMBLE = Path(__file__).resolve().parents[1] / "data" / "ensemble.json"
FORMAT = "follicle.ensemble/1"
Z_PER_TOLERANCE = 2.0  # the tolerance is a 95% half-width: sigma = tolerance / 2


def base_parameters_digest(params: ModelParameters, free: Sequence[str]) -> str:
    """A digest of every model parameter the ensemble does NOT vary: when it changes, the
    ensemble was built on another model and must be rebuilt."""
    values = {k: v for k, v in params.to_dict().items() if k not in set(free)}
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Ensemble:
    """``members[i]``: values of the free parameters of member i (model units)."""

    free: tuple[str, ...]
    members: tuple[tuple[float, ...], ...]
    provenance: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.members)

    def values(self, index: int) -> dict[str, float]:
        return dict(zip(self.free, self.members[index], strict=True))

    def parameter_set(self, index: int, base: ParameterSet | None = None) -> ParameterSet:
        return (base or ParameterSet()).with_values(self.values(index))

    @property
    def created(self) -> str | None:
        """When the ensemble was built (``created_utc``; ``created`` in files written
        before the one envelope)."""
        return self.provenance.get("created_utc", self.provenance.get("created"))

    def matches(self, params: ModelParameters = DEFAULT_PARAMETERS) -> bool:
        """Whether the ensemble was built on these (non-free) model parameters."""
        return self.provenance.get("base_parameters_digest") == base_parameters_digest(
            params, self.free
        )

    def summary(self) -> dict[str, dict[str, float]]:
        """Per free parameter: mean and the 5th, 50th and 95th percentiles over members."""
        array = np.asarray(self.members, float)
        return {
            name: {
                "mean": float(array[:, i].mean()),
                "p5": float(np.percentile(array[:, i], 5)),
                "p50": float(np.percentile(array[:, i], 50)),
                "p95": float(np.percentile(array[:, i], 95)),
            }
            for i, name in enumerate(self.free)
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "provenance": self.provenance,
            "free": list(self.free),
            "members": [[float(f"{v:.6g}") for v in member] for member in self.members],
        }

    def write(self, path: str | Path) -> Path:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        return Path(path)


def load_ensemble(path: str | Path | None = None) -> Ensemble:
    """Read an ensemble file (default: the one shipped with follicle)."""
    path = Path(path) if path is not None else DEFAULT_ENSEMBLE
    source = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FollicleInputError("ensemble", source, "an existing ensemble file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FollicleInputError("ensemble", source, f"JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FollicleInputError(
            "format", data.get("format") if isinstance(data, dict) else None, FORMAT, source=source
        )
    free = tuple(data.get("free", ()))
    for name in free:
        if name not in FREE_PARAMETERS:
            raise FollicleInputError(
                "free",
                name,
                "a parameter of calibrate.FREE_PARAMETERS (rebuild the "
                "ensemble: follicle calibrate --ensemble)",
                source=source,
            )
    members = tuple(tuple(float(v) for v in member) for member in data.get("members", ()))
    if not members or any(len(m) != len(free) for m in members):
        raise FollicleInputError(
            "members", len(members), f"one or more lists of {len(free)} values", source=source
        )
    for member in members:
        for name, value in zip(free, member, strict=True):
            low, high, _ = FREE_PARAMETERS[name]
            if not (math.isfinite(value) and low <= value <= high):
                raise FollicleInputError(name, value, f"a value in [{low}, {high}]", source=source)
    return Ensemble(free, members, data.get("provenance", {}))


# ---------------------------------------------------------------------------------------
# building an ensemble


@dataclass(frozen=True)
class Emulator:
    """Per target: value = intercept + slope . (u - centre); ``residual_sd``: what the line
    misses on the design runs; ``mc_sd``: the simulation's own standard error."""

    centre: np.ndarray
    coefficients: np.ndarray  # (1 + k, targets)
    residual_sd: np.ndarray
    mc_sd: np.ndarray

    def predict(self, unit: np.ndarray) -> np.ndarray:
        unit = np.atleast_2d(unit)
        design = np.hstack([np.ones((len(unit), 1)), unit - self.centre])
        return design @ self.coefficients

    @classmethod
    def fit(cls, unit: np.ndarray, values: np.ndarray, mc_sd: np.ndarray, centre: np.ndarray):
        design = np.hstack([np.ones((len(unit), 1)), unit - centre])
        coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
        residuals = values - design @ coefficients
        dof = len(unit) - design.shape[1]
        residual_sd = (
            np.sqrt((residuals**2).sum(axis=0) / dof) if dof > 0 else np.zeros(values.shape[1])
        )
        return cls(centre, coefficients, residual_sd, mc_sd)


@dataclass(frozen=True)
class Observed:
    """The fitted targets as the distance sees them."""

    ids: tuple[str, ...]
    centre: np.ndarray
    allowed: np.ndarray
    is_range: np.ndarray
    extra_sd: np.ndarray  # the emulator's own uncertainty, added to the tolerance's

    @property
    def scale(self) -> np.ndarray:
        return np.sqrt((self.allowed / Z_PER_TOLERANCE) ** 2 + self.extra_sd**2)

    def z(self, model: np.ndarray) -> np.ndarray:
        miss = model - self.centre
        outside = np.sign(miss) * np.maximum(np.abs(miss) - self.allowed, 0.0)
        miss = np.where(self.is_range, outside, miss)
        return miss / self.scale


def distance(z: np.ndarray) -> np.ndarray:
    """Root mean square standardized miss (per row)."""
    return np.sqrt(np.mean(np.square(z), axis=-1))


def epsilon_floor(n_targets: int) -> float:
    """The distance a model fitting every target within its noise stays under 95% of the
    time: sum z^2 ~ chi2(n) when each z ~ N(0, 1)."""
    return float(math.sqrt(stats.chi2.ppf(0.95, n_targets) / n_targets))


def abc_smc(
    simulate_z: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    *,
    low: np.ndarray,
    high: np.ndarray,
    population_size: int,
    max_generations: int,
    min_acceptance_rate: float,
    minimum_epsilon: float,
    seed: int,
) -> dict[str, Any]:
    """ABC-SMC with pyabc over a uniform prior on the box [low, high]; returns the last
    generation's particles and weights and the run's history."""
    try:
        import pyabc
    except ImportError:
        raise FollicleInputError(
            "pyabc", "not installed", 'the calibration extra: pip install "follicle[calibration]"'
        ) from None

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("ABC"):
            logging.getLogger(name).setLevel(logging.WARNING)
    names = [f"u{i}" for i in range(len(low))]
    prior = pyabc.Distribution(
        **{
            n: pyabc.RV("uniform", float(lo), float(hi - lo))
            for n, lo, hi in zip(names, low, high, strict=True)
        }
    )
    rng = np.random.default_rng(seed)

    def model(parameters):
        unit = np.array([parameters[n] for n in names])
        return {"z": simulate_z(unit, rng)}

    def rms(x, x0):
        return float(distance(np.asarray(x["z"])))

    np.random.seed(seed % 2**32)  # pyabc draws from numpy's global generator
    abc = pyabc.ABCSMC(
        model,
        prior,
        rms,
        population_size=population_size,
        sampler=pyabc.sampler.SingleCoreSampler(),
        eps=pyabc.epsilon.QuantileEpsilon(alpha=0.5),
    )
    with tempfile.TemporaryDirectory() as folder:
        abc.new("sqlite:///" + str(Path(folder) / "abc.db"), {"z": np.zeros(1)})
        history = abc.run(
            minimum_epsilon=minimum_epsilon,
            max_nr_populations=max_generations,
            min_acceptance_rate=min_acceptance_rate,
        )
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        populations = history.get_all_populations()
        particles = frame[names].to_numpy(float)
        generations = [
            {
                "epsilon": float(row.epsilon),
                "simulations": int(row.samples),
                "acceptance_rate": round(population_size / row.samples, 4) if row.samples else 1,
            }
            for row in populations[populations["t"] >= 0].itertuples()
        ]
        history.done = True
    return {
        "particles": particles,
        "weights": np.asarray(weights, float) / np.sum(weights),
        "generations": generations,
    }


def systematic_resample(weights: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``count`` draws with probabilities ``weights`` (systematic resampling)."""
    positions = (rng.random() + np.arange(count)) / count
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)


def build_ensemble(
    targets: TargetsFile | str | Path | None = None,
    *,
    settings: CalibrationSettings | None = None,
    base: ParameterSet | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[float], None] | None = None,
) -> Ensemble:
    """Run the design, fit the emulator, run ABC-SMC and resample the ensemble."""
    from follicle.provenance import envelope, input_record
    from follicle.trials.execution import dask_client
    from follicle.trials.validate import validate

    began = time.perf_counter()
    targets_source = targets
    if not isinstance(targets, TargetsFile):
        targets = load_targets(targets)
    settings = settings or load_calibration_settings()
    options = settings.ensemble
    free = check_free(options.free)
    split = split_targets(targets, settings)
    if split.fitted is None:
        raise FollicleInputError("fitted targets", 0, "at least one target not held out")
    fitted = split.fitted
    base = base or ParameterSet()
    k = len(free)
    centre = np.array([to_unit(name, base.value(name)) for name in free])
    low = np.clip(centre - options.design_half_width, 0.0, 1.0)
    high = np.clip(centre + options.design_half_width, 0.0, 1.0)
    rng = np.random.default_rng(options.seed)
    cube = qmc.LatinHypercube(d=k, rng=rng).random(options.design_runs - 1)
    design = np.vstack([centre, low + cube * (high - low)])

    values, errors = [], []
    with dask_client(workers=workers, scheduler=scheduler) as new_client:
        dask = client or new_client
        for index, unit in enumerate(design):
            candidate = base.with_values(
                {name: from_unit(name, u) for name, u in zip(free, unit, strict=True)}
            )
            report = validate(
                fitted,
                n_per_arm=options.n_per_arm,
                seed=options.seed,
                params=candidate.params,
                sensitivity=candidate.sensitivity,
                client=dask,
                progress=(
                    None
                    if progress is None
                    else lambda done, i=index: progress(0.95 * (i + done) / len(design))
                ),
            )
            table = report.table
            values.append(table["model"].to_numpy(float))
            errors.append(
                ((table["model_ci_high"] - table["model_ci_low"]) / (2 * 1.96)).to_numpy(float)
            )
    values, errors = np.array(values), np.array(errors)
    ids = [t.id for t in fitted.target]
    usable = np.isfinite(values).all(axis=0)
    dropped = [i for i, ok in zip(ids, usable, strict=True) if not ok]
    kept = [t for t, ok in zip(fitted.target, usable, strict=True) if ok]
    mc_sd = np.nan_to_num(np.nanmedian(errors[:, usable], axis=0), nan=0.0)
    emulator = Emulator.fit(design, values[:, usable], mc_sd, centre)
    observed = Observed(
        ids=tuple(t.id for t in kept),
        centre=np.array([t.centre for t in kept]),
        allowed=np.array([t.allowed for t in kept]),
        is_range=np.array([t.kind == "range" for t in kept]),
        extra_sd=np.sqrt(emulator.mc_sd**2 + emulator.residual_sd**2),
    )

    def simulate_z(unit, generator):
        return observed.z(emulator.predict(unit)[0])

    floor = epsilon_floor(len(observed.ids))
    abc = abc_smc(
        simulate_z,
        low=low,
        high=high,
        population_size=options.population_size,
        max_generations=options.max_generations,
        min_acceptance_rate=options.min_acceptance_rate,
        minimum_epsilon=floor,
        seed=options.seed,
    )
    chosen = systematic_resample(abc["weights"], options.members, rng)
    units = abc["particles"][chosen]
    members = tuple(
        tuple(from_unit(name, u) for name, u in zip(free, unit, strict=True)) for unit in units
    )
    emulated = distance(observed.z(emulator.predict(units)))
    centre_distance = float(distance(observed.z(emulator.predict(centre)))[0])
    edge = np.mean(
        np.any((units - low < 0.01 * (high - low)) | (high - units < 0.01 * (high - low)), axis=1)
    )
    if progress is not None:
        progress(1.0)
    final = abc["generations"][-1]
    stop = (
        "reached the floor"
        if final["epsilon"] <= floor
        else "acceptance rate below the minimum"
        if final["acceptance_rate"] < options.min_acceptance_rate
        else "maximum generations"
    )
    context = {  # after the envelope's fields
        "method": "ABC-SMC (pyabc, quantile epsilon 0.5) on a linear emulator of the fitted "
        "targets over a Latin hypercube design of full simulations (common random numbers)",
        "distance": "root mean square over the fitted targets of (model - published) / s, "
        "s^2 = (tolerance / 2)^2 + simulation SE^2 + emulator residual SD^2; a range target "
        "counts only outside its range",
        "prior": {
            name: {
                "low": FREE_PARAMETERS[name][0],
                "high": FREE_PARAMETERS[name][1],
                "scale": "log" if FREE_PARAMETERS[name][2] else "linear",
            }
            for name in free
        },
        "design_box": {
            name: [from_unit(name, lo), from_unit(name, hi)]
            for name, lo, hi in zip(free, low, high, strict=True)
        },
        "settings": options.model_dump(),
        "targets_fitted": list(observed.ids),
        "targets_fitted_not_usable": dropped,
        "targets_held_out": [t.id for t in split.holdout.target] if split.holdout else [],
        "emulator_residual_sd": dict(
            zip(observed.ids, map(float, emulator.residual_sd), strict=True)
        ),
        "simulation_sd": dict(zip(observed.ids, map(float, emulator.mc_sd), strict=True)),
        "epsilon_floor": floor,
        "epsilon_final": final["epsilon"],
        "stopped_because": stop,
        "generations": abc["generations"],
        "accepted_particles": len(abc["particles"]),
        "effective_sample_size": float(1.0 / np.sum(abc["weights"] ** 2)),
        "members": len(members),
        "emulated_distance_at_shipped_values": centre_distance,
        "emulated_distance_members_median": float(np.median(emulated)),
        "share_of_members_at_design_box_edge": float(edge),
        "base_parameters_digest": base_parameters_digest(base.params, free),
        "seconds": round(time.perf_counter() - began, 1),
    }
    provenance = envelope(
        "build_ensemble",
        seed=options.seed,
        parameters=base.params.to_dict(),  # the model parameters the members vary around
        inputs=[
            input_record(
                "targets", targets_source if isinstance(targets_source, str | Path) else targets
            ),
            input_record("settings", settings),
        ],
        **context,
    )
    return Ensemble(tuple(free), members, provenance)
