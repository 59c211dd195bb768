"""Spark: data in a lake. A local session (local[2]: UI off, few shuffle partitions, loopback
only), the cluster of SPARK_MASTER / spark-submit, or Spark Connect with --spark-remote
sc://HOST:PORT. Session time zone UTC. Parquet and CSV are read by Spark itself (nulls stay
nulls: nothing goes through pandas); results come back through Arrow."""

from __future__ import annotations

import os

_SESSION: list = []
LOCAL = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.ansi.enabled": "false",
}


def session(remote: str | None = None):
    """One session per process: Spark Connect at `remote`, else SPARK_MASTER or local[2]."""
    if _SESSION and (remote is None or _SESSION[0][0] == remote):
        return _SESSION[0][1]
    import warnings

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("cxkit")
    if remote:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
            spark = builder.remote(remote).getOrCreate()
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    else:
        master = os.environ.get("SPARK_MASTER", "local[2]")
        if master.startswith("local"):  # loopback only, also for Spark's own address checks
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.master(master)
        for key, value in LOCAL.items():
            if master.startswith("local") or key.startswith("spark.sql"):
                builder = builder.config(key, value)
        with warnings.catch_warnings():  # PySpark checks a pandas version cxkit never uses
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
            spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    _SESSION[:] = [(remote, spark)]
    return spark


def read(path: str | None, table: str | None, remote: str | None = None):
    """(Spark DataFrame, name) of the input."""
    from cxkit.engines import first_line
    from cxkit.errors import InputError

    spark = session(remote)
    name = table or path or ""
    try:
        if table:
            return spark.table(table), table
        lower = path.lower()
        if lower.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
            sep = "\t" if lower.endswith(".tsv") else ","
            return spark.read.csv(path, header=True, inferSchema=True, sep=sep), path
        if lower.endswith((".json", ".ndjson", ".jsonl")):
            return spark.read.json(path), path
        return spark.read.parquet(path), path
    except Exception as exc:  # noqa: BLE001 - AnalysisException: path or table not found
        raise InputError(f"{name}: cannot read on --engine spark: {first_line(exc)}",
                         "check the path, glob or table name") from None


APPROX = "Spark percentile_approx (accuracy 10000)"


def approx_quantiles(native, keys: list[str], wanted: dict[str, tuple[str, float]]):
    """Per group of `keys`: approximate quantiles, name -> (column, q); a Spark DataFrame."""
    from pyspark.sql import functions as F

    aggs = [F.percentile_approx(F.col(col), q, 10000).alias(name)
            for name, (col, q) in wanted.items()]
    return native.groupBy(*keys).agg(*aggs) if keys else native.agg(*aggs)
