"""A project's embeddings flags (enabled, updated at, in progress) as ProjectInfo shows them; none are computed."""

from __future__ import annotations

from .store import Store

TABLES = """
CREATE TABLE IF NOT EXISTS project_embeddings (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, enabled INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT, in_progress INTEGER NOT NULL DEFAULT 0, error_message TEXT);
"""


def embeddings_of(store: Store, project_id: int) -> dict:
    """{"embeddingsEnabled", "embeddingsUpdatedAt", "embeddingsInProgress"} of the project (all off by default)."""
    row = store.one("SELECT * FROM project_embeddings WHERE project_id = ?", (project_id,)) or {}
    return {
        "embeddingsEnabled": bool(row.get("enabled", 0)),
        "embeddingsUpdatedAt": row.get("updated_at"),
        "embeddingsInProgress": bool(row.get("in_progress", 0)),
    }


def set_embeddings(store: Store, project_id: int, **values) -> None:
    """Set some of enabled / updated_at / in_progress / error_message for the project."""
    store.execute("INSERT OR IGNORE INTO project_embeddings (project_id) VALUES (?)", (project_id,))
    for column, value in values.items():
        assert column in ("enabled", "updated_at", "in_progress", "error_message"), column
        store.execute(f"UPDATE project_embeddings SET {column} = ? WHERE project_id = ?", (value, project_id))
