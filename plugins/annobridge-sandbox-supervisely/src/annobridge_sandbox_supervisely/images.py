"""Images: listing, info, the SDK's hash-based upload (hashes.list, bulk.upload, bulk.add), downloads, removal."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from .activity import record
from .archive import HIDDEN_DATASETS, dataset_hidden
from .datasets import get_dataset
from .errors import ApiError, bad_request, field, int_list, not_found
from .image_embeddings import embeddings_updated_at
from .image_filters import filters_sql
from .image_links import fetch_link, link_of, set_link, update_links
from .imaging import STORAGE_PREFIX, content_hash, probe, storage_path, storage_url
from .paging import page
from .projects import get_project
from .sql_paging import Listing, sql_page
from .store import Store, dumps, loads, now

__all__ = ["ROUTES", "STORAGE_PREFIX", "get_image", "image_json", "storage_endpoint"]


def get_image(store: Store, image_id: int) -> dict:
    """The images row joined with its blob's mime/size/width/height and its project_id, or 404."""
    row = store.one(
        "SELECT i.*, b.mime, b.size, b.width, b.height, d.project_id FROM images i "
        "JOIN blobs b ON b.hash = i.hash JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?",
        (image_id,),
    )
    if row is None or dataset_hidden(store, row["dataset_id"]):
        raise not_found("Image", image_id)
    return row


def image_tags(store: Store, image_id: int) -> list[dict]:
    """ImageInfo.tags: [{entityId, tagId, id, value?, labelerLogin, createdAt, updatedAt}]."""
    out = []
    for row in store.rows("SELECT * FROM image_tags WHERE image_id = ? ORDER BY id", (image_id,)):
        tag = {"entityId": image_id, "tagId": row["tag_id"], "id": row["id"]}
        value = loads(row["value"])
        if value is not None:
            tag["value"] = value
        tag.update(labelerLogin=row["labeler_login"], createdAt=row["created_at"], updatedAt=row["updated_at"])
        out.append(tag)
    return out


