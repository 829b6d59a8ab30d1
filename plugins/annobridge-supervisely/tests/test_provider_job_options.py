"""Every Supervisely job option and every neutral JobSpec / JobUpdate field: honoured on the sandbox, or refused first."""

from __future__ import annotations

import pytest

from annobridge.errors import Unsupported, ValidationError
from annobridge.models import JobSpec, JobUpdate
from annobridge_supervisely import SuperviselyJobOptions
from annobridge_supervisely.job_create import EDITABLE, HONOURED

from .provider_support import unique


@pytest.fixture
def made(sv):
    jobs: list = []
    yield jobs
    sv.jobs.delete_many([j.id for j in jobs])


def _spec(world, **changes) -> JobSpec:
    return JobSpec(
        **{"name": unique("opt"), "project_id": world.project_id, "annotators": world.labelers[:1], **changes}
    )


def _meta(sv, job_id) -> dict:
    """The job's meta as the server holds it (jobs.info)."""
    return sv.api.post("jobs.info", {"id": job_id}).json()["meta"]


# option -> (a value, the jobs.info meta key it lands in); dataset_id has its own tests in test_provider_jobs.py
OPTIONS = {
    "dynamic_classes": (True, "dynamicClasses"),
    "dynamic_tags": (True, "dynamicTags"),
    "disable_confirm": (True, "disableConfirm"),
    "disable_submit": (True, "disableSubmit"),
    "enable_quality_check": (True, "enableIntermediateReview"),
    "guide_id": (17, "guide"),
    "allow_restore": (True, "allowRestore"),
    "read_only_tags": (["size"], "readOnlyTags"),
}


def test_every_option_has_a_test():
    assert set(SuperviselyJobOptions.model_fields) == {*OPTIONS, "dataset_id", "toolbox_settings"}


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_each_option_reaches_the_job_and_comes_back_in_its_details(sv, world, made, option):
    value, key = OPTIONS[option]
    made += sv.jobs.create(_spec(world, options=SuperviselyJobOptions(**{option: value})))
    assert _meta(sv, made[0].id)[key] == value
    if option != "allow_restore":  # a create-time choice the job record does not keep as a setting
        assert getattr(sv.jobs.get(made[0].id).options, option) == value
        assert getattr(made[0].options, option) == value


def test_read_only_tags_must_be_the_projects(sv, world):
    with pytest.raises(ValidationError, match=r"options.read_only_tags: \['ripe'\] not in project"):
        sv.jobs.create(_spec(world, options=SuperviselyJobOptions(read_only_tags=["ripe"])))


def test_toolbox_settings_on_an_images_project_are_refused_not_dropped(sv, world):
    before = {j.id for j in sv.jobs.list()}
    with pytest.raises(Unsupported, match="options.toolbox_settings .* supervisely .* video projects; .* images"):
        sv.jobs.create(_spec(world, options=SuperviselyJobOptions(toolbox_settings={"playbackRate": 2})))
    assert {j.id for j in sv.jobs.list()} == before


def test_a_jobs_details_give_the_options_of_a_job_like_it(sv, world, made):
    made += sv.jobs.create(_spec(world, options=SuperviselyJobOptions(dynamic_tags=True, guide_id=3)))
    again = sv.jobs.get(made[0].id).options.options()
    # the SDK sends dynamicClasses false when not asked, so the record reports it
    assert again == SuperviselyJobOptions(dataset_id=world.dataset_id, dynamic_classes=False, dynamic_tags=True, guide_id=3)
    made += sv.jobs.create(_spec(world, options=again))
    assert _meta(sv, made[1].id)["dynamicTags"] is True


@pytest.mark.parametrize("field", sorted(JobSpec.model_fields))
def test_every_neutral_jobspec_field_has_its_place_on_a_labeling_job(field):
    """Each is read back in test_provider_jobs.py (create_maps_every_option, item_range, tag filters, label_schema)."""
    assert field in HONOURED


@pytest.mark.parametrize("field", sorted(JobUpdate.model_fields))
def test_every_neutral_jobupdate_field_is_edited_or_refused(sv, world, made, field):
    made += sv.jobs.create(_spec(world))
    values = {
        "name": unique("renamed"),
        "readme": "manual",
        "description": "round 2",
        "reviewer": world.reviewer,
        "label_schema": sv.projects.get_schema(world.project_id),
        "options": None,  # the annotator: test_provider_jobs.py's update test
    }
    if field == "options":
        assert field in EDITABLE
        return
    changes = JobUpdate(**{field: values[field]})
    if field not in EDITABLE:
        with pytest.raises(Unsupported, match=f"jobs.update of {field} is not supported by supervisely"):
            sv.jobs.update(made[0].id, changes)
        return
    job = sv.jobs.update(made[0].id, changes)
    got = [u.id for u in job.reviewers] if field == "reviewer" else getattr(job, field)
    assert got == ([world.reviewer] if field == "reviewer" else values[field])


def test_a_new_job_reports_what_get_reports(sv, world, made):
    made += sv.jobs.create(_spec(world, options=SuperviselyJobOptions(disable_submit=True)))
    assert made[0].options == sv.jobs.get(made[0].id).options
    assert (made[0].options.dynamic_classes, made[0].options.disable_submit) == (False, True)
