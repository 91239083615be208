"""What a journal entry can hold: one validated model per kind.

Every entry has a kind, a moment (stored in UTC, with the user's IANA zone recorded),
an optional note and kind-specific details. Details are validated here, before anything
is written; invalid entries are refused with a message that names the field, the value
and the allowed range.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from follicle.care.findings import Finding
from follicle.care.timezones import to_utc_text
from follicle.config_io import validate
from follicle.errors import FollicleInputError
from follicle.regimen import RegionName

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Application(_Strict):
    """One dose of a medicine taken or applied."""

    medicine: Literal["finasteride", "dutasteride", "minoxidil"]
    route: Literal["oral", "topical"] | None = Field(
        None, description="default: topical for minoxidil, oral for the others"
    )
    dose_mg: float | None = Field(None, gt=0, le=10)
    concentration_percent: float | None = Field(None, gt=0, le=15)

    @property
    def effective_route(self) -> str:
        if self.route is not None:
            return self.route
        return "topical" if self.medicine == "minoxidil" else "oral"


class Session(_Strict):
    """A microneedling session."""

    device: str = Field(..., min_length=1, max_length=60, description="the device's name")
    needle_mm: float = Field(..., ge=0.1, le=2.5, description="0.1-2.5 mm (care rule MN-14)")
    duration_minutes: float = Field(..., gt=0, le=120)
    regions: tuple[RegionName, ...] = ()


class Device(_Strict):
    """A microneedling device; the entry's moment is its first use (care rule MN-8)."""

    name: str = Field(..., min_length=1, max_length=60)
    device_type: Literal["roller", "pen", "stamp"] = "roller"
    needle_mm: float | None = Field(None, ge=0.1, le=2.5)


SYMPTOMS = (
    # after microneedling (MN-11, MN-12)
    "redness",
    "swelling",
    "pinpoint_bleeding",
    "excessive_bruising",
    "oozing",
    "extreme_heat",
    "pus",
    # minoxidil label (RX-5)
    "chest_pain",
    "rapid_heartbeat",
    "faintness",
    "dizziness",
    "weight_gain",
    "swollen_hands_feet",
    # others worth recording
    "shedding",
    "itching",
    "flaking",
    "headache",
    "sexual_side_effects",
    "other",
)
Symptomatic = Literal[SYMPTOMS]  # type: ignore[valid-type]


class Symptom(_Strict):
    """A symptom or side effect."""

    symptom: Symptomatic
    #: as the person rates it; no default (an urgent symptom is never stored as "mild")
    severity: Literal["mild", "moderate", "severe"] | None = None


#: Physically possible values by the unit in a metric's name (a density above 600/cm2 is
#: beyond any scalp: healthy scalps have ~200-300 follicles/cm2; follicle's person model
#: allows 80-400). Names with another unit are only checked for being finite.
METRIC_RANGES: tuple[tuple[str, float, float, str], ...] = (
    ("_per_cm2", 0.0, 600.0, "a density in hairs per cm2"),
    ("_um", 0.0, 1000.0, "a length in micrometres"),
    ("_mm", 0.0, 1000.0, "a length in millimetres"),
    ("_percent", 0.0, 100.0, "a percentage"),
    ("_share", 0.0, 1.0, "a share"),
    ("_fraction", 0.0, 1.0, "a fraction"),
    ("_count", 0.0, 1e7, "a count"),
)


def metric_range(name: str) -> tuple[float, float, str]:
    """(low, high, what) allowed for a metric, from the unit its name ends with."""
    for suffix, low, high, what in METRIC_RANGES:
        if name.endswith(suffix):
            return low, high, what
    return -math.inf, math.inf, "a finite number"


