"""Migrating a Supervisely video project into the real Label Studio server, three ways side by side, in frames a second.

    .venv/bin/python benchmarks/migrate_videos.py [--videos 100] [--frames 300] [--quick]
        [--ways annobridge,plain,limit] [--url labelstudio+http://127.0.0.1:PORT --ls-log PATH]

The source is made through annobridge in a fresh sandbox and cached per size (sv_video_seed.py): a project with
the conformance VIDEO_SCHEMA, generated 64x48 clips at 30000/1001 fps (sv.videos.add), and on each one car tracked
over every frame, a box set by hand every 10th frame and the straight line between, plus a frame-range tag
(sv.videos.write). Then, each way in its own child process (its peak RSS its own), against one sandbox over a
copy of that database:

1. annobridge: `annobridge.migrate(source, target, project=..., target_project=..., media="copy")`;
2. plain SDKs, per video, as a user writes it: supervisely's `api.video.download_path` and
   `api.video.annotation.download`, annobridge's converters (so that only the I/O differs), then with the current
   label_studio_sdk one upload of the file (a task; the SDK has no method for it, so through its own HTTP client)
   and `annotations.create`;
3. the servers' limit for the same work, bare httpx: the sandbox read in bulk (datasets.list, videos.list,
   videos.annotations.bulk.info 100 videos a request, videos.download of each), the videos uploaded to Label Studio
   100 files a request (commit_to_project=false), one listing of the uploads, and one import of every task with its
   annotation, converted beforehand (untimed; the table says how long the conversion took).

Requests are counted on the servers (the sandbox: every request; Label Studio: its access log); what each way left
in Label Studio is read back (tasks with a video, annotations, tracks, keyframes per track, frame ranges) and must be
every video and every track. Without --url the real server is started from .venv-labelstudio. Not a test: nothing
asserts a time. The token is read from LABEL_STUDIO_API_KEY and handed to children through the environment only.
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
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from counting import LabelStudioLog, counting_sandbox, peak_rss_mb, rss_mb  # noqa: E402
from migrate_sv_to_ls import READ_BACK_PAGE, _check_log, _find_project, _ls_client  # noqa: E402
from sv_video_seed import HEIGHT, WIDTH, seeded  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "migrate_videos.md"
UPLOAD_FILES = 100  # files a Label Studio upload request takes at most
WAYS = {
    "annobridge": "annobridge `migrate()` (media copy)",
    "plain": "plain SDKs, per video",
    "limit": "servers' limit, bare httpx in bulk",
}


# ------------------------------------------------------------------------------------------ conversion


def label_config() -> str:
    """The Label Studio config annobridge makes for the schema, so that every way writes the same results."""
    from annobridge.testing.conformance import VIDEO_SCHEMA
    from annobridge_labelstudio.label_config_video import build_video_label_config

    return build_video_label_config(VIDEO_SCHEMA)


def ls_results(annotation_json: dict, meta: Any, fps: Fraction, config: str) -> list[dict]:
    """Label Studio results of one Supervisely video annotation JSON, through annobridge's two converters."""
    from annobridge_labelstudio.video_regions import video_to_labelstudio
    from annobridge_supervisely.video_convert import video_from_supervisely

    neutral, _ = video_from_supervisely(annotation_json, meta, fps=fps)
    return video_to_labelstudio(neutral, config)[0]


# ------------------------------------------------------------------------------------------ child side


