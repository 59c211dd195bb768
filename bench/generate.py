"""Generate large synthetic benchmark files (CSV and Parquet): survey responses, tickets, orders.

    python bench/generate.py [ROWS] [--tickets N] [--orders N] [--only nps|tickets|orders]
                             [--out DIR] [--force]

Responses (ROWS, default 10,000,000): vectorised polars only; pseudo-random values come
from hashing the row number, so the output is deterministic for a given polars version.
Tickets (--tickets, default 5,000,000): vectorised numpy draws (seeded per chunk, so the
output is deterministic for a given numpy version) assembled with polars. Orders (--orders,
default 10,000,000) over 2024-2025: customers (about one per five orders) arrive at a growing
rate, 40% order once, the others repeat a geometric number of times at exponential gaps
around a per-customer mean (median 32 days) until the data ends; seeded numpy draws per batch
of customers, the whole order list sorted by time (ids in that order) in ~0.5 GB. Rows are
written in chunks to keep memory bounded; a file set that already holds the asked row count
is reused unless --force.
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
CSV_PATH = DATA_DIR / "responses.csv"
PARQUET_PATH = DATA_DIR / "responses.parquet"
META_PATH = DATA_DIR / "meta.json"

CHUNK_ROWS = 1_000_000
START = datetime(2024, 1, 1)
SPAN_SECONDS = 731 * 24 * 3600  # 2024-01-01 .. 2025-12-31
CHANNELS = ["email", "web", "app", "phone", "store"]
REGIONS = ["France", "Germany", "UK", "Spain", "Benelux"]
# Cumulative distribution of NPS scores 0..10 (per mille) before the channel shift.
SCORE_CDF = [20, 35, 55, 85, 125, 185, 265, 375, 535, 735, 1000]
CHANNEL_SHIFT = {"email": 0, "web": 0, "app": 1, "phone": -1, "store": 0}

# Tickets: created over 2025 (ISO weeks 2025-W01 .. 2026-W01), roughly chronological.
TICKETS_VERSION = 1  # bump when the ticket generator changes, so old files are regenerated
TICKETS_SEED = 20250101
TICKETS_START = datetime(2025, 1, 1)
TICKETS_SPAN_SECONDS = 365 * 24 * 3600
TICKET_CHANNELS = {"email": 0.35, "chat": 0.25, "phone": 0.15, "web": 0.20, "social": 0.05}
# Resolution time is lognormal: median 20 h overall, scaled a little per channel.
RESOLUTION_MEDIAN_HOURS = 20.0
RESOLUTION_SIGMA = 1.2
CHANNEL_SPEED = {"email": 1.25, "chat": 0.7, "phone": 0.8, "web": 1.1, "social": 1.5}
FIRST_RESPONSE_MEDIAN_HOURS = 2.0
FIRST_RESPONSE_SIGMA = 1.0
STATUSES = {"solved": 0.40, "closed": 0.45, "open": 0.09, "pending": 0.06}  # solved/closed: 85%
NEGATIVE_SHARE = 0.001  # of all tickets: resolved_at before created_at (invalid)
CATEGORIES = {
    "delivery": 0.30,
    "returns": 0.20,
    "billing": 0.15,
    "product": 0.15,
    "account": 0.10,
    "technical": 0.10,
}
PRIORITIES = {"low": 0.20, "normal": 0.55, "high": 0.20, "urgent": 0.05}

# Orders: placed 2024-01-01 .. 2025-12-31 (24 calendar months), sorted by time.
ORDERS_VERSION = 1  # bump when the order generator changes, so old files are regenerated
ORDERS_SEED = 20240101
ORDERS_START = START
ORDERS_SPAN_SECONDS = SPAN_SECONDS
ORDERS_BATCH = 250_000  # customers drawn per batch, until they have placed enough orders
ACQUISITION_GROWTH = 1.0  # new customers per day grow linearly, x2 from first to last day
ONE_TIME_SHARE = 0.40  # customers who never come back
REPEAT_P = 0.07  # the others: a geometric number of repeat orders, mean 1 / REPEAT_P
GAP_MEDIAN_DAYS = 32.0  # per-customer mean gap between orders: lognormal around this median
GAP_SIGMA = 0.8
AMOUNT_MEDIAN = 45.0  # lognormal order value, in currency units
AMOUNT_SIGMA = 0.6
ORDER_STATUSES = {"paid": 0.92, "refunded": 0.03, "cancelled": 0.05}


def _rand(seed: int, modulo: int) -> pl.Expr:
    """Pseudo-random integer in [0, modulo) per row, derived from the row id."""
    return (pl.col("response_id").hash(seed) % modulo).cast(pl.Int64)


def make_chunk(start: int, stop: int, total: int) -> pl.DataFrame:
    ids = pl.DataFrame({"response_id": pl.int_range(start, stop, eager=True)})
    channel = pl.lit(pl.Series(CHANNELS)).gather(_rand(1, len(CHANNELS)))
    base_score = pl.lit(pl.Series(SCORE_CDF)).search_sorted(_rand(2, 1000), side="right")
    shift = pl.col("channel").replace_strict(CHANNEL_SHIFT, return_dtype=pl.Int64)
    # Roughly chronological, like a real export, with up to an hour of jitter.
    offset = pl.col("response_id") * (SPAN_SECONDS - 3600) // total + _rand(3, 3600)
    return ids.with_columns(
        responded_at=pl.lit(START) + pl.duration(seconds=offset),
        channel=channel,
        region=pl.lit(pl.Series(REGIONS)).gather(_rand(4, len(REGIONS))),
        base_score=base_score,
    ).select(
        "response_id",
        "responded_at",
        "channel",
        "region",
        nps_score=pl.when(_rand(5, 100) == 0)
        .then(None)
        .otherwise((pl.col("base_score") + shift).clip(0, 10))
        .cast(pl.Int64),
    )


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """Codes 0..len(weights)-1 drawn with the given weights."""
    p = np.fromiter(weights.values(), dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _labels(names: dict[str, float], codes: np.ndarray) -> pl.Series:
    return pl.Series(list(names)).gather(pl.Series(codes))


def _stamps(seconds: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """Whole seconds since TICKETS_START -> Datetime(us); null where not valid."""
    base = int((TICKETS_START - datetime(1970, 1, 1)).total_seconds())
    series = pl.Series((seconds + base) * 1_000_000).cast(pl.Datetime("us"))
    return series if valid is None else series.scatter(np.flatnonzero(~valid), None)


def make_tickets_chunk(start: int, stop: int, total: int) -> pl.DataFrame:
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
    # A solved ticket was answered before (or when) it was solved.
    first = np.where(resolved, np.minimum(first, resolution), first)
    answered = resolved | (rng.random(n) < 0.6)
    # A few data-entry errors: solved before created (1 min .. 2 days), dropped as invalid.
    negative = resolved & (rng.random(n) < NEGATIVE_SHARE / sum(list(STATUSES.values())[:2]))
    resolution = np.where(negative, -rng.integers(60, 48 * 3600, n), resolution)

    width = max(7, len(str(total)))
    customers = max(total // 3, 10)
    return pl.DataFrame(
        {
            "ticket_id": pl.Series(idx + 1).cast(pl.String).str.zfill(width),
            "customer_id": pl.Series(rng.integers(1, customers + 1, n)).cast(pl.String),
            "created_at": _stamps(created),
            "first_response_at": _stamps(created + first, answered),
            "resolved_at": _stamps(created + resolution, resolved),
            "channel": _labels(TICKET_CHANNELS, channel),
            "status": _labels(STATUSES, status),
            "category": _labels(CATEGORIES, _pick(rng, CATEGORIES, n)),
            "priority": _labels(PRIORITIES, _pick(rng, PRIORITIES, n)),
        }
    ).with_columns(
        ticket_id="T" + pl.col("ticket_id"),
        customer_id="C" + pl.col("customer_id").str.zfill(len(str(customers))),
    )


def _order_batch(batch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ORDERS_BATCH customers: (first-order second, customer of each order, its second).

    Orders are listed customer by customer, each customer's in time order; a repeat order
    falling after the end of the data is not placed (the customer would have ordered later).
    """
    rng = np.random.default_rng([ORDERS_SEED, 0, batch])
    n, g = ORDERS_BATCH, ACQUISITION_GROWTH
    # Inverse CDF of a density rising linearly from 1 to 1 + g over the span.
    first = (np.sqrt(1 + 2 * g * (1 + g / 2) * rng.random(n)) - 1) / g * ORDERS_SPAN_SECONDS
    repeats = np.where(rng.random(n) < ONE_TIME_SHARE, 0, rng.geometric(REPEAT_P, n))
    gap = np.exp(rng.normal(np.log(GAP_MEDIAN_DAYS * 86400), GAP_SIGMA, n))
    owner = np.repeat(np.arange(n), repeats)
    elapsed = np.cumsum(rng.exponential(1.0, owner.size) * gap[owner])
    # Restart the running sum at each customer's first repeat order.
    starts = np.cumsum(repeats) - repeats
    elapsed -= np.repeat(np.r_[0.0, elapsed][starts], repeats)
    seconds = np.r_[first, first[owner] + elapsed]
    customer = np.r_[np.arange(n), owner]
    keep = seconds < ORDERS_SPAN_SECONDS
    order = np.argsort(customer[keep], kind="stable")
    return first, customer[keep][order] + batch * n, seconds[keep][order]


