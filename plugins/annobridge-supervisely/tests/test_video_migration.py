"""A video project migrated both ways between the sandbox (real SDK) and the real Label Studio server, with its media.

`annobridge migrate` carries the videos byte for byte and their tracks and frame-range tags; a rerun with the
ledger carries nothing again, and a run without it (into the same target) finds every video by its source key
and leaves one copy of each, with its annotations made whole rather than doubled; so does a run whose write
landed but whose answer was lost.
"""

from __future__ import annotations

import json
import uuid
from fractions import Fraction

import pytest

import annobridge
from annobridge.annotations import Rectangle
from annobridge.cli import main
from annobridge.testing.conformance import VIDEO_SCHEMA
from annobridge.testing.conformance.videos import ranges_of, tracks_of
from annobridge.testing.faults import FaultPlan, FaultProxy
from annobridge.testing.videos import write_test_video
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between

# name, frames, fps; 64 x 48 pixels, boxes on multiples of 16 x 12 (exact in percent)
CLIPS = (("street.mp4", 20, Fraction(25)), ("ntsc.mp4", 30, Fraction(30000, 1001)), ("empty.mp4", 12, Fraction(24)))


def _box(x: int, y: int) -> Rectangle:
    return Rectangle(x=x, y=y, width=16, height=12)


def _labels(video) -> VideoAnnotation:
    """A car on a few frames with a gap, a person, and tags over frame ranges; nothing on "empty.mp4"."""
    car = VideoObject(class_name="car", frames=[FrameShape(frame=f, shape=_box(16 * (f % 3), 12)) for f in (0, 1, 2)]
                      + [FrameShape(frame=9, shape=_box(32, 24))])
    person = VideoObject(class_name="person", frames=[FrameShape(frame=f, shape=_box(0, 30)) for f in (4, 5)])
    tags = (VideoTag(name="weather", value="rain", frames=FrameRange(start=0, end=video.frames_count - 1)),
            VideoTag(name="turn", frames=FrameRange(start=2, end=3)))
    return VideoAnnotation(item=video.id, width=video.width, height=video.height, frames_count=video.frames_count,
                           fps=video.fps, objects=(car, person), tags=tags)


@pytest.fixture
def env(sandbox, labelstudio_server, seed_ids, monkeypatch):
    """Both backends' variables, as a shell user sets them; the seed's team and workspace named, since other tests
    in the session add teams."""
    monkeypatch.setenv("TEAM_ID", str(seed_ids.team))
    monkeypatch.setenv("WORKSPACE_ID", str(seed_ids.workspace))
    monkeypatch.setenv("API_TOKEN", sandbox.token)
    monkeypatch.setenv("SERVER_ADDRESS", sandbox.server_address)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", labelstudio_server.token)
    monkeypatch.setenv("LABEL_STUDIO_URL", labelstudio_server.url)
    return "supervisely+" + sandbox.server_address, labelstudio_server.backend_url


@pytest.fixture
def ends(sandbox, labelstudio_server, seed_ids):
    with (annobridge.connect("supervisely+" + sandbox.server_address, token=sandbox.token, team_id=seed_ids.team,
                             workspace_id=seed_ids.workspace) as sv,
          annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls):
        yield sv, ls


@pytest.fixture
def source(ends, tmp_path):
    """A Supervisely video project of three generated clips, two of them labelled; removed after."""
    sv, _ = ends
    project = sv.projects.create(f"video-source-{uuid.uuid4().hex[:8]}", schema=VIDEO_SCHEMA)
    paths = [write_test_video(tmp_path / name, frames_count=frames, fps=fps, shade=30 + 60 * n)
             for n, (name, frames, fps) in enumerate(CLIPS)]
    sv.videos.add(project.id, paths)
    videos = {v.name: v for v in sv.videos.list(project_id=project.id)}
    sv.videos.write(project.id, [_labels(videos[name]) for name in ("street.mp4", "ntsc.mp4")])
    yield project, {name: path.read_bytes() for name, path in zip([c[0] for c in CLIPS], paths)}
    sv.projects.delete(project.id)


