"""Video annotations (VideoAnnotationAPI): objects, per-frame figures, tags with frame ranges, and the JSON download.

api.video.annotation.append sends, in this order: the video's tags (videos.tags.bulk.add), its
objects (annotation-objects.bulk.add) and their tags (annotation-objects.tags.bulk.add), then the
figures (figures.bulk.add with each figure's meta.frame). Every answer gives the new ids in order,
which the SDK's KeyIdMap keeps against its keys.
"""

from __future__ import annotations

from typing import Any

from .annotation_store import check_tag
from .datasets import get_dataset
from .errors import ApiError, bad_request, field, int_list, not_found
from .paging import page
from .project_meta import classes, tag_metas
from .store import Store, dumps, loads, now
from .video_store import (
    check_frame,
    check_frame_range,
    get_object,
    get_video,
    insert_tag,
    is_video,
    key_of,
    next_figure_id,
    tags_json,
)


def annotation_json(store: Store, video: dict) -> dict:
    """One video's annotation in Supervisely's video annotation JSON, with server ids and keys."""
    titles = {c["id"]: c["title"] for c in classes(store, video["project_id"])}
    objects, object_keys = [], {}
    for row in store.rows("SELECT * FROM video_objects WHERE video_id = ? ORDER BY id", (video["id"],)):
        object_keys[row["id"]] = row["key"]
        objects.append({
            "id": row["id"], "key": row["key"], "classId": row["class_id"], "classTitle": titles[row["class_id"]],
            "tags": tags_json(store, video["id"], row["id"]), "labelerLogin": row["labeler_login"],
            "createdAt": row["created_at"], "updatedAt": row["updated_at"],
        })
    frames: dict[int, list[dict]] = {}
    for row in store.rows(
        "SELECT f.*, o.class_id FROM video_figures f JOIN video_objects o ON o.id = f.object_id "
        "WHERE f.video_id = ? ORDER BY f.frame, f.id",
        (video["id"],),
    ):
        figure = {
            "id": row["id"], "key": row["key"],
            "objectId": row["object_id"], "objectKey": object_keys[row["object_id"]],
            "classId": row["class_id"], "geometryType": row["geometry_type"], "geometry": loads(row["geometry"]),
            "meta": loads(row["meta"], {}), "nnCreated": bool(row["nn_created"]), "nnUpdated": bool(row["nn_updated"]),
            "labelerLogin": row["labeler_login"], "createdAt": row["created_at"], "updatedAt": row["updated_at"],
        }
        if row["track_id"] is not None:
            figure["trackId"] = row["track_id"]
        frames.setdefault(row["frame"], []).append(figure)
    return {
        "videoId": video["id"], "videoName": video["name"], "createdAt": video["created_at"],
        "updatedAt": video["updated_at"], "description": video["description"] or "",
        "tags": tags_json(store, video["id"]), "objects": objects,
        "size": {"height": video["height"], "width": video["width"]},
        "framesCount": video["file_meta"]["framesCount"],
        "frames": [{"index": index, "figures": figures} for index, figures in sorted(frames.items())],
    }


def bulk_info(ctx, body) -> list[dict]:
    """videos.annotations.bulk.info {datasetId?, videoIds}: each video's annotation JSON, in the asked order
    (the async downloads name no dataset)."""
    dataset_id = field(body, "datasetId", int, default=None)
    dataset = get_dataset(ctx.store, dataset_id) if dataset_id is not None else None
    answers = []
    for video_id in int_list(body, "videoIds"):
        video = get_video(ctx.store, video_id)
        if dataset is not None and video["dataset_id"] != dataset["id"]:
            raise bad_request(f"video {video_id} is not in dataset {dataset['id']}", field="videoIds")
        answers.append(annotation_json(ctx.store, video))
    return answers


