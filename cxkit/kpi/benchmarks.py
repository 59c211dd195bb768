"""Sector marks for `--benchmark` (KPIS.md "Across sources").

KPIS.md fixes three anchors: NPS above 50 is excellent in e-commerce, CSAT above 80 % is the
B2B SaaS mark, CES below 3 is low effort in retail. The other marks are cxkit's conventions
(NPS above 0 is good, the usual reading of the scale; CSAT 90 % excellent; CES 2 or less
excellent) and apply to every sector until better published figures are wired in.
"""

from __future__ import annotations

# kpi -> (good mark, excellent mark, higher is better)
_MARKS = {
    "nps": (0.0, 50.0, True),
    "csat": (80.0, 90.0, True),
    "ces": (3.0, 2.0, False),
}
SECTORS = ("ecommerce", "saas", "retail")


def assess(kpi: str, value: float | None, sector: str | None) -> dict | None:
    """{'sector', 'good', 'excellent', 'status'} with status excellent / good / below."""
    if sector is None or kpi not in _MARKS:
        return None
    good, excellent, higher = _MARKS[kpi]
    if value is None:
        status = None
    elif (value > excellent) if higher else (value <= excellent):
        status = "excellent"
    elif (value > good) if higher else (value < good):
        status = "good"
    else:
        status = "below"
    return {"sector": sector, "good": good, "excellent": excellent, "status": status}
