"""The configuration file of `cxkit report`: find it, read it, check every key, say where.

A cron job runs `cxkit report -c cxkit.toml` from any folder, so every mistake is found up front
and named as `FILE:LINE: what is wrong`, with the fix; relative paths in the file are relative to
the file's folder. Only the standard library is used (`--help` and `cxkit config check` never
import Polars): the names the data modules define (presets, roles, periods) are repeated here as
literals, and tests/test_config.py checks they stay equal.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cxkit.errors import InputError, UsageError
from cxkit.units import duration_hours, share

CONFIG_NAME = "cxkit.toml"
PYPROJECT_NAME = "pyproject.toml"
PYPROJECT_PREFIX = ["tool", "cxkit"]

# Repeated from the modules that import Polars; tests/test_config.py checks they are equal.
PERIODS = ("day", "week", "month", "quarter", "year")  # cxkit.kpi.grouping.PERIODS
SECTORS = ("ecommerce", "saas", "retail")  # cxkit.kpi.benchmarks.SECTORS
MAX_DURATION_DAYS = 3650  # cxkit.io.dates.MAX_DURATION_DAYS
SECTIONS = ("kpis", "breakdowns", "what_moved", "themes", "cohorts", "nps_revenue", "followup",
            "matching")  # kpi.report
TICKET_PRESETS = ("zendesk", "freshdesk", "salesforce", "gorgias", "intercom", "helpscout")
# cxkit.io.tickets.PRESETS
ORDER_PRESETS = ("shopify", "woocommerce", "stripe")  # cxkit.io.orders.PRESETS
SURVEY_ROLES = ("nps_score", "csat_score", "ces_score", "responded_at", "customer_id",
                "response_id", "comment", "email", "name")  # roles.ALL_ROLES + CONTACT_ROLES
TICKET_ROLES = ("ticket_id", "customer_id", "created_at", "first_response_at",
                "first_response_minutes", "resolved_at", "resolution_minutes", "status",
                "contacts", "reopens", "fcr", "category", "severity", "type", "is_complaint",
                "tags", "satisfaction", "first_response_status", "resolution_status", "spam")
ORDER_ROLES = ("order_id", "customer_id", "ordered_at", "amount", "order_status",
               "refunded_amount", "returned", "cancelled_at", "referred_by",
               "acquisition_channel")
KPI_NAMES = (  # cxkit.kpi.report.KPI_INFO: the cards a threshold can name
    "nps", "csat", "ces", "volume", "first_response_time", "resolution_time", "fcr",
    "reopen_rate", "backlog", "sla_first_response", "sla_resolution", "ticket_csat",
    "complaint_rate", "orders", "customers", "revenue", "aov", "purchase_frequency",
    "repeat_purchase_rate", "return_rate", "cart_abandonment_rate", "referral_rate", "clv",
    "clv_predicted",
    "retention_rate", "churn_rate",
)
# as cxkit.kpi.business_hours._SPEC reads it (that module imports Polars)
_TIME = r"\d{1,2}(?:[:h]\d{2}|h)?"
BUSINESS_HOURS = re.compile(rf"^(?P<days>.+?)\s+(?P<open>{_TIME})\s*-\s*(?P<close>{_TIME})$",
                            re.IGNORECASE)

SOURCES = ("responses", "tickets", "orders")
PLACEHOLDERS = ("date", "period")


@dataclass(frozen=True)
class SourceConfig:
    """One `[responses]`, `[tickets]` or `[orders]` table; None where the file says nothing."""

    files: list[str] = field(default_factory=list)  # resolved against the config's folder
    encoding: str | None = None
    delimiter: str | None = None
    dayfirst: bool | None = None
    columns: dict[str, str] = field(default_factory=dict)  # role -> column name
    preset: str | None = None
    timezone: str | None = None
    business_hours: str | None = None
    holidays: str | None = None  # a resolved path
    sla_first_response: str | None = None  # duration text, as the CLI takes it
    sla_resolution: str | None = None
    amount_unit: str | None = None
    margin: str | None = None  # share text: "35%" or "0.35"


@dataclass(frozen=True)
class Config:
    path: Path
    report: dict[str, Any] = field(default_factory=dict)  # only the keys the file gives
    sources: dict[str, SourceConfig] = field(default_factory=dict)  # only the tables given
    fail_under: dict[str, float] = field(default_factory=dict)
    fail_over: dict[str, float] = field(default_factory=dict)
    prefix: tuple[str, ...] = ()  # ("tool", "cxkit") for pyproject.toml


# ------------------------------------------------------------------------------------------------
# Finding the file


def find_config(explicit: str | None, cwd: Path) -> tuple[Path, list[str]] | None:
    """`--config PATH`, else ./cxkit.toml, else ./pyproject.toml with a [tool.cxkit] table."""
    if explicit is not None:
        path = Path(os.path.normpath(cwd / Path(explicit).expanduser()))
        if not path.exists():
            raise InputError(f"{explicit}: no such configuration file",
                             f"check the path, or create it (e.g. {CONFIG_NAME})")
        if path.is_dir():
            raise InputError(f"{explicit}: is a folder",
                             f"pass the file, e.g. {Path(explicit) / CONFIG_NAME}")
        return path, list(PYPROJECT_PREFIX) if path.name == PYPROJECT_NAME else []
    path = cwd / CONFIG_NAME
    if path.is_file():
        return path, []
    path = cwd / PYPROJECT_NAME
    if path.is_file():
        text = _read(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            if re.search(r"^\s*\[+\s*tool\s*\.\s*cxkit\b", text, re.MULTILINE):
                raise _toml_error(path, text, exc) from None
            return None  # someone else's broken file, and no cxkit table in it
        if isinstance(data.get("tool"), dict) and "cxkit" in data["tool"]:
            return path, list(PYPROJECT_PREFIX)
    return None


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise InputError(f"{shown(path)}: permission denied",
                         "check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"{shown(path)}: cannot be read ({exc.strerror or exc})",
                         "check the path") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(f"{shown(path)}:{line}: not UTF-8 text",
                         "save the file as UTF-8 (TOML files are UTF-8)") from None


def shown(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------------------------
# Line numbers


_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_PART = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")


def _parts(dotted: str) -> list[str]:
    out = []
    for part in re.findall(_PART, dotted):
        if part.startswith('"'):
            part = part[1:-1].encode("utf-8").decode("unicode_escape") if "\\" in part \
                else part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        out.append(part)
    return out


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The first line of every table header and `key =` (by full dotted path) in a TOML text.

    Keys inside an inline table (`columns = { nps_score = "Q1" }`) are not listed: their line
    is the line of the inline table's own key. Lines inside multi-line strings are skipped.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: list[str] = []
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(2))
            lines.setdefault(tuple(table), number)
            continue
        key = _KEY.match(line)
        if key:
            path = table + _parts(key.group(1))
            for end in range(len(table) + 1, len(path) + 1):  # `a.b = 1` defines a and a.b
                lines.setdefault(tuple(path[:end]), number)
        for quote in ('"""', "'''"):
            if line.count(quote) % 2:
                in_string = quote
                break
    return lines


