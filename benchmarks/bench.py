"""Benchmarks, run by hand: `python benchmarks/bench.py [N ...] [--out benchmarks/]`.

For each size N (default 705, 10,000, 100,000 and 1,000,000) it writes a synthetic wave of
the 2017 instrument (the demo wave resampled, numbers jittered, new ids) as .sav and CSV,
then times, each in a fresh process with its peak memory: import plus validation, the full
kallmen2017 plan (statistics only), and the full report (HTML, Word, Excel, JSON, figures).
In the same run it times GNU PSPP on the same .sav with the equivalent syntax (T-TEST,
CROSSTABS, ONEWAY with Scheffé, REGRESSION) and its workspace sized for the data, the bare
import of the dependency stack, and `cipsurvey --help`. Results go to results.md (a table)
and results.png (time against N, log-log).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import cipsurvey
from cipsurvey.plan import load_plan
from cipsurvey.report.run import run_plan
files, step = sys.argv[1].split(","), sys.argv[2]
out = {}
t = time.perf_counter()
survey = cipsurvey.read_survey(files)
out["import"] = time.perf_counter() - t
if step in ("plan", "report"):
    t = time.perf_counter()
    report = run_plan(survey, load_plan("kallmen2017", survey.instrument))
    out["plan"] = time.perf_counter() - t
    out["failed"] = [r.id for r in report.results if r.error]
if step == "report":
    from cipsurvey.report.outputs import write_report
    t = time.perf_counter(); write_report(report, __import__("pathlib").Path(sys.argv[3]))
    out["report"] = time.perf_counter() - t
out["total"] = time.perf_counter() - t0
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

PSPP_SYNTAX = """SET WORKSPACE={ws}.
GET FILE='{sav}'.
COMPUTE ss = (work_area = 1).
COMPUTE sut = (work_area = 3).
T-TEST GROUPS=gender(1,2) /VARIABLES=age.
CROSSTABS /TABLES=work_area BY gender /STATISTICS=CHISQ PHI.
TEMPORARY.
SELECT IF work_area <= 3.
ONEWAY /VARIABLES=n_part_30d n_self_30d n_part_6m n_self_6m BY work_area /POSTHOC=SCHEFFE.
TEMPORARY.
SELECT IF work_area <= 3.
REGRESSION /VARIABLES=gender age ss sut years_at_workplace /DEPENDENT=n_part_6m
  /STATISTICS=COEFF R ANOVA.
"""


def make_wave(n: int, folder: Path) -> tuple[Path, Path]:
    import numpy as np
    import pyreadstat

    import cipsurvey
    from cipsurvey.demo.files import demo_files, web_frame
    from cipsurvey.io.writers import sav_dictionary

    demo = cipsurvey.read_survey(demo_files())
    rng = np.random.default_rng(n)
    big = demo.data.iloc[rng.integers(0, demo.n, n)].reset_index(drop=True)
    big["resp_id"] = [f"B{i:08d}" for i in range(n)]
    # a resample alone repeats the demo's 705 rows; jitter the numbers so that the large waves
    # have as many distinct answer patterns as pooled national data would
    for col, step, lo, hi in (("age", 4, 18, 75), ("years_at_workplace", 2, 0, 50),
                              ("n_part_30d", 1, 0, 100), ("n_self_30d", 1, 0, 100),
                              ("n_part_6m", 2, 0, 300), ("n_self_6m", 2, 0, 300)):
        if n > demo.n:
            noise = rng.integers(-step, step + 1, n)
            big[col] = (big[col] + noise).clip(lo, hi)
    frame = web_frame(demo.instrument, big)
    meta = sav_dictionary(demo.instrument, "sv")
    sav = folder / f"wave_{n}.sav"
    pyreadstat.write_sav(
        frame, str(sav), column_labels=[meta["labels"].get(c, "") for c in frame.columns],
        variable_value_labels={k: v for k, v in meta["values"].items() if k in frame},
        missing_ranges={k: v for k, v in meta["missing"].items() if k in frame})
    csv = folder / f"wave_{n}.csv"
    frame.to_csv(csv, index=False)
    return sav, csv


def child(files: list[Path], step: str, out: Path | None = None) -> dict:
    args = [sys.executable, "-c", CHILD, ",".join(map(str, files)), step, str(out or "")]
    proc = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pspp(sav: Path, folder: Path, n: int) -> float | None:
    exe = shutil.which("pspp")
    if exe is None:
        return None
    job = folder / "job.sps"
    job.write_text(PSPP_SYNTAX.format(ws=max(65536, 2 * n), sav=sav), encoding="utf-8")
    t = time.perf_counter()
    subprocess.run([exe, "-O", "format=csv", "-o", str(folder / "pspp.csv"), str(job)],
                   capture_output=True, check=False)
    return time.perf_counter() - t


def seconds(cmd: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[705, 10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    stack = seconds([sys.executable, "-c", "import pandas, scipy.stats, statsmodels.api, "
                     "pingouin, seaborn, pyreadstat"])
    help_time = seconds([sys.executable, "-m", "cipsurvey.cli.app", "--help"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            sav, csv = make_wave(n, folder)
            full = child([sav], "report", folder / f"report_{n}")
            stats_sav = child([sav], "plan")
            imp_csv = child([csv], "import")
            pspp_time = pspp(sav, folder, n)
            rows.append({"n": n, "import_sav": stats_sav["import"], "plan": stats_sav["plan"],
                         "import_csv": imp_csv["import"], "report": full["report"],
                         "report_total": full["total"], "peak_mb": stats_sav["peak_mb"],
                         "pspp": pspp_time, "failed": stats_sav["failed"]})
            print(json.dumps(rows[-1]), flush=True)
    write(rows, stack, help_time, args.out)


def write(rows: list[dict], stack: float, help_time: float, out: Path) -> None:
    lines = ["| N | import .sav + validation (s) | import .csv (s) | plan statistics (s) | "
             "report files (s) | whole report run (s) | peak memory (MB) | PSPP (s) | "
             "cipsurvey/PSPP (import + statistics) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ratio = ((r["import_sav"] + r["plan"]) / r["pspp"]) if r["pspp"] else float("nan")
        lines.append(f"| {r['n']:,} | {r['import_sav']:.2f} | {r['import_csv']:.2f} | "
                     f"{r['plan']:.2f} | {r['report']:.2f} | {r['report_total']:.2f} | "
                     f"{r['peak_mb']:.0f} | {r['pspp'] or float('nan'):.2f} | {ratio:.1f} |")
    lines += ["", f"Bare import of pandas, scipy.stats, statsmodels.api, pingouin, seaborn and "
              f"pyreadstat: {stack:.2f} s. `cipsurvey --help`: {help_time:.2f} s."]
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ns = [r["n"] for r in rows]
    for key, label in (("import_sav", "import + validation"), ("plan", "plan statistics"),
                       ("report_total", "whole report"), ("pspp", "GNU PSPP")):
        ax.loglog(ns, [r[key] or float("nan") for r in rows], marker="o", label=label)
    ax.set_xlabel("respondents")
    ax.set_ylabel("seconds")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(out / "results.png", dpi=120)


if __name__ == "__main__":
    main()
