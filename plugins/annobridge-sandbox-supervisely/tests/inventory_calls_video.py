"""Inventory calls of `api.video` and its sub-APIs (annotation, object, figure, frame, tag), each meaning checked."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
import supervisely as sly
from supervisely.video_annotation.key_id_map import KeyIdMap

from annobridge_sandbox_supervisely.testing.videos import WrittenVideo, write_square_video

from .inventory_support import World, call

_DIR = Path(tempfile.mkdtemp(prefix="inventory-video-"))
_WRITTEN: dict[str, WrittenVideo] = {}


# ---- setup helpers ------------------------------------------------------------------------------------------------

def _written(name: str = "a", **options) -> WrittenVideo:
    """A generated mp4 (written once per name): 'a' is 24 frames 160x96 at 24 fps, 'b' 12 frames 128x80 at 12 fps."""
    if name not in _WRITTEN:
        defaults = dict(a=dict(frames_count=24), b=dict(frames_count=12, fps=12, width=128, height=80, shade=90))
        _WRITTEN[name] = write_square_video(_DIR / f"{name}.mp4", **{**defaults.get(name, {}), **options})
    return _WRITTEN[name]


def _meta() -> sly.ProjectMeta:
    return sly.ProjectMeta(
        obj_classes=[sly.ObjClass("square", sly.Rectangle)],
        tag_metas=[
            sly.TagMeta("moving", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("light", sly.TagValueType.ONEOF_STRING, possible_values=["day", "night"],
                        applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("speed", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
        ],
    )


def _clips(w: World, names: tuple[str, ...] = ("a",)):
    """(project, dataset, meta, infos): a new video project with the generated videos `names` uploaded."""
    assert w.api.instance_version  # read once: the SDK asks for it on its first error answer
    project = w.api.project.create(w.seed["workspace"], w.unique("clips"), type=sly.ProjectType.VIDEOS)
    w.api.project.update_meta(project.id, _meta())
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    dataset = w.api.dataset.create(project.id, "street")
    infos = w.api.video.upload_paths(dataset.id, [f"{n}.mp4" for n in names], [str(_written(n).path) for n in names])
    return project, dataset, meta, infos


def _track(meta: sly.ProjectMeta, written: WrittenVideo, frames=(0, 1, 2)) -> sly.VideoAnnotation:
    """The square tracked on `frames` (with a speed tag), the video tagged moving over them and light=night."""
    square = sly.VideoObject(meta.get_obj_class("square"), tags=sly.VideoTagCollection(
        [sly.VideoTag(meta.get_tag_meta("speed"), value=2, frame_range=[frames[0], frames[-1]])]))
    figure_frames = []
    for index in frames:
        left, top, right, bottom = written.boxes[index]
        rectangle = sly.Rectangle(top, left, bottom, right)
        figure_frames.append(sly.Frame(index, [sly.VideoFigure(square, rectangle, index)]))
    tags = sly.VideoTagCollection([
        sly.VideoTag(meta.get_tag_meta("moving"), frame_range=[frames[0], frames[-1]]),
        sly.VideoTag(meta.get_tag_meta("light"), value="night"),
    ])
    return sly.VideoAnnotation((written.height, written.width), written.frames_count,
                               objects=sly.VideoObjectCollection([square]), frames=sly.FrameCollection(figure_frames),
                               tags=tags)


def _annotated(w: World, frames=(0, 1, 2)):
    """(project, dataset, meta, info, ann_json): one video with `_track` uploaded; ann_json as downloaded."""
    project, dataset, meta, infos = _clips(w)
    w.api.video.annotation.append(infos[0].id, _track(meta, _written(), frames))
    return project, dataset, meta, infos[0], w.api.video.annotation.download(infos[0].id)


def _figure_ids(ann_json: dict) -> list[int]:
    return [f["id"] for frame in ann_json["frames"] for f in frame["figures"]]


def _box(figure_geometry: dict) -> tuple[int, ...]:
    """(left, top, right, bottom) of a rectangle's geometry JSON."""
    return tuple(p for point in figure_geometry["points"]["exterior"] for p in point)


