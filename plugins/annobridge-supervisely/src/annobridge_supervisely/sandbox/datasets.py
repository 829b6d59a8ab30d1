"""Datasets: datasets.list/info/add/editInfo/archive (DatasetApi), nested datasets included."""

from __future__ import annotations

from .activity import record
from .errors import bad_request, field, not_found
from .imaging import storage_url
from .paging import page
from .projects import get_project
from .store import Store, dumps, loads, now


def get_dataset(store: Store, dataset_id: int) -> dict:
    """The datasets row with its project's workspace_id and team_id, or 404."""
    row = store.one(
        "SELECT d.*, p.workspace_id, w.team_id FROM datasets d JOIN projects p ON p.id = d.project_id "
        "JOIN workspaces w ON w.id = p.workspace_id WHERE d.id = ?",
        (dataset_id,),
    )
    if row is None:
        raise not_found("Dataset", dataset_id)
    return row


def dataset_json(store: Store, row: dict, base_url: str, custom_data: bool = True) -> dict:
    """DatasetInfo fields in info_sequence order (size as a string, like the tutorial's '1277440').

    `custom_data` False leaves customData out, as datasets.list does unless extraFields asks for it.
    """
    stats = store.one(
        "SELECT COUNT(i.id) AS images, COALESCE(SUM(b.size), 0) AS size, MIN(i.id) AS first_image "
        "FROM images i JOIN blobs b ON b.hash = i.hash WHERE i.dataset_id = ?",
        (row["id"],),
    )
    answer = {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "size": str(stats["size"]),
        "projectId": row["project_id"],
        "imagesCount": stats["images"],
        "itemsCount": stats["images"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "referenceImageUrl": storage_url(base_url, stats["first_image"]) if stats["first_image"] else None,
        "teamId": row["team_id"],
        "workspaceId": row["workspace_id"],
        "parentId": row["parent_id"],
        "customData": loads(row["custom_data"], {}),
        "createdBy": row["created_by"],
    }
    if not custom_data:
        del answer["customData"]
    return answer


def datasets_list(ctx, body) -> dict:
    """datasets.list {projectId, filter, recursive, extraFields}: top level only unless recursive.

    customData only when extraFields names it (DatasetApi.get_list(include_custom_data=True)): the SDK
    keeps the infos it lists as dict keys (DatasetApi.get_tree), which a dict field would make unhashable.
    """
    project = get_project(ctx.store, field(body, "projectId", int))
    rows = ctx.store.rows(
        "SELECT d.*, ? AS workspace_id, ? AS team_id FROM datasets d WHERE d.project_id = ?",
        (project["workspace_id"], project["team_id"], project["id"]),
    )
    if not field(body, "recursive", bool, default=False):
        rows = [row for row in rows if row["parent_id"] is None]
    extra = field(body, "extraFields", list, default=[])
    with_custom = "customData" in extra
    return page([dataset_json(ctx.store, row, ctx.base_url, with_custom) for row in rows], body)


def datasets_info(ctx, body) -> dict:
    """datasets.info {id}."""
    return dataset_json(ctx.store, get_dataset(ctx.store, field(body, "id", int)), ctx.base_url)


def datasets_add(ctx, body) -> dict:
    """datasets.add {projectId, name, description, parentId, customData}."""
    project = get_project(ctx.store, field(body, "projectId", int))
    name = field(body, "name", str)
    parent_id = field(body, "parentId", int, nullable=True, default=None)
    if parent_id is not None and get_dataset(ctx.store, parent_id)["project_id"] != project["id"]:
        raise bad_request(f"parent dataset {parent_id} is not in project {project['id']}", field="parentId")
    clash = ctx.store.one(
        "SELECT id FROM datasets WHERE project_id = ? AND name = ? AND parent_id IS ?",
        (project["id"], name, parent_id),
    )
    if clash:
        raise bad_request(f"dataset {name!r} already exists in project {project['id']}", field="name")
    stamp = now()
    dataset_id = ctx.store.execute(
        "INSERT INTO datasets (project_id, parent_id, name, description, custom_data, created_by, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            project["id"], parent_id, name, field(body, "description", str, default=""),
            dumps(field(body, "customData", dict, default={})), ctx.user["id"], stamp, stamp,
        ),
    )
    record(ctx.store, "create_dataset", user_id=ctx.user["id"], project_id=project["id"], dataset_id=dataset_id)
    return dataset_json(ctx.store, get_dataset(ctx.store, dataset_id), ctx.base_url)


def datasets_edit(ctx, body) -> dict:
    """datasets.editInfo {id, name?, description?, customData?}."""
    row = get_dataset(ctx.store, field(body, "id", int))
    ctx.store.execute(
        "UPDATE datasets SET name = ?, description = ?, custom_data = ?, updated_at = ? WHERE id = ?",
        (
            field(body, "name", str, default=row["name"]),
            field(body, "description", str, default=row["description"]),
            dumps(field(body, "customData", dict, default=loads(row["custom_data"], {}))),
            now(),
            row["id"],
        ),
    )
    return dataset_json(ctx.store, get_dataset(ctx.store, row["id"]), ctx.base_url)


def datasets_archive(ctx, body) -> dict:
    """datasets.archive {id}: DatasetApi.remove; its images, labels and jobs go too."""
    row = get_dataset(ctx.store, field(body, "id", int))
    ctx.store.execute("DELETE FROM datasets WHERE id = ?", (row["id"],))
    return {"success": True}


ROUTES = {
    "datasets.list": datasets_list,
    "datasets.info": datasets_info,
    "datasets.add": datasets_add,
    "datasets.editInfo": datasets_edit,
    "datasets.archive": datasets_archive,
}
