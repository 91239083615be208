"""Rules applied to a journal entry as it is logged, against the entries before and after.

Flags do not refuse an entry (the journal records what happened; refusing would lose
it): they answer at once with what to do, and are stored with the entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from follicle.care.findings import Finding, Severity, Triage
from follicle.care.journal.entries import Application, Entry, Session, Symptom
from follicle.care.rules.plan_rules import (
    FIXED_NEEDLE_DEVICES,
    MN3_MINUTES,
    MN4_MIN_INTERVAL_DAYS,
    MN4_NEEDLE_MM,
    MN7_NEEDLE_MM,
    MN7_PAUSE_HOURS,
    ROLLER_BLOCK_DAYS,
    ROLLER_WARN_DAYS,
)
from follicle.care.settings import emergency_advice
from follicle.care.timezones import zone

MN12_SYMPTOMS = ("oozing", "extreme_heat", "pus")
RX5_SYMPTOMS = (
    "chest_pain",
    "rapid_heartbeat",
    "faintness",
    "dizziness",
    "weight_gain",
    "swollen_hands_feet",
)
MN11_NORMAL = ("redness", "swelling", "pinpoint_bleeding")
MN11_NORMAL_DAYS = 3
TL2_DAYS = 60
PAUSE = timedelta(hours=MN7_PAUSE_HOURS)


def _local(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).strftime("%a %d %b %H:%M")


def _session_end(entry: Entry) -> datetime:
    return entry.at + timedelta(minutes=entry.details.duration_minutes)


def _is_topical_minoxidil(entry: Entry) -> bool:
    details = entry.details
    return (
        isinstance(details, Application)
        and details.medicine == "minoxidil"
        and details.effective_route == "topical"
    )


def entry_findings(entry: Entry, view, *, device: Entry | None = None) -> list[Finding]:
    """Findings for ``entry`` given the journal ``view`` (which does not contain it yet)."""
    if entry.kind == "application":
        return _application(entry, view)
    if entry.kind == "session":
        return _session(entry, view, device)
    if entry.kind == "symptom":
        return _symptom(entry, view)
    return []


#: Longest session the rules allow for (Session.duration_minutes <= 120 min): _application
#: looks this far back, beyond the 24 h pause, for a session still under way.
SESSION_REACH = timedelta(hours=3)
MN12_DAYS = 14


def flag_readers(changed: Entry) -> list[dict]:
    """Which entries' flags may read ``changed`` (an entry just stored or voided): view
    queries (``kinds``, ``since``, ``until``) that find them. The mirror of the reads
    below, kept beside them: a rule that reads a new kind or window must widen this too
    (tests/care/test_journal_flags_incremental.py compares with a full recompute).
    Symptoms, measurements, photos and notes are read by no rule."""
    t = changed.at
    if changed.kind == "application":
        return [  # MN-7 of a back-dated session; RX-7 and TL-2 of later symptoms
            {"kinds": ["session"], "since": t - PAUSE - SESSION_REACH, "until": t},
            {"kinds": ["symptom"], "since": t},
        ]
    if changed.kind == "session":
        return [  # MN-7 of applications; MN-4 and MN-8 of sessions; MN-11/12 of symptoms
            {"kinds": ["application"], "since": t, "until": t + SESSION_REACH + PAUSE},
            {"kinds": ["session"], "since": t - timedelta(days=MN4_MIN_INTERVAL_DAYS)},
            {"kinds": ["symptom"], "since": t, "until": t + timedelta(days=MN12_DAYS)},
        ]
    if changed.kind == "device":  # MN-8 of every session with it
        return [{"kinds": ["session"], "device": changed.details.name}]
    return []


def _mn7_block(application: Entry, session: Entry) -> Finding:
    end = _session_end(session) + PAUSE
    return Finding(
        "MN-7",
        Severity.BLOCK,
        f"Topical minoxidil at {_local(application.at, application.tz)} is within 24 hours of "
        f"the {session.details.needle_mm:g} mm microneedling session at "
        f"{_local(session.at, session.tz)}: through the needle channels it can enter the "
        "bloodstream too fast (palpitations, dizziness).",
        f"No more minoxidil before {_local(end, application.tz)}. On chest pain, a rapid "
        "heartbeat, faintness or dizziness, stop minoxidil and get medical help (RX-5).",
    )


def _application(entry: Entry, view) -> list[Finding]:
    findings = []
    if _is_topical_minoxidil(entry):
        sessions = view.entries(
            kinds=["session"], since=entry.at - PAUSE - SESSION_REACH, until=entry.at
        )
        for session in sessions:
            deep = session.details.needle_mm > MN7_NEEDLE_MM
            if deep and session.at <= entry.at < _session_end(session) + PAUSE:
                findings.append(_mn7_block(entry, session))
                break
    return findings


def _session(entry: Entry, view, device: Entry | None) -> list[Finding]:
    details: Session = entry.details
    findings = []
    low, high = MN3_MINUTES
    if not low <= details.duration_minutes <= high:
        findings.append(
            Finding(
                "MN-3",
                Severity.WARN,
                f"The session took {details.duration_minutes:g} minutes; a session takes "
                f"{low:g}-{high:g} minutes.",
                f"Aim for {low:g}-{high:g} minutes next time.",
            )
        )
    window = timedelta(days=MN4_MIN_INTERVAL_DAYS)
    neighbours = view.entries(kinds=["session"], since=entry.at - window, until=entry.at + window)
    for other in neighbours:
        gap = abs(entry.at - other.at)
        deep = max(other.details.needle_mm, details.needle_mm) >= MN4_NEEDLE_MM
        if deep and gap < window:
            findings.append(
                Finding(
                    "MN-4",
                    Severity.BLOCK,
                    f"This session is {gap.total_seconds() / 86400:.1f} days from the one at "
                    f"{_local(other.at, entry.tz)}; with needles of {MN4_NEEDLE_MM:g} mm or "
                    "more the scalp needs 1-3 weeks to regenerate.",
                    f"Leave at least {MN4_MIN_INTERVAL_DAYS} days between sessions.",
                )
            )
            break
    # minoxidil already logged in the 24 h after this (back-dated) session
    if details.needle_mm > MN7_NEEDLE_MM:
        later = view.entries(
            kinds=["application"], since=entry.at, until=_session_end(entry) + PAUSE
        )
        for application in later:
            # strict end, as in _application: minoxidil at exactly 24 h is allowed
            if _is_topical_minoxidil(application) and application.at < _session_end(entry) + PAUSE:
                findings.append(_mn7_block(application, entry))
                break
    if device is not None and device.details.device_type in FIXED_NEEDLE_DEVICES:
        earlier = [
            s.at
            for s in view.entries(kinds=["session"], until=entry.at)
            if s.details.device == details.device
        ]
        first_use = min([device.at, *earlier])
        age_days = (entry.at - first_use).total_seconds() / 86400
        kind = device.details.device_type
        if age_days >= ROLLER_BLOCK_DAYS:
            findings.append(
                Finding(
                    "MN-8",
                    Severity.BLOCK,
                    f"The {kind} '{device.details.name}' was {age_days:.0f} days old at this "
                    f"session; after {ROLLER_BLOCK_DAYS} days blunt needles tear the skin and "
                    "can scar.",
                    "Replace it before the next session and log the new one "
                    "(follicle journal log device).",
                )
            )
        elif age_days >= ROLLER_WARN_DAYS:
            findings.append(
                Finding(
                    "MN-8",
                    Severity.WARN,
                    f"The {kind} '{device.details.name}' is {age_days:.0f} days old; replace it "
                    f"within {ROLLER_BLOCK_DAYS - age_days:.0f} days ({ROLLER_WARN_DAYS}-"
                    f"{ROLLER_BLOCK_DAYS} days of use).",
                    "Buy a replacement and log it (follicle journal log device).",
                )
            )
    return findings


def _last_session(entry: Entry, view, days: int) -> Entry | None:
    sessions = view.entries(
        kinds=["session"], since=entry.at - timedelta(days=days), until=entry.at
    )
    return sessions[-1] if sessions else None


def _symptom(entry: Entry, view) -> list[Finding]:
    details: Symptom = entry.details
    name = details.symptom.replace("_", " ")
    if details.symptom in MN12_SYMPTOMS:
        session = _last_session(entry, view, MN12_DAYS)
        after = (
            f" after the microneedling session of {_local(session.at, entry.tz)}" if session else ""
        )
        return [
            Finding(
                "MN-12",
                Severity.BLOCK,
                f"{name.capitalize()}{after}: seek medical attention immediately.",
                "Contact your GP, an urgent care service or dermatology now; if you feel very "
                f"unwell (fever, spreading redness), {emergency_advice()}. Do not microneedle "
                "again until a clinician has seen the scalp.",
                triage=Triage.URGENT,
            )
        ]
    if details.symptom in RX5_SYMPTOMS:
        return [
            Finding(
                "RX-5",
                Severity.BLOCK,
                f"{name.capitalize()}: stop minoxidil and ask a doctor now [label].",
                "Do not apply or take minoxidil again until a doctor says so; for chest pain or "
                f"faintness {emergency_advice()}.",
                triage=Triage.URGENT,
            )
        ]
    if details.symptom == "sexual_side_effects":
        anti = [
            a.details.medicine
            for a in view.entries(
                kinds=["application"], since=entry.at - timedelta(days=365), until=entry.at
            )
            if a.details.medicine in ("finasteride", "dutasteride")
        ]
        cause = (
            f"a known side effect of {anti[-1]} [label]"
            if anti
            else "a known side effect of finasteride and dutasteride [label], and of other "
            "medicines and conditions"
        )
        return [
            Finding(
                "RX-7",
                Severity.WARN,
                f"Sexual side effects (lower sex drive, erection or ejaculation problems) are "
                f"{cause}.",
                "Tell the prescriber soon: they can check other causes and discuss changing or "
                "stopping the treatment. If your mood is low too, say so; thoughts of "
                f"self-harm need help at once ({emergency_advice()}).",
                triage=Triage.CLINICIAN,
            )
        ]
    if details.symptom == "excessive_bruising":
        return [
            Finding(
                "MN-11",
                Severity.WARN,
                "Excessive bruising is not a normal reaction to microneedling.",
                "Stop sessions and ask a clinician; check the needle length and pressure.",
                triage=Triage.CLINICIAN,
            )
        ]
    if details.symptom in MN11_NORMAL:
        session = _last_session(entry, view, MN11_NORMAL_DAYS)
        if session is not None:
            return [
                Finding(
                    "MN-11",
                    Severity.INFO,
                    f"{name.capitalize()} in the days after a session is normal (like a mild "
                    "sunburn for 2-3 days; pinpoint bleeding during the session).",
                    "Keep the scalp clean; if it lasts beyond 3 days or gets worse, ask a "
                    "clinician.",
                    triage=Triage.SELF_CARE,
                )
            ]
        return [
            Finding(
                "MN-11",
                Severity.WARN,
                f"{name.capitalize()} with no microneedling session in the last "
                f"{MN11_NORMAL_DAYS} days is not the expected after-session reaction.",
                "If it persists or spreads, ask a clinician; do not microneedle an irritated "
                "scalp (RX-4, MN-9).",
                triage=Triage.CLINICIAN,
            )
        ]
    if details.symptom == "shedding":
        applications = [
            a
            for a in view.entries(kinds=["application"], until=entry.at)
            if a.details.medicine == "minoxidil"
        ]
        if not applications:
            return []
        days = (entry.at - applications[0].at).total_seconds() / 86400
        if days <= TL2_DAYS:
            return [
                Finding(
                    "TL-2",
                    Severity.INFO,
                    f"Extra shedding {days:.0f} days after starting minoxidil is expected in "
                    "the first weeks and passes.",
                    "Keep going; do not stop minoxidil because of it.",
                    triage=Triage.SELF_CARE,
                )
            ]
        return [
            Finding(
                "TL-2",
                Severity.WARN,
                f"Shedding {days:.0f} days after starting minoxidil is past the first two "
                "months, when minoxidil shedding is expected.",
                "Mention it to your clinician at the next review.",
                triage=Triage.CLINICIAN,
            )
        ]
    return []
