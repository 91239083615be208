"""The one vocabulary of follicle's tables and results (docs/json.md, "One vocabulary").

Observation tables (the engine's, a ``Trajectory``, cohort tables of trials and
projections), ``measure`` results and journal measurements use the same names, with the
unit in the name: ``density_per_cm2`` (hairs per cm2), ``thin_share_percent`` (percent of
hairs, 0-100). ``RENAMED`` lists the names they had before; input files and keyword
arguments that still use one are read with a ``DeprecationWarning``.

A leaf module: it imports nothing from follicle, so every layer can use it.
"""

from __future__ import annotations

import warnings

#: old name -> current name. ``thin_share`` was a fraction (0-1); ``thin_share_percent``
#: is percent (0-100).
RENAMED = {
    "hairs_per_cm2": "density_per_cm2",
    "thin_share": "thin_share_percent",
}


def current_name(name: str, *, where: str = "column") -> str:
    """``name``, or its current name (with a ``DeprecationWarning``) when it is an old one."""
    new = RENAMED.get(name) if isinstance(name, str) else None
    if new is None:
        return name
    note = " (in percent, 0-100, where it was a fraction)" if name == "thin_share" else ""
    warnings.warn(
        f"{where} {name!r} is now called {new!r}{note}; the old name will be removed",
        DeprecationWarning,
        stacklevel=3,
    )
    return new
