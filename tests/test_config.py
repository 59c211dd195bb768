"""The configuration file of `cxkit report` (cxkit/config.py) and `cxkit config check`."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from conftest import cli_env, run_cli

from cxkit import config as cfg
from cxkit.config import (
    Config,
    SourceConfig,
    fill_placeholders,
    find_config,
    load_config,
    merge,
)
from cxkit.errors import ExitCode, InputError, UsageError

FULL = """\
# the weekly report, run by cron
[report]
title = "Weekly CX report"
period = "month"
since = "2025-01-01"
until = 2025-12-31
by = ["channel", "region"]
sections = ["breakdowns", "kpis", "followup"]
output = "out/cx-{date}-{period}.html"
benchmark = "ecommerce"
confidence = 0.9
window = "90d"
followup_limit = 25

[responses]
files = ["exports/responses-*.csv", "-"]
encoding = "cp1252"
delimiter = ";"
dayfirst = true
columns = { nps_score = "Q1", customer_id = "Email", email = "Mail", name = "Nom" }

[tickets]
files = "tickets.csv"
preset = "zendesk"
timezone = "Europe/Paris"
business_hours = "Mon-Fri 09:00-18:00"
holidays = "holidays.csv"
sla_first_response = "4h"
sla_resolution = 48

[orders]
files = ["/data/orders.parquet"]
preset = "shopify"
timezone = "Europe/Paris"
amount_unit = "minor"
margin = "35%"
delimiter = "\\t"
dayfirst = false

[thresholds]
fail_under = { nps = 30, fcr = 70.5 }
fail_over = { resolution_time = 24 }
"""


def write(folder: Path, text: str, name: str = "cxkit.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path, prefix: list[str] | None = None) -> UsageError:
    with pytest.raises(UsageError) as info:
        load_config(path, prefix or [])
    assert info.value.exit_code == ExitCode.USAGE
    return info.value


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """Run in tmp_path, so that error messages name `cxkit.toml` as a user would see it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------------------------
# The names repeated from the Polars-importing modules stay equal to them


def test_literal_tables_equal_the_real_ones():
    from cxkit.cli import options
    from cxkit.io import orders, roles, tickets
    from cxkit.kpi import benchmarks, business_hours, grouping, report

    assert set(cfg.TICKET_PRESETS) == set(tickets.PRESETS)
    assert set(cfg.ORDER_PRESETS) == set(orders.PRESETS)
    assert cfg.TICKET_PRESETS == tuple(p.value for p in options.PresetName)
    assert cfg.ORDER_PRESETS == tuple(p.value for p in options.OrderPresetName)
    assert cfg.TICKET_ROLES == roles.TICKET_ROLES
    assert cfg.ORDER_ROLES == roles.ORDER_ROLES
    # the survey roles, and who answered (`email`, `name`) for the follow-up list
    assert cfg.SURVEY_ROLES == roles.ALL_ROLES + roles.CONTACT_ROLES
    assert cfg.PERIODS == tuple(grouping.PERIODS) == tuple(p.value for p in options.Period)
    assert cfg.SECTORS == benchmarks.SECTORS == tuple(s.value for s in options.Sector)
    from cxkit.io import dates

    assert cfg.MAX_DURATION_DAYS == dates.MAX_DURATION_DAYS
    assert cfg.SECTIONS == report.SECTIONS
    assert cfg.SOURCES == report.SOURCES
    assert cfg.KPI_NAMES == tuple(report.KPI_INFO)
    assert cfg.BUSINESS_HOURS.pattern == business_hours._SPEC.pattern
    assert cfg.BUSINESS_HOURS.flags == business_hours._SPEC.flags


@pytest.mark.parametrize(("text", "hours"), [
    ("4h", 4.0), ("30m", 0.5), ("1h30m", 1.5), ("2d", 48.0), ("90min", 1.5), ("1.5", 1.5),
    ("3", 3.0), (" 2 h ", 2.0), ("1,5h", 1.5), ("1w", 168.0), ("2j", 48.0), ("4x", None),
    ("h", None), ("", None), ("4h-", None), ("-1h", None), ("1h 30", 1.5), ("1h30", 1.5),
    ("2d3", None), ("1.5h15", 1.75), ("30 2", None)])
