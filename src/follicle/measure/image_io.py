"""Loading images safely: unreadable, truncated and huge files become one-line errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from follicle.errors import FollicleFileError, FollicleInputError

MAX_IMAGE_PIXELS = 40_000_000  # ~ 7300 x 5500; larger files are refused (decompression bombs)
MIN_SIDE_PX = 32


def load_image(path: str | Path, *, max_pixels: int = MAX_IMAGE_PIXELS) -> np.ndarray:
    """Read an image file as an (rows, cols, 3) uint8 RGB array.

    Refuses files that are missing, not images, truncated, or larger than ``max_pixels``
    (checked from the header before decoding, so a decompression bomb is never expanded).
    """
    path = Path(path)
    if not path.exists():
        raise FollicleFileError(f"{path}: file not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                pixels = image.size[0] * image.size[1]
                if pixels > max_pixels:
                    raise FollicleInputError(
                        "image size",
                        f"{image.size[0]} x {image.size[1]} px",
                        f"at most {max_pixels:,} pixels",
                        source=str(path),
                    )
                image.load()  # decodes now: a truncated file fails here
                rgb = image.convert("RGB")
    except FollicleInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FollicleInputError(
            "image size", "decompression bomb", f"at most {max_pixels:,} pixels", source=str(path)
        ) from None
    except UnidentifiedImageError:
        raise FollicleFileError(f"{path}: not an image file Pillow can read") from None
    except OSError as error:
        raise FollicleFileError(f"{path}: cannot decode image ({error})") from None
    return check_image(np.asarray(rgb), source=str(path))


def check_image(image: np.ndarray, *, source: str | None = None) -> np.ndarray:
    """Validate an in-memory image; return it as (rows, cols, 3) uint8."""
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise FollicleInputError(
            "image shape", array.shape, "(rows, cols) or (rows, cols, 3|4)", source=source
        )
    array = array[..., :3]
    if min(array.shape[:2]) < MIN_SIDE_PX:
        raise FollicleInputError(
            "image size", array.shape[:2], f"at least {MIN_SIDE_PX} px per side", source=source
        )
    if array.shape[0] * array.shape[1] > MAX_IMAGE_PIXELS:
        raise FollicleInputError(
            "image size", array.shape[:2], f"at most {MAX_IMAGE_PIXELS:,} pixels", source=source
        )
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating) and np.nanmax(array) <= 1.0:
            array = array * 255.0
        array = np.clip(np.nan_to_num(array), 0, 255).astype(np.uint8)
    return array
