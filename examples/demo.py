"""The main job (`make demo`): show the installed providers and what each backend can do."""

from __future__ import annotations

import sys

from annobridge.cli import main


def run() -> int:
    print("== annobridge providers ==")
    return main(["providers"])


if __name__ == "__main__":
    sys.exit(run())