def calls(*names: str):
    """Register `function(w, method)` as the call of each of `names`: it runs every one of them, and only `method`,
    the one under test, inside `world.sent()` (methods that send different API methods share one setup)."""

    def register(function):
        for name in names:
            call(name)(functools.partial(function, method=name))
        return function

    return register


def _tested(w: World, method: str, name: str):
    """`w.sent()` when `name` is the method under test, else a block that counts nothing."""
    return w.sent() if method == name else contextlib.nullcontext()


# ---- api.video: uploading ------------------------------------------------------------------------------------------

@call("video.upload_paths")
def _upload_paths(w: World) -> None:
    _, dataset, _, _ = _clips(w, ())
    a, b = _written("a"), _written("b")
    with w.sent():
        infos = w.api.video.upload_paths(dataset.id, ["a.mp4", "b.mp4"], [str(a.path), str(b.path)])
    assert [(i.name, i.frames_count, i.frame_width, i.frame_height) for i in infos] == [
        ("a.mp4", a.frames_count, a.width, a.height), ("b.mp4", b.frames_count, b.width, b.height)]


@call("video.upload_path")
def _upload_path(w: World) -> None:
    _, dataset, _, _ = _clips(w, ())
    with w.sent():
        info = w.api.video.upload_path(dataset.id, "one.mp4", str(_written("b").path), meta={"camera": 2})
    assert (info.name, info.frames_count, info.meta) == ("one.mp4", _written("b").frames_count,
                                                         {"videoStreamIndex": 0, "camera": 2})
    assert w.api.video.get_info_by_id(info.id).dataset_id == dataset.id


@call("video.upload_dir", "video.upload_dirs")
def _upload_dir(w: World) -> None:
    _, dataset, _, _ = _clips(w, ())
    folders = [_DIR / w.unique("dir"), _DIR / w.unique("dir")]
    for k, folder in enumerate(folders):
        folder.mkdir()
        (folder / f"clip{k}.mp4").write_bytes(_written("a" if k == 0 else "b").path.read_bytes())
    with w.sent():
        one = w.api.video.upload_dir(dataset.id, str(folders[0]))
        two = w.api.video.upload_dirs(dataset.id, [str(f) for f in folders])
    assert [i.name for i in one] == ["clip0.mp4"] and [i.frames_count for i in one] == [_written("a").frames_count]
    assert len(two) == 2 and "clip1.mp4" in {i.name for i in two}
    assert "clip0.mp4" not in {i.name for i in two}  # the name taken is changed, not clashed
    assert sorted(i.frames_count for i in two) == sorted([_written("a").frames_count, _written("b").frames_count])
    assert len(w.api.video.get_list(dataset.id)) == 3


@call("video.upload_hash", "video.upload_hashes")
def _upload_hash(w: World) -> None:
    _, dataset, _, infos = _clips(w)
    with w.sent():
        one = w.api.video.upload_hash(dataset.id, "same.mp4", infos[0].hash)
        many = w.api.video.upload_hashes(dataset.id, ["x.mp4", "y.mp4"], [infos[0].hash] * 2, metas=[{"k": 1}, {}])
    assert (one.hash, one.frames_count) == (infos[0].hash, infos[0].frames_count)
    assert [(i.name, i.hash, i.meta) for i in many] == [("x.mp4", infos[0].hash, {"k": 1}),
                                                         ("y.mp4", infos[0].hash, {})]


@call("video.upload_id", "video.upload_ids")
def _upload_id(w: World) -> None:
    _, dataset, _, infos = _clips(w)
    _, other, _, _ = _clips(w, ())
    with w.sent():
        one = w.api.video.upload_id(other.id, "copy.mp4", infos[0].id)
        many = w.api.video.upload_ids(other.id, ["c1.mp4", "c2.mp4"], [infos[0].id, infos[0].id])
    assert (one.dataset_id, one.hash, one.frames_count) == (other.id, infos[0].hash, infos[0].frames_count)
    assert [i.name for i in many] == ["c1.mp4", "c2.mp4"] and {i.hash for i in many} == {infos[0].hash}


