"""What the provider refuses before it sends a request: bad input, unsupported changes, unknown options."""

from __future__ import annotations

import pydantic
import pytest

import annobridge
from annobridge.capabilities import Capability
from annobridge.errors import ConfigurationError, Unsupported, ValidationError
from annobridge.models import JobSpec, JobUpdate, ProviderOptions
from annobridge_supervisely import SuperviselyJobChanges, SuperviselyJobOptions

from .provider_support import connect

URL = "supervisely+http://127.0.0.1:9"


@pytest.fixture
def sv():
    return connect(URL, token="t" * 128, team_id=1, workspace_id=1, retries=0)


def test_the_provider_is_found_by_scheme_and_lists_its_capabilities(sv):
    assert type(annobridge.connect(URL, token="t")).__name__ == "SuperviselyProvider"
    assert sv.supports(Capability.ASSIGNMENTS) and not sv.supports(Capability.STORAGES)


@pytest.mark.parametrize(
    "capability, words",
    [
        (Capability.STORAGES, "Team Files"),
        (Capability.EXPORT_SNAPSHOTS, "no export snapshots"),
        (Capability.PAUSE_ANNOTATORS, "whole labeling job"),
        (Capability.PREDICTIONS, "annotations"),
    ],
)
def test_missing_capabilities_say_why(sv, capability, words):
    with pytest.raises(Unsupported, match=words):
        sv.require(capability)


def test_unknown_options_are_refused():
    with pytest.raises(ConfigurationError, match="teamid"):
        connect(URL, token="t", teamid=3)
    with pytest.raises(ConfigurationError, match="team_id"):
        connect(URL, token="t", team_id="eight")


def test_a_job_needs_an_annotator(sv):
    with pytest.raises(ValidationError, match="annotators"):
        sv.jobs.create(JobSpec(name="x", project_id=1))


class OtherOptions(ProviderOptions):
    provider = "other"

    colour: str = "red"


def test_unknown_job_options_are_named():
    with pytest.raises(pydantic.ValidationError, match="speed"):
        SuperviselyJobOptions(speed=2)


@pytest.mark.parametrize("options", [OtherOptions(), SuperviselyJobChanges(annotator=1)])
def test_another_kind_of_options_is_refused_on_create_naming_both(sv, options):
    name = type(options).__name__
    with pytest.raises(ValidationError, match=rf"options: {name} is for .*supervisely .* takes SuperviselyJobOptions"):
        sv.jobs.create(JobSpec(name="x", project_id=1, annotators=[1], options=options))


@pytest.mark.parametrize("options", [OtherOptions(), SuperviselyJobOptions(dataset_id=3)])
def test_another_kind_of_options_is_refused_on_update_naming_both(sv, options):
    name = type(options).__name__
    with pytest.raises(ValidationError, match=rf"options: {name} is for .* takes SuperviselyJobChanges"):
        sv.jobs.update(1, JobUpdate(description="new", options=options))


def test_custom_data_must_be_json(sv):
    with pytest.raises(ValidationError, match="custom_data"):
        sv.jobs.create(JobSpec(name="x", project_id=1, annotators=[1], custom_data={"when": object()}))


def test_a_schema_alone_cannot_place_a_job(sv):
    from annobridge.testing.conformance import SAMPLE_SCHEMA

    with pytest.raises(ValidationError, match="project_id / options.dataset_id.*supervisely"):
        sv.jobs.create(JobSpec(name="x", label_schema=SAMPLE_SCHEMA, annotators=[1]))


def test_update_of_a_label_schema_is_unsupported_with_a_sentence(sv):
    from annobridge.testing.conformance import SAMPLE_SCHEMA

    with pytest.raises(Unsupported, match="jobs.update of label_schema is not supported by supervisely.*set_schema"):
        sv.jobs.update(1, JobUpdate(description="new", label_schema=SAMPLE_SCHEMA))


def test_a_clone_without_the_images_annotations_is_unsupported(sv):
    with pytest.raises(Unsupported, match=r"with_annotations=False.*same images"):
        sv.jobs.clone(1, with_annotations=False)


def test_annotation_calls_name_their_one_place(sv):
    with pytest.raises(ValidationError, match="exactly one of job_id, project_id"):
        sv.annotations.list()
    with pytest.raises(ValidationError, match="exactly one of job_id, project_id"):
        sv.annotations.list(job_id=1, project_id=2)
    with pytest.raises(ValidationError, match="mode: 'append' or 'replace', not 'merge'"):
        sv.annotations.write(1, [], mode="merge")
    assert sv.annotations.write(1, []).lossless
    sv.annotations.delete([])


def test_download_checks_its_directory_and_its_place_first(sv, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValidationError, match="directory"):
        sv.items.download(job_id=1, directory=tmp_path / "file" / "media")
    with pytest.raises(ValidationError, match="exactly one of job_id, project_id"):
        sv.items.download(directory=tmp_path)


def test_bad_statuses_are_named(sv):
    with pytest.raises(ValidationError, match="'done'"):
        sv.jobs.set_status(1, "done")
    with pytest.raises(ValidationError, match="'soon'"):
        sv.jobs.wait(1, "soon", timeout=0)
    with pytest.raises(ValidationError, match="'fine'"):
        sv.reviews.set(1, 2, "fine")


def test_bad_ids_are_named(sv):
    with pytest.raises(ValidationError, match="job_id: 'first'"):
        sv.jobs.get("first")
    with pytest.raises(ValidationError, match="exactly one of"):
        list(sv.items.list())
    with pytest.raises(ValidationError, match="exactly one of"):
        list(sv.items.list(job_id=1, project_id=2))


def test_unassign_is_unsupported_with_a_sentence(sv):
    with pytest.raises(Unsupported, match="fixed when it is made"):
        sv.assignments.unassign(1, [1])


def test_exports_are_json_only(sv):
    with pytest.raises(ValidationError, match="COCO"):
        sv.exports.create(1, format="COCO")


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"bytes": b"\xff\xd8"}, "name"),
        ({"path": "/nonexistent/a.jpg"}, "is not a file"),
        ({"path": "a", "bytes": b"x", "name": "a.jpg"}, "exactly one of"),
        ({"url": "http://x/a.jpg"}, "exactly one of"),
        (42, "expected a path"),
        ({"bytes": b"x", "name": "a.jpg", "meta": "m"}, "meta"),
    ],
)
def test_item_payloads_are_checked_before_upload(sv, payload, words):
    with pytest.raises(ValidationError, match=words):
        sv.items.add(1, [payload])


def test_duplicate_upload_names_are_refused(sv, tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ValidationError, match="a.jpg"):
        sv.items.add(1, [tmp_path / "a.jpg", {"bytes": b"\xff\xd8", "name": "a.jpg"}])


def test_nothing_to_do_sends_nothing(sv):
    assert sv.items.add(1, []) == []
    sv.items.delete([])
    sv.jobs.delete_many([])
    assert sv.assignments.assign(1, []) == []
