"""How strongly one person's follicles respond to treatment: the shared formulas.

Each person has two treatment-response multipliers (1 = the typical person, 0 = a
non-responder; drawn per person in trials, docs/model.md *Heterogeneity between people*):
r_D for the DHT-lowering drugs and r for the growth-stimulating treatments. They scale
the treatment effects on that person's follicles, never the untreated model:

- the DHT factor d (1 untreated) becomes d ** r_D, so r_D = 0 feels no suppression and
  r_D = 2 the suppression squared (it stays within (0, 1]);
- a clock rate c (1 untreated) becomes 1 + r (c - 1) for the resting clocks, and the
  anagen prolongation 1 / c - 1 becomes r (1 / c - 1);
- the growth signal g becomes r g.

The engines and the reference implementation all use these formulas
(written once in ``follicle.model.mechanisms``).
"""

from __future__ import annotations

import numpy as np

from follicle.model import mechanisms


def dht_factor(dht, response):
    return mechanisms.response_dht_factor(np.asarray(dht), response)


def rest_rate(rate, response):
    return mechanisms.response_rest_rate(np.asarray(rate), response)


def anagen_rate(rate, response):
    return mechanisms.response_anagen_rate(np.asarray(rate), response)


def growth(signal, response):
    return mechanisms.response_growth(np.asarray(signal), response)
