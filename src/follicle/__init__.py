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
from follicle.model.params import DEFAULT_PARAMETERS, ModelParameters
from follicle.model.scalp import Patch
from follicle.person import Person, load_person
from follicle.regimen import Regimen, load_regimen
from follicle.simulate import simulate
from follicle.trajectory import Trajectory
from follicle.trials.run import run_trial
from follicle.trials.validate import validate

__all__ = [
    "DEFAULT_PARAMETERS",
    "FollicleInputError",
    "ModelParameters",
    "Patch",
    "Person",
    "Regimen",
    "Trajectory",
    "__version__",
    "load_person",
    "load_regimen",
    "run_trial",
    "simulate",
    "validate",
]
