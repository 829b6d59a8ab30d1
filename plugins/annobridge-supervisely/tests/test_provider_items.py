"""Items (images) on the Supervisely sandbox: list by job, dataset and project; get; upload paths and bytes; remove."""

from __future__ import annotations

import io

import pytest

from annobridge.errors import NotFound, ValidationError
from annobridge.models import JobSpec, ReviewStatus

from .provider_support import unique


def _png(width: int, height: int, shade: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (shade, 200, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_dataset_and_project_listings_hold_every_seeded_image(sv, world):
    in_dataset = list(sv.items.list(dataset_id=world.dataset_id))
    assert len(in_dataset) == 6 and len({i.id for i in in_dataset}) == 6
    assert {i.id for i in sv.items.list(project_id=world.project_id)} == {i.id for i in in_dataset}
    first = in_dataset[0]
    assert first.width and first.height and first.name.endswith((".jpeg", ".jpg"))
    assert (first.dataset_id, first.project_id) == (world.dataset_id, world.project_id)


def test_a_jobs_items_carry_their_review_status_in_the_jobs_order(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(
            name=unique("items"),
            project_id=world.project_id,
            annotators=world.labelers[:1],
            item_ids=world.image_ids[:4],
        )
    )
    try:
        sv.reviews.set(job.id, world.image_ids[2], ReviewStatus.REJECTED)
        items = list(sv.items.list(job_id=job.id))
        assert [i.id for i in items] == [e.id for e in sv.jobs.get(job.id).entities]
        assert {i.id: i.review_status for i in items}[world.image_ids[2]] is ReviewStatus.REJECTED
        assert sum(i.review_status is ReviewStatus.NONE for i in items) == 3
    finally:
        sv.jobs.delete(job.id)


def test_get_and_not_found(sv, world):
    item = sv.items.get(world.image_ids[0])
    assert item.id == world.image_ids[0] and item.dataset_id == world.dataset_id
    with pytest.raises(NotFound, match="image 987654321"):
        sv.items.get(987654321)
    with pytest.raises(NotFound):
        list(sv.items.list(dataset_id=987654321))


def test_upload_paths_and_bytes_in_order_then_remove(sv, fresh_project, tmp_path):
    (tmp_path / "a.png").write_bytes(_png(30, 20, 10))
    ids = sv.items.add(
        fresh_project.id,
        [tmp_path / "a.png", {"bytes": _png(8, 6, 99), "name": "b.png", "meta": {"source": "test"}}],
    )
    got = [sv.items.get(i) for i in ids]
    assert [(g.name, g.width, g.height) for g in got] == [("a.png", 30, 20), ("b.png", 8, 6)]
    assert got[1].meta["image"] == {"source": "test"}
    dataset = got[0].dataset_id
    assert len(list(sv.items.list(dataset_id=dataset))) == 8
    sv.items.delete(ids)
    assert len(list(sv.items.list(dataset_id=dataset))) == 6
    with pytest.raises(NotFound):
        sv.items.get(ids[0])


def test_uploads_go_to_a_new_ds0_of_an_empty_project(sv):
    project = sv.projects.create(unique("empty"))
    try:
        (item,) = sv.items.add(project.id, [{"bytes": _png(4, 4, 1), "name": "only.png"}])
        (dataset,) = sv.api.dataset.get_list(project.id)
        assert dataset.name == "ds0" and sv.items.get(item).dataset_id == dataset.id
    finally:
        sv.projects.delete(project.id)


def test_a_dataset_of_another_project_is_refused(sv, world, fresh_project):
    with pytest.raises(ValidationError, match=f"no dataset {world.dataset_id} in project"):
        sv.items.add(fresh_project.id, [{"bytes": _png(4, 4, 1), "name": "x.png"}], dataset_id=world.dataset_id)
