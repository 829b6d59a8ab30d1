"""Neutral jobs on the Supervisely sandbox through the real SDK: every create option, filters, lifecycle, removal."""

from __future__ import annotations

import threading

import pytest

from annobridge.errors import NotFound, Unsupported, ValidationError
from annobridge.models import JobSpec, JobStatus, JobUpdate, ReviewStatus
from annobridge_supervisely import SuperviselyJobChanges, SuperviselyJobDetails, SuperviselyJobOptions

from .provider_support import unique


@pytest.fixture
def made(sv):
    """Jobs a test creates (append them); removed after the test."""
    jobs: list = []
    yield jobs
    sv.jobs.delete_many([j.id for j in jobs])


def _spec(world, **changes) -> JobSpec:
    return JobSpec(
        **{"name": unique("job"), "project_id": world.project_id, "annotators": world.labelers[:1], **changes}
    )


def test_create_maps_every_option(sv, world, made):
    spec = _spec(
        world,
        reviewer=world.reviewer,
        readme="annotation manual for fruits",
        description="short description",
        classes_to_label=["kiwi"],
        tags_to_label=["size", "origin"],
        objects_limit_per_item=10,
        tags_limit_per_item=20,
        item_ids=world.image_ids[:3],
        custom_data={"batch": 7},
        options=SuperviselyJobOptions(dynamic_classes=True, dynamic_tags=True, disable_submit=False),
    )
    (job,) = sv.jobs.create(spec)
    made.append(job)
    got = sv.jobs.get(job.id)
    assert got.name == spec.name and got.status is JobStatus.PENDING and not got.archived
    assert (got.readme, got.description) == (spec.readme, spec.description)
    assert (got.classes_to_label, got.tags_to_label) == (["kiwi"], ["size", "origin"])
    assert (got.objects_limit_per_item, got.tags_limit_per_item) == (10, 20)
    assert [u.id for u in got.assignees] == world.labelers[:1] and [u.id for u in got.reviewers] == [world.reviewer]
    assert isinstance(got.options, SuperviselyJobDetails) and got.options == job.options
    assert (got.project_id, got.options.dataset_id, got.options.team_id) == (
        world.project_id,
        world.dataset_id,
        world.team_id,
    )
    assert (got.options.dynamic_classes, got.options.dynamic_tags, got.options.disable_submit) == (True, True, False)
    assert got.options.dataset_name == "ds1" and got.options.workspace_id == world.workspace_id
    assert sorted(e.id for e in got.entities) == sorted(world.image_ids[:3]) and got.items_count == 3
    assert all(e.review_status is ReviewStatus.NONE for e in got.entities)
    assert got.custom_data == {"batch": 7} == job.custom_data


def test_item_range_and_tag_filters_are_recorded(sv, world, made):
    made += sv.jobs.create(_spec(world, item_range=(1, 4)))
    assert sv.jobs.get(made[0].id).item_range == (1, 4)
    made += sv.jobs.create(_spec(world, exclude_items_with_tags=["size"]))
    assert sv.jobs.get(made[1].id).exclude_items_with_tags == ["size"]


def test_k_annotators_give_k_jobs_sharing_the_items(sv, world, made):
    spec = _spec(world, annotators=world.labelers)
    made += sv.jobs.create(spec)
    assert [j.assignees[0].id for j in made] == world.labelers
    assert all(j.name.startswith(spec.name) for j in made)
    shares = [{e.id for e in j.entities} for j in made]
    assert set().union(*shares) == set(world.image_ids) and sum(map(len, shares)) == len(world.image_ids)


def test_annotators_may_be_logins(sv, world, made):
    made += sv.jobs.create(_spec(world, annotators=["labeler_2"], reviewer="reviewer_1"))
    assert made[0].assignees[0].login == "labeler_2" and made[0].reviewers[0].id == world.reviewer


def test_a_dataset_alone_places_the_job(sv, world, made):
    schema = sv.projects.get_schema(world.project_id)
    options = SuperviselyJobOptions(dataset_id=world.dataset_id)
    made += sv.jobs.create(_spec(world, project_id=None, label_schema=schema, options=options))
    assert made[0].project_id == world.project_id and made[0].options.dataset_id == world.dataset_id


def test_non_members_are_named_and_nothing_is_made(sv, world):
    before = {j.id for j in sv.jobs.list()}
    with pytest.raises(ValidationError, match=rf"\['{world.stranger} \(stranger\)'\] is not a member"):
        sv.jobs.create(_spec(world, annotators=[world.labelers[0], world.stranger]))
    with pytest.raises(ValidationError, match="nobody"):
        sv.jobs.create(_spec(world, reviewer="nobody"))
    assert {j.id for j in sv.jobs.list()} == before


