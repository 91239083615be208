"""Saved visits on the Measure page and the API: save, list, compare two side by side
(the payload is that of ``follicle report visit --previous --json``, from its verb, on
the same images), download the reports; bad ids and inputs are 4xx."""

from __future__ import annotations

import pytest
from test_web_api import same_payload
from web_helpers import WebClient

from follicle.web.config import WebConfig


@pytest.fixture(scope="module")
def web_module(tmp_path_factory) -> WebClient:
    return WebClient(WebConfig(data_dir=tmp_path_factory.mktemp("visits")))


@pytest.fixture(scope="module")
def second_image(tmp_path_factory):
    """Another rendered scalp of the same size and scale (other hairs: lost and new)."""
    from PIL import Image

    from follicle.measure.render import render_trichoscopy

    path = tmp_path_factory.mktemp("image2") / "later.png"
    Image.fromarray(
        render_trichoscopy(um_per_px=4.0, shape_px=(512, 640), unit_count=8, seed=4).image
    ).save(path)
    return path


@pytest.fixture(scope="module")
def saved(web_module, synthetic_image, second_image):
    web = web_module
    first = web.http.post(
        "/api/v1/visits",
        headers=web.bearer,
        data={"um_per_px": "4", "region": "vertex", "date": "2026-01-05", "label": "baseline"},
        files=[("image", ("a.png", synthetic_image.read_bytes()))],
    )
    assert first.status_code == 201, first.text
    page = web.post_form(
        "/measure/visits",
        {
            "save_scale": "um_per_px",
            "save_um_per_px": "4",
            "save_region": "vertex",
            "visit_date": "2026-04-05",
            "label": "month 3",
        },
        files=[("image", ("b.png", second_image.read_bytes()))],
    )
    assert page.status_code == 200, page.text
    visits = web.http.get("/api/v1/visits", headers=web.bearer).json()["visits"]
    return {v["label"]: v for v in visits}


def test_saved_visits_are_listed_newest_first(web_module, saved):
    web = web_module
    listed = web.http.get("/api/v1/visits", headers=web.bearer).json()["visits"]
    assert [v["label"] for v in listed] == ["month 3", "baseline"]
    baseline = saved["baseline"]
    assert baseline["date"] == "2026-01-05" and baseline["region"] == "vertex"
    assert baseline["metrics"]["hair_count"] > 10
    assert web.http.get(baseline["images"][0]).status_code == 200
    assert web.http.get(baseline["overlays"][0]).headers["content-type"] == "image/png"
    report = web.http.get(baseline["report"])  # drawn now, on the first download
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "baseline" in report.text
    assert web.http.get(baseline["report"]).content == report.content  # kept, not redrawn
    page = web.http.get("/measure").text
    assert 'id="compare-form"' in page and page.count("data-visit=") == 2
    assert "found 82% of the hairs a trichologist had marked" in page  # what errors leave out
    one = web.http.get(f"/api/v1/visits/{baseline['id']}", headers=web.bearer).json()
    assert one["visit"] == baseline


def test_two_visits_side_by_side_as_report_visit(web_module, saved, synthetic_image, second_image):
    from follicle.jsonable import to_jsonable
    from follicle.report.visit_report import visit_report_from_files

    web = web_module
    later, earlier = saved["month 3"]["id"], saved["baseline"]["id"]
    answer = web.http.post(
        "/api/v1/visits/compare",
        headers=web.bearer,
        json={"first": later, "second": earlier},  # either order: the earlier is "previous"
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["previous"]["label"] == "baseline" and result["current"]["label"] == "month 3"
    # the verb behind `follicle report visit LATER --previous EARLIER --json`
    verb = visit_report_from_files(
        [second_image], previous=[synthetic_image], um_per_px=4.0, region="vertex"
    )
    expected = to_jsonable(verb.to_dict())
    web_only = ("previous", "current", "report", "image_pairs")
    web_part = {k: v for k, v in result.items() if k not in web_only}
    assert same_payload(web_part, expected)
    matched = result["matched"]
    # every hair has one fate; "out of view": the other image's frame did not show it
    assert (
        matched["persisting"] + matched["lost"] + matched["outside_after_frame"]
        == result["previous_metrics"]["hair_count"]
    )
    assert (
        matched["persisting"] + matched["new"] + matched["outside_before_frame"]
        == result["metrics"]["hair_count"]
    )
    page = web.post_form("/measure/compare", {"first": earlier, "second": later})
    assert page.status_code == 200
    assert 'id="compare-matched"' in page.text and page.text.count('class="overlay"') >= 2
    # The later image is another scene (other hairs): pairing it is chance, and said so.
    assert result["matched_images_not_same_spot"] == [0]
    assert result["image_pairs"][0]["matched"]["same_spot"] is False
    assert 'id="compare-not-same-spot"' in page.text
    report = web.http.get(result["report"])
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "baseline" in report.text and "month 3" in report.text
    swapped = f"/visits/compare/{later}/{earlier}/report"
    assert web.http.get(swapped).content == report.content


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"first": "0" * 32, "second": "1" * 32}, "visit"),
        ({"first": "../../etc/passwd", "second": "x"}, "visit"),
    ],
)
def test_bad_visit_ids_are_400(web_module, body, named):
    web = web_module
    answer = web.http.post("/api/v1/visits/compare", headers=web.bearer, json=body)
    assert answer.status_code == 400 and named in answer.json()["error"]
    assert web.http.get("/api/v1/visits/" + "f" * 32, headers=web.bearer).status_code == 400
    assert web.http.get("/visits/" + "f" * 32 + "/report").status_code == 400
    assert web.http.get("/visits/compare/..%2F..%2Fx/" + "0" * 32 + "/report").status_code in (
        400,
        404,
    )