def _child(way: str, spec: dict) -> dict:
    """Run one way in this (child) process; returns its own measurements."""
    import label_studio_sdk.client  # noqa: F401  every way pays for both SDKs before the clock starts
    import supervisely  # noqa: F401

    if way == "limit-prepare":
        return _prepare_limit(spec)
    out: dict[str, Any] = {"rss_before_mb": rss_mb()}
    started = time.perf_counter()
    if way == "annobridge":
        import annobridge

        report = annobridge.migrate(spec["source"], spec["target"], project=spec["project"],
                                    target_project=spec["title"], ledger=spec["ledger"], media="copy")
        counts = ", ".join(f"{kind} {t.carried}/{t.approximated}/{t.dropped}" for kind, t in report.counts.items())
        out["report"] = f"carried/approximated/dropped: {counts}; losses: {'; '.join(report.losses) or 'none'}"
    elif way == "plain":
        _per_video(spec)
    elif way == "limit":
        out["steps"] = _limit(spec)
    else:
        raise SystemExit(f"unknown way {way!r}")
    out["seconds"] = time.perf_counter() - started
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _per_video(spec: dict) -> None:
    """Way 2: one video at a time, with the vendors' SDKs."""
    import supervisely as sly
    from annobridge_supervisely.convert import video_fps
    from label_studio_sdk.client import LabelStudio

    api = sly.Api(os.environ["SERVER_ADDRESS"], os.environ["API_TOKEN"])
    client = LabelStudio(base_url=spec["target"].split("+", 1)[1], api_key=os.environ["LABEL_STUDIO_API_KEY"],
                         timeout=600)
    meta = sly.ProjectMeta.from_json(api.project.get_meta(spec["project"]))
    config = label_config()
    project = client.projects.create(title=spec["title"], label_config=config)
    http = client._client_wrapper.httpx_client  # the SDK's own authenticated client: it has no file-upload method
    with tempfile.TemporaryDirectory(prefix="annobridge-plain-") as folder:
        for dataset in api.dataset.get_list(spec["project"]):
            for info in api.video.get_list(dataset.id):
                path = Path(folder) / info.name
                api.video.download_path(info.id, str(path))
                results = ls_results(api.video.annotation.download(info.id), meta,
                                     video_fps(info.file_meta, info.frames_count), config)
                with path.open("rb") as file:
                    answer = http.request(f"api/projects/{project.id}/import", method="POST",
                                          params={"return_task_ids": "true"}, files={"file": (info.name, file)})
                answer.raise_for_status()
                (task_id,) = answer.json()["task_ids"]
                client.annotations.create(id=task_id, result=results)
                path.unlink()


def _sv_http():
    import httpx

    return httpx.Client(base_url=os.environ["SERVER_ADDRESS"] + "/public/api/v3/",
                        headers={"x-api-key": os.environ["API_TOKEN"]}, timeout=600)


def _sv_call(http, method: str, body: dict) -> Any:
    answer = http.post(method, json=body)
    answer.raise_for_status()
    return answer


def _sv_videos(http, project_id: int) -> list[dict]:
    """Every VideoInfo JSON of the project, dataset by dataset, pages of 20,000 (the sandbox's most)."""
    videos = []
    for dataset in _sv_call(http, "datasets.list", {"projectId": project_id, "per_page": 20000}).json()["entities"]:
        page, pages = 1, 1
        while page <= pages:
            answer = _sv_call(http, "videos.list", {"datasetId": dataset["id"], "per_page": 20000, "page": page})
            body = answer.json()
            videos += body["entities"]
            pages, page = body.get("pagesCount") or 1, page + 1
    return videos


def _sv_annotations(http, videos: list[dict]):
    """(VideoInfo JSON, annotation JSON) of each video, 100 videos of one dataset a videos.annotations.bulk.info."""
    by_dataset: dict[int, list[dict]] = {}
    for video in videos:
        by_dataset.setdefault(video["datasetId"], []).append(video)
    for dataset_id, held in by_dataset.items():
        for start in range(0, len(held), 100):
            chunk = held[start : start + 100]
            answer = _sv_call(http, "videos.annotations.bulk.info",
                              {"datasetId": dataset_id, "videoIds": [v["id"] for v in chunk]})
            yield from zip(chunk, answer.json())