@call("video.add_existing")
def _add_existing(w: World) -> None:
    _, dataset, _, infos = _clips(w)
    with w.sent():
        info = w.api.video.add_existing(dataset.id, infos[0], "again.mp4")
    assert (info.name, info.hash, info.frames_count) == ("again.mp4", infos[0].hash, infos[0].frames_count)
    assert info.id != infos[0].id


@call("video.check_existing_hashes")
def _check_existing_hashes(w: World) -> None:
    _, _, _, infos = _clips(w)
    with w.sent():
        found = w.api.video.check_existing_hashes([infos[0].hash, "no-such-hash"])
    assert found == [infos[0].hash]


# ---- api.video: reading --------------------------------------------------------------------------------------------

@call("video.get_info_by_id", "video.get_json_info_by_id")
def _get_info_by_id(w: World) -> None:
    project, dataset, _, infos = _clips(w)
    with w.sent():
        info = w.api.video.get_info_by_id(infos[0].id)
        raw = w.api.video.get_json_info_by_id(infos[0].id)
        gone = w.api.video.get_info_by_id(10 ** 9)
    written = _written()
    assert (info.name, info.project_id, info.dataset_id, info.frames_count, info.frame_width) == (
        "a.mp4", project.id, dataset.id, written.frames_count, written.width)
    assert (raw["id"], raw["name"], raw["fileMeta"]["framesCount"]) == (info.id, "a.mp4", written.frames_count)
    assert gone is None


@call("video.get_info_by_id_batch")
def _get_info_by_id_batch(w: World) -> None:
    _, _, _, infos = _clips(w, ("a", "b"))
    with w.sent():
        got = w.api.video.get_info_by_id_batch([infos[1].id, infos[0].id])
    assert [(i.id, i.frames_count) for i in got] == [(infos[1].id, _written("b").frames_count),
                                                      (infos[0].id, _written("a").frames_count)]


@call("video.get_list", "video.get_list_generator")
def _get_list(w: World) -> None:
    _, dataset, _, infos = _clips(w, ("a", "b"))
    with w.sent():
        listed = w.api.video.get_list(dataset.id)
        filtered = w.api.video.get_list(dataset.id, filters=[{"field": "name", "operator": "=", "value": "b.mp4"}])
        pages = list(w.api.video.get_list_generator(dataset.id, batch_size=1))
    assert [v.id for v in listed] == [i.id for i in infos] and [v.name for v in filtered] == ["b.mp4"]
    assert [[v.id for v in batch] for batch in pages] == [[infos[0].id], [infos[1].id]]


@calls("video.get_info_by_name", "video.exists", "video.get_free_name", "video.get_free_names",
       "video.raise_name_intersections_if_exist")
def _names(w: World, method: str) -> None:
    _, dataset, _, infos = _clips(w)
    with _tested(w, method, "video.get_info_by_name"):
        found = w.api.video.get_info_by_name(dataset.id, "a.mp4")
    with _tested(w, method, "video.exists"):
        yes, no = w.api.video.exists(dataset.id, "a.mp4"), w.api.video.exists(dataset.id, "zz.mp4")
    with _tested(w, method, "video.get_free_name"):
        free = w.api.video.get_free_name(dataset.id, "a.mp4")
    with _tested(w, method, "video.get_free_names"):
        frees = w.api.video.get_free_names(dataset.id, ["a.mp4", "new.mp4"])
    with _tested(w, method, "video.raise_name_intersections_if_exist"):
        w.api.video.raise_name_intersections_if_exist(dataset.id, ["new.mp4"])
        with pytest.raises(ValueError, match="a.mp4"):
            w.api.video.raise_name_intersections_if_exist(dataset.id, ["a.mp4"])
    assert found.id == infos[0].id and (yes, no) == (True, False)
    assert free == "a.mp4_001" and frees == ["a_01.mp4", "new.mp4"]  # ModuleApi's suffix, and the video API's


@call("video.get_destination_ids")
def _get_destination_ids(w: World) -> None:
    project, dataset, _, infos = _clips(w)
    with w.sent():
        ids = w.api.video.get_destination_ids(infos[0].id)
    assert ids == (project.id, dataset.id)


# ---- api.video: downloading ----------------------------------------------------------------------------------------

