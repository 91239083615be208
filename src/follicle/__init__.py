"""follicle: a digital twin of the scalp for hair follicle miniaturization.

Simulate the scalp under androgens, age and treatments; measure miniaturization from
trichoscopy images and hair tables; plan treatments safely. follicle informs and plans:
it never diagnoses or prescribes.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("follicle")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from follicle import measure  # the package; calling it runs metrics.measure
from follicle.care.plan import check_plan
from follicle.errors import FollicleInputError
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.model.scalp import Patch
from follicle.person import Person, load_person
from follicle.regimen import Regimen, load_regimen
from follicle.simulate import simulate
from follicle.trajectory import Trajectory

__all__ = [
    "DEFAULT_PARAMETERS",
    "FollicleInputError",
    "ModelParameters",
    "Patch",
    "Person",
    "Regimen",
    "Trajectory",
    "__version__",
    "analyze_image",
    "check_plan",
    "load_person",
    "load_regimen",
    "measure",
    "run_trial",
    "simulate",
    "validate",
]

# These load lazily: they pull in scikit-image or Dask, which other commands (and a plain
# ``import follicle``) should not pay for.
_LAZY = {
    "analyze_image": ("follicle.measure.analyze", "analyze_image"),
    "run_trial": ("follicle.trials.run", "run_trial"),
    "validate": ("follicle.trials.validate", "validate"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'follicle' has no attribute {name!r}")
