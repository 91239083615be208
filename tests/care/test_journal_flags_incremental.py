"""A write recomputes only the flags that may change (``refresh_flags_after``), and they
are exactly those of a full recompute: random journals of sessions (back-dated, on
several devices), minoxidil and finasteride, symptoms, voids and amendments, compared
after every operation with every entry judged again against all the others. And the
work of one write does not grow with the journal (entries read and judged counted, not
timed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from follicle.care.journal import recompute
from follicle.care.journal.recompute import MemoryView, flags_for
from follicle.care.journal.service import Journal
from follicle.care.journal.store import _SQLiteView

START = datetime(2025, 1, 1, 8, tzinfo=UTC)
NOW = START + timedelta(days=400)
SYMPTOMS = (
    "itching", "redness", "oozing", "pus", "dizziness", "shedding",
    "sexual_side_effects", "excessive_bruising", "swelling",
)  # fmt: skip


def random_details(rng: random.Random) -> tuple[str, dict]:
    kind = rng.choice(["application", "application", "session", "symptom", "measurement"])
    if kind == "application":
        medicine = rng.choice(["minoxidil", "minoxidil", "finasteride"])
        route = "topical" if medicine == "minoxidil" and rng.random() < 0.8 else "oral"
        return kind, {"medicine": medicine, "route": route}
    if kind == "session":  # a roller's needles have one length
        device, needle_mm = rng.choice([("roller-1", 1.5), ("roller-2", 0.5), ("roller-3", 1.0)])
        duration = rng.choice([5, 12, 20, 120])
        return kind, {"device": device, "needle_mm": needle_mm, "duration_minutes": duration}
    if kind == "symptom":
        return kind, {"symptom": rng.choice(SYMPTOMS)}
    return kind, {"metrics": {"density_per_cm2": rng.uniform(120, 200)}}


def full_recompute(journal: Journal) -> dict[str, tuple]:
    """Every entry judged again against all the others (the definition of the flags)."""
    with journal.store.reading() as view:
        effective = view.entries()
        every = view.entries(include_voided=True)
    memory = MemoryView(effective)
    expected = {e.uid: () for e in every}
    expected |= {e.uid: flags_for(e, memory) for e in effective}
    return expected


def stored_flags(journal: Journal) -> dict[str, tuple]:
    with journal.store.reading() as view:
        return {e.uid: e.flags for e in view.entries(include_voided=True)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flags_after_each_write_equal_a_full_recompute(tmp_path, seed):
    rng = random.Random(seed)
    journal = Journal.open(tmp_path / "journal.sqlite3")
    uids: list[str] = []
    rules_seen: set[str] = set()
    for step in range(140):  # over 105 days: rollers get old enough for MN-8
        # mostly in time order, often back-dated by up to ten days, sometimes close
        # to an earlier entry (within the rules' hours and days)
        moment = START + timedelta(hours=18 * step + rng.choice([0, 0, -30, -240, -2]))
        roll = rng.random()
        if uids and roll < 0.08:
            target = uids.pop(rng.randrange(len(uids)))
            journal.void(target, reason="logged by mistake", now=NOW)
        elif uids and roll < 0.14:
            target = journal.find(uids.pop(rng.randrange(len(uids))))
            shift = timedelta(hours=rng.choice([-26, -3, 5, 30]))
            logged = journal.amend(
                target.uid, reason="wrong time", at=target.at + shift, tz="UTC", now=NOW
            )
            uids.extend(e.uid for e in logged.entries)
        else:
            kind, details = random_details(rng)
            logged = journal.log(kind, details, at=moment, tz="UTC", now=NOW)
            uids.extend(e.uid for e in logged.entries)
        stored = stored_flags(journal)
        assert stored == full_recompute(journal), f"step {step}"
        rules_seen |= {f.rule for flags in stored.values() for f in flags}
    # the journals exercised the rules that read other entries
    assert {"MN-4", "MN-7", "MN-8", "MN-11", "MN-12", "TL-2", "RX-7"} <= rules_seen, rules_seen


def test_one_write_reads_and_judges_as_much_in_a_long_journal_as_in_a_short_one(
    tmp_path, monkeypatch
):
    """Twice-daily minoxidil for n days, then a measurement, a symptom, a session and a
    minoxidil dose logged now: the entries judged and read for each are counted; they are
    the same after 40 days and after 360."""
    judged, read = [], []
    original_findings = recompute.entry_findings
    original_entries = _SQLiteView.entries

    def counting_findings(entry, view, **options):
        judged.append(entry.uid)
        return original_findings(entry, view, **options)

    def counting_entries(self, **query):
        found = original_entries(self, **query)
        read.append(len(found))
        return found

    def work_of_last_writes(days: int) -> list[tuple[int, int]]:
        journal = Journal.open(tmp_path / f"journal-{days}.sqlite3")
        dose = {"medicine": "minoxidil", "route": "topical"}
        for k in range(2 * days):
            journal.log("application", dose, at=START + timedelta(hours=12 * k), tz="UTC", now=NOW)
        last = START + timedelta(days=days)
        writes = [
            ("measurement", {"metrics": {"density_per_cm2": 150.0}}),
            ("symptom", {"symptom": "itching"}),
            ("session", {"device": "roller-1", "needle_mm": 0.5, "duration_minutes": 12}),
            ("application", dose),
        ]
        work = []
        monkeypatch.setattr(recompute, "entry_findings", counting_findings)
        monkeypatch.setattr(_SQLiteView, "entries", counting_entries)
        for hours, (kind, details) in enumerate(writes, start=1):
            judged.clear(), read.clear()
            journal.log(kind, details, at=last + timedelta(hours=hours), tz="UTC", now=NOW)
            work.append((len(judged), sum(read)))
        monkeypatch.undo()
        return work

    short, long = work_of_last_writes(40), work_of_last_writes(360)
    assert short == long, (short, long)
    assert max(j for j, _ in long) <= 3 and max(r for _, r in long) <= 10, long
