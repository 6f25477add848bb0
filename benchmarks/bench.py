"""Benchmarks, run by hand: `python benchmarks/bench.py [N ...] [--out benchmarks/]`.

For each size N (default 705, 10,000, 100,000 and 1,000,000) it writes a synthetic wave of
the 2017 instrument (the demo wave resampled, numbers jittered, new ids) as .sav (as
pyreadstat writes it, uncompressed; and a bytecode-compressed copy made by GNU PSPP, as SPSS
saves by default) and as CSV. Each step runs in a fresh process, best of several runs, with
its peak memory: import plus validation, the full kallmen2017 plan (statistics only), and the
full report (HTML, Word, Excel, JSON, figures) as `cipsurvey report FILE --out DIR` makes it
(peak memory: its largest process). In the same run it times GNU PSPP on the same .sav with
the equivalent syntax (T-TEST, CROSSTABS, ONEWAY with Scheffé, REGRESSION) and its workspace
sized for the data; the ratio compares whole processes (start-up included) for import plus
statistics. It also times `cipsurvey report --demo` end to end against the bare import of
the dependency stack, and `cipsurvey --help`. Results go to results.md (a table) and
results.png (time against N, log-log).
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
from cipsurvey.analysis.plan import load_plan
files, step = sys.argv[1].split(","), sys.argv[2]
out = {}
t = time.perf_counter()
survey = cipsurvey.read_survey(files)
out["import"] = time.perf_counter() - t
if step == "plan":
    from cipsurvey.analysis.run import run_plan
    t = time.perf_counter()
    report = run_plan(survey, load_plan("kallmen2017", survey.instrument))
    out["plan"] = time.perf_counter() - t
    out["failed"] = [r.id for r in report.results if r.error]
out["total"] = time.perf_counter() - t0
# this process's own peak: VmHWM. (ru_maxrss would also count the benchmark process it was
# forked from, whose peak Linux carries across exec, and that process holds the wave.)
try:
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    out["peak_mb"] = int(hwm.split()[1]) / 1024
except (OSError, IndexError):
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# the plan's forked worker, if there was one (it shares the wave's pages with this process,
# so its resident peak includes them: the two peaks are not to be added)
out["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(out))
"""

RUNS = 3  # best of this many fresh processes per step and size, PSPP's too

# everything the report command imports at run time, not only the statistics stack
FULL_STACK = ("import pandas, scipy.stats, statsmodels.api, pingouin, seaborn, pyreadstat, "
              "matplotlib.pyplot, docx, openpyxl, jinja2, typer, rich.console, pydantic, yaml, "
              "pyarrow.csv")

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
    from cipsurvey.wave.export import sav_dictionary

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


def compressed_copy(sav: Path) -> Path | None:
    """The same file bytecode-compressed, as SPSS saves by default (written by GNU PSPP)."""
    exe = shutil.which("pspp")
    if exe is None:
        return None
    out = sav.with_name(sav.stem + "_compressed.sav")
    job = sav.with_name("compress.sps")
    job.write_text(f"GET FILE='{sav}'.\nSAVE OUTFILE='{out}' /COMPRESSED.\n", encoding="utf-8")
    subprocess.run([exe, str(job)], capture_output=True, check=True)
    return out


def child(files: list[Path], step: str, repeat: int = 1) -> dict:
    """Best of ``repeat`` runs, each a fresh process; ``wall`` is the whole process."""
    best: dict | None = None
    for _ in range(repeat):
        args = [sys.executable, "-c", CHILD, ",".join(map(str, files)), step]
        t = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1]) | {
            "wall": time.perf_counter() - t}
        if best is None or result["wall"] < best["wall"]:
            best = result
    assert best is not None
    return best


# runs a command and prints the peak memory of the largest process it waited for (the
# report command and its figure worker), in MB (this small wrapper is what they are forked
# from, so the peak Linux carries across exec is its own few MB, not the benchmark's)
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss "
        "/ 1024)")