def add_objects(ctx, body) -> list[dict]:
    """annotation-objects.bulk.add {datasetId, annotationObjects: [{classId, entityId}]} -> [{id}] in order."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    items = field(body, "annotationObjects", list)
    known = {c["id"] for c in classes(ctx.store, dataset["project_id"])}
    checked = []
    for item in items:
        if not isinstance(item, dict) or item.get("entityId") is None:
            raise bad_request("every annotation object needs an 'entityId' (multi-view objects without one are not "
                              "served by the sandbox)", field="annotationObjects")
        video = get_video(ctx.store, item["entityId"])
        if video["dataset_id"] != dataset["id"]:
            raise bad_request(f"video {video['id']} is not in dataset {dataset['id']}", field="entityId")
        if item.get("classId") not in known:
            raise bad_request(f"class {item.get('classId')!r} is not in the meta of project {dataset['project_id']}",
                              field="classId")
        checked.append((video, item))
    stamp = now()
    ids = []
    for video, item in checked:
        ids.append(ctx.store.execute(
            "INSERT INTO video_objects (video_id, class_id, key, labeler_login, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (video["id"], item["classId"], key_of(item.get("key")), ctx.user["login"], stamp, stamp),
        ))
    _touch(ctx.store, {video["id"] for video, _ in checked}, stamp)
    return [{"id": object_id} for object_id in ids]


def remove_objects(ctx, body) -> dict:
    """annotation-objects.bulk.remove [ids]: the objects go with their figures and tags."""
    if not isinstance(body, list) or not all(isinstance(i, int) for i in body):
        raise bad_request("annotation-objects.bulk.remove takes a JSON list of object ids")
    rows = [get_object(ctx.store, object_id) for object_id in body]
    for row in rows:
        ctx.store.execute("DELETE FROM video_objects WHERE id = ?", (row["id"],))
    _touch(ctx.store, {row["video_id"] for row in rows}, now())
    return {"success": True}


def _object_info(store: Store, row: dict) -> dict:
    """ObjectInfo fields of one video object (its tags as the annotation JSON holds them)."""
    return {"id": row["id"], "description": "", "createdAt": row["created_at"], "updatedAt": row["updated_at"],
            "datasetId": row["dataset_id"], "classId": row["class_id"], "entityId": row["video_id"],
            "tags": tags_json(store, row["video_id"], row["id"]), "meta": {}, "createdBy": row["created_by_id"]}


_OBJECT_ROWS = ("SELECT o.*, i.dataset_id, u.id AS created_by_id FROM video_objects o "
                "JOIN images i ON i.id = o.video_id LEFT JOIN users u ON u.login = o.labeler_login")


def object_info(ctx, body) -> dict:
    """annotation-objects.info {id}: one video object's ObjectInfo, or 404."""
    object_id = get_object(ctx.store, field(body, "id", int))["id"]
    return _object_info(ctx.store, ctx.store.one(f"{_OBJECT_ROWS} WHERE o.id = ?", (object_id,)))


