"""Removed figures kept apart until restored (figures.bulk.remove / figures.bulk.restore), as Supervisely archives them.

A removed figure leaves the figures table, so every annotation, listing, count and job stat
stops seeing it at once; its row and its tags wait in `removed_figures` and come back with
the same ids when restored. The archive goes with its image or class when those are deleted.
"""

from __future__ import annotations

from .errors import not_found
from .store import Store, dumps, loads, now
from .tag_custom_data import custom_data_rows, restore_custom_data

TABLES = """
CREATE TABLE IF NOT EXISTS removed_figures (
    id INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    class_id INTEGER NOT NULL REFERENCES obj_classes(id) ON DELETE CASCADE,
    figure TEXT NOT NULL, tags TEXT NOT NULL, removed_at TEXT NOT NULL);
"""


def remove_figures(store: Store, figure_ids: list[int]) -> None:
    """Move each figure (and its tags) to the archive; 404 before anything moves if one is neither live nor removed."""
    live = []
    for figure_id in figure_ids:
        figure = store.one("SELECT * FROM figures WHERE id = ?", (figure_id,))
        if figure is None and not store.scalar("SELECT 1 FROM removed_figures WHERE id = ?", (figure_id,)):
            raise not_found("Figure", figure_id)
        if figure is not None:  # removing a removed figure again changes nothing
            live.append(figure)
    stamp = now()
    for figure in live:
        tags = store.rows("SELECT * FROM figure_tags WHERE figure_id = ? ORDER BY id", (figure["id"],))
        archived = {"rows": tags, "customData": custom_data_rows(store, "figure", [t["id"] for t in tags])}
        store.execute(
            "INSERT INTO removed_figures (id, image_id, class_id, figure, tags, removed_at) VALUES (?, ?, ?, ?, ?, ?)",
            (figure["id"], figure["image_id"], figure["class_id"], dumps(figure), dumps(archived), stamp),
        )
        store.execute("DELETE FROM figures WHERE id = ?", (figure["id"],))  # its tags go by cascade
        store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, figure["image_id"]))


def restore_figures(store: Store, figure_ids: list[int]) -> None:
    """Bring archived figures back with their ids and tags (tags whose meta is gone stay gone); 404 on an unknown id."""
    archived = []
    for figure_id in figure_ids:
        row = store.one("SELECT * FROM removed_figures WHERE id = ?", (figure_id,))
        if row is None and not store.scalar("SELECT 1 FROM figures WHERE id = ?", (figure_id,)):
            raise not_found("Figure", figure_id)
        if row is not None:  # restoring a live figure changes nothing
            archived.append(row)
    stamp = now()
    for row in archived:
        figure = loads(row["figure"])
        store.execute(
            f"INSERT INTO figures ({', '.join(figure)}) VALUES ({', '.join('?' * len(figure))})",
            list(figure.values()),
        )
        tags = loads(row["tags"])
        for tag in tags["rows"]:
            if store.scalar("SELECT 1 FROM tag_metas WHERE id = ?", (tag["tag_id"],)):
                store.execute(
                    f"INSERT INTO figure_tags ({', '.join(tag)}) VALUES ({', '.join('?' * len(tag))})",
                    list(tag.values()),
                )
        restore_custom_data(store, "figure", tags["customData"])
        store.execute("DELETE FROM removed_figures WHERE id = ?", (row["id"],))
        store.execute("UPDATE images SET updated_at = ? WHERE id = ?", (stamp, figure["image_id"]))
