"""Reading every task with its annotations from a 10,000-task Label Studio project, four ways, side by side.

    .venv/bin/python benchmarks/labelstudio_read_tasks.py [--tasks 10000] [--url labelstudio+http://...]

1. annobridge: `backend.items.tasks(job_id)` (1000 tasks a page, the next page asked for while this one is read,
   no request past the end, the JSON decoded once into dicts);
2. the same requests one after another through the SDK's HTTP client, decoded with the stdlib json and nothing
   else: the server's own time for them, the floor of way 1;
3. the SDK's defaults: `LabelStudio(...).tasks.list(project=id)` iterated to the end;
4. the server's own export: a snapshot created, polled and downloaded as JSON through the SDK.

An annotation counts only when its `result` came back (a bare id does not), so each way must really
read the annotations. Without --url it starts the real server from .venv-labelstudio (about a minute)
and stops it at the end; a given server's token comes from --token or LABEL_STUDIO_API_KEY. Each way has its own httpx
client whose event hook counts the HTTP requests. Prints a Markdown table and writes it to
benchmarks/results/labelstudio_read_tasks.md. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx

import annobridge
from annobridge import JobSpec
from annobridge.testing.conformance import SAMPLE_SCHEMA

RESULTS = Path(__file__).parent / "results" / "labelstudio_read_tasks.md"
RESULT = [{"from_name": "size", "to_name": "image", "type": "choices", "value": {"choices": ["small"]}}]


def counting_client(counter: list[int]) -> httpx.Client:
    """An httpx client that counts the requests it sends."""
    return httpx.Client(timeout=600, event_hooks={"request": [lambda request: counter.append(1)]})


@contextlib.contextmanager
def server_for(url: str | None, token: str | None) -> Iterator[tuple[str, str]]:
    if url:
        yield url, token or ""
        return
    from annobridge_labelstudio.server import LocalLabelStudio

    with LocalLabelStudio() as server:
        yield server.backend_url, server.token


def populate(backend: Any, tasks: int) -> int:
    """A project with `tasks` tasks, every other one annotated (imported inline, 1000 a request)."""
    (job,) = backend.jobs.create(JobSpec(name=f"bench {tasks} tasks", label_schema=SAMPLE_SCHEMA))
    payload = [
        {
            "data": {"image": f"http://example.invalid/{n}.jpg"},
            **({"annotations": [{"result": RESULT}]} if n % 2 else {}),
        }
        for n in range(tasks)
    ]
    backend.items.add(job.id, payload)
    return int(job.id)


def whole(annotations: list[Any]) -> int:
    """How many of these annotations came with their result (an SDK model or a dict); bare ids count 0."""
    return sum(1 for a in annotations or [] if (a.get("result") if isinstance(a, dict) else a.result) == RESULT)


def with_annobridge(url: str, token: str, pid: int, counter: list[int]) -> tuple[int, int]:
    backend = annobridge.connect(url, token=token, httpx_client=counting_client(counter))
    counter.clear()  # connecting (token check, edition) is not reading
    tasks = annotations = 0
    for task in backend.items.tasks(pid):
        tasks += 1
        annotations += whole(task["annotations"])
    return tasks, annotations


def with_bare_requests(url: str, token: str, pid: int, counter: list[int]) -> tuple[int, int]:
    from label_studio_sdk.client import LabelStudio

    from annobridge_labelstudio.items import TASK_FIELDS

    client = LabelStudio(base_url=url.split("+", 1)[1], api_key=token, httpx_client=counting_client(counter))
    http = client._client_wrapper.httpx_client  # auth headers only: no models, no pager
    params = {"project": pid, "fields": "all", "resolve_uri": False, "include": ",".join(TASK_FIELDS)}
    tasks = annotations = 0
    page = 1
    while True:
        response = http.request("api/tasks/", method="GET", params={**params, "page": page, "page_size": 1000})
        response.raise_for_status()
        answer = json.loads(response.content)
        tasks += len(answer["tasks"])
        annotations += sum(whole(t["annotations"]) for t in answer["tasks"])
        if len(answer["tasks"]) < 1000 or tasks >= answer["total"]:
            return tasks, annotations
        page += 1


def with_sdk_defaults(url: str, token: str, pid: int, counter: list[int]) -> tuple[int, int]:
    from label_studio_sdk.client import LabelStudio

    client = LabelStudio(base_url=url.split("+", 1)[1], api_key=token, httpx_client=counting_client(counter))
    tasks = annotations = 0
    for task in client.tasks.list(project=pid):
        tasks += 1
        annotations += whole(task.annotations)
    return tasks, annotations


def with_server_export(url: str, token: str, pid: int, counter: list[int]) -> tuple[int, int]:
    from label_studio_sdk.client import LabelStudio

    client = LabelStudio(base_url=url.split("+", 1)[1], api_key=token, httpx_client=counting_client(counter))
    export = client.projects.exports.create(pid, title="bench")
    while export.status not in ("completed", "failed"):
        time.sleep(0.2)
        export = client.projects.exports.get(pid, export.id)
    data = json.loads(b"".join(client.projects.exports.download(pid, export.id, export_type="JSON")))
    return len(data), sum(whole(t["annotations"]) for t in data)


WAYS: list[tuple[str, Callable[..., tuple[int, int]]]] = [
    ("annobridge `items.tasks()` (1000 a page)", with_annobridge),
    ("the same requests alone (SDK HTTP client, stdlib json)", with_bare_requests),
    ("SDK `tasks.list()` defaults", with_sdk_defaults),
    ("server export snapshot (JSON)", with_server_export),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--url", help="labelstudio+http://host:port of a running server (default: start one)")
    parser.add_argument(
        "--token", default=os.environ.get("LABEL_STUDIO_API_KEY"), help="default: $LABEL_STUDIO_API_KEY"
    )
    args = parser.parse_args(argv)
    with server_for(args.url, args.token) as (url, token):
        setup = annobridge.connect(url, token=token)
        started = time.perf_counter()
        pid = populate(setup, args.tasks)
        print(
            f"populated project {pid} with {args.tasks} tasks in {time.perf_counter() - started:.1f}s", file=sys.stderr
        )
        rows = []
        try:
            for name, way in WAYS:
                counter: list[int] = []
                started = time.perf_counter()
                tasks, annotations = way(url, token, pid, counter)
                seconds = time.perf_counter() - started
                rows.append((name, tasks, annotations, len(counter), seconds))
        finally:
            setup.jobs.delete(pid)
    lines = [
        f"Reading every task with its annotations: {args.tasks} tasks, Label Studio {setup.edition.describe()}",
        "",
        "| way | tasks | annotations | HTTP requests | seconds | tasks/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {n} | {t} | {a} | {r} | {s:.2f} | {t / s:,.0f} |" for n, t, a, r, s in rows]
    table = "\n".join(lines)
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")
    same = {(t, a) for _, t, a, _, _ in rows}
    if len(same) != 1:
        print(f"the ways disagree: {rows}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
