"""Datasets and images as the image tutorials use them: nested trees, recursive lists, tag filters, sort, links."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import supervisely as sly
from requests import HTTPError


def _pixels(seed: int, size=(20, 28)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (*size, 3), dtype=np.uint8)


@pytest.fixture
def project(api, seed_ids, unique):
    """An empty project of the test's own."""
    return api.project.create(seed_ids.workspace, f"dsi {unique}")


@pytest.fixture
def nested(api, project):
    """top (1 image) > child (2 images) > grandchild (1 image), and a sibling top-level dataset (1 image)."""
    top = api.dataset.create(project.id, "top", custom_data={"a": 1})
    child = api.dataset.create(project.id, "child", parent_id=top.id)
    grandchild = api.dataset.create(project.id, "grandchild", parent_id=child.id)
    sibling = api.dataset.create(project.id, "sibling")
    api.image.upload_np(top.id, "t.png", _pixels(1))
    api.image.upload_nps(child.id, ["c1.png", "c2.png"], [_pixels(2), _pixels(3)])
    api.image.upload_np(grandchild.id, "g.png", _pixels(4))
    api.image.upload_np(sibling.id, "s.png", _pixels(5))
    return top, child, grandchild, sibling


def test_dataset_list_sends_custom_data_only_when_asked(api, project, nested):
    top = nested[0]
    listed = api.dataset.get_list(project.id, recursive=True)
    assert len(listed) == 4 and all(info.custom_data is None for info in listed)
    listed = api.dataset.get_list(project.id, recursive=True, include_custom_data=True)
    asked = {info.name: info.custom_data for info in listed}
    assert asked == {"top": {"a": 1}, "child": {}, "grandchild": {}, "sibling": {}}
    assert api.dataset.get_info_by_id(top.id).custom_data == {"a": 1}  # datasets.info always has it


def test_dataset_tree_walks_the_nesting(api, project, nested):
    walked = [(path, info.name) for path, info in api.dataset.tree(project.id)]
    expected = [([], "top"), (["top"], "child"), (["top", "child"], "grandchild"), ([], "sibling")]
    assert sorted(walked) == sorted(expected)
    branch = [(path, info.name) for path, info in api.dataset.tree(project.id, dataset_id=nested[1].id)]
    assert branch == [(["top"], "child"), (["top", "child"], "grandchild")]


def test_recursive_image_list_includes_nested_datasets(api, nested):
    top, child, grandchild, sibling = nested
    assert [i.name for i in api.image.get_list(top.id)] == ["t.png"]
    assert sorted(i.name for i in api.image.get_list(top.id, recursive=True)) == ["c1.png", "c2.png", "g.png", "t.png"]
    assert sorted(i.name for i in api.image.get_list(child.id, recursive=True)) == ["c1.png", "c2.png", "g.png"]
    deep = api.image.get_list(top.id, recursive=True, sort="name", sort_order="desc")
    assert [(i.name, i.dataset_id) for i in deep] == [
        ("t.png", top.id), ("g.png", grandchild.id), ("c2.png", child.id), ("c1.png", child.id)
    ]
    paged, first = api.image.get_list_all_pages(
        "images.list", {"datasetId": top.id, "recursive": True, "per_page": 3}, return_first_response=True
    )
    assert (first["total"], first["pagesCount"], len(paged)) == (4, 2, 4)
    assert [i.name for i in api.image.get_list(grandchild.id, recursive=True)] == ["g.png"]


def test_images_of_a_removed_dataset_are_gone_with_it(api, project, nested):
    """DatasetApi.remove archives the dataset: its images, and its nested datasets' images, answer as gone."""
    top, child, grandchild, sibling = nested
    kept = api.image.get_list(child.id)[0]
    api.dataset.remove(child.id)
    assert sorted(i.name for i in api.image.get_list(top.id, recursive=True)) == ["t.png"]
    listed = api.image.get_list_all_pages("images.list", {"projectId": project.id})
    assert sorted(i.name for i in listed) == ["s.png", "t.png"]
    assert api.image.get_info_by_id(kept.id) is None
    assert api.image.get_info_by_id(api.image.get_list(sibling.id)[0].id).name == "s.png"


def _object_tag_counts(api, seed_ids) -> dict[int, list[tuple[str, dict]]]:
    """image id -> [(class, {tag name: value})] for every object of the seeded dataset."""
    infos = api.image.get_list(seed_ids.dataset)
    anns = api.annotation.download_batch(seed_ids.dataset, [i.id for i in infos])
    return {
        ann.image_id: [
            (o["classTitle"], {t["name"]: t.get("value") for t in o["tags"]}) for o in ann.annotation["objects"]
        ]
        for ann in anns
    }


def _filtered(api, seed_ids, **data) -> list[int]:
    flt = {"type": "objects_tag", "data": {"from": 1, "to": 9999, "include": True, **data}}
    return sorted(i.id for i in api.image.get_filtered_list(seed_ids.dataset, filters=[flt]))


