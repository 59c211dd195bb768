"""`cxkit nps-revenue` and `cxkit followup`: survey answers joined to orders on the customer id."""

from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

RESPONSE_ROLES = ("nps_score", "customer_id", "responded_at", "email", "name", "comment")

NPS_REVENUE_HELP = """What promoters, passives and detractors buy: NPS answers joined to orders.

Example:  cxkit nps-revenue responses.csv --orders orders.csv

Each customer counts once, by their latest answer (promoters 9-10, passives 7-8, detractors
0-6), joined to the orders on the customer id (trimmed, inner spaces collapsed, lower case;
how many ids matched exactly, only after that folding, or not at all is reported). Per
category: customers, revenue, share of revenue, revenue per customer, AOV, repeat rate, and
the share who ordered again within --window (90d) after answering, among the customers whose
window has ended by the last order in the file. The headline is promoters' revenue per
customer / detractors' ("promoters are worth 3.2x detractors"), with a delta-method interval.
Completed orders only; a respondent whose orders were all cancelled counts with revenue 0.

More: cxkit nps-revenue survey.csv --orders shop.csv --customer Email \\
          --orders-customer Email
      cxkit nps-revenue survey.csv --orders shop.csv --value  (the bare ratio)"""

FOLLOWUP_HELP = """Detractors and passives to call back, with what they bought: a CSV for a CRM.

Example:  cxkit followup responses.csv --orders orders.csv -o followup.csv

One row per detractor (0-6) or passive (7-8), by their latest answer: customer_id, email, name,
score, category, comment, answered; with --orders also orders, revenue_to_date, last_order
and revenue_at_risk (= revenue to date of completed orders), sorted by revenue at risk, then
lowest score, then latest answer. Without --orders: by lowest score, then latest answer.
Email, name and comment come from the columns named so (--column email=COL to choose);
--redact replaces email and name by sha256: pseudonyms. JSON gives the table with its note
(columns, rows as lists); NDJSON one object per customer.

More: cxkit followup responses.csv --orders orders.csv --limit 50 --redact \\
          --format ndjson"""

Responses = Annotated[
    str | None,
    typer.Argument(help="The survey export (CSV/TSV/TXT, Parquet, XLSX, NDJSON, optionally .gz; "
                   "a glob; - for stdin).", show_default=False, metavar="RESPONSES"),
]
ResponsesOpt = Annotated[
    str | None,
    typer.Option("--responses", metavar="FILE", rich_help_panel=o.INPUT,
                 help="The survey export, instead of the RESPONSES argument."),
]
Score = Annotated[
    str | None,
    typer.Option("--score", "-s", metavar="COL", rich_help_panel=o.INPUT,
                 help="Column holding the NPS answers (default: detected)."),
]
Customer = Annotated[
    str | None,
    typer.Option("--customer", metavar="COL", rich_help_panel=o.INPUT,
                 help="Column of the responses with the customer id or email (default: "
                 "detected)."),
]
OrdersCustomer = Annotated[
    str | None,
    typer.Option("--orders-customer", metavar="COL", rich_help_panel=o.INPUT,
                 help="Column of the orders with the customer id or email (default: detected; "
                 "Shopify: Email)."),
]
Column = Annotated[
    list[str] | None,
    typer.Option("--column", metavar="ROLE=COL", rich_help_panel=o.INPUT,
                 help="Give a role of the responses its column, e.g. --column email=Courriel "
                 "(roles: " + ", ".join(RESPONSE_ROLES) + ")."),
]
Since = Annotated[
    str | None,
    typer.Option(metavar="YYYY-MM-DD", rich_help_panel=o.SCOPE,
                 help="Only answers given on or after this day."),
]
Until = Annotated[
    str | None,
    typer.Option(metavar="YYYY-MM-DD", rich_help_panel=o.SCOPE,
                 help="Only answers given on or before this day."),
]