@lru_cache(maxsize=1)
def _orders(total: int) -> tuple[np.ndarray, ...]:
    """All ``total`` orders, sorted by time: (customer number, second, cents, status code).

    Customers are drawn batch by batch until they have placed ``total`` orders; the last
    customer keeps only its earliest orders. Customer numbers (1..) follow first orders.
    """
    firsts, customers, seconds, placed = [], [], [], 0
    batch = 0
    while placed < total:
        first, customer, second = _order_batch(batch)
        firsts.append(first)
        customers.append(customer[: total - placed])
        seconds.append(second[: total - placed])
        placed += customers[-1].size
        batch += 1
    customer, second = np.concatenate(customers), np.concatenate(seconds).astype(np.int64)
    first = np.concatenate(firsts)[: customer[-1] + 1] if total else np.empty(0)
    number = np.empty(first.size, dtype=np.int64)
    number[np.argsort(first, kind="stable")] = np.arange(1, first.size + 1)
    order = np.argsort(second, kind="stable")
    rng = np.random.default_rng([ORDERS_SEED, 1])  # amounts, statuses
    cents = np.exp(rng.normal(np.log(AMOUNT_MEDIAN * 100), AMOUNT_SIGMA, total))
    return (
        number[customer[order]],
        second[order],
        np.maximum(np.rint(cents), 100).astype(np.int64),
        _pick(rng, ORDER_STATUSES, total).astype(np.int8),
    )


