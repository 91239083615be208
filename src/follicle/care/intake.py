"""Intake screening: a questionnaire about the hair loss, turned into information to bring
to a clinician. It never diagnoses.

From the answers (a file, or prompts in the terminal) it gives:

- the **likely pattern** (male or female pattern hair loss, alopecia areata, shedding
  after a trigger, other) with the reasons, worded as what the answers suggest;
- **red flags** that call for a clinician (RF-1, RF-2, RX-4);
- **contraindications for each treatment**, found by running the plan rules
  (:func:`follicle.check_plan`) on a one-treatment plan per treatment for the person the
  answers describe;
- the **person profile** those answers make (for ``follicle plan check --person``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from follicle.care.findings import DISCLAIMER, Finding, Severity, Triage
from follicle.care.plan import check_plan
from follicle.config_io import read_toml, validate
from follicle.errors import FollicleFileError, FollicleInputError
from follicle.person import Person, parse_person
from follicle.regimen import parse_regimen

Pattern = Literal["temples_crown", "widening_part", "diffuse", "patches", "other"]
Trigger = Literal[
    "illness_or_fever",
    "childbirth",
    "surgery",
    "severe_stress",
    "crash_diet",
    "new_medicine",
    "stopped_hormones",
]
ScalpSymptom = Literal[
    "red", "inflamed", "itching", "scaling", "painful", "burning", "pustules", "infection", "acne"
]
YesNo = Literal["yes", "no", "unknown"]
Stage = Literal[
    "unknown",
    "norwood_1",
    "norwood_2",
    "norwood_3",
    "norwood_3v",
    "norwood_4",
    "norwood_5",
    "norwood_6",
    "norwood_7",
    "ludwig_1",
    "ludwig_2",
    "ludwig_3",
]


class IntakeAnswers(BaseModel):
    """The questionnaire's answers; every key is documented in ``QUESTIONS``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sex: Literal["male", "female"]
    age_years: float = Field(..., ge=12, le=100)
    pattern: Pattern
    onset: Literal["gradual", "sudden"]
    duration_months: float = Field(..., ge=0, le=1200)
    shedding: Literal["normal", "increased", "clumps"] = "normal"
    triggers: tuple[Trigger, ...] = ()
    body_hair_patches: YesNo = "unknown"
    scalp_symptoms: tuple[ScalpSymptom, ...] = ()
    scalp_conditions: tuple[Literal["psoriasis", "eczema"], ...] = ()
    stage: Stage = "unknown"
    family_history: YesNo = "unknown"
    pregnancy_possible: YesNo = "unknown"
    breastfeeding: YesNo = "unknown"
    heart_condition: YesNo = "unknown"
    blood_pressure: Literal["low", "normal", "high", "unknown"] = "unknown"
    poor_wound_healing: YesNo = "unknown"
    keloid_history: YesNo = "unknown"
    alopecia_areata_diagnosed: YesNo = "unknown"
    current_medicines: tuple[Literal["finasteride", "dutasteride", "minoxidil"], ...] = ()
    prescriber: str = Field("", max_length=200)
    cause_confirmed_by_clinician: YesNo = "no"
    microneedling_experience: YesNo = "no"

    @model_validator(mode="after")
    def _female_only(self):
        for key in ("pregnancy_possible", "breastfeeding"):
            if self.sex == "male" and getattr(self, key) == "yes":
                raise ValueError(
                    f"{key} = 'yes' is not allowed; expected 'no' or 'unknown' with sex = 'male'"
                )
        return self


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[str, ...] = ()
    multiple: bool = False
    number: bool = False
    ask_if: tuple[str, str] | None = None  # (key, value): ask only when answers[key] == value
    explain: str = ""


def _choices(name: str) -> tuple[str, ...]:
    annotation = IntakeAnswers.model_fields[name].annotation
    args = getattr(annotation, "__args__", ())
    if args and hasattr(args[0], "__args__"):  # tuple[Literal[...], ...]
        return tuple(args[0].__args__)
    return tuple(args)


