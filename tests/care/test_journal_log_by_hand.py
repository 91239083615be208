"""``Journal.log`` and what it stores, written out by hand: the moment (``now``, local
text in the entry's zone, an aware time; to the second; at most 10 minutes ahead of the
clock, ``FUTURE_TOLERANCE``), the zone (the computer's by default, ``$TZ``), the note
(at most 2000 characters), the device a session's first use registers (every field),
a device name already in use, and the ``Logged`` result. Each refusal is checked word
for word and with nothing written."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from care_helpers import regimen

from follicle.care.journal import Journal
from follicle.errors import FollicleInputError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SESSION = {"device": "roller-1", "needle_mm": 1.5, "duration_minutes": 12}


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def journal(path):
    with Journal.open(path) as opened:
        yield opened


def stored_entries(path) -> int:
    with sqlite3.connect(path) as fresh:
        (count,) = fresh.execute("SELECT count(*) FROM entries").fetchone()
    fresh.close()
    return count


def refused(call) -> str:
    with pytest.raises(FollicleInputError) as error:
        call()
    return str(error.value)


@pytest.mark.parametrize("at", [None, "now", " Now ", "NOW"])
def test_now_in_any_spelling_is_the_clock_to_the_second(journal, at):
    now = NOW + timedelta(microseconds=700_000)
    entry = journal.log("symptom", {"symptom": "itching"}, at=at, tz="UTC", now=now).entry
    assert (entry.at, entry.recorded) == (NOW, now)


def test_without_now_the_entry_is_at_the_current_second(journal):
    before = datetime.now(UTC).replace(microsecond=0)
    entry = journal.log("symptom", {"symptom": "itching"}, tz="UTC").entry
    after = datetime.now(UTC)
    assert before <= entry.at <= after and entry.at.microsecond == 0
    assert entry.at.utcoffset() == timedelta(0)
    assert before <= entry.recorded <= after


@pytest.mark.parametrize(
    "text, tz, utc",
    [
        ("2026-03-03T08:00", "Europe/London", datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),
        ("2026-05-03T08:00", "Europe/London", datetime(2026, 5, 3, 7, 0, tzinfo=UTC)),
        ("2026-03-03T08:00:59", "America/New_York", datetime(2026, 3, 3, 13, 0, 59, tzinfo=UTC)),
    ],
)
def test_local_text_is_read_in_the_entry_zone(journal, text, tz, utc):
    entry = journal.log("symptom", {"symptom": "itching"}, at=text, tz=tz, now=NOW).entry
    assert (entry.at, entry.tz) == (utc, tz)
    assert journal.find(entry.uid).at == utc


def test_an_aware_time_is_stored_in_utc_to_the_second(journal):
    at = datetime(2026, 5, 30, 23, 15, 42, 999_999, tzinfo=timezone(timedelta(hours=-7)))
    entry = journal.log("symptom", {"symptom": "itching"}, at=at, tz="UTC", now=NOW).entry
    assert entry.at == datetime(2026, 5, 31, 6, 15, 42, tzinfo=UTC)
    assert entry.at.utcoffset() == timedelta(0)
    assert journal.find(entry.uid).at == entry.at


def test_a_naive_time_is_refused(journal, path):
    message = refused(
        lambda: journal.log(
            "symptom", {"symptom": "itching"}, at=datetime(2026, 5, 1, 8), tz="UTC", now=NOW
        )
    )
    assert message == (
        "at = '2026-05-01T08:00:00' is not allowed; expected a time with a zone (aware)"
    )
    assert stored_entries(path) == 0


def test_up_to_ten_minutes_ahead_of_the_clock(journal, path):
    edge = NOW + timedelta(minutes=10)
    assert journal.log("symptom", {"symptom": "itching"}, at=edge, tz="UTC", now=NOW).entry.at == (
        edge
    )
    # a fraction of a second past the edge is the same second
    late = edge + timedelta(microseconds=999_999)
    assert journal.log("symptom", {"symptom": "redness"}, at=late, tz="UTC", now=NOW).entry.at == (
        edge
    )
    too_late = edge + timedelta(seconds=1)
    message = refused(
        lambda: journal.log("symptom", {"symptom": "itching"}, at=too_late, tz="UTC", now=NOW)
    )
    assert message == (
        "at = '2026-06-01T12:10:01+00:00' is not allowed; expected a time not in the future "
        "(now is 2026-06-01T12:00Z)"
    )
    # the clock may be given in any zone
    local_now = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    message = refused(
        lambda: journal.log("symptom", {"symptom": "itching"}, at=too_late, tz="UTC", now=local_now)
    )
    assert message.endswith("(now is 2026-06-01T12:00Z)")
    assert stored_entries(path) == 2


def test_the_zone_defaults_to_this_computer_and_a_bad_zone_is_refused(journal, path, monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Honolulu")
    entry = journal.log("symptom", {"symptom": "itching"}, at="2026-05-01T08:00", now=NOW).entry
    assert entry.tz == "Pacific/Honolulu"
    assert entry.at == datetime(2026, 5, 1, 18, 0, tzinfo=UTC)  # HST is UTC-10
    message = refused(
        lambda: journal.log("symptom", {"symptom": "itching"}, tz="Mars/Olympus", now=NOW)
    )
    assert message.startswith("tz = 'Mars/Olympus' is not allowed; expected ")
    assert stored_entries(path) == 1


def test_a_note_of_at_most_2000_characters(journal, path):
    kept = journal.log("symptom", {"symptom": "itching"}, tz="UTC", now=NOW, note="n" * 2000)
    assert journal.find(kept.entry.uid).note == "n" * 2000
    message = refused(
        lambda: journal.log(
            "symptom", {"symptom": "itching"}, tz="UTC", now=NOW, note="abcdefghij" * 200 + "k"
        )
    )
    assert message == (
        "note = 'abcdefghijabcdefghij...' is not allowed; expected at most 2000 characters"
    )
    assert stored_entries(path) == 1


def test_a_first_session_registers_its_device(journal):
    at = datetime(2026, 5, 20, 7, 30, tzinfo=UTC)
    logged = journal.log("session", SESSION, at=at, tz="Europe/Paris", now=NOW, note="first")
    device, session = logged.entries
    assert logged.entry == session
    assert device.to_dict() | {"uid": None} == {
        "id": 1,
        "uid": None,
        "kind": "device",
        "at_utc": "2026-05-20T07:30:00Z",
        "tz": "Europe/Paris",
        "recorded_utc": "2026-06-01T12:00:00Z",
        "note": "registered by its first session",
        "details": {"name": "roller-1", "device_type": "roller", "needle_mm": 1.5},
        "flags": [],
    }
    assert (session.id, session.kind, session.note, session.at) == (2, "session", "first", at)
    assert len(device.uid) == len(session.uid) == 32 and device.uid != session.uid
    # stored as returned
    assert journal.find(device.uid) == device
    assert journal.find(session.uid).details == session.details
    # the provenance of the write
    assert logged.provenance["verb"] == "journal.log"
    assert logged.provenance["journal"] == str(journal.store.path)
    # the next session of the same device registers nothing
    again = journal.log("session", SESSION, at=at + timedelta(days=7), tz="UTC", now=NOW)
    assert [e.kind for e in again.entries] == ["session"]
    assert [e.kind for e in journal.entries()] == ["device", "session", "session"]


def test_a_session_on_a_device_logged_before_registers_nothing(journal):
    pen = {"name": "pen-a", "device_type": "pen"}
    journal.log("device", pen, at=datetime(2026, 5, 1, tzinfo=UTC), tz="UTC", now=NOW)
    session = {"device": "pen-a", "needle_mm": 0.5, "duration_minutes": 12}
    logged = journal.log("session", session, at=datetime(2026, 5, 2, tzinfo=UTC), tz="UTC", now=NOW)
    assert [e.kind for e in logged.entries] == ["session"]
    # a pen's needle length is set per session: another length is no contradiction
    other = {**session, "needle_mm": 1.0}
    logged = journal.log("session", other, at=datetime(2026, 5, 9, tzinfo=UTC), tz="UTC", now=NOW)
    assert [e.kind for e in logged.entries] == ["session"]
    assert [e.kind for e in journal.entries()] == ["device", "session", "session"]


def test_a_device_name_in_use_is_refused(journal, path):
    journal.log("session", SESSION, at=datetime(2026, 5, 1, tzinfo=UTC), tz="UTC", now=NOW)
    before = stored_entries(path)
    message = refused(lambda: journal.log("device", {"name": "roller-1"}, tz="UTC", now=NOW))
    assert message == (
        "name = 'roller-1' is not allowed; expected a name not used by another device (log "
        "a new device with a new name, e.g. 'roller-2')"
    )
    assert stored_entries(path) == before == 2
    journal.log("device", {"name": "roller-2"}, tz="UTC", now=NOW)
    assert stored_entries(path) == 3


def test_logged_flags_are_the_entry_flags(journal):
    journal.log("session", SESSION, at=datetime(2026, 5, 1, 8, tzinfo=UTC), tz="UTC", now=NOW)
    logged = journal.log(
        "application",
        {"medicine": "minoxidil"},
        at=datetime(2026, 5, 1, 10, tzinfo=UTC),
        tz="UTC",
        now=NOW,
    )
    assert [f.rule for f in logged.flags] == ["MN-7"]
    assert logged.flags == logged.entry.flags == journal.find(logged.entry.uid).flags


@pytest.fixture
def honolulu(monkeypatch):
    """The machine's own zone set to UTC-10: times must still be kept and shown in UTC."""
    monkeypatch.setenv("TZ", "Pacific/Honolulu")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_stay_in_utc_whatever_the_machine_zone(journal, path, honolulu):
    at = datetime(2026, 5, 30, 23, 15, 42, tzinfo=timezone(timedelta(hours=-7)))
    entry = journal.log("symptom", {"symptom": "itching"}, at=at, tz="UTC", now=NOW).entry
    assert entry.at == datetime(2026, 5, 31, 6, 15, 42, tzinfo=UTC)
    assert entry.at.utcoffset() == timedelta(0) and entry.recorded.utcoffset() == timedelta(0)
    assert entry.note == ""  # no note given: none stored
    too_late = NOW + timedelta(minutes=10, seconds=1)
    expected = (
        "at = '2026-06-01T12:10:01+00:00' is not allowed; expected a time not in the future "
        "(now is 2026-06-01T12:00Z)"
    )
    local_now = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    for now in (NOW, local_now):
        message = refused(
            lambda now=now: journal.log(
                "symptom", {"symptom": "itching"}, at=too_late, tz="UTC", now=now
            )
        )
        assert message == expected
        # an amendment moved into the future is refused with the same words
        message = refused(
            lambda now=now: journal.amend(entry.uid, reason="typo", at=too_late, tz="UTC", now=now)
        )
        assert message == expected
    assert stored_entries(path) == 1


