"""Helpers shared by the command-line front ends: one-line errors, JSON output, progress.

Every command follows the same contract: bad input -> one line on stderr naming the
field, the value and what is allowed, exit code 2, nothing half-written.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from follicle.errors import FollicleFileError, FollicleInputError
from follicle.jsonable import to_jsonable

EXIT_BAD_INPUT = 2
console = Console()
error_console = Console(stderr=True)


def fail(message: str, *, code: int = EXIT_BAD_INPUT) -> None:
    """Print one line to stderr and exit."""
    text = " ".join(str(message).split())
    print(f"follicle: error: {text}", file=sys.stderr)
    raise typer.Exit(code)


def handles_bad_input(function: Callable) -> Callable:
    """Turn input errors raised by library code into a one-line message and exit code 2."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (FollicleInputError, FollicleFileError) as error:
            fail(str(error))
        except FileNotFoundError as error:
            fail(f"{error.filename}: file not found")

    return wrapper


@contextmanager
def option_names(names: dict[str, str]) -> Iterator[None]:
    """Say the command-line option where a library verb names its keyword: an input error
    on field ``kind`` becomes one on ``--kind`` (``names``: keyword -> option)."""
    try:
        yield
    except FollicleInputError as error:
        if error.field in names and error.source is None and error.allowed:
            raise FollicleInputError(names[error.field], error.value, error.allowed) from None
        raise


def dumps_json(payload: Any) -> str:
    """JSON text with NaN/inf as null and numpy scalars as plain numbers."""
    return json.dumps(to_jsonable(payload), indent=2, ensure_ascii=False)


def print_json(payload: Any) -> None:
    sys.stdout.write(dumps_json(payload) + "\n")


@contextmanager
def atomic_output(path: str | Path, *, mode: str = "w") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only on success.

    So a failed command leaves nothing half-written. Only a regular file or a new path is
    accepted: a device, a directory or a fifo is refused with one line (exit code 2).
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        # a device (/dev/full), a directory or a fifo would be replaced by a regular file
        kind = "a directory" if path.is_dir() else "not a regular file"
        fail(f"output {str(path)!r} is {kind}; expected a regular file or a new path")
    if path.parent and not path.parent.exists():
        fail(f"output directory {str(path.parent)!r} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        fail(f"output {str(path)!r} cannot be written ({error.strerror or error})")
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        try:
            os.replace(temporary_path, path)
        except OSError as error:
            fail(f"output {str(path)!r} cannot be written ({error.strerror or error})")
    finally:
        if temporary_path.exists():
            temporary_path.unlink()
