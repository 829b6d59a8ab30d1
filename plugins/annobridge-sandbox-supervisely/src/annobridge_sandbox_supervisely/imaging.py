"""Pixel helpers with Pillow and numpy only: content hashes, image probing, bitmap masks, figure bounding boxes."""

from __future__ import annotations

import base64
import hashlib
import io
import zlib

import numpy as np
from PIL import Image

STORAGE_PREFIX = "/sandbox-storage/images/original/"


def content_hash(data: bytes) -> str:
    """base64(sha256(bytes)), the hash the SDK computes for uploads (sly.fs.get_bytes_hash)."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("utf-8")


def probe(data: bytes) -> tuple[str, int, int]:
    """(mime, width, height) of encoded image bytes; ValueError when they are not an image."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = img.format, img.size
    except Exception as error:
        raise ValueError(f"not a readable image: {error}") from None
    return Image.MIME.get(fmt, f"image/{fmt.lower()}"), width, height


def storage_path(image_id: int) -> str:
    """The image's pathOriginal (served by the sandbox without a token, like storage links)."""
    return f"{STORAGE_PREFIX}{image_id}"


def storage_url(base_url: str, image_id: int) -> str:
    """The image's fullStorageUrl."""
    return base_url + storage_path(image_id)


def encode_bitmap(mask: np.ndarray) -> dict:
    """A bool mask as Supervisely bitmap JSON {"data", "origin"}, cropped to its pixels (as Bitmap.data_2_base64)."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        raise ValueError("an empty mask has no bitmap")
    top, left = int(ys.min()), int(xs.min())
    crop = mask[top : ys.max() + 1, left : xs.max() + 1]
    img = Image.fromarray(crop.astype(np.uint8))
    img.putpalette([0, 0, 0, 255, 255, 255])
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", transparency=0, optimize=0)
    return {"data": base64.b64encode(zlib.compress(buffer.getvalue())).decode("utf-8"), "origin": [left, top]}


def decode_bitmap(data: str) -> np.ndarray:
    """The bool mask of bitmap "data" (zlib-compressed PNG, or plain PNG), like Bitmap.base64_2_data."""
    raw = base64.b64decode(data)
    try:
        raw = zlib.decompress(raw)
    except zlib.error:
        pass
    with Image.open(io.BytesIO(raw)) as img:
        if img.mode == "P":
            return np.array(img) > 0
        arr = np.array(img.convert("RGBA"))
    return arr[..., 3] > 0 if arr[..., 3].min() < 255 else arr[..., :3].any(axis=-1)


def bbox_and_area(geometry_type: str, geometry: dict) -> tuple[list[int] | None, str | None]:
    """([top, left, bottom, right], area) of a figure where cheap to know, else (None, None)."""
    try:
        if geometry_type == "bitmap":
            mask = decode_bitmap(geometry["bitmap"]["data"])
            left, top = geometry["bitmap"]["origin"]
            return [top, left, top + mask.shape[0] - 1, left + mask.shape[1] - 1], str(int(mask.sum()))
        points = geometry.get("points", {}).get("exterior")
        if points:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            box = [int(min(ys)), int(min(xs)), int(max(ys)), int(max(xs))]
            area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1) if geometry_type == "rectangle" else None
            return box, None if area is None else str(area)
    except Exception:  # a geometry the sandbox cannot measure still stores fine
        return None, None
    return None, None
