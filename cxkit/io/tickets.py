"""Ticket exports: presets for known help desks, timestamps, durations in hours.

`load_tickets` returns a LazyFrame with canonical columns (KPIS.md "Inputs", tickets):
timestamps as naive Datetimes of local wall-clock time (`--timezone`, else as written),
durations in hours (Zendesk minutes and hours, Freshdesk `HH:MM:SS`, seconds...), text roles as
stripped strings, and the `--by` columns as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cxkit.errors import UsageError
from cxkit.io import (
    DATE_SAMPLE,
    LoadOptions,
    column_format,
    find_column,
    require_roles,
    sample_column,
    sample_columns,
    unique_by_name,
)
from cxkit.io.dates import DateFormat, few_values, in_range, parse_expr, stripped
from cxkit.io.overlap import without_repeats
from cxkit.io.presets import Preset, open_export
from cxkit.io.read import Table
from cxkit.io.roles import TICKET_ROLES, normalise
from cxkit.io.vocabulary import CHEAP, distinct, folded, matching, one_of, unchanged

TIMESTAMPS = ("created_at", "first_response_at", "resolved_at")
DURATIONS = {"first_response_minutes": "first_response_at", "resolution_minutes": "resolved_at"}
# (the ticket id is no column of the frame: only `without_repeats` reads it, from the raw
# table, so a report's in-memory copy of the rows does not hold 5M id strings)
TEXT_ROLES = ("customer_id", "status", "fcr", "category", "severity", "type",
              "is_complaint", "tags", "satisfaction", "first_response_status",
              "resolution_status")
BLANK_IS_NONE = ("customer_id",)  # spaces only: no value, as an empty cell
COUNT_ROLES = ("contacts", "reopens")
SPAM_SAMPLE = 2000  # status values looked at for `spam` when the column's values are not known
# text roles of few values, matched against word lists (their vocabulary is read when cheap)
FEW_VALUED = ("status", "fcr", "first_response_status", "resolution_status", "spam")
CLOCK = r"^\d+:\d{2}(?::\d{2})?$"


PRESETS = {
    "zendesk": Preset(
        "zendesk",
        ("requesterid", "solvedat", "via", "satisfactionscore", "firstreplytimeinminutes",
         "fullresolutiontimeinminutes", "replies", "reopens"),
        {
            "ticket_id": ["id"],
            "customer_id": ["requesterid", "requesteremail"],
            "created_at": ["createdat"],
            "resolved_at": ["solvedat"],
            "first_response_minutes": ["firstreplytimeinminutes"],
            "resolution_minutes": ["fullresolutiontimeinminutes", "resolutiontime"],
            "contacts": ["replies"],
            "reopens": ["reopens"],
            "satisfaction": ["satisfactionscore"],
            "severity": ["priority"],
            "type": ["tickettype"],
        },
        # `Resolution time` is whole hours; every `... in minutes` column is minutes (EXPORTS 1.1)
        {"resolutiontime": "hours"},
    ),
    "freshdesk": Preset(
        "freshdesk",
        ("ticketid", "createdtime", "resolvedtime", "agentinteractions",
         "firstresponsetimeinhrs", "resolutiontimeinhrs", "initialresponsetime",
         "surveyresults"),
        {
            "ticket_id": ["ticketid"],
            "customer_id": ["contactid", "email"],
            "created_at": ["createdtime"],
            "first_response_at": ["initialresponsetime"],
            "resolved_at": ["resolvedtime", "closedtime"],
            "first_response_minutes": ["firstresponsetimeinhrs", "firstresponsetimeinmins"],
            "resolution_minutes": ["resolutiontimeinhrs"],
            "contacts": ["agentinteractions"],
            "satisfaction": ["surveyresults"],
            "severity": ["priority"],
            "type": ["type"],
        },
    ),
    # Salesforce Service Cloud case reports: `3/14/2025 2:05 PM` times; `Contact Name` is the
    # customer when the report has no contact id or email
    "salesforce": Preset(
        "salesforce",
        ("casenumber", "datetimeopened", "datetimeclosed", "caseorigin", "casereason",
         "caseowner", "contactname", "accountname", "caseid", "casestatus"),
        {
            "ticket_id": ["casenumber", "caseid"],
            "created_at": ["datetimeopened", "openeddate", "createddate", "dateopened"],
            "resolved_at": ["datetimeclosed", "closeddate", "dateclosed"],
            "customer_id": ["contactid", "contactemail", "email", "contactname", "accountid",
                            "accountname"],
            "status": ["status", "casestatus"],
            "category": ["casereason", "reason"],
            "type": ["type", "casetype"],
            "severity": ["priority"],
        },
        label="Salesforce",
    ),
    # Gorgias ticket object (EXPORTS.md 1.5): `*_datetime` ISO times; snoozed counts as closed
    "gorgias": Preset(
        "gorgias",
        ("createddatetime", "closeddatetime", "openeddatetime", "lastmessagedatetime",
         "lastreceivedmessagedatetime", "snoozedatetime", "assigneeuser", "assigneeteam",
         "satisfactionsurvey", "satisfactionsurveyscore"),
        {
            "ticket_id": ["id", "ticketid"],
            "created_at": ["createddatetime"],
            "resolved_at": ["closeddatetime"],
            "customer_id": ["customerid", "customeremail", "customer"],
            "status": ["status"],
            "satisfaction": ["satisfactionsurveyscore", "satisfactionscore",
                             "satisfactionsurvey", "satisfaction"],
            "tags": ["tags"],
        },
        statuses={"snoozed": "closed"},
    ),
    # Intercom conversations (dataset export, API and Fivetran flattenings; Unix seconds)
    "intercom": Preset(
        "intercom",
        ("conversationid", "conversationstartedat", "conversationfirstrepliedat",
         "conversationrating", "conversationstate", "statisticsfirstadminreplyat",
         "statisticscountreopens", "conversationlastclosedat", "statisticslastcloseat",
         "waitingsince", "snoozeduntil", "conversationratingrating"),
        {
            "ticket_id": ["conversationid", "id"],
            "created_at": ["conversationstartedat", "conversationcreatedat", "createdat"],
            "first_response_at": ["conversationfirstrepliedat", "statisticsfirstadminreplyat",
                                  "firstadminreplyat"],
            "resolved_at": ["conversationlastclosedat", "statisticslastcloseat", "lastcloseat",
                            "conversationclosedat"],
            "status": ["conversationstate", "state"],
            "satisfaction": ["conversationrating", "conversationratingrating", "rating"],
            "reopens": ["statisticscountreopens", "countreopens"],
            "customer_id": ["contactid", "userid", "contactemail", "email"],
        },
    ),
    # Help Scout conversations (API v2 fields; ratings Great / Okay / Not Good)
    "helpscout": Preset(
        "helpscout",
        ("mailboxid", "mailbox", "conversationnumber", "customerwaitingsince",
         "primarycustomeremail", "primarycustomerid", "happiness", "happinessrating",
         "closedby", "threadcount"),
        {
            "ticket_id": ["id", "conversationid", "number", "conversationnumber"],
            "created_at": ["createdat", "created"],
            "resolved_at": ["closedat", "closed"],
            "customer_id": ["primarycustomerid", "customerid", "primarycustomeremail",
                            "customeremail", "customer"],
            "status": ["status"],
            "satisfaction": ["rating", "happiness", "happinessrating"],
            "tags": ["tags"],
        },
        label="Help Scout",
    ),
}


@dataclass
class TicketLoad:
    lf: pl.LazyFrame
    table: Table
    columns: dict[str, str]  # role -> input column
    units: dict[str, str]  # duration role -> unit used
    notices: list[str]
    by: list[str]
    preset: str | None
    vocabulary: dict[str, list[str]] = field(default_factory=dict)  # role -> distinct values


def duration_unit(column: str, sample: pl.Series, preset: Preset | None) -> str:
    """hours, minutes, seconds, days or clock (HH:MM:SS), from the values and the name."""
    values = sample.cast(pl.String).str.strip_chars()
    values = values.filter(values.is_not_null() & (values != ""))
    if len(values) and values.str.contains(CLOCK).mean() >= 0.8:
        return "clock"
    norm = normalise(column)
    if preset and norm in preset.units:
        return preset.units[norm]
    for unit, marks in (("minutes", ("minute", "mins", "inmin")), ("seconds", ("second", "secs")),
                        ("days", ("days", "jours")), ("hours", ("hrs", "hour", "heure"))):
        if any(m in norm for m in marks):
            return unit
    return "hours"


def hours_expr(column: str, unit: str, dtype: pl.DataType = pl.String) -> pl.Expr:
    """A duration column in hours; `27:05:10` (Freshdesk, hours past 24) is read too."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    if unit == "clock":
        parts = text.str.extract_groups(r"^(\d+):(\d{2})(?::(\d{2}))?$")
        h, m, s = (parts.struct.field(str(i)).cast(pl.Float64) for i in (1, 2, 3))
        return h + m / 60 + s.fill_null(0) / 3600
    number = number_expr(column, dtype, text.str.replace_all(r"[\s\u00a0]", "")
                         .str.replace(",", "."))
    return number / {"hours": 1, "minutes": 60, "seconds": 3600, "days": 1 / 24}[unit]