def image_json(store: Store, row: dict, base_url: str) -> dict:
    """ImageInfo fields in info_sequence order (labelsCount from the row's labels_count when the query counted it)."""
    labels = row.get("labels_count")
    if labels is None:
        labels = store.scalar("SELECT COUNT(*) FROM figures WHERE image_id = ?", (row["id"],))
    return {
        "id": row["id"],
        "name": row["name"],
        "link": link_of(store, row["id"]),
        "hash": row["hash"],
        "mime": row["mime"],
        "ext": row["mime"].split("/")[1],
        "size": row["size"],
        "width": row["width"],
        "height": row["height"],
        "labelsCount": labels,
        "datasetId": row["dataset_id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "meta": loads(row["meta"], {}),
        "pathOriginal": storage_path(row["id"]),
        "fullStorageUrl": storage_url(base_url, row["id"]),
        "tags": image_tags(store, row["id"]),
        "createdBy": row["created_by"],
        "relatedDataId": None,
        "downloadId": None,
        "offsetStart": None,
        "offsetEnd": None,
        "aiSearchMeta": None,
        "embeddingsUpdatedAt": embeddings_updated_at(store, row["id"]),
        "projectId": row["project_id"],
        "description": row["description"],
        "parentId": None,
    }


_IMAGE_ROWS = (
    "SELECT i.*, b.mime, b.size, b.width, b.height, d.project_id FROM images i "
    "JOIN blobs b ON b.hash = i.hash JOIN datasets d ON d.id = i.dataset_id "
)
_IMAGE_SOURCE = "images i JOIN blobs b ON b.hash = i.hash JOIN datasets d ON d.id = i.dataset_id"
_LABELS = "(SELECT COUNT(*) FROM figures f WHERE f.image_id = i.id)"
# ImageInfo fields as SQL; the ones only the JSON holds (meta, tags, links) page in Python
_IMAGE_COLUMNS = {
    "id": "i.id",
    "name": "i.name",
    "hash": "i.hash",
    "mime": "b.mime",
    "ext": "substr(b.mime, instr(b.mime, '/') + 1)",
    "size": "b.size",
    "width": "b.width",
    "height": "b.height",
    "labelsCount": _LABELS,
    "datasetId": "i.dataset_id",
    "createdAt": "i.created_at",
    "updatedAt": "i.updated_at",
    "createdBy": "i.created_by",
    "projectId": "d.project_id",
    "description": "i.description",
    # ImageApi.set_custom_sort keeps the value as meta["customSort"]; sort="customSort" orders by it
    "customSort": "json_extract(i.meta, '$.customSort')",
    **dict.fromkeys(
        [
            "link",
            "relatedDataId",
            "downloadId",
            "offsetStart",
            "offsetEnd",
            "aiSearchMeta",
            "parentId",
        ],
        "NULL",
    ),
}
_IMAGE_JSON_ONLY = frozenset({"meta", "pathOriginal", "fullStorageUrl", "tags", "embeddingsUpdatedAt"})
# the dataset and every dataset nested under it, at any depth
_SUBTREE = (
    "WITH RECURSIVE subtree(id) AS (SELECT ? UNION ALL "
    "SELECT d2.id FROM datasets d2 JOIN subtree s ON d2.parent_id = s.id) SELECT id FROM subtree"
)


def images_list(ctx, body) -> dict:
    """images.list {datasetId | projectId, recursive, filter, filters, sort, sort_order, page/per_page or after}.

    Paged in SQL: a page reads and serialises its own images only, whatever the dataset's size.
    With `recursive` a dataset's nested datasets' images are listed too (ImageApi.get_list(recursive=True)).
    """
    dataset_id = field(body, "datasetId", int, default=None)
    project_id = field(body, "projectId", int, default=None)
    if dataset_id is not None:
        get_dataset(ctx.store, dataset_id)
        where, args = "i.dataset_id = ?", (dataset_id,)
        if field(body, "recursive", bool, default=False):  # removed nested datasets' images left out
            where = f"i.dataset_id IN ({_SUBTREE}) AND i.dataset_id NOT IN ({HIDDEN_DATASETS})"
    elif project_id is not None:
        get_project(ctx.store, project_id)
        where, args = f"d.project_id = ? AND i.dataset_id NOT IN ({HIDDEN_DATASETS})", (project_id,)
    else:
        raise bad_request("images.list needs 'datasetId' or 'projectId'", field="datasetId")
    listing = Listing(
        _IMAGE_SOURCE,
        where,
        args,
        _IMAGE_COLUMNS,
        _IMAGE_JSON_ONLY,
        select=f"i.*, b.mime, b.size, b.width, b.height, d.project_id, {_LABELS} AS labels_count",
        tiebreak="i.id",
    )
    typed = filters_sql(body.get("filters"))
    answer = sql_page(ctx.store, listing, body, lambda row: image_json(ctx.store, row, ctx.base_url), typed)
    if answer is not None:
        return answer
    # a filter or sort on a JSON-only field (meta, tags): every matching image's JSON, as paging.page takes it
    rows = ctx.store.rows(_IMAGE_ROWS + "WHERE " + where + typed[0] + " ORDER BY i.id", [*args, *typed[1]])
    entities = [image_json(ctx.store, row, ctx.base_url) for row in rows]
    if body.get("sort") != "customSort":
        return page(entities, body)
    # customSort is no ImageInfo field: sort by it here, then let paging keep that order
    for entity in entities:
        entity["customSort"] = (entity["meta"] or {}).get("customSort")
    answer = page(entities, body)
    for entity in answer["entities"]:
        del entity["customSort"]
    return answer


def images_info(ctx, body) -> dict:
    """images.info {id}."""
    return image_json(ctx.store, get_image(ctx.store, field(body, "id", int)), ctx.base_url)


def hashes_list(ctx, body) -> list[str]:
    """images.internal.hashes.list: the body is a bare list of hashes; answers those already stored."""
    if not isinstance(body, list) or not all(isinstance(h, str) for h in body):
        raise bad_request("images.internal.hashes.list takes a JSON list of hash strings")
    known = {
        row["hash"]
        for row in ctx.store.rows(
            "SELECT hash FROM blobs WHERE hash IN (SELECT value FROM json_each(?))", (dumps(body),)
        )
    }
    return [h for h in body if h in known]


def bulk_upload(ctx, body) -> list[dict]:
    """images.bulk.upload (multipart): stores each file by content hash -> [{"hash"} or {"errors"}] in order."""
    files = body.get("files") if isinstance(body, dict) else None
    if not files:
        raise bad_request("images.bulk.upload expects multipart/form-data with image files")
    out = []
    for _name, _filename, data in files:
        try:
            out.append({"hash": store_blob(ctx.store, data)})
        except ValueError as error:
            out.append({"errors": [{"message": str(error)}]})
    return out


def store_blob(store: Store, data: bytes) -> str:
    """Keep image bytes once per content hash; ValueError when they are not an image."""
    mime, width, height = probe(data)
    digest = content_hash(data)
    store.execute(
        "INSERT OR IGNORE INTO blobs (hash, data, mime, width, height, size) VALUES (?, ?, ?, ?, ?, ?)",
        (digest, data, mime, width, height, len(data)),
    )
    return digest


def bulk_add(ctx, body) -> list[dict]:
    """images.bulk.add {datasetId, images: [{title, hash | imageId, meta?}]} -> ImageInfo list.

    A name already in the dataset answers 400 with details.type "NONUNIQUE" and the
    clashing {name, id}s, which the SDK's conflict_resolution reads.
    """
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    items = field(body, "images", list)
    names = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            raise bad_request("every image needs a 'title'", field="images")
        names.append(item["title"])
    if len(set(names)) != len(names):
        raise bad_request("image names in one request must be unique", field="images")
    clashes = (
        [
            {"name": row["name"], "id": row["id"]}
            for row in ctx.store.rows(
                f"SELECT id, name FROM images WHERE dataset_id = ? AND name IN ({','.join('?' * len(names))})",
                [dataset["id"], *names],
            )
        ]
        if names
        else []
    )
    if clashes:
        raise bad_request(
            "Some images with the same names already exist in the dataset", type="NONUNIQUE", errors=clashes
        )
    created = []
    for item in items:
        digest = _item_hash(ctx, item)
        stamp = now()
        created.append(
            ctx.store.execute(
                "INSERT INTO images (dataset_id, name, hash, meta, description, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dataset["id"],
                    item["title"],
                    digest,
                    dumps(item.get("meta") or {}),
                    item.get("description") or "",
                    ctx.user["id"],
                    stamp,
                    stamp,
                ),
            )
        )
        if isinstance(item.get("link"), str) and "hash" not in item and "imageId" not in item:
            set_link(ctx.store, created[-1], item["link"])
        record(
            ctx.store,
            "create_image",
            user_id=ctx.user["id"],
            project_id=dataset["project_id"],
            dataset_id=dataset["id"],
            image_id=created[-1],
        )
    return [image_json(ctx.store, get_image(ctx.store, image_id), ctx.base_url) for image_id in created]


