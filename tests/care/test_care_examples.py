"""The files of the complete example in docs/care.md behave as the docs say."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from follicle.care.calendar import PlanBlockedError, plan_calendar
from follicle.care.intake import load_answers, run_intake
from follicle.care.journal import Journal
from follicle.care.journal.stats import journal_stats
from follicle.care.plan import check_plan
from follicle.person import load_person
from follicle.regimen import load_regimen

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "care"
START = date(2026, 3, 2)


def test_the_violation_and_its_fix():
    person = load_person(EXAMPLES / "person.toml")
    violation = check_plan(EXAMPLES / "plan-violation.toml", person=person)
    assert [f.rule for f in violation.blocks] == ["MN-7"]
    assert [f.rule for f in violation.warnings] == ["MN-5"]
    fixed = check_plan(EXAMPLES / "plan-fixed.toml", person=person)
    assert fixed.ok and fixed.warnings == ()
    with pytest.raises(PlanBlockedError):
        plan_calendar(load_regimen(EXAMPLES / "plan-violation.toml"), start=START)


def test_the_calendar_counts_in_the_docs():
    result = plan_calendar(
        load_regimen(EXAMPLES / "plan-fixed.toml"),
        start=START,
        tz="Europe/London",
        person=load_person(EXAMPLES / "person.toml"),
    )
    counts = {s.key: len(s.occurrences()) for s in result.schedule.series}
    assert counts == {
        "t2-session": 4,
        "t2-pause": 4,
        "t3-session": 49,
        "t3-pause": 49,
        "t3-replace": 5,
        "t0-dose1": 365,
        "t1-dose1": 313,
        "t1-dose2": 313,
        "review-3m": 1,
        "review-6m": 1,
        "review-12m": 1,
    }
    assert sum(counts.values()) == 1105


def test_the_intake_answers():
    result = run_intake(load_answers(EXAMPLES / "answers.toml"))
    assert result.likely.pattern == "male_pattern"
    assert [f.rule for f in result.red_flags] == ["RF-1"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_the_week_script(tmp_path):
    db = tmp_path / "journal.sqlite3"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        ["sh", str(EXAMPLES / "week.sh"), str(db)], check=True, env=env, capture_output=True
    )
    with Journal.open(db) as journal:
        entries = journal.entries()
    assert len(entries) == 22
    from datetime import UTC, datetime

    stats = journal_stats(
        entries,
        regimen=load_regimen(EXAMPLES / "plan-fixed.toml"),
        start=START,
        tz="Europe/London",
        until=datetime(2026, 3, 8, 23, 59, tzinfo=UTC),
    )
    fin, minoxidil, short, _ = stats.treatments
    assert (fin.taken, fin.expected) == (7, 7)
    assert (minoxidil.taken, minoxidil.expected, minoxidil.missed) == (11, 12, (("2026-03-05", 1),))
    assert (short.taken, short.expected) == (1, 1)
