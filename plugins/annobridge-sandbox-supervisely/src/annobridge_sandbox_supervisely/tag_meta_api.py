"""A project's tag metas one by one (TagApi): tags.list, tags.bulk.add and advanced.tags.editInfo.

These endpoints speak the nested shape ({title, color, hotkey, settings: {type, applicableType,
classes: [class ids], ...}}); the project meta keeps the flat TagMeta JSON projects.meta answers
(project_meta.py), so both views are of the same stored tag metas.
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request, field
from .paging import page
from .project_meta import check_tag_meta, classes, tag_meta_times, tag_metas, touch_tag_meta
from .projects import get_project
from .store import Store, dumps, loads

# settings key (nested shape) -> TagMeta JSON key (flat shape), besides type and classes
_SETTINGS_KEYS = {
    "applicableType": "applicable_type",
    "targetType": "target_type",
    "values": "values",
    "frameRangeMinLength": "frame_range_min_length",
    "frameRangeMaxLength": "frame_range_max_length",
    "isDefault": "default",
    "defaultValue": "default_value",
}
# what advanced.tags.editInfo may change in settings (the value type and possible values stay, as the SDK sends)
_EDITABLE = {"applicableType", "classes", "targetType", "frameRangeMinLength", "frameRangeMaxLength"}


def _settings(tag: dict, class_ids: dict[str, int]) -> dict:
    """The nested settings of a stored TagMeta JSON (classes by id)."""
    out = {"type": tag["value_type"]}
    for nested, flat in _SETTINGS_KEYS.items():
        if flat in tag:
            out[nested] = tag[flat]
    out["classes"] = [class_ids[name] for name in tag.get("classes") or [] if name in class_ids]
    return out


def _flat(store: Store, project_id: int, title: Any, color: Any, hotkey: Any, settings: Any) -> dict:
    """TagMeta JSON from the nested shape (classes by id -> by title), or 400."""
    if not isinstance(settings, dict):
        raise bad_request(f"tag {title!r} needs a 'settings' object", field="settings")
    class_titles = {c["id"]: c["title"] for c in classes(store, project_id)}
    unknown = [i for i in settings.get("classes") or [] if i not in class_titles]
    if unknown:
        raise bad_request(f"tag {title!r} names classes not in project {project_id}: {unknown}", field="classes")
    item = {"name": title, "value_type": settings.get("type"), "color": color, "hotkey": hotkey or ""}
    item.update({flat: settings[nested] for nested, flat in _SETTINGS_KEYS.items() if nested in settings})
    item["classes"] = [class_titles[i] for i in settings.get("classes") or []]
    if not isinstance(color, str) or not color.startswith("#"):
        raise bad_request(f"tag {title!r} needs a hex 'color', got {color!r}", field="color")
    return check_tag_meta(item, set(class_titles.values()))


def tag_info(store: Store, project: dict, tag: dict, class_ids: dict[str, int]) -> dict:
    """TagInfo fields: id, projectId, name, settings, color, createdAt, updatedAt."""
    created, updated = tag_meta_times(store, tag["id"], project["created_at"])
    return {
        "id": tag["id"], "projectId": project["id"], "name": tag["name"], "settings": _settings(tag, class_ids),
        "color": tag["color"], "createdAt": created, "updatedAt": updated,
    }


def list_(ctx, body) -> dict:
    """tags.list {projectId, filter}: the project's tag metas as TagInfo, paged."""
    project = get_project(ctx.store, field(body, "projectId", int))
    class_ids = {c["title"]: c["id"] for c in classes(ctx.store, project["id"])}
    infos = [tag_info(ctx.store, project, tag, class_ids) for tag in tag_metas(ctx.store, project["id"])]
    return page(infos, body)


def bulk_add(ctx, body) -> list[dict]:
    """tags.bulk.add {projectId, tags: [{title, color, hotkey?, settings}]}: [{id, title}] of the new tag metas."""
    project = get_project(ctx.store, field(body, "projectId", int))
    names = {t["name"] for t in tag_metas(ctx.store, project["id"])}
    new = []
    for item in field(body, "tags", list):
        title = field(item, "title", str)
        if not title or title in names:
            raise bad_request(f"tag {title!r} already exists in project {project['id']}" if title
                              else "every tag needs a non-empty 'title'", field="title")
        names.add(title)
        new.append(_flat(ctx.store, project["id"], title, item.get("color"), item.get("hotkey"),
                         item.get("settings")))
    out = []
    for tag in new:
        tag_id = ctx.store.execute("INSERT INTO tag_metas (project_id, data) VALUES (?, ?)",
                                   (project["id"], dumps(tag)))
        touch_tag_meta(ctx.store, tag_id, created=True)
        out.append({"id": tag_id, "title": tag["name"]})
    return out


def edit_info(ctx, body) -> dict:
    """advanced.tags.editInfo {id, title, color, hotkey?, settings?}: rename, recolour, and change the settings it
    names (the rest are kept); {id, title}."""
    tag_id = field(body, "id", int)
    row = ctx.store.one("SELECT project_id, data FROM tag_metas WHERE id = ?", (tag_id,))
    if row is None:
        raise bad_request(f"tag meta {tag_id} does not exist", field="id")
    project_id, stored = row["project_id"], loads(row["data"])
    title = field(body, "title", str)
    if title != stored["name"] and title in {t["name"] for t in tag_metas(ctx.store, project_id)}:
        raise bad_request(f"tag {title!r} already exists in project {project_id}", field="title")
    changes = field(body, "settings", dict, default={})
    fixed = set(changes) - _EDITABLE
    if fixed:
        raise bad_request(f"settings {sorted(fixed)} of a tag cannot be edited", field="settings")
    class_ids = {c["title"]: c["id"] for c in classes(ctx.store, project_id)}
    settings = {**_settings(stored, class_ids), **changes}
    for limit in ("frameRangeMinLength", "frameRangeMaxLength"):
        if settings.get(limit) == 0:  # 0 lifts a limit
            settings.pop(limit)
    hotkey = body["hotkey"] if "hotkey" in body else stored.get("hotkey")
    tag = _flat(ctx.store, project_id, title, field(body, "color", str), hotkey, settings)
    ctx.store.execute("UPDATE tag_metas SET data = ? WHERE id = ?", (dumps(tag), tag_id))
    touch_tag_meta(ctx.store, tag_id)
    return {"id": tag_id, "title": tag["name"]}


ROUTES = {
    "tags.list": list_,
    "tags.bulk.add": bulk_add,
    "advanced.tags.editInfo": edit_info,
}
