"""Fixtures for the web app: a logged-in TestClient over a temporary data directory, and
for the browser tests a real ``follicle serve`` subprocess and Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install .[web])")

from web_helpers import OPEN_CLIENTS, WebClient, chromium_path, serving

from follicle.web.config import WebConfig


@pytest.fixture
def web(tmp_path) -> WebClient:
    client = WebClient(WebConfig(data_dir=tmp_path / "data"))
    yield client
    client.close()


@pytest.fixture(scope="module")
def shared_web(tmp_path_factory) -> WebClient:
    """One client per module for the tests that only send bad input (which stores
    nothing): a new app, data directory and login for each of them is most of their
    time. Its rate limit is lifted (the limit has its own test, on a fresh client)."""
    from follicle.web.limits import HeavyWork

    client = WebClient(WebConfig(data_dir=tmp_path_factory.mktemp("shared")))
    client.http.app.state.heavy = HeavyWork(rate_per_minute=100_000)
    yield client
    client.close()


@pytest.fixture(scope="session", autouse=True)
def _close_web_clients():
    """Module-scoped and ad-hoc clients keep an event loop thread: stop them at the end."""
    yield
    for client in list(OPEN_CLIENTS):
        client.close()


@pytest.fixture(scope="session")
def synthetic_image(tmp_path_factory) -> Path:
    """A rendered trichoscopy image (the renderer of ``follicle render``, seed 3, 4 um/px),
    640 x 512 px so that the analysis stays quick."""
    from PIL import Image

    from follicle.measure.render import render_trichoscopy

    path = tmp_path_factory.mktemp("image") / "scalp.png"
    Image.fromarray(
        render_trichoscopy(um_per_px=4.0, shape_px=(512, 640), unit_count=8, seed=3).image
    ).save(path)
    return path


# --- browser tests -------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One ``follicle serve`` (local mode) for all browser tests: (base URL, login URL)."""
    with serving(tmp_path_factory.mktemp("serve-data")) as running:
        assert "/login?token=" in running[1]
        yield running


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright missing")
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium found (apt-get install chromium, or set FOLLICLE_CHROMIUM); "
            "Playwright's own browser downloads are not used"
        )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser context, logged in through the printed login URL; fails the test
    on any console error (a CSP violation, a missing file, a script error)."""
    base, login = server
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(login)
    assert page.url == f"{base}/", page.url
    page.base = base
    yield page
    context.close()
    assert not errors, errors
