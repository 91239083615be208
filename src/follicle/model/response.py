"""How strongly one person's follicles respond to treatment: the shared formulas.

Each person has a treatment-response multiplier r (1 = the typical person, 0 = a
non-responder; drawn per person in trials, docs/model.md *Heterogeneity between people*).
It scales every treatment effect on that person's follicles, never the untreated model:

- the DHT factor d (1 untreated) becomes d ** r, so r = 0 feels no suppression and r = 2
  the suppression squared (it stays within (0, 1]);
- a clock rate c (1 untreated) becomes 1 + r (c - 1) for the resting clocks, and the
  anagen prolongation 1 / c - 1 becomes r (1 / c - 1);
- the growth signal g becomes r g.

The engine and the reference implementation both use these functions.
"""

from __future__ import annotations

import numpy as np


def dht_factor(dht, response):
    return np.power(dht, response)


def rest_rate(rate, response):
    return 1.0 + response * (np.asarray(rate) - 1.0)


def anagen_rate(rate, response):
    return 1.0 / (1.0 + response * (1.0 / np.asarray(rate) - 1.0))


def growth(signal, response):
    return response * np.asarray(signal)
