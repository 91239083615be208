"""Drug kinetics: DHT suppression reaches its plateau within days (finasteride) or one
to two weeks (dutasteride) and washes out over weeks; dose response as published."""

import numpy as np
import pytest

from follicle.model.params import DEFAULT_PARAMETERS as P
from follicle.regimen import parse_regimen
from follicle.treatments import dutasteride, finasteride
from follicle.treatments.schedule import compile_regimen


def dht(treatment: dict, days: int) -> np.ndarray:
    regimen = parse_regimen({"name": "x", "treatment": [treatment]})
    return compile_regimen(regimen, days=days, params=P, rng=np.random.default_rng(0)).dht_factor


def test_dutasteride_reaches_its_plateau_within_two_weeks():
    factor = dht({"kind": "dutasteride", "dose_mg": 0.5}, 60)
    plateau = dutasteride.scalp_dht_suppression(0.5, P)
    suppression = 1 - factor
    # daily first order from day 0: suppression on day d = plateau (1 - exp(-(d + 1) / tau))
    tau = P.dutasteride_onset_tau_days
    for day in (0, 7, 14, 42):
        assert suppression[day] == pytest.approx(plateau * -np.expm1(-(day + 1) / tau), rel=1e-9)
    # label: serum DHT -85% after 1 week, -90% after 2 weeks (plateau -94%); one time
    # constant cannot meet both exactly (3.0 and 4.4 days): within 2 points of each
    assert suppression[7] / plateau == pytest.approx(0.85 / 0.94, abs=0.02)
    assert suppression[14] / plateau >= 0.90 / 0.94 - 0.02
    assert suppression[14] == pytest.approx(plateau, abs=0.03)


def test_dutasteride_washes_out_slowly_and_finasteride_quickly():
    days = 200
    stop = 100
    for kind, tau_off in (
        ("dutasteride", P.dutasteride_tau_days),
        ("finasteride", P.finasteride_tau_days),
    ):
        treatment = {"kind": kind, "dose_mg": 1.0 if kind == "finasteride" else 0.5}
        factor = dht({**treatment, "stop_day": stop}, days)
        on = 1 - factor[stop - 1]
        after = 1 - factor[stop - 1 + 35]
        # 35 days after the last dose the suppression has decayed by exp(-35 / tau_off)
        assert after == pytest.approx(on * np.exp(-35 / tau_off), rel=1e-9)
    # finasteride: back to baseline within ~2 weeks ([S]): < 10% of the suppression left
    factor = dht({"kind": "finasteride", "dose_mg": 1.0, "stop_day": stop}, days)
    assert (1 - factor[stop + 13]) < 0.1 * (1 - factor[stop - 1])


def test_finasteride_acts_within_days_and_matches_drake_dose_response():
    factor = dht({"kind": "finasteride", "dose_mg": 1.0}, 42)
    plateau = finasteride.scalp_dht_suppression(1.0, P)
    assert 1 - factor[3] == pytest.approx(plateau, abs=0.02)
    # [P] Drake 1999 scalp DHT at day 42: 1 mg -64.1%, 0.2 mg -56.5% (tolerance 8 and 10)
    assert 100 * (factor[42] - 1) == pytest.approx(-64.1, abs=8)
    low = dht({"kind": "finasteride", "dose_mg": 0.2}, 42)
    assert 100 * (low[42] - 1) == pytest.approx(-56.5, abs=10)
    # dutasteride blocks deeper than finasteride at every day from the first week
    deep = dht({"kind": "dutasteride", "dose_mg": 0.5}, 42)
    assert np.all(deep[7:] < factor[7:])
