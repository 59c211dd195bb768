"""Start-up stays fast: help, --version and shell completion never import Polars or PyArrow.

Each check runs a fresh interpreter (`python -X importtime -m cxkit ...`): the test process itself
has long imported Polars for other tests, so its own sys.modules proves nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import cli_commands, cli_env
from conftest import run_cli_os as run_cli

from cxkit import __version__

HEAVY = ("polars", "pyarrow", "narwhals", "duckdb", "pyspark", "py4j")  # engines too
COMMANDS = sorted(cli_commands())
README = Path(__file__).resolve().parent.parent / "README.md"
LIGHT_BUDGET_S = 0.5  # a lenient bound for `cxkit --version`; the goal is about 0.25 s


def imported_modules(args: list[str], **env: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `python -X importtime -m cxkit ARGS`; return the process and every module it imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cxkit", *args],
        capture_output=True, text=True, env=cli_env(**env), stdin=subprocess.DEVNULL, timeout=120,
    )
    modules = set(re.findall(r"^import time:\s*\d+\s*\|\s*\d+\s*\|\s*(\S+)\s*$", proc.stderr,
                             re.MULTILINE))
    return proc, modules


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


LIGHT_INVOCATIONS = {
    "help": (["--help"], {}),
    "short help": (["-h"], {}),
    "version": (["--version"], {}),
    "no arguments": ([], {}),
    **{f"{c} --help": ([c, "--help"], {}) for c in COMMANDS},
    **{f"{c} without files": ([c], {}) for c in COMMANDS},
    "complete a command": ([], {"_CXKIT_COMPLETE": "complete_bash", "COMP_WORDS": "cxkit n",
                                "COMP_CWORD": "1"}),
    "complete an option": ([], {"_CXKIT_COMPLETE": "complete_bash",
                                "COMP_WORDS": "cxkit nps data.csv --fo", "COMP_CWORD": "3"}),
    "usage error": (["nps", "data.csv", "--no-such-option"], {}),
}


@pytest.mark.parametrize("name", LIGHT_INVOCATIONS)
def test_light_paths_never_import_polars_or_pyarrow(name):
    args, env = LIGHT_INVOCATIONS[name]
    proc, modules = imported_modules(args, **env)
    assert proc.returncode in (0, 2), proc
    assert "cxkit.cli.main" in modules  # the import log was read
    assert heavy(modules) == [], f"{name}: imported {heavy(modules)[:5]}"


def test_the_import_check_does_see_polars(tmp_path):
    # control: computing a KPI does import Polars, and the check above would notice
    data = tmp_path / "s.csv"
    data.write_text("nps\n9\n10\n", encoding="utf-8")
    proc, modules = imported_modules(["nps", str(data), "--value"])
    assert proc.returncode == 0, proc
    assert proc.stdout == "100.0\n"
    assert "polars" in heavy(modules)


def test_machine_formats_of_a_report_never_import_rich():
    # JSON, CSV and the rest are written without Rich (cxkit.render.report_formats): its import
    # was 0.06 s of every `cxkit report -f json`; the terminal table does import it
    sample = README.parent / "sample_data" / "responses.csv"
    for fmt in ("json", "csv"):
        proc, modules = imported_modules(["report", "--responses", str(sample), "-f", fmt])
        assert proc.returncode == 0, proc
        assert "cxkit.render.report_formats" in modules
        assert sorted(m for m in modules if m.split(".")[0] == "rich") == [], fmt
    proc, modules = imported_modules(["report", "--responses", str(sample), "-f", "table"])
    assert proc.returncode == 0 and "rich.panel" in modules, proc


def test_app_import_and_in_process_help_stay_light():
    script = """
import contextlib, io, json, sys
from cxkit.cli.main import app, main
import typer
names = sorted(typer.main.get_command(app).commands)
for args in [["--help"], ["--version"]] + [[n, "--help"] for n in names]:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args)
        except SystemExit as exc:
            assert exc.code == 0, (args, exc.code)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("polars", "pyarrow"))))
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc
    assert json.loads(proc.stdout) == []


def test_shell_completion_of_commands_and_options():
    # Typer 0.29 (typer/_completion_classes.py BashComplete): _CXKIT_COMPLETE=complete_bash,
    # COMP_WORDS and COMP_CWORD, one candidate per line on stdout
    complete = {"_CXKIT_COMPLETE": "complete_bash"}
    run = run_cli(env=cli_env(**complete, COMP_WORDS="cxkit n", COMP_CWORD="1"))
    assert run.returncode == 0, run
    assert run.stdout.split() == sorted(c for c in COMMANDS if c.startswith("n"))
    run = run_cli(env=cli_env(**complete, COMP_WORDS="cxkit c", COMP_CWORD="1"))
    assert sorted(run.stdout.split()) == sorted(c for c in COMMANDS if c.startswith("c"))
    run = run_cli(env=cli_env(**complete, COMP_WORDS="cxkit nps data.csv --fo", COMP_CWORD="3"))
    assert run.stdout.split() == ["--format"]
    run = run_cli(env=cli_env(**complete, COMP_WORDS="cxkit nps data.csv --format j",
                              COMP_CWORD="4"))
    assert run.stdout.split() == ["json"]


