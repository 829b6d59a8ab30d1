"""Migrating annotated images from the Supervisely sandbox into the real Label Studio server, against the limit.

    .venv/bin/python benchmarks/migrate_sv_to_ls.py [--images 2000] [--per-item 200] [--flat-images 20000] [--quick]
        [--ways annobridge-copy,limit-copy,annobridge-link,limit-link,plain] [--delay 0.025]
        [--url labelstudio+http://127.0.0.1:PORT --ls-log PATH]

On the same images, in one run (migrate_ways.py has the ways, bare_limits.py the limits):
annobridge copy | copy limit | annobridge link | link limit | plain SDKs per item (the first --per-item
images: it is slow), each against the servers directly; then the same five through delay_proxy.py
(--delay each way, so >= 50 ms a round trip) in front of both the sandbox and Label Studio; then
annobridge copy alone on --flat-images images, directly, to compare its peak memory. The limits' images
and tasks are prepared once beforehand, untimed. "x limit" is annobridge's time over the limit's for the
same mode and network. Each way runs in its own child process, which reports its time and peak RSS; HTTP
requests are counted on the servers (every request the sandbox answers, every line of Label Studio's access
log); what each way left is read back from Label Studio and must be every image with its annotation.
Without --url the real server is started from .venv-labelstudio. Not a test: nothing asserts a time.
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

from counting import LabelStudioLog, counting_sandbox  # noqa: E402
from delay_proxy import DelayProxy  # noqa: E402
from migrate_ways import WAYS  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "annobridge-bench-cache"
RESULTS = Path(__file__).parent / "results" / "migrate_sv_to_ls.md"
RESULTS_PER_IMAGE = 6  # sv_seed: a rectangle, a polygon and a bitmap, each with its tag (a choices result)
LIMIT_OF = {"annobridge-copy": "limit-copy", "annobridge-link": "limit-link"}


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
    command = [sys.executable, str(Path(__file__).parent / "migrate_ways.py"), way, json.dumps(spec)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"way {way!r} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env(sv_address: str, sv_token: str, token: str) -> dict[str, str]:
    return {
        **os.environ,
        "SERVER_ADDRESS": sv_address,
        "API_TOKEN": sv_token,
        "LABEL_STUDIO_API_KEY": token,
        "PYTHONPATH": str(Path(__file__).parent),
    }


def run_way(way: str, images: int, sandbox, project_id: int, net: dict, token: str, log: LabelStudioLog,
            workdir: Path, *, per_item: int = 0) -> dict:
    """One measured run of `way`: the child's own figures, the requests both servers answered, what it left.

    `net` holds the addresses the way is given ("sv", "ls": direct or through the proxy), "direct" Label
    Studio's own URL (for setting up and reading back, not counted) and "proxied" (True/False).
    """
    env = _env(net["sv"], sandbox.token, token)
    count = min(per_item, images) if way == "plain" else images
    title = f"bench {way} {images} {time.time_ns()}"
    spec: dict[str, Any] = {
        "source": "supervisely+" + net["sv"],
        "target": net["ls"],
        "project": project_id,
        "title": title,
        "ledger": str(workdir / f"{title}.ledger.sqlite"),
        "prepared": str(workdir / "prepared"),
        "per_item": count,
    }
    result: dict[str, Any] = {"way": way, "images": count, "proxied": net["proxied"]}
    with _ls_client(net["direct"], token) as http:
        if way.startswith("limit-"):  # its project is made beforehand, not timed or counted
            config = (workdir / "prepared" / "label_config.xml").read_text()
            answer = http.post("/api/projects", json={"title": title, "label_config": config})
            answer.raise_for_status()
            spec["target_project"] = answer.json()["id"]
        ls_before, sv_before = log.settled(), sandbox.requests
        try:
            result.update(_run_child(way, spec, env))
        except RuntimeError as error:  # one failed way must not lose the others' figures
            print(error, file=sys.stderr)
            result["failed"] = str(error).strip().splitlines()[-1][:200]
        result["ls_requests"] = log.settled() - ls_before
        result["sv_requests"] = sandbox.requests - sv_before
        project = _find_project(http, title)
        try:
            if project is None:
                raise RuntimeError(f"no project {title!r} is on the server")
            held = _carried(http, project["id"])
            result["tasks"], result["annotations"], result["results"] = held
            want = (count, count, count * RESULTS_PER_IMAGE)
            if held != want:
                result["short"] = f"tasks/annotations/results {held} for {want}"
        except RuntimeError as error:  # shown in the table; the way's own figures stand
            print(error, file=sys.stderr)
            result["short"] = str(error)[:200]
        if project:
            http.delete(f"/api/projects/{project['id']}")
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


def _ratio(rows: list[dict], way: str) -> str:
    """annobridge's time over the limit's for the same mode and network, or ""."""
    mine = next((r for r in rows if r["way"] == way and not r.get("failed")), None)
    limit = next((r for r in rows if r["way"] == LIMIT_OF.get(way) and not r.get("failed")), None)
    return f"{mine['seconds'] / limit['seconds']:.2f}x" if mine and limit else ""


def _carried_cell(r: dict) -> str:
    if r.get("short"):
        return f"SHORT: {r['short']}"
    return f"{r['tasks']:,} / {r['annotations']:,} / {r['results']:,}"


def _way_table(rows: list[dict], per_item: int) -> list[str]:
    lines = [
        "| way | images | seconds | images/s | x limit | Supervisely requests | Label Studio requests | peak RSS MiB "
        "| carried (tasks / annotations / results) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        name = WAYS[r["way"]].format(n=per_item)
        if r.get("failed"):
            lines.append(f"| {name} | {r['images']:,} | FAILED: {r['failed']} | | | | | | |")
            continue
        lines.append(
            f"| {name} | {r['images']:,} | {r['seconds']:.1f} | {r['images'] / r['seconds']:,.1f} "
            f"| {_ratio(rows, r['way'])} | {r['sv_requests']:,} | {r['ls_requests']:,} | {r['peak_rss_mb']:.0f} "
            f"| {_carried_cell(r)} |"
        )
    return lines


def _goals(rows: list[dict], flat: list[dict]) -> str:
    """The issue's goals, each with its figure: within 1.3x of the limit, >= 20x the per-item way, RSS within 1.5x."""
    parts = []
    for proxied, where in ((False, "directly"), (True, "through the proxy")):
        net = [r for r in rows if r["proxied"] == proxied]
        speeds = {r["way"]: r["images"] / r["seconds"] for r in net if not r.get("failed")}
        figures = [f"{mode} {_ratio(net, 'annobridge-' + mode)} the limit (goal <= 1.3x)"
                   for mode in ("copy", "link") if _ratio(net, "annobridge-" + mode)]
        if "annobridge-copy" in speeds and "plain" in speeds:
            figures.append(f"copy {speeds['annobridge-copy'] / speeds['plain']:.1f}x the per-item way's images/s "
                           "(goal >= 20x)")
        if figures:
            parts.append(f"{where}, annobridge {', '.join(figures)}")
    if len(flat) == 2 and not any(r.get("failed") for r in flat):
        parts.append(f"peak RSS at {flat[1]['images']:,} images {flat[1]['peak_rss_mb'] / flat[0]['peak_rss_mb']:.2f}x "
                     f"that at {flat[0]['images']:,} (goal <= 1.5x)")
    return "Goals (issue 19): " + "; ".join(parts) + "." if parts else ""


