"""Every JSON payload of the web API carries the provenance envelope and validates against
the schema of the CLI output it mirrors, the journal's empty case (no file yet) included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

from follicle.provenance import ENVELOPE_FIELDS  # noqa: E402
from follicle.schemas import names, schema  # noqa: E402


def _valid(name: str, data: dict) -> list[str]:
    registry = referencing.Registry().with_resources(
        (s["$id"], referencing.Resource.from_contents(s)) for s in map(schema, names())
    )
    validator = jsonschema.Draft202012Validator(schema(name), registry=registry)
    return [f"{list(e.path)}: {e.message[:200]}" for e in validator.iter_errors(data)]


def _envelope(data: dict, verb: str) -> None:
    assert next(iter(data)) == "provenance"
    assert list(data["provenance"])[: len(ENVELOPE_FIELDS)] == list(ENVELOPE_FIELDS)
    assert data["provenance"]["verb"] == verb


def test_an_empty_journal_is_shown_with_provenance_and_not_created(web):
    shown = web.http.get("/api/v1/journal/entries?limit=5", headers=web.bearer)
    assert shown.status_code == 200, shown.text
    assert shown.json()["entries"] == []
    assert not _valid("journal-show", shown.json())
    _envelope(shown.json(), "journal.show")
    assert shown.json()["provenance"]["parameters"]["limit"] == 5
    stats = web.http.get("/api/v1/journal/stats?tz=UTC", headers=web.bearer)
    assert stats.status_code == 200, stats.text
    assert not _valid("journal-stats", stats.json())
    _envelope(stats.json(), "journal.stats")
    assert not web.config.journal_path.exists()  # reading never creates the journal


def test_void_and_stats_of_a_journal_carry_provenance(web):
    at = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    logged = web.http.post(
        "/api/v1/journal/entries",
        headers=web.bearer,
        json={"kind": "application", "details": {"medicine": "minoxidil"}, "at": at},
    )
    assert logged.status_code == 200, logged.text
    entry = logged.json()["entry"]["id"]
    voided = web.http.post(
        f"/api/v1/journal/entries/{entry}/void", headers=web.bearer, json={"reason": "twice"}
    )
    assert voided.status_code == 200, voided.text
    assert not _valid("journal-void", voided.json())
    _envelope(voided.json(), "journal.void")
    stats = web.http.get("/api/v1/journal/stats?tz=UTC", headers=web.bearer).json()
    assert not _valid("journal-stats", stats)
    _envelope(stats, "journal.stats")
