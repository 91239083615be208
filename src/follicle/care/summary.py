"""A one-page summary of an intake to bring to a consultation (Markdown and HTML).

Both renderings come from the same sections, so they say the same thing. The page is
worded as information for the clinician and the person, never as a diagnosis.
"""

from __future__ import annotations

import html

from follicle.care.findings import DISCLAIMER, Severity
from follicle.care.intake import IntakeResult

TITLE = "Hair loss: summary for a consultation"
NOT_A_DIAGNOSIS = (
    "Made with follicle from the person's own answers. It is information to discuss, "
    "not a diagnosis or a prescription."
)


def _answers(result: IntakeResult) -> list[tuple[str, str]]:
    a = result.answers

    def listed(values) -> str:
        return ", ".join(v.replace("_", " ") for v in values) or "none"

    rows = [
        ("Sex, age", f"{a.sex}, {a.age_years:g} years"),
        ("Where", a.pattern.replace("_", " ")),
        ("Onset", f"{a.onset}, noticed for {a.duration_months:g} months"),
        ("Shedding", a.shedding),
        ("Possible triggers (6 months before)", listed(a.triggers)),
        ("Patches in eyebrows, lashes or beard", a.body_hair_patches),
        ("Scalp symptoms", listed(a.scalp_symptoms)),
        ("Psoriasis or eczema on the scalp", listed(a.scalp_conditions)),
        ("Family history of pattern loss", a.family_history),
        ("Poor wound healing / keloid scars", f"{a.poor_wound_healing} / {a.keloid_history}"),
        ("Alopecia areata diagnosed", a.alopecia_areata_diagnosed),
        (
            "Hair-loss medicines now",
            listed(a.current_medicines)
            + (f" (prescribed by {a.prescriber})" if a.prescriber else ""),
        ),
        ("Cause confirmed by a clinician", a.cause_confirmed_by_clinician),
    ]
    if a.sex == "female":
        rows.insert(9, ("Pregnant or could become pregnant", a.pregnancy_possible))
    return rows


def _questions(result: IntakeResult) -> list[str]:
    questions = ["What is causing my hair loss? Do I need a scalp exam, trichoscopy or a biopsy?"]
    if result.likely.pattern == "shedding_after_trigger":
        questions.append(
            "Could this be shedding after a trigger, and should I wait before starting treatment?"
        )
    if result.likely.pattern == "alopecia_areata":
        questions.append("Is alopecia areata active, and which treatments are safe now?")
    if any(t.status != "no contraindication found" for t in result.treatments):
        questions.append("Which of the treatments marked below suit me, and which should I avoid?")
    questions.append("When should we review progress? (improvement takes 3-6 months, TL-1)")
    return questions


def to_markdown(result: IntakeResult) -> str:
    lines = [f"# {TITLE}", "", f"*{result.made_on.isoformat()}. {NOT_A_DIAGNOSIS}*", ""]
    lines += ["## About the hair loss", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _answers(result)]
    likely = result.likely
    lines += [
        "",
        "## What the answers suggest (not a diagnosis)",
        "",
        f"**Likely pattern: {likely.label}.**",
        "",
    ]
    lines += [f"- {reason}" for reason in likely.reasons]
    if likely.also_consider:
        lines.append("- also consider: " + ", ".join(likely.to_dict()["also_consider"]))
    lines += ["", "## Red flags for the clinician", ""]
    if result.red_flags:
        lines += [
            f"- **{f.rule}** ({f.severity.value}): {f.message} {f.instead}".rstrip()
            for f in result.red_flags
        ]
    else:
        lines.append("- none from the answers")
    lines += [
        "",
        "## Treatments: contraindications found by the care rules",
        "",
        "| treatment | status | why |",
        "|---|---|---|",
    ]
    for screen in result.treatments:
        why = "; ".join(f"{f.rule}: {f.message}" for f in screen.findings) or "-"
        lines.append(f"| {screen.treatment} | {screen.status} | {why.replace('|', '/')} |")
    lines += ["", "## Questions to ask", ""]
    lines += [f"{n}. {q}" for n, q in enumerate(_questions(result), start=1)]
    lines += [
        "",
        "Act early: follicles that have been dormant for long are much harder to regrow (TL-4).",
        "",
        f"*{DISCLAIMER}*",
        "",
    ]
    return "\n".join(lines)


_CSS = """
body { font: 11pt/1.4 system-ui, sans-serif; max-width: 48rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.05rem; margin: 1rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc;
padding: .2rem .4rem; vertical-align: top; text-align: left; }
.note { color: #555; font-style: italic; } .block { color: #a00; font-weight: bold; }
.warn { color: #a60; font-weight: bold; }
@media print { body { margin: 0; font-size: 10pt; } }
"""


def to_html(result: IntakeResult) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(TITLE)}</h1>",
        f'<p class="note">{e(result.made_on.isoformat())}. {e(NOT_A_DIAGNOSIS)}</p>',
        "<h2>About the hair loss</h2><table>",
    ]
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _answers(result)]
    likely = result.likely
    parts += [
        "</table>",
        "<h2>What the answers suggest (not a diagnosis)</h2>",
        f"<p><strong>Likely pattern: {e(likely.label)}.</strong></p><ul>",
    ]
    parts += [f"<li>{e(r)}</li>" for r in likely.reasons]
    if likely.also_consider:
        parts.append(
            "<li>also consider: " + e(", ".join(likely.to_dict()["also_consider"])) + "</li>"
        )
    parts += ["</ul>", "<h2>Red flags for the clinician</h2><ul>"]
    for f in result.red_flags:
        css = {Severity.BLOCK: "block", Severity.WARN: "warn"}.get(f.severity, "")
        parts.append(
            f'<li><span class="{css}">{e(f.rule)}</span> {e(f.message)} {e(f.instead)}</li>'
        )
    if not result.red_flags:
        parts.append("<li>none from the answers</li>")
    parts += [
        "</ul>",
        "<h2>Treatments: contraindications found by the care rules</h2>",
        "<table><tr><th>treatment</th><th>status</th><th>why</th></tr>",
    ]
    for screen in result.treatments:
        why = "<br>".join(f"{e(f.rule)}: {e(f.message)}" for f in screen.findings) or "-"
        css = {"not now": "block", "check first": "warn"}.get(screen.status, "")
        parts.append(
            f'<tr><td>{e(screen.treatment)}</td><td class="{css}">'
            f"{e(screen.status)}</td><td>{why}</td></tr>"
        )
    parts += ["</table>", "<h2>Questions to ask</h2><ol>"]
    parts += [f"<li>{e(q)}</li>" for q in _questions(result)]
    parts += [
        "</ol>",
        "<p>Act early: follicles that have been dormant for long are much harder to "
        "regrow (TL-4).</p>",
        f'<p class="note">{e(DISCLAIMER)}</p>',
        "</body></html>",
        "",
    ]
    return "\n".join(parts)
