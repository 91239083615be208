"""HTML to PDF (and PNG screenshots) with a headless Chromium, when one is installed.

Chromium prints the self-contained HTML exactly as a browser shows it; nothing is
fetched (the report embeds its images and the browser's background networking is off).
Debian: ``apt-get install chromium``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from follicle.errors import FollicleInputError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 180


def find_chromium() -> str | None:
    """Path of a Chromium-family browser on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser's path, or a one-line error saying what to install."""
    browser = find_chromium()
    if browser is None:
        raise FollicleInputError.from_message(
            "PDF output needs a headless Chromium and none was found: install it "
            "(Debian: apt-get install chromium) or write the report as .html"
        )
    return browser


def _run_chromium(html_path: Path, *flags: str) -> None:
    browser = require_chromium()
    with tempfile.TemporaryDirectory(prefix="follicle-chromium-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *flags,
            Path(html_path).resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise FollicleInputError.from_message(
                f"{browser} did not finish within {TIMEOUT_S} s"
            ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise FollicleInputError.from_message(f"{browser} failed ({done.returncode}): {last}")


def html_to_pdf(html_path: str | Path, pdf_path: str | Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4, no header or footer)."""
    pdf_path = Path(pdf_path).resolve()
    _run_chromium(
        Path(html_path),
        "--no-pdf-header-footer",
        "--print-to-pdf-no-header",  # older name of the same switch
        f"--print-to-pdf={pdf_path}",
    )
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise FollicleInputError.from_message(f"Chromium wrote no PDF to {pdf_path}")
    return pdf_path


def html_screenshot(
    html_path: str | Path, png_path: str | Path, *, window_px: tuple[int, int] = (1200, 1600)
) -> Path:
    """A PNG of the top of the page as a browser window of ``window_px`` shows it."""
    png_path = Path(png_path).resolve()
    _run_chromium(
        Path(html_path),
        "--hide-scrollbars",
        f"--window-size={window_px[0]},{window_px[1]}",
        f"--screenshot={png_path}",
    )
    return png_path