def test_durations_in_the_file_and_on_the_command_line(text, hours, here):
    # one rule (cxkit.units.duration_hours) for --sla-resolution and sla_resolution = "...";
    # a bare number after hours is minutes: "1h30" = 1 + 30/60 = 1.5; "1.5h15" = 1.5 + 0.25
    from cxkit.io.dates import parse_duration

    if hours is None:
        with pytest.raises(UsageError, match="not a duration"):
            parse_duration(text, "--x")
        assert error_of(write(here, f'[tickets]\nsla_resolution = "{text}"\n')).message \
            .startswith("cxkit.toml:2: [tickets] sla_resolution:")
    else:
        assert parse_duration(text, "--x") == hours
        cfg_ = load_config(write(here, f'[tickets]\nsla_resolution = "{text}"\n'), [])
        assert cfg_.sources["tickets"].sla_resolution == text


@pytest.mark.parametrize("margin", ["35%", "35", "0.35", "100%", "1", "0", "150%", "-5%",
                                    "abc", "0,4"])
def test_margins_are_checked_as_the_cli_checks_them(margin, here):
    from cxkit.kpi.clv import parse_share

    try:
        parse_share(margin, "--margin")
        valid = True
    except UsageError:
        valid = False
    path = write(here, f'[orders]\nmargin = "{margin}"\n')
    if valid:
        assert load_config(path, []).sources["orders"].margin == margin
    else:
        assert error_of(path).message.startswith("cxkit.toml:2: [orders] margin:")


def test_business_hours_agree_with_the_cli(here):
    from cxkit.kpi.business_hours import parse_schedule

    good = write(here, '[tickets]\nbusiness_hours = "lun-ven 9h-18h"\n')
    assert load_config(good, []).sources["tickets"].business_hours == "lun-ven 9h-18h"
    parse_schedule("lun-ven 9h-18h")
    bad = write(here, '[tickets]\nbusiness_hours = "weekdays"\n')
    assert error_of(bad).message == ("cxkit.toml:2: [tickets] business_hours: 'weekdays' is not "
                                     "days then a time range")


# ------------------------------------------------------------------------------------------------
# A whole valid file


def test_full_config_is_read_into_the_expected_values(tmp_path):
    path = write(tmp_path, FULL)
    config = load_config(path, [])
    assert isinstance(config, Config)
    assert config.path == path
    assert config.report == {
        "title": "Weekly CX report",
        "period": "month",
        "since": "2025-01-01",
        "until": "2025-12-31",  # a TOML date is accepted as well as the text
        "by": ["channel", "region"],
        "sections": ["breakdowns", "kpis", "followup"],  # the user's order
        "output": str(tmp_path / "out" / "cx-{date}-{period}.html"),
        "benchmark": "ecommerce",
        "confidence": 0.9,
        "window": "90d",
        "followup_limit": 25,
    }
    assert config.sources == {
        "responses": SourceConfig(
            files=[str(tmp_path / "exports" / "responses-*.csv"), "-"],
            encoding="cp1252", delimiter=";", dayfirst=True,
            columns={"nps_score": "Q1", "customer_id": "Email", "email": "Mail", "name": "Nom"},
        ),
        "tickets": SourceConfig(
            files=[str(tmp_path / "tickets.csv")], preset="zendesk", timezone="Europe/Paris",
            business_hours="Mon-Fri 09:00-18:00", holidays=str(tmp_path / "holidays.csv"),
            sla_first_response="4h", sla_resolution="48",
        ),
        "orders": SourceConfig(
            files=["/data/orders.parquet"], preset="shopify", timezone="Europe/Paris",
            amount_unit="minor", margin="35%", delimiter="\t", dayfirst=False,  # a TOML "\\t"
        ),
    }
    assert config.fail_under == {"nps": 30.0, "fcr": 70.5}
    assert config.fail_over == {"resolution_time": 24.0}
    assert config.prefix == ()


def test_an_empty_file_is_valid_and_empty(tmp_path):
    config = load_config(write(tmp_path, "# nothing yet\n"), [])
    assert (config.report, config.sources, config.fail_under, config.fail_over) == ({}, {}, {},
                                                                                    {})


def test_a_source_table_without_files_is_kept(tmp_path):
    config = load_config(write(tmp_path, '[tickets]\npreset = "freshdesk"\n'), [])
    assert config.sources == {"tickets": SourceConfig(preset="freshdesk")}


