"""The in-memory provider's servers: their state (projects, items, jobs, users), kept per server URL, and faults.

State lives per server, not per connection: every `annobridge.connect("memory://hostA")` sees
the same projects, items and users (keyed by the URL's canonical form), so two connections, or
two migrations, share one backend. `reset()` forgets every server. `arm(url, Fault(...))` injects
a fault into the server's n-th write: a `Killed` (a BaseException that is not an Exception, as a
SIGKILL would end the run) before the write is applied, after it is applied but before it
returns, or after part of a batch is applied; a lost answer (Unavailable after applying); or a
block (wait on an event, for concurrency tests).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from annobridge import Assignment, NotFound, Project, ReviewStatus, User
from annobridge.annotations import ItemAnnotation, Prediction
from annobridge.errors import Unavailable
from annobridge.models import Activity, Id
from annobridge.testing.kills import WRITES, Fault, Killed  # noqa: F401 - memory_provider re-exports them
from annobridge.urls import BackendURL

_ids = itertools.count(1)

USERS = (("anna", "anna@example.com"), ("bob", "bob@example.com"))
"""The users every memory server starts with (ids are drawn from the global counter); the first is the token's."""


@dataclass
class StoredItem:
    """An item as the memory server keeps it; annotations and predictions are stored without their item id."""

    id: int
    name: str
    width: int
    height: int
    annotations: list[ItemAnnotation] = field(default_factory=list)
    media: bytes | None = None  # None: a linked item, its bytes are where `link` points
    key: str | None = None  # the source key a migration wrote on it (transfer.SOURCE_KEY)
    link: str | None = None
    predictions: list[Prediction] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.link or f"memory://media/{self.id}"


@dataclass
class StoredJob:
    """A job as the memory server keeps it: one of many in a project, over some of its items."""

    id: int
    project_id: int
    settings: dict[str, Any]  # the neutral job settings (name, readme, limits...) as JobSpec gave them
    items: list[int]
    annotators: list[int]
    reviewer: int | None = None
    created_by: int | None = None
    status: str = "pending"
    archived: bool = False
    custom_data: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    verdicts: dict[int, ReviewStatus] = field(default_factory=dict)
    assignments: set[Assignment] = field(default_factory=set)
    pauses: dict[str, int] = field(default_factory=dict)  # user id (as text) -> active pauses
    activity: list[Activity] = field(default_factory=list)

    def log(self, action: str, user_id: Id | None = None, item_id: Id | None = None, detail: str = "") -> None:
        self.activity.append(Activity(action=action, at=datetime.now(timezone.utc), user_id=user_id,
                                      item_id=item_id, detail=detail))


class Server:
    """One memory server's state: projects, items per project, users, jobs, and the armed fault."""

    def __init__(self, canonical: str) -> None:
        self.canonical = canonical
        self.lock = threading.RLock()
        self.projects: dict[int, Project] = {}
        self.items: dict[int, dict[int, StoredItem]] = {}
        self.jobs: dict[int, StoredJob] = {}
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

    # ------------------------------------------------------------------ lookups the sub-APIs share

    def project(self, project_id: Id) -> Project:
        with self.lock:
            found = self.projects.get(_int(project_id))
        if found is None:
            raise NotFound(f"no project {project_id} on memory server {self.canonical}")
        return found

    def item(self, item_id: Id) -> tuple[int, StoredItem]:
        """(its project id, the item); NotFound if no project holds it."""
        wanted = _int(item_id)
        with self.lock:
            for pid, items in self.items.items():
                if wanted in items:
                    return pid, items[wanted]
        raise NotFound(f"no item {item_id} on memory server {self.canonical}")

    def job(self, job_id: Id) -> StoredJob:
        with self.lock:
            found = self.jobs.get(_int(job_id))
        if found is None:
            raise NotFound(f"no job {job_id} on memory server {self.canonical}")
        return found

    def user(self, ref: Id) -> User:
        for user in self.users:
            if str(ref) in (str(user.id), user.login):
                return user
        raise NotFound(f"no user {ref!r} on memory server {self.canonical}")

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


def _int(value: Id) -> int | None:
    """An id as the memory server keys it (ints); None for a value that cannot be one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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


def media(url: str) -> bytes | None:
    """The bytes at a memory media URL (memory://media/<item id>), on whichever server holds the item."""
    item_id = int(url.rsplit("/", 1)[1])
    with _servers_lock:
        states = list(servers.values())
    for state in states:
        with state.lock:
            for items in state.items.values():
                if item_id in items:
                    found = items[item_id]
                    return found.media if found.media is not None else media(found.url)
    return None


def new_id() -> int:
    """The next id any memory server gives (one counter, so ids never collide across servers)."""
    return next(_ids)
