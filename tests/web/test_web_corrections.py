"""Corrections by hand on the Measure page: through the app (forms, downloads, errors)
and in a real browser (clicks on the overlay fill the form)."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re

import pandas as pd
import pytest

ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)


def analysed(web, synthetic_image):
    answer = web.post_form(
        "/measure/image",
        {"scale": "um_per_px", "um_per_px": "4", "region": "vertex"},
        files={"image": ("scalp.png", synthetic_image.read_bytes(), "image/png")},
    )
    assert answer.status_code == 200
    lines = re.search(
        r'<script type="application/json" class="hair-lines">(.*?)</script>', answer.text
    )
    image = re.search(r'name="image-0" value="(/files/[0-9a-f]{32}\.png)"', answer.text).group(1)
    return json.loads(html.unescape(lines.group(1))), image


def analysed_through_the_api(web, synthetic_image) -> dict:
    """``POST /api/v1/measure/analyze`` of the image at 4 um/px: its summary."""
    with synthetic_image.open("rb") as handle:
        answer = web.http.post(
            "/api/v1/measure/analyze",
            headers=web.bearer,
            data={"um_per_px": "4"},
            files={"image": ("scalp.png", handle, "image/png")},
        )
    assert answer.status_code == 200, answer.text
    return answer.json()["images"][0]


def correct(web, stored, **fields):
    """The page's corrections form for one image (``remove``, ``add``, ``split``,
    ``image`` as the fields of image 0)."""
    data = {
        "image-0": stored,
        "name-0": "scalp.png",  # the page's form carries the user's name of the file
        "scale": "um_per_px",
        "um_per_px": "4",
        "region": "vertex",
    }
    for part in ("image", "remove", "add", "split"):
        if part in fields:
            data[f"{part}-0"] = fields.pop(part)
    return web.post_form("/measure/correct", data | fields)


def test_corrections_applied_on_the_page_give_the_corrected_table_and_file(web, synthetic_image):
    lines, image = analysed(web, synthetic_image)
    found = lines["found"]
    assert found == len(lines["hairs"]) > 5 and all(h["found"] for h in lines["hairs"])
    answer = correct(web, image, remove="0, 2", add="40,40 90,90 d=25", split="")
    assert answer.status_code == 200, ERROR.findall(answer.text)
    assert "Correct by hand: 2 removed, 1 added, 0 split" in answer.text
    assert 'value="0, 2"' in answer.text and "40,40 90,90 d=25" in answer.text  # echoed
    hairs_url = re.search(r'href="(/measure/download/[0-9a-f]{32}\.csv)"', answer.text).group(1)
    table = pd.read_csv(io.BytesIO(web.http.get(hairs_url).content), keep_default_na=False)
    assert len(table) == found - 1
    assert not {0, 2} & set(table["hair_id"]) and list(table["correction"]).count("added") == 1
    file_url = re.search(r'href="(/measure/download/[0-9a-f]{32}\.json)"', answer.text).group(1)
    record = web.http.get(file_url).json()
    assert list(record["images"]) == ["scalp.png"]  # the user's name: the CLI reads it as is
    assert "Image analysis (scalp.png)" in answer.text
    (entry,) = record["images"].values()
    assert entry["remove"] == [0, 2] and entry["um_per_px"] == 4.0
    assert len(entry["image_sha256"]) == 64
    again = json.loads(
        html.unescape(re.search(r'class="hair-lines">(.*?)</script>', answer.text).group(1))
    )
    assert again["found"] == found  # numbers still refer to what the analyser found
    assert [h["found"] for h in again["hairs"]].count(False) == 1  # the added hair
    # The downloaded file, applied by the command to the user's own file, gives the same.
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    folder = web.config.data_dir / "user"
    folder.mkdir()
    shutil.copy(synthetic_image, folder / "scalp.png")
    (folder / "corrections.json").write_bytes(web.http.get(file_url).content)
    follicle = Path(sys.executable).parent / "follicle"
    done = subprocess.run(
        [str(follicle), "analyze", str(folder / "scalp.png"), "--um-per-px", "4",
         "--corrections", str(folder / "corrections.json"), "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["images"][0]["hair_count"] == len(table)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"remove": "a, 1"}, "remove = 'a'"),
        ({"remove": "999"}, "remove[0] = 999"),
        ({"add": "40,40"}, "add line 1"),
        ({"add": "40,40 x,90"}, "add line 1"),
        ({"split": "3"}, "split line 1"),
        ({"image": "/files/" + "0" * 32 + ".png"}, "file"),
        ({"image": "../../etc/passwd"}, "file"),
        ({"um_per_px": ""}, "um_per_px"),
    ],
)
def test_bad_corrections_are_shown_on_the_page(shared_web, synthetic_image, fields, named):
    _, stored = analysed(shared_web, synthetic_image)
    answer = correct(shared_web, stored, **fields)
    assert answer.status_code == 400
    assert named in html.unescape(ERROR.search(answer.text).group(1))


def test_downloads_are_only_tables_and_corrections_made_here(web):
    for name in ("..%2F..%2Fetc%2Fpasswd", "0" * 32 + ".csv", "a" * 32 + ".png"):
        assert web.http.get(f"/measure/download/{name}").status_code in (400, 404)


def test_the_api_corrects_as_the_command_does(web, synthetic_image, tmp_path):
    """``POST /api/v1/measure/correct`` on an image analysed through the API gives the
    payload of ``follicle analyze --corrections --json`` on the same image."""
    image = analysed_through_the_api(web, synthetic_image)
    corrections = {
        "remove": [1],
        "split": [],
        "add": [{"points_px": [[40, 40], [90, 90]], "diameter_um": 25}],
    }
    body = {"image": image["source"], "um_per_px": 4, "corrections": corrections}
    answer = web.http.post("/api/v1/measure/correct", headers=web.bearer, json=body)
    assert answer.status_code == 200, answer.text
    fixed = answer.json()["images"][0]
    assert fixed["corrections"] == {"removed": 1, "added": 1, "split": 0}
    path = tmp_path / "fix.json"
    path.write_text(json.dumps({"images": {synthetic_image.name: corrections}}))
    from follicle.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "analyze",
                str(synthetic_image),
                "--um-per-px",
                "4",
                "--corrections",
                str(path),
                "--json",
            ]
        )
    assert code == 0
    cli = json.loads(out.getvalue())
    assert fixed["hair_count"] == cli["images"][0]["hair_count"]
    for key in ("density_per_cm2", "mean_diameter_um", "vellus_count", "hairs_per_unit"):
        assert fixed["metrics"][key] == pytest.approx(cli["images"][0]["metrics"][key])
    bad = body | {"corrections": {"remove": [999]}}
    answer = web.http.post("/api/v1/measure/correct", headers=web.bearer, json=bad)
    assert answer.status_code == 400 and "remove[0] = 999" in answer.text


def test_every_image_stays_on_the_page_and_the_corrected_set_saves_as_a_visit(web, synthetic_image):
    """Two images analysed together: correcting the second keeps the first on the page
    (analysed again as found), and saving them as a visit keeps the corrections: the
    saved visit counts the corrected hairs, its comparison and report measure them."""
    blob = synthetic_image.read_bytes()
    answer = web.post_form(
        "/measure/image",
        {"scale": "um_per_px", "um_per_px": "4", "region": "vertex"},
        files=[("image", ("a.png", blob, "image/png")), ("image", ("b.png", blob, "image/png"))],
    )
    assert answer.status_code == 200, ERROR.findall(answer.text)
    stored = re.findall(r'name="image-(\d)" value="(/files/[0-9a-f]{32}\.png)"', answer.text)
    names = re.findall(r'name="name-(\d)" value="([^"]*)"', answer.text)
    assert names == [("0", "a.png"), ("1", "b.png")]
    assert [k for k, _ in stored] == ["0", "1"]
    counts = [int(n) for n in re.findall(r"<tr><th>hairs seen</th><td>(\d+)</td>", answer.text)]
    fields = {
        "image-0": stored[0][1],
        "image-1": stored[1][1],
        "name-0": "a.png",
        "name-1": "b.png",
        "remove-1": "0, 1, 2",
        "scale": "um_per_px",
        "um_per_px": "4",
        "region": "vertex",
    }
    fixed = web.post_form("/measure/correct", fields)
    assert fixed.status_code == 200, ERROR.findall(fixed.text)
    after = [int(n) for n in re.findall(r"<tr><th>hairs seen</th><td>(\d+)</td>", fixed.text)]
    assert after == [counts[0], counts[1] - 3]
    assert fixed.text.count("Correct by hand: 3 removed") == 1
    saved = web.post_form("/measure/visits/analysed", fields | {"label": "corrected"})
    assert saved.status_code == 200, ERROR.findall(saved.text)
    (visit,) = [
        v for v in web.http.get("/api/v1/visits").json()["visits"] if v["label"] == "corrected"
    ]
    assert visit["metrics"]["hair_count"] == sum(after)
    assert list(visit["corrections"]) == [stored[1][1].removeprefix("/files/")]
    plain = web.post_form("/measure/visits/analysed", {**fields, "remove-1": "", "label": "plain"})
    assert plain.status_code == 200
    (other,) = [v for v in web.http.get("/api/v1/visits").json()["visits"] if v["label"] == "plain"]
    assert other["metrics"]["hair_count"] == sum(counts)
    compared = web.http.post(
        "/api/v1/visits/compare",
        headers=web.bearer,
        json={"first": visit["id"], "second": other["id"]},
    )
    assert compared.status_code == 200, compared.text
    change = {c["name"]: c for c in compared.json()["change"]["changes"]}
    assert any(c["before"] != c["after"] for c in change.values())  # the corrections count
    report = web.http.get(visit["report"])
    assert report.status_code == 200
    assert "corrected by hand (3 removed, 0 added, 0 split): " in report.text


def test_the_api_saves_analysed_images_with_their_corrections_as_a_visit(web, synthetic_image):
    image = analysed_through_the_api(web, synthetic_image)
    body = {
        "images": [{"image": image["source"], "corrections": {"remove": [0, 1]}}],
        "um_per_px": 4,
        "region": "vertex",
        "label": "via the API",
    }
    saved = web.http.post("/api/v1/visits/analysed", headers=web.bearer, json=body)
    assert saved.status_code == 201, saved.text
    visit = saved.json()["visit"]
    assert visit["metrics"]["hair_count"] == image["hair_count"] - 2
    assert visit["images"] == [image["source"]]
    twice = body | {"images": body["images"] * 2}
    refused = web.http.post("/api/v1/visits/analysed", headers=web.bearer, json=twice)
    assert refused.status_code == 400 and "each image once" in refused.text


def _upload_visit(web, synthetic_image, corrections: tuple | None, label: str):
    files = [("image", ("scalp.png", synthetic_image.read_bytes(), "image/png"))]
    if corrections is not None:
        files.append(("corrections", corrections))
    return web.http.post(
        "/api/v1/visits",
        headers=web.bearer,
        data={"um_per_px": "4", "region": "vertex", "label": label},
        files=files,
    )


def test_the_api_saves_uploaded_images_with_a_corrections_file(web, synthetic_image):
    """``POST /api/v1/visits`` takes the corrections file ``follicle analyze
    --corrections`` reads, keyed by the uploads' file names and tied to their content."""
    image = analysed_through_the_api(web, synthetic_image)
    from follicle.provenance import sha256_file

    entry = {"remove": [0, 1], "image_sha256": sha256_file(synthetic_image), "um_per_px": 4.0}
    payload = {"format": "follicle-corrections", "version": 1, "images": {"scalp.png": entry}}
    as_json = ("corrections.json", json.dumps(payload).encode(), "application/json")
    saved = _upload_visit(web, synthetic_image, as_json, "uploaded, corrected")
    assert saved.status_code == 201, saved.text
    assert saved.json()["visit"]["metrics"]["hair_count"] == image["hair_count"] - 2
    toml = 'format = "follicle-corrections"\nversion = 1\n[images."scalp.png"]\nremove = [3]\n'
    as_toml = ("corrections.toml", toml.encode(), "application/toml")
    saved = _upload_visit(web, synthetic_image, as_toml, "toml")
    assert saved.status_code == 201, saved.text
    assert saved.json()["visit"]["metrics"]["hair_count"] == image["hair_count"] - 1
    before = len(web.http.get("/api/v1/visits").json()["visits"])
    # refused, naming the user's file (not the stored name) and the field; nothing saved
    wrong_name = {**payload, "images": {"other.png": entry}}
    refused = _upload_visit(
        web, synthetic_image, ("c.json", json.dumps(wrong_name).encode(), "application/json"), "x"
    )
    assert refused.status_code == 400 and "other.png" in refused.text
    bad_hair = {**payload, "images": {"scalp.png": {"remove": [999]}}}
    refused = _upload_visit(
        web, synthetic_image, ("c.json", json.dumps(bad_hair).encode(), "application/json"), "x"
    )
    assert refused.status_code == 400
    assert "images.scalp.png.remove[0] = 999" in refused.text, refused.text
    other_scale = {**payload, "images": {"scalp.png": {**entry, "um_per_px": 3.0}}}
    refused = _upload_visit(
        web, synthetic_image, ("c.json", json.dumps(other_scale).encode(), "application/json"), "x"
    )
    assert refused.status_code == 400 and "scalp.png" in refused.text, refused.text
    refused = _upload_visit(web, synthetic_image, ("c.txt", b"remove = 1", "text/plain"), "x")
    assert refused.status_code == 400 and ".toml or .json" in refused.text
    for broken in (b"{not json", b"\xff\xfe", b'{"images": {"scalp.png": {"remove": "x"}}}'):
        refused = _upload_visit(web, synthetic_image, ("c.json", broken, "application/json"), "x")
        assert refused.status_code == 400, refused.text
    assert len(web.http.get("/api/v1/visits").json()["visits"]) == before