@call("video.download_path")
def _download_path(w: World) -> None:
    _, _, _, infos = _clips(w)
    target = _DIR / f"{w.unique('dl')}.mp4"
    with w.sent():
        w.api.video.download_path(infos[0].id, str(target))
    assert target.read_bytes() == _written().path.read_bytes()


@call("video.download_path_async", "video.download_paths_async")
def _download_path_async(w: World) -> None:
    _, _, _, infos = _clips(w, ("a", "b"))
    one, many = _DIR / f"{w.unique('dl')}.mp4", [_DIR / f"{w.unique('dl')}.mp4" for _ in infos]

    async def both():
        await w.api.video.download_path_async(infos[0].id, str(one))
        await w.api.video.download_paths_async([i.id for i in infos], [str(p) for p in many])

    with w.sent():
        asyncio.run(both())
    assert one.read_bytes() == _written("a").path.read_bytes()
    assert [p.read_bytes() for p in many] == [_written("a").path.read_bytes(), _written("b").path.read_bytes()]


# ---- api.video: editing --------------------------------------------------------------------------------------------

@call("video.rename")
def _rename(w: World) -> None:
    _, _, _, infos = _clips(w)
    with w.sent():
        renamed = w.api.video.rename(infos[0].id, "renamed.mp4")
    assert renamed.name == "renamed.mp4" and w.api.video.get_info_by_id(infos[0].id).name == "renamed.mp4"


@call("video.update_custom_data")
def _update_custom_data(w: World) -> None:
    _, _, _, infos = _clips(w)
    with w.sent():
        w.api.video.update_custom_data(infos[0].id, {"reviewed": True, "n": 2})
    assert w.api.video.get_info_by_id(infos[0].id).custom_data == {"reviewed": True, "n": 2}


@call("video.remove", "video.remove_batch")
def _remove(w: World) -> None:
    _, dataset, _, infos = _clips(w, ("a", "b"))
    extra = w.api.video.upload_hash(dataset.id, "c.mp4", infos[0].hash)
    with w.sent():
        w.api.video.remove(infos[0].id)
        w.api.video.remove_batch([infos[1].id, extra.id])
    assert w.api.video.get_list(dataset.id) == [] and w.api.video.get_info_by_id(infos[0].id) is None


@call("video.copy_batch")
def _copy_batch(w: World) -> None:
    _, _, meta, info, ann = _annotated(w)
    _, target, _, _ = _clips(w, ())
    with w.sent():
        copies = w.api.video.copy_batch(target.id, [info.id], with_annotations=True)
    assert [(c.name, c.dataset_id, c.hash) for c in copies] == [("a.mp4", target.id, info.hash)]
    copied = w.api.video.annotation.download(copies[0].id)
    assert [_box(f["geometry"]) for fr in copied["frames"] for f in fr["figures"]] == [
        _box(f["geometry"]) for fr in ann["frames"] for f in fr["figures"]]
    assert sorted(t["name"] for t in copied["tags"]) == ["light", "moving"]


# ---- api.video.annotation ------------------------------------------------------------------------------------------

def _track_boxes(ann_json: dict) -> dict[int, list[tuple[int, ...]]]:
    return {fr["index"]: [_box(f["geometry"]) for f in fr["figures"]] for fr in ann_json["frames"]}


def _expected_boxes(frames=(0, 1, 2)) -> dict[int, list[tuple[int, ...]]]:
    return {index: [_written().boxes[index]] for index in frames}


@call("video_annotation.append")
def _append(w: World) -> None:
    _, _, meta, infos = _clips(w)
    with w.sent():
        w.api.video.annotation.append(infos[0].id, _track(meta, _written(), (3, 4)))
    ann = w.api.video.annotation.download(infos[0].id)
    assert _track_boxes(ann) == _expected_boxes((3, 4))
    assert [(t["name"], t.get("frameRange")) for t in ann["tags"]] == [("moving", [3, 4]), ("light", None)]
    assert [t["name"] for t in ann["objects"][0]["tags"]] == ["speed"]


