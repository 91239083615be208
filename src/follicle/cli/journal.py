"""``follicle journal``: log, show, export, import and stats (front end of care.journal)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from follicle.care.findings import Severity, Triage
from follicle.care.journal.entries import KINDS, SYMPTOMS, describe
from follicle.care.journal.service import (
    Journal,
    Logged,
    default_journal_path,
    parse_corrections,
    parse_metrics,
)
from follicle.care.terminal_text import print_disclaimer, print_findings
from follicle.care.timezones import zone
from follicle.cli.care_common import JsonOpt, teaching_help
from follicle.cli.support import (
    atomic_output,
    console,
    fail,
    handles_bad_input,
    option_names,
    print_json,
)

journal_app = typer.Typer(
    name="journal",
    help="Keep a treatment journal (SQLite, local): doses, sessions, symptoms, measurements.",
    no_args_is_help=True,
)
log_app = typer.Typer(
    name="log",
    help="Add an entry: application, session, device, symptom, measurement or photo.",
    no_args_is_help=True,
)
journal_app.add_typer(log_app)

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Journal database file (default: journal.sqlite3 in the user data directory, "
        "e.g. ~/.local/share/follicle).",
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened: 2026-03-02T20:00 (read in --tz), 2026-03-02T19:00Z, or now.",
    ),
]
TzOpt = Annotated[
    str | None,
    typer.Option("--tz", help="Your IANA time zone, recorded with the entry (default: local)."),
]
NoteOpt = Annotated[str, typer.Option("--note", help="Free text kept with the entry.")]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Scalp region: frontal, temporal, midscalp, vertex, occipital."),
]


# keyword of a journal verb -> the option that sets it (for error messages)
OPTION_NAMES = {
    name: f"--{name}" for name in ("kind", "limit", "since", "until", "tz", "start", "regimen")
}


def _open(db: Path | None, *, create: bool = True) -> Journal:
    """The journal at --db (default location); reading commands pass ``create=False`` so a
    mistyped path is refused instead of becoming an empty journal."""
    return Journal.open(db if db is not None else default_journal_path(), create=create)


def _report(logged: Logged, json_output: bool) -> None:
    if json_output:
        print_json(logged.to_dict())
        return
    for entry in logged.entries:
        local = entry.at.astimezone(zone(entry.tz))
        console.print(
            f"Logged {entry.kind} #{entry.id} at {local:%a %d %b %Y %H:%M} ({entry.tz}): "
            f"{escape(describe(entry))}"
        )
    flags = logged.flags
    if any(f.triage is Triage.URGENT for f in flags):
        console.print("[bold red]URGENT[/]")
    print_findings(console, flags)
    if any(f.severity is not Severity.INFO for f in flags):
        print_disclaimer(console)


def _log(db, kind, details, at, tz, note, json_output) -> None:
    with _open(db) as journal:
        _report(journal.log(kind, details, at=at, tz=tz, note=note), json_output)


@log_app.command("application")
@handles_bad_input
@teaching_help
def log_application(
    medicine: Annotated[str, typer.Argument(help="finasteride, dutasteride or minoxidil.")],
    route: Annotated[
        str | None, typer.Option("--route", help="oral or topical (default by medicine).")
    ] = None,
    dose_mg: Annotated[float | None, typer.Option("--dose-mg", help="Dose in mg.")] = None,
    concentration_percent: Annotated[
        float | None, typer.Option("--concentration-percent", help="Strength in %.")
    ] = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: NoteOpt = "",
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Log one dose of a medicine.

    Topical minoxidil within 24 hours after a microneedling session with needles over 0.5 mm
    is flagged (MN-7).

    Examples:

        follicle journal log application minoxidil --concentration-percent 5

        follicle journal log application finasteride --at 2026-03-02T08:00
    """
    details = {
        "medicine": medicine,
        "route": route,
        "dose_mg": dose_mg,
        "concentration_percent": concentration_percent,
    }
    details = {k: v for k, v in details.items() if v is not None}
    _log(db, "application", details, at, tz, note, json_output)


