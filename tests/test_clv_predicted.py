"""`cxkit clv --model bgnbd` through the CLI (cxkit/cli/clv_model.py): every output format, the
per-customer scores read back, --value, thresholds, the data gates and the options.

The model figures are the published CDNOW ones (Fader, Hardie & Lee 2005; the fits themselves are
tested in tests/test_models.py); the CLI must carry them to every format unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import cxkit_in_process, cxkit_json

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
CAL = ("--model", "bgnbd", "--calibration-end", "1997-09-30")


def test_json_carries_the_published_fit_and_the_holdout(capsys):
    r, _ = cxkit_json(capsys, "clv", CDNOW, *CAL)
    assert (r["kpi"], r["n"], r["value"]) == ("clv_predicted", 2357, 32.12)
    assert {k: r["model"]["bg_nbd"][k] for k in ("r", "alpha", "a", "b")} == {
        "r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(r["model"]["bg_nbd"]["log_likelihood"], 1) == -9582.4
    gg = r["model"]["gamma_gamma"]
    assert (round(gg["p"], 2), round(gg["q"], 2), round(gg["gamma"], 2), gg["n"]) == (
        6.25, 3.74, 15.44, 946)
    # 1997-10-01 .. 1998-06-30: 39 weeks, 1,882 repeat purchases happened
    h = r["holdout"]
    assert (h["start"], h["end"], h["periods"], h["actual_repeat_purchases"]) == (
        "1997-10-01", "1998-06-30", 39, 1882)
    assert len(h["per_period"]) == 39 and sum(p["actual"] for p in h["per_period"]) == 1882
    assert (r["horizon"], r["margin"], r["discount"]) == (52, 1.0, 0.0)
    assert "margin 100% (revenue, not profit): pass --margin" in r["rule"]


def test_value_and_thresholds(capsys):
    run = cxkit_in_process(capsys, "clv", CDNOW, *CAL, "--value")
    assert (run.returncode, run.stdout) == (0, "32.12\n")
    run = cxkit_in_process(capsys, "clv", CDNOW, *CAL, "--fail-under", "40")
    assert run.returncode == 3
    assert "clv_predicted 32.12 is under --fail-under 40" in run.stderr
    # a margin scales CLV: 35 % of 32.12 = 11.24 (CLV = margin x purchases x spend)
    run = cxkit_in_process(capsys, "clv", CDNOW, *CAL, "--margin", "35%", "--value")
    assert float(run.stdout) == pytest.approx(32.12 * 0.35, abs=0.01)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "ndjson", "markdown", "table"])
def test_every_format_says_the_same_value(capsys, fmt):
    run = cxkit_in_process(capsys, "clv", CDNOW, *CAL, "-f", fmt)
    assert run.returncode == 0, run
    if fmt in ("csv", "tsv"):
        row = next(csv.DictReader(io.StringIO(run.stdout), delimiter="," if fmt == "csv"
                                  else "\t"))
        assert (row["value"], row["model_bg_nbd_r"], row["holdout_actual_repeat_purchases"]) \
            == ("32.12", "0.243", "1882")
    elif fmt == "ndjson":
        assert json.loads(run.stdout.splitlines()[0])["value"] == 32.12
    else:
        assert "32.12" in run.stdout


def test_customers_csv_reads_back(capsys, tmp_path):
    out = tmp_path / "scores.csv"
    run = cxkit_in_process(capsys, "clv", CDNOW, *CAL, "--customers", "-o", out)
    assert run.returncode == 0, run
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2357  # one row per modelled customer
    assert list(rows[0])[:4] == ["customer_id", "first_purchase", "last_purchase",
                                 "repeat_purchases"]
    clv = [float(r["clv"]) for r in rows]
    assert clv == sorted(clv, reverse=True)  # most valuable first
    assert all(0 <= float(r["p_alive"]) <= 1 for r in rows)
    # the scores add up to the headline: the mean CLV per modelled customer
    assert sum(clv) / len(clv) == pytest.approx(32.12, abs=0.01)
    top = cxkit_in_process(capsys, "clv", CDNOW, *CAL, "--customers", "--top", "3", "-f", "csv")
    assert [r["customer_id"] for r in csv.DictReader(io.StringIO(top.stdout))] == [
        r["customer_id"] for r in rows[:3]]


def test_customer_ids_from_the_data_are_neutralised(capsys, tmp_path):
    # customer 1 renamed to a formula: its row must not run in a spreadsheet
    text = CDNOW.read_text(encoding="utf-8").replace("\n1,", '\n"=HYPERLINK(""x"")",')
    path = tmp_path / "hostile.csv"
    path.write_text(text, encoding="utf-8")
    run = cxkit_in_process(capsys, "clv", path, *CAL, "--customers", "-f", "csv")
    ids = {r["customer_id"] for r in csv.DictReader(io.StringIO(run.stdout))}
    assert "'=HYPERLINK(\"x\")" in ids and '=HYPERLINK("x")' not in ids
    js = json.loads(cxkit_in_process(capsys, "clv", path, *CAL, "--customers", "-f",
                                     "json").stdout)
    assert '=HYPERLINK("x")' in {c["customer_id"] for c in js["customers"]}  # JSON: as it is


def test_segments_horizon_and_discount(capsys, tmp_path):
    # a segment column: odd and even customer ids; each segment's mean CLV, weighted by its
    # customers, is the headline
    lines = CDNOW.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",segment"] + [
        ln + ("," + ("odd" if int(ln.split(",")[0]) % 2 else "even")) for ln in lines[1:]]
    path = tmp_path / "seg.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r, _ = cxkit_json(capsys, "clv", path, *CAL, "--by", "segment")
    groups = {g["key"]["segment"]: g for g in r["groups"]}
    assert set(groups) == {"odd", "even"}
    weighted = sum(g["value"] * g["n"] for g in groups.values()) / r["n"]
    assert weighted == pytest.approx(r["value"], abs=0.01)
    longer, _ = cxkit_json(capsys, "clv", CDNOW, *CAL, "--horizon", "104w")
    discounted, _ = cxkit_json(capsys, "clv", CDNOW, *CAL, "--discount", "10%")
    assert longer["horizon"] == 104 and longer["value"] > r["value"]
    assert discounted["discount"] == 0.1 and discounted["value"] < r["value"]


def test_too_few_customers_is_no_number_with_the_reason(capsys, tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("customer_id,ordered_at,amount\n1,2025-01-05,10\n1,2025-02-05,12\n"
                    "2,2025-01-09,30\n")
    run = cxkit_in_process(capsys, "clv", path, "--model", "bgnbd", "-f", "json")
    assert run.returncode == 0, run
    r = json.loads(run.stdout)
    assert r["value"] is None
    assert r["rule"].startswith("not computed: 2 customers")
    assert "predictive CLV not computed" in run.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--calibration-end", "1997-09-30"), "--calibration-end goes with --model bgnbd"),
    (("--customers",), "--customers goes with --model bgnbd"),
    (("--model", "bgnbd", "--kpi", "clv"), "--kpi goes with the historical CLV"),
    (("--model", "bgnbd", "--discount", "lots"), "--discount 'lots'"),
    (("--model", "bgnbd", "--horizon", "soon"), "--horizon 'soon'"),
])
def test_option_mistakes(capsys, args, message):
    run = cxkit_in_process(capsys, "clv", CDNOW, *args)
    assert run.returncode == 2, run
    assert message in run.stderr
