"""The parts of statsmodels the models use, imported without ``statsmodels.api`` (which
loads every statsmodels subpackage: 0.46 s against 0.09 s, a tenth of a report's start-up)."""

from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS

__all__ = ["GLM", "OLS", "families"]