def test_relative_paths_are_relative_to_the_config_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "exports").mkdir(parents=True)
    write(project, """\
        [report]
        output = "reports/cx-{date}.html"
        [responses]
        files = ["exports/r-*.csv", "-", "../shared/extra.csv", "/abs/o.csv"]
        [tickets]
        files = "t.csv"
        holidays = "cal/holidays.txt"
        """)
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # cron runs from anywhere
    found = find_config("../project/cxkit.toml", Path.cwd())
    assert found is not None
    config = load_config(*found)
    base = project.absolute()
    assert config.sources["responses"].files == [
        str(base / "exports" / "r-*.csv"), "-", str(tmp_path / "shared" / "extra.csv"),
        "/abs/o.csv"]
    assert config.sources["tickets"].files == [str(base / "t.csv")]
    assert config.sources["tickets"].holidays == str(base / "cal" / "holidays.txt")
    assert config.report["output"] == str(base / "reports" / "cx-{date}.html")


# ------------------------------------------------------------------------------------------------
# Finding the file


def test_find_config_order(tmp_path):
    assert find_config(None, tmp_path) is None
    write(tmp_path, "[other]\nx = 1\n", "pyproject.toml")
    assert find_config(None, tmp_path) is None  # a pyproject.toml without [tool.cxkit]
    write(tmp_path, '[project]\nname = "x"\n[tool.cxkit.report]\nperiod = "week"\n',
          "pyproject.toml")
    assert find_config(None, tmp_path) == (tmp_path / "pyproject.toml", ["tool", "cxkit"])
    write(tmp_path, "[report]\n")
    assert find_config(None, tmp_path) == (tmp_path / "cxkit.toml", [])  # cxkit.toml first
    other = write(tmp_path, "[report]\n", "weekly.toml")
    assert find_config("weekly.toml", tmp_path) == (other, [])  # --config wins
    assert find_config(str(tmp_path / "pyproject.toml"), Path("/")) == (
        tmp_path / "pyproject.toml", ["tool", "cxkit"])


def test_a_broken_pyproject_without_cxkit_is_not_ours(tmp_path):
    write(tmp_path, "[project\nname = 1\n", "pyproject.toml")
    assert find_config(None, tmp_path) is None


def test_a_broken_pyproject_with_cxkit_is_an_error(here):
    write(here, '[tool.cxkit.report]\nperiod = "week\n', "pyproject.toml")
    with pytest.raises(UsageError) as info:
        find_config(None, here)
    assert info.value.message.startswith("pyproject.toml:2: invalid TOML: ")


def test_missing_explicit_config_is_exit_66(tmp_path):
    with pytest.raises(InputError) as info:
        find_config("nowhere/cx.toml", tmp_path)
    assert info.value.exit_code == ExitCode.NO_INPUT == 66
    assert info.value.message == "nowhere/cx.toml: no such configuration file"
    with pytest.raises(InputError, match="is a folder"):
        find_config(str(tmp_path), tmp_path)


def test_pyproject_values_and_error_lines(here):
    text = """\
        [project]
        name = "shop"

        [tool.cxkit.report]
        period = "week"
        sections = ["kpis"]

        [tool.cxkit.tickets]
        preset = "zendesk"
        sla_resolution = "2 days"
        """
    path = write(here, text, "pyproject.toml")
    found = find_config(None, here)
    assert found == (path, ["tool", "cxkit"])
    config = load_config(*found)
    assert config.report == {"period": "week", "sections": ["kpis"]}
    assert config.sources["tickets"].preset == "zendesk"
    assert config.prefix == ("tool", "cxkit")

    write(here, text.replace('"zendesk"', '"zendesc"'), "pyproject.toml")
    error = error_of(path, ["tool", "cxkit"])
    assert error.message == ("pyproject.toml:9: [tool.cxkit.tickets] preset: 'zendesc' is not "
                             "one of zendesk, freshdesk, salesforce, gorgias, intercom, "
                             "helpscout")
    assert error.hint.startswith("did you mean 'zendesk'?")

    write(here, text.replace("period =", "perod ="), "pyproject.toml")
    error = error_of(path, ["tool", "cxkit"])
    assert error.message == "pyproject.toml:5: unknown key 'perod' in [tool.cxkit.report]"
    assert error.hint == "did you mean 'period'?"

    write(here, text + "\n[tool.cxkit.thresold]\nfail_under = { nps = 1 }\n", "pyproject.toml")
    error = error_of(path, ["tool", "cxkit"])
    assert error.message == "pyproject.toml:12: unknown section [tool.cxkit.thresold]"
    assert error.hint == "did you mean [tool.cxkit.thresholds]?"


