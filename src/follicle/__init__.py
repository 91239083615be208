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
from follicle.errors import FollicleInputError
from follicle.person import Person, load_person
from follicle.regimen import Regimen, load_regimen

__all__ = [
    "FollicleInputError",
    "Person",
    "Regimen",
    "__version__",
    "analyze_image",
    "load_person",
    "load_regimen",
    "measure",
]

# ``analyze_image`` loads lazily: it pulls in scikit-image, which other commands (and a
# plain ``import follicle``) should not pay for.
_LAZY = {"analyze_image": ("follicle.measure.analyze", "analyze_image")}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'follicle' has no attribute {name!r}")
