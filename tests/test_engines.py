"""One KPI definition on every engine (KPIS.md "Past one machine").

The parity bodies run each covered KPI on the same typed tables through DuckDB and Spark and
compare the whole JSON with the Polars engine's, numbers to 1e-9 (as Narwhals' own suite runs
one body on every backend). Each body is a `case_*` function of the engine: DuckDB runs each as
its own test; Spark runs a handful of them in ONE test, so that one worker starts one local
session for the whole run whatever pytest-xdist does (its --dist loadgroup does not group
tests on pytest 9: it renames `item._nodeid`, which pytest 9 no longer reads). The known gaps
between engines each have their own body.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import time
from datetime import date, datetime, timedelta

import pytest
from conftest import cxkit_in_process, cxkit_json

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(engine: str) -> str | None:
    """Why `engine` cannot run here (None: it can)."""
    module = {"duckdb": "duckdb", "spark": "pyspark"}[engine]
    try:
        __import__(module)
        __import__("narwhals")
    except ImportError:
        return f"{module} is not installed (pip install -e '.[{engine}]')"
    if engine == "spark" and not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        return "no Java on this machine (Spark needs Java 17)"
    return None


def needs(engine: str):
    """Skip without the engine, except on CI (`make test` installs it there: a failure)."""
    why = _missing(engine)
    return pytest.mark.skipif(bool(why) and not ON_CI, reason=why or "")


def same(a, b, path="$"):
    """The two JSON values are equal, numbers to 1e-9 (relative), null where null."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        assert a == b, f"{path}: {a!r} != {b!r}"
    elif isinstance(a, int | float) and isinstance(b, int | float):
        assert not (isinstance(a, float) and math.isnan(a)), f"{path}: NaN"
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


# --- typed test tables, written once per session (per xdist worker) --------------------------

LABELS = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied", None]


def _responses(n: int = 1500):
    import polars as pl

    rng = random.Random(18)
    start = datetime(2024, 12, 1)
    return pl.DataFrame({
        "response_id": [f"R{i:05d}" for i in range(n)],
        "responded_at": [start + timedelta(minutes=rng.randrange(0, 60 * 24 * 200))
                         if rng.random() > 0.02 else None for _ in range(n)],
        "channel": [rng.choice(["email", "app", "web", None]) for _ in range(n)],
        "region": [rng.choice(["EU", "US"]) for _ in range(n)],
        "nps": [rng.choice([None, 0, 2, 5, 6, 7, 8, 9, 10, 10, 9, 11]) for _ in range(n)],
        "csat": [rng.choice([None, 1, 2, 3, 4, 5, 5]) for _ in range(n)],
        "ces": [rng.choice([None, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 2.5]) for _ in range(n)],
        "satisfaction_text": [rng.choice(LABELS) for _ in range(n)],
    }, schema_overrides={"responded_at": pl.Datetime("us")})


STATUSES = ["paid", "Paid", "wc-completed", "Cancelled", "pending", "refunded",
            "partially-refunded", "abandoned", "failed", None]


def _orders(n: int = 2500):
    # amounts are multiples of 0.25 (exact in binary): sums in any order are the same number
    import polars as pl

    rng = random.Random(1820)
    start = datetime(2024, 1, 1)
    return pl.DataFrame({
        "order_id": [f"O{i:05d}" if i % 700 else "O00001" for i in range(n)],
        # some ids blank (empty, or spaces only): no customer, as a missing id
        "customer_id": [(f"C{rng.randrange(350):04d}" if rng.random() > 0.03 else None)
                        if i % 41 else ["", "  "][i % 2] for i in range(n)],
        "ordered_at": [start + timedelta(minutes=rng.randrange(0, 60 * 24 * 540))
                       if rng.random() > 0.01 else None for _ in range(n)],
        "amount": [rng.randrange(1, 800) * 0.25 if rng.random() > 0.02 else None
                   for _ in range(n)],
        "refunded_amount": [rng.choice([0.0, 0.0, 0.0, 0.0, 5.0, None]) for _ in range(n)],
        "status": [rng.choice(STATUSES) for _ in range(n)],
        "channel": [rng.choice(["web", "app", "store"]) for _ in range(n)],
    }, schema_overrides={"ordered_at": pl.Datetime("us")})


