"""Inventory calls of `api.image`: each answered ImageApi method called through the SDK, its answer checked."""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from .inventory_support import World, call

# ---- setup helpers ------------------------------------------------------------------------------------------------

def _pixels(seed: int, height: int = 18, width: int = 26) -> np.ndarray:
    """A random RGB picture, the same for the same seed."""
    return np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _dataset(w: World):
    """A new empty dataset in a new project of its own."""
    project = w.api.project.create(w.seed["workspace"], w.unique("img"))
    return w.api.dataset.create(project.id, "ds")


def _with_images(w: World, count: int, seed: int = 0):
    """(dataset, infos, arrays): a new dataset holding `count` PNG images im0.png..."""
    ds = _dataset(w)
    arrays = [_pixels(seed + k) for k in range(count)]
    infos = w.api.image.upload_nps(ds.id, [f"im{k}.png" for k in range(count)], arrays)
    return ds, infos, arrays


def _files(arrays: list[np.ndarray], names: list[str] | None = None) -> tuple[str, list[str]]:
    """(folder, paths): the arrays written as PNG files into a new temporary folder."""
    folder = tempfile.mkdtemp(prefix="inv-img-")
    paths = []
    for k, array in enumerate(arrays):
        path = os.path.join(folder, names[k] if names else f"f{k}.png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Path(path).write_bytes(_png(array))
        paths.append(path)
    return folder, paths


def _read(path: str) -> np.ndarray:
    with Image.open(path) as img:
        return np.array(img.convert("RGB"))


def _same(left: np.ndarray, right: np.ndarray) -> bool:
    return left.shape == right.shape and bool((left == right).all())


def _tag_meta(w: World, project_id: int, name: str, value_type=None):
    """Add an image tag meta to the project and return it as the server knows it (with its id)."""
    import supervisely as sly

    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project_id))
    meta = meta.add_tag_meta(sly.TagMeta(name, value_type or sly.TagValueType.ANY_STRING))
    w.api.project.update_meta(project_id, meta)
    return sly.ProjectMeta.from_json(w.api.project.get_meta(project_id)).get_tag_meta(name)


def _check_version_first(w: World) -> None:
    """The SDK asks instance.version on an Api's first error answer: let that happen before a call expecting one."""
    w.api.image.get_info_by_id(10**9)


def _tags(w: World, image_id: int) -> dict[int, object]:
    return {t["tagId"]: t.get("value") for t in w.api.image.get_info_by_id(image_id).tags}


# ---- listing and info ---------------------------------------------------------------------------------------------

@call("image.get_list")
def _get_list(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)
    nested = w.api.dataset.create(ds.project_id, "inner", parent_id=ds.id)
    w.api.image.upload_np(nested.id, "deep.png", _pixels(9))
    with w.sent():
        flat = w.api.image.get_list(ds.id)
        deep = w.api.image.get_list(ds.id, recursive=True)
        desc = w.api.image.get_list(ds.id, sort="name", sort_order="desc", limit=2)
    assert [i.name for i in flat] == ["im0.png", "im1.png", "im2.png"]
    assert sorted(i.name for i in deep) == ["deep.png", "im0.png", "im1.png", "im2.png"]
    assert [i.name for i in desc] == ["im2.png", "im1.png"]


