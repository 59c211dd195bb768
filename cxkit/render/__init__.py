"""Render one result: machine formats (never through Rich) and the terminal table."""
