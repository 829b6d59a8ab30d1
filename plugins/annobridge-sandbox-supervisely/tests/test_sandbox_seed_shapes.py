"""What the sandbox answers has the shapes of seed 000 (LabelingJobApi reference) and of the SDK's info_sequence."""

from __future__ import annotations

import supervisely as sly
from supervisely.api.labeling_job_api import LabelingJobApi, LabelingJobInfo
from supervisely.api.module_api import ApiField

from annobridge_sandbox_supervisely import control

# seed 000, LabelingJobApi.info_sequence() usage example (a completed job with a reviewer)
SEED_JOB_INFO = dict(
    id=2, name="Annotation Job (#1) (#1) (dataset_01)", readme="", description="", team_id=4, workspace_id=8,
    workspace_name="First Workspace", project_id=58, project_name="tutorial_project", dataset_id=54,
    dataset_name="dataset_01", created_by_id=4, created_by_login="anna", assigned_to_id=4, assigned_to_login="anna",
    reviewer_id=4, reviewer_login="anna", created_at="2020-04-08T15:10:12.618Z", started_at="2020-04-08T15:10:19.833Z",
    finished_at="2020-04-08T15:13:39.788Z", status="completed", disabled=False, labeling_queue_id=3,
    labeling_exam_id=None, images_count=3, finished_images_count=0, rejected_images_count=1,
    accepted_images_count=2, progress_images_count=2, classes_to_label=[], tags_to_label=[], images_range=(1, 5),
    objects_limit_per_image=None, tags_limit_per_image=None, filter_images_by_tags=[], include_images_with_tags=[],
    exclude_images_with_tags=[], entities=None, priority=2,
)
# seed 000, get_stats output: the keys at every level
SEED_STATS_JOB_KEYS = {
    "editingDuration", "annotationDuration", "id", "name", "startedAt", "finishedAt", "imagesCount",
    "finishedImagesCount", "tagsStats",
}
SEED_TAG_STAT_KEYS = {"id", "color", "images", "figures", "name"}
SEED_TAG_VALUE_STAT_KEYS = {"parentId", "color", "images", "figures", "name"}
SEED_CLASS_STAT_KEYS = {"id", "color", "shape", "totalDuration", "imagesCount", "avgDuration", "name", "labelsCount"}
SEED_IMAGE_STAT_KEYS = {"id", "reviewStatus", "annotationDuration", "totalDuration", "name", "labelsCount"}
SEED_RESTART_KEYS = {"id", "userId", "type", "name"}


def _completed_job(api, labeler, dataset_id, images):
    """A job taken through the whole lifecycle: one image accepted, one rejected, like the seed's job 2."""
    job = api.labeling_job.create(
        name="shape check", dataset_id=dataset_id, user_ids=[labeler.id], images_ids=images, reviewer_id=7,
        images_range=(1, 5),
    )[0]
    control.start(api, job.id)
    control.submit(api, job.id)
    control.review(api, job.id, images[0], "accepted")
    control.review(api, job.id, images[1], "rejected")
    control.complete(api, job.id)
    return api.labeling_job.get_info_by_id(job.id)


def test_labeling_job_info_fields_are_the_seeds_in_the_seeds_order():
    seed_fields = list(SEED_JOB_INFO)
    assert list(LabelingJobInfo._fields[: len(seed_fields)]) == seed_fields
    assert LabelingJobInfo._fields[len(seed_fields) :] == ("guide_id",)  # the installed SDK's one addition


