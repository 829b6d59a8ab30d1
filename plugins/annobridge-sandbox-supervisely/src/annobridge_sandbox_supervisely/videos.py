"""Videos (VideoApi): upload by hash (videos.bulk.upload, file meta, videos.bulk.add), list, info, customData, download.

Uploaded bytes are probed with OpenCV (frames count, rate, size, codec) and answered in
Supervisely's file meta shape; a video's pathOriginal is served like an image's.
"""

from __future__ import annotations

import uuid

from starlette.responses import Response

from .datasets import get_dataset
from .errors import bad_request, field, int_list
from .imaging import storage_path, storage_url
from .paging import page
from .projects import get_project, live_dataset_rows
from .store import dumps, loads, now
from .video_files import file_meta, frame_png, store_video
from .video_store import get_video, set_custom_data, tags_json, video_rows


def video_json(ctx, row: dict) -> dict:
    """VideoInfo fields in info_sequence order (framesCount, width and height are read from fileMeta)."""
    meta = dict(row["file_meta"])
    return {
        "id": row["id"],
        "name": row["name"],
        "hash": row["hash"],
        "link": None,
        "teamId": row["team_id"],
        "workspaceId": row["workspace_id"],
        "projectId": row["project_id"],
        "datasetId": row["dataset_id"],
        "pathOriginal": storage_path(row["id"]),
        "fileMeta": meta,
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "tags": tags_json(ctx.store, row["id"]),
        "meta": loads(row["meta"], {}),
        "customData": row["custom_data"],
        "processingPath": f"sandbox/{row['id']}",
        "fullStorageUrl": storage_url(ctx.base_url, row["id"]),
        "description": row["description"],
        "createdBy": row["created_by"],
    }


def bulk_upload(ctx, body) -> list[dict]:
    """videos.bulk.upload (multipart): each file kept by content hash -> [{"hash"} or {"errors"}] in order."""
    files = body.get("files") if isinstance(body, dict) else None
    if not files:
        raise bad_request("videos.bulk.upload expects multipart/form-data with video files")
    answers = []
    for _name, _filename, data in files:
        try:
            answers.append({"hash": store_video(ctx.store, data)})
        except ValueError as error:
            answers.append({"errors": [{"message": str(error)}]})
    return answers


def file_metas(ctx, body) -> list[dict]:
    """import-storage.internal.meta.list {hashes}: [{hash, meta}] in order, the meta the SDK reads streams from."""
    hashes = field(body, "hashes", list)
    answers = []
    for digest in hashes:
        meta = file_meta(ctx.store, digest) if isinstance(digest, str) else None
        if meta is None:
            raise bad_request(f"no uploaded video has hash {digest!r} (videos.bulk.upload it first)", field="hashes")
        answers.append({"hash": digest, "meta": meta})
    return answers


def bulk_add(ctx, body) -> list[dict]:
    """videos.bulk.add {datasetId, videos: [{title, hash, meta?}]} -> VideoInfo list, in order.

    A name already in the dataset answers 400 NONUNIQUE with the clashing {name, id}s, as images.bulk.add does.
    """
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    project = get_project(ctx.store, dataset["project_id"])
    if project["type"] != "videos":
        raise bad_request(f"dataset {dataset['id']} is in a {project['type']} project; videos go in video projects",
                          field="datasetId")
    items = field(body, "videos", list)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"]:
            raise bad_request("every video needs a 'title'", field="videos")
        if not isinstance(item.get("hash"), str):
            raise bad_request(f"video {item['title']!r} needs the 'hash' of an uploaded video (links, ids and Team "
                              "Files sources are not served by the sandbox)", field="videos")
        if file_meta(ctx.store, item["hash"]) is None:
            raise bad_request(f"no uploaded video has hash {item['hash']!r} (videos.bulk.upload it first)",
                              field="hash")
    names = [item["title"] for item in items]
    if len(set(names)) != len(names):
        raise bad_request("video names in one request must be unique", field="videos")
    clashes = [
        {"name": row["name"], "id": row["id"]}
        for row in ctx.store.rows(
            "SELECT id, name FROM images WHERE dataset_id = ? AND name IN (SELECT value FROM json_each(?))",
            (dataset["id"], dumps(names)),
        )
    ]
    if clashes:
        raise bad_request("Some videos with the same names already exist in the dataset", type="NONUNIQUE",
                          errors=clashes)
    created = []
    for item in items:
        stamp = now()
        created.append(ctx.store.execute(
            "INSERT INTO images (dataset_id, name, hash, meta, description, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (dataset["id"], item["title"], item["hash"], dumps(item.get("meta") or {}), "", ctx.user["id"], stamp,
             stamp),
        ))
    return [video_json(ctx, get_video(ctx.store, video_id)) for video_id in created]


