"""Hairs drawn by hand on real images, measured against the analyser's own widths.

For corrections by hand (docs/measure.md, "Correcting by hand"): on each image, up to
``--per-image`` hairs the analyser found (longer than 300 um, inside the frame) are
removed and drawn again along their own centre line (``--points`` points, as a person
clicks them), and the drawn hair's diameter is compared with the analyser's. Reports
how many were measured (the others are refused: most profiles across the line read no
single shaft) and the relative differences. Default folder and subsets as
``bench/real_images.py``; the images are never copied into the project.

    python bench/drawn_hairs.py                 # dev subset
    python bench/drawn_hairs.py --subset held-out --points 10
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from follicle.errors import FollicleInputError
from follicle.measure.analyze import analyze_image
from follicle.measure.burnt_in import find_burnt_in
from follicle.measure.calibration import image_scale
from follicle.measure.corrections import ImageCorrections
from follicle.measure.image_io import load_image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_images import DEFAULT_DIR, list_images


def drawn_again(job: tuple[Path, int, int]) -> list[tuple[float, float]]:
    """(analyser's diameter, drawn hair's diameter or NaN when refused) per hair."""
    path, per_image, points = job
    rgb = load_image(path)
    burnt = find_burnt_in(rgb)
    scale = image_scale(rgb, device="video-70x", burnt_in=burnt).um_per_px
    found = analyze_image(rgb, um_per_px=scale, burnt_in=burnt)
    hairs = found.hairs
    long = hairs[~hairs["touches_border"] & (hairs["length_mm"] > 0.3)].head(per_image)
    out = []
    for row in long.itertuples():
        line = np.concatenate(found.centerlines_px[row.hair_id])
        clicks = line[np.linspace(0, len(line) - 1, points).round().astype(int)][:, ::-1]
        edits = {"remove": [row.hair_id], "add": [{"points_px": clicks.tolist()}]}
        try:
            drawn = analyze_image(
                rgb,
                um_per_px=scale,
                burnt_in=burnt,
                corrections=ImageCorrections.model_validate(edits),
            )
        except FollicleInputError:
            out.append((row.diameter_um, float("nan")))
            continue
        added = drawn.hairs.loc[drawn.hairs["correction"] == "added", "diameter_um"]
        out.append((row.diameter_um, float(added.item())))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--subset", choices=("dev", "held-out", "all"), default="dev")
    parser.add_argument("--per-image", type=int, default=3)
    parser.add_argument("--points", type=int, default=6, help="clicks along each hair")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not (args.folder / "images").is_dir():
        sys.exit(f"no images folder in {args.folder}")
    jobs = [(p, args.per_image, args.points) for p in list_images(args.folder, args.subset)]
    with ProcessPoolExecutor(args.workers) as pool:
        pairs = np.array([pair for rows in pool.map(drawn_again, jobs) for pair in rows])
    measured = np.isfinite(pairs[:, 1])
    found, drawn = pairs[measured, 0], pairs[measured, 1]
    relative = np.abs(drawn - found) / found
    print(f"{args.subset}: {len(jobs)} images, {len(pairs)} hairs drawn again "
          f"({args.points} points each): {measured.sum()} measured, "
          f"{len(pairs) - measured.sum()} refused")  # fmt: skip
    print(f"  drawn vs analyser: median |difference| {np.median(relative) * 100:.1f}% "
          f"({np.median(np.abs(drawn - found)):.1f} um), signed "
          f"{np.median((drawn - found) / found) * 100:+.1f}%, 90th percentile "
          f"{np.quantile(relative, 0.9) * 100:.0f}%, wider by > 30%: "
          f"{int(((drawn - found) / found > 0.3).sum())}, narrower by > 30%: "
          f"{int(((found - drawn) / found > 0.3).sum())}")  # fmt: skip


if __name__ == "__main__":
    main()