@log_app.command("session")
@handles_bad_input
@teaching_help
def log_session(
    needle_mm: Annotated[float, typer.Option("--needle-mm", help="Needle length, 0.1-2.5 mm.")],
    duration_minutes: Annotated[
        float, typer.Option("--duration-minutes", help="How long the session took.")
    ],
    device: Annotated[
        str, typer.Option("--device", help="Name of the roller/pen (first use registers it).")
    ] = "roller-1",
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Treated region (repeat).")
    ] = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: NoteOpt = "",
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Log a microneedling session.

    The first session with a device name registers the device (its first use, for MN-8
    replacement). Flags: sessions less than 7 days apart at 1.0 mm or more (MN-4), outside
    10-15 minutes (MN-3), a roller 60/90 days old (MN-8), minoxidil already logged in the 24
    hours after (MN-7).

    Example:

        follicle journal log session --needle-mm 1.5 --duration-minutes 12
    """
    details = {
        "device": device,
        "needle_mm": needle_mm,
        "duration_minutes": duration_minutes,
        "regions": [str(r) for r in region or []],
    }
    _log(db, "session", details, at, tz, note, json_output)


@log_app.command("device")
@handles_bad_input
@teaching_help
def log_device(
    name: Annotated[str, typer.Argument(help="A name for the device, e.g. roller-2.")],
    device_type: Annotated[str, typer.Option("--type", help="roller, pen or stamp.")] = "roller",
    needle_mm: Annotated[
        float | None, typer.Option("--needle-mm", help="Needle length of a roller or stamp.")
    ] = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: NoteOpt = "",
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Register a microneedling device; --at is its first use (MN-8 counts from it).

    Example:

        follicle journal log device roller-2 --needle-mm 1.5 --at 2026-05-01
    """
    details = {"name": name, "device_type": device_type, "needle_mm": needle_mm}
    details = {k: v for k, v in details.items() if v is not None}
    _log(db, "device", details, at, tz, note, json_output)