def _migrate(env, capsys, *args: str) -> dict:
    code = main(["migrate", *env, *args, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _contents(backend, project_id, tmp_path) -> dict[str, tuple]:
    """name -> (bytes, frames, fps, tracks, tag ranges) of every video in the project."""
    videos = {str(v.id): v for v in backend.videos.list(project_id=project_id)}
    folder = tmp_path / uuid.uuid4().hex
    paths = backend.videos.download(project_id, directory=folder, item_ids=list(videos))
    annotations: dict[str, list] = {}
    for ann in backend.videos.annotations(project_id=project_id):
        annotations.setdefault(str(ann.item), []).append(ann)
    return {v.name: (path.read_bytes(), v.frames_count, v.fps, tracks_of(annotations.get(key, [])),
                     ranges_of(annotations.get(key, []))) for (key, v), path in zip(videos.items(), paths)}


def test_a_video_project_goes_to_label_studio_and_back_whole(env, ends, source, tmp_path, capsys):
    sv, ls = ends
    project, files = source
    there = _migrate(env, capsys, "--project", str(project.id), "--target-project", f"videos-{uuid.uuid4().hex[:6]}",
                     "--ledger", str(tmp_path / "there.sqlite"), "--batch-size", "2")
    target = int(there["target_project"])
    try:
        assert there["counts"]["items"]["carried"] == 3 and there["counts"]["annotations"]["carried"] == 2
        original = _contents(sv, project.id, tmp_path)
        assert {name: got[0] for name, got in original.items()} == files
        assert _contents(ls, target, tmp_path) == original
        back = _migrate((env[1], env[0]), capsys,
                        "--project", str(target), "--target-project", f"videos-back-{uuid.uuid4().hex[:6]}",
                        "--ledger", str(tmp_path / "back.sqlite"))
        try:
            assert _contents(sv, int(back["target_project"]), tmp_path) == original
        finally:
            sv.projects.delete(int(back["target_project"]))
    finally:
        ls.projects.delete(target)


def test_a_rerun_carries_nothing_twice_with_or_without_its_ledger(env, ends, source, tmp_path, capsys):
    sv, ls = ends
    project, _ = source
    name = f"videos-rerun-{uuid.uuid4().hex[:6]}"
    first = _migrate(env, capsys, "--project", str(project.id), "--target-project", name,
                     "--ledger", str(tmp_path / "l.sqlite"), "--batch-size", "1")
    target = int(first["target_project"])
    try:
        before = _contents(ls, target, tmp_path)
        again = _migrate(env, capsys, "--project", str(project.id), "--ledger", str(tmp_path / "l.sqlite"))
        assert again["already_done"] == 3 and _contents(ls, target, tmp_path) == before
        fresh = _migrate(env, capsys, "--project", str(project.id), "--target-project", str(target),
                         "--into-existing", "--ledger", str(tmp_path / "other.sqlite"))
        assert fresh["already_present"] == 3
        assert _contents(ls, target, tmp_path) == before
        refused = main(["verify", *env, "--project", str(project.id), "--target-project", str(target)])
        assert refused == 2 and "video project" in capsys.readouterr().err  # verify compares images only, for now
    finally:
        ls.projects.delete(target)


def test_a_video_project_is_refused_in_link_mode_before_anything_is_written(env, ends, source, capsys, tmp_path):
    _, ls = ends
    project, _ = source
    before = len(ls.projects.list())
    code = main(["migrate", *env, "--project", str(project.id), "--media", "link",
                 "--ledger", str(tmp_path / "link.sqlite")])
    assert code == 2 and "media='copy'" in capsys.readouterr().err
    assert len(ls.projects.list()) == before


@pytest.mark.parametrize(("ending", "nth"), [("/import", 1), ("/import", 2)], ids=["upload", "task-import"])
def test_a_write_whose_answer_is_lost_is_reconciled_and_leaves_one_of_each(ends, source, labelstudio_server, tmp_path,
                                                                           ending, nth):
    """The first batch's upload, or its task import (tasks with their annotations), lands but its answer is lost:
    one migrate() call finds the videos by their source keys and makes their annotations whole, each video and
    track once (an upload whose answer was lost leaves files no task shows, never a second task)."""
    sv, ls = ends
    project, _ = source
    seen: list[str] = []

    def eligible(verb: str, path: str) -> bool:
        if verb == "POST" and path.endswith(ending):
            seen.append(path)
            return len(seen) == nth
        return False

    plan = FaultPlan(seed=1, eligible=eligible, lost_answer=1.0)
    with (FaultProxy(labelstudio_server.url, plan) as proxy,
          annobridge.connect(f"labelstudio+{proxy.url}", token=labelstudio_server.token, retry_backoff=0.01) as dst):
        report = annobridge.migrate(sv, dst, project=project.id, target_project=f"video-fault-{uuid.uuid4().hex[:6]}",
                                    ledger=tmp_path / "l.sqlite", batch_size=2)
    target = int(report.target_project)
    try:
        assert proxy.injected_counts() == {"lost_answer": 1} and report.retried == 1
        keys = sorted(v.source_key for v in ls.videos.list(project_id=target))
        assert keys == sorted(str(v.id) for v in sv.videos.list(project_id=project.id))
        assert _contents(ls, target, tmp_path) == _contents(sv, project.id, tmp_path)
    finally:
        ls.projects.delete(target)


def test_keyframes_set_in_label_studio_come_back_from_supervisely(env, ends, tmp_path, capsys):
    """Label Studio -> Supervisely -> Label Studio: Supervisely holds a figure on every frame and no keyframes, and
    keeps the flags (and the author) in the video's custom data, so the tracks come back as they were set."""
    sv, ls = ends
    project = ls.projects.create(f"video-keys-{uuid.uuid4().hex[:6]}", schema=VIDEO_SCHEMA)
    try:
        path = write_test_video(tmp_path / "keys.mp4", frames_count=16, fps=Fraction(30000, 1001))
        [clip] = ls.videos.add(project.id, [path])
        video = next(iter(ls.videos.list(project_id=project.id)))
        start, end = FrameShape(frame=0, shape=_box(0, 0)), FrameShape(frame=8, shape=_box(32, 24))
        moving = ([start] + [FrameShape(frame=f, shape=between(start, end, f), keyframe=False) for f in range(1, 8)]
                  + [end])
        written = VideoAnnotation(item=clip, width=video.width, height=video.height, frames_count=16, fps=video.fps,
                                  objects=[VideoObject(class_name="car", frames=moving)],
                                  tags=[VideoTag(name="weather", value="sun", frames=FrameRange(start=2, end=9))])
        assert ls.videos.write(project.id, [written]).lossless
        there = _migrate((env[1], env[0]), capsys, "--project", str(project.id), "--ledger", str(tmp_path / "a.sqlite"))
        assert not [line for line in there["losses"] if "dropped" in line or "approximated" in line], there["losses"]
        back = _migrate(env, capsys, "--project", there["target_project"], "--ledger", str(tmp_path / "b.sqlite"))
        try:
            (got,) = list(ls.videos.annotations(project_id=int(back["target_project"])))
            assert tracks_of([got]) == tracks_of([written]) and ranges_of([got]) == ranges_of([written])
        finally:
            sv.projects.delete(int(there["target_project"]))
            ls.projects.delete(int(back["target_project"]))
    finally:
        ls.projects.delete(project.id)


def test_a_dry_run_counts_what_it_would_carry_and_writes_nothing(env, ends, source, capsys, tmp_path):
    _, ls = ends
    project, _ = source
    before = len(ls.projects.list())
    plan = _migrate(env, capsys, "--project", str(project.id), "--dry-run", "--ledger", str(tmp_path / "dry.sqlite"))
    assert plan["dry_run"] and plan["counts"]["items"]["carried"] == 3
    assert plan["counts"]["annotations"]["carried"] == 2 and plan["counts"]["objects"]["carried"] == 4
    assert len(ls.projects.list()) == before and not (tmp_path / "dry.sqlite").exists()
