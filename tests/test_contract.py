"""The command-line contract: KPIS.md "Machine-readable output", "Exit codes", "Output conventions".

Every test runs `python -m cxkit` in a subprocess, with the colour/width variables removed from the
environment, and checks stdout and stderr separately. The commands are read from the Typer app, so a
new command fails `test_every_command_has_a_case` until it gets a minimal valid input in CASES, and
is then covered by every test below that applies to its options.
"""

from __future__ import annotations

import atexit
import csv
import hashlib
import io
import json
import math
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from conftest import (
    SURVEY_HEADER,
    SURVEY_ROWS,
    cli_commands,
    cli_env,
    run_cli,
    run_cli_tty,
    run_cli_tty_os,
    write_csv,
)

ANSI = re.compile(rb"\x1b\[")
MACHINE_FORMATS = ("csv", "tsv", "json", "ndjson", "markdown")
SURVEY_COLUMNS = ", ".join(SURVEY_HEADER)  # how error messages list the columns of survey.csv


# ------------------------------------------------------------------------------------------------
# Which commands exist, which options they take, and a minimal valid input for each


# commands that read exports (a group such as `config` has its own tests)
COMMANDS = sorted(n for n, c in cli_commands().items() if not isinstance(c, click.Group))


def options_of(command: str) -> set[str]:
    params = cli_commands()[command].params
    return {opt for p in params for opt in (*p.opts, *p.secondary_opts)}


# A document of several sections (cards, tables) rather than rows of one KPI: its --by,
# thresholds, markdown and files are tested in tests/test_report*.py
DOCUMENTS = {"report"}
ROW_COMMANDS = [c for c in COMMANDS if c not in DOCUMENTS]


def commands_with(*options: str) -> list[str]:
    """The commands taking all these options, e.g. commands_with("--by") (documents aside)."""
    return [c for c in ROW_COMMANDS if set(options) <= options_of(c)]


@dataclass
class Case:
    """A minimal valid run of one command, and what it must report (hand-checked numbers)."""

    make: Callable[[Path], Path]  # writes the input file into a folder, returns its path
    args: tuple[str, ...] = ()  # extra arguments after the file
    kpi: str | None = None  # the `kpi` of its JSON; None for commands that report no KPI
    value: float | None = None
    n: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    value_text: str = ""  # what --value prints
    by: str = "channel"  # a segment column of the input
    by_values: dict[str, float] = field(default_factory=dict)  # --by `by`: key -> value
    kpis: dict[str, list[float]] = field(default_factory=dict)  # several KPIs: rows' values
    always_by: str = ""  # the command always breaks its KPI down by this key (by_values)
    table_columns: tuple[str, ...] = ()  # a command printing a table, not a KPI: its columns

    def argv(self, command: str, folder: Path) -> list[str]:
        return [command, str(self.make(folder)), *self.args]


def survey_file(folder: Path) -> Path:
    return write_csv(folder / "survey.csv", SURVEY_HEADER, SURVEY_ROWS)


TICKET_HEADER = ["ticket_id", "customer_id", "created_at", "resolved_at", "channel"]
TICKET_ROWS = [
    ["T1", "C1", "2025-01-06 09:00", "2025-01-06 11:00", "email"],  # 2 h
    ["T2", "C2", "2025-01-06 10:00", "2025-01-07 10:00", "email"],  # 24 h
    ["T3", "C3", "2025-01-07 09:00", "2025-01-07 13:00", "web"],  # 4 h
    ["T4", "C1", "2025-01-08 09:00", "", "web"],  # not resolved
    ["T5", "C4", "2025-01-08 12:00", "2025-01-08 11:00", "web"],  # resolved before created
    ["T6", "C5", "2025-01-09 08:00", "2025-01-09 14:00", "web"],  # 6 h
]


TIMES = ("created_at", "resolved_at")
MONEY = ("customer_id", "amount")  # so that `cxkit orders` and `cxkit clv` read the same files


def ticket_file(folder: Path) -> Path:
    return write_csv(folder / "tickets.csv", TICKET_HEADER, TICKET_ROWS)


ORDER_HEADER = ["order_id", "customer_id", "ordered_at", "amount", "status", "channel"]
ORDER_ROWS = [
    ["O1", "A", "2025-01-05 10:00", "100.00", "paid", "web"],
    ["O2", "A", "2025-02-10 10:00", "50.00", "paid", "web"],
    ["O3", "B", "2025-01-20 10:00", "200.00", "paid", "app"],
    ["O4", "C", "2025-02-15 10:00", "30.00", "cancelled", "web"],
]


def order_file(folder: Path) -> Path:
    return write_csv(folder / "orders.csv", ORDER_HEADER, ORDER_ROWS)


# `cxkit nps-revenue` and `cxkit followup` read a survey export and, with --orders, an orders
# export. Case.args are static, so that orders file is written once, at import, into a folder of
# its own (tests compare the listing of tmp_path), removed at exit.
JOINED_DIR = Path(tempfile.mkdtemp(prefix="cxkit-contract-"))
atexit.register(shutil.rmtree, JOINED_DIR, True)
JOINED_ORDERS = write_csv(JOINED_DIR / "orders.csv", ORDER_HEADER[:5], [
    ["O1", "C2", "2025-01-01", "100.00", "paid"],
    ["O2", "C2", "2025-02-01", "50.00", "paid"],
    ["O3", "C3", "2025-01-01", "30.00", "paid"],
    ["O4", "C4", "2025-01-01", "40.00", "paid"],
    ["O5", "C5", "2025-01-01", "1.50", "paid"],
    ["O6", "C6", "2025-01-01", "0.50", "paid"],
])


def joined_survey_file(folder: Path) -> Path:
    # each customer counts by their latest answer, joined to JOINED_ORDERS (every id matches):
    #   C1: no score (dropped: missing; the first row, so header + row 1 measures nothing)
    #   C2: 3 then 10 -> promoter, orders 100 + 50; C3: 9 -> promoter, 30 (earlier_answer 1)
    #   C4: 8 -> passive, 40;  C5: 6 -> detractor, 1.50;  C6: 0 -> detractor, 0.50
    # revenue per customer: promoters 180 / 2 = 90.0, passives 40.0, detractors 2 / 2 = 1.0
    # value = 90.0 / 1.0 = 90.0 ("promoters are worth 90x detractors")
    rows = [("1", "2025-01-05", "email", "", "5", "1", "C1"),
            ("2", "2025-01-02", "web", "3", "4", "2", "C2"),
            ("3", "2025-01-10", "email", "10", "5", "1", "C2"),
            ("4", "2025-01-11", "web", "9", "4", "2", "C3"),
            ("5", "2025-01-12", "email", "8", "3", "3", "C4"),
            ("6", "2025-01-13", "web", "6", "2", "4", "C5"),
            ("7", "2025-01-14", "email", "0", "1", "5", "C6")]
    return write_csv(folder / "survey.csv", (*SURVEY_HEADER, "customer_id"), rows)


