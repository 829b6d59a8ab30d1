"""Annotation endpoints: annotations.info/bulk.info/list/bulk.add/bulk.copy and figures.list (AnnotationApi)."""

from __future__ import annotations

from .annotation_store import annotation_info, figure_json, write_annotation
from .datasets import get_dataset
from .errors import bad_request, field, int_list
from .figure_store import copy_annotation
from .images import get_image
from .paging import page
from .sql_paging import Listing, sql_page

_MAX_BULK_INFO = 100  # the real server refuses more imageIds (see annotation_api.BULK_INFO_MAX_BATCH_SIZE)


def _with_custom_data(body) -> bool:
    """withCustomBigData: whether the annotations carry their customBigData (the SDK asks only when told to)."""
    return body.get("withCustomBigData") is True


def info(ctx, body) -> dict:
    """annotations.info {imageId, withCustomBigData}."""
    image = get_image(ctx.store, field(body, "imageId", int))
    return annotation_info(ctx.store, image, custom_data=_with_custom_data(body))


def bulk_info(ctx, body) -> list[dict]:
    """annotations.bulk.info {datasetId, imageIds, withCustomBigData} (at most 100 ids)."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    ids = int_list(body, "imageIds")
    if len(ids) > _MAX_BULK_INFO:
        raise bad_request(f"imageIds must contain less than or equal to {_MAX_BULK_INFO} items", field="imageIds")
    out = []
    for image_id in ids:
        image = get_image(ctx.store, image_id)
        if image["dataset_id"] != dataset["id"]:
            raise bad_request(f"image {image_id} is not in dataset {dataset['id']}", field="imageIds")
        out.append(annotation_info(ctx.store, image, custom_data=_with_custom_data(body)))
    return out


_ANNOTATION_COLUMNS = {
    "imageId": "i.id",
    "id": "i.id",
    "imageName": "i.name",
    "createdAt": "i.created_at",
    "updatedAt": "i.updated_at",
    "datasetId": "i.dataset_id",
}


def list_(ctx, body) -> dict:
    """annotations.list {datasetId, filter, withCustomBigData}: paged AnnotationInfo of every image, a page at a
    time."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    body = {**body, "sort": "imageId"} if body.get("sort") in (None, "id") else body
    custom = _with_custom_data(body)
    listing = Listing(
        "images i",
        "i.dataset_id = ?",
        (dataset["id"],),
        _ANNOTATION_COLUMNS,
        frozenset({"annotation"}),
        select="i.id",
        tiebreak="i.id",
    )

    def to_json(row: dict) -> dict:
        return annotation_info(ctx.store, get_image(ctx.store, row["id"]), custom_data=custom)

    answer = sql_page(ctx.store, listing, body, to_json)
    if answer is not None:
        return answer
    # a filter or sort on the annotation JSON itself: every image's annotation, as paging.page takes it
    rows = ctx.store.rows("SELECT id FROM images WHERE dataset_id = ? ORDER BY id", (dataset["id"],))
    return page([to_json(row) for row in rows], body)


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


def bulk_copy(ctx, body) -> dict:
    """annotations.bulk.copy {srcImageIds, destImageIds, preserveSourceDate}: each destination gets its source's
    annotation (copy_batch_by_ids)."""
    sources, targets = int_list(body, "srcImageIds"), int_list(body, "destImageIds")
    if len(sources) != len(targets):
        raise bad_request(
            f"srcImageIds and destImageIds differ in length ({len(sources)} != {len(targets)})", field="destImageIds"
        )
    keep_dates = field(body, "preserveSourceDate", bool, default=True)
    for source_id, target_id in zip(sources, targets):
        copy_annotation(ctx.store, get_image(ctx.store, source_id), get_image(ctx.store, target_id),
                        ctx.user["login"], keep_dates)
    return {"success": True}


_FIGURE_COLUMNS = {
    "id": "f.id",
    "classId": "f.class_id",
    "updatedAt": "f.updated_at",
    "createdAt": "f.created_at",
    "entityId": "f.image_id",
    "imageId": "f.image_id",
    "objectId": "NULL",
    "projectId": "d.project_id",
    "datasetId": "i.dataset_id",
    "geometryType": "f.geometry_type",
    "labelerLogin": "f.labeler_login",
}
_FIGURE_JSON_ONLY = frozenset(
    {"meta", "geometry", "geometryMeta", "tags", "area", "priority", "customData", "nnCreated", "nnUpdated"}
)


def figures_list(ctx, body) -> dict:
    """figures.list {datasetId, filter (entityId in [...]), fields}: paged FigureInfo, one page read at a time."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    images: dict[int, dict] = {}
    fields = body.get("fields")
    # skip_geometry: the SDK leaves "geometry" out of the fields it asks for, and then none is sent
    no_geometry = isinstance(fields, list) and bool(fields) and "geometry" not in fields

    def to_json(figure: dict) -> dict:
        image_id = figure["image_id"]
        if image_id not in images:
            images[image_id] = get_image(ctx.store, image_id)
        answer = figure_json(ctx.store, figure, images[image_id])
        if no_geometry:
            answer.pop("geometry")
        return answer

    listing = Listing(
        "figures f JOIN images i ON i.id = f.image_id JOIN datasets d ON d.id = i.dataset_id",
        "i.dataset_id = ?",
        (dataset["id"],),
        _FIGURE_COLUMNS,
        _FIGURE_JSON_ONLY,
        select="f.*",
        tiebreak="f.id",
    )
    answer = sql_page(ctx.store, listing, body, to_json)
    if answer is not None:
        return answer
    # a filter or sort on a JSON-only field (geometry, tags): every figure's JSON, as paging.page takes it
    figures = ctx.store.rows(
        "SELECT f.* FROM figures f JOIN images i ON i.id = f.image_id WHERE i.dataset_id = ? ORDER BY f.id",
        (dataset["id"],),
    )
    return page([to_json(figure) for figure in figures], body)


ROUTES = {
    "annotations.info": info,
    "annotations.bulk.info": bulk_info,
    "annotations.list": list_,
    "annotations.bulk.add": bulk_add,
    "annotations.bulk.copy": bulk_copy,
    "figures.list": figures_list,
}
