"""Text from the data made inert for a terminal: no escape sequence, no Rich markup.

Values in an export (a channel, a column name, a file name) reach the terminal in tables,
headlines, notices and errors. A terminal obeys control characters (ESC starts a sequence that can
clear the screen, retitle the window or fake a hyperlink; CR and BS overwrite what was printed) and
Rich reads `[...]` in a plain string as markup. So every data string shown in a terminal goes
through `visible` (control characters become visible symbols: ESC -> ␛, CR -> ␍) and is handed to
Rich as a `Text` (never parsed as markup). Standard library only: imported on light paths too.
"""

from __future__ import annotations

from typing import Any

# C0 controls -> the Unicode "control pictures" (U+2400...), DEL -> ␡; C1 controls (U+0080-009F,
# e.g. U+009B, a one-character CSI on some terminals) have no picture: shown as <U+009B>
_PICTURES = {c: chr(0x2400 + c) for c in range(0x20)} | {0x7F: "\u2421"}
_PICTURES |= {c: f"<U+{c:04X}>" for c in range(0x80, 0xA0)}
# bidirectional overrides and isolates reorder what follows them ("Trojan Source"): a file name
# or a value could show `txt.exe` as `exe.txt`; zero-width marks hide text
_PICTURES |= {c: f"<U+{c:04X}>" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                           0x200E, 0x200F, 0x061C, 0x200B, 0xFEFF)}
_KEEP_NONE: dict[int, str] = dict(_PICTURES)
_KEEP_LINES: dict[int, str] = {c: v for c, v in _PICTURES.items() if c not in (0x09, 0x0A)}


def visible(value: Any, lines: bool = False) -> str:
    """`value` as text with every control character shown as a symbol (TAB becomes a space).
    With `lines`, LF and TAB are kept: for messages whose own text has line breaks."""
    text = "" if value is None else str(value)
    if lines:
        return text.translate(_KEEP_LINES)
    return text.replace("\t", " ").translate(_KEEP_NONE)


def term(value: Any, style: str = "", **kwargs: Any):
    """A Rich Text of a data value: shown literally (never markup), controls made visible."""
    from rich.text import Text

    return Text(visible(value), style=style, **kwargs)
