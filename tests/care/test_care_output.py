"""Output files and terminal tables: atomic output refuses what it must not replace; the
projection table keeps every number whole at 80 columns."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from follicle.care.projection import NO_TREATMENT_LABEL, Projection
from follicle.cli import app
from follicle.cli.project import projection_table

runner = CliRunner()


@pytest.fixture
def fixed_plan(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('name = "tablets"\n[[treatment]]\nkind = "dutasteride"\n', encoding="utf-8")
    return path


def _calendar(plan, output):
    return runner.invoke(
        app, ["plan", "calendar", str(plan), "--start", "2026-03-02", "--tz", "UTC", "-o", output]
    )


def _one_line(result, text):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("follicle: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert text in result.stderr


def test_output_into_a_directory_is_one_line_error(fixed_plan, tmp_path):
    before = sorted(os.listdir(tmp_path))
    _one_line(_calendar(fixed_plan, str(tmp_path)), "is a directory")
    _one_line(_calendar(fixed_plan, "."), "is a directory")
    assert sorted(os.listdir(tmp_path)) == before  # no temporary file left behind


def test_output_to_a_device_does_not_replace_it(fixed_plan, tmp_path):
    # a private device node (the null device's numbers) in tmp_path, never the system's
    # /dev/null: code without the fix would replace the device it is given
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("creating a device node needs root (CAP_MKNOD)")
    _one_line(_calendar(fixed_plan, str(device)), "not a regular file")
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_output_to_a_fifo_is_refused(fixed_plan, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _one_line(_calendar(fixed_plan, str(fifo)), "not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_replaces_a_regular_file_and_writes_a_new_one(fixed_plan, tmp_path):
    old = tmp_path / "old.ics"
    old.write_text("old", encoding="utf-8")
    assert _calendar(fixed_plan, str(old)).exit_code == 0
    assert old.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    new = tmp_path / "new.ics"
    assert _calendar(fixed_plan, str(new)).exit_code == 0
    assert new.is_file()


def _projection(labels):
    rows = []
    for label in labels:
        for day, p50 in ((0, 81.0), (365, 149.0)):
            rows.append(
                {
                    "regimen": label,
                    "region": "vertex",
                    "day": day,
                    "measure": "non_vellus_per_cm2",
                    "p10": 139.0 if day else 80.0,
                    "p50": p50 if label != NO_TREATMENT_LABEL else 78.0,
                    "p90": 1234.0 if day else 90.0,
                }
            )
    return Projection(bands=pd.DataFrame(rows), provenance={})


def test_projection_table_keeps_numbers_whole_at_80_columns():
    long_label = "finasteride 1 mg daily plus minoxidil 5% twice a day and microneedling (fixed)"
    table = projection_table(_projection([NO_TREATMENT_LABEL, long_label]), years=1)
    console = Console(width=80, record=True, color_system=None)
    console.print(table)
    text = console.export_text()
    assert "…" not in text
    assert "149 (139-1234)" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "in 1 year " in text and "in 1 years" not in text


def test_years_text():
    from follicle.cli.project import years_text

    assert years_text(1) == "1 year"
    assert years_text(3) == "3 years"
    assert years_text(0.5) == "0.5 years"


def test_project_says_year_singular(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "f"\n[[treatment]]\n' + 'kind = "finasteride"\n', encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "project",
            "examples/man-25-high.toml",
            "--regimen",
            str(plan),
            "--years",
            "1",
            "--futures",
            "5",
            "--seed",
            "1",
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "in 1 year " in result.stdout and "in 1 years" not in result.stdout
