"""Benchmarks, run by hand: `python benchmarks/bench.py [N ...] [--out benchmarks/]`.

For each size N (default 705, 10,000, 100,000 and 1,000,000) it writes a synthetic wave of
the 2017 instrument (the demo wave resampled, numbers jittered, new ids) as .sav (as
pyreadstat writes it, uncompressed; and a bytecode-compressed copy made by GNU PSPP, as SPSS
saves by default) and as CSV. Each step runs in a fresh process, best of several runs, with
its peak memory: import plus validation, the full kallmen2017 plan (statistics only), and the
full report (HTML, Word, Excel, JSON, figures) as `cipsurvey report FILE --out DIR` makes it
(peak memory: its largest process). In the same run it times GNU PSPP on the same .sav with
the equivalent syntax (T-TEST, CROSSTABS, ONEWAY with Scheffé, REGRESSION) and its workspace
sized for the data, each PSPP run right after a cipsurvey run, so that each round's ratio
compares the two whole processes (start-up included) for import plus statistics under the
same load. It also times `cipsurvey report --demo` end to end against the bare import of
the third-party modules the report's processes import (listed from a demo report run, so
the floor follows the code), and `cipsurvey --help`. Results go to results.md (a table, with
the machine and its load) and results.png (time against N, log-log); the folder is created.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
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

RUNS = 5  # fresh processes per step and size, PSPP's too

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


def child(files: list[Path], step: str) -> dict:
    """One fresh process; ``wall`` is the whole process."""
    args = [sys.executable, "-c", CHILD, ",".join(map(str, files)), step]
    t = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]) | {"wall": time.perf_counter() - t}


def spread(values: list[float]) -> dict[str, float]:
    """Best (lowest), median and worst of repeated timings."""
    return {"best": min(values), "median": statistics.median(values), "worst": max(values)}


# runs a command and prints the peak memory of the largest process it waited for (the
# report command and its figure worker), in MB (this small wrapper is what they are forked
# from, so the peak Linux carries across exec is its own few MB, not the benchmark's)
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss "
        "/ 1024)")


def cli_report(files: list[Path], out: Path, repeat: int) -> tuple[list[float], float]:
    """``cipsurvey report FILE -i kallmen2017 -p kallmen2017 --out DIR`` as users run it:
    each run's wall time, and the peak MB of the largest process over the runs."""
    walls, peak = [], 0.0
    for _ in range(repeat):
        if out.exists():
            shutil.rmtree(out)
        cmd = [sys.executable, "-m", "cipsurvey.cli.app", "report", *map(str, files),
               "-i", "kallmen2017", "-p", "kallmen2017", "--out", str(out)]
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True,
                              text=True, check=True)
        walls.append(time.perf_counter() - t)
        peak = max(peak, float(proc.stdout.strip().splitlines()[-1]))
    return walls, peak


def pspp(sav: Path, folder: Path, n: int) -> float | None:
    """One run of GNU PSPP on the plan's equivalent syntax: seconds, or None without PSPP."""
    exe = shutil.which("pspp")
    if exe is None:
        return None
    job = folder / "job.sps"
    job.write_text(PSPP_SYNTAX.format(ws=max(65536, 2 * n), sav=sav), encoding="utf-8")
    t = time.perf_counter()
    subprocess.run([exe, "-O", "format=csv", "-o", str(folder / "pspp.csv"), str(job)],
                   capture_output=True, check=True)
    return time.perf_counter() - t


