"""Posterior predictive check plots for docs/validation.md (issue 9): one PNG per target group.

Runs `follicle validate` with the shipped ensemble (or reads the JSON of an earlier run)
and draws, per group of targets, each target's published value with its tolerance, the
point model with its 95% CI and the ensemble's posterior predictive interval, on the
tolerance scale (0 = published, +-1 = the tolerance; a range target: its range). Groups
follow the kind of evidence, read from each target's endpoint (never its id).

    make ppc-plots                       # the whole run, then docs/images/ppc-*.png
    python bench/ppc_plots.py --from-json out/ppc.json     # replot an earlier run

Options: --n-per-arm (point run), --members, --members-n-per-arm, --seed, --workers,
--only (ids or patterns), --out (folder of the PNGs), --save-json (keep the run's JSON).
Prints a Markdown table of the run (for docs/validation.md) and how long it took.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from follicle.report.trial_plots import tolerance_scale_axes
from follicle.trials.targets import Target, load_targets, select_targets

ROOT = Path(__file__).resolve().parents[1]

# (slug, title), in the order the docs show them
GROUPS = {
    "baseline": "Untreated scalp and prevalence (values on a day, stages)",
    "arm-change": "Change in one arm (placebo, untreated or treated)",
    "difference": "Treated minus control",
    "spread": "Spread of change between people (SD in an arm)",
    "shares": "Shares of people improved or regrown",
    "kinetics": "Drug action and timing (scalp DHT, day of peak shedding)",
}


def group_of(target: Target) -> str:
    """The kind of evidence a target is, from its endpoint alone."""
    measure, column = target.measure_and_column
    if target.statistic == "sd":
        return "spread"
    if target.statistic == "day_of_peak" or column == "scalp_dht_change_percent":
        return "kinetics"
    if target.is_difference:
        return "difference"
    if measure in ("fraction_improved", "fraction_regrown"):
        return "shares"
    if measure in ("change", "percent_change"):
        return "arm-change"
    return "baseline"


def run_validation(args) -> dict:
    from follicle.trials.validate import validate

    targets = select_targets(load_targets(args.targets), args.only)
    began = time.perf_counter()
    last = [0.0]

    def progress(done: float) -> None:
        if done - last[0] >= 0.05 or done >= 1:
            last[0] = done
            print(f"  {100 * done:3.0f}% after {time.perf_counter() - began:6.0f} s", flush=True)

    report = validate(
        targets,
        n_per_arm=args.n_per_arm,
        seed=args.seed,
        workers=args.workers,
        ensemble=True if args.ensemble is None else args.ensemble,
        members=args.members,
        members_n_per_arm=args.members_n_per_arm,
        progress=progress,
    )
    data = report.to_dict()
    data["seconds"] = round(time.perf_counter() - began, 1)
    return data


def frame_of(data: dict) -> pd.DataFrame:
    """The JSON's targets as the plotting function's table (null -> NaN)."""
    frame = pd.DataFrame(data["targets"])
    for column in frame.columns:
        if column not in ("id", "role", "endpoint", "arms", "kind", "source", "pass"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def label(row) -> str:
    if row["kind"] == "range":
        return f"{row['id']}  [{row['range_low']:.3g}, {row['range_high']:.3g}]"
    return f"{row['id']}  {row['published']:.3g} ±{row['tolerance']:.3g}"


def plot_groups(data: dict, targets_path, out: Path) -> list[Path]:
    by_id = {t.id: t for t in load_targets(targets_path).target}
    frame = frame_of(data)
    frame["group"] = [group_of(by_id[i]) for i in frame["id"]]
    level = (data.get("predictive") or {}).get("level")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for slug, title in GROUPS.items():
        rows = frame[frame["group"] == slug].reset_index(drop=True)
        if rows.empty:
            continue
        shown = rows.assign(id=[label(r) for _, r in rows.iterrows()])
        inside = rows["published_in_predictive"].eq(True).sum() if level else None
        judged = rows["published_in_predictive"].notna().sum()  # zero-width intervals: n/a
        caption = title + (f"  ({inside} of {judged} inside the interval)" if level else "")
        fig = tolerance_scale_axes(shown, level=level, title=caption, width=7.5)
        path = out / f"ppc-{slug}.png"
        fig.savefig(path, format="png", dpi=72, bbox_inches="tight")
        plt.close(fig)
        written.append(path)
    return written


def markdown(data: dict) -> str:
    """The table for docs/validation.md."""
    lines = [
        "| target | published | point model (95% CI) | point | predictive interval (median) "
        "| published inside |",
        "|---|---|---|---|---|---|",
    ]
    for row in data["targets"]:
        if row["kind"] == "range":
            published = f"[{row['range_low']:.3g}, {row['range_high']:.3g}]"
        else:
            published = f"{row['published']:.3g} ± {row['tolerance']:.3g}"
        point = f"{row['model']:.3g} ({row['model_ci_low']:.3g} to {row['model_ci_high']:.3g})"
        if row.get("predictive_low") is None:
            interval, inside = "-", "-"
        else:
            interval = (
                f"{row['predictive_low']:.3g} to {row['predictive_high']:.3g} "
                f"({row['predictive_median']:.3g})"
            )
            inside = {True: "yes", False: "**no**"}.get(row["published_in_predictive"], "n/a")
        result = "pass" if row["pass"] else "FAIL"
        cells = [f"`{row['id']}`", published, point, result, interval, inside]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-json", type=Path, help="Plot an earlier run's --json output.")
    parser.add_argument("--targets", type=Path, help="Targets file (default: the shipped one).")
    parser.add_argument("--only", action="append", help="Target ids or patterns (repeat).")
    parser.add_argument("--ensemble", type=Path, help="Ensemble file (default: the shipped one).")
    parser.add_argument("--n-per-arm", type=int, default=100)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--members-n-per-arm", type=int, default=25)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--save-json", type=Path, help="Write the run's JSON here.")
    args = parser.parse_args(argv)
    if args.from_json:
        data = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        data = run_validation(args)
    if args.save_json:
        args.save_json.parent.mkdir(parents=True, exist_ok=True)
        args.save_json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    for path in plot_groups(data, args.targets, args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(markdown(data))
    summary = data.get("predictive") or {}
    print(
        f"\n{data['passed']} of {data['total']} within tolerance (point); "
        f"{summary.get('inside', '-')} of {summary.get('total', '-')} published values inside "
        f"the predictive interval; {data.get('seconds', '-')} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
