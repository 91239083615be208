"""Flags are a function of the journal's entries: recomputed for every entry after each write.

An entry's flags are what the rules (:mod:`follicle.care.rules.journal_rules`) say about it
given every other entry that is not voided, before and after it in time. So a back-dated
session flags the minoxidil already logged after it, a voided session stops flagging it,
and a journal rebuilt from its export (``journal import``) has exactly the same flags as
the original. Voided entries have no flags.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from follicle.care.findings import Finding, sort_findings
from follicle.care.journal.entries import Entry
from follicle.care.rules.journal_rules import entry_findings


class MemoryView:
    """The read side of a journal view over a list of entries, minus one (``exclude``)."""

    def __init__(self, entries: Iterable[Entry]):
        self._by_kind: dict[str, list[Entry]] = defaultdict(list)
        for entry in sorted(entries, key=lambda e: (e.at, e.id or 0)):
            self._by_kind[entry.kind].append(entry)
        self._times = {kind: [e.at for e in items] for kind, items in self._by_kind.items()}
        self.exclude: str | None = None

    def entries(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Entry]:
        found = []
        for kind in kinds if kinds is not None else list(self._by_kind):
            items, times = self._by_kind.get(kind, []), self._times.get(kind, [])
            low = bisect.bisect_left(times, since) if since is not None else 0
            high = bisect.bisect_right(times, until) if until is not None else len(items)
            found.extend(e for e in items[low:high] if e.uid != self.exclude)
        found.sort(key=lambda e: (e.at, e.id or 0), reverse=newest_first)
        return found[:limit] if limit is not None else found

    def device(self, name: str) -> Entry | None:
        return next((e for e in self._by_kind.get("device", []) if e.details.name == name), None)


def flags_for(entry: Entry, view: MemoryView) -> tuple[Finding, ...]:
    view.exclude = entry.uid
    try:
        device = view.device(entry.details.device) if entry.kind == "session" else None
        return tuple(sort_findings(entry_findings(entry, view, device=device)))
    finally:
        view.exclude = None


def refresh_flags(view) -> dict[str, tuple[Finding, ...]]:
    """Recompute every entry's flags inside a write transaction on ``view``; store the ones
    that changed. Returns the flags by uid of the entries that are not voided."""
    effective = view.entries()
    memory = MemoryView(effective)
    fresh = {}
    for entry in effective:
        flags = flags_for(entry, memory)
        fresh[entry.uid] = flags
        if flags != entry.flags:
            view.replace_flags(entry.id, flags)
    for void in view.voids():
        entry = view.by_uid(void.target_uid)
        if entry is not None and entry.flags:
            view.replace_flags(entry.id, ())
    return fresh