def cli_report(files: list[Path], out: Path, repeat: int = 1) -> tuple[float, float]:
    """``cipsurvey report FILE --out DIR`` as users run it: best wall time, peak MB."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        if out.exists():
            shutil.rmtree(out)
        cmd = [sys.executable, "-m", "cipsurvey.cli.app", "report", *map(str, files),
               "--out", str(out)]
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True,
                              text=True, check=True)
        wall = time.perf_counter() - t
        if wall < best:
            best, peak = wall, float(proc.stdout.strip().splitlines()[-1])
    return best, peak


def pspp(sav: Path, folder: Path, n: int, repeat: int = 1) -> float | None:
    exe = shutil.which("pspp")
    if exe is None:
        return None
    job = folder / "job.sps"
    job.write_text(PSPP_SYNTAX.format(ws=max(65536, 2 * n), sav=sav), encoding="utf-8")
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([exe, "-O", "format=csv", "-o", str(folder / "pspp.csv"), str(job)],
                       capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


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
    cli = [sys.executable, "-m", "cipsurvey.cli.app"]
    six = "import pandas, scipy.stats, statsmodels.api, pingouin, seaborn, pyreadstat"
    stack = seconds([sys.executable, "-c", six], repeat=5)
    full_stack = seconds([sys.executable, "-c", FULL_STACK], repeat=5)
    # the same, skipping the cycle collections of interpreter shutdown as the CLI does
    stack_frozen = seconds([sys.executable, "-c", six + "; import gc; gc.freeze()"], repeat=5)
    help_time = seconds([*cli, "--help"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo_report = seconds([*cli, "report", "--demo", "--out", str(folder / "demo"),
                               "--force"], repeat=5)
        for n in args.sizes:
            sav, csv = make_wave(n, folder)
            packed = compressed_copy(sav)
            report_wall, report_peak = cli_report([sav], folder / f"report_{n}")
            stats_sav = child([sav], "plan", repeat=RUNS)
            imp_packed = child([packed], "import", repeat=RUNS) if packed else None
            imp_csv = child([csv], "import", repeat=RUNS)
            pspp_time = pspp(sav, folder, n, repeat=RUNS)
            rows.append({
                "n": n, "import_sav": stats_sav["import"],
                "import_packed": imp_packed["import"] if imp_packed else None,
                "import_csv": imp_csv["import"], "plan": stats_sav["plan"],
                "wall": stats_sav["wall"], "pspp": pspp_time, "report_total": report_wall,
                "peak_mb": stats_sav["peak_mb"], "worker_peak_mb": stats_sav["worker_peak_mb"],
                "peak_report_mb": report_peak,
                "failed": stats_sav["failed"]})
            print(json.dumps(rows[-1]), flush=True)
    write(rows, stack, full_stack, stack_frozen, help_time, demo_report, args.out)


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def write(rows: list[dict], stack: float, full_stack: float, stack_frozen: float,
          help_time: float, demo_report: float, out: Path) -> None:
    lines = ["| N | import .sav + validation (s) | compressed .sav (s) | .csv (s) | "
             "plan statistics (s) | import + statistics, whole process (s) | GNU PSPP (s) | "
             "cipsurvey / PSPP | `cipsurvey report` (s) | peak memory, statistics: main / "
             "forked worker (MB) | peak memory, report (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ratio = r["wall"] / r["pspp"] if r["pspp"] else None
        lines.append(
            f"| {r['n']:,} | {_f(r['import_sav'])} | {_f(r['import_packed'])} | "
            f"{_f(r['import_csv'])} | {_f(r['plan'])} | {_f(r['wall'])} | {_f(r['pspp'])} | "
            f"{_f(ratio)} | {_f(r['report_total'])} | "
            f"{r['peak_mb']:.0f} / {_f(r['worker_peak_mb'] or None, 0)} | "
            f"{r['peak_report_mb']:.0f} |")
    lines += ["", f"Bare import of pandas, scipy.stats, statsmodels.api, pingouin, seaborn and "
              f"pyreadstat: {stack:.2f} s; of everything the report imports (those, "
              f"matplotlib, python-docx, openpyxl, jinja2, typer, rich, pydantic, PyYAML, "
              f"pyarrow): {full_stack:.2f} s. `cipsurvey report --demo` end to end: "
              f"{demo_report:.2f} s ({demo_report / stack:.1f}× the first, "
              f"{demo_report / full_stack:.1f}× the second). The report command skips "
              f"the cycle collections of interpreter shutdown (gc.freeze); the six "
              f"libraries' bare import skipping them too: {stack_frozen:.2f} s, against "
              f"which the report takes {demo_report / stack_frozen:.1f}×. "
              f"`cipsurvey --help`: {help_time:.2f} s."]
    failed = sorted({f for r in rows for f in r["failed"]})
    if failed:
        lines += ["", "Analyses that failed at some size: " + ", ".join(failed)]
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ns = [r["n"] for r in rows]
    for key, label in (("import_sav", "import + validation"), ("plan", "plan statistics"),
                       ("wall", "import + statistics (process)"),
                       ("report_total", "cipsurvey report (process)"), ("pspp", "GNU PSPP")):
        ax.loglog(ns, [r[key] or float("nan") for r in rows], marker="o", label=label)
    ax.loglog(ns, [rows[-1]["wall"] * n / ns[-1] for n in ns], color="0.7", linestyle=":",
              label="linear in N")
    ax.set_xlabel("respondents")
    ax.set_ylabel("seconds")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "results.png", dpi=120)


if __name__ == "__main__":
    main()
