"""The examples' shared command line: a parser from the script's docstring, and an annobridge error as one line.

>>> parser = backend_parser("Run the tutorial.")
>>> parser.parse_args(["labelstudio+http://127.0.0.1:8080", "--token", "t"]).url
'labelstudio+http://127.0.0.1:8080'
"""

from __future__ import annotations

import argparse
from typing import Any, Callable, Sequence

from rich.console import Console

import annobridge

console = Console()


def backend_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the docstring's first line, taking one backend URL and an optional --token.

    >>> backend_parser("Pre-label, review, export.\\nMore.").description
    'Pre-label, review, export.'
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("url", help="supervisely+http://... or labelstudio+http://...")
    parser.add_argument("--token", help="else API_TOKEN / LABEL_STUDIO_API_KEY")
    return parser


def run_main(parser: argparse.ArgumentParser, argv: Sequence[str] | None, run: Callable[[Any], object]) -> int:
    """Parse `argv`, call `run(args)`; exit code 0, or 1 with the annobridge error printed as one line.

    >>> run_main(backend_parser("Demo."), ["labelstudio+http://127.0.0.1:8080"], lambda args: None)
    0
    """
    args = parser.parse_args(argv)
    try:
        run(args)
    except annobridge.AnnobridgeError as exc:
        console.print(f"[red]error[/]: {exc}", soft_wrap=True)  # one line, however narrow the terminal
        return 1
    return 0
