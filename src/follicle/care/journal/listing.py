"""The journal's entries as one payload (``follicle journal show --json``): each entry
with its flags and, for a voided or amended one, its void."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from follicle.care.journal.service import Journal


def journal_listing(
    journal: Journal,
    *,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    include_voided: bool = False,
) -> dict:
    """``{"db": path, "entries": [...]}``: the newest ``limit`` entries, oldest first."""
    entries = journal.entries(
        kinds=kinds,
        since=since,
        until=until,
        limit=limit,
        newest_first=True,
        include_voided=include_voided,
    )[::-1]
    voids = {v.target_uid: v for v in journal.voids()}
    rows = []
    for entry in entries:
        row = entry.to_dict()
        if entry.uid in voids:
            row["voided"] = voids[entry.uid].to_dict()
        rows.append(row)
    return {"db": str(journal.store.path), "entries": rows}
