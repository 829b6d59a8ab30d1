"""Tags on images and figures added in bulk, revalued, removed and given custom data (TagApi, AdvancedApi, ImageApi)."""

from __future__ import annotations

from .annotation_store import tag_json
from .errors import bad_request, field, int_list, not_found
from .figure_store import attach_tag
from .images import get_image
from .project_meta import check_tag_value, tag_metas
from .projects import get_project
from .store import Store, dumps, now
from .tag_custom_data import update_custom_data

REFUSED = {
    "annotation-objects.tags.bulk.add": "image labels are figures, not annotation objects (videos, volumes and point "
                                        "clouds have those); figures.tags.bulk.add tags image labels",
    "annotation-objects.tags.custom-data.update": "image labels are figures, not annotation objects; "
                                                  "object-tags.custom-data.update serves their tags",
}


def _figure_in(store: Store, figure_id: int, project_id: int) -> tuple[dict, dict]:
    """(live figure, its image) of the project, or 404 / 400."""
    figure = store.one("SELECT * FROM figures WHERE id = ?", (figure_id,))
    if figure is None:
        raise not_found("Figure", figure_id)
    image = get_image(store, figure["image_id"])
    if image["project_id"] != project_id:
        raise bad_request(f"figure {figure_id} is not in project {project_id}", field="figureId")
    return figure, image


def entities_bulk_add(ctx, body) -> list[dict]:
    """tags.entities.bulk.add {projectId, tags: [{tagId, entityId, value?}]}: [{id}] of the tags put on the images."""
    project = get_project(ctx.store, field(body, "projectId", int))
    out = []
    for item in field(body, "tags", list):
        image = get_image(ctx.store, field(item, "entityId", int))
        if image["project_id"] != project["id"]:
            raise bad_request(f"image {image['id']} is not in project {project['id']}", field="entityId")
        tag_id = attach_tag(ctx.store, "image", image, image, field(item, "tagId", int), item.get("value"),
                            ctx.user["login"])
        out.append({"id": tag_id})
    return out


def figures_tags_bulk_add(ctx, body) -> list[dict]:
    """figures.tags.bulk.add {projectId, tags: [{tagId, figureId, value?}]}: [{id}] of the tags put on the figures."""
    project = get_project(ctx.store, field(body, "projectId", int))
    out = []
    for item in field(body, "tags", list):
        figure, image = _figure_in(ctx.store, field(item, "figureId", int), project["id"])
        tag_id = attach_tag(ctx.store, "figure", figure, image, field(item, "tagId", int), item.get("value"),
                            ctx.user["login"])
        out.append({"id": tag_id})
    return out


def _image_tag(store: Store, tag_id: int) -> dict:
    row = store.one("SELECT * FROM image_tags WHERE id = ?", (tag_id,))
    if row is None:
        raise not_found("Image tag", tag_id)
    return row


def update_tag_value(ctx, body) -> dict:
    """image-tags.update-tag-value {id, value}: the image tag's new value, checked against its meta's value type."""
    row = _image_tag(ctx.store, field(body, "id", int))
    image = get_image(ctx.store, row["image_id"])
    meta = next(m for m in tag_metas(ctx.store, image["project_id"]) if m["id"] == row["tag_id"])
    value = body.get("value") if isinstance(body, dict) else None
    check_tag_value(meta, value)
    stamp = now()
    ctx.store.execute("UPDATE image_tags SET value = ?, updated_at = ? WHERE id = ?", (dumps(value), stamp, row["id"]))
    ctx.store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, image["id"]))
    return tag_json(_image_tag(ctx.store, row["id"]), meta["name"])


def _remove_tag(store: Store, table: str, column: str, tag_id: int, meta_id: int, owner_id: int, kind: str) -> dict:
    row = store.one(f"SELECT * FROM {table} WHERE id = ? AND {column} = ? AND tag_id = ?", (tag_id, owner_id, meta_id))
    if row is None:
        raise not_found(f"Tag {meta_id} on {kind} {owner_id}", tag_id)
    store.execute(f"DELETE FROM {table} WHERE id = ?", (tag_id,))
    image_id = owner_id if kind == "image" else store.scalar("SELECT image_id FROM figures WHERE id = ?", (owner_id,))
    store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (now(), image_id))
    return {"success": True}


def remove_from_image(ctx, body) -> dict:
    """image-tags.remove-from-image {tagId, imageId, id}: that tag (id) of meta tagId taken off the image."""
    return _remove_tag(ctx.store, "image_tags", "image_id", field(body, "id", int), field(body, "tagId", int),
                       field(body, "imageId", int), "image")


def remove_from_figure(ctx, body) -> dict:
    """object-tags.remove-from-figure {tagId, figureId, id}: that tag (id) of meta tagId taken off the figure."""
    return _remove_tag(ctx.store, "figure_tags", "figure_id", field(body, "id", int), field(body, "tagId", int),
                       field(body, "figureId", int), "figure")


def bulk_remove_from_images(ctx, body) -> dict:
    """image-tags.bulk.remove-from-images {tagIds, ids}: every tag of those metas taken off those images."""
    meta_ids, image_ids = int_list(body, "tagIds"), int_list(body, "ids")
    images = [get_image(ctx.store, image_id) for image_id in image_ids]
    if images and meta_ids:
        stamp = now()
        for image in images:
            ctx.store.execute(
                f"DELETE FROM image_tags WHERE image_id = ? AND tag_id IN ({','.join('?' * len(meta_ids))})",
                [image["id"], *meta_ids],
            )
            ctx.store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, image["id"]))
    return {"success": True}


def _custom_data(ctx, body, kind: str, table: str) -> dict:
    tag_id = field(body, "id", int)
    if not ctx.store.scalar(f"SELECT 1 FROM {table} WHERE id = ?", (tag_id,)):
        raise not_found(f"{kind.capitalize()} tag", tag_id)
    stored = update_custom_data(ctx.store, kind, tag_id, field(body, "customData"),
                                field(body, "updateStrategy", str, default=None))
    return {"customData": stored}


def image_tag_custom_data(ctx, body) -> dict:
    """image-tags.custom-data.update {id, customData, updateStrategy?}: {customData} stored after the update."""
    return _custom_data(ctx, body, "image", "image_tags")


def figure_tag_custom_data(ctx, body) -> dict:
    """object-tags.custom-data.update {id, customData, updateStrategy?}: {customData} stored after the update."""
    return _custom_data(ctx, body, "figure", "figure_tags")


ROUTES = {
    "tags.entities.bulk.add": entities_bulk_add,
    "figures.tags.bulk.add": figures_tags_bulk_add,
    "image-tags.update-tag-value": update_tag_value,
    "image-tags.remove-from-image": remove_from_image,
    "object-tags.remove-from-figure": remove_from_figure,
    "image-tags.bulk.remove-from-images": bulk_remove_from_images,
    "image-tags.custom-data.update": image_tag_custom_data,
    "object-tags.custom-data.update": figure_tag_custom_data,
}