def register(app: typer.Typer) -> None:
    @app.command("nps-revenue", help=NPS_REVENUE_HELP, no_args_is_help=True)
    def nps_revenue(
        responses: Responses = None,
        orders: Annotated[str, typer.Option(
            "--orders", metavar="FILE", rich_help_panel=o.INPUT,
            help="The orders export (Shopify, WooCommerce, Stripe, any CSV).")] = ...,
        responses_file: ResponsesOpt = None,
        window: Annotated[str, typer.Option(
            metavar="DAYS", rich_help_panel=o.SCOPE,
            help="Ordered again = a completed order within this many days after answering.")
        ] = "90d",
        since: Since = None,
        until: Until = None,
        score: Score = None,
        date: o.DateCol = None,
        customer: Customer = None,
        column: Column = None,
        orders_customer: OrdersCustomer = None,
        amount: o.Amount = None,
        ordered: o.Ordered = None,
        preset: o.OrderPreset = None,
        amount_unit: o.AmountUnitOpt = None,
        confidence: o.Confidence = 0.95,
        fail_under: o.FailUnder = None,
        fail_over: o.FailOver = None,
        format: o.FormatOpt = None,
        value: o.Value = False,
        output: o.Output = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run_nps_revenue({**locals(), "command": "nps-revenue"})

    @app.command("followup", help=FOLLOWUP_HELP, no_args_is_help=True)
    def followup(
        responses: Responses = None,
        orders: Annotated[str | None, typer.Option(
            "--orders", metavar="FILE", rich_help_panel=o.INPUT,
            help="The orders export: adds revenue to date, last order, revenue at risk.")
        ] = None,
        responses_file: ResponsesOpt = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", metavar="N", min=1, max=10_000_000, rich_help_panel=o.SCOPE,
            help="Only the first N customers of the list.")] = None,
        redact: Annotated[bool, typer.Option(
            "--redact", rich_help_panel=o.OUTPUT,
            help="Replace email and name (and ids that are emails) by sha256: + 12 hex digits "
            "of the trimmed, lower-case text.")] = False,
        since: Since = None,
        until: Until = None,
        score: Score = None,
        date: o.DateCol = None,
        customer: Customer = None,
        column: Column = None,
        orders_customer: OrdersCustomer = None,
        amount: o.Amount = None,
        ordered: o.Ordered = None,
        preset: o.OrderPreset = None,
        amount_unit: o.AmountUnitOpt = None,
        format: o.FormatOpt = None,
        output: o.Output = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run_followup({**locals(), "command": "followup"})


def _responses(args: dict) -> str:
    from cxkit.errors import UsageError

    given = [f for f in (args["responses"], args["responses_file"]) if f]
    if len(given) == 2:
        raise UsageError("the responses are given twice (RESPONSES and --responses)",
                         "keep one of them")
    if not given:
        raise UsageError("no responses file", "pass it as the first argument or with "
                         "--responses FILE")
    return given[0]


def _window(text: str) -> int:
    from cxkit.errors import UsageError
    from cxkit.io.dates import parse_duration

    days = parse_duration(text, "--window") / 24
    if days < 1 or days != int(days):
        raise UsageError(f"--window '{text}': not a whole number of days",
                         "write it in days, e.g. --window 90d (a bare number is hours)")
    return int(days)


def _start(args: dict, responses: str):
    """Check the options before reading anything; returns the env, format and date bounds."""
    from cxkit.cli.output import choose_format, guard_output
    from cxkit.io.dates import parse_bound

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    guard_output(args["output"], [responses] + ([args["orders"]] if args["orders"] else []))
    fmt = None if args.get("value") else choose_format(
        args["format"].value if args["format"] else None, args["output"], env)
    since = parse_bound(args["since"], "--since") if args["since"] else None
    until = parse_bound(args["until"], "--until") if args["until"] else None
    return env, fmt, since, until


def _answers(args: dict, env: Env, responses: str, contacts: bool, since, until):
    """Read the survey export: each customer's latest usable NPS answer."""
    from cxkit.cli.output import column_roles
    from cxkit.io import LoadOptions, load
    from cxkit.io.read import reading
    from cxkit.kpi.joined import latest_answers

    given = column_roles(args["column"], RESPONSE_ROLES)
    given |= {r: v for r, v in (("nps_score", args["score"]), ("responded_at", args["date"]),
                                ("customer_id", args["customer"])) if v}
    flags = {"nps_score": "--score", "responded_at": "--date", "customer_id": "--customer"}
    flags |= {r: f"--column {r}=COL" for r in ("email", "name", "comment")}
    opts = LoadOptions(inputs=[responses], encoding=args["encoding"],
                       delimiter=args["delimiter"], columns=given, dayfirst=args["dayfirst"])
    wanted = RESPONSE_ROLES if contacts else RESPONSE_ROLES[:3]
    loaded = load(opts, wanted, ("nps_score", "customer_id"), flags, "responded_at",
                  need_date=True, command=f"cxkit {args['command']}")
    for note in loaded.notices:
        env.notice(note)
    with reading(loaded.table):
        answers = latest_answers(loaded.lf, loaded.day_format, since, until)
    return loaded, answers


def _orders(args: dict, env: Env):
    """Read the orders export; the customer id and the amount are required."""
    from cxkit.errors import DataError
    from cxkit.io import LoadOptions
    from cxkit.io.orders import load_orders

    given = {"customer_id": args["orders_customer"], "amount": args["amount"],
             "ordered_at": args["ordered"]}
    flags = {"customer_id": "--orders-customer", "amount": "--amount",
             "ordered_at": "--ordered"}
    opts = LoadOptions(inputs=[args["orders"]], encoding=args["encoding"],
                       delimiter=args["delimiter"], columns={k: v for k, v in given.items() if v},
                       dayfirst=args["dayfirst"])
    unit = args["amount_unit"]
    loaded = load_orders(opts, args["preset"].value if args["preset"] else None, None, flags,
                         unit.value if unit else None, day_only=True,
                         command=f"cxkit {args['command']} --orders")
    for role, what in (("customer_id", "the customer id"), ("amount", "the order total")):
        if role not in loaded.columns:
            raise DataError(f"{loaded.table.name}: no column looks like {what}; columns are: "
                            + ", ".join(loaded.table.columns), f"pass {flags[role]} COLUMN")
    for note in loaded.notices:
        env.notice(note)
    return loaded


