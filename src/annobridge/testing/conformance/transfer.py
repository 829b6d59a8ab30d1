"""Conformance of transfer, the migration's bulk API: count, read, fetch media, write, present, find, preview."""

from __future__ import annotations

import contextlib

import pytest

from ...capabilities import Capability
from ...errors import NotFound
from ...transfer import Record, Written
from .base import IMAGE_SIZE, SAMPLE_SCHEMA, ConformanceBase, authors_of, needs, objects_of, tiny_png, unique

__all__ = ["TransferTests"]


class TransferTests(ConformanceBase):
    """Items with their media and annotations read from one project and written to another, never twice."""

    @pytest.fixture
    def target(self, backend):
        made = backend.projects.create(unique("conformance-target"), schema=SAMPLE_SCHEMA)
        yield made
        with contextlib.suppress(NotFound):
            backend.projects.delete(made.id)

    @pytest.fixture
    def records(self, annotation_for, author) -> list[Record]:
        """Three items from elsewhere (keys "src-0".."src-2"), each with its bytes and one annotation by `author`."""
        width, height = IMAGE_SIZE
        return [
            Record(key=f"src-{n}", name=f"carried-{n}.png", width=width, height=height,
                   annotations=[annotation_for(None, author, n)], media=tiny_png(width, height, (n * 80, 90, 30)))
            for n in range(3)
        ]

    @needs(Capability.ITEMS)
    @needs(Capability.ANNOTATIONS)
    def test_count_and_read_give_every_item_once(self, backend, project, item_ids, annotation_for, author):
        backend.annotations.write(project.id, [annotation_for(item_ids[0], author)])
        assert backend.transfer.count(project.id) == len(item_ids)
        pages = list(backend.transfer.read(project.id, batch_size=2))
        assert all(len(page.records) <= 2 for page in pages)
        records = [r for page in pages for r in page.records]
        assert sorted(r.key for r in records) == sorted(str(i) for i in item_ids)
        held = {r.key: r for r in records}
        assert objects_of(held[str(item_ids[0])].annotations) == objects_of([annotation_for(item_ids[0], author)])
        assert held[str(item_ids[0])].authors() == {author}
        skipped = [r.key for page in backend.transfer.read(project.id, skip=[str(item_ids[0])]) for r in page.records]
        assert sorted(skipped) == sorted(str(i) for i in item_ids[1:])

    @needs(Capability.ITEMS)
    @needs(Capability.ANNOTATIONS)
    def test_fetch_media_fills_the_records_bytes(self, backend, project):
        records = [r for page in backend.transfer.read(project.id) for r in page.records]
        backend.transfer.fetch_media(project.id, records)
        assert all(r.media for r in records)

    @needs(Capability.ITEMS)
    @needs(Capability.ANNOTATIONS)
    def test_write_then_present_find_and_read_back(self, backend, target, records, author):
        written = backend.transfer.write(target.id, records, schema=SAMPLE_SCHEMA)
        assert isinstance(written, Written) and set(written.ids) == {r.key for r in records}
        assert written.annotations == len(records)
        assert written.annotations_on_target == {r.key: 1 for r in records}
        assert {k: str(v) for k, v in backend.transfer.present(target.id).items()} == {
            k: str(v) for k, v in written.ids.items()}
        assert backend.transfer.find(target.id, ["src-1", "no-such-key"]) == {"src-1": written.ids["src-1"]}
        assert backend.transfer.find(target.id, []) == {}
        assert backend.transfer.count(target.id) == len(records)
        back = {str(r.key): r for page in backend.transfer.read(target.id) for r in page.records}
        by_id = {str(v): k for k, v in written.ids.items()}
        assert {by_id[k] for k in back} == {r.key for r in records}
        for key, record in back.items():
            original = next(r for r in records if r.key == by_id[key])
            assert objects_of(record.annotations) == objects_of(original.annotations)
            assert authors_of(record.annotations) == {author}

    @needs(Capability.ITEMS)
    @needs(Capability.ANNOTATIONS)
    def test_a_rewrite_of_items_present_makes_no_duplicates(self, backend, target, records):
        first = backend.transfer.write(target.id, records[:2], schema=SAMPLE_SCHEMA)
        found = backend.transfer.find(target.id, [r.key for r in records])
        assert set(found) == {"src-0", "src-1"}
        again = backend.transfer.write(target.id, records, schema=SAMPLE_SCHEMA, existing=found)
        assert {k: again.ids[k] for k in first.ids} == first.ids
        assert backend.transfer.count(target.id) == len(records)
        assert sorted(backend.transfer.present(target.id)) == [r.key for r in records]
        assert again.annotations_on_target == {r.key: 1 for r in records}

    @needs(Capability.ITEMS)
    @needs(Capability.ANNOTATIONS)
    def test_preview_converts_without_writing(self, backend, target, records):
        preview = backend.transfer.preview(records, schema=SAMPLE_SCHEMA)
        assert isinstance(preview, Written) and preview.annotations == len(records)
        assert preview.report.lossless, str(preview.report)
        assert backend.transfer.count(target.id) == 0
