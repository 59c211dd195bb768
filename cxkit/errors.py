"""Exit codes (KPIS.md "Exit codes") and the errors that carry them.

Every expected failure is a `CxkitError` subclass; `cxkit.cli.main` is the one place that turns
them into a `cxkit: error: ...` line on stderr and the matching exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    THRESHOLD = 3
    DATA = 65  # EX_DATAERR: no usable column, nothing parseable, wrong file type
    NO_INPUT = 66  # EX_NOINPUT: an input file does not exist or cannot be read
    CANT_CREATE = 73  # EX_CANTCREAT: an output file cannot be created
    IO = 74  # EX_IOERR
    INTERRUPTED = 130


class CxkitError(Exception):
    """An expected error: one message (with the fix), one exit code, no traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CxkitError):
    exit_code = ExitCode.USAGE


class DataError(CxkitError):
    exit_code = ExitCode.DATA


class InputError(CxkitError):
    exit_code = ExitCode.NO_INPUT


class OutputError(CxkitError):
    exit_code = ExitCode.CANT_CREATE


class IOFailure(CxkitError):
    exit_code = ExitCode.IO
