"""An in-memory provider used to test the plugin system and the conformance suite themselves.

It is the smallest complete third-party provider: one module, a hookimpl, a Provider
subclass and the sub-APIs it offers. It stands in for no real backend.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from pathlib import Path

from annobridge import Capability, Export, ExportStatus, Item, Job, JobEntity, JobSpec, JobStatus, NotFound, Project
from annobridge.hookspecs import hookimpl
from annobridge.provider import ExportsAPI, ItemsAPI, JobsAPI, Provider, ProjectsAPI, ReviewsAPI

_ids = itertools.count(1)


class _Projects(ProjectsAPI):
    def create(self, name, schema=None, description=""):
        project = Project(id=next(_ids), name=name, description=description, schema=schema)
        self.backend.state["projects"][project.id] = project
        return project

    def get(self, project_id):
        try:
            return self.backend.state["projects"][project_id]
        except KeyError:
            raise NotFound(f"no project {project_id}") from None

    def list(self):
        return list(self.backend.state["projects"].values())

    def delete(self, project_id):
        self.backend.state["projects"].pop(project_id, None)

    def get_schema(self, project_id):
        return self.get(project_id).schema_

    def set_schema(self, project_id, schema):
        self.get(project_id).schema_ = schema
        return schema


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
        return [j for j in self.backend.state["jobs"].values() if include_archived or not j.archived]

    def update(self, job_id, changes):
        job = self.get(job_id)
        for field, value in changes.model_dump(exclude_none=True, exclude={"options"}).items():
            setattr(job, field, value)
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
    def list(self, job_id):
        return iter(Item(id=e.id, review_status=e.review_status) for e in self.backend.state["entities"][job_id].values())


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


class MemoryProvider(Provider):
    name = "memory"
    schemes = ("memory",)
    capabilities = frozenset(
        {Capability.PROJECTS, Capability.SCHEMA, Capability.JOBS, Capability.JOB_STATUS_CONTROL,
         Capability.JOB_ARCHIVE, Capability.JOB_CUSTOM_DATA, Capability.ITEMS, Capability.REVIEWS,
         Capability.EXPORTS}
    )
    capability_notes = {Capability.STORAGES: "a real backend"}
    projects_api, jobs_api, items_api, reviews_api, exports_api = _Projects, _Jobs, _Items, _Reviews, _Exports

    def __init__(self, address, token=None, **options):
        super().__init__(address, token, **options)
        self.state = {"projects": {}, "jobs": {}, "entities": {}}


@hookimpl
def register_providers(register):
    register(MemoryProvider)
