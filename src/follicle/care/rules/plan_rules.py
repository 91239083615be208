"""Rules applied to a regimen (and optionally a person): one function per rule id.

Each check takes a :class:`PlanContext` and returns findings. Checks never raise on a
valid regimen; a fact the person profile does not give becomes an ``info`` finding that
says what to check, never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from follicle.care.findings import Finding, Severity, Triage
from follicle.care.profile import HealthProfile
from follicle.care.settings import emergency_advice
from follicle.person import Person
from follicle.regimen import Microneedling, Minoxidil, Regimen

MEDICINES = ("finasteride", "dutasteride", "minoxidil")
ANTI_ANDROGENS = ("finasteride", "dutasteride")
#: MN-7: needles longer than this open channels that let minoxidil in too fast.
MN7_NEEDLE_MM = 0.5
MN7_PAUSE_HOURS = 24.0
#: MN-4: at or above this length, sessions at least 7 and at most 21 days apart.
MN4_NEEDLE_MM = 1.0
MN4_MIN_INTERVAL_DAYS = 7
MN4_MAX_INTERVAL_DAYS = 21
#: MN-3: session length.
MN3_MINUTES = (10.0, 15.0)
#: MN-5, MN-6: beginner length and the study length.
BEGINNER_NEEDLE_MM = 0.5
STUDY_NEEDLE_MM = 1.5
#: MN-8: device age (days since first use).
ROLLER_WARN_DAYS = 60
ROLLER_BLOCK_DAYS = 90
FIXED_NEEDLE_DEVICES = ("roller", "stamp")
#: MN-9 and RX-4 scalp conditions.
MN9_CONDITIONS = ("acne", "infection", "psoriasis", "eczema")
RX4_CONDITIONS = ("red", "inflamed", "infection", "irritated", "painful")
#: MN-16 (addition): irritation that is not an MN-9 disease.
MN16_CONDITIONS = ("red", "inflamed", "irritated", "painful")
#: TL-3.
ADHERENCE_WARN = 0.8
#: MN-14: home rollers are made up to this length.
HOME_ROLLER_MAX_MM = 1.5
#: How far ahead overlaps are searched for ongoing courses (days).
SEARCH_HORIZON_DAYS = 3 * 365


@dataclass(frozen=True)
class PlanContext:
    regimen: Regimen
    person: Person | None

    @property
    def health(self) -> HealthProfile | None:
        return self.person.health if self.person is not None else None

    def indexed(self, *kinds: str) -> Iterator[tuple[int, object]]:
        for index, item in enumerate(self.regimen.treatment):
            if item.kind in kinds:
                yield index, item


Check = Callable[[PlanContext], list[Finding]]
PLAN_CHECKS: list[tuple[str, Check]] = []


def plan_rule(rule_id: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        PLAN_CHECKS.append((rule_id, function))
        return function

    return register


def _label(index: int, item) -> str:
    if item.kind == "microneedling":
        return f"treatment[{index}] (microneedling, {item.needle_mm:g} mm)"
    if item.kind == "minoxidil":
        return f"treatment[{index}] ({item.route} minoxidil)"
    return f"treatment[{index}] ({item.kind})"


def _end_day(item, fallback: int) -> int:
    stop = getattr(item, "stop_day", None)
    return stop if stop is not None else fallback


def _session_days(item: Microneedling) -> list[int]:
    return item.session_days(item.start_day + SEARCH_HORIZON_DAYS)


# --- microneedling ---------------------------------------------------------------


@plan_rule("MN-1")
def _mn1(ctx: PlanContext) -> list[Finding]:
    if not any(ctx.indexed("microneedling")):
        return []
    return [
        Finding(
            "MN-1",
            Severity.INFO,
            "Before every session: wash the scalp and sterilise the roller in 70% isopropyl "
            "alcohol. The calendar puts this checklist in each session.",
        )
    ]


@plan_rule("MN-2")
def _mn2(ctx: PlanContext) -> list[Finding]:
    if not any(ctx.indexed("microneedling")):
        return []
    return [
        Finding(
            "MN-2",
            Severity.INFO,
            "Roll over the thinning areas horizontally, vertically and diagonally with moderate "
            "pressure: pricking, never excruciating.",
        )
    ]


@plan_rule("MN-3")
def _mn3(ctx: PlanContext) -> list[Finding]:
    low, high = MN3_MINUTES
    findings = []
    for index, item in ctx.indexed("microneedling"):
        if not low <= item.session_minutes <= high:
            findings.append(
                Finding(
                    "MN-3",
                    Severity.WARN,
                    f"{_label(index, item)}: session_minutes = {item.session_minutes:g}; a "
                    f"session takes {low:g}-{high:g} minutes.",
                    f"Set session_minutes between {low:g} and {high:g}.",
                    treatment=index,
                )
            )
    return findings


def several_sessions_a_day(item) -> bool:
    """MN-4: a microneedling course whose ``times_of_day`` puts 2+ deep sessions on a day."""
    return (
        item.kind == "microneedling"
        and item.needle_mm >= MN4_NEEDLE_MM
        and len(item.times_of_day) > 1
    )


@plan_rule("MN-4")
def _mn4(ctx: PlanContext) -> list[Finding]:
    findings = []
    for index, item in ctx.indexed("microneedling"):
        if item.needle_mm < MN4_NEEDLE_MM:
            continue
        if several_sessions_a_day(item):
            findings.append(
                Finding(
                    "MN-4",
                    Severity.BLOCK,
                    f"{_label(index, item)}: times_of_day = {list(item.times_of_day)} puts "
                    f"{len(item.times_of_day)} sessions on each session day; with needles of "
                    f"{MN4_NEEDLE_MM:g} mm or more the scalp needs 1-3 weeks to regenerate "
                    "between sessions.",
                    "Give one time of day (the session's start), e.g. times_of_day = "
                    f'["{item.times_of_day[0]}"], and interval_days between '
                    f"{MN4_MIN_INTERVAL_DAYS} and {MN4_MAX_INTERVAL_DAYS}.",
                    treatment=index,
                )
            )
        elif item.interval_days < MN4_MIN_INTERVAL_DAYS:
            findings.append(
                Finding(
                    "MN-4",
                    Severity.BLOCK,
                    f"{_label(index, item)}: a session every {item.interval_days} days is too "
                    f"often for needles of {MN4_NEEDLE_MM:g} mm or more; the scalp needs 1-3 "
                    "weeks to regenerate.",
                    f"Set interval_days between {MN4_MIN_INTERVAL_DAYS} and "
                    f"{MN4_MAX_INTERVAL_DAYS} (7 = weekly).",
                    treatment=index,
                )
            )
        elif item.interval_days > MN4_MAX_INTERVAL_DAYS:
            findings.append(
                Finding(
                    "MN-4",
                    Severity.WARN,
                    f"{_label(index, item)}: a session every {item.interval_days} days is "
                    f"sparser than the 1-3 weeks the protocol uses; it is unlikely to help.",
                    f"Set interval_days between {MN4_MIN_INTERVAL_DAYS} and "
                    f"{MN4_MAX_INTERVAL_DAYS}.",
                    treatment=index,
                )
            )
    # Two courses that overlap can together be too frequent even when each is not.
    sessions = sorted(
        (day, index, item.needle_mm)
        for index, item in ctx.indexed("microneedling")
        for day in _session_days(item)
    )
    for (day_a, index_a, mm_a), (day_b, index_b, mm_b) in itertools.pairwise(sessions):
        if index_a == index_b or max(mm_a, mm_b) < MN4_NEEDLE_MM:
            continue
        if day_b - day_a < MN4_MIN_INTERVAL_DAYS:
            findings.append(
                Finding(
                    "MN-4",
                    Severity.BLOCK,
                    f"treatment[{index_a}] and treatment[{index_b}] put microneedling sessions "
                    f"on days {day_a} and {day_b}, {day_b - day_a} days apart; with needles of "
                    f"{MN4_NEEDLE_MM:g} mm or more sessions must be at least "
                    f"{MN4_MIN_INTERVAL_DAYS} days apart.",
                    "Make the courses follow one another (stop_day of the first <= start_day "
                    "of the second) or space their sessions 7 days apart.",
                    treatment=index_b,
                )
            )
            break
    return findings


@plan_rule("MN-5")
def _mn5(ctx: PlanContext) -> list[Finding]:
    courses = sorted(ctx.indexed("microneedling"), key=lambda pair: pair[1].start_day)
    if not courses:
        return []
    index, first = courses[0]
    health = ctx.health
    if first.needle_mm <= BEGINNER_NEEDLE_MM or (health and health.microneedling_experience):
        return []
    known = health is not None and health.microneedling_experience is False
    who = "You have not microneedled before" if known else "If this is your first microneedling"
    return [
        Finding(
            "MN-5",
            Severity.WARN,
            f"{who}: the plan starts with {first.needle_mm:g} mm needles ({_label(index, first)}); "
            f"beginners start with {BEGINNER_NEEDLE_MM:g} mm to assess tolerance.",
            f"Start with a {BEGINNER_NEEDLE_MM:g} mm course and a later course at the longer "
            "length; or record microneedling_experience = true in the person's [health] table.",
            treatment=index,
        )
    ]


@plan_rule("MN-6")
def _mn6(ctx: PlanContext) -> list[Finding]:
    findings = []
    for index, item in ctx.indexed("microneedling"):
        if item.needle_mm < BEGINNER_NEEDLE_MM:
            text = (
                f"needles shorter than {BEGINNER_NEEDLE_MM:g} mm may help topicals absorb but "
                "are unlikely to stimulate the follicle stem cells."
            )
        elif item.needle_mm >= STUDY_NEEDLE_MM:
            text = f"{STUDY_NEEDLE_MM:g} mm is the length studies used to reach the follicle bulge."
        else:
            text = (
                f"lengths from {BEGINNER_NEEDLE_MM:g} mm stimulate the scalp; studies used "
                f"{STUDY_NEEDLE_MM:g} mm to reach the follicle bulge."
            )
        findings.append(
            Finding("MN-6", Severity.INFO, f"{_label(index, item)}: {text}", treatment=index)
        )
    return findings


def mn7_conflict_day(needling: Microneedling, minoxidil: Minoxidil) -> int | None:
    """First session day of ``needling`` with ``minoxidil`` applied within the next 24 h."""
    for day in _session_days(needling):
        # the 24 h after a session on `day` cover the rest of `day` and part of `day + 1`
        if minoxidil.active_on(day) or minoxidil.active_on(day + 1):
            return day
        if minoxidil.stop_day is not None and day > minoxidil.stop_day:
            return None
    return None


@plan_rule("MN-7")
def _mn7(ctx: PlanContext) -> list[Finding]:
    findings = []
    minoxidils = [(i, m) for i, m in ctx.indexed("minoxidil") if m.route == "topical"]
    for index_n, needling in ctx.indexed("microneedling"):
        if needling.needle_mm <= MN7_NEEDLE_MM:
            continue
        for index_m, minoxidil in minoxidils:
            pause = minoxidil.pause_after_microneedling_hours
            if pause is not None and pause >= MN7_PAUSE_HOURS:
                continue
            day = mn7_conflict_day(needling, minoxidil)
            if day is None:
                continue
            have = "no pause" if pause is None else f"a pause of only {pause:g} h"
            findings.append(
                Finding(
                    "MN-7",
                    Severity.BLOCK,
                    f"{_label(index_m, minoxidil)} is applied in the 24 hours after the "
                    f"sessions of {_label(index_n, needling)} (first on day {day}) with {have}. "
                    f"After needles over {MN7_NEEDLE_MM:g} mm minoxidil can enter the "
                    "bloodstream too fast (palpitations, dizziness).",
                    f"Add pause_after_microneedling_hours = 24 to treatment[{index_m}]: "
                    "follicle's calendar then skips the applications in the 24 hours after "
                    f"each session. Or use needles of {MN7_NEEDLE_MM:g} mm or less.",
                    treatment=index_m,
                )
            )
    return findings


@plan_rule("MN-8")
def _mn8(ctx: PlanContext) -> list[Finding]:
    findings = []
    for index, item in ctx.indexed("microneedling"):
        if item.device not in FIXED_NEEDLE_DEVICES:
            continue
        first_use = item.device_first_use_day
        first_use = item.start_day if first_use is None else first_use
        age = item.start_day - first_use
        if age >= ROLLER_BLOCK_DAYS:
            findings.append(
                Finding(
                    "MN-8",
                    Severity.BLOCK,
                    f"{_label(index, item)}: the {item.device} will be {age} days old at the first "
                    f"session; after {ROLLER_BLOCK_DAYS} days needles are blunt and tear the "
                    "skin, which can scar.",
                    f"Replace the {item.device} before the first session and set "
                    f"device_first_use_day = {item.start_day}.",
                    treatment=index,
                )
            )
        elif age >= ROLLER_WARN_DAYS:
            findings.append(
                Finding(
                    "MN-8",
                    Severity.WARN,
                    f"{_label(index, item)}: the {item.device} will be {age} days old at the first "
                    f"session; replace it every {ROLLER_WARN_DAYS}-{ROLLER_BLOCK_DAYS} days.",
                    f"Replace the {item.device} soon and set device_first_use_day to the day "
                    "of the new one.",
                    treatment=index,
                )
            )
        elif _end_day(item, item.start_day + SEARCH_HORIZON_DAYS) - first_use > ROLLER_WARN_DAYS:
            findings.append(
                Finding(
                    "MN-8",
                    Severity.INFO,
                    f"{_label(index, item)}: replace the {item.device} every "
                    f"{ROLLER_WARN_DAYS}-{ROLLER_BLOCK_DAYS} days (blunt needles tear the skin); "
                    f"the calendar schedules a replacement every {ROLLER_WARN_DAYS} days.",
                    treatment=index,
                )
            )
    return findings


@plan_rule("MN-9")
def _mn9(ctx: PlanContext) -> list[Finding]:
    courses = list(ctx.indexed("microneedling"))
    if not courses:
        return []
    index = courses[0][0]
    health = ctx.health
    unknown = "Check with a clinician first that none applies before the first session: "
    unknown += "active acne or a scalp infection, psoriasis or eczema on the scalp, poor wound "
    unknown += "healing, keloid scars."
    instead = (
        "Ask a clinician; record the answers in the person's [health] table "
        "(poor_wound_healing, keloid_history, scalp_conditions)."
    )
    if health is None:
        return [
            Finding(
                "MN-9",
                Severity.WARN,
                "No person profile given. " + unknown,
                instead,
                treatment=index,
                triage=Triage.CLINICIAN,
            )
        ]
    reasons = [c for c in health.scalp_conditions if c in MN9_CONDITIONS]
    if health.poor_wound_healing:
        reasons.append("a history of poor wound healing")
    if health.keloid_history:
        reasons.append("keloid scarring")
    if reasons:
        return [
            Finding(
                "MN-9",
                Severity.BLOCK,
                "Do not microneedle with " + ", ".join(reasons) + ": the needles can spread "
                "infection, flare the condition or leave scars.",
                "Remove the microneedling treatment; a clinician can treat the scalp condition "
                "first and advise whether microneedling is ever suitable for you.",
                treatment=index,
                triage=Triage.CLINICIAN,
            )
        ]
    missing = [
        what
        for what, value in (
            ("poor wound healing", health.poor_wound_healing),
            ("keloid scarring", health.keloid_history),
        )
        if value is None
    ]
    if missing:
        # unknown is not "no": a keloid or poor healing would make microneedling unsafe
        return [
            Finding(
                "MN-9",
                Severity.WARN,
                f"Unknown whether you have {' or '.join(missing)}. " + unknown,
                instead,
                treatment=index,
                triage=Triage.CLINICIAN,
            )
        ]
    return []


@plan_rule("MN-16")
def _mn16(ctx: PlanContext) -> list[Finding]:
    """Addition (docs/rules.md): needling an irritated scalp; MN-9 covers diseases only."""
    courses = list(ctx.indexed("microneedling"))
    health = ctx.health
    if not courses or health is None:
        return []
    irritated = [c for c in health.scalp_conditions if c in MN16_CONDITIONS]
    if not irritated:
        return []
    return [
        Finding(
            "MN-16",
            Severity.WARN,
            "The scalp is " + ", ".join(irritated) + ": needling irritated or inflamed skin "
            "can worsen the inflammation, let infection in and scar.",
            "Wait until the scalp has settled and check with a clinician first; find the cause "
            "of the irritation (RX-4 also applies to topical minoxidil).",
            treatment=courses[0][0],
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("MN-10")
def _mn10(ctx: PlanContext) -> list[Finding]:
    courses = list(ctx.indexed("microneedling"))
    if not courses:
        return []
    if ctx.person is None:
        return [
            Finding(
                "MN-10",
                Severity.INFO,
                "No person profile given: with active alopecia areata, consult a doctor before "
                "microneedling.",
                triage=Triage.CLINICIAN,
            )
        ]
    health = ctx.health
    active = bool(health.active_alopecia_areata)
    if not active:
        for _, item in courses:
            end = _end_day(item, item.start_day + SEARCH_HORIZON_DAYS)
            for episode in ctx.person.alopecia_areata:
                if episode.start_day < end and item.start_day < episode.end_day:
                    active = True
    if not active:
        return []
    clearance = health.cleared("MN-10")
    index = courses[0][0]
    if clearance is not None:
        return [
            Finding(
                "MN-10",
                Severity.INFO,
                f"Active alopecia areata: microneedling cleared by {clearance.by}"
                + (f" on {clearance.date}" if clearance.date else "")
                + ". Follow their advice on needle length and frequency.",
                treatment=index,
            )
        ]
    return [
        Finding(
            "MN-10",
            Severity.BLOCK,
            "Alopecia areata is active during the microneedling course; consult a doctor "
            "before microneedling.",
            "See a dermatologist; if they clear it, record it in the person's [health] table "
            '(clearances = [{ rule = "MN-10", by = "Dr ..." }]).',
            treatment=index,
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("MN-13")
def _mn13(ctx: PlanContext) -> list[Finding]:
    if not any(ctx.indexed("microneedling")) or any(ctx.indexed(*MEDICINES)):
        return []
    return [
        Finding(
            "MN-13",
            Severity.INFO,
            "Microneedling alone: it works best as part of a broader programme, with minoxidil "
            "or an anti-androgen.",
            "Ask a clinician whether minoxidil or finasteride suits you to combine with it.",
        )
    ]


@plan_rule("MN-14")
def _mn14(ctx: PlanContext) -> list[Finding]:
    return [
        Finding(
            "MN-14",
            Severity.INFO,
            f"{_label(index, item)}: home rollers are made with 0.25-{HOME_ROLLER_MAX_MM:g} mm "
            "needles; longer needles are clinic devices, used with numbing cream.",
            "Have sessions with needles over 1.5 mm done in a clinic.",
            treatment=index,
        )
        for index, item in ctx.indexed("microneedling")
        if item.device == "roller" and item.needle_mm > HOME_ROLLER_MAX_MM
    ]


@plan_rule("MN-15")
def _mn15(ctx: PlanContext) -> list[Finding]:
    if not any(ctx.indexed("microneedling")):
        return []
    return [
        Finding(
            "MN-15",
            Severity.INFO,
            "Rosemary oil may be used on non-microneedling days; PRP and red-light (laser) "
            "therapy are complementary to microneedling.",
        )
    ]


# --- medicines ----------------------------------------------------------------------


@plan_rule("RX-1")
def _rx1(ctx: PlanContext) -> list[Finding]:
    findings = []
    health = ctx.health
    for index, item in ctx.indexed(*ANTI_ANDROGENS):
        prescription = health.prescription_for(item.kind) if health else None
        if prescription is None:
            findings.append(
                Finding(
                    "RX-1",
                    Severity.WARN,
                    f"{_label(index, item)}: {item.kind} is a prescription medicine and no "
                    "prescriber is recorded; a licensed clinician decides whether it is "
                    "appropriate.",
                    f"Ask a clinician; record the prescription in the person's [health] table "
                    f'(prescriptions = [{{ medicine = "{item.kind}", prescriber = "Dr ..." }}]).',
                    treatment=index,
                    triage=Triage.CLINICIAN,
                )
            )
    return findings


@plan_rule("RX-2")
def _rx2(ctx: PlanContext) -> list[Finding]:
    has_anti = any(ctx.indexed(*ANTI_ANDROGENS))
    has_min = any(ctx.indexed("minoxidil"))
    if has_anti and has_min:
        text = (
            "Finasteride lowers DHT by about 70%; minoxidil does not block DHT. Together they "
            "work better than either alone (94% vs 80.5% of men improved at 12 months)."
        )
    elif has_anti or has_min:
        text = (
            "Finasteride (lowers DHT by about 70%) and minoxidil (does not block DHT) work "
            "better together than either alone (94% vs 80.5% improved at 12 months); ask a "
            "clinician whether the combination suits you."
        )
    else:
        return []
    return [Finding("RX-2", Severity.INFO, text)]


@plan_rule("RX-3")
def _rx3(ctx: PlanContext) -> list[Finding]:
    courses = list(ctx.indexed(*ANTI_ANDROGENS))
    if not courses:
        return []
    index, item = courses[0]
    names = " and ".join(sorted({c.kind for _, c in courses}))
    label = (
        f"{names}: not for women who are or may become pregnant; they must not handle crushed "
        "or broken tablets [label]."
    )
    if ctx.person is None:
        return [
            Finding(
                "RX-3",
                Severity.WARN,
                "No person profile given, so RX-3 could not be checked. " + label,
                "Run the check with --person PERSON.toml.",
                treatment=index,
            )
        ]
    if ctx.person.sex == "male":
        return [
            Finding(
                "RX-3",
                Severity.INFO,
                "Keep the tablets away from anyone who is or may become pregnant: "
                "they must not handle crushed or broken tablets [label].",
                treatment=index,
            )
        ]
    clearance = ctx.health.cleared("RX-3")
    if clearance is not None:
        return [
            Finding(
                "RX-3",
                Severity.INFO,
                f"{names} for a woman: override recorded by {clearance.by}"
                + (f" on {clearance.date}" if clearance.date else "")
                + ". "
                + label,
                treatment=index,
            )
        ]
    pregnancy = ctx.health.pregnancy_possible
    detail = " Pregnancy is possible." if pregnancy else ""
    return [
        Finding(
            "RX-3",
            Severity.BLOCK,
            f"{_label(index, item)}: not for a female profile without a clinician's "
            f"override. {label}{detail}",
            "Remove it, or record the clinician's override in the person's [health] table "
            '(clearances = [{ rule = "RX-3", by = "Dr ..." }]) if they prescribed it.',
            treatment=index,
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("RX-4")
def _rx4(ctx: PlanContext) -> list[Finding]:
    courses = [(i, m) for i, m in ctx.indexed("minoxidil") if m.route == "topical"]
    if not courses:
        return []
    index = courses[0][0]
    if ctx.person is None:
        return [
            Finding(
                "RX-4",
                Severity.WARN,
                "No person profile given, so the minoxidil label's warnings could not be "
                "checked: not for sudden or patchy hair loss, an unknown cause, under 18, or a "
                "red, inflamed, infected, irritated or painful scalp [label].",
                "Run the check with --person PERSON.toml.",
                treatment=index,
            )
        ]
    health = ctx.health
    reasons = []
    if health.hair_loss_onset == "sudden":
        reasons.append("the hair loss is sudden")
    if health.hair_loss_pattern == "patchy":
        reasons.append("the hair loss is patchy")
    if health.hair_loss_cause_known is False:
        reasons.append("the cause of the hair loss is unknown")
    if ctx.person.age_years < 18:
        reasons.append(f"the person is under 18 ({ctx.person.age_years:g})")
    scalp = [c for c in health.scalp_conditions if c in RX4_CONDITIONS]
    if scalp:
        reasons.append("the scalp is " + ", ".join(scalp))
    if not reasons:
        return []
    clearance = health.cleared("RX-4")
    if clearance is not None:
        return [
            Finding(
                "RX-4",
                Severity.INFO,
                "Topical minoxidil although " + "; ".join(reasons) + f": cleared by "
                f"{clearance.by}" + (f" on {clearance.date}" if clearance.date else "") + ".",
                treatment=index,
            )
        ]
    return [
        Finding(
            "RX-4",
            Severity.BLOCK,
            "The topical minoxidil label says not to use it when "
            + "; ".join(reasons)
            + " [label].",
            "See a doctor about the cause first; if they clear minoxidil, record it in the "
            '[health] table (clearances = [{ rule = "RX-4", by = "Dr ..." }]).',
            treatment=index,
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("RX-5")
def _rx5(ctx: PlanContext) -> list[Finding]:
    if not any(ctx.indexed("minoxidil")):
        return []
    return [
        Finding(
            "RX-5",
            Severity.INFO,
            "Stop minoxidil and ask a doctor at once on chest pain, a rapid heartbeat, "
            "faintness or dizziness, sudden unexplained weight gain, or swollen hands or feet "
            f"[label]; for chest pain or fainting, {emergency_advice()}. Log such symptoms in "
            "the journal.",
        )
    ]


@plan_rule("RX-6")
def _rx6(ctx: PlanContext) -> list[Finding]:
    findings = []
    courses = list(ctx.indexed(*MEDICINES))
    for index, item in courses:
        if item.stop_day is None:
            continue
        continued = any(
            other.kind == item.kind
            and other is not item
            and other.start_day <= item.stop_day
            and (other.stop_day is None or other.stop_day > item.stop_day)
            for _, other in courses
        )
        if continued:
            continue
        months = "about a year" if item.kind in ANTI_ANDROGENS else "a few months"
        findings.append(
            Finding(
                "RX-6",
                Severity.WARN,
                f"{_label(index, item)} stops on day {item.stop_day}: gains last only while "
                f"treatment continues; the regrown hair is lost within {months} of stopping.",
                "Plan to continue, or decide with a clinician to stop, knowing the gains fade.",
                treatment=index,
            )
        )
    return findings


#: RX-7 (addition): finasteride and dutasteride counselling points [label].
ANTI_ANDROGEN_COUNSELLING = (
    "sexual side effects (lower sex drive, erection or ejaculation problems) in a small share "
    "of men, in some lasting after stopping",
    "mood changes, including depression: tell the prescriber; thoughts of self-harm need "
    "help at once",
    "breast tenderness, enlargement or lumps: tell the prescriber",
    "fertility: semen volume and sperm can fall; tell the prescriber if you plan to father a child",
    "PSA: they lower the prostate test value (PSA) by about half; tell whoever orders a PSA "
    "test that you take them",
)


@plan_rule("RX-7")
def _rx7(ctx: PlanContext) -> list[Finding]:
    """Addition (docs/rules.md): what the labels ask prescribers to counsel about."""
    courses = list(ctx.indexed(*ANTI_ANDROGENS))
    if not courses:
        return []
    index = courses[0][0]
    names = " and ".join(sorted({c.kind for _, c in courses}))
    return [
        Finding(
            "RX-7",
            Severity.INFO,
            f"Side effects to know about with {names} [label]: "
            + "; ".join(ANTI_ANDROGEN_COUNSELLING)
            + ".",
            "Discuss them with the prescriber before starting; log side effects in the journal "
            "(follicle journal log symptom sexual_side_effects).",
            treatment=index,
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("RX-8")
def _rx8(ctx: PlanContext) -> list[Finding]:
    """Addition (docs/rules.md): topical minoxidil in pregnancy and breastfeeding [label]."""
    courses = [(i, m) for i, m in ctx.indexed("minoxidil") if m.route == "topical"]
    if not courses or ctx.person is None or ctx.person.sex != "female":
        return []
    health = ctx.health
    reasons = []
    if health.pregnancy_possible is not False:
        reasons.append(
            "you are or may become pregnant"
            if health.pregnancy_possible
            else "it is not recorded whether you are or may become pregnant"
        )
    if health.breastfeeding:
        reasons.append("you are breastfeeding")
    if not reasons or health.cleared("RX-8") is not None:
        return []
    return [
        Finding(
            "RX-8",
            Severity.WARN,
            "Topical minoxidil: " + " and ".join(reasons) + "; the label says to ask a health "
            "professional before use in pregnancy or while breastfeeding (some labels say not "
            "to use it then) [label].",
            "Ask a doctor before using it; record pregnancy_possible and breastfeeding in the "
            '[health] table, or their clearance (clearances = [{ rule = "RX-8", by = "Dr '
            '..." }]).',
            treatment=courses[0][0],
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("RX-9")
def _rx9(ctx: PlanContext) -> list[Finding]:
    """Addition (docs/rules.md): heart disease and blood pressure with minoxidil [label]."""
    findings = []
    health = ctx.health
    for index, item in ctx.indexed("minoxidil"):
        oral = item.route == "oral"
        heart = None if health is None else health.heart_condition
        pressure = None if health is None else health.blood_pressure
        clearance = None if health is None else health.cleared("RX-9")
        if not oral:
            if heart and clearance is None:
                findings.append(
                    Finding(
                        "RX-9",
                        Severity.WARN,
                        f"{_label(index, item)}: with heart disease, the label says to ask a "
                        "doctor before using topical minoxidil [label].",
                        "Ask your doctor first.",
                        treatment=index,
                        triage=Triage.CLINICIAN,
                    )
                )
            continue
        reasons = []
        if heart:
            reasons.append("heart disease")
        if pressure == "low":
            reasons.append("low blood pressure")
        if reasons and clearance is None:
            findings.append(
                Finding(
                    "RX-9",
                    Severity.BLOCK,
                    f"{_label(index, item)}: oral minoxidil is a blood-pressure medicine "
                    "(it lowers blood pressure and raises the heart rate; it can strain a "
                    "diseased heart or let fluid gather around it) and you recorded "
                    + " and ".join(reasons)
                    + " [label].",
                    "A doctor decides whether oral minoxidil is safe for you; if they clear it, "
                    'record it (clearances = [{ rule = "RX-9", by = "Dr ..." }]).',
                    treatment=index,
                    triage=Triage.CLINICIAN,
                )
            )
        elif clearance is None and (heart is None or pressure in (None, "high")):
            unknown = [
                what
                for what, missing in (
                    ("heart disease", heart is None),
                    ("your blood pressure", pressure is None),
                )
                if missing
            ]
            detail = (
                "you recorded high blood pressure: with blood-pressure medicines the effects add up"
                if pressure == "high"
                else "not recorded: " + " and ".join(unknown)
            )
            findings.append(
                Finding(
                    "RX-9",
                    Severity.WARN,
                    f"{_label(index, item)}: oral minoxidil is a prescription blood-pressure "
                    f"medicine; {detail} [label].",
                    "Check with the prescriber (blood pressure, heart, other medicines); record "
                    "heart_condition and blood_pressure in the [health] table.",
                    treatment=index,
                    triage=Triage.CLINICIAN,
                )
            )
    return findings


# --- expectations and timing -----------------------------------------------------


@plan_rule("TL-1")
def _tl1(ctx: PlanContext) -> list[Finding]:
    return [
        Finding(
            "TL-1",
            Severity.INFO,
            "Visible improvement takes 3-6 months and full results 6-12 months of consistent "
            "treatment; the first progress review is at 3 months, not earlier.",
        )
    ]


@plan_rule("TL-2")
def _tl2(ctx: PlanContext) -> list[Finding]:
    if not any(ctx.indexed("minoxidil")):
        return []
    return [
        Finding(
            "TL-2",
            Severity.INFO,
            "Minoxidil can cause extra shedding in the first weeks (up to 2 months); it is "
            "expected and passes. Do not stop because of it.",
        )
    ]


@plan_rule("TL-3")
def _tl3(ctx: PlanContext) -> list[Finding]:
    return [
        Finding(
            "TL-3",
            Severity.WARN,
            f"{_label(index, item)}: adherence = {item.adherence:g} plans fewer than "
            f"{ADHERENCE_WARN:.0%} of doses; sporadic treatment gives sporadic results.",
            "Plan for consistency: set reminders (follicle plan calendar) and log doses.",
            treatment=index,
        )
        for index, item in enumerate(ctx.regimen.treatment)
        if getattr(item, "adherence", 1.0) < ADHERENCE_WARN
    ]


@plan_rule("TL-4")
def _tl4(ctx: PlanContext) -> list[Finding]:
    return [
        Finding(
            "TL-4",
            Severity.INFO,
            "Act early: once follicles are dormant or dead, regrowth is much harder or needs a "
            "transplant.",
        )
    ]


# --- referral ---------------------------------------------------------------------


@plan_rule("RF-1")
def _rf1(ctx: PlanContext) -> list[Finding]:
    health = ctx.health
    if health is not None and health.cause_confirmed_by_clinician:
        return [
            Finding(
                "RF-1",
                Severity.INFO,
                "You recorded that a clinician confirmed the cause of the hair loss; review "
                "this plan with them.",
            )
        ]
    return [
        Finding(
            "RF-1",
            Severity.INFO,
            "Before starting any treatment, confirm the cause of the hair loss with a "
            "dermatologist or trichologist (scalp exam, trichoscopy, biopsy).",
            "Book a consultation; `follicle intake` prepares a one-page summary to bring.",
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("RF-2")
def _rf2(ctx: PlanContext) -> list[Finding]:
    health = ctx.health
    if health is None:
        return []
    reasons = []
    if health.hair_loss_onset == "sudden":
        reasons.append("sudden")
    if health.hair_loss_pattern == "patchy":
        reasons.append("patchy")
    if not reasons:
        return []
    return [
        Finding(
            "RF-2",
            Severity.WARN,
            f"The hair loss is {' and '.join(reasons)}: that suggests alopecia areata or another "
            "condition, not pattern hair loss, and pattern-loss treatments may not fit.",
            "See a dermatologist to find the cause before following this plan.",
            triage=Triage.CLINICIAN,
        )
    ]


@plan_rule("RF-3")
def _rf3(ctx: PlanContext) -> list[Finding]:
    findings = []
    medicines = list(ctx.indexed(*MEDICINES))
    for index, item in ctx.indexed("transplant"):
        continued = any(m.stop_day is None or m.stop_day > item.day + 1 for _, m in medicines)
        text = (
            f"treatment[{index}] (transplant, day {item.day}) replaces follicles but does not "
            "stop the miniaturization of the others; medical treatment continues afterwards."
        )
        if continued:
            findings.append(Finding("RF-3", Severity.INFO, text, treatment=index))
        else:
            findings.append(
                Finding(
                    "RF-3",
                    Severity.WARN,
                    text + " No medicine in this plan continues after the surgery.",
                    "Add a medicine that continues after the transplant, as agreed with the "
                    "surgeon or a dermatologist.",
                    treatment=index,
                )
            )
    return findings
