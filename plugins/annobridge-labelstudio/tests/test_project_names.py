"""Project names on the real Label Studio server: what it would refuse, or keep blank as "project N", is refused first."""

from __future__ import annotations

import uuid

import httpx
import pytest

from annobridge.errors import ValidationError
from annobridge.schema import LabelSchema, ObjectClass

SCHEMA = LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle")])


def _api(server, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/{path}", headers={"Authorization": f"Token {server.token}"}, **kwargs)


def _count(server) -> int:
    return _api(server, "GET", "projects/", params={"page_size": 1}).json()["count"]


def test_the_server_keeps_a_blank_title_and_refuses_a_long_one(server):
    """What the checks are for, measured on the server itself (Label Studio 1.23: titles of 3 to 50 characters)."""
    blank = _api(server, "POST", "projects/", json={"title": "   "})
    assert blank.status_code == 201 and blank.json()["title"] == ""  # listed as "project N" afterwards
    _api(server, "DELETE", f"projects/{blank.json()['id']}/")
    long = _api(server, "POST", "projects/", json={"title": "x" * 51})
    assert long.status_code == 400
    assert long.json()["validation_errors"]["title"] == ["Ensure this field has no more than 50 characters."]


@pytest.mark.parametrize(
    "name, says",
    [
        ("", "a non-blank name is needed"),
        ("    ", "a non-blank name is needed"),
        ("x" * 51, "has 51 characters; projects on labelstudio"),
        ("  ab  ", "3 to 50 characters, got 'ab' (2)"),  # the server trims it to 'ab'
        ("tab\there", "holds a control character"),
    ],
)
def test_a_name_label_studio_refuses_makes_nothing(backend, server, name, says):
    before = _count(server)
    with pytest.raises(ValidationError) as refused:
        backend.projects.create(name, schema=SCHEMA)
    message = str(refused.value)
    assert says in message and "\n" not in message
    assert _count(server) == before


def test_the_longest_title_is_kept_stripped(backend):
    name = f"{'L' * 41}-{uuid.uuid4().hex[:8]}"
    assert len(name) == 50
    project = backend.projects.create(f"  {name}  ", schema=SCHEMA)
    try:
        assert project.name == name and backend.projects.get(project.id).name == name
    finally:
        backend.projects.delete(project.id)


def test_a_create_that_fails_after_the_project_is_made_removes_it(backend, server, monkeypatch):
    before = _count(server)

    def unreadable(project_id):
        raise ValidationError(f"project {project_id} could not be read back")

    monkeypatch.setattr(backend.projects, "get", unreadable)
    with pytest.raises(ValidationError, match="could not be read back"):
        backend.projects.create(f"half made {uuid.uuid4().hex[:8]}", schema=SCHEMA)
    assert _count(server) == before