def _tickets(n: int = 2000):
    # times to the second, each created_at distinct: the repeat-contact window orders tickets
    # by creation time, and ties would be broken differently by each engine
    import polars as pl

    rng = random.Random(1821)
    start = datetime(2025, 1, 1)
    seconds = rng.sample(range(86400 * 200), n)
    created = [start + timedelta(seconds=s) if rng.random() > 0.01 else None for s in seconds]

    def later(c, missing: float, scale: float):
        if c is None or rng.random() < missing:
            return None
        if rng.random() < 0.01:
            return c - timedelta(hours=1)  # resolved before created: negative, dropped
        return c + timedelta(seconds=int(rng.expovariate(1 / scale)))

    # some ids blank (empty, or spaces only): no customer, as a missing id
    return pl.DataFrame({
        "ticket_id": [f"T{i:05d}" for i in range(n)],
        "customer_id": [(f"C{rng.randrange(500):04d}" if rng.random() > 0.05 else None)
                        if i % 37 else ["", "  "][i % 2] for i in range(n)],
        "created_at": created,
        "first_response_at": [later(c, 0.1, 3600 * 5) for c in created],
        "resolved_at": [later(c, 0.25, 3600 * 40) for c in created],
        "status": [rng.choice(["Solved", "closed", "open", "pending", "Resolved", None])
                   for _ in range(n)],
        "reopens": [rng.choice([0, 0, 0, 1, 2, None]) for _ in range(n)],
        "contacts": [rng.choice([1, 1, 2, 3, None]) for _ in range(n)],
        "category": [rng.choice(["billing", "delivery", "other"]) for _ in range(n)],
        "channel": [rng.choice(["email", "chat", "phone"]) for _ in range(n)],
    }, schema_overrides={c: pl.Datetime("us") for c in ("created_at", "first_response_at",
                                                          "resolved_at")})


@pytest.fixture(scope="session")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    paths = {k: folder / f"{k}.parquet" for k in ("responses", "orders", "tickets",
                                                   "tickets_by_repeat")}
    _responses().write_parquet(paths["responses"])
    _orders().write_parquet(paths["orders"])
    tickets = _tickets()
    tickets.write_parquet(paths["tickets"])
    tickets.drop("contacts").write_parquet(paths["tickets_by_repeat"])
    return paths


def parity(capsys, engine: str, command: str, path, *args):
    """The JSON of the command on `engine` equals the Polars engine's; returns it."""
    base, _ = cxkit_json(capsys, command, path, *args)
    other, _ = cxkit_json(capsys, command, path, *args, "--engine", engine)
    same(base, other)
    return other


def _source(engine: str, path):
    """A Source on `engine` (Polars: a Narwhals frame over scan_parquet)."""
    from cxkit.engines import Source, open_table

    if engine == "polars":
        import narwhals as nw
        import polars as pl

        lf = nw.from_native(pl.scan_parquet(path))
        schema = dict(lf.collect_schema())
        return Source("polars", lf, str(path), list(schema), schema)
    return open_table(engine, [str(path)])


# --- the bodies: each takes (capsys, tables, a fresh folder, engine) ---------------------------

SURVEYS = {
    "nps_by_channel_and_week": ("nps", "--period", "week", "--by", "channel"),
    "nps_by_channel_and_month": ("nps", "--period", "month", "--by", "channel"),
    "nps_since_until": ("nps", "--period", "week", "--since", "2025-01-01", "--until",
                        "2025-05-31"),
    "csat_by_region_and_week": ("csat", "--by", "region", "--period", "week"),
    "csat_from_labels": ("csat", "--score", "satisfaction_text", "--by", "channel"),
    "ces_by_quarter": ("ces", "--period", "quarter", "--by", "channel"),
    "nps_change_explained": ("nps", "--period", "month", "--explain", "channel"),
    "csat_versus_a_control": ("csat", "--by", "channel", "--versus", "email"),
}


def _survey_case(name: str):
    command, *args = SURVEYS[name]

    def case(capsys, tables, folder, engine):
        out = parity(capsys, engine, command, tables["responses"], *args)
        assert out["kpi"].startswith(command)
        if name == "nps_by_channel_and_week":
            assert out["groups"] and out["dropped"]["out_of_range"] > 0  # the 11s
    return case


