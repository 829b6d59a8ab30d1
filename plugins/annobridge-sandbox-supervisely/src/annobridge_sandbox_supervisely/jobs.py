"""Labeling jobs: jobs.add, jobs.list, jobs.info and the LabelingJobInfo JSON (field names from ApiField).

Choices where the SDK leaves the server's behaviour open, made here once:
- jobs.add with several userIds makes one job per user and splits the selected images
  between them in dataset order (contiguous shares differing by at most one); with several
  users the names get " (#k)".
- meta.range {start, end} picks images by 1-based position (inclusive) in the dataset's order,
  whatever entityIds and tag filters also ask, so a clone (range and ids together) gets the same images.
- names are 1..255 characters (the SDK documents the 255 limit on restart titles).
- the reviewer defaults to the job's creator; assignees and reviewer must be team members.
- entities come sorted by image name, descending, as in the seed and tutorial outputs;
  jobs.list leaves "entities" out (the SDK fetches them with jobs.info).
"""

from __future__ import annotations

from typing import Any

from .datasets import get_dataset
from .errors import bad_request, field, int_list, not_found
from .paging import page
from .project_meta import classes, tag_metas
from .store import Store, dumps, loads, now
from .users import require_member

STATUSES = ("pending", "in_progress", "on_review", "completed", "stopped", "review_completed")
REVIEW_STATUSES = ("none", "done", "accepted", "rejected")
MAX_NAME = 255
# meta keys jobs.add stores as they come and jobs.info gives back
_PASSTHROUGH = (
    "dynamicClasses",
    "dynamicTags",
    "allowRestore",
    "readOnlyTags",
    "guide",
    "toolboxSettings",
    "disableConfirm",
    "disableSubmit",
    "enableIntermediateReview",
    "entityIds",
)


def get_job(store: Store, job_id: int) -> dict:
    """The jobs row with dataset, project, workspace and team ids, or 404."""
    row = store.one(
        "SELECT j.*, d.project_id, p.workspace_id, w.team_id FROM jobs j JOIN datasets d ON d.id = j.dataset_id "
        "JOIN projects p ON p.id = d.project_id JOIN workspaces w ON w.id = p.workspace_id WHERE j.id = ?",
        (job_id,),
    )
    if row is None:
        raise not_found("Labeling job", job_id)
    return row


def job_entities(store: Store, job_id: int) -> list[dict]:
    """The job's images with review status, newest name first: [{image_id, name, review_status, touched}]."""
    return store.rows(
        "SELECT e.image_id, i.name, e.review_status, e.touched FROM job_entities e "
        "JOIN images i ON i.id = e.image_id WHERE e.job_id = ? ORDER BY i.name DESC, i.id DESC",
        (job_id,),
    )


def job_json(store: Store, job: dict, with_entities: bool) -> dict:
    """LabelingJobInfo JSON, keys in LabelingJobApi.info_sequence() order, plus meta and customData."""
    names = store.one(
        "SELECT w.name AS workspace, p.name AS project, d.name AS dataset FROM datasets d "
        "JOIN projects p ON p.id = d.project_id JOIN workspaces w ON w.id = p.workspace_id WHERE d.id = ?",
        (job["dataset_id"],),
    )
    entities = job_entities(store, job["id"])
    statuses = [e["review_status"] for e in entities]
    meta = loads(job["meta"])
    out = {
        "id": job["id"],
        "name": job["name"],
        "readme": job["readme"],
        "description": job["description"],
        "teamId": job["team_id"],
        "workspaceId": job["workspace_id"],
        "workspaceTitle": names["workspace"],
        "projectId": job["project_id"],
        "projectTitle": names["project"],
        "datasetId": job["dataset_id"],
        "datasetTitle": names["dataset"],
        "createdBy": job["created_by"],
        "managerLogin": _login(store, job["created_by"]),
        "userId": job["assigned_to"],
        "labelerLogin": _login(store, job["assigned_to"]),
        "reviewerId": job["reviewer_id"],
        "reviewerLogin": _login(store, job["reviewer_id"]),
        "createdAt": job["created_at"],
        "startedAt": job["started_at"],
        "finishedAt": job["finished_at"],
        "status": job["status"],
        "disabled": bool(job["disabled"]),
        "labelingQueueId": None,
        "labelingExamId": None,
        "imagesCount": len(entities),
        "finishedImagesCount": sum(s != "none" for s in statuses),
        "rejectedImagesCount": statuses.count("rejected"),
        "acceptedImagesCount": statuses.count("accepted"),
        "progressImagesCount": sum(bool(e["touched"]) or e["review_status"] != "none" for e in entities),
        "meta": _meta_json(store, job["project_id"], meta),
    }
    if with_entities:
        out["entities"] = [
            {"reviewStatus": e["review_status"], "id": e["image_id"], "name": e["name"]} for e in entities
        ]
    out["priority"] = job["priority"]
    out["customData"] = loads(job["custom_data"], {})
    return out


