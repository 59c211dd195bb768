"""BG/NBD: the beta-geometric / negative binomial model of repeat purchases (Fader, Hardie & Lee
2005, "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing
Science 24(2), 275-284).

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase it drops
out with probability p ~ Beta(a, b). Fitted by maximum likelihood (eq. 6 of the paper) on the
summary (x, t_x, T), weighted: one row per distinct (x, t_x, T) and the number of customers.

numpy and scipy are imported inside the functions (start-up of `cxkit --help` stays light).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NAMES = ("r", "alpha", "a", "b")
LOWER, UPPER = 1e-6, 1e6  # the search box of every parameter; a fit ending on it is refused
AT_BOUND = 1e-3  # |log parameter - log bound| under this: the parameter is at the bound
GRAD_TOL = 1e-5  # largest gradient of the mean log-likelihood (log parameters) at convergence


@dataclass(frozen=True)
class BgNbdFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float  # the full log-likelihood of the data (sum over customers)
    n: int  # customers (sum of the weights)
    converged: bool = True
    at_bound: tuple[str, ...] = ()
    iterations: int = 0
    message: str = ""

    @property
    def params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.a, self.b

    def as_dict(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b,
                "log_likelihood": self.log_likelihood}


class _Rows:
    """The fit data, factored: the gamma functions need only the distinct x (summed with the
    weights of each x), the logarithms only the distinct t_x and T, so one evaluation of the
    likelihood costs a few vector operations per row."""

    def __init__(self, x, t_x, T, w):
        import numpy as np

        self.ux, ix = np.unique(x, return_inverse=True)
        self.ut, self.it = np.unique(t_x, return_inverse=True)
        self.uT, self.iT = np.unique(T, return_inverse=True)
        self.ix = ix.ravel()
        self.x, self.w = x, w
        self.wx = np.bincount(self.ix, weights=w, minlength=len(self.ux))  # weight per x


def _loglik(params, rows: _Rows):
    """Σ w log L (eq. 6 of the paper) and its gradient in (r, alpha, a, b).

    log L = A1 + A2 + log(e^A3 + δ(x>0) e^A4) = A1 + A2 + A3 + log(1 + e^d), d = A4 − A3, with
    A1 + A2 functions of x alone, A3 = −(r+x) log(α+T), A4 = log a − log(b+x−1) − (r+x)
    log(α+t_x); the share of the second term of the likelihood is expit(d)."""
    import numpy as np
    from scipy.special import digamma, expit, gammaln

    r, alpha, a, b = params
    ux, wx, w, x = rows.ux, rows.wx, rows.w, rows.x
    g_x = (gammaln(r + ux) - gammaln(r) + r * math.log(alpha) + gammaln(b + ux)
           + gammaln(a + b) - gammaln(b) - gammaln(a + b + ux))
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_bx = np.where(ux > 0, 1 / (b + ux - 1), 0.0)
        c_x = np.where(ux > 0, math.log(a) + np.log(inv_bx), -np.inf)  # log a − log(b+x−1)
    log_T = np.log(alpha + rows.uT)[rows.iT]
    log_tx = np.log(alpha + rows.ut)[rows.it]
    rx = r + x
    d = c_x[rows.ix] + rx * (log_T - log_tx)
    share = expit(d)  # 0 for x = 0
    softplus = np.maximum(d, 0.0) + np.log1p(np.exp(-np.abs(d)))  # log(1 + e^d)
    ll = _dot(wx, g_x) + _dot(w, softplus - rx * log_T)
    inv_T = (1 / (alpha + rows.uT))[rows.iT]
    inv_tx = (1 / (alpha + rows.ut))[rows.it]
    ws = w * share
    dig_ab = digamma(a + b)
    grad = np.array([
        _dot(wx, digamma(r + ux) - digamma(r) + math.log(alpha))
        - _dot(w, log_T) - _dot(ws, log_tx - log_T),
        wx.sum() * r / alpha - _dot(w * rx, inv_T) - _dot(ws * rx, inv_tx - inv_T),
        _dot(wx, dig_ab - digamma(a + b + ux)) + ws.sum() / a,
        _dot(wx, digamma(b + ux) + dig_ab - digamma(b) - digamma(a + b + ux))
        - _dot(ws, inv_bx[rows.ix]),
    ])
    return ll, grad


def _dot(u, v) -> float:
    """Σ u v, without BLAS: a vector `@` goes through BLAS threads, slower here than one pass."""
    return float((u * v).sum())


def log_likelihood(params, x, t_x, T, weight=None) -> float:
    """Σ weight × log L(r, α, a, b | x, t_x, T) (eq. 6 of the paper)."""
    x, t_x, T, w = _arrays(x, t_x, T, weight)
    return _loglik(params, _Rows(x, t_x, T, w))[0]


def fit(x, t_x, T, weight=None) -> BgNbdFit:
    """Maximum likelihood on log parameters (L-BFGS-B with the analytic gradient), from a
    start at the data's purchase rate; converged when the gradient of the mean log-likelihood
    is under GRAD_TOL, refused (at_bound) when a parameter ends on the search box."""
    import numpy as np
    from scipy.optimize import minimize

    x, t_x, T, w = _arrays(x, t_x, T, weight)
    n = float(w.sum())
    if n <= 0:
        raise ValueError("no customers to fit")
    rate = max(float(np.dot(w, x) / max(np.dot(w, T), 1e-12)), 1e-9)  # purchases per unit
    start = np.log([1.0, min(max(1.0 / rate, LOWER * 10), UPPER / 10), 1.0, 1.0])

    rows = _Rows(x, t_x, T, w)

    def objective(theta):
        params = np.exp(theta)
        ll, grad = _loglik(params, rows)
        return -ll / n, -grad * params / n

    box = [(math.log(LOWER), math.log(UPPER))] * 4
    for _ in range(2):  # a line search that gave up short of the optimum: restart from there
        res = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=box,
                       options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
        out = _result(res, n, box, -float(res.fun) * n)
        if out.converged or out.at_bound:
            break
        start = res.x
    return out


def _result(res, n, box, ll) -> BgNbdFit:
    import numpy as np

    theta = res.x
    at_bound = tuple(name for name, t, (lo, hi) in zip(NAMES, theta, box, strict=True)
                     if t - lo < AT_BOUND or hi - t < AT_BOUND)
    grad = np.asarray(res.jac, dtype=float)
    ok = bool(np.all(np.isfinite(grad))) and math.isfinite(ll) and \
        float(np.max(np.abs(grad))) < GRAD_TOL
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    return BgNbdFit(r, alpha, a, b, ll, int(round(n)), ok, at_bound, int(res.nit),
                    str(res.message))


def p_alive(fit: BgNbdFit, x, t_x, T):
    """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x))."""
    x, t_x, T, _ = _arrays(x, t_x, T)
    return _alive(fit, x, t_x, T)


def _log_odds_dead(fit: BgNbdFit, x, t_x, T):
    import numpy as np

    r, alpha, a, b = fit.params
    with np.errstate(divide="ignore", invalid="ignore"):
        out = math.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + T) -
                                                             np.log(alpha + t_x))
    return np.where(x > 0, out, -np.inf)


def conditional_expected(fit: BgNbdFit, t, x, t_x, T):
    """E[X(t) | x, t_x, T]: the expected purchases in the next `t` (eq. 10 of the paper)."""
    import numpy as np

    x, t_x, T, _ = _arrays(x, t_x, T)
    return _scale(fit, x) * (1 - _rest(fit, np.asarray(t, dtype=float), x, T)) * \
        _alive(fit, x, t_x, T)


def discounted_expected(fit: BgNbdFit, ends, factors, x, t_x, T):
    """Σ_k factors[k] × (E[X(ends[k]) | ...] − E[X(ends[k−1]) | ...]): the expected purchases
    per period of the horizon, each discounted. The 2F1 term depends on (x, T) only: it is
    computed once per distinct pair and period."""
    import numpy as np

    x, t_x, T, _ = _arrays(x, t_x, T)
    pairs, inverse = np.unique(np.stack([x, T], axis=1), axis=0, return_inverse=True)
    ends = np.asarray(ends, dtype=float)
    rest = _rest(fit, ends[:, None], pairs[None, :, 0], pairs[None, :, 1])
    steps = np.diff(-rest, axis=0, prepend=-np.ones((1, rest.shape[1])))  # rest_{k-1} − rest_k
    per_pair = np.asarray(factors, dtype=float) @ steps
    return _scale(fit, x) * per_pair[inverse.ravel()] * _alive(fit, x, t_x, T)


def _scale(fit: BgNbdFit, x):
    return (fit.a + fit.b + x - 1) / (fit.a - 1)


def _rest(fit: BgNbdFit, t, x, T):
    """((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; z), z = t/(α+T+t), through Euler's
    transformation: (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b+x−1; z), whose small upper parameters
    keep the series short and finite for frequent buyers."""
    from scipy.special import hyp2f1

    r, alpha, a, b = fit.params
    z = t / (alpha + T + t)
    return (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)


def _alive(fit: BgNbdFit, x, t_x, T):
    import numpy as np
    from scipy.special import expit

    return np.where(x > 0, expit(-_log_odds_dead(fit, x, t_x, T)), 1.0)


def expected(fit: BgNbdFit, t):
    """E[X(t)]: the expected repeat purchases in `t` of a customer just acquired (eq. 9):
    (a+b−1)/(a−1) [1 − (α/(α+t))^r 2F1(r, b; a+b−1; t/(α+t))], via Euler's transformation."""
    import numpy as np
    from scipy.special import hyp2f1

    r, alpha, a, b = fit.params
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    rest = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z)
    return (a + b - 1) / (a - 1) * (1 - rest)


def _arrays(x, t_x, T, weight=None):
    import numpy as np

    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    w = np.ones_like(x) if weight is None else np.asarray(weight, dtype=float)
    return x, t_x, T, w
