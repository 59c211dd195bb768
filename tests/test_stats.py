"""Intervals and tests, checked against arithmetic done by hand (KPIS.md "Surveys")."""

import pytest

from cxkit.kpi import stats

Z95 = 1.959964


def test_z_value_95():
    assert stats.z_value(0.95) == pytest.approx(Z95, abs=1e-6)
    assert stats.z_value(0.90) == pytest.approx(1.644854, abs=1e-6)


def test_nps_adjusted_wald_interval():
    # P=50, D=20, n=100: n' = 103, p' = 50.75/103 = 0.492718, d' = 20.75/103 = 0.201456
    # A = 100 * (0.492718 - 0.201456) = 29.1262
    # var' = 0.492718 + 0.201456 - 0.291262^2 = 0.694175 - 0.084834 = 0.609341
    # SE' = 100 * sqrt(0.609341 / 103) = 7.69151
    # interval = 29.1262 -+ 1.959964 * 7.69151 = 29.1262 -+ 15.0751 = [14.05, 44.20]
    a, se = stats.nps_adjusted(50, 20, 100)
    assert a == pytest.approx(29.1262, abs=1e-4)
    assert se == pytest.approx(7.69151, abs=1e-4)
    lo, hi = stats.nps_interval(50, 20, 100, Z95)
    assert (lo, hi) == (pytest.approx(14.051, abs=1e-3), pytest.approx(44.201, abs=1e-3))


def test_nps_interval_small_sample_and_clipping():
    # P=3, D=3, n=8: p' = d' = 3.75/11 = 0.340909, A = 0, var' = 0.681818
    # SE' = 100 * sqrt(0.681818/11) = 24.8965; half-width 1.959964 * 24.8965 = 48.796
    assert stats.nps_interval(3, 3, 8, Z95) == (
        pytest.approx(-48.796, abs=1e-3), pytest.approx(48.796, abs=1e-3))
    # all promoters, n=2: p' = 2.75/5 = 0.55, d' = 0.15, A = 40, var' = 0.7 - 0.16 = 0.54
    # SE' = 100 * sqrt(0.54/5) = 32.863; upper = 40 + 64.41 = 104.4 -> clipped to 100
    lo, hi = stats.nps_interval(2, 0, 2, Z95)
    assert hi == 100
    assert lo == pytest.approx(40 - Z95 * 32.8634, abs=1e-3)


def test_nps_difference_significant():
    # A: P=50, D=20, n=100 -> A1 = 29.1262, SE1 = 7.69151
    # B: P=30, D=40, n=100 -> p' = 30.75/103 = 0.298544, d' = 40.75/103 = 0.395631
    #    A2 = -9.7087, var' = 0.694175 - 0.009426 = 0.684749, SE2 = 8.15356
    # z = 38.8349 / sqrt(7.69151^2 + 8.15356^2) = 38.8349 / 11.2089 = 3.4647 > 1.96
    stat, significant = stats.nps_differ((50, 20, 100), (30, 40, 100), Z95)
    assert stat == pytest.approx(3.4647, abs=1e-3)
    assert significant is True


def test_nps_difference_not_significant():
    # B: P=45, D=22, n=100 -> A2 = 22.3301, SE2 = 7.72831
    # z = 6.7961 / sqrt(7.69151^2 + 7.72831^2) = 6.7961 / 10.9035 = 0.6233 < 1.96
    stat, significant = stats.nps_differ((50, 20, 100), (45, 22, 100), Z95)
    assert stat == pytest.approx(0.6233, abs=1e-3)
    assert significant is False


def test_wilson_interval():
    # 8 of 10: centre = (0.8 + 3.8415/20) / (1 + 0.38415) = 0.99207/1.38415 = 0.71674
    # half = 1.96 * sqrt(0.016 + 0.0096037) / 1.38415 = 0.22659 -> [49.02, 94.33] %
    lo, hi = stats.wilson(8, 10, Z95)
    assert lo == pytest.approx(49.016, abs=1e-2)
    assert hi == pytest.approx(94.332, abs=1e-2)
    assert stats.wilson(0, 0, Z95) == (0.0, 100.0)