@calls("video_annotation.download", "video_annotation.download_bulk")
def _download(w: World, method: str) -> None:
    _, dataset, _, info, _ = _annotated(w)
    with _tested(w, method, "video_annotation.download"):
        one = w.api.video.annotation.download(info.id)
    with _tested(w, method, "video_annotation.download_bulk"):
        bulk = w.api.video.annotation.download_bulk(dataset.id, [info.id])
    assert _track_boxes(one) == _expected_boxes() and one["framesCount"] == _written().frames_count
    assert bulk == [one]


@call("video_annotation.download_async", "video_annotation.download_bulk_async")
def _download_async(w: World) -> None:
    _, _, _, info, ann = _annotated(w)

    async def both():
        return (await w.api.video.annotation.download_async(info.id, video_info=info),
                await w.api.video.annotation.download_bulk_async([info.id]))

    with w.sent():
        one, bulk = asyncio.run(both())
    assert one == [ann] and bulk == [ann]  # SDK 6.74.51's download_async hands on the bulk answer, a list


@call("video_annotation.upload_paths")
def _annotation_upload_paths(w: World) -> None:
    project, _, meta, infos = _clips(w)
    path = _DIR / f"{w.unique('ann')}.json"
    path.write_text(json.dumps(_track(meta, _written(), (5, 6)).to_json()))
    with w.sent():
        w.api.video.annotation.upload_paths([infos[0].id], [str(path)], meta)
    assert _track_boxes(w.api.video.annotation.download(infos[0].id)) == _expected_boxes((5, 6))


@call("video_annotation.copy_batch")
def _annotation_copy_batch(w: World) -> None:
    _, dataset, _, info, ann = _annotated(w)
    twin = w.api.video.upload_hash(dataset.id, "twin.mp4", info.hash)
    with w.sent():
        w.api.video.annotation.copy_batch([info.id], [twin.id])
    copied = w.api.video.annotation.download(twin.id)
    assert _track_boxes(copied) == _track_boxes(ann)
    assert {o["id"] for o in copied["objects"]}.isdisjoint(o["id"] for o in ann["objects"])


# ---- api.video.object ----------------------------------------------------------------------------------------------

@call("video_object.append_bulk")
def _object_append_bulk(w: World) -> None:
    _, _, meta, infos = _clips(w)
    objects = sly.VideoObjectCollection([sly.VideoObject(meta.get_obj_class("square")) for _ in range(2)])
    key_id_map = KeyIdMap()
    with w.sent():
        ids = w.api.video.object.append_bulk(infos[0].id, objects, key_id_map)
    listed = w.api.video.annotation.download(infos[0].id)["objects"]
    assert [o["id"] for o in listed] == ids and [key_id_map.get_object_id(o.key()) for o in objects] == ids


@calls("video_object.get_list", "video_object.get_info_by_id")
def _object_list(w: World, method: str) -> None:
    _, dataset, meta, info, ann = _annotated(w)
    obj = ann["objects"][0]
    with _tested(w, method, "video_object.get_list"):
        listed = w.api.video.object.get_list(dataset.id)
    with _tested(w, method, "video_object.get_info_by_id"):
        one = w.api.video.object.get_info_by_id(obj["id"])
        gone = w.api.video.object.get_info_by_id(10 ** 9)
    assert [(o.id, o.class_id, o.entity_id, o.dataset_id) for o in listed] == [
        (obj["id"], meta.get_obj_class("square").sly_id, info.id, dataset.id)]
    assert one == listed[0] and [t["name"] for t in one.tags] == ["speed"] and gone is None


@call("video_object.remove", "video_object.remove_batch")
def _object_remove(w: World) -> None:
    _, _, meta, infos = _clips(w)
    w.api.video.annotation.append(infos[0].id, _track(meta, _written()))
    w.api.video.annotation.append(infos[0].id, _track(meta, _written(), (7,)))
    ids = [o["id"] for o in w.api.video.annotation.download(infos[0].id)["objects"]]
    with w.sent():
        w.api.video.object.remove(ids[0])
        w.api.video.object.remove_batch(ids[1:])
    ann = w.api.video.annotation.download(infos[0].id)
    assert ann["objects"] == [] and ann["frames"] == []  # their figures went with them
    assert len(ann["tags"]) == 4  # the video's own tags stay


# ---- api.video.figure ----------------------------------------------------------------------------------------------

