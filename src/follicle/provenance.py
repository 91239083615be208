"""One provenance envelope for every result and every JSON output.

``envelope(verb, ...)`` gives the record that says what produced a result, so it can be
repeated and checked: the envelope's ``schema_version`` (this shape, and the shape of the
JSON outputs documented in docs/json.md), the package version, the library verb (or
command) that ran, the seed, the parameters actually used, the SHA-256 of each input and
the time (UTC). A verb may add its own context after these fields (for a simulation: the
days, the areas, the person); the fields below are always there, with these names.

It imports only the version leaf, so any module can use it without cycles.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from follicle._version import __version__

#: Version of the envelope and of the JSON outputs' shapes (src/follicle/schemas/*.json).
#: Bump it when a field is renamed or removed; adding a field keeps it.
SCHEMA_VERSION = 1

#: The fields every envelope has, in this order.
ENVELOPE_FIELDS = (
    "schema_version",
    "software",
    "version",
    "verb",
    "seed",
    "parameters",
    "inputs",
    "created_utc",
)


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_value(value: Any) -> str:
    """Hex SHA-256 of a value's canonical JSON (sorted keys, no spaces): the same for the
    same content whichever file or dict it came from."""
    text = json.dumps(plain(value), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_record(role: str, source: Any) -> dict[str, Any]:
    """What one input was: ``{"role", "path", "sha256", "digest_of"}``.

    A path (str or Path of an existing file) is hashed byte for byte (``digest_of:
    "file"``); anything else (a model, a dict, a table) by its canonical JSON
    (``"canonical-json"``), with ``path`` None.
    """
    if isinstance(source, str | Path) and Path(source).is_file():
        return {
            "role": role,
            "path": str(source),
            "sha256": sha256_file(source),
            "digest_of": "file",
        }
    return {
        "role": role,
        "path": None,
        "sha256": sha256_value(source),
        "digest_of": "canonical-json",
    }


def envelope(
    verb: str,
    *,
    seed: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    inputs: Iterable[dict[str, Any]] = (),
    created: _dt.datetime | None = None,
    **context: Any,
) -> dict[str, Any]:
    """The provenance of one result: the fields of ``ENVELOPE_FIELDS``, then ``context``.

    ``verb``: the library verb or command (``"simulate"``, ``"measure.assess"``,
    ``"journal.log"``). ``inputs``: records from :func:`input_record`.
    """
    created = created or _dt.datetime.now(_dt.UTC)
    record = {
        "schema_version": SCHEMA_VERSION,
        "software": "follicle",
        "version": __version__,
        "verb": verb,
        "seed": None if seed is None else int(seed),
        "parameters": plain(dict(parameters or {})),
        "inputs": list(inputs),
        "created_utc": created.astimezone(_dt.UTC).isoformat(timespec="seconds"),
    }
    clash = set(context) & set(record)
    if clash:
        raise ValueError(f"context keys {sorted(clash)} would replace envelope fields")
    return record | plain(context)


def with_provenance(payload: Mapping[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with ``provenance`` as its first key (replacing one it had)."""
    return {"provenance": provenance, **{k: v for k, v in payload.items() if k != "provenance"}}


def plain(value: Any) -> Any:
    """Dataclasses, models, tuples, Paths and dates as JSON-ready dicts, lists, strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump) and not isinstance(value, type):
        return model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, _dt.date):  # dates and datetimes as ISO 8601
        return value.isoformat()
    return value
