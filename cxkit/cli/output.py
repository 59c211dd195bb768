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


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: str, text: str | bytes) -> None:
    """Write to a temp file in the same folder, then rename over the target."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create: {exc.strerror}",
                          "check the folder exists and is writable") from exc
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; a report is for sharing
        mode = "wb" if isinstance(text, bytes) else "w"
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8",
                                                              "newline": ""})) as fh:
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
    """One KpiResult, or a list of them (commands that report several KPIs)."""
    from io import StringIO

    many = isinstance(result, list)
    if fmt == "table":
        from rich.console import Console

        from cxkit.render.table import render, render_many

        buf = StringIO()
        (render_many if many else render)(
            result, Console(file=buf, width=width, no_color=True, highlight=False))
        return buf.getvalue()
    from cxkit.render.machine import RENDERERS, RENDERERS_MANY

    return (RENDERERS_MANY if many else RENDERERS)[fmt](result)


def emit(result, fmt: str | None, value: bool, output: str | None, env: Env) -> None:
    if value:
        from cxkit.render.machine import to_value

        text = to_value(result)
    else:
        fmt = choose_format(fmt, output, env)
        if fmt == "table" and not output:
            from cxkit.render.table import render, render_many

            (render_many if isinstance(result, list) else render)(result, env.console())
            return
        text = render_text(result, fmt, env)
    deliver(text, output, env)


def deliver(text: str | bytes, output: str | None, env: Env) -> None:
    """Rendered output to -o FILE (atomically, with a notice on stderr), else to stdout."""
    if output:
        write_atomic(output, text)
        env.notice(f"wrote {output}")
    else:
        env.stdout.write(text)
        env.stdout.flush()


def tell_notes(results, where: str, env: Env) -> None:
    """What a KPI noticed while reading (notes) and what may be wrong (warnings), on stderr."""
    for r in results if isinstance(results, list) else [results]:
        for note in r.notes:
            env.notice(f"{where}: {note}")
        for warning in r.warnings:
            env.warn(f"{where}: {warning}")


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


def parse_thresholds(items: list[str] | None, option: str, names: list[str]) -> dict[str, float]:
    """`--fail-over resolution_time=24` (repeatable) -> {"resolution_time": 24.0}."""
    out = {}
    for item in items or []:
        name, sep, num = item.partition("=")
        name = name.strip().replace("-", "_")
        try:
            value = float(num)
        except ValueError:
            value = None
        if not sep or value is None or name not in names:
            raise UsageError(f"{option} '{item}': expected KPI=NUMBER",
                             f"e.g. {option} resolution_time=24; KPIs: " + ", ".join(names))
        out[name] = value
    return out


def check_many(results, under: dict[str, float], over: dict[str, float], env: Env) -> None:
    """Exit 3 when any KPI crosses its threshold; every crossing is named."""
    crossed = []
    for r in results:
        for limits, word, bad in ((under, "under --fail-under", lambda v, t: v < t),
                                  (over, "over --fail-over", lambda v, t: v > t)):
            if r.kpi not in limits:
                continue
            if r.value is None:
                env.warn(f"{r.kpi} has no value (no usable rows): thresholds not checked")
                continue
            shown = round(r.value, r.digits) + 0.0
            if bad(shown, limits[r.kpi]):
                crossed.append(f"{r.kpi} {shown:g} is {word} {limits[r.kpi]:g}")
    if crossed:
        raise ThresholdCrossed("; ".join(crossed))


def thresholds(args: dict, only: str | None, names: list[str]) -> tuple[dict, dict]:
    """--fail-under / --fail-over as {kpi: X}; with one KPI chosen a bare number applies to it."""
    out: tuple[dict, dict] = ({}, {})
    for store, opt in zip(out, ("fail_under", "fail_over"), strict=True):
        items = args.get(opt) or []
        if only:
            items = [i if "=" in i else f"{only}={i}" for i in items]
        store.update(parse_thresholds(items, "--" + opt.replace("_", "-"), names))
    return out


def column_roles(items: list[str] | None, roles: tuple[str, ...]) -> dict[str, str]:
    """`--column reopens=Reopen count` (repeatable) -> {"reopens": "Reopen count"}."""
    out = {}
    for item in items or []:
        role, sep, col = item.partition("=")
        role = role.strip()
        if not sep or role not in roles or not col.strip():
            raise UsageError(f"--column '{item}': expected ROLE=COLUMN",
                             "roles: " + ", ".join(roles))
        out[role] = col.strip()
    return out
