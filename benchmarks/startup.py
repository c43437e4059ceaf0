"""Start-up cost: importing the application against importing python-telegram-bot itself.

    python -m benchmarks.startup [--runs 7]

Each import runs in a fresh interpreter (so nothing is cached in ``sys.modules``), alternating the
application and the baseline, and reports medians of the time the import took and of the process's peak
memory (RSS) afterwards. The baseline is ``import telegram.ext`` (PTB's Application and handlers, which
the bot cannot run without); a bare ``python`` is shown too, so both ratios can be read over it.

Target (issue #15): ``import bot.app`` within 1.5x PTB's import in time and in memory, and
``briefing --help`` "instant" (its wall time, interpreter start included, is printed next to a bare
``python -c pass``).

The project's modules are byte-compiled first (``compileall``, as ``pip install`` does for a deployment):
a shell with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module from source on each
run, while PTB's are compiled in site-packages. ``bot.app+run`` adds what ``briefing run`` loads next
anyway (the settings with pydantic, aiohttp for the first request): shown for context, not a target.

On a shared machine the wall times swing with the load, so the process CPU time of each import is printed
too (``import_cpu_ms_median`` and its ratio: less sensitive to other work, though not immune), and so is
the ratio of the fastest run of each (the least disturbed one), with the load average before and after.

``full_gc_median`` counts the full (generation 2) garbage collections during the import: a full pass over
every live object costs ~15 ms on a quiet core, and whether one falls inside the import depends on how
many objects the import allocates (PTB's alone comes close to the threshold), so a new module full of
dataclasses can add a step, not a slope.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROBE = """
import gc, resource, sys, time
began, cpu = time.perf_counter(), time.process_time()
{statement}
took, cpu = time.perf_counter() - began, time.process_time() - cpu
print(took, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, gc.get_stats()[2]["collections"])
"""

SUBJECTS = {
    "python": "pass",
    "telegram.ext": "import telegram.ext",
    "bot.app": "import bot.app",
    "bot.app+run": "import bot.app, bot.config, aiohttp",
}
ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5


def probe(statement: str) -> tuple[float, float, float, int]:
    """Wall ms, CPU ms, peak RSS MB and full collections of one import in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(statement=statement)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]) * 1000, float(out[1]) * 1000, float(out[2]), int(out[3])


def wall(argv: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for package in ("bot", "storage", "handlers"):
        compileall.compile_dir(ROOT / package, quiet=1)
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    cpu: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    memory: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    full_gc: dict[str, list[int]] = {name: [] for name in SUBJECTS}
    help_ms: list[float] = []
    bare_ms: list[float] = []
    for _ in range(args.runs):  # alternating, so a burst of load on the machine hits all alike
        for name, statement in SUBJECTS.items():
            took, cpu_ms, rss, collections = probe(statement)
            times[name].append(took)
            cpu[name].append(cpu_ms)
            memory[name].append(rss)
            full_gc[name].append(collections)
        help_ms.append(wall([sys.executable, "-m", "bot", "--help"]))
        bare_ms.append(wall([sys.executable, "-c", "pass"]))
    med = {name: (statistics.median(times[name]), statistics.median(memory[name])) for name in SUBJECTS}
    ptb_ms, ptb_mb = med["telegram.ext"]
    app_ms, app_mb = med["bot.app"]
    time_ratio, memory_ratio = app_ms / ptb_ms, app_mb / ptb_mb
    cpu_med = {name: statistics.median(values) for name, values in cpu.items()}
    result = {
        "runs": args.runs,
        "import_ms_median": {name: round(ms, 1) for name, (ms, _) in med.items()},
        "import_cpu_ms_median": {name: round(ms, 1) for name, ms in cpu_med.items()},
        "peak_rss_mb_median": {name: round(mb, 1) for name, (_, mb) in med.items()},
        "full_gc_median": {name: statistics.median(values) for name, values in full_gc.items()},
        "time_ratio_app_over_ptb": round(time_ratio, 2),
        "memory_ratio_app_over_ptb": round(memory_ratio, 2),
        "cpu_ratio_app_over_ptb": round(cpu_med["bot.app"] / cpu_med["telegram.ext"], 2),
        "time_ratio_of_fastest_runs": round(min(times["bot.app"]) / min(times["telegram.ext"]), 2),
        "target_ratio": TARGET_RATIO,
        "time_target_met": time_ratio <= TARGET_RATIO,
        "memory_target_met": memory_ratio <= TARGET_RATIO,
        "briefing_help_ms_median": round(statistics.median(help_ms), 1),
        "bare_python_ms_median": round(statistics.median(bare_ms), 1),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
