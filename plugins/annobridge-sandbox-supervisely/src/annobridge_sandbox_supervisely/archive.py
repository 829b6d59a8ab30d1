"""Removal as a real instance does it: remove archives (hidden, kept), remove.permanently deletes, backups keep a card.

ProjectApi.remove / DatasetApi.remove send projects.archive / datasets.archive: "the Project is not
deleted from the database, it is hidden from the Project list and can be restored". A removed
project, or a dataset removed itself or under a removed parent, answers 404 and is left out of
every list; its rows stay until *.remove.permanently deletes them. ProjectApi.archive (a backup
made elsewhere, its URLs given) deletes the data and keeps the project's card with backupArchive.
"""

from __future__ import annotations

from .store import Store, dumps, loads, now

TABLES = """
CREATE TABLE IF NOT EXISTS archived_projects (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, archived_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS archived_datasets (
    dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE, archived_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS project_backups (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, backup TEXT NOT NULL);
"""

LIVE_PROJECT = "NOT EXISTS (SELECT 1 FROM archived_projects a WHERE a.project_id = p.id)"
"""SQL condition on a projects row aliased `p`: not removed."""


HIDDEN_DATASETS = (
    "WITH RECURSIVE hidden(id) AS (SELECT dataset_id FROM archived_datasets UNION "
    "SELECT d.id FROM datasets d JOIN hidden h ON d.parent_id = h.id) SELECT id FROM hidden"
)
"""SQL listing the ids of removed datasets and of every dataset nested in one (for `... NOT IN (...)`)."""


def live_projects(store: Store) -> list[dict]:
    """(id, name) of every project not removed, by id: what a test compares before and after."""
    return store.rows(f"SELECT id, name FROM projects p WHERE {LIVE_PROJECT} ORDER BY id")


def project_archived(store: Store, project_id: int) -> bool:
    """True when the project was removed (archived) and not yet deleted."""
    return store.one("SELECT 1 FROM archived_projects WHERE project_id = ?", (project_id,)) is not None


def dataset_hidden(store: Store, dataset_id: int) -> bool:
    """True when the dataset, one of its parents, or its project was removed."""
    return store.one(
        "WITH RECURSIVE up(id, parent_id, project_id) AS ("
        "SELECT id, parent_id, project_id FROM datasets WHERE id = ? UNION ALL "
        "SELECT d.id, d.parent_id, d.project_id FROM datasets d JOIN up ON d.id = up.parent_id) "
        "SELECT 1 FROM up WHERE id IN (SELECT dataset_id FROM archived_datasets) "
        "OR project_id IN (SELECT project_id FROM archived_projects) LIMIT 1",
        (dataset_id,),
    ) is not None


def live_datasets(store: Store, rows: list[dict]) -> list[dict]:
    """The dataset rows (all of one project) not removed themselves nor under a removed parent."""
    archived = {row["dataset_id"] for row in store.rows(
        "SELECT dataset_id FROM archived_datasets WHERE dataset_id IN (SELECT value FROM json_each(?))",
        (dumps([row["id"] for row in rows]),),
    )}
    parents = {row["id"]: row["parent_id"] for row in rows}

    def hidden(dataset_id: int | None) -> bool:
        while dataset_id is not None:
            if dataset_id in archived:
                return True
            dataset_id = parents.get(dataset_id)
        return False

    return [row for row in rows if not hidden(row["id"])]


def archive_project(store: Store, project_id: int) -> None:
    """Hide the project (and all in it) until it is deleted for good."""
    store.execute("INSERT OR IGNORE INTO archived_projects (project_id, archived_at) VALUES (?, ?)",
                  (project_id, now()))


def archive_dataset(store: Store, dataset_id: int) -> None:
    """Hide the dataset and the datasets nested in it until it is deleted for good."""
    store.execute("INSERT OR IGNORE INTO archived_datasets (dataset_id, archived_at) VALUES (?, ?)",
                  (dataset_id, now()))


def dataset_archived(store: Store, dataset_id: int) -> bool:
    """True when the dataset itself was removed (not only hidden under a removed parent)."""
    return store.one("SELECT 1 FROM archived_datasets WHERE dataset_id = ?", (dataset_id,)) is not None


def keep_backup(store: Store, project_id: int, url: str, annotations_url: str | None) -> None:
    """Delete the project's data and keep its card pointing at the backup made elsewhere."""
    store.execute("DELETE FROM datasets WHERE project_id = ?", (project_id,))
    store.execute("INSERT OR REPLACE INTO project_backups (project_id, backup) VALUES (?, ?)",
                  (project_id, dumps({"url": url, "annotationsUrl": annotations_url})))


def backup_of(store: Store, project_id: int) -> dict | None:
    """ProjectInfo.backup_archive: the backup's URLs once the project was archived to one, else None."""
    return loads(store.scalar("SELECT backup FROM project_backups WHERE project_id = ?", (project_id,)))
