"""Provenance: which follicle version and which parameters produced a result."""

from __future__ import annotations

import dataclasses
from typing import Any


def provenance(**parameters: Any) -> dict[str, Any]:
    """A provenance record: software version plus the parameters actually used."""
    from follicle import __version__  # late import: follicle/__init__ imports measure

    return {"software": "follicle", "version": __version__, "parameters": _plain(parameters)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