def objects_list(ctx, body) -> dict:
    """annotation-objects.list {datasetId, filter}: the dataset's video objects, paged."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    rows = ctx.store.rows(f"{_OBJECT_ROWS} WHERE i.dataset_id = ? ORDER BY o.id", (dataset["id"],))
    return page([_object_info(ctx.store, row) for row in rows], body)


def add_video_tags(ctx, body) -> list[dict]:
    """videos.tags.bulk.add {videoId, tags: [{tagId, value?, frameRange?, key?}]} -> [{id}] in order."""
    video = get_video(ctx.store, field(body, "videoId", int))
    return [{"id": tag_id} for tag_id in _add_tags(ctx, [(video, None, tag) for tag in field(body, "tags", list)])]


def add_object_tags(ctx, body) -> list[dict]:
    """annotation-objects.tags.bulk.add {projectId | entityId, tags: [{tagId, objectId, value?, frameRange?}]}."""
    triples = []
    for tag in field(body, "tags", list):
        obj = get_object(ctx.store, tag.get("objectId") if isinstance(tag, dict) else None)
        if body.get("projectId") is not None and obj["project_id"] != body["projectId"]:
            raise bad_request(f"object {obj['id']} is not in project {body['projectId']}", field="objectId")
        triples.append((get_video(ctx.store, obj["video_id"]), obj, tag))
    return [{"id": tag_id} for tag_id in _add_tags(ctx, triples)]


def _add_tags(ctx, triples: list[tuple[dict, dict | None, Any]]) -> list[int]:
    """Check every (video, object or None, tag JSON), then store them; the new tag ids in order."""
    checked = []
    for video, obj, tag in triples:
        scope, class_title = "imagesOnly", None
        if obj is not None:
            scope = "objectsOnly"
            class_data = ctx.store.scalar("SELECT data FROM obj_classes WHERE id = ?", (obj["class_id"],))
            class_title = loads(class_data)["title"]
        meta, value, given = check_tag(tag_metas(ctx.store, video["project_id"]), tag, scope, class_title)
        checked.append((video, obj, meta, value, check_frame_range(video, given.get("frameRange")), given))
    stamp = now()
    ids = [insert_tag(ctx.store, video, obj and obj["id"], meta, value, span, given, ctx.user["login"], stamp)
           for video, obj, meta, value, span, given in checked]
    _touch(ctx.store, {video["id"] for video, *_ in checked}, stamp)
    return ids


def add_video_tag(ctx, body) -> dict:
    """videos.tags.add {tagId, videoId, value?, frameRange?, isFinished, nonFinalValue}: the new tag."""
    video = get_video(ctx.store, field(body, "videoId", int))
    tag_id = _add_tags(ctx, [(video, None, body)])[0]
    return _tag_answer(ctx.store, tag_id)


def add_object_tag(ctx, body) -> dict:
    """annotation-objects.tags.add {tagId, objectId, value?, frameRange?}: the new tag."""
    obj = get_object(ctx.store, field(body, "objectId", int))
    tag_id = _add_tags(ctx, [(get_video(ctx.store, obj["video_id"]), obj, body)])[0]
    return _tag_answer(ctx.store, tag_id)


def _tag_answer(store: Store, tag_id: int) -> dict:
    row = store.one("SELECT * FROM video_tags WHERE id = ?", (tag_id,))
    return {"id": row["id"], "createdAt": row["created_at"], "updatedAt": row["updated_at"],
            "labelerLogin": row["labeler_login"]}


def _get_tag(store: Store, body: Any, on_object: bool) -> tuple[dict, dict]:
    """(tag row, its video) of a video tag (on_object False) or an object tag, or 404."""
    tag_id = field(body, "id", int)
    row = store.one("SELECT * FROM video_tags WHERE id = ?", (tag_id,))
    if row is None or (row["object_id"] is not None) != on_object:
        raise not_found("Object tag" if on_object else "Video tag", tag_id)
    return row, get_video(store, row["video_id"])


def _tag_editors(on_object: bool):
    """The remove / update (frame range) / update-value handlers of video tags or object tags."""

    def remove(ctx, body) -> dict:
        row, video = _get_tag(ctx.store, body, on_object)
        ctx.store.execute("DELETE FROM video_tags WHERE id = ?", (row["id"],))
        _touch(ctx.store, {video["id"]}, now())
        return {"success": True}

    def update_range(ctx, body) -> dict:
        row, video = _get_tag(ctx.store, body, on_object)
        span = check_frame_range(video, field(body, "frameRange", list))
        stamp = now()
        ctx.store.execute("UPDATE video_tags SET frame_from = ?, frame_to = ?, updated_at = ? WHERE id = ?",
                          (*span, stamp, row["id"]))
        _touch(ctx.store, {video["id"]}, stamp)
        return {"success": True}

    def update_value(ctx, body) -> dict:
        row, video = _get_tag(ctx.store, body, on_object)
        check_tag(tag_metas(ctx.store, video["project_id"]), {"tagId": row["tag_id"], "value": body.get("value")},
                  "objectsOnly" if on_object else "imagesOnly", None)
        stamp = now()
        ctx.store.execute("UPDATE video_tags SET value = ?, updated_at = ? WHERE id = ?",
                          (dumps(body.get("value")), stamp, row["id"]))
        _touch(ctx.store, {video["id"]}, stamp)
        return {"success": True}

    return remove, update_range, update_value


def claims_figures(ctx, body) -> bool:
    """figures.bulk.add is shared with images: it is the video module's when its entity is a video."""
    if not isinstance(body, dict):
        return False
    if body.get("entityId") is not None:
        return is_video(ctx.store, body["entityId"])
    figures = body.get("figures")
    return bool(figures) and isinstance(figures, list) and all(
        isinstance(f, dict) and is_video(ctx.store, f.get("entityId")) for f in figures)


