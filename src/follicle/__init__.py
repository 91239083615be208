"""follicle: a digital twin of the scalp for hair follicle miniaturization.

Simulate the scalp under androgens, age and treatments; measure miniaturization from
trichoscopy images and hair tables; plan treatments safely. follicle informs and plans:
it never diagnoses or prescribes.
"""

import lazy_loader

from follicle._version import __version__ as __version__  # re-exported

# Everything public loads on first use (lazy_loader, as scikit-image does), so
# ``import follicle`` and a quick command such as ``follicle journal log`` do not pay for
# pandas, scikit-image or Dask.
__getattr__, __dir__, _lazy_all = lazy_loader.attach(
    __name__,
    submodules=["measure"],  # the package; calling it runs metrics.measure
    # one library verb per command (docs/api.md)
    submod_attrs={
        "care.calendar": ["plan_calendar"],
        "care.intake": ["run_intake"],
        "care.journal.service": ["Journal", "default_journal_path"],
        "care.plan": ["check_plan"],
        "errors": ["FollicleInputError"],
        "measure.analyze": ["analyze_image"],
        "measure.assessment": ["assess"],
        "measure.images": ["ScaleOptions", "analyze_images"],
        "model.params": ["DEFAULT_PARAMETERS", "ModelParameters"],
        "model.scalp": ["Patch"],
        "person": ["Person", "load_person"],
        "provenance": ["envelope"],
        "regimen": ["Regimen", "load_regimen"],
        "sim.demo": ["run_demo"],
        "sim.inputs": ["days_from_years", "model_parameters", "parameter_listing"],
        "sim.simulate": ["simulate"],
        "sim.trajectory": ["Trajectory"],
        "trials.run": ["run_trial"],
        "trials.targets": ["load_targets", "select_targets"],
        "trials.validate": ["validate"],
        "trials.verbs": ["run_calibration", "run_trial_file", "run_validation"],
    },
)

__all__ = sorted([*_lazy_all, "__version__"])
