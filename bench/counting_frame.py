"""Is the density by exit in a counting frame right on a scalp that goes on beyond the frame?

``bench/measure.py`` renders place every exit inside the image, so no hair enters from
outside and counting every hair seen is right there. A real field is cut out of a
scalp: hairs whose exits lie outside it reach in. This bench renders such fields: exits
spread uniformly over the field and a margin as wide as the longest hair around it, so
hairs enter from every side, in the device's geometry (1280 x 1024 px at 2.76 um/px).
Over ``--fields`` fields per level it prints the density read by the analyser (hairs
whose exit lies in its counting frame, over that frame's area) and by counting every
hair seen over the whole field, each as a ratio to the true density of exits.

    python bench/counting_frame.py              # 40 fields per level, about a minute
    python bench/counting_frame.py --fields 10 --json
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from follicle import __version__  # noqa: E402
from follicle.measure.analyze import analyze_image  # noqa: E402
from follicle.measure.render import render_trichoscopy  # noqa: E402

BASE_SEED = 20_261_205
UM_PER_PX = 2.76  # the 70x device (docs/measure.md, "Scale")
SHAPE_PX = (1024, 1280)
DENSITY_PER_CM2 = 150.0  # a mid-range scalp density (trichoscopy.md)
LENGTH_MM = (0.3, 1.5)  # visible lengths of clipped and grown hairs
DIAMETER_UM = (30.0, 90.0)


def stationary_field(seed: int, *, style: str = "easy") -> tuple[object, int]:
    """One field cut out of a stationary scalp: the rendered scene and the number of
    exits that lie inside the image."""
    rng = np.random.default_rng(seed)
    height_um, width_um = (n * UM_PER_PX for n in SHAPE_PX)
    margin_um = LENGTH_MM[1] * 1000
    extended_cm2 = (width_um + 2 * margin_um) * (height_um + 2 * margin_um) / 1e8
    n = rng.poisson(DENSITY_PER_CM2 * extended_cm2)
    x_um = rng.uniform(-margin_um, width_um + margin_um, n)
    y_um = rng.uniform(-margin_um, height_um + margin_um, n)
    hairs = pd.DataFrame(
        {
            "hair_id": np.arange(n),
            "unit_id": np.arange(n),
            "region": "vertex",
            "diameter_um": rng.uniform(*DIAMETER_UM, n),
            "length_mm": rng.uniform(*LENGTH_MM, n),
            "x_um": x_um,
            "y_um": y_um,
        }
    )
    scene = render_trichoscopy(
        hairs, um_per_px=UM_PER_PX, shape_px=SHAPE_PX, style=style, seed=seed
    )
    inside = (x_um >= 0) & (x_um < width_um) & (y_um >= 0) & (y_um < height_um)
    return scene, int(inside.sum())


def field_counts(seed: int, style: str = "easy") -> dict[str, float]:
    """Exits in the image, hairs counted by exit and seen, and the two areas (cm2)."""
    scene, exits_inside = stationary_field(seed, style=style)
    found = analyze_image(scene.image, um_per_px=scene.um_per_px)
    metrics = found.metrics() if len(found.hairs) else None
    return {
        "exits_inside": exits_inside,
        "image_cm2": SHAPE_PX[0] * SHAPE_PX[1] * UM_PER_PX**2 / 1e8,
        "counted": metrics.hair_count if metrics else 0,
        "counting_cm2": found.area_cm2,
        "seen": len(found.hairs),
        "cut": int(found.hairs["touches_border"].sum()) if len(found.hairs) else 0,
    }


def summarise(rows: list[dict[str, float]]) -> dict[str, float]:
    """Density ratios to the truth, with a Poisson 95% interval on the counted one."""
    total = {key: sum(r[key] for r in rows) for key in rows[0]}
    truth = total["exits_inside"] / total["image_cm2"]
    by_exit = total["counted"] / total["counting_cm2"] / truth
    return {
        "fields": len(rows),
        "true_density_per_cm2": truth,
        "counted_by_exit_ratio": by_exit,
        "counted_by_exit_ratio_95": 1.96 * by_exit / math.sqrt(max(total["counted"], 1)),
        "every_hair_seen_ratio": total["seen"] / total["image_cm2"] / truth,
        "cut_share": total["cut"] / max(total["seen"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fields", type=int, default=40, help="fields per level")
    parser.add_argument("--levels", default="easy,medium", help="render styles")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.fields < 1:
        parser.error(f"--fields = {args.fields}: expected a whole number >= 1")
    levels = [level.strip() for level in args.levels.split(",") if level.strip()]
    results = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for k, level in enumerate(levels):
            seeds = [BASE_SEED + 1000 * k + i for i in range(args.fields)]
            rows = list(pool.map(field_counts, seeds, [level] * len(seeds)))
            results[level] = summarise(rows)
    if args.json:
        print(json.dumps({"version": __version__, "base_seed": BASE_SEED, **results}, indent=2))
        return
    print(f"follicle {__version__}: fields cut out of a stationary scalp (seed {BASE_SEED})")
    print("level    fields  true /cm2  by exit (95%)         every hair seen  cut share")
    for level, r in results.items():
        print(
            f"{level:<8} {r['fields']:>6}  {r['true_density_per_cm2']:>9.0f}  "
            f"{r['counted_by_exit_ratio']:.3f} (+-{r['counted_by_exit_ratio_95']:.3f})"
            f"{'':>6}{r['every_hair_seen_ratio']:>15.3f}  {r['cut_share']:>9.2f}"
        )


if __name__ == "__main__":
    main()
