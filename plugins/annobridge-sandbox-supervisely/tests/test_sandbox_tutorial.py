"""The Labeling Jobs tutorial (seed 003), step by step through the real SDK, on a fresh sandbox.

Ids are the tutorial's: team 8, workspace 349, project 5555, dataset 10555, images
3882697..3882702, labelers 101 and 102, jobs 1 and 2.
"""

from __future__ import annotations

import supervisely as sly

TEAM_ID, PROJECT_ID, USER_LOGIN = 8, 5555, "admin"

# the tutorial's entities of job 1, in its printed order
JOB1_ENTITIES = [
    (3882702, "IMG_8144.jpeg"),
    (3882697, "IMG_4451.jpeg"),
    (3882698, "IMG_3861.jpeg"),
    (3882700, "IMG_2084.jpeg"),
    (3882701, "IMG_1836.jpeg"),
    (3882699, "IMG_0748.jpeg"),
]
JOB2_ENTITIES = [(3882697, "IMG_4451.jpeg"), (3882698, "IMG_3861.jpeg"), (3882699, "IMG_0748.jpeg")]


def test_the_labeling_jobs_tutorial(fresh_sandbox, make_api):
    api = make_api(fresh_sandbox)

    # Step 1: create labelers (admin) and add them to the team as annotators
    labeler_1 = api.user.get_info_by_login(login="labeler_1")
    assert labeler_1 is None
    labeler_1 = api.user.create(login="labeler_1", password="11111abc", is_restricted=True)
    labeler_2 = api.user.get_info_by_login(login="labeler_2") or api.user.create(
        login="labeler_2", password="22222abc", is_restricted=True
    )
    assert (labeler_1.id, labeler_2.id) == (101, 102)
    for labeler in (labeler_1, labeler_2):
        assert api.user.get_team_role(labeler.id, TEAM_ID) is None
        api.user.add_to_team(labeler.id, TEAM_ID, api.role.DefaultRole.ANNOTATOR)
    role = api.user.get_team_role(labeler_1.id, TEAM_ID)
    assert (role.id, role.role_id, role.role) == (TEAM_ID, 3, "annotator")

    # Step 2: project meta and datasets
    project_meta = sly.ProjectMeta.from_json(api.project.get_meta(PROJECT_ID))
    kiwi, lemon = project_meta.get_obj_class("kiwi"), project_meta.get_obj_class("lemon")
    assert (kiwi.geometry_type, kiwi.color) == (sly.Bitmap, [208, 2, 27])
    assert (lemon.geometry_type, lemon.color) == (sly.Bitmap, [80, 227, 194])
    assert [t.name for t in project_meta.tag_metas] == ["origin", "size"]
    size = project_meta.get_tag_meta("size")
    assert size.value_type == "oneof_string" and size.possible_values == ["small", "medium", "large"]
    assert size.applicable_to == "objectsOnly" and size.applicable_classes == ["kiwi", "lemon"]
    assert project_meta.get_tag_meta("origin").value_type == "any_string"
    api.project.update_meta(PROJECT_ID, project_meta)  # prepare_project(): idempotent
    datasets = api.dataset.get_list(PROJECT_ID)
    assert [(d.id, d.name, d.project_id, d.images_count, d.description) for d in datasets] == [
        (10555, "ds1", 5555, 6, "")
    ]
    assert isinstance(datasets[0].size, str) and int(datasets[0].size) > 0  # a string, as the tutorial prints

    # Step 3: a job for labeler 1 with the class lemon
    created_jobs = api.labeling_job.create(
        name="labeler1_lemons_task",
        dataset_id=datasets[0].id,
        user_ids=[labeler_1.id],
        readme="annotation manual for fruits in markdown format here (optional)",
        description="short description is here (optional)",
        classes_to_label=["lemon"],
    )
    job1 = created_jobs[0]
    assert isinstance(job1, sly.api.labeling_job_api.LabelingJobInfo)
    assert (job1.id, job1.name, job1.team_id, job1.workspace_id, job1.workspace_name) == (
        1, "labeler1_lemons_task", 8, 349, "Testing Workspace"
    )
    assert (job1.project_id, job1.project_name, job1.dataset_id, job1.dataset_name) == (5555, "Lemons (Test)", 10555, "ds1")
    assert (job1.created_by_id, job1.created_by_login, job1.assigned_to_id, job1.assigned_to_login) == (
        7, USER_LOGIN, 101, "labeler_1"
    )
    assert (job1.started_at, job1.finished_at, job1.status, job1.disabled) == (None, None, "pending", False)
    assert (job1.images_count, job1.finished_images_count, job1.rejected_images_count, job1.accepted_images_count) == (
        6, 0, 0, 0
    )
    assert job1.classes_to_label == ["lemon"] and job1.tags_to_label == []
    assert job1.images_range == (None, None)
    assert (job1.objects_limit_per_image, job1.tags_limit_per_image) == (None, None)
    assert job1.filter_images_by_tags == [] and job1.include_images_with_tags == [] == job1.exclude_images_with_tags
    assert [(e["id"], e["name"], e["reviewStatus"]) for e in job1.entities] == [
        (i, n, "none") for i, n in JOB1_ENTITIES
    ]

    # stop it: unavailable to the labeler
    api.labeling_job.stop(job1.id)

    # a job for labeler 2: kiwi, tags, limits, half the images
    dataset_images_ids = [info.id for info in api.image.get_list(dataset_id=datasets[0].id)]
    selected_images_ids = dataset_images_ids[: len(dataset_images_ids) // 2]
    job2 = api.labeling_job.create(
        name="labeler2_kiwi_task_with_complex_settings",
        dataset_id=datasets[0].id,
        user_ids=[labeler_2.id],
        readme="annotation manual for fruits in markdown format here (optional)",
        description="short description is here (optional)",
        classes_to_label=["kiwi"],
        objects_limit_per_image=10,
        tags_to_label=["size", "origin"],
        tags_limit_per_image=20,
        images_ids=selected_images_ids,
    )[0]
    assert (job2.id, job2.assigned_to_id, job2.assigned_to_login, job2.images_count) == (2, 102, "labeler_2", 3)
    assert job2.classes_to_label == ["kiwi"] and job2.tags_to_label == ["size", "origin"]
    assert (job2.objects_limit_per_image, job2.tags_limit_per_image) == (10, 20)
    assert [(e["id"], e["name"]) for e in job2.entities] == JOB2_ENTITIES

    # all jobs of the team, then the filters of the tutorial
    jobs = api.labeling_job.get_list(TEAM_ID)
    assert [j.id for j in jobs] == [1, 2]
    assert all(j.entities is None for j in jobs)  # jobs.list leaves entities out; jobs.info has them
    with_entities = api.labeling_job.get_list(TEAM_ID, with_entities=True)
    assert [len(j.entities) for j in with_entities] == [6, 3]
    user = api.user.get_info_by_login(USER_LOGIN)
    assert [j.id for j in api.labeling_job.get_list(TEAM_ID, created_by_id=user.id)] == [1, 2]
    both = api.labeling_job.get_list(TEAM_ID, created_by_id=user.id, assigned_to_id=labeler_2.id)
    assert [j.id for j in both] == [2]

    # statuses
    jobs = api.labeling_job.get_list(TEAM_ID)
    assert api.labeling_job.get_status(jobs[-2].id) is api.labeling_job.Status.STOPPED
    assert api.labeling_job.get_status(jobs[-1].id) is api.labeling_job.Status.PENDING
    api.labeling_job.set_status(id=jobs[-1].id, status="completed")
    assert api.labeling_job.get_status(jobs[-1].id) is api.labeling_job.Status.COMPLETED
    api.labeling_job.wait(jobs[-1].id, target_status=api.labeling_job.Status.COMPLETED, wait_attempts=1)

    # archive: hidden from the active list, still readable
    api.labeling_job.archive(jobs[0].id)
    assert [j.id for j in api.labeling_job.get_list(TEAM_ID)] == [2]
    assert [j.id for j in api.labeling_job.get_list(TEAM_ID, show_disabled=True)] == [1, 2]
    assert api.labeling_job.get_info_by_id(jobs[0].id).disabled is True

    # remove one, then several
    extra = api.labeling_job.create(name="extra", dataset_id=datasets[0].id, user_ids=[labeler_1.id, labeler_2.id])
    assert [j.id for j in extra] == [3, 4]
    api.labeling_job.remove(2)
    assert api.labeling_job.get_info_by_id(2) is None
    api.labeling_job.remove_batch([1, 3, 4])
    assert api.labeling_job.get_list(TEAM_ID, show_disabled=True) == []
