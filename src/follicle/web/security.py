"""Login, sessions, CSRF tokens and security headers.

Local-first, as Jupyter: ``follicle serve`` prints a URL with a random login token. Opening
it trades the token for a session cookie (``HttpOnly``, ``Secure``, ``SameSite=Strict``)
and redirects to a URL without the token. Scripts may instead send the token as
``Authorization: Bearer <token>`` to the API. Every form carries a CSRF token tied to the
session; API calls authenticated by the cookie send it as ``X-CSRF-Token``.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SESSION_COOKIE = "follicle_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: A session lasts this long after login (seconds); then the login URL is needed again.
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 1000

#: No inline script or style, nothing from another origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@dataclass(frozen=True)
class Session:
    csrf_token: str
    expires: float  # wall-clock seconds (sessions outlive a restart)
    #: Clinic mode: the logged-in account and the patient opened (None in local mode).
    user_id: int | None = None
    patient_id: str | None = None


class Sessions:
    """Sessions kept in SQLite (``sessions.sqlite3`` in the data directory), so a restart
    of the server does not log everyone out. Only a hash of each session id is stored: a
    copy of the file does not give anyone a cookie."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL,"
            " expires REAL NOT NULL, user_id INTEGER, patient_id TEXT)"
        )

    @staticmethod
    def _key(session_id: str) -> str:
        return hashlib.sha256(session_id.encode()).hexdigest()

    def create(self, *, user_id: int | None = None) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
            (count,) = self._db.execute("SELECT count(*) FROM sessions").fetchone()
            if count >= MAX_SESSIONS:  # drop the oldest
                self._db.execute(
                    "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions "
                    "ORDER BY expires LIMIT ?)",
                    (count - MAX_SESSIONS + 1,),
                )
            self._db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, NULL)",
                (self._key(session_id), secrets.token_urlsafe(32), now + SESSION_SECONDS, user_id),
            )
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        if not session_id or len(session_id) > 100:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT csrf, expires, user_id, patient_id FROM sessions WHERE id_hash = ?",
                (self._key(session_id),),
            ).fetchone()
        if row is None or row[1] <= time.time():
            return None
        return Session(csrf_token=row[0], expires=row[1], user_id=row[2], patient_id=row[3])

    def open_patient(self, session_id: str, patient_id: str | None) -> None:
        """The patient this session works on (clinic mode; checked by the caller)."""
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET patient_id = ? WHERE id_hash = ?",
                (patient_id, self._key(session_id)),
            )

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM sessions WHERE id_hash = ?", (self._key(session_id or ""),)
            )

    def end_user(self, user_id: int, *, keep: str | None = None) -> int:
        """End every session of the account (clinic mode) but ``keep``'s: after its
        password changed, or when it is removed. Returns how many ended."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND id_hash != ?",
                (user_id, self._key(keep) if keep else ""),
            )
        return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (a missing value never matches)."""
    return bool(given) and secrets.compare_digest(given.encode(), expected.encode())
