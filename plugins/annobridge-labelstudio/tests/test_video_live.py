"""A video project on the real Label Studio server: the config built from a video schema, tracks stored and read back.

The server stores the label config annobridge builds, takes the tracks and timeline ranges as an
annotation, and hands them back; read through video_regions they are the tracks that were written.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

import pytest
from annobridge_labelstudio.label_config_parse import parse_label_config
from annobridge_labelstudio.video_regions import video_from_labelstudio, video_to_labelstudio

from annobridge.annotations import Rectangle
from annobridge.schema import LabelSchema, MediaKind, ObjectClass, TagSpec
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between

SCHEMA = LabelSchema(
    media="video",
    classes=[ObjectClass(name="car", shape="rectangle", color="#FF0000"), ObjectClass(name="person", shape="rectangle")],
    tags=[TagSpec(name="weather", value_type="oneof_string", values=["rain", "sun"], applies_to="items_only"),
          TagSpec(name="turn", applies_to="items_only")],
)
W, H, FRAMES, FPS = 320, 240, 90, Fraction(30000, 1001)


@pytest.fixture(scope="module")
def video_project(backend):
    created = backend.projects.create(f"video-{uuid.uuid4().hex[:8]}", schema=SCHEMA)
    yield created.id, backend.projects.label_config(created.id)
    backend.projects.delete(created.id)


def test_the_server_stores_the_video_config_built_from_the_schema(backend, video_project):
    _, config = video_project
    parsed = parse_label_config(config)
    assert parsed.schema == SCHEMA and parsed.schema.media is MediaKind.VIDEO
    schema, report = backend.projects.schema_report(video_project[0])
    assert schema == SCHEMA and not parsed.skipped and report.lossless


def test_tracks_and_ranges_come_back_from_the_server_as_written(backend, video_project):
    project_id, config = video_project
    (task_id,) = backend.items.add(project_id, [{"video": f"http://example.invalid/{uuid.uuid4().hex}.mp4"}])
    a = FrameShape(frame=0, shape=Rectangle(x=10, y=20, width=40, height=30))
    b = FrameShape(frame=30, shape=Rectangle(x=70, y=20, width=40, height=30))
    moving = [a] + [FrameShape(frame=f, shape=between(a, b, f), keyframe=False) for f in range(1, 30)] + [b]
    video = VideoAnnotation(
        width=W, height=H, frames_count=FRAMES, fps=FPS,
        objects=[VideoObject(class_name="car", frames=moving),
                 VideoObject(class_name="person", frames=[FrameShape(frame=f, shape=Rectangle(
                     x=f, y=0, width=5, height=9)) for f in (50, 51, 60)])],
        tags=[VideoTag(name="weather", value="sun", frames=FrameRange(start=0, end=44)),
              VideoTag(name="turn", frames=FrameRange(start=20, end=25))],
    )
    results, report = video_to_labelstudio(video, config)
    assert report.exact
    made = backend.annotations.create_json(task_id, result=results)
    stored = backend.annotations.get_json(made["id"])["result"]
    back, read = video_from_labelstudio(stored, config, width=W, height=H, frames_count=FRAMES, fps=FPS)
    assert read.lossless
    assert back.tags == video.tags
    assert [o.frames for o in back.objects] == [o.frames for o in video.objects]
    assert [len(r["value"]["sequence"]) for r in stored if r["type"] == "videorectangle"] == [2, 3]