@call("image.get_list_generator")
def _get_list_generator(w: World) -> None:
    ds, infos, _ = _with_images(w, 5)
    with w.sent():
        batches = list(w.api.image.get_list_generator(ds.id, batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [i.id for b in batches for i in b] == [i.id for i in infos]


@call("image.get_list_generator_async")
def _get_list_generator_async(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)

    async def collect():
        return [i async for batch in w.api.image.get_list_generator_async(ds.id, per_page=2) for i in batch]

    with w.sent():
        listed = asyncio.run(collect())
    assert sorted(i.id for i in listed) == sorted(i.id for i in infos)


@call("image.get_filtered_list")
def _get_filtered_list(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)
    w.api.image.rename(infos[1].id, "Lemon_2008.png")
    with w.sent():
        found = w.api.image.get_filtered_list(ds.id, filters=[{"type": "images_filename", "data": {"value": "2008"}}])
        everything = w.api.image.get_filtered_list(ds.id)
    assert [i.id for i in found] == [infos[1].id]
    assert len(everything) == 3


@call("image.get_info_by_id")
def _get_info_by_id(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    _check_version_first(w)
    with w.sent():
        info = w.api.image.get_info_by_id(infos[0].id)
        missing = w.api.image.get_info_by_id(10**9)
    assert (info.name, info.dataset_id, info.width, info.height, info.mime) == ("im0.png", ds.id, 26, 18, "image/png")
    assert info.project_id == ds.project_id and missing is None


@call("image.get_info_by_id_batch")
def _get_info_by_id_batch(w: World) -> None:
    ds, infos, _ = _with_images(w, 4)
    wanted = [infos[3].id, infos[0].id]
    with w.sent():
        batch = w.api.image.get_info_by_id_batch(wanted)
    assert [i.id for i in batch] == wanted and [i.name for i in batch] == ["im3.png", "im0.png"]


@call("image.get_info_by_name")
def _get_info_by_name(w: World) -> None:
    ds, infos, _ = _with_images(w, 2)
    with w.sent():
        info = w.api.image.get_info_by_name(ds.id, "im1.png")
        none = w.api.image.get_info_by_name(ds.id, "nope.png")
    assert info.id == infos[1].id and none is None


@call("image.exists")
def _exists(w: World) -> None:
    ds, _, _ = _with_images(w, 1)
    with w.sent():
        there, absent = w.api.image.exists(ds.id, "im0.png"), w.api.image.exists(ds.id, "im9.png")
    assert there is True and absent is False


@call("image.get_free_name")
def _get_free_name(w: World) -> None:
    ds, _, _ = _with_images(w, 1)
    with w.sent():
        taken, free = w.api.image.get_free_name(ds.id, "im0.png"), w.api.image.get_free_name(ds.id, "new.png")
    assert taken != "im0.png" and taken.endswith(".png") and free == "new.png"


@call("image.get_free_names")
def _get_free_names(w: World) -> None:
    ds, _, _ = _with_images(w, 2)
    with w.sent():
        names = w.api.image.get_free_names(ds.id, ["im0.png", "x.png", "im1.png"])
    assert names[1] == "x.png" and len(set(names)) == 3 and not {"im0.png", "im1.png"} & set(names)


@call("image.raise_name_intersections_if_exist")
def _raise_name_intersections_if_exist(w: World) -> None:
    ds, _, _ = _with_images(w, 1)
    with w.sent():
        w.api.image.raise_name_intersections_if_exist(ds.id, ["fresh.png"])
        try:
            w.api.image.raise_name_intersections_if_exist(ds.id, ["im0.png", "fresh.png"])
        except ValueError as error:
            clash = str(error)
        else:
            clash = ""
    assert "im0.png" in clash


@call("image.get_project_id")
def _get_project_id(w: World) -> None:
    ds, infos, _ = _with_images(w, 1)
    with w.sent():
        project_id = w.api.image.get_project_id(infos[0].id)
    assert project_id == ds.project_id


@call("image.get_subsequent_image_ids")
def _get_subsequent_image_ids(w: World) -> None:
    ds, infos, _ = _with_images(w, 4)
    with w.sent():
        after = w.api.image.get_subsequent_image_ids(infos[1].id, images_count=2, dataset_id=ds.id)
    assert after == [infos[2].id, infos[3].id]  # by name: im2, im3


# ---- edits --------------------------------------------------------------------------------------------------------

@call("image.edit")
def _edit(w: World) -> None:
    ds, infos, _ = _with_images(w, 1)
    with w.sent():
        info = w.api.image.edit(infos[0].id, name="renamed.png", description="a note", meta={"k": 1})
    again = w.api.image.get_info_by_id(infos[0].id)
    assert (info.name, again.name, again.description, again.meta) == ("renamed.png", "renamed.png", "a note", {"k": 1})


@call("image.rename")
def _rename(w: World) -> None:
    ds, infos, _ = _with_images(w, 1)
    with w.sent():
        info = w.api.image.rename(infos[0].id, "other.png")
    assert info.name == "other.png" and w.api.image.get_info_by_name(ds.id, "other.png").id == infos[0].id


@call("image.update_meta")
def _update_meta(w: World) -> None:
    ds, infos, _ = _with_images(w, 1)
    with w.sent():
        answer = w.api.image.update_meta(infos[0].id, {"camera": "left", "n": 2})
    assert answer["meta"] == {"camera": "left", "n": 2}
    assert w.api.image.get_info_by_id(infos[0].id).meta == {"camera": "left", "n": 2}


@call("image.set_custom_sort")
def _set_custom_sort(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)
    for info, key in zip(infos[1:], ["a", "c"]):
        w.api.image.set_custom_sort(info.id, key)
    with w.sent():
        w.api.image.set_custom_sort(infos[0].id, "b")
    ordered = w.api.image.get_list(ds.id, sort="customSort")
    assert [i.id for i in ordered] == [infos[1].id, infos[0].id, infos[2].id]


@call("image.set_custom_sort_bulk")
def _set_custom_sort_bulk(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)
    with w.sent():
        w.api.image.set_custom_sort_bulk([i.id for i in infos], ["3", "1", "2"])
    ordered = w.api.image.get_list(ds.id, sort="customSort")
    assert [i.id for i in ordered] == [infos[1].id, infos[2].id, infos[0].id]


@call("image.set_embeddings_updated_at")
def _set_embeddings_updated_at(w: World) -> None:
    ds, infos, _ = _with_images(w, 2)
    stamp = "2026-01-02T03:04:05.000000Z"
    with w.sent():
        w.api.image.set_embeddings_updated_at([infos[0].id], [stamp])
    stamps = [w.api.image.get_info_by_id(i.id).embeddings_updated_at for i in infos]
    assert stamps == [stamp, None]


def _audio(name: str, mime_type: str | None = None):
    import supervisely as sly

    return sly.AudioReference(url=f"http://127.0.0.1/{name}.mp3", name=name, mime_type=mime_type)


@call("image.add_audio_reference", "image.set_audio_references")
def _audio_references(w: World) -> None:
    ds, infos, _ = _with_images(w, 1)
    first, second = _audio("Operator note", "audio/mpeg"), _audio("Second pass")
    with w.sent():
        w.api.image.set_audio_references(infos[0].id, [first])
        w.api.image.add_audio_reference(infos[0].id, second)
    references = w.api.image.get_audio_references(infos[0].id)
    assert [(r.url, r.name) for r in references] == [(first.url, first.name), (second.url, second.name)]
    assert references[0].mime_type == "audio/mpeg"


@call("image.get_audio_references")
def _get_audio_references(w: World) -> None:
    ds, infos, _ = _with_images(w, 2)
    w.api.image.set_audio_references(infos[0].id, [_audio("note")])
    with w.sent():
        references = w.api.image.get_audio_references(infos[0].id)
        none = w.api.image.get_audio_references(infos[1].id)
    assert [(r.url, r.name) for r in references] == [("http://127.0.0.1/note.mp3", "note")] and none == []


@call("image.remove")
def _remove(w: World) -> None:
    ds, infos, _ = _with_images(w, 2)
    with w.sent():
        w.api.image.remove(infos[0].id)
    assert [i.id for i in w.api.image.get_list(ds.id)] == [infos[1].id]
    assert w.api.image.get_info_by_id(infos[0].id) is None


@call("image.remove_batch")
def _remove_batch(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)
    with w.sent():
        w.api.image.remove_batch([infos[0].id, infos[2].id])
    assert [i.id for i in w.api.image.get_list(ds.id)] == [infos[1].id]


# ---- tags ---------------------------------------------------------------------------------------------------------

@call("image.add_tag")
def _add_tag(w: World) -> None:
    ds, infos, _ = _with_images(w, 2)
    tag = _tag_meta(w, ds.project_id, "weather")
    with w.sent():
        w.api.image.add_tag(infos[0].id, tag.sly_id, value="sunny")
    assert _tags(w, infos[0].id) == {tag.sly_id: "sunny"} and _tags(w, infos[1].id) == {}


@call("image.add_tag_batch")
def _add_tag_batch(w: World) -> None:
    ds, infos, _ = _with_images(w, 3)
    tag = _tag_meta(w, ds.project_id, "checked")
    with w.sent():
        w.api.image.add_tag_batch([infos[0].id, infos[2].id], tag.sly_id, value="yes")
    assert [_tags(w, i.id) for i in infos] == [{tag.sly_id: "yes"}, {}, {tag.sly_id: "yes"}]


@call("image.add_tags_batch")
def _add_tags_batch(w: World) -> None:
    ds, infos, _ = _with_images(w, 2)
    tag = _tag_meta(w, ds.project_id, "shift")
    with w.sent():
        ids = w.api.image.add_tags_batch([i.id for i in infos], tag.sly_id, values=["day", "night"])
    assert len(ids) == 2
    assert [_tags(w, i.id) for i in infos] == [{tag.sly_id: "day"}, {tag.sly_id: "night"}]


@call("image.group_images_for_multiview")
def _group_images_for_multiview(w: World) -> None:
    import supervisely as sly

    ds, infos, _ = _with_images(w, 3)
    with w.sent(), sly.ApiContext(w.api, project_id=ds.project_id):  # the SDK caches the project in the context
        w.api.image.group_images_for_multiview([infos[0].id, infos[1].id], "car-17")
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(ds.project_id, with_settings=True))
    group = meta.get_tag_meta(meta.project_settings.multiview_tag_name)
    assert meta.project_settings.multiview_enabled and group is not None
    assert [_tags(w, i.id) for i in infos] == [{group.sly_id: "car-17"}, {group.sly_id: "car-17"}, {}]


# ---- uploads ------------------------------------------------------------------------------------------------------

@call("image.upload_np")
def _upload_np(w: World) -> None:
    ds, array = _dataset(w), _pixels(11)
    with w.sent():
        info = w.api.image.upload_np(ds.id, "one.png", array, meta={"src": "np"})
    assert (info.name, info.width, info.height, info.meta) == ("one.png", 26, 18, {"src": "np"})
    assert _same(w.api.image.download_np(info.id), array)


@call("image.upload_nps")
def _upload_nps(w: World) -> None:
    ds, arrays = _dataset(w), [_pixels(12), _pixels(13, 10, 12)]
    with w.sent():
        infos = w.api.image.upload_nps(ds.id, ["a.png", "b.png"], arrays)
    assert [(i.name, i.width, i.height) for i in infos] == [("a.png", 26, 18), ("b.png", 12, 10)]
    assert all(_same(w.api.image.download_np(i.id), a) for i, a in zip(infos, arrays))


@call("image.upload_path")
def _upload_path(w: World) -> None:
    ds, array = _dataset(w), _pixels(14)
    _, paths = _files([array])
    with w.sent():
        info = w.api.image.upload_path(ds.id, "p.png", paths[0])
    assert info.name == "p.png" and info.size == os.path.getsize(paths[0])
    assert _same(w.api.image.download_np(info.id), array)


@call("image.upload_paths")
def _upload_paths(w: World) -> None:
    ds, arrays = _dataset(w), [_pixels(15), _pixels(16)]
    _, paths = _files(arrays)
    with w.sent():
        infos = w.api.image.upload_paths(ds.id, ["x.png", "y.png"], paths, metas=[{"k": 1}, {"k": 2}])
    assert [(i.name, i.meta) for i in infos] == [("x.png", {"k": 1}), ("y.png", {"k": 2})]
    assert all(_same(w.api.image.download_np(i.id), a) for i, a in zip(infos, arrays))


@call("image.upload_dir")
def _upload_dir(w: World) -> None:
    ds, arrays = _dataset(w), [_pixels(17), _pixels(18)]
    folder, _ = _files(arrays, ["top.png", "sub/inner.png"])
    with w.sent():
        infos = w.api.image.upload_dir(ds.id, folder, recursive=True)
    assert sorted(i.name for i in infos) == ["inner.png", "top.png"]
    by_name = {i.name: i for i in infos}
    assert _same(w.api.image.download_np(by_name["inner.png"].id), arrays[1])


@call("image.upload_dirs")
def _upload_dirs(w: World) -> None:
    ds = _dataset(w)
    first, _ = _files([_pixels(19)], ["one.png"])
    second, _ = _files([_pixels(20)], ["two.png"])
    with w.sent():
        infos = w.api.image.upload_dirs(ds.id, [first, second])
    assert sorted(i.name for i in infos) == ["one.png", "two.png"]
    assert len(w.api.image.get_list(ds.id)) == 2


@call("image.upload_hash")
def _upload_hash(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    other = w.api.dataset.create(ds.project_id, "other")
    with w.sent():
        info = w.api.image.upload_hash(other.id, "same.png", infos[0].hash, meta={"copy": True})
    assert (info.hash, info.dataset_id, info.meta) == (infos[0].hash, other.id, {"copy": True})
    assert _same(w.api.image.download_np(info.id), arrays[0])


@call("image.upload_hashes")
def _upload_hashes(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    other = w.api.dataset.create(ds.project_id, "other")
    with w.sent():
        copies = w.api.image.upload_hashes(other.id, ["c0.png", "c1.png"], [i.hash for i in infos])
    assert [c.hash for c in copies] == [i.hash for i in infos]
    assert all(_same(w.api.image.download_np(c.id), a) for c, a in zip(copies, arrays))


@call("image.upload_id")
def _upload_id(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    other = w.api.dataset.create(ds.project_id, "other")
    with w.sent():
        info = w.api.image.upload_id(other.id, "by-id.png", infos[0].id)
    assert (info.name, info.hash, info.dataset_id) == ("by-id.png", infos[0].hash, other.id)


@call("image.upload_ids")
def _upload_ids(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    other = w.api.dataset.create(ds.project_id, "other")
    with w.sent():
        copies = w.api.image.upload_ids(other.id, ["i0.png", "i1.png"], [i.id for i in infos])
    assert [(c.name, c.hash) for c in copies] == [("i0.png", infos[0].hash), ("i1.png", infos[1].hash)]


@call("image.upload_link")
def _upload_link(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    link = infos[0].full_storage_url  # the sandbox's own storage: a link it can reach offline
    with w.sent():
        info = w.api.image.upload_link(ds.id, "linked.png", link)
    assert (info.link, info.hash) == (link, infos[0].hash)
    assert _same(w.api.image.download_np(info.id), arrays[0])


@call("image.upload_links")
def _upload_links(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    links = [i.full_storage_url for i in infos]
    with w.sent():
        linked = w.api.image.upload_links(ds.id, ["l0.png", "l1.png"], links)
    assert [i.link for i in linked] == links and [i.hash for i in linked] == [i.hash for i in infos]


@call("image.set_remote")
def _set_remote(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    with w.sent():
        w.api.image.set_remote([infos[0].id], [infos[1].full_storage_url])
    info = w.api.image.get_info_by_id(infos[0].id)
    assert (info.name, info.link, info.hash) == ("im0.png", infos[1].full_storage_url, infos[1].hash)
    assert _same(w.api.image.download_np(info.id), arrays[1])


@call("image.upload_overlay_images")
def _upload_overlay_images(w: World) -> None:
    ds, arrays = _dataset(w), [_pixels(21), _pixels(22), _pixels(23)]
    _, paths = _files(arrays)
    with w.sent():
        parents, overlays = w.api.image.upload_overlay_images(
            ds.id, ["base.png"], paths=[paths[0]], overlay_names=[["mask1.png", "mask2.png"]],
            overlay_paths=[[paths[1], paths[2]]],
        )
    assert [p.name for p in parents] == ["base.png"]
    assert [[o.name for o in group] for group in overlays] == [["mask1.png", "mask2.png"]]
    assert _same(w.api.image.download_np(overlays[0][1].id), arrays[2])


@call("image.upload_multiview_images")
def _upload_multiview_images(w: World) -> None:
    import supervisely as sly

    ds, arrays = _dataset(w), [_pixels(24), _pixels(25)]
    _, paths = _files(arrays, ["left.png", "right.png"])
    w.api.project.set_multiview_settings(ds.project_id)  # the SDK's precondition: the group tag exists
    with w.sent():
        infos = w.api.image.upload_multiview_images(ds.id, "scene-1", paths)
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(ds.project_id, with_settings=True))
    group = meta.get_tag_meta(meta.project_settings.multiview_tag_name)
    assert sorted(i.name for i in infos) == ["left.png", "right.png"] and meta.project_settings.multiview_enabled
    assert all(_tags(w, i.id) == {group.sly_id: "scene-1"} for i in infos)


@call("image.upload_multispectral")
def _upload_multispectral(w: World) -> None:
    ds = _dataset(w)
    channels = [np.full((8, 10), 40 * k, dtype=np.uint8) for k in range(1, 4)]
    w.api.project.set_multispectral_settings(ds.project_id)  # the SDK's precondition: the group tag exists
    with w.sent():
        infos = w.api.image.upload_multispectral(ds.id, "field.tif", channels=channels)
    assert [i.name for i in infos] == ["field_0.png", "field_1.png", "field_2.png"]
    for info, channel in zip(infos, channels):
        ann = w.api.annotation.download_json(info.id)
        assert [t["value"] for t in ann["tags"]] == ["field.tif"]
        assert (w.api.image.download_np(info.id)[..., 0] == channel).all()


@call("image.upload_by_offsets")
def _upload_by_offsets(w: World) -> None:
    ds = _dataset(w)
    _check_version_first(w)
    with w.sent():
        try:
            w.api.image.upload_by_offsets(ds.id, 1, names=["a.png"], offsets=[{"offsetStart": 0, "offsetEnd": 10}])
        except Exception as error:  # noqa: BLE001 - the SDK raises requests' HTTPError
            refusal = str(error)
        else:
            refusal = ""
    # blob images live in Team Files, which the sandbox does not keep: a clear refusal, and nothing added
    assert "Team Files" in refusal and w.api.image.get_list(ds.id) == []


@call("image.check_existing_hashes", "image.check_image_uploaded")
def _check_hashes(w: World) -> None:
    ds, infos, _ = _with_images(w, 1)
    unknown = "A" * 43 + "="
    with w.sent():
        existing = w.api.image.check_existing_hashes([unknown, infos[0].hash])
        uploaded, absent = w.api.image.check_image_uploaded(infos[0].hash), w.api.image.check_image_uploaded(unknown)
    assert existing == [infos[0].hash] and (uploaded, absent) == (True, False)


# ---- downloads ----------------------------------------------------------------------------------------------------

@call("image.download_np")
def _download_np(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    with w.sent():
        pixels = w.api.image.download_np(infos[0].id)
    assert _same(pixels, arrays[0])


@call("image.download_nps")
def _download_nps(w: World) -> None:
    ds, infos, arrays = _with_images(w, 3)
    with w.sent():
        pixels = w.api.image.download_nps(ds.id, [infos[2].id, infos[0].id])
    assert _same(pixels[0], arrays[2]) and _same(pixels[1], arrays[0])


@call("image.download_nps_generator")
def _download_nps_generator(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    with w.sent():
        got = dict(w.api.image.download_nps_generator(ds.id, [i.id for i in infos]))
    assert all(_same(got[i.id], a) for i, a in zip(infos, arrays))


@call("image.download_bytes")
def _download_bytes(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    with w.sent():
        raw = w.api.image.download_bytes(ds.id, [i.id for i in infos])
    assert [len(r) for r in raw] == [i.size for i in infos]
    assert _same(np.array(Image.open(io.BytesIO(raw[1]))), arrays[1])


@call("image.download", "image.download_path")
def _download_path(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    folder = tempfile.mkdtemp(prefix="inv-dl-")
    with w.sent():
        w.api.image.download(infos[0].id, os.path.join(folder, "a.png"))
        w.api.image.download_path(infos[0].id, os.path.join(folder, "b.png"))
    assert _same(_read(os.path.join(folder, "a.png")), arrays[0])
    assert Path(folder, "a.png").read_bytes() == Path(folder, "b.png").read_bytes()


@call("image.download_paths")
def _download_paths(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    folder = tempfile.mkdtemp(prefix="inv-dl-")
    paths = [os.path.join(folder, f"{k}.png") for k in range(2)]
    with w.sent():
        w.api.image.download_paths(ds.id, [i.id for i in infos], paths)
    assert all(_same(_read(p), a) for p, a in zip(paths, arrays))


@call("image.download_nps_by_hashes", "image.download_nps_by_hashes_generator")
def _download_by_hashes(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    hashes = [infos[1].hash, infos[0].hash]
    with w.sent():
        pixels = w.api.image.download_nps_by_hashes(hashes)
        pairs = dict(w.api.image.download_nps_by_hashes_generator(hashes))
    assert _same(pixels[0], arrays[1]) and _same(pixels[1], arrays[0])
    assert set(pairs) == set(hashes) and _same(pairs[infos[0].hash], arrays[0])


@call("image.download_paths_by_hashes")
def _download_paths_by_hashes(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    folder = tempfile.mkdtemp(prefix="inv-dl-")
    paths = [os.path.join(folder, f"{k}.png") for k in range(2)]
    with w.sent():
        w.api.image.download_paths_by_hashes([i.hash for i in infos], paths)
    assert all(_same(_read(p), a) for p, a in zip(paths, arrays))


@call("image.download_np_async")
def _download_np_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    with w.sent():
        pixels = asyncio.run(w.api.image.download_np_async(infos[0].id))
    assert _same(pixels, arrays[0])


@call("image.download_nps_async")
def _download_nps_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    with w.sent():
        pixels = asyncio.run(w.api.image.download_nps_async([i.id for i in infos]))
    assert all(_same(p, a) for p, a in zip(pixels, arrays))


@call("image.download_bytes_single_async")
def _download_bytes_single_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    with w.sent():
        raw = asyncio.run(w.api.image.download_bytes_single_async(infos[0].id))
    assert len(raw) == infos[0].size and _same(np.array(Image.open(io.BytesIO(raw))), arrays[0])


@call("image.download_bytes_many_async")
def _download_bytes_many_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    with w.sent():
        raw = asyncio.run(w.api.image.download_bytes_many_async([i.id for i in infos]))
    assert [len(r) for r in raw] == [i.size for i in infos]
    assert _same(np.array(Image.open(io.BytesIO(raw[1]))), arrays[1])


@call("image.download_bytes_generator_async")
def _download_bytes_generator_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)

    async def collect():
        return {i: b async for i, b in w.api.image.download_bytes_generator_async(ds.id, [i.id for i in infos])}

    with w.sent():
        got = asyncio.run(collect())
    assert {i: len(b) for i, b in got.items()} == {i.id: i.size for i in infos}


@call("image.download_path_async")
def _download_path_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 1)
    path = os.path.join(tempfile.mkdtemp(prefix="inv-dl-"), "a.png")
    with w.sent():
        asyncio.run(w.api.image.download_path_async(infos[0].id, path))
    assert _same(_read(path), arrays[0])


@call("image.download_paths_async")
def _download_paths_async(w: World) -> None:
    ds, infos, arrays = _with_images(w, 2)
    folder = tempfile.mkdtemp(prefix="inv-dl-")
    paths = [os.path.join(folder, f"{k}.png") for k in range(2)]
    with w.sent():
        asyncio.run(w.api.image.download_paths_async([i.id for i in infos], paths))
    assert all(_same(_read(p), a) for p, a in zip(paths, arrays))


# ---- copy and move ------------------------------------------------------------------------------------------------

def _labelled(w: World):
    """(source dataset, infos, destination dataset): two images, the first with one rectangle, in one project."""
    import supervisely as sly

    ds, infos, _ = _with_images(w, 2)
    box = sly.ObjClass("box", sly.Rectangle)
    w.api.project.update_meta(ds.project_id, sly.ProjectMeta(obj_classes=[box]))
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(ds.project_id))
    label = sly.Label(sly.Rectangle(2, 3, 9, 12), meta.get_obj_class("box"))
    w.api.annotation.upload_ann(infos[0].id, sly.Annotation((18, 26), labels=[label]))
    return ds, infos, w.api.dataset.create(ds.project_id, "dst")


def _boxes(w: World, image_id: int) -> list[dict]:
    return [o["points"] for o in w.api.annotation.download_json(image_id)["objects"]]


@call("image.copy")
def _copy(w: World) -> None:
    src, infos, dst = _labelled(w)
    with w.sent():
        copied = w.api.image.copy(dst.id, infos[0].id, with_annotations=True)
    assert (copied.name, copied.dataset_id, copied.hash) == ("im0.png", dst.id, infos[0].hash)
    assert _boxes(w, copied.id) == _boxes(w, infos[0].id) != []
    assert len(w.api.image.get_list(src.id)) == 2


@call("image.copy_batch")
def _copy_batch(w: World) -> None:
    src, infos, dst = _labelled(w)
    with w.sent():
        copied = w.api.image.copy_batch(dst.id, [i.id for i in infos], with_annotations=True)
    assert [c.name for c in copied] == ["im0.png", "im1.png"] and all(c.dataset_id == dst.id for c in copied)
    assert [len(_boxes(w, c.id)) for c in copied] == [1, 0] and len(w.api.image.get_list(src.id)) == 2


@call("image.copy_batch_optimized")
def _copy_batch_optimized(w: World) -> None:
    src, infos, dst = _labelled(w)
    with w.sent():
        copied = w.api.image.copy_batch_optimized(src.id, infos, dst.id, with_annotations=True)
    assert sorted(c.name for c in copied) == ["im0.png", "im1.png"]
    by_name = {c.name: c for c in copied}
    assert _boxes(w, by_name["im0.png"].id) == _boxes(w, infos[0].id) and len(w.api.image.get_list(src.id)) == 2


@call("image.move")
def _move(w: World) -> None:
    src, infos, dst = _labelled(w)
    boxes = _boxes(w, infos[0].id)
    with w.sent():
        moved = w.api.image.move(dst.id, infos[0].id, with_annotations=True)
    assert (moved.name, moved.dataset_id) == ("im0.png", dst.id) and _boxes(w, moved.id) == boxes
    assert [i.id for i in w.api.image.get_list(src.id)] == [infos[1].id]


@call("image.move_batch")
def _move_batch(w: World) -> None:
    src, infos, dst = _labelled(w)
    with w.sent():
        moved = w.api.image.move_batch(dst.id, [i.id for i in infos], with_annotations=True)
    assert [m.name for m in moved] == ["im0.png", "im1.png"] and [len(_boxes(w, m.id)) for m in moved] == [1, 0]
    assert w.api.image.get_list(src.id) == []


@call("image.move_batch_optimized")
def _move_batch_optimized(w: World) -> None:
    src, infos, dst = _labelled(w)
    with w.sent():
        moved = w.api.image.move_batch_optimized(src.id, infos, dst.id, with_annotations=True)
    assert sorted(m.name for m in moved) == ["im0.png", "im1.png"] and w.api.image.get_list(src.id) == []
    assert sorted(len(_boxes(w, m.id)) for m in moved) == [0, 1]
