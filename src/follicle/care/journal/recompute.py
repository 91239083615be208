"""Flags are a function of the journal's entries, recomputed after each write.

An entry's flags are what the rules (:mod:`follicle.care.rules.journal_rules`) say about it
given every other entry that is not voided, before and after it in time. So a back-dated
session flags the minoxidil already logged after it, a voided session stops flagging it,
and a journal rebuilt from its export (``journal import``) has exactly the same flags as
the original. Voided entries have no flags.

After an import every entry is recomputed. After logging, voiding or amending, only the
entries written or voided and those whose flags may read them (``flag_readers``) are, by
queries on the store: a write costs the same in a journal of ten entries or of ten
thousand, not a pass over all of them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from follicle.care.findings import Finding, sort_findings
from follicle.care.journal.entries import Entry
from follicle.care.rules.journal_rules import entry_findings, flag_readers


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


class _Without:
    """A store view without one entry (the rules see every entry but the one judged)."""

    def __init__(self, view, uid: str):
        self._view, self._uid = view, uid

    def entries(self, **query) -> list[Entry]:
        return [e for e in self._view.entries(**query) if e.uid != self._uid]

    def device(self, name: str) -> Entry | None:
        return self._view.device(name)


def refresh_flags_after(
    view, *, stored: Iterable[Entry] = (), voided: Iterable[Entry] = ()
) -> dict[str, tuple[Finding, ...]]:
    """Recompute, inside a write transaction on ``view``, the flags of the entries just
    ``stored`` and of every entry whose flags may read a ``stored`` or ``voided`` one;
    store the ones that changed, and clear the voided ones'. Returns the recomputed flags
    by uid."""
    stored, voided = list(stored), list(voided)
    targets: dict[str, Entry] = {}
    for entry in (*stored, *voided):
        for query in flag_readers(entry):
            device = query.pop("device", None)
            for reader in view.entries(**query):  # voided entries are not returned
                if device is None or reader.details.device == device:
                    targets[reader.uid] = reader
    for entry in stored:  # as stored now: with its id and flags
        targets[entry.uid] = view.by_uid(entry.uid)
    fresh = {}
    for entry in targets.values():
        device = view.device(entry.details.device) if entry.kind == "session" else None
        judged = entry_findings(entry, _Without(view, entry.uid), device=device)
        fresh[entry.uid] = flags = tuple(sort_findings(judged))
        if flags != entry.flags:
            view.replace_flags(entry.id, flags)
    for entry in voided:
        entry = view.by_uid(entry.uid)
        if entry is not None and entry.flags:
            view.replace_flags(entry.id, ())
    return fresh


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
