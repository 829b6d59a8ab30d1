"""LabelingJobInfo -> Job on the seed reference's own examples: every field, statuses, archived, review statuses."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from supervisely.api.labeling_job_api import LabelingJobApi, LabelingJobInfo

from annobridge.errors import ValidationError
from annobridge.models import JobStatus, ReviewStatus
from annobridge_supervisely.convert import job_from_info, job_status, review_status, sly_id
from annobridge_supervisely.options import SuperviselyJobDetails

# LabelingJobApi.info_sequence()'s example in ../shared/seeds/000, with get_info_by_id's entities.
SEED_INFO = dict(
    id=2,
    name="Annotation Job (#1) (#1) (dataset_01)",
    readme="",
    description="",
    team_id=4,
    workspace_id=8,
    workspace_name="First Workspace",
    project_id=58,
    project_name="tutorial_project",
    dataset_id=54,
    dataset_name="dataset_01",
    created_by_id=4,
    created_by_login="anna",
    assigned_to_id=4,
    assigned_to_login="anna",
    reviewer_id=4,
    reviewer_login="anna",
    created_at="2020-04-08T15:10:12.618Z",
    started_at="2020-04-08T15:10:19.833Z",
    finished_at="2020-04-08T15:13:39.788Z",
    status="completed",
    disabled=False,
    labeling_queue_id=3,
    labeling_exam_id=None,
    images_count=3,
    finished_images_count=0,
    rejected_images_count=1,
    accepted_images_count=2,
    progress_images_count=2,
    classes_to_label=[],
    tags_to_label=[],
    images_range=(1, 5),
    objects_limit_per_image=None,
    tags_limit_per_image=None,
    filter_images_by_tags=[],
    include_images_with_tags=[],
    exclude_images_with_tags=[],
    entities=[
        {"reviewStatus": "rejected", "id": 283, "name": "image_03"},
        {"reviewStatus": "accepted", "id": 282, "name": "image_02"},
        {"reviewStatus": "accepted", "id": 281, "name": "image_01"},
    ],
    priority=2,
)
# The tutorial's (003) second job: limits, classes and tags to label, no reviewer, no range.
TUTORIAL_INFO = {
    **SEED_INFO,
    "id": 2,
    "name": "labeler2_kiwi_task_with_complex_settings",
    "readme": "annotation manual",
    "description": "short description",
    "reviewer_id": None,
    "reviewer_login": None,
    "status": "pending",
    "started_at": None,
    "finished_at": None,
    "classes_to_label": ["kiwi"],
    "tags_to_label": ["size", "origin"],
    "images_range": (None, None),
    "objects_limit_per_image": 10,
    "tags_limit_per_image": 20,
    "entities": [{"reviewStatus": "none", "id": 3882697, "name": "IMG_4451.jpeg"}],
}


def test_the_seed_example_maps_field_by_field():
    job = job_from_info(LabelingJobInfo(**SEED_INFO))
    assert (job.id, job.name, job.backend) == (2, "Annotation Job (#1) (#1) (dataset_01)", "supervisely")
    details = job.options
    assert isinstance(details, SuperviselyJobDetails)
    assert (details.team_id, details.workspace_id, details.workspace_name) == (4, 8, "First Workspace")
    assert (job.project_id, job.project_name, details.dataset_id, details.dataset_name) == (
        58,
        "tutorial_project",
        54,
        "dataset_01",
    )
    assert (
        job.created_by.login == "anna"
        and [u.id for u in job.assignees] == [4]
        and [u.login for u in job.reviewers] == ["anna"]
    )
    assert job.created_at == datetime(2020, 4, 8, 15, 10, 12, 618000, tzinfo=timezone.utc)
    assert job.finished_at == datetime(2020, 4, 8, 15, 13, 39, 788000, tzinfo=timezone.utc)
    assert job.status is JobStatus.COMPLETED and job.archived is False
    counts = (
        job.items_count,
        job.finished_items_count,
        job.rejected_items_count,
        job.accepted_items_count,
        job.in_progress_items_count,
    )
    assert counts == (3, 0, 1, 2, 2)
    assert job.item_range == (1, 5) and job.priority == 2
    assert [(e.id, e.name, e.review_status) for e in job.entities] == [
        (283, "image_03", ReviewStatus.REJECTED),
        (282, "image_02", ReviewStatus.ACCEPTED),
        (281, "image_01", ReviewStatus.ACCEPTED),
    ]


def test_the_tutorial_job_keeps_its_settings():
    job = job_from_info(LabelingJobInfo(**TUTORIAL_INFO))
    assert (job.classes_to_label, job.tags_to_label) == (["kiwi"], ["size", "origin"])
    assert (job.objects_limit_per_item, job.tags_limit_per_item) == (10, 20)
    assert job.item_range is None and job.reviewers == [] and job.started_at is None
    assert job.status is JobStatus.PENDING


def test_disabled_is_archived_and_zero_limits_are_no_limits():
    job = job_from_info(
        LabelingJobInfo(
            **{**SEED_INFO, "disabled": True, "objects_limit_per_image": 0, "tags_limit_per_image": 0, "entities": None}
        )
    )
    assert job.archived is True
    assert job.objects_limit_per_item is None and job.tags_limit_per_item is None
    assert job.entities is None


@pytest.mark.parametrize("status", list(LabelingJobApi.Status))
def test_every_sdk_status_has_a_neutral_one(status):
    assert job_status(status).value == status.value
    assert job_status(status.value) is job_status(status)
    assert job_from_info(LabelingJobInfo(**{**SEED_INFO, "status": status.value})).status.value == status.value


def test_done_is_no_verdict_yet():
    job = job_from_info(LabelingJobInfo(**{**SEED_INFO, "entities": [{"reviewStatus": "done", "id": 1, "name": "a"}]}))
    assert job.entities[0].review_status is ReviewStatus.NONE


def test_bad_status_and_ids_name_the_value():
    with pytest.raises(ValidationError, match="'finished' is not a job status"):
        job_status("finished")
    with pytest.raises(ValidationError, match="'maybe'"):
        review_status("maybe")
    with pytest.raises(ValidationError, match="job_id: 'abc'"):
        sly_id("abc", "job_id")
    assert sly_id(" 12 ", "x") == 12
