"""Which kind of export a file is — survey responses, help-desk tickets or orders — from its
header alone, and the refusal when a command is given the wrong kind.

`cxkit orders tickets.csv` would otherwise count tickets as orders (their `Created at` is a
date, nothing says it is not an order date); `cxkit nps tickets.csv` is pointed to
`cxkit tickets`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkit.errors import DataError
from cxkit.io.read import Table
from cxkit.io.roles import ORDER_ROLES, SURVEY_SCORE_ROLES, TICKET_ROLES, detect_roles

KINDS = ("responses", "tickets", "orders")
WHAT = {"responses": "survey responses", "tickets": "a help-desk ticket export",
        "orders": "an order export"}
COMMAND = {"responses": "cxkit nps", "tickets": "cxkit tickets", "orders": "cxkit orders"}
# signs of a ticket export beyond a creation date (a bare `id` or `status` is in every export)
TICKET_SIGNS = ("resolved_at", "first_response_at", "resolution_minutes",
                "first_response_minutes")


@dataclass
class Kind:
    kind: str  # responses, tickets, orders
    why: str  # "Zendesk", or the columns that tell: "'Created at', 'Solved at'"
    preset: bool = False  # recognised as a known tool's export

    def describe(self) -> str:
        return f"{WHAT[self.kind]} ({self.why})"


def _found(table: Table, roles: tuple[str, ...]):
    return detect_roles(table.columns, table.labels, roles, table.originals)


def detect_kind(table: Table) -> Kind | None:
    """The kind of export (the first of `detect_kinds`), or None when the header does not tell."""
    kinds = detect_kinds(table)
    return kinds[0] if kinds else None


def detect_kinds(table: Table) -> list[Kind]:
    """Every kind the header gives evidence of, the likeliest first. A known tool's header
    (Zendesk, Shopify, a Qualtrics layout…) is one kind alone; otherwise the roles each kind
    would find, each kind apart (roles compete for columns): an NPS, CSAT or CES score for
    responses, a creation date with a resolution, response or rating column for tickets, an
    order date with an amount for orders. A file may show several (one sheet with answers,
    tickets and amounts); none when the header does not tell."""
    from cxkit.io.orders import PRESETS as ORDER_PRESETS
    from cxkit.io.presets import recognise
    from cxkit.io.surveys import recognise_survey
    from cxkit.io.tickets import PRESETS as TICKET_PRESETS

    if table.layout and table.layout.producer:  # Qualtrics, SurveyMonkey header rows
        return [Kind("responses", f"a {table.layout.producer} export", True)]
    for kind, presets in (("orders", ORDER_PRESETS), ("tickets", TICKET_PRESETS)):
        preset = recognise(table, presets)
        if preset:
            return [Kind(kind, f"a {preset.title} export", True)]
    survey = recognise_survey(table)
    if survey and survey.name == "delighted":
        return [Kind("responses", "a Delighted export", True)]
    found = []
    scores = _found(table, SURVEY_SCORE_ROLES)
    nps = scores.get("nps_score")
    if nps and _strong(nps.column, table, "nps_score"):
        found.append(Kind("responses", f"an NPS column '{nps.column}'"))
    orders = _found(table, ORDER_ROLES)
    if "amount" in orders and "ordered_at" in orders:
        found.append(Kind("orders", f"'{orders['ordered_at'].column}' and "
                                    f"'{orders['amount'].column}'"))
    tickets = _found(table, TICKET_ROLES)
    signs = [tickets[r].column for r in TICKET_SIGNS if r in tickets]
    if "created_at" in tickets and (signs or "satisfaction" in tickets):
        found.append(Kind("tickets", f"'{tickets['created_at'].column}' and "
                                     f"'{(signs or [tickets['satisfaction'].column])[0]}'"))
    if (scores or survey) and not any(k.kind == "responses" for k in found):
        col = next(iter(scores.values())).column if scores else None
        found.append(Kind("responses", f"a {survey.title} export" if survey else
                          f"a score column '{col}'", bool(survey)))
    return found


def _strong(column: str, table: Table, role: str) -> bool:
    """Named (or labelled) as the role, not only hinted at (`likely`, a bare `Score`)."""
    from cxkit.io.roles import _score

    name = table.originals.get(column, column)
    return max(_score(role, name), _score(role, table.labels.get(column, ""))) >= 2


def check_kind(table: Table, accepted: tuple[str, ...], command: str,
               override: str | None = None, fix: str | None = None) -> None:
    """Exit 65 when the file is recognised as another kind of export than the command reads,
    naming the kind and the command to use. `override` names the flag that reads it anyway."""
    kinds = detect_kinds(table)
    if not kinds or any(k.kind in accepted for k in kinds):
        return
    found = kinds[0]
    name = table.sources[0] if len(table.sources) == 1 else table.name
    want = " or ".join(WHAT[k] for k in accepted)
    if fix is None:
        fix = f"run {COMMAND[found.kind]} {name}" + {
            "responses": " (or cxkit csat / cxkit ces)", "tickets": "",
            "orders": " (or cxkit retention / cxkit clv)"}[found.kind]
    raise DataError(
        f"{table.name}: this is {found.describe()}, not {want} for {command}",
        fix + (f"; to read it as {want} anyway, name the columns ({override})"
               if override else ""),
    )


def kind_roles(table: Table, kind: str | None) -> dict:
    """role -> RoleMatch as the loader of that kind maps them without flags: the known tool's
    columns first (its preset), then names (`cxkit columns` shows these)."""
    from cxkit.io import resolve_roles
    from cxkit.io.orders import PRESETS as ORDER_PRESETS
    from cxkit.io.presets import preset_columns, recognise
    from cxkit.io.roles import ALL_ROLES, CONTACT_ROLES
    from cxkit.io.surveys import preset_roles, recognise_survey
    from cxkit.io.tickets import PRESETS as TICKET_PRESETS

    if kind in ("tickets", "orders"):
        presets = TICKET_PRESETS if kind == "tickets" else ORDER_PRESETS
        names = TICKET_ROLES if kind == "tickets" else ORDER_ROLES
        preset = recognise(table, presets)
        given = preset_columns(table, preset) if preset else {}
        return resolve_roles(table, names, given, {}, preset.skip if preset else ())
    names = ALL_ROLES + CONTACT_ROLES
    preset = recognise_survey(table)
    given = preset_roles(table, preset, names) if preset else {}
    return resolve_roles(table, names, given, {}, preset.skip if preset else ())