def test_explicit_pyproject_without_the_table(here):
    path = write(here, '[project]\nname = "x"\n', "pyproject.toml")
    error = error_of(path, ["tool", "cxkit"])
    assert error.message == "pyproject.toml:1: no [tool] table"


# ------------------------------------------------------------------------------------------------
# Mistakes: the line, the mistake and the fix


def test_unknown_key_names_its_line_and_the_close_key(here):
    path = write(here, FULL.replace('sla_first_response = "4h"', 'sla_frist_response = "4h"'))
    line = FULL.splitlines().index('sla_first_response = "4h"') + 1
    assert line == 28
    error = error_of(path)
    assert error.message == f"cxkit.toml:{line}: unknown key 'sla_frist_response' in [tickets]"
    assert error.hint == "did you mean 'sla_first_response'?"


def test_bad_period_names_its_line(here):
    path = write(here, '# cron\n\n[report]\ntitle = "x"\nperiod = "monthly"\n')
    error = error_of(path)
    assert error.message == ("cxkit.toml:5: [report] period: 'monthly' is not one of day, week, "
                             "month, quarter, year")
    assert error.hint == "did you mean 'month'? use one of day, week, month, quarter, year"


def test_toml_syntax_error_names_its_line(here):
    path = write(here, '[report]\ntitle = "x"\nperiod = month\n')
    error = error_of(path)
    assert re.fullmatch(r"cxkit\.toml:3: invalid TOML: [^()]+", error.message), error.message
    assert "line" not in error.message.split("invalid TOML:")[1]  # the position is not repeated
    path = write(here, '[report]\ntitle = "x"\n\nby = ["a",\n')  # an error at the end
    assert error_of(path).message.startswith("cxkit.toml:4: invalid TOML: ")


def test_a_duplicate_key_is_a_toml_error(here):
    path = write(here, '[report]\ntitle = "a"\ntitle = "b"\n')
    assert error_of(path).message.startswith("cxkit.toml:3: invalid TOML: ")


def test_not_utf8_names_its_line(here):
    path = here / "cxkit.toml"
    path.write_bytes('[report]\ntitle = "Qualité"\n'.encode("cp1252"))
    error = error_of(path)
    assert error.message == "cxkit.toml:2: not UTF-8 text"