def number_expr(column: str, dtype: pl.DataType, text: pl.Expr | None = None) -> pl.Expr:
    """The column as Float64: a numeric column cast as it is (through text, 5M Parquet ints
    took 0.1 s a column for the same values), a text one from `text` (default: stripped)."""
    if dtype.is_numeric():
        return pl.col(column).cast(pl.Float64)
    text = pl.col(column).cast(pl.String).str.strip_chars() if text is None else text
    return text.cast(pl.Float64, strict=False)


def timestamp_expr(column: str, fmt: DateFormat, timezone: str | None,
                   stripped: bool = False) -> pl.Expr:
    """Naive local wall-clock time: values with an offset are moved to --timezone (or UTC).
    `stripped`: the column is text already stripped (`cxkit.io.dates.stripped`)."""
    if not fmt.strip_tz or fmt.fmt is None:
        return parse_expr(column, fmt, stripped)
    text = pl.col(column) if stripped else pl.col(column).cast(pl.String).str.strip_chars()
    text = text.str.replace(r"\s*(?:Z|UTC|GMT)$", "+0000").str.replace(
        r"\s*([+-]\d{2}):?(\d{2})$", "${1}${2}")
    aware = text.str.strptime(pl.Datetime("us", "UTC"), fmt.fmt + "%z", strict=False,
                              cache=few_values(fmt.fmt))
    # dates outside the plausible years are invalid (cxkit.io.dates.in_range), as unzoned ones
    return in_range(aware.dt.convert_time_zone(timezone or "UTC").dt.replace_time_zone(None))


