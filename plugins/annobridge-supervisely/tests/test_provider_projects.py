"""Projects on the Supervisely sandbox: list, get, create with a LabelSchema, read and replace the schema, delete."""

from __future__ import annotations

import pytest

from annobridge.errors import NotFound
from annobridge.schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType

from .provider_support import unique

SCHEMA = LabelSchema(
    classes=(
        ObjectClass(name="lemon", shape=ShapeKind.RECTANGLE, color="#FFD700"),
        ObjectClass(name="kiwi", shape=ShapeKind.POLYGON, color="#8B4513"),
    ),
    tags=(
        TagSpec(
            name="size",
            value_type=TagValueType.ONEOF_STRING,
            values=("small", "large"),
            applies_to=TagTarget.OBJECTS_ONLY,
            classes=("lemon",),
            color="#00FF00",
        ),
    ),
)


def test_the_seeded_project_is_listed_with_its_schema(sv, world):
    lemons = sv.projects.get(world.project_id)
    assert lemons.name == "Lemons (Test)" and lemons.items_count == 6
    assert lemons.workspace_id == world.workspace_id and lemons.options.team_id == world.team_id
    assert lemons.url.endswith(f"/projects/{world.project_id}/datasets")
    assert world.project_id in {p.id for p in sv.projects.list()}
    schema = sv.projects.get_schema(world.project_id)
    assert {(c.name, c.shape) for c in schema.classes} == {("kiwi", ShapeKind.MASK), ("lemon", ShapeKind.MASK)}
    assert {t.name: t.value_type for t in schema.tags} == {
        "size": TagValueType.ONEOF_STRING,
        "origin": TagValueType.ANY_STRING,
    }


def test_create_with_schema_round_trips_then_delete(sv):
    project = sv.projects.create(unique("schema"), schema=SCHEMA, description="made by a test")
    try:
        assert sv.projects.get(project.id).description == "made by a test"
        assert sv.projects.get_schema(project.id) == SCHEMA
    finally:
        sv.projects.delete(project.id)
    with pytest.raises(NotFound, match=f"project {project.id}"):
        sv.projects.get(project.id)


def test_set_schema_replaces_the_meta(sv):
    project = sv.projects.create(unique("replace"))
    try:
        assert sv.projects.get_schema(project.id) == LabelSchema()
        assert sv.projects.set_schema(project.id, SCHEMA) == SCHEMA
        smaller = LabelSchema(classes=SCHEMA.classes[:1])
        assert sv.projects.set_schema(project.id, smaller) == smaller
    finally:
        sv.projects.delete(project.id)


def test_missing_projects_are_not_found(sv):
    for call in (sv.projects.get, sv.projects.get_schema, sv.projects.delete):
        with pytest.raises(NotFound, match="project 987654321"):
            call(987654321)


def test_a_video_schema_makes_a_video_project_and_reads_back_as_one(sv, api):
    schema = LabelSchema(media="video", classes=[ObjectClass(name="car", shape="rectangle", color="#FF0000")],
                         tags=[TagSpec(name="weather", value_type="oneof_string", values=["rain", "sun"])])
    project = sv.projects.create(unique("clips"), schema=schema)
    try:
        assert api.project.get_info_by_id(int(project.id)).type == "videos"  # Supervisely's own word
        got = sv.projects.get_schema(project.id)  # Supervisely gives the tag a colour of its own
        assert got.model_copy(update={"tags": tuple(t.model_copy(update={"color": None}) for t in got.tags)}) == schema
    finally:
        sv.projects.delete(project.id)
    image_project = sv.projects.create(unique("stills"), schema=LabelSchema(classes=schema.classes))
    try:
        assert api.project.get_info_by_id(int(image_project.id)).type == "images"
        assert sv.projects.get_schema(image_project.id).media.value == "image"
    finally:
        sv.projects.delete(image_project.id)