@pytest.mark.parametrize("text, message, hint", [
    # unknown section, with its header line
    ('[report]\n\n[ticket]\npreset = "zendesk"\n',
     "cxkit.toml:3: unknown section [ticket]", "did you mean [tickets]?"),
    # a key outside any section
    ('title = "x"\n[report]\n', "cxkit.toml:1: 'title' is outside any section",
     "put it under [report]"),
    # a key of another source
    ('[tickets]\nfiles = "t.csv"\nmargin = "35%"\n',
     "cxkit.toml:3: 'margin' does not belong in [tickets]", "move it to [orders]"),
    # a role inside an inline table: the line of the inline table
    ('[responses]\nfiles = "r.csv"\ncolumns = { nps_score = "Q1", nps_scor = "Q2" }\n',
     "cxkit.toml:3: unknown role 'nps_scor' in [responses.columns]",
     "did you mean 'nps_score'?"),
    # ... and in a [responses.columns] table: the line of the key itself
    ('[responses]\nfiles = "r.csv"\n\n[responses.columns]\nnps_score = "Q1"\nticket_id = "T"\n',
     "cxkit.toml:6: unknown role 'ticket_id' in [responses.columns]", None),
    # quoted and dotted keys
    ('[responses]\n"columns".nps_score = 3\n',
     "cxkit.toml:2: [responses] columns.nps_score: expected a column name, got a number (3)",
     'write e.g. nps_score = "Column name"'),
    ('[thresholds]\nfail_under = { nps = 30 }\nfail_over = { resolution_tme = 24 }\n',
     "cxkit.toml:3: unknown KPI 'resolution_tme' in [thresholds] fail_over",
     "did you mean 'resolution_time'?"),
    ('[thresholds]\nfail_under = { nps = nan }\n',  # nan never crosses: refused
     "cxkit.toml:2: [thresholds] fail_under.nps: nan is not a finite number",
     "write a number, e.g. nps = 30"),
    ('[thresholds]\nfail_under = { nps = "30" }\n',
     "cxkit.toml:2: [thresholds] fail_under.nps: expected a number, got text ('30')",
     "write it without quotes, e.g. nps = 30"),
    ('[report]\nsince = "01/02/2025"\n',
     "cxkit.toml:2: [report] since: '01/02/2025' is not a date",
     'write it as YYYY-MM-DD, e.g. since = "2025-01-01"'),
    ('[report]\nsince = "2025-02-30"\n', "cxkit.toml:2: [report] since: '2025-02-30' is not a "
     "date", None),
    ('[report]\nsince = "2025-06-01"\nuntil = "2025-01-01"\n',
     "cxkit.toml:3: [report] until 2025-01-01 is before since 2025-06-01", None),
    ('[report]\nsections = ["kpis", "cohort"]\n',
     "cxkit.toml:2: [report] sections: unknown section 'cohort'", None),
    ('[report]\nsections = ["kpis", "kpis"]\n',
     "cxkit.toml:2: [report] sections: 'kpis' is listed twice", None),
    ('[report]\nconfidence = 1.5\n',  # 1.5 % is no confidence level
     "cxkit.toml:2: [report] confidence: 1.5 is not a confidence level",
     'write it as 0.95, 95 or "95%" (from 50% to 99.9%)'),
    ('[report]\nconfidence = "high"\n',
     "cxkit.toml:2: [report] confidence: 'high' is not a confidence level", None),
    ('[report]\nconfidence = true\n',
     "cxkit.toml:2: [report] confidence: True is not a confidence level", None),
    ('[report]\nfollowup_limit = 0\n',
     "cxkit.toml:2: [report] followup_limit: expected a whole number of 1 or more, got a "
     "number (0)", None),
    ('[report]\nwindow = "3 months"\n',
     "cxkit.toml:2: [report] window: '3 months' is not a duration", None),
    ('[report]\nwindow = "99999999d"\n',  # what --window refuses, the file refuses too
     "cxkit.toml:2: [report] window: '99999999d' is out of range",
     "a duration of more than 0 and at most 3650d"),
    ('[report]\nbenchmark = "SaaS"\n',
     "cxkit.toml:2: [report] benchmark: 'SaaS' is not one of ecommerce, saas, retail",
     "did you mean 'saas'? use one of ecommerce, saas, retail"),
    ('[report]\nby = "channel"\ntitle = 3\n',
     "cxkit.toml:3: [report] title: expected text, got a number (3)", None),
    ('[report]\nby = [1, 2]\n',
     "cxkit.toml:2: [report] by: expected a list of text, found a number (1)", None),
    ('[orders]\npreset = "shopify"\namount_unit = "cents"\n',
     "cxkit.toml:3: [orders] amount_unit: 'cents' is not one of major, minor", None),
    ('[orders]\ntimezone = "Paris"\n',
     "cxkit.toml:2: [orders] timezone: unknown time zone 'Paris'", None),
    ('[responses]\nencoding = "latin-99"\n',
     "cxkit.toml:2: [responses] encoding: unknown encoding 'latin-99'", None),
    ('[responses]\ndelimiter = ";;"\n',
     "cxkit.toml:2: [responses] delimiter: ';;' is not one character", None),
    ('[responses]\ndayfirst = "yes"\n',
     "cxkit.toml:2: [responses] dayfirst: expected true or false, got text ('yes')", None),
    ('[responses]\npreset = "zendesk"\n',
     "cxkit.toml:2: 'preset' does not belong in [responses]", "move it to [tickets] or [orders]"),
    ('[tickets]\nfiles = []\nsla_first_response = "soon"\n',
     "cxkit.toml:3: [tickets] sla_first_response: 'soon' is not a duration", None),
    ('report = "weekly"\n', "cxkit.toml:1: 'report' must be a section, got text ('weekly')",
     None),
    # a key that only appears in a multi-line string is not taken for a key
    ('[report]\ntitle = """\nperiod = 1\n"""\nperiod = "yearly"\n',
     "cxkit.toml:5: [report] period: 'yearly' is not one of day, week, month, quarter, year",
     None),
])
def test_mistakes_name_their_line_and_fix(here, text, message, hint):
    error = error_of(write(here, text))
    assert error.message == message
    if hint is not None:
        assert error.hint == hint
    assert error.hint  # every mistake says how to fix it