def add_figures(ctx, body) -> list[dict]:
    """figures.bulk.add on videos {entityId | datasetId, figures: [{objectId, geometryType, geometry, meta.frame}]}.

    Each figure puts its object's shape on one frame (meta.frame); ids in order.
    """
    figures = field(body, "figures", list)
    dataset_id = field(body, "datasetId", int, default=None)
    by_class = {}
    checked = []
    for figure in figures:
        if not isinstance(figure, dict):
            raise bad_request(f"every figure must be an object, got {figure!r:.80}", field="figures")
        video = get_video(ctx.store, body["entityId"] if body.get("entityId") is not None else figure.get("entityId"))
        if dataset_id is not None and video["dataset_id"] != dataset_id:
            raise bad_request(f"video {video['id']} is not in dataset {dataset_id}", field="entityId")
        obj = get_object(ctx.store, figure.get("objectId"))
        if obj["video_id"] != video["id"]:
            raise bad_request(f"object {obj['id']} is not an object of video {video['id']}", field="objectId")
        if video["project_id"] not in by_class:
            by_class[video["project_id"]] = {c["id"]: c for c in classes(ctx.store, video["project_id"])}
        obj_class = by_class[video["project_id"]][obj["class_id"]]
        geometry_type, geometry = figure.get("geometryType"), figure.get("geometry")
        if obj_class["shape"] not in ("any", geometry_type):
            raise bad_request(f"class {obj_class['title']!r} takes {obj_class['shape']} figures, got {geometry_type!r}",
                              field="geometryType")
        if not isinstance(geometry, dict) or not geometry:
            raise bad_request(f"a figure of object {obj['id']} has no geometry", field="geometry")
        meta = figure.get("meta") if isinstance(figure.get("meta"), dict) else {}
        check_frame(video, meta.get("frame"), "meta.frame")
        checked.append((video, obj, geometry_type, geometry, meta, figure))
    stamp = now()
    ids = []
    for video, obj, geometry_type, geometry, meta, figure in checked:
        figure_id = next_figure_id(ctx.store)
        ctx.store.execute(
            "INSERT INTO video_figures (id, video_id, object_id, frame, geometry_type, geometry, key, meta, track_id, "
            "nn_created, nn_updated, labeler_login, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (figure_id, video["id"], obj["id"], meta["frame"], geometry_type, dumps(geometry),
             key_of(figure.get("key")), dumps(meta), figure.get("trackId"), int(bool(figure.get("nnCreated"))),
             int(bool(figure.get("nnUpdated"))),
             figure.get("labelerLogin") or ctx.user["login"], figure.get("createdAt") or stamp, stamp),
        )
        ids.append(figure_id)
    _touch(ctx.store, {video["id"] for video, *_ in checked}, stamp)
    return [{"id": figure_id} for figure_id in ids]


def _touch(store: Store, video_ids: set[int], stamp: str) -> None:
    """A changed annotation changes its videos' updatedAt."""
    for video_id in video_ids:
        store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, video_id))


