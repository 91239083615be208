"""Write the hairs tables of the synthetic two-visit example (docs/measure.md, visit report).

One frontal site seen twice, six months apart, and the occipital site at the second
visit. The tables are inputs for ``follicle render``: the same seed draws the same hairs
at both visits (same units, directions and lengths), so the second image is the first
with the framing moved and some hairs changed. A row with ``length_mm`` 0.02 is a hair
not above the skin at that visit (only its opening is drawn).

    python examples/visits/make_tables.py   # rewrites the CSV files beside this script
"""

from pathlib import Path

import numpy as np

from follicle.measure.render import synthetic_hairs_table

HERE = Path(__file__).resolve().parent
FIELD_UM = (5120.0, 4096.0)  # 1280 x 1024 px at 4 um/px
SHIFT_UM = (160.0, -90.0)  # the second image is framed a little differently
ABSENT_MM = 0.02


def place_units(count, rng, *, margin_um=600.0, gap_um=420.0):
    placed = []
    while len(placed) < count:
        xy = rng.uniform([margin_um, margin_um], [FIELD_UM[0] - margin_um, FIELD_UM[1] - margin_um])
        if all(np.hypot(*(xy - p)) >= gap_um for p in placed):
            placed.append(xy)
    return np.array(placed)


def site(rng, *, units, region, thin_share, vellus_share):
    table = synthetic_hairs_table(
        unit_count=units, rng=rng, thin_share=thin_share, vellus_share=vellus_share, region=region
    )
    xy = place_units(units, rng)
    table["x_um"] = xy[table["unit_id"], 0]
    table["y_um"] = xy[table["unit_id"], 1]
    table[["x_um", "y_um"]] = table[["x_um", "y_um"]].round(1)
    table["length_mm"] = rng.uniform(0.35, 1.1, len(table)).round(2)
    table["diameter_um"] = table["diameter_um"].round(1)
    return table


def main(folder: Path = HERE):
    rng = np.random.default_rng(20261204)
    first = site(rng, units=24, region="frontal", thin_share=0.2, vellus_share=0.08)
    second = first.copy()
    second["x_um"] += SHIFT_UM[0]
    second["y_um"] += SHIFT_UM[1]
    order = rng.permutation(len(first))
    lost, new, thinned = order[:4], order[4:6], order[6:14]
    second.loc[lost, "length_mm"] = ABSENT_MM  # shed, not regrown yet
    first.loc[new, "length_mm"] = ABSENT_MM  # not yet above the skin at the first visit
    second.loc[thinned, "diameter_um"] = (
        (second.loc[thinned, "diameter_um"] * 0.55).clip(lower=14).round(1)
    )  # miniaturizing
    occipital = site(rng, units=24, region="occipital", thin_share=0.04, vellus_share=0.02)
    first.to_csv(folder / "frontal-visit1.csv", index=False)
    second.to_csv(folder / "frontal-visit2.csv", index=False)
    occipital.to_csv(folder / "occipital-visit2.csv", index=False)


if __name__ == "__main__":
    main()
