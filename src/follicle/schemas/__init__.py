"""JSON Schemas (draft 2020-12) of every ``--json`` output, shipped with the package.

``schema("measure")`` loads ``measure.json``. Schemas refer to each other by ``$id``
(``urn:follicle:schema:<name>``, e.g. the provenance envelope); a validator needs all of
them, e.g. with ``jsonschema`` and ``referencing``::

    from referencing import Registry, Resource
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in map(schema, names()))
    jsonschema.Draft202012Validator(schema("measure"), registry=registry).validate(data)

docs/json.md lists which command writes which schema.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def names() -> list[str]:
    """Every schema's name (file name without ``.json``)."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name[: -len(".json")] for f in files if f.name.endswith(".json"))


def schema(name: str) -> dict[str, Any]:
    """The schema ``name`` as a dict."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8"))
