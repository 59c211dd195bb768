"""The `cxkit` application and the one place errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import copy
import os
import sys
import traceback
from typing import Annotated

import click
import typer

from cxkit import __version__
from cxkit.cli import (
    collector,
    columns,
    complaints,
    config,
    heap,
    helptext,
    joined,
    libraries,
    orders,
    report,
    survey,
    themes,
    tickets,
)
from cxkit.cli.streams import OutputLost, guard_streams, stdout_gone
from cxkit.errors import CxkitError, ExitCode
from cxkit.render.inert import visible

app = typer.Typer(
    name="cxkit",
    help="Customer-experience KPIs from survey, ticket and order exports.\n\n"
    "Example:  cxkit nps responses.csv --period month --by channel\n\n"
    "Start with `cxkit columns FILE` to see how cxkit reads a new export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        print(f"cxkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Customer-experience KPIs from survey, ticket and order exports."""


for _kind in ("nps", "csat", "ces"):
    survey.register(app, _kind)
tickets.register(app)
themes.register(app)
complaints.register(app)
orders.register(app)
joined.register(app)
report.register(app)
columns.register(app)
config.register(app)


def _error(message: str) -> None:
    # file names, column names and option values in a message come from the data or the shell
    print(f"cxkit: error: {visible(message, lines=True)}", file=sys.stderr)


def _is_polars_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("polars")


def _usage_error(exc: click.ClickException, group, args: list[str]) -> None:
    """Typer's usage errors (unknown option, bad value...) as `cxkit: error:` lines too."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return  # the help was printed (on stderr, see _help_only) while parsing
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        path = ctx.command_path
    else:
        path = "cxkit" + (f" {args[0]}" if args and args[0] in group.commands else "")
    _error(_once(exc.format_message()) + f"\n  fix: see '{path} --help'")


def _once(message: str) -> str:
    """Typer and Click both add "Did you mean 'nps'?" to an unknown command: say it once."""
    import re

    return re.sub(r"(Did you mean [^?]*\?)(?:\s*\1)+", r"\1", message)


def _help_only(group, args: list[str]) -> bool:
    """`cxkit` or `cxkit nps` alone: the help is shown as a usage error (exit 2), so on stderr."""
    if len(args) > 1 or any(a.startswith("-") for a in args) or "_CXKIT_COMPLETE" in os.environ:
        return False  # shell completion writes its answers to stdout
    target = group.commands.get(args[0]) if args else group
    return bool(getattr(target, "no_args_is_help", False))


def _no_color(args: list[str]) -> None:
    """NO_COLOR / --no-color also for Typer's help: no colour, no bold, no escape codes."""
    if "NO_COLOR" in os.environ or "--no-color" in args:
        from typer import rich_utils

        rich_utils.COLOR_SYSTEM = None


def _reader_left() -> ExitCode:
    """`cxkit ... | head -1`: the reader left; exit quietly without a second EPIPE on flush."""
    stdout_gone()
    return ExitCode.OK


def _last_flush(code: int) -> int:
    """Flush stdout while errors can still become messages: a full disk found only now is exit 74
    (when nothing else went wrong first), never exit 0 with the end of the output missing."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_left()
    except OutputLost as exc:
        stdout_gone()
        if code in (ExitCode.OK, ExitCode.THRESHOLD):
            _error(exc.message)
            return ExitCode.IO
    return code


def _invoked(group: typer.Typer, args: list[str]) -> typer.Typer:
    """`cxkit tickets ...`: the application with that command alone, since Typer turns every
    registered command into a Click command before parsing (all 13: 0.03 s, this one alone
    0.005 s). Anything else (no command, an option first, a misspelt command that
    needs the list to suggest one, shell completion) gets every command."""
    if not args or "_CXKIT_COMPLETE" in os.environ:
        return group
    commands = [c for c in group.registered_commands if c.name == args[0]]
    groups = [g for g in group.registered_groups if g.name == args[0]]
    if len(commands) + len(groups) != 1:
        return group
    alone = copy.copy(group)
    alone.registered_commands, alone.registered_groups = commands, groups
    return alone


def run() -> None:
    """The `cxkit` program (its console script and `python -m cxkit`): `main` in a process that
    ends with it, the garbage collector tuned for that (`collector`), Polars' Parquet reader
    set for a bounded peak and OpenBLAS to one thread (`libraries`)."""
    collector.relax()
    libraries.configure()
    try:
        main()
    finally:
        collector.skip_at_exit()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; never shows a traceback for an expected error (unless --debug)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("CXKIT_DEBUG") == "1"
    heap.tune()  # numpy's large temporaries stay on the heap (model fits: half the time)
    command = typer.main.get_command(_invoked(app, args))
    helptext.tidy(command)
    _no_color(args)
    saved = guard_streams()
    try:
        code = _run(command, args, debug)
        code = _last_flush(code)
    finally:
        sys.stdout, sys.stderr = saved
    sys.exit(int(code))


def _run(command, args: list[str], debug: bool) -> int:
    try:
        with contextlib.redirect_stdout(sys.stderr) if _help_only(command, args) else (
            contextlib.nullcontext()
        ):
            result = command.main(args=args, prog_name="cxkit", standalone_mode=False)
        # Typer returns (not raises) the code of an Exit raised while running: 130 for Ctrl-C
        code = result if isinstance(result, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED:
            print("cxkit: interrupted", file=sys.stderr)
    except typer.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:  # usage errors: unknown option, bad value
        _usage_error(exc, command, args)
        code = exc.exit_code
    except OutputLost as exc:  # stdout is full, closed or failing: one line, exit 74
        if debug:
            traceback.print_exc()
        stdout_gone()
        _error(exc.message)
        code = exc.exit_code
    except CxkitError as exc:
        if debug:
            traceback.print_exc()
        _error(exc.message + (f"\n  fix: {exc.hint}" if exc.hint else ""))
        code = exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        print("cxkit: interrupted", file=sys.stderr)
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        code = _reader_left()
    except SystemExit as exc:
        # Typer turns a broken pipe into sys.exit(1), raised while handling the BrokenPipeError
        if not isinstance(exc.__context__, BrokenPipeError):
            raise
        code = _reader_left()
    except Exception as exc:
        if _is_polars_error(exc) and not debug:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _error(f"cannot read the data: {first}\n  fix: check the file, or pass --encoding / "
                   "--delimiter; --debug shows details")
            code = ExitCode.DATA
        else:
            traceback.print_exc()
            code = ExitCode.INTERNAL
    return code
