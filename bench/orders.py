"""Orders part of bench/run.py: cxkit retention commands, reading their JSON, exact comparison.

Two analyses of one order file: `retention` (monthly retention: per month P, customers active
in P - 1 and how many of them were active in P) and `cohorts` (the monthly cohort matrix:
per first-order month, customers active k months later). Both cxkit and the DuckDB
reference (bench/orders_duckdb.py) print cxkit's JSON shape; only counts are compared, and
exactly: the percentages are derived from them (and rounded by cxkit).
"""

from __future__ import annotations

import json
from itertools import zip_longest

ANALYSES = {
    "retention": "monthly retention (customers of month P - 1 active again in P)",
    "cohorts": "monthly cohort matrix (customers of each first-order month active k months on)",
}
KPIS = {"retention": "retention_rate", "cohorts": "cohort_retention"}
RETENTION_FIELDS = ("n", "retained", "churned")


def cxkit_args(path: str, analysis: str) -> list[str]:
    """`cxkit retention` arguments for one analysis."""
    cohorts = ["--cohorts"] if analysis == "cohorts" else []
    return ["retention", path, "--period", "month", *cohorts, "--format", "json"]


def duckdb_args(analysis: str) -> list[str]:
    """bench/orders_duckdb.py arguments after the file."""
    return ["--cohorts"] if analysis == "cohorts" else []


def kpi_document(stdout: str, kpi: str) -> dict:
    """One KPI's document: the whole output, or the one named ``kpi`` in {"kpis": [...]}."""
    doc = json.loads(stdout)
    if "kpis" in doc:
        matches = [item for item in doc["kpis"] if item.get("kpi") == kpi]
        if not matches:
            raise KeyError(kpi)
        doc = matches[0]
    return doc


def parse_retention(stdout: str) -> dict[str, tuple[int, int, int]]:
    """{period: (n, retained, churned)}; months with n = 0 (no one to retain) are left out."""
    doc = kpi_document(stdout, KPIS["retention"])
    return {
        g["key"]["period"]: (g["n"], g["counts"]["retained"], g["counts"]["churned"])
        for g in doc["groups"]
        if g["n"]
    }


def parse_cohorts(stdout: str) -> dict[str, tuple[int | None, ...]]:
    """{cohort: customers active 0, 1, ... months after it}, without the trailing nulls."""
    doc = kpi_document(stdout, KPIS["cohorts"])
    groups = {}
    for g in doc["groups"]:
        customers = list(g["customers"])
        while customers and customers[-1] is None:
            customers.pop()
        groups[g["key"]["cohort"]] = tuple(customers)
    return groups


PARSERS = {"retention": parse_retention, "cohorts": parse_cohorts}


def compare(analysis: str, groups: dict, reference: dict) -> list[str]:
    """Differences between cxkit's groups and DuckDB's: every count must be equal."""
    problems = [f"missing group {key}" for key in sorted(reference.keys() - groups.keys())]
    problems += [f"extra group {key}" for key in sorted(groups.keys() - reference.keys())]
    for key in sorted(reference.keys() & groups.keys()):
        mine, ref = groups[key], reference[key]
        if mine == ref:
            continue
        cells = [
            f"{RETENTION_FIELDS[i] if analysis == 'retention' else f'month+{i}'} {a} vs {b}"
            for i, (a, b) in enumerate(zip_longest(mine, ref))
            if a != b
        ]
        more = f" (+{len(cells) - 3} more)" if len(cells) > 3 else ""
        problems.append(f"{key}: {', '.join(cells[:3])}{more} (cxkit vs duckdb)")
    return problems
