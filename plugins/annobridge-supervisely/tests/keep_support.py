"""Shared pieces of the keep-for-the-way-back tests: a meta of every Supervisely kind, Supervisely annotation JSON
as a server answers it (hypothesis), and the trip through Label Studio's converters with the stash stored as the
Label Studio side stores it (in the task's meta: regions_keep).

Test modules import these names package-relative (`from .keep_support import META`).
"""

from __future__ import annotations

import numpy as np
import supervisely as sly
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.regions import from_labelstudio, to_labelstudio
from annobridge_labelstudio.regions_keep import STASH, task_meta, task_stashes
from annobridge_supervisely.figures_native import split_stash, writable
from annobridge_supervisely.meta import meta_to_schema
from hypothesis import strategies as st
from supervisely.annotation.label import LabelingStatus
from supervisely.geometry.graph import KeypointsTemplate
from supervisely.geometry.multipolygon import Multipolygon
from supervisely.geometry.oriented_bbox import OrientedBBox

__all__ = ["LS_CONFIG", "META", "META_JSON", "SCHEMA", "as_server_keeps", "label_studio_trip", "sly_annotations"]

LOGINS = ["anna", "bob", "carl"]
TIMES = ["2020-08-07T11:09:51.054Z", "2021-01-22T19:37:50.158Z", "2024-06-01T00:00:00.000Z"]


def graph_template(ids_are_labels: bool = False) -> dict:
    """A nose-eye-ear keypoint template; its node ids are random-looking unless `ids_are_labels`."""
    template = KeypointsTemplate()
    for label, row, col in (("nose", 10, 20), ("eye", 5, 25), ("ear", 5, 30)):
        template.add_point(label, row=row, col=col)
    template.add_edge("nose", "eye")
    config = template.config
    if not ids_are_labels:
        config["nodes"] = {f"n-{label}": node for label, node in config["nodes"].items()}
        config["edges"] = [{**e, "src": f"n-{e['src']}", "dst": f"n-{e['dst']}"} for e in config["edges"]]
    return config


def make_meta(*, lacking: bool = True, ids_are_labels: bool = False) -> sly.ProjectMeta:
    """Classes of every geometry (with `lacking`, also those annobridge has no shape for) and tags of every type."""
    classes = [
        sly.ObjClass("box", sly.Rectangle, color=[255, 0, 0]),
        sly.ObjClass("leaf", sly.Polygon, color=[0, 255, 0]),
        sly.ObjClass("road", sly.Polyline, color=[0, 0, 255]),
        sly.ObjClass("pin", sly.Point, color=[255, 255, 0]),
        sly.ObjClass("person", sly.GraphNodes, color=[0, 255, 255], geometry_config=graph_template(ids_are_labels)),
        sly.ObjClass("kiwi", sly.Bitmap, color=[255, 0, 255]),
        sly.ObjClass("thing", sly.AnyGeometry, color=[9, 9, 9]),
    ]
    if lacking:
        classes += [
            sly.ObjClass("tilted", OrientedBBox, color=[128, 0, 0]),
            sly.ObjClass("blocks", Multipolygon, color=[0, 128, 0]),
            sly.ObjClass("glow", sly.AlphaMask, color=[200, 200, 200]),
        ]
    tags = [
        sly.TagMeta(
            "size",
            sly.TagValueType.ONEOF_STRING,
            possible_values=["small", "large"],
            applicable_to=sly.TagApplicableTo.OBJECTS_ONLY,
            applicable_classes=["box", "kiwi"],
        ),
        sly.TagMeta("note", sly.TagValueType.ANY_STRING),
        sly.TagMeta("weight", sly.TagValueType.ANY_NUMBER),
        sly.TagMeta("flag", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
        sly.TagMeta("ripe", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
    ]
    if lacking:
        tags.append(sly.TagMeta("seen", sly.TagValueType.DATE))
    return sly.ProjectMeta(obj_classes=classes, tag_metas=tags)


META = make_meta()
META_JSON = META.to_json()
SCHEMA, _ = meta_to_schema(META_JSON)
LS_CONFIG = build_label_config(SCHEMA)  # the config annobridge writes for the Label Studio project


def as_server_keeps(annotation: dict, meta=META) -> dict:
    """An annotation JSON as a Supervisely server keeps it for a write (figures_native.writable), without
    annobridge's stash."""
    return writable(split_stash(annotation)[0], meta)


def label_studio_trip(neutral, *, config: str = LS_CONFIG, schema=SCHEMA, task_meta_before: dict | None = None):
    """neutral -> Label Studio annotation (its stash put in the task's meta, as the Label Studio writers do) ->
    neutral; returns (back, what went there, the report there, the report back)."""
    data, there = to_labelstudio(neutral, label_config=config, schema=schema, keep=True)
    meta = task_meta(task_meta_before, [data.pop(STASH)])
    back, home = from_labelstudio(
        data,
        label_config=config,
        schema=schema,
        item=neutral.item,
        width=neutral.width,
        height=neutral.height,
        stashes=task_stashes({"meta": meta}),
    )
    return back, data, there, home


# -- Supervisely annotation JSON as a server answers it ----------------------------------------------------------


def _point(draw, w, h):
    return sly.PointLocation(draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1)))


