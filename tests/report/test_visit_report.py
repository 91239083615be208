"""follicle report visit: the report's numbers are the measurement library's, its HTML
carries them, and the installed command writes it (PDF when Chromium is installed).

The images are synthetic: the two-visit example of examples/visits rendered by follicle.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from follicle.errors import FollicleInputError
from follicle.measure.analyze import analyze_image
from follicle.measure.criteria import rakowska_criteria
from follicle.measure.metrics import measure
from follicle.measure.render import render_trichoscopy
from follicle.measure.scale_bar import draw_scale_bar, scale_bar_box, scale_bar_length_um
from follicle.measure.visits import compare_visits
from follicle.report.normal_ranges import REFERENCE_VALUES
from follicle.report.pdf import find_chromium
from follicle.report.visit_data import ScaleSpec, load_visit
from follicle.report.visit_report import build_visit_report

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "visits"
REFERENCE = ROOT / ".." / "shared" / "reference"
FOLLICLE = Path(sys.executable).parent / "follicle"
UM_PER_PX = 4.0
SHIFT_UM = (160.0, -90.0)  # examples/visits/make_tables.py moves the second framing so


def _render(table: str, path: Path, *, seed: int, yellow_dots: int = 0):
    hairs = pd.read_csv(EXAMPLE / table)
    scene = render_trichoscopy(
        hairs, um_per_px=UM_PER_PX, style="easy", yellow_dots=yellow_dots, seed=seed
    )
    Image.fromarray(scene.image).save(path)
    return scene


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """Frontal site at two visits and the occipital site, as PNG files, and the report."""
    folder = tmp_path_factory.mktemp("visits")
    scenes = {
        "visit1": _render("frontal-visit1.csv", folder / "visit1.png", seed=4, yellow_dots=1),
        "visit2": _render("frontal-visit2.csv", folder / "visit2.png", seed=4, yellow_dots=3),
        "occipital": _render("occipital-visit2.csv", folder / "occipital.png", seed=5),
    }
    scale = ScaleSpec(um_per_px=UM_PER_PX)
    current = load_visit([folder / "visit2.png"], scale=scale, region="frontal", date="2026-11-02")
    previous = load_visit(
        [folder / "visit1.png"],
        scale=scale,
        region="frontal",
        label="previous visit",
        date="2026-05-04",
    )
    occipital = load_visit(
        [folder / "occipital.png"], scale=scale, region="occipital", label="occipital site"
    )
    report = build_visit_report(
        current, previous=previous, occipital=occipital, patient="synthetic <example>"
    )
    return {"folder": folder, "scenes": scenes, "report": report, "html": report.to_html()}


def test_metrics_and_comparison_are_the_libraries(example):
    folder, report = example["folder"], example["report"]
    now = analyze_image(folder / "visit2.png", um_per_px=UM_PER_PX, region="frontal")
    before = analyze_image(folder / "visit1.png", um_per_px=UM_PER_PX, region="frontal")
    back = analyze_image(folder / "occipital.png", um_per_px=UM_PER_PX, region="occipital")
    metrics = now.metrics()
    assert report.metrics.hair_count == len(now.hairs) > 20
    assert report.metrics.density_per_cm2 == pytest.approx(metrics.density_per_cm2, rel=1e-12)
    assert report.metrics.density_se_per_cm2 == pytest.approx(metrics.density_se_per_cm2)
    assert report.metrics.yellow_dots == len(now.yellow_dots_um)

    expected = compare_visits(before.hairs, now.hairs, area_cm2=now.area_cm2)
    assert report.comparison.changes == expected.changes
    counts = report.matched_counts()
    for key in ("persisting", "lost", "new", "thinned", "thickened"):
        assert counts[key] == getattr(expected, key), key

    criteria = rakowska_criteria(frontal=metrics, occipital=back.metrics(), frontal_image_count=1)
    assert [(c.name, c.verdict) for c in report.criteria.criteria] == [
        (c.name, c.verdict) for c in criteria.criteria
    ]
    assert report.criteria.finding == criteria.finding


def test_registration_recovers_the_reframing(example):
    """The second image is the first moved by SHIFT_UM: matching must find that shift."""
    shift = example["report"].matched[0].comparison.shift_um
    assert shift == pytest.approx(SHIFT_UM, abs=8.0)  # 2 px: exit points are found to ~1 px
    counts = example["report"].matched_counts()
    truth_kept = len(
        set(example["scenes"]["visit1"].hairs["hair_id"])
        & set(example["scenes"]["visit2"].hairs["hair_id"])
    )
    assert counts["persisting"] >= 0.7 * truth_kept


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_html_shows_the_numbers_and_is_self_contained(example):
    report, html = example["report"], example["html"]
    m = report.metrics
    text = _text(html)
    assert f"{m.density_per_cm2:,.0f} ± {m.density_se_per_cm2:,.0f}" in text
    assert f"{m.hair_count} hairs in {report.current.area_cm2:.4f} cm²" in text
    share = f"{m.terminal_share_percent:.0f} / {100 * m.intermediate_count / m.hair_count:.0f}"
    assert share + f" / {m.vellus_share_percent:.0f}" in text
    for criterion in (*report.criteria.criteria, report.criteria.anisotrichosis):
        assert criterion.name in html
    assert "validated these criteria in 131 women" in text
    assert "it does not diagnose" in text
    # the errors say what they leave out, with the analyser's measured accuracy
    assert "counting noise only" in text and "found 82% of the hairs a trichologist" in text
    assert "yellow dots have not been checked against marked ones" in text
    # the legend names every mark the overlay draws, the counting frame too
    assert "Dotted line: the counting frame" in text and "seen but not counted" in text
    density = report.comparison.changes[0]
    assert f"{density.difference:+,.0f}" in text
    counts = report.matched_counts()
    assert f"{counts['persisting']} hairs found at both visits" in text
    for visit in (report.current, report.previous, report.occipital):
        for image in visit.images:
            digest = hashlib.sha256((example["folder"] / image.name).read_bytes()).hexdigest()
            assert digest in html
    assert "given: 4 um/px" in html
    assert "synthetic &lt;example&gt;" in html  # user text is escaped
    # Self-contained: every image is embedded, nothing is fetched.
    sources = re.findall(r"<img [^>]*src=\"([^\"]{0,30})", html)
    assert len(sources) == 3 * 2 + 3  # input + overlay per image; histogram, pairs, scatter
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)


def test_example_tables_are_reproducible(tmp_path):
    spec = importlib.util.spec_from_file_location("make_tables", EXAMPLE / "make_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("frontal-visit1.csv", "frontal-visit2.csv", "occipital-visit2.csv"):
        assert (tmp_path / name).read_text() == (EXAMPLE / name).read_text(), name


def test_reference_values_quote_rows_that_exist():
    if not REFERENCE.is_dir():
        pytest.skip("shared/reference not present beside the repository")
    for value in REFERENCE_VALUES:
        file = value.source.split(",")[0]
        source = (REFERENCE / file).read_text(encoding="utf-8")
        quoted = re.findall(r"'([^']+)'", value.source)
        for phrase in quoted:
            assert phrase in source, (file, phrase)
        number = re.search(r"\d+(\.\d+)?", value.text).group(0)
        assert number in source, (file, value.text)


def test_reference_column_says_when_there_is_none(example):
    text = _text(example["html"])
    table = example["html"].split("<h2>Measurements")[1].split("<h2>")[0]
    rows = {
        row.split("</td>")[0].split(">")[-1]: row for row in table.split("<tr>") if "</td>" in row
    }
    assert "no normal range in the project" in rows["vellus"]
    assert "175-300 hairs/cm2" in rows["density"]
    assert "controls 61 +/- 8 um" in rows["mean diameter"]  # frontal site: frontal row
    assert "controls 58 +/- 7 um" not in rows["mean diameter"]
    assert "Rakowska 2009" in text


def test_hairs_tables_as_input_match_by_identity(example, tmp_path):
    """From truth tables: persisting, lost and new hairs are known exactly by hair_id."""
    truth1 = example["scenes"]["visit1"].hairs
    truth2 = example["scenes"]["visit2"].hairs
    truth1.to_csv(tmp_path / "v1.csv", index=False)
    truth2.to_csv(tmp_path / "v2.csv", index=False)
    area = 1024 * 1280 * UM_PER_PX**2 / 1e8
    current = load_visit([tmp_path / "v2.csv"], area_cm2=area, yellow_dots=3)
    previous = load_visit([tmp_path / "v1.csv"], area_cm2=area, label="previous visit")
    report = build_visit_report(current, previous=previous)
    ids1, ids2 = set(truth1["hair_id"]), set(truth2["hair_id"])
    counts = report.matched_counts()
    assert counts["persisting"] == len(ids1 & ids2)
    assert counts["lost"] == len(ids1 - ids2)
    assert counts["new"] == len(ids2 - ids1)
    assert report.metrics.density_per_cm2 == pytest.approx(len(truth2) / area)
    assert report.metrics == measure(truth2, area_cm2=area, yellow_dots=3)
    assert report.current.region == "frontal"
    html = report.to_html()
    assert "no images were given" in html
    assert html.count("<img ") == 3  # histogram, matched hairs, diameter scatter


def test_several_images_per_visit_match_within_image_pairs(example):
    """Image k is matched with image k only: an image seen twice keeps all its hairs."""
    folder = example["folder"]
    scale = ScaleSpec(um_per_px=UM_PER_PX)
    now = load_visit([folder / "visit2.png", folder / "occipital.png"], scale=scale)
    before = load_visit(
        [folder / "visit1.png", folder / "occipital.png"], scale=scale, label="previous visit"
    )
    report = build_visit_report(now, previous=before)
    assert [m.image_index for m in report.matched] == [0, 1]
    single = example["report"].matched_counts()
    same = report.matched[1].comparison
    occipital_hairs = len(example["report"].occipital.hairs)
    assert (same.persisting, same.lost, same.new) == (occipital_hairs, 0, 0)
    assert report.matched_counts()["persisting"] == single["persisting"] + occipital_hairs
    assert report.metrics.area_cm2 == pytest.approx(2 * example["report"].metrics.area_cm2)
    # Changes over all hairs come from compare_visits without positions.
    plain = compare_visits(
        before.hairs.drop(columns=["x_um", "y_um"]),
        now.hairs.drop(columns=["x_um", "y_um"]),
        area_cm2=now.area_cm2,
    )
    assert report.comparison.changes == plain.changes


def test_visits_of_different_areas_are_refused(example, tmp_path):
    truth = example["scenes"]["visit2"].hairs
    truth.to_csv(tmp_path / "v.csv", index=False)
    current = load_visit([tmp_path / "v.csv"], area_cm2=0.20)
    previous = load_visit([tmp_path / "v.csv"], area_cm2=0.25, label="previous visit")
    with pytest.raises(FollicleInputError, match="previous visit area_cm2"):
        build_visit_report(current, previous=previous)


def test_visits_are_compared_when_only_their_masks_differ(example, tmp_path):
    """The same site, device and framing, one image carrying the device's scale bar:
    the bar and its guard zone are not counted, so the counting areas differ by more than
    2%, but the fields are the same, and each density uses its own area."""
    from dataclasses import replace

    from follicle.measure.render import STYLES

    hairs = pd.read_csv(EXAMPLE / "frontal-visit1.csv")
    with_bar = replace(STYLES["easy"], scale_bar_mm=1.0)
    for name, style in (("plain.png", "easy"), ("bar.png", with_bar)):
        scene = render_trichoscopy(hairs, um_per_px=UM_PER_PX, style=style, seed=4)
        Image.fromarray(scene.image).save(tmp_path / name)
    scale = ScaleSpec(um_per_px=UM_PER_PX)
    current = load_visit([tmp_path / "bar.png"], scale=scale)
    previous = load_visit([tmp_path / "plain.png"], scale=scale, label="previous visit")
    assert current.area_cm2 < 0.98 * previous.area_cm2  # the bar's corner is not counted
    report = build_visit_report(current, previous=previous)
    assert report.comparison.before.area_cm2 == pytest.approx(previous.area_cm2)
    assert report.comparison.after.area_cm2 == pytest.approx(current.area_cm2)
    assert "density uses its own area" in _text(report.to_html())
    # A hairs table as the previous visit, counted over this image's counting area: its
    # area is compared with that area, not with the whole field (12% larger here).
    current.hairs.to_csv(tmp_path / "before.csv", index=False)
    table = load_visit([tmp_path / "before.csv"], area_cm2=current.area_cm2, label="table")
    assert build_visit_report(current, previous=table).comparison is not None
    # Another scale is another framing: refused, naming the whole field.
    coarser = load_visit([tmp_path / "plain.png"], scale=ScaleSpec(um_per_px=4.2))
    with pytest.raises(FollicleInputError, match="previous visit field_cm2"):
        build_visit_report(current, previous=coarser)


def test_scale_bar_is_round_and_drawn_bottom_right():
    assert scale_bar_length_um(1280, 4.0) == 1000
    assert scale_bar_length_um(1280, 2.0) == 500
    image = np.full((400, 600, 3), 128, np.uint8)
    drawn = draw_scale_bar(image, um_per_px=4.0)
    changed = np.argwhere((drawn != image).any(axis=2))
    assert changed[:, 0].min() > 300 and changed[:, 1].min() > 300
    # The white bar is length_um / um_per_px pixels long.
    white = (drawn == 255).all(axis=2)
    longest = max(np.count_nonzero(row) for row in white)
    assert abs(longest - scale_bar_length_um(600, 4.0) / 4.0) <= 2
    # scale_bar_box (kept free by the overlay's caption) holds every pixel drawn
    for shape, um_per_px in (((400, 600), 4.0), ((1024, 1280), 2.76), ((240, 300), 4.0)):
        image = np.full((*shape, 3), 128, np.uint8)
        changed = np.argwhere((draw_scale_bar(image, um_per_px=um_per_px) != image).any(axis=2))
        x0, y0, x1, y1 = scale_bar_box(shape, um_per_px=um_per_px)
        assert changed[:, 1].min() >= x0 and changed[:, 1].max() <= x1
        assert changed[:, 0].min() >= y0 and changed[:, 0].max() <= y1


def _follicle(*args, env=None):
    return subprocess.run(
        [str(FOLLICLE), *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )


def test_installed_command_writes_the_report(example, tmp_path):
    folder = example["folder"]
    out = tmp_path / "visit.html"
    done = _follicle(
        "report", "visit", folder / "visit2.png", "--um-per-px", 4,
        "--previous", folder / "visit1.png", "--date", "2026-11-02",
        "--previous-date", "2026-05-04", "--patient", "P-001", "-o", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out} (")
    html = out.read_text(encoding="utf-8")
    assert "Trichoscopy visit report" in html and "P-001" in html
    assert "Interval:</b> 182 days" in html
    m = example["report"].metrics
    assert f"{m.density_per_cm2:,.0f} ± {m.density_se_per_cm2:,.0f}" in html
    assert "Not evaluated: the criteria compare the frontal area" in html
    assert "same spot" not in done.stderr  # one spot, reframed: no warning


def test_installed_command_bad_input_is_one_line(example, tmp_path):
    out = tmp_path / "visit.html"
    done = _follicle("report", "visit", example["folder"] / "visit2.png", "-o", out)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "calibration" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_installed_command_bad_input_exits_2(example, tmp_path):
    done = _follicle("report", "visit", example["folder"] / "visit2.png", "-o", tmp_path / "v.html")
    assert done.returncode == 2


def test_pdf_without_chromium_says_what_to_do(example, tmp_path):
    out = tmp_path / "visit.pdf"
    env = dict(os.environ, PATH=str(FOLLICLE.parent))  # no browser on this PATH
    done = _follicle(
        "report", "visit", example["folder"] / "visit2.png", "--um-per-px", 4, "-o", out, env=env
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "apt-get install chromium" in lines[0], done.stderr
    assert not out.exists()


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium installed")
def test_installed_command_prints_a_pdf_from_hairs_tables(example, tmp_path):
    example["scenes"]["visit2"].hairs.to_csv(tmp_path / "now.csv", index=False)
    example["scenes"]["visit1"].hairs.to_csv(tmp_path / "before.csv", index=False)
    out = tmp_path / "visit.pdf"
    done = _follicle(
        "report", "visit", tmp_path / "now.csv", "--area-cm2", 0.2097,
        "--previous", tmp_path / "before.csv", "--label", "month 6", "-o", out, "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    payload = json.loads(done.stdout)
    truth1, truth2 = example["scenes"]["visit1"].hairs, example["scenes"]["visit2"].hairs
    assert payload["metrics"]["hair_count"] == len(truth2)
    assert payload["matched"]["persisting"] == len(set(truth1.hair_id) & set(truth2.hair_id))
    assert payload["provenance"]["visits"][0]["label"] == "month 6"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium installed")
def test_pdf_is_printed_by_chromium(example, tmp_path):
    out = example["report"].write(tmp_path / "visit.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 50_000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3  # several pages


def test_scale_and_how_it_was_set(tmp_path):
    from follicle.measure.calibration import render_micrometer, um_per_px_from_preset
    from follicle.report.visit_data import resolve_scale

    given, _ = resolve_scale(ScaleSpec(um_per_px=2.5), image_width_px=1280)
    assert (given.um_per_px, given.how) == (2.5, "given: 2.5 um/px")
    preset, _ = resolve_scale(ScaleSpec(device="video-70x"), image_width_px=1280)
    assert preset.um_per_px == um_per_px_from_preset("video-70x", image_width_px=1280)
    assert preset.how == "device preset video-70x" and "/ 1280 px" in preset.detail
    Image.fromarray(render_micrometer(um_per_px=3.0, angle_deg=20)).save(tmp_path / "m.png")
    scale, source = resolve_scale(ScaleSpec(micrometer=tmp_path / "m.png"), image_width_px=1)
    assert scale.um_per_px == pytest.approx(3.0, rel=0.01)
    assert source.role == "stage micrometer"
    assert source.sha256 == hashlib.sha256((tmp_path / "m.png").read_bytes()).hexdigest()
    with pytest.raises(FollicleInputError, match="calibration"):
        ScaleSpec(um_per_px=2.5, device="video-70x")


def test_unrelated_spots_are_flagged_in_the_report(example, tmp_path):
    """A previous visit of another spot: the hair-by-hair fates are flagged as no better
    than chance; the same spot (the example, reframed) is not."""
    assert "Probably not the same spot" not in example["html"]
    assert example["report"].images_not_same_spot() == []
    rng = np.random.default_rng(4)
    n = 50
    for name in ("now", "before"):
        pd.DataFrame(
            {
                "hair_id": np.arange(n),
                "unit_id": np.arange(n),
                "region": "frontal",
                "diameter_um": rng.uniform(40, 90, n),
                "length_mm": 0.5,
                "x_um": rng.uniform(0, 3500, n),
                "y_um": rng.uniform(0, 2800, n),
            }
        ).to_csv(tmp_path / f"{name}.csv", index=False)
    current = load_visit([tmp_path / "now.csv"], area_cm2=0.098)
    previous = load_visit([tmp_path / "before.csv"], area_cm2=0.098, label="previous visit")
    report = build_visit_report(current, previous=previous)
    assert report.images_not_same_spot() == [None]  # tables: no image position
    counts = report.matched_counts()
    assert counts["persisting"] <= counts["chance_persisting"]
    assert "Probably not the same spot" in _text(report.to_html())
    assert report.to_dict()["matched_images_not_same_spot"] == [None]
    out = tmp_path / "visit.html"
    done = _follicle(
        "report", "visit", tmp_path / "now.csv", "--area-cm2", 0.098,
        "--previous", tmp_path / "before.csv", "-o", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "probably not the same spot" in done.stderr
    assert "Probably not the same spot" in out.read_text(encoding="utf-8")
