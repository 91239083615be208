"""User settings for the care part, read from the environment (no file, no network).

``FOLLICLE_EMERGENCY_NUMBER``: the emergency number where the user lives (e.g. ``112``,
``911``, ``999``, ``000``). Urgent advice then says "call 112"; unset, it names the common
numbers and says to call the local one.
"""

from __future__ import annotations

import os
import re

EMERGENCY_ENV = "FOLLICLE_EMERGENCY_NUMBER"
DEFAULT_EMERGENCY = "call your local emergency number (112 in the EU, 911 in the US, 999 in the UK)"
_NUMBER = re.compile(r"^[0-9+ ()-]{2,20}$")


def emergency_advice() -> str:
    """What urgent advice says to do in an emergency, e.g. ``call 112``."""
    number = os.environ.get(EMERGENCY_ENV, "").strip()
    if number and _NUMBER.match(number):
        return f"call {number}"
    return DEFAULT_EMERGENCY
