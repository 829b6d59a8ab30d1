"""Conformance of items: list, get, add, delete, select with an ItemFilter, and download their media."""

from __future__ import annotations

import pytest

from ...capabilities import Capability
from ...errors import NotFound, ValidationError
from ...models import ItemFilter, ReviewStatus
from .base import ConformanceBase, assert_unsupported, lacks, needs

__all__ = ["ItemTests"]


def _ids(items) -> list[str]:
    return sorted(str(i.id) for i in items)


class ItemTests(ConformanceBase):
    """A new project's items, through `backend.items`."""

    @needs(Capability.ITEMS)
    def test_list_and_get_agree(self, backend, project, item_ids):
        listed = {str(i.id): i for i in backend.items.list(project_id=project.id)}
        assert sorted(listed) == sorted(str(i) for i in item_ids)
        names = [i.name for i in listed.values()]
        assert all(names) and len(set(names)) == len(names)
        for item_id in item_ids:
            got = backend.items.get(item_id)
            assert (str(got.id), got.name) == (str(item_id), listed[str(item_id)].name)

    @needs(Capability.ITEMS)
    def test_get_unknown_item_is_not_found(self, backend):
        with pytest.raises(NotFound):
            backend.items.get(987654321)

    @needs(Capability.ITEMS)
    def test_add_returns_new_ids_in_order(self, backend, project, item_ids, project_item_payloads):
        added = backend.items.add(project.id, project_item_payloads[3:4])
        assert len(added) == 1 and str(added[0]) not in {str(i) for i in item_ids}
        assert _ids(backend.items.list(project_id=project.id)) == sorted([*map(str, item_ids), str(added[0])])
        assert backend.items.add(project.id, []) == []

    @needs(Capability.ITEMS)
    def test_delete_removes_only_those(self, backend, project, item_ids):
        backend.items.delete([item_ids[0]])
        assert _ids(backend.items.list(project_id=project.id)) == sorted(str(i) for i in item_ids[1:])
        with pytest.raises(NotFound):
            backend.items.get(item_ids[0])
        backend.items.delete([])
        assert len(_ids(backend.items.list(project_id=project.id))) == len(item_ids) - 1

    @needs(Capability.ITEMS)
    def test_select_by_name(self, backend, project, item_ids):
        wanted = backend.items.get(item_ids[1])
        chosen = backend.items.select(project_id=project.id, where=ItemFilter(name_contains=wanted.name))
        assert _ids(chosen) == [str(wanted.id)]
        assert _ids(backend.items.select(project_id=project.id)) == sorted(str(i) for i in item_ids)

    @needs(Capability.ITEMS)
    @needs(Capability.ANNOTATIONS)
    def test_select_annotated_or_not(self, backend, project, item_ids, annotation_for, author):
        backend.annotations.write(project.id, [annotation_for(item_ids[0], author)])
        done = backend.items.select(project_id=project.id, where=ItemFilter(annotated=True))
        assert _ids(done) == [str(item_ids[0])]
        left = backend.items.select(project_id=project.id, where=ItemFilter(annotated=False))
        assert _ids(left) == sorted(str(i) for i in item_ids[1:])

    @needs(Capability.REVIEWS)
    def test_select_by_review_status_in_a_job(self, backend, job):
        first = backend.reviews.list(job.id)[0].id
        backend.reviews.set(job.id, first, ReviewStatus.ACCEPTED)
        chosen = backend.items.select(job_id=job.id, where=ItemFilter(review_status=ReviewStatus.ACCEPTED))
        assert _ids(chosen) == [str(first)]

    @needs(Capability.ITEMS)
    def test_download_writes_the_media_inside_the_directory(self, backend, project, item_ids, tmp_path):
        directory = tmp_path / "media"
        paths = backend.items.download(project_id=project.id, directory=directory)
        assert len(paths) == len(item_ids) == len(set(paths))
        for path in paths:
            assert path.resolve().is_relative_to(directory.resolve())
            assert path.stat().st_size > 0
        one = backend.items.download(project_id=project.id, directory=tmp_path / "one", item_ids=item_ids[:1])
        assert len(one) == 1 and one[0].read_bytes() in {p.read_bytes() for p in paths}

    @needs(Capability.ITEMS)
    def test_download_into_a_file_is_refused_before_anything_is_fetched(self, backend, project, tmp_path):
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory")
        with pytest.raises(ValidationError, match="a-file"):
            backend.items.download(project_id=project.id, directory=blocker)
        assert blocker.read_text() == "not a directory"

    @lacks(Capability.ITEMS)
    def test_without_items_listing_them_is_unsupported(self, backend):
        assert_unsupported(backend, Capability.ITEMS, lambda: list(backend.items.list(project_id=1)))
