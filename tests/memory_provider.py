"""An in-memory provider used to test the plugin system, the conformance suite and the migration engine.

It is the smallest complete third-party provider: one module, a hookimpl, a Provider
subclass and the sub-APIs it offers. It stands in for no real backend.

State lives per server, not per connection: every `annobridge.connect("memory://hostA")` sees
the same projects, items and users (keyed by the URL's canonical form), so two connections, or
two migrations, share one backend. `reset()` forgets every server. The transfer API lets a
project take part in a migration (items with a source key, annotations, media bytes), and
`arm(url, Fault(...))` injects a fault into the server's n-th write: a `Killed` (a BaseException
that is not an Exception, as a SIGKILL would end the run) before the write is applied, after it
is applied but before it returns, or after part of a batch is applied; a lost answer (Unavailable
after applying); or a block (wait on an event, for concurrency tests).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from annobridge import (
    Capability,
    Export,
    ExportStatus,
    Item,
    Job,
    JobEntity,
    JobSpec,
    JobStatus,
    NotFound,
    Project,
    User,
)
from annobridge.errors import Unavailable
from annobridge.hookspecs import hookimpl
from annobridge.provider import ExportsAPI, ItemsAPI, JobsAPI, Provider, ProjectsAPI, ReviewsAPI, UsersAPI
from annobridge.transfer import SOURCE_KEY, Page, Record, TransferAPI, Written, link_urls, require_media
from annobridge.urls import BackendURL

_ids = itertools.count(1)

WRITES = ("projects.create", "projects.delete", "projects.set_schema", "transfer.write")
"""The operations that count as writes for faults: what a migration changes on its target."""

USERS = (("anna", "anna@example.com"), ("bob", "bob@example.com"))
"""The users every memory server starts with (ids are drawn from the global counter)."""


class Killed(BaseException):
    """The run died here (a SIGKILL, a power cut): not an Exception, so nothing on the way catches it."""


@dataclass
class Fault:
    """What happens at the server's `at`-th write (counted from when the fault was armed).

    `when`: "before" (Killed, the write not applied), "after" (applied, then Killed before it
    returns), "partial" (a transfer.write applies the first half of its new items, then Killed;
    other writes behave as "after"), "lost" (applied, then Unavailable: the answer was lost),
    "unavailable" (Unavailable, not applied), or "block" (signal `reached`, wait for `release`,
    then apply as usual). `ops` limits which writes count (default: all of WRITES).
    """

    at: int
    when: str = "before"
    ops: tuple[str, ...] = WRITES
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    fired: str | None = None  # the op it fired at
    seen: int = 0

    def __post_init__(self) -> None:
        if self.when not in ("before", "after", "partial", "lost", "unavailable", "block"):
            raise ValueError(f"unknown fault {self.when!r}")


@dataclass
class StoredItem:
    """An item as the memory server keeps it."""

    id: int
    name: str
    width: int
    height: int
    annotations: list = field(default_factory=list)
    media: bytes | None = None  # None: a linked item, its bytes are where `link` points
    key: str | None = None  # the source key a migration wrote on it (transfer.SOURCE_KEY)
    link: str | None = None

    @property
    def url(self) -> str:
        return self.link or f"memory://media/{self.id}"


class Server:
    """One memory server's state: projects, items per project, users, jobs, and the armed fault."""

    def __init__(self, canonical: str) -> None:
        self.canonical = canonical
        self.lock = threading.RLock()
        self.projects: dict[int, Project] = {}
        self.items: dict[int, dict[int, StoredItem]] = {}
        self.jobs: dict[int, Job] = {}
        self.entities: dict[int, dict[int, JobEntity]] = {}
        self.users = [User(id=next(_ids), login=login, email=email) for login, email in USERS]
        self.fault: Fault | None = None
        self.writes: list[str] = []  # every write op applied or attempted, in order

    def __getitem__(self, name: str) -> Any:  # the old dict-shaped state: backend.state["projects"]
        return getattr(self, name)

    def write(self, op: str, apply: Callable[[], Any], partial: Callable[[], Any] | None = None) -> Any:
        """Run the write `op` through the armed fault (if this is its write), else just apply it."""
        self.writes.append(op)
        fault = self.fault
        if fault is None or fault.fired is not None or op not in fault.ops:
            with self.lock:
                return apply()
        fault.seen += 1
        if fault.seen < fault.at:
            with self.lock:
                return apply()
        fault.fired = op
        if fault.when == "block":
            fault.reached.set()
            if not fault.release.wait(60):
                raise Killed(f"{op}: never released")
            with self.lock:
                return apply()
        if fault.when == "before":
            raise Killed(f"{op}: killed before it was applied")
        if fault.when == "unavailable":
            raise Unavailable(f"{op}: the memory server is unavailable (fault)")
        with self.lock:
            if fault.when == "partial" and partial is not None:
                partial()
            else:
                apply()
        if fault.when == "lost":
            raise Unavailable(f"{op}: the answer was lost (fault)")
        raise Killed(f"{op}: killed after it was applied")

    # ------------------------------------------------------------------ helpers for tests

    def add_project(self, name: str, schema=None) -> Project:
        project = Project(id=next(_ids), name=name, schema=schema)
        with self.lock:
            self.projects[project.id] = project
            self.items[project.id] = {}
        return project

    def add_item(self, project_id: int, name: str, *, width=64, height=48, annotations=(), media=None, key=None):
        item = StoredItem(next(_ids), name, width, height, list(annotations), media or f"bytes of {name}".encode(), key)
        with self.lock:
            self.items[project_id][item.id] = item
        return item

    def project_items(self, project_id: int) -> list[StoredItem]:
        with self.lock:
            return sorted(self.items.get(project_id, {}).values(), key=lambda i: i.id)