def _ring(draw, w, h, n_min, n_max):
    return [_point(draw, w, h) for _ in range(draw(st.integers(n_min, n_max)))]


def _geometry(draw, name: str, w: int, h: int):
    if name == "box":
        top, bottom = sorted(draw(st.lists(st.integers(0, h - 1), min_size=2, max_size=2)))
        left, right = sorted(draw(st.lists(st.integers(0, w - 1), min_size=2, max_size=2)))
        return sly.Rectangle(top, left, bottom, right)
    if name == "tilted":
        box = _geometry(draw, "box", w, h)
        angle = draw(st.floats(-3.1, 3.1, allow_nan=False).filter(lambda a: a != 0))
        return OrientedBBox(box.top, box.left, box.bottom, box.right, angle=angle)
    if name == "leaf":
        holes = [_ring(draw, w, h, 3, 5) for _ in range(draw(st.integers(0, 2)))]
        return sly.Polygon(_ring(draw, w, h, 3, 7), holes)
    if name == "blocks":  # several polygons, one object
        parts = [(_ring(draw, w, h, 3, 5), [_ring(draw, w, h, 3, 4)] if draw(st.booleans()) else []) for _ in "ab"]
        return Multipolygon(parts)
    if name == "road":
        return sly.Polyline(_ring(draw, w, h, 2, 6))
    if name == "pin":
        return sly.Point(draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1)))
    if name == "person":
        ids = draw(st.lists(st.sampled_from(["n-nose", "n-eye", "n-ear"]), min_size=1, max_size=3, unique=True))
        hidden = [draw(st.booleans()) for _ in ids]
        hidden[0] = False
        return sly.GraphNodes({i: sly.Node(_point(draw, w, h), disabled=d) for i, d in zip(ids, hidden)})
    if name in ("kiwi", "glow"):
        mh, mw = draw(st.integers(1, min(h, 8))), draw(st.integers(1, min(w, 8)))
        mask = np.random.default_rng(draw(st.integers(0, 2**16))).random((mh, mw)) > 0.4
        mask[draw(st.integers(0, mh - 1)), draw(st.integers(0, mw - 1))] = True
        origin = sly.PointLocation(draw(st.integers(0, h - mh)), draw(st.integers(0, w - mw)))
        if name == "glow":
            return sly.AlphaMask(mask.astype(np.uint8) * draw(st.integers(1, 255)), origin=origin)
        return sly.Bitmap(mask, origin=origin)
    return _geometry(draw, draw(st.sampled_from(["box", "leaf", "pin", "tilted"])), w, h)  # "thing": any shape


def _tag_value(draw, meta: sly.TagMeta):
    return {
        "oneof_string": lambda: draw(st.sampled_from(meta.possible_values)),
        "any_string": lambda: draw(st.text(max_size=6)),
        "any_number": lambda: draw(st.one_of(st.integers(-99, 99), st.floats(-1e6, 1e6, allow_nan=False))),
        "date": lambda: draw(st.sampled_from(["2026-04-23T15:15:48", "2026-05-12T21:14:12.000Z"])),
        "none": lambda: None,
    }[meta.value_type]()


