"""A small hand-made Report for renderer tests: each card and section kind, hostile text too."""

from cxkit.kpi.report import Report, Section, Source
from cxkit.kpi.result import Group, KpiResult

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def make_report() -> Report:
    nps = KpiResult(
        kpi="nps", value=28.456, n=120, ci=(15.2, 41.7),
        counts={"promoters": 60, "passives": 34, "detractors": 26},
        dropped={"missing": 3, "invalid": 1}, rule="promoters 9-10 ...",
        extra={"source": "responses"},
        trend=[{"period": "2025-10", "value": 20.0, "n": 40},
               {"period": "2025-11", "value": 25.0, "n": 40},
               {"period": "2025-12", "value": 40.0, "n": 40}],
        change=15.0, significant=False,
        benchmark={"sector": "ecommerce", "good": 0.0, "excellent": 50.0, "status": "good"},
    )
    frt = KpiResult(
        kpi="first_response_time", value=5.25, n=300, ci=(4.5, 6.0), counts={},
        dropped={"no_response": 12}, rule="mean hours", digits=2,
        extra={"source": "tickets", "median": 3.1, "p90": 12.4},
        trend=[{"period": "2025-11", "value": 6.0, "n": 150},
               {"period": "2025-12", "value": 4.5, "n": 150}],
        change=-1.5, significant=True,
    )
    aov = KpiResult(
        kpi="aov", value=70.11, n=8369, ci=(68.94, 71.29), counts={}, dropped={"cancelled": 5},
        rule="revenue / orders", digits=2, extra={"source": "orders", "median": 55.0},
        groups=[Group(key={"channel": "web"}, value=71.0, n=5000, ci=None, counts={})],
    )
    return Report(
        title="CX report",
        period="month",
        sources=[Source("responses", ["r.csv"], 124, {"nps_score": "nps"}),
                 Source("tickets", ["t.csv"], 312, {"created_at": "Created at"}),
                 Source("orders", ["o.csv"], 8374, {"amount": "amount"})],
        kpis=[nps, frt, aov],
        sections=[
            Section("nps_by_channel", "NPS by channel", ["channel", "NPS", "n"],
                    [["email", 30.5, 80], [SCRIPT, -10.0, 40]], note="segments of responses"),
            Section("cohort_retention", "Cohort retention", ["cohort", "customers", "+0", "+1",
                                                             "+2"],
                    [["2025-10", 100, 100.0, 40.0, 35.5], ["2025-11", 80, 100.0, 38.8, None],
                     ["2025-12", 50, 100.0, None, None]], kind="heatmap"),
            Section("followup", "Follow-up list", ["customer_id", "name", "score", "comment",
                                                    "answered", "revenue_to_date"],
                    [["C1", FORMULA, 2, SCRIPT, "2025-12-01", 250.0],
                     ["C2", "@SUM(A1:A2)", 7, "-2+3 fine", "2025-12-02", 10.0]], digits=2),
        ],
        notices=["responses: 3 customer ids differ only in case or spaces from orders"],
        first="2025-10-01", last="2025-12-31", last_period="2025-12",
    )
