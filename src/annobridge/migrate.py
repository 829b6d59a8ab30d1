"""migrate(): carry a project (schema, items with media, annotations with authors, jobs, reviews) between backends.

The engine reads the source page by page through `backend.transfer`, maps authors to target
users, and writes each page in bulk. Nothing is written twice: a target project that existed
before the run is read once up front for the source keys its items carry (`transfer.present`),
so items it holds already are left alone whether or not a ledger remembers them. A SQLite
ledger records every batch as pending before it is written and done after, with the source ->
target ids, so a rerun skips what is done. A batch whose write meets a transient failure
(Unavailable, RateLimited: the target may or may not have taken it) is reconciled with the
target (`transfer.find`) and only what is missing is written again, a bounded number of times
with the backoff of the target's retry policy. Every check that can fail on bad input (the
source, the project, the target and its name, the ledger, the user map) runs before anything
is written.

It writes only where the user meant: without `target_project`, into a new project named after
its source; never into the source project; into a project that existed before the migration
only when asked (`into_existing`). The ledger and the target are locked for the run, so two
runs on one machine cannot write into one target; two runs that race to create the same
project name keep the older project and the later one removes its own and stops.
"""

from __future__ import annotations

import re
import uuid
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .errors import Conflict, NotFound, RateLimited, Unavailable, ValidationError
from .ledger import Binding, Ledger, mismatch, read_binding
from .locks import hold
from .migration_report import MigrationReport
from .migration_users import UserMap, load_user_map
from .models import Id, Project
from .provider import Provider
from .schema import LabelSchema
from .transfer import Record

if TYPE_CHECKING:  # retry pulls in httpx and pydantic-settings: loaded when a migration runs, not on `import annobridge`
    from .retry import RetryPolicy

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
    batch_size: int = 100,
    progress: bool = False,
    retries: int | None = None,
    into_existing: bool = False,
) -> MigrationReport:
    """Migrate `project` from `source` to `target`; returns what was carried, approximated and dropped.

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

    >>> report = annobridge.migrate("supervisely://app.supervisely.com", "labelstudio://ls.example.com",
    ...                             project="Lemons (Test)")                       # doctest: +SKIP
    >>> report.tally("items").carried                                               # doctest: +SKIP
    6
    """
    if media not in MEDIA:
        raise ValidationError(f"media: expected one of {list(MEDIA)}, got {media!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValidationError(f"batch_size: expected a positive integer, got {batch_size!r}")
    if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int) or retries < 0):
        raise ValidationError(f"retries: expected 0 or a positive integer, got {retries!r}")
    explicit = load_user_map(user_map)
    with ExitStack() as stack:
        src = _provider(source, stack)
        dst = _provider(target, stack)
        run = _Run(src, dst, media=media, batch_size=batch_size, dry_run=dry_run, progress=progress)
        run.policy = batch_policy(dst, retries)
        return run.execute(project, target_project, ledger, explicit, stack, into_existing=into_existing)


def _provider(value: str | Provider, stack: ExitStack) -> Provider:
    if isinstance(value, Provider):
        return value
    if not isinstance(value, str):
        raise ValidationError(f"source/target: expected a backend URL or a connected provider, got {value!r}")
    from .connection import connect

    return stack.enter_context(connect(value))


def find_project(backend: Provider, ref: Id, field: str) -> Project | None:
    """The project `ref` names on `backend` (an id, or else an exact name); None if there is none.

    >>> find_project(sv, "Lemons (Test)", "project").id                              # doctest: +SKIP
    5555
    """
    text = str(ref).strip()
    if not text:
        raise ValidationError(f"{field}: a project id or name is needed, got {ref!r}")
    if text.isdigit():
        try:
            return backend.projects.get(int(text))
        except NotFound:
            pass
    named = [p for p in backend.projects.list() if p.name == text]
    if len(named) > 1:
        raise ValidationError(f"{field}: {len(named)} projects on {backend.describe()} are named {text!r}; pass an id")
    return named[0] if named else None


def schema_signature(schema: LabelSchema) -> tuple:
    """What must match for items of one schema to go into a project of another: classes, shapes, tags, values.

    >>> from annobridge.schema import ObjectClass
    >>> schema_signature(LabelSchema(classes=[ObjectClass(name="kiwi", shape="point", color="#00FF00")]))
    ((('kiwi', 'point', ()),), ())
    """
    classes = sorted((c.name, c.shape.value, tuple(n.name for n in c.nodes)) for c in schema.classes)
    tags = sorted((t.name, t.value_type.value, tuple(t.values), t.applies_to.value) for t in schema.tags)
    return tuple(classes), tuple(tags)


