"""Reference NPS per (channel, month) with pandas; prints JSON groups to stdout.

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
valid = score.between(0, 10) & (score % 1 == 0)
frame = pd.DataFrame(
    {
        "channel": df["channel"],
        "year": stamps.dt.year,
        "month": stamps.dt.month,
        "promoter": score >= 9,
        "detractor": score <= 6,
    }
)[valid]
counts = frame.groupby(["channel", "year", "month"]).agg(
    n=("promoter", "size"), p=("promoter", "sum"), d=("detractor", "sum")
)
groups = [
    {
        "key": {"channel": channel, "period": f"{year}-{month:02d}"},
        "n": int(row.n),
        "value": 100 * (int(row.p) - int(row.d)) / int(row.n),
    }
    for (channel, year, month), row in counts.iterrows()
]
print(json.dumps({"groups": groups}))
