"""Which engine runs the follicles: the compiled one (numba) or the numpy one.

Both simulate the same model from the same formulas (``follicle.model.mechanisms``) and
agree in distribution (tests/test_kernel_agreement.py); they draw their random numbers
in different orders, so the same seed gives different (equally valid) runs on each.
The default is ``"numba"`` when numba can be imported, else ``"numpy"``; the
environment variable ``FOLLICLE_ENGINE`` sets another default. The engine used is
recorded in every provenance envelope.
"""

from __future__ import annotations

import functools
import os

from follicle.errors import FollicleInputError

ENGINES = ("numba", "numpy")
ENV_VARIABLE = "FOLLICLE_ENGINE"


@functools.cache
def numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except Exception:  # not installed, or installed against another numpy
        return False
    return True


def default_engine() -> str:
    chosen = os.environ.get(ENV_VARIABLE, "").strip()
    if chosen:
        return check_engine(chosen, field=ENV_VARIABLE)
    return "numba" if numba_available() else "numpy"


def check_engine(engine: str | None, *, field: str = "engine") -> str:
    """The engine's name (``None``: the default); an error names the bad value."""
    if engine is None:
        return default_engine()
    if engine not in ENGINES:
        raise FollicleInputError(field, engine, f"one of {list(ENGINES)}")
    if engine == "numba" and not numba_available():
        raise FollicleInputError(
            field, engine, "'numpy' (numba is not installed: pip install numba)"
        )
    return engine


def engine_class(engine: str | None):
    """The Engine class for ``engine`` (see ``check_engine``)."""
    if check_engine(engine) == "numba":
        from follicle.sim.kernel import CompiledEngine

        return CompiledEngine
    from follicle.sim.engine import Engine

    return Engine
