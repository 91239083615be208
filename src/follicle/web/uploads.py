"""Uploaded files: checked by their first bytes, stored under generated names.

A user's file name never reaches the file system: a file is stored as
``<32 hex digits><suffix>`` where the suffix follows the sniffed content, and files are
served back only by a name that matches that pattern.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from follicle.errors import FollicleInputError

#: Magic bytes of the image formats the analyser reads.
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"II*\x00": ".tif",
    b"MM\x00*": ".tif",
}
PARQUET_MAGIC = b"PAR1"
STORED_NAME = re.compile(r"^[0-9a-f]{32}(\.overlay)?\.(png|jpg|tif|csv|json|parquet)$")


def sniff_image(data: bytes) -> str:
    """The suffix for image bytes (PNG, JPEG, TIFF), judged by content, not by name."""
    for magic, suffix in IMAGE_MAGIC.items():
        if data.startswith(magic):
            return suffix
    raise FollicleInputError("image", "content of another kind", "a PNG, JPEG or TIFF image")


def sniff_table(data: bytes) -> str:
    """The suffix for a hairs table: Parquet by its magic, JSON when it parses as JSON,
    else CSV when it is UTF-8 text."""
    if data.startswith(PARQUET_MAGIC) and data.endswith(PARQUET_MAGIC):
        return ".parquet"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FollicleInputError(
            "hairs table", "binary content", "a CSV, JSON or Parquet hairs table"
        ) from None
    if text.lstrip().startswith(("[", "{")):
        try:
            json.loads(text)
            return ".json"
        except ValueError:
            pass
    if "\x00" in text:
        raise FollicleInputError("hairs table", "binary content", "a CSV, JSON or Parquet table")
    return ".csv"


class UploadStore:
    """Files under one directory, named by the server."""

    def __init__(self, directory: Path):
        self.directory = directory

    def save(self, data: bytes, suffix: str) -> str:
        name = f"{uuid.uuid4().hex}{suffix}"
        if not STORED_NAME.match(name):
            raise FollicleInputError("suffix", suffix, "a known file type")
        path = self.directory / name
        with open(path, "xb") as handle:  # never overwrites
            handle.write(data)
        return name

    def path(self, name: str) -> Path:
        """The stored file called ``name``; only server-made names are accepted."""
        if not STORED_NAME.match(name):
            raise FollicleInputError("file", name, "the name of a file this server stored")
        path = self.directory / name
        if not path.is_file():
            raise FollicleInputError("file", name, "the name of a file this server stored")
        return path
