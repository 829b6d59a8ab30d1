"""Video files: probing uploaded bytes with OpenCV into the file meta Supervisely answers, kept once per content hash.

A video's bytes are a blob like an image's (the blobs table, found by images.internal.hashes.list
as the SDK expects); its file meta (streams, frames count, timecodes, duration) lives in video_files.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Iterator

from .imaging import content_hash
from .store import Store, dumps, loads

TABLES = """
CREATE TABLE IF NOT EXISTS video_files (
    hash TEXT PRIMARY KEY REFERENCES blobs(hash) ON DELETE CASCADE, meta TEXT NOT NULL);
"""

# container magic -> (mime, ffprobe's formatName, extension)
_CONTAINERS = (
    (lambda head: head[4:8] == b"ftyp" and head[8:10] == b"qt", ("video/quicktime", "mov,mp4,m4a,3gp,3g2,mj2", "mov")),
    (lambda head: head[4:8] == b"ftyp", ("video/mp4", "mov,mp4,m4a,3gp,3g2,mj2", "mp4")),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"AVI ", ("video/x-msvideo", "avi", "avi")),
    (lambda head: head[:4] == b"\x1a\x45\xdf\xa3", ("video/webm", "matroska,webm", "webm")),
)
# OpenCV's FOURCC -> ffprobe's codec_name, as Supervisely reports it
_CODECS = {"fmp4": "mpeg4", "mp4v": "mpeg4", "xvid": "mpeg4", "divx": "mpeg4", "avc1": "h264", "h264": "h264",
           "hev1": "hevc", "hvc1": "hevc", "vp80": "vp8", "vp90": "vp9", "av01": "av1", "mjpg": "mjpeg"}


@contextmanager
def _as_file(data: bytes, suffix: str) -> Iterator[str]:
    """The bytes in a temporary file, which OpenCV needs to open a video."""
    handle, path = tempfile.mkstemp(suffix="." + suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        yield path
    finally:
        os.unlink(path)


def container_of(data: bytes) -> tuple[str, str, str]:
    """(mime, formatName, extension) of video bytes by their container's magic; ValueError for any other bytes."""
    for matches, answer in _CONTAINERS:
        if matches(data[:16]):
            return answer
    raise ValueError("not a video the sandbox reads (mp4, mov, avi or webm)")


def probe_video(data: bytes) -> dict:
    """The file meta of video bytes, in the shape Supervisely keeps (VideoInfo.file_meta plus its "streams").

    Frames are counted by decoding, since a container's own count can be missing or rounded.
    """
    import cv2

    mime, format_name, ext = container_of(data)
    with _as_file(data, ext) as path:
        capture = cv2.VideoCapture(path)
        try:
            if not capture.isOpened():
                raise ValueError("OpenCV cannot open the video")
            fps = capture.get(cv2.CAP_PROP_FPS)
            width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
            fourcc = int(capture.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode("latin-1").lower()
            frames = 0
            while capture.grab():
                frames += 1
        finally:
            capture.release()
    if not frames or not fps or fps <= 0:
        raise ValueError("the video has no frames OpenCV can decode")
    duration = round(frames / fps, 6)
    stream = {
        "index": 0, "width": width, "height": height, "duration": duration, "rotation": 0,
        "codecName": _CODECS.get(fourcc, fourcc.strip()), "codecType": "video", "startTime": 0,
        "framesCount": frames, "framesToTimecodes": [round(i / fps, 6) for i in range(frames)],
    }
    return {**stream, "formatName": format_name, "mime": mime, "size": str(len(data)), "streams": [stream]}


def store_video(store: Store, data: bytes) -> str:
    """Keep video bytes and their file meta once per content hash; ValueError when they are not a readable video."""
    digest = content_hash(data)
    if store.one("SELECT 1 FROM video_files WHERE hash = ?", (digest,)) is None:
        meta = probe_video(data)
        store.execute(
            "INSERT OR IGNORE INTO blobs (hash, data, mime, width, height, size) VALUES (?, ?, ?, ?, ?, ?)",
            (digest, data, meta["mime"], meta["width"], meta["height"], len(data)),
        )
        store.execute("INSERT OR REPLACE INTO video_files (hash, meta) VALUES (?, ?)", (digest, dumps(meta)))
    return digest


def file_meta(store: Store, digest: str) -> dict | None:
    """The stored file meta of a video hash, or None when no video has it."""
    return loads(store.scalar("SELECT meta FROM video_files WHERE hash = ?", (digest,)))


def frame_png(data: bytes, index: int) -> bytes:
    """Frame `index` of video bytes as PNG; ValueError when the video has no such frame."""
    import cv2

    _, _, ext = container_of(data)
    with _as_file(data, ext) as path:
        capture = cv2.VideoCapture(path)
        try:
            for _ in range(index):
                if not capture.grab():
                    raise ValueError(f"the video has no frame {index}")
            ok, frame = capture.read()
        finally:
            capture.release()
    if not ok:
        raise ValueError(f"the video has no frame {index}")
    return cv2.imencode(".png", frame)[1].tobytes()
