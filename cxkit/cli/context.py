"""The environment a command runs in: streams, terminal or not, colour. Injected, not global."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

from cxkit.render.inert import visible


@dataclass
class Env:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    no_color: bool = False

    @property
    def stdout_isatty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stderr_isatty(self) -> bool:
        return _isatty(self.stderr)

    @property
    def color(self) -> bool:
        return not (self.no_color or "NO_COLOR" in os.environ)

    def notice(self, message: str) -> None:
        if not self.quiet:
            print(f"cxkit: note: {visible(message, lines=True)}", file=self.stderr)

    def warn(self, message: str) -> None:
        # file and column names in a message come from the data: no raw escape codes on stderr
        print(f"cxkit: warning: {visible(message, lines=True)}", file=self.stderr)

    def console(self, stderr: bool = False):
        from rich.console import Console

        stream = self.stderr if stderr else self.stdout
        tty = _isatty(stream)
        return Console(
            file=stream,
            force_terminal=tty and self.color,
            no_color=not self.color,
            highlight=False,
            width=None if tty else 100,
        )

    def status(self, message: str):
        """A spinner on stderr while a long step runs; nothing when stderr is not a terminal."""
        from contextlib import nullcontext

        if self.quiet or not self.stderr_isatty:
            return nullcontext()
        from cxkit.render.inert import term

        return self.console(stderr=True).status(term(message))


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
