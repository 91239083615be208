"""Where the web app keeps its data, and its limits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

#: An upload larger than this is refused before it is stored (images, tables, TOML).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Pasted or uploaded regimen/person TOML: far more than any plan needs.
MAX_TOML_BYTES = 64 * 1024


def default_data_dir() -> Path:
    """``<user data dir>/follicle/web`` (e.g. ~/.local/share/follicle/web on Linux)."""
    return Path(platformdirs.user_data_dir("follicle", appauthor=False)) / "web"


@dataclass(frozen=True)
class WebConfig:
    """What one server needs: its data directory, the login token and the limits.

    ``secure_cookies``: the session cookie is ``Secure`` (browsers keep it over plain
    http only on loopback addresses, which is where ``follicle serve`` binds by default).
    ``allowed_hosts``: the ``Host`` names the server answers to.
    """

    data_dir: Path
    login_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    secure_cookies: bool = True
    #: Host headers answered (DNS rebinding: a page of another site that resolves its
    #: name to 127.0.0.1 is refused); ("*",) answers any, for --allow-remote.
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    #: Clinic mode: accounts with passwords, one record per patient (docs/web.md).
    clinic: bool = False
    #: A Dask scheduler address for trial and validate jobs (None: in this process).
    scheduler: str | None = None

    @property
    def sessions_path(self) -> Path:
        return self.data_dir / "sessions.sqlite3"

    @property
    def accounts_path(self) -> Path:
        return self.data_dir / "clinic.sqlite3"

    @property
    def jobs_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def visits_path(self) -> Path:
        return self.data_dir / "visits.sqlite3"

    def for_patient(self, patient_id: str) -> WebConfig:
        """The same server's settings over one patient's own directory (clinic mode);
        ``patient_id`` is a server-made id (32 hex digits), never a user's text."""
        from follicle.web.accounts import PATIENT_ID

        if not PATIENT_ID.match(patient_id):
            raise ValueError(f"not a patient id: {patient_id!r}")
        scoped = replace(self, data_dir=self.data_dir / "patients" / patient_id)
        scoped.data_dir.parent.mkdir(exist_ok=True, mode=0o700)
        scoped.prepare()
        return scoped

    @property
    def journal_path(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def prepare(self) -> None:
        """Create the data directories (private to the user)."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.uploads_dir.mkdir(exist_ok=True, mode=0o700)