def _login(store: Store, user_id: int | None) -> str | None:
    return None if user_id is None else store.scalar("SELECT login FROM users WHERE id = ?", (user_id,))


def _meta_json(store: Store, project_id: int, meta: dict) -> dict:
    """The job meta as the SDK reads it: classes/projectTags as [{id, name}], range always a dict."""
    class_ids = {c["title"]: c["id"] for c in classes(store, project_id)}
    tag_ids = {t["name"]: t["id"] for t in tag_metas(store, project_id)}
    out = {
        "classes": [{"id": class_ids.get(name), "name": name} for name in meta["classes"]],
        "projectTags": [{"id": tag_ids.get(name), "name": name} for name in meta["projectTags"]],
        "imageTags": [{"id": tag_ids.get(t["name"]), **t} for t in meta["imageTags"]],
        "imageFiguresLimit": meta["imageFiguresLimit"] or None,  # the SDK sends 0 for "no limit"
        "imageTagsLimit": meta["imageTagsLimit"] or None,
        "range": meta.get("range") or {"start": None, "end": None},
    }
    out.update({key: meta[key] for key in _PASSTHROUGH if key in meta})
    return out


def insert_job(
    store: Store,
    *,
    name: str,
    dataset_id: int,
    created_by: int,
    assigned_to: int,
    reviewer_id: int,
    meta: dict,
    image_ids: list[int],
    readme: str = "",
    description: str = "",
) -> int:
    """Write one pending job and its entities; returns the job id."""
    job_id = store.execute(
        "INSERT INTO jobs (name, readme, description, dataset_id, created_by, assigned_to, reviewer_id, created_at, "
        "status, meta, custom_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, '{}')",
        (name, readme, description, dataset_id, created_by, assigned_to, reviewer_id, now(), dumps(meta)),
    )
    for image_id in image_ids:
        store.execute("INSERT INTO job_entities (job_id, image_id) VALUES (?, ?)", (job_id, image_id))
    return job_id


def job_name(body: dict, key: str = "name", default: Any = ...) -> Any:
    """The job name in `body[key]`: 1..255 characters, or 400 naming the field.

    >>> job_name({"name": "lemons"})
    'lemons'
    """
    name = field(body, key, str, default=default)
    if name is default:
        return name
    if not name.strip():
        raise bad_request(f"field {key!r} must not be empty", field=key)
    if len(name) > MAX_NAME:
        raise bad_request(f"field {key!r} is {len(name)} characters, at most {MAX_NAME} are allowed", field=key)
    return name


def labeler_ids(store: Store, user_ids: list[int], team_id: int) -> list[int]:
    """`user_ids` if they are one or more distinct labelers of the team, else 400/404 naming the fault."""
    if not user_ids:
        raise bad_request("field 'userIds' needs at least one user", field="userIds")
    if len(set(user_ids)) != len(user_ids):
        raise bad_request("field 'userIds' lists a user twice", field="userIds")
    for user_id in user_ids:
        require_member(store, user_id, team_id, "Labeler")
    return user_ids


def split(items: list, parts: int) -> list[list]:
    """Contiguous shares of `items` whose sizes differ by at most one.

    >>> split([1, 2, 3, 4, 5], 2)
    [[1, 2, 3], [4, 5]]
    """
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for k in range(parts):
        end = start + size + (k < extra)
        out.append(items[start:end])
        start = end
    return out


def jobs_add(ctx, body) -> list[dict]:
    """jobs.add {name, datasetId, userIds, meta, readme?, description?, reviewerId?} -> [{id, userId, type, name}]."""
    name = job_name(body)
    dataset = get_dataset(ctx.store, field(body, "datasetId", int))
    user_ids = labeler_ids(ctx.store, int_list(body, "userIds"), dataset["team_id"])
    reviewer_id = field(body, "reviewerId", int, default=ctx.user["id"])
    require_member(ctx.store, reviewer_id, dataset["team_id"], "Reviewer")
    meta = clean_meta(ctx.store, dataset, field(body, "meta", dict, default={}))
    images = select_images(ctx.store, dataset, meta)
    shares = split(images, len(user_ids))
    if not all(shares):
        raise bad_request(
            f"No images found for every labeler: {len(images)} images for {len(user_ids)} labelers", field="meta"
        )
    created = []
    for k, (user_id, share) in enumerate(zip(user_ids, shares), start=1):
        title = name if len(user_ids) == 1 else f"{name} (#{k})"
        job_id = insert_job(
            ctx.store,
            name=title,
            dataset_id=dataset["id"],
            created_by=ctx.user["id"],
            assigned_to=user_id,
            reviewer_id=reviewer_id,
            meta=meta,
            image_ids=share,
            readme=field(body, "readme", str, default=""),
            description=field(body, "description", str, default=""),
        )
        created.append({"id": job_id, "userId": user_id, "type": "annotation", "name": title})
    return created


