"""The core conformance suite against the Supervisely sandbox, through the real supervisely SDK."""

from __future__ import annotations

import pytest

from annobridge.models import JobSpec
from annobridge.testing import conformance as c


class _Sandbox:
    @pytest.fixture
    def backend(self, sv):
        return sv

    @pytest.fixture
    def job_spec(self, world):
        return JobSpec(name="conformance", project_id=world.project_id, annotators=world.labelers[:2])

    @pytest.fixture
    def project_item_payloads(self):
        """Images as bytes with their names: uploaded as they are into the project's only dataset."""
        width, height = c.IMAGE_SIZE
        return [{"bytes": c.tiny_png(width, height, (n * 60, 200, 40)), "name": f"item-{n}.png"} for n in range(4)]

    @pytest.fixture
    def other_annotator(self, world):
        return world.labelers[2]

    @pytest.fixture
    def clone_choices(self):
        """A copy is a job over the same images of the project, so their annotations come along."""
        return {True}


class TestProjects(_Sandbox, c.ProjectTests): ...
class TestSchema(_Sandbox, c.SchemaRoundTripTests): ...
class TestUsers(_Sandbox, c.UserTests): ...
class TestItems(_Sandbox, c.ItemTests): ...
class TestJobs(_Sandbox, c.JobsLifecycleTests): ...
class TestJobLookup(_Sandbox, c.JobLookupTests): ...
class TestJobStats(_Sandbox, c.JobStatsTests): ...
class TestJobClone(_Sandbox, c.JobCloneTests): ...
class TestItemsAndReview(_Sandbox, c.ItemsAndReviewTests): ...


class TestReviewWorkflow(_Sandbox, c.ReviewWorkflowTests):
    @pytest.fixture
    def job_spec(self, world):
        return JobSpec(
            name="conformance-review",
            project_id=world.project_id,
            annotators=world.labelers[:1],
            reviewer=world.reviewer,
            item_ids=world.image_ids[:4],
        )

    @pytest.fixture
    def submitted_job(self, sv, job):
        """The labeler opens the job and hands it in (the sandbox's stand-ins for the labeling UI)."""
        from annobridge_sandbox_supervisely import control

        control.start(sv.api, job.id)
        control.submit(sv.api, job.id)
        return job


class TestAssignments(_Sandbox, c.AssignmentTests): ...
class TestPauses(_Sandbox, c.PauseTests): ...
class TestAnnotations(_Sandbox, c.AnnotationTests): ...
class TestPredictions(_Sandbox, c.PredictionTests): ...
class TestTransfer(_Sandbox, c.TransferTests): ...
class TestExports(_Sandbox, c.ExportTests): ...
class TestStorages(_Sandbox, c.StorageTests): ...
class TestVideos(_Sandbox, c.VideoTests): ...


def test_every_suite_runs():
    assert c.missing_suites(globals()) == []
