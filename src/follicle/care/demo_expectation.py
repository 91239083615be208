"""What the demo man may expect: projection bands for the demo's treated regimen.

The demo's trajectories (``follicle.sim.demo``) are one possible future from one seed;
``demo_expectation`` gives the spread over many futures and over the calibration
ensemble, as ``follicle project`` does for any person. It lives with the projections
(care) because the simulator below does not import the faces above it.
"""

from __future__ import annotations

from follicle.care.projection import Projection, project
from follicle.sim.demo import DEMO_YEARS, DemoResult

DEMO_FUTURES = 40
DEMO_BAND_REGIMEN = "fin 1 mg + min 5%"


def demo_expectation(demo: DemoResult, *, seed: int, futures: int = DEMO_FUTURES) -> Projection:
    """Vertex bands for the demo man untreated and on the demo regimen, over ``futures``
    simulated futures; the care rules are not checked (the demo regimen is fixed)."""
    return project(
        demo.person,
        {DEMO_BAND_REGIMEN: demo.regimens[DEMO_BAND_REGIMEN]},
        years=DEMO_YEARS,
        futures=futures,
        regions=("vertex",),
        seed=seed,
        check_rules=False,
    )
