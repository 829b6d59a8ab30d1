"""Project names on the Supervisely sandbox: a blank or over-long name is refused before anything is made."""

from __future__ import annotations

import re

import pytest
import requests

from annobridge.errors import AnnobridgeError, ValidationError
from annobridge.schema import LabelSchema, ObjectClass

from .provider_support import unique

SCHEMA = LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle")])


def _count(sandbox) -> int:
    """Projects not removed (a removed project is archived: its row stays, as on a real instance)."""
    from annobridge_sandbox_supervisely.archive import live_projects

    return len(live_projects(sandbox.store))


@pytest.mark.parametrize(
    "name, says",
    [
        ("", "a non-blank name is needed"),
        ("   \t ", "a non-blank name is needed"),
        ("x" * 256, "has 256 characters; projects on supervisely"),
        ("line\nbreak", "holds a control character"),
    ],
)
def test_a_name_supervisely_refuses_makes_nothing(sv, sandbox, name, says):
    before, asked = _count(sandbox), sandbox.calls["projects.add"]
    with pytest.raises(ValidationError) as refused:
        sv.projects.create(name, schema=SCHEMA)
    message = str(refused.value)
    assert says in message and "\n" not in message
    assert sandbox.calls["projects.add"] == asked  # refused before the server was asked
    assert _count(sandbox) == before
    assert all(p.name for p in sv.projects.list())  # every project still parses


def test_the_name_is_checked_before_any_request(sv, sandbox):
    asked = sum(sandbox.calls.values())
    with pytest.raises(ValidationError):
        sv.projects.create(" ")
    assert sum(sandbox.calls.values()) == asked


def test_the_longest_name_is_kept_and_surrounding_blanks_are_stripped(sv, sandbox):
    longest = unique("L" * 246)  # 255 characters
    assert len(longest) == 255
    project = sv.projects.create(longest)
    try:
        assert sv.projects.get(project.id).name == longest
    finally:
        sv.projects.delete(project.id)
    padded = sv.projects.create(f"  {unique('padded')}  ")
    try:
        assert padded.name == padded.name.strip() and sv.projects.get(padded.id).name == padded.name
    finally:
        sv.projects.delete(padded.id)


def test_the_sandbox_refuses_what_supervisely_refuses(api, seed_ids, sandbox):
    """Straight through the SDK, as a real instance answers: 400 with {"error", "details"}; nothing stored."""
    before = _count(sandbox)
    for name, says in (("", "is not allowed to be empty"), ("  ", "is not allowed to be empty"),
                       ("x" * 256, "less than or equal to 255")):
        with pytest.raises(requests.HTTPError) as refused:
            api.project.create(seed_ids.workspace, name)
        assert refused.value.response.status_code == 400
        body = refused.value.response.json()
        assert says in body["error"] and body["details"]["field"] == "name"
    project = api.project.create(seed_ids.workspace, "renamed later")
    try:
        with pytest.raises(requests.HTTPError, match="400"):
            api.project.update(project.id, name=" ")
        assert api.project.get_info_by_id(project.id).name == "renamed later"
    finally:
        api.project.remove(project.id)
    assert _count(sandbox) == before


def test_a_create_that_fails_after_the_project_is_made_removes_it(sv, sandbox, monkeypatch):
    """The project is made, then the server refuses its meta: the project goes again before the error is raised."""
    import annobridge_supervisely.projects as projects

    refused_meta = {"tags": [{"name": "size", "value_type": "oneof_string"}]}  # no "values": refused
    monkeypatch.setattr(projects, "_meta_json", lambda schema: refused_meta)
    before, added = _count(sandbox), sandbox.calls["projects.add"]
    with pytest.raises(AnnobridgeError, match="values"):
        sv.projects.create(unique("half made"), schema=SCHEMA)
    assert sandbox.calls["projects.add"] == added + 1  # it was made ...
    assert _count(sandbox) == before  # ... and is gone again


def test_a_name_taken_in_the_workspace_is_a_conflict_and_makes_nothing(sv):
    from annobridge.errors import Conflict

    taken = sv.projects.list()[0]
    before = len(sv.projects.list())
    with pytest.raises(Conflict, match=rf"has a project named {re.escape(repr(taken.name))} already \(id {taken.id}\)"):
        sv.projects.create(taken.name)
    assert len(sv.projects.list()) == before