def default_ledger(source: Provider, project: Project, target: Provider) -> Path:
    """annobridge-<source>-<host>-<port>-<project id>-to-<target>-<host>-<port>.ledger.sqlite in the current directory.

    >>> default_ledger(sv, Project(id=5555, name="Lemons (Test)"), ls).name            # doctest: +SKIP
    'annobridge-supervisely-127.0.0.1-8000-5555-to-labelstudio-127.0.0.1-8080.ledger.sqlite'
    """

    def where(backend: Provider) -> str:
        return re.sub(r"[^A-Za-z0-9.]+", "-", f"{backend.name}-{backend.address.host}-{backend.address.port or ''}")

    name = f"annobridge-{where(source).strip('-')}-{project.id}-to-{where(target).strip('-')}.ledger.sqlite"
    return Path.cwd() / name


def default_target_name(source: Provider, project: Project, limit: int | None) -> str:
    """The name of the new project a migration makes when none is given: where it came from, within `limit`.

    >>> default_target_name(sv, Project(id=5555, name="Lemons (Test)"), 50)            # doctest: +SKIP
    'Lemons (Test) (supervisely #5555)'
    """
    origin = f" ({source.name} #{project.id})"
    name = project.name.strip()
    if limit is not None and len(name) + len(origin) > limit:
        name = name[: max(limit - len(origin) - 3, 1)].rstrip() + "..."
    return name + origin


