"""`annobridge videos add|list|download|export|import` on both real backends, through annobridge.cli.main."""

from __future__ import annotations

import json
import uuid
from fractions import Fraction

import pytest

import annobridge
from annobridge.annotations import Rectangle
from annobridge.testing.conformance import VIDEO_SCHEMA
from annobridge.testing.conformance.videos import ranges_of, tracks_of
from annobridge.testing.videos import write_test_video
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag

from .cli_fixtures import Local, cli, ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

NOWHERE = "labelstudio+http://127.0.0.1:9"  # nothing listens: a command that connects fails with 7, not 2


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return [write_test_video(folder / "walk.mp4", frames_count=12, fps=Fraction(30000, 1001)),
            write_test_video(folder / "run.mp4", frames_count=8, fps=25, shade=120)]


@pytest.fixture(scope="module")
def project(cli):
    """A video project of this module, made and removed through the Python API: (id, name)."""
    name = f"cli-videos-{uuid.uuid4().hex[:8]}"
    with annobridge.connect(cli.url, token=cli.token) as backend:
        made = backend.projects.create(name, schema=VIDEO_SCHEMA)
        yield made.id, name
        backend.projects.delete(made.id)


def test_videos_go_in_and_their_tracks_out_and_back(cli, project, clips, tmp_path):
    added = cli.run("videos", "add", project[1], *map(str, clips))
    assert added.returncode == 0, added.stderr
    ids = [int(line) for line in added.stdout.split()]
    listed = {v["name"]: v for v in cli.json("videos", "list", "--project", str(project[0]), "--json")}
    assert {n: (v["frames_count"], v["fps"]) for n, v in listed.items()} == {"walk.mp4": (12, "30000/1001"),
                                                                             "run.mp4": (8, 25)}
    car = VideoObject(class_name="car", frames=[FrameShape(frame=f, shape=Rectangle(x=16, y=12, width=16, height=12))
                                                for f in (1, 2, 5)])
    written = VideoAnnotation(item=ids[0], width=64, height=48, frames_count=12, fps=Fraction(30000, 1001),
                              objects=[car], tags=[VideoTag(name="weather", value="sun", frames=FrameRange(start=0,
                                                                                                       end=3))])
    lines = tmp_path / "tracks.jsonl"
    lines.write_text(written.model_dump_json() + "\n")
    dry = cli.run("videos", "import", project[1], str(lines), "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["dry_run"] is True
    assert cli.run("videos", "export", "--project", project[1]).stdout == ""  # the dry run wrote nothing
    done = cli.run("videos", "import", project[1], str(lines), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["annotations"] == 1
    out = tmp_path / "back.jsonl"
    exported = cli.run("videos", "export", "--project", project[1], "--out", str(out))
    assert exported.returncode == 0 and exported.stdout.strip() == str(out)
    (back,) = [VideoAnnotation.model_validate_json(line) for line in out.read_text().splitlines()]
    assert tracks_of([back]) == tracks_of([written]) and ranges_of([back]) == ranges_of([written])
    downloaded = cli.run("videos", "download", project[1], "--to", str(tmp_path / "media"), "--items", str(ids[1]))
    assert downloaded.returncode == 0, downloaded.stderr
    assert [open(p, "rb").read() for p in downloaded.stdout.split()] == [clips[1].read_bytes()]


@pytest.mark.parametrize(("args", "named"), [
    (("videos", "add", "P", "notes.txt"), "notes.txt"),
    (("videos", "import", "P", "bad.jsonl"), "line 1"),
    (("videos", "import", "P", "tracks.jsonl", "--mode", "merge"), "mode"),
    (("videos", "list"), "--job or --project"),
])
def test_bad_input_is_refused_before_connecting(ls_cli, tmp_path, monkeypatch, args, named):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not a video")
    (tmp_path / "bad.jsonl").write_text(json.dumps({"item": 1, "width": 64}) + "\n")
    (tmp_path / "tracks.jsonl").write_text(VideoAnnotation(item=1, width=4, height=4, frames_count=2, fps=25)
                                           .model_dump_json() + "\n")
    done = ls_cli.run(*args, "--backend", NOWHERE, "--token", "unused", backend=False)
    assert done.returncode == 2 and named in done.stderr, done.stderr
