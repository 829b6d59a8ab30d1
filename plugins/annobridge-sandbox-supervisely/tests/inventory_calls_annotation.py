"""Inventory calls of the annotation, figure, tag and advanced APIs (and image.update_tag_value), through the real SDK.

Each call works on a project of its own (boxes, dots and alpha masks; image and object tags),
so the seeded project stays as it is for the other calls.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
import requests
import supervisely as sly
from supervisely.project.project_type import _LABEL_GROUP_TAG_NAME

from .inventory_support import World, call

H, W = 40, 60
HTTPError = requests.exceptions.HTTPError


def _meta() -> sly.ProjectMeta:
    return sly.ProjectMeta(
        obj_classes=[sly.ObjClass("box", sly.Rectangle), sly.ObjClass("dot", sly.Point),
                     sly.ObjClass("glow", sly.AlphaMask)],
        tag_metas=[
            sly.TagMeta("quality", sly.TagValueType.ONEOF_STRING, possible_values=["good", "bad"],
                        applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("score", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
            sly.TagMeta("note", sly.TagValueType.ANY_STRING),
            sly.TagMeta("checked", sly.TagValueType.NONE),
        ],
    )


class Lab:
    """A fresh project of one call: its meta (with server ids), dataset and blank images."""

    def __init__(self, w: World, images: int = 2, meta: sly.ProjectMeta | None = None):
        self.api = w.api
        self.project = w.api.project.create(w.seed["workspace"], w.unique("ann"))
        self.meta = w.api.project.update_meta(self.project.id, meta or _meta())
        self.dataset = w.api.dataset.create(self.project.id, "ds")
        self.images = [w.api.image.upload_np(self.dataset.id, f"{k}.png", np.zeros((H, W, 3), np.uint8))
                       for k in range(images)]
        self.ids = [image.id for image in self.images]

    def cls(self, name: str) -> sly.ObjClass:
        return self.meta.get_obj_class(name)

    def tag(self, name: str) -> sly.TagMeta:
        return self.meta.get_tag_meta(name)

    def box(self, top: int = 2, left: int = 3, score: float = 0.5) -> sly.Label:
        return sly.Label(sly.Rectangle(top, left, top + 10, left + 20), self.cls("box"),
                         tags=[sly.Tag(self.tag("score"), score)])

    def dot(self, row: int = 5, col: int = 6) -> sly.Label:
        return sly.Label(sly.Point(row, col), self.cls("dot"))

    def ann(self, *labels: sly.Label, quality: str | None = "good") -> sly.Annotation:
        tags = [sly.Tag(self.tag("quality"), quality)] if quality else []
        return sly.Annotation((H, W), list(labels), img_tags=tags)

    def annotate(self, index: int = 0, *labels: sly.Label, quality: str | None = "good") -> list[int]:
        """Upload an annotation (a box and a dot unless labels are given); the figure ids in order."""
        self.api.annotation.upload_ann(self.ids[index], self.ann(*(labels or (self.box(), self.dot())),
                                                                 quality=quality))
        return [o["id"] for o in self.raw(index)["objects"]]

    def raw(self, index: int = 0) -> dict:
        return self.api.annotation.download(self.ids[index]).annotation

    def read(self, index: int = 0) -> sly.Annotation:
        return sly.Annotation.from_json(self.raw(index), self.meta)

    def labels_count(self, index: int = 0) -> int:
        return self.api.image.get_info_by_id(self.ids[index]).labels_count


def _summary(ann: sly.Annotation, geometry: bool = True) -> list[tuple]:
    """(class, geometry json, object tags) of each label and the image tags: what a round trip must keep."""
    labels = [(label.obj_class.name, json.dumps(_shape(label.geometry), sort_keys=True) if geometry else "",
               sorted((t.name, t.value) for t in label.tags)) for label in ann.labels]
    return sorted(labels) + [("image tags", sorted((t.name, t.value) for t in ann.img_tags))]


def _shape(geometry: sly.Geometry) -> dict:
    """A geometry's JSON without its ids and stamps: only where it is."""
    return {k: v for k, v in geometry.to_json().items() if k in ("points", "bitmap")}


def _alpha() -> np.ndarray:
    alpha = np.zeros((H, W), np.uint8)
    alpha[4:14, 8:28] = (np.arange(20, dtype=np.uint8) * 12 + 10)[None, :]
    return alpha


def _alpha_figures(lab: Lab, count: int) -> list[int]:
    """Alpha mask figures without their geometry yet (it is uploaded apart, as the SDK does)."""
    figure = {"entityId": lab.ids[0], "classId": lab.cls("glow").sly_id, "geometryType": "alpha_mask",
              "geometry": {}}
    return lab.api.image.figure.create_bulk([figure] * count, dataset_id=lab.dataset.id)


