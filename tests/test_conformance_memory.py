"""The conformance suite run against the in-memory provider: proves the suite itself works, and the provider."""

from __future__ import annotations

import pytest

import annobridge
from annobridge import JobSpec
from annobridge.testing import conformance as c

from . import memory_provider as mp

URL = "memory://conformance"


class _Memory:
    @pytest.fixture
    def backend(self, memory_plugin):
        return annobridge.connect(URL)

    @pytest.fixture
    def job_spec(self, backend):
        """A project of three items, each annotated by anna; a job for anna and one for bob over all of them."""
        state = mp.server(URL)
        project = state.add_project(c.unique("conformance-source"), c.SAMPLE_SCHEMA)
        for n in range(3):
            state.add_item(project.id, f"fruit-{n}.png", annotations=[c.sample_annotation(None, "anna", n)])
        anna, bob = (backend.users.get(login).id for login in ("anna", "bob"))
        return JobSpec(name="conformance", project_id=project.id, annotators=[anna, bob])

    @pytest.fixture
    def project_item_payloads(self):
        width, height = c.IMAGE_SIZE
        return [{"name": f"item-{n}.png", "bytes": c.tiny_png(width, height, (n * 60, 200, 40)), "width": width,
                 "height": height} for n in range(4)]

    @pytest.fixture
    def other_annotator(self, backend):
        return backend.users.create(c.unique("carol")).id

    @pytest.fixture
    def clone_choices(self):
        return {True}


class TestProjects(_Memory, c.ProjectTests): ...
class TestSchema(_Memory, c.SchemaRoundTripTests): ...
class TestUsers(_Memory, c.UserTests): ...
class TestItems(_Memory, c.ItemTests): ...
class TestJobs(_Memory, c.JobsLifecycleTests): ...
class TestJobLookup(_Memory, c.JobLookupTests): ...
class TestJobStats(_Memory, c.JobStatsTests): ...
class TestJobClone(_Memory, c.JobCloneTests): ...
class TestItemsAndReview(_Memory, c.ItemsAndReviewTests): ...
class TestReviewWorkflow(_Memory, c.ReviewWorkflowTests): ...
class TestAssignments(_Memory, c.AssignmentTests): ...
class TestPauses(_Memory, c.PauseTests): ...
class TestAnnotations(_Memory, c.AnnotationTests): ...
class TestPredictions(_Memory, c.PredictionTests): ...
class TestTransfer(_Memory, c.TransferTests): ...
class TestExports(_Memory, c.ExportTests): ...
class TestStorages(_Memory, c.StorageTests): ...
class TestVideos(_Memory, c.VideoTests): ...


def test_every_suite_is_run():
    assert c.missing_suites(globals()) == []


def test_a_missing_capability_skips_with_a_sentence_naming_the_backend(memory_plugin):
    backend = annobridge.connect("memory://local")
    with pytest.raises(pytest.skip.Exception, match=r"memory \(memory://local\) lacks storages: it needs a real backend"):
        c.skip_unless(backend, annobridge.Capability.STORAGES)


def test_the_memory_provider_declares_every_capability():
    assert set(mp.MemoryProvider.support) == set(annobridge.Capability)
