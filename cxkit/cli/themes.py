"""`cxkit themes`: the words and phrases one side of a survey uses more than the other."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from cxkit.cli import options as o
from cxkit.cli.context import Env
from cxkit.errors import UsageError

HELP = """Comment themes: what detractors say that promoters do not, and back.

Example:  cxkit themes responses.csv --top 15

Words and two-word phrases of the comments, ranked by the log-odds ratio
with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008): z says
how much more one side uses a term; a comment counts once per term.
English and French: elisions (l', qu'...) taken off, accents shown but not
compared, stop words dropped, phrases never across punctuation. Each term:
its comments on both sides, its NPS impact (NPS - NPS of the answers
without it) and up to three examples, e-mails and phone numbers masked.

Other sides: --split csat (not satisfied vs satisfied), --split plan (the
two values of a column), --split plan=pro (one value vs the rest),
--period month (the last month vs the one before)."""

WANTED = ("comment", "nps_score", "csat_score", "responded_at")
FLAGS = {"comment": "--text", "nps_score": "--score", "csat_score": "--csat",
         "responded_at": "--date"}


def _column(flag: str, help: str):
    return Annotated[str | None, typer.Option(flag, metavar="COL", help=help,
                                              rich_help_panel=o.INPUT)]


TextCol = _column("--text", "Column holding the comments (default: detected: comment, verbatim, "
               "feedback, commentaire...).")
Score = _column("--score", "Column holding the NPS answers: the default sides and NPS impact "
                "(default: detected).")
CsatCol = _column("--csat", "Column holding the CSAT answers, for --split csat (default: "
                  "detected).")
Split = Annotated[str | None, typer.Option(
    metavar="nps|csat|COL|COL=VALUE", rich_help_panel=o.SCOPE,
    help="The two sides: nps (detractors vs promoters, the default), csat (not satisfied vs "
    "satisfied), COL (its two values) or COL=VALUE (that value vs the other values).")]
Top = Annotated[int, typer.Option(min=1, metavar="N", rich_help_panel=o.SCOPE,
                                  help="Terms listed per side, strongest first.")]
PriorStrength = Annotated[float | None, typer.Option(
    metavar="X", rich_help_panel=o.SCOPE,
    help="Total pseudo-count of the Dirichlet prior, spread over the terms as both sides use "
    "them (default: the number of term mentions, so each term's prior is its own count).")]
MinCount = Annotated[int, typer.Option(min=1, metavar="N", rich_help_panel=o.SCOPE,
                                       help="Only terms found in at least N comments.")]
PERIOD_HELP = "Compare the last period that has comments with the one before (instead of --split)."
PeriodOpt = Annotated[o.Period | None, typer.Option("--period", "-p", help=PERIOD_HELP,
                                                    rich_help_panel=o.SCOPE)]


def run(args: dict) -> None:
    from cxkit.cli.output import choose_format, deliver, guard_output
    from cxkit.io import LoadOptions, load
    from cxkit.io.dates import parse_bound
    from cxkit.io.read import reading
    from cxkit.kpi.grouping import Scope
    from cxkit.kpi.text.sides import Split as Sides
    from cxkit.kpi.text.sides import answers
    from cxkit.kpi.text.themes import compute

    env = Env(quiet=args["quiet"], no_color=args["no_color"])
    guard_output(args["output"], args["files"])
    strength = args["prior_strength"]
    if strength is not None and not (math.isfinite(strength) and strength > 0):
        raise UsageError(f"--prior-strength {strength:g}: not a positive number",
                         "give a total pseudo-count such as 500, or leave it out")
    period = args["period"].value if args["period"] else None
    split = Sides.parse(args["split"], period)
    scope = Scope(
        period=period,
        since=parse_bound(args["since"], "--since") if args["since"] else None,
        until=parse_bound(args["until"], "--until") if args["until"] else None,
    )
    required = ("comment",) + {"nps": ("nps_score",), "csat": ("csat_score",)}.get(split.kind, ())
    opts = LoadOptions(
        inputs=args["files"], encoding=args["encoding"], delimiter=args["delimiter"],
        columns={"comment": args["text"], "nps_score": args["score"],
                 "csat_score": args["csat"], "responded_at": args["date"]},
        by=[split.column] if split.column else [], dayfirst=args["dayfirst"],
    )
    fmt = choose_format(args["format"].value if args["format"] else None, args["output"], env)
    with env.status(f"Reading {', '.join(args['files'])}"):
        loaded = load(opts, WANTED, required, FLAGS, "responded_at", need_date=scope.uses_date,
                      accept=("responses",), command="cxkit themes")
        for note in loaded.notices:
            env.notice(note)
        scope.day_format = loaded.day_format
        if split.column:
            split.column = loaded.by[0]
        with reading(loaded.table):
            ans = answers(loaded.lf, split, scope)
        result = compute(ans, args["top"], args["prior_strength"], args["min_count"],
                         _split_name(split))
    used = {"comment", *required} | ({"nps_score"} if ans.population else set()) | (
        {"responded_at"} if scope.uses_date else set())
    result.columns = {r: m.column for r, m in loaded.roles.items() if r in used}
    if split.column:
        result.columns["split"] = split.column
    where = f"{loaded.table.name}: '{loaded.roles['comment'].column}'"
    for note in result.notes:
        env.notice(f"{loaded.table.name}: {note}")
    if not result.terms:
        result.warnings.append(result.rule.split(";")[0])
    for warning in result.warnings:
        env.warn(f"{where}: {warning}")
    if fmt == "table" and not args["output"]:
        from cxkit.render.themes import render

        render(result, env.console())
        return
    deliver(_text(result, fmt), args["output"], env)


def _split_name(split) -> str:
    if split.kind == "period":
        return f"period:{split.period}"
    if split.kind == "value":
        return f"{split.column}={split.value}"
    return split.column or split.kind


def _text(result, fmt: str) -> str:
    if fmt == "table":  # -o FILE.txt: the terminal view, without colour
        from io import StringIO

        from rich.console import Console

        from cxkit.render.themes import render

        buf = StringIO()
        render(result, Console(file=buf, width=100, no_color=True, highlight=False))
        return buf.getvalue()
    from cxkit.render.themes import RENDERERS

    return RENDERERS[fmt](result)


def register(app: typer.Typer) -> None:
    @app.command("themes", help=HELP, no_args_is_help=True)
    def command(
        files: o.Files,
        text: TextCol = None,
        split: Split = None,
        top: Top = 10,
        prior_strength: PriorStrength = None,
        min_count: MinCount = 5,
        period: PeriodOpt = None,
        since: o.Since = None,
        until: o.Until = None,
        score: Score = None,
        csat: CsatCol = None,
        date: o.DateCol = None,
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
