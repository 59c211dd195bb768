"""`cxkit nps`, `cxkit csat`, `cxkit ces`: one command shape, three measures."""

from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env

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


def run(kind: str, args: dict) -> None:
    from cxkit.cli.output import check_thresholds, emit, guard_output, tell_notes
    from cxkit.io import LoadOptions, load
    from cxkit.io.dates import parse_bound
    from cxkit.io.read import reading
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.survey import compute

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    guard_output(args["output"], args["files"])
    measure = _measure(kind, args.get("scale"), args.get("satisfied_from"))
    role = ROLE[kind]
    scope = Scope(
        by=list(args["by"] or []),
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
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = load(
            opts, (role, "responded_at"), (role,), flags, "responded_at",
            need_date=scope.uses_date, accept=ACCEPT[kind], command=f"cxkit {kind}",
        )
        for note in loaded.notices:
            env.notice(note)
        scope.by, scope.day_format = loaded.by, loaded.day_format
        with reading(loaded.table):
            result = compute(
                loaded.lf,
                measure,
                scope,
                args["confidence"],
                args["benchmark"].value if args["benchmark"] else None,
            )
    result.columns = {
        r: m.column
        for r, m in loaded.roles.items()
        if r == role or (r == "responded_at" and scope.uses_date)
    }
    tell_notes(result, f"{loaded.table.name}: '{loaded.roles[role].column}'", env)
    if result.n == 0:
        dropped = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.dropped.items() if v)
        env.warn(
            f"{loaded.table.name}: no usable {kind.upper()} answers in "
            f"'{loaded.roles[role].column}' "
            + (f"(dropped: {dropped})" if dropped else "(no data rows)")
        )
    emit(
        result, args["format"].value if args["format"] else None, args["value"], args["output"], env
    )
    check_thresholds(result, args["fail_under"], args["fail_over"], env)


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

    @app.command(kind, help=HELP[kind], no_args_is_help=True)
    def command(
        files: o.Files,
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
        if kind == "nps" and scale:
            from cxkit.errors import UsageError

            raise UsageError("--scale: NPS is always 0-10", "drop --scale, or use cxkit csat/ces")
        run(kind, locals())
