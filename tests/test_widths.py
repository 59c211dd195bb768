"""Terminal tables at the widths people have (80 and 120 columns, and 100 where a cut was seen).

For every command, the table printed on a terminal of that width holds every figure of the
command's JSON output, with at least the decimals the JSON gives it (a table may show 4.00 for
the JSON's 4.0, never 28 or 2 for its 27.96); no `…` stands beside a digit (no number was
ellipsised); no line is wider than the terminal. Then the messages fixed with them: the CES
benchmark says lower is better, the cohort headline's n is the count its value comes from, and
CLV says what margin and churn it rests on.

The run is in-process (`run_cli`) with stdout taken for a terminal: `cxkit.cli.context._isatty`
is the one place cxkit asks, and on a terminal `Env.console` leaves the width to Rich, which
reads COLUMNS (as in a shell where COLUMNS is set, or the terminal's size otherwise; one test
checks the same through a real pseudo-terminal).
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from unittest import mock

import pytest
from rich.cells import cell_len

from tests.conftest import cli_env, run_cli, run_cli_tty

R, T, ORD = "sample_data/responses.csv", "sample_data/tickets.csv", "sample_data/orders.csv"
WIDTHS = (80, 120)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    # JSON paths ("groups/*/ci/*") left out of the check, each with its reason below
    skip: tuple[str, ...] = ()
    # JSON paths whose figures the table shows with fewer decimals (path, decimals)
    coarser: tuple[tuple[str, int], ...] = ()
    # JSON paths holding a fraction the table shows as a percentage (0.8 -> 80%)
    percent: tuple[str, ...] = ()
    why: str = ""


CASES = {
    "nps": Case(("nps", R, "--by", "channel", "--period", "quarter", "--benchmark", "ecommerce")),
    "csat": Case(("csat", R, "--by", "region", "--period", "quarter")),
    "ces": Case(("ces", R, "--by", "channel", "--period", "month", "--benchmark", "ecommerce")),
    "tickets": Case(("tickets", T, "--sla-first-response", "4h", "--sla-resolution", "48h",
                     "--period", "quarter")),
    "tickets-one-kpi": Case(("tickets", T, "--kpi", "resolution_time", "--period", "quarter",
                             "--by", "Via")),
    "complaints": Case(("complaints", T, "--orders", ORD, "--period", "month")),
    "complaints-per-customer": Case(("complaints", T)),
    "orders": Case(("orders", ORD, "--period", "month")),
    "orders-by": Case(("orders", ORD, "--by", "channel")),
    "retention": Case(("retention", ORD, "--period", "month")),
    "cohorts": Case(("retention", ORD, "--period", "quarter", "--cohorts"),
                    skip=("groups/*/ci/*", "groups/*/customers/*"),
                    coarser=(("groups/*/retention/*", 1),),
                    why="the matrix is a heat map of shares at one decimal (as the CSV has "
                        "them); each cohort's +1 interval and customers per cell are in the "
                        "JSON and CSV, the headline has the pooled interval"),
    "clv": Case(("clv", ORD)),
    "clv-top": Case(("clv", ORD, "--margin", "35%", "--top", "10", "--by", "channel")),
    "nps-revenue": Case(("nps-revenue", R, "--orders", ORD), skip=("groups/*/ci/*",),
                        why="the table is the report's NPS x revenue section "
                            "(cxkit.kpi.joined.revenue_section), which has no interval of "
                            "revenue per customer"),
    "followup": Case(("followup", R, "--orders", ORD, "--limit", "25")),
    "explain": Case(("nps", R, "--period", "month", "--explain", "channel",
                     "--explain", "region")),
    "versus": Case(("nps", R, "--by", "channel", "--versus", "email"),
                   percent=("experiment/power",)),
    "plan": Case(("nps", R, "--plan", "--mde", "5"), percent=("power",)),
    "tickets-versus": Case(("tickets", T, "--by", "Via", "--kpi", "fcr", "--versus", "Mail"),
                           percent=("experiment/power",)),
    "orders-versus": Case(("orders", ORD, "--by", "channel", "--kpi", "aov", "--versus", "web"),
                          percent=("experiment/power",)),
    "columns": Case(("columns", "sample_data/responses_fr.csv")),
}
# settings, names and words: not figures of the result
NOT_FIGURES = {"confidence", "periods_since"}


@dataclass
class Figure:
    path: str
    value: float
    decimals: int  # the decimals the JSON gives it (trailing zeros are not decimals)
    exact: bool = False  # written with an exponent (a p of 2.7e-12): the same number


@dataclass
class Shown:
    text: str
    numbers: list[tuple[float, int, bool]] = field(default_factory=list)


def _decimals(x: float | int) -> tuple[int, bool]:
    text = repr(x)
    if "e" in text or "E" in text:
        return 0, True
    if "." not in text:
        return 0, False
    return len(text.split(".")[1].rstrip("0")), False


def figures(obj, path: str = "", parent: str = "") -> list[Figure]:
    """Every number of the JSON, with its path (`groups/3/ci/0`); drops of 0 are not shown."""
    out: list[Figure] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in NOT_FIGURES:
                continue
            out += figures(v, f"{path}/{k}".lstrip("/"), k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += figures(v, f"{path}/{i}", parent)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        if path.split("/")[0] == "dropped" or "/dropped/" in f"/{path}":
            if obj == 0:
                return out
        decimals, exact = _decimals(obj)
        out.append(Figure(path, float(obj), decimals, exact))
    return out


# a number as a table shows it: 1,234.56  -3.2  +22.3  2.7e-12  (not the 12 of 2025-12)
NUMBER = re.compile(r"(?:(?<![\w.,])[-+]|(?<![\w.,+-]))\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def shown_numbers(text: str) -> list[tuple[float, int, bool]]:
    out = []
    for m in NUMBER.finditer(text):
        token = m.group().replace(",", "")
        exact = "e" in token
        decimals = 0 if exact or "." not in token else len(token.split(".")[1])
        out.append((float(token), decimals, exact))
    return out


def is_shown(fig: Figure, numbers, decimals: int | None = None, scale: float = 1.0) -> bool:
    want = decimals if decimals is not None else fig.decimals
    value = fig.value * scale
    for number, dt, exact in numbers:
        if fig.exact or exact:
            if abs(number - value) <= 1e-12 * max(1.0, abs(value)):
                return True
        elif dt >= want and abs(round(value, dt) - number) < 1e-9:
            return True
    return False


def _env(width: int) -> dict[str, str]:
    return cli_env(COLUMNS=str(width), LINES="40", NO_COLOR="1")


def on_terminal(width: int, *args: str) -> str:
    """`cxkit ARGS` with stdout taken for a terminal of `width` columns (see the module doc)."""
    with mock.patch("cxkit.cli.context._isatty", lambda stream: stream is sys.stdout):
        run = run_cli(*args, env=_env(width))
    assert run.returncode == 0, run
    assert "Traceback" not in run.stderr, run
    return run.stdout


@cache
def as_json(args: tuple[str, ...]) -> dict:
    run = run_cli(*args, "--format", "json", "-q")
    assert run.returncode == 0, run
    return json.loads(run.stdout)


@cache
def table(name: str, width: int) -> str:
    return on_terminal(width, *CASES[name].args)


def _matches(path: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def missing_figures(name: str, width: int) -> list[str]:
    case = CASES[name]
    numbers = shown_numbers(table(name, width))
    missing = []
    for fig in figures(as_json(case.args)):
        if _matches(fig.path, case.skip):
            continue
        coarse = [d for p, d in case.coarser if fnmatch.fnmatchcase(fig.path, p)]
        scale = 100.0 if _matches(fig.path, case.percent) else 1.0
        decimals = min(fig.decimals, coarse[0]) if coarse else None
        if scale != 1.0:
            decimals = max(fig.decimals - 2, 0)
        if not is_shown(fig, numbers, decimals, scale):
            missing.append(f"{fig.path} = {fig.value:g}")
    return missing


# ------------------------------------------------------------------------------------------------
# every command, at 80 and 120 columns

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(CASES))
def test_every_figure_of_the_json_is_in_the_table(name, width):
    assert missing_figures(name, width) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(CASES))
def test_no_line_is_wider_than_the_terminal(name, width):
    wide = [line for line in table(name, width).splitlines() if cell_len(line) > width]
    assert wide == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [n for n in CASES if n != "columns"])
def test_no_number_is_cut(name, width):
    cut = [line for line in table(name, width).splitlines()
           if re.search(r"\d…|…\d|\d\.…", line)]
    assert cut == []


@pytest.mark.parametrize("width", [80, 120])
def test_columns_examples_are_not_cut(width):
    """Seen at 80 columns: `01/01/2025 09:0…`; the examples now wrap instead."""
    assert not re.search(r"\d…", table("columns", width))


def test_the_checker_sees_a_cut_number():
    """The checks above would have caught what was seen: `2` for 27.96, `5,140…`, `55.…`."""
    fig = Figure("groups/0/ordered_again", 27.96, 2)
    assert not is_shown(fig, shown_numbers("promoter │ 614 │ 2"))
    assert not is_shown(fig, shown_numbers("ordered again 28.0"))
    assert is_shown(fig, shown_numbers("ordered again 27.96"))
    assert is_shown(Figure("x", 4.0, 0), shown_numbers("mean 4.00"))
    assert shown_numbers("2025-12 │ 5,140.88 │ -3.4 – 46.8 │ p 2.7e-12") == [
        (2025.0, 0, False), (5140.88, 2, False), (-3.4, 1, False), (46.8, 1, False),
        (2.7e-12, 0, True)]
    assert re.search(r"\d…|…\d|\d\.…", "2024-01 │ 5,140… │ 55.… │")


@pytest.mark.parametrize("width", (80, 100))
def test_orders_by_month_shows_whole_amounts(width):
    """The seen cut: `5,140…`, `55.…`, `586,790.…` at 80 and 100 columns. By hand from
    sample_data/orders.csv: 2024-01 has 92 completed orders (paid, refunded, partly refunded)
    of 66 customers, 5,140.88 in all, AOV 5,140.88 / 92 = 55.88."""
    text = table("orders", 80) if width == 80 else on_terminal(width, *CASES["orders"].args)
    rows = [line for line in text.splitlines() if line.startswith("2024-01")]
    joined = " ".join(rows)
    for figure in ("5,140.88", "55.88", "92", "66"):
        assert re.search(rf"(?<![\d,.]){re.escape(figure)}(?![\d,.])", joined), (figure, rows)
    assert "586,790.16" in text and "…" not in text
    assert all(cell_len(line) <= width for line in text.splitlines())


@pytest.mark.parametrize("width", WIDTHS)
def test_nps_revenue_ordered_again_is_whole(width):
    """Seen at 80 columns: "ordered again" as 2 / 3 / 2; it is 27.96 / 30.53 / 29.81 % of
    279 / 190 / 104 customers whose window had ended (78 / 279 = 27.96 %, 58 / 190 = 30.53 %,
    31 / 104 = 29.81 %)."""
    text = table("nps-revenue", width)
    for category, share, base in (("promoter", "27.96", "279"), ("passive", "30.53", "190"),
                                  ("detractor", "29.81", "104")):
        rows = " ".join(line for line in text.splitlines() if line.startswith(category))
        assert share in rows and re.search(rf"\b{base}\b", rows), (category, text)


def test_a_real_terminal_gets_the_same_table():
    """Through a pseudo-terminal, COLUMNS=80: the width Rich is left to choose on a terminal."""
    run = run_cli_tty("orders", ORD, "--period", "month", env=_env(80))
    assert run.returncode == 0, run
    text = run.stdout.replace("\r\n", "\n")
    assert text == table("orders", 80)


# ------------------------------------------------------------------------------------------------
# what the tables promise (README): shown, not only in the JSON

def test_csat_mean_and_retention_counts_and_complaint_shares_are_shown():
    csat = table("csat", 80)
    assert "mean score" in csat
    retention = table("retention", 120)
    for word in ("active", "new", "returning"):
        assert word in retention
    complaints = table("complaints", 80)
    assert "share %" in complaints and "21.25" in complaints
    wide = on_terminal(160, *CASES["complaints"].args)
    assert "recurrent 67 · first 253 · customers with 2+ complaints 72" in wide


# ------------------------------------------------------------------------------------------------
# the fixed messages

@pytest.mark.parametrize("width", WIDTHS)
def test_benchmark_lines_say_which_way_is_better(width):
    ces = " ".join(table("ces", width).split())
    assert "excellent for ecommerce (good < 3, excellent ≤ 2; lower is better)" in ces
    assert "good > 3" not in ces
    nps = " ".join(table("nps", width).split())
    assert "good for ecommerce (good > 0, excellent > 50)" in nps
    csat = on_terminal(width, "csat", R, "--benchmark", "saas")
    assert "(good > 80, excellent > 90)" in " ".join(csat.split())


@pytest.mark.parametrize("width", WIDTHS)
def test_cohort_headline_n_is_the_customers_its_value_comes_from(width):
    """The +1 share pools the cohorts seen one quarter later: 1,352 customers in all, of whom
    the 217 of the 2025-Q4 cohort (its first quarter is the last) have no +1 quarter yet;
    n = 1,352 - 217 = 1,135, of whom 433 ordered again: 38.1 % (the old headline said
    n=1,352)."""
    data = as_json(CASES["cohorts"].args)
    assert (data["n"], data["customers"], data["value"]) == (1135, 1352, 38.1)
    assert data["counts"] == {"retained": 433, "not_retained": 702}
    last = data["groups"][-1]
    assert (last["key"]["cohort"], last["n"], last["value"]) == ("2025-Q4", 217, None)
    assert sum(g["n"] for g in data["groups"] if g["value"] is not None) == data["n"]
    text = " ".join(table("cohorts", width).split())
    assert "Cohort retention +1 % 38.1 (35.4 – 41.0) n=1,135" in text
    assert "n=1,352" not in text
    assert ("the other 217 of the 1,352 customers are in cohorts with no +1 quarter yet "
            "(2025-Q4)") in text


@pytest.mark.parametrize("width", WIDTHS)
def test_clv_says_the_margin_and_churn_it_rests_on(width):
    text = " ".join(table("clv", width).split())
    assert "assumed: margin 100% (no --margin given)" in text
    assert "measured: annual churn 65.53% = 460 of the 702 customers" in text
    assert ("CLV (formula) = AOV 70.11 x 3.09 orders per customer per year x margin 100% x "
            "lifetime 1.53 years (1 / annual churn 65.53%)") in text
    given = " ".join(table("clv-top", width).split())
    assert "margin 35% (--margin)" in given and "assumed" not in given
    churn = " ".join(on_terminal(width, "clv", ORD, "--churn", "40%").split())
    assert "annual churn 40.00% (--churn)" in churn and "measured" not in churn
    assert "assumed: margin 100%" in churn
