"""Tests of the benchmark helpers: sandbox seeding read through the real SDK, request counting, the converter, run.py.

.venv/bin/python -m pytest benchmarks/test_benchmarks.py -q
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402
from counting import LabelStudioLog, counting_sandbox  # noqa: E402
from sv_seed import PROJECT_NAME, build_database  # noqa: E402

# two requests as LocalLabelStudio's log shows them: each record written twice (django + root handlers)
LOG = b"""Starting development server at http://127.0.0.1:44213/
[2026-11-28 07:47:09,031] [django.server::log_message::213] [INFO] "GET /api/projects HTTP/1.1" 200 52
[2026-11-28 07:47:09,031] [django.server::log_message::213] [INFO] "GET /api/projects HTTP/1.1" 200 52
[2026-11-28 07:47:09,040] [core.utils::debug::1] [DEBUG] "GET is not a request line
[2026-11-28 07:47:09,064] [django.server::log_message::213] [WARNING] "POST /api/projects HTTP/1.1" 400 28
[2026-11-28 07:47:09,064] [django.server::log_message::213] [WARNING] "POST /api/projects HTTP/1.1" 400 28
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    return build_database(tmp_path_factory.mktemp("sv") / "five.sqlite", images=5)


def test_label_studio_log_counts_each_request_once(tmp_path):
    path = tmp_path / "label-studio.log"
    path.write_bytes(LOG)
    assert LabelStudioLog(path).count() == 2
    assert LabelStudioLog(path).settled(quiet=0.1) == 2


def test_seeded_images_read_back_through_the_sdk_and_every_request_is_counted(seeded):
    import supervisely as sly

    with counting_sandbox(seeded) as sandbox:
        api = sly.Api(sandbox.server_address, sandbox.token)
        project = api.project.get_info_by_name(349, PROJECT_NAME)
        meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
        (dataset,) = api.dataset.get_list(project.id)
        infos = api.image.get_list(dataset.id)
        ann = sly.Annotation.from_json(api.annotation.download(infos[0].id).annotation, meta)
        import httpx

        assert httpx.get(infos[0].full_storage_url).content[:2] == b"\xff\xd8"  # a JPEG, through a storage link
        assert sandbox.requests == 6
        assert sandbox.by_path["storage link"] == 1 and sandbox.by_path["images.list"] == 1
    assert [i.name for i in infos] == [f"img_{n:06d}.jpg" for n in range(5)]
    assert (infos[0].width, infos[0].height) == (64, 64)
    assert [(label.obj_class.name, label.geometry.geometry_name()) for label in ann.labels] == [
        ("box", "rectangle"),
        ("leaf", "polygon"),
        ("spot", "bitmap"),
    ]
    assert all(tag.value in ("good", "bad") for label in ann.labels for tag in label.tags)


def test_build_database_reuses_a_finished_file(seeded):
    before = seeded.stat().st_mtime_ns
    assert build_database(seeded, images=5) == seeded
    assert seeded.stat().st_mtime_ns == before


def test_to_ls_result_passes_label_studio_validation(seeded):
    import supervisely as sly
    from label_studio_sdk.label_interface import LabelInterface
    from plain_sdk_migration import label_config, to_ls_result

    with counting_sandbox(seeded) as sandbox:
        api = sly.Api(sandbox.server_address, sandbox.token)
        project = api.project.get_info_by_name(349, PROJECT_NAME)
        meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
        (dataset,) = api.dataset.get_list(project.id)
        image = api.image.get_list(dataset.id)[0]
        ann = sly.Annotation.from_json(api.annotation.download(image.id).annotation, meta)
    result = to_ls_result(ann)
    interface = LabelInterface(label_config(meta))
    assert interface.validate_annotation({"result": result})
    assert [r["type"] for r in result] == [
        "rectanglelabels",
        "choices",
        "polygonlabels",
        "choices",
        "brushlabels",
        "choices",
    ]
    box = ann.labels[0].geometry
    assert result[0]["value"]["x"] == box.left / 64 * 100 and result[0]["value"]["width"] == box.width / 64 * 100


