"""Saved visits (the Measure page's visit history), behind a small store protocol so that
a server database can follow; SQLite (``visits.sqlite3`` in the data directory, or in the
patient's directory in clinic mode) is the embedded default.

A visit keeps what is needed to measure it again and compare it with another: the stored
images' server-made names, the scale, region and date, plus its metrics for the list.
The images themselves stay in ``uploads/``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class SavedVisit:
    id: str  # 32 hex digits, made by the server
    created: float
    date: str  # YYYY-MM-DD
    label: str
    region: str
    um_per_px: float | None
    device: str | None
    images: tuple[str, ...]  # stored upload names
    overlays: tuple[str, ...]  # stored overlay names, one per image
    metrics: dict
    # Corrections by hand (stored image name -> ``ImageCorrections`` as data) and the
    # measuring circle's printed radius: both shape the measurement (visits saved
    # before they existed have neither).
    corrections: dict = field(default_factory=dict)
    circle_radius_mm: float | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["images"] = [f"/files/{name}" for name in self.images]
        out["overlays"] = [f"/files/{name}" for name in self.overlays]
        out["report"] = f"/visits/{self.id}/report"  # written when first asked for
        return out


class VisitStore(Protocol):
    """Where saved visits live (SQLite here; a server database could follow)."""

    def add(self, visit: SavedVisit) -> None: ...

    def get(self, visit_id: str) -> SavedVisit | None: ...

    def list(self, *, limit: int = 200) -> list[SavedVisit]: ...

    def close(self) -> None: ...


class SQLiteVisitStore:
    """Visits in one SQLite file; each visit one row."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS visits (id TEXT PRIMARY KEY, created REAL NOT NULL, "
            "date TEXT NOT NULL, data TEXT NOT NULL)"
        )

    def add(self, visit: SavedVisit) -> None:
        data = json.dumps(asdict(visit))
        with self._lock:
            self._db.execute(
                "INSERT INTO visits VALUES (?, ?, ?, ?)",
                (visit.id, visit.created, visit.date, data),
            )

    def get(self, visit_id: str) -> SavedVisit | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM visits WHERE id = ?", (visit_id,)).fetchone()
        return _visit(row[0]) if row else None

    def list(self, *, limit: int = 200) -> list[SavedVisit]:
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM visits ORDER BY date DESC, created DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_visit(row[0]) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _visit(text: str) -> SavedVisit:
    data = json.loads(text)
    data["images"], data["overlays"] = tuple(data["images"]), tuple(data["overlays"])
    return SavedVisit(**data)
