"""Supervisely annotations in the shapes public exports have, round-tripped exactly at converter level.

The cases are our own JSON, written after the Supervisely developer portal's annotation format pages (objects,
tags, images: ids, classId/tagId, labelerLogin, createdAt/updatedAt on objects and tags, null values of
value-less tags, bitmaps, keypoint graphs, multipolygons), the SDK's label fields (smartToolInput, the instance
key, nnCreated/nnUpdated) and its annotation custom data (customBigData). Each goes Supervisely -> neutral ->
Supervisely and Supervisely -> neutral -> Label Studio -> neutral -> Supervisely and comes back as a server
keeps it, with no stash left behind; what annobridge or Label Studio cannot show is counted as kept, none lost.
"""

from __future__ import annotations

import numpy as np
import pytest
import supervisely as sly
from annobridge_supervisely.figures import from_supervisely, to_supervisely
from annobridge_supervisely.figures_native import split_stash

from .keep_support import META, META_JSON, as_server_keeps, label_studio_trip


def _mask(rows: int, cols: int) -> str:
    mask = np.zeros((rows, cols), bool)
    mask[1:, : cols - 1] = True
    mask[0, cols - 1] = True
    return sly.Bitmap.data_2_base64(mask)


def _stamps(n: int, login: str = "alexxx") -> dict:
    return {"id": 503051990 + n, "labelerLogin": login, "createdAt": "2020-08-22T09:32:48.010Z",
            "updatedAt": "2020-08-22T09:33:08.926Z"}


def _tag(name: str, value, n: int, tag_id: int, login: str = "alexxx") -> dict:
    return {"name": name, "value": value, "tagId": tag_id, **_stamps(1000 + n, login)}


EXPORT = {  # an export: every object and tag with its id, author and times, a value-less tag answered as null
    "description": "",
    "tags": [_tag("flag", None, 1, 28283797), _tag("note", "outside", 2, 28283798, "max")],
    "size": {"height": 952, "width": 1200},
    "objects": [
        {**_stamps(1), "classId": 1661571, "description": "", "geometryType": "bitmap", "tags": [],
         "classTitle": "kiwi", "bitmap": {"data": _mask(40, 30), "origin": [535, 66]}},
        {**_stamps(2, "max"), "classId": 1661574, "description": "", "geometryType": "rectangle",
         "tags": [_tag("size", "large", 3, 28283799, "max")], "classTitle": "box",
         "points": {"exterior": [[0, 236], [582, 872]], "interior": []}},
    ],
}

SMART_TOOL = {  # a smart-tool mask, made by a model (auto) and another one a person corrected
    "description": "",
    "tags": [],
    "size": {"height": 480, "width": 640},
    "objects": [
        {**_stamps(3), "classTitle": "kiwi", "description": "", "geometryType": "bitmap", "tags": [],
         "nnCreated": True, "nnUpdated": True, "bitmap": {"data": _mask(12, 9), "origin": [100, 120]},
         "smartToolInput": {"crop": [[90, 110], [140, 150]], "positive": [[104, 126]], "negative": [[130, 140]],
                            "visible": True}},
        {**_stamps(4), "classTitle": "kiwi", "description": "", "geometryType": "bitmap", "tags": [],
         "nnCreated": True, "nnUpdated": False, "bitmap": {"data": _mask(6, 6), "origin": [300, 200]},
         "smartToolInput": {"crop": [[290, 190], [320, 220]], "positive": [[302, 203]], "negative": [],
                            "visible": False}},
        {**_stamps(5), "classTitle": "pin", "description": "", "geometryType": "point", "tags": [],
         "nnCreated": False, "nnUpdated": True, "points": {"exterior": [[5, 5]], "interior": []}},
    ],
}

POLYGONS = {  # one multipolygon object with a hole in one part; three polygons of one class, one with two holes
    "description": "buildings",
    "tags": [],
    "size": {"height": 300, "width": 500},
    "objects": [
        {"id": 29164747, "classId": 214973, "description": "", "geometryType": "multipolygon", "tags": [],
         "classTitle": "blocks", "parts": [
             {"exterior": [[120, 160], [220, 160], [220, 260], [120, 260]], "interior": []},
             {"exterior": [[320, 170], [430, 170], [430, 290], [320, 290]],
              "interior": [[[350, 200], [390, 200], [390, 240], [350, 240]]]}]},
        *[
            {**_stamps(10 + n), "classTitle": "leaf", "description": f"part {n}", "geometryType": "polygon",
             "tags": [], "points": {"exterior": [[10 + 100 * n, 10], [90 + 100 * n, 10], [50 + 100 * n, 90]],
                                    "interior": holes}}
            for n, holes in enumerate([[], [[[130, 20], [150, 20], [140, 40]], [[160, 20], [170, 20], [165, 30]]],
                                       [[[240, 30], [260, 30], [250, 50]]]])
        ],
    ],
}

