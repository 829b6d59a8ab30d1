"""Where a migration writes: the binding its ledger keeps, the target project it may write into, made once and marked.

Without a target project named, a migration makes a new one named after its source; it never
writes into the source project, and into a project that existed before only when asked
(`into_existing`). The project it makes carries the migration's marker in its description, so a
rerun (or a retried create) adopts that project and no other of the same name.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Conflict, NotFound, ValidationError
from .ledger import Binding, mismatch
from .locks import hold
from .migration_report import MigrationReport
from .models import Id, Project
from .provider import Provider
from .schema import LabelSchema, MediaKind
from .shards import Shard

if TYPE_CHECKING:
    from .retry import RetryPolicy

__all__ = ["TargetChooser", "default_target_name", "find_project", "made_by", "schema_signature", "shard_migration"]

MAKING_WAIT = 300  # seconds a shard waits for another on this machine to make the target (a create, with retries)


def find_project(backend: Provider, ref: Id, field: str) -> Project | None:
    """The project `ref` names on `backend` (an id, or else an exact name); None if there is none.

    Example (against a live backend)::

        find_project(sv, "Lemons (Test)", "project").id  # -> 5555
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
    media = (schema.media.value,) if schema.media is not MediaKind.IMAGE else ()  # image signatures stay as they were
    return (tuple(classes), tuple(tags)) + media


def default_target_name(source: Provider, project: Project, limit: int | None) -> str:
    """The name of the new project a migration makes when none is given: where it came from, within `limit`.

    Example (against a live backend)::

        default_target_name(sv, Project(id=5555, name="Lemons (Test)"), 50)
        # -> 'Lemons (Test) (supervisely #5555)'
    """
    origin = f" ({source.name} #{project.id})"
    name = project.name.strip()
    if limit is not None and len(name) + len(origin) > limit:
        name = name[: max(limit - len(origin) - 3, 1)].rstrip() + "..."
    return name + origin


def made_by(project: Project, binding: Binding) -> bool:
    """Whether `project` is the one the migration `binding` names made (its description carries the marker)."""
    return bool(binding.migration) and binding.marker in (project.description or "")


def shard_migration(binding: Binding, shard: Shard) -> str:
    """The migration id every shard of one N-way migration shares: a uuid5 of what the migration is and N, so any
    shard knows (made_by) the project another made, and an unsharded or M-way run does not."""
    what = [binding.source, binding.source_project, binding.target, binding.target_project, binding.media, shard.count]
    return uuid.uuid5(uuid.NAMESPACE_URL, "annobridge-shards:" + json.dumps(what)).hex


class TargetChooser:
    """The target side of one migration run: its binding, the existing target checked, or a new one made."""

    def __init__(self, src: Provider, dst: Provider, *, media: str, policy: RetryPolicy) -> None:
        self.src, self.dst, self.media, self.policy = src, dst, media, policy

    def binding(
        self, project: Project, target_project: Id | None, known: Binding | None, path: Path, shard: Shard | None = None
    ) -> Binding:
        """This run's migration; a rerun whose options contradict its ledger is refused, never silently ignored.
        A sharded run's migration id is the same for its N shards (`shard_migration`); an unsharded run's is random."""
        src, dst = self.src.address.canonical, self.dst.address.canonical
        sliced = str(shard) if shard is not None else ""
        named = None if target_project is None else str(target_project).strip()
        if named == "":
            raise ValidationError(f"target_project: a project name or id is needed, got {target_project!r}")
        same = known is not None and (known.source, known.source_project, known.target) == (src, str(project.id), dst)
        if same and known.shard != sliced:
            raise mismatch(path, known, replace(known, shard=sliced))
        if same:
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
        binding = Binding(src, str(project.id), dst, named, self.media, sliced, migration=uuid.uuid4().hex)
        if shard is not None:
            binding = replace(binding, migration=shard_migration(binding, shard))
        if known is not None:
            raise mismatch(path, known, binding)
        return binding

    def describe(self, binding: Binding, project: Project | None = None) -> str:
        """The target in words, for messages: "target project 'Lemons' (id 12) on labelstudio (...)"."""
        named = f"{project.name!r} (id {project.id})" if project is not None else repr(binding.target_project)
        sliced = f" (shard {binding.shard})" if binding.shard else ""
        return f"target project {named} on {self.dst.describe()}{sliced}"

    def existing(
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
        # (a sharded run's binding is every shard's: a fresh shard ledger knows the project another shard made)
        ours = known_id is not None or made_by(found, known if known is not None else binding)
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

    def create(self, binding: Binding, schema: LabelSchema, source: Project, report: MigrationReport) -> Project:
        """The target project, made once and marked as this migration's: after a transient failure, one the
        server made anyway is found by name and marker.

        The shards of one migration on one machine make it in turn: a shard that waited finds the project
        another made and writes into it, so none is made twice. Two runs on two machines may still race to
        make the same name: each lists the name after making it, the oldest project (lowest id) stays, and a
        run removes every younger one it made itself (a retried create's too); if the oldest is another run's,
        it stops having written nothing.
        """
        key = f"make {binding.target} {binding.target_project} {binding.migration}"
        with hold(key, self.describe(binding), wait=MAKING_WAIT):
            if binding.shard:
                made = [p for p in self.dst.projects.list() if p.name == binding.target_project and made_by(p, binding)]
                if made:
                    return min(made, key=lambda p: (len(str(p.id)), str(p.id)))
            return self._make(binding, schema, source, report)

    def _make(self, binding: Binding, schema: LabelSchema, source: Project, report: MigrationReport) -> Project:
        name, retrying = binding.target_project, self.policy.retrying()
        description = "\n\n".join(filter(None, [source.description, binding.marker]))

        def attempt() -> Project:
            if retrying.statistics["attempt_number"] > 1:
                report.retried += 1
                mine = [p for p in self.dst.projects.list() if p.name == name and made_by(p, binding)]
                if mine:
                    return mine[0]
            return self.dst.projects.create(name, schema=schema, description=description)

        made = retrying(attempt)
        twins = [p for p in self.dst.projects.list() if p.name == made.name] or [made]
        oldest = min(twins, key=lambda p: (len(str(p.id)), str(p.id)))
        extra = [p.id for p in twins if p.id != oldest.id and made_by(p, binding)]  # e.g. a lost answer's
        for project_id in extra:
            try:
                self.dst.projects.delete(project_id)
            except NotFound:  # another shard of this migration removed it first
                pass
        if not made_by(oldest, binding):
            raise Conflict(
                f"target_project: another run made {name!r} (id {oldest.id}) on {self.dst.describe()} at the same "
                f"time; this run removed what it made (id {', '.join(map(str, extra))}) and wrote nothing"
            )
        return oldest
