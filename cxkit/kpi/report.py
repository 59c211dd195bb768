"""The report across sources: what `cxkit report` shows, in one typed object every renderer reads.

`Report` holds the KPI cards (one `KpiResult` each, with its trend per period) and the tables
(breakdowns, the cohort matrix, NPS x revenue, the follow-up list, how customer ids matched).
Renderers (terminal, HTML, XLSX, markdown, JSON) never compute: they format what is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cxkit.kpi.result import KpiResult, _num


@dataclass(frozen=True)
class KpiInfo:
    label: str  # "NPS", "First response"
    unit: str  # "" | "%" | "h" | "money" | "count"
    higher_is_better: bool | None  # None: neither (volume, orders)


KPI_INFO: dict[str, KpiInfo] = {
    "nps": KpiInfo("NPS", "", True),
    "csat": KpiInfo("CSAT", "%", True),
    "ces": KpiInfo("CES", "", False),  # the 1-5 effort scale: lower is better
    "volume": KpiInfo("Tickets", "count", None),
    "first_response_time": KpiInfo("First response", "h", False),
    "resolution_time": KpiInfo("Resolution time", "h", False),
    "fcr": KpiInfo("First contact resolution", "%", True),
    "reopen_rate": KpiInfo("Reopen rate", "%", False),
    "backlog": KpiInfo("Backlog", "count", False),
    "sla_first_response": KpiInfo("SLA first response", "%", True),
    "sla_resolution": KpiInfo("SLA resolution", "%", True),
    "ticket_csat": KpiInfo("Ticket CSAT", "%", True),
    "complaint_rate": KpiInfo("Complaint rate", "", False),
    "orders": KpiInfo("Orders", "count", None),
    "customers": KpiInfo("Customers", "count", None),
    "revenue": KpiInfo("Revenue", "money", True),
    "aov": KpiInfo("Average order value", "money", True),
    "purchase_frequency": KpiInfo("Orders per customer", "", True),
    "repeat_purchase_rate": KpiInfo("Repeat purchase rate", "%", True),
    "return_rate": KpiInfo("Return rate", "%", False),
    "cart_abandonment_rate": KpiInfo("Cart abandonment", "%", False),
    "referral_rate": KpiInfo("Referral rate", "%", True),
    "clv": KpiInfo("CLV (historical)", "money", True),
    "clv_predicted": KpiInfo("CLV (predicted)", "money", True),
    "retention_rate": KpiInfo("Retention", "%", True),
    "churn_rate": KpiInfo("Churn", "%", False),
}
SOURCES = ("responses", "tickets", "orders")
SECTIONS = ("kpis", "breakdowns", "what_moved", "themes", "cohorts", "nps_revenue", "followup",
            "matching")


def info(kpi: str) -> KpiInfo:
    return KPI_INFO.get(kpi, KpiInfo(kpi.replace("_", " ").capitalize(), "", None))


# Units of a table column: "%" a share on 0-100, "money", "h" hours, "count" a whole number,
# "date" YYYY-MM-DD text, "" anything else (text, a score, a ratio)
COLUMN_UNITS = ("", "%", "money", "h", "count", "date")

# The words people read for the columns of the tables built elsewhere (cxkit.kpi.joined): the
# follow-up list, NPS x revenue, how ids matched. A column not listed reads as its name in words.
COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "customer_id": ("Customer", ""),
    "email": ("E-mail", ""),
    "name": ("Name", ""),
    "score": ("Score", ""),
    "category": ("Category", ""),
    "comment": ("Comment", ""),
    "answered": ("Answered", "date"),
    "orders": ("Orders", "count"),
    "revenue_to_date": ("Revenue to date", "money"),
    "last_order": ("Last order", "date"),
    "revenue_at_risk": ("Revenue at risk", "money"),
    "customers": ("Customers", "count"),
    "revenue": ("Revenue", "money"),
    "revenue_share": ("Share of revenue", "%"),
    "revenue_per_customer": ("Revenue per customer", "money"),
    "aov": ("Average order value", "money"),
    "repeat_rate": ("Repeat rate", "%"),
    "ordered_again": ("Ordered again", "%"),
    "ordered_again_n": ("Customers with a full window", "count"),
    "ids": ("Match", ""),
    "cohort": ("Cohort", ""),
}


def words(column: str) -> str:
    """`revenue_to_date` -> `Revenue to date` (a header people read)."""
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else str(column)


@dataclass
class Section:
    """One table of the report. Cells are plain values: str, int, float, bool or None.

    `columns` are the keys (JSON, CSV); `labels` the headers people read (HTML, XLSX, markdown,
    terminal), `units` what each column holds (`COLUMN_UNITS`): shares carry "%" where they are
    shown, money gets two decimals and counts none in a spreadsheet."""

    name: str  # snake_case key in JSON and the XLSX sheet name: "nps_by_channel", "followup"
    title: str  # "NPS by channel"
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""  # one line under the title: the rule, what was dropped or unmatched
    # "table"; "heatmap": cells after the first two are shares 0-100; "tracking": a table whose
    # `expected` and `actual` columns the HTML report also draws as two lines
    kind: str = "table"
    digits: int = 1  # decimals for float cells
    column_digits: list[int] | None = None  # per column, when they differ (breakdowns)
    labels: list[str] | None = None  # headers in words; None: `columns` as they are
    units: list[str] | None = None  # per column, one of COLUMN_UNITS; None: all ""

    def digits_at(self, i: int) -> int:
        if self.column_digits and i < len(self.column_digits):
            return self.column_digits[i]
        return self.digits

    def label_at(self, i: int) -> str:
        """The header of column i: its label, else the words of a known field, else its name."""
        if self.labels and i < len(self.labels) and self.labels[i]:
            return self.labels[i]
        column = str(self.columns[i])
        return COLUMN_WORDS[column][0] if column in COLUMN_WORDS else column

    def unit_at(self, i: int) -> str:
        if self.units and i < len(self.units):
            return self.units[i] or ""
        column = str(self.columns[i]) if i < len(self.columns) else ""
        return COLUMN_WORDS[column][1] if column in COLUMN_WORDS else ""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "kind": self.kind, "note": self.note,
                "columns": self.columns,
                "labels": [self.label_at(i) for i in range(len(self.columns))],
                "units": [self.unit_at(i) for i in range(len(self.columns))],
                "rows": [[_num(c, self.digits_at(i)) for i, c in enumerate(r)]
                         for r in self.rows]}


def describe(section: Section) -> Section:
    """Give a table built from raw field names (`revenue_share`) its headers in words and its
    units (`COLUMN_WORDS`), and say the same words in its note. Returns the section."""
    if section.labels is None:
        section.labels = [COLUMN_WORDS.get(c, (words(c), ""))[0] for c in section.columns]
    if section.units is None:
        section.units = [COLUMN_WORDS.get(c, ("", ""))[1] for c in section.columns]
    for key, label in zip(section.columns, section.labels, strict=True):
        if "_" in str(key) and section.note:  # "ordered_again: ..." -> "ordered again: ..."
            section.note = re.sub(rf"(?<![\w]){re.escape(str(key))}(?![\w])", label.lower(),
                                  section.note)
    return section


@dataclass
class Source:
    source: str  # responses | tickets | orders
    files: list[str]
    rows: int  # data rows read
    columns: dict[str, str]  # role -> column used


@dataclass
class Report:
    title: str
    period: str  # the trend period: day | week | month | quarter | year
    sources: list[Source]
    kpis: list[KpiResult]  # the cards, in order (responses, tickets, orders)
    sections: list[Section] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    first: str | None = None  # first and last day covered, YYYY-MM-DD
    last: str | None = None
    last_period: str | None = None  # label of the last period, e.g. "2025-12"
    # the KPIs behind each breakdown table: (source, column, results), for the CSV's rows
    breakdowns: list[tuple[str, str, list[KpiResult]]] = field(default_factory=list)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def source_of(self, kpi: KpiResult) -> str:
        return kpi.extra.get("source", "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": self.period,
            "first": self.first,
            "last": self.last,
            "sources": [vars(s) for s in self.sources],
            "kpis": [k.to_dict() for k in self.kpis],
            "tables": {s.name: s.to_dict() for s in self.sections},
            "notices": self.notices,
        }
