"""Annotation endpoints: annotations.info/bulk.info/list/bulk.add and figures.list (AnnotationApi, FigureApi)."""

from __future__ import annotations

from .annotation_store import annotation_info, figure_json, write_annotation
from .datasets import get_dataset
from .errors import bad_request, field, int_list
from .images import get_image
from .paging import page

_MAX_BULK_INFO = 100  # the real server refuses more imageIds (see annotation_api.BULK_INFO_MAX_BATCH_SIZE)


def info(ctx, body) -> dict:
    """annotations.info {imageId}."""
    return annotation_info(ctx.store, get_image(ctx.store, field(body, "imageId", int)))


def bulk_info(ctx, body) -> list[dict]:
    """annotations.bulk.info {datasetId, imageIds} (at most 100 ids)."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    ids = int_list(body, "imageIds")
    if len(ids) > _MAX_BULK_INFO:
        raise bad_request(f"imageIds must contain less than or equal to {_MAX_BULK_INFO} items", field="imageIds")
    out = []
    for image_id in ids:
        image = get_image(ctx.store, image_id)
        if image["dataset_id"] != dataset["id"]:
            raise bad_request(f"image {image_id} is not in dataset {dataset['id']}", field="imageIds")
        out.append(annotation_info(ctx.store, image))
    return out


def list_(ctx, body) -> dict:
    """annotations.list {datasetId, filter}: paged AnnotationInfo of every image."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    rows = ctx.store.rows("SELECT id FROM images WHERE dataset_id = ?", (dataset["id"],))
    infos = [annotation_info(ctx.store, get_image(ctx.store, row["id"])) for row in rows]
    body = {"sort": "imageId", **body} if body.get("sort") in (None, "id") else body
    return page(infos, body)


def bulk_add(ctx, body) -> dict:
    """annotations.bulk.add {datasetId, annotations: [{imageId, annotation}]}: replaces each image's labels."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    items = field(body, "annotations", list)
    for item in items:
        image = get_image(ctx.store, field(item, "imageId", int))
        if image["dataset_id"] != dataset["id"]:
            raise bad_request(f"image {image['id']} is not in dataset {dataset['id']}", field="imageId")
        write_annotation(ctx.store, image, field(item, "annotation", dict), ctx.user["login"])
    return {"success": True}


def figures_list(ctx, body) -> dict:
    """figures.list {datasetId, filter (entityId in [...]), fields}: paged FigureInfo."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    figures = ctx.store.rows(
        "SELECT f.* FROM figures f JOIN images i ON i.id = f.image_id WHERE i.dataset_id = ?", (dataset["id"],)
    )
    images = {}
    entities = []
    for figure in figures:
        image_id = figure["image_id"]
        if image_id not in images:
            images[image_id] = get_image(ctx.store, image_id)
        entities.append(figure_json(ctx.store, figure, images[image_id]))
    return page(entities, body)


ROUTES = {
    "annotations.info": info,
    "annotations.bulk.info": bulk_info,
    "annotations.list": list_,
    "annotations.bulk.add": bulk_add,
    "figures.list": figures_list,
}
