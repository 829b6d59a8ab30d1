"""Migrating annotated images from the Supervisely sandbox into the real Label Studio server, three ways side by side.

    .venv/bin/python benchmarks/migrate_sv_to_ls.py [--images 2000] [--flat-images 20000] [--quick]
        [--ways annobridge,plain,bulk] [--url labelstudio+http://127.0.0.1:PORT --ls-log PATH]

1. annobridge: `annobridge.migrate(source, target, project=..., target_project=..., ledger=..., media="copy")`;
2. plain SDKs, per item, as the seed tutorials teach (plain_sdk_migration.migrate_per_item);
3. the server's own bulk import: one `projects.import_tasks` of task dicts (with their annotations)
   prepared in advance from the same source; only the import is timed and counted, images stay links.

Then `--flat-images` images through annobridge alone, to compare its peak memory with the first run.
Each way runs in its own child process, which reports its time and peak RSS; HTTP requests are
counted on the servers: every request the sandbox answers, and every line of Label Studio's access
log. Without --url the real server is started from .venv-labelstudio. Not a test: nothing asserts a time.
The token is read from LABEL_STUDIO_API_KEY and handed to children through the environment only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from counting import LabelStudioLog, counting_sandbox, peak_rss_mb, rss_mb  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "annobridge-bench-cache"
RESULTS = Path(__file__).parent / "results" / "migrate_sv_to_ls.md"
WAYS = {
    "annobridge": "annobridge `migrate()` (media copy)",
    "plain": "plain SDKs, per item (media copy)",
    "bulk": "server bulk import, prepared in advance (links)",
}


# ------------------------------------------------------------------------------------------ child side


def _child(way: str, spec: dict) -> dict:
    """Run one way in this (child) process; returns its own measurements."""
    import label_studio_sdk.client  # noqa: F401  every way pays for both SDKs before the clock starts
    import supervisely  # noqa: F401

    sv_address, sv_token = os.environ["SERVER_ADDRESS"], os.environ["API_TOKEN"]
    ls_token = os.environ["LABEL_STUDIO_API_KEY"]
    ls_http = spec["target"].split("+", 1)[1]
    out: dict[str, Any] = {}
    if way == "bulk-prepare":
        from label_studio_sdk.client import LabelStudio
        from plain_sdk_migration import prepare_tasks

        config, tasks = prepare_tasks(sv_address, sv_token, project_id=spec["project"])
        Path(spec["tasks_file"]).write_text(json.dumps(tasks))
        client = LabelStudio(base_url=ls_http, api_key=ls_token)
        return {"target_project": client.projects.create(title=spec["title"], label_config=config).id}
    if way == "bulk":
        from label_studio_sdk.client import LabelStudio

        tasks = json.loads(Path(spec["tasks_file"]).read_text())
        client = LabelStudio(base_url=ls_http, api_key=ls_token, timeout=3600)
    out["rss_before_mb"] = rss_mb()
    started = time.perf_counter()
    if way == "annobridge":
        import annobridge

        report = annobridge.migrate(
            spec["source"],
            spec["target"],
            project=spec["project"],
            target_project=spec["title"],
            ledger=spec["ledger"],
            media="copy",
        )
        out["report"] = _summary(report)
    elif way == "plain":
        from plain_sdk_migration import migrate_per_item

        migrate_per_item(sv_address, sv_token, ls_http, ls_token, project_id=spec["project"], title=spec["title"])
    elif way == "bulk":
        response = client.projects.import_tasks(spec["target_project"], request=tasks, return_task_ids=True)
        out["imported"] = len(response.task_ids or [])
    else:
        raise SystemExit(f"unknown way {way!r}")
    out["seconds"] = time.perf_counter() - started
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _summary(report: Any) -> str:
    """A MigrationReport in one line: carried/approximated/dropped by kind, then its losses."""
    counts = ", ".join(f"{kind} {t.carried}/{t.approximated}/{t.dropped}" for kind, t in report.counts.items())
    return f"carried/approximated/dropped: {counts}; losses: {'; '.join(report.losses) or 'none'}"


# ------------------------------------------------------------------------------------------ parent side


def _ls_client(url: str, token: str):
    import httpx

    return httpx.Client(base_url=url.split("+", 1)[1], headers={"Authorization": f"Token {token}"}, timeout=600)


def _find_project(http, title: str) -> dict | None:
    page = 1
    while True:
        answer = http.get("/api/projects", params={"page": page, "page_size": 100}).json()
        for project in answer.get("results", []):
            if project["title"] == title:
                return project
        if not answer.get("next"):
            return None
        page += 1


# Label Studio 1.23 on SQLite answers 500 "Expression tree is too large (maximum depth 1000)" to a
# 1000-task page of tasks that came from uploaded files (the plain way's): read back 100 at a time.
READ_BACK_PAGE = 100


def _carried(http, project_id: int) -> tuple[int, int, int]:
    """(tasks, annotations, result entries) in a Label Studio project, read back after a run (not counted).

    Any answer but a page of tasks raises: a read-back that fails must not look like a way that carried nothing.
    """
    tasks = annotations = results = 0
    page, total = 1, None
    while total is None or tasks < total:
        answer = http.get(
            "/api/tasks", params={"project": project_id, "page": page, "page_size": READ_BACK_PAGE, "fields": "all"}
        )
        if answer.status_code != 200:
            raise RuntimeError(
                f"reading back project {project_id} page {page}: {answer.status_code} {answer.text[:300]}"
            )
        body = answer.json()
        total = body["total"]
        if not body["tasks"]:
            raise RuntimeError(
                f"reading back project {project_id}: page {page} is empty after {tasks} of {total} tasks"
            )
        for task in body["tasks"]:
            tasks += 1
            annotations += len(task.get("annotations") or [])
            results += sum(len(a.get("result") or []) for a in task.get("annotations") or [])
        page += 1
    return tasks, annotations, results


def _run_child(way: str, spec: dict, env: dict) -> dict:
    command = [sys.executable, __file__, "--child", way, "--spec", json.dumps(spec)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"way {way!r} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_way(
    way: str, images: int, sandbox, project_id: int, url: str, token: str, log: LabelStudioLog, workdir: Path
) -> dict:
    """One measured run of `way`: the child's own figures plus the requests both servers answered."""
    env = {
        **os.environ,
        "SERVER_ADDRESS": sandbox.server_address,
        "API_TOKEN": sandbox.token,
        "LABEL_STUDIO_API_KEY": token,
        "PYTHONPATH": str(Path(__file__).parent),
    }
    title = f"bench {way} {images} {int(time.time())}"
    spec = {
        "source": "supervisely+" + sandbox.server_address,
        "target": url,
        "project": project_id,
        "title": title,
        "ledger": str(workdir / f"{title}.ledger.sqlite"),
        "tasks_file": str(workdir / "tasks.json"),
    }
    if way == "bulk":
        spec.update(_run_child("bulk-prepare", spec, env))
    ls_before, sv_before = log.settled(), sandbox.requests
    try:
        result = _run_child(way, spec, env)
    except RuntimeError as error:  # one failed way must not lose the others' figures
        print(error, file=sys.stderr)
        result = {"failed": str(error).strip().splitlines()[-1][:200]}
    result["ls_requests"] = log.settled() - ls_before
    result["sv_requests"] = sandbox.requests - sv_before
    with _ls_client(url, token) as http:
        project = _find_project(http, title)
        if project is None and not result.get("failed"):
            result["failed"] = f"finished, but no project {title!r} is on the server"
        try:
            result["tasks"], result["annotations"], result["results"] = (
                _carried(http, project["id"]) if project else (0, 0, 0)
            )
        except RuntimeError as error:  # shown in the table; the way's own figures stand
            print(error, file=sys.stderr)
            result["read_back"] = str(error)[:200]
        if project:
            http.delete(f"/api/projects/{project['id']}")
    result.update(way=way, images=images)
    return result


