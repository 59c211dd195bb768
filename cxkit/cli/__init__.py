"""Thin Typer commands. Nothing here imports polars at module level: --help stays fast."""
