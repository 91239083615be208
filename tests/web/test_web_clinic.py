"""Clinic mode: accounts with argon2 password hashes, one record per patient, and a user
who reaches only their own patients, by page, by API and by stored file (404, nothing of
the other patient's data in the answer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import CSRF

from follicle.web.accounts import Accounts
from follicle.web.app import create_app
from follicle.web.config import WebConfig

FOLLICLE = str(Path(sys.executable).with_name("follicle"))
SECRET_NAME = "Ms Alice Example"
SECRET_NOTE = "private-note-7f3a"


def clinic_client(config: WebConfig, name: str, password: str) -> TestClient:
    """A client logged in through the login form (double-submit CSRF cookie)."""
    http = TestClient(create_app(config), base_url="https://127.0.0.1")
    form = http.get("/login")
    token = CSRF.search(form.text).group(1)
    answer = http.post(
        "/login",
        data={"csrf_token": token, "name": name, "password": password},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/patients", answer.text
    http.csrf = CSRF.search(http.get("/patients").text).group(1)
    return http


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """Two accounts on one clinic server; alice has a patient with a journal entry."""
    config = WebConfig(data_dir=tmp_path_factory.mktemp("clinic"), clinic=True)
    config.prepare()
    accounts = Accounts(config.accounts_path)
    accounts.create_user("alice", "alice-password-1")
    accounts.create_user("bob", "bob-password-22")
    accounts.close()
    alice = clinic_client(config, "alice", "alice-password-1")
    bob = clinic_client(config, "bob", "bob-password-22")
    made = alice.post(
        "/api/v1/patients", json={"name": SECRET_NAME}, headers={"x-csrf-token": alice.csrf}
    )
    assert made.status_code == 201, made.text
    patient = made.json()["patient"]["id"]
    logged = alice.post(
        f"/api/v1/patients/{patient}/journal/entries",
        json={"kind": "symptom", "details": {"symptom": "itching"}, "note": SECRET_NOTE},
        headers={"x-csrf-token": alice.csrf},
    )
    assert logged.status_code == 200, logged.text
    return config, alice, bob, patient


def test_passwords_are_stored_as_argon2_hashes(clinic):
    import sqlite3

    config, *_ = clinic
    with sqlite3.connect(config.accounts_path) as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM users")]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("password" in h for h in hashes)


def test_wrong_password_and_missing_csrf_are_refused(clinic):
    config, *_ = clinic
    http = TestClient(create_app(config), base_url="https://127.0.0.1")
    token = CSRF.search(http.get("/login").text).group(1)
    wrong = http.post("/login", data={"csrf_token": token, "name": "alice", "password": "nope"})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    token = CSRF.search(wrong.text).group(1)  # each form carries a fresh token
    unknown = http.post("/login", data={"csrf_token": token, "name": "eve", "password": "x" * 12})
    assert unknown.status_code == 401
    forged = TestClient(create_app(config), base_url="https://127.0.0.1").post(
        "/login", data={"csrf_token": "guess", "name": "alice", "password": "alice-password-1"}
    )
    assert forged.status_code == 403
    assert http.get("/journal", follow_redirects=False).status_code == 401  # no session


def test_the_owner_reads_the_patient_record(clinic):
    _, alice, _, patient = clinic
    assert [p["id"] for p in alice.get("/api/v1/patients").json()["patients"]] == [patient]
    entries = alice.get(f"/api/v1/patients/{patient}/journal/entries").json()["entries"]
    assert [e["note"] for e in entries] == [SECRET_NOTE]
    opened = alice.get(f"/patients/{patient}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/journal"
    page = alice.get("/journal")
    assert SECRET_NAME in page.text and "itching" in page.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/patients/{p}"),
        ("GET", "/api/v1/patients/{p}/journal/entries"),
        ("GET", "/api/v1/patients/{p}/journal/stats"),
        ("GET", "/api/v1/patients/{p}/plan/follow"),
        ("GET", "/api/v1/patients/{p}/visits"),
        ("POST", "/api/v1/patients/{p}/journal/entries"),
        ("POST", "/api/v1/patients/{p}/journal/entries/1/void"),
        ("GET", "/patients/{p}"),
    ],
)
def test_another_user_cannot_open_the_patient(clinic, method, path):
    _, _, bob, patient = clinic
    body = {"kind": "symptom", "details": {"symptom": "itching"}, "reason": "mine now"}
    answer = bob.request(
        method,
        path.format(p=patient),
        json=body if method == "POST" else None,
        headers={"x-csrf-token": bob.csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 404, answer.text
    assert SECRET_NAME not in answer.text and SECRET_NOTE not in answer.text
    assert bob.get("/api/v1/patients").json() == {"patients": []}


def test_another_users_pages_never_show_the_patient(clinic):
    config, _, bob, patient = clinic
    # bob has no patient open: the patient pages send him to his own list
    assert bob.get("/journal", follow_redirects=False).headers["location"] == "/patients"
    assert bob.get("/api/v1/journal/entries").status_code == 400
    mine = bob.post("/patients", data={"csrf_token": bob.csrf, "name": "Mr Bob Patient"})
    assert mine.status_code == 200 and "Mr Bob Patient" in mine.text
    journal = bob.get("/journal").text
    assert SECRET_NOTE not in journal and SECRET_NAME not in journal
    # a stored image of alice's patient is not served to bob, even by its exact name
    name = "0" * 32 + ".png"
    (config.for_patient(patient).uploads_dir / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    assert bob.get(f"/files/{name}").status_code == 404


def test_the_login_token_does_not_open_a_clinic(clinic):
    config, *_ = clinic
    http = TestClient(create_app(config), base_url="https://127.0.0.1")
    bearer = {"authorization": f"Bearer {config.login_token}"}
    assert http.get("/api/v1/patients", headers=bearer).status_code == 401
    assert http.get(f"/login?token={config.login_token}").status_code == 200  # just the form
    assert "follicle_session" not in http.cookies


def test_jobs_are_visible_to_their_owner_only(clinic):
    _, alice, bob, _ = clinic
    job = alice.post(
        "/api/v1/validate",
        json={"n_per_arm": 2, "only": "no-such-target-*"},
        headers={"x-csrf-token": alice.csrf},
    )
    assert job.status_code == 400 and "no-such-target" in job.json()["error"]
    queued = alice.app.state.jobs.submit("secret trial", lambda p, i: {}, owner="user:1")
    assert alice.get(f"/api/v1/trials/{queued.id}").status_code == 200
    assert bob.get(f"/api/v1/trials/{queued.id}").status_code == 404
    assert "secret trial" not in bob.get("/trials").text


def test_sessions_survive_a_restart(clinic):
    config, alice, _, patient = clinic
    again = TestClient(create_app(config), base_url="https://127.0.0.1")
    again.cookies = alice.cookies
    answer = again.get(f"/api/v1/patients/{patient}/journal/entries")
    assert answer.status_code == 200 and answer.json()["entries"][0]["note"] == SECRET_NOTE


def test_create_user_reads_the_password_from_stdin(tmp_path):
    done = subprocess.run(
        [FOLLICLE, "serve", "--clinic", "--create-user", "carol", "--data-dir", str(tmp_path)],
        input="carol-password-3\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    accounts = Accounts(tmp_path / "clinic.sqlite3")
    assert accounts.verify("carol", "carol-password-3") is not None
    assert accounts.verify("carol", "wrong-password") is None


@pytest.mark.parametrize(
    ("args", "stdin", "named"),
    [
        (["--clinic", "--create-user", "dave"], "short\n", "password"),
        (["--clinic", "--create-user", "no spaces"], "long-enough-pw\n", "user name"),
        (["--create-user", "erin"], "long-enough-pw\n", "--clinic"),
    ],
)
def test_create_user_refuses_bad_input_in_one_line(tmp_path, args, stdin, named):
    done = subprocess.run(
        [FOLLICLE, "serve", *args, "--data-dir", str(tmp_path)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("follicle: error:") and named in lines[0]


def test_password_guessing_is_rate_limited_per_name(clinic):
    config, *_ = clinic
    http = TestClient(create_app(config), base_url="https://127.0.0.1")
    answer = http.get("/login")
    statuses = []
    for attempt in range(11):
        token = CSRF.search(answer.text).group(1)
        answer = http.post(
            "/login", data={"csrf_token": token, "name": "mallory", "password": f"guess-{attempt}"}
        )
        statuses.append(answer.status_code)
    assert statuses == [401] * 10 + [429]
    assert "too many logins" in answer.text


def test_a_patients_image_is_corrected_or_saved_only_in_that_record(clinic, synthetic_image):
    """Corrections by hand name a stored image by URL: another user's patient (or the
    same user's other patient) cannot correct it or save it as a visit."""
    _, alice, bob, patient = clinic
    headers = {"x-csrf-token": alice.csrf}
    with synthetic_image.open("rb") as handle:
        answer = alice.post(
            f"/api/v1/patients/{patient}/measure/analyze",
            data={"um_per_px": "4"},
            files={"image": ("scalp.png", handle, "image/png")},
            headers=headers,
        )
    assert answer.status_code == 200, answer.text
    image = answer.json()["images"][0]["source"]
    body = {"image": image, "um_per_px": 4, "corrections": {"remove": [0]}}
    mine = alice.post(f"/api/v1/patients/{patient}/measure/correct", json=body, headers=headers)
    assert mine.status_code == 200, mine.text
    other = alice.post("/api/v1/patients", json={"name": "Mr Other"}, headers=headers)
    other_id = other.json()["patient"]["id"]
    for client, record in ((alice, other_id), (bob, patient)):
        refused = client.post(
            f"/api/v1/patients/{record}/measure/correct",
            json=body,
            headers={"x-csrf-token": client.csrf},
        )
        assert refused.status_code in (400, 404), refused.text
        saved = client.post(
            f"/api/v1/patients/{record}/visits/analysed",
            json={"images": [{"image": image}], "um_per_px": 4},
            headers={"x-csrf-token": client.csrf},
        )
        assert saved.status_code in (400, 404), saved.text