servers: dict[str, Server] = {}
_servers_lock = threading.Lock()


def server(url: str | BackendURL) -> Server:
    """The state of the memory server `url` names (made empty on first use)."""
    canonical = (url if isinstance(url, BackendURL) else BackendURL.parse(url)).canonical
    with _servers_lock:
        if canonical not in servers:
            servers[canonical] = Server(canonical)
        return servers[canonical]


def reset() -> None:
    """Forget every memory server: the next connect() starts from nothing."""
    with _servers_lock:
        for state in servers.values():
            if state.fault is not None:
                state.fault.release.set()
        servers.clear()


def arm(url: str, fault: Fault | None) -> Fault | None:
    """Arm `fault` on the server `url` names (None disarms); returns it."""
    state = server(url)
    state.fault = fault
    return fault


def _media(url: str) -> bytes | None:
    """The bytes at a memory media URL (memory://media/<item id>), on whichever server holds the item."""
    item_id = int(url.rsplit("/", 1)[1])
    with _servers_lock:
        states = list(servers.values())
    for state in states:
        with state.lock:
            for items in state.items.values():
                if item_id in items:
                    found = items[item_id]
                    return found.media if found.media is not None else _media(found.url)
    return None


class _Projects(ProjectsAPI):
    def create(self, name, schema=None, description=""):
        state = self.backend.state

        def apply():  # the id is given when the server makes it, as a real server's sequence does
            project = Project(id=next(_ids), name=name, description=description, schema=schema)
            state.projects[project.id] = project
            state.items[project.id] = {}
            return project

        return state.write("projects.create", apply)

    def get(self, project_id):
        state = self.backend.state
        with state.lock:
            try:
                project = state.projects[int(project_id)] if str(project_id).isdigit() else state.projects[project_id]
            except KeyError:
                raise NotFound(f"no project {project_id}") from None
            return project.model_copy(update={"items_count": len(state.items.get(project.id, {}))})

    def list(self):
        state = self.backend.state
        with state.lock:
            return [self.get(pid) for pid in state.projects]

    def delete(self, project_id):
        state = self.backend.state

        def apply():
            state.projects.pop(project_id, None)
            state.items.pop(project_id, None)

        state.write("projects.delete", apply)

    def get_schema(self, project_id):
        return self.get(project_id).schema_

    def set_schema(self, project_id, schema):
        state = self.backend.state
        self.get(project_id)

        def apply():
            state.projects[project_id].schema_ = schema
            return schema

        return state.write("projects.set_schema", apply)


class _Jobs(JobsAPI):
    def create(self, spec: JobSpec):
        created = []
        for user in spec.annotators or [None]:
            job = Job(id=next(_ids), name=spec.name, description=spec.description, project_id=spec.project_id,
                      created_at=datetime.now(timezone.utc))
            self.backend.state["jobs"][job.id] = job
            self.backend.state["entities"][job.id] = {n: JobEntity(id=n) for n in range(1, 4)}
            created.append(job)
        return created

    def get(self, job_id):
        try:
            return self.backend.state["jobs"][job_id]
        except KeyError:
            raise NotFound(f"no job {job_id}") from None

    def list(self, *, project_id=None, dataset_id=None, created_by=None, assigned_to=None, include_archived=False):
        return [
            j
            for j in self.backend.state["jobs"].values()
            if (include_archived or not j.archived) and (project_id is None or j.project_id == project_id)
        ]

    def update(self, job_id, changes):
        job = self.get(job_id)
        for field_name, value in changes.model_dump(exclude_none=True, exclude={"options"}).items():
            setattr(job, field_name, value)
        return job

    def delete(self, job_id):
        self.get(job_id)
        del self.backend.state["jobs"][job_id]

    def set_status(self, job_id, status):
        self.get(job_id).status = JobStatus(getattr(status, "value", status))

    def stop(self, job_id):
        self.set_status(job_id, JobStatus.STOPPED)

    def archive(self, job_id):
        self.get(job_id).archived = True

    def get_custom_data(self, job_id):
        return dict(self.get(job_id).custom_data)

    def set_custom_data(self, job_id, data, *, replace=False):
        job = self.get(job_id)
        job.custom_data = dict(data) if replace else {**job.custom_data, **data}


