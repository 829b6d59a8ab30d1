"""Copy a project into a new one (projects.clone): meta, datasets, images (with links), tags and figures, ids remapped.

Rows are copied column by column as the table has them (all but the id and the remapped
references), so a column the schema gains later travels with the clone without a change here.
"""

from __future__ import annotations

from typing import Any, Callable

from . import archive
from .image_links import link_of, set_link
from .store import Store, dumps, loads, now

INCLUDE_DEFAULTS = {
    "classes": True, "projectTags": True, "datasets": True, "images": True, "imagesTags": True,
    "annotationObjects": True, "annotationObjectsTags": True, "figures": True, "figuresTags": True,
}
"""projects.clone's "include" switches and their defaults (all on), as the API documents them."""


def _columns(store: Store, table: str) -> list[str]:
    return [row["name"] for row in store.rows(f"PRAGMA table_info({table})") if row["name"] != "id"]


def _copy(store: Store, table: str, rows: list[dict], changes: Callable[[dict], dict | None]) -> dict[int, int]:
    """Insert a copy of each row with `changes(row)` applied (None skips it); old id -> new id."""
    columns = _columns(store, table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    new_ids = {}
    for row in rows:
        changed = changes(row)
        if changed is None:
            continue
        values = {**row, **changed}
        new_ids[row["id"]] = store.execute(sql, [values[name] for name in columns])
    return new_ids


def clone_project(store: Store, source: dict, target: dict, include: dict[str, bool],
                  dataset_ids: list[int] | None) -> None:
    """Fill the empty `target` project from `source` (projects rows), honouring `include` and `dataset_ids`."""
    stamp = now()
    class_ids: dict[int, int] = {}
    tag_ids: dict[int, int] = {}
    if include["classes"]:
        class_ids = _copy(store, "obj_classes", _by(store, "obj_classes", "project_id", [source["id"]]),
                          lambda row: {"project_id": target["id"]})
    if include["projectTags"]:
        tag_ids = _copy(store, "tag_metas", _by(store, "tag_metas", "project_id", [source["id"]]),
                        lambda row: {"project_id": target["id"]})
    store.execute("UPDATE projects SET settings = ? WHERE id = ?",
                  (dumps(_remap_settings(loads(source["settings"], {}), tag_ids)), target["id"]))
    if not include["datasets"]:
        return
    datasets = archive.live_datasets(
        store, store.rows("SELECT * FROM datasets WHERE project_id = ? ORDER BY id", (source["id"],)))
    if dataset_ids is not None:
        datasets = [row for row in datasets if row["id"] in set(dataset_ids)]
    dataset_map: dict[int, int] = {}
    for row in _parents_first(datasets):
        dataset_map.update(_copy(store, "datasets", [row], lambda r: {
            "project_id": target["id"], "parent_id": dataset_map.get(r["parent_id"]),
            "created_at": stamp, "updated_at": stamp,
        }))
    if not include["images"]:
        return
    image_map = _copy(store, "images", _by(store, "images", "dataset_id", list(dataset_map)),
                      lambda row: {"dataset_id": dataset_map[row["dataset_id"]], "created_at": stamp,
                                   "updated_at": stamp})
    for old_id, new_id in image_map.items():  # an image added by link keeps its link, as on a real instance
        link = link_of(store, old_id)
        if link is not None:
            set_link(store, new_id, link)
    if include["imagesTags"]:
        _copy(store, "image_tags", _by(store, "image_tags", "image_id", list(image_map)),
              _remapped({"image_id": image_map, "tag_id": tag_ids}))
    if not (include["figures"] and include["annotationObjects"]):
        return
    figure_map = _copy(store, "figures", _by(store, "figures", "image_id", list(image_map)),
                       _remapped({"image_id": image_map, "class_id": class_ids}))
    if include["figuresTags"] and include["annotationObjectsTags"]:
        _copy(store, "figure_tags", _by(store, "figure_tags", "figure_id", list(figure_map)),
              _remapped({"figure_id": figure_map, "tag_id": tag_ids}))


def _parents_first(datasets: list[dict]) -> list[dict]:
    """The dataset rows ordered so each parent comes before its children (datasets.move can nest an older one)."""
    by_id = {row["id"]: row for row in datasets}

    def depth(row: dict) -> int:
        level = 0
        while row["parent_id"] in by_id:
            row, level = by_id[row["parent_id"]], level + 1
        return level

    return sorted(datasets, key=lambda row: (depth(row), row["id"]))


def _by(store: Store, table: str, column: str, ids: list[int]) -> list[dict]:
    """The rows of `table` whose `column` is one of `ids`, in id order."""
    rows: list[dict] = []
    for start in range(0, len(ids), 500):  # SQLite caps the number of bound parameters
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows += store.rows(f"SELECT * FROM {table} WHERE {column} IN ({marks})", chunk)
    return sorted(rows, key=lambda row: row["id"])


def _remapped(maps: dict[str, dict[int, int]]) -> Callable[[dict], dict | None]:
    """A change that maps each named reference to its copy, skipping rows whose referent was not copied."""

    def change(row: dict) -> dict | None:
        new = {column: mapping.get(row[column]) for column, mapping in maps.items()}
        return None if None in new.values() else new

    return change


def _remap_settings(settings: dict[str, Any], tag_ids: dict[int, int]) -> dict[str, Any]:
    """Project settings pointing at a tag (multiview grouping) point at the copy's tag."""
    group_tag = settings.get("groupImagesByTagId")
    if group_tag is None:
        return settings
    return {**settings, "groupImagesByTagId": tag_ids.get(group_tag)}