class _Run:
    """One migration run: the checks, then the pages, then jobs, reviews and the report."""

    def __init__(self, src: Provider, dst: Provider, *, media: str, batch_size: int, dry_run: bool, progress: bool):
        self.src, self.dst = src, dst
        self.media, self.batch_size, self.dry_run, self.progress = media, batch_size, dry_run, progress

    def execute(
        self, project: Id, target_project: Id | None, ledger_path, explicit, stack: ExitStack, *, into_existing: bool
    ) -> MigrationReport:
        src, dst = self.src, self.dst
        source_project = find_project(src, project, "project")
        if source_project is None:
            raise ValidationError(f"project: no project {project!r} on {src.describe()}")
        path = Path(ledger_path) if ledger_path is not None else default_ledger(src, source_project, dst)
        if not self.dry_run:
            stack.enter_context(hold(f"ledger {path.resolve()}", f"ledger {path}"))
        known = read_binding(path)
        binding = self._binding(source_project, target_project, known, path)
        schema, schema_losses = _schema(src, source_project.id)
        report = MigrationReport(
            source=src.url,
            target=dst.url,
            source_project=str(source_project.id),
            target_project_name=binding.target_project,
            ledger=str(path),
            dry_run=self.dry_run,
            media=self.media,
        )
        report.absorb(schema_losses)
        if not self.dry_run:
            stack.enter_context(hold(f"target {binding.target} {binding.target_project}", self._what(binding)))
        existing = self._target(binding, known, schema, path, into_existing=into_existing)
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
                    existing = self._create(binding, schema, source_project, report)
                except Conflict:
                    if known is None:  # a ledger made by this run for a project it lost to another run
                        ledger.close()
                        path.unlink()
                    raise
            stack.enter_context(hold(f"target {binding.target} #{existing.id}", self._what(binding, existing)))
            ledger.target_project_id = existing.id
        if existing is not None:
            report.target_project, report.target_project_name = str(existing.id), existing.name
        else:
            report.notes.append(f"would create the project {binding.target_project!r} on {dst.describe()}")
        self._items(source_project, existing, schema, ledger, users, report, created=created)
        from .migration_jobs import carry_jobs

        carry_jobs(src, dst, source_project, existing, users, ledger, report, dry_run=self.dry_run)
        report.users_unmapped = users.unmapped
        report.add("users", "carried", len(users.mapped))
        report.add("users", "dropped", len(users.unmapped))
        return report

    def _binding(self, project: Project, target_project: Id | None, known: Binding | None, path: Path) -> Binding:
        """This run's migration; a rerun whose options contradict its ledger is refused, never silently ignored."""
        src, dst = self.src.address.canonical, self.dst.address.canonical
        named = None if target_project is None else str(target_project).strip()
        if named == "":
            raise ValidationError(f"target_project: a project name or id is needed, got {target_project!r}")
        if known is not None and (known.source, known.source_project, known.target) == (src, str(project.id), dst):
            if named is not None and named not in (known.target_project, known.target_project_id):
                raise ValidationError(
                    f"target_project: ledger {path} writes into {known.target_project!r}, not {named!r}; "
                    "pass another --ledger for another target"
                )
            if known.media != self.media:
                raise ValidationError(
                    f"media: ledger {path} carries media by {known.media!r}, not {self.media!r}; "
                    "pass another --ledger to change it"
                )
            return known
        if named is None:
            named = default_target_name(self.src, project, self.dst.projects.name_limit)
        binding = Binding(src, str(project.id), dst, named, self.media, migration=uuid.uuid4().hex)
        if known is not None:
            raise mismatch(path, known, binding)
        return binding

    def _what(self, binding: Binding, project: Project | None = None) -> str:
        named = f"{project.name!r} (id {project.id})" if project is not None else repr(binding.target_project)
        return f"target project {named} on {self.dst.describe()}"

    def _target(
        self, binding: Binding, known: Binding | None, schema: LabelSchema, path: Path, *, into_existing: bool
    ) -> Project | None:
        """The target project if it exists, checked: where the user meant, with the source's schema; None if missing."""
        dst = self.dst
        known_id = known.target_project_id if known is not None else None
        found = find_project(dst, known_id or binding.target_project, "target_project")
        if known_id is not None and (found is None or str(found.id) != known_id):
            raise ValidationError(
                f"target_project: ledger {path} wrote into project {known_id} on {dst.describe()}, which is gone; "
                "pass another --ledger to start again"
            )
        if found is None:
            if binding.target_project.isdigit():
                raise ValidationError(
                    f"target_project: no project with id {binding.target_project} on {dst.describe()}; "
                    "pass a name to create one"
                )
            return None
        if binding.target == binding.source and str(found.id) == binding.source_project:
            raise ValidationError(
                f"target_project: {found.name!r} (id {found.id}) is the source project itself; "
                "a project cannot be migrated into itself"
            )
        # ours: the project this ledger wrote into, or the one its run made (and marked) before it was killed
        ours = known_id is not None or (known is not None and _made_by(found, known))
        if not ours and not into_existing:
            raise Conflict(
                f"target_project: {found.name!r} (id {found.id}) exists on {dst.describe()} and this migration "
                f"did not make it (ledger {path}); pass --into-existing to add the source's missing items to it "
                "by source key, or name a new project"
            )
        theirs = dst.projects.get_schema(found.id)
        if schema_signature(theirs) != schema_signature(schema):
            raise ValidationError(
                f"target_project: {found.name!r} (id {found.id}) on {dst.describe()} exists with another "
                f"schema (classes {[c.name for c in theirs.classes]}, tags {[t.name for t in theirs.tags]}); "
                f"the source has classes {[c.name for c in schema.classes]}, tags {[t.name for t in schema.tags]}"
            )
        return found

    def _create(self, binding: Binding, schema: LabelSchema, source: Project, report: MigrationReport) -> Project:
        """The target project, made once and marked as this migration's: after a transient failure, one the
        server made anyway is found by name and marker.

        Two runs on two machines may race to make the same name: each lists the name after making
        it, the oldest project (lowest id) stays, and a run removes every younger one it made itself
        (a retried create's too); if the oldest is another run's, it stops having written nothing.
        """
        name, tries = binding.target_project, {"n": 0}
        description = "\n\n".join(filter(None, [source.description, binding.marker]))

        def attempt() -> Project:
            tries["n"] += 1
            if tries["n"] > 1:
                report.retried += 1
                mine = [p for p in self.dst.projects.list() if p.name == name and _made_by(p, binding)]
                if mine:
                    return mine[0]
            return self.dst.projects.create(name, schema=schema, description=description)

        made = self.policy.call(attempt)
        twins = [p for p in self.dst.projects.list() if p.name == made.name] or [made]
        oldest = min(twins, key=lambda p: (len(str(p.id)), str(p.id)))
        extra = [p.id for p in twins if p.id != oldest.id and _made_by(p, binding)]  # e.g. a lost answer's
        for project_id in extra:
            self.dst.projects.delete(project_id)
        if not _made_by(oldest, binding):
            raise Conflict(
                f"target_project: another run made {name!r} (id {oldest.id}) on {self.dst.describe()} at the same "
                f"time; this run removed what it made (id {', '.join(map(str, extra))}) and wrote nothing"
            )
        return oldest

    def _items(self, project: Project, target: Project | None, schema, ledger, users, report, *, created: bool) -> None:
        src, dst = self.src, self.dst
        done = ledger.done("item") if ledger is not None else {}
        report.already_done = len(done)
        pending = set(ledger.pending("item")) if ledger is not None else set()
        # one streamed read of ids and keys: what an earlier run (ledger or not) left in the target
        present = dst.transfer.present(target.id) if target is not None and not created else {}
        present = {k: v for k, v in present.items() if k not in done}
        if ledger is not None:
            ledger.forget_pending("item", [k for k in pending if k not in present])
        total = src.transfer.count(project.id)
        with _progress(self.progress, total, len(done)) as advance:
            for page in src.transfer.read(project.id, batch_size=self.batch_size, skip=done):
                report.absorb(page.report)
                for record in page.records:
                    users.apply(record)
                known = {r.key: present.pop(r.key) for r in page.records if r.key in present}
                fresh = [r for r in page.records if r.key not in known]
                if self.dry_run or target is None:
                    written = dst.transfer.preview(fresh, schema=schema)
                else:
                    written = self._write(project, target, schema, ledger, page.records, dict(known), report)
                report.absorb(written.report)
                report.reconciled += sum(1 for k in known if k in pending)
                report.already_present += sum(1 for k in known if k not in pending)
                carried = [r for r in page.records if r.key not in known or r.key in pending]
                report.add("items", "carried", len(carried))
                if written.held:  # what the target holds for the items this run carried (a found batch included)
                    report.add("annotations", "carried", sum(written.held.get(r.key, 0) for r in carried))
                else:
                    report.add("annotations", "carried", written.annotations)
                for record in carried:
                    for ann in record.annotations:
                        report.add("tags", "carried", len(ann.tags) + sum(len(o.tags) for o in ann.objects))
                        for obj in ann.objects:
                            report.objects_by_shape[obj.shape.kind] = report.objects_by_shape.get(obj.shape.kind, 0) + 1
                            report.add("objects", "carried")
                for record in page.records:
                    record.media = None  # memory stays flat: bytes live for one page
                advance(len(page.records))
        _losses_by_kind(report)

    def _write(self, project, target, schema, ledger, records: list[Record], known: dict, report):
        """Write one batch; after a transient failure, reconcile it with the target and write only what is missing."""
        src, dst = self.src, self.dst
        keys = [r.key for r in records]
        ledger.begin_batch("item", keys)
        tries = {"n": 0}

        def attempt():
            tries["n"] += 1
            if tries["n"] > 1:  # the failed try may have landed, whole or in part: ask the target, as a restart does
                report.retried += 1
                known.update(dst.transfer.find(target.id, [k for k in keys if k not in known]))
            fresh = [r for r in records if r.key not in known and r.media is None]
            if self.media == "copy" and fresh:
                src.transfer.fetch_media(project.id, fresh)
            return dst.transfer.write(target.id, records, schema=schema, media=self.media, existing=dict(known))

        written = self.policy.call(attempt)
        ledger.finish_batch("item", written.ids)
        return written


