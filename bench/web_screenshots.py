"""Screenshots of the web app's pages for docs/web.md (docs/images/web-*.png).

    python bench/web_screenshots.py            # writes docs/images/web-*.png

Starts ``follicle serve`` on a free port with a temporary data directory, fills it with
a few entries through the API (a session, minoxidil 2 h later, measurements over three
months), then drives Debian's Chromium with Playwright through the pages. PNGs are
reduced to a 256-colour palette to keep the repository small.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import sync_playwright

from web import start_server  # bench/web.py: this folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"


def fill_journal(base: str, token: str) -> None:
    now = datetime.now(UTC)
    headers = {"authorization": f"Bearer {token}"}

    def log(kind, details, hours_ago, tz="Europe/London"):
        at = (now - timedelta(hours=hours_ago)).isoformat()
        body = {"kind": kind, "details": details, "at": at, "tz": tz}
        httpx.post(f"{base}/api/v1/journal/entries", json=body, headers=headers).raise_for_status()

    for days, density in ((84, 141), (56, 149), (28, 156), (1, 163)):
        metrics = {"density_per_cm2": density, "mean_diameter_um": 48 + (84 - days) / 12}
        log("measurement", {"metrics": metrics, "region": "vertex"}, days * 24)
    log("application", {"medicine": "finasteride", "dose_mg": 1}, 26)
    session = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}
    log("session", session | {"regions": ["vertex"]}, 4)


def shoot(page, name: str) -> None:
    path = OUT / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
            path, optimize=True
        )
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def shoot_part(page, selector: str, name: str) -> None:
    """One section of a page (the Measure page is long)."""
    path = OUT / f"web-{name}.png"
    page.locator(selector).screenshot(path=str(path))
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
            path, optimize=True
        )
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def render(path: Path, seed: int) -> None:
    follicle = str(Path(sys.executable).with_name("follicle"))
    command = [follicle, "render", str(path), "--seed", str(seed), "--yellow-dots", "2"]
    subprocess.run(command, check=True, capture_output=True)


def follow_up(scratch: Path, seed: int) -> tuple[Path, Path]:
    """A rendered scalp and the same scalp three months later: 15% of its hairs lost and
    a fifth of the others 40% thinner (the same skin, the same exit points)."""
    import pandas as pd

    before, after = scratch / f"visit-{seed}-a.png", scratch / f"visit-{seed}-b.png"
    truth, later = scratch / f"truth-{seed}.csv", scratch / f"later-{seed}.csv"
    follicle = str(Path(sys.executable).with_name("follicle"))
    common = ["--seed", str(seed)]
    subprocess.run([follicle, "render", str(before), *common, "--truth", str(truth)], check=True)
    hairs = pd.read_csv(truth).sample(frac=0.85, random_state=seed)
    thinned = hairs.sample(frac=0.2, random_state=seed + 1).index
    hairs.loc[thinned, "diameter_um"] *= 0.6
    hairs.to_csv(later, index=False)
    subprocess.run([follicle, "render", str(after), *common, "--hairs", str(later)], check=True)
    return before, after


def visits(page, base: str, scratch: Path) -> None:
    """Two saved visits of two images each, three months apart, then side by side."""
    pairs = [follow_up(scratch, seed) for seed in (3, 5)]
    days, labels = ("2026-01-12", "2026-04-13"), ("baseline", "month 3")
    for k, (day, label) in enumerate(zip(days, labels, strict=True)):
        page.goto(f"{base}/measure")
        files = [str(pair[k]) for pair in pairs]
        page.set_input_files("#save-visit-form input[name=image]", files)
        page.fill("#save-visit-form input[name=save_um_per_px]", "4")
        page.select_option("#save-visit-form select[name=save_region]", "vertex")
        page.fill("#save-visit-form input[name=visit_date]", day)
        page.fill("#save-visit-form input[name=label]", label)
        page.click("#save-visit-form button[type=submit]")
        page.wait_for_selector("#saved-visit")
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compared", timeout=120_000)
    shoot_part(page, "#compared", "visits")


def clinic(browser, scratch: Path) -> None:
    """Clinic mode: the login form and a user's patients."""
    import os

    data = scratch / "clinic"
    follicle = str(Path(sys.executable).with_name("follicle"))
    subprocess.run(
        [follicle, "serve", "--clinic", "--create-user", "dr.lee", "--data-dir", str(data)],
        input="a-long-password\n",
        text=True,
        check=True,
        capture_output=True,
        env=os.environ,
    )
    process, base, login = start_server(data, "--clinic")
    try:
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        page.set_default_timeout(120_000)
        page.goto(login)
        shoot(page, "clinic-login")
        page.fill("#login-form input[name=name]", "dr.lee")
        page.fill("#login-form input[name=password]", "a-long-password")
        page.click("#login-form button[type=submit]")
        for name in ("Patient 0142", "Patient 0157", "Patient 0163"):
            page.goto(f"{base}/patients")
            page.fill("#patient-form input[name=name]", name)
            page.click("#patient-form button[type=submit]")
        page.goto(f"{base}/patients")
        shoot(page, "clinic-patients")
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    plan = (ROOT / "examples" / "care" / "plan-violation.toml").read_text()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        process, base, login = start_server(scratch / "data")
        try:
            fill_journal(base, login.split("token=")[1])
            image = scratch / "scalp.png"
            render(image, 3)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox"]
                )
                page = browser.new_page(
                    viewport={"width": 1100, "height": 800}, timezone_id="Europe/London"
                )
                page.set_default_timeout(300_000)  # projections take long on a busy machine
                page.goto(login)
                shoot(page, "home")
                page.goto(f"{base}/journal")
                page.select_option("#kind", "application")
                page.select_option("select[name=medicine]", "minoxidil")
                page.select_option("select[name=route]", "topical")
                page.click("button:text('Log it')")
                page.wait_for_selector("#chart[data-rendered=true] svg")
                shoot(page, "journal")
                page.goto(f"{base}/plan")
                page.fill("#regimen_toml", plan)
                page.click("#plan-form button:text('Check the plan')")
                shoot(page, "plan")
                page.goto(f"{base}/expect")
                page.fill("#person_toml", (ROOT / "examples" / "man-35-moderate.toml").read_text())
                page.fill("#regimen_toml", (ROOT / "examples" / "finasteride.toml").read_text())
                page.fill(
                    "textarea[name=regimen2_toml]",
                    (ROOT / "examples" / "finasteride-minoxidil.toml").read_text(),
                )
                page.fill("input[name=years]", "3")
                page.click("#expect-form button[type=submit]")
                page.wait_for_selector("#chart[data-rendered=true] svg", timeout=60_000)
                shoot(page, "expect")
                page.goto(f"{base}/measure")
                page.set_input_files("#image-form input[name=image]", str(image))
                page.check("#image-form input[value=um_per_px]")
                page.fill("#image-form input[name=um_per_px]", "4")
                page.select_option("#image-form select[name=region]", "vertex")
                page.click("#image-form button[type=submit]")
                page.wait_for_selector("#density")
                shoot(page, "measure")
                page.goto(f"{base}/trials")
                page.fill(
                    "#trial_toml",
                    (ROOT / "examples" / "trials" / "finasteride-vs-placebo.toml").read_text(),
                )
                page.fill("input[name=n_per_arm]", "20")
                page.click("#trial-form button[type=submit]")
                page.wait_for_selector("#job-status[data-status=done]", timeout=300_000)
                shoot(page, "trials")
                page.goto(f"{base}/trials")
                page.fill("input[name=validate_n_per_arm]", "40")
                page.fill("input[name=only]", "olsen2002-*, kaufman1998-*")
                page.fill("input[name=members]", "8")
                page.click("#validate-form button[type=submit]")
                page.wait_for_selector("#job-status[data-status=done]", timeout=300_000)
                shoot(page, "validate")
                visits(page, base, scratch)
                page.goto(f"{base}/api")
                shoot(page, "api")
                clinic(browser, scratch)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