_remove_video_tag, _update_video_tag, _update_video_tag_value = _tag_editors(on_object=False)
_remove_object_tag, _update_object_tag, _update_object_tag_value = _tag_editors(on_object=True)

ROUTES = {
    "videos.annotations.bulk.info": bulk_info,
    "annotation-objects.bulk.add": add_objects,
    "annotation-objects.bulk.remove": remove_objects,
    "annotation-objects.info": object_info,
    "annotation-objects.list": objects_list,
    "videos.tags.bulk.add": add_video_tags,
    "videos.tags.add": add_video_tag,
    "videos.tags.remove": _remove_video_tag,
    "videos.tags.update": _update_video_tag,
    "videos.tags.update-value": _update_video_tag_value,
    "annotation-objects.tags.bulk.add": add_object_tags,
    "annotation-objects.tags.add": add_object_tag,
    "annotation-objects.tags.remove": _remove_object_tag,
    "annotation-objects.tags.update": _update_object_tag,
    "annotation-objects.tags.update-value": _update_object_tag_value,
}

_FIGURES_APART = ("video figures live per frame in the video annotation (figures.bulk.add, "
                  "videos.annotations.bulk.info); the sandbox serves this method for image figures only")
_TAGS_APART = ("the sandbox numbers video tags apart from image tags, so a tag id here names an image tag; "
               "videos.tags.* edit video tags")
REFUSED_ON_VIDEOS = {
    "figures.info": _FIGURES_APART,
    "figures.list": _FIGURES_APART,
    "figures.bulk.download.geometry": _FIGURES_APART,
    "figures.bulk.upload.geometry": _FIGURES_APART,
    "figures.bulk.remove": _FIGURES_APART,
    "figures.bulk.restore": _FIGURES_APART,
    "figures.editInfo": _FIGURES_APART,
    "tags.entities.bulk.add": "the sandbox serves it for images only; videos.tags.bulk.add tags videos",
    "image-tags.custom-data.update": _TAGS_APART,
    "object-tags.custom-data.update": _TAGS_APART,
}
"""API methods shared with images that the sandbox declines for videos, and why (the inventory reads this)."""


def _names_video_figures(ctx, body) -> bool:
    """True when a figures.* request names a video figure (id, ids, figureId, geometry parts) or a video dataset."""
    if not isinstance(body, dict):
        return False
    ids = [body.get("id"), body.get("figureId"), *(body.get("ids") or [])]
    ids += [int(name) for _, name, _ in body.get("files", []) if str(name).isdigit()]
    if any(isinstance(i, int) and ctx.store.one("SELECT 1 FROM video_figures WHERE id = ?", (i,)) for i in ids):
        return True
    dataset_id = body.get("datasetId")
    return isinstance(dataset_id, int) and ctx.store.one(
        "SELECT 1 FROM images i JOIN video_files vf ON vf.hash = i.hash WHERE i.dataset_id = ? LIMIT 1", (dataset_id,)
    ) is not None


def _names_videos(ctx, body) -> bool:
    """True when a tags.entities.bulk.add request puts a tag on a video."""
    tags = body.get("tags") if isinstance(body, dict) else None
    return isinstance(tags, list) and any(isinstance(t, dict) and is_video(ctx.store, t.get("entityId")) for t in tags)


def _declined_on_videos(method: str):
    def decline(ctx, body):
        raise ApiError(404, f"API method {method!r} is not served by the Supervisely sandbox for videos: "
                            f"{REFUSED_ON_VIDEOS[method]}")

    return decline


CLAIMS = {
    "figures.bulk.add": (claims_figures, add_figures),
    **{method: (_names_video_figures, _declined_on_videos(method)) for method in REFUSED_ON_VIDEOS
       if method.startswith("figures.")},
    "tags.entities.bulk.add": (_names_videos, _declined_on_videos("tags.entities.bulk.add")),
}
"""Methods shared with the image modules, taken when the request is about videos (app.routes applies them)."""