def test_unknown_key_without_a_close_match_lists_the_keys(here):
    error = error_of(write(here, "[orders]\nfoo = 1\n"))
    assert error.message == "cxkit.toml:2: unknown key 'foo' in [orders]"
    assert error.hint == ("known keys: files, encoding, delimiter, dayfirst, columns, preset, "
                          "timezone, amount_unit, margin")


def test_a_config_outside_the_current_folder_is_named_by_its_path(tmp_path):
    path = write(tmp_path, '[report]\nperiod = "hourly"\n')
    assert error_of(path).message.startswith(f"{path}:2: ")


# ------------------------------------------------------------------------------------------------
# Placeholders and merging


def test_output_placeholders_are_checked(here):
    error = error_of(write(here, '[report]\ntitle = "x"\noutput = "cx-{data}.html"\n'))
    assert error.message == ("cxkit.toml:3: [report] output: unknown placeholder {data} in "
                             "'cx-{data}.html'")
    assert error.hint == "did you mean {date}? only {date} and {period} are filled in"
    error = error_of(write(here, '[report]\noutput = "cx-{week.html"\n'))
    assert error.message == "cxkit.toml:2: [report] output: unmatched brace in 'cx-{week.html'"


def test_fill_placeholders():
    today = date(2025, 12, 31)
    assert fill_placeholders("cx-{date}.html", today, "2025-12") == "cx-2025-12-31.html"
    assert fill_placeholders("cx-{period}.html", today, "2025-Q4") == "cx-2025-Q4.html"
    assert fill_placeholders("{period}/{date}.xlsx", today, None) == "2025-12-31/2025-12-31.xlsx"
    assert fill_placeholders("report.html", today, "2025-12") == "report.html"
    with pytest.raises(UsageError) as info:
        fill_placeholders("cx-{week}.html", today, "2025-12")
    assert "{week}" in info.value.message
    assert "{date}" in info.value.hint and "{period}" in info.value.hint


def test_merge_flags_override_the_file():
    assert merge(None, "month") == "month"
    assert merge("week", "month") == "week"
    assert merge([], ["channel"]) == ["channel"]
    assert merge(["region"], ["channel"]) == ["region"]
    assert merge(False, True) is False  # a flag given as false still wins
    assert merge(0.9, 0.95) == 0.9
    assert merge(None, None) is None


# ------------------------------------------------------------------------------------------------
# cxkit config check


def test_config_check_valid(tmp_path):
    (tmp_path / "exports").mkdir()
    for name in ("responses-1.csv", "responses-2.csv"):
        (tmp_path / "exports" / name).write_text("nps\n9\n", encoding="utf-8")
    (tmp_path / "tickets.csv").write_text("id\n1\n", encoding="utf-8")
    write(tmp_path, """\
        [report]
        sections = ["kpis", "breakdowns"]
        output = "cx-{date}.html"

        [responses]
        files = ["exports/responses-*.csv"]

        [tickets]
        files = "tickets.csv"
        preset = "zendesk"

        [thresholds]
        fail_under = { nps = 30 }
        """)
    run = run_cli("config", "check", cwd=tmp_path)
    assert run.returncode == 0, run
    assert run.stderr == ""
    assert run.stdout.splitlines() == [
        "cxkit.toml: valid",
        "report: sections kpis, breakdowns; output cx-{date}.html",
        "responses: exports/responses-*.csv (2 files)",
        "tickets: tickets.csv (1 file); preset zendesk",
        "thresholds: fail under nps 30",
    ]
    # the same file named explicitly from another folder: paths are the file's
    other = tmp_path / "elsewhere"
    other.mkdir()
    again = run_cli("config", "check", "../cxkit.toml", cwd=other)
    assert again.returncode == 0, again
    assert again.stderr == ""
    assert f"responses: {tmp_path / 'exports' / 'responses-*.csv'} (2 files)" in again.stdout


