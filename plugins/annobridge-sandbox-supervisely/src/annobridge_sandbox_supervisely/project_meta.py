"""Project meta: object classes and tag metas with server ids, as projects.meta returns and projects.meta.update takes."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .store import Store, dumps, loads, now

GEOMETRIES = {
    "bitmap", "mask_3d", "cuboid", "point", "polygon", "multipolygon", "line", "rectangle", "graph",
    "any", "cuboid_3d", "point_cloud", "point_3d", "multichannelBitmap", "closed_surface_mesh",
    "alpha_mask", "cuboid_2d", "polyline_3d", "oriented_bbox", "mesh",
}
VALUE_TYPES = {"none", "any_number", "any_string", "oneof_string", "date"}
APPLICABLE = {"all", "imagesOnly", "objectsOnly"}

# when each tag meta was made and last changed (TagInfo.created_at/updated_at), kept apart from its TagMeta JSON so
# projects.meta answers only what it always has
TABLES = """
CREATE TABLE IF NOT EXISTS tag_meta_times (
    tag_id INTEGER PRIMARY KEY REFERENCES tag_metas(id) ON DELETE CASCADE, created_at TEXT, updated_at TEXT);
"""


def classes(store: Store, project_id: int) -> list[dict]:
    """The project's object classes, each with its "id" (ObjClass JSON)."""
    rows = store.rows("SELECT id, data FROM obj_classes WHERE project_id = ? ORDER BY id", (project_id,))
    return [{"id": row["id"], **loads(row["data"])} for row in rows]


def tag_metas(store: Store, project_id: int) -> list[dict]:
    """The project's tag metas, each with its "id" (TagMeta JSON)."""
    rows = store.rows("SELECT id, data FROM tag_metas WHERE project_id = ? ORDER BY id", (project_id,))
    return [{"id": row["id"], **loads(row["data"])} for row in rows]


def touch_tag_meta(store: Store, tag_id: int, created: bool = False) -> None:
    """Record that tag meta `tag_id` was made (`created`) or changed now."""
    stamp = now()
    if created or not store.scalar("SELECT 1 FROM tag_meta_times WHERE tag_id = ?", (tag_id,)):
        store.execute("INSERT OR REPLACE INTO tag_meta_times VALUES (?, ?, ?)", (tag_id, stamp, stamp))
    else:
        store.execute("UPDATE tag_meta_times SET updated_at = ? WHERE tag_id = ?", (stamp, tag_id))


def tag_meta_times(store: Store, tag_id: int, default: str | None) -> tuple[str | None, str | None]:
    """(createdAt, updatedAt) of a tag meta; `default` for one made before times were kept."""
    row = store.one("SELECT created_at, updated_at FROM tag_meta_times WHERE tag_id = ?", (tag_id,))
    return (row["created_at"], row["updated_at"]) if row else (default, default)


def meta_json(store: Store, project_id: int) -> dict:
    """What projects.meta answers; ProjectMeta.from_json reads it."""
    kind = store.scalar("SELECT type FROM projects WHERE id = ?", (project_id,)) or "images"
    return {"classes": classes(store, project_id), "tags": tag_metas(store, project_id), "projectType": kind}


def replace_meta(store: Store, project_id: int, meta: Any) -> dict:
    """Make the project's meta equal `meta`, keeping ids of classes/tags matched by id or name.

    Classes or tags left out are removed, and with them their labels (as on a real server).
    """
    if not isinstance(meta, dict):
        raise bad_request("field 'meta' must be a ProjectMeta JSON object", field="meta")
    new_classes = [_check_class(item) for item in meta.get("classes") or []]
    class_names = {item["title"] for item in new_classes}
    if len(class_names) != len(new_classes):
        raise bad_request("meta has two classes with the same title", field="meta.classes")
    new_tags = [check_tag_meta(item, class_names) for item in meta.get("tags") or []]
    if len({item["name"] for item in new_tags}) != len(new_tags):
        raise bad_request("meta has two tags with the same name", field="meta.tags")
    _sync(store, "obj_classes", project_id, new_classes, "title")
    _sync(store, "tag_metas", project_id, new_tags, "name")
    return meta_json(store, project_id)


