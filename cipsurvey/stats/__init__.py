"""Statistics: each function takes plain data and column names and returns tidy DataFrames.

Shared column names: ``n``, ``statistic``, ``df``, ``p``, ``estimate``, ``conf_low``,
``conf_high``, ``method``, ``note`` (a degenerate input gives NaN and a note, never an error
from deep inside a library).
"""

from ._util import shared_work
from .contingency import association, chi2_tests, crosstab_cells
from .countmodels import CountModelChoice, binomial_count, count_model, reference_levels
from .descriptives import box_stats, describe, value_counts
from .exact import fisher_freeman_halton
from .frequencies import frequencies, grid, multiple_response, multiple_response_tests, wilson
from .kgroup import anova, anova_effect_sizes, kruskal, kruskal_ranks, robust_anova
from .likert import likert_distribution, likert_summary
from .multiplicity import adjust, adjust_families, disagreement, disagreements
from .paired import marginal_homogeneity, mcnemar, paired_t, wilcoxon
from .posthoc import dunn, pairwise_d, posthoc
from .regression import (
    RegressionResult,
    design,
    distinct_rows,
    logistic,
    negative_binomial,
    ols,
    poisson,
)
from .scales import cronbach_alpha, item_total, scale_scores
from .selection import crosstab_tests, sparse
from .structural import quasi_independence
from .twogroup import cohens_d, levene, mann_whitney, ttest

__all__ = [
    "CountModelChoice", "RegressionResult", "adjust", "adjust_families", "anova",
    "anova_effect_sizes", "association", "binomial_count", "box_stats", "chi2_tests",
    "cohens_d", "count_model", "cronbach_alpha", "crosstab_cells", "crosstab_tests",
    "describe", "design", "disagreement", "disagreements", "distinct_rows", "dunn",
    "fisher_freeman_halton", "frequencies", "grid", "item_total", "kruskal", "kruskal_ranks",
    "levene", "likert_distribution", "likert_summary", "logistic", "mann_whitney",
    "marginal_homogeneity", "mcnemar", "multiple_response", "multiple_response_tests",
    "negative_binomial", "ols", "paired_t", "pairwise_d", "poisson", "posthoc",
    "quasi_independence", "reference_levels", "robust_anova", "scale_scores", "shared_work",
    "sparse", "ttest", "value_counts", "wilcoxon", "wilson",
]