def _prepare_limit(spec: dict) -> dict:
    """Untimed, for way 3: every video's Label Studio results (by name) in a file, and the target project."""
    import supervisely as sly
    from annobridge_supervisely.convert import video_fps

    config, prepared, converting = label_config(), {}, 0.0
    with _sv_http() as http:
        meta = sly.ProjectMeta.from_json(_sv_call(http, "projects.meta", {"id": spec["project"]}).json())
        for video, annotation in _sv_annotations(http, _sv_videos(http, spec["project"])):
            clock = time.perf_counter()
            prepared[video["name"]] = ls_results(annotation, meta, video_fps(video["fileMeta"]), config)
            converting += time.perf_counter() - clock
    Path(spec["tasks_file"]).write_text(json.dumps(prepared))
    with _ls_client(spec["target"], os.environ["LABEL_STUDIO_API_KEY"]) as ls:
        answer = ls.post("/api/projects", json={"title": spec["title"], "label_config": config})
        answer.raise_for_status()
        return {"target_project": answer.json()["id"], "convert_seconds": converting}


def _limit(spec: dict) -> dict[str, float]:
    """Way 3, timed by step: the sandbox read in bulk, the uploads, one listing, one import."""
    prepared = json.loads(Path(spec["tasks_file"]).read_text())
    pid, steps = spec["target_project"], {}
    with (_sv_http() as sv, _ls_client(spec["target"], os.environ["LABEL_STUDIO_API_KEY"]) as ls,
          tempfile.TemporaryDirectory(prefix="annobridge-limit-") as folder):
        clock = time.perf_counter()
        videos = _sv_videos(sv, spec["project"])
        held = sum(1 for _ in _sv_annotations(sv, videos))
        paths = []
        for video in videos:
            paths.append(Path(folder) / video["name"])
            paths[-1].write_bytes(_sv_call(sv, "videos.download", {"id": video["id"]}).content)
        if held != len(videos):
            raise RuntimeError(f"read {held} annotations for {len(videos)} videos")
        steps["read"] = time.perf_counter() - clock
        clock = time.perf_counter()
        ids: list[int] = []
        for start in range(0, len(paths), UPLOAD_FILES):
            with ExitStack() as stack:
                batch = paths[start : start + UPLOAD_FILES]
                # one field name a file: the server keeps one file of each name
                files = {f"file{n}": (p.name, stack.enter_context(p.open("rb"))) for n, p in enumerate(batch)}
                answer = ls.post(f"/api/projects/{pid}/import", params={"commit_to_project": "false"}, files=files)
            answer.raise_for_status()
            ids += answer.json()["file_upload_ids"]
            if len(ids) != start + len(batch):
                raise RuntimeError(f"uploaded {start + len(batch)} videos, the server kept {len(ids)}")
        listed = ls.get(f"/api/projects/{pid}/file-uploads", params={"ids": json.dumps(ids)})
        listed.raise_for_status()
        steps["upload"] = time.perf_counter() - clock
        clock = time.perf_counter()
        stored = {f["id"]: f["file"] for f in listed.json()}  # "upload/<project>/<prefix>-<name>"
        tasks = [{"data": {"video": "/data/" + stored[i]}, "annotations": [{"result": prepared[v["name"]]}]}
                 for i, v in zip(ids, videos)]
        answer = ls.post(f"/api/projects/{pid}/import", json=tasks)
        answer.raise_for_status()
        steps["import"] = time.perf_counter() - clock
    return steps


# ------------------------------------------------------------------------------------------ parent side