QUESTIONS: tuple[Question, ...] = (
    Question("sex", "Sex (for the medicine labels)", _choices("sex")),
    Question("age_years", "Age in years", number=True),
    Question(
        "pattern",
        "Where is the hair thinning?",
        _choices("pattern"),
        explain="temples_crown: receding temples or thinning crown; widening_part: a wider "
        "parting or thinning on top; diffuse: all over; patches: round or oval bald patches",
    ),
    Question(
        "onset", "Did it start gradually (months, years) or suddenly (weeks)?", _choices("onset")
    ),
    Question("duration_months", "For how many months have you noticed it?", number=True),
    Question("shedding", "How much hair do you shed?", _choices("shedding")),
    Question(
        "triggers",
        "In the 6 months before it started: any of these? (comma-separated, empty for none)",
        _choices("triggers"),
        multiple=True,
    ),
    Question(
        "body_hair_patches",
        "Bald patches in the eyebrows, lashes or beard?",
        _choices("body_hair_patches"),
    ),
    Question(
        "scalp_symptoms",
        "Scalp symptoms now? (comma-separated, empty for none)",
        _choices("scalp_symptoms"),
        multiple=True,
    ),
    Question(
        "scalp_conditions",
        "Psoriasis or eczema on the scalp? (comma-separated)",
        _choices("scalp_conditions"),
        multiple=True,
    ),
    Question(
        "stage",
        "Stage, if you know it (Norwood for men, Ludwig for women)",
        _choices("stage"),
        explain="norwood_1 (no recession) ... norwood_7 (only a band at the sides and back); "
        "ludwig_1 (thinning on top, parting wider) ... ludwig_3 (very thin on top); "
        "unknown if unsure",
    ),
    Question(
        "family_history", "Pattern hair loss in parents or siblings?", _choices("family_history")
    ),
    Question(
        "pregnancy_possible",
        "Are you pregnant or could you become pregnant?",
        _choices("pregnancy_possible"),
        ask_if=("sex", "female"),
    ),
    Question(
        "breastfeeding",
        "Are you breastfeeding?",
        _choices("breastfeeding"),
        ask_if=("sex", "female"),
    ),
    Question(
        "heart_condition",
        "Do you have heart disease (angina, heart failure, a heart attack before, ...)?",
        _choices("heart_condition"),
    ),
    Question(
        "blood_pressure",
        "Your blood pressure (high includes treated high blood pressure)",
        _choices("blood_pressure"),
    ),
    Question(
        "poor_wound_healing", "Do wounds heal poorly for you?", _choices("poor_wound_healing")
    ),
    Question(
        "keloid_history",
        "Have you had keloid (raised, overgrown) scars?",
        _choices("keloid_history"),
    ),
    Question(
        "alopecia_areata_diagnosed",
        "Has a doctor diagnosed active alopecia areata?",
        _choices("alopecia_areata_diagnosed"),
    ),
    Question(
        "current_medicines",
        "Hair-loss medicines you take now? (comma-separated)",
        _choices("current_medicines"),
        multiple=True,
    ),
    Question("prescriber", "Who prescribed them? (empty if nobody)"),
    Question(
        "cause_confirmed_by_clinician",
        "Has a dermatologist or trichologist confirmed the cause?",
        _choices("cause_confirmed_by_clinician"),
    ),
    Question(
        "microneedling_experience",
        "Have you microneedled your scalp before?",
        _choices("microneedling_experience"),
    ),
)

PATTERN_LABELS = {
    "male_pattern": "male pattern hair loss (androgenetic alopecia)",
    "female_pattern": "female pattern hair loss (androgenetic alopecia)",
    "alopecia_areata": "alopecia areata (an immune condition)",
    "shedding_after_trigger": "shedding after a trigger (telogen effluvium)",
    "other": "other or unclear",
}
SCREENED_TREATMENTS: dict[str, dict] = {
    "finasteride": {"kind": "finasteride", "dose_mg": 1.0},
    "dutasteride": {"kind": "dutasteride"},
    "minoxidil (topical)": {"kind": "minoxidil", "concentration_percent": 5},
    "minoxidil (oral)": {"kind": "minoxidil", "route": "oral", "dose_mg": 2.5},
    "microneedling": {"kind": "microneedling", "needle_mm": 0.5, "interval_days": 7},
    "prp": {"kind": "prp"},
    "laser": {"kind": "laser"},
}
#: Information findings shown with a treatment anyway: what to know before starting it.
COUNSELLING_RULES = ("RX-7",)
#: Scalp symptoms in the words of the rules (RX-4: red, inflamed, infected, irritated, painful).
_SYMPTOM_AS_CONDITION = {
    "red": "red",
    "inflamed": "inflamed",
    "itching": "irritated",
    "scaling": "irritated",
    "painful": "painful",
    "burning": "painful",
    "pustules": "infection",
    "infection": "infection",
    "acne": "acne",
}


