"""Supervisely -> Label Studio -> Supervisely through the real ends: the sandbox (real SDK) and the real Label Studio
server, with annobridge.migrate both ways. Every annotation of the seeded source comes back exactly, but for what
the Supervisely server itself sets when an annotation is uploaded: figure and tag ids, class and tag ids (of the
new project), and the updatedAt of figures and tags (the upload's time). Holes, hidden keypoints, object and image
descriptions, authors and times of objects and tags, model flags, smart tool input, instance keys and custom data
go through Label Studio, which keeps what it cannot show in its tasks' meta.

The source's keypoint template names its nodes by their labels and has no oriented-box class: a project made from
the neutral schema has the label ids and a plain rectangle class there (meta.py counts both), so a source with
other node ids or oriented boxes comes back in a project with another meta.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import supervisely as sly
from supervisely.annotation.label import LabelingStatus

import annobridge

from .keep_support import as_server_keeps, make_meta

W, H = 120, 90
SET_ON_UPLOAD = ("id", "updatedAt")  # of figures and tags; writable() leaves out class and tag ids already
SCHEMA_LOSSES = ("keypoint edge colour", "keypoint template layout")  # the project meta's, not annotations' (meta.py)


def _lost(report) -> list[str]:
    return [line for line in report.losses if "dropped" in line and not line.startswith(SCHEMA_LOSSES)]


def _labels(meta: sly.ProjectMeta) -> list[list[sly.Label]]:
    c, t, pt = meta.get_obj_class, meta.get_tag_meta, sly.PointLocation
    when = {"created_at": "2021-01-22T19:37:50.158Z", "labeler_login": "admin"}
    nodes = {"nose": sly.Node(pt(20, 30)), "eye": sly.Node(pt(15, 35)), "ear": sly.Node(pt(14, 40), disabled=True)}
    disc = np.zeros((H, W), bool)
    disc[30:50, 40:70] = True
    return [
        [
            sly.Label(sly.Polygon([pt(1, 1), pt(1, 80), pt(60, 40)], [[pt(10, 20), pt(10, 30), pt(20, 25)]], **when),
                      c("leaf"), description="a leaf with a hole", tags=[sly.Tag(t("note"), "veins", **when)]),
            sly.Label(sly.GraphNodes(nodes), c("person"), status=LabelingStatus.AUTO),
            sly.Label(sly.Rectangle(5, 10, 40, 60), c("box"), binding_key="rider-1",
                      tags=[sly.Tag(t("size"), "large"), sly.Tag(t("weight"), 2.5, labeler_login="admin")]),
        ],
        [
            sly.Label(sly.Bitmap(disc), c("kiwi"), smart_tool_input={"crop": [[35, 25], [75, 55]],
                                                                     "positive": [[50, 40]], "negative": [],
                                                                     "visible": True}),
            sly.Label(sly.Polyline([pt(0, 0), pt(45, 60), pt(89, 119)]), c("road"), status=LabelingStatus.CORRECTED),
            sly.Label(sly.Point(7, 8), c("thing"), tags=[sly.Tag(t("ripe"))]),
        ],
        [],
    ]


@pytest.fixture(scope="module")
def source(api, seed_ids):
    """A project of every kind both tools can draw, seeded in the sandbox through the SDK; removed after."""
    project = api.project.create(seed_ids.workspace, f"keep-source {uuid.uuid4().hex[:8]}")
    meta = api.project.update_meta(project.id, make_meta(lacking=False, ids_are_labels=True))
    dataset = api.dataset.create(project.id, "ds")
    images = [
        api.image.upload_np(dataset.id, f"{n}.png", np.full((H, W, 3), 40 * n, np.uint8)) for n in range(3)
    ]
    t = meta.get_tag_meta
    annotations = [
        sly.Annotation((H, W), labels, img_tags=tags, img_description=text, custom_data=custom)
        for labels, tags, text, custom in zip(
            _labels(meta),
            [[sly.Tag(t("flag")), sly.Tag(t("note"), "photo")], [sly.Tag(t("weight"), -7)], [sly.Tag(t("note"), "")]],
            ["checked", "", "nothing drawn"],
            [{"batch": 7, "reviewer_notes": ["re-check the leaf"]}, {}, {"batch": 8}],
        )
    ]
    api.annotation.upload_anns([i.id for i in images], annotations)
    yield project
    api.project.remove(project.id)


def _held(api, project_id: int) -> dict[str, dict]:
    """Image name -> its annotation as the sandbox keeps it (customBigData too), but what it sets on upload."""
    out = {}
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project_id))
    for dataset in api.dataset.get_list(project_id):
        infos = api.image.get_list(dataset.id)
        anns = api.annotation.download_batch(dataset.id, [i.id for i in infos], with_custom_data=True)
        for info, ann in zip(infos, anns):
            kept = as_server_keeps(ann.annotation, meta)
            for entry in [*kept.get("tags", []), *kept.get("objects", [])]:
                for key in SET_ON_UPLOAD:
                    entry.pop(key, None)
                for tag in entry.get("tags", []):
                    for key in SET_ON_UPLOAD:
                        tag.pop(key, None)
            out[info.name] = kept
    return out


def test_supervisely_to_label_studio_to_supervisely_gives_back_every_annotation(
    api, sandbox, source, labelstudio_server, tmp_path
):
    name = f"keep-{uuid.uuid4().hex[:8]}"
    with (
        annobridge.connect("supervisely+" + sandbox.server_address, token=sandbox.token) as sv,
        annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls,
    ):
        me = ls.users.me().login
        there = annobridge.migrate(
            sv, ls, project=source.id, target_project=name, ledger=tmp_path / "there.sqlite",
            user_map={u.login: ("admin" == u.login and me) or None for u in sv.users.list() if u.login},
        )
        assert there.tally("items").carried == 3
        assert _lost(there) == [], there.losses  # kept, not lost
        assert any("polygon hole -> kept for the way back (label studio" in line for line in there.losses)
        back = annobridge.migrate(
            ls, sv, project=there.target_project, target_project=name + " back", ledger=tmp_path / "back.sqlite",
            user_map={u.login: "admin" if u.login == me else None for u in ls.users.list() if u.login},
        )
        copy = int(back.target_project)
        try:
            assert back.tally("items").carried == 3
            assert _lost(back) == [], back.losses
            assert _held(api, copy) == _held(api, source.id)
            got = {a.item: a for a in sv.annotations.list(project_id=copy)}
            want = {a.item: a for a in sv.annotations.list(project_id=source.id)}
            names = {i.id: i.name for i in sv.items.list(project_id=copy)}
            names |= {i.id: i.name for i in sv.items.list(project_id=source.id)}
            assert {names[k]: _neutral(v) for k, v in got.items()} == {names[k]: _neutral(v) for k, v in want.items()}
        finally:
            sv.projects.delete(copy)


def _neutral(annotation):
    """A neutral item but what the server sets on upload (ids, updatedAt) and where it is (its item); of what it
    keeps for Supervisely, the patch."""
    def clean(entry):
        return entry.model_copy(update={"id": None, "updated_at": None})

    objects = tuple(clean(o).model_copy(update={"tags": tuple(clean(t) for t in o.tags)}) for o in annotation.objects)
    kept = {backend: entry["patch"] for backend, entry in annotation.kept.items()}  # its digest covers the ids
    update = {"item": None, "objects": objects, "tags": tuple(clean(t) for t in annotation.tags), "kept": kept}
    return annotation.model_copy(update=update)
