"""stdout and stderr while cxkit runs: a failed write is exit 74 with a message, a closed
descriptor gets a stand-in, never a traceback or a silent exit 0 with half the output."""

from __future__ import annotations

import contextlib
import errno
import os
import sys

from cxkit.errors import IOFailure


class OutputLost(IOFailure):
    """stdout could not take the output (a full disk, a closed descriptor, an I/O error): exit 74,
    never a traceback, never a silent exit 0 with half the output written."""

    def __init__(self, exc: OSError):
        super().__init__(f"cannot write the output: {exc.strerror or exc}")


class _GuardedStdout:
    """sys.stdout while cxkit runs: a write or flush that fails raises OutputLost. A broken pipe
    (`| head -1`) is left as it is: the reader left, a quiet exit 0 (`_reader_left`)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputLost(exc) from exc

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputLost(exc) from exc

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _ClosedStdout:
    """What cxkit writes to when it was started with stdout closed (`>&-`): Python then has no
    sys.stdout at all. Any write fails with EBADF, so the run ends with exit 74, not a crash."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text):
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation("stdout is closed")


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def guard_streams() -> tuple:
    """Install _GuardedStdout; a closed stdout or stderr gets a stand-in, and /dev/null holds its
    descriptor, so no file cxkit opens lands on descriptor 1 or 2. Returns what to restore."""
    saved = (sys.stdout, sys.stderr)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        if not _open(fd):
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_WRONLY)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
        if name == "stderr":  # nowhere to say anything; never let print() fall back to stdout
            sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stdout = _GuardedStdout(_ClosedStdout() if sys.stdout is None else sys.stdout)
    return saved


def stdout_gone() -> None:
    """After a failed write to stdout: what is still buffered goes to /dev/null at exit, so Python
    does not fail a second time ("Exception ignored ... OSError") and change the exit code."""
    with contextlib.suppress(OSError, ValueError):
        fd = sys.stdout.fileno()  # not there for a closed stdout, nor for a test's capture
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
