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


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    plan = (ROOT / "examples" / "care" / "plan-violation.toml").read_text()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        process, base, login = start_server(scratch / "data")
        try:
            fill_journal(base, login.split("token=")[1])
            image = scratch / "scalp.png"
            subprocess.run(
                [
                    str(Path(sys.executable).with_name("follicle")),
                    "render",
                    str(image),
                    "--seed",
                    "3",
                    "--yellow-dots",
                    "2",
                ],
                check=True,
                capture_output=True,
            )
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox"]
                )
                page = browser.new_page(
                    viewport={"width": 1100, "height": 800}, timezone_id="Europe/London"
                )
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
                page.goto(f"{base}/api")
                shoot(page, "api")
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
