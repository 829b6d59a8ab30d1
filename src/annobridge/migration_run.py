"""One migration run: the pipeline that reads the source in pages, writes the target in batches, and keeps the ledger."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .errors import Conflict, RateLimited, Unavailable, ValidationError
from .ledger import Ledger, read_binding
from .locks import hold
from .migration_report import MigrationReport, ReportPart
from .migration_target import TargetChooser, find_project
from .migration_users import UserMap
from .models import Id, Project
from .provider import Provider
from .shards import Shard, ShardReader
from .fidelity import FidelityReport
from .prefetch import Prefetch
from .transfer import Record, Written

if TYPE_CHECKING:  # retry pulls in httpx and pydantic-settings: loaded when a migration runs, not on `import annobridge`
    from .retry import RetryPolicy

__all__ = ["MigrationRun", "batch_policy", "default_ledger"]

READ_PAGE = 100  # items a source page holds: one listing and one annotations read each
BATCH_BYTES = 128 * 2**20  # a batch ends early once its media reach this; the queue ahead holds at most this more
PREFETCH_BATCHES = 2  # batches read (and downloaded) ahead of the one being written


def default_ledger(source: Provider, project: Project, target: Provider, shard: Shard | None = None) -> Path:
    """annobridge-<source>-<host>-<port>-<project id>-to-<target>-<host>-<port>.ledger.sqlite in the current directory;
    a shard's ends -shard-K-of-N.ledger.sqlite.

    Example (against a live backend)::

        default_ledger(sv, Project(id=5555, name="Lemons (Test)"), ls).name
        # -> 'annobridge-supervisely-127.0.0.1-8000-5555-to-labelstudio-127.0.0.1-8080.ledger.sqlite'
    """

    def where(backend: Provider) -> str:
        return re.sub(r"[^A-Za-z0-9.]+", "-", f"{backend.name}-{backend.address.host}-{backend.address.port or ''}")

    sliced = f"-shard-{shard.index}-of-{shard.count}" if shard is not None else ""
    name = f"annobridge-{where(source).strip('-')}-{project.id}-to-{where(target).strip('-')}{sliced}.ledger.sqlite"
    return Path.cwd() / name


class MigrationRun:
    """One migration run: the checks, then the pages, then jobs, reviews and the report."""

    def __init__(self, src: Provider, dst: Provider, *, media: str, batch_size: int, dry_run: bool, progress: bool):
        self.src, self.dst = src, dst
        self.media, self.batch_size, self.dry_run, self.progress = media, batch_size, dry_run, progress
        self.reader, self.writer = src.transfer, dst.transfer  # a video project's are chosen once its schema is read

    def execute(
        self,
        project: Id,
        target_project: Id | None,
        ledger_path,
        explicit,
        stack: ExitStack,
        *,
        into_existing: bool,
        shard: Shard | None = None,
    ) -> MigrationReport:
        src, dst = self.src, self.dst
        source_project = find_project(src, project, "project")
        if source_project is None:
            raise ValidationError(f"project: no project {project!r} on {src.describe()}")
        path = Path(ledger_path) if ledger_path is not None else default_ledger(src, source_project, dst, shard)
        if not self.dry_run:
            stack.enter_context(hold(f"ledger {path.resolve()}", f"ledger {path}"))
        known = read_binding(path)
        chooser = TargetChooser(src, dst, media=self.media, policy=self.policy)
        binding = chooser.binding(source_project, target_project, known, path, shard)
        schema, schema_losses = src.projects.schema_report(source_project.id)
        self.reader, self.writer = self._transfers(schema)
        if shard is not None:  # the other slices' keys listed (ids only) so that their items are never read
            listing = src.videos.list if self.reader is not src.transfer else src.items.list
            self.reader = ShardReader(self.reader, shard, keys=lambda pid: (str(i.id) for i in listing(project_id=pid)))
        sliced = f" shard {shard}" if shard is not None else ""  # the N shards hold locks of their own
        report = MigrationReport(
            source=src.url,
            target=dst.url,
            source_project=str(source_project.id),
            target_project_name=binding.target_project,
            ledger=str(path),
            dry_run=self.dry_run,
            media=self.media,
        )
        own = ReportPart()  # what this run counts outside its batches; every run counts it again
        own.absorb(schema_losses)
        if shard is not None:
            own.notes.append(
                f"shard {shard}: these counts are this shard's slice of the source; labeling jobs and reviews are not "
                "carried by a sharded run: run the same migration once without --shard and with --into-existing "
                "after every shard has finished"
            )
        if not self.dry_run:
            key = f"target {binding.target} {binding.target_project}{sliced}"
            stack.enter_context(hold(key, chooser.describe(binding)))
        existing = chooser.existing(binding, known, schema, path, into_existing=into_existing)
        if existing is None:
            dst.projects.check_name(binding.target_project)
        users = UserMap(src.users.list(), dst.users.list(), explicit)
        users.check_complete()
        created = existing is None
        ledger = None
        if not self.dry_run:
            ledger = stack.enter_context(_closing(Ledger(path, binding)))
            if existing is None:
                try:
                    existing = chooser.create(binding, schema, source_project, report)
                except Conflict:
                    if known is None:  # a ledger made by this run for a project it lost to another run
                        ledger.close()
                        path.unlink()
                    raise
            key = f"target {binding.target} #{existing.id}{sliced}"
            stack.enter_context(hold(key, chooser.describe(binding, existing)))
            ledger.target_project_id = existing.id
            run_number = ledger.begin_run(own.model_dump_json())
        if existing is not None:
            report.target_project, report.target_project_name = str(existing.id), existing.name
        else:
            report.notes.append(f"would create the project {binding.target_project!r} on {dst.describe()}")
        planned = self._items(source_project, existing, schema, ledger, users, report, created=created)
        if shard is None:  # jobs and reviews need every item's mapping: the follow-up unsharded run's
            planned += self._jobs(source_project, existing, users, ledger, own)
        if ledger is None:  # a dry run: its parts were kept here, not in a ledger
            report.total(own, planned)
        else:
            ledger.end_run(run_number, own.model_dump_json(), json.dumps(report.last_run()))
            report.summarize(ledger.history())
        return report

    def _transfers(self, schema) -> tuple[Any, Any]:
        """The source's reader and the target's writer: the providers' transfers, or for a video project the
        videos sub-API's (video_transfer.py), which both ends must offer; checked before anything is written."""
        from .capabilities import Capability
        from .schema import MediaKind

        if schema.media is not MediaKind.VIDEO:
            return self.src.transfer, self.dst.transfer
        from .video_transfer import VideoTransfer

        for backend in (self.src, self.dst):
            backend.require(Capability.VIDEO)
        if self.media != "copy":
            raise ValidationError("media: video projects migrate with media='copy' (each video is uploaded)")
        return VideoTransfer(self.src), VideoTransfer(self.dst)

    def _items(
        self, project: Project, target: Project | None, schema, ledger, users, report, *, created: bool
    ) -> list[ReportPart]:
        """Carry the items batch by batch, the next batches read ahead (`_batches`); returns the parts of a dry run's
        batches (a run that writes stores each batch's part in the ledger with the batch)."""
        planned: list[ReportPart] = []
        done = ledger.done("item") if ledger is not None else {}
        report.already_done = len(done)
        pending = set(ledger.pending("item")) if ledger is not None else set()
        # one streamed read of ids and keys: what an earlier run (ledger or not) left in the target
        present = self.writer.present(target.id) if target is not None and not created else {}
        present = {k: v for k, v in present.items() if k not in done}
        if ledger is not None:
            ledger.forget_pending("item", [k for k in pending if k not in present])
        total = self.reader.count(project.id)
        writing = not self.dry_run and target is not None
        batches = self._batches(project, target if writing else None, schema, users, skip=set(done), present=present)
        with _progress(self.progress, total, len(done)) as advance, Prefetch(
            batches, max_items=PREFETCH_BATCHES, max_bytes=BATCH_BYTES, weight=_Batch.media_bytes
        ) as ahead:
            for batch in ahead:
                records, part = batch.records, batch.part
                known = {r.key: present.pop(r.key) for r in records if r.key in present}
                fresh = [r for r in records if r.key not in known]
                carried = [r for r in records if r.key not in known or r.key in pending]
                if writing:
                    on_target = dict(known)  # known now, and what a failed try turns out to have written
                    written = self._write(project, target, schema, ledger, batch, on_target, report)
                    # the losses of items a killed run or a failed try wrote: that write's report went with it
                    found = [r for r in carried if r.key in on_target]
                    if found:
                        part.absorb(self.writer.preview(found, schema=schema).report)
                else:
                    written = self.writer.preview(fresh, schema=schema)
                part.absorb(written.report)
                report.reconciled += sum(1 for k in known if k in pending)
                report.already_present += sum(1 for k in known if k not in pending)
                _count_carried(part, carried, written)
                if writing:  # done, with its counts, in one transaction
                    ledger.finish_batch("item", written.ids, part=part.model_dump_json())
                else:
                    planned.append(part)
                for record in records:
                    record.media = None  # memory stays flat: bytes live for one batch
                advance(len(records))
        return planned

    def _batches(
        self, project: Project, target: Project | None, schema, users, *, skip: set[str], present: dict[str, Id]
    ) -> Iterator[_Batch]:
        """The source's pages joined into batches of `batch_size` items, or fewer once their media reach BATCH_BYTES
        (a batch ends where a page does), authors mapped to target users; with a `target` (a run that writes), what
        the target does not hold yet (`present`) has its media fetched (copy mode) and is converted for the target
        (`transfer.prepare`). Run in a thread ahead of the writes (Prefetch), so that reading, downloading and
        converting overlap with the target's writes."""
        held = frozenset(present)  # the consumer pops from `present`: read a copy of its keys here
        records: list[Record] = []
        report, size = FidelityReport(), 0

        def batch() -> _Batch:
            part = ReportPart()  # this batch's share of the report
            part.absorb(report)
            with users.recording(part):
                for record in records:
                    users.apply(record)
            fresh = [r for r in records if r.key not in held]
            prepared = self.writer.prepare(target.id, fresh, schema=schema) if target is not None and fresh else {}
            return _Batch(records, part, prepared)

        for page in self.reader.read(project.id, batch_size=min(self.batch_size, READ_PAGE), skip=skip):
            if target is not None and self.media == "copy":
                wanted = [r for r in page.records if r.key not in held and r.media is None]
                if wanted:
                    self.reader.fetch_media(project.id, wanted)
            records += page.records
            report.merge(page.report)
            size += sum(len(r.media) for r in page.records if r.media)
            if len(records) >= self.batch_size or size >= BATCH_BYTES:
                yield batch()
                records, report, size = [], FidelityReport(), 0
        if records:
            yield batch()

    def _jobs(self, project: Project, target: Project | None, users, ledger, own: ReportPart) -> list[ReportPart]:
        """Carry the source's labeling work (migration_jobs.py): each piece written goes into the ledger with its
        part; what no ledger holds (work the target cannot take) every run counts again, into its own part.
        Returns the parts of a dry run's pieces."""
        from .migration_jobs import carry_jobs

        unrecorded = carry_jobs(self.src, self.dst, project, target, users, ledger, dry_run=self.dry_run)
        if ledger is None:
            return unrecorded
        own.merge_all(unrecorded)
        return []

    def _write(self, project, target, schema, ledger, batch: _Batch, known: dict, report) -> Written:
        """Begin and write one batch (the caller finishes it with its counts); after a transient failure, reconcile
        it with the target and write only what is missing. `known` (source key -> target id of what the target holds
        already) gains what a failed try turns out to have written. The losses returned are those of the records
        this call converted and sent: the items found on the target are written apart (only made whole), so that
        every target reports their losses alike, whether or not its write converts them again."""
        records = batch.records
        keys = [r.key for r in records]
        ledger.begin_batch("item", keys)
        retrying = self.policy.retrying()

        def attempt():
            # a failed try may have landed, whole or in part: ask the target, as a restart does
            if retrying.statistics["attempt_number"] > 1:
                report.retried += 1
                known.update(self.writer.find(target.id, [k for k in keys if k not in known]))
            unfetched = [r for r in records if r.key not in known and r.media is None]
            if self.media == "copy" and unfetched:
                self.reader.fetch_media(project.id, unfetched)
            fresh = [r for r in records if r.key not in known]
            found = [r for r in records if r.key in known]
            ahead = {"prepared": batch.prepared} if batch.prepared else {}  # what the batch was converted into ahead
            new = self.writer.write(target.id, fresh, schema=schema, media=self.media, **ahead) if fresh else Written({})
            if not found:
                return new
            whole = self.writer.write(target.id, found, schema=schema, media=self.media, existing=dict(known))
            return Written(
                ids={r.key: {**whole.ids, **new.ids}[r.key] for r in records},
                annotations=new.annotations + whole.annotations,
                report=new.report,  # the found ones' losses: the caller previews them
                annotations_on_target={**whole.annotations_on_target, **new.annotations_on_target},
            )

        return retrying(attempt)