def _tags(draw, names: list[str], server: _Server, extras: bool) -> list[dict]:
    tags = []
    for name in sorted(draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []):
        meta = META.get_tag_meta(name)
        for _ in range(draw(st.integers(1, 2)) if name == "note" else 1):
            tag = sly.Tag(meta, _tag_value(draw, meta)).to_json()
            tag.setdefault("value", None)  # a server answers null for a tag without a value
            tags.append(server.stamped(draw, tag, "tagId", meta.sly_id))
            if extras and draw(st.integers(0, 5)) == 0:
                tag["customData"] = {"source": draw(st.sampled_from(["model_v3", "import"])), "score": 0.92}
    return tags


class _Server:
    """What a Supervisely server adds to what it stores: ids, class and tag ids, authors and times."""

    def __init__(self, draw) -> None:
        self.next_id = draw(st.integers(1, 10**6))
        self.author = draw(st.sampled_from(LOGINS))  # the uploader: the author of what names none

    def stamped(self, draw, entry: dict, meta_key: str, meta_id) -> dict:
        self.next_id += 1
        created = draw(st.sampled_from(TIMES))
        entry.update(
            id=self.next_id,
            labelerLogin=draw(st.sampled_from([self.author, *LOGINS])),
            createdAt=created,
            updatedAt=draw(st.sampled_from([created, *TIMES])),
        )
        entry[meta_key] = meta_id if meta_id is not None else 1000 + len(entry)
        return entry


@st.composite
def sly_annotations(draw, *, lacking: bool = True, extras: bool = True):
    """A Supervisely image annotation JSON as a server answers it (with customBigData): objects of every geometry
    (`lacking`: also those annobridge has no shape for), tags of every value type, authors and times on each,
    model flags, and (`extras`) what annobridge has no field for: smart tool input, instance keys, custom data."""
    w, h = draw(st.integers(1, 120)), draw(st.integers(1, 120))
    server = _Server(draw)
    names = [c.name for c in META.obj_classes if lacking or c.name not in ("tilted", "blocks", "glow")]
    objects = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(names))
        obj_class = META.get_obj_class(name)
        status = draw(st.sampled_from([LabelingStatus.MANUAL, LabelingStatus.AUTO, LabelingStatus.CORRECTED]))
        label = sly.Label(_geometry(draw, name, w, h), obj_class, status=status)
        data = server.stamped(draw, label.to_json(), "classId", obj_class.sly_id)
        data.pop("shape", None)  # a server answers geometryType alone
        data["description"] = draw(st.one_of(st.just(""), st.text(min_size=1, max_size=8)))
        allowed = [
            t.name
            for t in META.tag_metas
            if t.applicable_to != "imagesOnly" and (not t.applicable_classes or name in t.applicable_classes)
        ]
        data["tags"] = _tags(draw, allowed, server, extras)
        if extras and draw(st.integers(0, 3)) == 0:
            data["smartToolInput"] = {
                "crop": [[0, 0], [w - 1, h - 1]],
                "positive": [[draw(st.integers(0, w - 1)), draw(st.integers(0, h - 1))]],
                "negative": [],
                "visible": True,
            }
        if extras and draw(st.integers(0, 5)) == 0:
            data["instance"] = draw(st.sampled_from(["car-1", "car-2"]))
        objects.append(data)
    image_tags = [t.name for t in META.tag_metas if t.applicable_to != "objectsOnly"]
    annotation = {
        "description": draw(st.text(max_size=8)),
        "size": {"height": h, "width": w},
        "tags": _tags(draw, image_tags, server, extras),
        "objects": objects,
        "customBigData": {"batch": draw(st.integers(1, 9))} if extras and draw(st.booleans()) else {},
    }
    sly.Annotation.from_json(annotation, META)  # the SDK reads it
    return annotation
