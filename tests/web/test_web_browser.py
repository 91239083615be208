"""End to end in a real browser: ``follicle serve`` as a subprocess, Debian's Chromium
driven by Playwright, logged in through the printed URL. Every page must load without a
console error (a Content-Security-Policy violation would be one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from web_helpers import EXAMPLES, SMALL_TRIAL

ZONE = "Europe/Paris"  # the browser's zone: journal times are read in it


@pytest.fixture
def paris(browser, server):
    """A page in a browser context set to Paris time, logged in."""
    base, login = server
    context = browser.new_context(timezone_id=ZONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(login)
    assert page.url == f"{base}/"
    page.base = base
    yield page
    context.close()
    assert not errors, errors


def paris_time(hours_ago: float) -> str:
    moment = datetime.now(UTC) - timedelta(hours=hours_ago)
    return moment.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")


def test_upload_a_rendered_image_and_read_the_density(page, synthetic_image):
    from follicle.measure.analyze import analyze_image

    page.goto(f"{page.base}/measure")
    page.set_input_files("#image-form input[name=image]", str(synthetic_image))
    page.check("#image-form input[value=um_per_px]")
    page.fill("#image-form input[name=um_per_px]", "4")
    page.select_option("#image-form select[name=region]", "vertex")
    page.click("#image-form button[type=submit]")
    density = float(page.text_content("#density", timeout=30_000))
    expected = analyze_image(str(synthetic_image), um_per_px=4.0).metrics().density_per_cm2
    assert density == round(expected)
    overlay = page.locator("#overlay")
    assert overlay.evaluate("img => img.complete && img.naturalWidth") > 0  # it loaded
    # what the errors leave out, yellow dots included
    assert "yellow dots have not been checked against marked ones" in page.content()


def test_a_blocked_plan_is_fixed_then_passes_and_downloads(paris):
    page = paris
    page.goto(f"{page.base}/plan")
    plan = (EXAMPLES / "care" / "plan-violation.toml").read_text()
    page.fill("#regimen_toml", plan)
    page.click("#plan-form button:text('Check the plan')")
    assert "blocked" in page.text_content("#verdict")
    assert page.locator("#plan-result li[data-rule='MN-7'].block").count() == 1
    fixed = plan.replace(
        'times_of_day = ["08:00", "20:00"]',
        'times_of_day = ["08:00", "20:00"]\npause_after_microneedling_hours = 24',
    )
    page.fill("#regimen_toml", fixed)
    page.click("#plan-form button:text('Check the plan')")
    assert page.text_content("#verdict") == "No rule blocks this plan."
    assert page.locator("#plan-result li[data-rule='MN-7']").count() == 0
    with page.expect_download() as download:
        page.click("#download-ics")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and "X-WR-TIMEZONE:Europe/Paris" in text


def test_minoxidil_after_a_deep_session_shows_mn7(paris):
    page = paris
    page.goto(f"{page.base}/journal")
    page.select_option("#kind", "session")
    assert page.is_hidden("input[name=dose_mg]")  # the form shows the chosen kind only
    page.fill("input[name=needle_mm]", "1.5")
    page.fill("input[name=duration_minutes]", "12")
    page.fill("input[name=at]", paris_time(3))
    page.click("button:text('Log it')")
    assert "Logged session" in page.text_content("#logged")
    page.select_option("#kind", "application")
    page.select_option("select[name=medicine]", "minoxidil")
    page.select_option("select[name=route]", "topical")
    page.fill("input[name=at]", paris_time(1))
    page.click("button:text('Log it')")
    # The answer is a new page: wait for it (the old page's #logged is there at once,
    # so a count read right after the click could see the first answer under load).
    page.wait_for_selector("#logged li[data-rule='MN-7']", timeout=15_000)
    flag = page.locator("#logged li[data-rule='MN-7']")
    assert flag.count() == 1
    assert "24 hours" in flag.text_content()
    assert "(Europe/Paris)" in page.text_content("#history")
    # a measurement draws the chart (Vega under the CSP: no eval, no inline style)
    page.select_option("#kind", "measurement")
    page.fill("input[name=value]", "182")
    page.click("button:text('Log it')")
    page.wait_for_selector("#chart[data-rendered=true] svg", timeout=15_000)


def test_expect_draws_the_bands(page):
    page.goto(f"{page.base}/expect")
    page.fill("#person_toml", (EXAMPLES / "man-35-moderate.toml").read_text())
    page.fill("#regimen_toml", (EXAMPLES / "finasteride.toml").read_text())
    page.fill("input[name=years]", "1")
    page.fill("input[name=futures]", "10")
    page.click("#expect-form button[type=submit]")
    page.wait_for_selector("#chart[data-rendered=true] svg", timeout=30_000)
    assert page.locator("#projection tbody tr").count() >= 2


def test_a_small_trial_runs_to_its_report(page):
    page.goto(f"{page.base}/trials")
    page.fill("#trial_toml", SMALL_TRIAL)
    page.click("#trial-form button[type=submit]")
    # the job page refreshes itself until the job is done
    page.wait_for_selector("#job-status[data-status=done]", timeout=120_000)
    assert page.locator("#comparisons tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("#report-link")
    assert "tiny finasteride trial" in Path(download.value.path()).read_text(encoding="utf-8")


def test_two_saved_visits_compared_image_pair_by_image_pair(page, tmp_path):
    """Two visits of two images each, saved through the page's form; compared side by
    side, both image pairs show their overlays with every hair circled by its fate in the
    fate's colour (drawn by the page's stylesheet over the overlay)."""
    from test_web_visits import rendered

    for seed in (3, 4, 6):
        (tmp_path / f"{seed}.png").write_bytes(rendered(tmp_path, seed))
    for day, seeds in (("2026-01-05", (3, 4)), ("2026-04-05", (3, 6))):
        page.goto(f"{page.base}/measure")
        form = "#save-visit-form"
        page.set_input_files(
            f"{form} input[name=image]", [str(tmp_path / f"{s}.png") for s in seeds]
        )
        assert page.is_checked(f"{form} input[name=save_scale][value=device]")  # default
        page.fill(f"{form} input[name=save_um_per_px]", "4")  # selects its own radio
        assert page.is_checked(f"{form} input[name=save_scale][value=um_per_px]")
        page.fill(f"{form} input[name=visit_date]", day)
        page.fill(f"{form} input[name=label]", f"pairs {day}")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("#saved-visit", timeout=60_000)
    page.goto(f"{page.base}/measure")
    labels = {o.text_content().split(" ", 1)[1]: o.get_attribute("value")
              for o in page.locator("#compare-form select[name=first] option").all()}  # fmt: skip
    page.select_option("#compare-form select[name=first]", labels["pairs 2026-01-05"])
    page.select_option("#compare-form select[name=second]", labels["pairs 2026-04-05"])
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#image-pairs", timeout=60_000)
    assert page.locator(".image-pair").count() == 2
    for pair in page.locator(".image-pair").all():
        for image in pair.locator("img.overlay").all():
            assert image.evaluate("img => img.complete && img.naturalWidth") > 0
        circles = pair.locator("svg.fates circle")
        assert circles.count() > 0
        box = circles.first.bounding_box()
        assert box and box["width"] > 1  # drawn, scaled with the image
    kept = page.locator(".image-pair").first.locator("g[data-fate=kept] circle").first
    assert kept.evaluate("c => getComputedStyle(c).stroke") == "rgb(240, 240, 240)"


def test_hairs_corrected_by_clicking_the_overlay(page, synthetic_image):
    """Remove a hair and draw a missed one by clicking the overlay: the form fills in,
    the marks are drawn over the image, and applying measures the image again."""
    page.goto(f"{page.base}/measure")
    page.set_input_files("#image-form input[name=image]", str(synthetic_image))
    page.check("#image-form input[value=um_per_px]")
    page.fill("#image-form input[name=um_per_px]", "4")
    page.click("#image-form button[type=submit]")
    hairs_before = int(page.text_content("#measure-result table.metrics td", timeout=30_000))
    page.click("#measure-result details.correct summary")
    lines = page.evaluate(
        "JSON.parse(document.querySelector('#measure-result script.hair-lines').textContent)"
    )
    overlay = page.locator("#overlay")
    natural = overlay.evaluate("img => [img.naturalWidth, img.clientWidth]")
    ratio = natural[1] / natural[0]  # shown size / pixels of the image

    def click(x: float, y: float) -> None:
        overlay.click(position={"x": x * ratio, "y": y * ratio})

    hair = lines["hairs"][0]
    x, y = hair["points"][len(hair["points"]) // 2]
    click(x, y)
    assert page.input_value("#measure-result [data-part=remove]") == str(hair["id"])
    assert page.locator("#measure-result svg.corrections .removed-mark").count() == 1
    page.click("#measure-result button[data-action=next-hair]")
    click(40, 40)
    click(90, 90)
    drawn = page.input_value("#measure-result [data-part=add]").split()
    assert len(drawn) == 2 and all("," in point for point in drawn)
    page.fill("#measure-result [data-part=add]", " ".join(drawn) + " d=25")
    page.click("#measure-result details.correct button[type=submit]")
    summary = page.text_content("#measure-result details.correct summary", timeout=30_000)
    assert "1 removed, 1 added, 0 split" in summary
    hairs_after = int(page.text_content("#measure-result table.metrics td"))
    assert hairs_after == hairs_before  # one removed, one added
    assert page.input_value("#measure-result [data-part=remove]") == str(hair["id"])
    # Saved as a visit, with its corrections: the history shows the corrected count.
    page.fill("#corrections input[name=label]", "corrected by clicking")
    page.click("#corrections button:text('Save as a visit')")
    assert int(page.text_content("#saved-visit p", timeout=30_000).split()[0]) == hairs_after
    row = page.locator("#visits tr", has_text="corrected by clicking")
    assert int(row.locator("td").nth(4).text_content()) == hairs_after