def line_of(lines: dict[tuple[str, ...], int], path: list[str] | tuple[str, ...]) -> int:
    """The line of `path`, else of the nearest enclosing key or table, else 1."""
    for end in range(len(path), 0, -1):
        if tuple(path[:end]) in lines:
            return lines[tuple(path[:end])]
    return 1


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> UsageError:
    message = str(exc)
    match = _POSITION.search(message)
    if match and match.group(1):
        line = int(match.group(1))
    elif match:  # at end of document
        line = max(1, len(text.splitlines()))
    else:
        line = 1
    detail = _POSITION.sub("", message).strip() or "syntax error"
    return UsageError(f"{shown(path)}:{line}: invalid TOML: {detail}",
                      'check that line: key = "text", key = 12, key = ["a", "b"], [section]')


# ------------------------------------------------------------------------------------------------
# Checking


class _Checker:
    """Walks the parsed file; `fail` raises a UsageError at the line of a key path."""

    def __init__(self, path: Path, text: str, prefix: list[str]):
        self.path = path
        self.prefix = list(prefix)
        self.lines = key_lines(text)
        self.base = path.absolute().parent

    def fail(self, keys: list[str], problem: str, hint: str | None = None) -> UsageError:
        line = line_of(self.lines, self.prefix + keys)
        return UsageError(f"{shown(self.path)}:{line}: {problem}", hint)

    def table(self, keys: list[str]) -> str:
        return "[" + ".".join(self.prefix + keys) + "]"

    def where(self, keys: list[str]) -> str:
        """`[tickets] sla_resolution`, `[thresholds] fail_under.nps`."""
        return f"{self.table(keys[:1])} {'.'.join(keys[1:])}" if len(keys) > 1 \
            else self.table(keys)

    def unknown(self, keys: list[str], known: list[str] | tuple[str, ...], what: str) -> None:
        name = keys[-1]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            hint = f"did you mean '{close[0]}'?"
        else:
            hint = f"known {what}s: {', '.join(known)}"
        inside = f" in {self.table(keys[:-1])}" if keys[:-1] else ""
        if what == "section":
            label = f"unknown section {self.table(keys)}"
            if close:
                hint = f"did you mean {self.table(keys[:-1] + close)}?"
        else:
            label = f"unknown {what} '{name}'{inside}"
        raise self.fail(keys, label, hint)

    # -- values

    def text(self, keys: list[str], value: Any, example: str) -> str:
        if not isinstance(value, str):
            raise self.fail(keys, f"{self.where(keys)}: expected text, got {_kind(value)}",
                            f"write it in quotes, e.g. {keys[-1]} = {example}")
        if not value.strip():
            raise self.fail(keys, f"{self.where(keys)}: is empty",
                            f"write e.g. {keys[-1]} = {example}, or remove the line")
        return value

    def choice(self, keys: list[str], value: Any, allowed: tuple[str, ...]) -> str:
        value = self.text(keys, value, f'"{allowed[0]}"')
        if value not in allowed:
            close = difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise self.fail(keys, f"{self.where(keys)}: '{value}' is not one of "
                            f"{', '.join(allowed)}", hint + f"use one of {', '.join(allowed)}")
        return value

    def text_list(self, keys: list[str], value: Any, example: str) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(keys, f"{self.where(keys)}: expected a list of text, got "
                            f"{_kind(value)}", f"write e.g. {keys[-1]} = {example}")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                got = "empty text" if isinstance(item, str) else _kind(item)
                raise self.fail(keys, f"{self.where(keys)}: expected a list of text, found {got}",
                                f"write e.g. {keys[-1]} = {example}")
        return list(value)

    def day(self, keys: list[str], value: Any) -> str:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()  # since = 2025-01-01 (a TOML date)
        text = value if isinstance(value, str) else None
        if text is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            try:
                return datetime.strptime(text.strip(), "%Y-%m-%d").date().isoformat()
            except ValueError:
                pass
        raise self.fail(keys, f"{self.where(keys)}: {_shown_value(value)} is not a date",
                        f'write it as YYYY-MM-DD, e.g. {keys[-1]} = "2025-01-01"')

    def number(self, keys: list[str], value: Any, example: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(keys, f"{self.where(keys)}: expected a number, got {_kind(value)}",
                            f"write it without quotes, e.g. {keys[-1]} = {example}")
        if value != value or value in (float("inf"), float("-inf")):  # TOML has nan and inf
            raise self.fail(keys, f"{self.where(keys)}: {value} is not a finite number",
                            f"write a number, e.g. {keys[-1]} = {example}")
        return float(value)

    def duration(self, keys: list[str], value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            value = str(value)  # a bare number is hours, as on the command line
        text = self.text(keys, value, '"4h"')
        hours = duration_hours(text)
        if hours is None:
            raise self.fail(keys, f"{self.where(keys)}: '{text}' is not a duration",
                            f'write e.g. {keys[-1]} = "4h", "30m", "1h30m" or "2d"')
        if not 0 < hours <= MAX_DURATION_DAYS * 24:  # as cxkit.io.dates.parse_duration
            raise self.fail(keys, f"{self.where(keys)}: '{text}' is out of range",
                            f"a duration of more than 0 and at most {MAX_DURATION_DAYS}d")
        return text

    def path_value(self, value: str) -> str:
        """Relative to the config's folder; `-` (stdin) stays; globs stay globs."""
        if value == "-":
            return value
        return os.path.normpath(self.base / Path(value).expanduser())  # absolute stays


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, str):
        return f"text ('{value}')"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _shown_value(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else _kind(value)


def placeholder_problem(template: str) -> tuple[str, str] | None:
    """(problem, fix) when `template` has a placeholder other than {date} and {period}."""
    allowed = " and ".join("{" + p + "}" for p in PLACEHOLDERS)
    for name in re.findall(r"\{([^{}]*)\}", template):
        if name not in PLACEHOLDERS:
            close = difflib.get_close_matches(name, PLACEHOLDERS, n=1, cutoff=0.6)
            fix = f"did you mean {{{close[0]}}}? " if close else ""
            return (f"unknown placeholder {{{name}}} in '{template}'",
                    fix + f"only {allowed} are filled in")
    if "{" in re.sub(r"\{[^{}]*\}", "", template) or "}" in re.sub(r"\{[^{}]*\}", "", template):
        return (f"unmatched brace in '{template}'", f"braces only write {allowed}")
    return None


def fill_placeholders(template: str, today: date, period_label: str | None) -> str:
    """`cx-{date}.html` -> `cx-2025-12-31.html`; {period} is the label (`2025-12`), else the
    date. Any other placeholder is a UsageError."""
    problem = placeholder_problem(template)
    if problem:
        raise UsageError(*problem)
    day = today.isoformat()
    return template.replace("{date}", day).replace("{period}", period_label or day)


def merge(flag_value: Any, config_value: Any) -> Any:
    """The command line wins over the file: a flag given (not None, not an empty list) is used."""
    if flag_value is None or (isinstance(flag_value, list | tuple) and not flag_value):
        return config_value
    return flag_value


# ------------------------------------------------------------------------------------------------
# The schema


REPORT_KEYS = ("title", "period", "since", "until", "by", "sections", "output", "benchmark",
               "confidence", "window", "followup_limit")
COMMON_KEYS = ("files", "encoding", "delimiter", "dayfirst", "columns")
SOURCE_KEYS = {
    "responses": COMMON_KEYS,
    "tickets": COMMON_KEYS + ("preset", "timezone", "business_hours", "holidays",
                              "sla_first_response", "sla_resolution"),
    "orders": COMMON_KEYS + ("preset", "timezone", "amount_unit", "margin"),
}
SOURCE_ROLES = {"responses": SURVEY_ROLES, "tickets": TICKET_ROLES, "orders": ORDER_ROLES}
SOURCE_PRESETS = {"tickets": TICKET_PRESETS, "orders": ORDER_PRESETS}
THRESHOLD_KEYS = ("fail_under", "fail_over")
TOP = ("report", *SOURCES, "thresholds")


def load_config(path: Path, prefix: list[str]) -> Config:
    """Read and check the whole file; the first mistake raises UsageError `FILE:LINE: ...`."""
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, text, exc) from None
    check = _Checker(path, text, prefix)
    for depth, name in enumerate(prefix):
        data = data.get(name) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            table = "[" + ".".join(prefix[: depth + 1]) + "]"
            raise check.fail([], f"no {table} table",
                             f"add a [{'.'.join(prefix)}.report] section, or use {CONFIG_NAME}")
    for name, value in data.items():
        if name not in TOP:
            if isinstance(value, dict):
                check.unknown([name], TOP, "section")
            owner = next((s for s in TOP if name in _keys_of(s)), None)
            hint = f"put it under [{'.'.join(prefix + [owner])}]" if owner else \
                f"sections are {', '.join('[' + s + ']' for s in TOP)}"
            raise check.fail([name], f"'{name}' is outside any section", hint)
        if not isinstance(value, dict):
            raise check.fail([name], f"'{name}' must be a section, got {_kind(value)}",
                             f"write [{'.'.join(prefix + [name])}] on its own line, then its keys")
    report = _report(check, data.get("report", {}))
    sources = {name: _source(check, name, data[name]) for name in SOURCES if name in data}
    under, over = _thresholds(check, data.get("thresholds", {}))
    return Config(path=path, report=report, sources=sources, fail_under=under, fail_over=over,
                  prefix=tuple(prefix))


def _keys_of(section: str) -> tuple[str, ...]:
    if section == "report":
        return REPORT_KEYS
    if section == "thresholds":
        return THRESHOLD_KEYS
    return SOURCE_KEYS[section]


def _misplaced(check: _Checker, section: str, key: str) -> None:
    """A key of another section: say where it belongs (`margin` is an [orders] key)."""
    owners = [s for s in TOP if s != section and key in _keys_of(s)]
    if owners:
        where = " or ".join(check.table([s]) for s in owners)
        raise check.fail([section, key], f"'{key}' does not belong in {check.table([section])}",
                         f"move it to {where}")


def _report(check: _Checker, table: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        keys = ["report", key]
        if key not in REPORT_KEYS:
            _misplaced(check, "report", key)
            check.unknown(keys, REPORT_KEYS, "key")
        if key == "title":
            out[key] = check.text(keys, value, '"Weekly CX report"')
        elif key == "period":
            out[key] = check.choice(keys, value, PERIODS)
        elif key in ("since", "until"):
            out[key] = check.day(keys, value)
        elif key == "by":
            out[key] = check.text_list(keys, value, '["channel"]')
        elif key == "sections":
            out[key] = _sections(check, keys, value)
        elif key == "output":
            out[key] = _output(check, keys, value)
        elif key == "benchmark":
            out[key] = check.choice(keys, value, SECTORS)
        elif key == "confidence":
            from cxkit.units import confidence

            level = confidence(str(value)) if not isinstance(value, bool) else None
            if level is None:
                raise check.fail(keys, f"{check.where(keys)}: {value!r} is not a confidence "
                                 "level", 'write it as 0.95, 95 or "95%" (from 50% to 99.9%)')
            out[key] = level
        elif key == "window":
            out[key] = check.duration(keys, value)
        elif key == "followup_limit":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise check.fail(keys, f"{check.where(keys)}: expected a whole number of 1 or "
                                 f"more, got {_kind(value)}", "write e.g. followup_limit = 50")
            out[key] = value
    if "since" in out and "until" in out and out["since"] > out["until"]:
        raise check.fail(["report", "until"], f"[report] until {out['until']} is before since "
                         f"{out['since']}", "swap them, or fix the dates")
    return out


def _sections(check: _Checker, keys: list[str], value: Any) -> list[str]:
    names = check.text_list(keys, value, '["kpis", "breakdowns"]')
    if not names:
        raise check.fail(keys, f"{check.where(keys)}: the list is empty",
                         f"name at least one of {', '.join(SECTIONS)}, or remove the line")
    for name in names:
        if name not in SECTIONS:
            close = difflib.get_close_matches(name, SECTIONS, n=1, cutoff=0.6)
            raise check.fail(keys, f"{check.where(keys)}: unknown section '{name}'",
                             (f"did you mean '{close[0]}'? " if close else "")
                             + f"sections are {', '.join(SECTIONS)}")
        if names.count(name) > 1:
            raise check.fail(keys, f"{check.where(keys)}: '{name}' is listed twice",
                             "list each section once, in the order you want them")
    return names


def _output(check: _Checker, keys: list[str], value: Any) -> str:
    template = check.text(keys, value, '"cx-{date}.html"')
    problem = placeholder_problem(template)
    if problem:
        raise check.fail(keys, f"{check.where(keys)}: {problem[0]}", problem[1])
    return check.path_value(template)


def _source(check: _Checker, name: str, table: dict) -> SourceConfig:
    known = SOURCE_KEYS[name]
    out: dict[str, Any] = {}
    for key, value in table.items():
        keys = [name, key]
        if key not in known:
            _misplaced(check, name, key)
            check.unknown(keys, known, "key")
        if key == "files":
            files = check.text_list(keys, value, f'["exports/{name}-*.csv"]')
            out[key] = [check.path_value(f) for f in files]
        elif key == "encoding":
            text = check.text(keys, value, '"cp1252"')
            try:
                codecs.lookup(text)
            except LookupError:
                raise check.fail(keys, f"{check.where(keys)}: unknown encoding '{text}'",
                                 'write e.g. encoding = "utf-8" or "cp1252"') from None
            out[key] = text
        elif key == "delimiter":
            text = check.text(keys, value, '";"') if value != "\t" else value
            if len(text) != 1 and text not in ("\\t", "tab"):
                raise check.fail(keys, f"{check.where(keys)}: '{text}' is not one character",
                                 'write e.g. delimiter = ";" or "\\t" for tab')
            out[key] = text
        elif key == "dayfirst":
            if not isinstance(value, bool):
                raise check.fail(keys, f"{check.where(keys)}: expected true or false, got "
                                 f"{_kind(value)}", "write dayfirst = true (03/04 is 3 April) "
                                 "or false (March 4), without quotes")
            out[key] = value
        elif key == "columns":
            out[key] = _columns(check, name, value)
        elif key == "preset":
            out[key] = check.choice(keys, value, SOURCE_PRESETS[name])
        elif key == "timezone":
            out[key] = _timezone(check, keys, value)
        elif key == "business_hours":
            text = check.text(keys, value, '"Mon-Fri 09:00-18:00"')
            if not BUSINESS_HOURS.match(text.strip()):
                raise check.fail(keys, f"{check.where(keys)}: '{text}' is not days then a time "
                                 "range", 'write e.g. business_hours = "Mon-Fri 09:00-18:00"')
            out[key] = text
        elif key == "holidays":
            out[key] = check.path_value(check.text(keys, value, '"holidays.csv"'))
        elif key in ("sla_first_response", "sla_resolution"):
            out[key] = check.duration(keys, value)
        elif key == "amount_unit":
            out[key] = check.choice(keys, value, ("major", "minor"))
        elif key == "margin":
            out[key] = _margin(check, keys, value)
    return SourceConfig(**out)


def _columns(check: _Checker, source: str, value: Any) -> dict[str, str]:
    keys = [source, "columns"]
    if not isinstance(value, dict):
        raise check.fail(keys, f"{check.where(keys)}: expected a table of role = column, got "
                         f"{_kind(value)}", 'write e.g. columns = { nps_score = "Q1" }')
    roles = SOURCE_ROLES[source]
    out = {}
    for role, column in value.items():
        if role not in roles:
            close = difflib.get_close_matches(role, roles, n=1, cutoff=0.6)
            raise check.fail(keys + [role], f"unknown role '{role}' in {check.table(keys)}",
                             f"did you mean '{close[0]}'?" if close
                             else f"roles of [{source}]: {', '.join(roles)}")
        if not isinstance(column, str) or not column.strip():
            got = "empty text" if isinstance(column, str) else _kind(column)
            raise check.fail(keys + [role], f"{check.where(keys + [role])}: expected a column "
                             f"name, got {got}",
                             f'write e.g. {role} = "Column name"')
        out[role] = column
    return out


def _timezone(check: _Checker, keys: list[str], value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = check.text(keys, value, '"Europe/Paris"')
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise check.fail(keys, f"{check.where(keys)}: unknown time zone '{text}'",
                         "use an IANA name such as Europe/Paris or America/New_York") from None
    return text


def _margin(check: _Checker, keys: list[str], value: Any) -> str:
    """`35%`, `35` or `0.35` (cxkit.units.share); kept as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    text = check.text(keys, value, '"35%"')
    if share(text) is None:
        raise check.fail(keys, f"{check.where(keys)}: '{text}' is not a share above 0 and up "
                         "to 100%", 'write e.g. margin = "35%" or margin = 0.35')
    return text


def _thresholds(check: _Checker, table: dict) -> tuple[dict[str, float], dict[str, float]]:
    found: dict[str, dict[str, float]] = {"fail_under": {}, "fail_over": {}}
    for key, value in table.items():
        keys = ["thresholds", key]
        if key not in THRESHOLD_KEYS:
            _misplaced(check, "thresholds", key)
            check.unknown(keys, THRESHOLD_KEYS, "key")
        if not isinstance(value, dict):
            raise check.fail(keys, f"{check.where(keys)}: expected a table of kpi = number, got "
                             f"{_kind(value)}", f"write e.g. {key} = {{ nps = 30, fcr = 70 }}")
        for kpi, limit in value.items():
            if kpi not in KPI_NAMES:
                close = difflib.get_close_matches(kpi, KPI_NAMES, n=1, cutoff=0.6)
                raise check.fail(keys + [kpi], f"unknown KPI '{kpi}' in {check.where(keys)}",
                                 f"did you mean '{close[0]}'?" if close
                                 else f"KPIs: {', '.join(KPI_NAMES)}")
            found[key][kpi] = check.number(keys + [kpi], limit, "30")
    return found["fail_under"], found["fail_over"]
