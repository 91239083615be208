"""The Host check (DNS rebinding) reads IPv6 literals with a port, and sessions are kept
in the data directory: a restarted server still knows its logged-in browsers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from follicle.web.app import create_app, host_name
from follicle.web.config import WebConfig


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("[::1]:8765", "::1"),
        ("[::1]", "::1"),
        ("127.0.0.1:8765", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1", ""),
        ("::1", "::1"),  # some clients send the bare literal
    ],
)
def test_host_name_without_the_port(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("[::1]:8765", 200),
        ("127.0.0.1:8765", 200),
        ("localhost:8765", 200),
        ("evil.example:8765", 400),
        ("[::2]:8765", 400),
        ("127.0.0.1.evil.example", 400),
    ],
)
def test_only_loopback_hosts_are_answered(tmp_path, host, status):
    http = TestClient(create_app(WebConfig(data_dir=tmp_path)), base_url="https://127.0.0.1")
    assert http.get("/healthz", headers={"host": host}).status_code == status


def test_a_session_outlives_a_restart_and_logout_ends_it(tmp_path):
    config = WebConfig(data_dir=tmp_path)
    first = TestClient(create_app(config), base_url="https://127.0.0.1")
    first.get(f"/login?token={config.login_token}")
    assert first.get("/journal").status_code == 200
    restarted = WebConfig(data_dir=tmp_path)  # a new start: a new login token
    second = TestClient(create_app(restarted), base_url="https://127.0.0.1")
    second.cookies = first.cookies
    page = second.get("/journal")
    assert page.status_code == 200
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    second.post("/logout", data={"csrf_token": csrf})
    third = TestClient(create_app(restarted), base_url="https://127.0.0.1")
    third.cookies = first.cookies
    assert third.get("/journal").status_code == 401


def test_session_ids_are_not_stored_in_clear(tmp_path):
    import sqlite3

    config = WebConfig(data_dir=tmp_path)
    http = TestClient(create_app(config), base_url="https://127.0.0.1")
    http.get(f"/login?token={config.login_token}")
    session_id = http.cookies["follicle_session"]
    with sqlite3.connect(config.sessions_path) as db:
        stored = [row[0] for row in db.execute("SELECT id_hash FROM sessions")]
    assert len(stored) == 1 and session_id not in stored[0]


def test_serve_on_ipv6_loopback_answers_its_own_host_header(tmp_path):
    """``follicle serve --host ::1``: the browser sends ``Host: [::1]:PORT``."""
    import socket

    import httpx
    from web_helpers import serving

    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with serving(tmp_path, "--host", "::1") as (base, login):
        assert base.startswith("http://[::1]:")
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(login, follow_redirects=False).status_code == 303
        other = httpx.get(f"{base}/healthz", headers={"host": "evil.example"})
        assert other.status_code == 400


def test_a_session_of_the_other_mode_is_not_taken(tmp_path):
    """The same data directory served in local mode, then in clinic mode: the local
    session opens nothing in the clinic (and a clinic session nothing in local mode)."""
    config = WebConfig(data_dir=tmp_path)
    local = TestClient(create_app(config), base_url="https://127.0.0.1")
    local.get(f"/login?token={config.login_token}")
    assert local.get("/journal").status_code == 200
    clinic = TestClient(
        create_app(WebConfig(data_dir=tmp_path, clinic=True)), base_url="https://127.0.0.1"
    )
    clinic.cookies = local.cookies
    assert clinic.get("/patients").status_code == 401
    assert clinic.get("/api/v1/patients").status_code == 401
    clinic_session = clinic.app.state.sessions.create(user_id=1)
    again = TestClient(create_app(WebConfig(data_dir=tmp_path)), base_url="https://127.0.0.1")
    again.cookies.set("follicle_session", clinic_session, domain="127.0.0.1")
    assert again.get("/journal").status_code == 401
    local_session = again.app.state.sessions.create()  # the same way, of this mode: opens
    again.cookies.set("follicle_session", local_session, domain="127.0.0.1")
    assert again.get("/journal").status_code == 200
