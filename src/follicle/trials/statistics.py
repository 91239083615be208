"""Trial statistics: per-arm summaries, differences between arms, power and sample size.

- continuous endpoints: mean, SD, 95% t interval; differences by Welch's t (interval and
  two-sided p-value), or by the paired t-test when the arms hold the same people
  (paired trials);
- binary endpoints (fractions): Wilson score interval; differences by the two-proportion
  z-test (pooled for the p-value, unpooled Wald interval), or for paired arms McNemar's
  test and the Wald interval of the paired differences;
- sample size per arm for a two-sided test at level alpha with the given power: exact
  for means through the noncentral t distribution, normal approximation (Fleiss, no
  continuity correction) for proportions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, stats

from follicle.errors import FollicleInputError


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Difference:
    difference: float
    ci_low: float
    ci_high: float
    p_value: float

    def to_dict(self) -> dict:
        return asdict(self)


def _finite(values) -> np.ndarray:
    array = np.asarray(values, float)
    return array[np.isfinite(array)]


def summarize(values, *, binary: bool = False, confidence: float = 0.95) -> Summary:
    """Mean, SD and a ``confidence`` interval (t for means, Wilson for fractions)."""
    x = _finite(values)
    n = x.size
    if n == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    if binary:
        low, high = wilson_interval(mean * n, n, confidence=confidence)
        return Summary(n, mean, math.sqrt(mean * (1 - mean)), low, high)
    if n < 2:
        return Summary(n, mean, sd, math.nan, math.nan)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n, mean, sd, mean - half, mean + half)


def standard_deviation(values, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """Sample SD and its ``confidence`` interval (chi-square, normal theory)."""
    x = _finite(values)
    n = x.size
    if n < 2:
        return math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    tail = (1 - confidence) / 2
    low = sd * math.sqrt((n - 1) / stats.chi2.ppf(1 - tail, n - 1))
    high = sd * math.sqrt((n - 1) / stats.chi2.ppf(tail, n - 1))
    return sd, low, high


def day_of_peak(days, means, standard_errors, *, confidence: float = 0.95):
    """The day on which ``means`` peaks, and the range of days whose mean is not
    significantly below the peak's (two-sided z test at ``confidence``): an interval of
    the days compatible with being the peak."""
    days, means, se = (np.asarray(a, float) for a in (days, means, standard_errors))
    keep = np.isfinite(means)
    if not keep.any():
        return math.nan, math.nan, math.nan
    days, means, se = days[keep], means[keep], np.nan_to_num(se[keep])
    top = int(np.argmax(means))
    z = stats.norm.ppf(0.5 + confidence / 2)
    close = means[top] - means <= z * np.sqrt(se[top] ** 2 + se**2)
    return float(days[top]), float(days[close].min()), float(days[close].max())


def wilson_interval(successes: float, n: int, *, confidence: float = 0.95):
    """Wilson score interval for a proportion."""
    if n == 0:
        return math.nan, math.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def difference(treated, control, *, binary: bool = False, confidence: float = 0.95):
    """``treated - control``: estimate, ``confidence`` interval and two-sided p-value."""
    a, b = _finite(treated), _finite(control)
    if a.size < 2 or b.size < 2:
        return Difference(math.nan, math.nan, math.nan, math.nan)
    if binary:
        return _proportion_difference(a, b, confidence)
    delta = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return Difference(delta, delta, delta, 1.0 if delta == 0 else 0.0)
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    p = 2 * stats.t.sf(abs(delta) / se, dof)
    return Difference(delta, delta - half, delta + half, float(p))


def paired_difference(treated, control, *, binary: bool = False, confidence: float = 0.95):
    """``treated - control`` over the same people (position i in both is one person):
    the mean of the per-person differences, a t interval and the paired t-test's
    two-sided p-value; for fractions (0/1 values) a Wald interval and McNemar's test
    (no continuity correction). People with a missing value in either arm are left out."""
    a, b = np.asarray(treated, float), np.asarray(control, float)
    if a.shape != b.shape:
        raise FollicleInputError("treated", a.shape, f"values for the same people as {b.shape}")
    both = np.isfinite(a) & np.isfinite(b)
    d = a[both] - b[both]
    n = d.size
    if n < 2:
        return Difference(math.nan, math.nan, math.nan, math.nan)
    delta = float(d.mean())
    if binary:
        gained, lost = int((d > 0).sum()), int((d < 0).sum())
        z = stats.norm.ppf(0.5 + confidence / 2)
        se = float(d.std(ddof=0)) / math.sqrt(n)
        discordant = gained + lost
        p = (
            1.0
            if discordant == 0
            else float(2 * stats.norm.sf(abs(gained - lost) / math.sqrt(discordant)))
        )
        return Difference(delta, max(-1.0, delta - z * se), min(1.0, delta + z * se), p)
    se = float(d.std(ddof=1)) / math.sqrt(n)
    if se == 0:
        return Difference(delta, delta, delta, 1.0 if delta == 0 else 0.0)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    p = 2 * stats.t.sf(abs(delta) / se, n - 1)
    return Difference(delta, delta - half, delta + half, float(p))


def _proportion_difference(a, b, confidence):
    pa, pb, na, nb = a.mean(), b.mean(), a.size, b.size
    delta = float(pa - pb)
    z = stats.norm.ppf(0.5 + confidence / 2)
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    pooled = (pa * na + pb * nb) / (na + nb)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p = 1.0 if se0 == 0 else float(2 * stats.norm.sf(abs(delta) / se0))
    return Difference(delta, max(-1.0, delta - z * se), min(1.0, delta + z * se), p)


def _check_power(power: float, alpha: float) -> None:
    if not 0 < alpha < 1:
        raise FollicleInputError("alpha", alpha, "a number in (0, 1)")
    if not alpha < power < 1:
        raise FollicleInputError("power", power, f"a number in ({alpha}, 1)")


def power_two_means(n_per_arm: float, difference: float, sd: float, *, alpha: float = 0.05):
    """Power of the two-sided two-sample t-test (equal n and SD), noncentral t."""
    dof = 2 * n_per_arm - 2
    ncp = abs(difference) / (sd * math.sqrt(2 / n_per_arm))
    critical = stats.t.ppf(1 - alpha / 2, dof)
    upper = stats.nct.sf(critical, dof, ncp)
    lower = stats.nct.cdf(-critical, dof, ncp)  # negligible; NaN for huge ncp in scipy
    return float(min(1.0, upper + (lower if math.isfinite(lower) else 0.0)))


def sample_size_two_means(
    difference: float, sd: float, *, power: float = 0.8, alpha: float = 0.05
) -> int:
    """People per arm to detect ``difference`` (SD ``sd``) with a two-sided t-test.

    Cohen's textbook value: a standardized difference of 0.5 at 80% power needs 64.
    """
    _check_power(power, alpha)
    if not (math.isfinite(difference) and math.isfinite(sd)) or sd <= 0 or difference == 0:
        return -1
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    guess = max(2.0, 2 * (z * sd / difference) ** 2)
    if power_two_means(2, difference, sd, alpha=alpha) >= power:
        return 2
    high = guess * 2 + 10
    n = optimize.brentq(lambda m: power_two_means(m, difference, sd, alpha=alpha) - power, 2, high)
    return math.ceil(n - 1e-9)


def sample_size_two_proportions(
    p_treated: float, p_control: float, *, power: float = 0.8, alpha: float = 0.05
) -> int:
    """People per arm to tell two proportions apart (normal approximation, Fleiss)."""
    _check_power(power, alpha)
    if p_treated == p_control or not (0 <= p_treated <= 1 and 0 <= p_control <= 1):
        return -1
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    bar = (p_treated + p_control) / 2
    top = za * math.sqrt(2 * bar * (1 - bar)) + zb * math.sqrt(
        p_treated * (1 - p_treated) + p_control * (1 - p_control)
    )
    return math.ceil((top / (p_treated - p_control)) ** 2)
