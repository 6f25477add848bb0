"""Fitting distinct rows with frequency weights must equal fitting every row.

The count and logistic models fit the distinct (outcome, predictors) rows of a wave weighted
by their counts. Here the reference is statsmodels' own discrete-choice models (Logit,
Poisson, NegativeBinomial by joint Newton on (β, α)) fitted to every row, unweighted: a
different likelihood code and optimiser from the weighted GLMs cipsurvey uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.discrete.discrete_model import NegativeBinomial

from cipsurvey import stats as st


@pytest.fixture(scope="module")
def wave() -> pd.DataFrame:
    rng = np.random.default_rng(2017)
    n = 6000  # whole-number predictors, as in a survey: rows repeat many times
    area = rng.integers(1, 4, n).astype(float)
    gender = rng.integers(1, 3, n).astype(float)
    age = rng.integers(25, 36, n).astype(float)
    mu = np.exp(0.3 + 0.4 * (area == 2) - 0.3 * (area == 3) + 0.2 * (gender == 2)
                + 0.03 * (age - 30))
    count = rng.negative_binomial(1 / 0.8, 1 / (1 + 0.8 * mu)).astype(float)
    event = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.6 * (area == 3) + 0.05 * (age - 30)))))
    return pd.DataFrame({"area": area, "gender": gender, "age": age, "count": count,
                         "event": event.astype(float)})


def _design(wave: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"(Intercept)": 1.0, "area[2]": (wave["area"] == 2) * 1.0,
                         "area[3]": (wave["area"] == 3) * 1.0,
                         "gender[2]": (wave["gender"] == 2) * 1.0, "age": wave["age"]})


def test_the_wave_really_repeats(wave):
    y, x = st.design(wave, "count", ["area", "gender", "age"], {"area": 1.0, "gender": 1.0})
    yu, _, w = st.distinct_rows(y, x)
    assert len(yu) < len(y) / 5 and w.sum() == len(y)


def test_negative_binomial_equals_the_joint_fit_on_every_row(wave):
    ours = st.negative_binomial(wave, "count", ["area", "gender", "age"],
                                categorical={"area": 1.0, "gender": 1.0})
    ref = NegativeBinomial(wave["count"], _design(wave), loglike_method="nb2").fit(
        method="newton", maxiter=100, disp=0, tol=1e-12)
    coef = ours.coefficients.set_index("term")
    np.testing.assert_allclose(coef["estimate"], ref.params.iloc[:-1], rtol=1e-6, atol=1e-8)
    model = ours.model.iloc[0]
    assert model["alpha"] == pytest.approx(ref.params.iloc[-1], rel=1e-6)
    assert model["log_likelihood"] == pytest.approx(ref.llf, rel=1e-10)
    assert model["n"] == len(wave)


def test_poisson_equals_the_fit_on_every_row(wave):
    ours = st.poisson(wave, "count", ["area", "gender", "age"],
                      categorical={"area": 1.0, "gender": 1.0})
    ref = sm.Poisson(wave["count"], _design(wave)).fit(method="newton", disp=0, tol=1e-12)
    coef = ours.coefficients.set_index("term")
    np.testing.assert_allclose(coef["estimate"], ref.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(coef["se"], ref.bse, rtol=1e-6)
    model = ours.model.iloc[0]
    assert model["log_likelihood"] == pytest.approx(ref.llf, rel=1e-10)
    assert model["n"] == len(wave) and model["df_resid"] == len(wave) - 5
    resid = (wave["count"] - ref.predict()) ** 2 / ref.predict()
    assert model["pearson_chi2"] == pytest.approx(resid.sum(), rel=1e-8)


def test_logistic_equals_the_fit_on_every_row(wave):
    ours = st.logistic(wave, "event", ["area", "gender", "age"],
                       categorical={"area": 1.0, "gender": 1.0})
    ref = sm.Logit(wave["event"], _design(wave)).fit(method="newton", disp=0, tol=1e-12)
    coef = ours.coefficients.set_index("term")
    np.testing.assert_allclose(coef["estimate"], ref.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(coef["se"], ref.bse, rtol=1e-6)
    model = ours.model.iloc[0]
    assert model["minus2ll"] == pytest.approx(-2 * ref.llf, rel=1e-10)
    assert model["lr_chi2"] == pytest.approx(ref.llr, rel=1e-8)
    assert model["n"] == len(wave) and model["events"] == wave["event"].sum()
