"""The measure / analyze / render commands: outputs, JSON, and one-line errors."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from follicle.cli import app

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result


def errors_cleanly(result, text):
    assert result.exit_code == 2, result.output
    stderr = result.stderr if hasattr(result, "stderr") else result.output
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and text in lines[0], stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run(
        "render",
        folder / "demo.png",
        "--difficulty",
        "easy",
        "--seed",
        3,
        "--yellow-dots",
        2,
        "--truth",
        folder / "truth.csv",
    )
    assert result.exit_code == 0, result.output
    return folder


def test_render_analyze_and_measure_end_to_end(demo):
    result = run(
        "analyze",
        demo / "demo.png",
        "--um-per-px",
        4,
        "--overlay",
        demo / "overlay",
        "--hairs",
        demo / "found.csv",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    image = payload["images"][0]
    truth = pd.read_csv(demo / "truth.csv")
    found = pd.read_csv(demo / "found.csv")
    assert abs(image["hair_count"] - len(truth)) <= 0.15 * len(truth)
    assert len(found) == image["hair_count"]
    assert (demo / "overlay" / "demo.overlay.png").exists()
    assert image["metrics"]["provenance"]["version"]

    result = run(
        "measure",
        demo / "found.csv",
        "--area-cm2",
        image["area_cm2"],
        "--yellow-dots",
        2,
        "--occipital",
        demo / "truth.csv",
        "--previous",
        demo / "truth.csv",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["metrics"]["hair_count"] == len(found)
    assert (
        "not establish" in payload["criteria"]["finding"]
        or "do not match" in (payload["criteria"]["finding"])
    )
    assert payload["change"]["matched"] is True


def test_measure_prints_tables(demo):
    result = run("measure", demo / "truth.csv", "--area-cm2", 0.2)
    assert result.exit_code == 0
    assert "density" in result.stdout and "thin hairs" in result.stdout


def test_micrometer_and_device_calibration(demo, tmp_path):
    from PIL import Image

    from follicle.measure.calibration import render_micrometer

    Image.fromarray(render_micrometer(um_per_px=4.0, line_spacing_um=20.0)).save(
        tmp_path / "micrometer.png"
    )
    result = run(
        "analyze",
        demo / "demo.png",
        "--micrometer",
        tmp_path / "micrometer.png",
        "--line-spacing-um",
        20,
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["images"][0]["um_per_px"] == pytest.approx(4.0, rel=0.01)
    result = run("analyze", demo / "demo.png", "--device", "video-70x", "--json")
    assert result.exit_code == 0


def test_bad_input_is_one_line_and_exit_2(demo, tmp_path):
    errors_cleanly(run("measure", demo / "truth.csv", "--area-cm2", 0), "area_cm2 = 0.0")
    errors_cleanly(run("measure", tmp_path / "none.csv", "--area-cm2", 1), "not found")
    empty = tmp_path / "empty.csv"
    pd.DataFrame(columns=["hair_id", "unit_id", "region", "diameter_um", "length_mm"]).to_csv(
        empty, index=False
    )
    errors_cleanly(run("measure", empty, "--area-cm2", 1), "at least one hair")
    errors_cleanly(run("analyze", demo / "demo.png"), "calibration")
    errors_cleanly(run("analyze", demo / "demo.png", "--um-per-px", 500), "um_per_px = 500")
    broken = tmp_path / "broken.png"
    broken.write_bytes((demo / "demo.png").read_bytes()[:2000])
    errors_cleanly(run("analyze", broken, "--um-per-px", 4), "cannot decode")
    errors_cleanly(run("render", tmp_path / "x.jpg"), "output suffix")
    out = tmp_path / "never.csv"
    errors_cleanly(run("analyze", broken, "--um-per-px", 4, "--hairs", out), "cannot decode")
    assert not out.exists()  # nothing half-written


def test_help_teaches_with_an_example():
    for command in ("measure", "analyze", "render"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout
    assert np.isfinite(1.0)


def test_several_images_share_one_table_with_unique_ids(demo, tmp_path):
    second = tmp_path / "again.png"
    second.write_bytes((demo / "demo.png").read_bytes())
    out = tmp_path / "both.parquet"
    result = run("analyze", demo / "demo.png", second, "--um-per-px", 4, "--hairs", out)
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert table["hair_id"].is_unique
    assert set(table["image"]) == {"demo.png", "again.png"}
    per_image = table.groupby("image")["unit_id"].apply(set)
    assert not (per_image["demo.png"] & per_image["again.png"])  # units never span images


def test_analyze_calibrates_from_the_measuring_circle_and_warns_on_a_wrong_scale(tmp_path):
    """The installed command, on an image carrying the device's graphics."""
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    from follicle.measure.calibration import TERMINAL_UM
    from follicle.measure.render import RenderStyle, render_trichoscopy, synthetic_hairs_table

    style = RenderStyle(text_bar=True, text_bar_style="dark", measuring_circle=True)
    hairs = synthetic_hairs_table(unit_count=10, rng=np.random.default_rng(8))
    hairs["diameter_um"] *= 0.8 * TERMINAL_UM / 62  # thicker half ~88 um (trichoscopy-dev)
    scene = render_trichoscopy(hairs, style=style, um_per_px=4.6, seed=8)
    image = tmp_path / "circle.png"
    Image.fromarray(scene.image).save(image)
    follicle = Path(sys.executable).parent / "follicle"
    command = [str(follicle), "analyze", str(image), "--device", "video-70x"]
    done = subprocess.run(
        [*command, "--circle-radius-mm", "2.519", "--json"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["images"][0]
    assert result["um_per_px"] == pytest.approx(4.6, rel=0.003)
    assert result["scale_source"].startswith("measuring circle")
    assert result["burnt_in"]["caption_rows"][0] > 0
    # the scale agrees with the widths: the one warning is that 4.6 um/px is coarse
    warned = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warned) == 1 and "resolution: 4.60 um/px is coarser" in warned[0], warned
    # Without the radius, the 70x preset (2.76 um/px) is 40% off for this image: warned.
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "scale check" in done.stderr
    assert "/cm2" in done.stdout and "vellus" in done.stdout


def test_analyze_table_names_every_image_in_full_at_80_columns(tmp_path):
    """Names of one visit share a prefix: the table never cuts them to '2026-12-05_…'."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    from follicle.measure.render import render_trichoscopy

    scene = render_trichoscopy(style="easy", seed=3)
    names = ["2026-12-05_vertex_a.png", "2026-12-05_vertex_b.png"]
    for name in names:
        Image.fromarray(scene.image).save(tmp_path / name)
    follicle = Path(sys.executable).parent / "follicle"
    done = subprocess.run(
        [str(follicle), "analyze", *(str(tmp_path / n) for n in names), "--um-per-px", "4"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    flat = "".join(line.split()[0] for line in done.stdout.splitlines() if line.split())
    for name in names:
        assert name in flat
    assert "um/px" in done.stdout  # the last column is not cropped


def test_measure_warns_when_two_visits_are_not_the_same_spot(tmp_path):
    """The installed command: tables of two unrelated spots pair no more hairs than
    chance, which the user is told; the same spot again is not flagged."""
    import subprocess
    import sys
    from pathlib import Path

    rng = np.random.default_rng(2)
    for name in ("a", "b"):
        n = 60
        pd.DataFrame(
            {
                "hair_id": np.arange(n),
                "unit_id": np.arange(n) // 2,
                "region": "vertex",
                "diameter_um": rng.uniform(40, 90, n),
                "length_mm": 0.5,
                "x_um": rng.uniform(0, 3500, n),
                "y_um": rng.uniform(0, 2800, n),
            }
        ).to_csv(tmp_path / f"{name}.csv", index=False)
    follicle = Path(sys.executable).parent / "follicle"

    def measure(before: str) -> subprocess.CompletedProcess:
        command = [str(follicle), "measure", str(tmp_path / "b.csv"), "--area-cm2", "0.098"]
        return subprocess.run(
            [*command, "--previous", str(tmp_path / before)], capture_output=True, text=True
        )

    other = measure("a.csv")
    assert other.returncode == 0, other.stderr
    assert "probably not the same spot" in other.stderr
    same = measure("b.csv")
    assert same.returncode == 0, same.stderr
    assert "same spot" not in same.stderr
    assert "60 persisting" in same.stdout