@call("video_figure.create", "video_figure.create_bulk")
def _figure_create(w: World) -> None:
    _, dataset, _, info, ann = _annotated(w, (0,))
    obj_id = ann["objects"][0]["id"]
    rect = sly.Rectangle(10, 20, 30, 40)
    with w.sent():
        one = w.api.video.figure.create(info.id, obj_id, 4, rect.to_json(), sly.Rectangle.geometry_name())
        many = w.api.video.figure.create_bulk(
            [{"objectId": obj_id, "geometryType": "rectangle", "geometry": rect.to_json(), "meta": {"frame": f}}
             for f in (5, 6)], entity_id=info.id)
    boxes = _track_boxes(w.api.video.annotation.download(info.id))
    assert {k: v for k, v in boxes.items() if k > 0} == {4: [(20, 10, 40, 30)], 5: [(20, 10, 40, 30)],
                                                         6: [(20, 10, 40, 30)]}
    assert isinstance(one, int) and len(set(many) | {one}) == 3


@call("video_figure.append_bulk")
def _figure_append_bulk(w: World) -> None:
    _, _, meta, infos = _clips(w)
    square = sly.VideoObject(meta.get_obj_class("square"))
    key_id_map = KeyIdMap()
    w.api.video.object.append_bulk(infos[0].id, sly.VideoObjectCollection([square]), key_id_map)
    figures = [sly.VideoFigure(square, sly.Rectangle(1, 2, 3 + f, 4 + f), f) for f in (0, 9)]
    with w.sent():
        w.api.video.figure.append_bulk(infos[0].id, figures, key_id_map)
    assert _track_boxes(w.api.video.annotation.download(infos[0].id)) == {0: [(2, 1, 4, 3)], 9: [(2, 1, 13, 12)]}
    assert all(key_id_map.get_figure_id(f.key()) for f in figures)


# ---- api.video.frame -----------------------------------------------------------------------------------------------

def _square_seen(image: np.ndarray, index: int) -> bool:
    """True when the generated square is where video 'a' drew it on frame `index` (decoding is lossy)."""
    left, top, right, bottom = _written().boxes[index]
    inside = np.abs(image[top + 2:bottom - 1, left + 2:right - 1, :3].astype(int) - (240, 200, 30)).mean()
    return image.shape[:2] == (96, 160) and inside < 20


@call("video_frame.download_np", "video_frame.download_path")
def _frame_np(w: World) -> None:
    _, _, _, infos = _clips(w)
    path = _DIR / f"{w.unique('frame')}.png"
    with w.sent():
        array = w.api.video.frame.download_np(infos[0].id, 3)
        w.api.video.frame.download_path(infos[0].id, 7, str(path))
    assert _square_seen(array, 3) and _square_seen(sly.image.read(str(path)), 7)
    assert not _square_seen(array, 20)


@call("video_frame.download_nps", "video_frame.download_nps_generator", "video_frame.download_bytes",
      "video_frame.download_paths")
def _frame_nps(w: World) -> None:
    _, _, _, infos = _clips(w)
    paths = [str(_DIR / f"{w.unique('frame')}.png") for _ in range(2)]
    with w.sent():
        arrays = w.api.video.frame.download_nps(infos[0].id, [1, 10])
        generated = list(w.api.video.frame.download_nps_generator(infos[0].id, [2, 11]))
        raw = w.api.video.frame.download_bytes(infos[0].id, [12])
        w.api.video.frame.download_paths(infos[0].id, [0, 13], paths)
    assert [_square_seen(a, i) for a, i in zip(arrays, [1, 10])] == [True, True]
    assert [i for i, _ in generated] == [2, 11] and all(_square_seen(a, i) for i, a in generated)
    assert _square_seen(sly.image.read_bytes(raw[0]), 12)
    assert all(_square_seen(sly.image.read(p), i) for p, i in zip(paths, [0, 13]))


# ---- api.video.tag -------------------------------------------------------------------------------------------------

def _video_tags(w: World, video_id: int) -> list[tuple]:
    """(name, value, frameRange) of the video's own tags, as the annotation download reads them."""
    return [(t["name"], t.get("value"), t.get("frameRange")) for t in w.api.video.annotation.download(video_id)["tags"]]