def _match(args: dict, env: Env, answers, window: int):
    """Join the answers to the orders."""
    from cxkit.io.read import reading
    from cxkit.kpi.joined import match_orders

    orders = _orders(args, env)
    with reading(orders.table):
        matched = match_orders(answers, orders.lf, window)
    return orders, matched


def _say_matching(env: Env, rname: str, oname: str, matched, listed: bool = False) -> None:
    """How the ids matched, on stderr, when not all of them did exactly: a warning when some
    have no order at all (of the customers on the follow-up list when `listed`)."""
    m = matched.matching
    total = sum(m.values())
    how = (f"ids: {m['exact']:,} exact, {m['case_or_spaces']:,} only after folding case and "
           "spaces")
    hint = f"; hint: {matched.hint}" if matched.hint else ""
    warning = ""
    if listed:
        import polars as pl

        mine = matched.frame.filter(pl.col("category") != "promoter")
        lost = int((~mine["matched"]).sum())
        if lost:
            warning = (f"{lost:,} of the {mine.height:,} customers on the list have no order in "
                       f"{oname}; their order columns are empty")
    elif m["unmatched"]:
        warning = f"{m['unmatched']:,} of {total:,} respondents have no order in {oname}"
    if warning:
        env.warn(f"{rname}: {warning} ({how}){hint}")
    elif m["case_or_spaces"]:
        env.notice(f"{rname}: {m['case_or_spaces']:,} of {total:,} customer ids match {oname} "
                   "only after folding case and spaces")


def _why_empty(answers) -> str:
    dropped = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in answers.dropped.items() if v)
    if answers.rows == 0:
        return "no data rows"
    return "no usable answers; dropped " + dropped if answers.frame.is_empty() else ""


def run_nps_revenue(args: dict) -> None:
    from cxkit.cli.output import check_thresholds, emit
    from cxkit.kpi.joined import nps_revenue

    responses = _responses(args)
    window = _window(args["window"])
    env, fmt, since, until = _start(args, responses)
    with env.status(f"Reading {responses} and {args['orders']}"):
        loaded, answers = _answers(args, env, responses, False, since, until)
        orders, matched = _match(args, env, answers, window)
        result = nps_revenue(answers, matched, confidence=args["confidence"])
    _say_matching(env, loaded.table.name, orders.table.name, matched)
    result.columns = {r: m.column for r, m in loaded.roles.items() if r in RESPONSE_ROLES}
    result.columns |= {f"orders_{r}": c for r, c in orders.columns.items()
                       if r in ("customer_id", "amount", "ordered_at", "order_status")}
    if result.n == 0:
        why = _why_empty(answers)
        env.warn(f"{loaded.table.name}: no respondents matched to customers of "
                 f"{orders.table.name}" + (f" ({why})" if why else ""))
    if fmt == "table":
        from cxkit.kpi.joined import revenue_section

        _emit_section(revenue_section(result), fmt, args["output"], env)
    else:
        emit(result, fmt, args["value"], args["output"], env)
    check_thresholds(result, args["fail_under"], args["fail_over"], env)


def run_followup(args: dict) -> None:
    from cxkit.kpi.joined import followup

    responses = _responses(args)
    env, fmt, since, until = _start(args, responses)
    with env.status(f"Reading {responses}"):
        loaded, answers = _answers(args, env, responses, True, since, until)
        orders, matched = _match(args, env, answers, 90) if args["orders"] else (None, None)
        section = followup(answers, matched, args["limit"], args["redact"])
    if orders:
        _say_matching(env, loaded.table.name, orders.table.name, matched, listed=True)
    if answers.frame.is_empty():
        env.warn(f"{loaded.table.name}: no usable NPS answers ({_why_empty(answers)})")
    elif not section.rows:
        env.notice(f"{loaded.table.name}: no detractors or passives to follow up")
    _emit_section(section, fmt, args["output"], env)


def _emit_section(section, fmt: str, output: str | None, env: Env) -> None:
    """A Section to stdout or to -o FILE (atomically), in the format asked for."""
    from cxkit.cli.output import deliver
    from cxkit.render.sections import RENDERERS, section_table, section_text

    if fmt == "table" and not output:
        env.console().print(section_table(section))
        return
    deliver(section_text(section) if fmt == "table" else RENDERERS[fmt](section), output, env)
