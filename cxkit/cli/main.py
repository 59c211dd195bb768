"""The `cxkit` application and the one place errors become messages and exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer

from cxkit import __version__
from cxkit.cli import columns, survey
from cxkit.errors import CxkitError, ExitCode

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
columns.register(app)


def _error(message: str) -> None:
    print(f"cxkit: error: {message}", file=sys.stderr)


def _is_polars_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("polars")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; never shows a traceback for an expected error (unless --debug)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("CXKIT_DEBUG") == "1"
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="cxkit", standalone_mode=False)
        code = ExitCode.OK
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:  # Typer's usage errors: unknown option, bad value
        if hasattr(exc, "show"):
            exc.show(file=sys.stderr)
        else:
            _error(exc.format_message())
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
        # `cxkit ... | head -1`: the reader left; exit quietly without a second EPIPE on flush
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = ExitCode.OK
    except Exception as exc:
        if _is_polars_error(exc) and not debug:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _error(f"cannot read the data: {first}\n  fix: check the file, or pass --encoding / "
                   "--delimiter; --debug shows details")
            code = ExitCode.DATA
        else:
            traceback.print_exc()
            code = ExitCode.INTERNAL
    sys.exit(int(code))
