"""The core conformance suite against the Supervisely sandbox, through the real supervisely SDK."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from annobridge.models import JobSpec
from annobridge.testing import conformance as c

# isort: split
sys.path.insert(0, str(Path(__file__).parent))
from provider_fixtures import sv, world  # noqa: E402,F401


class _Sandbox:
    @pytest.fixture
    def backend(self, sv):
        return sv

    @pytest.fixture
    def job_spec(self, world):
        return JobSpec(name="conformance", project_id=world.project_id, annotators=world.labelers[:2])


class TestJobs(_Sandbox, c.JobsLifecycleTests): ...


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
        from annobridge_supervisely.sandbox import control

        control.start(sv.api, job.id)
        control.submit(sv.api, job.id)
        return job

    @pytest.fixture
    def other_annotator(self, world):
        return world.labelers[2]


class TestAssignments(_Sandbox, c.AssignmentTests): ...


class TestExports(_Sandbox, c.ExportTests): ...


class TestStorages(_Sandbox, c.StorageTests): ...


class TestSchema(_Sandbox, c.SchemaRoundTripTests): ...