def test_the_same_visit_twice_and_bad_saves_are_400(web_module, saved, synthetic_image):
    web = web_module
    same = saved["baseline"]["id"]
    twice = web.http.post(
        "/api/v1/visits/compare", headers=web.bearer, json={"first": same, "second": same}
    )
    assert twice.status_code == 400 and "two different" in twice.json()["error"]
    blob = synthetic_image.read_bytes()
    for data, named in (
        ({"um_per_px": "4", "date": "2999-01-01"}, "visit date"),
        ({"um_per_px": "4", "date": "yesterday"}, "visit date"),
        ({}, "calibration"),
        ({"um_per_px": "4", "region": "moon"}, "region"),
    ):
        answer = web.http.post(
            "/api/v1/visits", headers=web.bearer, data=data, files=[("image", ("a.png", blob))]
        )
        assert answer.status_code == 400 and named in answer.json()["error"], answer.text
    text = web.http.post(
        "/api/v1/visits",
        headers=web.bearer,
        data={"um_per_px": "4"},
        files=[("image", ("a.png", b"not an image"))],
    )
    assert text.status_code == 400
    assert len(web.http.get("/api/v1/visits", headers=web.bearer).json()["visits"]) == 2


def rendered(folder, seed: int):
    """A small rendered scalp (320 x 256 px at 4 um/px) as PNG bytes."""
    import io

    from PIL import Image

    from follicle.measure.render import render_trichoscopy

    image = render_trichoscopy(um_per_px=4.0, shape_px=(256, 320), unit_count=4, seed=seed)
    buffer = io.BytesIO()
    Image.fromarray(image.image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_every_image_pair_is_shown_with_its_hairs_matched(web, tmp_path):
    """Two visits of two images each: both pairs side by side, each hair marked on the
    image(s) where it is (matched ones numbered alike in both), the counts per pair as
    the report's matching (image k with image k), and they add up to the totals. The
    first pair is one image twice (every hair kept), the second two other scalps."""
    from follicle.report.visit_report import visit_report_from_files

    blobs = {seed: rendered(tmp_path, seed) for seed in (3, 4, 6)}
    ids = []
    for day, seeds in (("2026-01-05", (3, 4)), ("2026-04-05", (3, 6))):
        saved = web.http.post(
            "/api/v1/visits",
            headers=web.bearer,
            data={"um_per_px": "4", "region": "vertex", "date": day, "label": day},
            files=[("image", (f"{s}.png", blobs[s])) for s in seeds],
        )
        assert saved.status_code == 201, saved.text
        ids.append(saved.json()["visit"]["id"])
    result = web.http.post(
        "/api/v1/visits/compare", headers=web.bearer, json={"first": ids[0], "second": ids[1]}
    ).json()
    pairs = result["image_pairs"]
    assert [p["index"] for p in pairs] == [0, 1]
    for side, visit in (("previous", result["previous"]), ("current", result["current"])):
        assert [p[side]["overlay"] for p in pairs] == visit["overlays"]
        assert all(web.http.get(p[side]["overlay"]).status_code == 200 for p in pairs)
    # the verb on the same images: its matching per image pair
    for seed, blob in blobs.items():
        (tmp_path / f"{seed}.png").write_bytes(blob)
    verb = visit_report_from_files(
        [tmp_path / "3.png", tmp_path / "6.png"],
        previous=[tmp_path / "3.png", tmp_path / "4.png"],
        um_per_px=4.0,
        region="vertex",
    )
    by_index = {m.image_index: m.comparison for m in verb.matched}
    assert sorted(by_index) == [0, 1]
    for pair in pairs:
        expected = by_index[pair["index"]]
        counts = pair["matched"]
        assert counts == {k: getattr(expected, k) for k in counts}
        before, after = pair["previous"]["marks"], pair["current"]["marks"]
        assert len(before) == counts["persisting"] + counts["lost"] + counts["outside_after_frame"]
        assert len(after) == counts["persisting"] + counts["new"] + counts["outside_before_frame"]
        assert sum(m["fate"] == "lost" for m in before) == counts["lost"]
        assert sum(m["fate"] == "new" for m in after) == counts["new"]
        unseen = sum(m["fate"] == "out of view" for m in before + after)
        assert unseen == counts["out_of_view"]
        numbers = [m["number"] for m in before if m["number"]]
        assert sorted(numbers) == list(range(1, counts["persisting"] + 1))
        assert sorted(numbers) == sorted(m["number"] for m in after if m["number"])
        for panel in (pair["previous"], pair["current"]):
            assert all(0 <= m["x_px"] <= panel["width_px"] for m in panel["marks"])
            assert all(0 <= m["y_px"] <= panel["height_px"] for m in panel["marks"])
    totals = result["matched"]
    for key in ("persisting", "lost", "new"):
        assert totals[key] == sum(p["matched"][key] for p in pairs)
    same = pairs[0]["matched"]
    assert same["persisting"] > 0 and same["lost"] == same["new"] == 0
    assert pairs[0]["previous"]["marks"] == pairs[0]["current"]["marks"]
    assert pairs[1]["matched"]["lost"] + pairs[1]["matched"]["new"] > 0
    page = web.post_form("/measure/compare", {"first": ids[0], "second": ids[1]}).text
    assert page.count('class="image-pair"') == 2 and page.count('class="overlay"') == 4
    marks = sum(len(p[side]["marks"]) for p in pairs for side in ("previous", "current"))
    assert page.count("<circle ") == marks and 'id="fate-legend"' in page
