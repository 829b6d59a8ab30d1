"""Figures changed in place: removed and restored, new geometry and tags (figures.editInfo), drawing priority."""

from __future__ import annotations

from .annotation_store import LabelChecker, insert_tag
from .errors import field, int_list, not_found
from .figure_archive import remove_figures, restore_figures
from .images import get_image
from .store import Store, dumps, loads, now


def _figure(store: Store, figure_id: int) -> tuple[dict, dict]:
    """(live figure row, its image) or 404 (a removed figure is not found, as on a real instance)."""
    figure = store.one("SELECT * FROM figures WHERE id = ?", (figure_id,))
    if figure is None:
        raise not_found("Figure", figure_id)
    return figure, get_image(store, figure["image_id"])


def bulk_remove(ctx, body) -> dict:
    """figures.bulk.remove {figureIds}: the figures leave annotations, listings and stats until restored."""
    remove_figures(ctx.store, int_list(body, "figureIds"))
    return {"success": True}


def bulk_restore(ctx, body) -> dict:
    """figures.bulk.restore {figureIds}: removed figures come back with their ids and tags."""
    restore_figures(ctx.store, int_list(body, "figureIds"))
    return {"success": True}


def edit_info(ctx, body) -> dict:
    """figures.editInfo {id, geometry, tags, nnCreated, nnUpdated}: the figure's geometry and tags replaced (its class
    stays), checked against the project meta first."""
    figure, image = _figure(ctx.store, field(body, "id", int))
    geometry = field(body, "geometry", dict)
    tags = field(body, "tags", list, default=[])
    checker = LabelChecker(ctx.store, image["project_id"])
    _, _, new_geometry, label = checker.check(
        {**geometry, "classId": figure["class_id"], "geometryType": figure["geometry_type"], "tags": tags}
    )
    extra = loads(figure["extra"], {})
    for name in ("nnCreated", "nnUpdated"):
        extra[name] = field(body, name, bool, default=extra.get(name, False))
    stamp = now()
    ctx.store.execute(
        "UPDATE figures SET geometry = ?, extra = ?, updated_at = ? WHERE id = ?",
        (dumps(new_geometry), dumps(extra), stamp, figure["id"]),
    )
    ctx.store.execute("DELETE FROM figure_tags WHERE figure_id = ?", (figure["id"],))
    for tag, value, given in label["_tags"]:
        insert_tag(ctx.store, "figure_tags", "figure_id", figure["id"], tag, value, given, ctx.user["login"], stamp)
    ctx.store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, image["id"]))
    return {"success": True}


def priority_update(ctx, body) -> dict:
    """figures.priority.update {id, priority}: the figure's drawing order (FigureInfo.priority)."""
    figure, image = _figure(ctx.store, field(body, "id", int))
    extra = loads(figure["extra"], {})
    extra["priority"] = field(body, "priority", int)
    stamp = now()
    ctx.store.execute("UPDATE figures SET extra = ?, updated_at = ? WHERE id = ?", (dumps(extra), stamp, figure["id"]))
    ctx.store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, image["id"]))
    return {"success": True}


ROUTES = {
    "figures.bulk.remove": bulk_remove,
    "figures.bulk.restore": bulk_restore,
    "figures.editInfo": edit_info,
    "figures.priority.update": priority_update,
}