def _object_tags(w: World, video_id: int) -> list[tuple]:
    """(name, value, frameRange) of every object's tags."""
    return [(t["name"], t.get("value"), t.get("frameRange"))
            for o in w.api.video.annotation.download(video_id)["objects"] for t in o["tags"]]


@calls("video_tag.add", "video_tag.add_tag")
def _tag_add(w: World, method: str) -> None:
    _, _, meta, infos = _clips(w)
    tag = sly.VideoTag(meta.get_tag_meta("light"), value="day", frame_range=[2, 5])
    with _tested(w, method, "video_tag.add"):
        tag_id = w.api.video.tag.add(infos[0].id, tag)
    with _tested(w, method, "video_tag.add_tag"):
        answer = w.api.video.tag.add_tag(meta.get_tag_meta("moving").sly_id, infos[0].id, frame_range=[0, 1])
    assert tag_id == tag.sly_id and answer["id"] != tag_id
    assert _video_tags(w, infos[0].id) == [("light", "day", [2, 5]), ("moving", None, [0, 1])]


@call("video_tag.append_to_entity")
def _tag_append_to_entity(w: World) -> None:
    project, _, meta, infos = _clips(w)
    tags = sly.VideoTagCollection([sly.VideoTag(meta.get_tag_meta("moving"), frame_range=[1, 3]),
                                   sly.VideoTag(meta.get_tag_meta("light"), value="night")])
    key_id_map = KeyIdMap()
    with w.sent():
        w.api.video.tag.append_to_entity(infos[0].id, project.id, tags, key_id_map)
    assert _video_tags(w, infos[0].id) == [("moving", None, [1, 3]), ("light", "night", None)]
    assert all(key_id_map.get_tag_id(t.key()) for t in tags)


@calls("video_tag.append_to_objects", "video_tag.append_to_objects_json", "tag.append_to_objects",
       "tag.append_to_objects_json")
def _tag_append_to_objects(w: World, method: str) -> None:
    """Each call puts tags on the object again: append_bulk already put its collection's tag there once."""
    project, _, meta, infos = _clips(w)
    speed = meta.get_tag_meta("speed")
    square = sly.VideoObject(meta.get_obj_class("square"), tags=sly.VideoTagCollection(
        [sly.VideoTag(speed, value=3, frame_range=[0, 2])]))
    key_id_map = KeyIdMap()
    objects = sly.VideoObjectCollection([square])
    w.api.video.object.append_bulk(infos[0].id, objects, key_id_map)
    object_id = key_id_map.get_object_id(square.key())
    with _tested(w, method, "video_tag.append_to_objects"):
        w.api.video.tag.append_to_objects(infos[0].id, project.id, objects, key_id_map)
    with _tested(w, method, "video_tag.append_to_objects_json"):
        w.api.video.tag.append_to_objects_json(infos[0].id, [{"tagId": speed.sly_id, "objectId": object_id,
                                                              "value": 4}], project.id)
    with _tested(w, method, "tag.append_to_objects"):
        w.api.image.tag.append_to_objects(infos[0].id, project.id, objects, key_id_map)
    with _tested(w, method, "tag.append_to_objects_json"):
        w.api.image.tag.append_to_objects_json(infos[0].id, [{"tagId": speed.sly_id, "objectId": object_id,
                                                              "value": 5}], project.id)
    assert _object_tags(w, infos[0].id) == [("speed", 3, [0, 2]), ("speed", 3, [0, 2]), ("speed", 4, None),
                                             ("speed", 3, [0, 2]), ("speed", 5, None)]


@calls("video_tag.add_to_objects", "video_tag.add_tags_collection_to_objects")
def _tag_add_to_objects(w: World, method: str) -> None:
    project, _, meta, info, ann = _annotated(w)
    object_id = ann["objects"][0]["id"]
    speed = meta.get_tag_meta("speed")
    with _tested(w, method, "video_tag.add_to_objects"):
        added = w.api.video.tag.add_to_objects(project.id, [{"tagId": speed.sly_id, "objectId": object_id,
                                                             "value": 7}])
    with _tested(w, method, "video_tag.add_tags_collection_to_objects"):
        more = w.api.video.tag.add_tags_collection_to_objects(
            project.id, {object_id: sly.VideoTagCollection([sly.VideoTag(speed, value=8, frame_range=[1, 2])])})
    assert len(added) == 1 and len(more) == 1
    assert _object_tags(w, info.id) == [("speed", 2, [0, 2]), ("speed", 7, None), ("speed", 8, [1, 2])]


