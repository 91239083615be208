"""``follicle intake``: the screening questionnaire in the terminal or from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from follicle.care.intake import (
    QUESTIONS,
    IntakeAnswers,
    Question,
    check_answer,
    parse_answers,
    run_intake,
)
from follicle.care.summary import to_html, to_markdown
from follicle.care.terminal_text import print_disclaimer, print_findings
from follicle.cli.care_common import JsonOpt, teaching_help
from follicle.cli.support import atomic_output, console, fail, handles_bad_input, print_json
from follicle.errors import FollicleInputError


def _default(question: Question):
    field = IntakeAnswers.model_fields[question.key]
    if field.is_required():
        return None
    value = field.default
    return ",".join(value) if isinstance(value, tuple) else value


def _ask(question: Question):
    """One question; re-asked until the answer is allowed (typer reads stdin)."""
    default = _default(question)
    text = question.text
    if question.explain:
        typer.echo(f"  ({question.explain})", err=True)
    if question.choices:
        text += f" [{'/'.join(question.choices)}]"
    while True:
        raw = typer.prompt(
            text,
            default="" if default is None else str(default),
            show_default=default not in (None, ""),
            err=True,
        ).strip()
        if question.multiple:
            items = [part.strip() for part in raw.split(",") if part.strip()]
            bad = [item for item in items if item not in question.choices]
            if not bad:
                return items
            problem = f"{bad[0]!r} is not one of {', '.join(question.choices)}"
        elif question.number:
            try:
                number = float(raw)
            except ValueError:
                problem = f"{raw!r} is not a number"
            else:
                try:
                    return check_answer(question.key, number)
                except FollicleInputError as error:
                    problem = str(error)
        elif question.choices:
            if raw in question.choices:
                return raw
            problem = f"{raw!r} is not one of {', '.join(question.choices)}"
        else:
            try:
                return check_answer(question.key, raw)
            except FollicleInputError as error:
                problem = str(error)
        typer.echo(f"Error: {problem}.", err=True)


def ask_answers() -> IntakeAnswers:
    """Prompt for every question (on stderr; answers from stdin)."""
    answers: dict = {}
    typer.echo(
        "follicle intake: information for a consultation, not a diagnosis. "
        "Press Enter to keep a default.",
        err=True,
    )
    for question in QUESTIONS:
        if question.ask_if and answers.get(question.ask_if[0]) != question.ask_if[1]:
            continue
        answers[question.key] = _ask(question)
    return parse_answers(answers, source="answers")


@handles_bad_input
@teaching_help
def intake(
    answers: Annotated[
        Path | None,
        typer.Option("--answers", "-a", help="Answers file (TOML or JSON); else you are asked."),
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Write the one-page summary as Markdown.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the one-page summary as HTML (printable).")
    ] = None,
    save_person: Annotated[
        Path | None,
        typer.Option("--save-person", help="Write a person TOML for `follicle plan check`."),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Screen your hair loss before a consultation: likely pattern, red flags, contraindications.

    Answers come from a file (keys: sex, age_years, pattern, onset, duration_months,
    shedding, triggers, body_hair_patches, scalp_symptoms, scalp_conditions, stage,
    family_history, pregnancy_possible, breastfeeding, heart_condition, blood_pressure,
    poor_wound_healing, keloid_history, alopecia_areata_diagnosed, current_medicines,
    prescriber, cause_confirmed_by_clinician, microneedling_experience) or from questions
    in the terminal, each answer checked as it is given.

    The result is information to discuss with a clinician, never a diagnosis.

    Examples:

        follicle intake --markdown summary.md --html summary.html

        follicle intake --answers answers.toml --save-person me.toml --json
    """
    try:
        parsed = answers if answers is not None else ask_answers()
    except typer.Abort:
        fail("answers = <end of input> is not allowed; expected an answer to every question")
    result = run_intake(parsed)
    outputs = {
        markdown: lambda: to_markdown(result),
        html: lambda: to_html(result),
        save_person: result.person_file,
    }
    written = []
    for path, render in outputs.items():
        if path is not None:
            with atomic_output(path) as temporary:
                temporary.write_text(render(), encoding="utf-8")
            written.append(str(path))
    if json_output:
        print_json({**result.to_dict(), "written": written})  # provenance stays first
        return
    likely = result.likely
    console.print(
        f"[bold]The answers suggest:[/bold] {escape(likely.label)} (information, not a diagnosis)"
    )
    for reason in likely.reasons:
        console.print(f"  - {escape(reason)}")
    if result.red_flags:
        console.print("[bold]Red flags and referral:[/bold]")
        print_findings(console, result.red_flags)
    console.print("[bold]Treatments:[/bold]")
    for screen in result.treatments:
        console.print(f"  {screen.treatment}: {screen.status}")
        for finding in screen.findings:
            console.print(f"      {finding.rule}: {escape(finding.message)}")
    for path in written:
        console.print(f"Wrote {path}")
    print_disclaimer(console)
