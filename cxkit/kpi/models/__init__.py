"""Predictive models fitted on the orders (KPIS.md "Predictive CLV"): the customer summary
(`summary`), BG/NBD for purchases (`bgnbd`), Gamma-Gamma for spend (`gamma_gamma`) and the
per-customer scores and the `clv_predicted` KPI (`predict`).

numpy and scipy are imported inside the functions that fit or score, never at import time.
"""
