"""``follicle trial``: tables, JSON, report, and one-line errors with exit code 2."""

import json

from typer.testing import CliRunner

from follicle.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


def write_trial(path, extra=""):
    path.write_text(
        'name = "cli trial"\nn_per_arm = 4\nblock_size = 2\nseed = 3\n'
        '[population]\nsex = "male"\nage_years = 25\nandrogen_sensitivity = 0.6\n'
        '[target_area]\nregion = "vertex"\narea_cm2 = 0.5\n'
        '[[arm]]\nname = "placebo"\n'
        '[[arm]]\nname = "minoxidil"\n[[arm.treatment]]\nkind = "minoxidil"\n'
        '[[endpoint]]\nmeasure = "change"\ncolumn = "non_vellus_per_cm2"\nday = 60\n' + extra
    )
    return path


def test_trial_prints_tables_and_writes_a_report(tmp_path):
    trial = write_trial(tmp_path / "t.toml")
    result = run("trial", trial, "--workers", "0", "--report", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    assert "change non_vellus_per_cm2 day 60" in result.output
    assert "minoxidil" in result.output and "control" in result.output
    page = (tmp_path / "r.html").read_text()
    assert page.count("<img") == 2 and "Provenance" in page


def test_trial_json(tmp_path):
    trial = write_trial(tmp_path / "t.toml")
    result = run("trial", trial, "--workers", "0", "--json", "--seed", "9")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["seed"] == 9 and payload["provenance"]["seed"] == 9
    assert {row["arm"] for row in payload["endpoints"]} == {"placebo", "minoxidil"}
    assert payload["comparisons"][0]["control"] == "placebo"
    assert "p_value" in payload["comparisons"][0]


def test_bad_trial_file_is_one_line_and_exit_2(tmp_path):
    trial = write_trial(tmp_path / "t.toml", 'colour = "red"\n')
    result = run("trial", trial, "--workers", "0", "--report", tmp_path / "r.html")
    assert result.exit_code == 2
    assert "colour" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_workers_and_scheduler_exclude_each_other(tmp_path):
    trial = write_trial(tmp_path / "t.toml")
    result = run("trial", trial, "--workers", "2", "--scheduler", "tcp://x:1")
    assert result.exit_code == 2


def test_keeping_few_observations_keeps_the_results_and_the_report(tmp_path):
    trial = write_trial(tmp_path / "t.toml")
    full = json.loads(run("trial", trial, "--workers", "0", "--json").output)
    lean = run(
        "trial", trial, "--workers", "0", "--keep-observations", "0", "--json",
        "--report", tmp_path / "r.html",
    )  # fmt: skip
    assert lean.exit_code == 0, lean.output
    assert json.loads(lean.output)["endpoints"] == full["endpoints"]
    assert (tmp_path / "r.html").read_text().count("<img") == 2
    bad = run("trial", trial, "--workers", "0", "--block-size", "0")
    assert bad.exit_code == 2 and "--block-size" in bad.output


def test_an_existing_scheduler_gives_the_serial_result(tmp_path):
    from distributed import LocalCluster

    trial = write_trial(tmp_path / "t.toml")
    serial = json.loads(run("trial", trial, "--workers", "0", "--json").output)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        remote = run("trial", trial, "--scheduler", cluster.scheduler_address, "--json")
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.output)["endpoints"] == serial["endpoints"]
