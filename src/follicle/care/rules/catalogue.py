"""The numbered care rules (``care-protocols.md``) and where follicle applies each one.

Rules marked ``addition`` are not in ``care-protocols.md``: follicle adds them, and their
``source`` says where they come from (product labelling, mostly).

This table is the single source for the rules reference in ``docs/rules.md`` (a test keeps
the two in step) and for ``follicle plan check --json`` rule titles. Every rule has at
least one place where it is enforced; partial scope is stated in ``limits``.
"""

from __future__ import annotations

from dataclasses import dataclass

ARTICLE_MICRONEEDLING = "microneedling-for-hair"
ARTICLE_OVERVIEW = "hair-miniaturization-overview, follicle-miniaturization-reversal"
LABEL = "product labelling"


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    kind: str
    source: str
    applied_in: tuple[str, ...]
    limits: str = ""
    #: not in care-protocols.md: added by follicle, with ``source`` naming where it comes from
    addition: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        "MN-1",
        "Clean the scalp; sterilise the roller in 70% isopropyl alcohol before every use.",
        "checklist every session",
        ARTICLE_MICRONEEDLING,
        ("plan: info", "calendar: checklist in every session event"),
        "follicle cannot see whether the checklist was followed; it reminds, it does not verify.",
    ),
    Rule(
        "MN-2",
        "Roll horizontally, vertically and diagonally with moderate pressure.",
        "instruction",
        ARTICLE_MICRONEEDLING,
        ("plan: info", "calendar: instruction in every session event"),
    ),
    Rule(
        "MN-3",
        "A session takes 10-15 minutes.",
        "warn outside range",
        ARTICLE_MICRONEEDLING,
        ("plan: warn on session_minutes", "journal: warn on duration_minutes"),
    ),
    Rule(
        "MN-4",
        "With 1.0-1.5 mm needles, one session every 1-3 weeks.",
        "block < 7 days at >= 1.0 mm; warn > 21 days",
        ARTICLE_MICRONEEDLING,
        (
            "plan: interval_days; block several sessions a day (times_of_day), as the calendar",
            "journal: block a session < 7 days after the previous one",
        ),
        "The warning for sparse sessions applies to needles >= 1.0 mm, the lengths the "
        "article gives the 1-3 week interval for.",
    ),
    Rule(
        "MN-5",
        "Beginners start with 0.5 mm to assess tolerance.",
        "warn when a first regimen starts above 0.5 mm",
        ARTICLE_MICRONEEDLING,
        ("plan: warn unless [health] microneedling_experience = true",),
    ),
    Rule(
        "MN-6",
        "1.5 mm reaches the bulge in studies; < 0.5 mm helps absorption but hardly stimulates.",
        "info",
        ARTICLE_MICRONEEDLING,
        ("plan: info",),
    ),
    Rule(
        "MN-7",
        "No minoxidil within 24 hours after microneedling with needles over 0.5 mm.",
        "block, in plans and in the journal",
        ARTICLE_MICRONEEDLING,
        (
            "plan: block without pause_after_microneedling_hours >= 24",
            "calendar: pause events of 24 real hours (DURATION:PT24H), skipped applications "
            "chosen in UTC (daylight-saving changes)",
            "journal: block flag on entry",
        ),
        "Applies to topical minoxidil (the article's concern is absorption through the "
        "needle channels); oral minoxidil is not affected.",
    ),
    Rule(
        "MN-8",
        "Replace the roller every 2-3 months.",
        "warn at 60 days, block at 90 days after first use",
        ARTICLE_MICRONEEDLING,
        (
            "plan: device_first_use_day",
            "calendar: replacement events every 60 days",
            "journal: device age at each session and in stats",
        ),
        "Rollers and stamps only: pens use single-use needle cartridges.",
    ),
    Rule(
        "MN-9",
        "No microneedling with active acne, scalp infection, psoriasis or eczema on the scalp, "
        "poor wound healing or keloid scarring.",
        "block",
        ARTICLE_MICRONEEDLING,
        (
            "plan: block from [health]; warn when a fact is unknown (no profile, keloid or "
            "wound healing not recorded): check with a clinician first",
            "intake: contraindications",
        ),
    ),
    Rule(
        "MN-10",
        "Active alopecia areata: consult a doctor first.",
        "block until a clinician's clearance is recorded",
        ARTICLE_MICRONEEDLING,
        ("plan: block from [health] or an [[alopecia_areata]] episode", "intake"),
    ),
    Rule(
        "MN-11",
        "Normal after a session: redness and swelling 2-3 days, pinpoint bleeding. "
        "Not normal: excessive bruising.",
        "triage: self-care",
        ARTICLE_MICRONEEDLING,
        ("journal: symptom triage",),
    ),
    Rule(
        "MN-12",
        "Oozing, extreme heat or pus: seek medical attention immediately.",
        "triage: urgent",
        ARTICLE_MICRONEEDLING,
        ("journal: symptom triage, with the emergency number (FOLLICLE_EMERGENCY_NUMBER)",),
    ),
    Rule(
        "MN-13",
        "Microneedling works best with minoxidil or an anti-androgen, not alone.",
        "info",
        ARTICLE_MICRONEEDLING,
        ("plan: info",),
    ),
    Rule(
        "MN-14",
        "Clinic devices 0.5-2.5 mm with numbing cream; home rollers 0.25-1.5 mm.",
        "validation range 0.1-2.5 mm",
        ARTICLE_MICRONEEDLING,
        ("regimen and journal validation", "plan: info for rollers over 1.5 mm"),
    ),
    Rule(
        "MN-15",
        "Rosemary oil on non-microneedling days; PRP and red light are complementary.",
        "info",
        ARTICLE_MICRONEEDLING,
        ("plan: info",),
    ),
    Rule(
        "MN-16",
        "Do not microneedle a red, inflamed, irritated or painful scalp; let it settle and "
        "check with a clinician first.",
        "warn",
        "addition: extends MN-9 to the scalp states of the RX-4 label; microneedling-for-hair: "
        "chronic scalp inflammation accelerates fibrosis around the follicle",
        ("plan: warn from [health] scalp_conditions", "intake: contraindications"),
        addition=True,
    ),
    Rule(
        "RX-1",
        "Finasteride is a prescription medicine; a licensed clinician decides.",
        "warn without a recorded prescriber",
        ARTICLE_OVERVIEW,
        ("plan: warn", "intake"),
    ),
    Rule(
        "RX-2",
        "Finasteride lowers DHT ~70%; with minoxidil it works better than either alone.",
        "info",
        ARTICLE_OVERVIEW,
        ("plan: info",),
    ),
    Rule(
        "RX-3",
        "Finasteride and dutasteride are not for women who are or may become pregnant; "
        "they must not handle crushed or broken tablets.",
        "block for a female profile unless a clinician's override is recorded",
        LABEL,
        ("plan: block", "intake"),
    ),
    Rule(
        "RX-4",
        "Topical minoxidil: not if hair loss is sudden or patchy, the cause is unknown, under 18, "
        "or the scalp is red, inflamed, infected, irritated or painful.",
        "block / refer",
        LABEL,
        ("plan: block unless a clinician's clearance is recorded", "intake: red flag"),
    ),
    Rule(
        "RX-5",
        "Stop minoxidil and ask a doctor on chest pain, rapid heartbeat, faintness or "
        "dizziness, sudden weight gain, swollen hands or feet.",
        "triage: urgent",
        LABEL,
        (
            "journal: symptom triage, with the emergency number (FOLLICLE_EMERGENCY_NUMBER)",
            "plan: info with minoxidil",
        ),
    ),
    Rule(
        "RX-6",
        "Gains last only while treatment continues.",
        "warn when a plan stops a medicine",
        ARTICLE_OVERVIEW,
        ("plan: warn on stop_day",),
    ),
    Rule(
        "RX-7",
        "Finasteride and dutasteride: know the side effects before starting (sexual side "
        "effects, mood changes and depression, breast changes, lower semen quality) and that "
        "they lower PSA by about half.",
        "info in plans; warn when sexual side effects are logged",
        "addition: finasteride (Propecia) and dutasteride (Avodart) prescribing information "
        "(adverse reactions, post-marketing reports, effect on PSA) [label]",
        (
            "plan: info with finasteride or dutasteride",
            "journal: sexual_side_effects -> warn, clinician",
            "intake: counselling in the treatments list",
        ),
        addition=True,
    ),
    Rule(
        "RX-8",
        "Topical minoxidil in pregnancy or while breastfeeding: ask a health professional "
        "before use.",
        "warn for a female profile who is or may be pregnant (or not recorded) or "
        "breastfeeding, unless a clearance is recorded",
        "addition: topical minoxidil Drug Facts ('If pregnant or breast-feeding, ask a health "
        "professional before use'); some labels (UK) say not to use it then [label]",
        ("plan: warn", "intake: contraindications"),
        addition=True,
    ),
    Rule(
        "RX-9",
        "Oral minoxidil is a prescription blood-pressure medicine: heart disease or low blood "
        "pressure need a doctor's decision; topical minoxidil with heart disease: ask a doctor "
        "first.",
        "block oral minoxidil with heart disease or low blood pressure unless a clearance is "
        "recorded; warn when unknown or with high blood pressure; warn topical with heart "
        "disease",
        "addition: oral minoxidil (Loniten) prescribing information (antihypertensive; "
        "pericardial effusion, angina); topical minoxidil Drug Facts ('Ask a doctor before use "
        "if you have heart disease') [label]",
        ("plan: block / warn from [health] heart_condition, blood_pressure", "intake"),
        addition=True,
    ),
    Rule(
        "TL-1",
        "Visible improvement takes 3-6 months; full results 6-12 months.",
        "info; first progress review at 3 months",
        ARTICLE_OVERVIEW,
        ("plan: info", "calendar: reviews at 3, 6 and 12 months"),
    ),
    Rule(
        "TL-2",
        "Minoxidil can cause extra shedding in the first weeks; it passes.",
        "info in the first 2 months",
        ARTICLE_OVERVIEW,
        ("plan: info", "journal: shedding logged in the first 2 months of minoxidil"),
    ),
    Rule(
        "TL-3",
        "Consistency matters.",
        "warn when journal adherence is below 80%",
        ARTICLE_MICRONEEDLING,
        ("journal stats: warn", "plan: warn on adherence < 0.8"),
    ),
    Rule(
        "TL-4",
        "Act early: dormant or dead follicles are much harder to regrow.",
        "info",
        ARTICLE_OVERVIEW,
        ("plan: info", "intake summary"),
    ),
    Rule(
        "RF-1",
        "Confirm the cause of the hair loss with a dermatologist or trichologist first.",
        "info in every plan",
        ARTICLE_MICRONEEDLING,
        ("plan: info", "intake: red flag until confirmed"),
    ),
    Rule(
        "RF-2",
        "Sudden or patchy hair loss suggests alopecia areata or another condition.",
        "refer",
        ARTICLE_OVERVIEW,
        ("plan: warn", "intake: red flag"),
    ),
    Rule(
        "RF-3",
        "A transplant does not stop miniaturization; medical treatment continues afterwards.",
        "info",
        ARTICLE_OVERVIEW,
        ("plan: info; warn when no medicine continues after the transplant",),
    ),
)

RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)
_BY_ID = {rule.id: rule for rule in RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this id; ``KeyError`` for an unknown id (a bug, not user input)."""
    return _BY_ID[rule_id]


def rules_markdown() -> str:
    """The rules table for ``docs/rules.md``."""
    lines = [
        "| id | rule | kind | source | applied in | limits |",
        "|---|---|---|---|---|---|",
    ]
    for item in RULES:
        cells = [
            f"{item.id} (addition)" if item.addition else item.id,
            item.statement,
            item.kind,
            item.source,
            "; ".join(item.applied_in),
            item.limits or "-",
        ]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