def test_two_proportions():
    # 80/100 vs 60/100: pooled 0.7, SE = sqrt(0.7*0.3*(1/100+1/100)) = 0.0648074
    # z = 0.2 / 0.0648074 = 3.0861
    stat, significant = stats.proportions_differ(80, 100, 60, 100, Z95)
    assert stat == pytest.approx(3.0861, abs=1e-3)
    assert significant


def test_t_quantiles_match_tables():
    # Student t tables: t(0.975, 1) = 12.706, t(0.975, 4) = 2.776, t(0.975, 10) = 2.228
    assert stats.t_quantile(0.975, 1) == pytest.approx(12.7062, abs=1e-3)
    assert stats.t_quantile(0.975, 4) == pytest.approx(2.77645, abs=1e-4)
    assert stats.t_quantile(0.975, 10) == pytest.approx(2.22814, abs=1e-4)
    assert stats.t_quantile(0.5, 7) == pytest.approx(0.0, abs=1e-6)
    # more table values: t(0.975, 2) = 4.3027, t(0.975, 30) = 2.0423, t(0.975, 120) = 1.9799,
    # t(0.995, 3) = 5.8409, t(0.95, 7) = 1.8946, t(0.025, 5) = -2.5706
    assert stats.t_quantile(0.975, 2) == pytest.approx(4.30265, abs=1e-4)
    assert stats.t_quantile(0.975, 30) == pytest.approx(2.04227, abs=1e-4)
    assert stats.t_quantile(0.975, 120) == pytest.approx(1.97993, abs=1e-4)
    assert stats.t_quantile(0.995, 3) == pytest.approx(5.84091, abs=1e-4)
    assert stats.t_quantile(0.95, 7) == pytest.approx(1.89458, abs=1e-4)
    assert stats.t_quantile(0.025, 5) == pytest.approx(-2.57058, abs=1e-4)
    # t(0.975, 1000) = 1.96234 (tables), between the normal 1.95996 and t(0.975, 120)
    assert stats.t_quantile(0.975, 1000) == pytest.approx(1.96234, abs=1e-5)


@pytest.mark.parametrize("df", [1, 1.5, 2, 2.7, 3, 6, 11.3, 40, 250, 999, 1000, 3000, 2e5, 5e6])
def test_t_quantile_inverts_the_cdf(df):
    # Newton from the Cornish-Fisher start must land where the CDF says (Welch df are
    # fractional), for tails and centre alike
    # (from df 1000 the quantile is the Cornish-Fisher series, finer than t_cdf itself there:
    # x = df/(df + t^2) is near 1 and the incomplete beta loses digits, about 1e-10 at 5e6)
    tol = 1e-10 if df < 1000 else 1e-8
    for p in (0.0005, 0.005, 0.025, 0.1, 0.5, 0.8, 0.95, 0.975, 0.995, 0.9995):
        assert stats.t_cdf(stats.t_quantile(p, df), df) == pytest.approx(p, abs=tol)


def test_t_interval_for_a_mean():
    # scores 1,2,2,3,5: mean 2.6; squared deviations 2.56+0.36+0.36+0.16+5.76 = 9.2
    # var = 9.2/4 = 2.3, sd = 1.51658; half = 2.77645 * 1.51658 / sqrt(5) = 1.88308
    mean, sd = stats.mean_sd(13, 43, 5)  # sum 13, sum of squares 1+4+4+9+25 = 43
    assert mean == pytest.approx(2.6)
    assert sd == pytest.approx(1.51658, abs=1e-5)
    lo, hi = stats.t_interval(mean, sd, 5, 0.95)
    assert (lo, hi) == (pytest.approx(0.71692, abs=1e-4), pytest.approx(4.48308, abs=1e-4))
