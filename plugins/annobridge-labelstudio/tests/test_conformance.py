"""The core conformance suite, on the real Community server and on the Enterprise stand-in in front of it."""

from __future__ import annotations

import uuid

import pytest

from annobridge import JobSpec, StorageSpec
from annobridge.testing.conformance import (
    SAMPLE_SCHEMA,
    AssignmentTests,
    ExportTests,
    ItemsAndReviewTests,
    JobsLifecycleTests,
    ReviewWorkflowTests,
    SchemaRoundTripTests,
    StorageTests,
)

RESULT = [{"from_name": "size", "to_name": "image", "type": "choices", "value": {"choices": ["small"]}}]


@pytest.fixture(scope="module")
def annotator(ee_backend):
    login = f"conf-{uuid.uuid4().hex[:6]}"
    return ee_backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")


@pytest.fixture(scope="module")
def other_annotator_user(ee_backend):
    login = f"conf-other-{uuid.uuid4().hex[:6]}"
    return ee_backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")


class Community:
    @pytest.fixture
    def backend(self, backend):
        return backend

    @pytest.fixture
    def job_spec(self):
        return JobSpec(name="conformance", label_schema=SAMPLE_SCHEMA)

    @pytest.fixture
    def item_payloads(self):
        return [{"data": {"image": f"http://example.invalid/{n}.jpg"}, "annotations": [{"result": RESULT}]}
                for n in range(3)]

    @pytest.fixture
    def storage_spec(self, server):
        folder = server.files_root / f"conformance-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        (folder / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0")
        return StorageSpec(kind="localfiles", path=str(folder))


class Enterprise(Community):
    @pytest.fixture
    def backend(self, ee_backend):
        return ee_backend

    @pytest.fixture
    def job_spec(self, annotator):
        return JobSpec(name="conformance", label_schema=SAMPLE_SCHEMA, annotators=[annotator.id])


class TestJobs(Community, JobsLifecycleTests):
    pass


class TestItemsAndReviews(Community, ItemsAndReviewTests):
    pass


class TestAssignments(Community, AssignmentTests):
    pass


class TestExports(Community, ExportTests):
    pass


class TestStorages(Community, StorageTests):
    pass


class TestSchemaRoundTrip(Community, SchemaRoundTripTests):
    pass


class TestEnterpriseItemsAndReviews(Enterprise, ItemsAndReviewTests):
    pass


class TestReviewWorkflow(Community, ReviewWorkflowTests):
    """Community has no reviews: every test is skipped with the sentence naming the edition."""


class TestEnterpriseReviewWorkflow(Enterprise, ReviewWorkflowTests):
    @pytest.fixture
    def submitted_job(self, backend, job, annotator):
        """The tasks were given to the annotator, who labeled them (item_payloads carry the annotations):
        the conformance job's tasks are imported after it is made, so its staffing gave them nobody."""
        backend.assignments.assign_users(job.id, [annotator.id], [i.id for i in backend.items.list(job.id)])
        return job

    @pytest.fixture
    def other_annotator(self, other_annotator_user):
        return other_annotator_user.id


class TestEnterpriseAssignments(Enterprise, AssignmentTests):
    pass


class TestEnterpriseJobs(Enterprise, JobsLifecycleTests):
    pass
