"""The studentized range distribution by direct adaptive quadrature, for the tests.

PSPP (like R) computes the studentized range with the Copenhaver & Holland (1988) algorithm,
whose accuracy falls at small degrees of freedom (about 2e-7 in p at df = 2.6, 1e-4 in the
quantile). Tukey and Games-Howell rows with small df are therefore checked against this
integration, written for the tests with scipy.integrate (not scipy.stats):

    P(Q > q) = ∫ f_S(s) · k ∫ φ(z) [Φ(z)^(k-1) - (Φ(z) - Φ(z - q s))^(k-1)] dz ds,
    S = √(χ²_ν / ν).

It was itself checked once against 30-digit mpmath quadrature (script in the docstring of
``test_quadrature_matches_30_digit_values``), whose values are stored in the test.
"""

from __future__ import annotations

import math

from scipy import integrate, special


def studentized_range_sf(q: float, k: int, df: float) -> float:
    nu = float(df)
    logc = nu / 2 * math.log(nu) - special.gammaln(nu / 2) - (nu / 2 - 1) * math.log(2)

    def tail(w: float) -> float:
        def f(z: float) -> float:
            a = special.ndtr(z)
            return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (
                a ** (k - 1) - (a - special.ndtr(z - w)) ** (k - 1))

        return k * integrate.quad(f, -12, 12, epsabs=1e-15, epsrel=1e-13, limit=400)[0]

    def outer(s: float) -> float:
        if s <= 0:
            return 0.0
        return math.exp(logc + (nu - 1) * math.log(s) - nu * s * s / 2) * tail(q * s)

    parts = [(0, 0.25), (0.25, 0.5), (0.5, 1), (1, 2), (2, 4), (4, 8), (8, 60)]
    return sum(integrate.quad(outer, a, b, epsabs=1e-15, epsrel=1e-13, limit=400)[0]
               for a, b in parts)
