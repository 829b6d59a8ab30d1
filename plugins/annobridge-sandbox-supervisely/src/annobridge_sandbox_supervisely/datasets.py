"""Datasets: datasets.list/info/add/editInfo/archive/remove.permanently/move (DatasetApi), nested datasets included."""

from __future__ import annotations

from . import archive
from .activity import record
from .errors import bad_request, field, not_found
from .imaging import storage_url
from .paging import page
from .projects import get_project, live_dataset_rows
from .store import Store, dumps, loads, now


def get_dataset(store: Store, dataset_id: int, removed: bool = False) -> dict:
    """The datasets row with its project's workspace_id and team_id, or 404 (also when removed, unless `removed`)."""
    row = store.one(
        "SELECT d.*, p.workspace_id, w.team_id FROM datasets d JOIN projects p ON p.id = d.project_id "
        "JOIN workspaces w ON w.id = p.workspace_id WHERE d.id = ?",
        (dataset_id,),
    )
    if row is None or (not removed and archive.dataset_hidden(store, dataset_id)):
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
    rows = [{**row, "workspace_id": project["workspace_id"], "team_id": project["team_id"]}
            for row in live_dataset_rows(ctx.store, project["id"])]
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
    if _name_taken(ctx.store, project["id"], parent_id, name):
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


def _name_taken(store: Store, project_id: int, parent_id: int | None, name: str) -> bool:
    """True when a dataset beside which a new one would sit (same parent), not removed, has the name."""
    rows = store.rows("SELECT id FROM datasets WHERE project_id = ? AND name = ? AND parent_id IS ?",
                      (project_id, name, parent_id))
    return any(not archive.dataset_hidden(store, row["id"]) for row in rows)


def datasets_archive(ctx, body) -> dict:
    """datasets.archive {id}: DatasetApi.remove; the dataset and those nested in it are hidden, kept until deleted."""
    row = get_dataset(ctx.store, field(body, "id", int))
    archive.archive_dataset(ctx.store, row["id"])
    return {"success": True}


def datasets_remove_permanently(ctx, body) -> dict:
    """datasets.remove.permanently {datasets: [{id}]}: removed datasets deleted with all in them."""
    ids = [field(entry, "id", int) for entry in field(body, "datasets", list)]
    for dataset_id in ids:
        get_dataset(ctx.store, dataset_id, removed=True)
        if not archive.dataset_archived(ctx.store, dataset_id):
            raise bad_request(f"dataset {dataset_id} must be removed (archived) before it is deleted permanently",
                              field="datasets")
    for dataset_id in ids:
        ctx.store.execute("DELETE FROM datasets WHERE id = ?", (dataset_id,))
    return {"success": True}


def datasets_move(ctx, body) -> dict:
    """datasets.move {srcId, destId}: DatasetApi.move_to_dataset, nesting a dataset in another of its project."""
    source = get_dataset(ctx.store, field(body, "srcId", int))
    target = get_dataset(ctx.store, field(body, "destId", int))
    if target["project_id"] != source["project_id"]:
        raise bad_request("the sandbox moves a dataset only into a dataset of the same project", field="destId")
    above = ctx.store.rows(
        "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM datasets WHERE id = ? UNION ALL "
        "SELECT d.id, d.parent_id FROM datasets d JOIN up ON d.id = up.parent_id) SELECT id FROM up",
        (target["id"],),
    )
    if source["id"] in {row["id"] for row in above}:
        raise bad_request(f"dataset {source['id']} cannot be moved into itself or a dataset nested in it",
                          field="destId")
    if _name_taken(ctx.store, target["project_id"], target["id"], source["name"]):
        raise bad_request(f"dataset {source['name']!r} already exists in dataset {target['id']}", field="name")
    ctx.store.execute("UPDATE datasets SET parent_id = ?, updated_at = ? WHERE id = ?",
                      (target["id"], now(), source["id"]))
    return {"success": True}


ROUTES = {
    "datasets.list": datasets_list,
    "datasets.info": datasets_info,
    "datasets.add": datasets_add,
    "datasets.editInfo": datasets_edit,
    "datasets.archive": datasets_archive,
    "datasets.remove.permanently": datasets_remove_permanently,
    "datasets.move": datasets_move,
}

REFUSED = {
    "datasets.favorite-change": "favorites are a pin of the web UI that no SDK method reads back",
    "file-storage.upload": "the sandbox keeps no Team Files",
}
