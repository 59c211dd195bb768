"""NPS by channel and month with pandas (bench/run.py --pandas); prints bench/duck.py's shape.

python bench/nps_pandas.py FILE.csv|FILE.parquet
"""

import json
import sys

import pandas as pd

path = sys.argv[1]
columns = ["responded_at", "channel", "nps_score"]
if path.endswith(".parquet"):
    df = pd.read_parquet(path, columns=columns)
else:
    df = pd.read_csv(path, usecols=columns)

stamps = df["responded_at"]
if not pd.api.types.is_datetime64_any_dtype(stamps):
    stamps = pd.to_datetime(stamps, format="%Y-%m-%d %H:%M:%S")
score = pd.to_numeric(df["nps_score"], errors="coerce")
valid = score.between(0, 10) & (score % 1 == 0) & stamps.notna()
frame = pd.DataFrame(
    {
        "channel": df["channel"],
        "period": stamps.dt.strftime("%Y-%m"),
        "promoter": score >= 9,
        "detractor": score <= 6,
    }
)[valid]
counts = frame.groupby(["channel", "period"]).agg(
    n=("promoter", "size"), promoters=("promoter", "sum"), detractors=("detractor", "sum")
)
total = counts.sum()
out = {}
for key, row in [("*", total), *((f"{c}|{p}", row) for (c, p), row in counts.iterrows())]:
    n, p, d = int(row.n), int(row.promoters), int(row.detractors)
    out[key] = {"n": n, "promoters": p, "detractors": d, "value": 100 * (p - d) / n}
print(json.dumps(out))
