"""Options shared by every command, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

OUTPUT = "Output"
INPUT = "Input"
SCOPE = "Scope"
WHY = "Why it moved"


def text_option(help: str, meta: str, panel: str = SCOPE):
    """A free-text option (a duration, a share, a schedule...) in the given help panel."""
    return Annotated[str | None, typer.Option(metavar=meta, help=help, rich_help_panel=panel)]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


class Sector(StrEnum):
    ecommerce = "ecommerce"
    saas = "saas"
    retail = "retail"


Files = Annotated[
    list[str],
    typer.Argument(
        help="Exports: CSV/TSV/TXT, Parquet, XLSX, NDJSON, optionally .gz; globs; - for stdin.",
        show_default=False,
        metavar="FILE",
    ),
]
By = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        "-b",
        metavar="COL",
        help="Break down by this column (repeatable).",
        rich_help_panel=SCOPE,
    ),
]
PeriodOpt = Annotated[
    Period | None,
    typer.Option(
        "--period",
        "-p",
        help="One row per calendar period, with the change against "
        "the previous period and whether it is significant.",
        rich_help_panel=SCOPE,
    ),
]
Since = Annotated[
    str | None,
    typer.Option(
        metavar="YYYY-MM-DD",
        help="Only rows dated on or after this day (YYYY-MM-DD).",
        rich_help_panel=SCOPE,
    ),
]
Until = Annotated[
    str | None,
    typer.Option(
        metavar="YYYY-MM-DD",
        help="Only rows dated on or before this day (YYYY-MM-DD).",
        rich_help_panel=SCOPE,
    ),
]
DateCol = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar="COL",
        help="Column holding the response date (default: detected).",
        rich_help_panel=INPUT,
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Input encoding (default: UTF-8, else cp1252 with a notice).",
        rich_help_panel=INPUT,
    ),
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        metavar="CHAR",
        help="Field delimiter (default: sniffed among , ; tab |).",
        rich_help_panel=INPUT,
    ),
]
DayFirst = Annotated[
    bool | None,
    typer.Option(
        "--dayfirst/--monthfirst",
        help="How to read ambiguous dates like 03/04/2025 "
        "(default: day-first for French-style files, else month-first, with a notice).",
        show_default=False,
        rich_help_panel=INPUT,
    ),
]
def confidence_level(text: str | float) -> float:
    """`--confidence 90`, `90%` and `0.9` are the same level."""
    from cxkit.units import confidence

    level = confidence(str(text))
    if level is None:
        raise typer.BadParameter(f"'{text}' is not a confidence level: write 0.9, 90 or 90% "
                                 "(from 50% to 99.9%)")
    return level


Confidence = Annotated[
    float,
    typer.Option(
        parser=confidence_level, metavar="LEVEL",
        help="Confidence level of intervals and tests: 0.95, 95 or 95%.", rich_help_panel=SCOPE
    ),
]
Benchmark = Annotated[
    Sector | None,
    typer.Option(
        help="Show where the KPI stands against the sector's marks.", rich_help_panel=SCOPE
    ),
]
def finite_number(text: str | float) -> float:
    """A threshold: nan would never cross and inf always would, so both are refused."""
    import math

    try:
        number = float(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a number: give a number such as 30") from None
    if not math.isfinite(number):
        raise typer.BadParameter(f"'{text}' is not a finite number: give a number such as 30")
    return number


FailUnder = Annotated[
    float | None,
    typer.Option(
        parser=finite_number,
        metavar="X",
        help="Exit 3 when the KPI is below this value (the KPI is still printed).",
        rich_help_panel=OUTPUT,
    ),
]
FailOver = Annotated[
    float | None,
    typer.Option(
        parser=finite_number,
        metavar="X", help="Exit 3 when the KPI is above this value.", rich_help_panel=OUTPUT
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: table on a terminal, csv when piped).",
        show_default=False,
        rich_help_panel=OUTPUT,
    ),
]
Value = Annotated[
    bool,
    typer.Option(
        "--value",
        help="Print only the headline number, for $(...) in scripts.",
        rich_help_panel=OUTPUT,
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to this file atomically; the format follows the "
        "extension (.csv .tsv .json .ndjson .md).",
        rich_help_panel=OUTPUT,
    ),
]
NoColor = Annotated[
    bool,
    typer.Option(
        "--no-color", help="No colour (also when NO_COLOR is set).", rich_help_panel=OUTPUT
    ),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No notices on stderr (errors still show).", rich_help_panel=OUTPUT
    ),
]
Debug = Annotated[
    bool,
    typer.Option("--debug", help="Show the traceback of errors.", rich_help_panel=OUTPUT),
]


class PresetName(StrEnum):
    zendesk = "zendesk"
    freshdesk = "freshdesk"
    salesforce = "salesforce"
    gorgias = "gorgias"
    intercom = "intercom"
    helpscout = "helpscout"


Preset = Annotated[
    PresetName | None,
    typer.Option(help="Read a known export (default: recognised from the header).",
                 rich_help_panel=INPUT),
]
Created = Annotated[
    str | None,
    typer.Option("--created", metavar="COL", rich_help_panel=INPUT,
                 help="Column with the ticket creation time (default: detected)."),
]
Customer = Annotated[
    str | None,
    typer.Option("--customer", metavar="COL", rich_help_panel=INPUT,
                 help="Column with the customer id (default: detected)."),
]


class OrderPresetName(StrEnum):
    shopify = "shopify"
    woocommerce = "woocommerce"
    stripe = "stripe"


class AmountUnit(StrEnum):
    major = "major"
    minor = "minor"


OrderPreset = Annotated[
    OrderPresetName | None,
    typer.Option("--preset", help="Read a known export (default: recognised from the header).",
                 rich_help_panel=INPUT),
]
Ordered = Annotated[
    str | None,
    typer.Option("--ordered", metavar="COL", rich_help_panel=INPUT,
                 help="Column with the order date (default: detected)."),
]
Amount = Annotated[
    str | None,
    typer.Option("--amount", metavar="COL", rich_help_panel=INPUT,
                 help="Column with the order total (default: detected)."),
]
AmountUnitOpt = Annotated[
    AmountUnit | None,
    typer.Option("--amount-unit", rich_help_panel=INPUT,
                 help="Amounts in major units (12.50) or minor units (1250 cents); default: "
                 "major, minor for Stripe API exports."),
]
Column = Annotated[
    list[str] | None,
    typer.Option("--column", metavar="ROLE=COL", rich_help_panel=INPUT,
                 help="Give any role its column, e.g. --column referred_by=Parrain "
                 "(roles: cxkit columns FILE)."),
]
Timezone = Annotated[
    str | None,
    typer.Option("--timezone", metavar="ZONE", rich_help_panel=INPUT,
                 help="Move zone-stamped times to this zone (IANA name, e.g. Europe/Paris); "
                 "default: the wall-clock time as written."),
]
Thresholds = Annotated[
    list[str] | None,
    typer.Option(metavar="KPI=X", rich_help_panel=OUTPUT,
                 help="Exit 3 when the KPI crosses X, e.g. repeat_purchase_rate=25 "
                 "(repeatable; a bare X with --kpi)."),
]


class Correction(StrEnum):
    holm = "holm"
    bh = "bh"
    none = "none"


Versus = Annotated[
    str | None,
    typer.Option("--versus", metavar="VALUE", rich_help_panel=WHY,
                 help="Compare every other group of --by COL with the control group VALUE: "
                 "difference, interval, p, adjusted p, minimum detectable effect."),
]
CorrectionOpt = Annotated[
    Correction | None,
    typer.Option("--correction", rich_help_panel=WHY, show_default=False,
                 help="Adjust p-values across the compared groups or a dimension's "
                 "segments: holm (default), bh (Benjamini-Hochberg) or none."),
]
ExpectedSplit = Annotated[
    str | None,
    typer.Option("--expected-split", metavar="50/50", rich_help_panel=WHY,
                 help="Planned shares of the --by groups, in their order: a chi-square "
                 "sample-ratio check, flagged when p < 0.001."),
]
PlanOpt = Annotated[
    bool,
    typer.Option("--plan", rich_help_panel=WHY,
                 help="Print how many answers (tickets, orders) per group a test needs, with "
                 "--mde (and one --kpi on tickets and orders), from the spread in the file "
                 "(the --versus group's if given)."),
]
MdeOpt = Annotated[
    float | None,
    typer.Option("--mde", metavar="X", rich_help_panel=WHY,
                 help="With --plan: the smallest difference to find, in the KPI's unit "
                 "(% points of a share, hours or money of a mean; 80% power)."),
]
FailOnChange = Annotated[
    bool,
    typer.Option("--fail-on-change", rich_help_panel=WHY,
                 help="Exit 3 when the last period's change is significant either way "
                 "(needs --period)."),
]


def fail_on_drop(bad: str):
    """--fail-on-drop, saying which direction is bad for the command's KPIs."""
    return Annotated[bool, typer.Option(
        "--fail-on-drop", rich_help_panel=WHY,
        help=f"Exit 3 when the last period's change is a significant {bad} at --confidence: "
        "the bad direction (needs --period).")]


