"""The hairs table: one row per visible hair. Shared by the simulator and the image analyser.

Columns (``docs/hairs-table.md``):

| column        | type    | unit | meaning                                               |
|---------------|---------|------|-------------------------------------------------------|
| hair_id       | int64   | -    | unique within the table                               |
| unit_id       | int64   | -    | follicular unit (hairs leaving one opening share it) |
| region        | string  | -    | frontal, temporal, midscalp, vertex, occipital        |
| diameter_um   | float64 | um   | shaft diameter                                        |
| length_mm     | float64 | mm   | shaft length above the skin (NaN when unknown)        |
| x_um, y_um    | float64 | um   | optional: exit point in the image or patch frame      |
| phase         | string  | -    | optional: anagen, catagen, telogen (NaN when unknown) |

Diameter classes used across follicle (one definition, configurable where measured):
thin < 30 um (Rakowska 2009), vellus <= 40 um (TrichoScan), terminal >= 60 um
(dermatology.org figure: terminal > 60 um); intermediate lies between vellus and terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REQUIRED_COLUMNS: tuple[str, ...] = ("hair_id", "unit_id", "region", "diameter_um", "length_mm")
OPTIONAL_COLUMNS: tuple[str, ...] = ("x_um", "y_um", "phase")
COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True, kw_only=True)
class DiameterCutoffs:
    """Diameter class boundaries in micrometres."""

    thin_below_um: float = 30.0  # Rakowska 2009, Int J Trichology 1:123
    vellus_max_um: float = 40.0  # TrichoScan: vellus <= 40 um
    terminal_min_um: float = 60.0  # terminal hair > 60 um (physiology.md)

    def __post_init__(self):
        if not 0 < self.terminal_min_um <= 500:  # the table's largest diameter
            raise ValueError(f"terminal_min_um = {self.terminal_min_um} must be in (0, 500]")
        if not 0 < self.thin_below_um <= self.terminal_min_um:
            raise ValueError(
                f"thin_below_um = {self.thin_below_um} must be in (0, terminal_min_um]"
            )
        if not 0 < self.vellus_max_um < self.terminal_min_um:
            raise ValueError(
                f"vellus_max_um = {self.vellus_max_um} must be in (0, {self.terminal_min_um})"
            )


DEFAULT_CUTOFFS = DiameterCutoffs()


def empty_hairs_table() -> pd.DataFrame:
    """A hairs table with no rows and the right dtypes."""
    return pd.DataFrame(
        {
            "hair_id": pd.Series(dtype="int64"),
            "unit_id": pd.Series(dtype="int64"),
            "region": pd.Series(dtype="string"),
            "diameter_um": pd.Series(dtype="float64"),
            "length_mm": pd.Series(dtype="float64"),
            "x_um": pd.Series(dtype="float64"),
            "y_um": pd.Series(dtype="float64"),
            "phase": pd.Series(dtype="string"),
        }
    )


def validate_hairs_table(hairs: pd.DataFrame) -> pd.DataFrame:
    """Check columns and values; return a copy with canonical dtypes and column order.

    Raises ``ValueError`` naming the column and the bad value.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in hairs.columns]
    if missing:
        raise ValueError(
            f"hairs table is missing column(s) {missing}; required {list(REQUIRED_COLUMNS)}"
        )
    table = hairs.copy()
    for column in OPTIONAL_COLUMNS:
        if column not in table.columns:
            table[column] = np.nan if column != "phase" else pd.NA
    diameters = pd.to_numeric(table["diameter_um"], errors="coerce")
    bad = diameters.isna() | (diameters <= 0) | (diameters > 500)
    if bad.any():
        value = table["diameter_um"][bad].iloc[0]
        raise ValueError(
            f"diameter_um = {value!r} is not allowed; expected a number in (0, 500] um"
        )
    table["diameter_um"] = diameters.astype("float64")
    table["length_mm"] = pd.to_numeric(table["length_mm"], errors="coerce").astype("float64")
    table["hair_id"] = table["hair_id"].astype("int64")
    table["unit_id"] = table["unit_id"].astype("int64")
    table["region"] = table["region"].astype("string")
    table["phase"] = table["phase"].astype("string")
    for column in ("x_um", "y_um"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    for column in ("length_mm", "x_um", "y_um"):  # blank is unknown; text or inf is an error
        given = table[column].notna() | hairs.get(column, pd.Series(dtype=object)).notna()
        bad = given & ~np.isfinite(table[column].to_numpy(dtype="float64", na_value=np.nan))
        if bad.any():
            value = hairs[column][bad].iloc[0]
            value = value.item() if isinstance(value, np.generic) else value
            raise ValueError(f"{column} = {value!r} is not allowed; expected a finite number")
    if table["hair_id"].duplicated().any():
        value = table["hair_id"][table["hair_id"].duplicated()].iloc[0]
        raise ValueError(f"hair_id = {value} appears twice; hair ids must be unique")
    return table[list(COLUMNS) + [c for c in table.columns if c not in COLUMNS]]
