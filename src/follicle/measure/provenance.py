"""Provenance of a measurement result: the package-wide envelope (follicle.provenance)."""

from __future__ import annotations

from typing import Any

from follicle.provenance import envelope


def provenance(*, function: str | None = None, **parameters: Any) -> dict[str, Any]:
    """The envelope for a measurement: ``function`` is the verb; the parameters actually
    used are kept as given (``function`` among them, as before the envelope)."""
    if function is not None:
        parameters = {"function": function, **parameters}
    return envelope(
        f"measure.{function}" if function else "measure",
        seed=parameters.get("seed"),
        parameters=parameters,
    )
