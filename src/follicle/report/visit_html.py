"""The visit report as one self-contained HTML page (images embedded as PNG, no scripts,
nothing fetched), in the style of the trial report."""

from __future__ import annotations

import html
import json
import math

import pandas as pd

from follicle.measure.analyze import GUARD_ZONE_UM
from follicle.measure.corrections import applied_counts
from follicle.measure.criteria import DISCLAIMER as CRITERIA_DISCLAIMER
from follicle.measure.criteria import anisotrichosis_sign
from follicle.measure.known_accuracy import ANALYSER_ON_REAL_IMAGES
from follicle.measure.overlay import MIDDLE, TERMINAL, THIN
from follicle.measure.visits import Z95
from follicle.report.normal_ranges import NO_RANGE, reference_values
from follicle.report.trial_report import STYLE, _img
from follicle.report.visit_figures import (
    diameter_change_figure,
    diameter_histogram,
    input_png,
    matched_hairs_figure,
    overlay_png,
)
from follicle.report.visit_report import VisitReport, share_se_percent

DISCLAIMER = (
    "This report informs; it does not diagnose. It describes what was measured in the "
    "images and compares it with published values and criteria. Diagnosis and treatment "
    "decisions belong to a clinician who weighs these figures with the history and the "
    "examination."
)

VISIT_STYLE = """
h1{margin-bottom:0.2em} h2{border-bottom:2px solid #ddd;padding-bottom:3px;margin-top:1.6em}
.meta{color:#444;margin:0.2em 0 1em}
.disclaimer{border-left:4px solid #c77d00;background:#fff6e5;padding:0.6em 1em;margin:1em 0}
.warn{border-left:4px solid #b00020;background:#fdecee;padding:0.6em 1em;margin:1em 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;background:#fafafa}
.card .v{font-size:1.3em;font-weight:600;white-space:nowrap} .card .k{color:#555;font-size:0.85em}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:0.5em 0}
figure{margin:0 0 1em} figcaption{font-size:0.85em;color:#444}
.legend span.sw{display:inline-block;width:14px;height:14px;vertical-align:middle;
margin:0 4px 0 12px;border:1px solid #999}
td.l,th.l{text-align:left} td.n{white-space:nowrap}
.met{color:#b00020;font-weight:600} .ok{color:#1b7f3b}
@media print{h2{break-after:avoid} figure,table,.card{break-inside:avoid}
body{max-width:none;margin:0} @page{size:A4;margin:14mm}}
"""

METRIC_ROWS = (
    # field, label, unit, digits
    ("hair_count", "hairs counted", "", 0),
    ("density_per_cm2", "density", "hairs/cm²", 0),
    ("terminal_share", "terminal", "% of hairs", 1),
    ("intermediate_share", "intermediate", "% of hairs", 1),
    ("vellus_share_percent", "vellus", "% of hairs", 1),
    ("thin_share_percent", "thin", "% of hairs", 1),
    ("terminal_to_vellus_ratio", "terminal : vellus", "", 2),
    ("mean_diameter_um", "mean diameter", "µm", 1),
    ("median_diameter_um", "median diameter", "µm", 1),
    ("diameter_diversity_percent", "diameter diversity (SD/mean)", "%", 1),
    ("hairs_per_unit", "hairs per follicular unit", "", 2),
    ("single_hair_unit_share_percent", "single-hair units", "% of units", 1),
    ("cumulative_thickness_mm_per_cm2", "cumulative thickness", "mm/cm²", 2),
    ("yellow_dots", "yellow dots", "", 0),
)

CHANGE_LABELS = {
    "density_per_cm2": ("density", "hairs/cm²", 0),
    "mean_diameter_um": ("mean diameter", "µm", 1),
    "thin_share_percent": ("thin hairs", "% points", 1),
    "cumulative_thickness_mm_per_cm2": ("cumulative thickness", "mm/cm²", 2),
}


def _e(value) -> str:
    return html.escape(str(value))


