"""The core conformance suite, on the real Community server and on the Enterprise stand-in in front of it."""

from __future__ import annotations

import uuid

import pytest

from annobridge import JobSpec, StorageSpec
from annobridge.testing import conformance as c

RESULT = [{"from_name": "size", "to_name": "image", "type": "choices", "value": {"choices": ["small"]}}]


@pytest.fixture(scope="module")
def annotator(ee_backend):
    login = f"conf-{uuid.uuid4().hex[:6]}"
    return ee_backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")


@pytest.fixture(scope="module")
def other_annotator_user(ee_backend):
    login = f"conf-other-{uuid.uuid4().hex[:6]}"
    return ee_backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")


class _Payloads:
    """What both editions are given: tasks for a job, image files for a project, a local-files storage."""

    @pytest.fixture
    def item_payloads(self):
        return [{"data": {"image": f"http://example.invalid/{n}.jpg"}, "annotations": [{"result": RESULT}]}
                for n in range(3)]

    @pytest.fixture
    def project_item_payloads(self, tmp_path):
        """Image files: Label Studio uploads them and makes a task of each."""
        width, height = c.IMAGE_SIZE
        paths = []
        for n in range(4):
            path = tmp_path / f"item-{n}.png"
            path.write_bytes(c.tiny_png(width, height, (n * 60, 200, 40)))
            paths.append(path)
        return paths

    @pytest.fixture
    def storage_spec(self, server):
        folder = server.files_root / f"conformance-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        (folder / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0")
        return StorageSpec(kind="localfiles", path=str(folder))

    @pytest.fixture
    def clone_choices(self):
        return {True, False}


class Community(_Payloads):
    @pytest.fixture
    def backend(self, backend):
        return backend

    @pytest.fixture
    def job_spec(self):
        return JobSpec(name="conformance", label_schema=c.SAMPLE_SCHEMA)


class Enterprise(_Payloads):
    @pytest.fixture
    def backend(self, ee_backend):
        return ee_backend

    @pytest.fixture
    def job_spec(self, annotator):
        return JobSpec(name="conformance", label_schema=c.SAMPLE_SCHEMA, annotators=[annotator.id])

    @pytest.fixture
    def job(self, backend, jobs, annotator):
        """The tasks given to the annotator, who labeled them (item_payloads carry the annotations): the
        conformance job's tasks are imported after it is made, so its staffing gave them nobody."""
        made = jobs[0]
        backend.assignments.assign_users(made.id, [annotator.id], [i.id for i in backend.items.list(job_id=made.id)])
        return made

    @pytest.fixture
    def other_annotator(self, other_annotator_user):
        return other_annotator_user.id


class TestProjects(Community, c.ProjectTests): ...
class TestSchemaRoundTrip(Community, c.SchemaRoundTripTests): ...
class TestUsers(Community, c.UserTests): ...
class TestItems(Community, c.ItemTests): ...
class TestJobs(Community, c.JobsLifecycleTests): ...
class TestJobLookup(Community, c.JobLookupTests): ...
class TestJobStats(Community, c.JobStatsTests): ...
class TestJobClone(Community, c.JobCloneTests): ...
class TestItemsAndReviews(Community, c.ItemsAndReviewTests): ...
class TestReviewWorkflow(Community, c.ReviewWorkflowTests): ...
class TestAssignments(Community, c.AssignmentTests): ...
class TestPauses(Community, c.PauseTests): ...
class TestAnnotations(Community, c.AnnotationTests): ...
class TestPredictions(Community, c.PredictionTests): ...
class TestTransfer(Community, c.TransferTests): ...
class TestExports(Community, c.ExportTests): ...
class TestStorages(Community, c.StorageTests): ...
class TestVideos(Community, c.VideoTests): ...

class TestEnterpriseProjects(Enterprise, c.ProjectTests): ...
class TestEnterpriseSchemaRoundTrip(Enterprise, c.SchemaRoundTripTests): ...
class TestEnterpriseUsers(Enterprise, c.UserTests): ...
class TestEnterpriseItems(Enterprise, c.ItemTests): ...
class TestEnterpriseJobs(Enterprise, c.JobsLifecycleTests): ...
class TestEnterpriseJobLookup(Enterprise, c.JobLookupTests): ...
class TestEnterpriseJobStats(Enterprise, c.JobStatsTests): ...
class TestEnterpriseJobClone(Enterprise, c.JobCloneTests): ...
class TestEnterpriseItemsAndReviews(Enterprise, c.ItemsAndReviewTests): ...
class TestEnterpriseReviewWorkflow(Enterprise, c.ReviewWorkflowTests): ...
class TestEnterpriseAssignments(Enterprise, c.AssignmentTests): ...
class TestEnterprisePauses(Enterprise, c.PauseTests): ...
class TestEnterpriseAnnotations(Enterprise, c.AnnotationTests): ...
class TestEnterprisePredictions(Enterprise, c.PredictionTests): ...
class TestEnterpriseTransfer(Enterprise, c.TransferTests): ...
class TestEnterpriseExports(Enterprise, c.ExportTests): ...
class TestEnterpriseStorages(Enterprise, c.StorageTests): ...
class TestEnterpriseVideos(Enterprise, c.VideoTests): ...


@pytest.mark.parametrize("edition", [Community, Enterprise])
def test_every_suite_runs_on_both_editions(edition):
    assert c.missing_suites(globals(), base=edition) == []