def test_open_without_a_path_uses_the_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    default = tmp_path / "xdg" / "follicle" / "journal.sqlite3"
    with Journal.open() as journal:
        assert journal.store.path == str(default)
        journal.log("symptom", {"symptom": "itching"}, tz="UTC", now=NOW)
    assert default.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xdg"]


def test_stats_count_days_in_the_zone_asked_for(journal):
    """Finasteride at 08:00 in Auckland (UTC+13 in March) is 19:00 UTC the day before:
    counted in Auckland, 3 doses on 3 days of the plan; the provenance names the plan
    only when there is one."""
    plan = regimen({"kind": "finasteride", "dose_mg": 1.0, "times_of_day": ["08:00"]})
    for day in (1, 2, 3):
        journal.log(
            "application",
            {"medicine": "finasteride"},
            at=f"2026-03-0{day}T08:00",
            tz="Pacific/Auckland",
            now=NOW,
        )
    stats = journal.stats(regimen=plan, start="2026-03-01", until="2026-03-03",
                          tz="Pacific/Auckland")  # fmt: skip
    (finasteride,) = stats.to_dict()["treatments"]
    assert (finasteride["expected"], finasteride["taken"]) == (3, 3)
    assert [i["role"] for i in stats.provenance["inputs"]] == ["regimen"]
    assert journal.stats(until="2026-03-03", tz="Pacific/Auckland").provenance["inputs"] == []
