"""`cxkit report`: every KPI the inputs allow, in the terminal or as an HTML/XLSX/MD/JSON file."""

from enum import StrEnum
from typing import Annotated

import typer

from cxkit.cli import options as o

HELP = """One report across surveys, tickets and orders: KPI cards, trends, breakdowns.

Example:  cxkit report --responses responses.csv --tickets tickets.csv \\
              --orders orders.csv

Any subset of the three works; files given without a flag are recognised from their header.
Cards show each KPI with its interval, the change of the last period against the one before
(and whether it is significant) and the benchmark; then breakdowns (--by, default channel),
the cohort matrix, NPS x revenue and the follow-up list (when responses and orders share
customer ids). -o report.html writes one self-contained page (offline, printable),
-o report.xlsx one sheet per section, -o report.md for mail and chat, -o report.json all of it.

Settings can live in cxkit.toml (or --config FILE, or [tool.cxkit] in pyproject.toml); flags
win over the file: see `cxkit config check`. In -o, {date} is today and {period} the last
period in the data.

For cron:  cxkit report -c cxkit.toml -o cx-{date}.html"""


# the formats of every command, plus the report's files
ReportFormat = StrEnum("ReportFormat", [(f.value, f.value) for f in o.Format]
                       + [("html", "html"), ("xlsx", "xlsx")])


REPORT_EXTENSIONS = {".html": "html", ".htm": "html", ".xlsx": "xlsx"}
SOURCE_FLAGS = {"responses": "--responses", "tickets": "--tickets", "orders": "--orders"}

SourceOpt = lambda flag, what: Annotated[  # noqa: E731
    list[str] | None, typer.Option(flag, metavar="FILE", rich_help_panel=o.INPUT,
                                   help=f"{what} export (repeatable; globs; - for stdin).")]
Text = o.text_option


def register(app: typer.Typer) -> None:
    @app.command("report", help=HELP)
    def report(
        ctx: typer.Context,
        files: Annotated[list[str] | None, typer.Argument(
            metavar="[FILE]...", show_default=False,
            help="Exports recognised from their header (or use the flags below).")] = None,
        responses: SourceOpt("--responses", "Survey") = None,
        tickets: SourceOpt("--tickets", "Help-desk ticket") = None,
        orders: SourceOpt("--orders", "Order") = None,
        config: Annotated[str | None, typer.Option(
            "--config", "-c", metavar="FILE", rich_help_panel=o.INPUT,
            help="Settings file (default: ./cxkit.toml, else [tool.cxkit] in "
            "./pyproject.toml).")] = None,
        title: Text("Title of the report (default: CX report).", "TEXT", o.OUTPUT) = None,
        period: Annotated[o.Period | None, typer.Option(
            "--period", "-p", rich_help_panel=o.SCOPE,
            help="Trend period; the change compares its last two (default: month).")] = None,
        since: o.Since = None,
        until: o.Until = None,
        by: Annotated[list[str] | None, typer.Option(
            "--by", "-b", metavar="COL", rich_help_panel=o.SCOPE,
            help="Breakdown columns, used in each export that has them (default: channel).")
        ] = None,
        sections: Text("Sections to show, comma-separated: kpis, breakdowns, what_moved, "
                       "themes, cohorts, nps_revenue, followup, matching (default: all).",
                       "LIST") = None,
        benchmark: o.Benchmark = None,
        confidence: Annotated[float | None, typer.Option(
            parser=o.confidence_level, metavar="LEVEL", rich_help_panel=o.SCOPE,
            help="Confidence level of intervals and tests: 0.95 (default), 95 or 95%.")
        ] = None,
        window: Text("NPS x revenue: ordered again within this long after answering "
                     "(default 90d).", "DURATION") = None,
        followup_limit: Annotated[int | None, typer.Option(
            min=1, metavar="N", rich_help_panel=o.SCOPE,
            help="Rows of the follow-up list in the report (default 20).")] = None,
        sla_first_response: Text("Tickets: first-response target, e.g. 4h.", "DURATION") = None,
        sla_resolution: Text("Tickets: resolution target, e.g. 48h.", "DURATION") = None,
        business_hours: Text('Tickets: count only working time, e.g. "Mon-Fri 09:00-18:00".',
                             "SPEC") = None,
        holidays: Text("Tickets: file of non-working dates.", "FILE") = None,
        timezone: o.Timezone = None,
        column: Annotated[list[str] | None, typer.Option(
            "--column", metavar="SOURCE.ROLE=COL", rich_help_panel=o.INPUT,
            help="Give a role its column, e.g. --column responses.customer_id=Email.")] = None,
        fail_under: o.Thresholds = None,
        fail_over: o.Thresholds = None,
        format: Annotated[ReportFormat | None, typer.Option(
            "--format", "-f", show_default=False, rich_help_panel=o.OUTPUT,
            help="table (default on a terminal), html, xlsx (needs -o), markdown, json; "
            "csv/tsv/ndjson give one row per KPI.")] = None,
        output: Annotated[str | None, typer.Option(
            "--output", "-o", metavar="FILE", rich_help_panel=o.OUTPUT,
            help="Write atomically; the format follows the extension (.html .xlsx .md .json "
            ".csv ...); {date} and {period} are filled in.")] = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        args = locals()
        del args["ctx"]
        from cxkit.cli.report_run import run

        if not (files or responses or tickets or orders or config) and not _config_here():
            import contextlib
            import sys

            with contextlib.redirect_stdout(sys.stderr):  # the help as a usage error
                typer.echo(ctx.get_help())
            raise typer.Exit(2)
        run(args)


def _config_here() -> bool:
    from pathlib import Path

    from cxkit.config import find_config

    return find_config(None, Path.cwd()) is not None
