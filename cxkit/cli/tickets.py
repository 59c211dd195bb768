"""`cxkit tickets`: the support-ticket KPI set of one help-desk export."""

from enum import StrEnum
from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

KPIS = ["volume", "first_response_time", "resolution_time", "backlog", "fcr", "reopen_rate",
        "sla_first_response", "sla_resolution", "csat"]
Kpi = StrEnum("Kpi", {k: k for k in KPIS})  # type: ignore[misc]


HELP = """Support-ticket KPIs from a help-desk export (Zendesk, Freshdesk, Salesforce,
Gorgias, Intercom, Help Scout, any CSV).

Example:  cxkit tickets tickets.csv --period week --by Via \\
             --sla-first-response 4h

Volume; first response and resolution time in hours (mean, median, p90); backlog at
--as-of; FCR; reopen rate; SLA attainment; ticket CSAT (Good/Bad or 1-5). Durations come
from timestamps, else the export's duration columns (Zendesk minutes and hours,
Freshdesk HH:MM:SS); negative ones are dropped and counted. FCR: the export's flag,
else contacts <= 1 and no reopen, else no repeat ticket within --repeat-window; the
output names the rule. Periods bucket the creation date.

More: cxkit tickets t.csv --kpi resolution_time --fail-over 24   (exit 3: > 24 h)
      cxkit tickets t.csv --business-hours "Mon-Fri 09:00-18:00" \\
          --timezone Europe/Paris"""

Col = lambda help: Annotated[  # noqa: E731
    str | None, typer.Option(metavar="COL", help=help, rich_help_panel=o.INPUT)]
Threshold = lambda help: Annotated[  # noqa: E731
    list[str] | None, typer.Option(metavar="KPI=X", help=help, rich_help_panel=o.OUTPUT)]
Text = o.text_option


