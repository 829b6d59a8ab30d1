"""The conformance suite run against the in-memory provider: proves the suite itself works."""

from __future__ import annotations

import pytest

import annobridge
from annobridge import JobSpec
from annobridge.testing import conformance as c


class _Memory:
    @pytest.fixture
    def backend(self, memory_plugin):
        return annobridge.connect("memory://local")

    @pytest.fixture
    def job_spec(self, backend):
        return JobSpec(name="conformance", project_id=1, annotators=[1, 2])


class TestJobs(_Memory, c.JobsLifecycleTests): ...
class TestItemsAndReview(_Memory, c.ItemsAndReviewTests): ...
class TestAssignments(_Memory, c.AssignmentTests): ...
class TestExports(_Memory, c.ExportTests): ...
class TestStorages(_Memory, c.StorageTests): ...
class TestSchema(_Memory, c.SchemaRoundTripTests): ...


def test_a_missing_capability_skips_with_a_sentence_naming_the_backend(memory_plugin):
    backend = annobridge.connect("memory://local")
    with pytest.raises(pytest.skip.Exception, match=r"memory \(memory://local\) lacks storages: it needs a real backend"):
        c.skip_unless(backend, annobridge.Capability.STORAGES)
