"""Clinic mode's accounts and patients (``follicle serve --clinic``), in SQLite.

Passwords are kept as argon2id hashes (argon2-cffi). Each patient belongs to the account
that created it, and every lookup of a patient names its owner in the query itself
(``WHERE id = ? AND owner_id = ?``): a patient of another account is simply not found,
whichever page or API route asks. A patient's data (journal, plan, visits, uploads) lives
in its own directory, ``patients/<32 hex digits>``, named by the server.

An account is removed from the command line (``follicle serve --clinic --remove-user``),
never with its patients: it is refused while the account has any, unless they are
transferred to another account (their records move whole; nothing clinical is deleted).
Each removal is recorded (``removed_users``: when, and to whom its patients went), and an
account's id is never given again, so a new account never inherits anything of a removed
one (sessions, jobs).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from follicle.errors import FollicleInputError

USER_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
PATIENT_ID = re.compile(r"^[0-9a-f]{32}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_PATIENT_NAME = 200


@dataclass(frozen=True)
class Patient:
    id: str
    name: str
    created: float

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "created": self.created}


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise FollicleInputError(
            "password", f"{len(password)} characters", f"{MIN_PASSWORD} to {MAX_PASSWORD}"
        )
    return password


class Accounts:
    """Users and their patients, in ``clinic.sqlite3`` under the data directory."""

    def __init__(self, path: Path):
        from argon2 import PasswordHasher

        self._hasher = PasswordHasher()
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS users (
                id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL, created REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS patients (
                id TEXT PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id),
                name TEXT NOT NULL, created REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS patients_by_owner ON patients(owner_id);
            CREATE TABLE IF NOT EXISTS removed_users (
                id INTEGER PRIMARY KEY, name TEXT NOT NULL, removed REAL NOT NULL,
                patients_moved INTEGER NOT NULL, moved_to INTEGER);
            """
        )
        # A hash to verify against when the name is unknown: the answer takes as long
        # as for a wrong password (no user-name probing by timing).
        self._dummy_hash = self._hasher.hash("not a password of anyone")

    def create_user(self, name: str, password: str) -> int:
        if not USER_NAME.match(name):
            raise FollicleInputError(
                "user name", name, "1-64 letters, digits or . _ @ - (no spaces)"
            )
        password_hash = self._hasher.hash(check_password(password))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # another process cannot take the same id
            try:
                # a new id above every id ever given (removed accounts' too): never reused
                (user_id,) = self._db.execute(
                    "SELECT 1 + max(coalesce((SELECT max(id) FROM users), 0), "
                    "coalesce((SELECT max(id) FROM removed_users), 0))"
                ).fetchone()
                self._db.execute(
                    "INSERT INTO users (id, name, password_hash, created) VALUES (?, ?, ?, ?)",
                    (user_id, name, password_hash, time.time()),
                )
                self._db.execute("COMMIT")
            except BaseException as error:
                self._db.execute("ROLLBACK")
                if isinstance(error, sqlite3.IntegrityError):
                    raise FollicleInputError("user name", name, "a name not yet taken") from None
                raise
        return int(user_id)

    def change_password(self, user_id: int, old_password: str, new_password: str) -> bool:
        """Set a new password when ``old_password`` is the account's current one; False
        (nothing changed) when it is not."""
        from argon2.exceptions import InvalidHashError, VerificationError

        check_password(new_password)
        with self._lock:
            row = self._db.execute(
                "SELECT password_hash FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        try:
            self._hasher.verify(row[0] if row else self._dummy_hash, old_password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return False
        if row is None:
            return False
        new_hash = self._hasher.hash(new_password)
        with self._lock:
            self._db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                (new_hash, user_id, row[0]),
            )
        return True

    def user_id(self, name: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else None

    def patient_counts(self) -> dict[str, int]:
        """Each account's name and how many patients it has, oldest account first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT u.name, count(p.id) FROM users u LEFT JOIN patients p "
                "ON p.owner_id = u.id GROUP BY u.id ORDER BY u.id"
            ).fetchall()
        return dict(rows)

    def remove_user(self, name: str, *, transfer_to: str | None = None) -> tuple[int, int]:
        """Remove the account ``name``; returns (its id, patients moved). Refused while
        it has patients, unless ``transfer_to`` names another account, which then owns
        them (their records stay whole: the directories are named by patient, not
        owner). The caller ends the account's sessions."""
        # one transaction: a server adding a patient meanwhile cannot slip between the
        # count and the removal
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                user_id, owned, target = self._removal(name, transfer_to)
                if owned:
                    self._db.execute(
                        "UPDATE patients SET owner_id = ? WHERE owner_id = ?", (target, user_id)
                    )
                self._db.execute(
                    "INSERT INTO removed_users VALUES (?, ?, ?, ?, ?)",
                    (user_id, name, time.time(), owned, target),
                )
                self._db.execute("DELETE FROM users WHERE id = ?", (user_id,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return user_id, int(owned)

    def _removal(self, name: str, transfer_to: str | None) -> tuple[int, int, int | None]:
        """(the account's id, its patients, the account taking them) or refused."""
        row = self._db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise FollicleInputError("user name", name, "an existing account")
        user_id, target = int(row[0]), None
        if transfer_to is not None:
            found = self._db.execute(
                "SELECT id FROM users WHERE name = ?", (transfer_to,)
            ).fetchone()
            if found is None or int(found[0]) == user_id:
                raise FollicleInputError(
                    "transfer to", transfer_to, f"another existing account than {name!r}"
                )
            target = int(found[0])
        (owned,) = self._db.execute(
            "SELECT count(*) FROM patients WHERE owner_id = ?", (user_id,)
        ).fetchone()
        if owned and target is None:
            raise FollicleInputError(
                "user name",
                name,
                f"an account without patients (it has {owned}; move them to another account "
                "with --transfer-patients-to NAME: patient records are never deleted)",
            )
        return user_id, int(owned), target

    def users(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT name FROM users ORDER BY id")]

    def verify(self, name: str, password: str) -> int | None:
        """The user's id when the password is right, else None."""
        from argon2.exceptions import InvalidHashError, VerificationError

        with self._lock:
            row = self._db.execute(
                "SELECT id, password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()
        try:
            self._hasher.verify(row[1] if row else self._dummy_hash, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        return int(row[0]) if row else None

    def user_name(self, user_id: int) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def add_patient(self, owner_id: int, name: str) -> Patient:
        name = " ".join(name.split())
        if not 1 <= len(name) <= MAX_PATIENT_NAME:
            raise FollicleInputError(
                "patient name", name[:20] or "<empty>", f"1 to {MAX_PATIENT_NAME} characters"
            )
        patient = Patient(id=uuid.uuid4().hex, name=name, created=time.time())
        with self._lock:
            self._db.execute(
                "INSERT INTO patients (id, owner_id, name, created) VALUES (?, ?, ?, ?)",
                (patient.id, owner_id, patient.name, patient.created),
            )
        return patient

    def patients(self, owner_id: int) -> list[Patient]:
        """The owner's patients, newest first; nobody else's."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, name, created FROM patients WHERE owner_id = ? ORDER BY created DESC",
                (owner_id,),
            ).fetchall()
        return [Patient(*row) for row in rows]

    def patient(self, owner_id: int, patient_id: str) -> Patient | None:
        """The patient when it belongs to ``owner_id``; None otherwise (also when it
        exists but is another account's: the caller cannot tell the difference)."""
        if not PATIENT_ID.match(patient_id or ""):
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, created FROM patients WHERE id = ? AND owner_id = ?",
                (patient_id, owner_id),
            ).fetchone()
        return Patient(*row) if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()