def test_run_commands_carry_no_token_and_reject_unknown_benchmarks(capsys):
    command = run.BENCHMARKS[2].command(False, "labelstudio+http://127.0.0.1:9", "/tmp/ls.log")
    assert command[-4:] == ["--url", "labelstudio+http://127.0.0.1:9", "--ls-log", "/tmp/ls.log"]
    assert run.BENCHMARKS[1].command(True, "labelstudio+http://127.0.0.1:9", None)[2:4] == ["--tasks", "1000"]
    with pytest.raises(SystemExit):
        run.main(["--only", "nope"])
    assert "unknown benchmarks ['nope']" in capsys.readouterr().err


def test_a_partial_run_replaces_its_own_sections_of_the_results_and_keeps_the_others():
    existing = run.RESULTS.read_text()
    titles = [line[3:] for line in existing.splitlines() if line.startswith("## ")]
    fresh = f"# annobridge benchmarks\n\n2030-01-01 00:00 UTC; x86.\n\n## {titles[1]}\n\nnew\n\n## A new one\n\nits\n"
    text = run.merged(existing, fresh, "`run.py --only x`")
    head, sections = run._sections(text)
    assert head == existing.split("\n## ")[0] and list(sections) == titles + ["A new one"]
    stamp = "_Measured 2030-01-01 00:00 UTC by `run.py --only x`; the sections without such a line are from"
    assert sections[titles[1]].strip() == f"{stamp} the header's run._\n\nnew"
    kept = run._sections(existing)[1]
    assert all(sections[t].strip() == kept[t].strip() for t in titles if t != titles[1])  # the others as they were


TEXT_CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>'
)


