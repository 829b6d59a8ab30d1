"""Figures and tags one at a time: figures.bulk.add/info/tags.list, alpha mask geometries, image and object tags."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

from .annotation_store import figure_json
from .figure_store import add_figures, attach_tag, figure_tags_json, separate_geometries, set_separate_geometries
from .datasets import get_dataset
from .errors import bad_request, field, int_list, not_found
from .images import get_image
from .store import Store


def _id_field(body: Any, name: str) -> int:
    """An integer id from a JSON body, or from a GET query (where every value is a string)."""
    value = field(body, name)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise bad_request(f"field {name!r} must be an integer id, got {value!r}", field=name)


def _figure(store: Store, figure_id: int) -> tuple[dict, dict]:
    """(figure row, its image) or 404."""
    figure = store.one("SELECT * FROM figures WHERE id = ?", (figure_id,))
    if figure is None:
        raise not_found("Figure", figure_id)
    return figure, get_image(store, figure["image_id"])


def bulk_add(ctx, body) -> list[dict]:
    """figures.bulk.add {entityId | datasetId, figures: [{entityId?, classId, geometryType, geometry, ...}]}:
    [{id}] of the new figures, in order."""
    figures = field(body, "figures", list)
    if body.get("entityId") is not None:
        image = get_image(ctx.store, field(body, "entityId", int))
        pairs = [(image, figure) for figure in figures]
    else:
        dataset = get_dataset(ctx.store, field(body, "datasetId", int))
        pairs = []
        for figure in figures:
            image = get_image(ctx.store, field(figure, "entityId", int))
            if image["dataset_id"] != dataset["id"]:
                raise bad_request(f"image {image['id']} is not in dataset {dataset['id']}", field="entityId")
            pairs.append((image, figure))
    return [{"id": figure_id} for figure_id in add_figures(ctx.store, pairs, ctx.user["login"])]


def info(ctx, body) -> dict:
    """figures.info {id, decompressBitmap, fields?} (GET from get_label_by_id, POST from figure.get_info_by_id)."""
    figure, image = _figure(ctx.store, _id_field(body, "id"))
    answer = figure_json(ctx.store, figure, image)
    fields = body.get("fields")
    if isinstance(fields, list) and fields:  # only what was asked for
        answer = {k: v for k, v in answer.items() if k in fields or k == "id"}
    return answer


def tags_list(ctx, body) -> list[dict]:
    """figures.tags.list {id}: the figure's tags, each with its name."""
    figure, image = _figure(ctx.store, _id_field(body, "id"))
    return figure_tags_json(ctx.store, figure, image["project_id"])


def add_tag_to_images(ctx, body) -> dict:
    """image-tags.bulk.add-to-image {tagId, ids, value?}: the tag on every image (add_tag, add_tag_batch)."""
    tag_meta_id = field(body, "tagId", int)
    images = [get_image(ctx.store, image_id) for image_id in int_list(body, "ids")]
    for image in images:
        attach_tag(ctx.store, "image", image, image, tag_meta_id, body.get("value"), ctx.user["login"])
    return {"success": True}


def add_tag_to_object(ctx, body) -> dict:
    """object-tags.add-to-object {tagId, figureId, value?}: {id} of the tag put on the figure."""
    figure, image = _figure(ctx.store, field(body, "figureId", int))
    tag_id = attach_tag(ctx.store, "figure", figure, image, field(body, "tagId", int), body.get("value"),
                        ctx.user["login"])
    return {"id": tag_id}


def upload_geometries(ctx, body) -> dict:
    """figures.bulk.upload.geometry (multipart: figureId fields and one "geometry" file per figure, named by its id)."""
    pairs = []
    for name, filename, data in body.get("files", []) if isinstance(body, dict) else []:
        if name != "geometry" or not str(filename).isdigit():
            raise bad_request(f"every geometry part must be named by its figure id, got {filename!r}", field="geometry")
        try:
            pairs.append((int(filename), json.loads(data)))
        except ValueError:
            raise bad_request(f"geometry of figure {filename} is not JSON", field="geometry") from None
    if not pairs:
        raise bad_request("no geometry parts in the request", field="geometry")
    set_separate_geometries(ctx.store, pairs)
    return {"success": True}


def download_geometries(ctx, body) -> Response:
    """figures.bulk.download.geometry {ids}: multipart/form-data, one JSON part per figure named by its id."""
    boundary = uuid.uuid4().hex
    chunks = []
    for figure_id, geometry in separate_geometries(ctx.store, int_list(body, "ids")):
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{figure_id}"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(geometry)}\r\n"
        )
    chunks.append(f"--{boundary}--\r\n")
    return Response("".join(chunks).encode(), media_type=f"multipart/form-data; boundary={boundary}")


ROUTES = {
    "figures.bulk.add": bulk_add,
    "figures.info": info,
    "figures.tags.list": tags_list,
    "figures.bulk.upload.geometry": upload_geometries,
    "figures.bulk.download.geometry": download_geometries,
    "image-tags.bulk.add-to-image": add_tag_to_images,
    "object-tags.add-to-object": add_tag_to_object,
}
