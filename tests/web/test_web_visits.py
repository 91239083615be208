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
    web_part = {k: v for k, v in result.items() if k not in ("previous", "current", "report")}
    assert same_payload(web_part, expected)
    matched = result["matched"]
    assert matched["persisting"] + matched["lost"] == result["previous_metrics"]["hair_count"]
    assert matched["persisting"] + matched["new"] == result["metrics"]["hair_count"]
    page = web.post_form("/measure/compare", {"first": earlier, "second": later})
    assert page.status_code == 200
    assert 'id="compare-matched"' in page.text and page.text.count('class="overlay"') >= 2
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
