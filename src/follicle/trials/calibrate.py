"""``calibrate``: fit free model parameters and the population distribution to targets.

Objective (documented in docs/validation.md): the mean over targets of
((model - published) / tolerance)^2, every evaluation on the same virtual people (one
seed: common random numbers), so parameter sets are compared without simulation noise
between them. Minimized with scipy's bounded Powell method in a unit cube (each free
parameter mapped linearly, or logarithmically for positive scales, onto its bounds).

Free parameters: model parameters whose source starts with "calibrated" (see
``FREE_PARAMETERS`` for the default bounds) and the men's and women's androgen
sensitivity distribution (``population.male.median``, ``.log_sd``,
``.predisposed_share``). The result is a parameter set (TOML of overrides) with
provenance, readable by ``load_parameter_set`` and by ``--parameters`` in the CLI.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize

from follicle.config_io import read_toml
from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters, parameters_from_overrides
from follicle.trials.cohorts import DEFAULT_SENSITIVITY, SensitivityDistribution
from follicle.trials.targets import TargetsFile, load_targets
from follicle.trials.validate import ValidationReport, validate

# name -> (low, high, log scale). Model parameters must have a "calibrated" source.
FREE_PARAMETERS: dict[str, tuple[float, float, bool]] = {
    "damage_per_cycle": (0.05, 1.5, True),
    "repair_per_cycle": (0.05, 0.9, True),
    "androgen_anagen_shortening": (0.0, 3.0, False),
    "minoxidil_rest_speedup": (0.0, 6.0, False),
    "minoxidil_anagen_prolongation": (0.0, 2.0, False),
    "minoxidil_growth": (0.0, 2.0, False),
    "microneedling_activation": (0.0, 0.6, False),
    "microneedling_growth": (0.0, 4.0, False),
    "microneedling_absorption_gain": (0.0, 3.0, False),
    "androgen_rest_prolongation": (0.0, 6.0, False),
    "androgen_growth_per_decade": (0.0, 2.0, False),
    "treatment_response_log_sd": (0.0, 2.0, False),
    "count_error_cv": (0.0, 0.3, False),
    "entry_error_share": (0.0, 1.0, False),
    "laser_rest_speedup": (0.0, 30.0, False),
    "prp_rest_speedup": (0.0, 10.0, False),
    "vehicle_rest_speedup": (0.0, 3.0, False),
    "aa_episode_median_days": (20.0, 2000.0, True),
    "population.male.median": (0.02, 2.0, True),
    "population.male.log_sd": (0.1, 2.0, False),
    "population.male.predisposed_share": (0.05, 1.0, False),
    "population.male.onset_mean_years": (12.0, 45.0, False),
    "population.male.onset_sd_years": (0.0, 20.0, False),
    "population.female.median": (0.02, 2.0, True),
    "population.female.log_sd": (0.1, 2.0, False),
    "population.female.predisposed_share": (0.05, 1.0, False),
    "population.female.onset_mean_years": (12.0, 60.0, False),
    "population.female.onset_sd_years": (0.0, 20.0, False),
}
DEFAULT_FREE = (
    "damage_per_cycle",
    "repair_per_cycle",
    "minoxidil_growth",
    "microneedling_activation",
    "population.male.median",
    "population.male.predisposed_share",
)


@dataclass(frozen=True)
class ParameterSet:
    """Model parameters plus the population distributions, with where they came from."""

    params: ModelParameters = DEFAULT_PARAMETERS
    sensitivity: dict[str, SensitivityDistribution] = field(
        default_factory=lambda: dict(DEFAULT_SENSITIVITY)
    )
    provenance: dict[str, Any] = field(default_factory=dict)

    def with_values(self, values: dict[str, float]) -> ParameterSet:
        model = {k: v for k, v in values.items() if not k.startswith("population.")}
        sensitivity = {sex: d.model_dump() for sex, d in self.sensitivity.items()}
        for name, value in values.items():
            if name.startswith("population."):
                _, sex, key = name.split(".")
                sensitivity[sex][key] = value
        return ParameterSet(
            self.params.replace(**model),
            {sex: SensitivityDistribution(**d) for sex, d in sensitivity.items()},
            self.provenance,
        )

    def value(self, name: str) -> float:
        if name.startswith("population."):
            _, sex, key = name.split(".")
            value = getattr(self.sensitivity[sex], key)
            if value is None:  # no onset distribution yet: start from the model's onset
                return float(DEFAULT_PARAMETERS.onset_age_years[sex])
            return float(value)
        return float(getattr(self.params, name))


def check_free(names: Sequence[str]) -> list[str]:
    names = list(dict.fromkeys(names))
    sources = ModelParameters.sources()
    for name in names:
        if name not in FREE_PARAMETERS:
            raise FollicleInputError("free parameter", name, f"one of {sorted(FREE_PARAMETERS)}")
        if not name.startswith("population.") and not sources[name].startswith("calibrated"):
            raise FollicleInputError("free parameter", name, "a parameter marked calibrated")
    if not names:
        raise FollicleInputError("free parameters", names, "at least one name")
    return names


def to_unit(name: str, value: float) -> float:
    """A free parameter's value in prior coordinates (0-1; log scale where marked)."""
    low, high, log = FREE_PARAMETERS[name]
    value = min(max(value, low), high)
    if log:
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (value - low) / (high - low)


