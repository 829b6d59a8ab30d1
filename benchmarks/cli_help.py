"""Wall time of `annobridge --help` and of each command group's `--help`, each in a fresh process.

    .venv/bin/python benchmarks/cli_help.py [--runs 5] [--quick]

Each command runs `--runs` times (5 by default) as a shell would start it, through the installed
console script (else `python -m annobridge.cli`); the table gives the median and the fastest run,
and a bare `python -c pass` for the interpreter's own start. The figures are printed, never
asserted: a test (integration/test_cli_backends.py) guards what keeps them low, that --help loads no
vendor SDK, no provider and no pydantic-model module.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path


def entry_point() -> list[str]:
    """How a shell starts annobridge here: the console script next to this interpreter, else -m."""
    script = Path(sys.executable).parent / "annobridge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "annobridge.cli"]


def groups() -> list[str]:
    """The command groups `annobridge --help` lists (read from the CLI, so a new group is measured too)."""
    from annobridge import cli

    return [g.name for g in cli.app.registered_groups if g.name]


def timed(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall seconds of `runs` fresh runs of `command` (each must exit 0)."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited with {done.returncode}: {done.stderr.decode()[-400:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Fresh runs per command (the median is reported).")
    parser.add_argument("--quick", action="store_true", help="3 runs a command.")
    options = parser.parse_args()
    runs = 3 if options.quick else max(1, options.runs)
    env = {**os.environ, "COLUMNS": "100"}
    base = entry_point()
    rows = [("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"])]
    rows.append(("annobridge --help", [*base, "--help"]))
    rows += [(f"annobridge {g} --help", [*base, g, "--help"]) for g in groups()]

    print(f"`annobridge --help` wall time, median of {runs} fresh runs; Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores; started as `{' '.join(Path(b).name for b in base)}`\n")
    print("| command | median | fastest |")
    print("|---|---:|---:|")
    for label, command in rows:
        seconds = timed(command, runs, env)
        print(f"| `{label}` | {statistics.median(seconds) * 1000:.0f} ms | {min(seconds) * 1000:.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
