"""Corrections by hand as text: the file ``follicle analyze --corrections-template``
writes for a person to fill in, and the web page's fields (hair numbers, points typed
or clicked) read into ``ImageCorrections`` and printed back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from follicle.config_io import validate
from follicle.errors import FollicleInputError
from follicle.measure.corrections import FORMAT, ImageCorrections, Point, image_sha256


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
