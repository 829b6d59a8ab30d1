"""What a script writes on a recorded task: fields (tasks.data.*), its output card, its logs (TaskApi).

Fields are dotted paths into one JSON document per task ("data.progress", "state.items"), as an
app's data and state are: a set makes the missing levels, `append` adds the payload to a list,
`recursive` merges a dict payload into the dict already there; a get of a path never set is None.
Logs are the JSON records the SDK's task logger sends, each naming its "task_id".
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request, field
from .store import Store, dumps, loads, now
from .tasks import get_task

TABLES = """
CREATE TABLE IF NOT EXISTS task_data (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE, fields TEXT NOT NULL DEFAULT '{}',
    output TEXT);
CREATE TABLE IF NOT EXISTS task_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    level TEXT, message TEXT, timestamp TEXT NOT NULL);
"""
LOG_KEYS = ("level", "message", "timestamp", "task_id")
"""The keys of a tasks.log.download entry (the SDK's get_logs example)."""


def _task_id(store: Store, value: Any, name: str) -> int:
    """The id of a recorded task, from a JSON body or a query string, or 400/404."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"field {name!r} must be a task id, got {value!r}", field=name)
    return get_task(store, value)["id"]


def _document(store: Store, task_id: int) -> dict:
    store.execute("INSERT OR IGNORE INTO task_data (task_id) VALUES (?)", (task_id,))
    return loads(store.scalar("SELECT fields FROM task_data WHERE task_id = ?", (task_id,)), {})


def _path(value: Any) -> list[str]:
    if not isinstance(value, str) or not value or any(not part for part in value.split(".")):
        raise bad_request(f"a task field is a dotted path such as 'data.progress', got {value!r}", field="fields")
    return value.split(".")


def _merge(old: dict, new: dict) -> dict:
    out = dict(old)
    for key, value in new.items():
        out[key] = _merge(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def _set(document: dict, entry: Any) -> None:
    """Apply one {field, payload, append?, recursive?} to the document."""
    if not isinstance(entry, dict) or "field" not in entry or "payload" not in entry:
        raise bad_request(f"each of 'fields' must be {{field, payload}}, got {entry!r}", field="fields")
    *parents, leaf = _path(entry["field"])
    node = document
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    payload, current = entry["payload"], node.get(leaf)
    if entry.get("append"):
        if current is not None and not isinstance(current, list):
            raise bad_request(f"cannot append to {entry['field']!r}: it holds {type(current).__name__}", field="fields")
        node[leaf] = [*(current or []), payload]
    elif entry.get("recursive") and isinstance(current, dict) and isinstance(payload, dict):
        node[leaf] = _merge(current, payload)
    else:
        node[leaf] = payload


def _get(document: dict, name: Any) -> Any:
    node: Any = document
    for part in _path(name):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def data_set(ctx, body) -> dict:
    """tasks.data.set {taskId, fields: [{field, payload, append?, recursive?}]}: applied in order, all or none."""
    task_id = _task_id(ctx.store, field(body, "taskId"), "taskId")
    document = _document(ctx.store, task_id)
    for entry in field(body, "fields", list):
        _set(document, entry)
    ctx.store.execute("UPDATE task_data SET fields = ? WHERE task_id = ?", (dumps(document), task_id))
    return {"success": True}


def data_get(ctx, body) -> dict:
    """tasks.data.get {taskId, fields: [path]} -> {"result": {path: value}}."""
    task_id = _task_id(ctx.store, field(body, "taskId"), "taskId")
    document = _document(ctx.store, task_id)
    return {"result": {name: _get(document, name) for name in field(body, "fields", list)}}


def output_set(ctx, body) -> dict:
    """tasks.output.set {taskId, output}: the card the task list shows for the task; a new one replaces the old."""
    task_id = _task_id(ctx.store, field(body, "taskId"), "taskId")
    output = field(body, "output", dict)
    if not output:
        raise bad_request("field 'output' must not be empty", field="output")
    _document(ctx.store, task_id)
    ctx.store.execute("UPDATE task_data SET output = ? WHERE task_id = ?", (dumps(output), task_id))
    return {"success": True}


def task_output(store: Store, task_id: int) -> dict | None:
    """The output tasks.output.set last gave the task, or None."""
    return loads(store.scalar("SELECT output FROM task_data WHERE task_id = ?", (task_id,)), None)


def logs_add(ctx, body) -> dict:
    """tasks.logs.add {logs: [record]}: each record names its recorded task in "task_id"; all kept or none."""
    records = field(body, "logs", list)
    rows = []
    for record in records:
        if not isinstance(record, dict) or "task_id" not in record:
            raise bad_request(f"each log record must be an object naming its 'task_id', got {record!r}", field="logs")
        task_id = _task_id(ctx.store, record["task_id"], "logs.task_id")
        level, message = record.get("level", "info"), record.get("message", "")
        rows.append((task_id, str(level).lower(), str(message), str(record.get("timestamp") or now())))
    for row in rows:
        ctx.store.execute("INSERT INTO task_logs (task_id, level, message, timestamp) VALUES (?, ?, ?, ?)", row)
    return {"success": True}


def log_download(ctx, body) -> list[dict]:
    """tasks.log.download (GET) {id, sinceTime?, limit?}: the task's records after sinceTime, oldest first."""
    task_id = _task_id(ctx.store, field(body, "id"), "id")
    since = field(body, "sinceTime", str, default=None)
    limit = body.get("limit")
    if limit is not None:
        if not str(limit).isdigit():
            raise bad_request(f"field 'limit' must be a non-negative integer, got {limit!r}", field="limit")
        limit = int(limit)
    rows = ctx.store.rows(
        "SELECT level, message, timestamp, task_id FROM task_logs WHERE task_id = ? AND (? IS NULL OR timestamp > ?) "
        "ORDER BY timestamp, id",
        (task_id, since, since),
    )
    return [{key: row[key] for key in LOG_KEYS} for row in rows[:limit]]


ROUTES = {
    "tasks.data.set": data_set,
    "tasks.data.get": data_get,
    "tasks.output.set": output_set,
    "tasks.logs.add": logs_add,
    "tasks.log.download": log_download,
}
