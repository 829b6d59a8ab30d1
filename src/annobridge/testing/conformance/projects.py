"""Conformance of projects: create, get, list, find by name, free names, delete, and the label schema's round trip."""

from __future__ import annotations

import contextlib

import pytest

from ...capabilities import Capability
from ...errors import NotFound
from ...fidelity import FidelityReport
from ...schema import LabelSchema, TagSpec  # noqa: F401 - the doctest below uses TagSpec
from .base import SAMPLE_SCHEMA, ConformanceBase, assert_unsupported, lacks, needs, unique

__all__ = ["ProjectTests", "SchemaRoundTripTests", "backend_picks_colors"]


class ProjectTests(ConformanceBase):
    """Projects: made, read, listed, found by name, given free names, removed."""

    @pytest.fixture
    def empty_project(self, backend):
        made = backend.projects.create(unique("conformance-project"), description="made by conformance")
        yield made
        with contextlib.suppress(NotFound):
            backend.projects.delete(made.id)

    @needs(Capability.PROJECTS)
    def test_create_get_and_list_agree(self, backend, empty_project):
        fetched = backend.projects.get(empty_project.id)
        assert (fetched.id, fetched.name) == (empty_project.id, empty_project.name)
        assert fetched.name.startswith("conformance-project-")
        assert empty_project.id in {p.id for p in backend.projects.list()}

    @needs(Capability.PROJECTS)
    def test_find_by_name(self, backend, empty_project):
        assert backend.projects.find(empty_project.name).id == empty_project.id
        assert backend.projects.find(unique("no-such-project")) is None

    @needs(Capability.PROJECTS)
    def test_free_name_is_the_name_unless_a_project_has_it(self, backend, empty_project):
        unused = unique("no-such-project")
        assert backend.projects.free_name(unused) == unused
        free = backend.projects.free_name(empty_project.name)
        assert free != empty_project.name and free.startswith(empty_project.name)
        assert backend.projects.find(free) is None

    @needs(Capability.PROJECTS)
    def test_delete_then_get_is_not_found(self, backend, empty_project):
        backend.projects.delete(empty_project.id)
        with pytest.raises(NotFound):
            backend.projects.get(empty_project.id)
        assert empty_project.id not in {p.id for p in backend.projects.list()}

    @needs(Capability.PROJECTS)
    def test_get_unknown_project_is_not_found(self, backend):
        with pytest.raises(NotFound):
            backend.projects.get(987654321)

    @lacks(Capability.PROJECTS)
    def test_without_projects_listing_them_is_unsupported(self, backend):
        assert_unsupported(backend, Capability.PROJECTS, backend.projects.list)


class SchemaRoundTripTests(ConformanceBase):
    """A label schema written to a project reads back the same."""

    @pytest.fixture
    def schema(self) -> LabelSchema:
        return SAMPLE_SCHEMA

    @needs(Capability.SCHEMA)
    def test_schema_round_trip(self, backend, schema):
        project = backend.projects.create(unique("schema"), schema=schema)
        try:
            assert backend_picks_colors(schema, backend.projects.get_schema(project.id)) == schema
            read, report = backend.projects.schema_report(project.id)
            assert backend_picks_colors(schema, read) == schema
            assert isinstance(report, FidelityReport) and report.lossless, str(report)
        finally:
            backend.projects.delete(project.id)

    @needs(Capability.SCHEMA)
    def test_set_schema_replaces_it(self, backend, schema):
        project = backend.projects.create(unique("schema"))
        try:
            backend.projects.set_schema(project.id, schema)
            assert backend_picks_colors(schema, backend.projects.get_schema(project.id)) == schema
        finally:
            backend.projects.delete(project.id)

    @lacks(Capability.SCHEMA)
    def test_without_schemas_reading_one_is_unsupported(self, backend):
        assert_unsupported(backend, Capability.SCHEMA, lambda: backend.projects.get_schema(1))


def backend_picks_colors(written: LabelSchema, read: LabelSchema) -> LabelSchema:
    """`read` with its colours cleared wherever `written` left them None: None means "the backend picks one".

    Supervisely gives every class, node and tag a colour, so a None cannot read back as None; a colour
    that was given must still read back exactly.

    >>> a = LabelSchema(tags=[TagSpec(name="size")])
    >>> backend_picks_colors(a, LabelSchema(tags=[TagSpec(name="size", color="#FF0000")])) == a
    True
    """
    classes = {c.name: c for c in written.classes}
    tags = {t.name: t for t in written.tags}

    def picked(given, got):
        return got.model_copy(update={"color": None}) if given is not None and given.color is None else got

    def with_nodes(given, got):
        nodes = {n.name: n for n in given.nodes} if given is not None else {}
        return picked(given, got).model_copy(update={"nodes": tuple(picked(nodes.get(n.name), n) for n in got.nodes)})

    return read.model_copy(
        update={
            "classes": tuple(with_nodes(classes.get(c.name), c) for c in read.classes),
            "tags": tuple(picked(tags.get(t.name), t) for t in read.tags),
        }
    )
