"""Print or write one result in the format asked for; check --fail-under / --fail-over."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cxkit.cli.context import Env
from cxkit.errors import CxkitError, ExitCode, OutputError, UsageError

EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".ndjson": "ndjson",
              ".jsonl": "ndjson", ".md": "markdown", ".txt": "table"}


class ThresholdCrossed(CxkitError):
    exit_code = ExitCode.THRESHOLD


def write_atomic(path: str, text: str) -> None:
    """Write to a temp file in the same folder, then rename over the target."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create: {exc.strerror}",
                          "check the folder exists and is writable") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from exc


def guard_output(output: str | None, inputs: list[str]) -> None:
    """Never write over an input file: exports are read, never modified."""
    if not output:
        return
    target = Path(output).resolve()
    for item in inputs:
        if item != "-" and Path(item).exists() and Path(item).resolve() == target:
            raise OutputError(f"--output {output}: this is an input file",
                              "write the result to another file name")


def choose_format(fmt: str | None, output: str | None, env: Env) -> str:
    if fmt:
        return fmt
    if output:
        ext = Path(output).suffix.lower()
        if ext not in EXTENSIONS:
            raise UsageError(
                f"--output {output}: unknown extension '{ext}'",
                "use one of " + " ".join(EXTENSIONS) + ", or pass --format",
            )
        return EXTENSIONS[ext]
    return "table" if env.stdout_isatty else "csv"


def render_text(result, fmt: str, env: Env, width: int = 100) -> str:
    from io import StringIO

    if fmt == "table":
        from rich.console import Console

        from cxkit.render.table import render

        buf = StringIO()
        render(result, Console(file=buf, width=width, no_color=True, highlight=False))
        return buf.getvalue()
    from cxkit.render.machine import RENDERERS

    return RENDERERS[fmt](result)


def emit(result, fmt: str | None, value: bool, output: str | None, env: Env) -> None:
    if value:
        from cxkit.render.machine import to_value

        text = to_value(result)
    else:
        fmt = choose_format(fmt, output, env)
        if fmt == "table" and not output:
            from cxkit.render.table import render

            render(result, env.console())
            return
        text = render_text(result, fmt, env)
    if output:
        write_atomic(output, text)
        env.notice(f"wrote {output}")
    else:
        env.stdout.write(text)
        env.stdout.flush()


def check_thresholds(result, fail_under: float | None, fail_over: float | None, env: Env):
    name = result.kpi.upper()
    if result.value is None:
        if fail_under is not None or fail_over is not None:
            env.warn(f"{name} has no value (no usable rows): thresholds not checked")
        return
    # compare what is printed: CSAT 57.142... shows as 57.1, which is not over --fail-over 57.1
    shown = round(result.value, result.digits) + 0.0
    if fail_under is not None and shown < fail_under:
        raise ThresholdCrossed(f"{name} {shown} is under --fail-under {fail_under:g}")
    if fail_over is not None and shown > fail_over:
        raise ThresholdCrossed(f"{name} {shown} is over --fail-over {fail_over:g}")
