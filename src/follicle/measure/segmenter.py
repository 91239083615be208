"""The learned shaft segmenter at run time: a tiny U-Net shipped as ONNX, run with
onnxruntime (no torch). Trained only on follicle's own renders (tools/train_segmenter.py,
model card docs/segmenter.md).

The network sees every image at one physical scale, ``NET_UM_PER_PX``: the image is
area-resampled to it, the shaft probability comes back at that scale and is resampled
to the image. Downstream (centre lines, widths in um on the image) is the classical code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from follicle.errors import FollicleInputError

NET_UM_PER_PX = 5.0  # the network's input scale: a 30 um hair is 6 px wide
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "segmenter.onnx"
PAD_MULTIPLE = 16  # four 2x poolings in the U-Net
# Edges of the learned mask from the image's contrast (see learned_mask); docs/segmenter.md
# gives the dev figures with and without.
EDGES_FROM_CONTRAST = True


def to_net_scale(rgb: np.ndarray, *, um_per_px: float) -> np.ndarray:
    """RGB uint8 image area-resampled to ``NET_UM_PER_PX`` (training and run time alike)."""
    rows, cols = rgb.shape[:2]
    factor = um_per_px / NET_UM_PER_PX
    size = (max(round(cols * factor), 1), max(round(rows * factor), 1))
    image = Image.fromarray(np.asarray(rgb, np.uint8))
    return np.asarray(image.resize(size, Image.Resampling.BOX), np.uint8)


def normalise(rgb: np.ndarray) -> np.ndarray:
    """uint8 (rows, cols, 3) -> float32 (1, 3, rows, cols), each channel divided by its
    median (the skin) so that skin tone and colour casts matter less."""
    f = rgb.astype(np.float32) / 255.0
    median = np.median(f[::4, ::4].reshape(-1, 3), axis=0)
    f = f / np.maximum(median, 0.05)[None, None, :] - 1.0
    return np.ascontiguousarray(f.transpose(2, 0, 1)[None])


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _session():
    try:
        import onnxruntime as ort
    except ImportError as error:  # the optional `learned` extra
        raise FollicleInputError(
            "pipeline",
            "learned",
            "'classical' (the learned pipeline needs onnxruntime: pip install 'follicle[learned]')",
        ) from error
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # one core per image; batch runs use processes
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(MODEL_PATH), options, providers=["CPUExecutionProvider"])


def shaft_probability(rgb: np.ndarray, *, um_per_px: float) -> np.ndarray:
    """Probability (0..1, float32, the image's shape) that each pixel is on a hair shaft."""
    rows, cols = rgb.shape[:2]
    small = to_net_scale(rgb, um_per_px=um_per_px)
    r, c = small.shape[:2]
    pr, pc = -r % PAD_MULTIPLE, -c % PAD_MULTIPLE
    padded = np.pad(small, ((0, pr), (0, pc), (0, 0)), mode="reflect" if min(r, c) > 1 else "edge")
    session = _session()
    (logits,) = session.run(None, {session.get_inputs()[0].name: normalise(padded)})
    prob = 1.0 / (1.0 + np.exp(-logits[0, 0, :r, :c].astype(np.float32)))
    back = Image.fromarray(prob).resize((cols, rows), Image.Resampling.BILINEAR)
    return np.asarray(back, np.float32)


def learned_mask(
    rgb: np.ndarray,
    *,
    um_per_px: float,
    valid: np.ndarray,
    min_area_px: int,
    max_hole_px: int,
    contrast: np.ndarray | None = None,
    low: float = 0.0,
    threshold: float = 0.5,
    **_classical_only,
) -> np.ndarray:
    """Shaft mask: pixels the network gives a probability above ``threshold``, inside
    the ``valid`` (not burnt-in) area and, when ``contrast`` is given, above ``low`` in
    it. The network decides which objects are hairs; the contrast (from which the dye
    halo's level was taken off) puts the edges where the image has them: the network's
    masks spill into the dark halos around exits and join hairs of one opening. Cleaned
    as the classical mask: specks below ``min_area_px`` dropped, holes up to
    ``max_hole_px`` filled. (Takes the classical mask options; ``high`` is unused.)"""
    from skimage.morphology import remove_small_holes

    from follicle.measure.binary_ops import drop_small_objects

    mask = (shaft_probability(rgb, um_per_px=um_per_px) > threshold) & valid
    if contrast is not None and EDGES_FROM_CONTRAST:
        mask &= contrast > low
    mask = remove_small_holes(mask, max_size=max_hole_px)
    return drop_small_objects(mask, max_size=min_area_px)  # remove_small_objects' pixels