def videos_info(ctx, body) -> dict:
    """videos.info {id, forceMetadataForLinks?}."""
    return video_json(ctx, get_video(ctx.store, field(body, "id", int)))


def videos_list(ctx, body) -> dict:
    """videos.list {datasetId | projectId, filter, sort, sort_order, page/per_page or after}: a page of VideoInfos."""
    dataset_id = field(body, "datasetId", int, default=None)
    project_id = field(body, "projectId", int, default=None)
    if dataset_id is not None:
        dataset_ids = [get_dataset(ctx.store, dataset_id)["id"]]
    elif project_id is not None:
        get_project(ctx.store, project_id)
        dataset_ids = [row["id"] for row in live_dataset_rows(ctx.store, project_id)]
    else:
        raise bad_request("videos.list needs 'datasetId' or 'projectId'", field="datasetId")
    rows = video_rows(ctx.store, "i.dataset_id IN (SELECT value FROM json_each(?))", (dumps(dataset_ids),))
    return page([video_json(ctx, row) for row in rows], body)


def custom_data_set(ctx, body) -> dict:
    """videos.custom-data.set {id, customData}: the video's custom data replaced whole (VideoApi.update_custom_data;
    a caller that keeps other keys sends them along)."""
    video = get_video(ctx.store, field(body, "id", int))
    set_custom_data(ctx.store, video["id"], field(body, "customData", dict))
    ctx.store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (now(), video["id"]))
    return {"success": True}


def _bytes_of(ctx, video_id: int) -> tuple[bytes, str]:
    video = get_video(ctx.store, video_id)
    return ctx.store.scalar("SELECT data FROM blobs WHERE hash = ?", (video["hash"],)), video["mime"]


def download(ctx, body) -> Response:
    """videos.download {id}: the original bytes."""
    data, mime = _bytes_of(ctx, field(body, "id", int))
    return Response(data, media_type=mime)


def download_frame(ctx, body) -> Response:
    """videos.download-frame {videoId, frame}: that frame as PNG."""
    video_id = field(body, "videoId", int)
    data, _ = _bytes_of(ctx, video_id)
    return Response(_frame(data, video_id, field(body, "frame", int)), media_type="image/png")


def bulk_download_frames(ctx, body) -> Response:
    """videos.bulk.download-frame {videoId, frames}: multipart/form-data, one PNG part named by each frame index."""
    video_id = field(body, "videoId", int)
    data, _ = _bytes_of(ctx, video_id)
    boundary = uuid.uuid4().hex
    chunks = []
    for index in int_list(body, "frames"):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{index}"\r\nContent-Type: image/png\r\n\r\n'
        chunks += [head.encode(), _frame(data, video_id, index), b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return Response(b"".join(chunks), media_type=f"multipart/form-data; boundary={boundary}")


def _frame(data: bytes, video_id: int, index: int) -> bytes:
    try:
        return frame_png(data, index)
    except ValueError as error:
        raise bad_request(f"video {video_id}: {error}", field="frame") from None


ROUTES = {
    "videos.bulk.upload": bulk_upload,
    "import-storage.internal.meta.list": file_metas,
    "videos.bulk.add": bulk_add,
    "videos.info": videos_info,
    "videos.list": videos_list,
    "videos.custom-data.set": custom_data_set,
    "videos.download": download,
    "videos.download-frame": download_frame,
    "videos.bulk.download-frame": bulk_download_frames,
}

REFUSED = {
    "videos.bulk.upsert_file_meta": "the sandbox reads a video's file meta from its bytes and takes none given",
    "videos.update.links": "the sandbox keeps no remote video links",
    "videos.notify-annotation-tool": "no annotation tool runs beside the sandbox to be told of tracking progress",
}
