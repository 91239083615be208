"""Hand corrections of what the analyser found: hairs removed, added or split.

On real 70x images the analyser finds about 8 in 10 of the hairs a trichologist boxes
and reports some marks that are not hairs (docs/measure.md); hand-corrected counts are
about twice as accurate as automatic ones (trichoscopy.md, "Accuracy of existing tools":
~7% against ~12%). A corrections file says, per image (by file name):

- ``remove``: hair numbers (as the overlay prints them) that are not hairs;
- ``add``: hairs the analyser missed, each a line along the shaft (two or more points,
  in pixels ``points_px`` or micrometres ``points_um``, x then y); the diameter is
  measured on the image across that line as for any hair, unless ``diameter_um`` is
  given;
- ``split``: one found hair that is two (a line chained through a junction, two hairs
  end to end), cut at a point (``at_px`` or ``at_um``) on or beside its centre line;
  each part is measured again.

The image is then analysed again and the corrections replace what the analyser decided;
hairs not named keep their numbers, new hairs are numbered on from the highest.
Follicular units are grouped again over the corrected hairs. ``image_sha256`` and
``um_per_px``, when given, tie the corrections to the image and scale they were made
on: hair numbers mean nothing on another image or at another scale. Applying them:
``correcting``; the template and the web page's fields: ``correction_text``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from follicle.config_io import read_text_file, validate
from follicle.errors import FollicleFileError, FollicleInputError
from follicle.provenance import sha256_file as image_sha256

FORMAT = "follicle-corrections"
Point = tuple[float, float]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddedHair(_Strict):
    """A hair the analyser missed: a line along its shaft, in px or um (x, y)."""

    points_px: Annotated[list[Point], Field(min_length=2)] | None = None
    points_um: Annotated[list[Point], Field(min_length=2)] | None = None
    diameter_um: Annotated[float, Field(gt=0, le=500)] | None = None

    @model_validator(mode="after")
    def _one_unit(self):
        if (self.points_px is None) == (self.points_um is None):
            raise ValueError(
                "points = <both or neither> is not allowed; expected exactly one of points_px "
                "or points_um (two or more [x, y] points along the shaft)"
            )
        return self


class SplitHair(_Strict):
    """A found hair that is two: cut at a point on its centre line."""

    hair_id: Annotated[int, Field(ge=0)]
    at_px: Point | None = None
    at_um: Point | None = None

    @model_validator(mode="after")
    def _one_unit(self):
        if (self.at_px is None) == (self.at_um is None):
            raise ValueError(
                "at = <both or neither> is not allowed; expected exactly one of at_px or at_um "
                "(the [x, y] point where the hair is cut)"
            )
        return self


class ImageCorrections(_Strict):
    """The corrections of one image."""

    image_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    um_per_px: Annotated[float, Field(gt=0)] | None = None
    remove: list[Annotated[int, Field(ge=0)]] = []
    add: list[AddedHair] = []
    split: list[SplitHair] = []

    @model_validator(mode="after")
    def _split_not_removed(self):
        for k, s in enumerate(self.split):
            if s.hair_id in self.remove:
                raise ValueError(
                    f"split[{k}].hair_id = {s.hair_id} is not allowed; expected a hair not "
                    "also removed"
                )
        return self

    @property
    def empty(self) -> bool:
        return not (self.remove or self.add or self.split)

    def counts(self) -> dict[str, int]:
        return {"removed": len(set(self.remove)), "added": len(self.add), "split": len(self.split)}


class CorrectionsFile(_Strict):
    """A corrections file: ``format``, ``version`` and corrections per image file name."""

    format: Literal["follicle-corrections"] = FORMAT
    version: Literal[1] = 1
    images: dict[str, ImageCorrections]


def read_corrections(path: str | Path) -> CorrectionsFile:
    """A corrections file (``.toml`` or ``.json``), validated; errors name the field."""
    path = Path(path)
    return parse_corrections(read_text_file(path), suffix=path.suffix, source=str(path))


def parse_corrections(text: str, *, suffix: str, source: str) -> CorrectionsFile:
    """A corrections file's text, JSON or TOML by its file name's ``suffix``
    (``.json``, ``.toml``), validated; errors name ``source`` and the field."""
    if suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FollicleFileError(f"{source}: not valid JSON ({error})") from None
    elif suffix.lower() == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise FollicleFileError(f"{source}: not valid TOML ({error})") from None
    else:
        raise FollicleInputError("corrections", source, "a .toml or .json file")
    return validate(CorrectionsFile, data, source=source)


def check_made_for(corrections: ImageCorrections, *, path: Path, um_per_px: float) -> None:
    """Refuse corrections made on another image (``image_sha256`` against the file at
    ``path``) or at another scale: their hair numbers would name other hairs."""
    name = Path(path).name
    made_on = corrections.image_sha256
    if made_on is not None and made_on != (sha256 := image_sha256(path)):
        raise FollicleInputError(
            f"images.{name}.image_sha256",
            made_on[:12] + "...",
            f"this image's SHA-256 ({sha256[:12]}...): the corrections were made on another image",
        )
    if corrections.um_per_px is not None and not np.isclose(
        corrections.um_per_px, um_per_px, rtol=1e-6
    ):
        raise FollicleInputError(
            f"images.{name}.um_per_px",
            corrections.um_per_px,
            f"the scale this image is analysed at ({um_per_px:.6g} um/px): hair numbers "
            "depend on the scale",
        )


@contextmanager
def naming_the_image(name: str) -> Iterator[None]:
    """A correction that does not fit its image (a hair number it lacks, a point off
    it) is refused naming the image: ``corrections: images.NAME.remove[0] = ...``."""
    try:
        yield
    except FollicleInputError as error:
        if error.field.split("[")[0] not in ("remove", "add", "split"):
            raise
        raise FollicleInputError.from_message(f"corrections: images.{name}.{error}") from None


def corrections_by_image(
    corrections: CorrectionsFile | None, names: list[str]
) -> dict[str, ImageCorrections]:
    """The corrections of each image analysed, by file name (``names``: the images',
    in order). A name in the file but not among the images is refused (a misspelt name
    would be silently ignored), and so are images sharing a name (which one is meant?)."""
    if corrections is None:
        return {}
    for name in corrections.images:
        if name not in names:
            analysed = ", ".join(names)
            raise FollicleInputError(
                "corrections: images", name, f"the file name of an image analysed ({analysed})"
            )
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise FollicleInputError(
            "images", f"{', '.join(twice)} given twice", "distinct file names when correcting"
        )
    return {name: c for name, c in corrections.images.items() if not c.empty or c.image_sha256}


def corrections_record(corrections: ImageCorrections) -> dict[str, Any]:
    """The corrections as plain data (provenance of a corrected analysis)."""
    return corrections.model_dump(exclude_none=True)


def applied_counts(analysis) -> dict[str, int] | None:
    """How an ``ImageAnalysis`` was corrected by hand (hairs removed, added, split, as
    ``ImageCorrections.counts``), or None when it is the analyser's alone."""
    edits = analysis.provenance.get("parameters", {}).get("corrections")
    if edits is None:
        return None
    return ImageCorrections.model_validate(edits).counts()
