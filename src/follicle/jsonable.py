"""JSON payloads as the CLI prints them: NaN and infinity as null, numpy scalars as numbers."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """``value`` with NaN/inf as None, numpy scalars as numbers, paths as text."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    # numpy is not imported here (quick start-up); while another thread is still
    # importing it the module has no ``generic`` yet, and no value can be a numpy scalar
    generic = getattr(sys.modules.get("numpy"), "generic", None)
    if generic is not None and isinstance(value, generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value
