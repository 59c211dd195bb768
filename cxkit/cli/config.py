"""`cxkit config check`: read the configuration file of `cxkit report` and say what it holds."""

from __future__ import annotations

from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

# Rich reads [...] as markup in help texts: \\[ writes a bracket. Lines fit 80 columns.
HELP = """Check the configuration file that `cxkit report` reads (cxkit.toml).

Example:  cxkit config check cxkit.toml

Without FILE: cxkit.toml in the current folder, else the \\[tool.cxkit]
table of pyproject.toml. Relative paths in the file are relative to the
file's folder."""

CHECK_HELP = """Check a configuration file: every section, key and value.

Example:  cxkit config check cxkit.toml

Valid: one line per section on stdout, exit 0 (with a warning for a file
or glob that matches nothing). A mistake: one error line, FILE:LINE, what
is wrong and the fix, exit 2. Without FILE: cxkit.toml in the current
folder, else the \\[tool.cxkit] table of pyproject.toml."""

app = typer.Typer(name="config", help=HELP, no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]})


@app.command("check", help=CHECK_HELP)
def check(
    file: Annotated[str | None, typer.Argument(
        metavar="[FILE]", show_default=False,
        help="The configuration file (default: ./cxkit.toml, else ./pyproject.toml).")] = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
    debug: o.Debug = False,
) -> None:
    run(file, Env(quiet=quiet, no_color=no_color))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="config")


def run(file: str | None, env: Env) -> None:
    from pathlib import Path

    from cxkit.config import CONFIG_NAME, find_config, load_config, shown
    from cxkit.errors import UsageError

    cwd = Path.cwd()
    found = find_config(file, cwd)
    if found is None:
        raise UsageError(f"no configuration file in {cwd}: no {CONFIG_NAME}, and no "
                         "[tool.cxkit] table in pyproject.toml",
                         f"create {CONFIG_NAME} here, or pass its path: "
                         f"cxkit config check path/to/{CONFIG_NAME}")
    config = load_config(*found)
    lines, warnings = summary(config)
    where = shown(config.path) + (f" [{'.'.join(config.prefix)}]" if config.prefix else "")
    print(f"{where}: valid", file=env.stdout)
    for line in lines:
        print(line, file=env.stdout)
    for warning in warnings:
        env.warn(warning)


def summary(config) -> tuple[list[str], list[str]]:
    """One line per section of the file, and a warning per file or glob that matches nothing."""
    from cxkit.config import SOURCES

    lines: list[str] = []
    warnings: list[str] = []
    if config.report:
        lines.append("report: " + _report_line(config.report))
    for name in SOURCES:
        source = config.sources.get(name)
        if source is None:
            continue
        parts = [_files_part(name, source.files, warnings)]
        for key in ("preset", "encoding", "delimiter", "timezone", "business_hours",
                    "sla_first_response", "sla_resolution", "amount_unit", "margin"):
            value = getattr(source, key)
            if value is not None:
                parts.append(f"{key.replace('_', ' ')} {value!r}" if key == "delimiter"
                             else f"{key.replace('_', ' ')} {value}")
        if source.dayfirst is not None:
            parts.append("day-first dates" if source.dayfirst else "month-first dates")
        if source.holidays:
            parts.append(f"holidays {_shown(source.holidays)}")
            if not _exists(source.holidays):
                warnings.append(f"[{name}] holidays: {_shown(source.holidays)}: no such file")
        if source.columns:
            parts.append("columns " + ", ".join(f"{role}={col}"
                                                for role, col in source.columns.items()))
        lines.append(f"{name}: " + "; ".join(p for p in parts if p))
    limits = [f"fail under {_pairs(config.fail_under)}" if config.fail_under else "",
              f"fail over {_pairs(config.fail_over)}" if config.fail_over else ""]
    if any(limits):
        lines.append("thresholds: " + "; ".join(p for p in limits if p))
    return lines, warnings


def _report_line(report: dict) -> str:
    parts = []
    if "title" in report:
        parts.append(f"title {report['title']!r}")
    if "period" in report:
        parts.append(f"period {report['period']}")
    if "since" in report and "until" in report:
        parts.append(f"{report['since']} to {report['until']}")
    elif "since" in report or "until" in report:
        key = "since" if "since" in report else "until"
        parts.append(f"{key} {report[key]}")
    if report.get("by"):
        parts.append("by " + ", ".join(report["by"]))
    if "sections" in report:
        parts.append("sections " + ", ".join(report["sections"]))
    if "output" in report:
        parts.append(f"output {_shown(report['output'])}")
    for key in ("benchmark", "confidence", "window", "followup_limit"):
        if key in report:
            parts.append(f"{key.replace('_', ' ')} {report[key]}")
    return "; ".join(parts)


def _files_part(source: str, files: list[str], warnings: list[str]) -> str:
    import glob

    if not files:
        return "no files (pass them on the command line)"
    total = 0
    for item in files:
        if item == "-":
            total += 1
        elif any(ch in item for ch in "*?["):
            found = len(glob.glob(item))
            if not found:
                warnings.append(f"[{source}] files: {_shown(item)}: no file matches this pattern")
            total += found
        elif _exists(item):
            total += 1
        else:
            warnings.append(f"[{source}] files: {_shown(item)}: no such file")
    names = ", ".join("<stdin>" if f == "-" else _shown(f) for f in files)
    return f"{names} ({total} file{'' if total == 1 else 's'})"


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_file()


def _shown(path: str) -> str:
    from pathlib import Path

    from cxkit.config import shown

    return path if path == "-" else shown(Path(path))


def _pairs(limits: dict[str, float]) -> str:
    return ", ".join(f"{kpi} {value:g}" for kpi, value in limits.items())
