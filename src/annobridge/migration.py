"""migrate(): carry a project (schema, items with media, annotations with authors, jobs, reviews) between backends.

The engine (migration_run.py) reads the source page by page through `backend.transfer`, maps authors to
target users, and writes batches of pages in bulk; a thread reads and downloads the next batches while
the target writes this one (prefetch.py: at most two batches and BATCH_BYTES of media ahead). Nothing is written twice: a target project that existed
before the run is read once up front for the source keys its items carry (`transfer.present`),
so items it holds already are left alone whether or not a ledger remembers them. A SQLite
ledger records every batch as pending before it is written and done after, with the source ->
target ids, so a rerun skips what is done. A batch whose write meets a transient failure
(Unavailable, RateLimited: the target may or may not have taken it) is reconciled with the
target (`transfer.find`) and only what is missing is written again, a bounded number of times
with the backoff of the target's retry policy. Every check that can fail on bad input (the
source, the project, the target and its name, the ledger, the user map) runs before anything
is written.

It writes only where the user meant (migration_target.py chooses and makes the target). The
ledger and the target are locked for the run, so two runs on one machine cannot write into one
target; two runs that race to create the same project name keep the older project.

The report covers the whole migration, however many runs it took: each batch's part of it (counts,
losses, users met) goes into the ledger in the transaction that marks the batch done, each piece of
labeling work's with its own finish, and the report is the sum of them all (migration_report.py).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any, Mapping

from .connection import provider_of
from .errors import ValidationError
from .migration_report import MigrationReport
from .migration_run import MigrationRun, batch_policy, default_ledger  # noqa: F401 - default_ledger: public here too
from .migration_target import schema_signature  # noqa: F401 - public here too
from .migration_users import load_user_map
from .models import Id
from .provider import Provider
from .shards import Shard

__all__ = ["MigrationReport", "migrate"]

MEDIA = ("copy", "link")


def migrate(
    source: str | Provider,
    target: str | Provider,
    *,
    project: Id,
    target_project: Id | None = None,
    ledger: str | Path | None = None,
    media: str = "copy",
    user_map: Mapping[str, Any] | str | Path | None = None,
    dry_run: bool = False,
    batch_size: int = 500,
    progress: bool = False,
    retries: int | None = None,
    into_existing: bool = False,
    shard: Shard | str | None = None,
) -> MigrationReport:
    """Migrate `project` from `source` to `target`; returns what the whole migration carried, approximated, kept
    for the way back and dropped, over every run its ledger records (`report.runs`), this one included.

    `source` and `target` are backend URLs (tokens from the vendors' environment variables, as
    connect() reads them) or connected providers. `target_project` (name or id) is created with
    the source schema when missing (default: a new project named after the source, e.g.
    "Lemons (Test) (supervisely #5555)"); a project that existed before this migration is written
    into only with `into_existing=True` (then by source key: nothing is added twice), the source
    project never, and one with another schema is refused. `ledger` is the SQLite file that makes
    a rerun resume, bound to this one migration (default: named after the source, its project
    and the target, in the current directory); a rerun takes its target project from it.
    `media` is "copy" (download, upload) or "link" (URLs the target can reach). `user_map` maps source logins to target logins (a dict, or a .json/.csv file
    that must name every source user); by default users are matched by login, then email.
    `retries` bounds how many times a batch (or the target project's creation) that met a
    transient failure is reconciled and written again (default: the target's retry policy's).
    `batch_size` items make a batch: one ledger entry, one bulk write (the target splits its requests at
    its own limits, e.g. Label Studio's 100 files an upload); the next batches are read ahead meanwhile.
    `shard` ("K/N") migrates only the K-th of N disjoint slices of the source (by source key, shards.py), with
    a ledger of its own; the N shards may run at once and all write into one target project. A sharded run
    carries items only: labeling jobs and reviews need every item, so a run without `shard` and with
    `into_existing=True` carries them once every shard has finished (it writes no item again).

    Example (against a live backend)::

        report = annobridge.migrate("supervisely://app.supervisely.com", "labelstudio://ls.example.com",
                                    project="Lemons (Test)")
        report.tally("items").carried  # -> 6
    """
    if media not in MEDIA:
        raise ValidationError(f"media: expected one of {list(MEDIA)}, got {media!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValidationError(f"batch_size: expected a positive integer, got {batch_size!r}")
    if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int) or retries < 0):
        raise ValidationError(f"retries: expected 0 or a positive integer, got {retries!r}")
    sliced = Shard.parse(shard) if shard is not None else None
    explicit = load_user_map(user_map)
    with ExitStack() as stack:
        src = provider_of(source, stack)
        dst = provider_of(target, stack)
        run = MigrationRun(src, dst, media=media, batch_size=batch_size, dry_run=dry_run, progress=progress)
        run.policy = batch_policy(dst, retries)
        return run.execute(project, target_project, ledger, explicit, stack, into_existing=into_existing, shard=sliced)
