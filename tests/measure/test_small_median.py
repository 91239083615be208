"""``small_median.median`` is ``np.median`` (issue 13: the analyser's many small medians)."""

import numpy as np
import pytest

from follicle.measure.small_median import median


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_median_equals_numpy_median(dtype):
    rng = np.random.default_rng(3)
    for n in range(1, 60):
        values = (rng.normal(0, 10, n) * 7).astype(dtype)
        assert median(values) == float(np.median(values))
        assert median(values.reshape(1, -1)) == float(np.median(values))


def test_median_of_nothing_or_with_nan_is_nan():
    assert np.isnan(median(np.zeros(0)))
    assert np.isnan(median(np.array([1.0, np.nan, 3.0])))
