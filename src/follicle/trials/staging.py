"""Hamilton-Norwood (men) and Ludwig (women) stages from regional hair densities.

The mapping (docs/trials.md, "Staging") compares each region's density of visible
non-vellus hairs with the same person's occipital density: the occiput is spared by
pattern loss ([P] Vecchio 2002: occipital ~127/cm2 unchanged across Norwood stages), so
``loss[r] = 1 - density[r] / density[occipital]`` measures how far a region has thinned.
A region counts as *thinned* from ``thinned`` loss, *bald-looking* from ``bald`` and
*bare* from ``bare`` (defaults 0.25, 0.5, 0.75: assumptions, no published thresholds).

Hamilton-Norwood, with ft = max(frontal, temporal) loss, v = vertex, m = midscalp:

- VII: every one of frontal, temporal, vertex and midscalp bare
- VI: ft and v bald and m bald (the bridge is gone)
- V: ft bald, v thinned, m thinned (the bridge is thinning)
- IV: ft bald, v thinned, m not thinned (a band of hair separates them)
- III vertex: v thinned, ft not bald
- III: ft bald (deep frontotemporal recession), v not thinned
- II: ft thinned, v not thinned
- I: none of the above

Ludwig (central thinning with the frontal hairline kept), with c = max(midscalp, vertex)
loss: 0 (no loss) below ``thinned``, I from ``thinned``, II from ``bald``, III from
``bare``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from follicle.errors import FollicleInputError

NORWOOD_STAGES: tuple[str, ...] = ("I", "II", "III", "III vertex", "IV", "V", "VI", "VII")
LUDWIG_STAGES: tuple[str, ...] = ("0", "I", "II", "III")
STAGE_REGIONS: tuple[str, ...] = ("frontal", "temporal", "midscalp", "vertex", "occipital")


@dataclass(frozen=True)
class StagingRule:
    """Loss thresholds (share of the occipital density missing) and the density measured."""

    column: str = "non_vellus_per_cm2"
    reference_region: str = "occipital"
    thinned: float = 0.25
    bald: float = 0.5
    bare: float = 0.75

    def __post_init__(self):
        if not 0 < self.thinned < self.bald < self.bare < 1:
            raise FollicleInputError(
                "staging thresholds",
                (self.thinned, self.bald, self.bare),
                "0 < thinned < bald < bare < 1",
            )


DEFAULT_RULE = StagingRule()


def stage_names(sex: str) -> tuple[str, ...]:
    """The ordered stage labels of the scale used for ``sex``."""
    return NORWOOD_STAGES if sex == "male" else LUDWIG_STAGES


def regional_losses(
    densities: Mapping[str, np.ndarray], rule: StagingRule = DEFAULT_RULE
) -> dict[str, np.ndarray]:
    """Region -> 1 - density / reference density (0 = as dense as the occiput)."""
    reference = np.asarray(densities[rule.reference_region], float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            region: np.where(reference > 0, 1.0 - np.asarray(values, float) / reference, 1.0).clip(
                0.0, 1.0
            )
            for region, values in densities.items()
        }


def norwood_codes(losses: Mapping[str, np.ndarray], rule: StagingRule = DEFAULT_RULE):
    """Index into ``NORWOOD_STAGES`` for each person (vectorized)."""
    f, t = np.asarray(losses["frontal"]), np.asarray(losses["temporal"])
    v, m = np.asarray(losses["vertex"]), np.asarray(losses["midscalp"])
    ft = np.maximum(f, t)
    code = np.zeros(ft.shape, np.int8)  # I
    code = np.where(ft >= rule.thinned, 1, code)  # II
    code = np.where(ft >= rule.bald, 2, code)  # III
    code = np.where((v >= rule.thinned) & (ft < rule.bald), 3, code)  # III vertex
    both = (ft >= rule.bald) & (v >= rule.thinned)
    code = np.where(both, 4, code)  # IV
    code = np.where(both & (m >= rule.thinned), 5, code)  # V
    code = np.where(both & (v >= rule.bald) & (m >= rule.bald), 6, code)  # VI
    bare = (np.minimum(np.minimum(f, t), np.minimum(v, m))) >= rule.bare
    code = np.where(bare, 7, code)  # VII
    return code.astype(np.int8)


def ludwig_codes(losses: Mapping[str, np.ndarray], rule: StagingRule = DEFAULT_RULE):
    """Index into ``LUDWIG_STAGES`` for each person (vectorized)."""
    centre = np.maximum(np.asarray(losses["midscalp"]), np.asarray(losses["vertex"]))
    code = np.zeros(centre.shape, np.int8)
    code = np.where(centre >= rule.thinned, 1, code)
    code = np.where(centre >= rule.bald, 2, code)
    code = np.where(centre >= rule.bare, 3, code)
    return code.astype(np.int8)


def stage_codes(sex: str, densities: Mapping[str, np.ndarray], rule: StagingRule = DEFAULT_RULE):
    """Stage index (into ``stage_names(sex)``) from region -> density arrays."""
    missing = [r for r in STAGE_REGIONS if r not in densities]
    if missing:
        raise FollicleInputError(
            "staging regions", sorted(densities), f"densities for all of {list(STAGE_REGIONS)}"
        )
    losses = regional_losses(densities, rule)
    return norwood_codes(losses, rule) if sex == "male" else ludwig_codes(losses, rule)


def stage_table(sex: str, table: pd.DataFrame, rule: StagingRule = DEFAULT_RULE) -> pd.Series:
    """Stage codes per (person, day) from a cohort table with all five regions."""
    wide = table[table["region"].isin(STAGE_REGIONS)].pivot_table(
        index=["person", "day"], columns="region", values=rule.column, observed=True
    )
    codes = stage_codes(sex, {r: wide[r].to_numpy() for r in STAGE_REGIONS if r in wide}, rule)
    return pd.Series(codes, index=wide.index, name="stage")


def stage(sex: str, densities: Mapping[str, float], rule: StagingRule = DEFAULT_RULE) -> str:
    """The stage label of one person: ``stage("male", {"frontal": 120, ...})``."""
    arrays = {region: np.array([value], float) for region, value in densities.items()}
    return stage_names(sex)[int(stage_codes(sex, arrays, rule)[0])]


_PREFIX = re.compile(r"^(hamilton[- ]norwood|norwood|ludwig)\s+", re.IGNORECASE)


def _one_stage(text: str, names: tuple[str, ...], field: str) -> int:
    label = _PREFIX.sub("", text.strip()).strip()
    for index, name in enumerate(names):
        if label.lower() == name.lower():
            return index
    raise FollicleInputError(field, text, f"a stage among {list(names)}")


def parse_stage_range(text: str, sex: str, *, field: str = "stage") -> tuple[int, int]:
    """'III vertex to V', 'Norwood IV', 'II or more', 'up to III' -> (lowest, highest) codes.

    Ranges are inclusive; the scale is Hamilton-Norwood for men and Ludwig for women.
    """
    names = stage_names(sex)
    raw = text.strip()
    lowered = raw.lower()
    if lowered.endswith(" or more"):
        return _one_stage(raw[: -len(" or more")], names, field), len(names) - 1
    if lowered.startswith("up to "):
        return 0, _one_stage(raw[len("up to ") :], names, field)
    if " to " in lowered:
        at = lowered.index(" to ")
        low = _one_stage(raw[:at], names, field)
        high = _one_stage(_PREFIX.sub("", raw[at + 4 :].strip()), names, field)
        if high < low:
            raise FollicleInputError(field, text, "a range from a lower to a higher stage")
        return low, high
    code = _one_stage(raw, names, field)
    return code, code