def seconds(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times


# written into every Python process the demo report starts (PYTHONPATH): at exit, the names
# of the third-party modules it imported, one a line, into the file $CIPSURVEY_BENCH_MODULES
RECORDER = """import atexit, os, sys
def _record():
    skip = set(sys.stdlib_module_names) | {"cipsurvey", "sitecustomize", "__main__"}
    with open(os.environ["CIPSURVEY_BENCH_MODULES"], "a", encoding="utf-8") as out:
        out.write(f"# process {os.getpid()}\\n")
        out.writelines(name + "\\n" for name in sorted(sys.modules)
                       if name.split(".")[0].lstrip("_") not in skip
                       and name.split(".")[0] not in skip)
atexit.register(_record)
"""


def report_modules(folder: Path) -> tuple[list[str], list[str]]:
    """The third-party modules a demo report's main process imports, and those all its
    processes import (the figure worker draws beside it)."""
    hook = folder / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    listing = folder / "modules.txt"
    env = os.environ | {"PYTHONPATH": str(hook), "CIPSURVEY_BENCH_MODULES": str(listing)}
    proc = subprocess.Popen([sys.executable, "-m", "cipsurvey.cli.app", "report", "--demo",
                             "--out", str(folder / "modules"), "--force"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.wait()
    by_process: dict[str, list[str]] = {}
    current = ""
    for line in listing.read_text(encoding="utf-8").splitlines():
        if line.startswith("# process "):
            current = line.split()[-1]
            by_process[current] = []
        else:
            by_process[current].append(line)
    main_modules = by_process.get(str(proc.pid), [])
    everything = sorted({m for names in by_process.values() for m in names})
    return main_modules, everything


def import_command(modules: list[str], frozen: bool = False) -> list[str]:
    """A fresh interpreter that imports these modules (those that can be imported by name)
    and nothing of cipsurvey; ``frozen``: skipping the exit's cycle collection as the
    command does."""
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]:\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except Exception:\n"
            "        pass\n") + ("import gc; gc.freeze()\n" if frozen else "")
    return [sys.executable, "-c", code, *modules]


def machine() -> str:
    """What the numbers were measured on, and how busy it was."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 2**20:.0f} GiB"
    pspp_version = ""
    exe = shutil.which("pspp")
    if exe:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
        pspp_version = f", {out.splitlines()[0]}" if out else ""
    import numpy
    import pandas
    import scipy

    return (f"{platform.node()}: {model}, {os.cpu_count()} logical cores{memory}; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, pandas {pandas.__version__}, scipy "
            f"{scipy.__version__}{pspp_version}")


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[705, 10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--runs", type=int, default=RUNS,
                        help=f"fresh processes per step and size (default {RUNS})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)  # before minutes of measuring, not after
    cli = [sys.executable, "-m", "cipsurvey.cli.app"]
    started = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load": load()}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        main_modules, all_modules = report_modules(folder)
        floors = {"main": spread(seconds(import_command(main_modules), 5)),
                  "main_frozen": spread(seconds(import_command(main_modules, True), 5)),
                  "all": spread(seconds(import_command(all_modules), 5))}
        help_time = spread(seconds([*cli, "--help"], 5))
        demo_report = spread(seconds([*cli, "report", "--demo", "--out",
                                      str(folder / "demo"), "--force"], 5))
        for n in args.sizes:
            sav, csv = make_wave(n, folder)
            packed = compressed_copy(sav)
            report_walls, report_peak = cli_report([sav], folder / f"report_{n}",
                                                   max(3, args.runs - 2))
            stats_runs, pspp_runs = [], []
            for _ in range(args.runs):  # PSPP right after cipsurvey: the same load
                stats_runs.append(child([sav], "plan"))
                pspp_runs.append(pspp(sav, folder, n))
            packed_runs = [child([packed], "import") for _ in range(args.runs)] if packed \
                else []
            csv_runs = [child([csv], "import") for _ in range(args.runs)]
            fastest = min(stats_runs, key=lambda r: r["wall"])
            have_pspp = all(p is not None for p in pspp_runs)
            rows.append({
                "n": n, "runs": args.runs,
                "import_sav": spread([r["import"] for r in stats_runs]),
                "import_packed": spread([r["import"] for r in packed_runs]) if packed_runs
                else None,
                "import_csv": spread([r["import"] for r in csv_runs]),
                "plan": spread([r["plan"] for r in stats_runs]),
                "wall": spread([r["wall"] for r in stats_runs]),
                "pspp": spread(pspp_runs) if have_pspp else None,
                "ratio": spread([r["wall"] / p for r, p in zip(stats_runs, pspp_runs,
                                                                strict=True)])
                if have_pspp else None,
                "report_total": spread(report_walls),
                "peak_mb": max(r["peak_mb"] for r in stats_runs),
                "worker_peak_mb": max(r["worker_peak_mb"] for r in stats_runs),
                "peak_report_mb": report_peak,
                "failed": fastest["failed"]})
            print(json.dumps(rows[-1]), flush=True)
    finished = load()
    write(rows, floors, len(main_modules), len(all_modules), help_time, demo_report,
          f"{machine()}. Started {started['when']}, load average (1/5/15 min) "
          f"{started['load']} at the start and {finished} at the end.", args.out)


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _s(timing: dict[str, float] | None, digits: int = 2) -> str:
    """Median (best–worst) of a timing's runs."""
    if timing is None:
        return "–"
    return (f"{timing['median']:.{digits}f} ({timing['best']:.{digits}f}–"
            f"{timing['worst']:.{digits}f})")


def write(rows: list[dict], floors: dict[str, dict[str, float]], n_main: int, n_all: int,
          help_time: dict[str, float], demo_report: dict[str, float], where: str,
          out: Path) -> None:
    runs = rows[0]["runs"] if rows else RUNS
    lines = [f"Each cell: median (best–worst) of {runs} fresh processes; `cipsurvey report` "
             f"of {max(3, runs - 2)}. The ratio is taken run by run (each PSPP run right "
             "after a cipsurvey run).", "",
             "| N | import .sav + validation (s) | compressed .sav (s) | .csv (s) | "
             "plan statistics (s) | import + statistics, whole process (s) | GNU PSPP (s) | "
             "cipsurvey / PSPP | `cipsurvey report` (s) | peak memory, statistics: main / "
             "forked worker (MB) | peak memory, report (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {_s(r['import_sav'])} | {_s(r['import_packed'])} | "
            f"{_s(r['import_csv'])} | {_s(r['plan'])} | {_s(r['wall'])} | {_s(r['pspp'])} | "
            f"{_s(r['ratio'])} | {_s(r['report_total'])} | "
            f"{r['peak_mb']:.0f} / {_f(r['worker_peak_mb'] or None, 0)} | "
            f"{r['peak_report_mb']:.0f} |")
    main, frozen, every = floors["main"], floors["main_frozen"], floors["all"]
    demo = demo_report["median"]
    lines += ["", f"`cipsurvey report --demo` end to end: {_s(demo_report)} s. The bare "
              f"import of the {n_main} third-party modules its main process imports (listed "
              f"from a demo report run): {_s(main)} s, so the report takes "
              f"{demo / main['median']:.1f}× it (medians); skipping the exit's cycle "
              f"collection as the command does: {_s(frozen)} s, "
              f"{demo / frozen['median']:.1f}×. The {n_all} modules of all its processes "
              f"(the figure worker imports the plotting stack beside the main one), in one "
              f"process: {_s(every)} s. `cipsurvey --help`: {_s(help_time)} s.",
              "", f"Machine: {where}"]
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
        median = [r[key]["median"] if r[key] else float("nan") for r in rows]
        low = [r[key]["best"] if r[key] else float("nan") for r in rows]
        high = [r[key]["worst"] if r[key] else float("nan") for r in rows]
        line, = ax.loglog(ns, median, marker="o", label=label)
        ax.fill_between(ns, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.loglog(ns, [rows[-1]["wall"]["median"] * n / ns[-1] for n in ns], color="0.7",
              linestyle=":", label="linear in N")
    ax.set_xlabel("respondents")
    ax.set_ylabel("seconds (median; band: best to worst run)")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "results.png", dpi=120)


if __name__ == "__main__":
    main()