def _item_hash(ctx, item: dict) -> str:
    """The blob hash of one images.bulk.add item: an uploaded hash, another image's, or a link's fetched bytes."""
    store = ctx.store
    if isinstance(item.get("hash"), str):
        if store.one("SELECT hash FROM blobs WHERE hash = ?", (item["hash"],)) is None:
            raise bad_request(
                f"no uploaded image has hash {item['hash']!r} (images.bulk.upload it first)", field="hash"
            )
        return item["hash"]
    if isinstance(item.get("imageId"), int):
        return get_image(store, item["imageId"])["hash"]
    if isinstance(item.get("link"), str):
        try:
            return store_blob(store, fetch_link(store, item["link"], ctx.base_url))
        except ValueError as error:
            raise bad_request(f"link {item['link']!r}: {error}", field="link") from None
    if "teamFileId" in item or "sourceBlob" in item:
        raise bad_request(
            f"image {item['title']!r}: blob images (teamFileId, sourceBlob) need Team Files, "
            "which the sandbox does not keep",
            field="teamFileId",
        )
    raise bad_request(f"image {item['title']!r} needs 'hash' or 'imageId'", field="images")


def images_edit(ctx, body) -> dict:
    """images.editInfo {id, name?, description?, meta?}."""
    row = get_image(ctx.store, field(body, "id", int))
    ctx.store.execute(
        "UPDATE images SET name = ?, description = ?, meta = ?, updated_at = ? WHERE id = ?",
        (
            field(body, "name", str, default=row["name"]),
            field(body, "description", str, default=row["description"]),
            dumps(field(body, "meta", dict, default=loads(row["meta"], {}))),
            now(),
            row["id"],
        ),
    )
    return image_json(ctx.store, get_image(ctx.store, row["id"]), ctx.base_url)


def bulk_set_custom_sort(ctx, body) -> dict:
    """images.bulk.set-custom-sort {images: [{id, customSort}]}: kept as meta["customSort"], as the SDK documents."""
    items = field(body, "images", list)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int) or not isinstance(
            item.get("customSort"), str
        ):
            raise bad_request("every entry of 'images' needs an integer 'id' and a string 'customSort'", field="images")
        get_image(ctx.store, item["id"])
    stamp = now()
    for item in items:
        ctx.store.execute(
            "UPDATE images SET meta = json_set(COALESCE(meta, '{}'), '$.customSort', ?), updated_at = ? WHERE id = ?",
            (item["customSort"], stamp, item["id"]),
        )
    return {"success": True}


