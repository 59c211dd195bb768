"""`cxkit complaints`: complaint rate, category x severity, recurrence."""

from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

HELP = """Complaint rate, category x severity breakdown and recurrence from a ticket export.

Example:  cxkit complaints tickets.csv --orders orders.csv --period month

Complaint rate = 100 x complaints / completed orders of the same period (with --orders; read
as `cxkit orders` reads them: cancelled, abandoned, pending and failed orders do not count, a
Shopify export's line items are one order), else per 100 customers who contacted support.
A complaint is a ticket flagged or typed as such: a complaint flag column, a Type of
Complaint, or a complaint tag; say what it is with --complaint-when (tag=complaint,
type=Complaint, category=Réclamation). A complaint is recurrent when the same
customer complained in the same category within --recurrence-window (90d) before it.
Orders count from the first to the last ticket day unless --since/--until say otherwise."""

KPIS = ["complaint_rate", "complaints", "recurrence_rate"]


def register(app: typer.Typer) -> None:
    @app.command("complaints", help=HELP, no_args_is_help=True)
    def complaints(
        files: o.Files,
        orders: Annotated[str | None, typer.Option(
            metavar="FILE", help="Orders export: the rate becomes complaints per 100 completed "
            "orders.",
            rich_help_panel=o.INPUT)] = None,
        complaint_when: Annotated[str | None, typer.Option(
            metavar="ROLE=VALUE", help="What a complaint is: tag=complaint, type=Complaint, "
            "category=...", rich_help_panel=o.SCOPE)] = None,
        recurrence_window: Annotated[str, typer.Option(
            metavar="DURATION", help="Same customer and category within this window before: "
            "recurrent.", rich_help_panel=o.SCOPE)] = "90d",
        period: o.PeriodOpt = None,
        since: o.Since = None,
        until: o.Until = None,
        preset: o.Preset = None,
        created: o.Created = None,
        customer: o.Customer = None,
        category: Annotated[str | None, typer.Option(
            metavar="COL", help="Column with the complaint category.",
            rich_help_panel=o.INPUT)] = None,
        confidence: o.Confidence = 0.95,
        fail_over: Annotated[list[str] | None, typer.Option(
            metavar="KPI=X", help="Exit 3 when KPI > X, e.g. complaint_rate=2.",
            rich_help_panel=o.OUTPUT)] = None,
        fail_on_drop: o.fail_on_drop("rise of the complaint rate") = False,
        fail_on_change: o.FailOnChange = False,
        format: o.FormatOpt = None,
        output: o.Output = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run(locals())


def run(args: dict) -> None:
    import polars as pl

    from cxkit.cli.output import (
        check_many,
        check_moves,
        emit,
        guard_output,
        parse_thresholds,
        why_options,
    )
    from cxkit.io import LoadOptions
    from cxkit.io.dates import parse_bound, parse_duration
    from cxkit.io.read import reading
    from cxkit.io.tickets import load_tickets
    from cxkit.kpi.complaints import ComplaintOptions, compute

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    guard_output(args["output"], args["files"] + ([args["orders"]] if args["orders"] else []))
    over = parse_thresholds(args["fail_over"], "--fail-over", KPIS)
    why = why_options(args, None, [])
    since = parse_bound(args["since"], "--since") if args["since"] else None
    until = parse_bound(args["until"], "--until") if args["until"] else None
    opts = ComplaintOptions(args["complaint_when"],
                            parse_duration(args["recurrence_window"], "--recurrence-window"),
                            args["period"].value if args["period"] else None, args["confidence"])
    load_opts = LoadOptions(inputs=args["files"], encoding=args["encoding"],
                            delimiter=args["delimiter"], dayfirst=args["dayfirst"],
                            columns={"created_at": args["created"],
                                     "customer_id": args["customer"],
                                     "category": args["category"]})
    flags = {"created_at": "--created", "customer_id": "--customer", "category": "--category"}
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = load_tickets(load_opts, args["preset"].value if args["preset"] else None,
                              None, flags, "cxkit complaints")
        for note in loaded.notices:
            env.notice(note)
        lf = _within(loaded.lf, pl.col("created_at").dt.date(), since, until)
        order_days = None
        if args["orders"]:
            if not (since and until):  # orders of the days the tickets cover, not all of them
                first, last = _ticket_days(lf, args["period"])
                since, until = since or first, until or last
            order_days = _order_days(args, since, until, env)
        with reading(loaded.table):
            results = compute(lf, order_days, opts)
    for r in results:
        r.columns = loaded.columns
    emit(results, args["format"].value if args["format"] else None, False, args["output"], env)
    check_many(results, {}, over, env)
    check_moves(results, why, env)


def _ticket_days(lf, period):
    """The first and last day the tickets cover, widened to whole periods with --period."""
    import polars as pl

    from cxkit.kpi.grouping import PERIODS

    first, last = pl.col("created_at").min().dt.date(), pl.col("created_at").max().dt.date()
    if period:
        every = PERIODS[period.value]
        first = first.dt.truncate(every)
        last = last.dt.truncate(every).dt.offset_by(every).dt.offset_by("-1d")
    return lf.select(first.alias("first"), last.alias("last")).collect().row(0)


def _within(lf, day, since, until):
    if since:
        lf = lf.filter(day >= since)
    if until:
        lf = lf.filter(day <= until)
    return lf


def _order_days(args: dict, since, until, env: Env):
    """Completed orders per day, read and counted as `cxkit orders` reads and counts them."""
    from cxkit.io import LoadOptions
    from cxkit.io.orders import load_orders
    from cxkit.io.read import reading
    from cxkit.kpi.complaints import completed_order_days

    opts = LoadOptions(inputs=[args["orders"]], encoding=args["encoding"],
                       delimiter=args["delimiter"], dayfirst=args["dayfirst"])
    loaded = load_orders(opts, flags={"ordered_at": "a date column in --orders"},
                         command="cxkit complaints --orders")
    for note in loaded.notices:
        env.notice(note)
    with reading(loaded.table):
        days, lost = completed_order_days(loaded.lf, since, until)
    if lost:
        env.warn(f"{loaded.table.name}: {lost} completed orders without a readable date are "
                 "left out")
    return days