# Past one machine (cxkit.engines): the same KPIs on DuckDB or Spark, on typed tables
ENGINE = "Engine"


class EngineName(StrEnum):
    polars = "polars"
    duckdb = "duckdb"
    spark = "spark"


EngineOpt = Annotated[
    EngineName,
    typer.Option("--engine", rich_help_panel=ENGINE, envvar="CXKIT_ENGINE",
                 help="Where the rows are read: polars (default: any export, one machine), "
                 "duckdb (typed Parquet/CSV larger than memory, pip install 'cxkit[duckdb]') "
                 "or spark (a lake: local, cluster or Spark Connect, pip install "
                 "'cxkit[spark]'). Same KPIs, same JSON."),
]
TableOpt = Annotated[
    str | None,
    typer.Option("--table", metavar="NAME", rich_help_panel=ENGINE,
                 help="Read this table of the engine (Spark catalog, DuckDB database of "
                 "CXKIT_DUCKDB) instead of FILE."),
]
SparkRemote = Annotated[
    str | None,
    typer.Option("--spark-remote", metavar="URL", rich_help_panel=ENGINE,
                 envvar="SPARK_REMOTE",
                 help="Spark Connect server, e.g. sc://spark.internal:15002 (default: a local "
                 "session, or SPARK_MASTER)."),
]
ApproxQuantiles = Annotated[
    bool,
    typer.Option("--approx-quantiles", rich_help_panel=ENGINE,
                 help="Medians and percentiles from the engine's approximate quantiles "
                 "(faster on Spark; the rule says so). Default: exact."),
]
EngineFiles = Annotated[
    list[str] | None,
    typer.Argument(
        help="Exports: CSV/TSV/TXT, Parquet, XLSX, NDJSON, optionally .gz; globs; - for stdin. "
        "With --engine duckdb|spark: one typed Parquet/CSV path, glob or URL (or --table).",
        show_default=False,
        metavar="FILE",
    ),
]
