"""What the plan format gained in issue 18, against GNU PSPP: Kruskal-Wallis mean ranks, the
regression's ANOVA table and φ for 2 × k tables (values read at full precision from the .spv,
as in test_stats_pspp.py)."""

from __future__ import annotations

import numpy as np
import pytest
from test_stats_pspp import close, close_p, crosstab_data, groups_data, regression_data, run

from cipsurvey import stats as st

from pspp_spv import by_title


@pytest.mark.parametrize("seed", [1, 2])
def test_kruskal_wallis_mean_ranks(tmp_path, seed):
    frame = groups_data(seed)
    frame = frame[frame["g"].between(1, 4) | frame["g"].isna()]
    ranks = by_title(run(tmp_path, frame, "NPAR TESTS /K-W=y BY g(1,4)."), "Ranks")[0]
    ours = st.kruskal_ranks(frame, "y", "g").set_index("group")
    assert list(ours.index) == [1.0, 2.0, 3.0, 4.0]
    for g in ours.index:
        label = f"{g:8.2f}"
        assert ours.loc[g, "n"] == ranks.get("N", label)
        close(ours.loc[g, "mean_rank"], ranks.get("Mean Rank", label), f"mean rank {g}")
    assert ours["n"].sum() == ranks.get("N", "Total")


def test_regression_anova_table(tmp_path):
    frame = regression_data(11)
    tables = run(tmp_path, frame.dropna(subset=["y", "x1", "x2", "d1", "d3"]),
                 "REGRESSION /VARIABLES=x1 x2 d1 d3 /DEPENDENT=y /STATISTICS=COEFF R ANOVA.")
    pspp = by_title(tables, "ANOVA")[0]
    ours = st.ols(frame, "y", ["x1", "x2", "area"], categorical={"area": 2.0}).anova
    ours = ours.set_index("source")
    for source in ("Regression", "Residual", "Total"):
        close(ours.loc[source, "ss"], pspp.get("Sum of Squares", source), source)
        close(ours.loc[source, "df"], pspp.get("df", source), source)
    for source in ("Regression", "Residual"):
        close(ours.loc[source, "ms"], pspp.get("Mean Square", source), source)
    close(ours.loc["Regression", "statistic"], pspp.get("F", "Regression"), "F")
    close_p(ours.loc["Regression", "p"], pspp.get("Sig.", "Regression"), "F")


@pytest.mark.parametrize("cols", [3, 4])
def test_phi_for_two_by_k_tables(tmp_path, cols):
    frame = crosstab_data(4, cols)
    frame = frame[frame["a"] != 3]  # two rows, k columns
    sym = by_title(run(tmp_path, frame, "CROSSTABS /TABLES=a BY b /STATISTICS=CHISQ PHI."),
                   "Symmetric Measures")[0]
    ours = st.association(frame, "a", "b").set_index("measure")
    close(ours.loc["Phi", "estimate"], sym.get("Value", "Phi"), "phi")
    assert np.isnan(ours.loc["Phi", "conf_low"]) or ours.loc["Phi", "conf_low"] >= 0
