"""Help texts as Rich shows them: prose reflowed to the terminal, examples kept, brackets kept.

The texts are written in the source hard-wrapped at 100 columns. Typer's Rich help keeps every
line break after the first paragraph and Rich wraps again at the terminal's width, so at 80
columns each source line broke in two ("backlog at / --as-of; FCR"). Prose paragraphs are joined
into one line here and wrapped once, by Rich; a paragraph of examples (`Example:`, `More:`,
indented lines) keeps its lines. Rich reads `[tool.cxkit]` as markup and drops it: every `[` is
escaped. Standard library only: this runs on every `--help`.
"""

from __future__ import annotations

import inspect
import re

LITERAL_STARTS = ("Example:", "Examples:", "More:", "For cron:", "e.g.")


def help_text(text: str | None) -> str | None:
    """A command's help: prose paragraphs on one line, literal ones as written, `[` escaped."""
    if not text:
        return text
    paragraphs = []
    for block in inspect.cleandoc(text).split("\n\n"):
        lines = block.split("\n")
        literal = lines[0].startswith(LITERAL_STARTS) or any(
            ln[:1].isspace() for ln in lines[1:])
        paragraphs.append(block if literal else " ".join(ln.strip() for ln in lines))
    return escape("\n\n".join(paragraphs))


def escape(text: str | None) -> str | None:
    """`[` as text for Rich markup (an already escaped `\\[` stays as it is)."""
    return re.sub(r"(?<!\\)\[", r"\\[", text) if text else text


def tidy(command) -> None:
    """Every command's and option's help under a Click command or group, made as above."""
    command.help = help_text(command.help)
    for param in getattr(command, "params", []):
        if getattr(param, "help", None):
            param.help = escape(" ".join(param.help.split()))
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)
