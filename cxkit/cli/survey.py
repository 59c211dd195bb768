"""`cxkit nps`, `cxkit csat`, `cxkit ces`: one command shape, three measures."""

from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

WHY = o.WHY

HELP = {
    "nps": """Net Promoter Score from a survey export.

Example:  cxkit nps responses.csv --period month --by channel

Scores 0-10 (also "10 - Extremely likely"): promoters 9-10, passives 7-8, detractors 0-6;
NPS = 100 x (promoters - detractors) / n, with an adjusted-Wald 95% interval (Rocks 2016).
Rows without a usable score are counted as dropped (missing, invalid, out of range).
More: cxkit nps data.csv --fail-under 30 --format json   (exit 3 when NPS < 30)""",
    "csat": """Customer satisfaction (CSAT %) from a survey export.

Example:  cxkit csat responses.csv --by region

CSAT % = 100 x satisfied / answers, satisfied = the top two boxes (4-5 on 1-5); also the mean
score and a Wilson interval. Labels are read with the scale they fit: very satisfied ... very
dissatisfied, SurveyMonkey's very / somewhat, Qualtrics' 7 points (read on 1-7), très
satisfait ... pas du tout satisfait, Zendesk good / bad, Help Scout great / okay / not good.
Other conventions: --scale 1-3|1-4|1-7|1-10|0-10 and --satisfied-from N. A help desk's
satisfaction rating is read too (cxkit csat tickets.csv).""",
    "ces": """Customer effort score (CES) from a survey export.

Example:  cxkit ces responses.csv --period quarter

Default: 1-5 effort scale where 1 = very low effort and lower is better; reports the mean
with a t interval and % low effort (1-2). The 1-7 agreement form ("the company made it
easy", higher is better, low effort = 5-7) is --scale 1-7; answers written as strongly
disagree ... strongly agree switch to it by themselves.""",
}
WHY_HELP = """

Why it moved:  cxkit {kind} responses.csv --period month --explain channel --explain plan
splits the change of the last two periods into mix (more or fewer answers from a segment) and
rate (the segment's own {name} moving), per segment, with each segment's test and Holm-adjusted p.
Experiments:   cxkit {kind} responses.csv --by variant --versus control --expected-split 50/50
Before a test: cxkit {kind} responses.csv --plan --mde {mde}   (answers needed per group)
Alerts:        --fail-on-drop exits 3 on a significant {bad} (--fail-on-change: either way)."""
BAD = {"nps": "fall of NPS", "csat": "fall of CSAT",
       "ces": "rise of CES (1-5 effort scale; a fall with --scale 1-7)"}
ROLE = {"nps": "nps_score", "csat": "csat_score", "ces": "ces_score"}
# CSAT is also the help desks' satisfaction rating: a ticket export is a CSAT source
ACCEPT = {"nps": ("responses",), "csat": ("responses", "tickets"), "ces": ("responses",)}


def _measure(kind: str, scale: str | None, satisfied_from: int | None):
    from cxkit.kpi import survey

    if kind == "nps":
        return survey.Nps()
    if kind == "csat":
        return survey.Csat(scale, satisfied_from)
    return survey.Ces(scale)


def _why(args: dict) -> dict:
    """The "Why it moved" options, checked against each other before any file is read."""
    from cxkit.errors import UsageError

    by, period = list(args["by"] or []), args["period"]
    why = {
        "explain": list(dict.fromkeys(args["explain"] or [])),
        "compare": None,
        "versus": args["versus"],
        "correction": args["correction"].value if args["correction"] else "holm",
        "split": args["expected_split"],
        "plan": args["plan"],
        "mde": args["mde"],
        "fail": "--fail-on-change" if args["fail_on_change"] else
                "--fail-on-drop" if args["fail_on_drop"] else None,
    }
    if args["compare"]:
        pair = tuple(p.strip() for p in args["compare"].split(","))
        if len(pair) != 2 or not all(pair):
            raise UsageError(f"--compare {args['compare']}: expected two periods P1,P2",
                             "e.g. --compare 2025-05,2025-06 (as the periods are labelled)")
        why["compare"] = pair
    changes = why["explain"] or why["compare"]
    for wanted, flag in ((changes, "--explain" if why["explain"] else "--compare"),
                         (why["fail"], why["fail"])):
        if wanted and not period:
            raise UsageError(f"{flag} needs --period: it looks at the change between periods",
                             f"e.g. --period month {flag}" + (" channel" if flag == "--explain"
                                                              else ""))
    if why["explain"] and by:
        raise UsageError("--explain with --by: the change is broken down by --explain itself",
                         "pass the --by column as another --explain COL")
    if why["versus"] and len(by) != 1:
        raise UsageError("--versus needs one --by COL: the column holding the groups",
                         "e.g. --by variant --versus control")
    if why["split"] and not (why["versus"] or why["plan"]) or why["split"] and not by:
        raise UsageError("--expected-split needs --by COL and --versus VALUE (or --plan)",
                         "e.g. --by variant --versus control --expected-split 50/50")
    if why["plan"] != (why["mde"] is not None):
        raise UsageError("--plan and --mde go together: the plan needs the difference to find",
                         "e.g. --plan --mde 5")
    views = [f for f, on in (("--explain/--compare", changes), ("--versus", why["versus"]),
                              ("--plan", why["plan"])) if on]
    if len(views) > 1 and views != ["--versus", "--plan"]:
        raise UsageError(f"{' and '.join(views)}: one view at a time",
                         "run the command once for each")
    return why


