"""Ticket KPIs with DuckDB, as cxkit computes them.

    python bench/tickets_duckdb.py resolution|fcr_flag|fcr_contacts|fcr_repeat FILE
    python bench/tickets_duckdb.py sla FILE HOURS
    python bench/tickets_duckdb.py backlog FILE 'YYYY-MM-DD HH:MM:SS'

Resolved: the status (any case) is one of cxkit's resolved words, or it is blank and the ticket
has a resolution time. Durations in hours: (end - start) in microseconds / 3.6e9; negative ones
are dropped. Week: ISO week of created_at (%G-W%V). By channel and week, plus the headline:
- resolution: resolved tickets with a resolution time >= 0: n, mean (value), median and p90
  (linear interpolation: quantile_cont).
- fcr_flag / fcr_contacts / fcr_repeat (resolved tickets): first_contact / not_first_contact
  by the flag column (fcr_flag: yes/true/1... vs no/false/0), by contacts <= 1 and no reopen
  (agent_touches, reopens), or by no other ticket of the same customer and category within
  7 days after it (lead() over customer and category ordered by created_at).
- sla: first response - created <= HOURS: within, > HOURS: breached, over the tickets with a
  first response time >= 0.
- backlog (by channel only): created by the as-of time and not resolved by then; n, the four
  age buckets, mean, median, max age in hours.
"""

import sys

from duck import emit, rows, source, words

RESOLVED = ["solved", "closed", "resolved", "résolu", "resolu", "fermé", "ferme", "clos",
            "clôturé", "cloture", "done", "4", "5"]
TRUE = ["1", "true", "yes", "y", "oui", "vrai", "x"]
FALSE = ["0", "false", "no", "n", "non", "faux"]
BUCKETS = {"under_1d": (0, 24), "1_3d": (24, 72), "3_7d": (72, 168), "over_7d": (168, None)}

kpi, path, *rest = sys.argv[1:]
text = ("ticket_id", "customer_id", "status", "channel", "category", "fcr_flag")
base = f"""
    SELECT trim(channel) AS channel, trim(customer_id) AS customer, trim(category) AS category,
           CAST(created_at AS TIMESTAMP) AS created,
           CAST(first_response_at AS TIMESTAMP) AS answered,
           CAST(resolved_at AS TIMESTAMP) AS closed_at,
           coalesce(lower(trim(status)) IN ({words(RESOLVED)})
                    OR (status IS NULL AND resolved_at IS NOT NULL), false) AS resolved,
           lower(trim(fcr_flag)) AS flag,
           TRY_CAST(trim(CAST(agent_touches AS VARCHAR)) AS DOUBLE) AS contacts,
           TRY_CAST(trim(CAST(reopens AS VARCHAR)) AS DOUBLE) AS reopens
    FROM {source(path, text)}
"""


def hours(end: str, start: str) -> str:
    return f"(epoch_us({end}) - epoch_us({start})) / 3600000000"


def by_week(select: str, sums: str, where: str = "true", extra_cte: str = "") -> list[dict]:
    return rows(f"""
        WITH t AS ({base}), {extra_cte} x AS (
            SELECT channel, strftime(created, '%G-W%V') AS period, {select} FROM {
                'r' if extra_cte else 't'} WHERE created IS NOT NULL AND {where}
        )
        SELECT grouping(channel) AS overall, channel, period, {sums}
        FROM x GROUP BY GROUPING SETS ((channel, period), ())
    """)


def key(r: dict, week: bool = True) -> str:
    return "*" if r["overall"] else r["channel"] + (f"|{r['period']}" if week else "")


def share(found: list[dict], yes: str, no: str) -> dict:
    return {key(r): {"n": r["yes"] + r["no"], yes: r["yes"], no: r["no"],
                     "value": 100 * r["yes"] / (r["yes"] + r["no"])}
            for r in found if r["yes"] + r["no"]}


if kpi == "resolution":
    found = by_week(f"{hours('closed_at', 'created')} AS h",
                    "count(*) AS n, avg(h) AS mean, quantile_cont(h, 0.5) AS median, "
                    "quantile_cont(h, 0.9) AS p90",
                    "resolved AND closed_at IS NOT NULL AND closed_at >= created")
    emit({key(r): {"n": r["n"], "value": r["mean"], "median": r["median"], "p90": r["p90"]}
          for r in found})
elif kpi.startswith("fcr_"):
    rule = {
        "fcr_flag": (f"flag IN ({words(TRUE)})", f"flag IN ({words(FALSE)})"),
        "fcr_contacts": ("contacts <= 1 AND NOT coalesce(reopens >= 1, false)",
                         "contacts > 1 OR coalesce(reopens >= 1, false)"),
        "fcr_repeat": ("NOT repeat", "repeat"),
    }[kpi]
    # the next ticket of the same customer in the same category, within 7 days after this one
    repeats = f"""r AS (
        SELECT *, CASE WHEN customer IS NULL OR created IS NULL THEN NULL ELSE coalesce(
            {hours('lead(created) OVER (PARTITION BY customer, category ORDER BY created)',
                   'created')} <= 168, false) END AS repeat
        FROM t
    ),""" if kpi == "fcr_repeat" else ""
    found = by_week(f"resolved AND ({rule[0]}) AS yes, resolved AND ({rule[1]}) AS no",
                    "count(*) FILTER (yes) AS yes, count(*) FILTER (no) AS no",
                    extra_cte=repeats)
    emit(share(found, "first_contact", "not_first_contact"))
elif kpi == "sla":
    target = float(rest[0])
    frt = hours("answered", "created")
    found = by_week(f"{frt} AS h",
                    f"count(*) FILTER (h <= {target}) AS yes, count(*) FILTER (h > {target}) AS no",
                    f"answered IS NOT NULL AND {frt} >= 0")
    emit(share(found, "within", "breached"))
elif kpi == "backlog":
    as_of = f"TIMESTAMP '{rest[0]}'"
    cuts = ", ".join(
        f"count(*) FILTER (age >= {lo}" + (f" AND age < {hi}" if hi else "") + f") AS \"{name}\""
        for name, (lo, hi) in BUCKETS.items())
    found = rows(f"""
        WITH t AS ({base}), x AS (
            SELECT channel, {hours(as_of, 'created')} AS age FROM t
            WHERE created <= {as_of}
              AND NOT (resolved AND (closed_at IS NULL OR closed_at <= {as_of}))
        )
        SELECT grouping(channel) AS overall, channel, count(*) AS n, {cuts},
               avg(age) AS mean, quantile_cont(age, 0.5) AS median, max(age) AS max
        FROM x GROUP BY GROUPING SETS ((channel), ())
    """)
    emit({key(r, week=False): {"n": r["n"], **{b: r[b] for b in BUCKETS},
                               "mean_age_hours": r["mean"], "median_age_hours": r["median"],
                               "max_age_hours": r["max"]} for r in found})
else:
    sys.exit(f"unknown KPI {kpi}")
