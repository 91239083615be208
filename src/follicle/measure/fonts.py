"""Pillow's own font at a given size, for labels drawn on images (overlays, scale bars,
device graphics on renders): no font file is shipped or looked up."""

from __future__ import annotations

from PIL import ImageFont


def sized_font(size_px: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's default font ``size_px`` high, or its 10 px bitmap font where this Pillow
    has no FreeType (sized default fonts need Pillow >= 10.1 with FreeType)."""
    try:
        return ImageFont.load_default(size=size_px)
    except (ImportError, OSError, TypeError):
        return ImageFont.load_default()
