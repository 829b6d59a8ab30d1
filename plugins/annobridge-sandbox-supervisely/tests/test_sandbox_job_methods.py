"""The rest of seed 000's LabelingJobApi methods: activity, paging helpers (sync, cursor, async), names, JSON."""

from __future__ import annotations

import asyncio

import pandas as pd
import supervisely as sly
from supervisely.api.labeling_job_api import LabelingJobApi

from annobridge_sandbox_supervisely import control

ACTIVITY_KEYS = [
    "userId", "action", "date", "user", "projectId", "project", "datasetId", "dataset", "imageId", "image",
    "classId", "class", "figureId", "job", "jobId", "tag", "tagId", "meta",
]


def test_get_activity_lists_the_jobs_events(api, labelers, seed_ids, unique):
    labeler, _ = labelers(2)
    project = api.project.create(seed_ids.workspace, f"activity {unique}")
    meta = api.project.update_meta(project.id, api.project.get_meta(seed_ids.project))
    dataset = api.dataset.create(project.id, "ds")
    seeded = api.image.get_list(seed_ids.dataset)[:2]
    images = api.image.upload_ids(dataset.id, [i.name for i in seeded], [i.id for i in seeded])
    job = api.labeling_job.create(name="watched", dataset_id=dataset.id, user_ids=[labeler.id])[0]
    mask = sly.Bitmap(__import__("numpy").ones((5, 5), bool), origin=sly.PointLocation(10, 10))
    label = sly.Label(mask, meta.get_obj_class("lemon"), tags=[sly.Tag(meta.get_tag_meta("origin"), "Italy")])
    control.annotate(api, job.id, images[0].id, sly.Annotation((images[0].height, images[0].width), [label]))
    control.submit(api, job.id)
    control.review(api, job.id, images[0].id, "accepted")

    frame = api.labeling_job.get_activity(seed_ids.team, job.id)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ACTIVITY_KEYS
    assert set(frame["jobId"]) == {job.id} and set(frame["job"]) == {"watched"}
    assert list(frame["action"]).count("create_figure") == 1 and list(frame["action"]).count("attach_tag") == 1
    figure = frame[frame["action"] == "create_figure"].iloc[0]
    assert (figure["user"], figure["class"], figure["image"]) == (labeler.login, "lemon", images[0].name)
    reviews = api.team.get_activity(seed_ids.team, filter_job_id=job.id, review_status="accepted", labeler_id=labeler.id)
    assert [(e["action"], e["imageId"], e["meta"]["reviewStatus"]) for e in reviews] == [
        ("image_review_status_updated", images[0].id, "accepted")
    ]
    created = api.team.get_activity(seed_ids.team, filter_project_id=project.id, filter_actions=["create_image"])
    assert sorted(e["imageId"] for e in created) == sorted(i.id for i in images)
    dates = [e["date"] for e in api.team.get_activity(seed_ids.team, filter_project_id=project.id)]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert api.team.get_activity(seed_ids.team, filter_job_id=job.id, start_date="2999-01-01T00:00:00Z") == []


def test_paging_helpers_cursor_and_async(api, labelers, seed_ids, unique):
    (labeler,) = labelers(1)
    project = api.project.create(seed_ids.workspace, f"paging {unique}")
    dataset = api.dataset.create(project.id, "ds")
    api.image.upload_ids(dataset.id, ["a.jpeg", "b.jpeg"], [i.id for i in api.image.get_list(seed_ids.dataset)[:2]])
    made = [api.labeling_job.create(name=f"j{k}", dataset_id=dataset.id, user_ids=[labeler.id])[0].id for k in range(3)]
    data = {"teamId": seed_ids.team, "filter": [{"field": "projectId", "operator": "=", "value": project.id}]}

    batches = list(api.labeling_job.get_list_all_pages_generator(
        "jobs.list", {**data, "pagination_mode": "token", "per_page": 2}))
    assert [[j.id for j in batch] for batch in batches] == [made[:2], made[2:]]

    async def pages():
        count, first = await api.labeling_job.get_list_idx_page_async("jobs.list", {**data, "per_page": 2, "page": 1})
        collected = [j.id async for batch in api.labeling_job.get_list_page_generator_async(
            "jobs.list", {**data, "per_page": 1}) for j in batch]
        return count, [j.id for j in first], collected

    count, first, collected = asyncio.run(pages())
    assert (count, first, collected) == (2, made[:2], made)


def test_names_and_json(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="named", dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    assert LabelingJobApi.info_tuple_name() == "LabelingJobInfo"
    assert LabelingJobApi.info_sequence()[:3] == ["id", "name", "readme"]
    as_json = LabelingJobApi.convert_info_to_json(job)
    assert as_json["id"] == job.id and as_json["labelerLogin"] == labeler.login
    assert as_json["meta"] == {"guide": None}  # the SDK's nested update keeps only the last meta.* field
    assert api.labeling_job.raise_for_status(api.labeling_job.get_status(job.id)) is None  # no error status exists


def test_names_by_lookup_follow_the_sdks_get_list_signature(api, labelers, seed_ids):
    """An SDK trait: ModuleApi.get_info_by_name calls get_list(team_id, filters), and LabelingJobApi.get_list
    takes `filters` as created_by_id, so exists() never finds a job and get_free_name() keeps the name."""
    (labeler,) = labelers(1)
    api.labeling_job.create(name="findable", dataset_id=seed_ids.dataset, user_ids=[labeler.id])
    assert api.labeling_job.exists(seed_ids.team, "findable") is False
    assert api.labeling_job.get_free_name(seed_ids.team, "findable") == "findable"
    found = [j for j in api.labeling_job.get_list(seed_ids.team) if j.name == "findable"]
    assert len(found) == 1  # the way to look a job up by name
