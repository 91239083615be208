"""The exact findings of every plan rule: severity, words, what to do, treatment, triage.

What ``follicle plan check`` prints is safety advice (do not needle with keloids, pause
minoxidil 24 hours, see a doctor before oral minoxidil with heart disease), checked against
care-protocols.md when each rule was written; a change to it should be a deliberate,
reviewed edit of this file too. Each case builds a plan (and a person, or none) that
reaches one branch of one rule and writes out the findings that rule must give: the
numbers in the text (days, minutes, needle lengths, ages) follow from the plan of the case,
the treatment index from its position in the plan, the order of listed reasons from the
rule's text. Thresholds themselves are tested in ``test_boundaries_care_rules.py``; this
file pins what is said, to whom it points (``treatment``) and where it sends the user
(``triage``).
"""

from __future__ import annotations

import pytest
from care_helpers import FINASTERIDE, MINOXIDIL, NEEDLING_15, person, regimen

from follicle.care.plan import check_plan
from follicle.care.settings import EMERGENCY_ENV

#: a man for whom no rule needs to ask anything (every health fact recorded, no risk)
SAFE_MAN = {
    "sex": "male",
    "age_years": 30,
    "poor_wound_healing": False,
    "keloid_history": False,
    "microneedling_experience": True,
    "hair_loss_onset": "gradual",
    "hair_loss_pattern": "patterned",
    "hair_loss_cause_known": True,
    "cause_confirmed_by_clinician": True,
    "heart_condition": False,
    "blood_pressure": "normal",
    "prescriptions": [{"medicine": "finasteride", "prescriber": "Dr Lee"}],
}
ORAL_MINOXIDIL = {"kind": "minoxidil", "route": "oral", "dose_mg": 2.5}
DUTASTERIDE = {"kind": "dutasteride"}


def case(name, treatments, who, rule, expected):
    return pytest.param(treatments, who, rule, expected, id=name)


