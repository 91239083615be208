"""Helpers of the web tests: a logged-in TestClient, finding Chromium, a free port."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from follicle.web.app import create_app
from follicle.web.config import WebConfig

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: A trial that runs in seconds: 3 per arm, 0.5 cm2, 60 days, no stage screening.
SMALL_TRIAL = """
name = "tiny finasteride trial"
n_per_arm = 3
seed = 2
control_arm = "placebo"

[population]
sex = "male"
age_years = [25, 40]

[target_area]
region = "vertex"
area_cm2 = 0.5

[[arm]]
name = "placebo"

[[arm]]
name = "finasteride 1 mg"
[[arm.treatment]]
kind = "finasteride"
dose_mg = 1.0

[[endpoint]]
measure = "change"
column = "hairs"
day = 60
"""
#: Clients still holding their event loop thread (closed at the end of the session).
OPEN_CLIENTS: list[WebClient] = []
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    """A TestClient logged in with the login token, plus the page's CSRF token."""

    def __init__(self, config: WebConfig):
        self.config = config
        # https: the session cookie is Secure, so the client sends it over https only
        self.http = TestClient(create_app(config), base_url="https://127.0.0.1")
        # one event loop for all of this client's requests (without it, every request
        # starts and stops a loop in a new thread: five times slower)
        self.http.__enter__()
        OPEN_CLIENTS.append(self)
        response = self.http.get(f"/login?token={config.login_token}", follow_redirects=False)
        assert response.status_code == 303
        self.csrf = CSRF.search(self.http.get("/journal").text).group(1)

    def close(self) -> None:
        if self in OPEN_CLIENTS:
            OPEN_CLIENTS.remove(self)
            self.http.__exit__(None, None, None)

    @property
    def bearer(self) -> dict:
        return {"authorization": f"Bearer {self.config.login_token}"}

    def post_form(self, path: str, data: dict, files: dict | None = None):
        return self.http.post(path, data={"csrf_token": self.csrf, **data}, files=files)


def chromium_path() -> str | None:
    """Debian's Chromium (browsers are never downloaded): $FOLLICLE_CHROMIUM, else PATH."""
    candidates = [os.environ.get("FOLLICLE_CHROMIUM"), shutil.which("chromium")]
    candidates += [shutil.which("chromium-browser"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(data_dir: Path, *options: str):
    """``follicle serve`` as users start it, on a free port; yields (base URL, the login
    URL it printed)."""
    follicle = Path(sys.executable).with_name("follicle")
    port = free_port()
    process = subprocess.Popen(
        [str(follicle), "serve", "--port", str(port), "--data-dir", str(data_dir), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        login = None
        deadline = time.monotonic() + 30
        while login is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                pytest.fail(f"follicle serve exited with {process.returncode}")
            found = re.search(r"(http://\S+/login\S*)", line)
            login = found.group(1) if found else None
        assert login, "follicle serve printed no login URL"
        base = login.split("/login")[0]
        import httpx

        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, login
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