def themes_file(folder: Path) -> Path:
    # 12 detractors (NPS 2) write "late delivery again", 12 promoters (10) "great service":
    # one phrase per side, each said by all of its side and none of the other
    rows = [(str(i), "2025-01-05", "email" if i % 2 else "web", "2", "1", "5",
             "late delivery again") for i in range(12)]
    rows += [(str(i), "2025-01-06", "email" if i % 2 else "web", "10", "5", "1",
              "great service") for i in range(12, 24)]
    return write_csv(folder / "survey.csv", (*SURVEY_HEADER, "comment"), rows)


# The numbers are worked out by hand in tests/conftest.py above SURVEY_ROWS.
CASES: dict[str, Case] = {
    "nps": Case(
        survey_file, kpi="nps", value=0.0, n=8,
        counts={"promoters": 3, "passives": 2, "detractors": 3},
        dropped={"missing": 1, "invalid": 1, "out_of_range": 0},
        value_text="0.0\n", by_values={"email": 25.0, "web": -25.0},
    ),
    "csat": Case(
        survey_file, kpi="csat", value=57.1, n=7,
        counts={"satisfied": 4, "not_satisfied": 3},
        dropped={"missing": 1, "invalid": 1, "out_of_range": 1},
        # email 5,5,3,1 -> 2/4 = 50.0; web 4,4,2 -> 2/3 = 66.666... -> 66.7
        value_text="57.1\n", by_values={"email": 50.0, "web": 66.7},
    ),
    "ces": Case(
        survey_file, kpi="ces", value=2.57, n=7,
        counts={"low_effort": 4, "other": 3},
        dropped={"missing": 1, "invalid": 1, "out_of_range": 1},
        # email 1,2,5 -> 8/3 = 2.666... -> 2.67; web 2,3,4,1 -> 10/4 = 2.5
        value_text="2.57\n", by_values={"email": 2.67, "web": 2.5},
    ),
    "tickets": Case(
        # resolution times 2, 24, 4, 6 h: mean 36 / 4 = 9.0; email (2 + 24) / 2 = 13.0,
        # web (4 + 6) / 2 = 5.0; T4 unresolved, T5 negative
        ticket_file, ("--kpi", "resolution_time"), kpi="resolution_time", value=9.0, n=4,
        dropped={"invalid_time": 0, "unresolved": 1, "negative": 1}, value_text="9.0\n",
        by_values={"email": 13.0, "web": 5.0},
    ),
    "complaints": Case(lambda folder: write_csv(
        folder / "complaints.csv", ["ticket_id", "customer_id", "created_at", "type", "category"],
        [["T1", "C1", "2025-01-06 09:00", "Complaint", "delivery"],
         ["T2", "C1", "2025-01-20 09:00", "Complaint", "delivery"],
         ["T3", "C2", "2025-01-21 09:00", "Question", "billing"]]),
        # 2 complaints (T1, T2) / 2 customers (C1, C2) -> 100.0 per 100 customers;
        # delivery: 2 complaints; T2 follows T1 (C1, delivery) 14 days later -> 1/2 = 50.0
        kpis={"complaint_rate": [100.0], "complaints": [2.0], "recurrence_rate": [50.0]}),
    "orders": Case(
        # completed: O1 100, O2 50, O3 200 (O4 cancelled): AOV 350 / 3 = 116.666 -> 116.67;
        # web (100 + 50) / 2 = 75.0, app 200.0
        order_file, ("--kpi", "aov"), kpi="aov", value=116.67, n=3,
        dropped={"cancelled": 1, "abandoned": 0, "pending": 0, "failed": 0,
                 "missing_amount": 0, "invalid_amount": 0},
        value_text="116.67\n", by_values={"web": 75.0, "app": 200.0},
    ),
    "retention": Case(
        # January: A, B; February: A (C's order was cancelled) -> 1 retained / 2 = 50.0
        order_file, ("--kpi", "retention_rate"), kpi="retention_rate", value=50.0, n=2,
        counts={"retained": 1, "churned": 1},
        dropped={"missing_date": 0, "invalid_date": 0, "cancelled": 1, "abandoned": 0,
                 "pending": 0, "failed": 0, "missing_customer": 0},
        value_text="50.0\n", always_by="period", by_values={"2025-02": 50.0},
    ),
    "clv": Case(
        # historical: A 100 + 50 = 150, B 200 -> mean 175.0 (web A 150.0, app B 200.0).
        # (the formula CLV is worked out in tests/test_orders.py)
        order_file, ("--kpi", "clv"), kpi="clv", value=175.0, n=2,
        dropped={"cancelled": 1, "abandoned": 0, "pending": 0, "failed": 0,
                 "missing_customer": 0},
        value_text="175.0\n", by_values={"web": 150.0, "app": 200.0}),
    "columns": Case(survey_file),
    # the survey file is recognised as responses: the NPS, CSAT and CES cases above
    "report": Case(survey_file, kpis={"nps": [0.0], "csat": [57.1], "ces": [2.57]}),
    "nps-revenue": Case(
        joined_survey_file, ("--orders", str(JOINED_ORDERS)), kpi="nps_revenue", value=90.0,
        n=5, counts={"promoters": 2, "passives": 1, "detractors": 2},
        dropped={"missing": 1, "invalid": 0, "out_of_range": 0, "missing_customer_id": 0,
                 "missing_date": 0, "invalid_date": 0, "earlier_answer": 1, "unmatched": 0},
        value_text="90.0\n", always_by="category",
        by_values={"promoter": 90.0, "passive": 40.0, "detractor": 1.0}),
    "themes": Case(themes_file, table_columns=(
        "side", "rank", "term", "z", "log_odds", "count_detractors", "count_promoters",
        "nps_impact", "example_1", "example_2", "example_3")),
    "followup": Case(joined_survey_file, ("--orders", str(JOINED_ORDERS)), table_columns=(
        "customer_id", "email", "name", "score", "category", "comment", "answered", "orders",
        "revenue_to_date", "last_order", "revenue_at_risk")),
}
KPI_COMMANDS = [c for c in COMMANDS if CASES.get(c, Case(survey_file)).kpi]