def test_read_back_counts_every_page_and_an_error_answer_is_not_zero(labelstudio_server):
    from migrate_sv_to_ls import READ_BACK_PAGE, _carried, _ls_client

    choice = {"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}
    tasks = [
        {"data": {"text": f"t{n}"}, "annotations": [{"result": [choice, choice]}] if n % 2 else []}
        for n in range(2 * READ_BACK_PAGE + 5)
    ]
    with _ls_client(labelstudio_server.backend_url, labelstudio_server.token) as http:
        project = http.post("/api/projects", json={"title": "read back", "label_config": TEXT_CONFIG}).json()["id"]
        try:
            assert http.post(f"/api/projects/{project}/import", json=tasks).status_code == 201
            assert _carried(http, project) == (2 * READ_BACK_PAGE + 5, READ_BACK_PAGE + 2, 2 * (READ_BACK_PAGE + 2))
            # the server's 404 for a project it does not have raises, where it used to read as 0 tasks
            with pytest.raises(RuntimeError, match=f"reading back project {10**9} page 1: 404"):
                _carried(http, 10**9)
        finally:
            http.delete(f"/api/projects/{project}")


def test_the_video_benchmark_round_trips_every_figure(capsys):
    import video_convert

    assert video_convert.main(["--videos", "2", "--frames", "25", "--repeats", "1"]) == 0
    table = capsys.readouterr().out
    assert "2 videos x 25 frames (50 figures)" in table
    assert "Label Studio got 50 keyframes" in table  # every Supervisely figure, as the note says


def test_the_video_migration_benchmark_is_registered_with_its_quick_size():
    (benchmark,) = [b for b in run.BENCHMARKS if b.name == "video_migrate"]
    command = benchmark.command(True, "labelstudio+http://127.0.0.1:9", "/tmp/ls.log")
    assert command[1].endswith("migrate_videos.py")
    assert command[2:] == ["--quick", "--url", "labelstudio+http://127.0.0.1:9", "--ls-log", "/tmp/ls.log"]


def test_seeded_videos_read_back_through_the_sdk_with_a_figure_on_every_frame(tmp_path, monkeypatch):
    import supervisely as sly
    import sv_video_seed

    monkeypatch.setattr(sv_video_seed, "CACHE", tmp_path)
    path, project_id = sv_video_seed.seeded(videos=2, frames=12)
    with counting_sandbox(path) as sandbox:
        api = sly.Api(sandbox.server_address, sandbox.token)
        (dataset,) = api.dataset.get_list(project_id)
        infos = api.video.get_list(dataset.id)
        held = api.video.annotation.download_bulk(dataset.id, [info.id for info in infos])
    assert [(i.name, i.frames_count, i.frame_width, i.frame_height) for i in infos] == [
        (f"clip_{n:04d}.mp4", 12, 64, 48) for n in range(2)
    ]
    for annotation in held:
        assert [o["classTitle"] for o in annotation["objects"]] == ["car"]
        assert [f["index"] for f in annotation["frames"]] == list(range(12))  # hand-set and in between alike
        assert [(t["name"], t["value"], t["frameRange"]) for t in annotation["tags"]] == [("weather", "rain", [0, 6])]


def test_video_read_back_finds_every_track_and_names_what_is_short(labelstudio_server):
    from types import SimpleNamespace

    from annobridge.testing.conformance import VIDEO_SCHEMA
    from annobridge_supervisely.meta import parse_meta, schema_to_meta
    from annobridge_supervisely.video_convert import video_to_supervisely
    from migrate_sv_to_ls import _ls_client
    from migrate_videos import label_config, ls_results, read_back, shortfall
    from sv_video_seed import FPS, labels_of

    meta = parse_meta(schema_to_meta(VIDEO_SCHEMA)[0])
    config = label_config()
    results = []
    for n in range(3):
        video = SimpleNamespace(id=n, width=64, height=48, frames_count=25, fps=FPS)
        results.append(ls_results(video_to_supervisely(labels_of(video, n), meta)[0], meta, FPS, config))
    tasks = [{"data": {"video": f"/data/upload/v{n}.mp4"}, "annotations": [{"result": r}]}
             for n, r in enumerate(results)]
    tasks.append({"data": {"video": "/data/upload/bare.mp4"}})
    with _ls_client(labelstudio_server.backend_url, labelstudio_server.token) as http:
        project = http.post("/api/projects", json={"title": "video read back", "label_config": config}).json()["id"]
        try:
            assert http.post(f"/api/projects/{project}/import", json=tasks).status_code == 201
            held = read_back(http, project)
        finally:
            http.delete(f"/api/projects/{project}")
    assert (held["tasks"], held["with_video"], held["annotations"], held["tracks"], held["ranges"]) == (4, 4, 3, 3, 3)
    assert held["sequences"] == [25, 25, 25]  # every frame a keyframe: Supervisely keeps no keyframes
    assert shortfall(held, videos=3, frames=25) == "tasks 4 for 3; with_video 4 for 3"
    assert shortfall(held, videos=4, frames=24) == (
        "annotations 3 for 4; tracks 3 for 4; ranges 3 for 4; track lengths [25] for 24"
    )


def test_the_delay_proxy_passes_bytes_intact_both_ways_on_a_kept_alive_connection():
    import hashlib
    import http.server
    import os
    import threading

    import httpx
    from delay_proxy import DelayProxy

    seen_ports = []

    class Echo(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen_ports.append(self.client_address[1])
            answer = hashlib.sha256(body).hexdigest().encode() + body[::-1]
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    big = os.urandom(5 * 2**20)
    try:
        with DelayProxy("127.0.0.1", server.server_address[1], delay=0.005) as proxy:
            with httpx.Client(base_url=f"http://{proxy.address}") as client:
                for body in (b"", b"hello", big, b"after the big one"):
                    answer = client.post("/echo", content=body)
                    assert answer.status_code == 200
                    assert answer.content == hashlib.sha256(body).hexdigest().encode() + body[::-1]
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen_ports) == 4 and len(set(seen_ports)) == 1  # one upstream connection, kept alive through


def test_the_bare_limits_upload_list_and_import_every_image_in_chunks(
    seeded, labelstudio_server, tmp_path, monkeypatch
):
    import supervisely as sly
    from bare_limits import copy_limit, link_limit, load, prepare
    from migrate_sv_to_ls import _carried, _ls_client
    from migrate_ways import _ls_http

    with counting_sandbox(seeded) as sandbox:
        project_id = sly.Api(sandbox.server_address, sandbox.token).project.get_info_by_name(349, PROJECT_NAME).id
        assert prepare(sandbox.server_address, sandbox.token, project_id=project_id, folder=tmp_path) == 5
        source = sandbox.server_address
    copy, link = load(tmp_path, media="copy"), load(tmp_path, media="link", source="http://127.0.0.1:9")
    assert [len(copy.blobs), len(link.blobs)] == [5, 0] and copy.blobs[0][:2] == b"\xff\xd8"
    assert copy.links[0].startswith(source + "/") and link.links[0].startswith("http://127.0.0.1:9/")
    log = LabelStudioLog(labelstudio_server.log_path)
    with _ls_client(labelstudio_server.backend_url, labelstudio_server.token) as http:
        projects = [
            http.post("/api/projects", json={"title": f"limit {n}", "label_config": copy.label_config}).json()["id"]
            for n in range(2)
        ]
        monkeypatch.setenv("LABEL_STUDIO_API_KEY", labelstudio_server.token)
        try:
            with _ls_http(labelstudio_server.backend_url) as a:
                before = log.settled()
                # 5 images, 3 to an import, 2 to an upload: uploads of 2+1 and 2, a listing and an import each
                assert copy_limit(a, projects[0], copy, upload_files=2, import_tasks=3) == {"tasks": 5}
                assert log.settled() - before == 7
                assert link_limit(a, projects[1], link, import_tasks=2) == {"tasks": 5}
                assert log.settled() - before == 7 + 3
            assert _carried(http, projects[0]) == _carried(http, projects[1]) == (5, 5, 30)
            tasks = http.get("/api/tasks", params={"project": projects[0], "fields": "all"}).json()["tasks"]
            names = sorted(t["data"]["image"].rsplit("-", 1)[-1] for t in tasks)
            assert names == [f"img_{n:06d}.jpg" for n in range(5)]
            assert all(t["data"]["image"].startswith(f"/data/upload/{projects[0]}/") for t in tasks)
        finally:
            for project in projects:
                http.delete(f"/api/projects/{project}")


def test_the_migration_benchmark_runs_every_way_directly_and_through_the_proxy(
    labelstudio_server, tmp_path, monkeypatch
):
    import migrate_sv_to_ls

    # smaller than --quick (100 images, per item 20, flat 400), which takes minutes: each way is a child process
    monkeypatch.setattr(migrate_sv_to_ls, "CACHE", tmp_path / "cache")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", labelstudio_server.token)
    output = tmp_path / "table.md"
    status = migrate_sv_to_ls.main([
        "--images", "12", "--per-item", "2", "--flat-images", "0", "--delay", "0.005",
        "--ways", "annobridge-copy,limit-copy,plain",
        "--url", labelstudio_server.backend_url, "--ls-log", str(labelstudio_server.log_path), "--output", str(output),
    ])
    table = output.read_text()
    assert status == 0, table
    assert "Directly (127.0.0.1)" in table and "Through a local delay proxy, 5 ms each way" in table
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| way |")]
    assert len(rows) == 6  # three ways, twice (link_limit has its own test above)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        n = 2 if cells[0].startswith("plain") else 12
        assert cells[1] == str(n) and cells[-1] == f"{n} / {n} / {6 * n}", row
        if cells[0].startswith("copy limit"):
            assert (cells[5], cells[6]) == ("0", "3")  # no Supervisely request; an upload, a listing, an import
        if cells[0].startswith("annobridge"):
            assert cells[4].endswith("x") and float(cells[4][:-1]) > 0  # its time over the copy limit's
    assert "plain SDKs per item (media copy), first 2 images" in table
    assert "Goals (issue 19): directly, annobridge copy" in table