ORDERS = {
    "orders_by_channel_and_month": ("orders", "--period", "month", "--by", "channel"),
    "orders_all_kpis": ("orders",),
    "aov_by_week_since_until": ("orders", "--kpi", "aov", "--period", "week", "--since",
                                "2024-03-01", "--until", "2025-02-28"),
    "clv_historical_formula_top": ("clv", "--by", "channel", "--top", "5", "--margin", "30%"),
    "retention_by_month": ("retention", "--period", "month"),
    "retention_inactivity": ("retention", "--period", "quarter", "--inactive-after", "60d"),
    "cohorts_by_week": ("retention", "--period", "week", "--cohorts"),
    "cohorts_since": ("retention", "--period", "month", "--cohorts", "--since", "2024-03-01",
                      "--until", "2025-03-31"),
}


def _orders_case(name: str):
    command, *args = ORDERS[name]

    def case(capsys, tables, folder, engine):
        out = parity(capsys, engine, command, tables["orders"], *args)
        kpis = out.get("kpis", [out])
        assert all(k["rule"] for k in kpis)
    return case


def case_hand_checked_orders(capsys, tables, folder, engine):
    import polars as pl

    # completed: A 10 and 20 (paid), C 40 (refunded counts as completed, and as returned);
    # B 30 cancelled. orders 3, revenue 70, AOV 70 / 3 = 23.33, customers 2 (A, C),
    # repeat 1 of 2 = 50 %, returns 1 of 3 = 33.3 %, CLV (30 + 40) / 2 = 35
    path = folder / "orders.parquet"
    pl.DataFrame({"order_id": ["1", "2", "3", "4"], "customer_id": ["A", "A", "B", "C"],
                  "ordered_at": [datetime(2025, 1, d) for d in (1, 2, 3, 4)],
                  "amount": [10.0, 20.0, 30.0, 40.0],
                  "status": ["paid", "paid", "cancelled", "refunded"]}).write_parquet(path)
    out, _ = cxkit_json(capsys, "orders", path, "--engine", engine)
    got = {k["kpi"]: k["value"] for k in out["kpis"]}
    assert (got["orders"], got["revenue"], got["aov"], got["customers"]) == (3, 70.0, 23.33, 2)
    assert (got["repeat_purchase_rate"], got["return_rate"], got["clv"]) == (50.0, 33.3, 35.0)


TICKETS = {
    "tickets_all_kpis_by_channel": ("tickets", "--by", "channel", "--sla-first-response", "4h",
                                    "--sla-resolution", "48h"),
    "tickets_by_week": ("tickets", "--period", "week", "--sla-resolution", "2d"),
    "resolution_time_since_until": ("tickets", "--kpi", "resolution_time", "--period", "month",
                                    "--by", "category", "--since", "2025-02-01", "--until",
                                    "2025-05-31"),
    "fcr_by_repeat_contact": ("tickets", "--kpi", "fcr", "--by", "channel"),
    # counts only: the finest level on the engine, the coarser re-summed (collect_levels)
    "sla_and_fcr_by_channel_and_week": ("tickets", "--kpi", "sla_first_response", "--kpi",
                                        "fcr", "--sla-first-response", "4h", "--period",
                                        "week", "--by", "channel"),
    "backlog_as_of": ("tickets", "--kpi", "backlog", "--as-of", "2025-05-01"),
}


def _tickets_case(name: str):
    command, *args = TICKETS[name]
    table = "tickets_by_repeat" if name == "fcr_by_repeat_contact" else "tickets"

    def case(capsys, tables, folder, engine):
        base, _ = cxkit_json(capsys, command, tables[table], *args)
        other, _ = cxkit_json(capsys, command, tables[table], *args, "--engine", engine)
        if "--period" in args and "kpis" in base:  # the backlog at period ends: Polars only
            skip = [k for k in other["kpis"] if k["kpi"] == "backlog"]
            assert skip[0]["rule"].startswith("not computed: the backlog at each period's end")
            base["kpis"] = [k for k in base["kpis"] if k["kpi"] != "backlog"]
            other["kpis"] = [k for k in other["kpis"] if k["kpi"] != "backlog"]
        same(base, other)
        if name == "fcr_by_repeat_contact":
            assert "no other ticket from the same customer in the same category" in other["rule"]
    return case


