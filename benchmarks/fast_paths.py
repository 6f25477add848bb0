"""Each hand-written fast path of cipsurvey.stats against its library equivalent, timed.

Run by hand: `python benchmarks/fast_paths.py [N ...] [--out DIR]` (default 705, 100,000
and 1,000,000 respondents; writes DIR/fast_paths.md, default benchmarks/). The data are the
demo wave resampled to N rows with the numbers jittered, as `bench.py` makes its waves. Each
timing is the median of several calls in this process (after one call to warm up), the
cipsurvey function end to end against the library on the same columns, including the
group split the library needs. The numbers are quoted in the modules' docstrings; the
differential test that keeps each fast path equal to its library is
tests/test_fast_paths.py.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd


def resampled_wave(n: int) -> pd.DataFrame:
    """The demo wave resampled to ``n`` rows, ages, years and counts jittered (bench.py's)."""
    import cipsurvey
    from cipsurvey.demo.files import demo_files

    demo = cipsurvey.read_survey(demo_files()).data
    rng = np.random.default_rng(n)
    big = demo.iloc[rng.integers(0, len(demo), n)].reset_index(drop=True)
    if n > len(demo):
        for col, step, lo, hi in (("age", 4, 18, 75), ("years_at_workplace", 2, 0, 50),
                                  ("n_part_30d", 1, 0, 100), ("n_self_30d", 1, 0, 100),
                                  ("n_part_6m", 2, 0, 300), ("n_self_6m", 2, 0, 300)):
            big[col] = (big[col] + rng.integers(-step, step + 1, n)).clip(lo, hi)
    return big


def median_time(call: Callable[[], object], runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cases(d: pd.DataFrame) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """name: (cipsurvey's call, the library's call on the same columns)."""
    import pingouin
    import statsmodels.api as sm
    from matplotlib import cbook
    from scipy import stats

    from cipsurvey import stats as st
    from cipsurvey.stats import _discrete, contingency
    from cipsurvey.stats._util import split
    from cipsurvey.stats.posthoc import q_quantile

    age = d["age"].to_numpy(dtype=float)
    age = age[~np.isnan(age)]
    two = d[d["gender"].isin([1.0, 2.0])]
    three = d[d["work_area"] <= 3]
    _, k3 = split(three, "n_part_6m", "work_area")
    items = ["climate_trust", "climate_contacts", "climate_roles", "climate_manager",
             "climate_time"]

    def logit_all_rows():
        y, x = st.design(three, "ever_cip", ["gender", "age", "work_area"],
                         {"work_area": None})
        return sm.GLM((y == 1).astype(float), x, family=sm.families.Binomial()).fit()

    return {
        "ranks and tie sum (age)": (
            lambda: _discrete.ranks(age),
            lambda: (stats.rankdata(age), np.unique(age, return_counts=True))),
        "quartiles (age, SPSS's definition)": (
            lambda: _discrete.quantiles(*_discrete.distinct(age)[:2], [0.25, 0.5, 0.75],
                                        "weibull"),
            lambda: np.quantile(age, [0.25, 0.5, 0.75], method="weibull")),
        "Mann-Whitney (age by gender)": (
            lambda: st.mann_whitney(two, "age", "gender"),
            lambda: stats.mannwhitneyu(*split(two, "age", "gender")[1],
                                       method="asymptotic", use_continuity=False)),
        "Kruskal-Wallis (6-month count by work area)": (
            lambda: st.kruskal(three, "n_part_6m", "work_area"),
            lambda: stats.kruskal(*split(three, "n_part_6m", "work_area")[1])),
        "ANOVA table (pingouin.anova)": (
            lambda: st.anova(three, "n_part_6m", "work_area"),
            lambda: pingouin.anova(three, dv="n_part_6m", between="work_area",
                                   detailed=True)),
        "crosstab (work area by gender)": (
            lambda: contingency._table(d, "work_area", "gender"),
            lambda: pd.crosstab(d["work_area"], d["gender"])),
        "box statistics (age by work area)": (
            lambda: st.box_stats(three, "age", "work_area"),
            lambda: [cbook.boxplot_stats(v) for v in split(three, "age", "work_area")[1]]),
        "Cronbach's alpha (climate items)": (
            lambda: st.cronbach_alpha(d, items),
            lambda: pingouin.cronbach_alpha(d[items], nan_policy="listwise")),
        "Tukey HSD with 95% intervals": (
            lambda: st.posthoc(three, "n_part_6m", "work_area", "tukey"),
            lambda: stats.tukey_hsd(*split(three, "n_part_6m", "work_area")[1])
            .confidence_interval(0.95)),
        "studentized-range quantile (k = 3)": (
            lambda: q_quantile(0.95, 3, sum(len(v) for v in k3) - 3),
            lambda: stats.studentized_range.ppf(0.95, 3, sum(len(v) for v in k3) - 3)),
        "logistic model (distinct rows)": (
            lambda: st.logistic(three, "ever_cip", ["gender", "age", "work_area"],
                                categorical={"work_area": None}),
            logit_all_rows),
    }


def import_time(module: str, runs: int = 5) -> float:
    """Median seconds a fresh interpreter takes to import ``module`` after the statistics
    stack the report imports anyway (pandas, scipy.stats, statsmodels' GLM)."""
    base = ("import pandas, scipy.stats, statsmodels.genmod.generalized_linear_model; "
            "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)")
    out = [float(subprocess.run([sys.executable, "-c", base.format(m=module)],
                                capture_output=True, text=True, check=True).stdout)
           for _ in range(runs)]
    return statistics.median(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[705, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[int, tuple[float, float]]] = {}
    for n in args.sizes:
        d = resampled_wave(n)
        runs = 7 if n < 500_000 else 3
        for name, (ours, theirs) in cases(d).items():
            table.setdefault(name, {})[n] = (median_time(ours, runs),
                                             median_time(theirs, runs))
            print(n, name, table[name][n], flush=True)
    pingouin_import = import_time("pingouin")
    head = " | ".join(f"{n:,}: cipsurvey / library (ms)" for n in args.sizes)
    lines = [f"| fast path | {head} |", "|---|" + "---:|" * len(args.sizes)]
    for name, by_n in table.items():
        cells = " | ".join(f"{1e3 * by_n[n][0]:.1f} / {1e3 * by_n[n][1]:.1f}"
                           for n in args.sizes)
        lines.append(f"| {name} | {cells} |")
    lines += ["", f"Importing pingouin after pandas, scipy.stats and statsmodels' GLM: "
              f"{pingouin_import:.2f} s (median of 5 fresh processes)."]
    (args.out / "fast_paths.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