def load_tickets(
    opts: LoadOptions, preset_name: str | None = None, timezone: str | None = None,
    flags: dict[str, str] | None = None, command: str = "cxkit tickets",
) -> TicketLoad:
    flags = flags or {}
    table, notices, preset, roles = open_export(opts, PRESETS, preset_name, TICKET_ROLES, flags,
                                                "tickets", command, ("created_at",))
    require_roles(table, roles, ("created_at",), {"created_at": "--created", **flags},
                  {"created_at": "the ticket creation date"})
    exprs, units, texts = [], {}, []
    schema = table.lf.collect_schema()
    # the text timestamps' and durations' samples, in one read of the head
    wanted = {roles[r].column: DATE_SAMPLE for r in TIMESTAMPS
              if r in roles and not schema[roles[r].column].is_temporal()}
    wanted.update({roles[r].column: 200 for r in DURATIONS if r in roles})
    if "status" in roles and table.kind not in CHEAP:  # for `_spam`, in the same read
        wanted.setdefault(roles["status"].column, SPAM_SAMPLE)
    samples = sample_columns(table, wanted) if wanted else {}
    for role in TIMESTAMPS:
        if role not in roles:
            continue
        col = roles[role].column
        dtype = schema[col]
        fmt = column_format(table, col, opts.dayfirst, notices, samples.get(col))
        text = not dtype.is_temporal()  # stripped once, before (`texts`)
        texts += [col] if text else []
        exprs.append(timestamp_expr(col, fmt, timezone, stripped=text).alias(role))
        raw = pl.col(col)
        blank = raw.is_null() | (raw == "") if text else raw.is_null()
        exprs.append(blank.alias(role + "__blank"))
    for role in DURATIONS:
        if role in roles:
            col = roles[role].column
            units[role] = duration_unit(col, samples[col], preset)
            exprs.append(hours_expr(col, units[role], schema[col]).alias(role))
    # few-valued text columns of a Parquet or Excel export: their distinct values, so that the
    # folds (strip, lower case) run on those (cxkit.io.vocabulary)
    few = distinct(table, [roles[r].column for r in FEW_VALUED if r in roles])
    vocabulary = {}
    for role in TEXT_ROLES:
        if role in roles:
            col = roles[role].column
            fold = _text_fold(role, preset)
            values = few.get(col)
            if values is not None:
                vocabulary[role] = folded(values, fold).unique(maintain_order=True).to_list()
            # a strip that changes no value is not run on the rows
            text = pl.col(col).cast(pl.String) if values is not None and unchanged(
                values, fold) else fold(pl.col(col))
            if role in BLANK_IS_NONE:  # spaces only: no customer, as an empty cell
                text = pl.when(text != "").then(text)
            exprs.append(text.alias(role))
    spam = _spam(table, roles, preset, few, samples)
    if spam is not None:
        exprs.append(spam.fill_null(False).alias("__spam"))
    for role in COUNT_ROLES:
        if role in roles:
            col = roles[role].column
            exprs.append(number_expr(col, schema[col]).alias(role))
    by = [find_column(table, b, "--by") for b in opts.by]
    exprs.extend(pl.col(b) for b in by)
    ids = roles["ticket_id"].column if "ticket_id" in roles else None
    lf = stripped(without_repeats(table, exprs, ids, "ticket id", notices),
                  list(dict.fromkeys(texts))).select(unique_by_name(exprs))
    columns = {r: m.column for r, m in roles.items()}
    return TicketLoad(lf, table, columns, units, notices, by, preset.name if preset else None,
                      vocabulary)