def batch_policy(target: Provider, retries: int | None = None) -> RetryPolicy:
    """The target's retry policy (its backoff, its number of retries unless `retries` says), retrying a batch on
    Unavailable and RateLimited: failures after which the target may or may not hold the batch.

    Example (against a live backend)::

        batch_policy(ls, retries=5).retries  # -> 5
    """
    from dataclasses import replace

    policy = target.retry_policy
    if retries is not None:
        policy = replace(policy, retries=retries)
    return policy.with_transient(Unavailable, RateLimited)


def _count_carried(part: ReportPart, carried: list[Record], written) -> None:
    """Count a batch's carried items, annotations, tags and objects (by shape) into its part; what the converters
    approximated, kept or dropped is moved out of these counts once, when the report is summed."""
    part.add("items", "carried", len(carried))
    if written.annotations_on_target:  # what the target holds for the items carried (a found batch included)
        part.add("annotations", "carried", sum(written.annotations_on_target.get(r.key, 0) for r in carried))
    else:
        part.add("annotations", "carried", written.annotations)
    for record in carried:
        for ann in record.annotations:
            part.add("tags", "carried", len(ann.tags) + sum(len(o.tags) for o in ann.objects))
            for obj in ann.objects:
                kind = (obj.frames[0].shape if hasattr(obj, "frames") else obj.shape).kind  # a video track: by shape
                part.objects_by_shape[kind] = part.objects_by_shape.get(kind, 0) + 1
                part.add("objects", "carried")


@dataclass
class _Batch:
    """A batch on its way to the target: its records, its share of the report so far, and what the target's
    `transfer.prepare` made of them ahead of the write."""

    records: list[Record]
    part: ReportPart
    prepared: dict[str, Any]

    def media_bytes(self) -> int:
        return sum(len(r.media) for r in self.records if r.media)


class _closing:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __enter__(self) -> Ledger:
        return self.ledger

    def __exit__(self, *exc: object) -> None:
        self.ledger.close()


def _progress(enabled: bool, total: int, done: int):
    """A context yielding advance(n): a rich progress bar when enabled, else a no-op."""
    if not enabled:
        return nullcontext(lambda n: None)
    from contextlib import contextmanager

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    @contextmanager
    def bar():
        with Progress(TextColumn("items"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as shown:
            task = shown.add_task("items", total=total, completed=done)
            yield lambda n: shown.advance(task, n)

    return bar()
