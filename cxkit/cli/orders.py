"""`cxkit orders`, `cxkit retention`, `cxkit clv`: KPIs of one order export."""

from enum import StrEnum
from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

ORDER_KPIS = ["orders", "customers", "revenue", "aov", "purchase_frequency",
              "repeat_purchase_rate", "return_rate", "cart_abandonment_rate", "referral_rate",
              "clv"]
RETENTION_KPIS = ["retention_rate", "churn_rate", "inactivity_churn"]
CLV_KPIS = ["clv", "clv_formula", "top_customers"]
ClvKpi = StrEnum("ClvKpi", {k: k for k in CLV_KPIS})  # type: ignore[misc]
OrderKpi = StrEnum("OrderKpi", {k: k for k in ORDER_KPIS})  # type: ignore[misc]
RetentionKpi = StrEnum("RetentionKpi", {k: k for k in RETENTION_KPIS})  # type: ignore[misc]

ORDERS_HELP = """Order KPIs from a shop export (Shopify, WooCommerce, Stripe, any CSV).

Example:  cxkit orders orders.csv --period month --by channel

Orders, customers, revenue, AOV (mean, t interval, median), purchase frequency, repeat
purchase rate, return rate (count and value), cart abandonment rate, referral rate and
historical CLV. Counts and revenue use completed orders: cancelled, abandoned, pending and
failed orders are dropped and counted. A Shopify export (one row per line item) is collapsed
to one row per order first. Amounts like 1 299,00 and 1,299.00 are read.

More: cxkit orders shop.csv --kpi aov --value    (the bare AOV, for scripts)
      cxkit orders stripe.csv --preset stripe --amount-unit minor"""

RETENTION_HELP = """Retention and churn period over period, cohorts, inactivity churn.

Example:  cxkit retention orders.csv --period month --cohorts

Retention for period P = customers who ordered in P-1 and again in P / customers who ordered
in P-1 (churn = 100 - retention); a month with no orders counts as a month, so March is
never compared with January. The headline pools every pair of periods; `latest` is the last.
--cohorts prints the cohort matrix instead: customers grouped by the period of their first
order, cell k = share of the cohort ordering k periods later (a heat table in the terminal,
a matrix in csv/json). --inactive-after 90d adds inactivity churn at --as-of: of the
customers who ordered in the 90 days before the last 90, the share who did not order since.

More: cxkit retention orders.csv --period quarter \\
          --fail-under retention_rate=30"""

class Model(StrEnum):
    historical = "historical"
    bgnbd = "bgnbd"


class TimeUnit(StrEnum):
    week = "week"
    day = "day"


CLV_HELP = """Customer lifetime value: historical per customer and segment, and the formula.

Example:  cxkit clv orders.csv --margin 35% --top 20

Historical CLV = revenue per customer to date (completed orders; mean, median, by --by
segment). Formula CLV = AOV x purchases per customer per year x gross margin x expected
lifetime in years, with lifetime = 1 / annual churn; annual churn is derived from the data
(customers who ordered in the year before the last year and not in the last year), or given
with --churn. --top N lists the N customers with the most revenue.

Predictive CLV (--model bgnbd): BG/NBD for the purchases and Gamma-Gamma for the spend per
purchase, fitted by maximum likelihood on the customers' purchase occasions (completed
orders, same-day orders merged) up to --calibration-end (default: the last order); per
customer P(alive), expected purchases over --horizon (52w), expected spend and CLV = margin
x purchases x spend, discounted at --discount a year. The orders after --calibration-end
are the holdout: the repeat purchases the model expected there against those that happened.
Too few customers (100) or repeat buyers (20), no convergence or a parameter at a bound:
no value, the reason in the rule.

More: cxkit clv orders.csv --model bgnbd --calibration-end 2025-06-30 --margin 35%
      cxkit clv orders.csv --model bgnbd --customers -o demo-output/clv-scores.csv"""

Duration = lambda help, meta="DURATION": o.text_option(help, meta)  # noqa: E731