def register(app: typer.Typer) -> None:
    @app.command("tickets", help=HELP, no_args_is_help=True)
    def tickets(
        files: o.EngineFiles = None,
        kpi: Annotated[Kpi | None, typer.Option(
            "--kpi", "-k", help="Only this KPI: its own output shape, --value and bare "
            "--fail-under X work.", rich_help_panel=o.SCOPE)] = None,
        by: o.By = None,
        period: o.PeriodOpt = None,
        since: o.Since = None,
        until: o.Until = None,
        sla_first_response: Text("Target for first response: 4h, 30m, 1h30, 1d (bare number: "
                                 "hours).", "DURATION") = None,
        sla_resolution: Text("Target for resolution, e.g. 24h.", "DURATION") = None,
        business_hours: Text('Count only working time, e.g. "Mon-Fri 09:00-18:00".',
                             "SPEC") = None,
        timezone: Text("Time zone of the export's times (IANA name, e.g. Europe/Paris); "
                       "zone-stamped times are moved to it.", "ZONE") = None,
        holidays: Text("File of non-working dates (YYYY-MM-DD, one per line).",
                       "FILE") = None,
        as_of: Text("Backlog moment: YYYY-MM-DD[ HH:MM] (default: the latest time in the "
                    "export).", "WHEN") = None,
        repeat_window: Text("FCR by repeat contact: window after a ticket (default 7d).",
                            "DURATION") = "7d",
        preset: o.Preset = None,
        created: o.Created = None,
        first_response: Col("Column with the first-response time.") = None,
        resolved: Col("Column with the resolution time.") = None,
        customer: o.Customer = None,
        status: Col("Column with the ticket status.") = None,
        satisfaction: Col("Column with the satisfaction rating.") = None,
        column: Annotated[list[str] | None, typer.Option(
            metavar="ROLE=COL", help="Give any role its column, e.g. --column reopens=Reopened "
            "(roles: cxkit columns FILE).", rich_help_panel=o.INPUT)] = None,
        confidence: o.Confidence = 0.95,
        fail_under: Threshold("Exit 3 when KPI < X, e.g. fcr=70 (repeatable).") = None,
        fail_over: Threshold("Exit 3 when KPI > X, e.g. resolution_time=24.") = None,
        fail_on_drop: o.fail_on_drop("move the bad way (a fall of FCR, SLA or CSAT, a rise "
                                     "of response or resolution time, backlog or reopens)")
        = False,
        fail_on_change: o.FailOnChange = False,
        versus: o.Versus = None,
        correction: o.CorrectionOpt = None,
        expected_split: o.ExpectedSplit = None,
        plan: o.PlanOpt = False,
        mde: o.MdeOpt = None,
        format: o.FormatOpt = None,
        value: o.Value = False,
        output: o.Output = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        engine: o.EngineOpt = o.EngineName.polars,
        table: o.TableOpt = None,
        spark_remote: o.SparkRemote = None,
        approx_quantiles: o.ApproxQuantiles = False,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run(locals())


def run(args: dict) -> None:
    from cxkit.cli.output import (
        check_many,
        check_moves,
        column_roles,
        compared,
        emit,
        guard_output,
        thresholds,
        why_options,
    )
    from cxkit.engines import need_files
    from cxkit.errors import UsageError
    from cxkit.io import LoadOptions
    from cxkit.io.dates import parse_bound, parse_duration, parse_moment
    from cxkit.io.read import parsed_each_read, reading
    from cxkit.io.roles import TICKET_ROLES
    from cxkit.io.tickets import check_timezone, load_tickets
    from cxkit.kpi.business_hours import parse_schedule, read_holidays
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.tickets import TicketOptions, compute

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    engine = args["engine"].value
    args["files"] = need_files(args["files"], args["table"], engine)
    if args["approx_quantiles"] and engine == "polars":
        raise UsageError("--approx-quantiles needs --engine duckdb or --engine spark",
                         "Polars computes exact quantiles: drop --approx-quantiles")
    guard_output(args["output"], args["files"])
    only = [args["kpi"].value] if args["kpi"] else None
    if args["value"] and not only:
        raise UsageError("--value needs one KPI", "add --kpi, e.g. --kpi resolution_time --value")
    under, over = thresholds(args, only[0] if only else None, only or KPIS)
    holidays = read_holidays(args["holidays"]) if args["holidays"] else []
    if holidays and not args["business_hours"]:
        raise UsageError("--holidays needs --business-hours",
                         'add e.g. --business-hours "Mon-Fri 09:00-18:00"')
    why = why_options(args, only[0] if only else None, list(args["by"] or []))
    scope = Scope(
        by=list(args["by"] or []),
        period=args["period"].value if args["period"] else None,
        since=parse_bound(args["since"], "--since") if args["since"] else None,
        until=parse_bound(args["until"], "--until") if args["until"] else None,
    )
    opts = TicketOptions(
        sla_first_response=_hours(args["sla_first_response"], "--sla-first-response"),
        sla_resolution=_hours(args["sla_resolution"], "--sla-resolution"),
        schedule=parse_schedule(args["business_hours"], holidays)
        if args["business_hours"] else None,
        timezone=check_timezone(args["timezone"]),
        as_of=parse_moment(args["as_of"], "--as-of") if args["as_of"] else None,
        repeat_window_hours=parse_duration(args["repeat_window"], "--repeat-window"),
        confidence=args["confidence"],
    )
    given = column_roles(args["column"], TICKET_ROLES)
    given |= {"created_at": args["created"], "first_response_at": args["first_response"],
             "resolved_at": args["resolved"], "customer_id": args["customer"],
             "status": args["status"], "satisfaction": args["satisfaction"]}
    flags = {"created_at": "--created", "first_response_at": "--first-response",
             "resolved_at": "--resolved", "customer_id": "--customer", "status": "--status",
             "satisfaction": "--satisfaction"}
    load_opts = LoadOptions(inputs=args["files"], encoding=args["encoding"],
                            delimiter=args["delimiter"], columns=given, by=scope.by,
                            dayfirst=args["dayfirst"])
    if engine != "polars":
        loaded, results = _on_engine(engine, args, given, flags, scope, opts, only, env)
    else:
        with env.status(f"Reading {', '.join(args['files'])}"):
            loaded = load_tickets(load_opts, args["preset"].value if args["preset"] else None,
                                  opts.timezone, flags)
            for note in loaded.notices:
                env.notice(note)
            scope.by = loaded.by
            opts.vocabulary = loaded.vocabulary
            opts.parsed_each_read = parsed_each_read(loaded.table)
            with reading(loaded.table):
                results = compute(loaded.lf, scope, opts, only)
    for r in results:
        r.columns = loaded.columns
    measured = [r for r in results if not r.rule.startswith("not computed")]
    if measured and all(r.n == 0 for r in measured):
        drops = {}
        for r in measured:
            for k, v in r.dropped.items():
                drops[k] = max(drops.get(k, 0), v)
        told = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in drops.items() if v)
        env.warn(f"{loaded.table.name}: no tickets to measure "
                 + (f"(dropped: {told})" if told else "(no data rows)"))
    if opts.schedule and not {"first_response_at", "resolved_at"} & set(loaded.columns):
        env.warn("--business-hours needs timestamps: the export's duration columns are used "
                 "as they are")
    emit(compared(results[0], why) if only else results,
         args["format"].value if args["format"] else None, args["value"], args["output"], env)
    check_many(results, under, over, env)
    check_moves(results, why, env)


def _on_engine(engine: str, args: dict, given: dict, flags: dict, scope, opts, only, env: Env):
    """--engine duckdb|spark: the typed table's sums on the engine (cxkit.engines.tickets);
    what it cannot run exits 2 before any row is read."""
    from types import SimpleNamespace

    from cxkit.engines import open_table, refuse_options
    from cxkit.engines import tickets as on_engine

    kpi = only[0] if only else None
    refuse_options(engine, {"--business-hours": args["business_hours"],
                            "--timezone": args["timezone"], "--preset": args["preset"],
                            "--kpi csat": kpi == "csat",
                            "--kpi backlog --period": kpi == "backlog" and scope.period},
                   "cxkit tickets")
    with env.status(f"Reading {', '.join(args['files']) or args['table']} on {engine}"):
        source = open_table(engine, args["files"], args["table"], args["spark_remote"],
                            args["approx_quantiles"])
        typed = on_engine.load(source, given, scope.by, flags)
        scope.by = typed.by
        results = on_engine.compute(source, typed, scope, opts, only)
    loaded = SimpleNamespace(table=typed.table,
                             columns={r: m.column for r, m in typed.roles.items()})
    return loaded, results


def _hours(text: str | None, option: str) -> float | None:
    from cxkit.io.dates import parse_duration

    return parse_duration(text, option) if text else None