@dataclass(frozen=True)
class Likely:
    pattern: str
    reasons: tuple[str, ...]
    also_consider: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return PATTERN_LABELS[self.pattern]

    def to_dict(self) -> dict:
        return {
            "pattern": self.pattern,
            "label": self.label,
            "reasons": list(self.reasons),
            "also_consider": [PATTERN_LABELS[p] for p in self.also_consider],
        }


@dataclass(frozen=True)
class TreatmentScreen:
    treatment: str
    status: Literal["not now", "check first", "no contraindication found"]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return {
            "treatment": self.treatment,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class IntakeResult:
    answers: IntakeAnswers
    person: Person
    likely: Likely
    red_flags: tuple[Finding, ...]
    treatments: tuple[TreatmentScreen, ...]
    made_on: date = field(default_factory=date.today)
    disclaimer: str = DISCLAIMER
    sensitivity_basis: str = ""
    provenance: dict = field(default_factory=dict, compare=False)

    def person_file(self) -> str:
        """The person TOML, with how its androgen sensitivity was chosen."""
        note = (
            f"androgen_sensitivity: {self.sensitivity_basis}. Fit it to a measured density "
            "with `follicle project --from-journal`."
        )
        return person_toml(self.person, comments={"androgen_sensitivity": note})

    def to_dict(self) -> dict:
        """The JSON of ``follicle intake --json`` (schemas/intake.json, with ``written``)."""
        return {
            "provenance": self.provenance,
            "made_on": self.made_on.isoformat(),
            "answers": self.answers.model_dump(mode="json"),
            "likely": self.likely.to_dict(),
            "red_flags": [f.to_dict() for f in self.red_flags],
            "treatments": [t.to_dict() for t in self.treatments],
            "androgen_sensitivity_basis": self.sensitivity_basis,
            "person_toml": self.person_file(),
            "disclaimer": self.disclaimer,
            "note": "Information to discuss with a clinician, not a diagnosis.",
        }


def check_answer(key: str, value):
    """One answer validated on its own (range, choices), as the full model would: the
    interactive intake re-asks at once instead of failing after the last question."""
    from typing import Annotated

    from pydantic import TypeAdapter, ValidationError

    field_info = IntakeAnswers.model_fields[key]
    adapter = TypeAdapter(Annotated[field_info.annotation, *field_info.metadata])
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        bounds = {
            name: getattr(item, name)
            for item in field_info.metadata
            for name in ("ge", "le")
            if getattr(item, name, None) is not None
        }
        if len(bounds) == 2:
            allowed = f"a number from {bounds['ge']:g} to {bounds['le']:g}"
        else:
            detail = error.errors()[0]["msg"]
            allowed = detail[:1].lower() + detail[1:]
        raise FollicleInputError(key, value, allowed) from None


def parse_answers(data: dict, *, source: str | None = None) -> IntakeAnswers:
    return validate(IntakeAnswers, data, source=source)


def load_answers(path: str | Path) -> IntakeAnswers:
    """Answers from a TOML or JSON file (keys as in ``QUESTIONS``)."""
    import json

    path = Path(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FollicleFileError(f"{path}: file not found") from None
        except (OSError, ValueError) as error:
            raise FollicleFileError(f"{path}: not valid JSON ({error})") from None
        if not isinstance(data, dict):
            raise FollicleFileError(f"{path}: expected a JSON object of answers")
    else:
        data = read_toml(path)
    return parse_answers(data, source=str(path))


#: Shedding after a trigger starts 2-4 months after it and usually settles within about
#: 6 months; longer, it is chronic shedding or another cause (physiology of the telogen
#: phase; the source articles' distinction between shedding and miniaturization).
SHEDDING_SETTLES_MONTHS = 6
_WHERE = {
    "temples_crown": "receding temples or a thinning crown",
    "widening_part": "a widening parting / thinning on top",
    "diffuse": "thinning all over",
    "patches": "round or oval bald patches",
    "other": "thinning in another pattern",
}


def _shedding_reasons(a: IntakeAnswers) -> list[str]:
    """The answers that point to shedding after a trigger, in the answers' own words."""
    reasons = []
    if a.triggers:
        reasons.append(
            "a possible trigger in the 6 months before it started: "
            + ", ".join(a.triggers).replace("_", " ")
        )
    if a.onset == "sudden":
        reasons.append("it started suddenly")
    if a.shedding == "clumps":
        reasons.append("hair comes out in clumps")
    elif a.shedding == "increased":
        reasons.append("you shed more hair than usual")
    return reasons


def likely_pattern(a: IntakeAnswers) -> Likely:
    """What the answers suggest, with the reasons. Information, not a diagnosis.

    Every reason restates an answer that was given (the distribution, the onset, the
    shedding, a trigger, the family history, the duration), so a reason never contradicts
    the answers. The order: alopecia areata signs; the distribution typical of pattern
    loss for the person's sex with a gradual course; shedding after a trigger (a trigger
    and sudden onset or heavy shedding, thinning all over or unclear); diffuse thinning in
    a woman; otherwise unclear.
    """
    if (
        a.pattern == "patches"
        or a.body_hair_patches == "yes"
        or (a.alopecia_areata_diagnosed == "yes")
    ):
        reasons = []
        if a.pattern == "patches":
            reasons.append("round or oval bald patches are typical of alopecia areata (RF-2)")
        if a.body_hair_patches == "yes":
            reasons.append("patches in the eyebrows, lashes or beard point the same way")
        if a.alopecia_areata_diagnosed == "yes":
            reasons.append("a doctor has diagnosed alopecia areata")
        if a.onset == "sudden":
            reasons.append("it started suddenly")
        return Likely("alopecia_areata", tuple(reasons))
    expected = {"male": "temples_crown", "female": "widening_part"}[a.sex]
    pattern_loss = f"{a.sex}_pattern"
    triggered = bool(a.triggers) and (a.onset == "sudden" or a.shedding != "normal")
    supporting = []
    if a.onset == "gradual":
        supporting.append(f"it came on gradually, over {a.duration_months:g} months")
    if a.family_history == "yes":
        supporting.append("pattern hair loss runs in the family")
    if a.stage != "unknown":
        supporting.append(f"you gave the stage {a.stage.replace('_', ' ')}")
    if a.pattern == expected:
        reasons = [f"{_WHERE[a.pattern]} is the typical distribution in {a.sex}s", *supporting]
        also: tuple[str, ...] = ()
        if triggered:
            # a trigger can add shedding on top of pattern loss (e.g. after childbirth)
            reasons.append(
                "; ".join(_shedding_reasons(a))
                + ": shedding after a trigger may add to it for a few months"
            )
            also = ("shedding_after_trigger",)
        if a.onset == "sudden":
            reasons.append("but it started suddenly, which is unusual for pattern loss (RF-2)")
            also = (*also, "other")
        return Likely(pattern_loss, tuple(reasons), also_consider=also)
    if triggered and a.pattern in ("diffuse", "other"):
        reasons = [*_shedding_reasons(a), f"{_WHERE[a.pattern]} fits shedding after a trigger"]
        if a.duration_months > SHEDDING_SETTLES_MONTHS:
            reasons.append(
                f"it has lasted {a.duration_months:g} months: shedding after a trigger usually "
                f"settles within about {SHEDDING_SETTLES_MONTHS}, so ask about chronic shedding "
                "or pattern loss underneath"
            )
        else:
            reasons.append("it usually settles within months once the trigger has passed")
        return Likely("shedding_after_trigger", tuple(reasons), also_consider=(pattern_loss,))
    if a.sex == "female" and a.pattern == "diffuse":
        reasons = [
            "thinning all over, in a woman, can be female pattern loss (mainly on top; the "
            "back and sides keep their hair)",
            *supporting,
            "diffuse thinning also has other causes (iron, thyroid, medicines...)",
        ]
        return Likely("female_pattern", tuple(reasons), also_consider=("other",))
    reasons = [f"{_WHERE[a.pattern]} does not fit one pattern clearly for a {a.sex}"]
    if a.pattern == "diffuse":
        reasons.append("diffuse thinning has many possible causes (iron, thyroid, medicines...)")
    return Likely("other", tuple(reasons))


#: Androgen sensitivity (docs/model.md labels) assumed for each stage: an assumption in
#: line with the model's densities (a "moderate" man keeps ~150 non-vellus vertex hairs/cm2
#: at 25, a "high" one ~90; Vecchio 2002: vertex 138 -> 47/cm2 from stage I to VII).
STAGE_SENSITIVITY = {
    "norwood_1": "low",
    "norwood_2": "moderate",
    "norwood_3": "moderate",
    "norwood_3v": "moderate",
    "norwood_4": "high",
    "norwood_5": "high",
    "norwood_6": "very high",
    "norwood_7": "very high",
    "ludwig_1": "moderate",
    "ludwig_2": "high",
    "ludwig_3": "very high",
}
DEFAULT_SENSITIVITY = "moderate"


def estimate_sensitivity(a: IntakeAnswers) -> tuple[str, str]:
    """(androgen sensitivity, how it was chosen): from the stage when given, else the
    model's default. A rough estimate, stated as such in the saved person file."""
    if a.stage in STAGE_SENSITIVITY:
        return STAGE_SENSITIVITY[a.stage], (
            f"estimated from the stage you gave ({a.stage.replace('_', ' ')}); a rough guess"
        )
    return DEFAULT_SENSITIVITY, "not estimated (no stage given): the model's default"


def person_from_answers(a: IntakeAnswers, likely: Likely | None = None) -> Person:
    """The person profile the answers describe ([health] table included).

    The cause counts as unknown (RX-4) when no clinician confirmed it and the answers fit
    no pattern clearly.
    """
    likely = likely or likely_pattern(a)
    if a.cause_confirmed_by_clinician == "yes":
        cause_known = True
    elif likely.pattern == "other":
        cause_known = False
    else:
        cause_known = None

    def yes(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)

    conditions = {_SYMPTOM_AS_CONDITION[s] for s in a.scalp_symptoms} | set(a.scalp_conditions)
    health = {
        "pregnancy_possible": yes(a.pregnancy_possible) if a.sex == "female" else False,
        "breastfeeding": yes(a.breastfeeding) if a.sex == "female" else False,
        "heart_condition": yes(a.heart_condition),
        "blood_pressure": None if a.blood_pressure == "unknown" else a.blood_pressure,
        "scalp_conditions": sorted(conditions),
        "poor_wound_healing": yes(a.poor_wound_healing),
        "keloid_history": yes(a.keloid_history),
        "active_alopecia_areata": yes(a.alopecia_areata_diagnosed),
        "hair_loss_onset": a.onset,
        "hair_loss_pattern": {"patches": "patchy", "diffuse": "diffuse"}.get(
            a.pattern, "patterned"
        ),
        "cause_confirmed_by_clinician": yes(a.cause_confirmed_by_clinician),
        "hair_loss_cause_known": cause_known,
        "microneedling_experience": yes(a.microneedling_experience),
        "prescriptions": [
            {"medicine": m, "prescriber": a.prescriber}
            for m in a.current_medicines
            if a.prescriber.strip()
        ],
    }
    health = {k: v for k, v in health.items() if v is not None}
    return parse_person(
        {
            "name": "intake",
            "sex": a.sex,
            "age_years": a.age_years,
            "androgen_sensitivity": estimate_sensitivity(a)[0],
            "health": health,
        }
    )


def red_flags(a: IntakeAnswers, person: Person, likely: Likely) -> list[Finding]:
    flags = []
    if a.onset == "sudden" or a.pattern == "patches":
        what = " and ".join(
            w
            for w, on in (("sudden", a.onset == "sudden"), ("patchy", a.pattern == "patches"))
            if on
        )
        flags.append(
            Finding(
                "RF-2",
                Severity.WARN,
                f"The hair loss is {what}: that suggests alopecia areata or another condition "
                "rather than pattern loss.",
                "See a dermatologist before starting any treatment.",
                triage=Triage.CLINICIAN,
            )
        )
    reasons = []
    scalp = [
        c
        for c in person.health.scalp_conditions
        if c in ("red", "inflamed", "infection", "irritated", "painful")
    ]
    if scalp:
        reasons.append("the scalp is " + ", ".join(scalp))
    if a.age_years < 18:
        reasons.append(f"you are under 18 ({a.age_years:g})")
    if likely.pattern == "other" and a.cause_confirmed_by_clinician != "yes":
        reasons.append("the cause is unknown")
    if a.onset == "sudden" or a.pattern == "patches":
        reasons.append("the loss is sudden or patchy")
    if reasons:
        flags.append(
            Finding(
                "RX-4",
                Severity.WARN,
                "Topical minoxidil's label says not to use it when "
                + "; ".join(reasons)
                + " [label].",
                "Ask a doctor first.",
                triage=Triage.CLINICIAN,
            )
        )
    if a.cause_confirmed_by_clinician != "yes":
        flags.append(
            Finding(
                "RF-1",
                Severity.INFO,
                "Before starting any treatment, confirm the cause with a dermatologist or "
                "trichologist (scalp exam, trichoscopy, biopsy).",
                "Bring this summary to the consultation.",
                triage=Triage.CLINICIAN,
            )
        )
    return flags


_PLAN_REFERENCE = re.compile(r"^treatment\[0\] \([^)]*\)(: )?")


def _without_plan_reference(finding: Finding) -> Finding:
    """'treatment[0] (finasteride): finasteride is ...' -> 'Finasteride is ...'."""
    message = _PLAN_REFERENCE.sub("", finding.message)
    return replace(finding, message=message[:1].upper() + message[1:], treatment=None)


def screen_treatments(person: Person) -> list[TreatmentScreen]:
    """Run the plan rules on a one-treatment plan per treatment; keep blocks and warnings."""
    screens = []
    for name, treatment in SCREENED_TREATMENTS.items():
        result = check_plan(parse_regimen({"name": name, "treatment": [treatment]}), person=person)
        relevant = tuple(
            _without_plan_reference(f)
            for f in result.findings
            if (f.severity is not Severity.INFO and f.rule not in ("RF-2",))
            or f.rule in COUNSELLING_RULES
        )
        if any(f.severity is Severity.BLOCK for f in relevant):
            status = "not now"
        elif any(f.severity is Severity.WARN for f in relevant):
            status = "check first"
        else:
            status = "no contraindication found"
        screens.append(TreatmentScreen(name, status, relevant))
    return screens


def run_intake(
    answers: IntakeAnswers | dict | str | Path, *, today: date | None = None
) -> IntakeResult:
    """Screen the answers (a model, a dict, or an answers file, TOML or JSON): likely
    pattern, red flags, contraindications, person profile."""
    from follicle.provenance import envelope, input_record

    source = answers
    if isinstance(answers, str | Path):
        answers = load_answers(answers)
    elif isinstance(answers, dict):
        answers = parse_answers(answers)
    record = input_record("answers", source if isinstance(source, str | Path) else answers)
    likely = likely_pattern(answers)
    person = person_from_answers(answers, likely)
    return IntakeResult(
        answers=answers,
        person=person,
        likely=likely,
        red_flags=tuple(red_flags(answers, person, likely)),
        treatments=tuple(screen_treatments(person)),
        made_on=today or date.today(),
        sensitivity_basis=estimate_sensitivity(answers)[1],
        provenance=envelope("run_intake", inputs=[record]),
    )


def _toml_value(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def person_toml(person: Person, *, comments: dict[str, str] | None = None) -> str:
    """A person file (for ``follicle plan check --person``) with the [health] table.

    ``comments``: a comment line written above a top-level key (e.g. how
    ``androgen_sensitivity`` was estimated).
    """
    comments = comments or {}
    data = person.model_dump(mode="json", exclude_defaults=True)
    for key in comments:
        if key not in data and key != "health":
            data[key] = person.model_dump(mode="json")[key]
    health = data.pop("health", {})
    lines = ["# Made by `follicle intake`; check and complete it (docs/person.md)."]
    for key, value in data.items():
        if key in comments:
            lines.append(f"# {comments[key]}")
        lines.append(f"{key} = {_toml_value(value)}")
    lines += ["", "[health]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in health.items()]
    return "\n".join(lines) + "\n"
