"""Migrate the lemons project from Supervisely to Label Studio and back, printing each migration's report.

    python examples/migrate_project.py supervisely+http://127.0.0.1:8000 labelstudio+http://127.0.0.1:8080 \\
        --sv-token ... --ls-token ... --ledgers ledgers/

(tokens may also come from API_TOKEN and LABEL_STUDIO_API_KEY). First a dry run prints the plan
and the losses to expect; then the project goes to Label Studio ("... from Supervisely") and from
there back to Supervisely ("... round trip"). Each direction keeps its own ledger, so running the
script again resumes where a killed run stopped and never duplicates an item.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from _cli import run_main
from rich.console import Console

import annobridge

console = Console()
PROJECT = "Lemons (Test)"


def _tallies(report: Any) -> dict[str, int]:
    return {kind: tally.carried for kind, tally in sorted(report.counts.items())}


def run(
    sv_url: str,
    sv_token: str | None,
    ls_url: str,
    ls_token: str | None,
    *,
    project: str = PROJECT,
    ledger: str | Path = "ledgers",
    there_name: str | None = None,
    back_name: str | None = None,
) -> dict[str, Any]:
    """Dry run, then Supervisely -> Label Studio -> Supervisely; returns the three reports (as dicts) and a summary.

    `ledger` is a directory; each direction's SQLite ledger is kept in it. The new projects are
    named `there_name` and `back_name` (default "<project> from Supervisely" / "<project> round trip").

    >>> done = run(sv_url, sv_token, ls_url, ls_token, ledger="ledgers/")        # doctest: +SKIP
    >>> done["there"]["counts"]["items"]["carried"], done["back"]["counts"]["items"]["carried"]  # doctest: +SKIP
    (6, 6)
    """
    folder = Path(ledger)
    folder.mkdir(parents=True, exist_ok=True)
    there_name = there_name or f"{project} from Supervisely"
    back_name = back_name or f"{project} round trip"
    there_ledger = folder / "supervisely-to-labelstudio.sqlite"
    with annobridge.connect(sv_url, token=sv_token) as sv, annobridge.connect(ls_url, token=ls_token) as ls:
        console.rule(f"[bold]Plan: {project!r} from {sv.name} to {ls.name} (dry run)")
        # the dry run reads the ledger the real run uses (so a rerun plans a resume) and writes nothing
        plan = annobridge.migrate(sv, ls, project=project, target_project=there_name, ledger=there_ledger, dry_run=True)
        console.print(plan)

        console.rule(f"[bold]{project!r}: {sv.name} -> {ls.name} as {there_name!r}")
        there = annobridge.migrate(sv, ls, project=project, target_project=there_name, ledger=there_ledger)
        console.print(there)

        console.rule(f"[bold]{there_name!r}: {ls.name} -> {sv.name} as {back_name!r}")
        back = annobridge.migrate(
            ls,
            sv,
            project=there.target_project or there_name,
            target_project=back_name,
            ledger=folder / "labelstudio-to-supervisely.sqlite",
        )
        console.print(back)
    return {
        "plan": plan.model_dump(mode="json"),
        "there": there.model_dump(mode="json"),
        "back": back.model_dump(mode="json"),
        "summary": {"there": _tallies(there), "back": _tallies(back), "losses": there.losses + back.losses},
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: `python examples/migrate_project.py SV_URL LS_URL [--sv-token T] [--ls-token T] [--project NAME]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("supervisely", help="supervisely+http://... (or supervisely://host)")
    parser.add_argument("labelstudio", help="labelstudio+http://... (or labelstudio://host)")
    parser.add_argument("--sv-token", help="else API_TOKEN (also read from ~/supervisely.env)")
    parser.add_argument("--ls-token", help="else LABEL_STUDIO_API_KEY")
    parser.add_argument("--project", default=PROJECT)
    parser.add_argument("--ledgers", default="ledgers", help="directory for the migration ledgers")
    return run_main(
        parser,
        argv,
        lambda a: run(a.supervisely, a.sv_token, a.labelstudio, a.ls_token, project=a.project, ledger=a.ledgers),
    )


if __name__ == "__main__":
    sys.exit(main())
