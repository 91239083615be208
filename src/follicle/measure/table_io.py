"""Reading and writing hairs tables (CSV, Parquet, JSON) with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from follicle.errors import FollicleFileError, FollicleInputError
from follicle.measure.hairs_table import validate_hairs_table

TABLE_SUFFIXES = (".csv", ".parquet", ".json")


def checked_hairs_table(hairs: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Validate a hairs table, turning schema errors into ``FollicleInputError``."""
    if not isinstance(hairs, pd.DataFrame):
        raise FollicleInputError("hairs", type(hairs).__name__, "a pandas DataFrame", source=source)
    try:
        return validate_hairs_table(hairs)
    except (ValueError, TypeError) as error:
        raise FollicleInputError.from_message(str(error), source=source) from None


def read_hairs_table(path: str | Path) -> pd.DataFrame:
    """Read and validate a hairs table from CSV, Parquet or JSON (records)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise FollicleInputError("file suffix", suffix, f"one of {list(TABLE_SUFFIXES)}")
    if not path.exists():
        raise FollicleFileError(f"{path}: file not found")
    try:
        if suffix == ".csv":
            table = pd.read_csv(path)
        elif suffix == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_json(path, orient="records")
    except Exception as error:  # pandas raises many types; all mean "not a table"
        raise FollicleFileError(f"{path}: cannot read hairs table ({error})") from None
    return checked_hairs_table(table, source=str(path))


def write_hairs_table(hairs: pd.DataFrame, path: str | Path, *, suffix: str | None = None) -> None:
    """Write a hairs table; the format follows ``suffix`` or the path's (.csv, .parquet, .json).

    Passing ``suffix`` lets a caller write to a temporary name (atomic output)."""
    path = Path(path)
    suffix = (suffix or path.suffix).lower()
    if suffix == ".csv":
        hairs.to_csv(path, index=False)
    elif suffix == ".parquet":
        hairs.to_parquet(path, index=False)
    elif suffix == ".json":
        hairs.to_json(path, orient="records", indent=2)
    else:
        raise FollicleInputError("file suffix", suffix, f"one of {list(TABLE_SUFFIXES)}")
