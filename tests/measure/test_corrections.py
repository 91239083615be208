"""Corrections by hand: hairs removed, added along a drawn line (measured on the image)
or split; the files, their checks and the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from follicle.errors import FollicleInputError
from follicle.measure.analyze import analyze_image
from follicle.measure.correction_text import (
    corrections_from_text,
    corrections_template_text,
    corrections_text,
)
from follicle.measure.corrections import (
    CorrectionsFile,
    ImageCorrections,
    image_sha256,
    read_corrections,
)
from follicle.measure.evaluate import match_hairs
from follicle.measure.images import ScaleOptions, analyze_images
from follicle.measure.render import render_trichoscopy

UM_PER_PX = 4.0


def validate_against_schema(name: str, data) -> None:
    import jsonschema
    from referencing import Registry, Resource

    from follicle.schemas import names, schema

    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in map(schema, names())
    )
    jsonschema.Draft202012Validator(schema(name), registry=registry).validate(data)


FOLLICLE = Path(sys.executable).parent / "follicle"


@pytest.fixture(scope="module")
def scene():
    return render_trichoscopy(um_per_px=UM_PER_PX, style="easy", seed=1)


@pytest.fixture(scope="module")
def found(scene):
    return analyze_image(scene.image, um_per_px=UM_PER_PX)


def corrected(scene, **corrections):
    return analyze_image(
        scene.image,
        um_per_px=UM_PER_PX,
        corrections=ImageCorrections.model_validate(corrections),
    )


def test_no_corrections_change_nothing_but_add_the_column(scene, found):
    same = corrected(scene)
    assert same.hairs.drop(columns="correction").equals(found.hairs)
    assert (same.hairs["correction"] == "").all()


def test_removed_hairs_are_gone_and_the_others_keep_their_numbers(scene, found):
    fixed = corrected(scene, remove=[1, 4, 4])
    assert len(fixed.hairs) == len(found.hairs) - 2
    assert not {1, 4} & set(fixed.hairs["hair_id"])
    kept = found.hairs.set_index("hair_id").drop(index=[1, 4])
    again = fixed.hairs.set_index("hair_id")
    assert list(again.index) == list(kept.index)
    assert np.allclose(again["diameter_um"], kept["diameter_um"])
    assert set(fixed.centerlines_px) == set(again.index)
    # Metrics count the hairs whose exit lies in the counting frame.
    assert fixed.metrics().hair_count == int(kept["exit_in_field"].sum())
    assert fixed.provenance["parameters"]["corrections"]["remove"] == [1, 4, 4]


def test_a_hair_drawn_along_a_true_shaft_is_measured_on_the_image(scene, found):
    """Each of the well-measured hairs, removed and drawn again by hand along its true
    centre line (six points): the drawn hair's diameter is measured as the analyser
    measures, within 3 um of the truth (the analyser's own median error on these
    images is under 0.5 um; a hand line is not on the axis everywhere)."""
    true_d = scene.hairs.set_index("hair_id")["diameter_um"]
    found_d = found.hairs.set_index("hair_id")["diameter_um"]
    pairs = [(t, f) for t, f in match_hairs(scene, found) if abs(found_d[f] - true_d[t]) < 1.0]
    assert len(pairs) >= 5
    for true_id, found_id in pairs[:5]:
        line = np.asarray(scene.centerlines_px[true_id])  # (x, y) px
        rows, cols = scene.image.shape[:2]
        on_image = (line >= 0).all(axis=1) & (line[:, 0] <= cols - 1) & (line[:, 1] <= rows - 1)
        line = line[on_image]
        points = line[np.linspace(0, len(line) - 1, 6).round().astype(int)]
        fixed = corrected(scene, remove=[found_id], add=[{"points_px": points.tolist()}])
        added = fixed.hairs[fixed.hairs["correction"] == "added"]
        assert len(added) == 1
        assert added["hair_id"].item() == len(found.hairs)  # numbered on
        assert added["diameter_um"].item() == pytest.approx(true_d[true_id], abs=3.0)
        # In micrometres, the same line gives the same hair.
        in_um = corrected(
            scene, remove=[found_id], add=[{"points_um": (points * UM_PER_PX).tolist()}]
        )
        assert in_um.hairs["diameter_um"].iloc[-1] == pytest.approx(
            added["diameter_um"].item(), abs=0.01
        )


def test_a_given_diameter_is_kept_and_a_line_on_bare_skin_needs_one(scene, found):
    empty = np.ones(scene.image.shape[:2], bool)  # find bare skin: far from every shaft
    for line in scene.centerlines_px.values():  # (x, y) px
        c, r = np.round(np.asarray(line)).astype(int).T
        ok = (r >= 0) & (r < empty.shape[0]) & (c >= 0) & (c < empty.shape[1])
        empty[r[ok], c[ok]] = False
    from scipy import ndimage

    clear = ndimage.distance_transform_edt(empty)
    clear[:60], clear[-60:], clear[:, :60], clear[:, -60:] = 0, 0, 0, 0  # not at the frame
    r, c = np.unravel_index(np.argmax(clear), clear.shape)
    assert clear[r, c] > 40
    line = [[int(c) - 15, int(r) - 15], [int(c) + 15, int(r) + 15]]
    with pytest.raises(FollicleInputError, match=r"add\[0\].*diameter_um"):
        corrected(scene, add=[{"points_px": line}])
    fixed = corrected(scene, add=[{"points_px": line, "diameter_um": 22}])
    assert fixed.hairs["diameter_um"].iloc[-1] == pytest.approx(22.0)
    added_counts = int(fixed.hairs["exit_in_field"].iloc[-1])  # its exit in the frame
    assert fixed.metrics().hair_count == found.metrics().hair_count + added_counts


def test_a_split_hair_becomes_two_measured_parts(scene, found):
    longest = found.hairs.sort_values("length_mm").iloc[-1]
    hair_id = int(longest["hair_id"])
    line = np.concatenate(found.centerlines_px[hair_id])
    middle = line[len(line) // 2]
    fixed = corrected(scene, split=[{"hair_id": hair_id, "at_px": [middle[1] + 1, middle[0]]}])
    parts = fixed.hairs[fixed.hairs["correction"] == "split"]
    assert sorted(parts["hair_id"]) == [hair_id, len(found.hairs)]
    assert parts["length_mm"].sum() == pytest.approx(longest["length_mm"], rel=0.05)
    assert (parts["length_mm"] < 0.75 * longest["length_mm"]).all()
    assert len(fixed.hairs) == len(found.hairs) + 1
    # Cut again: the part nearest the second point is cut.
    quarter = line[len(line) // 4]
    twice = corrected(
        scene,
        split=[
            {"hair_id": hair_id, "at_px": [middle[1], middle[0]]},
            {"hair_id": hair_id, "at_px": [quarter[1], quarter[0]]},
        ],
    )
    assert (twice.hairs["correction"] == "split").sum() == 3


@pytest.mark.parametrize(
    ("corrections", "field"),
    [
        ({"remove": [999]}, r"remove\[0\] = 999.*0 to"),
        ({"split": [{"hair_id": 999, "at_px": [1, 1]}]}, r"split\[0\]\.hair_id = 999"),
        ({"split": [{"hair_id": 0, "at_px": [1279, 1]}]}, r"split\[0\]\.at = .*px from"),
        ({"add": [{"points_px": [[10, 10], [5000, 10]]}]}, r"add\[0\]\.points_px\[1\]"),
        ({"add": [{"points_um": [[-4, 10], [50, 10]]}]}, r"add\[0\]\.points_um\[0\].* um\)"),
        ({"add": [{"points_px": [[10, 10], [11, 11]]}]}, r"add\[0\]\.points_px.*shorter"),
    ],
)
def test_corrections_that_do_not_fit_the_image_name_the_field(scene, corrections, field):
    with pytest.raises(FollicleInputError, match=field):
        corrected(scene, **corrections)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"images": {"a.png": {"remove": [-1]}}}, r"images\.a\.png\.remove\[0\]"),
        ({"images": {"a.png": {"add": [{"points_px": [[1, 1]]}]}}}, "points_px"),
        (
            {
                "images": {
                    "a.png": {
                        "add": [{"points_px": [[1, 1], [9, 9]], "points_um": [[1, 1], [9, 9]]}]
                    }
                }
            },
            "exactly one",
        ),
        ({"images": {"a.png": {"split": [{"hair_id": 1}]}}}, "at_px or at_um"),
        (
            {"images": {"a.png": {"remove": [1], "split": [{"hair_id": 1, "at_px": [1, 1]}]}}},
            "not also removed",
        ),
        ({"images": {"a.png": {"delete": [1]}}}, "no such key"),
        ({"images": {"a.png": {"image_sha256": "abc"}}}, "image_sha256"),
        ({"format": "other", "images": {}}, "format"),
        ({}, "images"),
    ],
)
def test_a_bad_corrections_file_names_the_field(tmp_path, data, field):
    path = tmp_path / "fix.json"
    path.write_text(json.dumps(data))
    with pytest.raises(FollicleInputError, match=field):
        read_corrections(path)


def test_the_template_is_a_valid_corrections_file_tied_to_image_and_scale(tmp_path, scene):
    image = tmp_path / "scalp.png"
    Image.fromarray(scene.image).save(image)
    summary = {"source": str(image), "um_per_px": UM_PER_PX, "hair_count": 12}
    path = tmp_path / "fix.toml"
    path.write_text(corrections_template_text([summary]))
    parsed = read_corrections(path)
    entry = parsed.images["scalp.png"]
    assert entry.image_sha256 == image_sha256(image)
    assert entry.um_per_px == UM_PER_PX and entry.empty
    with pytest.raises(FollicleInputError, match=r"um_per_px = 4\.0.*scale"):
        analyze_images([image], scale=ScaleOptions(um_per_px=3.0), corrections=parsed)
    other = tmp_path / "other.png"
    Image.fromarray(scene.image[:, ::-1].copy()).save(other)
    other.rename(image)  # another image under the corrected one's name
    with pytest.raises(FollicleInputError, match="another image"):
        analyze_images([image], scale=ScaleOptions(um_per_px=UM_PER_PX), corrections=parsed)


def test_analyze_images_applies_corrections_by_file_name(tmp_path, scene, found):
    for name in ("a.png", "b.png"):
        Image.fromarray(scene.image).save(tmp_path / name)
    fix = CorrectionsFile.model_validate({"images": {"b.png": {"remove": [0, 2]}}})
    scale = ScaleOptions(um_per_px=UM_PER_PX)
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    result = analyze_images(paths, scale=scale, corrections=fix)
    counts = [s["hair_count"] for s in result.images]
    assert counts == [len(found.hairs), len(found.hairs) - 2]
    assert "corrections" not in result.images[0]
    assert result.images[1]["corrections"] == {"removed": 2, "added": 0, "split": 0}
    assert set(result.hairs["correction"]) == {""}
    assert result.provenance["parameters"]["corrections"]["images"]["b.png"]["remove"] == [0, 2]
    unknown = CorrectionsFile.model_validate({"images": {"c.png": {"remove": [0]}}})
    with pytest.raises(FollicleInputError, match=r"c\.png.*a\.png, b\.png"):
        analyze_images(paths, scale=scale, corrections=unknown)


def test_the_installed_command_corrects_from_the_template(tmp_path, scene, found):
    """The workflow of docs/measure.md: template, fill in, run again; bad corrections
    end with one line and exit code 2."""
    image = tmp_path / "scalp.png"
    Image.fromarray(scene.image).save(image)
    base = [str(FOLLICLE), "analyze", str(image), "--um-per-px", str(UM_PER_PX)]
    template = tmp_path / "fix.toml"
    done = subprocess.run(
        [*base, "--corrections-template", str(template)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    text = template.read_text().replace("remove = []", "remove = [0, 3]")
    text += '[[images."scalp.png".add]]\npoints_px = [[40, 40], [90, 90]]\ndiameter_um = 25\n'
    template.write_text(text)
    table = tmp_path / "hairs.csv"
    done = subprocess.run(
        [*base, "--corrections", str(template), "--hairs", str(table), "--overlay", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "corrected by hand (2 removed, 1 added, 0 split)" in done.stdout
    import pandas as pd

    hairs = pd.read_csv(table, keep_default_na=False)
    assert len(hairs) == len(found.hairs) - 1
    assert list(hairs["correction"]).count("added") == 1
    assert (tmp_path / "scalp.overlay.png").exists()
    done = subprocess.run([*base, "--corrections", str(template), "--json"], capture_output=True)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["images"][0]["corrections"] == {"removed": 2, "added": 1, "split": 0}
    validate_against_schema("analyze", payload)
    template.write_text(text.replace("remove = [0, 3]", "remove = [0, 999]"))
    done = subprocess.run([*base, "--corrections", str(template)], capture_output=True, text=True)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "images.scalp.png.remove[1] = 999" in lines[0], done.stderr


def test_the_visit_report_is_made_from_corrected_images(tmp_path, scene, found):
    """``follicle report visit --corrections``: the report's hairs are the corrected
    ones, its provenance says which images were corrected, and hair numbers stay unique
    across images even when corrections leave gaps and add numbers."""
    from follicle.report.visit_report import visit_report_from_files

    for name in ("a.png", "b.png"):
        Image.fromarray(scene.image).save(tmp_path / name)
    fix = tmp_path / "fix.json"
    add = {"points_px": [[40, 40], [90, 90]], "diameter_um": 25}
    fix.write_text(json.dumps({"images": {"a.png": {"remove": [0], "add": [add]}}}))
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    report = visit_report_from_files(paths, um_per_px=UM_PER_PX, corrections=fix)
    payload = report.to_dict()
    hairs = report.current.hairs
    assert len(hairs) == 2 * len(found.hairs) and hairs["hair_id"].is_unique
    text = json.dumps(payload)  # the inputs name each image's role
    assert text.count("image corrected by hand (1 removed, 1 added, 0 split)") >= 1
    done = subprocess.run(
        [str(FOLLICLE), "report", "visit", *map(str, paths), "--um-per-px", "4",
         "--corrections", str(fix), "-o", str(tmp_path / "visit.html")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "visit.html").stat().st_size > 10_000
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"images": {"b.png": {"split": [{"hair_id": 0, "at_px": [1, 1]}]}}}))
    done = subprocess.run(
        [str(FOLLICLE), "report", "visit", *map(str, paths), "--um-per-px", "4",
         "--corrections", str(bad), "-o", str(tmp_path / "bad.html")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and not (tmp_path / "bad.html").exists()
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "corrections: images.b.png.split[0].at" in lines[0], done.stderr
    result = analyze_images(paths, scale=ScaleOptions(um_per_px=UM_PER_PX), corrections=fix)
    assert result.hairs["hair_id"].is_unique


TOKENS = ["3", "17", ",", " ", "\n", "x", "-1", "412,300", "1e999,2", "d=35", "d=x", "5",
          "nan,1", "1,2,3", "0", "10,20"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.lists(st.sampled_from(TOKENS), max_size=8), min_size=3, max_size=3))
def test_typed_corrections_are_read_or_refused_by_name(parts):
    """The web page's fields: any text is read, or refused with a FollicleInputError
    naming the field; what is read prints back to fields that read the same."""
    typed = dict(zip(("remove", "add", "split"), ("".join(p) for p in parts), strict=True))
    try:
        read = corrections_from_text(**typed)
    except FollicleInputError as error:
        assert any(name in str(error) for name in ("remove", "add", "split")), error
        return
    assert corrections_from_text(**corrections_text(read)) == read


def test_a_line_on_bare_skin_touching_a_hair_does_not_take_its_width():
    """Drawn on skin, a line whose end reaches a found hair reads a shaft only there:
    refused (most of its profiles read none), not given that hair's width (as it was:
    77 um, the medium scene of docs/web.md's screenshot)."""
    scene = render_trichoscopy(um_per_px=UM_PER_PX, style="medium", seed=7)
    line = {"points_px": [[150, 700], [260, 820], [330, 960]]}
    with pytest.raises(FollicleInputError, match=r"add\[0\].*half of the profiles"):
        corrected(scene, add=[line])
    fixed = corrected(scene, add=[line | {"diameter_um": 20}])
    assert fixed.hairs["diameter_um"].iloc[-1] == pytest.approx(20.0)
