"""The main job (`make demo`): start the Supervisely sandbox and a real Label Studio, run every example on both, stop them.

Steps: the Labeling Jobs tutorial on each backend, pre-labeling with review and export on each,
and the lemons project migrated from Supervisely to Label Studio and back. A failed step is
reported and the others still run; whatever the demo started is stopped at the end, also after
a failure or Ctrl+C, and the exit code is non-zero when a step failed. No token is printed.
Starting the servers is vendor-specific (each plugin knows how to run its own); the steps are not.

    python examples/demo.py                 # what `make demo` runs
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the examples import each other

console = Console()


@dataclass
class Backends:
    """Where the two backends listen, and their tokens (kept out of every message)."""

    supervisely_url: str
    supervisely_token: str = field(repr=False)
    labelstudio_url: str
    labelstudio_token: str = field(repr=False)


@dataclass
class Outcome:
    """One step's result: ok, what it returned, or the error that stopped it."""

    name: str
    ok: bool
    result: Any = None
    error: str = ""


def steps(backends: Backends, out: Path) -> list[tuple[str, Callable[[], Any]]]:
    """The demo's steps, in order: (name, a call returning what the step reports).

    >>> [name for name, _ in steps(backends, Path("out"))][:2]      # doctest: +SKIP
    ['tutorial on supervisely', 'tutorial on labelstudio']
    """
    import labeling_jobs_tutorial
    import migrate_project
    import prelabel_review_export

    sv = (backends.supervisely_url, backends.supervisely_token)
    ls = (backends.labelstudio_url, backends.labelstudio_token)
    return [
        ("tutorial on supervisely", lambda: labeling_jobs_tutorial.run(*sv)),
        ("tutorial on labelstudio", lambda: labeling_jobs_tutorial.run(*ls)),
        (
            "prelabel, review, export on supervisely",
            lambda: prelabel_review_export.run(*sv, out / "supervisely", stand_ins=True, timeout=60),
        ),
        (
            "prelabel, review, export on labelstudio",
            lambda: prelabel_review_export.run(*ls, out / "labelstudio", stand_ins=True, timeout=60),
        ),
        (
            "migrate lemons supervisely -> labelstudio -> supervisely",
            lambda: migrate_project.run(*sv, *ls, ledger=out / "ledgers"),
        ),
        ("pipeline.sh (the command line) on supervisely", lambda: pipeline(*sv, out / "pipeline-supervisely")),
        ("pipeline.sh (the command line) on labelstudio", lambda: pipeline(*ls, out / "pipeline-labelstudio")),
    ]


def pipeline(url: str, token: str, out: Path) -> str:
    """Run examples/pipeline.sh on one backend (its token through ANNOBRIDGE_TOKEN); how many steps it skipped.

    >>> pipeline(*sv, Path("out/pipeline"))                     # doctest: +SKIP
    'every step through the CLI; 0 skipped where the backend lacks them'
    """
    import os
    import subprocess

    script = Path(__file__).resolve().parent / "pipeline.sh"
    env = {**os.environ, "ANNOBRIDGE_TOKEN": token, "PYTHON": sys.executable, "OUT": str(out)}
    done = subprocess.run(["bash", str(script), url], env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"pipeline.sh exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    skipped = [line for line in done.stdout.splitlines() if line.strip().startswith("skipped")]
    return f"every step through the CLI; {len(skipped)} skipped where the backend lacks them"


def run_steps(todo: list[tuple[str, Callable[[], Any]]]) -> list[Outcome]:
    """Run each step; a failure is recorded with its traceback printed, and the next step still runs.

    >>> [o.ok for o in run_steps([("fine", lambda: 1), ("broken", lambda: 1 / 0)])]
    [True, False]
    """
    outcomes = []
    for name, call in todo:
        console.rule(f"[bold cyan]{name}")
        try:
            outcomes.append(Outcome(name, True, call()))
        except Exception as exc:  # a demo step's failure is reported, never hidden, and the others go on
            console.print(f"[red]step failed[/]: {type(exc).__name__}: {exc}")
            traceback.print_exc()
            outcomes.append(Outcome(name, False, error=f"{type(exc).__name__}: {exc}"))
    return outcomes


def _note(result: Any) -> str:
    if not isinstance(result, dict):
        return str(result)[:120] if result is not None else ""
    parts = []
    if result.get("skipped"):
        parts.append(f"skipped {sorted(result['skipped'])}")
    if "jobs_removed" in result:
        parts.append(f"{result['items']} items, {result['jobs_removed']} jobs made and removed")
    if "export" in result:
        parts.append(f"statuses {result['statuses']}, exported {result['export']['items']} items")
    if "summary" in result:
        parts += [f"{way}: carried {result['summary'][way]}" for way in ("there", "back")]
        parts.append(f"{len(result['summary']['losses'])} kinds of loss, each counted in the reports")
    return "; ".join(parts)


def summary(outcomes: list[Outcome]) -> Table:
    """A table of the steps: ok or failed, and what each did or why it failed.

    >>> summary([Outcome("sandbox", ok=True, result={})]).row_count  # doctest: +SKIP
    1
    """
    table = Table(title="annobridge demo")
    for column in ("step", "result", "notes"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        table.add_row(o.name, "[green]ok[/]" if o.ok else "[red]failed[/]", _note(o.result) if o.ok else o.error)
    return table


def run(
    labelstudio: Any = None,
    sandbox: Any = None,
    out: str | Path | None = None,
    todo: Callable[[Backends, Path], list[tuple[str, Callable[[], Any]]]] = steps,
) -> int:
    """Run the demo; start a sandbox and a Label Studio server unless given running ones; 0 when every step passed.

    >>> run()                                                        # doctest: +SKIP
    0
    """
    from annobridge_labelstudio.server import LocalLabelStudio
    from annobridge_sandbox_supervisely import running_sandbox

    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="annobridge-demo-"))
    with ExitStack() as started:
        if labelstudio is None:
            labelstudio = LocalLabelStudio()
            # stop, let the starting thread end, stop again: a server caught half-started is stopped too
            started.callback(labelstudio.stop)
            pool = started.enter_context(ThreadPoolExecutor(1))
            started.callback(labelstudio.stop)
            console.print("starting the real Label Studio server (about a minute) ...")
            booting = pool.submit(labelstudio.start)
        else:
            booting = None
        if sandbox is None:
            sandbox = started.enter_context(running_sandbox())
        console.print(f"Supervisely sandbox at {sandbox.server_address}")
        if booting is not None:
            booting.result()
        console.print(f"Label Studio at {labelstudio.url}")
        backends = Backends(
            "supervisely+" + sandbox.server_address, sandbox.token, labelstudio.backend_url, labelstudio.token
        )
        outcomes = run_steps(todo(backends, out))
    console.print(summary(outcomes))
    console.print(f"exports and the migration ledger are in {out}")
    failed = [o.name for o in outcomes if not o.ok]
    if failed:
        console.print(f"[red]{len(failed)} of {len(outcomes)} steps failed[/]: {failed}")
        return 1
    console.print(f"[green]all {len(outcomes)} steps passed[/]; everything the demo started is stopped")
    return 0


def main() -> int:
    """What `make demo` runs: every step, a summary table, exit code 0 only if every step passed.

    >>> sys.exit(main())                                             # doctest: +SKIP
    """
    try:
        return run()
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; everything the demo started is stopped[/]")
        return 130
    except Exception as exc:  # the backends did not start: say why, in one line, after the traceback
        traceback.print_exc()
        console.print(f"[red]demo could not start[/]: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
