"""Errors raised on bad input. Each names the field, the bad value and what is allowed."""

from __future__ import annotations

from typing import Any


class FollicleInputError(ValueError):
    """Bad input from a user: a file, an option or an argument.

    The CLI prints ``str(error)`` on one line and exits with code 2.
    """

    def __init__(self, field: str, value: Any, allowed: str, *, source: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{field} = {value!r} is not allowed; expected {allowed}")

    @classmethod
    def from_message(cls, message: str, *, source: str | None = None) -> FollicleInputError:
        """An error whose full wording is already written (it names field and value)."""
        error = cls.__new__(cls)
        error.field, error.value, error.allowed, error.source = "", None, message, source
        where = f"{source}: " if source else ""
        ValueError.__init__(error, f"{where}{message}")
        return error


class FollicleFileError(ValueError):
    """A file that cannot be read or parsed at all (missing, not TOML, not a table)."""