def clean_meta(store: Store, dataset: dict, meta: dict) -> dict:
    """Check a jobs.add meta against the project (classes, tags, filters, limits, range); 400 on the first fault."""
    class_names = {c["title"] for c in classes(store, dataset["project_id"])}
    tag_names = {t["name"] for t in tag_metas(store, dataset["project_id"])}
    out = {key: meta[key] for key in _PASSTHROUGH if key in meta}
    out["classes"] = _names(meta.get("classes"), class_names, "classes", "class")
    out["projectTags"] = _names(meta.get("projectTags"), tag_names, "projectTags", "tag")
    out["imageTags"] = []
    for flt in meta.get("imageTags") or []:
        tag_name = flt.get("name", flt.get("title")) if isinstance(flt, dict) else None
        if tag_name not in tag_names or not isinstance(flt.get("positive"), bool):
            raise bad_request(
                f"meta.imageTags entry {flt!r} must be {{name, positive}} naming a project tag", field="meta.imageTags"
            )
        out["imageTags"].append({"name": tag_name, "positive": flt["positive"]})
    for key in ("imageFiguresLimit", "imageTagsLimit"):
        value = meta.get(key) or 0
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad_request(f"meta.{key} must be a non-negative integer, got {value!r}", field=f"meta.{key}")
        out[key] = value
    out["entityIds"] = int_list(meta, "entityIds", default=None) or []
    if meta.get("range") is not None:
        out["range"] = _range(meta["range"])
    return out


def _names(values: Any, known: set[str], key: str, kind: str) -> list[str]:
    values = values or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise bad_request(f"meta.{key} must be a list of {kind} names", field=f"meta.{key}")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise bad_request(f"meta.{key}: {kind} {unknown[0]!r} is not in the project meta", field=f"meta.{key}")
    return list(values)


def _range(value: Any) -> dict:
    if not isinstance(value, dict):
        raise bad_request("meta.range must be {start, end}", field="meta.range")
    start, end = value.get("start"), value.get("end")
    for bound in (start, end):
        if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool) or bound < 1):
            raise bad_request(f"meta.range bounds must be positive integers, got {value!r}", field="meta.range")
    if start is not None and end is not None and start > end:
        raise bad_request(f"meta.range start {start} is after end {end}", field="meta.range")
    return {"start": start, "end": end}


def select_images(store: Store, dataset: dict, meta: dict) -> list[int]:
    """The dataset's image ids a job takes: the range of dataset positions, chosen ids, tag filters, in dataset order."""
    ids = [row["id"] for row in store.rows("SELECT id FROM images WHERE dataset_id = ? ORDER BY id", (dataset["id"],))]
    in_range = _in_range(ids, meta.get("range") or {})
    wanted = meta["entityIds"]
    if wanted:
        missing = sorted(set(wanted) - set(ids))
        if missing:
            raise bad_request(f"images {missing} are not in dataset {dataset['id']}", field="meta.entityIds")
        chosen = set(wanted)
        ids = [i for i in ids if i in chosen]
    include = {t["name"] for t in meta["imageTags"] if t["positive"]}
    exclude = {t["name"] for t in meta["imageTags"] if not t["positive"]}
    if include or exclude:
        ids = [i for i in ids if _tag_filter(store, i, include, exclude)]
    ids = [i for i in ids if i in in_range]
    if not ids:
        raise bad_request("No images found for the labeling job (check entityIds, imageTags and range)", field="meta")
    return ids


def _in_range(ids: list[int], bounds: dict) -> set[int]:
    """The ids at 1-based positions start..end (inclusive) of the dataset's order."""
    start, end = bounds.get("start") or 1, bounds.get("end") or len(ids)
    return set(ids[start - 1 : end])


def _tag_filter(store: Store, image_id: int, include: set[str], exclude: set[str]) -> bool:
    names = {
        row["name"]
        for row in store.rows(
            "SELECT json_extract(t.data, '$.name') AS name FROM image_tags it JOIN tag_metas t ON t.id = it.tag_id WHERE it.image_id = ?",
            (image_id,),
        )
    }
    return (not include or bool(names & include)) and not (names & exclude)


def jobs_list(ctx, body) -> dict:
    """jobs.list {teamId, showDisabled, filter}: paged jobs of the team, without entities."""
    team_id = field(body, "teamId", int)
    rows = ctx.store.rows(
        "SELECT j.id FROM jobs j JOIN datasets d ON d.id = j.dataset_id JOIN projects p ON p.id = d.project_id "
        "JOIN workspaces w ON w.id = p.workspace_id WHERE w.team_id = ?",
        (team_id,),
    )
    show_disabled = field(body, "showDisabled", bool, default=False)
    entities = [job_json(ctx.store, get_job(ctx.store, row["id"]), with_entities=False) for row in rows]
    entities = [e for e in entities if show_disabled or not e["disabled"]]
    return page(entities, body)


def jobs_info(ctx, body) -> dict:
    """jobs.info {id}: the job with its entities and their review statuses."""
    return job_json(ctx.store, get_job(ctx.store, field(body, "id", int)), with_entities=True)


ROUTES = {
    "jobs.add": jobs_add,
    "jobs.list": jobs_list,
    "jobs.info": jobs_info,
}
