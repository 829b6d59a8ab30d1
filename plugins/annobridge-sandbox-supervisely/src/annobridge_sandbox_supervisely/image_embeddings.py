"""ImageInfo.embeddingsUpdatedAt: the stamp an embeddings service sets (ImageApi.set_embeddings_updated_at), kept as is.

The sandbox runs no embeddings service; it only keeps the date a client reports, as the API stores it.
"""

from __future__ import annotations

from .errors import bad_request, field, not_found
from .store import Store

TABLES = """
CREATE TABLE IF NOT EXISTS image_embeddings (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE, updated_at TEXT);
"""


def embeddings_updated_at(store: Store, image_id: int) -> str | None:
    """The image's embeddingsUpdatedAt, None until a client sets it."""
    return store.scalar("SELECT updated_at FROM image_embeddings WHERE image_id = ?", (image_id,))


def update(ctx, body) -> dict:
    """images.embeddings-updated-at.update {images: [{id, embeddingsUpdatedAt}]}; a null stamp clears it."""
    items = field(body, "images", list)
    for item in items:
        stamp = item.get("embeddingsUpdatedAt") if isinstance(item, dict) else None
        has_id = isinstance(item, dict) and isinstance(item.get("id"), int)
        if not has_id or not (stamp is None or isinstance(stamp, str)):
            raise bad_request(
                "every entry of 'images' needs an integer 'id' and a string or null 'embeddingsUpdatedAt'",
                field="images",
            )
        if ctx.store.one("SELECT id FROM images WHERE id = ?", (item["id"],)) is None:
            raise not_found("Image", item["id"])
    for item in items:
        ctx.store.execute(
            "INSERT OR REPLACE INTO image_embeddings (image_id, updated_at) VALUES (?, ?)",
            (item["id"], item["embeddingsUpdatedAt"]),
        )
    return {"success": True}


ROUTES = {"images.embeddings-updated-at.update": update}