def from_unit(name: str, unit: float) -> float:
    """The value of a free parameter at prior coordinate ``unit`` (0-1)."""
    low, high, log = FREE_PARAMETERS[name]
    unit = min(max(float(unit), 0.0), 1.0)
    if log:
        return float(math.exp(math.log(low) + unit * (math.log(high) - math.log(low))))
    return float(low + unit * (high - low))


def objective(report: ValidationReport) -> float:
    """Mean squared tolerance-scaled miss over the targets (NaN counts as a big miss)."""
    table = report.table
    z = (table["model"] - table["published"]) / table["tolerance"]
    if "kind" in table:  # a range target costs nothing inside its range
        inside = np.maximum(np.abs(z) - 1.0, 0.0) * np.sign(z)
        z = z.where(table["kind"] != "range", inside)
    return float(np.nan_to_num(z, nan=10.0).__pow__(2).mean())


@dataclass(frozen=True)
class CalibrationResult:
    parameter_set: ParameterSet
    start: dict[str, float]
    fitted: dict[str, float]
    objective_start: float
    objective_fitted: float
    evaluations: int
    seconds: float
    report: ValidationReport

    @property
    def provenance(self) -> dict[str, Any]:
        return self.parameter_set.provenance

    def to_toml(self) -> str:
        return parameter_set_toml(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``follicle calibrate --json`` (schemas/calibrate.json)."""
        return {
            "provenance": self.provenance,
            "start": self.start,
            "fitted": self.fitted,
            "objective_start": self.objective_start,
            "objective_fitted": self.objective_fitted,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "targets": self.report.to_dict()["targets"],
        }


CALIBRATION_SEED = 1  # validate.VALIDATION_SEED differs: validation uses other people


def calibrate(
    targets: TargetsFile | str | Path | None = None,
    *,
    free: Sequence[str] = DEFAULT_FREE,
    start: ParameterSet | None = None,
    n_per_arm: int = 100,
    seed: int = CALIBRATION_SEED,
    max_evaluations: int = 60,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[int, float], None] | None = None,
) -> CalibrationResult:
    """Fit ``free`` to ``targets``; ``progress(evaluation, objective)`` after each run."""
    targets_source = targets
    if not isinstance(targets, TargetsFile):
        targets = load_targets(targets)
    free = check_free(free)
    if max_evaluations < 1:
        raise FollicleInputError("max_evaluations", max_evaluations, "a whole number >= 1")
    base = start or ParameterSet()
    began = time.perf_counter()
    history: list[tuple[float, dict[str, float], ValidationReport]] = []

    def run(unit, dask) -> float:
        values = {name: from_unit(name, u) for name, u in zip(free, unit, strict=True)}
        candidate = base.with_values(values)
        report = validate(
            targets,
            n_per_arm=n_per_arm,
            seed=seed,
            params=candidate.params,
            sensitivity=candidate.sensitivity,
            client=dask,
        )
        loss = objective(report)
        history.append((loss, values, report))
        if progress is not None:
            progress(len(history), loss)
        return loss

    from follicle.trials.execution import dask_client

    x0 = np.array([to_unit(name, base.value(name)) for name in free])
    with dask_client(workers=workers, scheduler=scheduler) as new_client:
        dask = client or new_client
        run(x0, dask)
        if max_evaluations > 1:
            optimize.minimize(
                run,
                x0,
                args=(dask,),
                method="Powell",
                bounds=[(0.0, 1.0)] * len(free),
                options={"maxfev": max_evaluations - 1, "xtol": 1e-3, "ftol": 1e-4},
            )
    best_loss, best_values, best_report = min(history, key=lambda item: item[0])
    fitted_set = base.with_values(best_values)
    from follicle.provenance import envelope, input_record

    provenance = envelope(
        "calibrate",
        seed=seed,
        parameters=base.params.to_dict(),  # the model parameters the fit started from
        inputs=[
            input_record(
                "targets", targets_source if isinstance(targets_source, str | Path) else targets
            ),
            input_record("start", {name: base.value(name) for name in free}),
        ],
        method="scipy.optimize.minimize Powell (bounded, unit cube), common random numbers",
        objective="mean over targets of ((model - published) / tolerance)^2",
        n_per_arm=n_per_arm,
        max_evaluations=max_evaluations,
        evaluations=len(history),
        free=list(free),
        targets=[t.id for t in targets.target],
    )
    return CalibrationResult(
        parameter_set=ParameterSet(fitted_set.params, fitted_set.sensitivity, provenance),
        start={name: base.value(name) for name in free},
        fitted=best_values,
        objective_start=history[0][0],
        objective_fitted=best_loss,
        evaluations=len(history),
        seconds=time.perf_counter() - began,
        report=best_report,
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table; TOML has no null, so None is left out
        items = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _toml_key(key: Any) -> str:
    text = str(key)
    return text if text.replace("_", "").replace("-", "").isalnum() else _toml_value(text)


def _toml_tables(name: str, record: dict[str, Any]) -> list[str]:
    """``record`` as the lines of the table ``name`` (already opened): plain values first,
    then each dict as a sub-table and each list of dicts as an array of tables (TOML has
    no null: None is left out)."""
    lines, tables = [], []
    for key, value in record.items():
        if value is None:
            continue
        path = f"{name}.{_toml_key(key)}"
        if isinstance(value, dict):
            tables += ["", f"[{path}]", *_toml_tables(path, value)]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables += ["", f"[[{path}]]", *_toml_tables(path, item)]
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return lines + tables


def parameter_set_toml(result: CalibrationResult) -> str:
    """The fitted parameter set as TOML: [provenance], [parameters], [population.SEX]."""
    pset = result.parameter_set
    lines = ["# follicle parameter set written by `follicle calibrate`", "", "[provenance]"]
    provenance = {
        **pset.provenance,
        "objective_start": result.objective_start,
        "objective_fitted": result.objective_fitted,
        "seconds": round(result.seconds, 1),
    }
    lines += _toml_tables("provenance", provenance)
    lines += ["", "[parameters]"]
    for name, value in result.fitted.items():
        if not name.startswith("population."):
            lines.append(f"{name} = {value!r}")
    for sex, distribution in pset.sensitivity.items():
        lines += ["", f"[population.{sex}]"]
        lines += [
            f"{k} = {float(v)!r}" for k, v in distribution.model_dump().items() if v is not None
        ]
    lines += ["", "[fit]  # model vs published with the fitted set"]
    for row in result.report.table.to_dict(orient="records"):
        lines.append(
            f'"{row["id"]}" = {{ published = {float(row["published"])!r}, '
            f"model = {float(row['model'])!r}, pass = {_toml_value(row['pass'])} }}"
        )
    return "\n".join(lines) + "\n"


def load_parameter_set(path: str | Path) -> ParameterSet:
    """Read a parameter set written by ``follicle calibrate`` (or by hand)."""
    data = read_toml(path)
    unknown = set(data) - {"provenance", "parameters", "population", "fit"}
    if unknown:
        raise FollicleInputError(
            "parameter set key",
            sorted(unknown)[0],
            "provenance, parameters, population, fit",
            source=str(path),
        )
    for key in ("provenance", "parameters", "population"):
        if not isinstance(data.get(key, {}), dict):
            raise FollicleInputError(key, data[key], "a table", source=str(path))
    params = parameters_from_overrides(data.get("parameters", {}), source=str(path))
    sensitivity = dict(DEFAULT_SENSITIVITY)
    for sex, values in data.get("population", {}).items():
        if sex not in ("male", "female"):
            raise FollicleInputError("population", sex, "male or female", source=str(path))
        if not isinstance(values, dict):
            raise FollicleInputError(f"population.{sex}", values, "a table", source=str(path))
        try:
            sensitivity[sex] = SensitivityDistribution(**values)
        except (ValueError, TypeError) as error:
            raise FollicleInputError(
                f"population.{sex}", values, str(error).splitlines()[0], source=str(path)
            ) from None
    return ParameterSet(params, sensitivity, data.get("provenance", {}))
