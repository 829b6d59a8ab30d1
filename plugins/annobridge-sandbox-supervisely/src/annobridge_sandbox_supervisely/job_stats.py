"""jobs.stats: the {job, classes, images} document of LabelingJobApi.get_stats, counted from the job's labels.

No browser runs here, so every duration is 0 and avgDuration is None.
"""

from __future__ import annotations

from .errors import field
from .jobs import get_job, job_entities
from .project_meta import classes, tag_metas
from .store import Store, loads


def stats(store: Store, job: dict) -> dict:
    """The stats document of one job (shape of the seed's get_stats output)."""
    entities = job_entities(store, job["id"])
    image_ids = [e["image_id"] for e in entities]
    marks = ",".join("?" * len(image_ids)) or "NULL"
    figures = store.rows(f"SELECT id, image_id, class_id FROM figures WHERE image_id IN ({marks})", image_ids)
    figure_tags = store.rows(
        f"SELECT ft.tag_id, ft.value, f.image_id FROM figure_tags ft JOIN figures f ON f.id = ft.figure_id "
        f"WHERE f.image_id IN ({marks})",
        image_ids,
    )
    image_tags = store.rows(f"SELECT tag_id, value, image_id FROM image_tags WHERE image_id IN ({marks})", image_ids)
    meta = loads(job["meta"])
    job_classes = [c for c in classes(store, job["project_id"]) if not meta["classes"] or c["title"] in meta["classes"]]
    job_tags = [t for t in tag_metas(store, job["project_id"]) if not meta["projectTags"] or t["name"] in meta["projectTags"]]
    labels_per_image = {i: sum(f["image_id"] == i for f in figures) for i in image_ids}
    return {
        "job": {
            "editingDuration": 0,
            "annotationDuration": 0,
            "id": job["id"],
            "name": job["name"],
            "startedAt": job["started_at"],
            "finishedAt": job["finished_at"],
            "imagesCount": len(entities),
            "finishedImagesCount": sum(e["review_status"] != "none" for e in entities),
            "tagsStats": _tags_stats(job_tags, figure_tags, image_tags),
        },
        "classes": [
            {
                "id": c["id"],
                "color": c["color"],
                "shape": c["shape"],
                "totalDuration": 0,
                "imagesCount": len({f["image_id"] for f in figures if f["class_id"] == c["id"]}),
                "avgDuration": None,
                "name": c["title"],
                "labelsCount": sum(f["class_id"] == c["id"] for f in figures),
            }
            for c in sorted(job_classes, key=lambda c: -c["id"])
        ],
        "images": {
            "total": len(entities),
            "images": [
                {
                    "id": e["image_id"],
                    "reviewStatus": e["review_status"],
                    "annotationDuration": 0,
                    "totalDuration": 0,
                    "name": e["name"],
                    "labelsCount": labels_per_image[e["image_id"]],
                }
                for e in sorted(entities, key=lambda e: -e["image_id"])
            ],
        },
    }


def _tags_stats(tags: list[dict], figure_tags: list[dict], image_tags: list[dict]) -> list[dict]:
    """Per tag (by name): images tagged and figures tagged; oneof_string tags add one row per value."""
    out = []
    for tag in sorted(tags, key=lambda t: t["name"]):
        out.append(_count({"id": tag["id"]}, tag, figure_tags, image_tags, tag["name"], None))
        if tag["value_type"] == "oneof_string":
            for value in tag.get("values") or []:
                name = f"{tag['name']} ({value})"
                out.append(_count({"parentId": tag["id"]}, tag, figure_tags, image_tags, name, value))
    return out


def _count(head: dict, tag: dict, figure_tags: list[dict], image_tags: list[dict], name: str, value) -> dict:
    def hit(row: dict) -> bool:
        return row["tag_id"] == tag["id"] and (value is None or loads(row["value"]) == value)

    return {
        **head,
        "color": tag.get("color"),
        "images": len({row["image_id"] for row in image_tags if hit(row)}),
        "figures": sum(hit(row) for row in figure_tags),
        "name": name,
    }


def stats_endpoint(ctx, body) -> dict:
    """jobs.stats {id}."""
    return stats(ctx.store, get_job(ctx.store, field(body, "id", int)))


ROUTES = {"jobs.stats": stats_endpoint}
