"""Accuracy and speed of the trichoscopy analyser.

Synthetic set (generated on the fly with fixed seeds, never stored): hair-count error,
diameter error in um, thin-hair share error, crossing hairs resolved, hairs matched one
to one (recall, precision, F1: the count error is a net figure in which split and merged
hairs cancel), seconds per image, per difficulty level. Real set
(../shared/data/trichoscopy-dev when present): per-image hair count against the annotated
boxes (correlation, median relative error; boxes are not exhaustive) and detection of the
`undersize` (thin) class.

    python bench/measure.py            # 210 synthetic images + real set, a few minutes
    python bench/measure.py --quick    # 30 synthetic images + 40 real images
    python bench/measure.py --json     # figures as JSON

Accuracy runs in --workers processes; speed is measured afterwards in a separate pass,
one image at a time (wall time of ``analyze_image`` alone, BLAS threads pinned to 1).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from follicle import __version__  # noqa: E402
from follicle.measure.analyze import analyze_image  # noqa: E402
from follicle.measure.evaluate import score  # noqa: E402
from follicle.measure.image_io import load_image  # noqa: E402
from follicle.measure.render import DIFFICULTIES, render_trichoscopy  # noqa: E402

REAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "trichoscopy-dev"
BASE_SEED = 20_261_122
TERMINAL_UM = 75.0  # typical terminal shaft (60-90 um) used to estimate the real-set scale


def _one_synthetic(job: tuple[int, str, int]):
    """Render, analyse (timed) and score one synthetic image."""
    level_index, level, i = job
    scene = render_trichoscopy(
        style=level, seed=BASE_SEED + 1000 * level_index + i, yellow_dots=int(i % 4)
    )
    start = time.perf_counter()
    found = analyze_image(scene.image, um_per_px=scene.um_per_px)
    seconds = time.perf_counter() - start
    result = score(scene, found)
    truth = scene.hairs.set_index("hair_id")["diameter_um"]
    got = found.hairs.set_index("hair_id")["diameter_um"]
    errors = [float(got[f] - truth[t]) for t, f in result.matched_pairs]
    return result, errors, seconds


def synthetic(n_per_level: int, workers: int) -> dict:
    per_level = {}
    all_diameter_errors, all_seconds = [], []
    jobs = [(k, level, i) for k, level in enumerate(DIFFICULTIES) for i in range(n_per_level)]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_one_synthetic, jobs, chunksize=4))
    else:
        outcomes = [_one_synthetic(job) for job in jobs]
    for level_index, level in enumerate(DIFFICULTIES):
        mine = outcomes[level_index * n_per_level : (level_index + 1) * n_per_level]
        rows = [o[0] for o in mine]
        diameter_errors = [e for o in mine for e in o[1]]
        seconds = [o[2] for o in mine]
        true_n = np.array([r.true_count for r in rows], float)
        found_n = np.array([r.found_count for r in rows], float)
        thin_error = np.array(
            [r.thin_share_found_percent - r.thin_share_true_percent for r in rows]
        )
        errors = np.abs(diameter_errors)
        matched = sum(r.matched for r in rows)
        per_level[level] = {
            "images": n_per_level,
            "true_hairs": int(true_n.sum()),
            "found_hairs": int(found_n.sum()),
            "matched_hairs": int(matched),
            # one to one: the count error is a net figure, in which split and merged
            # hairs cancel; these see both
            "recall": float(matched / max(true_n.sum(), 1)),
            "precision": float(matched / max(found_n.sum(), 1)),
            "f1": float(2 * matched / max(true_n.sum() + found_n.sum(), 1)),
            "count_error_total_percent": float(100 * (found_n.sum() - true_n.sum()) / true_n.sum()),
            "count_error_mean_abs_percent": float(np.mean(100 * np.abs(found_n - true_n) / true_n)),
            "diameter_error_median_abs_um": float(np.median(errors)),
            "diameter_error_p90_abs_um": float(np.percentile(errors, 90)),
            "diameter_bias_median_um": float(np.median(diameter_errors)),
            "thin_share_error_mean_abs_points": float(np.nanmean(np.abs(thin_error))),
            "thin_share_error_mean_points": float(np.nanmean(thin_error)),
            "crossings": int(sum(r.crossings for r in rows)),
            "crossings_resolved": int(sum(r.crossings_resolved for r in rows)),
            "seconds_per_image_median_in_pool": float(np.median(seconds)),
        }
        all_diameter_errors += diameter_errors
        all_seconds += seconds
    levels = list(per_level.values())
    true_total = sum(v["true_hairs"] for v in levels)
    found_total = sum(v["found_hairs"] for v in levels)
    overall = {
        "images": sum(v["images"] for v in levels),
        "count_error_total_percent": 100 * (found_total - true_total) / true_total,
        "count_error_mean_abs_percent": float(
            np.mean([v["count_error_mean_abs_percent"] for v in levels])
        ),
        "diameter_error_median_abs_um": float(np.median(np.abs(all_diameter_errors))),
        "thin_share_error_mean_abs_points": float(
            np.mean([v["thin_share_error_mean_abs_points"] for v in levels])
        ),
        "f1": 2 * sum(v["matched_hairs"] for v in levels) / max(true_total + found_total, 1),
        "crossings_resolved_percent": 100
        * sum(v["crossings_resolved"] for v in levels)
        / max(sum(v["crossings"] for v in levels), 1),
        "image_size_px": [1280, 1024],
    }
    return {"overall": overall, "by_difficulty": per_level}


def _boxes(xml_path: Path) -> list[tuple[str, float, float, float, float]]:
    boxes = []
    for obj in ET.parse(xml_path).findall("object"):
        b = obj.find("bndbox")
        x = sorted(float(b.find(k).text) for k in ("xmin", "xmax"))  # some are swapped
        y = sorted(float(b.find(k).text) for k in ("ymin", "ymax"))
        boxes.append((obj.find("class").text, x[0], y[0], x[1], y[1]))
    return boxes


def _auc(positive: list[float], negative: list[float]) -> float:
    """P(a random positive scores below a random negative): thin boxes have thinner hairs."""
    if not positive or not negative:
        return float("nan")
    p, n = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(np.mean((p < n) + 0.5 * (p == n)))


def _one_real(job: tuple[Path, float]):
    """Analyse one real image (timed); returns the analysis and the seconds taken."""
    path, scale = job
    rgb = load_image(path)
    start = time.perf_counter()
    found = analyze_image(rgb, um_per_px=scale)
    return found, time.perf_counter() - start


def real(limit: int | None, workers: int = 1) -> dict | None:
    images = sorted((REAL_DIR / "images").glob("*.jpg"))
    if not images:
        return None
    images = images[:limit] if limit else images
    # Scale: the set records none ("calibration not used"). Estimate it from the widths of
    # the thicker half of shafts found at a provisional scale, taken as terminal hairs.
    provisional = 4.0
    widths_px = []
    for path in images[:: max(len(images) // 20, 1)]:
        found = analyze_image(load_image(path), um_per_px=provisional)
        widths_px += list(found.hairs["diameter_um"] / provisional)
    widths_px = np.asarray(widths_px)
    terminal_px = float(np.median(widths_px[widths_px >= np.median(widths_px)]))
    scale = TERMINAL_UM / terminal_px
    counts, box_counts, seconds = [], [], []
    in_thin_box, in_premium_box = [], []
    thin_found = thin_boxes = 0
    jobs = [(path, scale) for path in images]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_one_real, jobs, chunksize=4))
    else:
        outcomes = [_one_real(job) for job in jobs]
    for path, (found, elapsed) in zip(images, outcomes, strict=True):
        seconds.append(elapsed)
        boxes = _boxes(REAL_DIR / "annotations" / (path.stem + ".xml"))
        counts.append(len(found.hairs))
        box_counts.append(len(boxes))
        # Each found hair: its centre-line midpoint; a box claims the hairs inside it.
        mids = {
            h: np.concatenate(lines)[len(np.concatenate(lines)) // 2]
            for h, lines in found.centerlines_px.items()
        }
        diameters = found.hairs.set_index("hair_id")["diameter_um"]
        for label, x0, y0, x1, y1 in boxes:
            pad = 10
            inside = [
                h
                for h, (r, c) in mids.items()
                if x0 - pad <= c <= x1 + pad and y0 - pad <= r <= y1 + pad
            ]
            if not inside:
                if label == "undersize":
                    thin_boxes += 1
                continue
            thinnest = float(min(diameters[h] for h in inside))
            if label == "undersize":
                thin_boxes += 1
                thin_found += 1
                in_thin_box.append(thinnest)
            elif label == "premium":
                in_premium_box.append(thinnest)
    counts, box_counts = np.asarray(counts, float), np.asarray(box_counts, float)
    return {
        "images": len(images),
        "um_per_px_estimate": scale,
        "um_per_px_note": (
            f"estimated: thicker half of shafts = {terminal_px:.1f} px taken as "
            f"{TERMINAL_UM:g} um terminal hair; the data set records no calibration"
        ),
        "count_correlation": float(np.corrcoef(counts, box_counts)[0, 1]),
        "count_median_relative_error_percent": float(
            np.median(100 * np.abs(counts - box_counts) / box_counts)
        ),
        "count_median_signed_relative_error_percent": float(
            np.median(100 * (counts - box_counts) / box_counts)
        ),
        "mean_found_per_image": float(counts.mean()),
        "mean_boxes_per_image": float(box_counts.mean()),
        "undersize_boxes": thin_boxes,
        "undersize_detected_percent": 100 * thin_found / max(thin_boxes, 1),
        "undersize_median_diameter_um": float(np.median(in_thin_box)) if in_thin_box else None,
        "premium_median_diameter_um": float(np.median(in_premium_box)) if in_premium_box else None,
        "undersize_vs_premium_auc": _auc(in_thin_box, in_premium_box),
        "undersize_called_thin_percent": 100 * float(np.mean(np.asarray(in_thin_box) < 30))
        if in_thin_box
        else None,
        "premium_called_thin_percent": 100 * float(np.mean(np.asarray(in_premium_box) < 30))
        if in_premium_box
        else None,
    }


def speed(n_synthetic: int, n_real: int) -> dict:
    """Seconds per 1280 x 1024 image, one image at a time on one core (nothing else of
    ours running), so the figure is not inflated by the worker pool."""
    seconds = []
    for i in range(n_synthetic + 1):
        scene = render_trichoscopy(style=DIFFICULTIES[i % 3], seed=BASE_SEED + 7 + i)
        start = time.perf_counter()
        analyze_image(scene.image, um_per_px=scene.um_per_px)
        if i:  # the first call pays for imports and caches
            seconds.append(time.perf_counter() - start)
    out = {
        "synthetic_images": n_synthetic,
        "synthetic_seconds_median": float(np.median(seconds)),
        "synthetic_seconds_p90": float(np.percentile(seconds, 90)),
    }
    images = sorted((REAL_DIR / "images").glob("*.jpg"))[:n_real]
    if images:
        real_seconds = [_one_real((path, 2.5))[1] for path in images]
        out |= {
            "real_images": len(images),
            "real_seconds_median": float(np.median(real_seconds)),
            "real_seconds_p90": float(np.percentile(real_seconds, 90)),
        }
    return out


def _hair_mask_of(rgb: np.ndarray, um_per_px: float) -> np.ndarray:
    """The analyser's hair mask (default settings, no device graphics): input for timing
    the skeleton step on its own."""
    from scipy import ndimage

    from follicle.measure.analyze import AnalysisSettings, contrast_image, robust_sd
    from follicle.measure.background import wide_level
    from follicle.measure.shafts import hair_mask

    settings = AnalysisSettings()
    valid = np.ones(rgb.shape[:2], bool)
    max_w = settings.max_diameter_um / um_per_px
    contrast = contrast_image(rgb, polarity="dark", max_width_px=max_w, valid=valid)
    noise = robust_sd(contrast)
    smooth = ndimage.gaussian_filter(contrast, 1.0)
    ridge = smooth - wide_level(smooth, size_px=settings.halo_width_um / um_per_px)
    return hair_mask(
        ridge,
        low=max(settings.low_contrast, 3 * noise),
        high=max(settings.high_contrast, 6 * noise),
        min_area_px=int(settings.min_length_um / um_per_px * settings.min_diameter_um / um_per_px),
        max_hole_px=int(max(4, (max_w / 3) ** 2)),
    )


def skeleton_speed(n_images: int) -> dict:
    """The skeleton step (``skeleton_branches``) with runs ordered by one shortest-path
    call (now) and by the Python pixel walk it replaced, on the same masks: CPU seconds
    per image and their ratio, and whether both give the same branches (a free run may
    come out reversed)."""
    from follicle.measure.shafts import skeleton_branches

    images = sorted((REAL_DIR / "images").glob("*.jpg"))[:n_images]
    masks = (
        [_hair_mask_of(load_image(p), 2.76) for p in images]
        if images
        else [
            _hair_mask_of(render_trichoscopy(seed=BASE_SEED + i).image, 4.0)
            for i in range(n_images)
        ]
    )
    cpu = {False: [], True: []}
    same = 0
    total = 0
    for mask in masks:
        found = {}
        for walk in (True, False, True, False):  # interleaved: load drifts affect both
            start = time.process_time()
            found[walk] = skeleton_branches(mask, pixel_walk=walk)[0]
            cpu[walk].append(time.process_time() - start)

        def canonical(branches):
            return sorted(
                min(tuple(map(tuple, b.pixels)), tuple(map(tuple, b.pixels[::-1])))
                for b in branches
            )

        total += len(found[True])
        same += len(set(canonical(found[True])) & set(canonical(found[False])))
    new, old = float(np.median(cpu[False])), float(np.median(cpu[True]))
    return {
        "skeleton_images": len(masks),
        "skeleton_source": "trichoscopy-dev" if images else "synthetic",
        "skeleton_cpu_seconds_median": new,
        "skeleton_pixel_walk_cpu_seconds_median": old,
        "skeleton_speedup": old / new if new else float("nan"),
        "skeleton_same_branches": same,
        "skeleton_branches": total,
    }


def rank_filter_speed(n_images: int) -> dict:
    """The skin background's rank filters (``background.rank_filter_square``, now) against
    scipy's ``percentile_filter`` they replaced, on the shrunk colour channels
    ``skin_background`` filters (three per image, 70x scale): CPU seconds per image,
    their ratio, and whether every result is identical."""
    from scipy import ndimage

    from follicle.measure.analyze import AnalysisSettings
    from follicle.measure.background import _factor, _shrink, rank_filter_square

    images = sorted((REAL_DIR / "images").glob("*.jpg"))[:n_images]
    rgbs = (
        [load_image(p) for p in images]
        if images
        else [render_trichoscopy(seed=BASE_SEED + i).image for i in range(n_images)]
    )
    structure_px = 2.5 * AnalysisSettings().max_diameter_um / 2.76 + 4  # as contrast_image
    cpu = {"now": [], "scipy": []}
    same = total = 0
    for rgb in rgbs:
        factor = _factor(structure_px, rgb.shape)
        size = max(int(np.ceil(structure_px / factor)) | 1, 3)
        smalls = [_shrink(rgb[..., k].astype(np.float32) / 255, factor) for k in range(3)]
        found = {}
        for name in ("now", "scipy", "now", "scipy"):  # interleaved: load drifts affect both
            start = time.process_time()
            if name == "now":
                found[name] = [rank_filter_square(x, percentile=80, size=size) for x in smalls]
            else:
                found[name] = [ndimage.percentile_filter(x, 80, size=(size, size)) for x in smalls]
            cpu[name].append(time.process_time() - start)
        same += sum(np.array_equal(a, b) for a, b in zip(found["now"], found["scipy"], strict=True))
        total += 3
    now, old = float(np.median(cpu["now"])), float(np.median(cpu["scipy"]))
    return {
        "rank_images": len(rgbs),
        "rank_source": "trichoscopy-dev" if images else "synthetic",
        "rank_cpu_seconds_median": now,
        "rank_scipy_cpu_seconds_median": old,
        "rank_speedup": old / now if now else float("nan"),
        "rank_identical": same,
        "rank_filters": total,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 images per level, 40 real")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--per-level", type=int, default=None, help="synthetic images/level")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes for the synthetic set (each image is still timed on one core)",
    )
    args = parser.parse_args(argv)
    n = args.per_level or (10 if args.quick else 70)
    started = time.perf_counter()
    report = {
        "follicle_version": __version__,
        "seed": BASE_SEED,
        "workers": args.workers,
        "synthetic": synthetic(n, args.workers),
        "real": real(40 if args.quick else None, args.workers),
        "speed": speed(10 if args.quick else 30, 10 if args.quick else 20),
        "skeleton": skeleton_speed(10 if args.quick else 20),
        "rank_filter": rank_filter_speed(10 if args.quick else 20),
    }
    report["bench_seconds"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    s = report["synthetic"]
    print(f"follicle {__version__} - analyser benchmark (seed {BASE_SEED})")
    print(f"synthetic: {s['overall']['images']} images 1280 x 1024")
    header = f"{'level':8} {'count err %':>12} {'|count| %':>10} {'diam |err| um':>14} "
    header += f"{'thin pts':>9} {'crossings':>10}  {'recall / precision / F1':>23}"
    print(header)
    for level, v in s["by_difficulty"].items():
        print(
            f"{level:8} {v['count_error_total_percent']:12.1f} "
            f"{v['count_error_mean_abs_percent']:10.1f} {v['diameter_error_median_abs_um']:14.2f} "
            f"{v['thin_share_error_mean_abs_points']:9.1f} "
            f"{v['crossings_resolved']:>4}/{v['crossings']:<5} "
            f"  {v['recall']:.3f} / {v['precision']:.3f} / {v['f1']:.3f}"
        )
    r = report["real"]
    if r is None:
        print("real: trichoscopy-dev not present, skipped")
    else:
        print(f"real: {r['images']} images, {r['um_per_px_note']} -> {r['um_per_px_estimate']:.2f}")
        print(
            f"  count vs boxes: r = {r['count_correlation']:.2f}, median |rel err| = "
            f"{r['count_median_relative_error_percent']:.0f}% (signed "
            f"{r['count_median_signed_relative_error_percent']:+.0f}%)"
        )
        print(
            f"  undersize: {r['undersize_detected_percent']:.0f}% of {r['undersize_boxes']} boxes "
            f"hold a detected hair; median diameter {r['undersize_median_diameter_um']:.0f} um vs "
            f"premium {r['premium_median_diameter_um']:.0f} um; "
            f"AUC {r['undersize_vs_premium_auc']:.2f}"
        )
    sp = report["speed"]
    line = (
        f"speed, one image at a time on one core: synthetic {sp['synthetic_seconds_median']:.2f}"
        f" s median ({sp['synthetic_seconds_p90']:.2f} p90)"
    )
    if "real_seconds_median" in sp:
        line += f", real {sp['real_seconds_median']:.2f} s median"
    print(line)
    sk = report["skeleton"]
    print(
        f"skeleton step ({sk['skeleton_images']} {sk['skeleton_source']} masks, CPU s per image): "
        f"{sk['skeleton_cpu_seconds_median']:.3f} s vs "
        f"{sk['skeleton_pixel_walk_cpu_seconds_median']:.3f} s with the previous pixel walk "
        f"({sk['skeleton_speedup']:.2f}x); same branches "
        f"{sk['skeleton_same_branches']} of {sk['skeleton_branches']}"
    )
    rk = report["rank_filter"]
    print(
        f"skin background rank filters ({rk['rank_images']} {rk['rank_source']} images, CPU s "
        f"per image): {rk['rank_cpu_seconds_median']:.4f} s vs "
        f"{rk['rank_scipy_cpu_seconds_median']:.4f} s with scipy's percentile_filter "
        f"({rk['rank_speedup']:.2f}x); identical {rk['rank_identical']} of {rk['rank_filters']}"
    )
    print(f"bench time {report['bench_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
