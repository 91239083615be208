"""Static plots of simulated trajectories (matplotlib, no screen needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from follicle.sim.trajectory import Trajectory

_PANELS = (
    ("non_vellus_per_cm2", "non-vellus hairs per cm2"),
    ("mean_diameter_um", "mean shaft diameter (um)"),
    ("thin_share_percent", "thin hairs (< 30 um), % of hairs"),
    ("shed_per_day", "hairs shed per day"),
)


def plot_trajectories(
    trajectories: Mapping[str, Trajectory],
    path: str | Path,
    *,
    regions: Sequence[str] = ("vertex", "frontal", "occipital"),
    title: str = "follicle simulation",
) -> Path:
    """One panel per measure; one colour per trajectory, one line style per region."""
    styles = ("-", "--", ":", "-.")
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    for (label, trajectory), colour in zip(trajectories.items(), plt.cm.tab10.colors, strict=False):
        available = [r for r in regions if r in set(trajectory.table["region"])] or ["scalp"]
        for region, style in zip(available, styles, strict=False):
            rows = trajectory.region(region)
            years = rows.index.to_numpy() / 365.25
            for ax, (column, _) in zip(axes.flat, _PANELS, strict=True):
                ax.plot(years, rows[column], style, color=colour, label=f"{label}: {region}")
    for ax, (_, ylabel) in zip(axes.flat, _PANELS, strict=True):
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("years from day 0")
    axes[0, 0].legend(fontsize=7, loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