CASES = [
    case(
        "mn3",
        [FINASTERIDE, {**NEEDLING_15, "session_minutes": 20}],
        SAFE_MAN,
        "MN-3",
        [
            (
                "warn",
                "treatment[1] (microneedling, 1.5 mm): session_minutes = 20; a session takes "
                "10-15 minutes.",
                "Set session_minutes between 10 and 15.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn4 times",
        [{**NEEDLING_15, "times_of_day": ["08:00", "20:00"]}],
        SAFE_MAN,
        "MN-4",
        [
            (
                "block",
                "treatment[0] (microneedling, 1.5 mm): times_of_day = ['08:00', '20:00'] "
                "puts 2 sessions on each session day; with needles of 1 mm or more the scalp "
                "needs 1-3 weeks to regenerate between sessions.",
                'Give one time of day (the session\'s start), e.g. times_of_day = ["08:00"], '
                "and interval_days between 7 and 21.",
                0,
                None,
            )
        ],
    ),
    # several deep sessions a day: from 1 mm (inclusive), one time of day is fine
    case(
        "mn4 times at 1 mm",
        [{**NEEDLING_15, "needle_mm": 1.0, "times_of_day": ["08:00", "20:00"]}],
        SAFE_MAN,
        "MN-4",
        [
            (
                "block",
                "treatment[0] (microneedling, 1 mm): times_of_day = ['08:00', '20:00'] "
                "puts 2 sessions on each session day; with needles of 1 mm or more the scalp "
                "needs 1-3 weeks to regenerate between sessions.",
                'Give one time of day (the session\'s start), e.g. times_of_day = ["08:00"], '
                "and interval_days between 7 and 21.",
                0,
                None,
            )
        ],
    ),
    case("mn4 one time", [{**NEEDLING_15, "times_of_day": ["20:00"]}], SAFE_MAN, "MN-4", []),
    case(
        "mn4 often",
        [FINASTERIDE, {**NEEDLING_15, "interval_days": 5}],
        SAFE_MAN,
        "MN-4",
        [
            (
                "block",
                "treatment[1] (microneedling, 1.5 mm): a session every 5 days is too often "
                "for needles of 1 mm or more; the scalp needs 1-3 weeks to regenerate.",
                "Set interval_days between 7 and 21 (7 = weekly).",
                1,
                None,
            )
        ],
    ),
    case(
        "mn4 sparse",
        [{**NEEDLING_15, "interval_days": 28}],
        SAFE_MAN,
        "MN-4",
        [
            (
                "warn",
                "treatment[0] (microneedling, 1.5 mm): a session every 28 days is sparser "
                "than the 1-3 weeks the protocol uses; it is unlikely to help.",
                "Set interval_days between 7 and 21.",
                0,
                None,
            )
        ],
    ),
    case(
        "mn4 overlap",
        [{**NEEDLING_15, "needle_mm": 0.5}, {**NEEDLING_15, "start_day": 10}],
        SAFE_MAN,
        "MN-4",
        [
            (
                "block",
                "treatment[0] and treatment[1] put microneedling sessions on days 7 and 10, "
                "3 days apart; with needles of 1 mm or more sessions must be at least 7 days "
                "apart.",
                "Make the courses follow one another (stop_day of the first <= start_day of "
                "the second) or space their sessions 7 days apart.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn5 none",
        [FINASTERIDE, NEEDLING_15, {**NEEDLING_15, "needle_mm": 1.0, "start_day": 0}],
        None,
        "MN-5",
        [
            (
                "warn",
                "If this is your first microneedling: the plan starts with 1.5 mm needles "
                "(treatment[1] (microneedling, 1.5 mm)); beginners start with 0.5 mm to "
                "assess tolerance.",
                "Start with a 0.5 mm course and a later course at the longer length; or "
                "record microneedling_experience = true in the person's [health] table.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn5 novice",
        [{**NEEDLING_15, "start_day": 30}, {**NEEDLING_15, "needle_mm": 1.0, "stop_day": 20}],
        dict(SAFE_MAN, microneedling_experience=False),
        "MN-5",
        [
            (
                "warn",
                "You have not microneedled before: the plan starts with 1 mm needles "
                "(treatment[1] (microneedling, 1 mm)); beginners start with 0.5 mm to assess "
                "tolerance.",
                "Start with a 0.5 mm course and a later course at the longer length; or "
                "record microneedling_experience = true in the person's [health] table.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn6",
        [{**NEEDLING_15, "needle_mm": 0.25}, {**NEEDLING_15, "needle_mm": 1.0}, NEEDLING_15],
        SAFE_MAN,
        "MN-6",
        [
            (
                "info",
                "treatment[0] (microneedling, 0.25 mm): needles shorter than 0.5 mm may help "
                "topicals absorb but are unlikely to stimulate the follicle stem cells.",
                "",
                0,
                None,
            ),
            (
                "info",
                "treatment[1] (microneedling, 1 mm): lengths from 0.5 mm stimulate the "
                "scalp; studies used 1.5 mm to reach the follicle bulge.",
                "",
                1,
                None,
            ),
            (
                "info",
                "treatment[2] (microneedling, 1.5 mm): 1.5 mm is the length studies used to "
                "reach the follicle bulge.",
                "",
                2,
                None,
            ),
        ],
    ),
    case(
        "mn7",
        [NEEDLING_15, {**MINOXIDIL, "pause_after_microneedling_hours": 12}, MINOXIDIL],
        SAFE_MAN,
        "MN-7",
        [
            (
                "block",
                "treatment[1] (topical minoxidil) is applied in the 24 hours after the "
                "sessions of treatment[0] (microneedling, 1.5 mm) (first on day 0) with a "
                "pause of only 12 h. After needles over 0.5 mm minoxidil can enter the "
                "bloodstream too fast (palpitations, dizziness).",
                "Add pause_after_microneedling_hours = 24 to treatment[1]: follicle's "
                "calendar then skips the applications in the 24 hours after each session. Or "
                "use needles of 0.5 mm or less.",
                1,
                None,
            ),
            (
                "block",
                "treatment[2] (topical minoxidil) is applied in the 24 hours after the "
                "sessions of treatment[0] (microneedling, 1.5 mm) (first on day 0) with no "
                "pause. After needles over 0.5 mm minoxidil can enter the bloodstream too "
                "fast (palpitations, dizziness).",
                "Add pause_after_microneedling_hours = 24 to treatment[2]: follicle's "
                "calendar then skips the applications in the 24 hours after each session. Or "
                "use needles of 0.5 mm or less.",
                2,
                None,
            ),
        ],
    ),
    case(
        "mn8 block",
        [FINASTERIDE, {**NEEDLING_15, "start_day": 100, "device_first_use_day": 10}],
        SAFE_MAN,
        "MN-8",
        [
            (
                "block",
                "treatment[1] (microneedling, 1.5 mm): the roller will be 90 days old at the "
                "first session; after 90 days needles are blunt and tear the skin, which can "
                "scar.",
                "Replace the roller before the first session and set device_first_use_day = 100.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn8 warn",
        [{**NEEDLING_15, "device": "stamp", "start_day": 70, "device_first_use_day": 10}],
        SAFE_MAN,
        "MN-8",
        [
            (
                "warn",
                "treatment[0] (microneedling, 1.5 mm): the stamp will be 60 days old at the "
                "first session; replace it every 60-90 days.",
                "Replace the stamp soon and set device_first_use_day to the day of the new one.",
                0,
                None,
            )
        ],
    ),
    case(
        "mn8 info",
        [NEEDLING_15, {**NEEDLING_15, "device": "pen"}],
        SAFE_MAN,
        "MN-8",
        [
            (
                "info",
                "treatment[0] (microneedling, 1.5 mm): replace the roller every 60-90 days "
                "(blunt needles tear the skin); the calendar schedules a replacement every "
                "60 days.",
                "",
                0,
                None,
            )
        ],
    ),
    case(
        "mn9 none",
        [FINASTERIDE, NEEDLING_15],
        None,
        "MN-9",
        [
            (
                "warn",
                "No person profile given. Check with a clinician first that none applies "
                "before the first session: active acne or a scalp infection, psoriasis or "
                "eczema on the scalp, poor wound healing, keloid scars.",
                "Ask a clinician; record the answers in the person's [health] table "
                "(poor_wound_healing, keloid_history, scalp_conditions).",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "mn9 block",
        [FINASTERIDE, NEEDLING_15],
        dict(
            SAFE_MAN,
            scalp_conditions=["psoriasis", "red", "acne"],
            poor_wound_healing=True,
            keloid_history=True,
        ),
        "MN-9",
        [
            (
                "block",
                "Do not microneedle with psoriasis, acne, a history of poor wound healing, "
                "keloid scarring: the needles can spread infection, flare the condition or "
                "leave scars.",
                "Remove the microneedling treatment; a clinician can treat the scalp "
                "condition first and advise whether microneedling is ever suitable for you.",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "mn9 missing",
        [FINASTERIDE, NEEDLING_15],
        dict(SAFE_MAN, poor_wound_healing=None, keloid_history=None),
        "MN-9",
        [
            (
                "warn",
                "Unknown whether you have poor wound healing or keloid scarring. Check with "
                "a clinician first that none applies before the first session: active acne "
                "or a scalp infection, psoriasis or eczema on the scalp, poor wound healing, "
                "keloid scars.",
                "Ask a clinician; record the answers in the person's [health] table "
                "(poor_wound_healing, keloid_history, scalp_conditions).",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "mn9 missing keloid",
        [FINASTERIDE, NEEDLING_15],
        dict(SAFE_MAN, keloid_history=None),
        "MN-9",
        [
            (
                "warn",
                "Unknown whether you have keloid scarring. Check with a clinician first that "
                "none applies before the first session: active acne or a scalp infection, "
                "psoriasis or eczema on the scalp, poor wound healing, keloid scars.",
                "Ask a clinician; record the answers in the person's [health] table "
                "(poor_wound_healing, keloid_history, scalp_conditions).",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "mn16",
        [FINASTERIDE, NEEDLING_15],
        dict(SAFE_MAN, scalp_conditions=["red", "eczema", "painful"]),
        "MN-16",
        [
            (
                "warn",
                "The scalp is red, painful: needling irritated or inflamed skin can worsen "
                "the inflammation, let infection in and scar.",
                "Wait until the scalp has settled and check with a clinician first; find the "
                "cause of the irritation (RX-4 also applies to topical minoxidil).",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "mn10 none",
        [FINASTERIDE, NEEDLING_15],
        None,
        "MN-10",
        [
            (
                "info",
                "No person profile given: with active alopecia areata, consult a doctor "
                "before microneedling.",
                "",
                None,
                "clinician",
            )
        ],
    ),
    case(
        "mn10 active",
        [FINASTERIDE, NEEDLING_15],
        dict(SAFE_MAN, active_alopecia_areata=True),
        "MN-10",
        [
            (
                "block",
                "Alopecia areata is active during the microneedling course; consult a doctor "
                "before microneedling.",
                "See a dermatologist; if they clear it, record it in the person's [health] "
                'table (clearances = [{ rule = "MN-10", by = "Dr ..." }]).',
                1,
                "clinician",
            )
        ],
    ),
    case(
        "mn10 cleared",
        [FINASTERIDE, NEEDLING_15],
        dict(
            SAFE_MAN,
            active_alopecia_areata=True,
            clearances=[{"rule": "MN-10", "by": "Dr Ng", "date": "2026-01-05"}],
        ),
        "MN-10",
        [
            (
                "info",
                "Active alopecia areata: microneedling cleared by Dr Ng on 2026-01-05. "
                "Follow their advice on needle length and frequency.",
                "",
                1,
                None,
            )
        ],
    ),
    case(
        "mn10 cleared nodate",
        [FINASTERIDE, NEEDLING_15],
        dict(SAFE_MAN, active_alopecia_areata=True, clearances=[{"rule": "MN-10", "by": "Dr Ng"}]),
        "MN-10",
        [
            (
                "info",
                "Active alopecia areata: microneedling cleared by Dr Ng. Follow their advice "
                "on needle length and frequency.",
                "",
                1,
                None,
            )
        ],
    ),
    case(
        "mn13",
        [NEEDLING_15],
        SAFE_MAN,
        "MN-13",
        [
            (
                "info",
                "Microneedling alone: it works best as part of a broader programme, with "
                "minoxidil or an anti-androgen.",
                "Ask a clinician whether minoxidil or finasteride suits you to combine with it.",
                None,
                None,
            )
        ],
    ),
    case(
        "mn14",
        [FINASTERIDE, {**NEEDLING_15, "needle_mm": 2.0}],
        SAFE_MAN,
        "MN-14",
        [
            (
                "info",
                "treatment[1] (microneedling, 2 mm): home rollers are made with 0.25-1.5 mm "
                "needles; longer needles are clinic devices, used with numbing cream.",
                "Have sessions with needles over 1.5 mm done in a clinic.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn15",
        [NEEDLING_15],
        SAFE_MAN,
        "MN-15",
        [
            (
                "info",
                "Rosemary oil may be used on non-microneedling days; PRP and red-light "
                "(laser) therapy are complementary to microneedling.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "mn1",
        [NEEDLING_15],
        SAFE_MAN,
        "MN-1",
        [
            (
                "info",
                "Before every session: wash the scalp and sterilise the roller in 70% "
                "isopropyl alcohol. The calendar puts this checklist in each session.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "mn2",
        [NEEDLING_15],
        SAFE_MAN,
        "MN-2",
        [
            (
                "info",
                "Roll over the thinning areas horizontally, vertically and diagonally with "
                "moderate pressure: pricking, never excruciating.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "rx1",
        [MINOXIDIL, FINASTERIDE, DUTASTERIDE],
        None,
        "RX-1",
        [
            (
                "warn",
                "treatment[1] (finasteride): finasteride is a prescription medicine and no "
                "prescriber is recorded; a licensed clinician decides whether it is "
                "appropriate.",
                "Ask a clinician; record the prescription in the person's [health] table "
                '(prescriptions = [{ medicine = "finasteride", prescriber = "Dr ..." }]).',
                1,
                "clinician",
            ),
            (
                "warn",
                "treatment[2] (dutasteride): dutasteride is a prescription medicine and no "
                "prescriber is recorded; a licensed clinician decides whether it is "
                "appropriate.",
                "Ask a clinician; record the prescription in the person's [health] table "
                '(prescriptions = [{ medicine = "dutasteride", prescriber = "Dr ..." }]).',
                2,
                "clinician",
            ),
        ],
    ),
    case(
        "rx2 both",
        [FINASTERIDE, MINOXIDIL],
        SAFE_MAN,
        "RX-2",
        [
            (
                "info",
                "Finasteride lowers DHT by about 70%; minoxidil does not block DHT. Together "
                "they work better than either alone (94% vs 80.5% of men improved at 12 "
                "months).",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "rx2 one",
        [MINOXIDIL],
        SAFE_MAN,
        "RX-2",
        [
            (
                "info",
                "Finasteride (lowers DHT by about 70%) and minoxidil (does not block DHT) "
                "work better together than either alone (94% vs 80.5% improved at 12 "
                "months); ask a clinician whether the combination suits you.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "rx3 none",
        [MINOXIDIL, DUTASTERIDE, FINASTERIDE],
        None,
        "RX-3",
        [
            (
                "warn",
                "No person profile given, so RX-3 could not be checked. dutasteride and "
                "finasteride: not for women who are or may become pregnant; they must not "
                "handle crushed or broken tablets [label].",
                "Run the check with --person PERSON.toml.",
                1,
                None,
            )
        ],
    ),
    case(
        "rx3 man",
        [MINOXIDIL, FINASTERIDE],
        SAFE_MAN,
        "RX-3",
        [
            (
                "info",
                "Keep the tablets away from anyone who is or may become pregnant: they must "
                "not handle crushed or broken tablets [label].",
                "",
                1,
                None,
            )
        ],
    ),
    case(
        "rx3 woman",
        [MINOXIDIL, FINASTERIDE],
        dict(sex="female", pregnancy_possible=True),
        "RX-3",
        [
            (
                "block",
                "treatment[1] (finasteride): not for a female profile without a clinician's "
                "override. finasteride: not for women who are or may become pregnant; they "
                "must not handle crushed or broken tablets [label]. Pregnancy is possible.",
                "Remove it, or record the clinician's override in the person's [health] "
                'table (clearances = [{ rule = "RX-3", by = "Dr ..." }]) if they prescribed '
                "it.",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "rx3 woman nopreg",
        [FINASTERIDE],
        dict(sex="female", pregnancy_possible=False),
        "RX-3",
        [
            (
                "block",
                "treatment[0] (finasteride): not for a female profile without a clinician's "
                "override. finasteride: not for women who are or may become pregnant; they "
                "must not handle crushed or broken tablets [label].",
                "Remove it, or record the clinician's override in the person's [health] "
                'table (clearances = [{ rule = "RX-3", by = "Dr ..." }]) if they prescribed '
                "it.",
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx3 cleared",
        [DUTASTERIDE, FINASTERIDE],
        dict(sex="female", clearances=[{"rule": "RX-3", "by": "Dr Ng", "date": "2026-01-05"}]),
        "RX-3",
        [
            (
                "info",
                "dutasteride and finasteride for a woman: override recorded by Dr Ng on "
                "2026-01-05. dutasteride and finasteride: not for women who are or may "
                "become pregnant; they must not handle crushed or broken tablets [label].",
                "",
                0,
                None,
            )
        ],
    ),
    case(
        "rx3 cleared nodate",
        [FINASTERIDE],
        dict(sex="female", clearances=[{"rule": "RX-3", "by": "Dr Ng"}]),
        "RX-3",
        [
            (
                "info",
                "finasteride for a woman: override recorded by Dr Ng. finasteride: not for "
                "women who are or may become pregnant; they must not handle crushed or "
                "broken tablets [label].",
                "",
                0,
                None,
            )
        ],
    ),
    case(
        "rx4 none",
        [FINASTERIDE, ORAL_MINOXIDIL, MINOXIDIL],
        None,
        "RX-4",
        [
            (
                "warn",
                "No person profile given, so the minoxidil label's warnings could not be "
                "checked: not for sudden or patchy hair loss, an unknown cause, under 18, or "
                "a red, inflamed, infected, irritated or painful scalp [label].",
                "Run the check with --person PERSON.toml.",
                2,
                None,
            )
        ],
    ),
    case(
        "rx4 all",
        [FINASTERIDE, MINOXIDIL],
        dict(
            SAFE_MAN,
            age_years=17.5,
            hair_loss_onset="sudden",
            hair_loss_pattern="patchy",
            hair_loss_cause_known=False,
            scalp_conditions=["acne", "red", "painful"],
        ),
        "RX-4",
        [
            (
                "block",
                "The topical minoxidil label says not to use it when the hair loss is "
                "sudden; the hair loss is patchy; the cause of the hair loss is unknown; the "
                "person is under 18 (17.5); the scalp is red, painful [label].",
                "See a doctor about the cause first; if they clear minoxidil, record it in "
                'the [health] table (clearances = [{ rule = "RX-4", by = "Dr ..." }]).',
                1,
                "clinician",
            )
        ],
    ),
    case(
        "rx4 cleared",
        [MINOXIDIL],
        dict(
            SAFE_MAN,
            hair_loss_onset="sudden",
            clearances=[{"rule": "RX-4", "by": "Dr Ng", "date": "2026-01-05"}],
        ),
        "RX-4",
        [
            (
                "info",
                "Topical minoxidil although the hair loss is sudden: cleared by Dr Ng on "
                "2026-01-05.",
                "",
                0,
                None,
            )
        ],
    ),
    case(
        "rx4 cleared nodate",
        [MINOXIDIL],
        dict(SAFE_MAN, hair_loss_pattern="patchy", clearances=[{"rule": "RX-4", "by": "Dr Ng"}]),
        "RX-4",
        [
            (
                "info",
                "Topical minoxidil although the hair loss is patchy: cleared by Dr Ng.",
                "",
                0,
                None,
            )
        ],
    ),
    case(
        "rx5",
        [MINOXIDIL],
        SAFE_MAN,
        "RX-5",
        [
            (
                "info",
                "Stop minoxidil and ask a doctor at once on chest pain, a rapid heartbeat, "
                "faintness or dizziness, sudden unexplained weight gain, or swollen hands or "
                "feet [label]; for chest pain or fainting, call your local emergency number "
                "(112 in the EU, 911 in the US, 999 in the UK). Log such symptoms in the "
                "journal.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "rx6",
        [
            {**FINASTERIDE, "stop_day": 200},
            {**MINOXIDIL, "stop_day": 100},
            {**MINOXIDIL, "start_day": 100},
            {"kind": "dutasteride", "stop_day": 50},
        ],
        SAFE_MAN,
        "RX-6",
        [
            (
                "warn",
                "treatment[0] (finasteride) stops on day 200: gains last only while "
                "treatment continues; the regrown hair is lost within about a year of "
                "stopping.",
                "Plan to continue, or decide with a clinician to stop, knowing the gains fade.",
                0,
                None,
            ),
            (
                "warn",
                "treatment[3] (dutasteride) stops on day 50: gains last only while treatment "
                "continues; the regrown hair is lost within about a year of stopping.",
                "Plan to continue, or decide with a clinician to stop, knowing the gains fade.",
                3,
                None,
            ),
        ],
    ),
    case(
        "rx6 minoxidil",
        [{**MINOXIDIL, "stop_day": 100}, {**MINOXIDIL, "start_day": 101}],
        SAFE_MAN,
        "RX-6",
        [
            (
                "warn",
                "treatment[0] (topical minoxidil) stops on day 100: gains last only while "
                "treatment continues; the regrown hair is lost within a few months of "
                "stopping.",
                "Plan to continue, or decide with a clinician to stop, knowing the gains fade.",
                0,
                None,
            )
        ],
    ),
    case(
        "rx7",
        [MINOXIDIL, DUTASTERIDE, FINASTERIDE],
        SAFE_MAN,
        "RX-7",
        [
            (
                "info",
                "Side effects to know about with dutasteride and finasteride [label]: sexual "
                "side effects (lower sex drive, erection or ejaculation problems) in a small "
                "share of men, in some lasting after stopping; mood changes, including "
                "depression: tell the prescriber; thoughts of self-harm need help at once; "
                "breast tenderness, enlargement or lumps: tell the prescriber; fertility: "
                "semen volume and sperm can fall; tell the prescriber if you plan to father "
                "a child; PSA: they lower the prostate test value (PSA) by about half; tell "
                "whoever orders a PSA test that you take them.",
                "Discuss them with the prescriber before starting; log side effects in the "
                "journal (follicle journal log symptom sexual_side_effects).",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "rx8 unknown",
        [ORAL_MINOXIDIL, MINOXIDIL],
        dict(sex="female"),
        "RX-8",
        [
            (
                "warn",
                "Topical minoxidil: it is not recorded whether you are or may become "
                "pregnant; the label says to ask a health professional before use in "
                "pregnancy or while breastfeeding (some labels say not to use it then) "
                "[label].",
                "Ask a doctor before using it; record pregnancy_possible and breastfeeding "
                'in the [health] table, or their clearance (clearances = [{ rule = "RX-8", '
                'by = "Dr ..." }]).',
                1,
                "clinician",
            )
        ],
    ),
    case(
        "rx8 preg bf",
        [MINOXIDIL],
        dict(sex="female", pregnancy_possible=True, breastfeeding=True),
        "RX-8",
        [
            (
                "warn",
                "Topical minoxidil: you are or may become pregnant and you are "
                "breastfeeding; the label says to ask a health professional before use in "
                "pregnancy or while breastfeeding (some labels say not to use it then) "
                "[label].",
                "Ask a doctor before using it; record pregnancy_possible and breastfeeding "
                'in the [health] table, or their clearance (clearances = [{ rule = "RX-8", '
                'by = "Dr ..." }]).',
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx8 bf",
        [MINOXIDIL],
        dict(sex="female", pregnancy_possible=False, breastfeeding=True),
        "RX-8",
        [
            (
                "warn",
                "Topical minoxidil: you are breastfeeding; the label says to ask a health "
                "professional before use in pregnancy or while breastfeeding (some labels "
                "say not to use it then) [label].",
                "Ask a doctor before using it; record pregnancy_possible and breastfeeding "
                'in the [health] table, or their clearance (clearances = [{ rule = "RX-8", '
                'by = "Dr ..." }]).',
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 topical heart",
        [FINASTERIDE, MINOXIDIL],
        dict(SAFE_MAN, heart_condition=True),
        "RX-9",
        [
            (
                "warn",
                "treatment[1] (topical minoxidil): with heart disease, the label says to ask "
                "a doctor before using topical minoxidil [label].",
                "Ask your doctor first.",
                1,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 oral block",
        [FINASTERIDE, ORAL_MINOXIDIL],
        dict(SAFE_MAN, heart_condition=True, blood_pressure="low"),
        "RX-9",
        [
            (
                "block",
                "treatment[1] (oral minoxidil): oral minoxidil is a blood-pressure medicine "
                "(it lowers blood pressure and raises the heart rate; it can strain a "
                "diseased heart or let fluid gather around it) and you recorded heart "
                "disease and low blood pressure [label].",
                "A doctor decides whether oral minoxidil is safe for you; if they clear it, "
                'record it (clearances = [{ rule = "RX-9", by = "Dr ..." }]).',
                1,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 oral low",
        [ORAL_MINOXIDIL],
        dict(SAFE_MAN, blood_pressure="low"),
        "RX-9",
        [
            (
                "block",
                "treatment[0] (oral minoxidil): oral minoxidil is a blood-pressure medicine "
                "(it lowers blood pressure and raises the heart rate; it can strain a "
                "diseased heart or let fluid gather around it) and you recorded low blood "
                "pressure [label].",
                "A doctor decides whether oral minoxidil is safe for you; if they clear it, "
                'record it (clearances = [{ rule = "RX-9", by = "Dr ..." }]).',
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 oral unknown",
        [ORAL_MINOXIDIL],
        dict(SAFE_MAN, heart_condition=None, blood_pressure=None),
        "RX-9",
        [
            (
                "warn",
                "treatment[0] (oral minoxidil): oral minoxidil is a prescription "
                "blood-pressure medicine; not recorded: heart disease and your blood "
                "pressure [label].",
                "Check with the prescriber (blood pressure, heart, other medicines); record "
                "heart_condition and blood_pressure in the [health] table.",
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 oral unknown bp",
        [ORAL_MINOXIDIL],
        dict(SAFE_MAN, blood_pressure=None),
        "RX-9",
        [
            (
                "warn",
                "treatment[0] (oral minoxidil): oral minoxidil is a prescription "
                "blood-pressure medicine; not recorded: your blood pressure [label].",
                "Check with the prescriber (blood pressure, heart, other medicines); record "
                "heart_condition and blood_pressure in the [health] table.",
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 oral high",
        [ORAL_MINOXIDIL],
        dict(SAFE_MAN, blood_pressure="high"),
        "RX-9",
        [
            (
                "warn",
                "treatment[0] (oral minoxidil): oral minoxidil is a prescription "
                "blood-pressure medicine; you recorded high blood pressure: with "
                "blood-pressure medicines the effects add up [label].",
                "Check with the prescriber (blood pressure, heart, other medicines); record "
                "heart_condition and blood_pressure in the [health] table.",
                0,
                "clinician",
            )
        ],
    ),
    case(
        "rx9 oral none",
        [ORAL_MINOXIDIL],
        None,
        "RX-9",
        [
            (
                "warn",
                "treatment[0] (oral minoxidil): oral minoxidil is a prescription "
                "blood-pressure medicine; not recorded: heart disease and your blood "
                "pressure [label].",
                "Check with the prescriber (blood pressure, heart, other medicines); record "
                "heart_condition and blood_pressure in the [health] table.",
                0,
                "clinician",
            )
        ],
    ),
    case(
        "tl1",
        [],
        None,
        "TL-1",
        [
            (
                "info",
                "Visible improvement takes 3-6 months and full results 6-12 months of "
                "consistent treatment; the first progress review is at 3 months, not "
                "earlier.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "tl2",
        [MINOXIDIL],
        None,
        "TL-2",
        [
            (
                "info",
                "Minoxidil can cause extra shedding in the first weeks (up to 2 months); it "
                "is expected and passes. Do not stop because of it.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "tl3",
        [FINASTERIDE, {**MINOXIDIL, "adherence": 0.5}],
        SAFE_MAN,
        "TL-3",
        [
            (
                "warn",
                "treatment[1] (topical minoxidil): adherence = 0.5 plans fewer than 80% of "
                "doses; sporadic treatment gives sporadic results.",
                "Plan for consistency: set reminders (follicle plan calendar) and log doses.",
                1,
                None,
            )
        ],
    ),
    case(
        "tl4",
        [],
        None,
        "TL-4",
        [
            (
                "info",
                "Act early: once follicles are dormant or dead, regrowth is much harder or "
                "needs a transplant.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "rf1 confirmed",
        [FINASTERIDE],
        SAFE_MAN,
        "RF-1",
        [
            (
                "info",
                "You recorded that a clinician confirmed the cause of the hair loss; review "
                "this plan with them.",
                "",
                None,
                None,
            )
        ],
    ),
    case(
        "rf1",
        [FINASTERIDE],
        None,
        "RF-1",
        [
            (
                "info",
                "Before starting any treatment, confirm the cause of the hair loss with a "
                "dermatologist or trichologist (scalp exam, trichoscopy, biopsy).",
                "Book a consultation; `follicle intake` prepares a one-page summary to bring.",
                None,
                "clinician",
            )
        ],
    ),
    case(
        "rf2",
        [FINASTERIDE],
        dict(SAFE_MAN, hair_loss_onset="sudden", hair_loss_pattern="patchy"),
        "RF-2",
        [
            (
                "warn",
                "The hair loss is sudden and patchy: that suggests alopecia areata or "
                "another condition, not pattern hair loss, and pattern-loss treatments may "
                "not fit.",
                "See a dermatologist to find the cause before following this plan.",
                None,
                "clinician",
            )
        ],
    ),
    case(
        "rf2 patchy",
        [FINASTERIDE],
        dict(SAFE_MAN, hair_loss_pattern="patchy"),
        "RF-2",
        [
            (
                "warn",
                "The hair loss is patchy: that suggests alopecia areata or another "
                "condition, not pattern hair loss, and pattern-loss treatments may not fit.",
                "See a dermatologist to find the cause before following this plan.",
                None,
                "clinician",
            )
        ],
    ),
    case(
        "rf3",
        [
            {**FINASTERIDE, "stop_day": 102},
            {"kind": "transplant", "grafts": 1000, "region": "frontal", "day": 100},
        ],
        SAFE_MAN,
        "RF-3",
        [
            (
                "info",
                "treatment[1] (transplant, day 100) replaces follicles but does not stop the "
                "miniaturization of the others; medical treatment continues afterwards.",
                "",
                1,
                None,
            )
        ],
    ),
    case(
        "rf3 warn",
        [
            {**FINASTERIDE, "stop_day": 101},
            {"kind": "transplant", "grafts": 1000, "region": "frontal", "day": 100},
        ],
        SAFE_MAN,
        "RF-3",
        [
            (
                "warn",
                "treatment[1] (transplant, day 100) replaces follicles but does not stop the "
                "miniaturization of the others; medical treatment continues afterwards. No "
                "medicine in this plan continues after the surgery.",
                "Add a medicine that continues after the transplant, as agreed with the "
                "surgeon or a dermatologist.",
                1,
                None,
            )
        ],
    ),
    # a course a rule skips must not end the search (continue, not break); clearances
    case(
        "mn4 a short course is skipped, not the end",
        [
            {**NEEDLING_15, "needle_mm": 0.5, "stop_day": 10},
            {**NEEDLING_15, "interval_days": 5, "start_day": 20},
        ],
        SAFE_MAN,
        "MN-4",
        [
            (
                "block",
                "treatment[1] (microneedling, 1.5 mm): a session every 5 days is too often "
                "for needles of 1 mm or more; the scalp needs 1-3 weeks to regenerate.",
                "Set interval_days between 7 and 21 (7 = weekly).",
                1,
                None,
            )
        ],
    ),
    case(
        "mn4 overlap at 1 mm",
        [{**NEEDLING_15, "needle_mm": 0.5}, {**NEEDLING_15, "needle_mm": 1.0, "start_day": 10}],
        SAFE_MAN,
        "MN-4",
        [
            (
                "block",
                "treatment[0] and treatment[1] put microneedling sessions on days 7 and 10, "
                "3 days apart; with needles of 1 mm or more sessions must be at least 7 days "
                "apart.",
                "Make the courses follow one another (stop_day of the first <= start_day of "
                "the second) or space their sessions 7 days apart.",
                1,
                None,
            )
        ],
    ),
    case(
        "mn7 skipped pairs do not end the search",
        [
            {**NEEDLING_15, "needle_mm": 0.5},
            {**NEEDLING_15, "stop_day": 50},
            {**MINOXIDIL, "pause_after_microneedling_hours": 24},
            {**MINOXIDIL, "start_day": 100},
            MINOXIDIL,
        ],
        SAFE_MAN,
        "MN-7",
        [
            (
                "block",
                "treatment[4] (topical minoxidil) is applied in the 24 hours after the "
                "sessions of treatment[1] (microneedling, 1.5 mm) (first on day 0) with no "
                "pause. After needles over 0.5 mm minoxidil can enter the bloodstream too "
                "fast (palpitations, dizziness).",
                "Add pause_after_microneedling_hours = 24 to treatment[4]: follicle's "
                "calendar then skips the applications in the 24 hours after each session. Or "
                "use needles of 0.5 mm or less.",
                4,
                None,
            )
        ],
    ),
    case(
        "mn8 a pen is skipped, not the end",
        [
            {**NEEDLING_15, "device": "pen"},
            {**NEEDLING_15, "start_day": 100, "device_first_use_day": 10},
        ],
        SAFE_MAN,
        "MN-8",
        [
            (
                "block",
                "treatment[1] (microneedling, 1.5 mm): the roller will be 90 days old at the "
                "first session; after 90 days needles are blunt and tear the skin, which can "
                "scar.",
                "Replace the roller before the first session and set device_first_use_day = 100.",
                1,
                None,
            )
        ],
    ),
    case(
        "rx4 cleared with two reasons",
        [MINOXIDIL],
        dict(
            SAFE_MAN,
            hair_loss_onset="sudden",
            hair_loss_pattern="patchy",
            clearances=[{"rule": "RX-4", "by": "Dr Ng"}],
        ),
        "RX-4",
        [
            (
                "info",
                "Topical minoxidil although the hair loss is sudden; the hair loss is "
                "patchy: cleared by Dr Ng.",
                "",
                0,
                None,
            )
        ],
    ),
    case(
        "rx8 cleared",
        [MINOXIDIL],
        dict(sex="female", pregnancy_possible=True, clearances=[{"rule": "RX-8", "by": "Dr Ng"}]),
        "RX-8",
        [],
    ),
    case(
        "rx9 topical cleared",
        [MINOXIDIL],
        dict(SAFE_MAN, heart_condition=True, clearances=[{"rule": "RX-9", "by": "Dr Ng"}]),
        "RX-9",
        [],
    ),
    case(
        "rx9 oral cleared",
        [ORAL_MINOXIDIL],
        dict(
            SAFE_MAN,
            heart_condition=True,
            blood_pressure="low",
            clearances=[{"rule": "RX-9", "by": "Dr Ng"}],
        ),
        "RX-9",
        [],
    ),
    case("rx9 topical without heart disease", [MINOXIDIL], SAFE_MAN, "RX-9", []),
    case("rx9 oral with everything recorded", [ORAL_MINOXIDIL], SAFE_MAN, "RX-9", []),
    case(
        "rx9 topical then oral",
        [MINOXIDIL, ORAL_MINOXIDIL],
        dict(SAFE_MAN, heart_condition=True),
        "RX-9",
        [
            (
                "block",
                "treatment[1] (oral minoxidil): oral minoxidil is a blood-pressure medicine "
                "(it lowers blood pressure and raises the heart rate; it can strain a "
                "diseased heart or let fluid gather around it) and you recorded heart "
                "disease [label].",
                "A doctor decides whether oral minoxidil is safe for you; if they clear it, "
                'record it (clearances = [{ rule = "RX-9", by = "Dr ..." }]).',
                1,
                "clinician",
            ),
            (
                "warn",
                "treatment[0] (topical minoxidil): with heart disease, the label says to ask "
                "a doctor before using topical minoxidil [label].",
                "Ask your doctor first.",
                0,
                "clinician",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("treatments", "who", "rule", "expected"), CASES)
def test_plan_rule_findings_word_for_word(monkeypatch, treatments, who, rule, expected):
    monkeypatch.delenv(EMERGENCY_ENV, raising=False)
    result = check_plan(regimen(*treatments), person=None if who is None else person(**who))
    found = [
        (f.severity.value, f.message, f.instead, f.treatment, f.triage.value if f.triage else None)
        for f in result.findings
        if f.rule == rule
    ]
    assert found == expected