def _sync(store: Store, table: str, project_id: int, items: list[dict], key: str) -> None:
    existing = {row["id"]: loads(row["data"]) for row in store.rows(
        f"SELECT id, data FROM {table} WHERE project_id = ?", (project_id,))}
    by_name = {data[key]: id_ for id_, data in existing.items()}
    kept = set()
    for item in items:
        item = dict(item)
        wanted = item.pop("id", None)
        id_ = wanted if wanted in existing else by_name.get(item[key])
        if id_ is None or id_ in kept:
            id_ = store.execute(f"INSERT INTO {table} (project_id, data) VALUES (?, ?)", (project_id, dumps(item)))
            if table == "tag_metas":
                touch_tag_meta(store, id_, created=True)
        else:
            kept.add(id_)
            store.execute(f"UPDATE {table} SET data = ? WHERE id = ?", (dumps(item), id_))
            if table == "tag_metas" and item != existing[id_]:
                touch_tag_meta(store, id_)
    for id_ in set(existing) - kept:
        store.execute(f"DELETE FROM {table} WHERE id = ?", (id_,))


def _check_class(item: Any) -> dict:
    if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"]:
        raise bad_request(f"every class needs a non-empty 'title', got {item!r}", field="meta.classes")
    shape = item.get("shape")
    if shape not in GEOMETRIES:
        raise bad_request(f"class {item['title']!r} has unknown shape {shape!r}", field="meta.classes")
    return {
        **({"id": item["id"]} if isinstance(item.get("id"), int) else {}),
        "title": item["title"],
        "description": item.get("description") or "",
        "shape": shape,
        "color": item.get("color") or "#FF0000",
        "geometry_config": item.get("geometry_config") or {},
        "hotkey": item.get("hotkey") or "",
    }


def check_tag_meta(item: Any, class_names: set[str]) -> dict:
    """A TagMeta JSON checked (value type, values, applicability, classes by title) and completed, or 400."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise bad_request(f"every tag needs a non-empty 'name', got {item!r}", field="meta.tags")
    name, value_type = item["name"], item.get("value_type")
    if value_type not in VALUE_TYPES:
        raise bad_request(f"tag {name!r} has unknown value_type {value_type!r}", field="meta.tags")
    if value_type == "oneof_string" and not item.get("values"):
        raise bad_request(f"oneof_string tag {name!r} needs 'values'", field="meta.tags")
    applicable = item.get("applicable_type", "all")
    if applicable not in APPLICABLE:
        raise bad_request(f"tag {name!r} has unknown applicable_type {applicable!r}", field="meta.tags")
    unknown = set(item.get("classes") or []) - class_names
    if unknown:
        raise bad_request(f"tag {name!r} names classes that are not in the meta: {sorted(unknown)}", field="meta.tags")
    out = {k: v for k, v in item.items() if k != "id"}
    if isinstance(item.get("id"), int):
        out["id"] = item["id"]
    out.setdefault("color", "#0F8A0F")
    out.setdefault("hotkey", "")
    out["applicable_type"] = applicable
    out["classes"] = list(item.get("classes") or [])
    return out


def check_tag_value(tag: dict, value: Any) -> None:
    """400 unless `value` fits the tag meta's value type."""
    kind, name = tag["value_type"], tag["name"]
    if kind == "none" and value is not None:
        raise bad_request(f"tag {name!r} takes no value, got {value!r}", field="tags")
    if kind == "oneof_string" and value not in (tag.get("values") or []):
        raise bad_request(f"tag {name!r} value must be one of {tag.get('values')}, got {value!r}", field="tags")
    if kind in ("any_string", "date") and not isinstance(value, str):
        raise bad_request(f"tag {name!r} needs a string value, got {value!r}", field="tags")
    if kind == "any_number" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        raise bad_request(f"tag {name!r} needs a number value, got {value!r}", field="tags")
