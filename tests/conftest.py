"""Shared test helpers."""

# --- CLI contract helpers (tests/test_contract.py, tests/test_imports.py) -------------------------
# Run cxkit the way a user or a script does: a fresh interpreter, its own environment, stdout and
# stderr captured separately as bytes (byte-identical output is part of the contract).

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Variables that change how Rich/Typer render (colour, width): never inherited from the shell or CI.
SCRUBBED_ENV = (
    "FORCE_COLOR",
    "NO_COLOR",
    "COLUMNS",
    "LINES",
    "GITHUB_ACTIONS",
    "TERMINAL_WIDTH",
    "PY_COLORS",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "CXKIT_DEBUG",
    "_CXKIT_COMPLETE",
)


def cli_env(**extra: str) -> dict[str, str]:
    """os.environ without the rendering variables above, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


@dataclass
class CliRun:
    returncode: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8")

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return (f"CliRun(returncode={self.returncode}, stdout={self.stdout_bytes[:2000]!r}, "
                f"stderr={self.stderr_bytes[:2000]!r})")


def run_cli(
    *args: str | os.PathLike,
    input: bytes | str | None = None,
    cwd: str | os.PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> CliRun:
    """`cxkit ARGS` as a user runs it, in this interpreter: the environment replaced by `env`
    (default: `cli_env()`), stdin holding `input` (empty by default), stdout and stderr
    captured apart as bytes, the working folder `cwd`; the exit code is main()'s. It behaves
    as `python -m cxkit` does, in a fraction of the time; what only the OS shows (exit status
    seen by a shell, closed pipes, signals, start-up imports, a terminal) uses `run_cli_os`."""
    if isinstance(input, str):
        input = input.encode("utf-8")
    return _in_process([str(a) for a in args], input or b"", cwd,
                       cli_env() if env is None else env)


def _in_process(args: list[str], stdin: bytes, cwd, env: dict[str, str]) -> CliRun:
    import io

    out, err = io.BytesIO(), io.BytesIO()
    code = _main_on(args, stdin, cwd, env, out, err)
    return CliRun(code, out.getvalue(), err.getvalue())


def _main_on(args: list[str], stdin: bytes, cwd, env: dict[str, str], out, err) -> int:
    """main(args) with sys.stdout and sys.stderr writing to the binary files `out` and `err`
    (UTF-8), stdin holding `stdin`, the environment `env`; returns the exit code."""
    import io
    from unittest import mock

    from typer import rich_utils

    import cxkit.io.read as read
    from cxkit.cli.main import main

    streams = [io.TextIOWrapper(b, encoding="utf-8", write_through=True) for b in (out, err)]
    fake_in = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    colours, here = rich_utils.COLOR_SYSTEM, os.getcwd()
    for cache in ("_STDIN", "_STREAMS"):  # what one run spooled is not the next run's input
        getattr(read, cache, []).clear()
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with mock.patch.dict(os.environ, env, clear=True), \
                mock.patch.object(sys, "stdout", streams[0]), \
                mock.patch.object(sys, "stderr", streams[1]), \
                mock.patch.object(sys, "stdin", fake_in):
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        for stream in streams:
            stream.flush()
            stream.detach()  # `out` and `err` stay open: the caller owns them
        os.chdir(here)
        rich_utils.COLOR_SYSTEM = colours  # --no-color turns Typer's colours off globally
        for cache in ("_STDIN", "_STREAMS"):
            getattr(read, cache, []).clear()
        read.release()  # the run's scratch files: a process would close them at exit
    return code


def run_cli_os(
    *args: str | os.PathLike,
    input: bytes | str | None = None,
    cwd: str | os.PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> CliRun:
    """`python -m cxkit ARGS` in a subprocess; stdin is empty unless `input` is given."""
    if isinstance(input, str):
        input = input.encode("utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cxkit", *map(str, args)],
        input=input if input is not None else b"",
        capture_output=True,
        cwd=cwd,
        env=cli_env() if env is None else env,
        timeout=timeout,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


# Ten survey answers, counted by hand (the rows are written in `survey_csv` below):
#   row channel nps csat ces
#    1  email   10   5    1
#    2  email    9   5    2
#    3  web      9   4    2
#    4  web      8   4    3
#    5  email    7   3    5
#    6  web      6   2    4
#    7  email    3   1    ""
#    8  web      0   ""   x
#    9  email   ""   x    9
#   10  web      x   7    1
# NPS:  used 10,9,9,8,7,6,3,0 -> n 8; promoters 3 (10,9,9), passives 2 (8,7), detractors 3 (6,3,0)
#       NPS = 100 * (3 - 3) / 8 = 0.0; dropped: missing 1 (row 9), invalid 1 (row 10 "x")
#       by channel: email 10,9,7,3 -> P2 D1 n4 -> 100 * 1/4 = 25.0
#                   web   9,8,6,0 -> P1 D2 n4 -> 100 * -1/4 = -25.0
# CSAT: used 5,5,4,4,3,2,1 -> n 7; satisfied (4-5) 4 -> 100 * 4/7 = 57.142... -> 57.1
#       dropped: missing 1 (row 8), invalid 1 (row 9 "x"), out of range 1 (row 10: 7 > 5)
# CES:  used 1,2,2,3,5,4,1 -> n 7; mean 18/7 = 2.5714... -> 2.57; low effort (1-2) 4 -> 57.14 %
#       dropped: missing 1 (row 7), invalid 1 (row 8 "x"), out of range 1 (row 9: 9 > 5)
SURVEY_ROWS = [
    ("1", "2025-01-05", "email", "10", "5", "1"),
    ("2", "2025-01-06", "email", "9", "5", "2"),
    ("3", "2025-01-07", "web", "9", "4", "2"),
    ("4", "2025-01-08", "web", "8", "4", "3"),
    ("5", "2025-02-03", "email", "7", "3", "5"),
    ("6", "2025-02-04", "web", "6", "2", "4"),
    ("7", "2025-02-05", "email", "3", "1", ""),
    ("8", "2025-02-06", "web", "0", "", "x"),
    ("9", "2025-02-07", "email", "", "x", "9"),
    ("10", "2025-02-08", "web", "x", "7", "1"),
]
SURVEY_HEADER = ("id", "date", "channel", "nps", "csat", "ces")


def write_csv(path: Path, header, rows) -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_cli_tty(
    *args: str | os.PathLike,
    cwd: str | os.PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> CliRun:
    """Like run_cli (in this interpreter), but stdout and stderr are two pseudo-terminals: real
    terminals to `isatty` and to Rich, the pty turning "\\n" into "\\r\\n" (the bytes are kept
    as the terminal saw them). `run_cli_tty_os` is the same in a fresh interpreter."""
    import io
    import pty
    import threading

    pairs = [pty.openpty() for _ in range(2)]
    chunks: list[list[bytes]] = [[], []]

    def drain(fd: int, into: list[bytes]) -> None:  # a pty holds a few KiB: read as it comes
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the slave side is closed and everything was read
                return
            if not data:
                return
            into.append(data)

    readers = [threading.Thread(target=drain, args=(master, into), daemon=True)
               for (master, _), into in zip(pairs, chunks, strict=True)]
    for reader in readers:
        reader.start()
    slaves = [io.FileIO(slave, "w", closefd=False) for _, slave in pairs]
    try:
        code = _main_on([str(a) for a in args], b"", cwd, cli_env() if env is None else env,
                        *slaves)
    finally:
        for (_, slave), file in zip(pairs, slaves, strict=True):
            file.close()
            os.close(slave)
        for reader in readers:
            reader.join(timeout)
        for master, _ in pairs:
            os.close(master)
    return CliRun(code, b"".join(chunks[0]), b"".join(chunks[1]))


def run_cli_tty_os(
    *args: str | os.PathLike,
    cwd: str | os.PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> CliRun:
    """`python -m cxkit ARGS` with stdout and stderr on two pseudo-terminals (as in an
    interactive shell): what a terminal shows of a whole process.

    The pty turns "\\n" into "\\r\\n"; the returned bytes are kept as the terminal saw them.
    """
    import pty
    import select
    import time

    out_master, out_slave = pty.openpty()
    err_master, err_slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxkit", *map(str, args)],
        stdin=subprocess.DEVNULL, stdout=out_slave, stderr=err_slave, cwd=cwd,
        env=cli_env() if env is None else env,
    )
    os.close(out_slave)
    os.close(err_slave)
    chunks: dict[int, list[bytes]] = {out_master: [], err_master: []}
    open_fds = set(chunks)
    deadline = time.monotonic() + timeout
    try:
        while open_fds:
            if time.monotonic() > deadline:
                proc.kill()
                raise TimeoutError(f"cxkit {args} did not finish in {timeout} s")
            ready, _, _ = select.select(list(open_fds), [], [], 0.1)
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: the child closed its side of the pty
                    data = b""
                if data:
                    chunks[fd].append(data)
                else:
                    open_fds.discard(fd)
        proc.wait(timeout=timeout)
    finally:
        os.close(out_master)
        os.close(err_master)
    return CliRun(proc.returncode, b"".join(chunks[out_master]), b"".join(chunks[err_master]))


def cli_commands() -> dict:
    """The commands registered on the Typer app, by name (imports no data library)."""
    import typer

    from cxkit.cli.main import app

    return dict(typer.main.get_command(app).commands)

def cxkit_in_process(capsys, *args) -> CliRun:
    """`cxkit ARGS` in this interpreter through `cxkit.cli.main.main` (the one place errors
    become `cxkit: error:` lines and exit codes), stdout and stderr captured apart by capsys.
    Much faster than `run_cli`; keep subprocesses for what only the OS shows."""
    import pytest

    from cxkit.cli.main import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return CliRun(int(exc.value.code or 0), out.encode("utf-8"), err.encode("utf-8"))


def cxkit_json(capsys, *args) -> tuple[dict, str]:
    """`cxkit ARGS --format json` in-process: (the parsed JSON, stderr); exit 0 is asserted."""
    import json

    run = cxkit_in_process(capsys, *args, "--format", "json")
    assert run.returncode == 0, run
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout), run.stderr


# --- end of CLI contract helpers ---------------------------------------------------------------


# --- scheduling -----------------------------------------------------------------------------------
# The longest tests start first (one worker takes them while the others run the rest), so that
# none of them is dealt out last and runs alone at the end: measured with --durations.
LONGEST_FIRST = (
    "tests/test_engines.py::test_spark_matches_polars_in_one_session",  # a JVM: ~1 min
    "tests/test_report_consistency.py::test_every_format_has_every_card",  # a large fixture
    "tests/test_hostile_input.py::test_gzip_bomb_of_zeros_stops_after_the_first_mib",
)


def pytest_collection_modifyitems(config, items):
    rank = {nodeid: i for i, nodeid in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid, len(rank)))  # stable: the rest keep order
