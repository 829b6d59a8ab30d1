"""Figures and tags written one at a time, outside a whole annotation: appended figures, tags, copies, alpha masks."""

from __future__ import annotations

from typing import Any

from .activity import record
from .annotation_store import (
    EXTRA_KEYS,
    LABEL_KEYS,
    SEPARATE_GEOMETRY,
    LabelChecker,
    annotation_json,
    check_tag,
    insert_figure,
    insert_tag,
    tag_json,
    write_annotation,
)
from .errors import bad_request, not_found
from .project_meta import tag_metas
from .store import Store, dumps, loads, now


def add_figures(store: Store, figures: list[tuple[dict, dict]], labeler: str) -> list[int]:
    """figures.bulk.add: each (image, figure JSON) checked first, then stored after the image's other figures.

    The geometry is the figure's "geometry" object; inline "tags" are ignored, as Supervisely's
    figures.bulk.add does (the SDK adds a figure's tags with a call of their own). Ids in order.
    """
    checkers: dict[int, LabelChecker] = {}
    checked = []
    for image, figure in figures:
        if not isinstance(figure, dict) or not isinstance(figure.get("geometry", {}), dict):
            raise bad_request(f"every figure needs a 'geometry' object, got {figure!r:.120}", field="figures")
        checker = checkers.setdefault(image["project_id"], LabelChecker(store, image["project_id"]))
        label = {k: v for k, v in figure.items() if k in (LABEL_KEYS | EXTRA_KEYS) - {"tags"}}
        # an alpha mask comes without geometry: figures.bulk.upload.geometry brings it next
        checked.append((image, checker.check({**label, **figure.get("geometry", {})}, geometry_later=True)))
    stamp = now()
    actor = store.scalar("SELECT id FROM users WHERE login = ?", (labeler,))
    ids = []
    for image, (obj_class, geometry_type, geometry, label) in checked:
        figure_id = insert_figure(store, image, obj_class, geometry_type, geometry, label, labeler, stamp)
        record(store, "create_figure", user_id=actor, class_id=obj_class["id"], figure_id=figure_id,
               project_id=image["project_id"], dataset_id=image["dataset_id"], image_id=image["id"])
        store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, image["id"]))
        ids.append(figure_id)
    return ids


def attach_tag(store: Store, kind: str, owner: dict, image: dict, tag_meta_id: int, value: Any, labeler: str) -> int:
    """Put one tag (by its meta id) on an image (kind "image") or a figure (kind "figure"), or 400; the new tag's id.

    A tag goes on an image or an object once: a second one of the same meta is refused unless the
    project's settings allow duplicate tags (allowDuplicateTags, "Multiple tags mode").
    """
    metas = [m for m in tag_metas(store, image["project_id"]) if m["id"] == tag_meta_id]
    if not metas:
        raise bad_request(f"tag {tag_meta_id} is not in the meta of project {image['project_id']}", field="tagId")
    class_title, scope = None, "imagesOnly"
    if kind == "figure":
        class_data = store.scalar("SELECT data FROM obj_classes WHERE id = ?", (owner["class_id"],))
        class_title, scope = (loads(class_data)["title"] if class_data else None), "objectsOnly"
    meta, value, _ = check_tag(metas, {"tagId": tag_meta_id, "value": value}, scope, class_title)
    table, column = ("figure_tags", "figure_id") if kind == "figure" else ("image_tags", "image_id")
    settings = loads(store.scalar("SELECT settings FROM projects WHERE id = ?", (image["project_id"],)), {}) or {}
    if not settings.get("allowDuplicateTags") and \
            store.scalar(f"SELECT 1 FROM {table} WHERE {column} = ? AND tag_id = ?", (owner["id"], meta["id"])):
        raise bad_request(f"tag {meta['name']!r} is already on {kind} {owner['id']}", field="tagId", type="NONUNIQUE")
    stamp = now()
    tag_id = insert_tag(store, table, column, owner["id"], meta, value, {}, labeler, stamp)
    actor = store.scalar("SELECT id FROM users WHERE login = ?", (labeler,))
    record(store, "attach_tag", user_id=actor, tag_id=meta["id"], figure_id=owner["id"] if kind == "figure" else None,
           project_id=image["project_id"], dataset_id=image["dataset_id"], image_id=image["id"])
    store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, image["id"]))
    return tag_id


def figure_tags_json(store: Store, figure: dict, project_id: int) -> list[dict]:
    """The figure's tags as figures.tags.list answers them (with their names, which Tag.from_json reads)."""
    names = {t["id"]: t["name"] for t in tag_metas(store, project_id)}
    rows = store.rows("SELECT * FROM figure_tags WHERE figure_id = ? ORDER BY id", (figure["id"],))
    return [tag_json(row, names.get(row["tag_id"], "")) for row in rows]


def copy_annotation(store: Store, source: dict, target: dict, labeler: str, keep_dates: bool) -> None:
    """annotations.bulk.copy: make `target`'s annotation equal `source`'s (classes and tags matched by name).

    Authors are kept; with `keep_dates` so are the figures' and tags' createdAt, else they are new.
    """
    ann = annotation_json(store, source, custom_data=True, all_geometry=True)
    if not keep_dates:
        for item in [*ann["tags"], *ann["objects"], *(t for o in ann["objects"] for t in o["tags"])]:
            item.pop("createdAt", None)
    for label in ann["objects"]:
        label.pop("classId", None)  # the target's project may differ: its class of the same title
        for tag in label["tags"]:
            tag.pop("tagId", None)
    for tag in ann["tags"]:
        tag.pop("tagId", None)
    write_annotation(store, target, ann, labeler)


def set_separate_geometries(store: Store, geometries: list[tuple[int, Any]]) -> None:
    """figures.bulk.upload.geometry: each (figure id, bitmap JSON {data, origin}) stored as the figure's bitmap."""
    checked = []
    for figure_id, geometry in geometries:
        figure = store.one("SELECT id, geometry_type FROM figures WHERE id = ?", (figure_id,))
        if figure is None:
            raise not_found("Figure", figure_id)
        if figure["geometry_type"] not in SEPARATE_GEOMETRY:
            raise bad_request(
                f"figure {figure_id} is a {figure['geometry_type']}: its geometry is in the figure itself",
                field="geometry",
            )
        if not isinstance(geometry, dict) or not isinstance(geometry.get("data"), str) or "origin" not in geometry:
            raise bad_request(f"geometry of figure {figure_id} must be bitmap JSON {{data, origin}}", field="geometry")
        checked.append((figure_id, geometry))
    stamp = now()
    for figure_id, geometry in checked:
        store.execute("UPDATE figures SET geometry = ?, updated_at = ? WHERE id = ?",
                      (dumps({"bitmap": geometry}), stamp, figure_id))


def separate_geometries(store: Store, figure_ids: list[int]) -> list[tuple[int, dict]]:
    """figures.bulk.download.geometry: (figure id, bitmap JSON) of each figure, or 404 / 400."""
    out = []
    for figure_id in figure_ids:
        figure = store.one("SELECT id, geometry_type, geometry FROM figures WHERE id = ?", (figure_id,))
        if figure is None:
            raise not_found("Figure", figure_id)
        bitmap = loads(figure["geometry"]).get("bitmap")
        if figure["geometry_type"] not in SEPARATE_GEOMETRY or bitmap is None:
            raise bad_request(f"figure {figure_id} has no geometry stored apart from it", field="ids")
        out.append((figure_id, bitmap))
    return out
