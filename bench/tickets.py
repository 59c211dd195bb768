"""Ticket workloads of bench/run.py (bench/tickets_duckdb.py): by ISO week x channel, resolution
time, FCR by each of cxkit's three rules, SLA attainment; the backlog at an as-of time."""

from dataclasses import replace

from common import FILE, Workload

WEEKLY = ("--period", "week", "--by", "channel", "--format", "json")
SLA_HOURS = "4"
AS_OF = "2025-07-01 00:00:00"
FCR = {"fcr": ("n", "value", "first_contact", "not_first_contact")}
# the FCR rule cxkit uses: the flag column, else contacts (and reopens), else repeat tickets
FCR_RULES = {
    "fcr_flag": ("the export's flag column (fcr_flag)", ("--column", "fcr=fcr_flag")),
    "fcr_contacts": ("contacts <= 1 and no reopen", ("--column", "contacts=agent_touches")),
    "fcr_repeat": ("no repeat ticket within 7 days (customer, category)", ()),
}

_WORKLOADS = [
    Workload("resolution", "tickets", "resolution time mean/median/p90 by ISO week x channel",
             ("tickets", FILE, "--kpi", "resolution_time", *WEEKLY),
             ("tickets_duckdb.py", "resolution", FILE),
             {"resolution_time": ("n", "value", "median", "p90")},
             {"value": 2, "median": 2, "p90": 2}),
    *(Workload(name, "tickets", f"FCR by {rule}, by ISO week x channel",
               ("tickets", FILE, "--kpi", "fcr", *flags, *WEEKLY),
               ("tickets_duckdb.py", name, FILE), FCR, {"value": 1})
      for name, (rule, flags) in FCR_RULES.items()),
    Workload("sla", "tickets", f"first-response SLA ({SLA_HOURS} h) by ISO week x channel",
             ("tickets", FILE, "--kpi", "sla_first_response", "--sla-first-response",
              f"{SLA_HOURS}h", *WEEKLY),
             ("tickets_duckdb.py", "sla", FILE, SLA_HOURS),
             {"sla_first_response": ("n", "value", "within", "breached")}, {"value": 1}),
    Workload("backlog", "tickets", f"backlog at {AS_OF} by channel",
             ("tickets", FILE, "--kpi", "backlog", "--as-of", AS_OF, "--by", "channel",
              "--format", "json"),
             ("tickets_duckdb.py", "backlog", FILE, AS_OF),
             {"backlog": ("n", "under_1d", "1_3d", "3_7d", "over_7d", "mean_age_hours",
                          "median_age_hours", "max_age_hours")},
             {"mean_age_hours": 2, "median_age_hours": 2, "max_age_hours": 2}),
]
# the same queries in plain Polars (--polars): bench/tickets_polars.py takes DuckDB's arguments
WORKLOADS = [replace(w, polars=("tickets_polars.py", *w.duckdb[1:])) for w in _WORKLOADS]
