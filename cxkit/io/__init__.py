"""Load inputs into a LazyFrame with canonical column names (KPIS.md "Inputs")."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cxkit.errors import DataError
from cxkit.io.dates import DateFormat, ambiguity_notice, detect_format
from cxkit.io.overlap import without_repeats
from cxkit.io.read import Table, read_inputs
from cxkit.io.roles import RoleMatch, detect_roles, normalise

DATE_SAMPLE = 1000
DAY_KEY = "__day"  # the calendar day of each row: a Date, or the raw YYYY-MM-DD-like prefix
NO_DATE = "__no_date"  # the date cell is empty
EXCLUDED = "__excluded"  # a survey preview, test or spam response, not a customer's answer
# Qualtrics `Status` as text or as its numeric code (1 preview, 2 test, 8 spam; EXPORTS.md 1.9)
NOT_RESPONSES = ["survey preview", "survey test", "spam", "1", "2", "8"]


@dataclass
class LoadOptions:
    inputs: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # role -> column given by a flag
    by: list[str] = field(default_factory=list)
    dayfirst: bool | None = None


@dataclass
class Loaded:
    """Canonical columns: each role under its own name, the date parsed, `by` columns as is."""

    lf: pl.LazyFrame
    table: Table
    roles: dict[str, RoleMatch]
    date_format: DateFormat | None
    notices: list[str]
    by: list[str]  # the --by columns as named in the input
    day_format: str | None = None  # how to parse the DAY_KEY column (None: it is a Date)


def find_column(table: Table, name: str, flag: str) -> str:
    """Resolve a user-given column name, forgiving case, spaces and accents."""
    if name in table.columns:
        return name
    wanted = normalise(name)
    for col in table.columns:
        if normalise(col) == wanted or normalise(table.labels.get(col, "")) == wanted:
            return col
    for col in table.columns:  # `Properties: Plan` (Delighted), `plan (metadata)` (Stripe)
        if _unwrapped(col) == wanted:
            return col
    raise DataError(
        f"{table.name}: no column '{name}' (given with {flag}); columns are: "
        + ", ".join(table.columns),
        f"pass {flag} with one of these names (`cxkit columns {table.sources[0]}` shows them)",
    )


_WRAPPERS = (r"^\s*(?:person\s+)?propert(?:y|ies)\s*:\s*", r"\s*\(metadata\)\s*$",
             r"^\s*metadata\s*[:.]\s*", r"^\s*hidden\s*:\s*")


def _unwrapped(column: str) -> str:
    """A column name without the wrapper a tool puts around custom fields."""
    import re

    for pattern in _WRAPPERS:
        column = re.sub(pattern, "", column, flags=re.IGNORECASE)
    return normalise(column)


def resolve_roles(
    table: Table, wanted: tuple[str, ...], given: dict[str, str], flags: dict[str, str],
    skip: tuple[str, ...] = (),
) -> dict[str, RoleMatch]:
    """Explicit columns first, then names detected for the other wanted roles (never the
    columns whose normalised name is in `skip`)."""
    roles = {
        role: RoleMatch(find_column(table, col, flags.get(role, "--" + role)), role, "given")
        for role, col in given.items()
        if col
    }
    rest = tuple(r for r in wanted if r not in roles)
    taken = {m.column for m in roles.values()}
    columns = [c for c in table.columns if c not in taken and normalise(c) not in skip]
    roles.update(detect_roles(columns, table.labels, rest, table.originals))
    return roles


ROLE_WORDS = {"nps_score": "the NPS score", "csat_score": "the CSAT score",
              "ces_score": "the CES score", "responded_at": "the response date",
              "customer_id": "the customer id"}


def require_roles(table: Table, roles: dict[str, RoleMatch], required, flags: dict[str, str],
                  what: dict[str, str] | None = None) -> None:
    """A required role that no column fits, or that two columns fit equally well, is an error
    naming the columns and the flag that chooses (`nps`, `nps` in one header: which one?)."""
    what = {**ROLE_WORDS, **(what or {})}
    for role in required:
        flag = flags.get(role, "--" + role)
        label = what.get(role, role.replace("_", " "))
        if role not in roles:
            raise DataError(
                f"{table.name}: no column looks like {label}; columns are: "
                + ", ".join(table.columns),
                f"pass {flag} COLUMN",
            )
        match = roles[role]
        if match.rivals:
            names = [match.column, *match.rivals]
            shown = ", ".join(f"'{c}'" + (f" (another column headed '{table.originals[c]}')"
                                          if c in table.originals else "") for c in names)
            raise DataError(
                f"{table.name}: {len(names)} columns could be {label}: {shown}",
                f"pass {flag} with the one to use, e.g. {flag} '{names[-1]}'",
            )


def sample_column(table: Table, column: str, n: int = DATE_SAMPLE) -> pl.Series:
    return sample_columns(table, {column: n})[column]


def sample_columns(table: Table, wanted: dict[str, int]) -> dict[str, pl.Series]:
    """Column -> up to n of its first non-null values, from its first 5n rows, for each
    (column, n) of `wanted`, in one read of the file's head (a CSV's reader starts once: three
    ticket timestamps of a 5M-ticket CSV, 0.12-0.34 s read one by one, 0.05 s together)."""
    # head() before any filter lets the reader stop early
    rows = 5 * max(wanted.values())
    head = table.lf.select(list(wanted)).head(rows).collect(engine="streaming")
    return {c: head[c].head(5 * n).drop_nulls().head(n) for c, n in wanted.items()}


def column_format(table: Table, col: str, dayfirst: bool | None, notices: list[str],
                  sample: pl.Series | None = None) -> DateFormat:
    """The date format of one column, from a sample (`sample`: taken already, by
    `sample_columns`); a notice when dd/mm vs mm/dd is a guess."""
    dtype = table.lf.collect_schema()[col]
    if dtype.is_temporal():
        sample = pl.Series([], dtype=dtype)
    elif sample is None:
        sample = sample_column(table, col)
    found = detect_format(sample, col, table.name, dayfirst, table.dayfirst_hint)
    if found.ambiguous:
        notices.append(ambiguity_notice(table.name, col, found))
    return found


def load(
    opts: LoadOptions,
    wanted: tuple[str, ...],
    required: tuple[str, ...],
    flags: dict[str, str],
    date_role: str | None = None,
    need_date: bool = False,
    accept: tuple[str, ...] = ("responses",),
    command: str = "",
) -> Loaded:
    """Read survey answers and select only the columns the KPI needs, under canonical names.

    A file recognised as another kind of export than `accept` is refused (unless the required
    columns are given by flags). `wanted` roles are looked for: a known tool's columns first
    (Delighted, Typeform, Google Forms), then names; a missing or ambiguous `required` role is
    an error naming the flag to pass. When `need_date` is set the date role is required; its
    format is detected once and the frame gets DAY_KEY and NO_DATE columns for calendar
    grouping (see `DateFormat.day_key`).
    """
    from cxkit.io.kinds import check_kind
    from cxkit.io.surveys import preset_roles, recognise_survey

    table = read_inputs(opts.inputs, opts.encoding, opts.delimiter)
    notices = list(table.notices)
    given = {r: c for r, c in opts.columns.items() if c}
    if accept and not all(r in given for r in required):
        check_kind(table, accept, command or "this command",
                   " ".join(f"{flags.get(r, '--' + r)} COL" for r in required))
    preset = recognise_survey(table)
    if preset:
        given = preset_roles(table, preset, wanted) | given
        if preset.name == "delighted":
            notices.append(f"{table.name}: read as a Delighted export ('Score' is the answer)")
    roles = resolve_roles(table, wanted, given, flags, preset.skip if preset else ())
    needed = list(required) + ([date_role] if need_date and date_role else [])
    require_roles(table, roles, needed, flags)
    by = [find_column(table, b, "--by") for b in opts.by]
    exprs = [pl.col(m.column).alias(role) for role, m in roles.items() if role != date_role]
    date_format = day_format = None
    if need_date and date_role:
        col = roles[date_role].column
        date_format = column_format(table, col, opts.dayfirst, notices)
        key, day_format = date_format.day_key(col)
        exprs.append(key.alias(DAY_KEY))
        if day_format is None and not date_format.native:  # null key: empty, or unreadable?
            raw = pl.col(col).cast(pl.String).str.strip_chars()
            exprs.append((raw.is_null() | (raw == "")).alias(NO_DATE))
    exprs.extend(pl.col(b) for b in by)
    if table.layout and table.layout.producer == "Qualtrics" and "Status" in table.columns:
        status = pl.col("Status").cast(pl.String).str.strip_chars().str.to_lowercase()
        exprs.append(status.is_in(NOT_RESPONSES).fill_null(False).alias(EXCLUDED))
        notices.append(f"{table.name}: Qualtrics previews, tests and spam are left out "
                       "(dropped as preview_or_test)")
    lf = without_repeats(table, exprs, _id_column(table, roles), "response id", notices)
    lf = lf.select(unique_by_name(exprs))
    return Loaded(lf, table, roles, date_format, notices, by, day_format)


def _id_column(table: Table, roles: dict[str, RoleMatch]) -> str | None:
    """The response id, looked for only when several files may overlap."""
    if len(table.sources) < 2:
        return None
    if "response_id" in roles:
        return roles["response_id"].column
    taken = {m.column for m in roles.values()}
    found = detect_roles([c for c in table.columns if c not in taken], table.labels,
                         ("response_id",), table.originals)
    return found["response_id"].column if found else None


def unique_by_name(exprs: list[pl.Expr]) -> list[pl.Expr]:
    seen, out = set(), []
    for e in exprs:
        name = e.meta.output_name()
        if name not in seen:
            seen.add(name)
            out.append(e)
    return out