def case_hand_checked_ticket_times(capsys, tables, folder, engine):
    import polars as pl

    # resolved after 1, 2, 3 and 10 hours; one resolved before it was created (negative,
    # dropped); one open. mean (1 + 2 + 3 + 10) / 4 = 4; median (2 + 3) / 2 = 2.5;
    # p90 (linear): rank 0.9 * (4 - 1) = 2.7 -> 3 + 0.7 * (10 - 3) = 7.9
    t = datetime(2025, 3, 1, 8)
    path = folder / "tickets.parquet"
    pl.DataFrame({"ticket_id": ["1", "2", "3", "4", "5", "6"],
                  "created_at": [t] * 6,
                  "resolved_at": [t + timedelta(hours=h) for h in (1, 2, 3, 10, -1)] + [None],
                  "status": ["solved"] * 5 + ["open"]}).write_parquet(path)
    out, _ = cxkit_json(capsys, "tickets", path, "--kpi", "resolution_time", "--engine", engine)
    assert (out["value"], out["n"], out["median"], out["p90"]) == (4.0, 4, 2.5, 7.9)
    assert out["dropped"] == {"invalid_time": 0, "unresolved": 1, "negative": 1}


def case_approx_quantiles_say_so(capsys, tables, folder, engine):
    # the engine's approximate quantiles: the rule says so; the mean and n stay exact, the
    # median and p90 near the exact ones (T-Digest / percentile_approx on 1,400 durations)
    args = ("tickets", tables["tickets"], "--kpi", "resolution_time", "--by", "channel")
    exact, _ = cxkit_json(capsys, *args)
    approx, _ = cxkit_json(capsys, *args, "--engine", engine, "--approx-quantiles")
    assert "median and p90 approximate (" in approx["rule"] and "approx" not in exact["rule"]
    assert (approx["value"], approx["n"]) == (exact["value"], exact["n"])
    for a, e in zip([approx, *approx["groups"]], [exact, *exact["groups"]], strict=True):
        assert a["median"] == pytest.approx(e["median"], rel=0.05)
        assert a["p90"] == pytest.approx(e["p90"], rel=0.05)


def case_hand_checked_nps(capsys, tables, folder, engine):
    import polars as pl

    # scores 10, 9, 7, 3, null, 11 -> used 10, 9, 7, 3 (n 4): P 2, D 1 -> 100 * (2 - 1) / 4 = 25
    # dropped: missing 1 (null), out of range 1 (11)
    path = folder / "hand.parquet"
    pl.DataFrame({"nps": [10, 9, 7, 3, None, 11]}).write_parquet(path)
    out, _ = cxkit_json(capsys, "nps", path, "--engine", engine)
    assert (out["value"], out["n"]) == (25.0, 4)
    assert out["counts"] == {"promoters": 2, "passives": 1, "detractors": 1}
    assert out["dropped"] == {"missing": 1, "invalid": 0, "out_of_range": 1}


def case_week_and_other_periods_from_epoch_days(capsys, tables, folder, engine):
    # Narwhals' truncate has no week unit on every engine: periods are integer keys from the
    # year, month and day. ISO weeks start on Monday: Sun 2024-12-29 is in the week of Mon
    # 2024-12-23; Mon 2024-12-30 and Sun 2025-01-05 in the week of 2024-12-30 (2025-W01).
    import narwhals as nw
    import polars as pl

    from cxkit.engines import collect
    from cxkit.engines.typed import epoch_us, period_key, period_start

    days = [date(2024, 12, 29), date(2024, 12, 30), date(2025, 1, 5), date(2025, 1, 6),
            date(2024, 2, 29)]
    path = folder / "days.parquet"
    pl.DataFrame({"d": days, "t": [datetime(2025, 1, 6, 12, 30, 5, 250)] * 5}).write_parquet(path)
    src = _source(engine, path)
    periods = ("day", "week", "month", "quarter", "year")
    keys = collect(src, src.lf.select(*[period_key(nw.col("d"), p).alias(p) for p in periods],
                                      epoch_us(src, "t").alias("us")))
    keys = keys.sort("day")
    got = keys.select(period_start(pl.col(p), p).alias(p) for p in periods)
    assert got["day"].to_list() == sorted(days)
    assert got["week"].to_list() == [date(2024, 2, 26), date(2024, 12, 23), date(2024, 12, 30),
                                     date(2024, 12, 30), date(2025, 1, 6)]
    assert got["month"].to_list()[0] == date(2024, 2, 1)
    assert got["quarter"].to_list() == [date(2024, 1, 1)] + [date(2024, 10, 1)] * 2 + [
        date(2025, 1, 1)] * 2
    assert got["year"].to_list()[1] == date(2024, 1, 1)
    # 2025-01-06 12:30:05.000250 = 20094 days (2025-01-06 - 1970-01-01) * 86400 s + 45005 s
    assert keys["us"][0] == (20094 * 86400 + 45005) * 1_000_000 + 250


