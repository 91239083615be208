"""Clinic accounts after their creation: a user changes their own password (the old one
required; their other sessions end), and an administrator removes an account with the
installed ``follicle serve --clinic --remove-user`` (refused while it has patients unless
another account takes them; the records move whole, nothing clinical is deleted)."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from fastapi.testclient import TestClient
from test_web_clinic import FOLLICLE, clinic_client

from follicle.web.accounts import Accounts
from follicle.web.app import create_app
from follicle.web.config import WebConfig

NOTE = "kept-through-removal-41"


@pytest.fixture
def clinic(tmp_path):
    """alice (with a patient and a journal entry) and bob, both logged in."""
    config = WebConfig(data_dir=tmp_path / "clinic", clinic=True)
    config.prepare()
    accounts = Accounts(config.accounts_path)
    accounts.create_user("alice", "alice-password-1")
    accounts.create_user("bob", "bob-password-22")
    accounts.close()
    alice = clinic_client(config, "alice", "alice-password-1")
    bob = clinic_client(config, "bob", "bob-password-22")
    csrf = {"x-csrf-token": alice.csrf}
    patient = alice.post("/api/v1/patients", json={"name": "P. One"}, headers=csrf).json()
    patient = patient["patient"]["id"]
    logged = alice.post(
        f"/api/v1/patients/{patient}/journal/entries",
        json={"kind": "symptom", "details": {"symptom": "itching"}, "note": NOTE},
        headers=csrf,
    )
    assert logged.status_code == 200, logged.text
    return config, alice, bob, patient


def serve(config: WebConfig, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FOLLICLE, "serve", "--clinic", "--data-dir", str(config.data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def can_log_in(config: WebConfig, name: str, password: str) -> bool:
    accounts = Accounts(config.accounts_path)
    try:
        return accounts.verify(name, password) is not None
    finally:
        accounts.close()


def change(http: TestClient, old: str, new: str, again: str | None = None):
    return http.post(
        "/account/password",
        data={
            "csrf_token": http.csrf,
            "old_password": old,
            "new_password": new,
            "again": new if again is None else again,
        },
    )


def test_a_user_changes_their_own_password_with_the_old_one(clinic):
    config, alice, bob, patient = clinic
    elsewhere = clinic_client(config, "alice", "alice-password-1")  # another browser
    for old, new, again, named in (
        ("wrong-password-0", "alice-new-password", None, "old password"),
        ("alice-password-1", "short", None, "password"),
        ("alice-password-1", "alice-new-password", "alice-other-password", "new password"),
    ):
        refused = change(alice, old, new, again)
        assert refused.status_code == 400 and named in refused.text, refused.text
        assert can_log_in(config, "alice", "alice-password-1")
    done = change(alice, "alice-password-1", "alice-new-password")
    assert done.status_code == 200 and "Your password was changed. 1 other session" in done.text
    assert not can_log_in(config, "alice", "alice-password-1")
    assert can_log_in(config, "alice", "alice-new-password")
    assert can_log_in(config, "bob", "bob-password-22")  # nobody else's
    # this browser stays logged in, the other one is logged out
    assert alice.get(f"/api/v1/patients/{patient}").status_code == 200
    assert elsewhere.get(f"/api/v1/patients/{patient}").status_code == 401
    assert bob.get("/patients").status_code == 200
    missing = alice.post("/account/password", data={"old_password": "alice-new-password"})
    assert missing.status_code == 403  # no CSRF token


def test_the_api_changes_the_callers_password(clinic):
    config, alice, *_ = clinic
    body = {"old_password": "alice-password-1", "new_password": "alice-api-password"}
    assert alice.post("/api/v1/account/password", json=body).status_code == 403  # no CSRF
    csrf = {"x-csrf-token": alice.csrf}
    wrong = alice.post(
        "/api/v1/account/password", json=body | {"old_password": "nope-nope-nope"}, headers=csrf
    )
    assert wrong.status_code == 400 and "old password" in wrong.json()["error"]
    answer = alice.post("/api/v1/account/password", json=body, headers=csrf)
    assert answer.status_code == 200 and answer.json() == {
        "changed": True,
        "other_sessions_ended": 0,
    }
    assert can_log_in(config, "alice", "alice-api-password")


def test_removing_an_account_with_patients_is_refused_then_they_are_transferred(clinic):
    config, alice, bob, patient = clinic
    refused = serve(config, "--remove-user", "alice")
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "it has 1" in lines[0] and "--transfer-patients-to" in lines[0]
    assert can_log_in(config, "alice", "alice-password-1")  # nothing changed
    assert alice.get(f"/api/v1/patients/{patient}").status_code == 200
    listed = serve(config, "--list-users")
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == ["alice\t1 patient", "bob\t0 patients"]
    job = alice.app.state.jobs.submit("alice's trial", lambda p, i: {}, owner="user:1")

    moved = serve(config, "--remove-user", "alice", "--transfer-patients-to", "bob")
    assert moved.returncode == 0, moved.stderr
    assert "1 patient(s) now belong to 'bob'" in moved.stdout
    assert "1 session(s) ended" in moved.stdout  # alice logged in once
    assert not can_log_in(config, "alice", "alice-password-1")
    # alice's open browser is logged out at once (the running server reads the sessions)
    assert alice.get(f"/api/v1/patients/{patient}").status_code == 401
    # bob has the whole record: the patient and its journal
    assert bob.get(f"/api/v1/patients/{patient}").status_code == 200
    entries = bob.get(f"/api/v1/patients/{patient}/journal/entries").json()["entries"]
    assert [e["note"] for e in entries] == [NOTE]
    with sqlite3.connect(config.accounts_path) as db:
        recorded = db.execute("SELECT name, patients_moved, moved_to FROM removed_users").fetchall()
    assert recorded == [("alice", 1, 2)]
    # a new account never gets the removed one's id, nor its jobs
    accounts = Accounts(config.accounts_path)
    assert accounts.create_user("carol", "carol-password-3") == 3
    accounts.close()
    restarted = TestClient(create_app(config), base_url="https://127.0.0.1")
    assert restarted.app.state.jobs.jobs(owner="user:1") == []
    carol = clinic_client(config, "carol", "carol-password-3")
    assert carol.get(f"/api/v1/trials/{job.id}").status_code == 404
    assert carol.get(f"/api/v1/patients/{patient}").status_code == 404


def test_an_account_without_patients_is_removed(clinic):
    config, _, bob, _ = clinic
    done = serve(config, "--remove-user", "bob")
    assert done.returncode == 0, done.stderr
    assert "removed the account 'bob';" in done.stdout and "patient(s)" not in done.stdout
    assert bob.get("/patients").status_code == 401
    assert not can_log_in(config, "bob", "bob-password-22")


def test_bad_removals_exit_2_in_one_line(clinic):
    config, *_ = clinic
    for args, named in (
        (["--remove-user", "nobody"], "user name = 'nobody'"),
        (["--remove-user", "alice", "--transfer-patients-to", "nobody"], "transfer to"),
        (["--remove-user", "alice", "--transfer-patients-to", "alice"], "transfer to"),
        (["--transfer-patients-to", "bob"], "--remove-user"),
        (["--remove-user", "alice", "--create-user", "x"], "not allowed together"),
    ):
        done = serve(config, *args)
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("follicle: error:"), lines
        assert named in lines[0], (args, lines)
    assert can_log_in(config, "alice", "alice-password-1")
    assert Accounts(config.accounts_path).patient_counts() == {"alice": 1, "bob": 0}


def test_account_options_need_clinic_mode_and_a_clinic(tmp_path):
    for args, named in (
        (["--remove-user", "alice"], "--remove-user needs --clinic"),
        (["--list-users"], "--list-users needs --clinic"),
        (["--clinic", "--remove-user", "alice"], "clinic's data directory"),
        (["--clinic", "--list-users"], "clinic's data directory"),
    ):
        done = subprocess.run(
            [FOLLICLE, "serve", *args, "--data-dir", str(tmp_path / "empty")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2 and named in done.stderr, (args, done.stderr)
