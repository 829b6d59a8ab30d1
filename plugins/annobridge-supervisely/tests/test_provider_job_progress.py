"""A job's progress on the Supervisely sandbox through the real SDK: native stats, activity, clones, lookup by name."""

from __future__ import annotations

import numpy as np
import pytest
import supervisely as sly

from annobridge.errors import Conflict
from annobridge.models import JobSpec, ReviewStatus, Role
from annobridge_supervisely import SuperviselyJobOptions

from annobridge_sandbox_supervisely import control

from .provider_support import unique


@pytest.fixture
def made(sv):
    jobs: list = []
    yield jobs
    sv.jobs.delete_many([j.id for j in jobs])


def _labels(sv, project_id, image, *classes):
    """A sly.Annotation of `image` with one small square per class name."""
    meta = sly.ProjectMeta.from_json(sv.projects.meta(project_id))
    labels = []
    for n, name in enumerate(classes):
        mask = np.zeros((image.height, image.width), bool)
        mask[10 + 20 * n : 20 + 20 * n, 10:20] = True
        labels.append(sly.Label(sly.Bitmap(mask), meta.get_obj_class(name)))
    return sly.Annotation((image.height, image.width), labels)


@pytest.fixture
def worked(sv, world, fresh_project, made):
    """A job over three fresh images: the labeler draws two lemons on the first and a kiwi on the second and
    submits; the reviewer accepts the first and rejects the second."""
    images = list(sv.items.list(project_id=fresh_project.id))[:3]
    made += sv.jobs.create(
        JobSpec(
            name=unique("progress"),
            project_id=fresh_project.id,
            annotators=world.labelers[:1],
            reviewer=world.reviewer,
            item_ids=[i.id for i in images],
        )
    )
    job = made[0]
    control.start(sv.api, job.id)
    control.annotate(sv.api, job.id, images[0].id, _labels(sv, fresh_project.id, images[0], "lemon", "lemon"), done=True)
    control.annotate(sv.api, job.id, images[1].id, _labels(sv, fresh_project.id, images[1], "kiwi"))
    control.submit(sv.api, job.id)
    control.review(sv.api, job.id, images[0].id, "accepted")
    control.review(sv.api, job.id, images[1].id, "rejected")
    return job, [i.id for i in images]


def test_stats_are_natives_per_status_per_user_and_objects(sv, world, worked):
    job, _ = worked
    stats = sv.jobs.stats(job.id)
    assert (stats.job_id, stats.items, stats.annotated, stats.accepted, stats.rejected) == (job.id, 3, 3, 1, 1)
    assert stats.annotations == 3 and stats.unreviewed == 1, "the labeled objects, from jobs.stats labelsCount"
    annotator, reviewer = stats.users
    assert (annotator.user_id, annotator.role, annotator.items, annotator.annotated) == (
        world.labelers[0],
        Role.ANNOTATOR,
        3,
        3,
    )
    assert (reviewer.user_id, reviewer.login, reviewer.role) == (world.reviewer, "reviewer_1", Role.REVIEWER)
    assert (reviewer.annotated, reviewer.accepted, reviewer.rejected) == (2, 1, 1)


def test_a_fresh_job_has_everything_to_do(sv, world, fresh_project, made):
    made += sv.jobs.create(JobSpec(name=unique("fresh"), project_id=fresh_project.id, annotators=world.labelers[:1]))
    stats = sv.jobs.stats(made[0].id)
    assert (stats.items, stats.annotated, stats.annotations, stats.unreviewed) == (6, 0, 0, 6)
    assert [u.role for u in stats.users] == [Role.ANNOTATOR, Role.REVIEWER], "the reviewer defaults to the creator"


def test_activity_is_who_did_what_to_which_item_oldest_first(sv, world, worked):
    job, images = worked
    events = sv.jobs.activity(job.id)
    assert [e.at for e in events] == sorted(e.at for e in events)
    drawn = [e for e in events if e.action == "create_figure"]
    assert [(e.item_id, e.login, e.user_id) for e in drawn] == [
        (images[0], "labeler_1", world.labelers[0]),
        (images[0], "labeler_1", world.labelers[0]),
        (images[1], "labeler_1", world.labelers[0]),
    ]
    assert {e.detail for e in drawn} == {"class lemon", "class kiwi"}
    verdicts = [(e.item_id, e.login, e.detail) for e in events if e.action == "image_review_status_updated"]
    assert verdicts[-2:] == [(images[0], "reviewer_1", "review accepted"), (images[1], "reviewer_1", "review rejected")]
    assert len(sv.api.labeling_job.get_activity(job.options.team_id, job.id)) == len(events), "the SDK's own count"


def test_a_job_nobody_touched_has_no_activity(sv, world, made):
    made += sv.jobs.create(JobSpec(name=unique("quiet"), project_id=world.project_id, annotators=world.labelers[:1]))
    assert sv.jobs.activity(made[0].id) == []


@pytest.mark.parametrize("with_annotations", [None, True])
def test_a_clone_labels_the_same_images_with_their_annotations(sv, world, worked, made, with_annotations):
    job, images = worked
    copies = sv.jobs.clone(job.id, name=unique("copy"), with_annotations=with_annotations)
    made += copies
    (copy,) = copies
    assert [e.id for e in sv.jobs.get(copy.id).entities] == [e.id for e in sv.jobs.get(job.id).entities]
    theirs = {a.item: a.objects for a in sv.annotations.list(job_id=copy.id)}
    assert theirs == {a.item: a.objects for a in sv.annotations.list(job_id=job.id)} and len(theirs[images[0]]) == 2
    assert all(e.review_status is ReviewStatus.NONE for e in sv.jobs.get(copy.id).entities), "verdicts start over"


def test_a_clone_keeps_the_settings_the_sdks_clone_leaves_out(sv, world, made):
    options = SuperviselyJobOptions(dynamic_classes=True, dynamic_tags=True, guide_id=5, disable_confirm=True)
    made += sv.jobs.create(
        JobSpec(name=unique("settings"), project_id=world.project_id, annotators=world.labelers[:1], options=options)
    )
    made += sv.jobs.clone(made[0].id, assignees=world.labelers[1:3], reviewer="reviewer_1")
    for copy in made[1:]:
        details = sv.jobs.get(copy.id).options
        assert (details.dynamic_classes, details.dynamic_tags, details.guide_id, details.disable_confirm) == (
            True,
            True,
            5,
            True,
        )
        assert copy.name.startswith(made[0].name) and copy.reviewers[0].login == "reviewer_1"


def test_projects_and_jobs_are_found_by_name(sv, world, made):
    assert sv.projects.find("Lemons (Test)").id == world.project_id
    assert sv.projects.find(unique("no such project")) is None
    assert sv.projects.free_name("Lemons (Test)") == "Lemons (Test)_001"
    name = unique("named")
    assert sv.jobs.find(name) is None and sv.jobs.free_name(name, project_id=world.project_id) == name
    made += sv.jobs.create(JobSpec(name=name, project_id=world.project_id, annotators=world.labelers[:1]))
    assert sv.jobs.find(name, project_id=world.project_id).id == made[0].id
    assert sv.jobs.free_name(name) == f"{name}_001"
    assert sv.jobs.find(name, project_id=987654) is None
    made += sv.jobs.create(JobSpec(name=name, project_id=world.project_id, annotators=world.labelers[:1]))
    with pytest.raises(Conflict, match=rf"2 jobs are named '{name}'"):
        sv.jobs.find(name)