def _load_explained(opts, loader, explain: list[str]):
    """load(), with an unknown --explain column named as such (the loader says --by)."""
    from cxkit.errors import DataError

    try:
        return loader(opts)
    except DataError as exc:
        for col in explain:
            if f"'{col}' (given with --by)" in exc.message:
                raise DataError(exc.message.replace("(given with --by)", "(given with --explain)"),
                                (exc.hint or "").replace("pass --by", "pass --explain")) from exc
        raise


def run(kind: str, args: dict) -> None:
    from cxkit.cli.output import ThresholdCrossed, check_thresholds, emit, guard_output, tell_notes
    from cxkit.engines import need_files
    from cxkit.io import LoadOptions
    from cxkit.io.dates import parse_bound
    from cxkit.kpi.grouping import Scope

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    engine = args["engine"].value
    args["files"] = need_files(args["files"], args["table"], engine)
    guard_output(args["output"], args["files"])
    why = _why(args)
    measure = _measure(kind, args.get("scale"), args.get("satisfied_from"))
    role = ROLE[kind]
    scope = Scope(
        by=list(args["by"] or []) + why["explain"],
        period=args["period"].value if args["period"] else None,
        since=parse_bound(args["since"], "--since") if args["since"] else None,
        until=parse_bound(args["until"], "--until") if args["until"] else None,
    )
    opts = LoadOptions(
        inputs=args["files"],
        encoding=args["encoding"],
        delimiter=args["delimiter"],
        columns={role: args["score"], "responded_at": args["date"]},
        by=scope.by,
        dayfirst=args["dayfirst"],
    )
    flags = {role: "--score", "responded_at": "--date"}
    if engine == "polars":
        loaded, sums = _on_polars(opts, kind, measure, scope, why, role, flags, env)
    else:
        loaded, sums = _on_engine(engine, args, opts, measure, scope, why, role, flags, env)
    result = _view(sums, measure, scope, why, args)
    result.columns = {
        r: m.column
        for r, m in loaded.roles.items()
        if r == role or (r == "responded_at" and scope.uses_date)
    }
    tell_notes(result, f"{loaded.table.name}: '{loaded.roles[role].column}'", env)
    if sums.totals["n"] == 0:
        dropped = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.dropped.items() if v)
        env.warn(
            f"{loaded.table.name}: no usable {kind.upper()} answers in "
            f"'{loaded.roles[role].column}' "
            + (f"(dropped: {dropped})" if dropped else "(no data rows)")
        )
    fmt = args["format"].value if args["format"] else None
    emit(result, fmt, args["value"], args["output"], env)
    crossed = []
    try:
        check_thresholds(result, args["fail_under"], args["fail_over"], env)
    except ThresholdCrossed as exc:  # said together with the alert below, if any
        crossed.append(exc.message)
    if why["fail"]:
        crossed += _alert(result, sums, measure, scope, why, args["confidence"], env)
    if crossed:
        raise ThresholdCrossed("; ".join(crossed))


def _on_polars(opts, kind: str, measure, scope, why: dict, role: str, flags: dict, env: Env):
    """The default engine: the loader of exports, then the one pass (cxkit.kpi.grouping)."""
    from cxkit.io import load
    from cxkit.io.read import reading
    from cxkit.kpi.survey import summed

    with env.status(f"Reading {', '.join(opts.inputs)}"):
        loaded = _load_explained(opts, lambda op: load(
            op, (role, "responded_at"), (role,), flags, "responded_at",
            need_date=scope.uses_date, accept=ACCEPT[kind], command=f"cxkit {kind}",
        ), why["explain"])
        for note in loaded.notices:
            env.notice(note)
        scope.by, scope.day_format = loaded.by, loaded.day_format
        with reading(loaded.table, one_pass=True):
            sums = summed(loaded.lf, measure, scope)  # the one pass over the rows
    return loaded, sums


def _on_engine(engine: str, args: dict, opts, measure, scope, why: dict, role: str,
               flags: dict, env: Env):
    """--engine duckdb|spark: the typed table's one pass on the engine (cxkit.engines.surveys),
    then the same code as on Polars, on the same small frame."""
    from cxkit.engines import open_table
    from cxkit.engines import surveys as on_engine
    from cxkit.kpi.survey import summed

    with env.status(f"Reading {', '.join(opts.inputs) or args['table']} on {engine}"):
        source = open_table(engine, opts.inputs, args["table"], args["spark_remote"])
        loaded = _load_explained(opts, lambda op: on_engine.load(
            source, role, "responded_at", op.columns, op.by, scope.uses_date, flags,
        ), why["explain"])
        scope.by, scope.day_format = loaded.by, None
        small = on_engine.condense(source, loaded, role, scope)  # the one pass over the rows
        sums = summed(None, measure, scope, condensed=small)
    return loaded, sums


