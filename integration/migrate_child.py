"""A migration run in a child process, for the kill -9 tests: it stops dead at a chosen point and waits to be killed.

    python migrate_child.py SOURCE TARGET PROJECT TARGET_PROJECT LEDGER BATCH_SIZE PAUSE AFTER MARKER

Tokens come from the vendors' environment variables, as `annobridge migrate` reads them. PAUSE is
"written" (the target accepted batch AFTER, the ledger still says pending) or "annotations"
(Supervisely only: batch AFTER's images are uploaded, its annotations not yet). At that point
the child writes MARKER and sleeps; the test kills it with SIGKILL. The pause wraps the real
calls: everything before it really reached the servers.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import annobridge


def _stop(marker: str) -> None:
    Path(marker).write_text("paused")
    while True:
        time.sleep(60)


def main(argv: list[str]) -> None:
    source, target, project, target_project, ledger, batch, pause, after, marker = argv
    src, dst = annobridge.connect(source), annobridge.connect(target)
    calls = {"n": 0}
    if pause == "written":
        real = dst.transfer.write

        def write(*args, **kwargs):
            written = real(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == int(after):
                _stop(marker)
            return written

        dst.transfer.write = write
    else:
        api = dst.api.annotation
        real_upload = api.upload_jsons

        def upload_jsons(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == int(after):
                _stop(marker)
            return real_upload(*args, **kwargs)

        api.upload_jsons = upload_jsons
    annobridge.migrate(src, dst, project=project, target_project=target_project, ledger=ledger, batch_size=int(batch))


if __name__ == "__main__":
    main(sys.argv[1:])
