"""Custom data of tags put on images and figures (image-tags / object-tags .custom-data.update), merged or replaced."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .store import Store, dumps, loads

# one table per kind of tag, each going with its tag
TABLES = """
CREATE TABLE IF NOT EXISTS image_tag_custom_data (
    tag_id INTEGER PRIMARY KEY REFERENCES image_tags(id) ON DELETE CASCADE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS figure_tag_custom_data (
    tag_id INTEGER PRIMARY KEY REFERENCES figure_tags(id) ON DELETE CASCADE, data TEXT NOT NULL);
"""
_TABLE_AND_OWNER = {
    "image": ("image_tag_custom_data", "image_tags"),
    "figure": ("figure_tag_custom_data", "figure_tags"),
}
STRATEGIES = ("merge", "replace")


def _merged(stored: Any, update: Any) -> Any:
    """Deep merge: objects merge key by key, anything else is replaced by the update."""
    if not isinstance(stored, dict) or not isinstance(update, dict):
        return update
    out = dict(stored)
    for key, value in update.items():
        out[key] = _merged(stored.get(key), value)
    return out


def update_custom_data(store: Store, kind: str, tag_id: int, data: Any, strategy: str | None) -> dict:
    """Store `data` on one tag (merge, the default, or replace) and return what is stored after."""
    if not isinstance(data, dict):
        raise bad_request(f"field 'customData' must be an object, got {data!r}", field="customData")
    if strategy not in (None, *STRATEGIES):
        raise bad_request(f"field 'updateStrategy' must be one of {list(STRATEGIES)}, got {strategy!r}",
                          field="updateStrategy")
    table = _TABLE_AND_OWNER[kind][0]
    stored = loads(store.scalar(f"SELECT data FROM {table} WHERE tag_id = ?", (tag_id,)), {})
    new = data if strategy == "replace" else _merged(stored, data)
    store.execute(f"INSERT OR REPLACE INTO {table} (tag_id, data) VALUES (?, ?)", (tag_id, dumps(new)))
    return new


def custom_data_rows(store: Store, kind: str, tag_ids: list[int]) -> dict[str, Any]:
    """{tag id: custom data} of the tags that have some (to archive them with a removed figure)."""
    table = _TABLE_AND_OWNER[kind][0]
    out = {}
    for tag_id in tag_ids:
        data = store.scalar(f"SELECT data FROM {table} WHERE tag_id = ?", (tag_id,))
        if data is not None:
            out[str(tag_id)] = loads(data)
    return out


def restore_custom_data(store: Store, kind: str, rows: dict[str, Any]) -> None:
    """Put archived custom data back on the tags that came back."""
    table, owner = _TABLE_AND_OWNER[kind]
    for tag_id, data in rows.items():
        if store.scalar(f"SELECT 1 FROM {owner} WHERE id = ?", (int(tag_id),)):
            store.execute(f"INSERT OR REPLACE INTO {table} (tag_id, data) VALUES (?, ?)", (int(tag_id), dumps(data)))
