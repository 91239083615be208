"""The command line: readable output, JSON, files, and one-line errors with exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from follicle.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def test_simulate_prints_a_summary(examples):
    result = run(
        "simulate",
        examples / "man-25-high.toml",
        "--years",
        "1",
        "--seed",
        "1",
        "--area",
        "vertex:1",
    )
    assert result.exit_code == 0, result.output
    assert "vertex" in result.output and "hairs/cm2" in result.output


def test_simulate_json_is_the_trajectory(examples):
    result = run(
        "simulate",
        examples / "man-25-high.toml",
        "--regimen",
        examples / "finasteride.toml",
        "--years",
        "0.5",
        "--seed",
        "3",
        "--area",
        "vertex:1",
        "--json",
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["provenance"]["seed"] == 3
    assert data["provenance"]["regimen"]["name"] == "finasteride 1 mg"
    columns = set(data["observations"][0])
    assert {"day", "region", "density_per_cm2", "thin_share_percent"} <= columns


def test_simulate_writes_csv_plot_and_snapshot(examples, tmp_path):
    result = run(
        "simulate",
        examples / "man-25-high.toml",
        "--years",
        "1",
        "--seed",
        "2",
        "--area",
        "vertex:1",
        "--csv",
        tmp_path / "t.csv",
        "--plot",
        tmp_path / "t.png",
        "--snapshot-day",
        "180",
        "--snapshot",
        tmp_path / "hairs.csv",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "hairs.csv").read_text().startswith("hair_id,unit_id,region,diameter_um")
    assert "day,region" in (tmp_path / "t.csv").read_text()


def _error_line(result):
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_unknown_key_in_regimen(examples, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[treatment]]\nkind = "minoxidil"\nconcentration_percent = 5\ncolour = 1\n')
    line = _error_line(
        run("simulate", examples / "man-25-high.toml", "--regimen", bad, "--years", "1")
    )
    assert "treatment[0].colour" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("sex = \n", "not valid TOML"),
        ('sex = "male"\nage_years = -3\n', "age_years = -3"),
        ('sex = "male"\nage_years = 30\nandrogen_sensitivity = "huge"\n', "'huge'"),
    ],
)
def test_bad_person_files(tmp_path, content, expected):
    person = tmp_path / "p.toml"
    person.write_text(content)
    assert expected in _error_line(run("simulate", person, "--years", "1"))


def test_dose_out_of_range_and_unknown_treatment(examples, tmp_path):
    for text, expected in [
        ('[[treatment]]\nkind = "finasteride"\ndose_mg = 50\n', "dose_mg = 50"),
        ('[[treatment]]\nkind = "shampoo"\n', "kind = 'shampoo'"),
    ]:
        bad = tmp_path / "r.toml"
        bad.write_text(text)
        line = _error_line(
            run("simulate", examples / "man-25-high.toml", "--regimen", bad, "--years", "1")
        )
        assert expected in line


def test_missing_file_and_bad_years(examples, tmp_path):
    assert "file not found" in _error_line(run("simulate", tmp_path / "none.toml", "--years", "1"))
    assert "--years" in _error_line(run("simulate", examples / "man-25-high.toml", "--years", "-1"))


def test_nothing_half_written_on_error(examples, tmp_path):
    out = tmp_path / "t.csv"
    result = run(
        "simulate",
        examples / "man-25-high.toml",
        "--years",
        "0.1",
        "--area",
        "vertex:1",
        "--csv",
        out,
        "--snapshot-day",
        "999",
        "--snapshot",
        tmp_path / "h.csv",
    )
    assert "day = 999" in _error_line(result)
    assert not out.exists() and not (tmp_path / "h.csv").exists()
    assert list(tmp_path.iterdir()) == []


def test_demo_is_the_main_job(tmp_path):
    result = run("demo", "--out-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo.png").exists()
    data = json.loads((tmp_path / "demo.json").read_text())
    assert data["provenance"]["verb"] == "run_demo"
    untreated = data["trajectories"]["untreated"]["observations"]
    vertex = [r for r in untreated if r["region"] == "vertex"]
    assert vertex[-1]["non_vellus_per_cm2"] < vertex[0]["non_vellus_per_cm2"]


def test_console_script_help():
    done = subprocess.run(
        [sys.executable, "-m", "follicle.cli", "simulate", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--regimen" in done.stdout and "Examples" in done.stdout


def result_args(examples, params):
    return [
        "simulate",
        examples / "man-25-high.toml",
        "--years",
        "0.5",
        "--seed",
        "1",
        "--area",
        "vertex:1",
        "--parameters",
        params,
        "--json",
    ]


def test_params_file_and_shrinkage_option(examples, tmp_path):
    params = tmp_path / "p.toml"
    params.write_text('[parameters]\nshrinkage_mode = "stepwise"\ndamage_per_cycle = 0.3\n')
    result = run(
        "simulate",
        examples / "man-25-high.toml",
        "--years",
        "0.5",
        "--seed",
        "1",
        "--area",
        "vertex:1",
        "--parameters",
        params,
        "--json",
    )
    assert result.exit_code == 0, result.output
    used = json.loads(result.stdout)["provenance"]["parameters"]
    assert used["shrinkage_mode"] == "stepwise" and used["damage_per_cycle"] == 0.3
    # --params is the old name: still accepted, hidden from --help
    old = run(*[a if a != "--parameters" else "--params" for a in result_args(examples, params)])
    assert old.exit_code == 0, old.output
    assert json.loads(old.stdout)["provenance"]["parameters"] == used
    assert "--params " not in run("simulate", "--help").stdout
    params.write_text("[parameters]\ndamage = 1\n")
    assert "parameters.damage = 1" in _error_line(
        run("simulate", examples / "man-25-high.toml", "--years", "1", "--params", params)
    )
    assert "shrinkage_mode = 'fast'" in _error_line(
        run("simulate", examples / "man-25-high.toml", "--years", "1", "--shrinkage", "fast")
    )


def test_params_command_lists_every_parameter_with_a_source():
    from follicle.model.params import ModelParameters

    result = run("params", "--json")
    data = json.loads(result.stdout)
    assert data["provenance"]["verb"] == "params"
    assert set(data["parameters"]) == set(ModelParameters.sources())
    assert all(entry["source"] for entry in data["parameters"].values())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["simulate", "examples/man-25-high.toml"], "Missing option '--years'"),
        (["simulate", "examples/man-25-high.toml", "--years", "1", "--bogus"], "--bogus"),
        (["simulate", "examples/man-25-high.toml", "--years", "abc"], "--years"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args, expected):
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "follicle.cli", *args], capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("follicle: error:") and expected in lines[0]
    assert "Traceback" not in done.stderr


def test_help_examples_fit_an_80_column_terminal():
    from follicle.cli import loaded_app

    def helps(typer_app):
        for command in typer_app.registered_commands:
            yield command.help or ""
        for group in typer_app.registered_groups:
            yield from helps(group.typer_instance)

    texts = list(helps(loaded_app()))
    assert len(texts) > 15
    long = [line for text in texts for line in text.split("\n") if len(line) > 78]
    # prose is reflowed by the terminal; only examples (indented) must be short
    assert [line for line in long if line.startswith(" ")] == []


def test_engine_option_is_recorded_and_checked(examples):
    """--engine picks the engine, the JSON provenance says which ran; a bad name is a
    one-line error (exit 2) naming the allowed engines. Run as users run it: the
    installed command in a subprocess."""
    command = [Path(sys.executable).parent / "follicle", "simulate", examples / "man-25-high.toml"]
    command += ["--years", "0.2", "--seed", "1", "--area", "vertex:0.5"]
    for engine in ("numpy", "numba"):
        done = subprocess.run(
            [*command, "--engine", engine, "--json"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["provenance"]["engine"] == engine
    bad = subprocess.run([*command, "--engine", "fortran"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "engine = 'fortran'" in bad.stderr and "numba" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