def case_epochs_as_columns(capsys, tables, folder, engine):
    # `with_epochs`: Spark's own unix_micros and unix_date, Narwhals arithmetic elsewhere.
    # 2025-01-01 is day 20089 (55 years of 365 days from 1970 and 14 leap days, 1972-2024):
    # 2025-01-06 12:30:05.000250 is day 20094, (20094 * 86400 + 45005) s and 250 us;
    # 1969-12-31 23:00 is day -1 and -3600 s; a zone-stamped 2025-01-31 23:30 in New York is
    # 2025-02-01 04:30 UTC: day 20120 (20089 + 31), (20120 * 86400 + 16200) s; the date
    # 1969-12-31 is day -1, -86400 s. Week keys from those days: the Mondays 2025-01-06 (20094),
    # 1969-12-29 (-3), 2025-01-27 (20115), 1969-12-29.
    import narwhals as nw
    import polars as pl

    from cxkit.engines import collect
    from cxkit.engines.typed import period_key, with_epochs

    path = folder / "epochs.parquet"
    pl.DataFrame({"i": [0, 1, 2, 3],
                  "t": [datetime(2025, 1, 6, 12, 30, 5, 250), datetime(1969, 12, 31, 23),
                        None, None],
                  "z": [None, None, datetime(2025, 1, 31, 23, 30), None],
                  "d": [None, None, None, date(1969, 12, 31)]}).with_columns(
        pl.col("z").dt.replace_time_zone("America/New_York")).write_parquet(path)
    src = _source(engine, path)
    lf = with_epochs(src, src.lf, {"t_us": "t", "z_us": "z", "d_us": "d"})
    lf = with_epochs(src, lf, {"t_d": "t", "z_d": "z", "d_d": "d"}, "days")
    got = collect(src, lf.select(
        "i", nw.coalesce("t_us", "z_us", "d_us").alias("us"), nw.coalesce("t_d", "z_d", "d_d")
        .alias("days"), period_key(nw.col("t"), "week", nw.coalesce("t_d", "z_d", "d_d"))
        .alias("week"))).sort("i")
    assert got["us"].to_list() == [(20094 * 86400 + 45005) * 1_000_000 + 250, -3600 * 1_000_000,
                                   (20120 * 86400 + 16200) * 1_000_000, -86400 * 1_000_000]
    assert got["days"].to_list() == [20094, -1, 20120, -1]
    assert got["week"].to_list() == [20094, -3, 20115, -3]


def case_zone_stamped_times_fall_on_their_utc_day(capsys, tables, folder, engine):
    # 2025-01-31 23:30 in New York is 2025-02-01 04:30 UTC: February on every engine (Spark and
    # DuckDB sessions run in UTC; Polars reads the instant in UTC)
    import polars as pl

    path = folder / "tz.parquet"
    at = datetime(2025, 1, 31, 23, 30)
    pl.DataFrame({"nps": [10, 0], "responded_at": [at, at - timedelta(days=10)]}).with_columns(
        pl.col("responded_at").dt.replace_time_zone("America/New_York")).write_parquet(path)
    out = parity(capsys, engine, "nps", path, "--period", "month")
    assert [(t["period"], t["value"]) for t in out["trend"]] == [("2025-01", -100.0),
                                                                ("2025-02", 100.0)]


def case_nulls_come_back_as_nulls_never_nan(capsys, tables, folder, engine):
    # Spark reads Parquet itself and returns Arrow: a null float is null, not NaN (pandas would
    # make it NaN); a NaN stays a NaN
    import polars as pl

    from cxkit.engines import collect

    path = folder / "nulls.parquet"
    pl.DataFrame({"x": [1.5, None, float("nan")], "s": ["a", None, "c"]}).write_parquet(path)
    src = _source(engine, path)
    got = collect(src, src.lf)
    assert got["x"].null_count() == 1 and got["x"].is_nan().sum() == 1
    assert got["s"].null_count() == 1


