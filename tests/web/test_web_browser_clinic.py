"""Clinic mode in a real browser: two accounts on one ``follicle serve --clinic``; the
second cannot open the first one's patient, neither by its URL nor through the API from
the browser (404, and nothing of the patient on the page)."""

from __future__ import annotations

import pytest
from web_helpers import serving

from follicle.web.accounts import Accounts

PATIENT = "Ms Clinic Example"
NOTE = "clinic-private-note"


@pytest.fixture(scope="module")
def clinic_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("clinic-serve")
    accounts = Accounts(data_dir / "clinic.sqlite3")  # as `--create-user` makes them
    accounts.create_user("alice", "alice-password-1")
    accounts.create_user("bob", "bob-password-22")
    accounts.close()
    with serving(data_dir, "--clinic") as running:
        yield running


def logged_in(browser, clinic_server, name: str, password: str, errors: list):
    base, login = clinic_server
    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(login)
    page.fill("#login-form input[name=name]", name)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form button[type=submit]")
    assert page.url == f"{base}/patients", page.url
    page.base = base
    return context, page


def test_a_second_user_cannot_open_the_first_users_patient(browser, clinic_server):
    errors: list[str] = []
    alice_context, alice = logged_in(browser, clinic_server, "alice", "alice-password-1", errors)
    alice.fill("#patient-form input[name=name]", PATIENT)
    alice.click("#patient-form button[type=submit]")
    assert alice.url == f"{alice.base}/journal"
    assert alice.text_content("#patient-name") == PATIENT
    alice.select_option("#kind", "symptom")
    alice.select_option("select[name=symptom]", "itching")
    alice.fill("#entry-form input[name=note]", NOTE)
    alice.click("button:text('Log it')")
    assert "Logged symptom" in alice.text_content("#logged")
    alice.goto(f"{alice.base}/patients")
    patient_url = alice.get_attribute("#patients a[data-patient]", "href")
    patient_id = patient_url.rsplit("/", 1)[1]

    bob_context, bob = logged_in(browser, clinic_server, "bob", "bob-password-22", errors)
    assert bob.locator("#patients a[data-patient]").count() == 0
    answer = bob.goto(f"{bob.base}{patient_url}")
    assert answer.status == 404
    assert PATIENT not in bob.content() and NOTE not in bob.content()
    for path in (
        f"/api/v1/patients/{patient_id}",
        f"/api/v1/patients/{patient_id}/journal/entries",
    ):
        api = bob_context.request.get(f"{bob.base}{path}")
        assert api.status == 404 and PATIENT not in api.text() and NOTE not in api.text()
    # bob's journal page has no patient open: he is sent to his own (empty) list
    bob.goto(f"{bob.base}/journal")
    assert bob.url == f"{bob.base}/patients"
    # alice still reads her patient's entry
    entries = alice_context.request.get(
        f"{alice.base}/api/v1/patients/{patient_id}/journal/entries"
    )
    assert entries.status == 200 and entries.json()["entries"][0]["note"] == NOTE
    alice_context.close()
    bob_context.close()
    assert not errors, errors
