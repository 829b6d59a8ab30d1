"""Seed a Supervisely sandbox database with N small annotated images, fast, through the sandbox's own store.

    >>> path = build_database("/tmp/bench-2000.sqlite", images=2000)       # doctest: +SKIP
    >>> with running_sandbox(db_path=str(path)) as sb: ...                 # doctest: +SKIP

Each image is a distinct 64x64 JPEG with one rectangle ("box"), one polygon ("leaf") and one
bitmap ("spot") figure, each carrying a "quality" object tag. Annotations are written with the
sandbox's own write_annotation (validated as an upload would be), all in one transaction.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

PROJECT_NAME = "Bench images"
SIZE = 64
META = {
    "classes": [
        {"title": "box", "shape": "rectangle", "color": "#D0021B", "geometry_config": {}, "hotkey": ""},
        {"title": "leaf", "shape": "polygon", "color": "#50E3C2", "geometry_config": {}, "hotkey": ""},
        {"title": "spot", "shape": "bitmap", "color": "#4A90E2", "geometry_config": {}, "hotkey": ""},
    ],
    "tags": [
        {
            "name": "quality",
            "value_type": "oneof_string",
            "values": ["good", "bad"],
            "color": "#ED68A1",
            "applicable_type": "objectsOnly",
            "classes": [],
        },
    ],
}


def _jpeg(rng: random.Random, n: int) -> bytes:
    """A distinct small JPEG: a random background and the image number written on it."""
    img = Image.new("RGB", (SIZE, SIZE), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    draw.rectangle([4, 4, 30, 24], fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.text((6, 40), str(n), fill=(255, 255, 255))
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _annotation(rng: random.Random) -> dict:
    """Supervisely annotation JSON: a rectangle, a polygon and a bitmap, each with a tag."""
    from annobridge_sandbox_supervisely.imaging import encode_bitmap

    left, top = rng.randrange(0, 30), rng.randrange(0, 30)
    right, bottom = left + rng.randrange(5, 30), top + rng.randrange(5, 30)
    cx, cy = rng.randrange(12, 52), rng.randrange(12, 52)
    polygon = [[cx - 10, cy], [cx, cy - 10], [cx + 10, cy], [cx + rng.randrange(1, 8), cy + 10]]
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    my, mx = rng.randrange(0, 48), rng.randrange(0, 48)
    mask[my : my + rng.randrange(4, 16), mx : mx + rng.randrange(4, 16)] = True
    mask[my, mx + 1] = False  # not a plain rectangle

    def tag() -> list[dict]:
        return [{"name": "quality", "value": rng.choice(["good", "bad"])}]

    return {
        "description": "",
        "size": {"height": SIZE, "width": SIZE},
        "tags": [],
        "objects": [
            {
                "classTitle": "box",
                "geometryType": "rectangle",
                "description": "",
                "tags": tag(),
                "points": {"exterior": [[left, top], [right, bottom]], "interior": []},
            },
            {
                "classTitle": "leaf",
                "geometryType": "polygon",
                "description": "",
                "tags": tag(),
                "points": {"exterior": polygon, "interior": []},
            },
            {
                "classTitle": "spot",
                "geometryType": "bitmap",
                "description": "",
                "tags": tag(),
                "bitmap": encode_bitmap(mask),
            },
        ],
    }


def seed_project(store, images: int, *, name: str = PROJECT_NAME, seed: int = 7) -> tuple[int, int]:
    """Create project `name` with one dataset of `images` annotated images; returns (project id, dataset id)."""
    from annobridge_sandbox_supervisely.annotation_store import write_annotation
    from annobridge_sandbox_supervisely.images import get_image, store_blob
    from annobridge_sandbox_supervisely.project_meta import replace_meta
    from annobridge_sandbox_supervisely.seed import ADMIN_ID, OWNER_LOGIN, WORKSPACE_ID
    from annobridge_sandbox_supervisely.store import now

    rng = random.Random(seed)
    stamp = now()
    with store.transaction():
        project_id = store.execute(
            "INSERT INTO projects (workspace_id, name, description, readme, type, custom_data, settings, created_by, "
            "created_at, updated_at) VALUES (?, ?, ?, '', 'images', '{}', '{}', ?, ?, ?)",
            (WORKSPACE_ID, name, f"{images} small annotated images", ADMIN_ID, stamp, stamp),
        )
        dataset_id = store.execute(
            "INSERT INTO datasets (project_id, name, description, custom_data, created_by, created_at, updated_at) "
            "VALUES (?, 'ds0', '', '{}', ?, ?, ?)",
            (project_id, ADMIN_ID, stamp, stamp),
        )
        replace_meta(store, project_id, META)
        for n in range(images):
            image_id = store.execute(
                "INSERT INTO images (dataset_id, name, hash, meta, description, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, '{}', '', ?, ?, ?)",
                (dataset_id, f"img_{n:06d}.jpg", store_blob(store, _jpeg(rng, n)), ADMIN_ID, stamp, stamp),
            )
            write_annotation(store, get_image(store, image_id), _annotation(rng), OWNER_LOGIN)
    return project_id, dataset_id


def build_database(path: str | Path, images: int) -> Path:
    """A sandbox SQLite file (the demo seed plus the bench project) at `path`, built once and reused.

    >>> build_database("/tmp/bench-10.sqlite", images=10).exists()          # doctest: +SKIP
    True
    """
    from annobridge_sandbox_supervisely import create_app

    path = Path(path)
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    app = create_app(db_path=str(partial))
    try:
        seed_project(app.state.store, images)
    finally:
        app.state.store.close()
    partial.rename(path)
    return path
