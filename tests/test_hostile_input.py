"""Hostile and odd inputs: what is not a regular file, implausible dates, absurd option values,
numbers that are not amounts, mixed epoch units, gzip bombs.

Contract on every refusal: the exit code of KPIS.md ("Exit codes"), exactly one `cxkit: error:`
line and it names the input (or the option), no traceback, and it finishes (a timeout of a few
seconds where the old code hung). What can be read is read with numbers worked out by hand.
Every input is made in the test. The CLI runs in-process (`cxkit_in_process`) except where only
the OS shows the problem (a FIFO that blocks, a closed stdin, `<(...)`, a socket): there
`run_cli_os` or a shell, always with a timeout.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import zlib
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from conftest import cli_env, cxkit_in_process, cxkit_json, run_cli, run_cli_os, write_csv

from cxkit.io import read
from cxkit.io.dates import MAX_DURATION_DAYS, MIN_YEAR, max_year
from cxkit.io.orders import amount_expr
from cxkit.kpi import retention

ERROR = "cxkit: error: "
NOTE = "cxkit: note: "
NPS_CSV = "id,nps\n1,10\n2,9\n3,3\n4,7\n"  # P2 D1 of 4 -> 100 * (2 - 1) / 4 = 25.0


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch):
    for name in ("CXKIT_DEBUG", "NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


def assert_refused(run, code: int, *names: str) -> str:
    """Exit `code`, nothing on stdout, one error line naming each of `names`; the line."""
    assert run.returncode == code, run
    assert "Traceback" not in run.stderr, run
    errors = [ln for ln in run.stderr.splitlines() if ln.startswith(ERROR)]
    assert len(errors) == 1, run
    for name in names:
        assert name in errors[0], run
    assert run.stdout == "", run
    return errors[0]


def notes(err: str) -> list[str]:
    return [ln.removeprefix(NOTE) for ln in err.splitlines() if ln.startswith(NOTE)]


def cxkit_sh(script: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """`bash -c SCRIPT` with $0 = this Python and $1... = args: `"$0" -m cxkit ...`."""
    return subprocess.run(["bash", "-c", script, sys.executable, *args], capture_output=True,
                          text=True, env=cli_env(), timeout=timeout, stdin=subprocess.DEVNULL)


# ------------------------------------------------------------------------------------------------
# 1. Inputs that are not regular files


def test_fifo_without_writer_is_an_empty_file_not_a_hang(tmp_path):
    fifo = tmp_path / "answers.csv"
    os.mkfifo(fifo)
    start = time.monotonic()
    run = run_cli_os("nps", fifo, timeout=20)  # the old reader blocked in open() for ever
    assert time.monotonic() - start < 20
    line = assert_refused(run, 65, str(fifo))
    assert "the file is empty" in line


def test_fifo_with_writer_is_read(tmp_path):
    fifo = tmp_path / "answers"  # no extension: the kind is found from the bytes
    os.mkfifo(fifo)

    def write():
        with open(fifo, "w", encoding="utf-8") as fh:  # blocks until cxkit opens it
            fh.write(NPS_CSV)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    run = run_cli_os("nps", fifo, "--value", timeout=30)
    writer.join(5)
    assert (run.returncode, run.stdout, run.stderr) == (0, "25.0\n", ""), run


def test_fifo_gzipped_by_the_writer(tmp_path):
    fifo = tmp_path / "answers.csv.gz"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "wb") as fh:
            fh.write(gzip.compress(NPS_CSV.encode()))

    threading.Thread(target=write, daemon=True).start()
    run = run_cli_os("nps", fifo, "--value", timeout=30)
    assert (run.returncode, run.stdout) == (0, "25.0\n"), run


@pytest.mark.parametrize("producer", ["cat", "gzip -c"])
def test_process_substitution_is_read(tmp_path, producer):
    path = tmp_path / "answers.csv"
    path.write_text(NPS_CSV, encoding="utf-8")
    # <(...) is a pipe at /dev/fd/N: the old reader handed it to Polars, which failed
    proc = cxkit_sh(f'"$0" -m cxkit nps <({producer} "$1") --value', str(path))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "25.0\n", ""), proc


def test_process_substitution_twice_in_a_report(tmp_path):
    # `cxkit report` recognises each file from its header, then reads it: a pipe is read once
    path = write_csv(tmp_path / "o.csv", ("order_id", "customer_id", "ordered_at", "amount"),
                     [("1", "a", "2025-01-03", "10.00"), ("2", "b", "2025-01-04", "30.00")])
    out = tmp_path / "r.json"
    proc = cxkit_sh('"$0" -m cxkit report <(cat "$1") -o "$2"', str(path), str(out))
    assert proc.returncode == 0, proc
    kpis = {k["kpi"]: k for k in json.loads(out.read_text())["kpis"]}
    assert kpis["revenue"]["value"] == 40.0  # 10 + 30
    assert "Traceback" not in proc.stderr


def test_socket_at_dev_fd_is_read(tmp_path):
    mine, theirs = socket.socketpair()
    try:
        mine.sendall(NPS_CSV.encode())
        mine.shutdown(socket.SHUT_WR)
        proc = subprocess.run(
            [sys.executable, "-m", "cxkit", "nps", f"/dev/fd/{theirs.fileno()}", "--value"],
            pass_fds=(theirs.fileno(),), capture_output=True, text=True, env=cli_env(),
            timeout=30, stdin=subprocess.DEVNULL)
    finally:
        mine.close()
        theirs.close()
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "25.0\n", ""), proc


def test_proc_file_of_size_zero_is_read(capsys):
    assert os.stat("/proc/self/status").st_size == 0  # says empty, yet has lines
    table = read.read_inputs(["/proc/self/status"])
    assert table.columns[0].startswith("Name")
    assert table.lf.collect().height > 5  # Umask, State, Tgid, Pid... (one line each)
    run = cxkit_in_process(capsys, "nps", "/proc/self/status")
    # read, and refused for what it is: no NPS column in it (the old reader crashed)
    assert "no column looks like the NPS score" in assert_refused(run, 65, "/proc/self/status")


def _block_device() -> str | None:
    for entry in sorted(os.scandir("/dev"), key=lambda e: e.name):
        try:
            if stat.S_ISBLK(os.stat(entry.path).st_mode) and os.access(entry.path, os.R_OK):
                return entry.path
        except OSError:
            continue
    return None


DEVICES = ["/dev/zero", "/dev/urandom", "/dev/null"]
if _block_device():
    DEVICES.append(_block_device())


@pytest.mark.parametrize("device", DEVICES)
def test_devices_are_refused_at_once(capsys, device):
    start = time.monotonic()
    run = cxkit_in_process(capsys, "nps", device)
    assert time.monotonic() - start < 5
    line = assert_refused(run, 66, device)
    assert "device, not a file" in line
    assert "cat FILE | cxkit nps -" in run.stderr  # the hint: pipe it to `-`


def test_closed_stdin_is_exit_66():
    proc = cxkit_sh('exec "$0" -m cxkit nps - <&-', timeout=30)
    assert proc.returncode == 66, proc
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith(ERROR)]
    assert errors == [ERROR + "<stdin>: standard input is closed or not readable"], proc
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_binary_stdin_stops_after_the_first_mib(device):
    # stdin is a stream: read, but its first MiB must look like text (NUL bytes: it does not)
    # the bound only has to outlast a loaded machine (an endless read never ends): this 0.4 s
    # process once stalled past 30 s in a CI run that had just installed Chromium
    with open(device, "rb") as src:
        proc = subprocess.run([sys.executable, "-m", "cxkit", "nps", "-"], stdin=src,
                              capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 65, proc
    assert proc.stderr.splitlines()[0] == ERROR + "<stdin>: this is not a text file"


def test_stdin_is_read_once_and_kept(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(NPS_CSV.encode())))
    first = read.read_inputs(["-"]).lf.collect()
    again = read.read_inputs(["-"]).lf.collect()  # the same bytes, not an empty stream
    assert first.equals(again) and first.height == 4


# ------------------------------------------------------------------------------------------------
# 2. Dates outside the plausible years

MIN_VALUE = "0001-01-01T00:00:00"  # .NET's DateTime.MinValue, as exports write "no date"
ORDERS_0001 = [("1", "a", MIN_VALUE, "10.00"), ("2", "a", "2025-01-03T10:00:00", "20.00"),
               ("3", "b", "2025-02-03T10:00:00", "30.00")]
ORDER_HEADER = ("order_id", "customer_id", "ordered_at", "amount")


def test_the_plausible_years():
    assert MIN_YEAR == 1900
    assert max_year() == date.today().year + 2


@pytest.mark.parametrize("typed", [False, True])
def test_in_range_keeps_the_plausible_years_to_the_microsecond(typed):
    from cxkit.io.dates import in_range

    y = max_year()
    stamps = [datetime(1, 1, 1), datetime(1899, 12, 31, 23, 59, 59, 999999),
              datetime(1900, 1, 1), datetime(1969, 12, 31, 23, 59, 59, 1),
              datetime(2025, 6, 1, 12, 30, 15, 123456), datetime(y, 12, 31, 23, 59, 59, 999999),
              datetime(y + 1, 1, 1), datetime(9999, 12, 31), None]
    kept = [None, None, *stamps[2:6], None, None, None]  # the first and last instants kept
    got = pl.DataFrame({"t": stamps}, schema={"t": pl.Datetime("us")}).select(
        in_range(pl.col("t"), typed=typed))["t"].to_list()
    assert got == kept
    days = [date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(1969, 12, 31),
            date(y, 12, 31), date(y + 1, 1, 1), None]
    got = pl.DataFrame({"d": days}).select(in_range(pl.col("d"), pl.Date, typed))["d"]
    assert got.to_list() == [None, None, *days[2:5], None, None]


def test_retention_by_day_with_year_0001_is_quick(tmp_path, capsys):
    path = write_csv(tmp_path / "o.csv", ORDER_HEADER, ORDERS_0001)
    start = time.monotonic()
    run = cxkit_in_process(capsys, "retention", path, "--period", "day", "--format", "json")
    elapsed = time.monotonic() - start
    # before: 739,284 day periods from 0001-01-01 built one by one (55 s, 7 GB here)
    assert elapsed < 10, elapsed
    assert run.returncode == 0, run
    kpi = json.loads(run.stdout)["kpis"][0]
    # the 0001 order is an invalid date; left: a on 2025-01-03, b on 2025-02-03: 31 day periods
    # after the first (01-04 ... 02-03); only 01-04 has a customer before it (a), not retained
    # -> n = 1, retention 0.0
    assert (kpi["value"], kpi["n"], kpi["dropped"]["invalid_date"]) == (0.0, 1, 1)
    assert len(kpi["groups"]) == 31
    assert notes(run.stderr) == [
        f"{path}: 'ordered_at': 1 of 3 sampled dates are outside 1900-01-01 to "
        f"{max_year()}-12-31, e.g. '{MIN_VALUE}'; such dates are not used (counted as "
        "invalid_date)"]


def test_a_span_of_more_than_max_periods_lists_only_periods_around_orders(tmp_path, capsys):
    rows = [("1", "a", "1900-01-01", "1"), ("2", "a", "2025-01-01", "1"),
            ("3", "a", "2025-01-02", "1")]
    path = write_csv(tmp_path / "o.csv", ORDER_HEADER, rows)
    result, _ = cxkit_json(capsys, "retention", path, "--period", "day", "--kpi",
                           "retention_rate")
    # 1900-01-01 .. 2025-01-02 is 45,658 days > MAX_PERIODS: only the days with orders and the
    # days after them, up to the last: 1900-01-02 (a before, not again: 0 %), 2025-01-01 (no
    # one the day before: null), 2025-01-02 (a before and again: 100 %); the first day has none
    # before it. Pooled: retained 1 of 1 + 0 + 1 -> 50.0. The 45,654 days left out would all
    # be rows of nobody (n 0, value null): the figures are those of the full listing.
    assert (date(2025, 1, 2) - date(1900, 1, 1)).days + 1 > retention.MAX_PERIODS
    got = [(g["key"]["period"], g["value"], g["n"]) for g in result["groups"]]
    assert got == [("1900-01-02", 0.0, 1), ("2025-01-01", None, 0), ("2025-01-02", 100.0, 1)]
    assert (result["value"], result["n"]) == (50.0, 2)
    assert "the orders span 45,658 days (more than 5,000)" in result["rule"]
    assert [g["change"] for g in result["groups"]] == [None, None, None]


def test_cohort_matrix_keeps_its_latest_cohorts_within_max_cells(tmp_path, capsys, monkeypatch):
    rows = [("1", "a", "2025-01-01", "1"), ("2", "a", "2025-01-02", "1"),
            ("3", "b", "2025-01-02", "1"), ("4", "b", "2025-01-03", "1"),
            ("5", "c", "2025-01-03", "1")]
    path = write_csv(tmp_path / "o.csv", ORDER_HEADER, rows)
    full, _ = cxkit_json(capsys, "retention", path, "--period", "day", "--cohorts")
    # cohorts 01-01 (a), 01-02 (b), 01-03 (c) over 3 days: 3 x 3 = 9 cells
    # k=1: a yes, b yes, c not observable -> 2 of 2 = 100.0; n: the 2 customers of the
    # cohorts whose k=1 day is observed (c's is not), of 3 customers
    monkeypatch.setattr(retention, "MAX_CELLS", 4)  # 2 cohorts x 2 days fit, 3 x 3 do not
    cut, _ = cxkit_json(capsys, "retention", path, "--period", "day", "--cohorts")
    assert (full["value"], full["n"], full["customers"], len(full["groups"])) == (100.0, 2, 3, 3)
    assert (cut["value"], cut["n"]) == (100.0, 2)  # the headline still pools every cohort
    assert [g["key"]["cohort"] for g in cut["groups"]] == ["2025-01-02", "2025-01-03"]
    assert "the last 2 of 3 cohorts" in cut["rule"]


RESPONSES_ODD = [("1", "a", MIN_VALUE, "9", "5", "2"), ("2", "b", "2025-01-03T10:00:00", "3", "2",
                                                                   "4"),
                 ("3", "c", "9999-12-31T00:00:00", "10", "4", "1"),
                 ("4", "a", "2025-01-04T10:00:00", "10", "5", "1")]
TICKETS_ODD = [("1", MIN_VALUE, "2025-01-03T10:00:00", "closed", "complaint", "a"),
               ("2", "2025-01-03T10:00:00", "2025-01-04T10:00:00", "closed", "complaint", "a"),
               ("3", "9999-12-31T10:00:00", "", "open", "question", "b"),
               ("4", "2025-01-05T10:00:00", "", "open", "question", "b")]
ORDERS_ODD = ORDERS_0001 + [("4", "b", "9999-12-31T23:59:59", "5.00"),
                            ("5", "c", "2025-02-05T00:00:00", "8.00")]


def _odd_files(folder: Path) -> dict[str, Path]:
    return {
        "responses": write_csv(folder / "r.csv", ("id", "customer_id", "date", "nps", "csat",
                                                   "ces"), RESPONSES_ODD),
        "tickets": write_csv(folder / "t.csv", ("Id", "Created at", "Solved at", "Status", "Type",
                                                 "Requester id"), TICKETS_ODD),
        "orders": write_csv(folder / "o.csv", ORDER_HEADER, ORDERS_ODD),
    }


COMMANDS = {
    "nps": ["nps", "{responses}"], "csat": ["csat", "{responses}"], "ces": ["ces", "{responses}"],
    "tickets": ["tickets", "{tickets}"], "orders": ["orders", "{orders}"],
    "retention": ["retention", "{orders}"], "cohorts": ["retention", "{orders}", "--cohorts"],
    "inactivity": ["retention", "{orders}", "--inactive-after", "90d"],
    "complaints": ["complaints", "{tickets}", "--orders", "{orders}"],
    "report": ["report", "--responses", "{responses}", "--tickets", "{tickets}", "--orders",
               "{orders}", "-o", "{out}"],
}


@pytest.mark.parametrize("period", ["day", "week", "month"])
@pytest.mark.parametrize("command", COMMANDS)
def test_year_0001_and_9999_with_every_period(tmp_path, capsys, command, period):
    files = _odd_files(tmp_path)
    out = tmp_path / "report.json"
    args = [a.format(out=out, **files) for a in COMMANDS[command]]
    run = cxkit_in_process(capsys, *args, "--period", period, "--format", "json")
    assert run.returncode == 0, run  # before: "year 0 is out of range" tracebacks
    assert "Traceback" not in run.stderr
    assert any("sampled dates are outside" in n for n in notes(run.stderr)), run
    data = json.loads(out.read_text() if command == "report" else run.stdout)
    kpis = data.get("kpis", [data])
    dropped = [k["dropped"].get("invalid_date") for k in kpis if "invalid_date" in k["dropped"]]
    if command in ("nps", "csat", "ces"):
        assert dropped == [2]  # 0001-01-01 and 9999-12-31
    elif command in ("orders", "retention", "cohorts", "inactivity"):
        assert set(dropped) == {2}  # 0001-01-01 and 9999-12-31
    elif command == "tickets":
        assert dropped and set(dropped) <= {2}
    # complaints: its output has no date drops (the notice and the exit code are checked)
    if command == "nps":
        # used: 3 (2025-01-03) and 10 (2025-01-04): P1 D1 -> 0.0
        assert (data["value"], data["n"]) == (0.0, 2)


def test_other_commands_with_odd_dates(tmp_path, capsys):
    files = _odd_files(tmp_path)
    for args in (["clv", files["orders"]],
                 ["nps-revenue", files["responses"], "--orders", files["orders"]],
                 ["followup", files["responses"], "--orders", files["orders"]]):
        run = cxkit_in_process(capsys, *args, "--format", "json")
        assert run.returncode == 0, run
        assert "Traceback" not in run.stderr


def test_native_dates_out_of_range_in_parquet(tmp_path, capsys):
    path = tmp_path / "o.parquet"
    pl.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "a", "b"],
                  "ordered_at": [datetime(1, 1, 1), datetime(2025, 1, 3), datetime(2025, 2, 3)],
                  "amount": [1.0, 2.0, 3.0]}).write_parquet(path)
    result, _ = cxkit_json(capsys, "orders", path, "--period", "month", "--kpi", "revenue")
    # 2025-01: 2.0, 2025-02: 3.0; the year-1 order: invalid_date
    assert (result["value"], result["dropped"]["invalid_date"]) == (5.0, 1)
    assert [(g["key"]["period"], g["value"]) for g in result["groups"]] == [
        ("2025-01", 2.0), ("2025-02", 3.0)]


@pytest.mark.parametrize("option, value", [
    ("--until", "9999-12-31"), ("--since", "0001-01-01"), ("--as-of", "0001-01-01"),
])
def test_option_dates_out_of_range(tmp_path, capsys, option, value):
    path = write_csv(tmp_path / "o.csv", ORDER_HEADER, ORDERS_0001[1:])
    run = cxkit_in_process(capsys, "retention", path, option, value, "--inactive-after", "90d")
    line = assert_refused(run, 2, option, value)
    assert "1900-01-01 to 2999-12-31" in line


# ------------------------------------------------------------------------------------------------
# 3. Absurd option values


def _sample_args(tmp_path: Path) -> dict[str, list[str]]:
    files = _odd_files(tmp_path)
    r, t, o = (str(files[k]) for k in ("responses", "tickets", "orders"))
    return {
        "--inactive-after": ["retention", o],
        "--repeat-window": ["tickets", t],
        "--sla-first-response": ["tickets", t],
        "--sla-resolution": ["tickets", t],
        "--recurrence-window": ["complaints", t],
        "--window": ["nps-revenue", r, "--orders", o],
        "report --window": ["report", "--orders", o, "-o", str(tmp_path / "r.json")],
    }


DURATION_OPTIONS = ["--inactive-after", "--repeat-window", "--sla-first-response",
                    "--sla-resolution", "--recurrence-window", "--window", "report --window"]


@pytest.mark.parametrize("value", ["99999999d", "3651d", "0", "0h"])
@pytest.mark.parametrize("option", DURATION_OPTIONS)
def test_durations_out_of_range_are_usage_errors(tmp_path, capsys, option, value):
    args = _sample_args(tmp_path)[option]
    flag = option.split()[-1]
    run = cxkit_in_process(capsys, *args, flag, value)
    line = assert_refused(run, 2, flag, value)
    assert f"at most {MAX_DURATION_DAYS}d" in line


@pytest.mark.parametrize("option", DURATION_OPTIONS)
def test_scientific_durations_are_not_durations(tmp_path, capsys, option):
    args = _sample_args(tmp_path)[option]
    flag = option.split()[-1]
    run = cxkit_in_process(capsys, *args, flag, "1e9d")
    assert "not a duration" in assert_refused(run, 2, flag, "1e9d")


def test_the_longest_duration_is_accepted(tmp_path, capsys):
    args = _sample_args(tmp_path)["--inactive-after"]
    run = cxkit_in_process(capsys, *args, "--inactive-after", f"{MAX_DURATION_DAYS}d")
    assert run.returncode == 0, run


@pytest.mark.parametrize("args, needle", [
    (["clv", "{orders}", "--top", "99999999999999999999"], "1<=x<=1000000"),
    (["clv", "{orders}", "--churn", "1e-300"], "from 0.1%"),
    (["nps", "{responses}", "--encoding", "klingon"], "unknown encoding 'klingon'"),
    (["nps", "{responses}", "--delimiter", ";;"], "--delimiter must be one character"),
])
def test_other_absurd_options(tmp_path, capsys, args, needle):
    files = _odd_files(tmp_path)
    run = cxkit_in_process(capsys, *[a.format(**files) for a in args])
    assert needle in assert_refused(run, 2)


def test_utf16_forced_on_a_file_without_bom(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(NPS_CSV.encode("utf-16-le"))
    run = cxkit_in_process(capsys, "nps", path, "--encoding", "utf-16")
    assert "cannot be read as utf-16" in assert_refused(run, 65, str(path))


# ------------------------------------------------------------------------------------------------
# 4. Amounts: read exactly, or dropped and counted


def amounts(values: list, style: str = "point") -> list:
    df = pl.DataFrame({"a": values}, schema={"a": pl.String})
    return df.lazy().select(amount_expr("a", style, pl.String).alias("a")).collect(
        engine="streaming")["a"].to_list()


def test_amount_rules_point():
    got = amounts(["1e308", "1.5E+03", "2e3", "\u221212.50", "\u201312.50", "12.50-", "(12.00)",
                   "$1,299.00", "1,299.00", "EUR 12", "12 USD", "1'299.00", "+5", ".5",
                   "3/4", "12%", "abc", "1.2.3", "NaN", "inf", "1,2", "10\u201320", "--12",
                   "(-12)", "", None])
    assert got == [None, 1500.0, 2000.0, -12.5, -12.5, -12.5, -12.0,
                   1299.0, 1299.0, 12.0, 12.0, 1299.0, 5.0, 0.5,
                   None, None, None, None, None, None, None, None, None,
                   None, None, None]


def test_amount_rules_comma():
    got = amounts(["1 299,00 \u20ac", "1\u202f299,00\u00a0\u20ac", "1.299,00", "R$ 10,50",
                   "\u22123,50", "2e3", "12,5", "1.2.3", "3/4", "12.50"], "comma")
    # 12.50 in a decimal-comma column: '.' groups thousands and 50 is not three digits: refused
    assert got == [1299.0, 1299.0, 1299.0, 10.5, -3.5, 2000.0, 12.5, None, None, None]


def test_orders_count_what_is_not_an_amount(tmp_path, capsys):
    values = ["1.5E+03", "2e3", "\u221212.50", "12.50-", "(12.00)", "$1,299.00",
              "1e308", "3/4", "12%", "abc", "1.2.3", "NaN", ""]
    rows = [(str(i), f"c{i % 3}", "2025-01-05", v) for i, v in enumerate(values)]
    path = write_csv(tmp_path / "o.csv", ORDER_HEADER, rows)
    run = cxkit_in_process(capsys, "orders", path, "--format", "json")
    assert run.returncode == 0, run
    kpis = {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}
    # read: 1500 + 2000 - 12.5 - 12.5 - 12 + 1299 = 4762.0 over 6 orders -> AOV 793.67
    # not amounts: 1e308 (>= 1e12), 3/4, 12%, abc, 1.2.3, NaN = 6; missing: "" = 1
    revenue = kpis["revenue"]
    assert (revenue["value"], revenue["n"]) == (4762.0, 6)
    assert (revenue["dropped"]["invalid_amount"], revenue["dropped"]["missing_amount"]) == (6, 1)
    assert kpis["aov"]["value"] == 793.67
    assert kpis["orders"]["value"] == 13  # every order still counts as an order
    assert any("6 of 12 sampled values are not amounts (e.g. '1e308', '3/4', '12%')" in n
               for n in notes(run.stderr)), run.stderr


def test_decimal_comma_file(tmp_path, capsys):
    path = tmp_path / "o.csv"
    path.write_text("order_id;customer_id;ordered_at;amount\n1;a;05/01/2025;1 299,00 \u20ac\n"
                    "2;a;06/01/2025;1.299,00\n3;b;07/01/2025;\u22123,50\n4;b;08/01/2025;3/4\n",
                    encoding="utf-8")
    result, _ = cxkit_json(capsys, "orders", path, "--kpi", "revenue")
    # 1299 + 1299 - 3.5 = 2594.5; 3/4 is not an amount
    assert (result["value"], result["n"], result["dropped"]["invalid_amount"]) == (2594.5, 3, 1)


def test_nan_and_inf_amounts_in_parquet(tmp_path, capsys):
    path = tmp_path / "o.parquet"
    pl.DataFrame({"order_id": ["1", "2", "3", "4"], "customer_id": ["a", "a", "b", "b"],
                  "ordered_at": [datetime(2025, 1, d) for d in (3, 4, 5, 6)],
                  "amount": [10.0, float("nan"), float("inf"), -float("inf")]}
                 ).write_parquet(path)
    run = cxkit_in_process(capsys, "orders", path, "--format", "json")
    assert run.returncode == 0, run
    kpis = {k["kpi"]: k for k in json.loads(run.stdout)["kpis"]}
    # only 10.0 is an amount: revenue 10.0 over 1 order; NaN, inf, -inf: invalid_amount 3
    assert (kpis["revenue"]["value"], kpis["revenue"]["n"]) == (10.0, 1)
    assert kpis["revenue"]["dropped"]["invalid_amount"] == 3
    assert kpis["clv"]["value"] == 5.0  # a: 10.0, b: nothing readable, 0.0 -> (10 + 0) / 2


# ------------------------------------------------------------------------------------------------
# 5. Unix seconds and milliseconds in one column


def test_mixed_epoch_units_in_responses(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("score,created_at\n10,1735689600\n3,1738367999000\n9,1738368000\n"
                    "0,1738368000500\n", encoding="utf-8")
    result, err = cxkit_json(capsys, "nps", path, "--score", "score", "--period", "month")
    # 1735689600 s = 2025-01-01; 1738367999000 ms = 2025-01-31 23:59:59;
    # 1738368000 s = 2025-02-01; 1738368000500 ms = 2025-02-01 00:00:00.5
    # 2025-01: 10, 3 -> P1 D1 -> 0.0; 2025-02: 9, 0 -> 0.0 (before: all read as seconds, the
    # milliseconds far in the future, or all as milliseconds, the seconds in January 1970)
    assert [(g["key"]["period"], g["value"], g["n"]) for g in result["groups"]] == [
        ("2025-01", 0.0, 2), ("2025-02", 0.0, 2)]
    assert result["dropped"]["invalid_date"] == 0
    assert notes(err) == [f"{path}: 'created_at' mixes Unix seconds and milliseconds: each value "
                          "is read by its size (milliseconds from 100,000,000,000 up, else "
                          "seconds)"]


def test_mixed_epoch_units_in_tickets_and_orders(tmp_path, capsys):
    tickets = tmp_path / "t.csv"
    tickets.write_text("id,created,solved\n1,1735689600,1735693200000\n"
                       "2,1738368000000,1738371600\n", encoding="utf-8")
    result, _ = cxkit_json(capsys, "tickets", tickets, "--created", "created", "--resolved",
                           "solved", "--kpi", "resolution_time")
    # 1735689600 s -> 1735693200000 ms: 3600 s = 1 h; 1738368000000 ms -> 1738371600 s: 1 h
    assert (result["value"], result["n"]) == (1.0, 2)
    orders = write_csv(tmp_path / "o.csv", ORDER_HEADER, [
        ("1", "a", "1735689600", "1"), ("2", "a", "1738368000000", "2")])
    result, _ = cxkit_json(capsys, "orders", orders, "--period", "month", "--kpi", "revenue")
    assert [(g["key"]["period"], g["value"]) for g in result["groups"]] == [
        ("2025-01", 1.0), ("2025-02", 2.0)]


# ------------------------------------------------------------------------------------------------
# 6. Gzip bombs


def _bomb(path: Path, head: bytes, block: bytes, blocks: int) -> Path:
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header
    with open(path, "wb") as out:
        out.write(pack.compress(head))
        for _ in range(blocks):
            out.write(pack.compress(block))
        out.write(pack.flush())
    return path


def _left_in_temp() -> int:
    return sum(f.stat().st_size for f in Path(read._tempdir()).iterdir())


def test_gzip_bomb_of_zeros_stops_after_the_first_mib(tmp_path, capsys):
    path = _bomb(tmp_path / "zeros.csv.gz", b"", bytes(1 << 20), 1024)  # 1 GiB of zeros
    assert path.stat().st_size < 2 << 20
    before = _left_in_temp()
    start = time.monotonic()
    run = cxkit_in_process(capsys, "nps", path)
    assert time.monotonic() - start < 10  # before: 1 GiB inflated to the temp folder first
    assert "this is not a text file" in assert_refused(run, 65, str(path))
    assert _left_in_temp() - before < 2 << 20  # at most the first MiB was written


def test_gzip_bomb_that_looks_like_a_table_is_capped(tmp_path, capsys):
    # a header, then "1,9" over and over: 300 MiB from about 0.3 MB, a ratio of about 1,000
    path = _bomb(tmp_path / "rows.csv.gz", b"id,nps\n", b"1,9\n" * (1 << 18), 300)
    before = _left_in_temp()
    run = cxkit_in_process(capsys, "nps", path)
    line = assert_refused(run, 65, str(path))
    # the limit: max(256 MiB, 200 x the compressed size) = 256 MiB here
    assert "decompresses to more than 256 MiB, over 200 times its compressed size" in line
    assert _left_in_temp() - before < 1 << 20  # the partial copy is removed


def test_gzip_bomb_on_stdin_is_capped():
    raw = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = raw.compress(b"id,nps\n") + b"".join(
        raw.compress(b"1,9\n" * (1 << 18)) for _ in range(300)) + raw.flush()
    run = run_cli("nps", "-", input=data)  # in this interpreter: stdin is a stream of bytes
    assert_refused(run, 65, "<stdin>", "decompresses to more than 256 MiB")


def test_gzip_limit_leaves_real_exports_alone(tmp_path, capsys, monkeypatch):
    # a real export compresses 5-20 times: far below the ratio; checked with a small free size
    monkeypatch.setattr(read, "GZIP_FREE_BYTES", 1 << 10)
    rows = "".join(f"{i},{i % 11},2025-01-{i % 28 + 1:02d},channel{i % 7}\n" for i in range(20000))
    path = tmp_path / "r.csv.gz"
    path.write_bytes(gzip.compress(("id,nps,date,channel\n" + rows).encode()))
    ratio = len(("id,nps,date,channel\n" + rows).encode()) / path.stat().st_size
    assert ratio < read.GZIP_MAX_RATIO
    run = cxkit_in_process(capsys, "nps", path, "--value")
    assert run.returncode == 0, run


def test_sigkill_while_spooling_leaves_nothing_in_the_temporary_folder(tmp_path):
    # stdin is spooled to a scratch file; killed mid-stream (SIGKILL: no clean-up runs), cxkit
    # must leave no bytes behind: the scratch file is unlinked as soon as it is made
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import cli_env

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "cxkit", "nps", "-", "-f", "json"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=cli_env(TMPDIR=str(scratch)))
    row = b"1,10\n" * 200_000  # 1 MB at a time, and then no end of input
    proc.stdin.write(b"id,nps\n" + row + row + row)
    proc.stdin.flush()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(scratch.iterdir()):
        time.sleep(0.05)  # the scratch folder appears once spooling has begun
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    left = [p for p in scratch.rglob("*") if p.is_file()]
    assert left == [], left
    sizes = sum(os.path.getsize(p) for p in left)
    assert sizes == 0
