"""Generate a large synthetic survey file for benchmarks (CSV and Parquet).

Vectorised polars only: pseudo-random values come from hashing the row number, so the
output is deterministic for a given polars version. Rows are written in chunks to keep
memory bounded.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

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


def generate(rows: int, force: bool = False) -> None:
    """Write CSV, Parquet and meta.json; skip if they already hold ``rows`` rows."""
    if not force and _existing_rows() == rows:
        print(f"reusing {rows:,} rows in {DATA_DIR}")
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    META_PATH.unlink(missing_ok=True)
    writer = None
    with CSV_PATH.open("wb") as csv_file:
        for start in range(0, rows, CHUNK_ROWS):
            chunk = make_chunk(start, min(start + CHUNK_ROWS, rows), rows)
            chunk.write_csv(
                csv_file, include_header=start == 0, datetime_format="%Y-%m-%d %H:%M:%S"
            )
            table = chunk.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(PARQUET_PATH, table.schema, compression="zstd")
            writer.write_table(table)
    if writer is not None:
        writer.close()
    META_PATH.write_text(json.dumps({"rows": rows}))
    print(f"generated {rows:,} rows in {DATA_DIR}")


def _existing_rows() -> int | None:
    if not (CSV_PATH.exists() and PARQUET_PATH.exists() and META_PATH.exists()):
        return None
    try:
        return json.loads(META_PATH.read_text())["rows"]
    except (ValueError, KeyError):
        return None


if __name__ == "__main__":
    # python bench/generate.py [ROWS] [--force]
    args = [arg for arg in sys.argv[1:] if arg != "--force"]
    generate(int(args[0]) if args else 10_000_000, force="--force" in sys.argv)