def _bitmap_json(alpha: np.ndarray) -> dict:
    return sly.AlphaMask(alpha).to_json()["bitmap"]


# ---- figures -------------------------------------------------------------------------------------------------------


@call("figure.create")
def _figure_create(w: World) -> None:
    lab = Lab(w, images=1)
    with w.sent(), pytest.raises(HTTPError, match="not in the project meta") as refused:
        # FigureApi.create names an annotation object, not a class: an image figure needs its class, so it is refused
        w.api.image.figure.create(lab.ids[0], 1, {}, sly.Point(1, 2).to_json(), "point")
    assert refused.value.response.status_code == 400
    assert lab.labels_count() == 0


@call("figure.create_bulk")
def _figure_create_bulk(w: World) -> None:
    lab = Lab(w, images=2)
    figures = [
        {"entityId": lab.ids[0], "classId": lab.cls("dot").sly_id, "geometryType": "point",
         "geometry": sly.Point(7, 9).to_json()},
        {"entityId": lab.ids[1], "classId": lab.cls("box").sly_id, "geometryType": "rectangle",
         "geometry": sly.Rectangle(1, 2, 11, 22).to_json()},
    ]
    with w.sent():
        ids = w.api.image.figure.create_bulk(figures, dataset_id=lab.dataset.id)
    assert len(set(ids)) == 2
    assert [o["id"] for o in lab.raw(0)["objects"]] == ids[:1] and [o["id"] for o in lab.raw(1)["objects"]] == ids[1:]
    # create_bulk sends geometry as the server keeps it: it is stored as given
    assert [w.api.image.figure.get_info_by_id(i).geometry for i in ids] == [f["geometry"] for f in figures]
    assert [lab.labels_count(0), lab.labels_count(1)] == [1, 1]


@call("figure.download", "figure.download_async", "figure.download_fast")
def _figure_download(w: World) -> None:
    lab = Lab(w, images=2)
    first, second = lab.annotate(0), lab.annotate(1, lab.dot(3, 4))
    with w.sent():
        plain = w.api.image.figure.download(lab.dataset.id, lab.ids, integer_coords=False)
        fast = w.api.image.figure.download_fast(lab.dataset.id, [lab.ids[1]], log_progress=False)
        waited = asyncio.run(w.api.image.figure.download_async(lab.dataset.id, lab.ids, skip_geometry=True,
                                                                log_progress=False))
    assert {k: [f.id for f in v] for k, v in plain.items()} == {lab.ids[0]: first, lab.ids[1]: second}
    assert [f.class_id for f in plain[lab.ids[0]]] == [lab.cls("box").sly_id, lab.cls("dot").sly_id]
    assert plain[lab.ids[1]][0].geometry["points"]["exterior"] == [[4.5, 3.5]]  # the pixel centre the SDK uploaded
    assert list(fast) == [lab.ids[1]] and fast[lab.ids[1]][0].geometry == plain[lab.ids[1]][0].geometry
    assert {k: [f.id for f in v] for k, v in waited.items()} == {lab.ids[0]: first, lab.ids[1]: second}
    assert all(f.geometry is None for v in waited.values() for f in v)  # skip_geometry: none asked, none sent


