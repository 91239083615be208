"""Every ``--json`` output of the installed ``follicle`` command validates against its
JSON Schema (src/follicle/schemas, docs/json.md) and carries the provenance envelope.

Each case runs the console script as a user does, with real files, and validates what
it printed. The schemas are strict where a consumer relies on a field (types, ranges,
the envelope's fields), so a renamed or missing field fails here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

from follicle.provenance import ENVELOPE_FIELDS, SCHEMA_VERSION  # noqa: E402
from follicle.schemas import names, schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PLAN_FIXED = EXAMPLES / "care" / "plan-fixed.toml"
PLAN_VIOLATION = EXAMPLES / "care" / "plan-violation.toml"
PERSON = EXAMPLES / "care" / "person.toml"
VISITS = EXAMPLES / "visits"


def _script() -> str:
    beside = Path(sys.executable).with_name("follicle")
    found = str(beside) if beside.exists() else shutil.which("follicle")
    if not found:
        pytest.skip("the follicle console script is not installed")
    return found


def follicle(*args, cwd: Path, code: int = 0) -> str:
    env = {k: v for k, v in os.environ.items() if k != "FOLLICLE_DEBUG"}
    done = subprocess.run(
        [_script(), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )
    assert done.returncode == code, (args, done.stderr)
    return done.stdout


def _validator(name: str):
    registry = referencing.Registry().with_resources(
        (s["$id"], referencing.Resource.from_contents(s)) for s in map(schema, names())
    )
    return jsonschema.Draft202012Validator(schema(name), registry=registry)


def _journal(cwd: Path) -> list[str]:
    db = cwd / "j.sqlite3"
    follicle(
        "journal", "log", "session", "--needle-mm", "1.5", "--duration-minutes", "12",
        "--at", "2026-03-02T20:00", "--tz", "UTC", "--db", db, cwd=cwd,
    )  # fmt: skip
    return ["--db", db]


def _tiny_ensemble_settings(cwd: Path) -> Path:
    """Calibration settings for an ensemble built in seconds (one free parameter)."""
    path = cwd / "settings.toml"
    path.write_text(
        '[split]\nholdout = []\n\n[ensemble]\nfree = ["damage_per_cycle"]\nseed = 1\n'
        "n_per_arm = 2\ndesign_runs = 3\npopulation_size = 20\nmax_generations = 1\n"
        "members = 3\n"
    )
    return path


# name -> (schema, how to get the output: a function of the working directory)
CASES = {
    "simulate": (
        "trajectory",
        lambda cwd: follicle(
            "simulate",
            EXAMPLES / "man-25-high.toml",
            "--regimen",
            EXAMPLES / "finasteride.toml",
            "--years",
            "0.3",
            "--seed",
            "1",
            "--area",
            "vertex:0.5",
            "--json",
            cwd=cwd,
        ),
    ),
    "demo": ("demo", lambda cwd: follicle("demo", "--out-dir", cwd, "--json", cwd=cwd)),
    "params": ("params", lambda cwd: follicle("params", "--json", cwd=cwd)),
    "trial": (
        "trial",
        lambda cwd: follicle(
            "trial",
            EXAMPLES / "trials" / "finasteride-vs-placebo.toml",
            "--n-per-arm",
            "3",
            "--workers",
            "0",
            "--seed",
            "1",
            "--json",
            cwd=cwd,
        ),
    ),
    "validate": (
        "validation",
        lambda cwd: follicle(
            "validate",
            "--only",
            "steady-state-density",
            "--n-per-arm",
            "2",
            "--workers",
            "0",
            "--members",
            "3",
            "--members-n-per-arm",
            "2",
            "--json",
            cwd=cwd,
        ),
    ),
    "validate-no-ensemble": (
        "validation",
        lambda cwd: follicle(
            "validate",
            "--only",
            "steady-state-density",
            "--n-per-arm",
            "2",
            "--workers",
            "0",
            "--no-ensemble",
            "--json",
            cwd=cwd,
        ),
    ),
    "trial --over-ensemble": (
        "trial-over-ensemble",
        lambda cwd: follicle(
            "trial",
            EXAMPLES / "trials" / "finasteride-vs-placebo.toml",
            *[
                "--over-ensemble",
                "2",
                "--n-per-arm",
                "3",
                "--workers",
                "0",
                "--seed",
                "1",
                "--json",
            ],
            cwd=cwd,
        ),
    ),
    "calibrate": (
        "calibrate",
        lambda cwd: follicle(
            *[
                "calibrate",
                "--only",
                "steady-state-density",
                "--free",
                "damage_per_cycle",
                "--n-per-arm",
                "2",
                "--max-evaluations",
                "1",
                "--workers",
                "0",
                "--output",
                "fit.toml",
                "--json",
            ],
            cwd=cwd,
        ),
    ),
    "calibrate --ensemble": (
        "calibrate-ensemble",
        lambda cwd: follicle(
            *[
                "calibrate",
                "--ensemble",
                "--only",
                "steady-state-density",
                "--only",
                "steady-state-anagen",
                "--workers",
                "0",
                "--output",
                "ensemble.json",
                "--json",
                "--settings",
            ],
            _tiny_ensemble_settings(cwd),
            cwd=cwd,
        ),
    ),
    "project": (
        "projection",
        lambda cwd: follicle(
            "project",
            EXAMPLES / "man-25-high.toml",
            "--regimen",
            EXAMPLES / "finasteride.toml",
            *["--years", "0.5", "--futures", "5", "--members", "2", "--seed", "1", "--json"],
            cwd=cwd,
        ),
    ),
    "project (blocked)": (
        "projection",
        lambda cwd: follicle(
            "project",
            PERSON,
            "--regimen",
            PLAN_VIOLATION,
            *["--years", "0.3", "--futures", "5", "--members", "1", "--seed", "1", "--json"],
            cwd=cwd,
            code=1,
        ),
    ),
    "measure": (
        "measure",
        lambda cwd: follicle(
            "measure",
            VISITS / "frontal-visit2.csv",
            "--area-cm2",
            "0.1",
            "--yellow-dots",
            "3",
            "--occipital",
            VISITS / "occipital-visit2.csv",
            "--previous",
            VISITS / "frontal-visit1.csv",
            "--json",
            cwd=cwd,
        ),
    ),
    "analyze": (
        "analyze",
        lambda cwd: (
            follicle("render", "scene.png", "--seed", "3", cwd=cwd),
            follicle(
                "analyze", "scene.png", "--um-per-px", "4", "--overlay", "over", "--json", cwd=cwd
            ),
        )[1],
    ),
    "report visit": (
        "visit-report",
        lambda cwd: follicle(
            "report",
            "visit",
            VISITS / "frontal-visit2.csv",
            "--area-cm2",
            "0.1",
            "--previous",
            VISITS / "frontal-visit1.csv",
            "-o",
            "visit.html",
            "--json",
            cwd=cwd,
        ),
    ),
    "intake": (
        "intake",
        lambda cwd: follicle(
            "intake",
            "--answers",
            EXAMPLES / "care" / "answers.toml",
            "--save-person",
            "me.toml",
            "--json",
            cwd=cwd,
        ),
    ),
    "plan check": (
        "plan-check",
        lambda cwd: follicle("plan", "check", PLAN_FIXED, "--person", PERSON, "--json", cwd=cwd),
    ),
    "plan check (blocked)": (
        "plan-check",
        lambda cwd: follicle("plan", "check", PLAN_VIOLATION, "--json", cwd=cwd, code=1),
    ),
    "plan calendar": (
        "plan-calendar",
        lambda cwd: follicle(
            "plan",
            "calendar",
            PLAN_FIXED,
            "-s",
            "2026-03-02",
            "--tz",
            "UTC",
            "-o",
            "p.ics",
            "--json",
            cwd=cwd,
        ),
    ),
    "plan calendar (blocked)": (
        "plan-calendar",
        lambda cwd: follicle(
            "plan", "calendar", PLAN_VIOLATION, "-s", "2026-03-02", "--json", cwd=cwd, code=1
        ),
    ),
    "journal log": (
        "journal-logged",
        lambda cwd: follicle(
            "journal",
            "log",
            "application",
            "minoxidil",
            "--concentration-percent",
            "5",
            "--at",
            "2026-03-03T08:00",
            "--tz",
            "UTC",
            *_journal(cwd),
            "--json",
            cwd=cwd,
        ),
    ),
    "journal log measurement": (
        "journal-logged",
        lambda cwd: follicle(
            "journal",
            "log",
            "measurement",
            "--metric",
            "density_per_cm2=182",
            "--tz",
            "UTC",
            "--db",
            "j.sqlite3",
            "--json",
            cwd=cwd,
        ),
    ),
    "journal amend": (
        "journal-logged",
        lambda cwd: follicle(
            "journal",
            "amend",
            "1",
            "--set",
            "needle_mm=1.0",
            "--reason",
            "was 1.0",
            *_journal(cwd),
            "--json",
            cwd=cwd,
        ),
    ),
    "journal show": (
        "journal-show",
        lambda cwd: follicle(
            "journal", "show", "--all", "--tz", "UTC", *_journal(cwd), "--json", cwd=cwd
        ),
    ),
    "journal void": (
        "journal-void",
        lambda cwd: follicle(
            "journal", "void", "2", "--reason", "twice", *_journal(cwd), "--json", cwd=cwd
        ),
    ),
    "journal export": (
        "journal-export",
        lambda cwd: follicle(
            "journal", "export", "-o", "e.json", *_journal(cwd), "--json", cwd=cwd
        ),
    ),
    "journal import": (
        "journal-import",
        lambda cwd: (
            follicle("journal", "export", "-o", "e.json", *_journal(cwd), cwd=cwd),
            follicle("journal", "import", "e.json", "--db", "new.sqlite3", "--json", cwd=cwd),
        )[1],
    ),
    "journal stats": (
        "journal-stats",
        lambda cwd: follicle(
            "journal",
            "stats",
            "--regimen",
            PLAN_FIXED,
            "--start",
            "2026-03-01",
            "--until",
            "2026-03-08",
            "--tz",
            "UTC",
            *_journal(cwd),
            "--json",
            cwd=cwd,
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_json_output_validates_against_its_schema(case, tmp_path):
    name, produce = CASES[case]
    data = json.loads(produce(tmp_path))
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
    assert next(iter(data)) == "provenance", list(data)[:3]  # docs/json.md: the first key
    envelope = data["provenance"]
    assert list(envelope)[: len(ENVELOPE_FIELDS)] == list(ENVELOPE_FIELDS)
    assert envelope["schema_version"] == SCHEMA_VERSION
    # a file input's digest is the file's SHA-256 as it is now
    for record in envelope["inputs"]:
        if record["digest_of"] == "file" and Path(record["path"]).is_absolute():
            digest = hashlib.sha256(Path(record["path"]).read_bytes()).hexdigest()
            assert record["sha256"] == digest, record


def test_every_schema_is_exercised_or_shared():
    shared = {"provenance", "finding", "journal-entry", "metrics"}
    used = {name for name, _ in CASES.values()}
    assert set(names()) == used | shared


def test_schemas_reject_what_they_must():
    """The schemas can fail: no envelope, a wrong schema_version, a share above 100%."""
    measure = _validator("measure")
    assert not measure.is_valid({"metrics": {}})
    envelope = {
        "schema_version": 2,
        "software": "follicle",
        "version": "0",
        "verb": "x",
        "seed": None,
        "parameters": {},
        "inputs": [],
        "created_utc": "2026-01-01T00:00:00+00:00",
    }
    assert not _validator("provenance").is_valid(envelope)
    assert _validator("provenance").is_valid(envelope | {"schema_version": 1})
    observation = {
        "day": 0.0,
        "region": "vertex",
        "area_cm2": 1.0,
        "hairs": 10,
        "density_per_cm2": 10.0,
        "thin_share_percent": 150.0,
        "mean_diameter_um": 60.0,
    }
    context = {"days": 1, "observe_every_days": 1, "area_cm2": {}, "person": {}, "regimen": {}}
    trajectory = {
        "provenance": envelope | {"schema_version": 1} | context,
        "format": "follicle.trajectory/1",
        "observations": [observation | {"thin_share_percent": 15.0}],
    }
    assert _validator("trajectory").is_valid(trajectory)
    assert not _validator("trajectory").is_valid(trajectory | {"observations": [observation]})