class _Items(ItemsAPI):
    def list(self, job_id=None, *, project_id=None, dataset_id=None):
        if job_id is None and project_id is not None:
            return iter(
                Item(id=i.id, name=i.name, width=i.width, height=i.height, project_id=project_id,
                     meta={SOURCE_KEY: i.key} if i.key is not None else {}, annotations_count=len(i.annotations))
                for i in self.backend.state.project_items(project_id)
            )
        entities = self.backend.state["entities"][job_id].values()
        return iter(Item(id=e.id, review_status=e.review_status) for e in entities)


class _Reviews(ReviewsAPI):
    def list(self, job_id):
        return list(self.backend.state["entities"][job_id].values())

    def set(self, job_id, item_id, status):
        self.backend.state["entities"][job_id][item_id].review_status = status

    def reject(self, job_id, *, only_unmarked=False):
        for entity in self.backend.state["entities"][job_id].values():
            if not only_unmarked or entity.review_status.value == "none":
                entity.review_status = "rejected"


class _Exports(ExportsAPI):
    def create(self, job_id, *, format="JSON", title=None):
        return Export(id=next(_ids), job_id=job_id, status=ExportStatus.COMPLETED, format=format)

    def download(self, export, directory):
        path = Path(directory) / f"job-{export.job_id}.json"
        entities = self.backend.state["entities"][export.job_id].values()
        path.write_text(json.dumps([e.model_dump(mode="json") for e in entities]))
        return path


class _Users(UsersAPI):
    def me(self):
        return self.backend.state.users[0]

    def get(self, login):
        for user in self.backend.state.users:
            if login in (user.login, user.email):
                return user
        raise NotFound(f"no user {login!r} on {self.backend.describe()}")

    def list(self):
        return list(self.backend.state.users)


class _Transfer(TransferAPI):
    """Items with their annotations and media, in pages; the source key is kept on the stored item."""

    def _items(self, project_id) -> list[StoredItem]:
        self.backend.projects.get(project_id)  # NotFound for a missing project
        return self.backend.state.project_items(int(project_id))

    def count(self, project_id):
        return len(self._items(project_id))

    def read(self, project_id, *, batch_size=100, skip=()):
        skipped = {str(k) for k in skip}
        records = []
        for item in self._items(project_id):
            if str(item.id) in skipped:
                continue
            records.append(
                Record(
                    key=str(item.id),
                    name=item.name,
                    width=item.width,
                    height=item.height,
                    annotations=list(item.annotations),
                    url=item.url,
                    origin={"item_id": item.id},
                )
            )
            if len(records) >= batch_size:
                yield Page(records)
                records = []
        if records:
            yield Page(records)

    def fetch_media(self, project_id, records):
        stored = {str(i.id): i for i in self._items(project_id)}
        for record in records:
            if record.media is None:
                record.media = _media(stored[record.key].url)

    def present(self, project_id):
        found = {}
        for item in self._items(project_id):
            if item.key is not None:
                found.setdefault(item.key, item.id)
        return found

    def preview(self, records, *, schema):
        return Written(ids={}, annotations=sum(len(r.annotations) for r in records))

    def write(self, project_id, records, *, schema, media="copy", existing=None):
        state = self.backend.state
        pid = int(project_id)
        self.backend.projects.get(pid)
        existing = dict(existing or {})
        fresh = [r for r in records if r.key not in existing]
        if media == "copy":
            require_media(fresh)
        else:
            link_urls(fresh)
        made: list[StoredItem] = []

        def land(records):
            if pid not in state.projects:
                raise NotFound(f"no project {pid}")
            for r in records:
                item = StoredItem(next(_ids), r.name, r.width or 1, r.height or 1, list(r.annotations), r.media, r.key)
                item.link = r.url if media == "link" else None
                state.items[pid][item.id] = item
                made.append(item)

        state.write("transfer.write", lambda: land(fresh), partial=lambda: land(fresh[: len(fresh) // 2]))
        ids = {**existing, **{item.key: item.id for item in made}}
        stored = state.items.get(pid, {})
        held = {r.key: len(stored[ids[r.key]].annotations) if ids[r.key] in stored else 0 for r in records}
        return Written(
            ids={r.key: ids[r.key] for r in records},
            annotations=sum(len(i.annotations) for i in made),
            held=held,
        )


class MemoryProvider(Provider):
    name = "memory"
    schemes = ("memory",)
    capabilities = frozenset(
        {Capability.PROJECTS, Capability.SCHEMA, Capability.JOBS, Capability.JOB_STATUS_CONTROL,
         Capability.JOB_ARCHIVE, Capability.JOB_CUSTOM_DATA, Capability.ITEMS, Capability.REVIEWS,
         Capability.EXPORTS, Capability.USERS, Capability.ANNOTATIONS}
    )
    capability_notes = {Capability.STORAGES: "a real backend"}
    projects_api, jobs_api, items_api, reviews_api, exports_api = _Projects, _Jobs, _Items, _Reviews, _Exports
    users_api, transfer_api = _Users, _Transfer

    def __init__(self, address, token=None, **options):
        super().__init__(address, token, **options)
        self.state = server(self.address)
        from annobridge.retry import RetryPolicy

        self.policy = RetryPolicy(backoff=0.0, max_backoff=0.0, sleep=lambda seconds: None)  # no waiting in tests


@hookimpl
def register_providers(register):
    register(MemoryProvider)
