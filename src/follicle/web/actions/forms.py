"""Form and text fields -> values, and errors -> one line for the page."""

from __future__ import annotations

import math

from follicle.config_io import parse_toml_text
from follicle.errors import FollicleInputError
from follicle.web.config import MAX_TOML_BYTES, WebConfig


def number_field(fields: dict, name: str) -> float | None:
    """The number typed in field ``name`` (None when empty); text is a FollicleInputError."""
    text = (fields.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FollicleInputError(name, text, "a number") from None
    if not math.isfinite(value):
        raise FollicleInputError(name, text, "a finite number")
    return value


def text_field(fields: dict, name: str) -> str | None:
    text = (fields.get(name) or "").strip()
    return text or None


def toml_dict(text: str | None, source: str) -> dict:
    if text is None or not text.strip():
        raise FollicleInputError(source, "<empty>", f"the {source} as TOML text")
    if len(text.encode("utf-8")) > MAX_TOML_BYTES:
        raise FollicleInputError(source, "too long", f"at most {MAX_TOML_BYTES // 1024} KiB")
    return parse_toml_text(text, source=source)


def clean_message(error: Exception, config: WebConfig) -> str:
    """The error's one line, without the server's own paths (uploads are named by id)."""
    text = " ".join(str(error).split())
    return text.replace(str(config.uploads_dir) + "/", "upload ").replace(
        str(config.data_dir), "<data dir>"
    )
