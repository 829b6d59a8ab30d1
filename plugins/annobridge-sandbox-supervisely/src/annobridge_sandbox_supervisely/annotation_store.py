"""Image annotations kept as figures and tags: validated writes and the JSON the annotation and figure APIs answer.

Coordinates are stored exactly as the SDK sends them (it shifts to subpixel on upload and
back on download), so a round trip through the sandbox gives back what was uploaded.
"""

from __future__ import annotations

from typing import Any

from .activity import record
from .errors import bad_request
from .imaging import bbox_and_area
from .project_meta import check_tag_value, classes, tag_metas
from .store import Store, dumps, loads, now

# label keys that are not geometry; every other key of a label is its geometry ("bitmap", "points", ...)
LABEL_KEYS = {
    "id", "classId", "classTitle", "description", "geometryType", "shape", "labelerLogin", "createdAt",
    "updatedAt", "tags", "objectId", "entityId", "createdBy", "updatedBy", "area", "geometryMeta", "figureId",
}
# label keys kept as they came and given back (flags and payloads the sandbox does not interpret)
EXTRA_KEYS = {"nnCreated", "nnUpdated", "meta", "instance", "priority", "customData", "smartToolInput"}


def tag_json(row: dict, name: str) -> dict:
    """A stored tag as annotations carry it: {id, tagId, name, value, labelerLogin, createdAt, updatedAt}."""
    return {
        "id": row["id"],
        "tagId": row["tag_id"],
        "name": name,
        "value": loads(row["value"]),
        "labelerLogin": row["labeler_login"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


# figures whose geometry lives apart from the annotation (figures.bulk.upload/download.geometry), as on a real server
SEPARATE_GEOMETRY = {"alpha_mask"}


def label_json(
    store: Store, figure: dict, class_title: str, tag_names: dict[int, str], *, all_geometry: bool = False
) -> dict:
    """One figure as an annotation "objects" entry (an alpha mask's bitmap only with `all_geometry`)."""
    separate = figure["geometry_type"] in SEPARATE_GEOMETRY and not all_geometry
    tags = store.rows("SELECT * FROM figure_tags WHERE figure_id = ? ORDER BY id", (figure["id"],))
    extra = loads(figure["extra"], {})
    return {
        "id": figure["id"],
        "classId": figure["class_id"],
        "classTitle": class_title,
        "description": figure["description"] or "",
        "geometryType": figure["geometry_type"],
        "labelerLogin": figure["labeler_login"],
        "createdAt": figure["created_at"],
        "updatedAt": figure["updated_at"],
        "nnCreated": extra.pop("nnCreated", False),
        "nnUpdated": extra.pop("nnUpdated", False),
        "tags": [tag_json(tag, tag_names.get(tag["tag_id"], "")) for tag in tags],
        **extra,
        **({} if separate else loads(figure["geometry"])),
    }


def annotation_json(store: Store, image: dict, *, custom_data: bool = False, all_geometry: bool = False) -> dict:
    """The image's annotation in Supervisely JSON: description, size, tags, objects, and customBigData when asked
    (withCustomBigData: the SDK's with_custom_data, False by default, as a real instance answers)."""
    class_titles = {c["id"]: c["title"] for c in classes(store, image["project_id"])}
    tag_names = {t["id"]: t["name"] for t in tag_metas(store, image["project_id"])}
    figures = store.rows("SELECT * FROM figures WHERE image_id = ? ORDER BY id", (image["id"],))
    image_tag_rows = store.rows("SELECT * FROM image_tags WHERE image_id = ? ORDER BY id", (image["id"],))
    extra = loads(image["ann_extra"], {})
    answer = {
        "description": extra.get("description", ""),
        "size": {"height": image["height"], "width": image["width"]},
        "tags": [tag_json(row, tag_names.get(row["tag_id"], "")) for row in image_tag_rows],
        "objects": [
            label_json(store, f, class_titles.get(f["class_id"], ""), tag_names, all_geometry=all_geometry)
            for f in figures
        ],
    }
    if custom_data:
        answer["customBigData"] = extra.get("customBigData") or {}
    return answer


def annotation_info(store: Store, image: dict, *, custom_data: bool = False) -> dict:
    """AnnotationInfo fields: imageId, imageName, annotation, createdAt, updatedAt, datasetId."""
    return {
        "imageId": image["id"],
        "imageName": image["name"],
        "annotation": annotation_json(store, image, custom_data=custom_data),
        "createdAt": image["created_at"],
        "updatedAt": image["updated_at"],
        "datasetId": image["dataset_id"],
    }


def figure_json(store: Store, figure: dict, image: dict) -> dict:
    """FigureInfo fields (figures.list) for one figure of `image`."""
    tags = store.rows("SELECT * FROM figure_tags WHERE figure_id = ? ORDER BY id", (figure["id"],))
    geometry = loads(figure["geometry"])
    bbox, area = bbox_and_area(figure["geometry_type"], geometry)
    extra = loads(figure["extra"], {})
    return {
        "id": figure["id"],
        "classId": figure["class_id"],
        "updatedAt": figure["updated_at"],
        "createdAt": figure["created_at"],
        "entityId": image["id"],
        "imageId": image["id"],
        "objectId": None,
        "projectId": image["project_id"],
        "datasetId": image["dataset_id"],
        "meta": extra.get("meta", {}),
        "geometryType": figure["geometry_type"],
        "geometry": geometry,
        "geometryMeta": None if bbox is None else {"bbox": bbox},
        "tags": [
            {k: v for k, v in tag_json(tag, "").items() if k != "name"} for tag in tags
        ],
        "area": area,
        "priority": extra.get("priority"),
        "customData": extra.get("customData"),
        "nnCreated": extra.get("nnCreated", False),
        "nnUpdated": extra.get("nnUpdated", False),
        "labelerLogin": figure["labeler_login"],
    }


def write_annotation(
    store: Store, image: dict, ann: Any, labeler: str, allowed_classes: set[str] | None = None,
    job_id: int | None = None,
) -> None:
    """Replace the image's labels and image tags with `ann`, or answer 400 before writing anything.

    `allowed_classes` narrows the classes a labeling job lets its annotator use; the
    create_figure / attach_tag events name `labeler` (and `job_id` when in a job). A figure or tag
    keeps the labelerLogin and createdAt it comes with (an upload carries them), else `labeler` and now.
    """
    labels, image_tags = _validate(store, image, ann, allowed_classes)
    stamp = now()
    actor = store.scalar("SELECT id FROM users WHERE login = ?", (labeler,))
    where = {
        "project_id": image["project_id"], "dataset_id": image["dataset_id"], "image_id": image["id"], "job_id": job_id,
    }
    store.execute("DELETE FROM figures WHERE image_id = ?", (image["id"],))
    store.execute("DELETE FROM image_tags WHERE image_id = ?", (image["id"],))
    for obj_class, geometry_type, geometry, label in labels:
        figure_id = insert_figure(store, image, obj_class, geometry_type, geometry, label, labeler, stamp)
        record(store, "create_figure", user_id=actor, class_id=obj_class["id"], figure_id=figure_id, **where)
        for tag, value, given in label["_tags"]:
            insert_tag(store, "figure_tags", "figure_id", figure_id, tag, value, given, labeler, stamp)
            record(store, "attach_tag", user_id=actor, figure_id=figure_id, tag_id=tag["id"], **where)
    for tag, value, given in image_tags:
        insert_tag(store, "image_tags", "image_id", image["id"], tag, value, given, labeler, stamp)
        record(store, "attach_tag", user_id=actor, tag_id=tag["id"], **where)
    extra = {"description": ann.get("description") or "", "customBigData": ann.get("customBigData") or {}}
    store.execute("UPDATE images SET ann_extra = ?, updated_at = ? WHERE id = ?", (dumps(extra), stamp, image["id"]))


def _validate(store: Store, image: dict, ann: Any, allowed_classes: set[str] | None):
    if not isinstance(ann, dict) or not isinstance(ann.get("objects", []), list):
        raise bad_request(
            f"annotation of image {image['id']} must be an object with an 'objects' list", field="annotation"
        )
    checker = LabelChecker(store, image["project_id"], allowed_classes)
    labels = [checker.check(label) for label in ann.get("objects", [])]
    image_tags = [check_tag(checker.tags, t, "imagesOnly", None) for t in ann.get("tags") or []]
    return labels, image_tags


class LabelChecker:
    """Checks labels against one project's meta: (class, geometry type, geometry, label with "_tags") or 400."""

    def __init__(self, store: Store, project_id: int, allowed_classes: set[str] | None = None):
        self.by_title = {c["title"]: c for c in classes(store, project_id)}
        self.by_class_id = {c["id"]: c for c in self.by_title.values()}
        self.tags = tag_metas(store, project_id)
        self.allowed_classes = allowed_classes

    def check(self, label: Any, geometry_later: bool = False) -> tuple[dict, str, dict, dict]:
        """One label checked; with `geometry_later` an alpha mask may come without its bitmap."""
        if not isinstance(label, dict):
            raise bad_request("every object must be a JSON object", field="annotation.objects")
        obj_class = self.by_title.get(label.get("classTitle")) or self.by_class_id.get(label.get("classId"))
        if obj_class is None:
            raise bad_request(f"class {label.get('classTitle')!r} is not in the project meta", field="classTitle")
        if self.allowed_classes is not None and obj_class["title"] not in self.allowed_classes:
            raise bad_request(f"class {obj_class['title']!r} is not one this job labels", field="classTitle")
        geometry_type = label.get("geometryType") or label.get("shape")
        if obj_class["shape"] not in ("any", geometry_type):
            raise bad_request(
                f"class {obj_class['title']!r} takes {obj_class['shape']} figures, got {geometry_type!r}",
                field="geometryType",
            )
        geometry = {k: v for k, v in label.items() if k not in LABEL_KEYS | EXTRA_KEYS}
        if not geometry and not (geometry_later and geometry_type in SEPARATE_GEOMETRY):
            raise bad_request(f"object of class {obj_class['title']!r} has no geometry", field="annotation.objects")
        tags = [check_tag(self.tags, t, "objectsOnly", obj_class["title"]) for t in label.get("tags") or []]
        return obj_class, geometry_type, geometry, dict(label, _tags=tags)


def insert_figure(
    store: Store, image: dict, obj_class: dict, geometry_type: str, geometry: dict, label: dict, labeler: str,
    stamp: str,
) -> int:
    """Store one checked figure of `image`; it keeps its labelerLogin and createdAt, else `labeler` and `stamp`."""
    return store.execute(
        "INSERT INTO figures (image_id, class_id, geometry_type, geometry, description, extra, labeler_login, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            image["id"], obj_class["id"], geometry_type, dumps(geometry), label.get("description") or "",
            dumps({k: label[k] for k in EXTRA_KEYS if k in label}), label.get("labelerLogin") or labeler,
            label.get("createdAt") or stamp, stamp,
        ),
    )


def insert_tag(
    store: Store, table: str, owner_column: str, owner_id: int, tag: dict, value: Any, given: dict, labeler: str,
    stamp: str,
) -> int:
    """Store one checked tag in image_tags or figure_tags, keeping the labelerLogin and createdAt `given` has."""
    return store.execute(
        f"INSERT INTO {table} ({owner_column}, tag_id, value, labeler_login, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (owner_id, tag["id"], dumps(value), given.get("labelerLogin") or labeler, given.get("createdAt") or stamp,
         stamp),
    )


def check_tag(metas: list[dict], tag: Any, scope: str, class_title: str | None) -> tuple[dict, Any, dict]:
    """(tag meta, value, the tag as given) of one tag in an annotation, checked against the meta."""
    if not isinstance(tag, dict):
        raise bad_request(f"a tag must be an object, got {tag!r}", field="tags")
    meta = next((m for m in metas if m["name"] == tag.get("name") or m["id"] == tag.get("tagId")), None)
    if meta is None:
        raise bad_request(f"tag {tag.get('name')!r} is not in the project meta", field="tags")
    wrong_scope = {"objectsOnly": "imagesOnly", "imagesOnly": "objectsOnly"}[scope]
    if meta.get("applicable_type") == wrong_scope:
        where = "objects" if scope == "objectsOnly" else "images"
        raise bad_request(f"tag {meta['name']!r} cannot be put on {where}", field="tags")
    if class_title is not None and meta.get("classes") and class_title not in meta["classes"]:
        raise bad_request(f"tag {meta['name']!r} does not apply to class {class_title!r}", field="tags")
    value = tag.get("value")
    check_tag_value(meta, value)
    return meta, value, tag
