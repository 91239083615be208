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
on: hair numbers mean nothing on another image or at another scale.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from follicle.config_io import read_text_file, validate
from follicle.errors import FollicleFileError, FollicleInputError
from follicle.provenance import sha256_file as image_sha256

if TYPE_CHECKING:  # the image modules load only when corrections are applied
    from follicle.measure.shafts import Shaft

FORMAT = "follicle-corrections"
Point = tuple[float, float]
Edit = Literal["added", "split"]  # the ``correction`` column of a corrected hairs table


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
    text = read_text_file(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FollicleFileError(f"{path}: not valid JSON ({error})") from None
    elif path.suffix.lower() == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise FollicleFileError(f"{path}: not valid TOML ({error})") from None
    else:
        raise FollicleInputError("corrections", str(path), "a .toml or .json file")
    return validate(CorrectionsFile, data, source=str(path))


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


@dataclass(frozen=True, kw_only=True)
class Corrected:
    """What the corrections made of the analyser's hairs: one entry per hair kept or
    made, ``(shaft, width px, spread px, contrast, cut by the edge)`` as the analyser
    measures them, with each hair's number and edit (None: as found)."""

    measured: list[tuple]
    hair_ids: list[int]
    edits: list[Edit | None]


#: Measures a shaft drawn or cut by hand: (width px, spread px, contrast); NaN width
#: when no profile across it could be read.
Measure = Callable[["Shaft"], tuple[float, float, float]]


def apply_corrections(
    measured: list[tuple],
    corrections: ImageCorrections,
    *,
    um_per_px: float,
    shape: tuple[int, int],
    measure: Measure,
    edge: np.ndarray,
) -> Corrected:
    """The analyser's hairs (``measured``, numbered by position) with ``corrections``
    applied: removed hairs dropped, split hairs cut in two (each part measured again;
    a part that cannot be measured keeps the hair's width), added hairs measured along
    their lines. ``edge``: pixels where a hair may continue out of view."""
    n = len(measured)
    for k, hair_id in enumerate(corrections.remove):
        if hair_id >= n:
            raise FollicleInputError(f"remove[{k}]", hair_id, _numbers(n))
    entries = {i: (m, None) for i, m in enumerate(measured)}
    next_id = n
    for k, cut in enumerate(corrections.split):
        if cut.hair_id not in entries or cut.hair_id >= n:
            raise FollicleInputError(f"split[{k}].hair_id", cut.hair_id, _numbers(n))
        at_rc = _to_rc(cut.at_px, cut.at_um, um_per_px)
        # A hair split before may be cut again: the part nearest the point is cut.
        candidates = [i for i in entries if i == cut.hair_id or _origin(entries[i]) == cut.hair_id]
        target = min(candidates, key=lambda i: _distance(entries[i][0][0], at_rc))
        m = entries[target][0]
        first, second = _cut(m[0], at_rc, where=f"split[{k}]", width_px=m[1])
        for part_id, part in ((target, first), (next_id, second)):
            w, spread, contrast = measure(part)
            if not np.isfinite(w):
                w, spread, contrast = m[1], m[2], m[3]
            cut_by_edge = bool(edge[part.pixels[:, 0], part.pixels[:, 1]].any())
            entries[part_id] = ((part, w, spread, contrast, cut_by_edge), ("split", cut.hair_id))
        next_id += 1
    for k, hair in enumerate(corrections.add):
        shaft = _drawn_shaft(hair, um_per_px=um_per_px, shape=shape, where=f"add[{k}]")
        w, spread, contrast = measure(shaft)
        if hair.diameter_um is not None:
            w, spread = hair.diameter_um / um_per_px, float("nan")
        elif not np.isfinite(w):
            raise FollicleInputError(
                f"add[{k}]",
                "a line with no shaft across it",
                "a line along a hair darker (or lighter) than the skin, or a diameter_um "
                "given with it",
            )
        cut_by_edge = bool(edge[shaft.pixels[:, 0], shaft.pixels[:, 1]].any())
        entries[next_id] = ((shaft, w, spread, contrast, cut_by_edge), ("added", None))
        next_id += 1
    removed = set(corrections.remove)
    kept = sorted(i for i in entries if i not in removed)
    return Corrected(
        measured=[entries[i][0] for i in kept],
        hair_ids=kept,
        edits=[entries[i][1][0] if entries[i][1] else None for i in kept],
    )


def _numbers(n: int) -> str:
    return f"a hair number of this image (0 to {n - 1})" if n else "none: no hairs were found"


def _origin(entry: tuple) -> int | None:
    edit = entry[1]
    return edit[1] if edit and edit[0] == "split" else None


def _to_rc(at_px: Point | None, at_um: Point | None, um_per_px: float) -> np.ndarray:
    x, y = at_px if at_px is not None else (at_um[0] / um_per_px, at_um[1] / um_per_px)
    return np.array([y, x], float)


def _distance(shaft: Shaft, at_rc: np.ndarray) -> float:
    return float(np.min(np.hypot(*(shaft.pixels - at_rc).T)))


def _cut(shaft: Shaft, at_rc: np.ndarray, *, where: str, width_px: float) -> tuple[Shaft, Shaft]:
    """The shaft cut at the centre-line pixel nearest ``at_rc`` into the part before and
    the part after it (branches in order); the point must lie on or beside the line,
    and each part keep at least 3 pixels."""
    from follicle.measure.shafts import Shaft

    reach = max(width_px, 4.0) + 3.0
    distance = _distance(shaft, at_rc)
    if distance > reach:
        raise FollicleInputError(
            f"{where}.at",
            f"{distance:.0f} px from the hair's centre line",
            f"a point on the hair, at most {reach:.0f} px (its width + 3 px) from its line",
        )
    best = None
    for b, path in enumerate(shaft.branches):
        d = np.hypot(*(path - at_rc).T)
        i = int(np.argmin(d))
        if best is None or d[i] < best[0]:
            best = (float(d[i]), b, i)
    _, b, i = best
    path = shaft.branches[b]
    head = (*shaft.branches[:b], path[: i + 1])
    tail = (path[i:], *shaft.branches[b + 1 :])
    if sum(len(p) for p in head) < 3 or sum(len(p) for p in tail) < 3:
        raise FollicleInputError(
            f"{where}.at", "at the hair's end", "a point at least 3 px inside the hair"
        )
    joints = shaft.junctions_rc
    return (
        Shaft(branches=tuple(p for p in head if len(p)), junctions_rc=joints),
        Shaft(branches=tuple(p for p in tail if len(p)), junctions_rc=joints),
    )


def _drawn_shaft(hair: AddedHair, *, um_per_px: float, shape: tuple[int, int], where: str) -> Shaft:
    """A shaft along the straight segments between the drawn points (on the image)."""
    from follicle.measure.shafts import Shaft
    from follicle.measure.widths import pixel_path

    if hair.points_px is not None:
        xy, unit = np.asarray(hair.points_px, float), "points_px"
    else:
        xy, unit = np.asarray(hair.points_um, float) / um_per_px, "points_um"
    rows, cols = shape
    outside = (xy[:, 0] < 0) | (xy[:, 0] > cols - 1) | (xy[:, 1] < 0) | (xy[:, 1] > rows - 1)
    if outside.any():
        k = int(np.argmax(outside))
        given = (hair.points_px or hair.points_um)[k]
        limit = f"x 0-{cols - 1}, y 0-{rows - 1} px"
        if unit == "points_um":
            limit = f"x 0-{(cols - 1) * um_per_px:.0f}, y 0-{(rows - 1) * um_per_px:.0f} um"
        raise FollicleInputError(
            f"{where}.{unit}[{k}]", list(given), f"a point on the image ({limit})"
        )
    rc = xy[:, ::-1]
    pieces = []
    for a, b in itertools.pairwise(rc):
        steps = max(int(np.ceil(np.hypot(*(b - a)) * 2)), 1)
        pieces.append(a + np.linspace(0, 1, steps + 1)[:, None] * (b - a))
    path = pixel_path(np.concatenate(pieces), shape)
    if len(path) < 5:
        raise FollicleInputError(
            f"{where}.{unit}", "a line shorter than 5 px", "a line along the shaft, 5 px or longer"
        )
    return Shaft(branches=(path,), junctions_rc=np.zeros((0, 2)))


def corrections_record(corrections: ImageCorrections) -> dict[str, Any]:
    """The corrections as plain data (provenance of a corrected analysis)."""
    return corrections.model_dump(exclude_none=True)


def corrections_template_text(images: list[dict[str, Any]]) -> str:
    """A corrections file to fill in (TOML) for analysed images (``analyze_images``
    summaries: ``source``, ``um_per_px``, ``hair_count``): each image's name, SHA-256
    and scale, empty lists and commented examples."""
    lines = [
        '# follicle corrections: docs/measure.md, "Correcting by hand".',
        "# Hair numbers are the ones the overlay prints (number:diameter) for this image",
        "# at this scale. Points are [x, y] from the image's top-left corner, in pixels",
        "# (points_px, at_px) or micrometres (points_um, at_um).",
        f'format = "{FORMAT}"',
        "version = 1",
    ]
    for summary in images:
        path = Path(summary["source"])
        key = f"images.{json.dumps(path.name)}"
        n = int(summary["hair_count"])
        numbered = f"numbered 0 to {n - 1}" if n else "none found"
        lines += [
            "",
            f"[{key}]",
            f'image_sha256 = "{image_sha256(path)}"',
            f"um_per_px = {float(summary['um_per_px'])!r}",
            f"# {n} hairs {numbered}. Not hairs, e.g. remove = [3, 17]:",
            "remove = []",
            "# A missed hair: a line along it, two or more points (its diameter is",
            "# measured on the image; diameter_um = 35 gives it when it cannot be):",
            f"# [[{key}.add]]",
            "# points_px = [[412, 300], [455, 388]]",
            "# A found hair that is two (chained through a junction): cut at a point on it:",
            f"# [[{key}.split]]",
            "# hair_id = 5",
            "# at_px = [610, 422]",
        ]
    return "\n".join(lines) + "\n"


def corrections_from_text(*, remove: str = "", add: str = "", split: str = "") -> ImageCorrections:
    """Corrections typed as text (the web page's fields), points in pixels:

    - ``remove``: hair numbers separated by commas or spaces (``3, 17``);
    - ``add``: one hair per line, its points ``x,y`` separated by spaces, optionally
      ending in ``d=35`` (its diameter in um): ``412,300 455,388``;
    - ``split``: one per line, a hair number and a point: ``5 610,422``.
    """
    removed = []
    for token in remove.replace(",", " ").split():
        if not token.isdigit():
            raise FollicleInputError(
                "remove", token, "hair numbers (0, 1, 2 ...) separated by commas"
            )
        removed.append(int(token))
    added = []
    for k, line in enumerate(_lines(add), start=1):
        tokens = line.split()
        entry: dict[str, Any] = {}
        if tokens and tokens[-1].lower().startswith("d="):
            entry["diameter_um"] = _number(tokens.pop()[2:], field=f"add line {k}: d")
        entry["points_px"] = [_point(t, field=f"add line {k}") for t in tokens]
        if len(entry["points_px"]) < 2:
            raise FollicleInputError(
                f"add line {k}", line, "two or more points x,y along the hair (d=35 optional)"
            )
        added.append(entry)
    splits = []
    for k, line in enumerate(_lines(split), start=1):
        tokens = line.split()
        if len(tokens) != 2 or not tokens[0].isdigit():
            raise FollicleInputError(
                f"split line {k}", line, "a hair number and a point: 5 610,422"
            )
        splits.append(
            {"hair_id": int(tokens[0]), "at_px": _point(tokens[1], field=f"split line {k}")}
        )
    return validate(ImageCorrections, {"remove": removed, "add": added, "split": splits})


def corrections_text(corrections: ImageCorrections) -> dict[str, str]:
    """The fields ``corrections_from_text`` reads, for corrections given in pixels."""

    def point(xy: Point) -> str:
        return f"{xy[0]:g},{xy[1]:g}"

    add = []
    for hair in corrections.add:
        line = " ".join(point(p) for p in hair.points_px or [])
        add.append(line + (f" d={hair.diameter_um:g}" if hair.diameter_um else ""))
    return {
        "remove": ", ".join(map(str, corrections.remove)),
        "add": "\n".join(add),
        "split": "\n".join(f"{s.hair_id} {point(s.at_px)}" for s in corrections.split if s.at_px),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str, *, field: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        raise FollicleInputError(field, text, "a finite number")
    return value


def _point(token: str, *, field: str) -> list[float]:
    parts = token.split(",")
    if len(parts) != 2:
        raise FollicleInputError(field, token, "a point x,y in pixels (e.g. 412,300)")
    return [_number(part, field=field) for part in parts]


def applied_counts(analysis) -> dict[str, int] | None:
    """How an ``ImageAnalysis`` was corrected by hand (hairs removed, added, split, as
    ``ImageCorrections.counts``), or None when it is the analyser's alone."""
    edits = analysis.provenance.get("parameters", {}).get("corrections")
    if edits is None:
        return None
    return ImageCorrections.model_validate(edits).counts()
