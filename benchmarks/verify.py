"""`annobridge.verify()`: items a second, memory as the project grows, requests, on two setups.

    .venv/bin/python benchmarks/verify.py [--memory 2000,20000] [--images 2000] [--quick]
        [--url labelstudio+http://127.0.0.1:PORT --ls-log PATH]

1. Two in-memory servers (tests/memory_provider.py), the target holding every source item under its source key
   with the same annotations (7 objects an item), as a faithful migration leaves it: seconds, items/s, and the
   Python heap's peak while verifying (tracemalloc, a second run), for each size of --memory.
2. The Supervisely sandbox -> the real Label Studio server: --images annotated images (sv_seed.py, a rectangle, a
   polygon and a bitmap each) migrated by annobridge first (not timed), then verified, without and with the HTML
   page (--sample 12): seconds, items/s, requests each server answered, the verifying process's peak RSS.

Each measurement runs in its own child process. Without --url the Label Studio server is started from
.venv-labelstudio; with --images 0 the second part is skipped. Not a test: nothing asserts a time.
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

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the memory provider lives in tests/

from counting import LabelStudioLog, counting_sandbox, peak_rss_mb, rss_mb  # noqa: E402

ALPHA, BETA = "memory://bench-source", "memory://bench-target"


# ------------------------------------------------------------------------------------------ child side


def _memory_child(items: int) -> dict[str, Any]:
    """Seed two memory servers with `items` items, verify once timed, then once under tracemalloc."""
    import tracemalloc

    from annobridge import plugins
    from annobridge import verify
    from tests import memory_provider as mp

    manager = plugins.make_plugin_manager([mp])
    registry = plugins.build_registry(manager)
    plugins.plugin_manager, plugins.registry = (lambda: manager), (lambda: registry)
    source, target = _seed_memory(mp, items)
    started = time.perf_counter()
    report = verify(ALPHA, BETA, source, target)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    verify(ALPHA, BETA, source, target)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"items": items, "seconds": seconds, "heap_peak_mb": peak / 2**20, "summary": _summary(report)}


def _seed_memory(mp, items: int) -> tuple[int, int]:
    from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Polygon, Rectangle
    from annobridge.schema import LabelSchema, ObjectClass

    schema = LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle"), ObjectClass(name="leaf",
                                                                                             shape="polygon")])
    alpha, beta = mp.server(ALPHA), mp.server(BETA)
    source, target = alpha.add_project("Bench", schema), beta.add_project("Bench copy", schema)
    leaves = tuple(ObjectAnnotation(class_name="leaf", author="anna", shape=Polygon(
        exterior=[(k, 1), (k + 9, 2), (k + 5, 9), (k, 8)])) for k in range(6))
    kinds = [[ItemAnnotation(width=64, height=48, author="anna", objects=leaves + (ObjectAnnotation(
        class_name="lemon", author="bob", shape=Rectangle(x=k, y=3, width=7, height=4)),))] for k in range(50)]
    for n in range(items):
        made = alpha.add_item(source.id, f"img-{n:06d}.jpg", annotations=kinds[n % 50])
        beta.add_item(target.id, made.name, annotations=kinds[n % 50], key=str(made.id))
    return source.id, target.id


def _live_child(way: str, spec: dict) -> dict[str, Any]:
    """Migrate (way "migrate") or verify (way "verify" / "verify-html") the sandbox project into Label Studio."""
    import label_studio_sdk.client  # noqa: F401  both SDKs paid for before the clock starts
    import supervisely  # noqa: F401

    import annobridge
    from annobridge import verify

    if way == "migrate":
        report = annobridge.migrate(spec["source"], spec["target"], project=spec["project"],
                                    target_project=spec["title"], ledger=spec["ledger"])
        return {"target_project": report.target_project}
    out: dict[str, Any] = {"rss_before_mb": rss_mb()}
    html = spec["html"] if way == "verify-html" else None
    started = time.perf_counter()
    report = verify(spec["source"], spec["target"], spec["project"], spec["target_project"], html=html)
    out["seconds"] = time.perf_counter() - started
    out["peak_rss_mb"] = peak_rss_mb()
    out["summary"] = _summary(report)
    out["page_mb"] = Path(html).stat().st_size / 2**20 if html else None
    return out


def _summary(report) -> str:
    counts = report.items
    return (f"matched {counts.matched}, identical {counts.identical}, explained {counts.explained}, unexplained "
            f"{counts.unexplained}; differences explained {report.differences_explained}, unexplained "
            f"{report.differences_unexplained}")


# ------------------------------------------------------------------------------------------ parent side


def _run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory_rows(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for items in sizes:
        print(f"verifying {items} items on memory servers", file=sys.stderr, flush=True)
        rows.append(_run_child(["--child", "memory", "--spec", json.dumps({"items": items})], dict(os.environ)))
    return rows


def live_rows(images: int, url: str, token: str, log_path: str, workdir: Path) -> tuple[list[dict], str]:
    """Migrate `images` sandbox images into Label Studio, then verify them, without and with the page."""
    from migrate_sv_to_ls import _copy, _find_project, _ls_client, _seeded

    source_db, project_id = _seeded(images)
    log = LabelStudioLog(log_path)
    with _ls_client(url, token) as http:
        version = http.get("/api/version").json().get("release", "?")
    rows = []
    with counting_sandbox(_copy(source_db, workdir)) as sandbox:
        env = {**os.environ, "SERVER_ADDRESS": sandbox.server_address, "API_TOKEN": sandbox.token,
               "LABEL_STUDIO_API_KEY": token, "PYTHONPATH": str(HERE)}
        title = f"bench verify {images} {int(time.time())}"
        spec = {"source": "supervisely+" + sandbox.server_address, "target": url, "project": project_id,
                "title": title, "ledger": str(workdir / f"{title}.ledger.sqlite"), "html": str(workdir / "page.html")}
        print(f"migrating {images} images (not timed)", file=sys.stderr, flush=True)
        spec.update(_run_child(["--child", "migrate", "--spec", json.dumps(spec)], env))
        try:
            for way in ("verify", "verify-html"):
                print(f"running {way} on {images} images", file=sys.stderr, flush=True)
                ls_before, sv_before = log.settled(), sandbox.requests
                row = _run_child(["--child", way, "--spec", json.dumps(spec)], env)
                row.update(way=way, images=images, ls_requests=log.settled() - ls_before,
                           sv_requests=sandbox.requests - sv_before)
                rows.append(row)
        finally:
            with _ls_client(url, token) as http:
                project = _find_project(http, title)
                if project:
                    http.delete(f"/api/projects/{project['id']}")
    return rows, version


def tables(memory: list[dict], live: list[dict], version: str) -> str:
    lines = []
    if memory:
        lines += [
            "Memory servers (tests/memory_provider.py): a faithful migration of N items, 7 objects an item",
            "",
            "| items | seconds | items/s | Python heap peak while verifying (MiB) | outcome |",
            "|---:|---:|---:|---:|---|",
        ]
        lines += [f"| {r['items']:,} | {r['seconds']:.1f} | {r['items'] / r['seconds']:,.0f} | {r['heap_peak_mb']:.1f}"
                  f" | {r['summary']} |" for r in memory]
    if live:
        ways = {"verify": "`verify()`", "verify-html": "`verify(html=...)`, 12 items drawn"}
        lines += [
            "",
            f"Supervisely sandbox -> Label Studio {version}: {live[0]['images']:,} annotated 64x64 images "
            "(a rectangle, a polygon and a bitmap each, each with an object tag) migrated by annobridge, then verified",
            "",
            "| way | seconds | items/s | Supervisely requests | Label Studio requests | peak RSS (MiB) "
            "| RSS at start (MiB) | outcome |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in live:
            page = f"; page {r['page_mb']:.1f} MiB" if r.get("page_mb") else ""
            lines.append(
                f"| {ways[r['way']]} | {r['seconds']:.1f} | {r['images'] / r['seconds']:,.0f} | {r['sv_requests']:,}"
                f" | {r['ls_requests']:,} | {r['peak_rss_mb']:.0f} | {r['rss_before_mb']:.0f} | {r['summary']}{page} |"
            )
    lines += [
        "",
        "Each row is its own child process. The memory rows' time includes the memory provider's own work (its "
        "annotations.list scans the project for each page); the heap peak is tracemalloc's, over a second run. "
        "Requests are counted on the servers (sandbox: every request; Label Studio: its access log).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", default=None, help="item counts on memory servers (2000,20000)")
    parser.add_argument("--images", type=int, default=None, help="sandbox images verified in Label Studio (2000)")
    parser.add_argument("--quick", action="store_true", help="2000 memory items, 200 images")
    parser.add_argument("--url", help="labelstudio+http://host:port of a running server (default: start one)")
    parser.add_argument("--ls-log", help="that server's log file (LocalLabelStudio.log_path), to count requests")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.spec)
        result = _memory_child(spec["items"]) if args.child == "memory" else _live_child(args.child, spec)
        print(json.dumps(result))
        return 0
    sizes = [int(n) for n in (args.memory or ("2000" if args.quick else "2000,20000")).split(",") if n.strip()]
    images = args.images if args.images is not None else (200 if args.quick else 2000)
    if args.url and not (args.ls_log and os.environ.get("LABEL_STUDIO_API_KEY")):
        parser.error("--url needs --ls-log (to count requests) and LABEL_STUDIO_API_KEY in the environment")
    memory = memory_rows(sizes)
    live, version = [], "?"
    if images:
        with ExitStack() as stack:
            if args.url:
                url, token, log_path = args.url, os.environ["LABEL_STUDIO_API_KEY"], args.ls_log
            else:
                from annobridge_labelstudio.server import LocalLabelStudio

                server = stack.enter_context(LocalLabelStudio())
                url, token, log_path = server.backend_url, server.token, str(server.log_path)
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="annobridge-bench-")))
            live, version = live_rows(images, url, token, log_path, workdir)
    print(tables(memory, live, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