def test_a_completed_job_parses_with_the_seeds_types(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    images = [i.id for i in api.image.get_list(seed_ids.dataset)][:3]
    info = _completed_job(api, labeler, seed_ids.dataset, images)
    assert isinstance(info, LabelingJobInfo)
    for name, seed_value in SEED_JOB_INFO.items():
        ours = getattr(info, name)
        if name in ("labeling_queue_id", "entities"):  # no queues in the sandbox; jobs.info carries entities
            continue
        assert type(ours) is type(seed_value), f"{name}: {ours!r} vs seed {seed_value!r}"
    assert info.status == "completed" and info.images_range == (1, 5)
    assert (info.images_count, info.accepted_images_count, info.rejected_images_count) == (3, 1, 1)
    assert {e["id"]: e["reviewStatus"] for e in info.entities} == {
        images[0]: "accepted", images[1]: "rejected", images[2]: "done"
    }
    assert all(set(e) == {"reviewStatus", "id", "name"} for e in info.entities)


def test_raw_job_json_keys_follow_info_sequence(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="raw", dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    raw = api.post("jobs.info", {ApiField.ID: job.id}).json()
    top_level = []
    for item in LabelingJobApi.info_sequence():
        key = item if isinstance(item, str) else (item[0][0] if item[0] else None)
        if key and key not in top_level:
            top_level.append(key)
    assert [k for k in raw if k in top_level] == top_level  # every key, in the SDK's order
    assert set(raw["meta"]) >= {"classes", "projectTags", "range", "imageFiguresLimit", "imageTagsLimit", "imageTags"}


def test_statuses_are_the_sdks(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="statuses", dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    for status in LabelingJobApi.Status:
        api.labeling_job.set_status(job.id, status.value)
        assert api.labeling_job.get_status(job.id) is status


def test_stats_have_the_seeds_shape(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    images = [i.id for i in api.image.get_list(seed_ids.dataset)][:2]
    job = api.labeling_job.create(
        name="stats", dataset_id=seed_ids.dataset, user_ids=[labeler.id], images_ids=images,
        classes_to_label=["kiwi", "lemon"], tags_to_label=["size", "origin"],
    )[0]
    stats = api.labeling_job.get_stats(job.id)
    assert set(stats) == {"job", "classes", "images"}
    assert set(stats["job"]) == SEED_STATS_JOB_KEYS
    by_kind = {("parentId" in t): t for t in stats["job"]["tagsStats"]}
    assert set(by_kind[False]) == SEED_TAG_STAT_KEYS and set(by_kind[True]) == SEED_TAG_VALUE_STAT_KEYS
    assert [t["name"] for t in stats["job"]["tagsStats"]] == [
        "origin", "size", "size (small)", "size (medium)", "size (large)"
    ]
    assert all(set(c) == SEED_CLASS_STAT_KEYS for c in stats["classes"])
    assert set(stats["images"]) == {"total", "images"} and stats["images"]["total"] == 2
    assert all(set(i) == SEED_IMAGE_STAT_KEYS for i in stats["images"]["images"])
    # counts come from the labels those two images have now (other tests may have relabeled them)
    objects = [o for i in images for o in api.annotation.download(i).annotation["objects"]]
    tagged = lambda name: sum(any(t["name"] == name for t in o["tags"]) for o in objects)  # noqa: E731
    assert sum(c["labelsCount"] for c in stats["classes"]) == len(objects)
    origin = stats["job"]["tagsStats"][0]
    assert origin["figures"] == tagged("origin") and origin["images"] == 0  # origin sits on objects, not images
    sizes = [t["figures"] for t in stats["job"]["tagsStats"] if t["name"].startswith("size (")]
    assert sum(sizes) == tagged("size") == stats["job"]["tagsStats"][1]["figures"]


def test_restart_answers_the_seeds_list_of_dicts(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    images = [i.id for i in api.image.get_list(seed_ids.dataset)][:2]
    job = api.labeling_job.create(name="Annotation Job", dataset_id=seed_ids.dataset, user_ids=[labeler.id],
                                  images_ids=images)[0]
    api.labeling_job.reject_annotations(job.id, mode="all")
    restarted = api.labeling_job.restart(job.id)
    assert isinstance(restarted, list) and len(restarted) == 1
    assert set(restarted[0]) == SEED_RESTART_KEYS
    assert restarted[0]["type"] == "annotation" and restarted[0]["userId"] == labeler.id
    assert restarted[0]["name"] == "Annotation Job (#2)"  # as the seed's example names its restart
    assert api.labeling_job.get_status(job.id) is LabelingJobApi.Status.COMPLETED
