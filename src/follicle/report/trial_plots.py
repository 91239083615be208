"""Plots of virtual trials: trajectories per arm with bands, endpoint distributions."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

JITTER_POINTS = 2000  # individual values drawn per arm; the box plot uses all of them

TRAJECTORY_PANELS = (
    ("hairs", "hairs in the target area"),
    ("non_vellus_per_cm2", "non-vellus hairs per cm2"),
    ("terminal_per_cm2", "terminal hairs per cm2"),
    ("thin_share_percent", "thin hairs (< 30 um), % of hairs"),
)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def trajectory_figure(result) -> bytes:
    """Mean per arm over time, with the 95% CI of the mean and the 10-90% band of people."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    arms = [arm.name for arm in result.trial.arm]
    for ax, (column, label) in zip(axes.flat, TRAJECTORY_PANELS, strict=True):
        bands = result.trajectory_bands(column, change=True)
        for arm, colour in zip(arms, plt.cm.tab10.colors, strict=False):
            rows = bands[bands["arm"] == arm]
            days = rows["day"].to_numpy()
            ax.fill_between(days, rows["p10"], rows["p90"], color=colour, alpha=0.12, lw=0)
            ax.fill_between(days, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.35)
            ax.plot(days, rows["mean"], color=colour, label=arm)
        ax.set_ylabel("change in " + label, fontsize=9)
        ax.axhline(0, color="k", lw=0.6)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("day")
    axes[0, 0].legend(fontsize=8)
    kept = result.trial.keep_observations_per_arm
    people = "people" if kept is None else f"the first {kept} people per arm"
    fig.suptitle(
        "change from baseline: mean per arm; dark band: 95% CI of the mean; "
        f"light band: 10th-90th percentile of {people}"
    )
    return _png(fig)


def endpoint_figure(result, label: str) -> bytes:
    """Distribution of one endpoint per arm (box plot with the individual values)."""
    arms = [arm.name for arm in result.trial.arm]
    data = [result.values.loc[result.values["arm"] == a, label].dropna().to_numpy() for a in arms]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    binary = all(set(np.unique(d)) <= {0.0, 1.0} for d in data)
    if binary:
        means = [d.mean() if d.size else np.nan for d in data]
        ax.bar(arms, means, color=plt.cm.tab10.colors[: len(arms)])
        ax.set_ylim(0, 1)
        ax.set_ylabel("fraction")
    else:
        ax.boxplot(data, showfliers=False)
        ax.set_xticks(range(1, len(arms) + 1), arms)
        rng = np.random.default_rng(0)  # jitter only
        for i, d in enumerate(data, start=1):
            shown = d[:JITTER_POINTS]  # people are exchangeable: the first are a sample
            ax.plot(i + rng.uniform(-0.15, 0.15, shown.size), shown, ".", alpha=0.3, ms=3)
    ax.set_title(label)
    ax.grid(alpha=0.3, axis="y")
    return _png(fig)


def validation_figure(report) -> bytes:
    """Each target: published value with its tolerance band, model value with its 95% CI
    and (when the report has one) the posterior predictive interval over the ensemble's
    member trials, all scaled by the tolerance (0 = the published value, +-1 = the
    tolerance)."""
    level = (report.provenance.get("predictive") or {}).get("level")
    return _png(tolerance_scale_axes(report.table, level=level))


def tolerance_scale_axes(
    table, *, level: float | None = None, title: str | None = None, width: float = 8.0
):
    """The figure behind ``validation_figure`` for any rows of a validation table."""
    published = table["published"].to_numpy(float)
    scale = table["tolerance"].to_numpy(float)

    def scaled(column: str) -> np.ndarray:
        return (table[column].to_numpy(float) - published) / scale

    model, low, high = scaled("model"), scaled("model_ci_low"), scaled("model_ci_high")
    y = np.arange(len(table))[::-1]
    fig, ax = plt.subplots(figsize=(width, 0.4 * len(table) + 1.2))
    ax.axvspan(-1, 1, color="green", alpha=0.12, label="published, within tolerance")
    ax.axvline(0, color="k", lw=0.8)
    if "predictive_low" in table:
        p_low, p_high = scaled("predictive_low"), scaled("predictive_high")
        share = f"{100 * level:.0f}% " if level else ""
        ax.hlines(
            y,
            p_low,
            p_high,
            color="tab:blue",
            lw=7,
            alpha=0.3,
            label=f"{share}posterior predictive interval (ensemble member trials)",
        )
        ax.scatter(scaled("predictive_median"), y, marker="|", color="tab:blue", s=120, zorder=2)
    colours = np.where(table["pass"], "tab:green", "tab:red")
    ax.errorbar(model, y, xerr=[model - low, high - model], fmt="none", ecolor="grey")
    ax.scatter(model, y, c=colours, zorder=3, label="point model (95% CI)")
    ax.set_yticks(y, table["id"])
    ax.set_xlabel("(model - published) / tolerance")
    # below the axes, so that it hides no target
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.6 / fig.get_figheight()))
    ax.grid(alpha=0.3, axis="x")
    if title:
        ax.set_title(title, fontsize=9)
    return fig