class Measurement(_Strict):
    """Hair counts and metrics, e.g. from ``follicle measure`` or ``follicle analyze``.

    Metric names carry their unit (``density_per_cm2``, ``mean_diameter_um``).
    """

    metrics: dict[str, float] = Field(..., min_length=1, max_length=100)
    region: RegionName | None = None
    source: str | None = Field(None, max_length=1000, description="result file it came from")
    source_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")

    @field_validator("metrics")
    @classmethod
    def _names(cls, value: dict[str, float]) -> dict[str, float]:
        for name, number in value.items():
            if not _NAME.match(name):
                raise ValueError(
                    f"[{name!r}] = {number} is not allowed; expected a metric name in "
                    "lower_case_with_unit (letters, digits, _; e.g. density_per_cm2)"
                )
            if not math.isfinite(number):
                raise ValueError(f"[{name!r}] = {number} is not allowed; expected a finite number")
            low, high, what = metric_range(name)
            if not low <= number <= high:
                raise ValueError(
                    f"[{name!r}] = {number:g} is not allowed; expected {what} from {low:g} to "
                    f"{high:g}"
                )
        return value


class Photo(_Strict):
    """A photo, stored by path and content hash (the image itself stays where it is)."""

    path: str = Field(..., min_length=1, max_length=4096)
    sha256: str = Field(..., pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(..., ge=0)
    region: RegionName | None = None


DETAILS: dict[str, type[_Strict]] = {
    "application": Application,
    "session": Session,
    "device": Device,
    "symptom": Symptom,
    "measurement": Measurement,
    "photo": Photo,
}
KINDS = tuple(DETAILS)
Details = Application | Session | Device | Symptom | Measurement | Photo


def parse_details(kind: str, data: dict, *, source: str | None = None) -> Details:
    """Validate the details of an entry of ``kind``."""
    model = DETAILS.get(kind)
    if model is None:
        raise FollicleInputError("kind", kind, f"one of {list(KINDS)}", source=source)
    return validate(model, data, source=source)


@dataclass(frozen=True)
class Entry:
    """A journal entry. ``id`` is set once stored; ``uid`` identifies it across exports."""

    uid: str
    kind: str
    at: datetime
    tz: str
    recorded: datetime
    details: Details
    note: str = ""
    id: int | None = None
    flags: tuple[Finding, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "uid": self.uid,
            "kind": self.kind,
            "at_utc": to_utc_text(self.at),
            "tz": self.tz,
            "recorded_utc": to_utc_text(self.recorded),
            "note": self.note,
            "details": self.details.model_dump(mode="json", exclude_none=True),
            "flags": [f.to_dict() for f in self.flags],
        }


def describe(entry: Entry) -> str:
    """One line for people: ``minoxidil (topical) 5%``, ``session 1.5 mm, 12 min, roller-1``."""
    d = entry.details
    if isinstance(d, Application):
        text = f"{d.medicine} ({d.effective_route})"
        if d.dose_mg is not None:
            text += f" {d.dose_mg:g} mg"
        if d.concentration_percent is not None:
            text += f" {d.concentration_percent:g}%"
    elif isinstance(d, Session):
        text = f"microneedling {d.needle_mm:g} mm, {d.duration_minutes:g} min, {d.device}"
        if d.regions:
            text += f" ({', '.join(d.regions)})"
    elif isinstance(d, Device):
        needle = f" {d.needle_mm:g} mm" if d.needle_mm is not None else ""
        text = f"{d.device_type} '{d.name}'{needle}: first use"
    elif isinstance(d, Symptom):
        text = d.symptom.replace("_", " ")
        if d.severity is not None:
            text += f" ({d.severity})"
    elif isinstance(d, Measurement):
        text = ", ".join(f"{k} = {v:g}" for k, v in d.metrics.items())
        if d.region:
            text += f" ({d.region})"
    else:
        text = f"photo {d.path} (sha256 {d.sha256[:12]}...)"
    return text + (f" - {entry.note}" if entry.note else "")


@dataclass(frozen=True)
class Void:
    """An entry withdrawn from the journal's view, kept with its history.

    ``replaced_by_uid`` names the entry that corrects it (``journal amend``); ``None`` for
    a plain ``journal void``. The voided entry stays stored and exported.
    """

    target_uid: str
    recorded: datetime
    reason: str
    replaced_by_uid: str | None = None

    def to_dict(self) -> dict:
        return {
            "target_uid": self.target_uid,
            "replaced_by_uid": self.replaced_by_uid,
            "recorded_utc": to_utc_text(self.recorded),
            "reason": self.reason,
        }