def batch_policy(target: Provider, retries: int | None = None) -> RetryPolicy:
    """The target's retry policy (its backoff, its number of retries unless `retries` says), retrying a batch on
    Unavailable and RateLimited: failures after which the target may or may not hold the batch.

    >>> batch_policy(ls, retries=5).retries                                          # doctest: +SKIP
    5
    """
    from dataclasses import replace

    from .retry import RetryPolicy

    policy = getattr(target, "policy", None) or getattr(getattr(target, "connection", None), "policy", None)
    policy = policy if isinstance(policy, RetryPolicy) else RetryPolicy()
    if retries is not None:
        policy = replace(policy, retries=retries)
    return policy.with_transient(Unavailable, RateLimited)


def _made_by(project: Project, binding: Binding) -> bool:
    """Whether `project` is the one the migration `binding` names made (its description carries the marker)."""
    return bool(binding.migration) and binding.marker in (project.description or "")


def _losses_by_kind(report: MigrationReport) -> None:
    """Move what the converters approximated or dropped from the carried counts into their own columns."""
    for entry in report.fidelity.get("entries", ()):
        kind = _kind_of(entry["kind"])
        if kind is None or entry["outcome"] == "carried":
            continue
        report.add(kind, entry["outcome"], entry["count"])
        report.add(kind, "carried", -min(entry["count"], report.tally(kind).carried))


def _kind_of(entry: str) -> str | None:
    """Which report row a fidelity entry counts against ("bitmap object" -> objects; "annotation" -> annotations)."""
    if entry.endswith(" object"):
        return "objects"
    if entry in ("annotation", "skipped (cancelled) annotation"):
        return "annotations"
    if entry.endswith(" tag") and "timestamps" not in entry:
        return "tags"
    return None


def _schema(backend: Provider, project_id: Id):
    from .fidelity import FidelityReport

    reporter = getattr(backend.projects, "meta_report", None)
    if reporter is not None:
        return reporter(project_id)
    return backend.projects.get_schema(project_id), FidelityReport()


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
