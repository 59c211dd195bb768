"""Help as a person reads it at 80 columns (cxkit/cli/helptext.py): prose wrapped once, examples
whole, square brackets kept; and the hints of usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import cli_commands, cli_env, run_cli

from cxkit.cli.helptext import LITERAL_STARTS, help_text

COMMANDS = sorted(cli_commands()) + ["config check"]
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def rendered(command: str, width: int = 80) -> str:
    run = run_cli(*command.split(), "--help", env=cli_env(COLUMNS=str(width), NO_COLOR="1"))
    assert run.returncode == 0, run
    return run.stdout


def description(text: str) -> list[str]:
    """The lines of the help's prose: from after `Usage:` to the first panel."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Usage:")) + 1
    end = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("╭"))
    return [ln.rstrip() for ln in lines[start:end]]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_at_80_columns_wraps_prose_once_and_keeps_examples_whole(command):
    text = rendered(command)
    assert max(len(ln) for ln in text.splitlines()) <= 80
    lines = description(text)
    paragraphs, current = [], []
    for ln in lines + [""]:
        if ln.strip():
            current.append(ln.strip())
        elif current:
            paragraphs.append(current)
            current = []
    for para in paragraphs:
        if para[0].startswith(LITERAL_STARTS) or len(para) == 1:
            continue
        # a paragraph wrapped once by Rich fills every line but its last: a short line in the
        # middle is the source's own line break, wrapped a second time ("backlog at" / "--as-of")
        for ln in para[:-1]:
            assert len(ln) >= 55, (command, ln, para)


@pytest.mark.parametrize("command", COMMANDS)
def test_examples_fit_on_one_line(command):
    for ln in description(rendered(command)):
        if ln.strip().startswith(("Example:", "More:", "For cron:")):
            # the example's command is whole on its line: it ends with an argument, not mid-word
            assert len(ln) <= 79, (command, ln)


def test_square_brackets_survive():
    # Rich reads [tool.cxkit] as markup and prints "or  in pyproject.toml"
    assert "[tool.cxkit] in pyproject.toml" in " ".join(rendered("report", 120).split())
    assert "[tool.cxkit]" in rendered("config check", 120)


def test_help_text_joins_prose_and_keeps_literal_paragraphs():
    text = """First line
    goes on.

    Prose that the source
    wrapped at 100 columns.

    Example:  cxkit nps a.csv
              --by channel

    More: cxkit x
          cxkit y [z]"""
    assert help_text(text) == ("First line goes on.\n\nProse that the source wrapped at 100 "
                               "columns.\n\nExample:  cxkit nps a.csv\n          --by channel"
                               "\n\nMore: cxkit x\n      cxkit y \\[z]")


# ------------------------------------------------------------------------------------------------
# Hints that name what the command has


def test_an_unknown_command_is_suggested_once():
    run = run_cli("nsp")
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == "cxkit: error: No such command 'nsp'. Did you mean 'nps'?"


def test_the_command_run_is_built_alone(monkeypatch):
    # Typer builds a Click command for every registered one before parsing: `cxkit tickets ...`
    # builds tickets only; no command, an option first, a misspelt command (its suggestion
    # needs the list) or shell completion get them all
    import typer

    from cxkit.cli.main import _invoked, app

    def built(*args: str) -> set[str]:
        return set(typer.main.get_command(_invoked(app, list(args))).commands)

    every = built()
    assert {"nps", "tickets", "report", "config"} <= every
    assert built("tickets", "t.csv", "--by", "channel") == {"tickets"}
    assert built("config", "show") == {"config"}
    assert built("nsp") == built("--version") == built("-h", "tickets") == every
    monkeypatch.setenv("_CXKIT_COMPLETE", "complete_bash")
    assert built("tickets") == every


def test_value_hint_names_a_kpi_of_the_command():
    run = run_cli("retention", SAMPLE / "orders.csv", "--value")
    assert run.returncode == 2
    assert "add --kpi, e.g. --kpi retention_rate --value" in run.stderr


@pytest.mark.parametrize(("item", "error", "fix"), [
    ("fcrr=70", "--fail-under 'fcrr=70': unknown KPI 'fcrr'", "did you mean 'fcr'? KPIs: volume"),
    ("fcr=high", "--fail-under 'fcr=high': 'high' is not a number", "e.g. --fail-under volume=30"),
    ("70", "--fail-under '70': expected KPI=NUMBER", "(a bare number needs --kpi)"),
])
def test_threshold_mistakes_say_which(item, error, fix):
    run = run_cli("tickets", SAMPLE / "tickets.csv", "--fail-under", item)
    assert run.returncode == 2
    first, second = run.stderr.splitlines()[:2]
    assert first == f"cxkit: error: {error}"
    assert fix in second
