"""Durations and shares as users write them, read one way everywhere (stdlib only, so the
settings checker can use it without importing Polars)."""

from __future__ import annotations

import re

DURATION_UNITS = {"m": 1 / 60, "min": 1 / 60, "mins": 1 / 60, "h": 1.0, "hr": 1.0, "hrs": 1.0,
                  "d": 24.0, "day": 24.0, "days": 24.0, "w": 168.0, "j": 24.0}


def duration_hours(text: str) -> float | None:
    """`4h`, `30m`, `1h30m`, `2d`, `90min`, or a bare number of hours -> hours; None if not a
    duration. A bare number after hours is minutes, as people write it: `1h30` is 1.5 h."""
    if re.search(r"\d\s+[\d.,]", text):
        return None  # `30 2`: not 302
    raw = text.strip().lower().replace(" ", "").replace(",", ".")
    parts = re.findall(r"(\d+(?:\.\d+)?)([a-z]*)", raw)
    if not parts or "".join(n + u for n, u in parts) != raw or \
            any(u and u not in DURATION_UNITS for _, u in parts):
        return None
    if len(parts) > 1 and not parts[-1][1]:
        if DURATION_UNITS.get(parts[-2][1]) != 1.0:
            return None  # `2d3`: 3 what?
        parts[-1] = (parts[-1][0], "m")
    if any(not u for _, u in parts[:-1]):
        return None
    return sum(float(n) * (DURATION_UNITS[u] if u else 1.0) for n, u in parts)


def share(text: str) -> float | None:
    """`35%`, `35` or `0.35` -> 0.35 (a number above 1 is a percentage); None unless the share
    is above 0 and up to 1."""
    raw = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    if text.strip().endswith("%") or value > 1:
        value /= 100
    return value if 0 < value <= 1 else None


def confidence(text: str) -> float | None:
    """`90`, `90%` and `0.9` -> 0.9: the level of an interval, from 50 % to 99.9 %."""
    level = share(text)
    if level is None or not 0.5 <= level <= 0.999 or level != level:
        return None
    return round(level, 6)