CASES = {
    **{name: _survey_case(name) for name in SURVEYS},
    **{name: _orders_case(name) for name in ORDERS},
    "hand_checked_orders": case_hand_checked_orders,
    **{name: _tickets_case(name) for name in TICKETS},
    "hand_checked_ticket_times": case_hand_checked_ticket_times,
    "approx_quantiles_say_so": case_approx_quantiles_say_so,
    "hand_checked_nps": case_hand_checked_nps,
    "week_and_other_periods_from_epoch_days": case_week_and_other_periods_from_epoch_days,
    "zone_stamped_times_fall_on_their_utc_day": case_zone_stamped_times_fall_on_their_utc_day,
    "epochs_as_columns": case_epochs_as_columns,
    "nulls_come_back_as_nulls_never_nan": case_nulls_come_back_as_nulls_never_nan,
}
# Spark: one session, a handful of queries (each parity case is two commands, one on Spark)
SPARK_CASES = ["nps_by_channel_and_week", "orders_all_kpis", "cohorts_by_week",
               "tickets_all_kpis_by_channel", "hand_checked_nps",
               "week_and_other_periods_from_epoch_days",
               "zone_stamped_times_fall_on_their_utc_day", "epochs_as_columns",
               "nulls_come_back_as_nulls_never_nan"]


@needs("duckdb")
@pytest.mark.parametrize("name", CASES)
def test_duckdb_matches_polars(capsys, tables, tmp_path, name):
    CASES[name](capsys, tables, tmp_path, "duckdb")


def test_the_week_keys_on_polars_too(capsys, tables, tmp_path):
    case_week_and_other_periods_from_epoch_days(capsys, tables, tmp_path, "polars")


@needs("spark")
def test_spark_matches_polars_in_one_session(capsys, tables, tmp_path):
    failed, timings = [], []
    for name in SPARK_CASES:
        folder = tmp_path / name
        folder.mkdir()
        start = time.perf_counter()
        try:
            CASES[name](capsys, tables, folder, "spark")
        except AssertionError as exc:  # every case runs; all failures are shown
            failed.append(f"{name}: {exc}")
        timings.append(f"{name} {time.perf_counter() - start:.1f}s")
    print("spark:", ", ".join(timings))
    assert not failed, "\n".join(failed)


# --- what is refused, and how ---------------------------------------------------------------

@needs("duckdb")
def test_typed_tables_need_typed_dates(capsys, tmp_path):
    import polars as pl

    path = tmp_path / "text_dates.parquet"
    pl.DataFrame({"nps": [9], "responded_at": ["2025-01-05"]}).write_parquet(path)
    run = cxkit_in_process(capsys, "nps", path, "--period", "month", "--engine", "duckdb")
    assert run.returncode == 65, run
    assert "'responded_at' (responded_at) is String, not a date or time" in run.stderr
    assert "--engine polars" in run.stderr


def test_engine_options_misused_are_usage_errors(capsys, tables):
    run = cxkit_in_process(capsys, "nps", "--table", "cx.responses")
    assert run.returncode == 2 and "--table needs --engine duckdb or --engine spark" in run.stderr
    run = cxkit_in_process(capsys, "nps", tables["responses"], "--engine", "duckdb",
                           "--spark-remote", "sc://localhost:15002")
    assert run.returncode == 2 and "--spark-remote needs --engine spark" in run.stderr
    run = cxkit_in_process(capsys, "nps", "--engine", "duckdb", "--by", "channel")
    assert run.returncode == 2 and "Missing argument 'FILE...'" in run.stderr
    run = cxkit_in_process(capsys, "tickets", tables["responses"], "--approx-quantiles")
    assert run.returncode == 2 and "--approx-quantiles needs --engine duckdb" in run.stderr