def case(command: str) -> Case:
    assert command in CASES, f"add a minimal valid input for `cxkit {command}` to CASES"
    return CASES[command]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cxkit: error:")]


def assert_clean_error(run, code: int, *needles: str) -> None:
    """Exit `code`, nothing on stdout, one `cxkit: error:` line, at most two lines, no traceback."""
    assert run.returncode == code, run
    assert run.stdout_bytes == b"", run
    assert "Traceback" not in run.stderr, run
    assert len(error_lines(run.stderr)) == 1, run
    assert len(run.stderr.splitlines()) <= 2, run
    for needle in needles:
        assert needle in run.stderr, (needle, run)


def read_delimited(text: str, sep: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


def test_every_command_has_a_case():
    assert COMMANDS, "no command registered on the app in cxkit.cli.main"
    missing = sorted(set(COMMANDS) - set(CASES))
    assert not missing, f"add a minimal valid input to CASES in {__file__} for: {missing}"
    assert set(KPI_COMMANDS) >= {"nps", "csat", "ces"}
    assert "columns" in COMMANDS


# ------------------------------------------------------------------------------------------------
# 1. Empty and header-only inputs


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_file_is_a_data_error(command, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    run = run_cli(command, empty, *case(command).args)
    assert_clean_error(run, 65, str(empty))


@pytest.mark.parametrize("command", COMMANDS)
def test_binary_file_is_a_data_error(command, tmp_path):
    picture = tmp_path / "photo.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    run = run_cli(command, picture, *case(command).args)
    assert_clean_error(run, 65, str(picture))


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_stdin_is_a_data_error(command, tmp_path):
    run = run_cli(command, "-", *case(command).args, input=b"")
    assert_clean_error(run, 65, "<stdin>")


@pytest.mark.parametrize("command", KPI_COMMANDS)
def test_header_only_file_gives_null_not_nan(command, tmp_path):
    c = case(command)
    full = c.make(tmp_path)
    header_only = tmp_path / "header.csv"
    header_only.write_bytes(full.read_bytes().splitlines(keepends=True)[0])

    run = run_cli(command, header_only, *c.args, "--format", "json")
    assert run.returncode == 0, run
    assert "nan" not in run.stdout.lower()
    data = json.loads(run.stdout)
    assert data["kpi"] == c.kpi
    assert data["value"] is None
    assert data["n"] == 0
    assert data["ci"] is None
    assert "cxkit: warning:" in run.stderr and "header.csv" in run.stderr, run
    assert "Traceback" not in run.stderr
    assert not re.search(r":\s*\)", run.stderr), run  # not "(dropped: )": it says why

    for fmt in ("csv", "ndjson", "markdown"):
        out = run_cli(command, header_only, *c.args, "--format", fmt)
        assert out.returncode == 0, out
        assert "nan" not in out.stdout.lower(), out
    bare = run_cli(command, header_only, *c.args, "--value")
    assert (bare.returncode, bare.stdout) == (0, "\n"), bare


def test_header_only_columns_warns(tmp_path):
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,nps,channel\n", encoding="utf-8")
    run = run_cli("columns", header_only, "--format", "json")
    assert run.returncode == 0, run
    data = json.loads(run.stdout)
    assert [col["column"] for col in data["columns"]] == ["id", "nps", "channel"]
    assert all(col["filled"] == "0/0" for col in data["columns"])
    assert "cxkit: warning:" in run.stderr and "header.csv" in run.stderr, run


# ------------------------------------------------------------------------------------------------
# 2. Standard input


@pytest.mark.parametrize("command", COMMANDS)
def test_stdin_gives_the_same_output_as_the_file(command, tmp_path):
    c = case(command)
    path = c.make(tmp_path)
    fmt = "json" if c.kpi else "csv"  # `columns --format json` names the file; its csv does not
    from_file = run_cli(command, path, *c.args, "--format", fmt)
    from_stdin = run_cli(command, "-", *c.args, "--format", fmt, input=path.read_bytes())
    assert from_file.returncode == 0, from_file
    assert from_stdin.returncode == 0, from_stdin
    assert from_stdin.stdout_bytes == from_file.stdout_bytes
    assert from_stdin.stderr == ""


def test_columns_stdin_is_named_stdin(tmp_path):
    run = run_cli("columns", "-", "--format", "json", input=survey_file(tmp_path).read_bytes())
    assert run.returncode == 0, run
    data = json.loads(run.stdout)
    assert data["file"] == "<stdin>"
    assert [col["column"] for col in data["columns"]] == list(SURVEY_HEADER)


# ------------------------------------------------------------------------------------------------
# 3. Formats


@pytest.mark.parametrize("command", KPI_COMMANDS)
def test_json_is_one_object_with_the_contract_keys(command, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--format", "json")
    assert run.returncode == 0, run
    assert run.stderr == ""
    data = json.loads(run.stdout)  # one object and nothing else on stdout
    assert {"kpi", "value", "n", "ci", "counts", "dropped", "groups", "rule"} <= set(data)
    assert data["kpi"] == c.kpi
    assert data["value"] == pytest.approx(c.value)
    assert data["n"] == c.n
    assert data["counts"] == c.counts
    assert data["dropped"] == c.dropped
    assert {g["key"][c.always_by]: g["value"] for g in data["groups"]} == c.by_values \
        if c.always_by else data["groups"] == []
    assert isinstance(data["rule"], str) and data["rule"]
    low, high = data["ci"]
    assert low <= data["value"] <= high
    assert run.stdout.endswith("}\n")


@pytest.mark.parametrize("command", commands_with("--by"))
def test_json_groups(command, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--by", c.by, "--format", "json")
    assert run.returncode == 0, run
    data = json.loads(run.stdout)
    got = {g["key"][c.by]: g["value"] for g in data["groups"]}
    assert got == pytest.approx(c.by_values)
    assert sum(g["n"] for g in data["groups"]) == c.n
    for g in data["groups"]:
        assert {"key", "value", "n", "ci", "counts"} <= set(g)


@pytest.mark.parametrize("command", ROW_COMMANDS)
def test_ndjson_is_one_object_per_line(command, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--format", "ndjson")
    assert run.returncode == 0, run
    assert run.stdout.endswith("\n")
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    if c.always_by:
        assert {r[c.always_by]: r["value"] for r in rows} == c.by_values
    elif c.kpi:
        assert len(rows) == 1
        assert rows[0]["kpi"] == c.kpi
        assert rows[0]["value"] == pytest.approx(c.value)
        assert rows[0]["n"] == c.n
        if "--by" not in options_of(command):
            return
        grouped = run_cli(*c.argv(command, tmp_path), "--by", c.by, "--format", "ndjson")
        lines = [json.loads(line) for line in grouped.stdout.splitlines()]
        assert {r[c.by]: r["value"] for r in lines} == pytest.approx(c.by_values)
    elif c.kpis:
        assert _values_by_kpi(rows) == c.kpis
    elif c.table_columns:
        assert rows and all(list(r) == list(c.table_columns) for r in rows)
    else:
        assert [r["column"] for r in rows] == list(SURVEY_HEADER)


def _values_by_kpi(rows: list[dict]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for row in rows:
        out.setdefault(row["kpi"], []).append(float(row["value"]))
    return out


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
@pytest.mark.parametrize("command", ROW_COMMANDS)
def test_csv_and_tsv_read_back(command, fmt, sep, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--format", fmt)
    assert run.returncode == 0, run
    assert run.stderr == ""
    header = run.stdout.splitlines()[0]
    assert sep in header
    rows = read_delimited(run.stdout, sep)
    if c.kpis:
        assert _values_by_kpi(rows) == c.kpis
        return
    if c.table_columns:
        assert header.split(sep) == list(c.table_columns) and rows
        return
    if not c.kpi:
        assert [r["column"] for r in rows] == list(SURVEY_HEADER)
        return
    if c.always_by:
        assert header.split(sep)[:3] == [c.always_by, "kpi", "value"]
        assert {r[c.always_by]: float(r["value"]) for r in rows} == c.by_values
        return
    assert header.split(sep)[:2] == ["kpi", "value"]
    assert len(rows) == 1
    assert float(rows[0]["value"]) == pytest.approx(c.value)
    assert int(rows[0]["n"]) == c.n
    for name, count in c.counts.items():
        assert int(rows[0][name]) == count
    if "--by" not in options_of(command):
        return

    grouped = run_cli(*c.argv(command, tmp_path), "--by", c.by, "--format", fmt)
    assert grouped.returncode == 0, grouped
    assert grouped.stdout.splitlines()[0].split(sep)[0] == c.by  # a header line, keys first
    rows = read_delimited(grouped.stdout, sep)
    assert len(rows) == len(c.by_values)  # one row per group
    assert {r[c.by]: float(r["value"]) for r in rows} == pytest.approx(c.by_values)


@pytest.mark.parametrize("command", ROW_COMMANDS)
def test_markdown_is_a_pipe_table(command, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--format", "markdown")
    assert run.returncode == 0, run
    lines = run.stdout.splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("|") and line.endswith("|") for line in lines), lines
    assert re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", lines[1]), lines[1]
    widths = {len(re.split(r"(?<!\\)\|", line)) for line in lines}
    assert len(widths) == 1, lines  # every row has as many cells as the header
    if c.kpi:
        assert len(lines) == 2 + max(1, len(c.by_values) if c.always_by else 1)


@pytest.mark.parametrize("command", commands_with("--value"))
def test_value_prints_the_bare_number(command, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--value")
    assert run.returncode == 0, run
    assert run.stdout == c.value_text
    assert float(run.stdout) == pytest.approx(c.value)
    assert run.stderr == ""


@pytest.mark.parametrize("command", COMMANDS)
def test_default_format_off_a_terminal_is_csv(command, tmp_path):
    c = case(command)
    default = run_cli(*c.argv(command, tmp_path))
    as_csv = run_cli(*c.argv(command, tmp_path), "--format", "csv")
    assert default.returncode == 0, default
    assert default.stdout_bytes == as_csv.stdout_bytes
    assert read_delimited(default.stdout, ",")


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
@pytest.mark.parametrize("command", COMMANDS)
def test_output_is_byte_identical_whatever_the_terminal(command, fmt, tmp_path):
    c = case(command)
    argv = [*c.argv(command, tmp_path), "--format", fmt]
    if c.kpi and "--by" in options_of(command):
        argv += ["--by", c.by]
    first = run_cli(*argv)
    assert first.returncode == 0, first
    assert first.stdout_bytes
    narrow = run_cli(*argv, env=cli_env(COLUMNS="40", LINES="10", LC_ALL="C.UTF-8"))
    wide = run_cli(*argv, env=cli_env(COLUMNS="200", TERMINAL_WIDTH="200", FORCE_COLOR="1",
                                      GITHUB_ACTIONS="true"))
    for other in (narrow, wide):
        assert other.returncode == 0, other
        assert other.stdout_bytes == first.stdout_bytes
    assert not ANSI.search(wide.stdout_bytes)
    assert b"\r" not in first.stdout_bytes  # "\n" line ends on every platform
    assert all(len(line) < 1000 for line in first.stdout_bytes.splitlines()) or fmt != "json"


@pytest.mark.parametrize("command", commands_with("--value"))
def test_value_is_byte_identical_whatever_the_terminal(command, tmp_path):
    c = case(command)
    argv = [*c.argv(command, tmp_path), "--value"]
    outputs = {run_cli(*argv, env=cli_env(COLUMNS=cols)).stdout_bytes for cols in ("40", "200")}
    assert outputs == {c.value_text.encode()}


# ------------------------------------------------------------------------------------------------
# 4. Usage and input errors


@pytest.mark.parametrize("command", commands_with("--score"))
def test_unknown_score_column(command, tmp_path):
    c = case(command)
    run = run_cli(*c.argv(command, tmp_path), "--score", "nope")
    assert_clean_error(run, 65, "'nope'", "--score", SURVEY_COLUMNS, "survey.csv")


@pytest.mark.parametrize("command", commands_with("--by"))
def test_unknown_by_column(command, tmp_path):
    c = case(command)
    argv = c.argv(command, tmp_path)
    columns = ", ".join(Path(argv[1]).read_text().splitlines()[0].split(","))
    run = run_cli(*argv, "--by", "nope")
    assert_clean_error(run, 65, "'nope'", "--by", columns, Path(argv[1]).name)


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file(command, tmp_path):
    missing = tmp_path / "missing.csv"
    run = run_cli(command, missing, *case(command).args)
    assert_clean_error(run, 66, str(missing))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_is_not_an_input(command, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    run = run_cli(command, folder, *case(command).args)
    assert_clean_error(run, 66, str(folder))


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_option_is_a_usage_error(command, tmp_path):
    run = run_cli(*case(command).argv(command, tmp_path), "--no-such-option")
    assert_clean_error(run, 2, "--no-such-option")


@pytest.mark.parametrize("command", COMMANDS)
def test_bad_format_is_a_usage_error(command, tmp_path):
    run = run_cli(*case(command).argv(command, tmp_path), "--format", "yaml")
    assert_clean_error(run, 2, "yaml")


@pytest.mark.parametrize("command", commands_with("--period"))
def test_bad_period_is_a_usage_error(command, tmp_path):
    run = run_cli(*case(command).argv(command, tmp_path), "--period", "fortnight")
    assert_clean_error(run, 2, "fortnight", "--period")


@pytest.mark.parametrize("command", commands_with("--since"))
def test_bad_since_is_a_usage_error(command, tmp_path):
    run = run_cli(*case(command).argv(command, tmp_path), "--since", "notadate")
    assert_clean_error(run, 2, "notadate", "--since")


@pytest.mark.parametrize("command", commands_with("--confidence"))
def test_confidence_out_of_range_is_a_usage_error(command, tmp_path):
    run = run_cli(*case(command).argv(command, tmp_path), "--confidence", "2")
    assert_clean_error(run, 2, "--confidence")


@pytest.mark.parametrize("command", COMMANDS)
def test_no_argument_shows_help_and_exits_2(command):
    run = run_cli(command)
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert "Usage:" in run.stderr and "Traceback" not in run.stderr


# ------------------------------------------------------------------------------------------------
# 5. A closed pipe (`| head -1`)


def _big_file(folder: Path) -> Path:
    # 8,000 customers: one group per row with --by id, far more output than a 64 KiB pipe buffer.
    # (created_at and resolved_at give `cxkit tickets` its input in the same file)
    rows = [(f"C{i:05d}", "2025-01-01", "email" if i % 2 else "web", str(i % 11), str(1 + i % 5),
             str(1 + i % 5), "2025-01-01 09:00", "2025-01-01 10:00", f"K{i}", str(10 + i % 7))
            for i in range(8000)]
    return write_csv(folder / "big.csv", [*SURVEY_HEADER, *TIMES, *MONEY], rows)


# a broken pipe is handled in one place (cxkit/cli/main.py): every `--by` command through JSON,
# the line-by-line CSV writer through two of them
@pytest.mark.parametrize(("command", "fmt"), [*((c, "json") for c in commands_with("--by")),
                                              ("nps", "csv"), ("orders", "csv")])
def test_closed_pipe_exits_quietly(command, fmt, tmp_path):
    big = _big_file(tmp_path)
    args = case(command).args
    whole = run_cli(command, big, *args, "--by", "id", "--format", fmt)
    assert whole.returncode == 0, whole
    assert len(whole.stdout_bytes) > 2 * 65536  # the pipe fills up: head leaves mid-write

    err = tmp_path / "stderr.txt"
    cxkit = shlex.join([sys.executable, "-m", "cxkit", command, str(big), *args, "--by", "id",
                        "--format", fmt])
    # no `set -o pipefail`: ${PIPESTATUS[0]} is cxkit's own exit status, head's is ignored
    script = f"{cxkit} 2>{shlex.quote(str(err))} | head -1; " + 'echo "status=${PIPESTATUS[0]}"'
    shell = subprocess.run(script, shell=True, executable="/bin/bash", capture_output=True,
                           env=cli_env(), timeout=120)
    lines = shell.stdout.decode().splitlines()
    assert lines[-1] == "status=0", (shell, err.read_text())
    assert lines[0] == whole.stdout.splitlines()[0]
    assert err.read_text() == ""


# a broken pipe is handled in one place (cxkit/cli/main.py): every command through the Rich
# table, the plain-text formats through two commands here and every `--by` command above
@pytest.mark.parametrize(("command", "fmt"), [*((c, "table") for c in COMMANDS),
                                              ("nps", "csv"), ("orders", "csv")])
def test_reader_gone_before_the_first_write(command, fmt, tmp_path):
    # `| true` closes the pipe at once: cxkit's first write fails with EPIPE; it exits 0, quietly
    c = case(command)
    err = tmp_path / "stderr.txt"
    cxkit = shlex.join([sys.executable, "-m", "cxkit", *c.argv(command, tmp_path), "--format",
                        fmt])
    script = f"{cxkit} 2>{shlex.quote(str(err))} | true; " + 'echo "status=${PIPESTATUS[0]}"'
    shell = subprocess.run(script, shell=True, executable="/bin/bash", capture_output=True,
                           env=cli_env(), timeout=120)
    assert shell.stdout.decode().splitlines() == ["status=0"], (shell, err.read_text())
    assert err.read_text() == ""


def _wait_until_reading_stdin(pid: int, timeout: float = 60) -> None:
    """Wait until the process blocks reading its stdin pipe (Linux: /proc/PID/wchan)."""
    wchan = Path(f"/proc/{pid}/wchan")
    if not wchan.exists():
        time.sleep(3)
        return
    deadline = time.monotonic() + timeout
    while "pipe_read" not in wchan.read_text():
        assert time.monotonic() < deadline, "cxkit never started reading stdin"
        time.sleep(0.05)


# Ctrl-C is turned into 130 in one place (cxkit/cli/main.py) and stdin is read in one place
# (cxkit/io/read.py): one command per kind of input, the report (threads) and `columns`
INTERRUPTED = ["nps", "tickets", "orders", "themes", "columns", "report"]


@pytest.mark.parametrize("command", INTERRUPTED)
def test_ctrl_c_exits_130(command, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxkit", command, "-", *case(command).args, "--format", "json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(),
    )
    try:
        proc.stdin.write(b"id,nps,csat,ces\n1,9,5,1\n")  # a start of data, then no end of file
        proc.stdin.flush()
        _wait_until_reading_stdin(proc.pid)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (out, err)
    assert out == b""
    assert err == b"cxkit: interrupted\n"


# ------------------------------------------------------------------------------------------------
# 6. -o FILE


def _parse(fmt: str, text: str):
    if fmt == "json":
        return json.loads(text)
    if fmt == "ndjson":
        return [json.loads(line) for line in text.splitlines()]
    if fmt in ("csv", "tsv"):
        return read_delimited(text, "," if fmt == "csv" else "\t")
    lines = text.splitlines()
    assert re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", lines[1])
    return lines


OUTPUT_EXTENSIONS = {".json": "json", ".csv": "csv", ".tsv": "tsv", ".ndjson": "ndjson",
                     ".md": "markdown"}


@pytest.mark.parametrize("ext", OUTPUT_EXTENSIONS)
@pytest.mark.parametrize("command", commands_with("--output"))
def test_output_file_follows_its_extension(command, ext, tmp_path):
    c = case(command)
    argv = c.argv(command, tmp_path)
    source = Path(argv[1])
    before = sha256(source)
    target = tmp_path / f"out{ext}"
    run = run_cli(*argv, "-o", target)
    assert run.returncode == 0, run
    assert run.stdout == ""  # the data went to the file
    assert "Traceback" not in run.stderr
    fmt = OUTPUT_EXTENSIONS[ext]
    written = target.read_text(encoding="utf-8")
    assert _parse(fmt, written)
    assert written == run_cli(*argv, "--format", fmt).stdout  # same bytes as on stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, target.name])
    assert sha256(source) == before

    if ext == ".json":  # replacing an existing file leaves no temp file either
        again = run_cli(*argv, "-o", target)
        assert again.returncode == 0, again
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, target.name])


@pytest.mark.parametrize("command", commands_with("--output", "--format"))
def test_format_flag_wins_over_the_extension(command, tmp_path):
    c = case(command)
    target = tmp_path / "out.txt"
    run = run_cli(*c.argv(command, tmp_path), "-o", target, "--format", "json")
    assert run.returncode == 0, run
    data = json.loads(target.read_text(encoding="utf-8"))
    if c.kpis:
        assert [k["kpi"] for k in data["kpis"]] == list(c.kpis)
    elif c.table_columns and "kpi" in data:  # themes: a KPI object, one row per term in csv
        assert data["kpi"] == command
    elif c.table_columns:
        assert list(data) == [command] and data[command]["columns"] == list(c.table_columns)
    else:
        assert data["kpi"] == c.kpi


@pytest.mark.parametrize("command", commands_with("--output"))
def test_output_into_a_missing_folder_exits_73(command, tmp_path):
    run = run_cli(*case(command).argv(command, tmp_path), "-o", "/nonexistent/dir/x.json")
    assert_clean_error(run, 73, "/nonexistent/dir/x.json")


@pytest.mark.parametrize("command", commands_with("--output"))
def test_output_never_overwrites_the_input(command, tmp_path):
    argv = case(command).argv(command, tmp_path)
    source = Path(argv[1])
    before = sha256(source)
    run = run_cli(*argv, "--format", "csv", "-o", source)
    assert_clean_error(run, 73, "input file")
    assert sha256(source) == before


@pytest.mark.parametrize("command", commands_with("--output"))
def test_output_with_an_unknown_extension_is_a_usage_error(command, tmp_path):
    c = case(command)
    argv = c.argv(command, tmp_path)
    run = run_cli(*argv, "-o", tmp_path / "out.xyz")
    assert_clean_error(run, 2, "out.xyz", ".xyz")
    assert sorted(p.name for p in tmp_path.iterdir()) == [Path(argv[1]).name]


@pytest.mark.parametrize("command", COMMANDS)
def test_input_file_is_never_modified(command, tmp_path):
    c = case(command)
    argv = c.argv(command, tmp_path)
    source = Path(argv[1])
    before, listing = sha256(source), sorted(tmp_path.iterdir())
    for fmt in MACHINE_FORMATS:
        assert run_cli(*argv, "--format", fmt).returncode == 0
    assert sha256(source) == before
    assert sorted(tmp_path.iterdir()) == listing


# ------------------------------------------------------------------------------------------------
# 7. --fail-under / --fail-over


def test_nps_fail_under_30(tmp_path):
    run = run_cli("nps", survey_file(tmp_path), "--fail-under", "30", "--format", "json")
    assert run.returncode == 3, run
    assert json.loads(run.stdout)["value"] == 0.0  # the KPI is still printed
    assert error_lines(run.stderr) == ["cxkit: error: NPS 0.0 is under --fail-under 30"], run
    exactly = run_cli("nps", survey_file(tmp_path), "--fail-under", "0", "--fail-over", "0")
    assert exactly.returncode == 0, exactly  # on the line is not across it


def test_thresholds_compare_the_printed_value(tmp_path):
    # CSAT 4/7 = 57.142...% is printed 57.1: a threshold of 57.1 is neither under nor over it
    for flag in ("--fail-under", "--fail-over"):
        run = run_cli("csat", survey_file(tmp_path), flag, "57.1", "--value")
        assert (run.returncode, run.stdout, run.stderr) == (0, "57.1\n", ""), run
    run = run_cli("csat", survey_file(tmp_path), "--fail-over", "57.05", "--value")
    assert run.returncode == 3, run
    assert error_lines(run.stderr) == ["cxkit: error: CSAT 57.1 is over --fail-over 57.05"], run


@pytest.mark.parametrize("command", commands_with("--fail-under", "--fail-over"))
def test_thresholds(command, tmp_path):
    c = case(command)
    argv = c.argv(command, tmp_path)
    above, below = f"{c.value + 10:g}", f"{c.value - 10:g}"

    for flag, limit in (("--fail-under", above), ("--fail-over", below)):
        run = run_cli(*argv, flag, limit)
        assert run.returncode == 3, run
        rows = read_delimited(run.stdout, ",")  # the KPI is still printed, on stdout
        assert float(rows[0]["value"]) == pytest.approx(c.value)
        assert len(error_lines(run.stderr)) == 1 and flag in run.stderr, run
        assert "Traceback" not in run.stderr

    for flag, limit in (("--fail-under", below), ("--fail-over", above)):
        run = run_cli(*argv, flag, limit)
        assert run.returncode == 0, run
        assert run.stderr == ""

    shown = c.value_text.strip()  # the printed value is on the line, not across it
    exactly = run_cli(*argv, "--fail-under", shown, "--fail-over", shown)
    assert exactly.returncode == 0, exactly


@pytest.mark.parametrize("command", commands_with("--fail-under", "--output"))
def test_threshold_with_output_file_still_writes_it(command, tmp_path):
    c = case(command)
    target = tmp_path / "out.json"
    run = run_cli(*c.argv(command, tmp_path), "--fail-under", f"{c.value + 10:g}", "-o", target)
    assert run.returncode == 3, run
    assert json.loads(target.read_text(encoding="utf-8"))["value"] == pytest.approx(c.value)


@pytest.mark.parametrize("command", commands_with("--fail-under"))
def test_threshold_without_a_value_is_not_crossed(command, tmp_path):
    header_only = tmp_path / "header.csv"
    header_only.write_bytes(case(command).make(tmp_path).read_bytes().splitlines(True)[0])
    run = run_cli(command, header_only, *case(command).args, "--fail-under", "30")
    assert run.returncode == 0, run
    assert "thresholds not checked" in run.stderr


# ------------------------------------------------------------------------------------------------
# 8. Tracebacks only with --debug


def _error_invocations(command: str, folder: Path) -> list[tuple[list[str], int]]:
    c = case(command)
    empty = folder / "empty.csv"
    empty.write_bytes(b"")
    calls = [
        ([command, str(empty), *c.args], 65),
        ([command, str(folder / "missing.csv"), *c.args], 66),
    ]
    if "--score" in options_of(command):
        calls.append(([*c.argv(command, folder), "--score", "nope"], 65))
    if "--output" in options_of(command):
        calls.append(([*c.argv(command, folder), "-o", "/nonexistent/dir/x.json"], 73))
    return calls


@pytest.mark.parametrize("command", COMMANDS)
def test_traceback_only_with_debug(command, tmp_path):
    for argv, code in _error_invocations(command, tmp_path):
        plain = run_cli(*argv)
        assert plain.returncode == code, plain
        assert "Traceback" not in plain.stderr, plain
        debug = run_cli(*argv, "--debug")
        assert debug.returncode == code, debug
        assert "Traceback (most recent call last)" in debug.stderr, debug
        assert len(error_lines(debug.stderr)) == 1, debug
        assert debug.stdout == ""


# ------------------------------------------------------------------------------------------------
# 9. Spreadsheet formulas from the data are neutralised in csv/tsv


def _formula_file(folder: Path) -> Path:
    # segment =HYPERLINK("x"): nps 10, 10 -> P2 n2 -> 100.0
    # segment plain:           nps 0, 0, 0, 10 -> P1 D3 n4 -> 100 * (1 - 3) / 4 = -50.0
    # csat (1-5): =HYPERLINK 5, 5 -> 100.0; plain 1, 1, 1, 5 -> 1/4 -> 25.0
    # ces (1-5):  =HYPERLINK 1, 1 -> 1.0;   plain 5, 5, 5, 1 -> 16/4 -> 4.0
    # resolution time: =HYPERLINK 1 h, 1 h -> 1.0; plain 2, 2, 2, 6 h -> 12/4 -> 3.0
    # AOV and CLV (one order per customer): =HYPERLINK 10, 10 -> 10.0; plain 20, 20, 20, 60 -> 30.0
    start = "2025-01-06 09:00"
    rows = [("1", '=HYPERLINK("x")', "10", "5", "1", start, "2025-01-06 10:00", "K1", "10"),
            ("2", '=HYPERLINK("x")', "10", "5", "1", start, "2025-01-06 10:00", "K2", "10")]
    rows += [(str(i), "plain", s, c, e, start, end, f"K{i}", a) for i, (s, c, e, end, a) in
             enumerate([("0", "1", "5", "2025-01-06 11:00", "20"),
                        ("0", "1", "5", "2025-01-06 11:00", "20"),
                        ("0", "1", "5", "2025-01-06 11:00", "20"),
                        ("10", "5", "1", "2025-01-06 15:00", "60")], 3)]
    return write_csv(folder / "formula.csv", ("id", "segment", "nps", "csat", "ces", *TIMES,
                                              *MONEY), rows)


FORMULA_VALUES = {"nps": (100.0, -50.0), "csat": (100.0, 25.0), "ces": (1.0, 4.0),
                  "tickets": (1.0, 3.0), "orders": (10.0, 30.0), "clv": (10.0, 30.0)}


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
@pytest.mark.parametrize("command", commands_with("--by"))
def test_formulas_in_keys_are_neutralised(command, fmt, sep, tmp_path):
    args = case(command).args
    run = run_cli(command, _formula_file(tmp_path), *args, "--by", "segment", "--format", fmt)
    assert run.returncode == 0, run
    rows = read_delimited(run.stdout, sep)
    by_key = {r["segment"]: r for r in rows}
    assert set(by_key) == {"'=HYPERLINK(\"x\")", "plain"}
    if command in FORMULA_VALUES:
        formula, plain = FORMULA_VALUES[command]
        assert by_key["'=HYPERLINK(\"x\")"]["value"] == f"{formula}"
        assert by_key["plain"]["value"] == f"{plain}"  # e.g. -50.0, not '-50.0
    for row in rows:  # numbers are never prefixed, negative or not
        for name in ("value", "ci_low", "ci_high", "n"):
            assert not row[name].startswith("'"), row
            assert row[name] == "" or math.isfinite(float(row[name])), row
    json_out = run_cli(command, _formula_file(tmp_path), *args, "--by", "segment",
                       "--format", "json")
    keys = {g["key"]["segment"] for g in json.loads(json_out.stdout)["groups"]}
    assert keys == {'=HYPERLINK("x")', "plain"}  # JSON carries the data as it is


def _odd_names_file(folder: Path) -> Path:
    # column names from the data that are a formula and that hold a pipe; 2 rows, 2 groups each
    times = ("2025-01-06 09:00", "2025-01-06 10:00")
    rows = [("1", "10", "5", "1", "x", "y", *times, "K1", "10"),
            ("2", "0", "1", "5", "z", "w", *times, "K2", "20")]
    return write_csv(folder / "odd.csv", ("id", "nps", "csat", "ces", "@SUM(1)", "a|b", *TIMES,
                                          *MONEY), rows)


@pytest.mark.parametrize("command", commands_with("--by"))
def test_column_names_from_the_data_are_neutralised_and_escaped(command, tmp_path):
    path = _odd_names_file(tmp_path)
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        run = run_cli(command, path, *case(command).args, "--by", "@SUM(1)", "--format", fmt)
        assert run.returncode == 0, run
        header = next(csv.reader(io.StringIO(run.stdout), delimiter=sep))
        assert header[0] == "'@SUM(1)", header  # the header row is spreadsheet input too

    run = run_cli(command, path, *case(command).args, "--by", "a|b", "--format", "markdown")
    assert run.returncode == 0, run
    lines = run.stdout.splitlines()
    assert lines[0].startswith("| a\\|b |"), lines[0]
    widths = {len(re.split(r"(?<!\\)\|", line)) for line in lines}
    assert len(widths) == 1, lines


def test_nps_minus_fifty_is_not_prefixed(tmp_path):
    path = write_csv(tmp_path / "low.csv", ("id", "nps"),
                     [("1", "0"), ("2", "0"), ("3", "0"), ("4", "10")])  # (1 - 3) / 4 -> -50.0
    run = run_cli("nps", path, "--format", "csv")
    assert read_delimited(run.stdout, ",")[0]["value"] == "-50.0"
    assert run_cli("nps", path, "--value").stdout == "-50.0\n"


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_columns_neutralises_formulas(fmt, sep, tmp_path):
    run = run_cli("columns", _formula_file(tmp_path), "--format", fmt)
    assert run.returncode == 0, run
    rows = {r["column"]: r for r in read_delimited(run.stdout, sep)}
    assert rows["segment"]["examples"].startswith("'=HYPERLINK(")
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@")), row


# ------------------------------------------------------------------------------------------------
# 11. Colour: only on a terminal, never with NO_COLOR / --no-color, never in machine formats


@pytest.mark.parametrize("command", COMMANDS)
def test_colour_on_a_terminal_and_never_with_no_color(command, tmp_path):
    argv = case(command).argv(command, tmp_path)
    coloured = run_cli_tty(*argv)
    assert coloured.returncode == 0, coloured
    assert ANSI.search(coloured.stdout_bytes), coloured  # the table, styled, on a terminal

    for run in (run_cli_tty(*argv, env=cli_env(NO_COLOR="1")), run_cli_tty(*argv, "--no-color")):
        assert run.returncode == 0, run
        assert run.stdout_bytes.strip(), run
        assert not ANSI.search(run.stdout_bytes), run
        assert not ANSI.search(run.stderr_bytes), run


@pytest.mark.parametrize("command", COMMANDS)
def test_no_color_also_in_help_and_errors(command, tmp_path):
    env = cli_env(NO_COLOR="1")
    for args in ([command, "--help"], [command], [*case(command).argv(command, tmp_path), "-x"],
                 [command, tmp_path / "missing.csv"]):
        run = run_cli_tty(*args, env=env)
        assert run.returncode in (0, 2, 66), run
        assert not ANSI.search(run.stdout_bytes), run
        assert not ANSI.search(run.stderr_bytes), run


def test_a_whole_process_on_a_terminal_is_styled_and_obeys_no_color(tmp_path):
    # the terminal tests run in this interpreter on real pseudo-terminals; here once as a whole
    # process, where Typer and Rich read the environment at import and Python sets up its streams
    argv = case("nps").argv("nps", tmp_path)
    coloured = run_cli_tty_os(*argv)
    assert coloured.returncode == 0, coloured
    assert ANSI.search(coloured.stdout_bytes), coloured
    plain = [run_cli_tty_os(*argv, env=cli_env(NO_COLOR="1")), run_cli_tty_os(*argv, "--no-color"),
             run_cli_tty_os("nps", "--help", env=cli_env(NO_COLOR="1")),
             run_cli_tty_os("nps", tmp_path / "missing.csv", env=cli_env(NO_COLOR="1"))]
    assert [run.returncode for run in plain] == [0, 0, 0, 66], plain
    for run in plain:
        assert (run.stdout_bytes + run.stderr_bytes).strip(), run
        assert not ANSI.search(run.stdout_bytes) and not ANSI.search(run.stderr_bytes), run
    # a machine format stays plain on a terminal, even with FORCE_COLOR (stderr: the spinner)
    machine = run_cli_tty_os(*argv, "--format", "json", env=cli_env(FORCE_COLOR="1"))
    assert machine.returncode == 0 and b'"kpi": "nps"' in machine.stdout_bytes, machine
    assert not ANSI.search(machine.stdout_bytes), machine


# every command once on a terminal, the formats in turn so that each is seen on several
# commands; every command x format is checked in-process with FORCE_COLOR by
# test_output_is_byte_identical_whatever_the_terminal
TERMINAL_PAIRS = [(c, MACHINE_FORMATS[i % len(MACHINE_FORMATS)]) for i, c in enumerate(COMMANDS)]


@pytest.mark.parametrize(("command", "fmt"), TERMINAL_PAIRS)
def test_machine_formats_on_a_terminal_have_no_ansi(command, fmt, tmp_path):
    c = case(command)
    run = run_cli_tty(*c.argv(command, tmp_path), "--format", fmt,
                      env=cli_env(FORCE_COLOR="1"))
    assert run.returncode == 0, run
    assert not ANSI.search(run.stdout_bytes), run
    if fmt == "json":  # the same bytes as through a pipe (the terminal only adds \r to \n)
        piped = run_cli(*c.argv(command, tmp_path), "--format", fmt)
        assert run.stdout_bytes.replace(b"\r\n", b"\n") == piped.stdout_bytes


@pytest.mark.parametrize("command", KPI_COMMANDS)
def test_machine_output_has_no_nan_or_infinity(command, tmp_path):
    # one answer: the interval of a mean needs two, so CES has no interval here; never NaN
    path = tmp_path / "one.csv"  # the header and the first row of the command's case
    c = case(command)
    path.write_bytes(b"".join(c.make(tmp_path).read_bytes().splitlines(True)[:2]))
    args = c.args
    for fmt in MACHINE_FORMATS:
        run = run_cli(command, path, *args, "--format", fmt)
        assert run.returncode == 0, run
        assert not re.search(r"\b(nan|-?inf(inity)?)\b", run.stdout, re.IGNORECASE), run
    data = json.loads(run_cli(command, path, *args, "--format", "json").stdout)
    assert data["n"] == (0 if c.always_by else 1)  # retention needs two periods
    assert data["value"] is None or math.isfinite(data["value"])
