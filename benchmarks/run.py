"""`make bench`: every benchmark in one go, each in its own process, tables to stdout and benchmarks/results.md.

    .venv/bin/python benchmarks/run.py [--quick] [--only rle,read_tasks,migrate,converters,video,verify,video_migrate]

The real Label Studio server is started once (from .venv-labelstudio) for the benchmarks that
need it and handed to them by URL, its token through LABEL_STUDIO_API_KEY in their environment
only (and its log, to those that count its requests); the migration and verify benchmarks start their own
Supervisely sandbox. Each benchmark runs in a child
process so that its peak memory (ru_maxrss from wait4) is its own. A run with --only puts its sections into
results.md in place of theirs, stamped with when they were measured, and keeps the others. Not a test: nothing
asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results.md"


@dataclass
class Benchmark:
    """One benchmark script: its name, what it measures, its arguments, and whether it needs Label Studio."""

    name: str
    title: str
    script: str
    args: list[str]
    quick_args: list[str]
    needs_labelstudio: bool = False
    counts_requests: bool = False  # reads Label Studio's log to count the requests it answered

    def command(self, quick: bool, url: str | None, log: str | None) -> list[str]:
        """The command line (without any token) for this run.

        >>> BENCHMARKS[0].command(True, None, None)[-1]
        '--quick'
        """
        args = list(self.quick_args if quick else self.args)
        if self.needs_labelstudio:
            args += ["--url", url or ""]
            if self.counts_requests:
                args += ["--ls-log", log or ""]
        return [sys.executable, str(HERE / self.script), *args]


BENCHMARKS = [
    Benchmark("rle", "Brush RLE: annobridge_labelstudio.rle vs label_studio_sdk.converter.brush", "rle.py", [], ["--quick"]),
    Benchmark(
        "read_tasks",
        "Reading every task with its annotations from Label Studio",
        "labelstudio_read_tasks.py",
        ["--tasks", "10000"],
        ["--tasks", "1000"],
        needs_labelstudio=True,
    ),
    Benchmark(
        "migrate",
        "Migrating annotated images from Supervisely to Label Studio",
        "migrate_sv_to_ls.py",
        [],
        ["--quick"],
        needs_labelstudio=True,
        counts_requests=True,
    ),
    Benchmark(
        "converters",
        "Converting annotations: Supervisely JSON -> neutral -> Label Studio results, and back",
        "converters.py",
        [],
        ["--quick"],
    ),
    Benchmark(
        "video",
        "Converting video annotations: Supervisely video JSON -> neutral -> Label Studio tracks, and back",
        "video_convert.py",
        [],
        ["--quick"],
    ),
    Benchmark(
        "verify",
        "Verifying a migration item by item",
        "verify.py",
        [],
        ["--quick"],
        needs_labelstudio=True,
        counts_requests=True,
    ),
    Benchmark(
        "video_migrate",
        "Migrating a video project (videos and tracks) from Supervisely to Label Studio",
        "migrate_videos.py",
        [],
        ["--quick"],
        needs_labelstudio=True,
        counts_requests=True,
    ),
]


@dataclass
class Outcome:
    """What one benchmark run gave: its table (stdout), exit status, wall time and peak RSS."""

    benchmark: Benchmark
    command: list[str]
    output: str
    status: int
    seconds: float
    peak_rss_mb: float


def run_one(benchmark: Benchmark, command: list[str], env: dict[str, str]) -> Outcome:
    """Run a benchmark script in a child process; its stderr (progress) goes straight to ours."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Outcome(
        benchmark, command, output, process.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024
    )