def test_a_missing_extra_names_the_pip_command(capsys, tables, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb raises ImportError
    run = cxkit_in_process(capsys, "nps", tables["responses"], "--engine", "duckdb")
    assert run.returncode == 2, run
    assert "--engine duckdb needs duckdb, which is not installed" in run.stderr
    assert "pip install 'cxkit[duckdb]'" in run.stderr


@needs("duckdb")
def test_a_missing_table_is_exit_66(capsys, tmp_path):
    run = cxkit_in_process(capsys, "nps", tmp_path / "none-*.parquet", "--engine", "duckdb")
    assert run.returncode == 66, run
    assert "cannot read on --engine duckdb" in run.stderr


@needs("duckdb")
def test_duckdb_reads_a_table_by_name(capsys, tables, tmp_path, monkeypatch):
    import duckdb

    from cxkit.engines import duckdb as engine

    db = tmp_path / "cx.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"CREATE TABLE responses AS SELECT * FROM '{tables['responses']}'")
    monkeypatch.setenv("CXKIT_DUCKDB", str(db))
    monkeypatch.setattr(engine, "_CON", [])
    base, _ = cxkit_json(capsys, "nps", tables["responses"], "--by", "channel")
    out, _ = cxkit_json(capsys, "nps", "--table", "responses", "--engine", "duckdb", "--by",
                        "channel")
    engine._CON.pop().close()
    same(base, out)


@needs("duckdb")
@pytest.mark.parametrize("command", ["nps", "retention"])
def test_a_value_the_engine_cannot_read_is_a_data_error(capsys, tmp_path, command):
    # DuckDB types a CSV column from its first 20,480 rows: a date that is not one on row
    # 30,002 fails while the query runs (nps: when collected; retention: when its rows are
    # materialized). Exit 65, one error line naming the file and the line (the header, 30,000
    # rows, then the bad one: line 30,002), its column and value, no traceback.
    path = tmp_path / f"{command}.csv"
    if command == "nps":
        rows = ["nps,responded_at"] + [f"{i % 11},2025-01-{1 + i % 28:02d}" for i in range(30_000)]
        rows.append("7,garbage")
    else:
        rows = ["order_id,customer_id,ordered_at,amount,status"] + [
            f"{i},C{i % 50},2025-01-{1 + i % 28:02d} 10:00:00,10.0,paid" for i in range(30_000)]
        rows.append("x,C1,garbage,10.0,paid")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = cxkit_in_process(capsys, command, path, "--engine", "duckdb", "--period", "month")
    assert run.returncode == 65, run
    assert run.stderr.startswith(f"cxkit: error: {path}: --engine duckdb failed: "), run
    assert "Line: 30002" in run.stderr and "Traceback" not in run.stderr
    # the column and the value from DuckDB's later lines, and what to do
    column, kind = ("responded_at", "DATE") if command == "nps" else ("ordered_at", "TIMESTAMP")
    assert f"column '{column}' has \"garbage\", not a {kind}" in run.stderr, run
    assert "fix: correct or blank that value, or run without --engine" in run.stderr
    assert run.stdout == ""


@needs("duckdb")
def test_retention_on_a_database_table_leaves_the_database_as_it_was(capsys, tables, tmp_path,
                                                                     monkeypatch):
    # retention computes its per-order frame once, as a TEMP table of the connection: the
    # database file is byte for byte as it was, and the numbers are Polars' on the same rows
    import hashlib

    import duckdb

    from cxkit.engines import duckdb as engine

    db = tmp_path / "shop.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"CREATE TABLE orders AS SELECT * FROM '{tables['orders']}'")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    monkeypatch.setenv("CXKIT_DUCKDB", str(db))
    monkeypatch.setattr(engine, "_CON", [])
    base, _ = cxkit_json(capsys, "retention", tables["orders"], "--period", "month")
    out, _ = cxkit_json(capsys, "retention", "--table", "orders", "--engine", "duckdb",
                        "--period", "month")
    engine._CON.pop().close()
    same(base, out)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not db.with_name(db.name + ".wal").exists()


@needs("duckdb")
@pytest.mark.parametrize("args", [
    ("clv", "--model", "bgnbd"),
    ("orders", "--kpi", "referral_rate"),
    ("orders", "--preset", "shopify"),
    ("orders", "--timezone", "Europe/Paris"),
    ("tickets", "--business-hours", "Mon-Fri 09:00-18:00"),
    ("tickets", "--kpi", "backlog", "--period", "week"),
    ("tickets", "--kpi", "csat"),
], ids=["clv --model bgnbd", "referral_rate", "--preset", "--timezone", "--business-hours",
        "backlog by period", "ticket csat"])
def test_what_an_engine_cannot_run_exits_2_naming_it(capsys, tables, args):
    table = tables["tickets" if args[0] == "tickets" else "orders"]
    run = cxkit_in_process(capsys, args[0], table, *args[1:], "--engine", "duckdb")
    assert run.returncode == 2, run
    assert "cannot run on --engine duckdb: " in run.stderr
    assert run.stdout == ""
