"""The three kinds of export a report reads: survey responses, support tickets, orders.

`classify` tells which one a file is from its header; `load_source` reads it with the loader of
that kind and, for the breakdown columns asked for, keeps those the file has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxkit.errors import DataError
from cxkit.io import Loaded, LoadOptions, load
from cxkit.io.read import read_inputs
from cxkit.io.roles import _RULES, ALL_ROLES, SURVEY_SCORE_ROLES, normalise

KINDS = ("responses", "tickets", "orders")
CHECKED = ""  # the command name a loader gets when the kind was checked already (the report)
# email and name: for the follow-up list (when the roles table knows them)
SURVEY_ROLES = tuple(dict.fromkeys(ALL_ROLES + tuple(r for r in ("email", "name") if r in _RULES)))


@dataclass
class SourceSpec:
    """How to read one source: from flags or from a [responses]/[tickets]/[orders] table."""

    files: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    dayfirst: bool | None = None
    columns: dict[str, str] = field(default_factory=dict)  # role -> column
    preset: str | None = None
    timezone: str | None = None
    amount_unit: str | None = None

    def load_options(self, by: list[str] | None = None) -> LoadOptions:
        return LoadOptions(inputs=self.files, encoding=self.encoding, delimiter=self.delimiter,
                           columns=dict(self.columns), by=list(by or []), dayfirst=self.dayfirst)


def classify(path: str, encoding: str | None = None, delimiter: str | None = None) -> str:
    """responses, tickets or orders, from the header of one file (or glob; - is stdin, read
    once and kept for the loader)."""
    from cxkit.io.kinds import detect_kind

    table = read_inputs([path], encoding, delimiter)
    found = detect_kind(table)
    if found is None:
        raise DataError(f"{table.name}: cannot tell whether this is survey responses, tickets or "
                        "orders; columns are: " + ", ".join(table.columns),
                        "pass it with --responses, --tickets or --orders")
    return found.kind


def check_source(kind: str, path: str, encoding: str | None = None,
                 delimiter: str | None = None) -> None:
    """A file given with --tickets (say) that is recognised as another kind is refused."""
    from cxkit.io.kinds import check_kind, detect_kind

    table = read_inputs([path], encoding, delimiter)
    found = detect_kind(table)
    if found:
        check_kind(table, (kind,), f"--{kind}", fix=f"pass it with --{found.kind}")


def present(columns: list[str], wanted: list[str]) -> list[str]:
    """The breakdown columns this export has (names compared loosely), as it names them."""
    by_norm = {normalise(c): c for c in columns}
    return [by_norm[normalise(w)] for w in wanted if normalise(w) in by_norm]


def load_responses(spec: SourceSpec, by: list[str]) -> Loaded:
    """Every survey role the export has; the date parsed when there is one."""
    flags = {r: f"--column responses.{r}=COL" for r in SURVEY_ROLES}
    first = load(spec.load_options(), SURVEY_ROLES, (), flags, "responded_at", accept=())
    if not set(SURVEY_SCORE_ROLES) & set(first.roles):
        raise DataError(f"{first.table.name}: no column looks like an NPS, CSAT or CES score; "
                        "columns are: " + ", ".join(first.table.columns),
                        "pass --column responses.nps_score=COLUMN")
    keep = present(first.table.columns, by)
    dated = "responded_at" in first.roles
    if not keep and not dated:
        return first
    return load(spec.load_options(keep), SURVEY_ROLES, (), flags, "responded_at",
                need_date=dated, accept=())


def load_tickets_source(spec: SourceSpec, by: list[str]):
    from cxkit.io.tickets import check_timezone, load_tickets

    flags = {"created_at": "--column tickets.created_at=COL"}
    timezone = check_timezone(spec.timezone)
    return load_tickets(_options(spec, by), spec.preset, timezone, flags, CHECKED)


def load_orders_source(spec: SourceSpec, by: list[str]):
    from cxkit.io.orders import load_orders
    from cxkit.io.tickets import check_timezone

    flags = {r: f"--column orders.{r}=COL" for r in ("ordered_at", "customer_id", "amount")}
    timezone = check_timezone(spec.timezone)
    return load_orders(_options(spec, by), spec.preset, timezone, flags, spec.amount_unit,
                       command=CHECKED)


def _options(spec: SourceSpec, by: list[str]) -> LoadOptions:
    """The load options with the breakdown columns this export has (its header, read without
    loading it: a load samples dates, reads distinct values and checks ids)."""
    table = read_inputs(spec.files, spec.encoding, spec.delimiter)
    return spec.load_options(present(table.columns, by))