def read_back(http, project_id: int) -> dict[str, Any]:
    """What a Label Studio video project holds, read after a run (not counted): tasks with a video, annotations,
    tracks (videorectangle) and their sequence lengths, frame ranges (timelinelabels). Any answer but a page of
    tasks raises, so that a failed read-back never looks like a way that carried nothing."""
    held: dict[str, Any] = {"tasks": 0, "with_video": 0, "annotations": 0, "tracks": 0, "ranges": 0, "sequences": []}
    page, total = 1, None
    while total is None or held["tasks"] < total:
        answer = http.get("/api/tasks", params={"project": project_id, "page": page, "page_size": READ_BACK_PAGE,
                                                "fields": "all"})
        if answer.status_code != 200:
            raise RuntimeError(f"reading back project {project_id} page {page}: {answer.status_code} "
                               f"{answer.text[:300]}")
        body = answer.json()
        total = body["total"]
        if not body["tasks"]:
            raise RuntimeError(f"reading back project {project_id}: page {page} is empty after {held['tasks']} "
                               f"of {total} tasks")
        for task in body["tasks"]:
            held["tasks"] += 1
            held["with_video"] += bool((task.get("data") or {}).get("video"))
            for annotation in task.get("annotations") or []:
                held["annotations"] += 1
                for result in annotation.get("result") or []:
                    if result.get("type") == "videorectangle":
                        held["tracks"] += 1
                        held["sequences"].append(len(result["value"]["sequence"]))
                    held["ranges"] += result.get("type") == "timelinelabels"
        page += 1
    return held


def shortfall(held: dict[str, Any], videos: int, frames: int) -> str | None:
    """Why what a way left is not every video with its track and frame range (a keyframe on every frame, since
    Supervisely stores no keyframes), or None."""
    want = {"tasks": videos, "with_video": videos, "annotations": videos, "tracks": videos, "ranges": videos}
    off = [f"{key} {held[key]} for {count}" for key, count in want.items() if held[key] != count]
    if set(held["sequences"]) - {frames}:
        off.append(f"track lengths {sorted(set(held['sequences']))} for {frames}")
    return "; ".join(off) or None


def _run_child(way: str, spec: dict, env: dict) -> dict:
    command = [sys.executable, __file__, "--child", way, "--spec", json.dumps(spec)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"way {way!r} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_way(way: str, size: tuple[int, int], sandbox, project_id: int, url: str, token: str, log: LabelStudioLog,
            workdir: Path) -> dict:
    """One measured run of `way`: the child's own figures, the requests both servers answered, what it left."""
    env = {**os.environ, "SERVER_ADDRESS": sandbox.server_address, "API_TOKEN": sandbox.token,
           "LABEL_STUDIO_API_KEY": token, "PYTHONPATH": str(Path(__file__).parent)}
    title = f"bench videos {way} {size[0]}x{size[1]} {int(time.time())}"
    ls_before, sv_before = log.settled(), sandbox.requests
    spec = {"source": "supervisely+" + sandbox.server_address, "target": url, "project": project_id, "title": title,
            "ledger": str(workdir / f"{title}.ledger.sqlite"), "tasks_file": str(workdir / "prepared.json")}
    result: dict[str, Any] = {"way": way}
    try:
        if way == "limit":
            prepared = _run_child("limit-prepare", spec, env)
            spec["target_project"], result["convert_seconds"] = prepared["target_project"], prepared["convert_seconds"]
        ls_before, sv_before = log.settled(), sandbox.requests
        result.update(_run_child(way, spec, env))
    except RuntimeError as error:  # one failed way must not lose the others' figures
        print(error, file=sys.stderr)
        result["failed"] = str(error).strip().splitlines()[-1][:200]
    result["ls_requests"], result["sv_requests"] = log.settled() - ls_before, sandbox.requests - sv_before
    with _ls_client(url, token) as http:
        project = _find_project(http, title)
        try:
            if project is None:
                raise RuntimeError(f"no project {title!r} is on the server")
            result["held"] = read_back(http, project["id"])
            result["short"] = shortfall(result["held"], *size)
        except RuntimeError as error:
            result["short"] = str(error)[:200]
        if project:
            http.delete(f"/api/projects/{project['id']}")
    return result


