"""Loading TOML configuration files into pydantic models, with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from follicle.errors import FollicleFileError, FollicleInputError

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_text_file(path: str | Path) -> str:
    """A UTF-8 text file's content; a missing or unreadable file is a ``FollicleFileError``."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FollicleFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FollicleFileError(f"{path}: cannot read file ({error})") from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a ``FollicleFileError``."""
    text = read_text_file(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FollicleFileError(f"{path}: not valid TOML ({error})") from None


def validate(model: type[ModelT], data: Any, *, source: str | None = None) -> ModelT:
    """Validate ``data`` against ``model``; the first problem becomes a ``FollicleInputError``."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise input_error_from(error, source=source) from None


def input_error_from(error: ValidationError, *, source: str | None = None) -> FollicleInputError:
    """The first pydantic error, worded as field / value / what is allowed."""
    first = error.errors(include_url=False)[0]
    field = _field_path(first["loc"])
    kind = first["type"]
    value = first.get("input")
    message = first["msg"].removeprefix("Value error, ")
    if kind == "value_error" and " = " in message:
        # our own validators already name the field and value
        if field != "(file)":
            message = field + ("" if message.startswith("[") else ".") + message
        return FollicleInputError.from_message(message, source=source)
    if kind == "extra_forbidden":
        allowed = "no such key (unknown keys are errors; see the docs for the allowed keys)"
    elif kind == "missing":
        allowed = "a value (this key is required)"
        value = "<missing>"
    elif kind == "union_tag_invalid":
        ctx = first.get("ctx", {})
        allowed = f"one of {ctx.get('expected_tags', '?')}"
        value = ctx.get("tag", value)
    else:
        allowed = _plain(message)
    return FollicleInputError(field, value, allowed, source=source)


_TREATMENT_TAGS = {
    "finasteride",
    "dutasteride",
    "minoxidil",
    "microneedling",
    "prp",
    "laser",
    "transplant",
}


def _field_path(loc: tuple) -> str:
    """('treatment', 0, 'minoxidil', 'dose_mg') -> 'treatment[0].dose_mg'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in _TREATMENT_TAGS and text.endswith("]"):
            continue  # the discriminator tag pydantic inserts
        else:
            text += f".{part}" if text else str(part)
    return text or "(file)"


def _plain(message: str) -> str:
    """Pydantic's wording -> the project's ('a number <= 15')."""
    replacements = (
        ("Input should be less than or equal to", "a number <="),
        ("Input should be greater than or equal to", "a number >="),
        ("Input should be less than", "a number <"),
        ("Input should be greater than", "a number >"),
        ("Input should be a valid number, unable to parse string as a number", "a number"),
        ("Input should be a valid integer", "a whole number"),
        ("Input should be a valid number", "a number"),
        ("Input should be", ""),
    )
    for old, new in replacements:
        if message.startswith(old):
            return (new + message[len(old) :]).strip()
    return message


def parse_toml_text(text: str, *, source: str) -> dict[str, Any]:
    """TOML given as text (pasted or uploaded, not read from a path) as a dict; invalid
    TOML is a ``FollicleFileError`` naming ``source`` (e.g. "regimen")."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FollicleFileError(f"{source}: not valid TOML ({error})") from None