@call("figure.get_by_ids")
def _figure_get_by_ids(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    with w.sent():
        infos = w.api.image.figure.get_by_ids(lab.dataset.id, [dot])
    assert [(f.id, f.class_id, f.entity_id) for f in infos] == [(dot, lab.cls("dot").sly_id, lab.ids[0])]
    assert (infos[0].geometry_type, infos[0].tags) == ("point", [])
    assert [f.tags[0]["value"] for f in w.api.image.figure.get_by_ids(lab.dataset.id, [box])] == [0.5]


@call("figure.get_info_by_id")
def _figure_get_info_by_id(w: World) -> None:
    lab = Lab(w, images=1)
    box, _ = lab.annotate(0)
    with w.sent():
        info = w.api.image.figure.get_info_by_id(box)
    assert (info.id, info.class_id, info.geometry_type) == (box, lab.cls("box").sly_id, "rectangle")
    assert [t["value"] for t in info.tags] == [0.5] and info.tags[0]["tagId"] == lab.tag("score").sly_id


@call("figure.upload_geometry", "figure.upload_geometries_batch", "figure.upload_geometries_batch_async")
def _figure_upload_geometries(w: World) -> None:
    lab = Lab(w, images=1)
    one, two, three = _alpha_figures(lab, 3)
    alpha = _alpha()
    with w.sent():
        w.api.image.figure.upload_geometry(one, _bitmap_json(alpha))
        w.api.image.figure.upload_geometries_batch([two], [_bitmap_json(alpha // 2)])
        asyncio.run(w.api.image.figure.upload_geometries_batch_async([three], [_bitmap_json(alpha // 4)]))
    masks = {label.geometry.data.max() for label in lab.read().labels}
    assert masks == {alpha.max(), alpha.max() // 2, alpha.max() // 4}
    assert all((label.geometry.origin.row, label.geometry.origin.col) == (4, 8) for label in lab.read().labels)


@call("figure.download_geometry", "figure.download_geometries_batch", "figure.download_geometries_batch_async")
def _figure_download_geometries(w: World) -> None:
    lab = Lab(w, images=1)
    one, two = _alpha_figures(lab, 2)
    sent_one, sent_two = _bitmap_json(_alpha()), _bitmap_json(_alpha() // 3)
    w.api.image.figure.upload_geometries_batch([one, two], [sent_one, sent_two])
    with w.sent():
        single = w.api.image.figure.download_geometry(one)
        batch = w.api.image.figure.download_geometries_batch([two, one])
        waited = asyncio.run(w.api.image.figure.download_geometries_batch_async([two]))
    assert single == [sent_one]  # download_geometry answers a list of its one geometry
    assert batch == [sent_two, sent_one] and waited == [sent_two]


def _job_labels(w: World, lab: Lab) -> dict[str, int]:
    """Labels per class in a labeling job over the lab's dataset (job stats count what is live)."""
    job = w.api.labeling_job.create(w.unique("job"), lab.dataset.id, [w.seed["admin"]])[0]
    return {c["name"]: c["labelsCount"] for c in w.api.labeling_job.get_stats(job.id)["classes"]}


@call("figure.remove", "figure.remove_batch")
def _figure_remove(w: World) -> None:
    lab = Lab(w, images=2)
    box, dot = lab.annotate(0)
    other_box, other_dot = lab.annotate(1)
    with w.sent():
        w.api.image.figure.remove(box)
        w.api.image.figure.remove_batch([other_box, other_dot])
    assert [o["id"] for o in lab.raw(0)["objects"]] == [dot] and lab.raw(1)["objects"] == []
    assert [lab.labels_count(0), lab.labels_count(1)] == [1, 0]
    assert {k: [f.id for f in v] for k, v in w.api.image.figure.download(lab.dataset.id, lab.ids).items()} \
        == {lab.ids[0]: [dot]}
    assert w.api.image.figure.get_info_by_id(box) is None
    assert _job_labels(w, lab) == {"glow": 0, "dot": 1, "box": 0}
    assert [t.name for t in lab.read(0).img_tags] == ["quality"]  # image tags are not figures: they stay


@call("figure.restore", "figure.restore_batch")
def _figure_restore(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    before = _summary(lab.read())
    w.api.image.figure.remove_batch([box, dot])
    assert lab.labels_count() == 0
    with w.sent():
        w.api.image.figure.restore(box)
        w.api.image.figure.restore_batch([dot])
    assert [o["id"] for o in lab.raw()["objects"]] == [box, dot]  # the same figures, with their ids
    assert _summary(lab.read()) == before and lab.labels_count() == 2
    assert _job_labels(w, lab) == {"glow": 0, "dot": 1, "box": 1}
    with pytest.raises(HTTPError, match="Figure with id"):
        w.api.image.figure.restore(10**9)


# ---- tag metas and tags --------------------------------------------------------------------------------------------


@call("tag.get_list", "tag.get_name_to_id_map")
def _tag_get_list(w: World) -> None:
    lab = Lab(w, images=0)
    with w.sent():
        infos = w.api.image.tag.get_list(lab.project.id)
        by_name = w.api.image.tag.get_name_to_id_map(lab.project.id)
    assert [i.name for i in infos] == ["quality", "score", "note", "checked"]
    assert by_name == {t.name: t.sly_id for t in lab.meta.tag_metas}
    quality = infos[0]
    assert quality.project_id == lab.project.id and quality.color.startswith("#") and quality.created_at
    assert quality.settings["type"] == "oneof_string" and quality.settings["values"] == ["good", "bad"]
    assert quality.settings["applicableType"] == "imagesOnly"


@call("tag.get_info_by_name", "tag.exists", "tag.get_free_name")
def _tag_by_name(w: World) -> None:
    lab = Lab(w, images=0)
    with w.sent():
        info = w.api.image.tag.get_info_by_name(lab.project.id, "score")
        missing = w.api.image.tag.get_info_by_name(lab.project.id, "absent")
        found, absent = w.api.image.tag.exists(lab.project.id, "note"), w.api.image.tag.exists(lab.project.id, "x")
        free = w.api.image.tag.get_free_name(lab.project.id, "note")
    assert (info.id, info.settings["type"]) == (lab.tag("score").sly_id, "any_number") and missing is None
    assert (found, absent) == (True, False)
    assert free != "note" and free.startswith("note")


@call("tag.create", "tag.create_bulk")
def _tag_create(w: World) -> None:
    lab = Lab(w, images=1)
    made = [
        sly.TagMeta("species", sly.TagValueType.ONEOF_STRING, possible_values=["a", "b"],
                    applicable_to=sly.TagApplicableTo.OBJECTS_ONLY, color=[10, 20, 30]),
        sly.TagMeta("depth", sly.TagValueType.ANY_NUMBER, hotkey="D"),
    ]
    with w.sent():
        one = w.api.image.tag.create(lab.project.id, sly.TagMeta("reviewed", sly.TagValueType.NONE))
        many = w.api.image.tag.create_bulk(lab.project.id, made)
        with pytest.raises(HTTPError, match="already exists") as twice:
            w.api.image.tag.create(lab.project.id, sly.TagMeta("note", sly.TagValueType.NONE))
    assert twice.value.response.status_code == 400
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(lab.project.id))
    assert one["title"] == "reviewed" and meta.get_tag_meta("reviewed").sly_id == one["id"]
    assert [m["id"] for m in many] == [meta.get_tag_meta("species").sly_id, meta.get_tag_meta("depth").sly_id]
    species = meta.get_tag_meta("species")
    assert (species.possible_values, species.applicable_to, species.color) == (["a", "b"], "objectsOnly", [10, 20, 30])
    assert meta.get_tag_meta("depth").hotkey == "D"
    w.api.image.add_tag(lab.ids[0], meta.get_tag_meta("reviewed").sly_id)  # a made tag can be put on an image
    assert [t.name for t in sly.Annotation.from_json(lab.raw(), meta).img_tags] == ["reviewed"]


@call("tag.update_meta")
def _tag_update_meta(w: World) -> None:
    lab = Lab(w, images=1)
    lab.annotate(0)
    score = lab.tag("score")
    with w.sent():
        answer = w.api.image.tag.update_meta(score.sly_id, project_id=lab.project.id, name="confidence",
                                             applicable_to=sly.TagApplicableTo.ALL)
    assert answer == {"id": score.sly_id, "title": "confidence"}
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(lab.project.id))
    renamed = meta.get_tag_meta("confidence")
    assert meta.get_tag_meta("score") is None and renamed.sly_id == score.sly_id
    assert (renamed.applicable_to, renamed.value_type, renamed.color) == ("all", "any_number", score.color)
    box = sly.Annotation.from_json(lab.raw(), meta).labels[0]
    assert [(t.name, t.value) for t in box.tags] == [("confidence", 0.5)]  # tags on labels follow the rename


@call("tag.add_to_entities_json")
def _tag_add_to_entities(w: World) -> None:
    lab = Lab(w, images=2)
    quality, note = lab.tag("quality").sly_id, lab.tag("note").sly_id
    tags = [{"tagId": quality, "entityId": lab.ids[0], "value": "bad"},
            {"tagId": note, "entityId": lab.ids[0], "value": "blurry"},
            {"tagId": quality, "entityId": lab.ids[1], "value": "good"}]
    with w.sent():
        ids = w.api.image.tag.add_to_entities_json(lab.project.id, tags)
        with pytest.raises(HTTPError, match="must be one of") as wrong:
            w.api.image.tag.add_to_entities_json(lab.project.id, [{"tagId": quality, "entityId": lab.ids[1],
                                                                   "value": "awful"}])
    assert wrong.value.response.status_code == 400 and len(set(ids)) == 3
    assert sorted((t.name, t.value) for t in lab.read(0).img_tags) == [("note", "blurry"), ("quality", "bad")]
    assert [(t.name, t.value) for t in lab.read(1).img_tags] == [("quality", "good")]
    assert sorted(t["id"] for t in lab.raw(0)["tags"]) == sorted(ids[:2])


@call("tag.append_to_entity")
def _tag_append_to_entity(w: World) -> None:
    lab = Lab(w, images=1)
    tags = sly.TagCollection([sly.Tag(lab.tag("note"), "x")])
    with w.sent(), pytest.raises(RuntimeError, match="_method_bulk_add"):
        # the base TagApi names no endpoint for an entity's tags: api.image.add_tag(s) is the image way
        w.api.image.tag.append_to_entity(lab.ids[0], lab.project.id, tags)
    assert lab.raw()["tags"] == []


@call("tag.update_custom_data")
def _tag_custom_data(w: World) -> None:
    lab = Lab(w, images=1)
    lab.annotate(0)
    image_tag = lab.raw()["tags"][0]["id"]
    with w.sent():
        first = w.api.image.tag.update_custom_data(image_tag, {"source": "model", "scores": {"a": 1}})
        merged = w.api.image.tag.update_custom_data(image_tag, {"scores": {"b": 2}})
        replaced = w.api.image.tag.update_custom_data(image_tag, {"only": True}, update_strategy="replace")
    assert first == {"source": "model", "scores": {"a": 1}}
    assert merged == {"source": "model", "scores": {"a": 1, "b": 2}}  # merge goes deep
    assert replaced == {"only": True}
    assert [(t.name, t.value) for t in lab.read().img_tags] == [("quality", "good")]  # the tag itself is unchanged


@call("tag.update_figure_custom_data")
def _tag_figure_custom_data(w: World) -> None:
    lab = Lab(w, images=1)
    box, _ = lab.annotate(0)
    figure_tag = lab.raw()["objects"][0]["tags"][0]["id"]
    with w.sent():
        first = w.api.image.tag.update_figure_custom_data(figure_tag, {"reviewer": "ann"})
        merged = w.api.image.tag.update_figure_custom_data(figure_tag, {"round": 2})
        with pytest.raises(HTTPError, match="not found"):
            w.api.image.tag.update_figure_custom_data(figure_tag + 10**6, {})
    assert (first, merged) == ({"reviewer": "ann"}, {"reviewer": "ann", "round": 2})
    w.api.image.figure.remove(box)
    w.api.image.figure.restore(box)  # custom data goes and comes back with its figure
    assert w.api.image.tag.update_figure_custom_data(figure_tag, {}) == {"reviewer": "ann", "round": 2}


@call("image.update_tag_value")
def _update_tag_value(w: World) -> None:
    lab = Lab(w, images=1)
    lab.annotate(0)
    w.api.image.add_tag(lab.ids[0], lab.tag("note").sly_id, "first")
    tags = {t["name"]: t["id"] for t in lab.raw()["tags"]}
    with w.sent():
        answer = w.api.image.update_tag_value(tags["note"], "second")
        w.api.image.update_tag_value(tags["quality"], "bad")
    with pytest.raises(HTTPError, match="must be one of") as wrong:
        w.api.image.update_tag_value(tags["quality"], "awful")
    with pytest.raises(HTTPError, match="needs a string"):
        w.api.image.update_tag_value(tags["note"], 3)
    assert wrong.value.response.status_code == 400
    assert (answer["id"], answer["value"]) == (tags["note"], "second")
    assert sorted((t.name, t.value) for t in lab.read().img_tags) == [("note", "second"), ("quality", "bad")]


# ---- advanced: tags one at a time ----------------------------------------------------------------------------------


@call("advanced.add_tag_to_object")
def _add_tag_to_object(w: World) -> None:
    lab = Lab(w, images=1)
    _, dot = lab.annotate(0)
    with w.sent():
        answer = w.api.advanced.add_tag_to_object(lab.tag("note").sly_id, dot, "tiny")
        with pytest.raises(HTTPError, match="cannot be put on objects"):
            w.api.advanced.add_tag_to_object(lab.tag("quality").sly_id, dot, "good")
    dot_label = lab.read().labels[1]
    assert [(t.name, t.value) for t in dot_label.tags] == [("note", "tiny")]
    assert lab.raw()["objects"][1]["tags"][0]["id"] == answer["id"]


@call("advanced.get_object_tags")
def _get_object_tags(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    with w.sent():
        tags, none = w.api.advanced.get_object_tags(box), w.api.advanced.get_object_tags(dot)
    assert [(t["name"], t["value"], t["tagId"]) for t in tags] == [("score", 0.5, lab.tag("score").sly_id)]
    assert none == []


@call("advanced.remove_tag_from_image")
def _remove_tag_from_image(w: World) -> None:
    lab = Lab(w, images=1)
    lab.annotate(0)
    w.api.image.add_tag(lab.ids[0], lab.tag("note").sly_id, "keep")
    tags = {t["name"]: t["id"] for t in lab.raw()["tags"]}
    with w.sent():
        w.api.advanced.remove_tag_from_image(lab.tag("quality").sly_id, lab.ids[0], tags["quality"])
        with pytest.raises(HTTPError, match="not found"):  # the tag id must be one of that meta on that image
            w.api.advanced.remove_tag_from_image(lab.tag("quality").sly_id, lab.ids[0], tags["note"])
    assert [(t.name, t.value) for t in lab.read().img_tags] == [("note", "keep")]
    assert len(lab.read().labels) == 2


@call("advanced.remove_tag_from_object")
def _remove_tag_from_object(w: World) -> None:
    lab = Lab(w, images=1)
    box, _ = lab.annotate(0)
    w.api.advanced.add_tag_to_object(lab.tag("checked").sly_id, box)
    tags = {t["name"]: t["id"] for t in w.api.advanced.get_object_tags(box)}
    with w.sent():
        w.api.advanced.remove_tag_from_object(lab.tag("score").sly_id, box, tags["score"])
    assert [t.name for t in lab.read().labels[0].tags] == ["checked"]
    assert [t.name for t in lab.read().img_tags] == ["quality"]


@call("advanced.remove_tags_from_images")
def _remove_tags_from_images(w: World) -> None:
    lab = Lab(w, images=3)
    for index in range(3):
        lab.annotate(index)
    w.api.image.add_tag_batch(lab.ids, lab.tag("note").sly_id, "n")
    with w.sent():
        w.api.advanced.remove_tags_from_images([lab.tag("quality").sly_id], lab.ids[:2])
    assert [sorted(t.name for t in lab.read(i).img_tags) for i in range(3)] == [["note"], ["note"], ["note", "quality"]]
    assert all(len(lab.read(i).labels) == 2 for i in range(3))  # object tags are not image tags


# ---- annotations ---------------------------------------------------------------------------------------------------


@call("annotation.upload_ann")
def _upload_ann(w: World) -> None:
    lab = Lab(w, images=1)
    ann = lab.ann(lab.box(), lab.dot())
    with w.sent():
        w.api.annotation.upload_ann(lab.ids[0], ann)
    assert _summary(lab.read()) == _summary(ann) and lab.labels_count() == 2


@call("annotation.upload_anns")
def _upload_anns(w: World) -> None:
    lab = Lab(w, images=2)
    anns = [lab.ann(lab.box()), lab.ann(lab.dot(), quality="bad")]
    with w.sent():
        w.api.annotation.upload_anns(lab.ids, anns)
    assert [_summary(lab.read(i)) for i in range(2)] == [_summary(a) for a in anns]


@call("annotation.upload_json")
def _upload_json(w: World) -> None:
    lab = Lab(w, images=1)
    ann = lab.ann(lab.box(score=2.5))
    with w.sent():
        w.api.annotation.upload_json(lab.ids[0], ann.to_json())
    assert _summary(lab.read()) == _summary(ann)


@call("annotation.upload_jsons")
def _upload_jsons(w: World) -> None:
    lab = Lab(w, images=2)
    anns = [lab.ann(lab.dot(1, 1)), lab.ann(lab.dot(2, 2), lab.box())]
    with w.sent():
        w.api.annotation.upload_jsons(lab.ids, [a.to_json() for a in anns])
    assert [_summary(lab.read(i)) for i in range(2)] == [_summary(a) for a in anns]


@call("annotation.upload_path")
def _upload_path(w: World) -> None:
    lab = Lab(w, images=1)
    ann = lab.ann(lab.box(), quality="bad")
    path = _write(w, ann)
    with w.sent():
        w.api.annotation.upload_path(lab.ids[0], str(path))
    assert _summary(lab.read()) == _summary(ann)


@call("annotation.upload_paths")
def _upload_paths(w: World) -> None:
    lab = Lab(w, images=2)
    anns = [lab.ann(lab.dot()), lab.ann(lab.box(), lab.dot(9, 9))]
    paths = [str(_write(w, a)) for a in anns]
    with w.sent():
        w.api.annotation.upload_paths(lab.ids, paths)
    assert [_summary(lab.read(i)) for i in range(2)] == [_summary(a) for a in anns]


def _write(w: World, ann: sly.Annotation) -> Path:
    path = Path(tempfile.mkdtemp()) / f"{w.unique('ann')}.json"
    path.write_text(json.dumps(ann.to_json()))
    return path


@call("annotation.upload_anns_fast", "annotation.upload_anns_async")
def _upload_anns_fast(w: World) -> None:
    lab = Lab(w, images=3)
    # no alpha mask here: its geometry goes by figure.upload_geometries_batch_async, which the inventory's trace
    # of this method does not follow (api.image.figure is not one of sly.Api's own attributes)
    noted = sly.Label(sly.Point(3, 3), lab.cls("dot"), tags=[sly.Tag(lab.tag("note"), "bright")])
    anns = [lab.ann(lab.box(), lab.dot()), lab.ann(noted, quality="bad"), lab.ann(lab.box(score=7))]
    lab.annotate(0, lab.dot(1, 1), quality=None)  # what is there stays: these upload paths append
    with w.sent():
        w.api.annotation.upload_anns_fast(lab.ids[:2], anns[:2], log_progress=False)
        asyncio.run(w.api.annotation.upload_anns_async([lab.ids[2]], anns[2:], log_progress=False))
    first = lab.read(0)
    assert [(label.obj_class.name, [t.value for t in label.tags]) for label in first.labels] \
        == [("dot", []), ("box", [0.5]), ("dot", [])]
    assert [(t.name, t.value) for t in first.img_tags] == [("quality", "good")]
    assert _summary(lab.read(1), geometry=False) == _summary(anns[1], geometry=False)
    assert _summary(lab.read(2), geometry=False) == _summary(anns[2], geometry=False)
    # these paths send pixel geometry as it is (no subpixel shift, unlike upload_ann): it is stored as sent
    stored = w.api.image.figure.download(lab.dataset.id, [lab.ids[2]], integer_coords=False)[lab.ids[2]]
    assert [f.geometry for f in stored] == [_shape(anns[2].labels[0].geometry)]


@call("annotation.append_labels")
def _append_labels(w: World) -> None:
    lab = Lab(w, images=1)
    lab.annotate(0, lab.dot())
    with w.sent():
        w.api.annotation.append_labels(lab.ids[0], [lab.box(), lab.dot(8, 8)])
    ann = lab.read()
    assert [label.obj_class.name for label in ann.labels] == ["dot", "box", "dot"]
    assert (ann.labels[2].geometry.row, ann.labels[2].geometry.col) == (8, 8)
    assert [t.name for t in ann.img_tags] == ["quality"] and lab.labels_count() == 3


@call("annotation.append_labels_group")
def _append_labels_group(w: World) -> None:
    meta = _meta().add_tag_meta(sly.TagMeta(_LABEL_GROUP_TAG_NAME, sly.TagValueType.ANY_STRING))
    lab = Lab(w, images=2, meta=meta)
    lab.annotate(0, lab.dot())
    with w.sent():
        w.api.annotation.append_labels_group(lab.dataset.id, lab.ids, [lab.box(), lab.box(top=20)],
                                             project_meta=lab.meta, group_name="pair")
    first, second = lab.read(0), lab.read(1)
    assert [label.obj_class.name for label in first.labels] == ["dot", "box"]
    groups = [t.value for ann in (first, second) for label in ann.labels for t in label.tags
              if t.name == _LABEL_GROUP_TAG_NAME]
    assert groups == ["pair", "pair"] and second.labels[0].geometry.top == 20


@call("annotation.copy")
def _copy(w: World) -> None:
    lab = Lab(w, images=2)
    lab.annotate(0)
    with w.sent():
        w.api.annotation.copy(lab.ids[0], lab.ids[1])
    assert _summary(lab.read(1)) == _summary(lab.read(0))
    assert {o["id"] for o in lab.raw(1)["objects"]}.isdisjoint(o["id"] for o in lab.raw(0)["objects"])


@call("annotation.copy_batch")
def _copy_batch(w: World) -> None:
    lab = Lab(w, images=4)
    lab.annotate(0)
    lab.annotate(1, lab.dot(3, 3), quality="bad")
    with w.sent():
        w.api.annotation.copy_batch(lab.ids[:2], lab.ids[2:])
    assert [_summary(lab.read(i)) for i in (2, 3)] == [_summary(lab.read(i)) for i in (0, 1)]


@call("annotation.copy_batch_by_ids")
def _copy_batch_by_ids(w: World) -> None:
    lab = Lab(w, images=2)
    lab.annotate(0)
    lab.annotate(1, lab.dot(30, 30))
    with w.sent():
        w.api.annotation.copy_batch_by_ids([lab.ids[0]], [lab.ids[1]])
    assert _summary(lab.read(1)) == _summary(lab.read(0))  # the target's own dot is replaced


@call("annotation.download", "annotation.download_json", "annotation.download_async")
def _download(w: World) -> None:
    lab = Lab(w, images=1)
    lab.annotate(0)
    ann = lab.ann(lab.box(), lab.dot())
    with w.sent():
        info = w.api.annotation.download(lab.ids[0])
        as_json = w.api.annotation.download_json(lab.ids[0])
        waited = asyncio.run(w.api.annotation.download_async(lab.ids[0]))
    assert (info.image_id, info.image_name, info.dataset_id) == (lab.ids[0], "0.png", lab.dataset.id)
    assert _summary(sly.Annotation.from_json(info.annotation, lab.meta)) == _summary(ann)
    assert as_json == info.annotation and waited.annotation == info.annotation
    assert "customBigData" not in info.annotation  # not asked for, not sent


@call("annotation.download_batch", "annotation.download_json_batch")
def _download_batch(w: World) -> None:
    lab = Lab(w, images=3)
    lab.annotate(0)
    lab.annotate(2, lab.dot(1, 2), quality="bad")
    with w.sent():
        infos = w.api.annotation.download_batch(lab.dataset.id, [lab.ids[2], lab.ids[0]])
        jsons = w.api.annotation.download_json_batch(lab.dataset.id, lab.ids)
    assert [i.image_id for i in infos] == [lab.ids[2], lab.ids[0]]
    assert [len(i.annotation["objects"]) for i in infos] == [1, 2]
    assert [len(j["objects"]) for j in jsons] == [2, 0, 1] and jsons[1]["tags"] == []


@call("annotation.download_batch_async")
def _download_batch_async(w: World) -> None:
    lab = Lab(w, images=2)
    lab.annotate(0)
    lab.annotate(1, lab.dot())
    with w.sent():
        batch = asyncio.run(w.api.annotation.download_batch_async(lab.dataset.id, lab.ids))
    assert [i.image_id for i in batch] == lab.ids
    assert [len(i.annotation["objects"]) for i in batch] == [2, 1]
    assert [i.annotation for i in batch] == [lab.raw(0), lab.raw(1)]


@call("annotation.download_bulk_async")
def _download_bulk_async(w: World) -> None:
    lab = Lab(w, images=2)
    lab.annotate(0)
    lab.annotate(1, lab.dot(), quality="bad")
    with w.sent():
        bulk = asyncio.run(w.api.annotation.download_bulk_async(lab.dataset.id, lab.ids[::-1]))
    assert [i.image_id for i in bulk] == lab.ids[::-1]
    assert [i.annotation for i in bulk] == [lab.raw(1), lab.raw(0)]
    assert [t["value"] for t in bulk[0].annotation["tags"]] == ["bad"]


@call("annotation.get_list", "annotation.get_list_generator")
def _get_list(w: World) -> None:
    lab = Lab(w, images=3)
    lab.annotate(1)
    with w.sent():
        infos = w.api.annotation.get_list(lab.dataset.id)
        pages = list(w.api.annotation.get_list_generator(lab.dataset.id, batch_size=2))
    assert [i.image_id for i in infos] == lab.ids
    assert [len(i.annotation["objects"]) for i in infos] == [0, 2, 0]
    assert [[i.image_id for i in page] for page in pages] == [lab.ids[:2], lab.ids[2:]]


@call("annotation.get_label_by_id")
def _get_label_by_id(w: World) -> None:
    lab = Lab(w, images=1)
    box, _ = lab.annotate(0)
    with w.sent():
        label = w.api.annotation.get_label_by_id(box, lab.meta)
    assert label.obj_class.name == "box" and [(t.name, t.value) for t in label.tags] == [("score", 0.5)]
    # figures.info answers the geometry as stored (the SDK uploaded it in subpixel form); get_label_by_id keeps it so
    assert label.geometry.to_json()["points"]["exterior"] == [[3, 2], [24, 13]]


@call("annotation.update_label")
def _update_label(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    moved = lab.box(top=20, score=0.9).add_tag(sly.Tag(lab.tag("note"), "moved"))
    with w.sent():
        w.api.annotation.update_label(box, moved)
        with pytest.raises(HTTPError, match="needs a number") as wrong:  # "score" holds numbers on the server
            wordy = sly.Tag(sly.TagMeta("score", sly.TagValueType.ANY_STRING), "high")
            w.api.annotation.update_label(dot, sly.Label(sly.Point(1, 1), lab.cls("dot"), tags=[wordy]))
    assert wrong.value.response.status_code == 400
    ann = lab.read()
    assert [o["id"] for o in lab.raw()["objects"]] == [box, dot]  # same figure, changed in place
    assert ann.labels[0].geometry.top == 20
    assert sorted((t.name, t.value) for t in ann.labels[0].tags) == [("note", "moved"), ("score", 0.9)]
    assert ann.labels[1].tags.to_json() == [] and (ann.labels[1].geometry.row, ann.labels[1].geometry.col) == (5, 6)


@call("annotation.update_label_priority")
def _update_label_priority(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    with w.sent():
        w.api.annotation.update_label_priority(dot, 5)
    assert w.api.image.figure.get_info_by_id(dot).priority == 5
    assert w.api.image.figure.get_info_by_id(box).priority is None
    assert _summary(lab.read()) == _summary(lab.ann(lab.box(), lab.dot()))


@call("tag.add_to_objects")
def _tag_add_to_objects(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    note, checked = lab.tag("note").sly_id, lab.tag("checked").sly_id
    with w.sent():
        answer = w.api.image.tag.add_to_objects(lab.project.id, [
            {"tagId": note, "figureId": dot, "value": "tiny"}, {"tagId": checked, "figureId": box}])
    assert len(answer) == 2
    labels = lab.read().labels
    assert sorted((t.name, t.value) for t in labels[0].tags) == [("checked", None), ("score", 0.5)]
    assert [(t.name, t.value) for t in labels[1].tags] == [("note", "tiny")]


@call("tag.add_tags_collection_to_objects")
def _tag_add_collection(w: World) -> None:
    lab = Lab(w, images=1)
    box, dot = lab.annotate(0)
    tags = {box: sly.TagCollection([sly.Tag(lab.tag("note"), "big")]),
            dot: sly.TagCollection([sly.Tag(lab.tag("note"), "small"), sly.Tag(lab.tag("checked"))])}
    with w.sent():
        answer = w.api.image.tag.add_tags_collection_to_objects(lab.project.id, tags)
    assert len(answer) == 3
    labels = lab.read().labels
    assert sorted((t.name, t.value) for t in labels[0].tags) == [("note", "big"), ("score", 0.5)]
    assert sorted((t.name, str(t.value)) for t in labels[1].tags) == [("checked", "None"), ("note", "small")]
