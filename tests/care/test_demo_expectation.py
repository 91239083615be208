"""The demo's bands come from one library verb, the same as `project` with the demo's
person and regimen (the CLI only prints them)."""

import pandas as pd

from follicle.care.demo_expectation import DEMO_BAND_REGIMEN, demo_expectation
from follicle.care.projection import project
from follicle.sim.demo import DEMO_YEARS, run_demo


def test_demo_expectation_is_the_projection_of_the_demo_regimen():
    demo = run_demo(seed=5)
    expected = demo_expectation(demo, seed=5, futures=5)
    direct = project(
        demo.person,
        {DEMO_BAND_REGIMEN: demo.regimens[DEMO_BAND_REGIMEN]},
        years=DEMO_YEARS,
        futures=5,
        regions=("vertex",),
        seed=5,
        check_rules=False,
    )
    year_1 = 365
    pd.testing.assert_frame_equal(
        expected.at(year_1, region="vertex"), direct.at(year_1, region="vertex")
    )
    assert DEMO_BAND_REGIMEN in expected.at(year_1, region="vertex").index
    assert expected.band_includes == direct.band_includes
