"""The result of a simulation: observations over time, snapshots, provenance, exports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError
from follicle.model import cycle
from follicle.model.cycle import growth_mm_per_day
from follicle.model.params import ModelParameters
from follicle.model.regions import REGIONS

_PHASE_LABELS = np.array(cycle.PHASE_NAMES)


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What ``simulate`` returns. Immutable; the tables it hands out are copies.

    ``table`` has one row per observation day and region, plus ``region == "scalp"``
    for everything simulated together (docs/simulate.md lists the columns).
    """

    table: pd.DataFrame
    provenance: dict[str, Any]
    params: ModelParameters = field(repr=False)
    _log: dict[str, np.ndarray] = field(repr=False)
    _initial: dict[str, np.ndarray] = field(repr=False)
    _follicles: dict[str, np.ndarray] = field(repr=False)
    log_start_day: float = 0.0
    transitions: int = 0

    # ---- views ------------------------------------------------------------------------

    @property
    def days(self) -> np.ndarray:
        return np.unique(self.table["day"].to_numpy())

    @property
    def scalp(self) -> pd.DataFrame:
        """Rows for the whole simulated area, indexed by day."""
        return self.region("scalp")

    def region(self, name: str) -> pd.DataFrame:
        """Rows for one region (or "scalp"), indexed by day."""
        available = list(dict.fromkeys(self.table["region"]))
        if name not in available:
            raise FollicleInputError("region", name, f"one of {available}")
        rows = self.table[self.table["region"] == name]
        return rows.set_index("day").drop(columns="region").copy()

    def at(self, day: float, region: str = "scalp") -> pd.Series:
        """Observations of ``region`` on the observation day nearest ``day``."""
        rows = self.region(region)
        return rows.iloc[int(np.argmin(np.abs(rows.index.to_numpy() - day)))]

    def to_pandas(self) -> pd.DataFrame:
        return self.table.copy()

    # ---- snapshots ----------------------------------------------------------------------

    def snapshot(self, day: float) -> pd.DataFrame:
        """The hairs table on ``day``: one row per visible hair (docs/hairs-table.md).

        Beyond the shared columns it has ``transplanted`` (True for grafted follicles).
        """
        last_day = float(self.table["day"].max())
        if not self.log_start_day <= day <= last_day:
            raise FollicleInputError(
                "day", day, f"a day from {self.log_start_day:g} to {last_day:g}"
            )
        log, init, foll = self._log, self._initial, self._follicles
        n = foll["region"].size
        n0 = init["phase"].size
        phase = np.full(n, cycle.ABSENT, np.int8)
        phase[:n0] = init["phase"]
        has_hair = np.zeros(n, bool)
        has_hair[:n0] = init["has_hair"]
        diameter = np.zeros(n)
        diameter[:n0] = init["diameter_um"]
        length = np.zeros(n)
        length[:n0] = init["shaft_length_mm"]
        since = np.full(n, self.log_start_day)

        upto = np.flatnonzero(log["time"] <= day)
        order = upto[np.lexsort((log["time"][upto], log["follicle"][upto]))]
        who = log["follicle"][order]
        last = order[np.r_[who[1:] != who[:-1], True]] if order.size else order
        idx = log["follicle"][last]
        phase[idx] = log["new_phase"][last]
        has_hair[idx] = log["has_hair"][last]
        diameter[idx] = log["diameter_um"][last]
        length[idx] = log["length_mm"][last]
        since[idx] = log["time"][last]

        growing = phase == cycle.ANAGEN
        length = np.where(
            growing, length + growth_mm_per_day(diameter, self.params) * (day - since), length
        )
        visible = np.flatnonzero(has_hair)
        return pd.DataFrame(
            {
                "hair_id": visible.astype("int64"),
                "unit_id": foll["unit"][visible].astype("int64"),
                "region": pd.array(np.array(REGIONS)[foll["region"][visible]], dtype="string"),
                "diameter_um": diameter[visible],
                "length_mm": length[visible],
                "x_um": foll["x_um"][visible],
                "y_um": foll["y_um"][visible],
                "phase": pd.array(_PHASE_LABELS[phase[visible]], dtype="string"),
                "transplanted": foll["transplanted"][visible],
            }
        )

    # ---- exports -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Provenance and observations as plain JSON-ready data (docs/json.md)."""
        records = json.loads(self.table.to_json(orient="records"))
        return {
            "provenance": self.provenance,
            "format": "follicle.trajectory/1",
            "observations": records,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_csv(self, path: str | Path) -> None:
        """Observations as CSV, with the provenance as ``# key: value`` header lines."""
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(
                f"# follicle {self.provenance['version']} seed {self.provenance['seed']}\n"
            )
            handle.write(
                "# provenance: " + json.dumps(self.provenance, separators=(",", ":")) + "\n"
            )
            self.table.to_csv(handle, index=False)

    def to_parquet(self, path: str | Path) -> None:
        """Observations as Parquet, with the provenance in the file's metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.table, preserve_index=False)
        metadata = dict(table.schema.metadata or {})
        metadata[b"follicle.provenance"] = json.dumps(self.provenance).encode()
        pq.write_table(table.replace_schema_metadata(metadata), path)
