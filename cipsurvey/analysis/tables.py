"""The names of a result's tables, written once: ``Result.tables`` maps these names to
frames, and the renderers (``cipsurvey.report``), the disclosure control, the comparison
and the reproduction look tables up by them. A new kind of table gets its name here, its
shape in ``report/publication.py`` (``SHAPED``; others are shown as they are) and, if it
holds counts, its reading by the disclosure control's attacker (``report/protect/reading.py``)
and its columns in ``report/protect/apply.py``.
"""

from __future__ import annotations

# descriptives and frequencies
DESCRIBE = "describe"
FREQUENCIES = "frequencies"
GRID = "grid"
MULTIPLE_RESPONSE = "multiple_response"
# crosstabs
CELLS = "cells"
MARGINS = "margins"
TESTS = "tests"
ASSOCIATION = "association"
# two groups
TTEST = "ttest"
LEVENE = "levene"
EFFECT_SIZE = "effect_size"
MANN_WHITNEY = "mann_whitney"
# k groups
ANOVA = "anova"
EFFECT_SIZES = "effect_sizes"
PAIRWISE_D = "pairwise_d"
POSTHOC = "posthoc"
ROBUST = "robust"
KRUSKAL = "kruskal"
RANKS = "ranks"
# beside a test: the classical and robust tests compared at α, and the test that fits a
# categorical answer beside the paper's ANOVA or t-test on its codes
AGREEMENT = "agreement"
FITTING = "fitting_test"
# models and scales
COEFFICIENTS = "coefficients"
MODEL = "model"
REFERENCES = "references"
COUNT_CHECKS = "count_checks"
REGRESSION_ANOVA = "regression_anova"
ALPHA = "alpha"
ITEMS = "items"
SCORE = "score"
LIKERT = "likert"
LIKERT_SUMMARY = "likert_summary"
# the headline tests of a multiplicity family with their raw and adjusted p
MULTIPLICITY = "multiplicity"
# a figure's data, and the box statistics beside the points of a box plot
DATA = "data"
BOXES = "boxes"
# free-text answers (only on request)
FREE_TEXT = "free_text"
# comparisons of waves and cohorts
RATES = "rates"
ATTRITION = "attrition"
LINKAGE = "linkage"
CHANGE = "change"
BY_GROUP = "by_group"
WEIGHTS_MODEL = "weights_model"
WEIGHTS_DIAGNOSTICS = "weights_diagnostics"
WEIGHTS_BALANCE = "weights_balance"
DISTRIBUTION = "distribution"
WAVE_VALUES = "wave_values"
WAVE_MODELS = "wave_models"
PLANNING = "planning"
PLAN_POWER = "plan_power"
COHORTS = "cohorts"
HETEROGENEITY = "heterogeneity"