def test_objects_tag_filter_counts_tagged_objects(api, seed_ids):
    objects = _object_tag_counts(api, seed_ids)
    meta = sly.ProjectMeta.from_json(api.project.get_meta(seed_ids.project))
    size_id, origin_id = meta.get_tag_meta("size").sly_id, meta.get_tag_meta("origin").sly_id
    kiwi_id = meta.get_obj_class("kiwi").sly_id

    def expect(test, low=1, high=9999):
        return sorted(image for image, objs in objects.items() if low <= sum(1 for o in objs if test(o)) <= high)

    large = expect(lambda o: o[1].get("size") == "large")
    assert 0 < len(large) < len(objects)  # the filter must pick a proper subset to mean anything
    assert _filtered(api, seed_ids, tagId=size_id, value="large") == large
    assert _filtered(api, seed_ids, tagId=size_id) == expect(lambda o: "size" in o[1])
    assert _filtered(api, seed_ids, tagId=size_id, value="large", **{"from": 2}) == expect(
        lambda o: o[1].get("size") == "large", low=2
    )
    kiwi_from_nz = expect(lambda o: o[0] == "kiwi" and o[1].get("origin") == "New Zealand")
    assert _filtered(api, seed_ids, tagId=origin_id, value="New Zealand", tagClassId=kiwi_id) == kiwi_from_nz
    not_large = expect(lambda o: o[1].get("size") != "large")
    assert _filtered(api, seed_ids, tagId=size_id, value="large", include=False) == not_large
    assert _filtered(api, seed_ids, tagId=origin_id, value="Atlantis") == []
    with pytest.raises(HTTPError, match="tagId"):
        _filtered(api, seed_ids, tagId=None)


def test_custom_sort_orders_the_list_and_shows_in_meta(api, project):
    dataset = api.dataset.create(project.id, "sorted")
    infos = api.image.upload_nps(dataset.id, ["a.png", "b.png", "c.png"], [_pixels(6), _pixels(7), _pixels(8)])
    api.image.set_custom_sort_bulk([i.id for i in infos], ["3", "1", "2"])
    listed = api.image.get_list(dataset.id, sort="customSort")
    assert [i.name for i in listed] == ["b.png", "c.png", "a.png"]
    assert [i.meta["customSort"] for i in listed] == ["1", "2", "3"]
    api.image.set_custom_sort(infos[0].id, "0")
    descending = api.image.get_list(dataset.id, sort="customSort", sort_order="desc")
    assert [i.name for i in descending] == ["c.png", "b.png", "a.png"]
    assert api.image.get_info_by_id(infos[0].id).meta == {"customSort": "0"}
    api.image.set_custom_sort(infos[0].id, "9")
    with api.image.add_custom_sort(key="rank"):  # the tutorial's way: the sort key comes from meta at upload
        added = api.image.upload_np(dataset.id, "d.png", _pixels(9), meta={"rank": "00"})
    assert added.meta == {"rank": "00", "customSort": "00"}
    assert api.image.get_list(dataset.id, sort="customSort")[0].name == "d.png"
    # a JSON-only filter (meta) pages in Python, and still sorts by customSort
    flt = [{"field": "meta", "operator": "!=", "value": {}}]
    in_python = api.image.get_list(dataset.id, filters=flt, sort="customSort")
    assert [i.name for i in in_python] == ["d.png", "b.png", "c.png", "a.png"]
    with pytest.raises(HTTPError, match="customSort"):
        api.post("images.bulk.set-custom-sort", {"images": [{"id": infos[0].id}]})


@pytest.fixture
def served(tmp_path):
    """A local http.server on 127.0.0.1 serving tmp_path; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_upload_link_fetches_from_127_0_0_1_and_keeps_the_link(api, project, served, tmp_path):
    dataset = api.dataset.create(project.id, "links")
    pixels = _pixels(11, size=(30, 40))
    sly.image.write(str(tmp_path / "one.png"), pixels)
    link = f"{served}/one.png"
    info = api.image.upload_link(dataset.id, "one.png", link, meta={"from": "web"})
    assert (info.link, info.width, info.height, info.mime, info.meta) == (link, 40, 30, "image/png", {"from": "web"})
    assert np.array_equal(api.image.download_np(info.id), pixels)
    assert api.image.get_info_by_id(info.id).link == link
    assert [i.link for i in api.image.get_list(dataset.id)] == [link]

    for k in (1, 2):
        sly.image.write(str(tmp_path / f"m{k}.png"), _pixels(20 + k))
    many = api.image.upload_links(dataset.id, ["m1.png", "m2.png"], [f"{served}/m1.png", f"{served}/m2.png"])
    assert [i.link for i in many] == [f"{served}/m1.png", f"{served}/m2.png"]
    assert np.array_equal(api.image.download_np(many[1].id), _pixels(22))


def test_upload_link_from_own_storage(api, project, seed_ids):
    source = api.image.get_list(seed_ids.dataset)[0]
    dataset = api.dataset.create(project.id, "own")
    info = api.image.upload_link(dataset.id, "copy.jpeg", source.full_storage_url)
    assert (info.link, info.hash) == (source.full_storage_url, source.hash)
    assert (info.width, info.height) == (source.width, source.height)
    assert api.image.download_bytes(dataset.id, [info.id]) == api.image.download_bytes(seed_ids.dataset, [source.id])


def test_upload_link_refuses_other_hosts_and_bad_links(api, project, served):
    dataset = api.dataset.create(project.id, "refused")
    with pytest.raises(HTTPError, match="cannot fetch links from example.com: it fetches only from 127.0.0.1 or its own storage"):
        api.image.upload_link(dataset.id, "x.png", "https://example.com/x.png")
    with pytest.raises(HTTPError, match="cannot fetch link"):
        api.image.upload_link(dataset.id, "y.png", f"{served}/missing.png")
    with pytest.raises(HTTPError, match="not a readable image"):
        api.image.upload_link(dataset.id, "z.png", f"{served}/")  # the directory listing is HTML
    assert api.image.get_list(dataset.id) == []