def _check_log(url: str, token: str, log: LabelStudioLog) -> None:
    """The access-log count must move by exactly one per request, or the counts below mean nothing."""
    before = log.settled()
    with _ls_client(url, token) as http:
        for _ in range(3):
            http.get("/api/version")
    if log.settled() - before != 3:
        raise RuntimeError(f"Label Studio's log counted {log.settled() - before} requests for 3; cannot count")


def _seeded(images: int) -> tuple[Path, int]:
    """A sandbox database with `images` bench images (built once, cached) and its project id."""
    import sqlite3

    from sv_seed import PROJECT_NAME, build_database

    CACHE.mkdir(exist_ok=True)
    started = time.perf_counter()
    path = build_database(CACHE / f"sv-{images}-v1.sqlite", images)
    print(f"sandbox database with {images} images ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    with sqlite3.connect(path) as conn:
        (project_id,) = conn.execute("SELECT id FROM projects WHERE name = ?", (PROJECT_NAME,)).fetchone()
    return path, project_id


def _copy(path: Path, workdir: Path) -> Path:
    import shutil

    target = workdir / path.name
    shutil.copyfile(path, target)
    return target


def _annobridge_available() -> str | None:
    """None when annobridge.migrate exists, else why not."""
    import annobridge

    return None if callable(getattr(annobridge, "migrate", None)) else "annobridge.migrate is not available yet"


def _read(row: dict, key: str) -> str:
    """A read-back count for the table, or why there is none."""
    return f"{row[key]:,}" if key in row else f"read-back failed: {row.get('read_back', '?')}"


def tables(rows: list[dict], flat: list[dict], skipped: dict[str, str], ls_version: str) -> str:
    """The Markdown tables of a run."""
    lines = []
    if rows:
        images = rows[0]["images"]
        lines += [
            f"Supervisely sandbox -> Label Studio {ls_version}: {images:,} annotated 64x64 images "
            "(a rectangle, a polygon and a bitmap each, each with an object tag)",
            "",
            "| way | seconds | images/s | Supervisely requests | Label Studio requests | peak RSS (MiB) "
            "| RSS at start (MiB) | tasks | annotations | result entries |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            if r.get("failed"):
                lines.append(f"| {WAYS[r['way']]} | FAILED: {r['failed']} | | | | | | | | |")
                continue
            lines.append(
                f"| {WAYS[r['way']]} | {r['seconds']:.1f} | {r['images'] / r['seconds']:,.0f} | {r['sv_requests']:,}"
                f" | {r['ls_requests']:,} | {r['peak_rss_mb']:.0f} | {r['rss_before_mb']:.0f} | {_read(r, 'tasks')}"
                f" | {_read(r, 'annotations')} | {_read(r, 'results')} |"
            )
    for way, reason in skipped.items():
        lines.append(f"| {WAYS[way]} | not available: {reason} | | | | | | | | |")
    if flat:
        lines += [
            "",
            "annobridge alone, memory as the project grows",
            "",
            "| images | seconds | images/s | Supervisely requests | Label Studio requests | peak RSS (MiB) "
            "| RSS at start (MiB) | tasks | annotations |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in flat:
            if r.get("failed"):
                lines.append(f"| {r['images']:,} | FAILED: {r['failed']} | | | | | | | |")
                continue
            lines.append(
                f"| {r['images']:,} | {r['seconds']:.1f} | {r['images'] / r['seconds']:,.0f} | {r['sv_requests']:,}"
                f" | {r['ls_requests']:,} | {r['peak_rss_mb']:.0f} | {r['rss_before_mb']:.0f} | {_read(r, 'tasks')}"
                f" | {_read(r, 'annotations')} |"
            )
    for r in rows + flat[1:]:
        if r.get("report"):
            lines += ["", f"annobridge's own report ({r['images']:,} images): {r['report']}"]
    lines += [
        "",
        "Requests are counted on the servers (sandbox: every request; Label Studio: its access log). "
        "Peak RSS is the migrating child process's own (ru_maxrss), both SDKs imported before the clock starts. "
        "The bulk import times and counts only its one import request; its tasks were prepared beforehand. "
        "Tasks, annotations and result entries are read back from Label Studio after each run, 100 tasks a page "
        "(not counted; 1.23 answers 500 to a 1,000-task page of tasks made from uploaded files, as the plain way's are).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=None, help="images for the side-by-side run (2000)")
    parser.add_argument("--flat-images", type=int, default=None, help="images for annobridge alone (20000; 0: skip)")
    parser.add_argument("--quick", action="store_true", help="200 and 2000 images")
    parser.add_argument("--ways", default="annobridge,plain,bulk")
    parser.add_argument("--url", help="labelstudio+http://host:port of a running server (default: start one)")
    parser.add_argument("--ls-log", help="that server's log file (LocalLabelStudio.log_path), to count requests")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, json.loads(args.spec))))
        return 0
    images = args.images or (200 if args.quick else 2000)
    flat_images = args.flat_images if args.flat_images is not None else (2000 if args.quick else 20000)
    ways = [w.strip() for w in args.ways.split(",") if w.strip()]
    unknown = set(ways) - set(WAYS)
    if unknown:
        parser.error(f"unknown ways {sorted(unknown)}; choose from {sorted(WAYS)}")
    if args.url and not (args.ls_log and os.environ.get("LABEL_STUDIO_API_KEY")):
        parser.error("--url needs --ls-log (to count requests) and LABEL_STUDIO_API_KEY in the environment")
    skipped = {}
    missing = _annobridge_available()
    if missing:
        skipped["annobridge"] = missing
        ways = [w for w in ways if w != "annobridge"]
        flat_images = 0
    source, project_id = _seeded(images)
    flat_source = _seeded(flat_images) if flat_images else None
    with ExitStack() as stack:
        if args.url:
            url, token, log_path = args.url, os.environ["LABEL_STUDIO_API_KEY"], args.ls_log
        else:
            from annobridge_labelstudio.server import LocalLabelStudio

            server = stack.enter_context(LocalLabelStudio())
            url, token, log_path = server.backend_url, server.token, server.log_path
        log = LabelStudioLog(log_path)
        _check_log(url, token, log)
        with _ls_client(url, token) as http:
            ls_version = http.get("/api/version").json().get("release", "?")
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="annobridge-bench-")))
        rows, flat = [], []
        with counting_sandbox(_copy(source, workdir)) as sandbox:
            for way in ways:
                print(f"running {way} on {images} images", file=sys.stderr, flush=True)
                rows.append(run_way(way, images, sandbox, project_id, url, token, log, workdir))
        if "annobridge" in ways and flat_source:
            flat.append(next(r for r in rows if r["way"] == "annobridge"))
            with counting_sandbox(_copy(flat_source[0], workdir)) as sandbox:
                print(f"running annobridge on {flat_images} images", file=sys.stderr, flush=True)
                flat.append(run_way("annobridge", flat_images, sandbox, flat_source[1], url, token, log, workdir))
    table = tables(rows, flat, skipped, ls_version)
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table + "\n")
    return 1 if any(r.get("failed") or r.get("read_back") for r in rows + flat) else 0


if __name__ == "__main__":
    sys.exit(main())