def bulk_remove(ctx, body) -> dict:
    """images.bulk.remove {imageIds} (ImageApi._remove_batch_field_name)."""
    ids = int_list(body, "imageIds")
    for image_id in ids:
        get_image(ctx.store, image_id)
    for image_id in ids:
        ctx.store.execute("DELETE FROM images WHERE id = ?", (image_id,))
    return {"success": True}


def _bytes_of(store: Store, image_id: int) -> tuple[bytes, str]:
    row = store.one("SELECT b.data, b.mime FROM images i JOIN blobs b ON b.hash = i.hash WHERE i.id = ?", (image_id,))
    if row is None:
        raise not_found("Image", image_id)
    return row["data"], row["mime"]


def download(ctx, body) -> Response:
    """images.download {id}: the original bytes."""
    data, mime = _bytes_of(ctx.store, field(body, "id", int))
    return Response(data, media_type=mime)


def bulk_download(ctx, body) -> Response:
    """images.bulk.download {datasetId, imageIds}: multipart/form-data, one part named by each image id."""
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    boundary = uuid.uuid4().hex
    chunks = []
    for image_id in int_list(body, "imageIds"):
        if get_image(ctx.store, image_id)["dataset_id"] != dataset["id"]:
            raise bad_request(f"image {image_id} is not in dataset {dataset['id']}", field="imageIds")
        data, mime = _bytes_of(ctx.store, image_id)
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{image_id}"; filename="{image_id}"\r\n'
            f"Content-Type: {mime}\r\n\r\n"
        )
        chunks += [head.encode(), data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return Response(b"".join(chunks), media_type=f"multipart/form-data; boundary={boundary}")


def bulk_download_by_hash(ctx, body) -> Response:
    """images.bulk.download-by-hash {hashes}: multipart/form-data, one part named by each hash, in the asked order."""
    hashes = field(body, "hashes", list)
    if not all(isinstance(h, str) for h in hashes):
        raise bad_request("field 'hashes' must be a list of hash strings", field="hashes")
    rows = {
        row["hash"]: row
        for row in ctx.store.rows(
            "SELECT hash, data, mime FROM blobs WHERE hash IN (SELECT value FROM json_each(?))", (dumps(hashes),)
        )
    }
    unknown = [h for h in hashes if h not in rows]
    if unknown:
        raise bad_request(f"no stored image has hash {unknown[0]!r}", field="hashes")
    boundary = uuid.uuid4().hex
    chunks = []
    for digest in dict.fromkeys(hashes):
        # the SDK reads the hash as everything between 'form-data; name="' and the last character
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{digest}"\r\n'
            f"Content-Type: {rows[digest]['mime']}\r\n\r\n"
        )
        chunks += [head.encode(), rows[digest]["data"], b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return Response(b"".join(chunks), media_type=f"multipart/form-data; boundary={boundary}")


def storage_endpoint(store: Store):
    """GET <pathOriginal>: image bytes for fullStorageUrl links (no token, like storage links)."""

    async def endpoint(request: Request) -> Response:
        try:
            data, mime = _bytes_of(store, request.path_params["image_id"])
        except ApiError as error:
            return Response(error.message, status_code=error.status)
        return Response(data, media_type=mime)

    return endpoint


ROUTES = {
    "images.list": images_list,
    "images.info": images_info,
    "images.internal.hashes.list": hashes_list,
    "images.bulk.upload": bulk_upload,
    "images.bulk.add": bulk_add,
    "images.editInfo": images_edit,
    "images.bulk.remove": bulk_remove,
    "images.bulk.set-custom-sort": bulk_set_custom_sort,
    "images.download": download,
    "images.bulk.download": bulk_download,
    "images.bulk.download-by-hash": bulk_download_by_hash,
    "images.update.links": lambda ctx, body: update_links(ctx, body, store_blob),
}

REFUSED = {
    "images.data.download": "blob-file projects need Team Files, which the sandbox does not keep",
    "remote-storage.exists": "needs the cloud storages a team connects to a real instance",
    "file-storage.list": "the sandbox keeps no Team Files",
    "file-storage.info": "the sandbox keeps no Team Files",
    "file-storage.download": "the sandbox keeps no Team Files",
    "file-storage.bulk.upload": "the sandbox keeps no Team Files",
    "agents.storage.list": "needs an agent's storage, and the sandbox runs no agents",
    "agents.storage.download": "needs an agent's storage, and the sandbox runs no agents",
}