def test_version_is_fast():
    run = run_cli("--version")
    assert (run.returncode, run.stdout, run.stderr) == (0, f"cxkit {__version__}\n", "")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cxkit", "--version"], capture_output=True,
                       env=cli_env(), check=True, timeout=60)
        times.append(time.perf_counter() - start)
    best = min(times)
    print(f"cxkit --version start-up: best {best:.3f} s of {', '.join(f'{t:.3f}' for t in times)}")
    assert best < LIGHT_BUDGET_S, f"`cxkit --version` took {best:.3f} s (budget {LIGHT_BUDGET_S})"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_opens_with_an_example(command):
    args = ["--help"] if command is None else [command, "--help"]
    run = run_cli(*args)
    assert run.returncode == 0, run
    assert run.stderr == ""
    lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Usage: cxkit"), lines[:3]
    head = lines[:5]  # usage, one-line summary, then the example
    example = next((line for line in head if line.startswith("Example:")), None)
    assert example, f"`cxkit {command or ''} --help` does not open with an example: {head}"
    if command is not None:
        assert re.search(rf"\bcxkit {command}\b", example), example


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    readme = README.read_text(encoding="utf-8")  # README.md is written alongside this suite
    assert re.search(rf"\bcxkit {re.escape(command)}\b", readme), (
        f"README.md never shows `cxkit {command}`"
    )


@pytest.mark.parametrize("entry", ["run", "main"])
def test_only_the_program_tunes_the_garbage_collector(entry):
    # run, the program: collector.FIRST and LATER, everything alive frozen before the exit;
    # main alone (inside another process, as in these tests): the thresholds it found, no freeze
    code = ("import atexit, gc, json, sys; before = gc.get_threshold(); atexit.register(lambda: "
            "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count() > 0]), "
            "file=sys.stderr)); sys.argv = ['cxkit', '--version']; "
            f"from cxkit.cli.main import {entry}; {entry}()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=cli_env(), stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"cxkit {__version__}"
    before, after, frozen = json.loads(proc.stderr.strip().splitlines()[-1])
    if entry == "run":
        assert (after, frozen) == ([50_000, 20, 100], True)
    else:
        assert (after, frozen) == (before, False)


@pytest.mark.parametrize(("entry", "given", "want"), [
    ("run", None, ["1", "100000", "1"]),
    ("run", "4", ["4", "100000", "1"]),  # a value of the user's own is kept
    ("main", None, [None, None, None]),  # main inside another process leaves its settings alone
])
def test_only_the_program_sets_the_libraries(entry, given, want):
    # cxkit.cli.libraries: one row group read ahead, 100,000 values a decoding task, read by
    # Polars when a query runs, and one OpenBLAS thread; seen here at exit, after
    # `cxkit --version`
    names = ["POLARS_ROW_GROUP_PREFETCH_SIZE", "POLARS_PARQUET_DECODE_TARGET_VALUES_PER_THREAD",
             "OPENBLAS_NUM_THREADS"]
    env = {k: v for k, v in cli_env().items() if k not in names}
    if given is not None:
        env[names[0]] = given
    code = ("import atexit, json, os, sys; atexit.register(lambda: print(json.dumps("
            f"[os.environ.get(n) for n in {names!r}]), file=sys.stderr)); "
            f"sys.argv = ['cxkit', '--version']; from cxkit.cli.main import {entry}; {entry}()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"cxkit {__version__}"
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == want


def test_the_program_runs_openblas_on_one_thread():
    # numpy and scipy are imported after `run` set the environment, as a model command does
    # (lazily): each OpenBLAS they load (numpy's and scipy's own, read from the process's
    # memory map: Linux, as CI) then reports one thread (without `run`: one per core)
    code = textwrap.dedent("""
        import atexit, ctypes, json, sys
        def threads():
            import numpy, scipy.optimize  # noqa: F401
            libs = {line.split()[-1] for line in open("/proc/self/maps")
                    if "openblas" in line and line.rstrip().endswith(".so")}
            found = {}
            for path in sorted(libs):
                lib = ctypes.CDLL(path)
                for name in ("scipy_openblas_get_num_threads64_",
                             "scipy_openblas_get_num_threads", "openblas_get_num_threads"):
                    if hasattr(lib, name):
                        found[path.rsplit("/", 1)[-1]] = getattr(lib, name)()
                        break
            print(json.dumps(found), file=sys.stderr)
        atexit.register(threads)
        sys.argv = ["cxkit", "--version"]
        from cxkit.cli.main import run
        run()
    """)
    env = {k: v for k, v in cli_env().items() if not k.endswith("_NUM_THREADS")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stderr.strip().splitlines()[-1])
    assert found and set(found.values()) == {1}, found