def table(rows: list[dict], videos: int, frames: int, ls_version: str) -> str:
    """The Markdown of a run: one row a way, then the ratios and what each way left."""
    total = videos * frames
    lines = [f"Supervisely sandbox -> Label Studio {ls_version}: {videos} videos x {frames} frames ({total:,} frames), "
             f"{WIDTH}x{HEIGHT} at 30000/1001 fps, one car tracked over every frame and a frame-range tag each",
             "", "| way | seconds | frames/s | requests SV | requests LS | peak RSS MB | carried |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if r.get("failed"):
            lines.append(f"| {WAYS[r['way']]} | FAILED: {r['failed']} | | | | | |")
            continue
        held = r.get("held") or {}
        carried = (f"{held['tasks']} videos, {held['tracks']} tracks of {frames} keyframes" if not r.get("short")
                   else f"SHORT: {r['short']}")
        lines.append(f"| {WAYS[r['way']]} | {r['seconds']:.1f} | {total / r['seconds']:,.0f} | {r['sv_requests']:,} "
                     f"| {r['ls_requests']:,} | {r['peak_rss_mb']:.0f} | {carried} |")
    done = {r["way"]: r for r in rows if not r.get("failed")}
    if "annobridge" in done and "limit" in done and "plain" in done:
        ours, limit, plain = done["annobridge"]["seconds"], done["limit"]["seconds"], done["plain"]["seconds"]
        lines += ["", f"annobridge / limit: **{ours / limit:.2f}x**; per-video SDKs / annobridge: "
                      f"**{plain / ours:.2f}x**"]
    if "limit" in done:
        steps = done["limit"]["steps"]
        lines += ["", f"The limit's steps: reading the sandbox {steps['read']:.1f} s, uploading to Label Studio "
                      f"{steps['upload']:.1f} s ({UPLOAD_FILES} files a request, one listing), one import "
                      f"{steps['import']:.1f} s; its annotations were converted beforehand, untimed "
                      f"(annobridge's converters, Supervisely JSON -> neutral -> Label Studio: "
                      f"{done['limit']['convert_seconds']:.1f} s)."]
    if done.get("annobridge", {}).get("report"):
        lines += ["", f"annobridge's own report: {done['annobridge']['report']}"]
    lines += ["", "Requests are counted on the servers. Peak RSS is the child process's own (ru_maxrss), both SDKs "
                  "imported before the clock starts. What each way left is read back from Label Studio, 100 tasks a "
                  "page, not counted: Supervisely stores no keyframes, so every frame of a track is one."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=None, help="videos in the project (100; --quick 10)")
    parser.add_argument("--frames", type=int, default=None, help="frames a video (300; --quick 60)")
    parser.add_argument("--quick", action="store_true", help="10 videos x 60 frames")
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--url", help="labelstudio+http://host:port of a running server (default: start one)")
    parser.add_argument("--ls-log", help="that server's log file (LocalLabelStudio.log_path), to count requests")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, json.loads(args.spec))))
        return 0
    videos = args.videos or (10 if args.quick else 100)
    frames = args.frames or (60 if args.quick else 300)
    ways = [w.strip() for w in args.ways.split(",") if w.strip()]
    if set(ways) - set(WAYS):
        parser.error(f"unknown ways {sorted(set(ways) - set(WAYS))}; choose from {sorted(WAYS)}")
    if frames < 2 or videos < 1:
        parser.error("at least one video of two frames")
    if args.url and not (args.ls_log and os.environ.get("LABEL_STUDIO_API_KEY")):
        parser.error("--url needs --ls-log (to count requests) and LABEL_STUDIO_API_KEY in the environment")
    source, project_id = seeded(videos, frames)
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
        copy = workdir / source.name
        copy.write_bytes(source.read_bytes())
        rows = []
        with counting_sandbox(copy) as sandbox:
            for way in ways:
                print(f"running {way} on {videos} videos x {frames} frames", file=sys.stderr, flush=True)
                rows.append(run_way(way, (videos, frames), sandbox, project_id, url, token, log, workdir))
    text = table(rows, videos, frames, ls_version)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n")
    return 1 if any(r.get("failed") or r.get("short") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
