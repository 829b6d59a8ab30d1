"""Video state: a video is an images row whose blob has file meta; its objects, per-frame figures and tags live here.

Supervisely keeps images and videos as one kind of entity (videos are removed with images.bulk.remove
and renamed with images.editInfo), so a video takes its id, name, dataset and bytes from the images
and blobs tables; removing it or its dataset removes its annotation through the foreign keys.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from .errors import bad_request, not_found
from .store import Store, dumps, loads

TABLES = """
CREATE TABLE IF NOT EXISTS video_objects (
    id INTEGER PRIMARY KEY AUTOINCREMENT, video_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    class_id INTEGER NOT NULL REFERENCES obj_classes(id) ON DELETE CASCADE, key TEXT NOT NULL,
    labeler_login TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS video_figures (
    id INTEGER PRIMARY KEY AUTOINCREMENT, video_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    object_id INTEGER NOT NULL REFERENCES video_objects(id) ON DELETE CASCADE, frame INTEGER NOT NULL,
    geometry_type TEXT NOT NULL, geometry TEXT NOT NULL, key TEXT NOT NULL, meta TEXT, track_id TEXT,
    nn_created INTEGER DEFAULT 0, nn_updated INTEGER DEFAULT 0, labeler_login TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS video_tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT, video_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    object_id INTEGER REFERENCES video_objects(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tag_metas(id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT,
    frame_from INTEGER, frame_to INTEGER, is_finished INTEGER DEFAULT 1, non_final_value INTEGER DEFAULT 0,
    labeler_login TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS video_custom_data (
    video_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS video_objects_by_video ON video_objects(video_id);
CREATE INDEX IF NOT EXISTS video_figures_by_video ON video_figures(video_id, frame);
CREATE INDEX IF NOT EXISTS video_tags_by_video ON video_tags(video_id);
"""

_VIDEO_ROW = (
    "SELECT i.*, b.mime, b.size, b.width, b.height, d.project_id, p.workspace_id, p.type AS project_type, "
    "w.team_id, vf.meta AS file_meta, vc.data AS custom_data FROM images i JOIN blobs b ON b.hash = i.hash "
    "JOIN video_files vf ON vf.hash = i.hash LEFT JOIN video_custom_data vc ON vc.video_id = i.id "
    "JOIN datasets d ON d.id = i.dataset_id "
    "JOIN projects p ON p.id = d.project_id JOIN workspaces w ON w.id = p.workspace_id "
)


def video_rows(store: Store, where: str, args: tuple | list) -> list[dict]:
    """Video rows (images joined with blob, file meta, custom data, project, workspace) matching a condition, in id
    order."""
    rows = store.rows(_VIDEO_ROW + "WHERE " + where + " ORDER BY i.id", args)
    for row in rows:
        row["file_meta"] = loads(row["file_meta"])
        row["custom_data"] = loads(row["custom_data"], {})
    return rows


def set_custom_data(store: Store, video_id: int, data: dict) -> None:
    """The video's custom data replaced by `data` (VideoInfo.custom_data); it goes with the video."""
    store.execute("INSERT OR REPLACE INTO video_custom_data (video_id, data) VALUES (?, ?)", (video_id, dumps(data)))


def get_video(store: Store, video_id: Any) -> dict:
    """The video row, or 404 (also for an image's id)."""
    if not isinstance(video_id, int) or isinstance(video_id, bool):
        raise bad_request(f"a video id must be an integer, got {video_id!r}", field="videoId")
    rows = video_rows(store, "i.id = ?", (video_id,))
    if not rows:
        raise not_found("Video", video_id)
    return rows[0]


def is_video(store: Store, entity_id: Any) -> bool:
    """True when the id names a video (not an image, not nothing)."""
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        return False
    return store.one("SELECT 1 FROM images i JOIN video_files vf ON vf.hash = i.hash WHERE i.id = ?",
                     (entity_id,)) is not None


def frames_count(video: dict) -> int:
    """How many frames the video has."""
    return video["file_meta"]["framesCount"]


def check_frame(video: dict, frame: Any, name: str = "frame") -> int:
    """A frame index of the video, or 400."""
    if not isinstance(frame, int) or isinstance(frame, bool) or not 0 <= frame < frames_count(video):
        raise bad_request(
            f"{name} must be a frame index of video {video['id']} (0..{frames_count(video) - 1}), got {frame!r}",
            field=name,
        )
    return frame


def check_frame_range(video: dict, span: Any) -> tuple[int, int] | None:
    """A tag's frameRange [start, end] (inclusive) inside the video, None when absent, or 400."""
    if span is None:
        return None
    if not isinstance(span, list) or len(span) != 2:
        raise bad_request(f"frameRange must be [start, end], got {span!r}", field="frameRange")
    start, end = check_frame(video, span[0], "frameRange"), check_frame(video, span[1], "frameRange")
    if start > end:
        raise bad_request(f"frameRange starts after it ends: {span!r}", field="frameRange")
    return start, end


def key_of(given: Any) -> str:
    """The entity key the client gave (a UUID, kept as hex), or a new one."""
    if isinstance(given, str):
        try:
            return UUID(given).hex
        except ValueError:
            raise bad_request(f"key {given!r} is not a UUID", field="key") from None
    return uuid4().hex


def get_object(store: Store, object_id: Any) -> dict:
    """The video object row with its video's project and dataset, or 404."""
    row = store.one(
        "SELECT o.*, i.dataset_id, d.project_id FROM video_objects o JOIN images i ON i.id = o.video_id "
        "JOIN datasets d ON d.id = i.dataset_id WHERE o.id = ?",
        (object_id,),
    )
    if row is None:
        raise not_found("Annotation object", object_id)
    return row


def tag_json(row: dict, name: str) -> dict:
    """One video or object tag as the annotation JSON holds it (VideoTag.from_json reads it)."""
    tag = {"id": row["id"], "tagId": row["tag_id"], "name": name, "key": row["key"]}
    value = loads(row["value"])
    if value is not None:
        tag["value"] = value
    if row["frame_from"] is not None:
        tag["frameRange"] = [row["frame_from"], row["frame_to"]]
    tag.update(isFinished=bool(row["is_finished"]), nonFinalValue=bool(row["non_final_value"]),
               labelerLogin=row["labeler_login"], createdAt=row["created_at"], updatedAt=row["updated_at"])
    return tag


def tags_json(store: Store, video_id: int, object_id: int | None = None) -> list[dict]:
    """The video's own tags (object_id None) or one object's tags, in the order they were put."""
    owner = "t.object_id IS NULL" if object_id is None else "t.object_id = ?"
    rows = store.rows(
        "SELECT t.*, tm.data AS meta FROM video_tags t JOIN tag_metas tm ON tm.id = t.tag_id "
        f"WHERE t.video_id = ? AND {owner} ORDER BY t.id",
        (video_id,) if object_id is None else (video_id, object_id),
    )
    return [tag_json(row, loads(row["meta"])["name"]) for row in rows]


def insert_tag(store: Store, video: dict, object_id: int | None, meta: dict, value: Any,
               span: tuple[int, int] | None, given: dict, labeler: str, stamp: str) -> int:
    """Store one checked tag on the video (object_id None) or on one of its objects; its id."""
    finished = given.get("isFinished", True) is not False and given.get("nonFinalValue") is not True
    return store.execute(
        "INSERT INTO video_tags (video_id, object_id, tag_id, key, value, frame_from, frame_to, is_finished, "
        "non_final_value, labeler_login, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (video["id"], object_id, meta["id"], key_of(given.get("key")), dumps(value),
         *(span or (None, None)), int(finished), int(given.get("nonFinalValue") is True),
         given.get("labelerLogin") or labeler, given.get("createdAt") or stamp, stamp),
    )


def next_figure_id(store: Store) -> int:
    """A figure id no image figure or video figure has: both kinds share one id space, as on Supervisely."""
    last = max(
        store.scalar("SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ('figures', 'video_figures')") or 0,
        store.scalar("SELECT MAX(id) FROM figures") or 0,
        store.scalar("SELECT MAX(id) FROM video_figures") or 0,
    )
    store.set_next_id("figures", last + 2)  # image figures made later skip the id handed out here
    return last + 1
