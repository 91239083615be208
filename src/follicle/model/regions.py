"""Scalp regions and their fixed properties."""

from __future__ import annotations

REGIONS: tuple[str, ...] = ("frontal", "temporal", "midscalp", "vertex", "occipital")
REGION_INDEX: dict[str, int] = {name: index for index, name in enumerate(REGIONS)}
DONOR_REGION = "occipital"