def _text_fold(role: str, preset: Preset | None):
    def fold(col: pl.Expr) -> pl.Expr:
        text = col.cast(pl.String).str.strip_chars()
        if role == "status" and preset and preset.statuses:  # Gorgias: snoozed = closed
            words = preset.statuses
            text = text.str.to_lowercase().replace(list(words), list(words.values()))
        return text
    return fold


def _lower(col: pl.Expr) -> pl.Expr:
    return col.cast(pl.String).str.strip_chars().str.to_lowercase()


def _spam(table: Table, roles, preset: Preset | None, few: dict[str, list[str]],
          samples: dict[str, pl.Series]) -> pl.Expr | None:
    """Conversations marked spam: Help Scout's status `spam`, Gorgias' `spam` flag (None when
    the export has neither: no KPI then reports a spam count). `few`: distinct values known
    (a status `spam` anywhere in the column counts), else the status is looked for in its first
    SPAM_SAMPLE values (`samples`: read already, with the timestamps' samples)."""
    def among(col: str, words: list[str]) -> pl.Expr:
        if col in few:
            return one_of(pl.col(col).cast(pl.String), matching(few[col], _lower, words))
        return _lower(pl.col(col)).is_in(words)

    parts = []
    status = roles["status"].column if "status" in roles else None
    if status and (preset and preset.name == "helpscout" or _says_spam(table, status, few,
                                                                         samples)):
        parts.append(among(status, ["spam"]))
    if "spam" in roles:
        parts.append(among(roles["spam"].column, ["1", "true", "yes", "y", "oui", "vrai", "x"]))
    return pl.any_horizontal(parts) if parts else None


def _says_spam(table: Table, status: str, few: dict[str, list[str]],
               samples: dict[str, pl.Series]) -> bool:
    if status in few:
        values = pl.Series(few[status], dtype=pl.String)
    elif status in samples:
        values = samples[status]
    else:
        values = sample_column(table, status, SPAM_SAMPLE)
    return bool(_lower(values).eq("spam").any())  # a Series folds as an expression does


def check_timezone(name: str | None) -> str | None:
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone '{name}': unknown time zone",
                         "use an IANA name such as Europe/Paris or America/New_York") from None
    return name