def _num(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return f"{value:,.{digits}f}"


def metric_values(metrics) -> dict[str, tuple[float | None, float | None, str]]:
    """Value, standard error and how the error was computed, per row of the table."""
    n = metrics.hair_count
    intermediate = 100.0 * metrics.intermediate_count / n if n else math.nan
    unit_single = round(metrics.single_hair_unit_share_percent * metrics.unit_count / 100)
    poisson, binomial = "Poisson", "binomial"
    rows = {
        "hair_count": (n, math.sqrt(n), poisson),
        "density_per_cm2": (
            metrics.density_per_cm2,
            metrics.density_se_per_cm2,
            "Poisson and exit guess" if metrics.hairs_cut_by_frame else poisson,
        ),
        "terminal_share": (
            metrics.terminal_share_percent,
            share_se_percent(metrics.terminal_count, n),
            binomial,
        ),
        "intermediate_share": (
            intermediate,
            share_se_percent(metrics.intermediate_count, n),
            binomial,
        ),
        "vellus_share_percent": (
            metrics.vellus_share_percent,
            share_se_percent(metrics.vellus_count, n),
            binomial,
        ),
        "thin_share_percent": (
            metrics.thin_share_percent,
            metrics.thin_share_se_percent,
            binomial,
        ),
        "terminal_to_vellus_ratio": (metrics.terminal_to_vellus_ratio, None, ""),
        "mean_diameter_um": (metrics.mean_diameter_um, metrics.mean_diameter_se_um, "SD/√n"),
        "median_diameter_um": (metrics.median_diameter_um, None, ""),
        "diameter_diversity_percent": (metrics.diameter_diversity_percent, None, ""),
        "hairs_per_unit": (metrics.hairs_per_unit, None, ""),
        "single_hair_unit_share_percent": (
            metrics.single_hair_unit_share_percent,
            share_se_percent(unit_single, metrics.unit_count),
            binomial,
        ),
        "cumulative_thickness_mm_per_cm2": (metrics.cumulative_thickness_mm_per_cm2, None, ""),
        "yellow_dots": (
            metrics.yellow_dots,
            None if metrics.yellow_dots is None else math.sqrt(metrics.yellow_dots),
            poisson,
        ),
    }
    return rows


def _header(report: VisitReport) -> str:
    current, previous = report.current, report.previous
    facts = []
    if report.patient:
        facts.append(f"<b>Patient:</b> {_e(report.patient)}")
    facts.append(f"<b>Site:</b> {_e(current.region)}")
    facts.append(
        f"<b>{_e(current.label.capitalize())}:</b> "
        f"{_e(current.date.isoformat()) if current.date else 'date not given'}"
    )
    if previous is not None:
        when = previous.date.isoformat() if previous.date else "date not given"
        facts.append(f"<b>{_e(previous.label.capitalize())}:</b> {_e(when)}")
        if previous.date and current.date:
            facts.append(f"<b>Interval:</b> {(current.date - previous.date).days} days")
    facts.append(f"<b>Report made:</b> {report.created.strftime('%Y-%m-%d %H:%M UTC')}")
    return (
        "<h1>Trichoscopy visit report</h1>"
        f"<p class='meta'>{' &nbsp;·&nbsp; '.join(facts)}</p>"
        f"<div class='disclaimer'><b>Decision support, not a diagnosis.</b> {_e(DISCLAIMER)}"
        "</div>"
    )


def _card(value: str, label: str) -> str:
    return f"<div class='card'><div class='v'>{value}</div><div class='k'>{label}</div></div>"


def _summary(report: VisitReport) -> str:
    m = report.metrics
    values = metric_values(m)
    cards = [
        _card(
            f"{m.density_per_cm2:,.0f} ± {m.density_se_per_cm2:,.0f}",
            f"hairs per cm² (± 1 SE, {values['density_per_cm2'][2]})",
        ),
        _card(
            f"{m.terminal_share_percent:.0f} / "
            f"{values['intermediate_share'][0]:.0f} / {m.vellus_share_percent:.0f}",
            "% terminal / intermediate / vellus",
        ),
        _card(
            f"{m.thin_share_percent:.1f} ± {m.thin_share_se_percent:.1f}%",
            f"thin hairs (< {report.cutoffs.thin_below_um:g} µm)",
        ),
        _card(
            f"{m.mean_diameter_um:.1f} ± {_num(m.mean_diameter_se_um, 1)}",
            f"mean diameter, µm ({m.hair_count} hairs)",
        ),
    ]
    if report.comparison is not None:
        density = report.comparison.changes[0]
        cards.append(
            _card(
                f"{density.difference:+,.0f} ± {density.se:,.0f}",
                "change in hairs per cm² since the previous visit",
            )
        )
    if report.criteria is not None:
        c = report.criteria
        cards.append(
            _card(
                "matches" if c.pattern_matches else "no match",
                f"Rakowska 2009 pattern ({c.major_met} major, {c.minor_met} minor criteria met)",
            )
        )
    return "<h2>Summary</h2><div class='cards'>" + "".join(cards) + "</div>"


def _measurements(report: VisitReport) -> str:
    values = metric_values(report.metrics)
    region = report.current.region
    rows = []
    for key, label, unit, digits in METRIC_ROWS:
        value, se, how = values[key]
        if se is None or (isinstance(se, float) and math.isnan(se)):
            error = interval = "-"
        else:
            error = f"± {_num(se, digits)} ({how})"
            # Every measure here is >= 0 (shares <= 100%): the normal interval is clipped.
            top = min(value + Z95 * se, 100.0) if unit.startswith("%") else value + Z95 * se
            interval = f"{_num(max(value - Z95 * se, 0.0), digits)} to {_num(top, digits)}"
        field = {"terminal_share": "", "intermediate_share": ""}.get(key, key)
        references = reference_values(field, region=region) if field else ()
        if references:
            reference = "<br>".join(
                f"{_e(r.text)} <span class='note'>({_e(r.population)}; {_e(r.source)})</span>"
                for r in references
            )
        else:
            reference = f"<span class='note'>{NO_RANGE}</span>"
        rows.append(
            f"<tr><td class='l'>{_e(label)}</td><td class='n'>{_num(value, digits)}</td>"
            f"<td class='l n'>{_e(unit)}</td><td class='n'>{error}</td>"
            f"<td class='n'>{interval}</td>"
            f"<td class='l'>{reference}</td></tr>"
        )
    m = report.metrics
    c = report.cutoffs
    return (
        "<h2>Measurements</h2>"
        f"<p>{m.hair_count} hairs in {report.current.area_cm2:.4f} cm² "
        f"({report.current.image_count or 'no'} image(s)){_entering(m)}. Classes: terminal ≥ "
        f"{c.terminal_min_um:g} µm, vellus ≤ {c.vellus_max_um:g} µm, intermediate between; "
        f"thin &lt; {c.thin_below_um:g} µm (Rakowska 2009).</p>"
        "<table><tr><th class='l'>measure</th><th>value</th><th class='l'>unit</th>"
        "<th>± 1 SE</th><th>95% interval</th><th class='l'>published reference</th></tr>"
        + "".join(rows)
        + "</table><p class='note'>Errors are counting noise only (Poisson for counts and "
        "densities, binomial for shares, SD/√n for the mean diameter; 95% interval = ± 1.96 "
        "SE); the density's error also holds the guess of which end of a hair cut by the "
        "frame is its exit. They do not include the error of the scale, which moves every "
        "diameter by the same factor, nor the analyser's misses and false finds ("
        + ANALYSER_ON_REAL_IMAGES
        + "): check the overlays.</p>"
    )


def _out_of_view(count: int) -> str:
    """Hairs the reframing moved out of the other visit's counting frame."""
    if not count:
        return ""
    return (
        f"; {count} not followed: the reframing puts {'its' if count == 1 else 'their'} "
        "exit outside the other visit's counting frame, so neither lost nor new"
    )


def _entering(m) -> str:
    """Hairs seen but not counted: their exit lies outside the counting frame."""
    if not m.hairs_exit_outside:
        return ""
    return (
        f"; {m.hairs_exit_outside} more were seen with their exit outside the counting frame "
        f"(outside the field, or within {GUARD_ZONE_UM:g} µm of its edge or a masked graphic) "
        "and are not "
        "counted: a hair belongs to the field its exit lies in"
    )


def _legend(report: VisitReport) -> str:
    c = report.cutoffs

    def swatch(rgb) -> str:
        return f"<span class='sw' style='background:rgb{tuple(rgb)}'></span>"

    return (
        "<p class='legend'><b>Overlay legend:</b>"
        f"{swatch(THIN)}thin (&lt; {c.thin_below_um:g} µm)"
        f"{swatch(MIDDLE)}{c.thin_below_um:g}-{c.terminal_min_um:g} µm (vellus up to "
        f"{c.vellus_max_um:g} µm, then intermediate)"
        f"{swatch(TERMINAL)}terminal (≥ {c.terminal_min_um:g} µm). "
        "Circle: exit point, labelled hair:diameter in µm; white line: hairs of one "
        "follicular unit; yellow ring: yellow dot; grey hatching: masked text bar. "
        "Dotted line: the counting frame; a hair in (brackets) with a grey circle exits "
        "outside it and is seen but not counted. "
        "The bar at the bottom right gives the scale.</p>"
    )


def _images(report: VisitReport) -> str:
    parts = []
    for visit in (report.current, report.previous, report.occipital):
        if visit is None or not visit.images:
            continue
        title = f"{visit.label} ({visit.region})"
        parts.append(f"<h3>{_e(title.capitalize())}</h3>")
        for image, scale in zip(visit.images, visit.scales, strict=True):
            a = image.analysis
            found = "found"
            edits = applied_counts(a)
            if edits is not None:  # say so: the hairs are not the analyser's alone
                found = (
                    f"found and corrected by hand ({edits['removed']} removed, "
                    f"{edits['added']} added, {edits['split']} split)"
                )
            parts.append(
                "<div class='pair'>"
                f"<figure>{_img(input_png(image), image.name)}"
                f"<figcaption>{_e(image.name)}: as taken</figcaption></figure>"
                f"<figure>{_img(overlay_png(image, cutoffs=report.cutoffs), 'overlay')}"
                f"<figcaption>{found}: {len(a.hairs)} hairs, "
                f"{len(a.yellow_dots_um)} yellow dots in {a.area_cm2:.4f} cm²; "
                f"{scale.um_per_px:.3g} µm/px ({_e(scale.how)})</figcaption></figure>"
                "</div>"
            )
            if a.warnings:  # the scale check, the focus check: what to trust less
                notes = "".join(f"<li>{_e(w)}</li>" for w in a.warnings)
                parts.append(f"<ul class='note'>{notes}</ul>")
    if not parts:
        return "<h2>Images</h2><p>This report was made from hairs tables; no images were given.</p>"
    return "<h2>Images and what was found</h2>" + _legend(report) + "".join(parts)


def _histogram(report: VisitReport) -> str:
    previous = report.previous.hairs if report.previous is not None else None
    labels = (report.current.label, report.previous.label if report.previous else "")
    figure = diameter_histogram(
        report.current.hairs, cutoffs=report.cutoffs, previous=previous, labels=labels
    )
    return (
        "<h2>Shaft diameters</h2>"
        + _img(figure, "diameter histogram")
        + "<p class='note'>5 µm bins; bars coloured as in the overlay"
        + ("; the black outline is the previous visit." if previous is not None else ".")
        + " Miniaturization shows as a growing share of thin hairs and a wider spread.</p>"
    )


def _criterion_row(c) -> str:
    value = "-" if c.value is None or math.isnan(c.value) else _num(float(c.value), 2)
    css = "met" if c.verdict == "met" else "ok" if c.verdict == "not met" else "note"
    note = f"<br><span class='note'>{_e(c.note)}</span>" if c.note else ""
    return (
        f"<tr><td class='l'>{_e(c.name)}{note}</td><td class='l'>{_e(c.kind)}</td>"
        f"<td>{value}</td><td class='l'>{_e(c.threshold)}</td>"
        f"<td class='l {css}'>{_e(c.verdict)}</td></tr>"
    )


def _criteria(report: VisitReport) -> str:
    caveat = (
        "<p class='note'><b>Caveat:</b> Rakowska et al. 2009 (Int J Trichology 1:123) "
        "derived and validated these criteria in 131 women with histology-confirmed "
        "diagnoses, from 70x images of the frontal and occipital areas with at least 50 hairs "
        "per area. They were not validated in men; for a man, read them as a description, "
        f"not as a test. {_e(CRITERIA_DISCLAIMER)}</p>"
    )
    head = (
        "<table><tr><th class='l'>criterion</th><th class='l'>kind</th><th>value</th>"
        "<th class='l'>threshold</th><th class='l'>verdict</th></tr>"
    )
    if report.criteria is None:
        sign = anisotrichosis_sign(report.metrics)
        return (
            "<h2>Rakowska 2009 criteria</h2>"
            "<p>Not evaluated: the criteria compare the frontal area with the occipital area "
            "of the same visit; give occipital images (or a hairs table) to evaluate them. "
            "The sign below needs one site only.</p>"
            + head
            + _criterion_row(sign)
            + "</table>"
            + caveat
        )
    criteria = report.criteria
    rows = "".join(_criterion_row(c) for c in (*criteria.criteria, criteria.anisotrichosis))
    warnings = "".join(f"<li>{_e(w)}</li>" for w in criteria.warnings)
    occipital = report.occipital_metrics
    return (
        "<h2>Rakowska 2009 criteria</h2>"
        f"<p>Frontal: this visit ({report.metrics.hair_count} hairs); occipital: "
        f"{occipital.hair_count} hairs in {report.occipital.area_cm2:.4f} cm², mean diameter "
        f"{occipital.mean_diameter_um:.1f} µm.</p>"
        + head
        + rows
        + "</table>"
        + f"<p><b>Finding:</b> {_e(criteria.finding)}</p>"
        + (f"<ul class='note'>{warnings}</ul>" if warnings else "")
        + caveat
    )


def _change(report: VisitReport) -> str:
    comparison = report.comparison
    if comparison is None:
        return ""
    rows = []
    for change in comparison.changes:
        label, unit, digits = CHANGE_LABELS.get(change.name, (change.name, "", 2))
        rows.append(
            f"<tr><td class='l'>{_e(label)}</td><td class='l'>{_e(unit)}</td>"
            f"<td>{_num(change.before, digits)}</td><td>{_num(change.after, digits)}</td>"
            f"<td><b>{change.difference:+,.{digits}f}</b></td><td>± {_num(change.se, digits)}"
            f"</td><td>{_num(change.ci95_low, digits)} to {_num(change.ci95_high, digits)}</td>"
            "</tr>"
        )
    parts = [
        "<h2>Change since the previous visit</h2>",
        "<table><tr><th class='l'>measure</th><th class='l'>unit</th><th>previous</th>"
        "<th>this visit</th><th>change</th><th>± 1 SE</th><th>95% interval</th></tr>",
        *rows,
        "</table>",
        "<p class='note'>An interval that contains 0 means the change is within counting "
        "noise.</p>",
    ]
    counts = report.matched_counts()
    if counts is None:
        parts.append("<p>Hairs were not matched one by one (no exit positions to match).</p>")
    else:
        shifts = ", ".join(
            f"({m.comparison.shift_um[0]:+.0f}, {m.comparison.shift_um[1]:+.0f}) µm"
            for m in report.matched
        )
        parts.append(
            f"<p><b>Hair by hair:</b> {counts['persisting']} hairs found at both visits "
            f"({counts['thinned']} thinner by more than {report.thinning_um:g} µm, "
            f"{counts['thickened']} thicker by more), {counts['lost']} lost, "
            f"{counts['new']} new{_out_of_view(counts['out_of_view'])}. "
            f"The framing moved by {shifts} between the visits "
            "(registration); hairs were then paired one to one by exit point, within "
            f"{comparison.provenance['parameters']['match_radius_um']:g} µm. Matching "
            "follows change more closely than re-counting (trichoscopy.md: ~0.6% against "
            f"~7-12%), when both images show the same spot: chance alone pairs up to "
            f"{counts['chance_persisting']} (the previous visit against this one turned by "
            "random angles).</p>"
        )
        unsure = report.images_not_same_spot()
        if unsure:
            images = [str(k + 1) for k in unsure if k is not None]
            which = f" (image {', '.join(images)})" if images else ""
            parts.append(
                f"<p class='warn'><b>Probably not the same spot</b>{_e(which)}: the two "
                "visits share no more hairs than chance would pair, "
                "so the lost, new, thinned and thickened hairs there mean nothing. The "
                "changes above (density, diameter) still compare the two areas. Photograph "
                "the same marked spot at each visit to follow hairs one by one.</p>"
            )
        for m in report.matched:
            figure = matched_hairs_figure(
                report.previous, report.current, m.comparison, image_index=m.image_index
            )
            parts.append(_img(figure, "matched hairs, two visits side by side"))
        parts.append(
            "<p class='note'>A hair found at both visits carries the same number in both "
            "panels. Colours give its fate; lost hairs are marked on the previous visit, new "
            "ones on this visit, and hairs out of the other visit's view in grey.</p>"
        )
        pairs = pd.concat([m.comparison.hairs for m in report.matched], ignore_index=True)
        scatter = diameter_change_figure(pairs, thinning_um=report.thinning_um)
        parts.append(_img(scatter, "diameter of matched hairs, previous against this visit"))
    parts += [f"<p class='note'>{_e(n)}</p>" for n in report.notes]
    return "".join(parts)


def _provenance(report: VisitReport) -> str:
    lines = []
    for visit in report.provenance["visits"]:
        for f in visit["inputs"]:
            lines.append(
                f"<tr><td class='l'>{_e(visit['label'])}</td><td class='l'>{_e(f['role'])}</td>"
                f"<td class='l'>{_e(f['file'])}</td><td class='l'><code>{f['sha256']}</code>"
                "</td></tr>"
            )
    scales = []
    for visit in report.provenance["visits"]:
        if isinstance(visit["scale"], list):
            scales += [
                f"<li>{_e(s['image'])}: {s['um_per_px']:.4g} µm/px, {_e(s['how'])}"
                + (f": {_e(s['detail'])}" if s["detail"] else "")
                + "</li>"
                for s in visit["scale"]
            ]
        else:
            scales.append(f"<li>{_e(visit['label'])}: {_e(visit['scale'])}</li>")
    return (
        "<h2>Provenance</h2>"
        f"<p>follicle {_e(report.provenance['version'])}, report made "
        f"{_e(report.provenance['created_utc'])}.</p>"
        "<table><tr><th class='l'>visit</th><th class='l'>input</th><th class='l'>file</th>"
        "<th class='l'>SHA-256</th></tr>" + "".join(lines) + "</table>"
        "<p><b>Scale and how it was set:</b></p><ul>" + "".join(scales) + "</ul>"
        "<details><summary>all parameters</summary><pre>"
        + _e(json.dumps(report.provenance, indent=1, default=str))
        + "</pre></details>"
        f"<p class='note'>{_e(DISCLAIMER)}</p>"
    )


def visit_report_html(report: VisitReport) -> str:
    title = "Trichoscopy visit report" + (f": {report.patient}" if report.patient else "")
    return "\n".join(
        [
            f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{STYLE}{VISIT_STYLE}</style></head><body>",
            _header(report),
            _summary(report),
            _measurements(report),
            _images(report),
            _histogram(report),
            _criteria(report),
            _change(report),
            _provenance(report),
            "</body></html>",
        ]
    )
