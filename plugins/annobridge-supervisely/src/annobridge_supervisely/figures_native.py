"""Supervisely annotation JSON as annobridge keeps it: the stash in customBigData, and the part of it a write sends.

annobridge stores what Supervisely cannot hold of an item (keep.py's stash) in the annotation's own
custom data, `customBigData["annobridge"]`: Supervisely keeps it with the image's labels and shows it to nobody.
`writable` is an annotation JSON without what the server sets on its own (class, tag and tag-instance ids,
figure areas and bounding boxes) and with the SDK's redundant spellings made one (`shape` beside `geometryType`,
a geometry type the class implies, a null tag value, unset model flags, empty descriptions, tag lists and
custom data), so what a server answers, what a file holds and what annobridge writes compare field by field;
`completed` puts the SDK's spellings back.
"""

from __future__ import annotations

from typing import Any

from annobridge.keep import KEY

__all__ = ["CUSTOM", "KEY", "completed", "download", "download_one", "split_stash", "with_stash", "writable"]

CUSTOM = "customBigData"
SERVER_ANNOTATION_KEYS = ("imageId",)
SERVER_OBJECT_KEYS = ("classId", "entityId", "objectId", "figureId", "createdBy", "updatedBy", "area", "geometryMeta")
SERVER_TAG_KEYS = ("id", "tagId")
_FLAGS = ("nnCreated", "nnUpdated")
_EMPTY = (("description", ""), ("tags", []))  # what the SDK writes when there is none


def download(api, dataset_id: int, image_ids: list[int]) -> list[dict[str, Any]]:
    """The images' annotation JSON with their customBigData (a server sends it only when asked), in order."""
    infos = api.annotation.download_batch(dataset_id, image_ids, with_custom_data=True)
    return [info.annotation for info in infos]


def download_one(api, image_id: int) -> dict[str, Any]:
    """One image's annotation JSON with its customBigData."""
    return api.annotation.download_json(image_id, with_custom_data=True)


def split_stash(annotation: Any) -> tuple[Any, Any]:
    """(the annotation without annobridge's stash, the stash or None); customBigData goes when nothing else is in it.

    >>> split_stash({"objects": [], "customBigData": {"annobridge": {"v": 1}}})
    ({'objects': []}, {'v': 1})
    >>> split_stash({"objects": [], "customBigData": {"annobridge": 1, "batch": 7}})[0]
    {'objects': [], 'customBigData': {'batch': 7}}
    """
    custom = annotation.get(CUSTOM) if isinstance(annotation, dict) else None
    if not isinstance(custom, dict) or KEY not in custom:
        return annotation, None
    rest = {k: v for k, v in custom.items() if k != KEY}
    plain = {k: v for k, v in annotation.items() if k != CUSTOM}
    if rest:
        plain[CUSTOM] = rest
    return plain, custom[KEY]


def with_stash(annotation: dict[str, Any], stash: dict[str, Any]) -> dict[str, Any]:
    """The annotation JSON carrying `stash` in its customBigData, beside what else is there.

    >>> with_stash({"customBigData": {"batch": 7}}, {"v": 1})
    {'customBigData': {'batch': 7, 'annobridge': {'v': 1}}}
    """
    return {**annotation, CUSTOM: {**(annotation.get(CUSTOM) or {}), KEY: stash}}


def writable(annotation: dict[str, Any], project=None) -> dict[str, Any]:
    """The annotation JSON as a write sends it (see the module docstring), geometry types filled in from the
    classes of `project` (a sly.ProjectMeta) where given; the input is left as it is.

    >>> writable({"description": "", "objects": [{"id": 5, "classId": 9, "shape": "point", "nnCreated": False,
    ...     "tags": [{"id": 3, "tagId": 4, "name": "ripe", "value": None}]}], "customBigData": {}})
    {'objects': [{'id': 5, 'geometryType': 'point', 'tags': [{'name': 'ripe'}]}]}
    """
    out = {k: v for k, v in annotation.items() if k not in SERVER_ANNOTATION_KEYS and not (k == CUSTOM and not v)}
    _drop_empty(out)
    if isinstance(out.get("tags"), list):
        out["tags"] = [_tag(t) for t in out["tags"]]
    if isinstance(out.get("objects"), list):
        out["objects"] = [_object(o, project) for o in out["objects"]]
    return out


def completed(annotation: dict[str, Any], project) -> dict[str, Any]:
    """A `writable` JSON spelled as the SDK writes it: shape beside geometryType, class ids the meta has, the model
    flags, empty descriptions, tag lists and customBigData where unset."""
    objects = []
    for obj in annotation.get("objects") or []:
        obj = {**_empty(), **obj} if isinstance(obj, dict) else obj
        if "geometryType" in obj:
            obj.setdefault("shape", obj["geometryType"])
        for flag in _FLAGS:
            obj.setdefault(flag, False)
        obj_class = project.get_obj_class(obj.get("classTitle"))
        if obj_class is not None and obj_class.sly_id is not None:
            obj.setdefault("classId", obj_class.sly_id)
        objects.append(obj)
    return {**_empty(), **annotation, "objects": objects, CUSTOM: annotation.get(CUSTOM) or {}}


def _empty() -> dict[str, Any]:
    return {key: type(empty)() for key, empty in _EMPTY}


def _drop_empty(data: dict[str, Any]) -> None:
    for key, empty in _EMPTY:
        if key in data and data[key] == empty:
            del data[key]


def _object(obj: Any, project) -> Any:
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        if key == "shape" and "geometryType" not in obj:
            out["geometryType"] = value
        elif key not in SERVER_OBJECT_KEYS and key != "shape":
            out[key] = value
    obj_class = project.get_obj_class(out.get("classTitle")) if project is not None else None
    if "geometryType" not in out and obj_class is not None:
        geometry = obj_class.geometry_type.geometry_name()
        if geometry != "any":
            out["geometryType"] = geometry
    for flag in _FLAGS:
        if out.get(flag) is False:
            del out[flag]
    _drop_empty(out)
    if isinstance(out.get("tags"), list):
        out["tags"] = [_tag(t) for t in out["tags"]]
    return out


def _tag(tag: Any) -> Any:
    if not isinstance(tag, dict):
        return tag
    return {k: v for k, v in tag.items() if k not in SERVER_TAG_KEYS and not (k == "value" and v is None)}
