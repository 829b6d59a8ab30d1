"""The conformance suite every provider passes: abstract test classes, one module per area of the contract.

A provider's tests subclass every class in ALL_SUITES in one line each and supply the fixtures:

    class MyBackend:
        @pytest.fixture
        def backend(self, my_server): return annobridge.connect(my_server.url, token=my_server.token)
        @pytest.fixture
        def job_spec(self, backend): return JobSpec(name="conformance", project_id=..., annotators=[...])
        @pytest.fixture
        def project_item_payloads(self): return [...]   # three sample images, in items.add's form

    class TestJobs(MyBackend, JobsLifecycleTests): ...

`item_payloads` (items to add to a new job), `annotation_for`, `other_annotator`, `storage_spec`,
`clone_choices`, `annotated_job`, `submitted_job` and `assignees` may be overridden too (see each
suite). A test needing a capability the backend lacks is skipped with a sentence naming the backend
and the reason; a test of how a backend without a capability refuses it is skipped where it has it.
`missing_suites(globals())` names the suites a conformance module leaves out.
"""

from __future__ import annotations

from typing import Any, Mapping

from .annotations import AnnotationTests, PredictionTests
from .assignments import AssignmentTests, PauseTests
from .base import (
    IMAGE_SIZE,
    SAMPLE_SCHEMA,
    ConformanceBase,
    assert_unsupported,
    authors_of,
    holding,
    lacks,
    needs,
    objects_of,
    sample_annotation,
    skip_unless,
    tiny_png,
    unique,
)
from .exports import ExportTests, StorageTests
from .items import ItemTests
from .jobs import JobCloneTests, JobLookupTests, JobStatsTests, JobsLifecycleTests
from .projects import ProjectTests, SchemaRoundTripTests, backend_picks_colors
from .reviews import ItemsAndReviewTests, ReviewWorkflowTests
from .transfer import TransferTests
from .users import UserTests
from .videos import VIDEO_SCHEMA, VideoTests

__all__ = [
    "ALL_SUITES",
    "IMAGE_SIZE",
    "SAMPLE_SCHEMA",
    "AnnotationTests",
    "AssignmentTests",
    "ConformanceBase",
    "ExportTests",
    "ItemTests",
    "ItemsAndReviewTests",
    "JobCloneTests",
    "JobLookupTests",
    "JobStatsTests",
    "JobsLifecycleTests",
    "PauseTests",
    "PredictionTests",
    "ProjectTests",
    "ReviewWorkflowTests",
    "SchemaRoundTripTests",
    "StorageTests",
    "TransferTests",
    "UserTests",
    "VIDEO_SCHEMA",
    "VideoTests",
    "assert_unsupported",
    "authors_of",
    "backend_picks_colors",
    "holding",
    "lacks",
    "missing_suites",
    "needs",
    "objects_of",
    "sample_annotation",
    "skip_unless",
    "tiny_png",
    "unique",
]

ALL_SUITES = (
    ProjectTests,
    SchemaRoundTripTests,
    UserTests,
    ItemTests,
    JobsLifecycleTests,
    JobLookupTests,
    JobStatsTests,
    JobCloneTests,
    ItemsAndReviewTests,
    ReviewWorkflowTests,
    AssignmentTests,
    PauseTests,
    AnnotationTests,
    PredictionTests,
    TransferTests,
    ExportTests,
    StorageTests,
    VideoTests,
)


def missing_suites(namespace: Mapping[str, Any], *, base: type | None = None) -> list[str]:
    """The names of the suites in ALL_SUITES no test class in `namespace` subclasses (with `base` too, when given).

    >>> missing_suites({"TestJobs": type("TestJobs", (JobsLifecycleTests,), {})})[:2]
    ['ProjectTests', 'SchemaRoundTripTests']
    """
    classes = [c for name, c in namespace.items() if name.startswith("Test") and isinstance(c, type)]
    if base is not None:
        classes = [c for c in classes if issubclass(c, base)]
    return [suite.__name__ for suite in ALL_SUITES if not any(issubclass(c, suite) for c in classes)]