def test_unknown_classes_and_tags_are_named(sv, world):
    with pytest.raises(ValidationError, match=r"classes_to_label: \['banana'\]"):
        sv.jobs.create(_spec(world, classes_to_label=["banana"]))
    with pytest.raises(ValidationError, match=r"include_items_with_tags: \['ripe'\]"):
        sv.jobs.create(_spec(world, include_items_with_tags=["ripe"]))


def test_a_label_schema_must_be_the_projects_and_fills_classes_to_label(sv, world, made):
    from annobridge.schema import LabelSchema, ObjectClass

    made += sv.jobs.create(_spec(world, label_schema=LabelSchema(classes=[ObjectClass(name="lemon", shape="mask")])))
    assert made[0].classes_to_label == ["lemon"]
    with pytest.raises(ValidationError, match="label_schema.classes"):
        sv.jobs.create(_spec(world, label_schema=LabelSchema(classes=[ObjectClass(name="pear", shape="mask")])))


def test_a_project_with_two_datasets_needs_a_dataset(sv, world, fresh_project, made):
    second = sv.api.dataset.create(fresh_project.id, "second")
    with pytest.raises(ValidationError, match="2 datasets"):
        sv.jobs.create(_spec(world, project_id=fresh_project.id))
    with pytest.raises(ValidationError, match="options.dataset_id: dataset .* belongs to project"):
        sv.jobs.create(_spec(world, project_id=fresh_project.id, options=SuperviselyJobOptions(dataset_id=world.dataset_id)))
    first = next(d for d in sv.api.dataset.get_list(fresh_project.id) if d.id != second.id)
    made += sv.jobs.create(_spec(world, project_id=fresh_project.id, options=SuperviselyJobOptions(dataset_id=first.id)))
    assert made[0].options.dataset_id == first.id


def test_list_filters(sv, world, made):
    made += sv.jobs.create(_spec(world, annotators=world.labelers[:2]))
    ids = {j.id for j in made}
    assert ids <= {j.id for j in sv.jobs.list(project_id=world.project_id, dataset_id=world.dataset_id)}
    assert ids <= {j.id for j in sv.jobs.list(created_by=world.admin_id)}
    mine = sv.jobs.list(assigned_to=world.labelers[1])
    assert all(j.assignees[0].id == world.labelers[1] for j in mine) and made[1].id in {j.id for j in mine}
    assert {j.id for j in sv.jobs.list(assigned_to="labeler_2")} == {j.id for j in mine}
    assert not ids & {j.id for j in sv.jobs.list(project_id=987654)}


def test_archive_hides_the_job_unless_asked(sv, world, made):
    made += sv.jobs.create(_spec(world))
    sv.jobs.archive(made[0].id)
    assert sv.jobs.get(made[0].id).archived
    assert made[0].id not in {j.id for j in sv.jobs.list()}
    assert made[0].id in {j.id for j in sv.jobs.list(include_archived=True) if j.archived}


@pytest.mark.parametrize("as_given", [lambda s: s, lambda s: s.value])
def test_set_status_and_status_take_enum_or_string(sv, world, made, as_given):
    made += sv.jobs.create(_spec(world))
    for status in (JobStatus.IN_PROGRESS, JobStatus.ON_REVIEW):
        sv.jobs.set_status(made[0].id, as_given(status))
        assert sv.jobs.status(made[0].id) is status
    sv.jobs.stop(made[0].id)
    assert sv.jobs.get(made[0].id).status is JobStatus.STOPPED
    sv.jobs.set_status(made[0].id, as_given(JobStatus.COMPLETED))
    assert sv.jobs.status(made[0].id) is JobStatus.COMPLETED


@pytest.mark.parametrize("target", [JobStatus.ON_REVIEW, "on_review", "sdk"])
def test_wait_sees_a_change_made_meanwhile(sv, world, made, target):
    if target == "sdk":
        target = sv.api.labeling_job.Status.ON_REVIEW
    made += sv.jobs.create(_spec(world))
    changed = threading.Event()

    def labeler_submits():
        changed.wait()
        sv.jobs.set_status(made[0].id, "on_review")

    thread = threading.Thread(target=labeler_submits)
    thread.start()
    try:
        changed.set()
        job = sv.jobs.wait(made[0].id, target, timeout=30, poll_interval=0.05)
    finally:
        thread.join()
    assert job.status is JobStatus.ON_REVIEW