def register(app: typer.Typer) -> None:
    @app.command("orders", help=ORDERS_HELP, no_args_is_help=True)
    def orders(
        files: o.EngineFiles = None,
        kpi: Annotated[OrderKpi | None, typer.Option(
            "--kpi", "-k", help="Only this KPI: its own output shape, --value and bare "
            "--fail-under X work.", rich_help_panel=o.SCOPE)] = None,
        by: o.By = None,
        period: o.PeriodOpt = None,
        since: o.Since = None,
        until: o.Until = None,
        preset: o.OrderPreset = None,
        ordered: o.Ordered = None,
        customer: o.Customer = None,
        amount: o.Amount = None,
        amount_unit: o.AmountUnitOpt = None,
        column: o.Column = None,
        timezone: o.Timezone = None,
        confidence: o.Confidence = 0.95,
        fail_under: o.Thresholds = None,
        fail_over: o.Thresholds = None,
        fail_on_drop: o.fail_on_drop("move the bad way (a fall of AOV, revenue or repeat "
                                     "purchase, a rise of returns or cart abandonment)")
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
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run_orders(locals())

    @app.command("retention", help=RETENTION_HELP, no_args_is_help=True)
    def retention(
        files: o.EngineFiles = None,
        period: Annotated[o.Period, typer.Option(
            "--period", "-p", help="Calendar period customers are counted in.",
            rich_help_panel=o.SCOPE)] = o.Period.month,
        cohorts: Annotated[bool, typer.Option(
            "--cohorts", help="Print the cohort matrix (first-order period x periods since).",
            rich_help_panel=o.SCOPE)] = False,
        inactive_after: Duration("Add inactivity churn: no order for this long, e.g. 90d.") = None,
        as_of: Duration("Inactivity churn moment: YYYY-MM-DD (default: the latest order).",
                        "WHEN") = None,
        kpi: Annotated[RetentionKpi | None, typer.Option(
            "--kpi", "-k", help="Only this KPI: its own output shape, --value and bare "
            "--fail-under X work.", rich_help_panel=o.SCOPE)] = None,
        since: o.Since = None,
        until: o.Until = None,
        preset: o.OrderPreset = None,
        ordered: o.Ordered = None,
        customer: o.Customer = None,
        column: o.Column = None,
        timezone: o.Timezone = None,
        confidence: o.Confidence = 0.95,
        fail_under: o.Thresholds = None,
        fail_over: o.Thresholds = None,
        fail_on_drop: o.fail_on_drop("fall of retention (a rise of churn)") = False,
        fail_on_change: o.FailOnChange = False,
        format: o.FormatOpt = None,
        value: o.Value = False,
        output: o.Output = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        engine: o.EngineOpt = o.EngineName.polars,
        table: o.TableOpt = None,
        spark_remote: o.SparkRemote = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run_retention(locals())

    @app.command("clv", help=CLV_HELP, no_args_is_help=True)
    def clv(
        files: o.EngineFiles = None,
        by: o.By = None,
        margin: Duration("Gross margin for the formula, e.g. 35% or 0.35 (default 100%: "
                         "revenue CLV).", "PCT") = None,
        churn: Duration("Annual churn for the formula, e.g. 40% (default: from the data).",
                        "PCT") = None,
        top: Annotated[int | None, typer.Option(
            metavar="N", min=1, max=1_000_000,
            help="List the N customers with the most revenue (--model bgnbd: the highest "
            "predicted CLV), up to 1,000,000.", rich_help_panel=o.SCOPE)] = None,
        model: Annotated[Model, typer.Option(
            "--model", help="historical (revenue to date, the formula) or bgnbd (predictive: "
            "BG/NBD + Gamma-Gamma).", rich_help_panel=o.SCOPE)] = Model.historical,
        calibration_end: Annotated[str | None, typer.Option(
            metavar="YYYY-MM-DD", rich_help_panel=o.SCOPE,
            help="--model bgnbd: fit on the orders up to this day; the later ones are the "
            "holdout check (default: the last order, no holdout).")] = None,
        horizon: Duration("--model bgnbd: how far ahead CLV counts purchases, e.g. 52w or "
                          "365d (default 52w).") = None,
        time_unit: Annotated[TimeUnit, typer.Option(
            "--time-unit", help="--model bgnbd: the unit of recency and T in the fit.",
            rich_help_panel=o.SCOPE)] = TimeUnit.week,
        discount: Duration("--model bgnbd: annual discount rate of future purchases, e.g. "
                           "10% (default 0).", "PCT") = None,
        customers: Annotated[bool, typer.Option(
            "--customers", help="--model bgnbd: one row per customer (P(alive), expected "
            "purchases and spend, CLV), most valuable first: a CSV a CRM can import.",
            rich_help_panel=o.OUTPUT)] = False,
        kpi: Annotated[ClvKpi | None, typer.Option(
            "--kpi", "-k", help="Only this KPI: its own output shape, --value and bare "
            "--fail-under X work.", rich_help_panel=o.SCOPE)] = None,
        since: o.Since = None,
        until: o.Until = None,
        preset: o.OrderPreset = None,
        ordered: o.Ordered = None,
        customer: o.Customer = None,
        amount: o.Amount = None,
        amount_unit: o.AmountUnitOpt = None,
        column: o.Column = None,
        timezone: o.Timezone = None,
        confidence: o.Confidence = 0.95,
        fail_under: o.Thresholds = None,
        fail_over: o.Thresholds = None,
        format: o.FormatOpt = None,
        value: o.Value = False,
        output: o.Output = None,
        encoding: o.Encoding = None,
        delimiter: o.Delimiter = None,
        dayfirst: o.DayFirst = None,
        engine: o.EngineOpt = o.EngineName.polars,
        table: o.TableOpt = None,
        spark_remote: o.SparkRemote = None,
        no_color: o.NoColor = False,
        quiet: o.Quiet = False,
        debug: o.Debug = False,
    ) -> None:
        run_clv(locals())


def _load(args: dict, env: Env, by: list[str], day_only: bool = False,
          command: str = "cxkit orders"):
    """Read the export with the input options every order command shares."""
    from cxkit.cli.output import column_roles
    from cxkit.io import LoadOptions
    from cxkit.io.orders import load_orders
    from cxkit.io.roles import ORDER_ROLES
    from cxkit.io.tickets import check_timezone

    given = column_roles(args["column"], ORDER_ROLES)
    given |= {"ordered_at": args["ordered"], "customer_id": args["customer"],
              "amount": args.get("amount")}
    flags = {"ordered_at": "--ordered", "customer_id": "--customer", "amount": "--amount"}
    opts = LoadOptions(inputs=args["files"], encoding=args["encoding"],
                       delimiter=args["delimiter"], columns=given, by=by,
                       dayfirst=args["dayfirst"])
    unit = args.get("amount_unit")
    loaded = load_orders(opts, args["preset"].value if args["preset"] else None,
                         check_timezone(args["timezone"]), flags,
                         unit.value if unit else None, day_only, command)
    for note in loaded.notices:
        env.notice(note)
    return loaded


def _engine(args: dict) -> str:
    return args["engine"].value if args.get("engine") else "polars"


def _on_engine(args: dict, by: list[str], command: str, only: str | None = None):
    """--engine duckdb|spark: the typed table opened on the engine, its roles by the loader's
    rules (names, --column, --ordered, --customer, --amount); what the engine cannot do is
    refused (exit 2) before any row is read."""
    from types import SimpleNamespace

    from cxkit.cli.output import column_roles
    from cxkit.engines import open_table, refuse_options
    from cxkit.engines import orders as on_engine
    from cxkit.io.roles import ORDER_ROLES

    engine = _engine(args)
    refuse_options(engine, {"--timezone": args.get("timezone"), "--preset": args.get("preset"),
                            "--amount-unit": args.get("amount_unit"),
                            f"--kpi {only}": bool(only)}, command)
    given = column_roles(args["column"], ORDER_ROLES)
    given |= {"ordered_at": args["ordered"], "customer_id": args["customer"],
              "amount": args.get("amount")}
    flags = {"ordered_at": "--ordered", "customer_id": "--customer", "amount": "--amount"}
    source = open_table(engine, args["files"], args["table"], args["spark_remote"])
    typed = on_engine.load(source, given, by, flags)
    shown = SimpleNamespace(table=typed.table, columns={r: m.column for r, m in
                                                        typed.roles.items()},
                            by=typed.by, notices=[],
                            amount_rule="major units" if "amount" in typed.roles
                            else "no amount column")
    return source, typed, shown


def _scope(args: dict, by: list[str], period: str | None):
    from cxkit.io.dates import parse_bound
    from cxkit.kpi.grouping import Scope

    return Scope(by=by, period=period,
                 since=parse_bound(args["since"], "--since") if args["since"] else None,
                 until=parse_bound(args["until"], "--until") if args["until"] else None)


def _finish(results, loaded, args: dict, env: Env, single: bool, under, over,
            why: dict | None = None) -> None:
    from cxkit.cli.output import check_many, check_moves, compared, emit

    for r in results:
        r.columns = loaded.columns
    measured = [r for r in results if not r.rule.startswith("not computed")]
    if measured and all(r.n == 0 for r in measured):
        env.warn(f"{loaded.table.name}: no completed orders to measure")
    fmt = args["format"].value if args["format"] else None
    shown = compared(results[0], why) if single and why else (results[0] if single else results)
    emit(shown, fmt, args.get("value", False), args["output"], env)
    check_many(results, under, over, env)
    if why:
        check_moves(results, why, env)


def _start(args: dict, names: list[str], only: str | None):
    from cxkit.cli.output import guard_output, thresholds
    from cxkit.engines import need_files
    from cxkit.errors import UsageError

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    args["files"] = need_files(args["files"], args.get("table"), _engine(args))
    guard_output(args["output"], args["files"])
    if args.get("value") and not only:
        example = "aov" if "aov" in names else names[0]  # a KPI this command has
        raise UsageError("--value needs one KPI", f"add --kpi, e.g. --kpi {example} --value")
    return env, *thresholds(args, only, [only] if only else names)


def run_orders(args: dict) -> None:
    from cxkit.cli.output import why_options
    from cxkit.io.read import reading
    from cxkit.kpi.orders import OrderOptions, compute

    only = args["kpi"].value if args["kpi"] else None
    env, under, over = _start(args, ORDER_KPIS, only)
    by = list(args["by"] or [])
    why = why_options(args, only, by)
    period = args["period"].value if args["period"] else None
    if _engine(args) != "polars":
        from cxkit.engines.orders import compute as on_engine

        with env.status(f"Reading {', '.join(args['files']) or args['table']}"):
            source, typed, loaded = _on_engine(args, by, "cxkit orders", only)
            scope = _scope(args, typed.by, period)
            results = on_engine(source, typed, scope, OrderOptions(args["confidence"]),
                                [only] if only else None)
        for r in results:
            if r.kpi in ("revenue", "aov", "clv", "return_rate"):
                r.rule += f"; amounts in {loaded.amount_rule}"
        return _finish(results, loaded, args, env, bool(only), under, over, why)
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = _load(args, env, by)
        scope = _scope(args, loaded.by, period)
        with reading(loaded.table):
            results = compute(loaded.lf, scope, OrderOptions(args["confidence"]),
                              [only] if only else None)
    for r in results:
        if r.kpi in ("revenue", "aov", "clv", "return_rate"):
            r.rule += f"; amounts in {loaded.amount_rule}"
    _finish(results, loaded, args, env, bool(only), under, over, why)


def run_retention(args: dict) -> None:
    from cxkit.errors import UsageError
    from cxkit.io.dates import parse_duration, parse_moment
    from cxkit.io.read import reading
    from cxkit.kpi.retention import RetentionOptions, cohorts, retention

    only = args["kpi"].value if args["kpi"] else None
    if args["cohorts"] and only:
        raise UsageError("--cohorts and --kpi do not go together",
                         "--cohorts prints the cohort matrix; drop --kpi")
    if args["cohorts"]:  # the matrix is one KPI: --value and bare thresholds apply to it
        only = "cohort_retention"
    env, under, over = _start(args, RETENTION_KPIS, only)
    from cxkit.cli.output import why_options

    why = why_options(args, None, [])
    if only == "inactivity_churn" and not args["inactive_after"]:
        raise UsageError("--kpi inactivity_churn needs --inactive-after",
                         "add e.g. --inactive-after 90d")
    days = parse_duration(args["inactive_after"], "--inactive-after") / 24 \
        if args["inactive_after"] else None
    scope = _scope(args, [], args["period"].value)
    opts = RetentionOptions(period=scope.period, since=scope.since, until=scope.until,
                            as_of=parse_moment(args["as_of"], "--as-of") if args["as_of"]
                            else None, inactive_after_days=days, confidence=args["confidence"])
    if _engine(args) != "polars":
        from cxkit.engines.retention import scan as on_engine

        with env.status(f"Reading {', '.join(args['files']) or args['table']}"):
            source, typed, loaded = _on_engine(args, [], "cxkit retention")
            scanned = on_engine(source, typed, opts)
            results = [cohorts(None, opts, scanned)] if args["cohorts"] else \
                retention(None, opts, scanned)
        if only:
            results = [r for r in results if r.kpi == only]
        return _finish(results, loaded, args, env, bool(only), under, over, why)
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = _load(args, env, [], day_only=days is None, command="cxkit retention")
        with reading(loaded.table):
            results = [cohorts(loaded.lf, opts)] if args["cohorts"] else \
                retention(loaded.lf, opts)
    if only:
        results = [r for r in results if r.kpi == only]
    _finish(results, loaded, args, env, bool(only), under, over, why)


def run_clv(args: dict) -> None:
    from cxkit.io.read import reading
    from cxkit.kpi.clv import MIN_CHURN, ClvOptions, compute, parse_share

    if args["model"] == Model.bgnbd:
        from cxkit.cli.clv_model import run_predicted
        from cxkit.engines import check

        check("clv --model", _engine(args), "clv --model bgnbd")

        return run_predicted(args, _start, _load)
    for flag, name in (("--calibration-end", "calibration_end"), ("--horizon", "horizon"),
                       ("--discount", "discount"), ("--customers", "customers")):
        if args[name]:
            from cxkit.errors import UsageError

            raise UsageError(f"{flag} goes with --model bgnbd (predictive CLV)",
                             f"add --model bgnbd, or drop {flag}")

    only = args["kpi"].value if args["kpi"] else None
    env, under, over = _start(args, CLV_KPIS, only)
    if only == "top_customers" and not args["top"]:
        args["top"] = 10
    opts = ClvOptions(margin=parse_share(args["margin"], "--margin") if args["margin"] else None,
                      annual_churn=parse_share(args["churn"], "--churn", MIN_CHURN)
                      if args["churn"] else None, top=args["top"], confidence=args["confidence"])
    by = list(args["by"] or [])
    if _engine(args) != "polars":
        from cxkit.engines.orders import clv as on_engine

        with env.status(f"Reading {', '.join(args['files']) or args['table']}"):
            source, typed, loaded = _on_engine(args, by, "cxkit clv")
            results = on_engine(source, typed, _scope(args, typed.by, None), opts)
        if only:
            results = [r for r in results if r.kpi == only]
        return _finish(results, loaded, args, env, bool(only), under, over)
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = _load(args, env, by, command="cxkit clv")
        scope = _scope(args, loaded.by, None)
        with reading(loaded.table):
            results = compute(loaded.lf, scope, opts)
    if only:
        results = [r for r in results if r.kpi == only]
    _finish(results, loaded, args, env, bool(only), under, over)
