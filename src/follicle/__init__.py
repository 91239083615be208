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

from follicle.errors import FollicleInputError
from follicle.measure.analyze import analyze_image
from follicle.measure.metrics import measure
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