def test_config_check_warns_when_a_glob_matches_nothing(tmp_path):
    write(tmp_path, '[responses]\nfiles = ["exports/*.csv"]\n[tickets]\nfiles = "t.csv"\n'
          'holidays = "h.txt"\nbusiness_hours = "Mon-Fri 9-17"\n')
    run = run_cli("config", "check", "--quiet", cwd=tmp_path)
    assert run.returncode == 0, run
    assert run.stdout.splitlines()[:2] == ["cxkit.toml: valid",
                                           "responses: exports/*.csv (0 files)"]
    assert run.stderr.splitlines() == [
        "cxkit: warning: [responses] files: exports/*.csv: no file matches this pattern",
        "cxkit: warning: [tickets] files: t.csv: no such file",
        "cxkit: warning: [tickets] holidays: h.txt: no such file",
    ]


def test_config_check_invalid_is_one_error_line_exit_2(tmp_path):
    write(tmp_path, '[report]\nperiod = "month"\n\n[tickets]\nsla_frist_response = "4h"\n')
    run = run_cli("config", "check", "cxkit.toml", cwd=tmp_path)
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert run.stderr == ("cxkit: error: cxkit.toml:5: unknown key 'sla_frist_response' in "
                          "[tickets]\n  fix: did you mean 'sla_first_response'?\n")


def test_config_check_pyproject(tmp_path):
    write(tmp_path, '[project]\nname = "x"\n\n[tool.cxkit.report]\nperiod = "quarter"\n',
          "pyproject.toml")
    run = run_cli("config", "check", cwd=tmp_path)
    assert run.returncode == 0, run
    assert run.stdout == "pyproject.toml [tool.cxkit]: valid\nreport: period quarter\n"
    write(tmp_path, '[project]\nname = "x"\n\n[tool.cxkit.report]\nperiod = "quartr"\n',
          "pyproject.toml")
    run = run_cli("config", "check", cwd=tmp_path)
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert run.stderr.startswith("cxkit: error: pyproject.toml:5: [tool.cxkit.report] period: "
                                 "'quartr' is not one of")


def test_config_check_without_a_config(tmp_path):
    run = run_cli("config", "check", cwd=tmp_path)
    assert run.returncode == 2, run
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 2, run
    assert lines[0].startswith("cxkit: error: no configuration file in ")
    assert lines[1].startswith("  fix: create cxkit.toml")


def test_config_check_missing_file_is_exit_66(tmp_path):
    run = run_cli("config", "check", "nope.toml", cwd=tmp_path)
    assert run.returncode == 66, run
    assert run.stdout == ""
    assert run.stderr.startswith("cxkit: error: nope.toml: no such configuration file\n")


def test_config_check_toml_error(tmp_path):
    write(tmp_path, '[report]\ntitle = "x\n')
    run = run_cli("config", "check", cwd=tmp_path)
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert run.stderr.startswith("cxkit: error: cxkit.toml:2: invalid TOML: ")
    assert len(run.stderr.splitlines()) == 2


@pytest.mark.parametrize("args", [["config", "--help"], ["config", "check", "--help"]])
def test_config_help_opens_with_an_example(args):
    run = run_cli(*args)
    assert run.returncode == 0, run
    assert run.stderr == ""
    lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
    assert lines[0].startswith(f"Usage: cxkit {' '.join(args[:-1])}")
    assert "Example:  cxkit config check cxkit.toml" in lines[:4]
    assert "[tool.cxkit]" in run.stdout  # not eaten as Rich markup


@pytest.mark.parametrize("args", [["config", "check", "--help"], ["config", "check"]])
def test_config_check_never_imports_polars(tmp_path, args):
    write(tmp_path, FULL)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "cxkit", *args],
                          capture_output=True, text=True, env=cli_env(), cwd=tmp_path,
                          stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc
    modules = set(re.findall(r"^import time:\s*\d+\s*\|\s*\d+\s*\|\s*(\S+)\s*$", proc.stderr,
                             re.MULTILINE))
    assert "cxkit.cli.main" in modules
    assert not {m for m in modules if m.split(".")[0] in ("polars", "pyarrow")}
    if args[-1] == "check":
        assert "cxkit.config" in modules


@pytest.mark.parametrize("written", ["0.9", "90", '"90%"', '"0.9"'])
def test_confidence_is_read_as_a_level_however_written(here, written):
    # 90, "90%" and 0.9 are one level, as --confidence takes them
    path = write(here, f"[report]\nconfidence = {written}\n")
    assert load_config(path, []).report == {"confidence": 0.9}