@call("video_tag.download_list")
def _tag_download_list(w: World) -> None:
    _, _, meta, info, _ = _annotated(w)
    with w.sent():
        tags = w.api.video.tag.download_list(info.id, meta)
    assert [(t.name, t.value, t.frame_range) for t in tags] == [("moving", None, [0, 2]), ("light", "night", None)]


@call("video_tag.remove", "video_tag.remove_from_video")
def _tag_remove(w: World) -> None:
    _, _, meta, infos = _clips(w)
    first = sly.VideoTag(meta.get_tag_meta("moving"), frame_range=[0, 1])
    w.api.video.tag.add(infos[0].id, first)
    second = w.api.video.tag.add_tag(meta.get_tag_meta("light").sly_id, infos[0].id, value="day")
    with w.sent():
        w.api.video.tag.remove(first)
        w.api.video.tag.remove_from_video(second["id"])
    assert _video_tags(w, infos[0].id) == []


@calls("video_tag.update_frame_range", "video_tag.update_value")
def _tag_update(w: World, method: str) -> None:
    _, _, meta, infos = _clips(w)
    tag = w.api.video.tag.add_tag(meta.get_tag_meta("light").sly_id, infos[0].id, value="day", frame_range=[0, 1])
    with _tested(w, method, "video_tag.update_frame_range"):
        w.api.video.tag.update_frame_range(tag["id"], [4, 9])
    with _tested(w, method, "video_tag.update_value"):
        w.api.video.tag.update_value(tag["id"], "night")
    assert _video_tags(w, infos[0].id) == [("light", "night", [4, 9])]


@call("video_tag.create", "video_tag.create_bulk")
def _tag_create(w: World) -> None:
    project, _, _, _ = _clips(w, ())
    with w.sent():
        one = w.api.video.tag.create(project.id, sly.TagMeta("weather", sly.TagValueType.ANY_STRING))
        many = w.api.video.tag.create_bulk(project.id, [sly.TagMeta("night", sly.TagValueType.NONE)])
    names = {t.name: t for t in sly.ProjectMeta.from_json(w.api.project.get_meta(project.id)).tag_metas}
    assert names["weather"].sly_id == one["id"] and names["night"].sly_id == many[0]["id"]
    assert names["weather"].value_type == sly.TagValueType.ANY_STRING


@call("video_tag.get_list", "video_tag.get_info_by_name", "video_tag.exists", "video_tag.get_free_name",
      "video_tag.get_name_to_id_map")
def _tag_metas(w: World) -> None:
    project, _, meta, _ = _clips(w, ())
    with w.sent():
        listed = w.api.video.tag.get_list(project.id)
        light = w.api.video.tag.get_info_by_name(project.id, "light")
        yes, no = w.api.video.tag.exists(project.id, "speed"), w.api.video.tag.exists(project.id, "size")
        free = w.api.video.tag.get_free_name(project.id, "speed")
        ids = w.api.video.tag.get_name_to_id_map(project.id)
    assert [t.name for t in listed] == ["moving", "light", "speed"]
    assert light.id == meta.get_tag_meta("light").sly_id and (yes, no, free) == (True, False, "speed_001")
    assert ids == {t.name: t.sly_id for t in meta.tag_metas}


@call("video_tag.update_meta")
def _tag_update_meta(w: World) -> None:
    project, _, meta, _ = _clips(w, ())
    with w.sent():
        w.api.video.tag.update_meta(meta.get_tag_meta("light").sly_id, project.id, name="lighting",
                                    color=[10, 20, 30])
    changed = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id)).get_tag_meta("lighting")
    assert changed is not None and changed.color == [10, 20, 30] and changed.possible_values == ["day", "night"]