@log_app.command("symptom")
@handles_bad_input
@teaching_help
def log_symptom(
    symptom: Annotated[str, typer.Argument(help="One of: " + ", ".join(SYMPTOMS) + ".")],
    severity: Annotated[
        str | None, typer.Option("--severity", help="mild, moderate or severe (optional).")
    ] = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: NoteOpt = "",
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Log a symptom or side effect and get the matching advice.

    Oozing, extreme heat or pus: seek medical attention immediately (MN-12). Chest pain,
    rapid heartbeat, faintness, dizziness, weight gain, swollen hands or feet: stop
    minoxidil and ask a doctor (RX-5). Urgent advice names the emergency number: set
    FOLLICLE_EMERGENCY_NUMBER (e.g. 112) to have it say yours. Sexual side effects: tell the
    prescriber (RX-7). Redness or swelling in the 3 days after a session is normal (MN-11).
    --severity is stored only when given.

    Example:

        follicle journal log symptom redness --note "mild, like sunburn"
    """
    details = {"symptom": symptom, **({"severity": severity} if severity else {})}
    _log(db, "symptom", details, at, tz, note, json_output)


@log_app.command("measurement")
@handles_bad_input
@teaching_help
def log_measurement(
    metric: Annotated[
        list[str] | None,
        typer.Option("--metric", help="name=value, unit in the name (repeat): density_per_cm2=182"),
    ] = None,
    from_result: Annotated[
        Path | None,
        typer.Option("--from-result", help="JSON result of `follicle measure`/`analyze --json`."),
    ] = None,
    region: RegionOpt = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: NoteOpt = "",
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Log hair counts and metrics, typed in or from a measurement result file.

    Examples:

        follicle journal log measurement --metric density_per_cm2=182

        follicle journal log measurement --from-result vertex.json
    """
    if (metric is None) == (from_result is None):
        fail("--metric / --from-result: give exactly one of them")
    with _open(db) as journal:
        if from_result is not None:
            logged = journal.log_measurement_file(
                from_result, region=region, at=at, tz=tz, note=note
            )
        else:
            metrics = parse_metrics(metric, field="--metric")
            details = {"metrics": metrics, **({"region": region} if region else {})}
            logged = journal.log("measurement", details, at=at, tz=tz, note=note)
        _report(logged, json_output)


@log_app.command("photo")
@handles_bad_input
@teaching_help
def log_photo(
    path: Annotated[Path, typer.Argument(help="The image file (kept where it is).")],
    region: RegionOpt = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: NoteOpt = "",
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Log a photo by its path and the SHA-256 of its content (to notice later changes).

    Example:

        follicle journal log photo ~/scalp/2026-03-02-vertex.jpg --region vertex
    """
    with _open(db) as journal:
        _report(journal.log_photo(path, region=region, at=at, tz=tz, note=note), json_output)


@journal_app.command("show")
@handles_bad_input
@teaching_help
def show(
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help=f"Only these kinds: {', '.join(KINDS)}.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Up to this date, inclusive.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest.")] = 50,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also the voided and amended entries (the full history)."),
    ] = False,
    tz: TzOpt = None,
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Show journal entries, newest last, with their flags (recomputed after every change).

    Voided and amended entries are left out; --all shows them, marked, with the reason.

    Example:

        follicle journal show --kind session --since 2026-03-01
    """
    with _open(db, create=False) as journal, option_names(OPTION_NAMES):
        page = journal.show(
            kinds=kind, since=since, until=until, tz=tz, limit=limit, include_voided=show_all
        )
    if json_output:
        print_json(page.to_dict())
        return
    entries, voids, ids, path = page.entries, page.voids, page.ids, page.db
    local = zone(page.tz)
    table = Table(title=f"{len(entries)} entries in {path}")
    for column in ("#", "when", "kind", "what", "flags"):
        table.add_column(column)
    for entry in entries:
        flags = " ".join(f"{f.rule}:{f.severity.value}" for f in entry.flags)
        what = escape(describe(entry))
        void = voids.get(entry.uid)
        if void is not None:
            replaced = ids.get(void.replaced_by_uid)
            state = f"amended by #{replaced}" if replaced else "voided"
            marker = escape(f"[{state}: {void.reason}]")
            what = f"[dim]{marker} {what}[/dim]"
        table.add_row(
            str(entry.id),
            f"{entry.at.astimezone(local):%Y-%m-%d %H:%M}",
            entry.kind,
            what,
            flags,
        )
    console.print(table)


ReasonOpt = Annotated[
    str, typer.Option("--reason", help="Why the entry is corrected (kept with the history).")
]
EntryArg = Annotated[str, typer.Argument(help="The entry's # (journal show) or uid.")]


@journal_app.command("amend")
@handles_bad_input
@teaching_help
def amend(
    entry: EntryArg,
    reason: ReasonOpt,
    changes: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="field=value to correct (repeat): needle_mm=1.0, dose_mg=1, "
            "regions=vertex;frontal, metrics=density_per_cm2=150.",
        ),
    ] = None,
    at: AtOpt = None,
    tz: TzOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="The corrected note.")] = None,
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Correct an entry: the corrected entry is logged and replaces it; the old one stays
    in the journal, voided with the reason (journal show --all).

    Nothing is ever deleted. The flags of every entry are recomputed.

    Examples:

        follicle journal amend 12 --set needle_mm=1.0 --reason "was 1.0"

        follicle journal amend 7 --at 2026-03-02T21:00 --reason "wrong time"
    """
    with _open(db, create=False) as journal:
        old = journal.find(entry)
        parsed = parse_corrections(old, changes or [], field="--set")
        if not parsed and at is None and tz is None and note is None:
            fail("--set / --at / --tz / --note: give at least one correction")
        _report(
            journal.amend(entry, reason=reason, changes=parsed, at=at, tz=tz, note=note),
            json_output,
        )
    if not json_output:
        console.print(f"Entry #{old.id} is kept, voided: {escape(reason)}")


@journal_app.command("void")
@handles_bad_input
@teaching_help
def void(entry: EntryArg, reason: ReasonOpt, db: DbOpt = None, json_output: JsonOpt = False):
    """Withdraw an entry logged by mistake: it stays in the journal (journal show --all,
    exports) but no longer counts for the rules, stats or projections.

    Example:

        follicle journal void 12 --reason "logged twice"
    """
    with _open(db, create=False) as journal:
        result = journal.withdraw(entry, reason=reason)
    target, done = result.target, result.void
    if json_output:
        print_json(result.to_dict())
    else:
        console.print(
            f"Voided {target.kind} #{target.id} ({escape(describe(target))}): "
            f"{escape(done.reason)}. It is kept (follicle journal show --all)."
        )


@journal_app.command("export")
@handles_bad_input
@teaching_help
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write: .json or .csv.")],
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Export every entry, voided and amended ones included: JSON (complete, with flags and
    voids) or CSV (one row per entry).

    Examples:

        follicle journal export -o journal.json

        follicle journal export -o journal.csv
    """
    suffix = output.suffix.lower()
    if suffix not in (".json", ".csv"):
        fail(f"--output = {str(output)!r} is not allowed; expected a .json or .csv file")
    with _open(db, create=False) as journal:
        exported = journal.export(suffix.lstrip("."))
    with atomic_output(output) as temporary:
        temporary.write_text(exported.text, encoding="utf-8")
    if json_output:
        print_json(
            {
                "provenance": exported.provenance,
                "written": str(output),
                "entries": exported.entries,
            }
        )
    else:
        console.print(f"Wrote {exported.entries} entries to {output}.")