def _view(sums, measure, scope, why: dict, args: dict):
    """The change with its drivers, the test plan, or the KPI (against a control group)."""
    from cxkit.kpi.survey import result_of

    confidence = args["confidence"]
    if why["explain"] or why["compare"]:
        from cxkit.kpi.explain import change

        dims = scope.by[len(scope.by) - len(why["explain"]):]
        return change(sums, measure, dims, scope.period, why["compare"], confidence,
                      why["correction"])
    if why["plan"]:
        from cxkit.kpi.experiment import plan

        return plan(sums, measure, why["mde"], scope.by[0] if scope.by else None, why["versus"],
                    why["split"], why["correction"], confidence)
    result = result_of(sums, measure, scope, confidence,
                       args["benchmark"].value if args["benchmark"] else None)
    if why["versus"]:
        from cxkit.kpi.experiment import versus

        return versus(result, sums, measure, scope.by[0], why["versus"], why["correction"],
                      why["split"], confidence, scope.period)
    return result


def _alert(result, sums, measure, scope, why: dict, confidence: float, env: Env) -> list[str]:
    """--fail-on-drop / --fail-on-change: the message when the change is a significant (bad)
    move, on the change shown (--explain) or the last two periods of the KPI."""
    from cxkit.kpi.explain import ChangeResult, alarm, change

    if not isinstance(result, ChangeResult):
        result = change(sums, measure, [], scope.period, None, confidence, why["correction"])
    if result.diff is None:
        env.warn(f"{measure.kpi.upper()} change not checked ({why['fail']}): {result.reason}")
        return []
    message = alarm(result, why["fail"] == "--fail-on-change", why["fail"])
    return [message] if message else []


def register(app: typer.Typer, kind: str) -> None:
    scale_help = {
        "nps": "Not used by NPS (0-10).",
        "csat": "Scale of the answers: 1-5 (default), 1-3, 1-7, 1-10, 0-10.",
        "ces": "1-5 effort scale, lower is better (default), or 1-7 ease scale.",
    }[kind]
    Scale = Annotated[
        str | None, typer.Option(help=scale_help, hidden=kind == "nps", rich_help_panel=o.SCOPE)
    ]
    SatisfiedFrom = Annotated[
        int | None,
        typer.Option(
            help="Lowest score that counts as satisfied (default: top two boxes).",
            hidden=kind != "csat",
            rich_help_panel=o.SCOPE,
        ),
    ]
    Score = Annotated[
        str | None,
        typer.Option(
            "--score",
            "-s",
            metavar="COL",
            help=f"Column holding the {kind.upper()} answers (default: detected).",
            rich_help_panel=o.INPUT,
        ),
    ]

    Explain = Annotated[
        list[str] | None,
        typer.Option("--explain", metavar="COL", rich_help_panel=WHY,
                     help="Split the change between the last two periods (or --compare) into "
                     "mix and rate per segment of COL, each segment tested (repeatable; needs "
                     "--period). --value, --fail-under and --fail-over then apply to the "
                     "change."),
    ]
    Compare = Annotated[
        str | None,
        typer.Option("--compare", metavar="P1,P2", rich_help_panel=WHY,
                     help="The two periods to compare, as labelled (e.g. 2025-05,2025-06); "
                     "default: the last two with answers."),
    ]
    Mde = Annotated[
        float | None,
        typer.Option("--mde", metavar="X", rich_help_panel=WHY,
                     help="With --plan: the smallest difference to find, in "
                     + ("score units of CES" if kind == "ces" else f"{kind.upper()} points")
                     + " (80% power)."),
    ]
    FailOnDrop = o.fail_on_drop(BAD[kind])
    help_text = HELP[kind] + WHY_HELP.format(kind=kind, name=kind.upper(), bad=BAD[kind],
                                             mde="0.2" if kind == "ces" else "5")

    @app.command(kind, help=help_text, no_args_is_help=True)
    def command(
        files: o.EngineFiles = None,
        score: Score = None,
        date: o.DateCol = None,
        by: o.By = None,
        period: o.PeriodOpt = None,
        since: o.Since = None,
        until: o.Until = None,
        scale: Scale = None,
        satisfied_from: SatisfiedFrom = None,
        benchmark: o.Benchmark = None,
        confidence: o.Confidence = 0.95,
        fail_under: o.FailUnder = None,
        fail_over: o.FailOver = None,
        explain: Explain = None,
        compare: Compare = None,
        versus: o.Versus = None,
        correction: o.CorrectionOpt = None,
        expected_split: o.ExpectedSplit = None,
        plan: o.PlanOpt = False,
        mde: Mde = None,
        fail_on_drop: FailOnDrop = False,
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
        if kind == "nps" and scale:
            from cxkit.errors import UsageError

            raise UsageError("--scale: NPS is always 0-10", "drop --scale, or use cxkit csat/ces")
        run(kind, locals())