def make_orders_chunk(start: int, stop: int, total: int) -> pl.DataFrame:
    """Orders start+1 .. stop (ids O0000001..., in time order) of ``total``."""
    customer, second, cents, status = (column[start:stop] for column in _orders(total))
    base = int((ORDERS_START - datetime(1970, 1, 1)).total_seconds())
    customers = int(_orders(total)[0].max()) if total else 0
    return pl.DataFrame(
        {
            "order_id": pl.Series(np.arange(start + 1, stop + 1)).cast(pl.String),
            "customer_id": pl.Series(customer).cast(pl.String),
            "ordered_at": pl.Series((second + base) * 1_000_000).cast(pl.Datetime("us")),
            "amount": pl.Series(cents / 100),
            "status": _labels(ORDER_STATUSES, status),
        }
    ).with_columns(
        order_id="O" + pl.col("order_id").str.zfill(max(7, len(str(total)))),
        customer_id="C" + pl.col("customer_id").str.zfill(len(str(customers))),
    )


class FileSet:
    """One benchmark data set: CSV + Parquet + a meta file recording what was written."""

    def __init__(
        self, out: Path, stem: str, meta: str, make, noun: str = "rows", version: int | None = None
    ):
        self.csv = out / f"{stem}.csv"
        self.parquet = out / f"{stem}.parquet"
        self.meta = out / meta
        self.make = make
        self.noun = noun
        self.version = version

    def _meta(self, rows: int) -> dict:
        return {"rows": rows} if self.version is None else {"rows": rows, "version": self.version}

    def existing(self) -> dict | None:
        if not (self.csv.exists() and self.parquet.exists() and self.meta.exists()):
            return None
        try:
            return json.loads(self.meta.read_text())
        except ValueError:
            return None

    def generate(self, rows: int, force: bool = False) -> None:
        """Write CSV, Parquet and the meta file; skip if they already hold ``rows`` rows."""
        if not force and self.existing() == self._meta(rows):
            print(f"reusing {rows:,} {self.noun} in {self.csv.parent}")
            return
        self.csv.parent.mkdir(parents=True, exist_ok=True)
        self.meta.unlink(missing_ok=True)
        writer = None
        with self.csv.open("wb") as csv_file:
            for start in range(0, rows, CHUNK_ROWS):
                chunk = self.make(start, min(start + CHUNK_ROWS, rows), rows)
                chunk.write_csv(
                    csv_file,
                    include_header=start == 0,
                    datetime_format="%Y-%m-%d %H:%M:%S",
                    float_precision=2,  # order amounts: 12.50
                )
                table = chunk.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(self.parquet, table.schema, compression="zstd")
                writer.write_table(table)
        if writer is not None:
            writer.close()
        self.meta.write_text(json.dumps(self._meta(rows)))
        print(f"generated {rows:,} {self.noun} in {self.csv.parent}")


def responses(out: Path = DATA_DIR) -> FileSet:
    return FileSet(out, "responses", "meta.json", make_chunk)


def tickets(out: Path = DATA_DIR) -> FileSet:
    return FileSet(
        out, "tickets", "tickets_meta.json", make_tickets_chunk, "tickets", TICKETS_VERSION
    )


def orders(out: Path = DATA_DIR) -> FileSet:
    return FileSet(out, "orders", "orders_meta.json", make_orders_chunk, "orders", ORDERS_VERSION)


def generate(rows: int, force: bool = False) -> None:
    """Survey responses in bench/data/ (kept for callers of the original API)."""
    responses().generate(rows, force)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "rows",
        nargs="?",
        type=int,
        default=10_000_000,
        help="survey responses to generate (default 10,000,000)",
    )
    parser.add_argument(
        "--tickets", type=int, default=5_000_000, help="tickets to generate (default 5,000,000)"
    )
    parser.add_argument(
        "--orders", type=int, default=10_000_000, help="orders to generate (default 10,000,000)"
    )
    parser.add_argument(
        "--only", choices=["nps", "tickets", "orders"], help="generate one data set"
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    parser.add_argument("--force", action="store_true", help="regenerate even if present")
    args = parser.parse_args()
    if args.only in (None, "nps"):
        responses(args.out).generate(args.rows, args.force)
    if args.only in (None, "tickets"):
        tickets(args.out).generate(args.tickets, args.force)
    if args.only in (None, "orders"):
        orders(args.out).generate(args.orders, args.force)


if __name__ == "__main__":
    main()
