"""Login, sessions, CSRF tokens and security headers.

Local-first, as Jupyter: ``follicle serve`` prints a URL with a random login token. Opening
it trades the token for a session cookie (``HttpOnly``, ``Secure``, ``SameSite=Strict``)
and redirects to a URL without the token. Scripts may instead send the token as
``Authorization: Bearer <token>`` to the API. Every form carries a CSRF token tied to the
session; API calls authenticated by the cookie send it as ``X-CSRF-Token``.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

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
    expires: float


class Sessions:
    """Sessions in memory: a restart of the server logs everyone out (by design)."""

    def __init__(self):
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self) -> str:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._by_id = {k: s for k, s in self._by_id.items() if s.expires > now}
            if len(self._by_id) >= MAX_SESSIONS:  # drop the oldest
                oldest = min(self._by_id, key=lambda k: self._by_id[k].expires)
                del self._by_id[oldest]
            self._by_id[session_id] = Session(
                csrf_token=secrets.token_urlsafe(32), expires=now + SESSION_SECONDS
            )
        return session_id

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._by_id.get(session_id)
        if session is None or session.expires <= time.monotonic():
            return None
        return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._by_id.pop(session_id or "", None)


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (a missing value never matches)."""
    return bool(given) and secrets.compare_digest(given.encode(), expected.encode())
