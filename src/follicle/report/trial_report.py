"""A self-contained HTML report of a virtual trial (plots embedded as PNG)."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from follicle.report.trial_plots import endpoint_figure, trajectory_figure, validation_figure


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0, na_rep="-")


STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4} img{max-width:100%} pre{background:#f6f6f6;padding:1em;overflow:auto}
.note{color:#555;font-size:0.9em}
"""


def trial_report_html(result) -> str:
    trial = result.trial
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(trial.name)}"
        f"</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(trial.name)}</h1>",
        f"<p>{html.escape(trial.description)}</p>" if trial.description else "",
        f"<p>{trial.n_per_arm} virtual people per arm; target area "
        f"{html.escape(trial.target_area.label)} cm2; seed {result.seed}; control arm "
        f"<b>{html.escape(trial.control)}</b>.</p>",
        "<h2>Population</h2><pre>"
        + html.escape(json.dumps(trial.population.model_dump(mode="json"), indent=1))
        + "</pre>",
        "<h2>Endpoints per arm (mean, SD, 95% CI)</h2>",
        _table(result.arms),
        "<h2>Differences from the control arm</h2>",
        (
            "<p class='note'>Paired arms (the same people in every arm): paired t "
            "(continuous) or McNemar (fractions) on the per-person differences; "
            if trial.paired
            else "<p class='note'>Welch t (continuous) or two-proportion z (fractions); "
        )
        + "n_per_arm_for_80pct_power: people per arm needed to detect the observed "
        "difference at 80% power, two-sided alpha 0.05.</p>",
        _table(result.comparisons),
        "<h2>Trajectories</h2>",
        _img(trajectory_figure(result), "trajectories per arm"),
        "<h2>Endpoint distributions</h2>",
    ]
    for endpoint in trial.endpoint:
        parts.append(_img(endpoint_figure(result, endpoint.label), endpoint.label))
    stages = result.people.groupby("arm", sort=False)["baseline_stage"].value_counts()
    if not (result.people["baseline_stage"] == "").all():
        parts += ["<h2>Baseline stages</h2>", _table(stages.reset_index())]
    provenance = {k: v for k, v in result.provenance.items() if k != "parameters"}
    parts += [
        "<h2>Provenance</h2><pre>" + html.escape(json.dumps(provenance, indent=1)) + "</pre>",
        "<details><summary>model parameters</summary><pre>"
        + html.escape(json.dumps(result.provenance["parameters"], indent=1, default=str))
        + "</pre></details>",
        "<p class='note'>follicle informs and plans; it does not diagnose or prescribe.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_trial_report(result, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(trial_report_html(result), encoding="utf-8")
    return path


def validation_report_html(report) -> str:
    table = report.table
    rows = table.assign(result=np.where(table["pass"], "pass", "FAIL")).drop(columns="pass")
    provenance = {k: v for k, v in report.provenance.items() if k != "parameters"}
    figure = _img(validation_figure(report), "model vs published")
    return "\n".join(
        [
            f"<!doctype html><html><head><meta charset='utf-8'><title>follicle validation"
            f"</title><style>{STYLE}</style></head><body>",
            "<h1>Validation: model vs published targets</h1>",
            f"<p>{report.passed} of {len(table)} targets within tolerance.</p>",
            _predictive_paragraph(report),
            figure,
            *_role_sections(rows, report.passed_by_role()),
            "<h2>Provenance</h2><pre>" + html.escape(json.dumps(provenance, indent=1)) + "</pre>",
            "<details><summary>model parameters</summary><pre>"
            + html.escape(json.dumps(report.provenance["parameters"], indent=1, default=str))
            + "</pre></details></body></html>",
        ]
    )


def _predictive_paragraph(report) -> str:
    """How many published values lie in their posterior predictive interval (the
    ``predictive_*`` columns of the tables), and what the interval includes."""
    summary = report.predictive()
    if summary is None:
        return ""
    level = round(100 * summary["level"])
    stale = (
        ""
        if summary["ensemble_matches_model"]
        else " <b>The ensemble was built on other model parameters than these: rebuild it.</b>"
    )
    return (
        f"<p>{summary['inside']} of {summary['total']} published values inside the model's "
        f"{level}% posterior predictive interval (columns <code>predictive_low</code> .. "
        f"<code>predictive_high</code>; blue bars in the plot): {summary['members']} "
        f"ensemble members, each its own virtual trial of {summary['n_per_arm']} people per "
        "arm. The interval includes: "
        + html.escape("; ".join(summary["includes"]))
        + f".{stale}</p>"
    )


ROLE_HEADINGS = {
    "fit": "Fitted targets (calibration used them: agreement here is not validation)",
    "holdout": "Held-out targets (no fit saw them: this is the validation)",
}


def _role_sections(rows, counts: dict) -> list[str]:
    """One section per role, with its pass count (all in one table when no role column)."""
    if "role" not in rows:
        return [_table(rows)]
    sections = []
    for role, heading in ROLE_HEADINGS.items():
        part = rows[rows["role"] == role].drop(columns="role")
        count = counts[role]
        note = ""
        if "informed" in part and part["informed"].any():
            named = ", ".join(part.loc[part["informed"], "id"])
            note = (
                f"<p class='note'>Informed: {html.escape(named)}. A model change was looked "
                "for after these missed; they are still held out of every fit, but their "
                "passes are weaker evidence (docs/validation.md).</p>"
            )
        sections += [
            f"<h2>{html.escape(heading)}</h2>",
            f"<p>{count['passed']} of {count['total']} within tolerance.</p>",
            note,
            _table(part) if len(part) else "<p>none</p>",
        ]
    return sections


def write_validation_report(report, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(validation_report_html(report), encoding="utf-8")
    return path
