"""Generate the benchmark data sets in bench/data/: survey responses, tickets, orders.

    python bench/generate.py [--rows N] [--tickets N] [--orders N] [--big N]
                             [--only responses|tickets|orders|big] [--out DIR] [--force]

The shapes real exports have: timestamps as text in CSV (`YYYY-MM-DD HH:MM:SS`), text ids
(`C0001234`), a few blank, unreadable or out-of-range values.

- responses (--rows, default 10,000,000): responses.csv and .parquet; response_id,
  responded_at (over 2024-2025, roughly chronological), channel, region, nps_score (0-10),
  csat_score (1-5), ces_score (1-5); each score 1-2 % blank and 0.2 % out of its scale.
  Values come from hashing the row number (vectorised Polars, deterministic).
- big (--big, default 100,000,000): responses_big.parquet only, the same rows, one file.
- tickets (--tickets, default 5,000,000): tickets.csv and .parquet, created over 2025;
  lognormal durations, 0.1 % resolved before created, statuses in mixed case (`Solved`,
  `CLOSED`), customers C0000001.. with a category, `reopens`, and two columns a user points
  cxkit at: `fcr_flag` (yes/No/1/false..., 2 % blank) and `agent_touches` (contacts).
- orders (--orders, default 10,000,000): orders_1..4.csv (one export cut in four, no overlap),
  orders.parquet (native timestamps) and orders_text.parquet (timestamps stored as text).
  Orders per customer are heavy-tailed (Zipf, a = 2.1, capped at 5,000: ~80 % of customers
  order once or twice, a few hundred a thousand times or more; 10M orders: 2.36M customers,
  ~2.2M with a completed order, as predictive CLV models them), ids `C0001234`, 0.5 % guest
  orders without a customer, statuses in mixed case (`Paid`, `PAID`, `wc-completed`,
  `Cancelled`, `wc-on-hold`...). Seeded numpy draws; the order list (~0.5 GB) is built in memory
  and written in time order.

Every file is written in chunks of 1,000,000 rows (a Parquet writer per file), so memory stays
bounded whatever the size. bench/data/meta.json records what each set holds; a set whose
entry matches (rows and generator version) and whose files exist is reused unless --force.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

DATA_DIR = Path(__file__).resolve().parent / "data"
META = "meta.json"
CHUNK_ROWS = 1_000_000
CSV_TIME = "%Y-%m-%d %H:%M:%S"

# Responses: 2024-01-01 .. 2025-12-31.
RESPONSES_VERSION = 2
START = datetime(2024, 1, 1)
SPAN_SECONDS = 731 * 24 * 3600
CHANNELS = ["email", "web", "app", "phone", "store"]
REGIONS = ["France", "Germany", "UK", "Spain", "Benelux"]
CHANNEL_SHIFT = {"email": 0, "web": 0, "app": 1, "phone": -1, "store": 0}
# Cumulative distributions (per mille) of each score, lowest point first.
NPS_CDF = [20, 35, 55, 85, 125, 185, 265, 375, 535, 735, 1000]  # 0..10
CSAT_CDF = [50, 120, 250, 600, 1000]  # 1..5
CES_CDF = [350, 650, 820, 930, 1000]  # 1..5, 1 = least effort
# score column -> (lowest point, cdf, seed, blank per mille, value out of the scale)
SCORES = {
    "nps_score": (0, NPS_CDF, 2, 10, 11),
    "csat_score": (1, CSAT_CDF, 6, 20, 0),
    "ces_score": (1, CES_CDF, 8, 20, 6),
}

# Tickets: created over 2025 (ISO weeks 2025-W01 .. 2026-W01), roughly chronological.
TICKETS_VERSION = 2
TICKETS_SEED = 20250101
TICKETS_START = datetime(2025, 1, 1)
TICKETS_SPAN_SECONDS = 365 * 24 * 3600
TICKET_CHANNELS = {"email": 0.35, "chat": 0.25, "phone": 0.15, "web": 0.20, "social": 0.05}
RESOLUTION_MEDIAN_HOURS = 20.0  # lognormal, scaled a little per channel
RESOLUTION_SIGMA = 1.2
CHANNEL_SPEED = {"email": 1.25, "chat": 0.7, "phone": 0.8, "web": 1.1, "social": 1.5}
FIRST_RESPONSE_MEDIAN_HOURS = 2.0
FIRST_RESPONSE_SIGMA = 1.0
STATUSES = {"solved": 0.40, "closed": 0.45, "open": 0.09, "pending": 0.06}  # solved/closed: 85%
CASES = (0.5, 0.4, 0.1)  # a status written lower, Title, UPPER case
NEGATIVE_SHARE = 0.001  # of all tickets: resolved_at before created_at (invalid)
CATEGORIES = {"delivery": 0.30, "returns": 0.20, "billing": 0.15, "product": 0.15,
              "account": 0.10, "technical": 0.10}
PRIORITIES = {"low": 0.20, "normal": 0.55, "high": 0.20, "urgent": 0.05}
REOPENS = {0: 0.90, 1: 0.08, 2: 0.02}
FCR_YES, FCR_NO = ["yes", "Yes", "1", "true"], ["no", "No", "0", "false"]

# Orders: placed 2024-01-01 .. 2025-12-31 (24 calendar months).
ORDERS_VERSION = 2
ORDERS_SEED = 20240101
ZIPF_A = 2.1  # orders per customer ~ Zipf(a), capped
MAX_PER_CUSTOMER = 5_000
ACQUISITION_GROWTH = 1.0  # new customers per day grow linearly, x2 from first to last day
GUEST_SHARE = 0.005  # orders without a customer id
AMOUNT_MEDIAN = 45.0  # lognormal order value, in currency units
AMOUNT_SIGMA = 0.6
ORDER_STATUSES = {
    "Paid": 0.34, "paid": 0.18, "PAID": 0.08, "wc-completed": 0.16, "Completed": 0.10,
    "Refunded": 0.02, "refunded": 0.01,
    "Cancelled": 0.03, "CANCELLED": 0.01, "wc-cancelled": 0.01,
    "Pending": 0.02, "wc-on-hold": 0.01,
    "Failed": 0.02, "failed": 0.01,
}
ORDER_PARTS = 4  # the CSV export cut in this many files


# ---- responses ------------------------------------------------------------------------------

def _rand(seed: int, modulo: int) -> pl.Expr:
    """Pseudo-random integer in [0, modulo) per row, derived from the row id."""
    return (pl.col("response_id").hash(seed) % modulo).cast(pl.Int64)


def _score(low: int, cdf: list[int], seed: int, blank: int, outside: int) -> pl.Expr:
    base = pl.lit(pl.Series(cdf)).search_sorted(_rand(seed, 1000), side="right") + low
    shift = pl.col("channel").replace_strict(CHANNEL_SHIFT, return_dtype=pl.Int64)
    value = (base + shift).clip(low, low + len(cdf) - 1)
    draw = _rand(seed + 1, 1000)
    return (pl.when(draw < blank).then(None)
            .when(draw < blank + 2).then(pl.lit(outside)).otherwise(value).cast(pl.Int64))


def make_responses(start: int, stop: int, total: int) -> pl.DataFrame:
    ids = pl.DataFrame({"response_id": pl.int_range(start, stop, eager=True)})
    offset = pl.col("response_id") * (SPAN_SECONDS - 3600) // total + _rand(3, 3600)
    return ids.with_columns(
        responded_at=pl.lit(START) + pl.duration(seconds=offset),
        channel=pl.lit(pl.Series(CHANNELS)).gather(_rand(1, len(CHANNELS))),
        region=pl.lit(pl.Series(REGIONS)).gather(_rand(4, len(REGIONS))),
    ).with_columns(**{name: _score(*args) for name, args in SCORES.items()})


# ---- tickets --------------------------------------------------------------------------------

def _pick(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    """Codes 0..len(weights)-1 drawn with the given weights."""
    p = np.fromiter(weights.values(), dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _labels(names, codes: np.ndarray) -> pl.Series:
    return pl.Series([str(k) for k in names]).gather(pl.Series(codes))


def _mixed_case(rng: np.random.Generator, labels: pl.Series) -> pl.Series:
    case = pl.Series(rng.choice(3, size=len(labels), p=CASES))
    frame = pl.DataFrame({"s": labels, "c": case})
    return frame.select(pl.when(pl.col("c") == 1).then(pl.col("s").str.to_titlecase())
                        .when(pl.col("c") == 2).then(pl.col("s").str.to_uppercase())
                        .otherwise(pl.col("s")))["s"]


def _stamps(base: datetime, seconds: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """Whole seconds since `base` -> Datetime(us); null where not valid."""
    epoch = int((base - datetime(1970, 1, 1)).total_seconds())
    series = pl.Series((seconds + epoch) * 1_000_000).cast(pl.Datetime("us"))
    return series if valid is None else series.scatter(np.flatnonzero(~valid), None)


def make_tickets(start: int, stop: int, total: int) -> pl.DataFrame:
    """Tickets start+1 .. stop (ids T0000001...), created across 2025 in id order."""
    rng = np.random.default_rng([TICKETS_SEED, start])
    n = stop - start
    idx = np.arange(start, stop, dtype=np.int64)
    created = idx * (TICKETS_SPAN_SECONDS - 3600) // max(total, 1) + rng.integers(0, 3600, n)

    channel = _pick(rng, TICKET_CHANNELS, n)
    status = _pick(rng, STATUSES, n)
    resolved = status < 2  # solved, closed
    speed = np.fromiter(CHANNEL_SPEED.values(), dtype=float)[channel]
    hours = speed * RESOLUTION_MEDIAN_HOURS * np.exp(rng.normal(0.0, RESOLUTION_SIGMA, n))
    resolution = np.maximum(np.rint(hours * 3600).astype(np.int64), 60)
    first = FIRST_RESPONSE_MEDIAN_HOURS * np.exp(rng.normal(0.0, FIRST_RESPONSE_SIGMA, n))
    first = np.maximum(np.rint(first * 3600).astype(np.int64), 30)
    first = np.where(resolved, np.minimum(first, resolution), first)  # answered before solved
    answered = resolved | (rng.random(n) < 0.6)
    # data-entry errors: solved before created (1 min .. 2 days), dropped as invalid
    negative = resolved & (rng.random(n) < NEGATIVE_SHARE / sum(list(STATUSES.values())[:2]))
    resolution = np.where(negative, -rng.integers(60, 48 * 3600, n), resolution)

    touches = rng.geometric(0.55, n)  # 1, 2, 3...
    reopens = _pick(rng, REOPENS, n)
    first_contact = (touches <= 1) & (reopens == 0)
    flag = np.where(first_contact, rng.integers(0, 4, n), 4 + rng.integers(0, 4, n))
    fcr = _labels(FCR_YES + FCR_NO, flag).scatter(np.flatnonzero(rng.random(n) < 0.02), None)

    width = max(7, len(str(total)))
    customers = max(total // 3, 10)
    return pl.DataFrame({
        "ticket_id": pl.Series(idx + 1).cast(pl.String).str.zfill(width),
        "customer_id": pl.Series(rng.integers(1, customers + 1, n)).cast(pl.String),
        "created_at": _stamps(TICKETS_START, created),
        "first_response_at": _stamps(TICKETS_START, created + first, answered),
        "resolved_at": _stamps(TICKETS_START, created + resolution, resolved),
        "channel": _labels(TICKET_CHANNELS, channel),
        "status": _mixed_case(rng, _labels(STATUSES, status)),
        "category": _labels(CATEGORIES, _pick(rng, CATEGORIES, n)),
        "priority": _labels(PRIORITIES, _pick(rng, PRIORITIES, n)),
        "reopens": pl.Series(reopens, dtype=pl.Int64),
        "agent_touches": pl.Series(touches, dtype=pl.Int64),
        "fcr_flag": fcr,
    }).with_columns(
        ticket_id="T" + pl.col("ticket_id"),
        customer_id="C" + pl.col("customer_id").str.zfill(max(7, len(str(customers)))),
    )


# ---- orders ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _orders(total: int) -> tuple[np.ndarray, ...]:
    """All `total` orders in time order: (customer number, 0 for a guest; second; cents;
    status code). Customers are numbered 1.. by their first order."""
    rng = np.random.default_rng([ORDERS_SEED, 0])
    draws, placed = [], 0
    while placed < total:
        k = np.minimum(rng.zipf(ZIPF_A, CHUNK_ROWS), MAX_PER_CUSTOMER)
        draws.append(k)
        placed += int(k.sum())
    counts = np.concatenate(draws)
    cum = np.cumsum(counts)
    customers = int(np.searchsorted(cum, total)) + 1 if total else 0
    counts = counts[:customers]
    if customers:
        counts[-1] -= cum[customers - 1] - total  # the last customer keeps its first orders
    g = ACQUISITION_GROWTH  # first orders: a density rising linearly from 1 to 1 + g
    first = (np.sqrt(1 + 2 * g * (1 + g / 2) * rng.random(customers)) - 1) / g * SPAN_SECONDS
    owner = np.repeat(np.arange(customers), counts)
    # repeat orders: uniform between the first order and the end of the data
    at = first[owner] + rng.random(total) * (SPAN_SECONDS - first[owner])
    at[np.cumsum(counts) - counts] = first  # each customer's first order
    number = np.empty(customers, dtype=np.int64)
    number[np.argsort(first, kind="stable")] = np.arange(1, customers + 1)
    order = np.argsort(at, kind="stable")
    customer = number[owner[order]]
    customer[rng.random(total) < GUEST_SHARE] = 0
    cents = np.exp(rng.normal(np.log(AMOUNT_MEDIAN * 100), AMOUNT_SIGMA, total))
    return (customer, at[order].astype(np.int64), np.maximum(np.rint(cents), 100).astype(np.int64),
            _pick(rng, ORDER_STATUSES, total).astype(np.int8))


def make_orders(start: int, stop: int, total: int) -> pl.DataFrame:
    """Orders start+1 .. stop (ids O0000001..., in time order) of `total`."""
    columns = _orders(total)
    customer, second, cents, status = (column[start:stop] for column in columns)
    width = max(7, len(str(int(columns[0].max()) if total else 0)))
    ids = pl.Series(customer).cast(pl.String).str.zfill(width)
    return pl.DataFrame({
        "order_id": "O" + pl.Series(np.arange(start + 1, stop + 1)).cast(pl.String)
        .str.zfill(max(7, len(str(total)))),
        "customer_id": ("C" + ids).scatter(np.flatnonzero(customer == 0), None),
        "ordered_at": _stamps(START, second),
        "amount": pl.Series(cents / 100),
        "status": _labels(ORDER_STATUSES, status),
    })


# ---- writing --------------------------------------------------------------------------------

class DataSet:
    """One data set: its files (CSV in `parts` pieces, Parquet, Parquet with text timestamps)
    written chunk by chunk, and its entry in meta.json."""

    def __init__(self, name: str, make, version: int, csv: bool = True, parts: int = 1,
                 parquet: str | None = None, text_parquet: bool = False, out: Path = DATA_DIR):
        self.name, self.make, self.version, self.out = name, make, version, out
        stem = parquet or name
        self.csvs = ([out / f"{name}.csv"] if parts == 1 else
                     [out / f"{name}_{i}.csv" for i in range(1, parts + 1)]) if csv else []
        self.parquets = {"native": out / f"{stem}.parquet"}
        if text_parquet:
            self.parquets["text"] = out / f"{stem}_text.parquet"

    @property
    def files(self) -> list[Path]:
        return [*self.csvs, *self.parquets.values()]

    def _entry(self, rows: int) -> dict:
        return {"rows": rows, "version": self.version,
                "files": [f.name for f in self.files]}

    def ready(self, rows: int) -> bool:
        meta = read_meta(self.out)
        return meta.get(self.name) == self._entry(rows) and all(f.exists() for f in self.files)

    def generate(self, rows: int, force: bool = False) -> None:
        if not force and self.ready(rows):
            print(f"reusing {rows:,} {self.name} in {self.out}", flush=True)
            return
        self.out.mkdir(parents=True, exist_ok=True)
        write_meta(self.out, self.name, None)
        writers: dict[str, pq.ParquetWriter] = {}
        handles = [path.open("wb") for path in self.csvs]
        try:
            # chunks never straddle two CSV parts: part i holds rows i * rows // parts ..
            parts = len(handles) or 1
            cuts = sorted({*range(0, rows, CHUNK_ROWS), *(i * rows // parts for i in range(parts))})
            for start, stop in zip(cuts, [*cuts[1:], rows], strict=True):
                if start == stop:
                    continue
                chunk = self.make(start, stop, rows)
                if handles:
                    part = max(i for i in range(parts) if i * rows // parts <= start)
                    chunk.write_csv(handles[part], include_header=handles[part].tell() == 0,
                                    datetime_format=CSV_TIME, float_precision=2)
                for kind in self.parquets:
                    table = (chunk if kind == "native" else chunk.with_columns(
                        pl.col(pl.Datetime).dt.strftime(CSV_TIME))).to_arrow()
                    if kind not in writers:
                        writers[kind] = pq.ParquetWriter(self.parquets[kind], table.schema,
                                                         compression="zstd")
                    writers[kind].write_table(table)
        finally:
            for handle in handles:
                handle.close()
            for writer in writers.values():
                writer.close()
        write_meta(self.out, self.name, self._entry(rows))
        print(f"generated {rows:,} {self.name} in {self.out}", flush=True)


def read_meta(out: Path) -> dict:
    try:
        return json.loads((out / META).read_text())
    except (OSError, ValueError):
        return {}


def write_meta(out: Path, name: str, entry: dict | None) -> None:
    meta = read_meta(out)
    if entry is None:
        meta.pop(name, None)
    else:
        meta[name] = entry
    (out / META).write_text(json.dumps(meta, indent=1))


def data_sets(out: Path = DATA_DIR) -> dict[str, DataSet]:
    return {
        "responses": DataSet("responses", make_responses, RESPONSES_VERSION, out=out),
        "big": DataSet("responses_big", make_responses, RESPONSES_VERSION, csv=False, out=out),
        "tickets": DataSet("tickets", make_tickets, TICKETS_VERSION, out=out),
        "orders": DataSet("orders", make_orders, ORDERS_VERSION, parts=ORDER_PARTS,
                          text_parquet=True, out=out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="survey responses")
    parser.add_argument("--tickets", type=int, default=5_000_000, help="tickets")
    parser.add_argument("--orders", type=int, default=10_000_000, help="orders")
    parser.add_argument("--big", type=int, default=100_000_000,
                        help="responses in responses_big.parquet (only with --only big)")
    parser.add_argument("--only", choices=["responses", "tickets", "orders", "big"],
                        action="append", help="generate these sets (default: all but big)")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    parser.add_argument("--force", action="store_true", help="regenerate even if present")
    args = parser.parse_args()
    sizes = {"responses": args.rows, "tickets": args.tickets, "orders": args.orders,
             "big": args.big}
    sets = data_sets(args.out)
    for name in args.only or ["responses", "tickets", "orders"]:
        sets[name].generate(sizes[name], args.force)


if __name__ == "__main__":
    main()