def tables(rows: list[dict], flat: list[dict], skipped: dict[str, str], ls_version: str, *, images: int,
           per_item: int, delay: float) -> str:
    """The Markdown of a run: the ways directly, the ways through the delay proxy, memory as the project grows."""
    lines = [
        f"Supervisely sandbox -> Label Studio {ls_version}: {images:,} annotated 64x64 images (a rectangle, a "
        "polygon and a bitmap each, each with an object tag); the per-item way on the first "
        f"{min(per_item, images):,} of them",
    ]
    for proxied, heading in ((False, "Directly (127.0.0.1)"),
                             (True, f"Through a local delay proxy, {delay * 1000:.0f} ms each way "
                                    f"(>= {2 * delay * 1000:.0f} ms a round trip), in front of both servers")):
        held = [r for r in rows if r["proxied"] == proxied]
        if held:
            lines += ["", heading, "", *_way_table(held, min(per_item, images))]
    for way, reason in skipped.items():
        lines.append(f"\n{WAYS[way].format(n=per_item)}: not run ({reason})")
    if flat:
        lines += [
            "", "annobridge copy alone, directly: memory as the project grows", "",
            "| images | seconds | images/s | Supervisely requests | Label Studio requests | peak RSS MiB "
            "| RSS at start MiB | carried (tasks / annotations / results) |",
            "|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in flat:
            if r.get("failed"):
                lines.append(f"| {r['images']:,} | FAILED: {r['failed']} | | | | | | |")
                continue
            lines.append(
                f"| {r['images']:,} | {r['seconds']:.1f} | {r['images'] / r['seconds']:,.1f} | {r['sv_requests']:,}"
                f" | {r['ls_requests']:,} | {r['peak_rss_mb']:.0f} | {r['rss_before_mb']:.0f} | {_carried_cell(r)} |"
            )
    goals = _goals(rows, flat)
    if goals:
        lines += ["", goals]
    for r in [r for r in rows if not r["proxied"]] + flat[1:]:
        if r.get("report"):
            lines += ["", f"annobridge's own report ({r['way'].split('-')[1]}, {r['images']:,} images): {r['report']}"]
    lines += [
        "",
        "Requests are counted on the servers (sandbox: every request; Label Studio: its access log). Peak RSS is the "
        "migrating child process's own (ru_maxrss), both SDKs imported before the clock starts. The limits time and "
        "count only what they send to Label Studio: the images' bytes and the task bodies (plain_sdk_migration's "
        "conversion) were prepared beforehand, untimed; copy: 100 files an upload, one listing and one import per "
        "1,000 tasks, one request after another (bare_limits.py says why); link: imports of 1,000 tasks. "
        "annobridge also reads the source. What each way left is read back from Label Studio after its run, 100 "
        "tasks a page, not counted.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=None, help="images for the side-by-side runs (2000; quick 100)")
    parser.add_argument("--per-item", type=int, default=None, help="images for the per-item way (200; quick 20)")
    parser.add_argument("--flat-images", type=int, default=None, help="images for annobridge alone (20000; 0: skip)")
    parser.add_argument("--quick", action="store_true", help="100 images, per item 20, flat 400")
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--delay", type=float, default=0.025, help="the proxy's delay each way, seconds (0: no proxy)")
    parser.add_argument("--url", help="labelstudio+http://host:port of a running server (default: start one)")
    parser.add_argument("--ls-log", help="that server's log file (LocalLabelStudio.log_path), to count requests")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the Markdown as well")
    args = parser.parse_args(argv)
    images = args.images or (100 if args.quick else 2000)
    per_item = args.per_item or (20 if args.quick else 200)
    flat_images = args.flat_images if args.flat_images is not None else (400 if args.quick else 20000)
    ways = [w.strip() for w in args.ways.split(",") if w.strip()]
    unknown = set(ways) - set(WAYS)
    if unknown:
        parser.error(f"unknown ways {sorted(unknown)}; choose from {sorted(WAYS)}")
    if args.url and not (args.ls_log and os.environ.get("LABEL_STUDIO_API_KEY")):
        parser.error("--url needs --ls-log (to count requests) and LABEL_STUDIO_API_KEY in the environment")
    skipped = {}
    missing = _annobridge_available()
    if missing:
        skipped.update({w: missing for w in ways if w.startswith("annobridge")})
        ways = [w for w in ways if not w.startswith("annobridge")]
    if "annobridge-copy" not in ways:
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
            if any(w.startswith("limit-") for w in ways):
                print(f"preparing the limits' {images} images and tasks (untimed)", file=sys.stderr, flush=True)
                from bare_limits import prepare

                prepare(sandbox.server_address, sandbox.token, project_id=project_id, folder=workdir / "prepared")
            for delay in (0, args.delay) if args.delay else (0,):
                with ExitStack() as proxies:
                    sv, ls = sandbox.server_address, url
                    if delay:  # both servers behind the proxy; every way is given the proxied addresses
                        sv = proxies.enter_context(DelayProxy.for_url(sv, delay=delay)).proxied(sv)
                        ls = proxies.enter_context(DelayProxy.for_url(ls, delay=delay)).proxied(ls)
                    net = {"sv": sv, "ls": ls, "direct": url, "proxied": bool(delay)}
                    for way in ways:
                        print(f"running {way} on {images} images{' through the proxy' if delay else ''}",
                              file=sys.stderr, flush=True)
                        rows.append(run_way(way, images, sandbox, project_id, net, token, log, workdir,
                                            per_item=per_item))
        if flat_source:
            flat.append(next(r for r in rows if r["way"] == "annobridge-copy" and not r["proxied"]))
            with counting_sandbox(_copy(flat_source[0], workdir)) as sandbox:
                print(f"running annobridge-copy on {flat_images} images", file=sys.stderr, flush=True)
                net = {"sv": sandbox.server_address, "ls": url, "direct": url, "proxied": False}
                flat.append(run_way("annobridge-copy", flat_images, sandbox, flat_source[1], net, token, log,
                                    workdir))
    table = tables(rows, flat, skipped, ls_version, images=images, per_item=per_item, delay=args.delay)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table + "\n")
    return 1 if any(r.get("failed") or r.get("short") for r in rows + flat) else 0


if __name__ == "__main__":
    sys.exit(main())
