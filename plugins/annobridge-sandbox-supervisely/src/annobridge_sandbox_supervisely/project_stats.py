"""projects.stats: a project's counts per dataset, class and tag, in the shape ProjectApi.get_stats answers.

Sections datasets, images, imageTags, objectTags and objects as a real instance sends them; the
objectsArea section (areas need every geometry rasterised) is left out: no SDK method reads it.
"""

from __future__ import annotations

from collections import Counter

from .errors import field
from .project_meta import classes, tag_metas
from .projects import get_project, live_dataset_rows
from .store import Store, dumps


def _per_dataset(store: Store, sql: str, ids_json: str) -> Counter:
    """(dataset_id, key) -> count for an SQL query answering rows (dataset_id, key, n)."""
    return Counter({(row["dataset_id"], row["key"]): row["n"] for row in store.rows(sql, (ids_json,))})


def _items(kind: str, metas: list[dict], datasets: list[dict], counts: Counter, named: bool = True) -> list[dict]:
    items = []
    for meta in metas:
        per = [{"id": d["id"], **({"name": d["name"]} if named else {}), "count": counts[(d["id"], meta["id"])]}
               for d in datasets]
        if not named:  # the objects section lists only the datasets holding some
            per = [entry for entry in per if entry["count"]]
        name = meta.get("title", meta.get("name"))
        items.append({kind: {"id": meta["id"], "name": name, "color": meta.get("color")},
                      "datasets": per, "total": sum(entry["count"] for entry in per)})
    return items


def _totals(rows: list[dict], keys: tuple[str, ...]) -> dict:
    return {key: sum(row[key] for row in rows) for key in keys}


def project_stats(store: Store, project_id: int) -> dict:
    """The stats of a (live) project's live datasets."""
    datasets = live_dataset_rows(store, project_id)
    ids = dumps([d["id"] for d in datasets])
    inside = "i.dataset_id IN (SELECT value FROM json_each(?))"
    images = {row["dataset_id"]: row for row in store.rows(
        "SELECT i.dataset_id, COUNT(*) AS n, COALESCE(SUM(b.size), 0) AS size, "
        "SUM(EXISTS (SELECT 1 FROM figures f WHERE f.image_id = i.id)) AS marked, "
        "SUM(EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = i.id)) AS tagged "
        f"FROM images i JOIN blobs b ON b.hash = i.hash WHERE {inside} GROUP BY i.dataset_id", (ids,))}
    objects = {row["dataset_id"]: row for row in store.rows(
        "SELECT i.dataset_id, COUNT(*) AS n, SUM(EXISTS (SELECT 1 FROM figure_tags t WHERE t.figure_id = f.id)) "
        f"AS tagged FROM figures f JOIN images i ON i.id = f.image_id WHERE {inside} GROUP BY i.dataset_id", (ids,))}
    images_with_class = _per_dataset(store, "SELECT i.dataset_id, f.class_id AS key, COUNT(DISTINCT i.id) AS n "
                                     f"FROM figures f JOIN images i ON i.id = f.image_id WHERE {inside} "
                                     "GROUP BY i.dataset_id, f.class_id", ids)
    labels_of_class = _per_dataset(store, "SELECT i.dataset_id, f.class_id AS key, COUNT(*) AS n "
                                   f"FROM figures f JOIN images i ON i.id = f.image_id WHERE {inside} "
                                   "GROUP BY i.dataset_id, f.class_id", ids)
    image_tags = _per_dataset(store, "SELECT i.dataset_id, t.tag_id AS key, COUNT(*) AS n FROM image_tags t "
                              f"JOIN images i ON i.id = t.image_id WHERE {inside} GROUP BY i.dataset_id, t.tag_id", ids)
    object_tags = _per_dataset(store, "SELECT i.dataset_id, t.tag_id AS key, COUNT(*) AS n FROM figure_tags t "
                               "JOIN figures f ON f.id = t.figure_id JOIN images i ON i.id = f.image_id "
                               f"WHERE {inside} GROUP BY i.dataset_id, t.tag_id", ids)
    no_row = {"n": 0, "size": 0, "marked": 0, "tagged": 0}
    dataset_items = [{"id": d["id"], "imagesCount": images.get(d["id"], no_row)["n"],
                      "size": str(images.get(d["id"], no_row)["size"]), "name": d["name"]} for d in datasets]
    marked = [{"id": d["id"], "name": d["name"], "imagesMarked": images.get(d["id"], no_row)["marked"],
               "imagesNotMarked": images.get(d["id"], no_row)["n"] - images.get(d["id"], no_row)["marked"],
               "imagesInDataset": images.get(d["id"], no_row)["n"]} for d in datasets]
    tagged = [{"id": d["id"], "name": d["name"], "imagesTagged": images.get(d["id"], no_row)["tagged"],
               "imagesNotTagged": images.get(d["id"], no_row)["n"] - images.get(d["id"], no_row)["tagged"],
               "imagesInDataset": images.get(d["id"], no_row)["n"]} for d in datasets]
    no_objects = {"n": 0, "tagged": 0}
    objects_tagged = [{"id": d["id"], "name": d["name"], "objectsTagged": objects.get(d["id"], no_objects)["tagged"],
                       "objectsNotTagged": objects.get(d["id"], no_objects)["n"]
                       - objects.get(d["id"], no_objects)["tagged"],
                       "objectsInDataset": objects.get(d["id"], no_objects)["n"]} for d in datasets]
    objects_in = [{"id": d["id"], "name": d["name"], "objectsInDataset": objects.get(d["id"], no_objects)["n"]}
                  for d in datasets]
    object_classes, tags = classes(store, project_id), tag_metas(store, project_id)
    return {
        "datasets": {"items": dataset_items, "total": {
            "imagesCount": sum(item["imagesCount"] for item in dataset_items),
            "size": str(sum(int(item["size"]) for item in dataset_items))}},
        "images": {"datasets": marked, "objectClasses": _items("objectClass", object_classes, datasets,
                                                               images_with_class),
                   "total": _totals(marked, ("imagesMarked", "imagesNotMarked", "imagesInDataset"))},
        "imageTags": {"datasets": tagged, "items": _items("tagMeta", tags, datasets, image_tags),
                      "total": _totals(tagged, ("imagesTagged", "imagesNotTagged", "imagesInDataset"))},
        "objectTags": {"datasets": objects_tagged, "items": _items("tagMeta", tags, datasets, object_tags),
                       "total": _totals(objects_tagged, ("objectsTagged", "objectsNotTagged", "objectsInDataset"))},
        "objects": {"datasets": objects_in, "items": _items("objectClass", object_classes, datasets, labels_of_class,
                                                            named=False),
                    "total": _totals(objects_in, ("objectsInDataset",))},
    }


def projects_stats(ctx, body) -> dict:
    """projects.stats {id}: ProjectApi.get_stats."""
    return project_stats(ctx.store, get_project(ctx.store, field(body, "id", int))["id"])


ROUTES = {"projects.stats": projects_stats}
