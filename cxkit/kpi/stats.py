"""Intervals and tests (KPIS.md "Surveys"): adjusted Wald for NPS, Wilson, t, and comparisons.

Pure Python on counts: these run once per group, never per row.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist


def z_value(confidence: float) -> float:
    """Two-sided critical value: 0.95 -> 1.95996..."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def clip(x: float, lo: float, hi: float) -> float:
    return float(max(lo, min(hi, x)))


def nps_adjusted(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Adjusted-Wald NPS (Rocks 2016): returns (A, SE') on the -100..100 scale.

    n' = n + 3, p' = (P + 3/4) / n', d' = (D + 3/4) / n',
    var' = p' + d' - (p' - d')^2, SE' = 100 * sqrt(var' / n'), A = 100 * (p' - d').
    """
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    var = p + d - (p - d) ** 2
    return 100 * (p - d), 100 * math.sqrt(var / n_adj)


def nps_interval(promoters: int, detractors: int, n: int, z: float) -> tuple[float, float]:
    a, se = nps_adjusted(promoters, detractors, n)
    return clip(a - z * se, -100, 100), clip(a + z * se, -100, 100)


def nps_differ(a: tuple[int, int, int], b: tuple[int, int, int], z: float) -> tuple[float, bool]:
    """(z statistic, significant) for two (promoters, detractors, n) triples."""
    a1, se1 = nps_adjusted(*a)
    a2, se2 = nps_adjusted(*b)
    stat = abs(a1 - a2) / math.sqrt(se1**2 + se2**2)
    return stat, stat > z


def wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval for k successes out of n, in percent."""
    if n == 0:
        return 0.0, 100.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return 100 * clip(centre - half, 0, 1), 100 * clip(centre + half, 0, 1)


def proportions_differ(k1: int, n1: int, k2: int, n2: int, z: float) -> tuple[float, bool]:
    """Two-proportion z test with the pooled proportion."""
    if n1 == 0 or n2 == 0:
        return 0.0, False
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, False
    stat = abs(k1 / n1 - k2 / n2) / se
    return stat, stat > z


def mean_sd(total: float, total_sq: float, n: int) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    mean = total / n
    if n < 2:
        return mean, None
    var = max(0.0, (total_sq - total * total / n) / (n - 1))
    return mean, math.sqrt(var)


def t_interval(mean: float, sd: float | None, n: int, confidence: float) -> tuple[float, float]:
    if sd is None or n < 2:
        return mean, mean
    half = t_quantile(1 - (1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


def means_differ(m1, s1, n1, m2, s2, n2, confidence: float) -> tuple[float, bool]:
    """Welch's t test; significant when |t| exceeds the two-sided critical value."""
    if n1 < 2 or n2 < 2 or s1 is None or s2 is None:
        return 0.0, False
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    if v1 + v2 == 0:
        return 0.0, False
    stat = abs(m1 - m2) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1))
    return stat, stat > t_quantile(1 - (1 - confidence) / 2, df)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (Numerical Recipes 6.4)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c if abs(1 + aa / c) > 1e-300 else 1e-300
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c if abs(1 + aa / c) > 1e-300 else 1e-300
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-14:
            break
    return h


def _betai(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    x = df / (df + t * t)
    tail = 0.5 * _betai(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """Inverse Student t CDF (df > 0); t_quantile(0.975, 10) = 2.2281...

    Exact formulas for df 1 and 2; the Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5)
    for df >= 1000; between, that expansion polished by Newton steps on `t_cdf`: about 3
    evaluations instead of the ~40 of a bisection, which made the intervals of a few hundred
    groups cost seconds. Cached: the same df (n - 1) comes back for many groups."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = NormalDist().inv_cdf(p)
    z2 = z * z
    t = z + (z2 * z + z) / (4 * df) + (5 * z2 * z2 * z + 16 * z2 * z + 3 * z) / (96 * df ** 2) \
        + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3) \
        + (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / (92160 * df ** 4)
    if df >= 1000:  # the next term is below 1e-13 here, and the CDF too flat for Newton
        return t
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(50):
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        if not density > 0:
            break
        step = (t_cdf(t, df) - p) / density
        t -= step
        if not math.isfinite(t):
            break
        if abs(step) <= 1e-12 * max(1.0, abs(t)):
            return t
    return _t_quantile_bisect(p, df)


def _t_quantile_bisect(p: float, df: float) -> float:
    """The slow, sure way, when Newton does not settle."""
    lo, hi = -1e3, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2