def test_wait_times_out_naming_both_statuses(sv, world, made):
    made += sv.jobs.create(_spec(world))
    with pytest.raises(TimeoutError, match="pending, not completed"):
        sv.jobs.wait(made[0].id, "completed", timeout=0.1, poll_interval=0.05)


def test_custom_data_updates_or_replaces(sv, world, made):
    made += sv.jobs.create(_spec(world, custom_data={"a": 1}))
    sv.jobs.set_custom_data(made[0].id, {"b": {"c": [1, 2]}})
    assert sv.jobs.get_custom_data(made[0].id) == {"a": 1, "b": {"c": [1, 2]}}
    sv.jobs.set_custom_data(made[0].id, {"z": None}, replace=True)
    assert sv.jobs.get(made[0].id).custom_data == {"z": None}
    with pytest.raises(NotFound):
        sv.jobs.set_custom_data(987654321, {"a": 1})


def test_update_edits_names_texts_and_people(sv, world, made):
    made += sv.jobs.create(_spec(world))
    job = sv.jobs.update(
        made[0].id,
        JobUpdate(
            name="renamed",
            readme="new manual",
            description="second round",
            reviewer="reviewer_1",
            options=SuperviselyJobChanges(annotator=world.labelers[2]),
        ),
    )
    assert (job.name, job.readme, job.description) == ("renamed", "new manual", "second round")
    assert [u.id for u in job.assignees] == [world.labelers[2]] and [u.id for u in job.reviewers] == [world.reviewer]
    assert sv.jobs.update(made[0].id, JobUpdate()).name == "renamed"
    with pytest.raises(Unsupported, match="label_schema"):
        sv.jobs.update(made[0].id, JobUpdate(label_schema=sv.projects.get_schema(world.project_id)))
    with pytest.raises(NotFound, match="labeling job 987654321"):
        sv.jobs.update(987654321, JobUpdate(description="x"))
    with pytest.raises(ValidationError, match="options.annotator: .* is not a member"):
        sv.jobs.update(made[0].id, JobUpdate(options=SuperviselyJobChanges(annotator=world.stranger)))
    with pytest.raises(ValidationError, match="reviewer: .* is not a member"):
        sv.jobs.update(made[0].id, JobUpdate(reviewer=world.stranger))
    assert [u.id for u in sv.jobs.get(made[0].id).assignees] == [world.labelers[2]], "a refused change changes nothing"


def test_clone_copies_items_and_settings_for_new_people(sv, world, made):
    made += sv.jobs.create(_spec(world, item_ids=world.image_ids[:2], classes_to_label=["lemon"]))
    made += sv.jobs.clone(made[0].id, name=unique("clone"), assignees=world.labelers[1:3], reviewer=world.reviewer)
    original, *copies = made
    assert len(copies) == 2 and {c.assignees[0].id for c in copies} == set(world.labelers[1:3])
    got = [sv.jobs.get(copy.id) for copy in copies]
    assert sorted(e.id for g in got for e in g.entities) == sorted(world.image_ids[:2]), "the labelers share the items"
    assert all(g.classes_to_label == ["lemon"] and g.reviewers[0].id == world.reviewer for g in got)


def test_restart_makes_a_job_over_the_rejected_items(sv, world, made):
    made += sv.jobs.create(_spec(world, item_ids=world.image_ids[:3], reviewer=world.reviewer))
    job = made[0]
    sv.jobs.set_status(job.id, "on_review")
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    sv.reviews.set(job.id, world.image_ids[1], ReviewStatus.REJECTED)
    again = sv.jobs.restart(job.id, name=unique("again"))
    made += again
    assert len(again) == 1 and [e.id for e in again[0].entities] == [world.image_ids[1]]
    assert again[0].assignees[0].id == world.labelers[0]


def test_delete_one_and_many(sv, world, made):
    jobs = sv.jobs.create(_spec(world, annotators=world.labelers))
    sv.jobs.delete(jobs[0].id)
    with pytest.raises(NotFound, match=f"labeling job {jobs[0].id}"):
        sv.jobs.get(jobs[0].id)
    sv.jobs.delete_many([j.id for j in jobs[1:]])
    assert not {j.id for j in jobs} & {j.id for j in sv.jobs.list(include_archived=True)}


def test_the_jobs_schema_is_its_classes_and_tags(sv, world, made):
    made += sv.jobs.create(_spec(world, classes_to_label=["kiwi"], tags_to_label=["size"]))
    schema = sv.jobs.label_schema(made[0].id)
    assert [c.name for c in schema.classes] == ["kiwi"] and [t.name for t in schema.tags] == ["size"]