def report(outcomes: list[Outcome], quick: bool) -> str:
    """The Markdown of a whole run: one section per benchmark, with the command that produced it."""
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# annobridge benchmarks",
        "",
        f"{stamp}; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f"{'; --quick sizes' if quick else ''}. Produced by `make bench` (benchmarks/run.py).",
    ]
    for outcome in outcomes:
        shown = " ".join(
            str(Path(part).relative_to(HERE.parent)) if part.startswith(str(HERE)) else part
            for part in outcome.command[1:]
        )
        lines += [
            "",
            f"## {outcome.benchmark.title}",
            "",
            f"`.venv/bin/python {shown}`"
            + (" (the Label Studio server run.py started)" if outcome.benchmark.needs_labelstudio else "")
            + f": "
            f"{outcome.seconds:.0f} s in all, benchmark process peak RSS {outcome.peak_rss_mb:.0f} MiB"
            + ("" if outcome.status == 0 else f", FAILED with exit status {outcome.status} (see its stderr)"),
            "",
            outcome.output.strip() or "(no table)",
        ]
    return "\n".join(lines) + "\n"


def merged(existing: str, fresh: str, command: str) -> str:
    """`existing` results with the sections of `fresh` (a partial run) in place of theirs, or added at the end,
    each stamped with when and how it was measured; the other sections and the header are kept as they were.

    >>> old = "# r\\n\\nheader\\n\\n## A\\n\\nold a\\n\\n## B\\n\\nold b\\n"
    >>> new = "# r\\n\\n2026-12-02 06:08 UTC; x86_64.\\n\\n## B\\n\\nnew b\\n"
    >>> print(merged(old, new, "`run.py --only b`"), end="")
    # r
    <BLANKLINE>
    header
    <BLANKLINE>
    ## A
    <BLANKLINE>
    old a
    <BLANKLINE>
    ## B
    <BLANKLINE>
    _Measured 2026-12-02 06:08 UTC by `run.py --only b`; the sections without such a line are from the header's run._
    <BLANKLINE>
    new b
    """
    head, sections = _sections(existing)
    fresh_head, fresh_sections = _sections(fresh)
    stamp = fresh_head.split("\n\n")[1].split(";")[0].strip() if "\n\n" in fresh_head else ""
    note = f"_Measured {stamp} by {command}; the sections without such a line are from the header's run._"
    for title, body in fresh_sections.items():
        sections[title] = f"{note}\n\n{body.strip()}"
    return head.rstrip() + "\n\n" + "\n\n".join(f"## {t}\n\n{b.strip()}" for t, b in sections.items()) + "\n"


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """(what comes before the first "## ", {section title: its text without the heading}), in order."""
    parts = text.split("\n## ")
    sections = {}
    for part in parts[1:]:
        title, _, body = part.partition("\n")
        sections[title.strip()] = body
    return parts[0], sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (minutes, not an hour)")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(b.name for b in BENCHMARKS)}")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the Markdown (results.md)")
    args = parser.parse_args(argv)
    chosen = BENCHMARKS
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(names) - {b.name for b in BENCHMARKS})
        if unknown:
            parser.error(f"unknown benchmarks {unknown}; choose from {[b.name for b in BENCHMARKS]}")
        chosen = [b for b in BENCHMARKS if b.name in names]
    outcomes = []
    with ExitStack() as stack:
        env, url, log = dict(os.environ), None, None
        if any(b.needs_labelstudio for b in chosen):
            from annobridge_labelstudio.server import LocalLabelStudio

            print("starting the Label Studio server (about a minute)", file=sys.stderr, flush=True)
            server = stack.enter_context(LocalLabelStudio())
            url, log = server.backend_url, str(server.log_path)
            env["LABEL_STUDIO_API_KEY"] = server.token
        for benchmark in chosen:
            command = benchmark.command(args.quick, url, log)
            print(f"== {benchmark.name}: {benchmark.title}", file=sys.stderr, flush=True)
            outcome = run_one(benchmark, command, env)
            print(f"## {benchmark.title}\n\n{outcome.output.strip()}\n", flush=True)
            outcomes.append(outcome)
    text = report(outcomes, args.quick)
    if args.only and args.output.exists():  # a partial run: the other benchmarks' sections stay as they were
        text = merged(args.output.read_text(), text, f"`.venv/bin/python benchmarks/run.py --only {args.only}`")
    args.output.write_text(text)
    print(f"written to {args.output}", file=sys.stderr)
    return 0 if all(o.status == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
