"""What the provider refuses before it sends a request: bad input, unsupported changes, unknown options."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import annobridge
from annobridge.capabilities import Capability
from annobridge.errors import ConfigurationError, Unsupported, ValidationError
from annobridge.models import JobSpec, JobUpdate

# isort: split
sys.path.insert(0, str(Path(__file__).parent))
from provider_fixtures import connect  # noqa: E402

# Port 9 (discard) on loopback: any request that slipped through would fail as Unavailable, not pass.
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


def test_unknown_job_options_are_named(sv):
    with pytest.raises(ValidationError, match="speed"):
        sv.jobs.create(JobSpec(name="x", project_id=1, annotators=[1], options={"speed": 2}))


def test_custom_data_must_be_json(sv):
    with pytest.raises(ValidationError, match="custom_data"):
        sv.jobs.create(JobSpec(name="x", project_id=1, annotators=[1], custom_data={"when": object()}))


def test_a_schema_alone_cannot_place_a_job(sv):
    from annobridge.testing.conformance import SAMPLE_SCHEMA

    with pytest.raises(ValidationError, match="project_id / dataset_id"):
        sv.jobs.create(JobSpec(name="x", label_schema=SAMPLE_SCHEMA, annotators=[1]))


def test_update_of_what_editinfo_cannot_change_is_unsupported_with_a_sentence(sv):
    with pytest.raises(Unsupported, match="show_skip_button.*clone the job"):
        sv.jobs.update(1, JobUpdate(description="new", show_skip_button=True))
    with pytest.raises(Unsupported, match="options.priority"):
        sv.jobs.update(1, JobUpdate(options={"priority": 1}))


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
        list(sv.items.list(1, project_id=2))


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
