"""Hair-by-hair matching between two visits: the grouped matching of
``follicle.measure.visits._match`` against one n x n Hungarian assignment (the reference,
in this process), and ``compare_visits`` end to end (registration, matching and the
chance check of 19 turned copies).

Hairs at 200 per cm2 (uniform), the later visit reframed by 100 um with exit points found
to 8 um; same pairs and total distance are checked for every size the reference runs.

    python bench/visits.py                 # 100, 500, 2000 hairs (reference up to 2000)
    python bench/visits.py --sizes 200 10000 --reference-max 2000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from follicle.measure.visits import _match, compare_visits

RADIUS_UM = 60.0


def dense_match(xy0: np.ndarray, xy1: np.ndarray, radius: float) -> list[tuple[int, int]]:
    """The reference: one n x n assignment, pairs beyond ``radius`` priced out."""
    distance = np.linalg.norm(xy0[:, None, :] - xy1[None, :, :], axis=2)
    cost = np.where(distance <= radius, distance, 1e9)
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] < 1e9]


def visit_pair(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    side_um = np.sqrt(n / 200.0) * 1e4  # 200 hairs per cm2
    xy = rng.uniform(0, side_um, (n, 2))
    later = xy + 100.0 + rng.normal(0, 8, xy.shape)

    def table(points: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "hair_id": np.arange(n),
                "unit_id": np.arange(n),
                "region": "vertex",
                "diameter_um": 70.0,
                "length_mm": 0.5,
                "x_um": points[:, 0],
                "y_um": points[:, 1],
            }
        )

    return table(xy), table(later)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    out = function(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument(
        "--reference-max", type=int, default=2000, help="largest n for the reference"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(
        f"{'hairs':>7} {'grouped s':>10} {'reference s':>12} {'ratio':>7} {'compare_visits s':>17}"
    )
    for n in args.sizes:
        before, after = visit_pair(n, rng)
        xy0 = before[["x_um", "y_um"]].to_numpy()
        xy1 = after[["x_um", "y_um"]].to_numpy() - 100.0
        grouped, t_grouped = timed(_match, xy0, xy1, RADIUS_UM)
        reference = ratio = "-"
        if n <= args.reference_max:
            full, t_full = timed(dense_match, xy0, xy1, RADIUS_UM)
            cost = np.linalg.norm(xy0[:, None] - xy1[None], axis=2)
            same = len(full) == len(grouped) and np.isclose(
                sum(cost[p] for p in full), sum(cost[p] for p in grouped)
            )
            if not same:
                raise SystemExit(f"n={n}: grouped matching differs from the reference")
            reference, ratio = f"{t_full:.3f}", f"{t_full / t_grouped:.1f}x"
        result, t_compare = timed(compare_visits, before, after, area_cm2=n / 200.0)
        print(f"{n:>7} {t_grouped:>10.3f} {reference:>12} {ratio:>7} {t_compare:>17.3f}")
        assert result.same_spot


if __name__ == "__main__":
    main()