@journal_app.command("import")
@handles_bad_input
@teaching_help
def import_(
    source: Annotated[Path, typer.Argument(help="A journal export (.json or .csv).")],
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Import an export: all entries or none; entries already present are skipped.

    The flags are recomputed for every entry, as after any change. A refused import into a
    new file leaves no journal behind.

    Example:

        follicle journal import journal.json --db new-journal.sqlite3
    """
    from follicle.care.journal.service import import_into

    result = import_into(db if db is not None else default_journal_path(), source)
    if json_output:
        print_json(result)
    else:
        console.print(
            f"Imported {result['added']} entries ({result['skipped']} already there, "
            f"{result['voided']} voided). Flags were recomputed for every entry."
        )


@journal_app.command("stats")
@handles_bad_input
@teaching_help
def stats(
    regimen: Annotated[
        Path | None, typer.Option("--regimen", help="The plan the journal follows (TOML).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="The plan's day 0 (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Count up to the end of this date (default: now).")
    ] = None,
    tz: TzOpt = None,
    db: DbOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Adherence per treatment, streaks and missed doses against the plan (TL-3 below 80%).

    Without --regimen, counts of entries only.

    Example:

        follicle journal stats --regimen plan.toml --start 2026-03-02
    """
    if (regimen is None) != (start is None):
        fail("--regimen / --start: give both (the plan and its day 0) or neither")
    with _open(db, create=False) as journal, option_names(OPTION_NAMES):
        result = journal.stats(regimen=regimen, start=start, until=until, tz=tz)
    plan = regimen
    if json_output:
        print_json(result.to_dict())
        return
    console.print("Entries: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()))
    for device in result.devices:
        state = "in use" if device["in_use"] else "not used in the last 30 days"
        count = device["sessions"]
        console.print(
            f"Device {escape(device['name'])} ({device['device_type']}): "
            f"{device['age_days']} days since first use, "
            f"{count} session{'' if count == 1 else 's'}, {state}"
        )
    if plan is None:
        print_findings(console, result.findings)
        console.print("Give --regimen and --start for adherence.")
        return
    table = Table(title=f"Adherence since {result.since}")
    for column in ("treatment", "taken / expected", "adherence", "streak (now / best)", "missed"):
        table.add_column(column)
    for t in result.treatments:
        rate = "-" if t.adherence is None else f"{t.adherence:.0%}"
        missed = ", ".join(d for d, _ in t.missed[-5:]) + (" ..." if len(t.missed) > 5 else "")
        table.add_row(
            t.label,
            f"{t.taken} / {t.expected}",
            rate,
            f"{t.current_streak} / {t.longest_streak}",
            missed or "-",
        )
    console.print(table)
    print_findings(console, result.findings)
    print_disclaimer(console)
