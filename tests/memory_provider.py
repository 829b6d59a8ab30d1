"""An in-memory provider used to test the plugin system, the conformance suite and the migration engine.

It is the smallest complete third-party provider: a hookimpl, a Provider subclass declaring every
capability, and the sub-APIs it offers (tests/memory_jobs.py, tests/memory_labels.py). It stands in
for no real backend: a job is one of many in a project (JobScope.IN_PROJECT), one per annotator.

State lives per server (tests/memory_state.py): every `annobridge.connect("memory://hostA")` sees
the same projects, items, jobs and users, so two connections, or two migrations, share one backend.
`reset()` forgets every server. The transfer API lets a project take part in a migration (items
with a source key, annotations, media bytes), and `arm(url, Fault(...))` injects a fault into the
server's n-th write (see memory_state.Fault).
"""

from __future__ import annotations

import json
from pathlib import Path

from annobridge import Capability, Conflict, Export, ExportStatus, NotFound, Project, User
from annobridge.capabilities import no, yes
from annobridge.errors import ValidationError
from annobridge.hookspecs import hookimpl
from annobridge.models import JobScope
from annobridge.provider import ExportsAPI, Provider, ProjectsAPI, UsersAPI
from annobridge.transfer import Page, Record, TransferAPI, Written, link_urls, require_media

from .memory_jobs import MemoryAssignments, MemoryJobs, MemoryPauses, MemoryReviews
from .memory_labels import MemoryAnnotations, MemoryItems, MemoryPredictions
from .memory_state import (  # noqa: F401 - the names tests use as memory_provider.<name>
    USERS,
    WRITES,
    Fault,
    Killed,
    Server,
    StoredItem,
    StoredJob,
    arm,
    media,
    new_id,
    reset,
    server,
    servers,
)

__all__ = ["USERS", "WRITES", "Fault", "Killed", "MemoryProvider", "Server", "StoredItem", "StoredJob", "arm", "media",
           "new_id", "register_providers", "reset", "server", "servers"]



class _Projects(ProjectsAPI):
    def create(self, name, schema=None, description=""):
        state = self.backend.state
        name = self.check_name(name)

        def apply():  # the id is given when the server makes it, as a real server's sequence does
            project = Project(id=new_id(), name=name, description=description, schema=schema)
            state.projects[project.id] = project
            state.items[project.id] = {}
            return project

        return state.write("projects.create", apply)

    def get(self, project_id):
        state = self.backend.state
        with state.lock:
            project = state.project(project_id)
            return project.model_copy(update={"items_count": len(state.items.get(project.id, {}))})

    def list(self):
        state = self.backend.state
        with state.lock:
            return [self.get(pid) for pid in state.projects]

    def delete(self, project_id):
        state = self.backend.state

        def apply():  # its jobs go with it
            pid = int(project_id) if str(project_id).isdigit() else project_id
            state.projects.pop(pid, None)
            state.items.pop(pid, None)
            for job in [j for j in state.jobs.values() if j.project_id == pid]:
                del state.jobs[job.id]

        state.write("projects.delete", apply)

    def get_schema(self, project_id):
        return self.get(project_id).schema_

    def set_schema(self, project_id, schema):
        state = self.backend.state
        project = state.project(project_id)

        def apply():
            project.schema_ = schema
            return schema

        return state.write("projects.set_schema", apply)


class _Exports(ExportsAPI):
    """Built at once from the job's items, their verdicts and annotations; nothing is kept on the server."""

    def create(self, job_id, *, format="JSON", title=None):
        self.backend.jobs.get(job_id)
        return Export(id=new_id(), job_id=job_id, status=ExportStatus.COMPLETED, format=format, title=title)

    def get(self, job_id, export_id):
        return Export(id=export_id, job_id=job_id, status=ExportStatus.COMPLETED)

    def download(self, export, directory):
        folder = self.check_directory(directory)
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"job-{export.job_id}.json"
        entities = self.backend.reviews.list(export.job_id)
        listed = self.backend.annotations.list(job_id=export.job_id)
        annotations = {str(a.item): a.model_dump(mode="json") for a in listed}
        path.write_text(json.dumps([{**e.model_dump(mode="json"), "annotation": annotations.get(str(e.id))}
                                    for e in entities]))
        return path

    def delete(self, export):
        """Nothing is kept, so nothing is removed."""


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

    def create(self, login, *, password=None, email=None):
        state = self.backend.state
        if not isinstance(login, str) or not login.strip():
            raise ValidationError(f"login: a non-blank login is needed, got {login!r}")
        with state.lock:
            if any(login == u.login for u in state.users):
                raise Conflict(f"{self.backend.describe()} has a user {login!r} already")
            user = User(id=new_id(), login=login, email=email)
            state.users.append(user)
        return user


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
                record.media = media(stored[record.key].url)

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
                item = StoredItem(new_id(), r.name, r.width or 1, r.height or 1, list(r.annotations), r.media, r.key)
                item.link = r.url if media == "link" else None
                state.items[pid][item.id] = item
                made.append(item)

        state.write("transfer.write", lambda: land(fresh), partial=lambda: land(fresh[: len(fresh) // 2]))
        ids = {**existing, **{item.key: item.id for item in made}}
        stored = state.items.get(pid, {})
        on_target = {r.key: len(stored[ids[r.key]].annotations) if ids[r.key] in stored else 0 for r in records}
        return Written(
            ids={r.key: ids[r.key] for r in records},
            annotations=sum(len(i.annotations) for i in made),
            annotations_on_target=on_target,
        )


class MemoryProvider(Provider):
    name = "memory"
    schemes = ("memory",)
    job_scope = JobScope.IN_PROJECT
    support = {
        **{cap: yes() for cap in (
            Capability.PROJECTS, Capability.SCHEMA, Capability.ITEMS, Capability.ANNOTATIONS, Capability.PREDICTIONS,
            Capability.JOBS, Capability.JOB_STATUS_CONTROL, Capability.JOB_ARCHIVE, Capability.JOB_RESTART,
            Capability.JOB_CUSTOM_DATA, Capability.JOB_LIMITS, Capability.JOB_ACTIVITY, Capability.USERS, Capability.ASSIGNMENTS,
            Capability.UNASSIGN, Capability.REVIEWS, Capability.PAUSE_ANNOTATORS)},
        Capability.JOB_CLONE: yes("copies share the project's items and their annotations"),
        Capability.EXPORTS: yes("built at once on the client"),
        Capability.MEMBERS: no("a memory server has no teams or organizations to be a member of"),
        Capability.EXPORT_SNAPSHOTS: no("a memory server keeps no export snapshots; exports are built at once"),
        Capability.STORAGES: no("it needs a real backend"),
        Capability.VIDEO: no("it keeps no media to play"),
    }
    projects_api, jobs_api, items_api, reviews_api, exports_api = _Projects, MemoryJobs, MemoryItems, MemoryReviews, _Exports
    annotations_api, predictions_api, assignments_api, pauses_api = (
        MemoryAnnotations, MemoryPredictions, MemoryAssignments, MemoryPauses)
    users_api, transfer_api = _Users, _Transfer

    def __init__(self, address, token=None, **options):
        super().__init__(address, token, **options)
        self.state = server(self.address)
        from annobridge.retry import RetryPolicy

        self.policy = RetryPolicy(backoff=0.0, max_backoff=0.0, sleep=lambda seconds: None)  # no waiting in tests

    @property
    def retry_policy(self):
        return self.policy


@hookimpl
def register_providers(register):
    register(MemoryProvider)
