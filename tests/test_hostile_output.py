"""Output that stays inert and never gets lost, whatever the data, the terminal or the output path.

cxkit runs in cron on exports nobody checked, and its CSV, Markdown and terminal output lands in
spreadsheets, mails and shells. Every case here builds its own hostile input:
  - formula injection through a bare CR (`"\\r=cmd|..."`) in CSV/TSV, for every command;
  - Rich markup, ANSI escapes and control characters in tables, headlines and stderr lines;
  - HTML, pipes and line breaks in Markdown;
  - device nodes, FIFOs and folders given to -o, and SIGKILL while writing;
  - stdout on a full disk (/dev/full, a full tmpfs) or closed, and nan / inf thresholds.
In-process runs (`cxkit_in_process`) where possible; a subprocess only for what only the OS shows.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import CliRun, cli_env, cxkit_in_process, run_cli_tty, write_csv

from cxkit.render.machine import neutralise

HOSTILE = [
    "\r=cmd|' /C calc'!A0",  # a bare CR, then a formula: a new row in every CSV reader
    "\n+SUM(1)",
    "\t=1+1",
    " @SUM(A1)",
    "-2+3",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "[link=https://evil.example]click[/link]",
    "[bold red]red",
    "\x1b[2Jclear\x07bell\x08back",
    "\x1b]8;;https://evil.example\x1b\\link",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "a|b\r\nc",
    "plain",
]
FORMULA = ("=", "+", "-", "@")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # any control character but TAB and LF
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own colour and bold codes


def os_run(*args, timeout: float = 120) -> CliRun:
    """`python -m cxkit ARGS` in a real subprocess, stdout and stderr on pipes: for what only
    the OS shows (device nodes, FIFOs, /dev/stdout)."""
    proc = subprocess.run([sys.executable, "-m", "cxkit", *map(str, args)], input=b"",
                          capture_output=True, env=cli_env(), timeout=timeout)
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


# --- inputs --------------------------------------------------------------------------------------

def survey(folder: Path) -> Path:
    rows = []
    for i, text in enumerate(HOSTILE):
        rows += [(f"{i}a", "2025-01-06", text, "10", "5", "1"),
                 (f"{i}b", "2025-01-07", text, "3", "2", "4")]
    return write_csv(folder / "survey.csv", ("id", "date", "channel", "nps", "csat", "ces"), rows)


def tickets(folder: Path) -> Path:
    rows = [(f"T{i}", f"C{i}", "2025-01-06 09:00", "2025-01-06 11:00", text)
            for i, text in enumerate(HOSTILE)]
    return write_csv(folder / "tickets.csv",
                     ("ticket_id", "customer_id", "created_at", "resolved_at", "channel"), rows)


def orders(folder: Path) -> Path:
    rows = [(f"O{i}", f"C{i}", "2025-01-06 10:00", "10.00", "paid", text)
            for i, text in enumerate(HOSTILE)]
    return write_csv(folder / "orders.csv",
                     ("order_id", "customer_id", "ordered_at", "amount", "status", "channel"), rows)


def followup_survey(folder: Path) -> Path:
    rows = [(str(i), "2025-01-05", f"C{i}", "3", text, f"c{i}@x.example", text)
            for i, text in enumerate(HOSTILE)]
    return write_csv(folder / "answers.csv",
                     ("id", "date", "customer_id", "nps", "name", "email", "comment"), rows)


def odd_columns(folder: Path) -> Path:
    """Column names and values from the data: formulas, markup, escapes, HTML, line breaks."""
    header = ["id", "nps", *HOSTILE[:-1]]
    rows = [["1", "10", *HOSTILE[:-1]], ["2", "3", *reversed(HOSTILE[:-1])]]
    return write_csv(folder / "odd.csv", header, rows)


# command -> (input, extra arguments, number of groups in the output)
GROUPED = {
    "nps": (survey, ("--by", "channel"), len(HOSTILE)),
    "csat": (survey, ("--by", "channel"), len(HOSTILE)),
    "ces": (survey, ("--by", "channel"), len(HOSTILE)),
    "tickets": (tickets, ("--kpi", "resolution_time", "--by", "channel"), len(HOSTILE)),
    "orders": (orders, ("--kpi", "aov", "--by", "channel"), len(HOSTILE)),
    "clv": (orders, ("--kpi", "clv", "--by", "channel"), len(HOSTILE)),
}


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_inert_delimited(text: str, sep: str, rows: int) -> list[list[str]]:
    """Parse CSV/TSV back with the csv module: `rows` data rows after the header, and no cell a
    spreadsheet would run (numbers such as -50.0 are numbers, never prefixed)."""
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert len(parsed) == rows + 1, parsed
    width = len(parsed[0])
    for row in parsed:
        assert len(row) == width, row
        for cell in row:
            if _is_number(cell):
                continue
            assert not cell.lstrip().startswith(FORMULA), row
            assert not cell.startswith(("\t", "\r")), row
    return parsed


def unprefixed(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


# --- 1. CSV / TSV: a bare CR never starts a row; formulas prefixed after normalising ------------

@pytest.mark.parametrize("text, expected", [
    ("\r=cmd", "'\r=cmd"), ("\n+x", "'\n+x"), (" @SUM(A1)", "' @SUM(A1)"),
    ("\t=1+1", "'\t=1+1"), ("\tplain", "'\tplain"), ("\rplain", "'\rplain"),
    ("-2+3", "'-2+3"), ("=1", "'=1"), ("plain", "plain"), ("a=b", "a=b"), ("", ""),
    (-50.0, -50.0), (3, 3), (None, None),
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
@pytest.mark.parametrize("command", sorted(GROUPED))
def test_grouped_csv_and_tsv_are_inert(command, fmt, sep, capsys, tmp_path):
    make, args, groups = GROUPED[command]
    run = cxkit_in_process(capsys, command, make(tmp_path), *args, "--format", fmt)
    assert run.returncode == 0, run
    assert "Traceback" not in run.stderr
    parsed = assert_inert_delimited(run.stdout, sep, groups)
    keys = [unprefixed(row[0]) for row in parsed[1:]]
    assert sorted(keys) == sorted(HOSTILE)  # every key whole: nothing cut at a CR


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_columns_csv_uses_the_shared_writer(fmt, sep, capsys, tmp_path):
    run = cxkit_in_process(capsys, "columns", odd_columns(tmp_path), "--format", fmt)
    assert run.returncode == 0, run
    parsed = assert_inert_delimited(run.stdout, sep, 2 + len(HOSTILE) - 1)
    names = [row[0] for row in parsed[1:]]
    # the reader trims the blanks around a column name; the formula is still neutralised
    assert "'=cmd|' /C calc'!A0" in names and "'@SUM(A1)" in names, names
    examples = " ".join(row[-1] for row in parsed[1:])
    assert "'\r=cmd|' /C calc'!A0" in examples  # a value keeps its CR, quoted, in one cell


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_followup_csv_is_inert(fmt, sep, capsys, tmp_path):
    order_file = orders(tmp_path)
    run = cxkit_in_process(capsys, "followup", followup_survey(tmp_path), "--orders", order_file,
                           "--format", fmt)
    assert run.returncode == 0, run
    assert_inert_delimited(run.stdout, sep, len(HOSTILE))


@pytest.mark.parametrize("suffix, sep", [(".csv", ","), (".tsv", "\t")])
def test_report_and_output_file_are_inert(suffix, sep, capsys, tmp_path):
    data = survey(tmp_path)
    # as many records as the NDJSON has lines (JSON escapes CR and LF: a line is a record)
    records = cxkit_in_process(capsys, "report", data, "--by", "channel", "--format", "ndjson")
    assert records.returncode == 0, records
    count = len(records.stdout.splitlines())
    out = tmp_path / f"report{suffix}"
    run = cxkit_in_process(capsys, "report", data, "--by", "channel", "-o", out)
    assert run.returncode == 0, run
    assert_inert_delimited(out.read_text(encoding="utf-8"), sep, count)
    # and the KPI commands through -o FILE: the same writer
    out = tmp_path / f"nps{suffix}"
    run = cxkit_in_process(capsys, "nps", data, "--by", "channel", "-o", out)
    assert run.returncode == 0, run
    assert_inert_delimited(out.read_text(encoding="utf-8"), sep, len(HOSTILE))


# --- 2. terminal and markdown: markup never read, escapes never sent, HTML inert ---------------

def assert_inert_terminal(text: str, coloured: bool) -> None:
    if coloured:
        text = SGR.sub("", text)  # Rich's own styling is fine; nothing else may be an escape
    assert "\x1b" not in text, text
    assert not CONTROL.search(text.replace("\r\n", "\n")), repr(text)
    # markup from the data is shown, not interpreted (long free text may end in an ellipsis)
    assert "[link=https://evil.example]click[/l" in text
    assert "[bold red]red" in text
    assert "␛[2Jclear␇bell␈back" in text  # escapes shown as symbols


@pytest.mark.parametrize("command", ["nps", "tickets", "orders"])
def test_table_in_process_shows_data_literally(command, capsys, tmp_path):
    make, args, _ = GROUPED[command]
    run = cxkit_in_process(capsys, command, make(tmp_path), *args, "--format", "table")
    assert run.returncode == 0, run
    assert_inert_terminal(run.stdout, coloured=False)
    # -o FILE.txt renders the same table as text
    out = tmp_path / "table.txt"
    run = cxkit_in_process(capsys, command, make(tmp_path), *args, "-o", out)
    assert run.returncode == 0, run
    assert_inert_terminal(out.read_text(encoding="utf-8"), coloured=False)


@pytest.mark.parametrize("argv", [
    ("nps", "{survey}", "--by", "channel"),
    ("report", "{survey}", "--by", "channel"),
    ("columns", "{odd}"),
    ("followup", "{answers}", "--orders", "{orders}"),
], ids=["nps", "report", "columns", "followup"])
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_table_on_a_terminal_is_inert(argv, no_color, tmp_path):
    files = {"survey": survey(tmp_path), "odd": odd_columns(tmp_path),
             "answers": followup_survey(tmp_path), "orders": orders(tmp_path)}
    args = [a.format(**files) for a in argv]
    env = cli_env(COLUMNS="250", **({"NO_COLOR": "1"} if no_color else {}))
    run = run_cli_tty(*args, env=env)
    assert run.returncode == 0, run
    out = run.stdout_bytes.decode("utf-8")
    if not no_color and argv[0] != "followup":
        assert SGR.search(out), "a forced terminal with colour: Rich styles the table"
    assert_inert_terminal(out, coloured=not no_color)
    # stderr: Rich's own spinner codes (hide/show the cursor, erase the line) and nothing else
    err = re.sub(r"\x1b\[(\?25[lh]|1A|2K)", "", SGR.sub("", run.stderr_bytes.decode("utf-8")))
    assert "\x1b" not in err, repr(err)


def pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def assert_inert_markdown(text: str) -> None:
    assert "<script" not in text and "<img" not in text, text
    assert "&lt;script&gt;" in text
    assert "\r" not in text and "\x1b" not in text and not CONTROL.search(text)


def assert_tables_hold(lines: list[str], rows: int | None = None) -> None:
    """Every line of a pipe table has the same number of unescaped pipes."""
    assert len({pipes(line) for line in lines}) == 1, lines
    if rows is not None:
        assert len(lines) == rows + 2, lines


def test_markdown_of_a_kpi_is_inert(capsys, tmp_path):
    run = cxkit_in_process(capsys, "nps", survey(tmp_path), "--by", "channel", "-f", "markdown")
    assert run.returncode == 0, run
    assert_inert_markdown(run.stdout)
    assert_tables_hold(run.stdout.splitlines(), len(HOSTILE))


def test_markdown_of_columns_is_inert(capsys, tmp_path):
    run = cxkit_in_process(capsys, "columns", odd_columns(tmp_path), "-f", "markdown")
    assert run.returncode == 0, run
    assert_inert_markdown(run.stdout)
    assert_tables_hold(run.stdout.splitlines(), 2 + len(HOSTILE) - 1)


def test_markdown_report_file_is_inert(capsys, tmp_path):
    out = tmp_path / "report.md"
    run = cxkit_in_process(capsys, "report", survey(tmp_path), "--by", "channel", "-o", out)
    assert run.returncode == 0, run
    text = out.read_text(encoding="utf-8")
    assert_inert_markdown(text)
    tables: list[list[str]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    assert len(tables) >= 2, text
    for table in tables:
        assert_tables_hold(table)
    assert any(len(t) == len(HOSTILE) + 2 for t in tables)  # the breakdown by channel
    assert "'-" not in text.replace("'-2+3", "")  # numbers (a -38.0 interval) are not prefixed


def test_stderr_lines_carry_no_escape_codes(capsys, tmp_path):
    data = survey(tmp_path)
    # a missing file whose name holds escapes and markup: named, with the escapes made visible
    run = cxkit_in_process(capsys, "nps", tmp_path / "x\x1b[2J[bold]y\x07.csv")
    assert run.returncode == 66, run
    assert run.stderr.startswith("cxkit: error: ") and "x␛[2J[bold]y␇.csv" in run.stderr
    # a note naming a hostile output file
    out = tmp_path / "o\x1b]0;title\x07.csv"
    run = cxkit_in_process(capsys, "nps", data, "-o", out)
    assert run.returncode == 0, run
    assert out.exists()
    assert run.stderr == f"cxkit: note: wrote {tmp_path}/o␛]0;title␇.csv\n"


def test_stderr_of_every_error_is_clean(capsys, tmp_path):
    for args in (("nps", tmp_path / "x\x1b[2J[bold]y\x07.csv"),
                 ("nps", survey(tmp_path), "--by", "no\x1b[31mcol\r"),
                 ("nps", survey(tmp_path), "--since", "\x1b[2J")):
        run = cxkit_in_process(capsys, *args)
        assert run.returncode != 0, run
        assert "Traceback" not in run.stderr
        assert "\x1b" not in run.stderr and not CONTROL.search(run.stderr), repr(run.stderr)


# --- 3. device nodes, FIFOs, folders -----------------------------------------------------------

def test_output_to_a_character_device_keeps_the_device(tmp_path):
    node = tmp_path / "null.csv"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root (CAP_MKNOD): cannot make a device node here")
    run = os_run("nps", survey(tmp_path), "--by", "channel", "-o", node)
    assert run.returncode == 0, run
    assert stat.S_ISCHR(os.stat(node).st_mode), "the device was replaced by a file"
    assert os.stat(node).st_rdev == os.makedev(1, 3)
    assert run.stderr == f"cxkit: note: wrote {node}\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_to_dev_null_and_dev_stdout(tmp_path):
    data = survey(tmp_path)
    run = os_run("nps", data, "-o", "/dev/null", "-f", "csv")
    assert run.returncode == 0, run
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if not os.path.islink("/dev/stdout"):
        pytest.skip("/dev/stdout is not a link to the descriptor here")
    run = os_run("nps", data, "--by", "channel", "-o", "/dev/stdout", "-f", "csv")
    assert run.returncode == 0, run
    assert os.path.islink("/dev/stdout"), "/dev/stdout was replaced"
    assert_inert_delimited(run.stdout, ",", len(HOSTILE))  # it went to the pipe


def test_output_to_dev_stdout_on_a_file_appends_to_it(tmp_path):
    if not os.path.islink("/dev/stdout"):
        pytest.skip("/dev/stdout is not a link to the descriptor here")
    out = tmp_path / "out.txt"
    script = 'echo header; exec "$0" -m cxkit nps "$1" --value -o /dev/stdout -f csv'
    with open(out, "w") as fh:
        proc = subprocess.run(["sh", "-c", script, sys.executable, str(survey(tmp_path))],
                              stdout=fh, stderr=subprocess.PIPE, env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc
    assert out.read_text() == "header\n0.0\n"  # after what the shell wrote, not over it
    assert os.path.islink("/dev/stdout")


def test_output_to_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        run = os_run("nps", survey(tmp_path), "--by", "channel", "-o", fifo)
    finally:
        if reader.is_alive():  # cxkit never opened it: let the reader go
            with open(fifo, "wb"):
                pass
        reader.join(10)
    assert run.returncode == 0, run
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert_inert_delimited(got[0].decode("utf-8"), ",", len(HOSTILE))


def test_output_to_a_fifo_nobody_reads_fails_fast(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    run = os_run("nps", survey(tmp_path), "-o", fifo, timeout=30)  # must not hang for ever
    assert run.returncode == 73, run
    assert run.stderr.startswith(f"cxkit: error: {fifo}: a FIFO that no process reads")
    assert "Traceback" not in run.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_to_a_folder_is_refused(capsys, tmp_path):
    folder = tmp_path / "out.csv"
    folder.mkdir()
    run = cxkit_in_process(capsys, "nps", survey(tmp_path), "-o", folder)
    assert run.returncode == 73, run
    lines = run.stderr.splitlines()
    assert lines[0] == f"cxkit: error: {folder}: is a folder, not a file", lines
    assert len(lines) == 2 and lines[1].startswith("  fix: ")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_output_to_a_missing_folder_is_73(capsys, tmp_path):
    run = cxkit_in_process(capsys, "nps", survey(tmp_path), "-o", tmp_path / "no" / "x.csv")
    assert run.returncode == 73, run
    assert "cannot create: No such file or directory" in run.stderr


# --- 4. output lost: stdout full or closed, a full disk during -o ------------------------------

def test_stdout_on_dev_full_is_74(tmp_path):
    data = survey(tmp_path)
    for args in (("nps", data, "--by", "channel", "-f", "csv"),
                 ("nps", data, "--by", "channel", "-f", "table"),
                 ("columns", data, "-f", "markdown"),
                 ("report", data, "-f", "json"),
                 ("--version",)):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "cxkit", *map(str, args)],
                                  stdout=full, stderr=subprocess.PIPE, env=cli_env(), timeout=120)
        assert proc.returncode == 74, (args, proc)
        assert proc.stderr.decode() == \
            "cxkit: error: cannot write the output: No space left on device\n", args


def test_stdout_closed_is_74(tmp_path):
    data = survey(tmp_path)
    script = 'exec >&- ; exec "$0" -m cxkit "$@"'
    for args in (("nps", data, "--by", "channel"), ("columns", data, "-f", "csv")):
        proc = subprocess.run(["sh", "-c", script, sys.executable, *map(str, args)],
                              stderr=subprocess.PIPE, env=cli_env(), timeout=120)
        assert proc.returncode == 74, (args, proc)
        assert proc.stderr.decode() == \
            "cxkit: error: cannot write the output: Bad file descriptor\n", args
    # with -o FILE nothing goes to stdout: a closed stdout does not matter
    out = tmp_path / "out.csv"
    proc = subprocess.run(["sh", "-c", script, sys.executable, "nps", str(data), "-o", str(out)],
                          stderr=subprocess.PIPE, env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc
    assert out.read_text().startswith("kpi,value")


def test_reader_leaving_stays_a_quiet_exit_0(tmp_path):
    proc = subprocess.run(f'"{sys.executable}" -m cxkit nps "{survey(tmp_path)}" --by channel '
                          '-f csv | head -c 1 >/dev/null; exit "${PIPESTATUS[0]:-0}"',
                          shell=True, executable="/bin/bash", capture_output=True,
                          env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc
    assert proc.stderr == b""


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KiB tmpfs filled to the brim (we run as root); None where mount is not allowed."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                                 capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        mounted = False
    if not mounted:
        yield None
        return
    try:
        (mnt / "old.json").write_text("old\n")
        os.chmod(mnt / "old.json", 0o640)
        with open(mnt / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def _big_survey(folder: Path) -> Path:
    rows = [(str(i), "2025-01-06", f"segment {i:05d}", str(i % 11)) for i in range(3000)]
    return write_csv(folder / "big.csv", ("id", "date", "channel", "nps"), rows)


def test_output_file_on_a_full_disk_is_74(full_disk, capsys, tmp_path, monkeypatch):
    data = _big_survey(tmp_path)
    if full_disk is None:
        # no tmpfs mount allowed here: simulate the full disk in-process (os.write -> ENOSPC)
        target = tmp_path / "old.json"
        target.write_text("old\n")

        def enospc(fd, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        import cxkit.cli.output as output

        monkeypatch.setattr(output.os, "write", enospc)
        run = cxkit_in_process(capsys, "nps", data, "--by", "channel", "-o", target)
        monkeypatch.undo()
        folder = tmp_path
    else:
        target = full_disk / "old.json"
        run = cxkit_in_process(capsys, "nps", data, "--by", "channel", "-o", target)
        folder = full_disk
    assert run.returncode == 74, run
    assert run.stderr == f"cxkit: error: {target}: cannot write: No space left on device\n"
    assert target.read_text() == "old\n"  # the old file is whole
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_stdout_redirected_to_a_full_disk_is_74(full_disk, tmp_path):
    if full_disk is None:
        pytest.skip("mount -t tmpfs is not allowed here (/dev/full covers stdout errors)")
    data = _big_survey(tmp_path)
    with open(full_disk / "stdout.csv", "w") as out:
        proc = subprocess.run([sys.executable, "-m", "cxkit", "nps", str(data), "--by", "channel",
                               "-f", "csv"], stdout=out, stderr=subprocess.PIPE, env=cli_env(),
                              timeout=120)
    assert proc.returncode == 74, proc
    assert proc.stderr.decode() == \
        "cxkit: error: cannot write the output: No space left on device\n"


# --- 5. mode kept, no temp file after SIGKILL, O_TMPFILE fallback, nan thresholds --------------

def test_rewrite_keeps_the_mode_and_new_files_follow_the_umask(capsys, tmp_path):
    data = survey(tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    os.chmod(out, 0o640)
    run = cxkit_in_process(capsys, "nps", data, "-o", out)
    assert run.returncode == 0, run
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640
    assert out.read_text().startswith("kpi,value")
    old = os.umask(0o027)
    try:
        for name, umask in (("new1.csv", 0o027), ("new2.csv", 0o022)):
            os.umask(umask)
            run = cxkit_in_process(capsys, "nps", data, "-o", tmp_path / name)
            assert run.returncode == 0, run
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o666 & ~umask
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_without_o_tmpfile_a_named_temp_file_does(capsys, tmp_path, monkeypatch):
    data = survey(tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    monkeypatch.delattr(os, "O_TMPFILE")
    run = cxkit_in_process(capsys, "nps", data, "-o", out)
    assert run.returncode == 0, run
    assert out.read_text().startswith("kpi,value")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_symlink_to_a_file_stays_a_symlink(capsys, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    run = cxkit_in_process(capsys, "nps", survey(tmp_path), "-o", link)
    assert run.returncode == 0, run
    assert link.is_symlink() and real.read_text().startswith("kpi,value")


def test_sigkill_while_writing_leaves_no_temp_file(tmp_path):
    """SIGKILL when the data is written but not yet named: with O_TMPFILE nothing is left."""
    data = survey(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "report.csv").write_text("old\n")
    script = (
        "import os, signal, sys\n"
        "import cxkit.cli.output as output\n"
        "def die(fd):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "output.os.fsync = die\n"
        "from cxkit.cli.main import main\n"
        "main(sys.argv[1:])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, "nps", str(data), "-o",
                           str(folder / "report.csv")], capture_output=True, env=cli_env(),
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc
    assert sorted(p.name for p in folder.iterdir()) == ["report.csv"]
    assert (folder / "report.csv").read_text() == "old\n"


@pytest.mark.parametrize("args, value", [
    (("nps", "{survey}", "--fail-under", "nan"), "nan"),
    (("nps", "{survey}", "--fail-over", "inf"), "inf"),
    (("csat", "{survey}", "--fail-under=-inf"), "-inf"),
    (("tickets", "{tickets}", "--fail-under", "fcr=nan"), "nan"),
    (("tickets", "{tickets}", "--kpi", "resolution_time", "--fail-over", "NaN"), "nan"),
    (("orders", "{orders}", "--kpi", "aov", "--fail-over", "inf"), "inf"),
    (("clv", "{orders}", "--fail-over", "clv=nan"), "nan"),
    (("complaints", "{tickets}", "--fail-over", "complaint_rate=nan"), "nan"),
    (("report", "{survey}", "--fail-under", "nps=nan"), "nan"),
    (("nps-revenue", "{survey}", "--orders", "{orders}", "--fail-under", "nan"), "nan"),
], ids=lambda v: v if isinstance(v, str) else v[0])
def test_nan_and_inf_thresholds_are_usage_errors(args, value, capsys, tmp_path):
    files = {"survey": survey(tmp_path), "tickets": tickets(tmp_path), "orders": orders(tmp_path)}
    run = cxkit_in_process(capsys, *[a.format(**files) for a in args])
    assert run.returncode == 2, run
    first = run.stderr.splitlines()[0]
    assert first.startswith("cxkit: error:") and value in first.lower(), run.stderr
    assert "finite" in first
    assert run.stdout == ""  # refused before anything was measured


def test_finite_thresholds_still_work(capsys, tmp_path):
    data = survey(tmp_path)
    assert cxkit_in_process(capsys, "nps", data, "--fail-under", "-50").returncode == 0
    assert cxkit_in_process(capsys, "nps", data, "--fail-under", "101").returncode == 3
    assert cxkit_in_process(capsys, "report", data, "--fail-under", "nps=-50",
                            "-f", "json").returncode == 0


def test_bidirectional_overrides_are_shown_not_obeyed():
    # U+202E (right-to-left override) would show "gpj.exe" as "exe.jpg"; U+200B hides text
    from cxkit.render.inert import visible

    assert visible("invoice\u202egpj.exe") == "invoice<U+202E>gpj.exe"
    assert visible("a\u200bb\u2066c") == "a<U+200B>b<U+2066>c"
    assert visible("Réclamation – café") == "Réclamation – café"  # letters and dashes stay
