"""Video annotations kept for the way back on the real Label Studio server: what its tracks and timelines cannot hold
of a VideoAnnotation (descriptions, object ids, timestamps and authors, keyframe flags, whole-video tags, another
backend's data) lives in the task's meta and comes back on reading, unless the annotation was edited since."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from fractions import Fraction

import pytest
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.video_keep import ANNOTATION, stash_of
from annobridge_labelstudio.video_regions import video_from_labelstudio, video_to_labelstudio
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge.annotations import Polygon, Rectangle
from annobridge.fidelity import FidelityReport, Outcome
from annobridge.keep import KEY, restored
from annobridge.schema import LabelSchema, ObjectClass, TagSpec
from annobridge.testing.videos import write_test_video
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between

SCHEMA = LabelSchema(
    media="video", classes=[ObjectClass(name="car", shape="rectangle")],
    tags=[TagSpec(name="turn", applies_to="items_only"),
          TagSpec(name="weather", value_type="oneof_string", values=["rain", "sun"], applies_to="items_only")],
)
W, H, FRAMES, FPS = 80, 60, 45, Fraction(30000, 1001)
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
KEPT = "kept for the way back"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_test_video(tmp_path_factory.mktemp("keep") / "ntsc.mp4", frames_count=FRAMES, fps=FPS, width=W,
                            height=H)


@pytest.fixture
def project(backend):
    made = backend.projects.create(f"video-keep-{uuid.uuid4().hex[:8]}", schema=SCHEMA)
    yield made.id
    backend.projects.delete(made.id)


@pytest.fixture(scope="module")
def logins(backend):
    """Two users of the server: the annotation's author and another who drew one object (as on Supervisely)."""
    names = [f"vk-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    for name in names:
        backend.users.create(name, password="pw-12345678", email=f"{name}@example.com")
    return names


def from_supervisely(item, author: str, other: str) -> VideoAnnotation:
    """A VideoAnnotation as Supervisely gives one: int ids, timestamps, an object by another author, a description,
    the first frame interpolated, frames off the straight line, a tag on the whole video, its own residue."""
    start = FrameShape(frame=0, shape=Rectangle(x=8, y=6, width=16, height=12), keyframe=False)
    key = FrameShape(frame=10, shape=Rectangle(x=28, y=16, width=16, height=12))
    line = [start, *(FrameShape(frame=f, shape=between(start, key, f), keyframe=False) for f in range(1, 10)), key]
    wobble = [FrameShape(frame=f, shape=Rectangle(x=28 + f % 2, y=16, width=16, height=12), keyframe=False)
              for f in range(11, 15)]
    car = VideoObject(class_name="car", frames=line + wobble, id=101, author=other, description="red",
                      created_at=WHEN, updated_at=WHEN)
    gone = VideoObject(class_name="car", id=102, author=author, frames=[
        FrameShape(frame=f, shape=Rectangle(x=1, y=1, width=5, height=5)) for f in (20, 21, 30, 44)])
    return VideoAnnotation(
        item=item, width=W, height=H, frames_count=FRAMES, fps=FPS, objects=[car, gone], author=author,
        tags=[VideoTag(name="turn", frames=FrameRange(start=3, end=9), author=other),
              VideoTag(name="turn", created_at=WHEN),
              VideoTag(name="weather", value="sun", frames=FrameRange(start=0, end=44))],
        description="checked twice", review_status="accepted",
        kept={"supervisely": {"v": 1, "digest": "0123456789abcdef",
                              "patch": [{"op": "add", "path": "/x", "value": 1}]}},
    )


def plain(item, author: str) -> VideoAnnotation:
    """An annotation Label Studio holds whole: a box track with string ids, a timeline range."""
    box = Rectangle(x=40, y=30, width=8, height=8)
    return VideoAnnotation(item=item, width=W, height=H, frames_count=FRAMES, fps=FPS, author=author,
                           objects=[VideoObject(class_name="car", id="t1", frames=[FrameShape(frame=f, shape=box)
                                                                                  for f in range(5, 45)])],
                           tags=[VideoTag(name="weather", value="rain", frames=FrameRange(start=5, end=20))])


def test_what_label_studio_cannot_show_comes_back_from_the_task_meta(backend, project, clip, logins):
    (tid,) = backend.videos.add(project, [clip])
    written = from_supervisely(tid, *logins)
    report = backend.videos.write(project, [written])
    assert report.lossless and not report.exact
    kept = [line for line in report.losses() if KEPT in line]
    assert [line.split(" -> ")[0] for line in kept] == ["interpolated frame", "object author", "video tag"]
    assert report.count(outcome=Outcome.KEPT) == 5 + 1 + 1
    assert backend.videos.preview([written], schema=SCHEMA).losses() == report.losses()

    read_report = FidelityReport()
    (got,) = backend.videos.annotations(project_id=project, report=read_report)
    assert got == written
    assert read_report.count("kept for the way back (restored)") == 1 and read_report.lossless

    (raw,) = backend.items.task(tid)["annotations"]
    shown = [r["value"]["sequence"] for r in raw["result"] if r["type"] == "videorectangle"]
    assert [[s["frame"] for s in seq] for seq in shown] == [[1, 11, 12, 13, 14, 15], [21, 22, 31, 45]]


def test_an_annotation_edited_on_the_server_since_reads_as_label_studio_shows_it(backend, project, clip, logins):
    (tid,) = backend.videos.add(project, [clip])
    backend.videos.write(project, [from_supervisely(tid, *logins), plain(tid, logins[1])])
    stashed, whole = backend.items.task(tid)["annotations"]
    edited = [dict(r) for r in stashed["result"]]
    edited[0]["value"] = {**edited[0]["value"], "sequence": [{**s, "x": s["x"] + 5} for s in
                                                             edited[0]["value"]["sequence"]]}
    backend.connection.sdk.annotations.update(stashed["id"], result=edited)
    config = backend.projects.label_config(project)

    report = FidelityReport()
    got = {a.author: a for a in backend.videos.annotations(project_id=project, report=report)}
    shown, _ = video_from_labelstudio(edited, config, width=W, height=H, frames_count=FRAMES, fps=FPS, item=tid)
    assert got[logins[0]] == shown.model_copy(update={"author": logins[0]})
    assert got[logins[1]] == plain(tid, logins[1])  # the other annotation, held whole, took nobody's stash
    assert report.count("kept for the way back", Outcome.DROPPED) == 1
    assert any("edited in label studio since" in line for line in report.losses())


def test_the_stash_joins_the_task_meta_and_replace_takes_it_away(backend, project, clip, logins):
    (tid,) = backend.videos.add(project, [clip])
    backend.items.update(tid, meta={"source": "cam-7", "shift": {"night": True}})
    backend.videos.write(project, [from_supervisely(tid, *logins)])
    backend.videos.write(project, [plain(tid, logins[1]), from_supervisely(tid, logins[1], logins[0])])
    meta = backend.items.task(tid)["meta"]
    ids = [a["id"] for a in backend.items.task(tid)["annotations"]]
    assert {k: meta[k] for k in ("source", "shift")} == {"source": "cam-7", "shift": {"night": True}}
    assert set(meta) == {"source", "shift", KEY}
    assert [s[ANNOTATION] for s in meta[KEY]["annotations"]] == [ids[0], ids[2]]  # none for the one held whole
    assert list(backend.videos.annotations(project_id=project)) == [
        from_supervisely(tid, *logins), plain(tid, logins[1]), from_supervisely(tid, logins[1], logins[0])]

    report = backend.videos.write(project, [plain(tid, logins[0])], mode="replace")
    assert report.exact
    assert backend.items.task(tid)["meta"] == {"source": "cam-7", "shift": {"night": True}}
    assert list(backend.videos.annotations(project_id=project)) == [plain(tid, logins[0])]


def test_preview_counts_object_tags_and_other_shapes_as_kept(backend):
    schema = LabelSchema(media="video", classes=[ObjectClass(name="zone", shape="any")],
                         tags=[TagSpec(name="parked", applies_to="objects_only")])
    area = Polygon(exterior=[(0, 0), (10, 0), (0, 10)])
    box = Rectangle(x=0, y=0, width=4, height=4)
    video = VideoAnnotation(item=1, width=W, height=H, frames_count=FRAMES, fps=FPS, objects=[
        VideoObject(class_name="zone", frames=[FrameShape(frame=0, shape=area)]),
        VideoObject(class_name="zone", frames=[FrameShape(frame=0, shape=box)], id="b",
                    tags=[VideoTag(name="parked")]),
    ])
    report = backend.videos.preview([video], schema=schema)
    assert report.lossless and report.count(outcome=Outcome.KEPT) == 2
    assert sorted(line.split(" -> ")[0] for line in report.losses()) == ["track of other shapes than boxes",
                                                                         "track tag"]


@st.composite
def odd_tracks(draw):
    """A car on random frames, each frame's box and keyframe flag drawn as they come (on no line, flags anyhow),
    with what Supervisely gives and Label Studio's tracks do not hold: ids of any kind, descriptions, authors."""
    frames = sorted(draw(st.sets(st.integers(0, FRAMES - 1), min_size=1, max_size=10)))
    shapes = [FrameShape(frame=f, keyframe=draw(st.booleans()), shape=Rectangle(
        x=draw(st.integers(0, W - 20)), y=draw(st.integers(0, H - 20)), width=draw(st.integers(1, 20)),
        height=draw(st.integers(1, 20)))) for f in frames]
    return VideoObject(class_name="car", frames=shapes,
                       id=draw(st.none() | st.integers(1, 10**9) | st.text(max_size=4)),
                       description=draw(st.text(max_size=5)), author=draw(st.none() | st.sampled_from(["ann", "bo"])))


@st.composite
def video_tags(draw):
    start = draw(st.integers(0, FRAMES - 1))
    frames = draw(st.none() | st.builds(FrameRange, start=st.just(start), end=st.integers(start, FRAMES - 1)))
    name, value = draw(st.sampled_from([("turn", None), ("weather", "rain"), ("weather", "sun")]))
    return VideoTag(name=name, value=value, frames=frames)


@settings(max_examples=150, deadline=None)
@given(st.lists(odd_tracks(), max_size=3), st.lists(video_tags(), max_size=3), st.text(max_size=5))
def test_random_annotations_come_back_whole_from_their_stash(objects, tags, description):
    config = build_label_config(SCHEMA)
    video = VideoAnnotation(item=3, width=W, height=H, frames_count=FRAMES, fps=FPS, objects=objects, tags=tags,
                            author="ann", description=description)
    results, _ = video_to_labelstudio(video, config)
    shown, _ = video_from_labelstudio(results, config, width=W, height=H, frames_count=FRAMES, fps=FPS, item=3)
    report = FidelityReport()
    back = restored(shown.model_copy(update={"author": "ann"}), stash_of(video, results, config), report,
                    "label studio")
    assert back == video
    assert report.lossless
