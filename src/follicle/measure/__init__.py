"""Measurement: the hairs table, miniaturization metrics, criteria, image analysis.

Modules, one job each (docs/measure.md):

- ``hairs_table``: the shared schema and diameter cut-offs; ``table_io``: files.
- ``metrics``: ``measure(hairs, *, area_cm2, ...)`` -> ``Metrics``.
- ``criteria``: Rakowska 2009 criteria and the anisotrichosis sign (decision support).
- ``visits``: change between two visits, with hair-by-hair matching.
- ``analyze``: ``analyze_image(image, *, um_per_px, ...)`` -> ``ImageAnalysis``, built on
  ``image_io`` (safe loading), ``background``, ``shafts`` (mask, skeleton, crossings),
  ``widths`` (profiles), ``units`` (exit points, follicular units), ``yellow_dots``.
- ``assessment``: ``assess(hairs, *, area_cm2, occipital=..., previous=...)``: metrics,
  criteria and visit change in one verb (``follicle measure``); ``images``:
  ``analyze_images(paths, *, scale=ScaleOptions(...))``: several images, one hairs table
  (``follicle analyze``).
- ``calibration``: um per pixel from a device preset or a stage micrometer image.
- ``overlay``: the picture of what was found; ``render``/``raster``: synthetic images with
  exact truth; ``evaluate``: scoring against that truth.
"""

import sys
import types


class _CallableModule(types.ModuleType):
    """``follicle.measure`` is both this package and the ``measure`` function: calling the
    package calls ``metrics.measure``, while ``import follicle.measure.render`` keeps
    working (a plain function of that name would shadow the package)."""

    def __call__(self, hairs, **options):
        from follicle.measure.metrics import measure

        return measure(hairs, **options)


sys.modules[__name__].__class__ = _CallableModule

# The verbs, importable as ``follicle.measure.assess`` etc. without loading the rest.
_VERBS = {
    "assess": "assessment",
    "Assessment": "assessment",
    "diameter_cutoffs": "assessment",
    "analyze_images": "images",
    "ScaleOptions": "images",
    "ImagesAnalysis": "images",
}


def __getattr__(name: str):
    if name in _VERBS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_VERBS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