GRAPH = {  # keypoints: a node the labeler disabled, and a graph bound to a box as one instance
    "description": "",
    "tags": [],
    "size": {"height": 200, "width": 200},
    "objects": [
        {**_stamps(20), "classTitle": "person", "description": "", "geometryType": "graph", "tags": [],
         "instance": "rider-1",
         "nodes": {"n-nose": {"loc": [101, 55]}, "n-eye": {"loc": [104, 50]},
                   "n-ear": {"loc": [110, 52], "disabled": True}}},
        {**_stamps(21), "classTitle": "box", "description": "", "geometryType": "rectangle", "tags": [],
         "instance": "rider-1", "points": {"exterior": [[90, 40], [130, 120]], "interior": []}},
    ],
}

TAGS = {  # tags of every value type, on the image and on objects, by several people at several times
    "description": "",
    "tags": [_tag("flag", None, 30, 1), _tag("note", "first", 31, 2, "anna"), _tag("note", "second", 32, 2, "bob"),
             _tag("weight", -7.25, 33, 3, "anna"), _tag("seen", "2026-04-23T15:15:48", 34, 4, "carl")],
    "size": {"height": 100, "width": 100},
    "objects": [
        {**_stamps(40, "anna"), "classTitle": "box", "description": "", "geometryType": "rectangle",
         "points": {"exterior": [[10, 10], [50, 60]], "interior": []},
         "tags": [_tag("size", "small", 41, 5, "bob"), _tag("ripe", None, 42, 6),
                  {**_tag("note", "fluffy", 43, 2, "anna"),
                   "customData": {"confidence": 0.92, "source": "model_v3", "meta": {"title": "kept as-is"}}}]},
    ],
    "customBigData": {"batch": 7, "reviewer_notes": ["re-check the weights"]},
}

TURNED = {  # a turned box (its points unturned, the angle in radians about the centre), and one in a class of any shape
    "description": "",
    "tags": [],
    "size": {"height": 300, "width": 400},
    "objects": [
        {**_stamps(50), "classTitle": "tilted", "description": "", "geometryType": "oriented_bbox", "tags": [],
         "points": [[30, 20], [130, 80]], "angle": 0.3},
        {**_stamps(51), "classTitle": "thing", "description": "", "geometryType": "oriented_bbox", "tags": [],
         "points": [[200, 100], [260, 180]], "angle": -1.1},
    ],
}

CASES = {"export": EXPORT, "smart tool": SMART_TOOL, "polygons": POLYGONS, "graph": GRAPH, "tags": TAGS,
         "turned": TURNED}
KEPT_READING = {  # what the Supervisely reader counts as kept, by case
    "export": [],
    "smart tool": ["smart tool input"],
    "polygons": ["multipolygon object"],
    "graph": ["object binding (group)"],
    "tags": ["tag custom data", "annotation custom data"],
    "turned": [],
}
KEPT_THERE = {  # what Label Studio keeps in the task's meta, by case
    "export": ["object timestamps", "tag timestamps"],
    "polygons": ["polygon hole", "item description"],
    "graph": ["hidden keypoint"],
    "turned": ["rotation"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_supervisely_to_neutral_to_supervisely_is_exact(name):
    annotation = CASES[name]
    sly.Annotation.from_json(annotation, META)  # the SDK reads the case
    neutral, report = from_supervisely(annotation, META_JSON, item=name)
    assert report.count(outcome="dropped") == 0 and report.lossless, str(report)
    assert all(report.count(kind, "kept") for kind in KEPT_READING[name]), str(report)
    back, written = to_supervisely(neutral, META_JSON)
    assert as_server_keeps(back) == as_server_keeps(annotation)
    assert split_stash(back)[1] is None and written.lossless


@pytest.mark.parametrize("name", sorted(CASES))
def test_supervisely_to_label_studio_to_supervisely_is_exact(name):
    annotation = CASES[name]
    neutral, _ = from_supervisely(annotation, META_JSON, item=name)
    again, _, there, home = label_studio_trip(neutral)
    assert there.count(outcome="dropped") == 0 and there.lossless, str(there)
    assert all(there.count(kind, "kept") for kind in KEPT_THERE.get(name, [])), str(there)
    assert home.count(outcome="dropped") == 0, str(home)
    assert again == neutral
    back, report = to_supervisely(again, META_JSON)
    assert as_server_keeps(back) == as_server_keeps(annotation) and split_stash(back)[1] is None
    assert report.lossless, str(report)


def test_the_export_case_reads_its_ids_authors_and_times():
    neutral, _ = from_supervisely(EXPORT, META_JSON, item="export")
    bitmap, box = neutral.objects
    assert (bitmap.id, bitmap.author, box.author) == (503051991, "alexxx", "max")
    assert box.tags[0].author == "max" and box.tags[0].created_at.isoformat() == "2020-08-22T09:32:48.010000+00:00"
    assert [(t.name, t.value, t.author) for t in neutral.tags] == [("flag", None, "alexxx"), ("note", "outside", "max")]
    assert neutral.author is None  # two people: Supervisely names no author for the image