def test_a_saved_visit_is_corrected_again_into_a_new_visit(web, synthetic_image):
    """The visit history's "correct" link: the saved visit's images on the Measure page
    with its corrections in the fields; saved again, a new visit, the old one kept."""
    stored = analysed(web, synthetic_image)[1]
    fields = {"image-0": stored, "name-0": "scalp.png", "remove-0": "1", "scale": "um_per_px",
              "um_per_px": "4", "region": "vertex", "label": "first"}  # fmt: skip
    assert web.post_form("/measure/visits/analysed", fields).status_code == 200
    (first,) = web.http.get("/api/v1/visits").json()["visits"]
    page = web.http.get(f"/visits/{first['id']}/correct")
    assert page.status_code == 200
    assert f'href="/visits/{first["id"]}/correct"' in page.text  # linked from the history
    assert re.search(r'name="remove-0"[^>]*value="1"', page.text)
    assert 'name="label" maxlength="200" value="first"' in page.text
    assert "Correct by hand: 1 removed, 0 added, 0 split" in page.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    assert hidden["scale"] == "um_per_px" and float(hidden["um_per_px"]) == 4.0
    again = {**fields, "remove-0": "1, 3", "label": "second"}
    assert web.post_form("/measure/visits/analysed", again).status_code == 200
    visits = {v["label"]: v for v in web.http.get("/api/v1/visits").json()["visits"]}
    assert visits["second"]["metrics"]["hair_count"] == first["metrics"]["hair_count"] - 1
    assert visits["first"] == first
    assert web.http.get("/visits/" + "0" * 32 + "/correct").status_code in (400, 404)
