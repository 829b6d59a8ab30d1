"""Label Studio video tracks and timeline ranges <-> the neutral VideoAnnotation: exact both ways, losses counted."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge.annotations import Rectangle
from annobridge.errors import ValidationError
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between
from annobridge_labelstudio.label_config_parse import parse_label_config
from annobridge_labelstudio.video_regions import video_config, video_from_labelstudio, video_to_labelstudio

CONFIG = (
    '<View><Video name="video" value="$video" framerate="25"/>'
    '<VideoRectangle name="box" toName="video"/>'
    '<Labels name="videoLabels" toName="video"><Label value="car"/><Label value="person"/></Labels>'
    '<TimelineLabels name="weather" toName="video"><Label value="rain"/><Label value="sun"/></TimelineLabels>'
    '<TimelineLabels name="turn" toName="video"><Label value="turn"/></TimelineLabels></View>'
)
W, H, FRAMES, FPS = 640, 360, 60, 25


def _read(results):
    return video_from_labelstudio(results, CONFIG, width=W, height=H, frames_count=FRAMES, fps=FPS)


def _step(frame, x, enabled=True, y=10, width=64, height=36):
    return {"frame": frame, "enabled": enabled, "rotation": 0, "x": x, "y": y, "width": width, "height": height,
            "time": (frame - 1) / FPS}


def test_a_track_fills_its_frames_between_keyframes_and_stops_where_disabled():
    track = {"id": "t1", "type": "videorectangle", "from_name": "box", "to_name": "video", "origin": "manual",
             "value": {"framesCount": FRAMES, "duration": FRAMES / FPS, "labels": ["car"],
                       "sequence": [_step(1, 0), _step(11, 10, enabled=False), _step(21, 50)]}}
    video, report = _read([track])
    car = video.objects[0]
    assert [f.frame for f in car.frames] == list(range(0, 11)) + list(range(20, FRAMES))
    assert car.at(5).shape.x == 32  # halfway from 0% to 10% of 640 px
    assert [f.frame for f in car.frames if f.keyframe] == [0, 10, 20]
    assert car.at(FRAMES - 1).shape == car.at(20).shape  # the last keyframe holds to the end of the video
    assert report.count("keyframe") == 3 and report.lossless

    results, back = video_to_labelstudio(video, CONFIG)
    assert results[0]["value"]["sequence"] == track["value"]["sequence"]
    assert back.exact


def test_timeline_ranges_become_frame_range_tags_and_come_back():
    ranges = [
        {"id": "r1", "type": "timelinelabels", "from_name": "weather", "to_name": "video",
         "value": {"ranges": [{"start": 1, "end": 30}], "timelinelabels": ["rain"]}},
        {"id": "r2", "type": "timelinelabels", "from_name": "turn", "to_name": "video",
         "value": {"ranges": [{"start": 40, "end": 45}], "timelinelabels": ["turn"]}},
    ]
    video, _ = _read(ranges)
    assert video.tags == (VideoTag(name="weather", value="rain", frames=FrameRange(start=0, end=29)),
                          VideoTag(name="turn", frames=FrameRange(start=39, end=44)))
    video.validate_against(parse_label_config(CONFIG).schema)  # the tags the config's own schema has
    results, report = video_to_labelstudio(video, CONFIG)
    assert [(r["from_name"], r["value"]) for r in results] == [(r["from_name"], r["value"]) for r in ranges]
    assert report.exact


def test_what_label_studio_video_cannot_hold_is_counted():
    from annobridge.annotations import Point

    video = VideoAnnotation(width=W, height=H, frames_count=FRAMES, fps=FPS, objects=[
        VideoObject(class_name="car", frames=[FrameShape(frame=0, shape=Point(x=1, y=1))]),
        VideoObject(class_name="person", frames=[FrameShape(frame=0, shape=Rectangle(x=0, y=0, width=2, height=2))],
                    tags=[VideoTag(name="turn")]),
    ], tags=[VideoTag(name="turn")])
    results, report = video_to_labelstudio(video, CONFIG)
    assert len(results) == 1
    assert report.count("track of other shapes than boxes", "dropped") == 1
    assert report.count("track tag", "dropped") == 1
    assert report.count("video tag", "dropped") == 1  # a whole-video tag has no timeline range


def test_tracks_label_studio_holds_oddly_are_counted():
    odd = [
        {"type": "videorectangle", "value": {"labels": [], "sequence": [_step(1, 0)]}},
        {"type": "videorectangle", "value": {"labels": ["car", "person"], "sequence": [_step(1, 0), _step(1, 5)]}},
    ]
    video, report = _read(odd)
    assert [(o.class_name, o.at(0).shape.x) for o in video.objects] == [("car", 32)]  # 5% of 640 px: the later
    assert report.count("track without a label or keyframes", "dropped") == 1
    assert report.count("track with several labels", "approximated") == 1
    assert report.count("keyframe given twice for a frame", "dropped") == 1


def test_bad_input_is_named():
    with pytest.raises(ValidationError, match="result #0 .*outside the video's 60 frames"):
        _read([{"type": "videorectangle", "value": {"labels": ["car"], "sequence": [_step(61, 0)]}}])
    with pytest.raises(ValidationError, match="no <Video>"):
        video_config('<View><Image name="i" value="$image"/></View>')


@st.composite
def tracks(draw):
    """A car tracked in runs: integer keyframes and the exact straight line between them."""
    frames = sorted(draw(st.sets(st.integers(0, FRAMES - 1), min_size=1, max_size=12)))
    keys = {f: Rectangle(x=draw(st.integers(0, W - 40)), y=draw(st.integers(0, H - 40)),
                         width=draw(st.integers(1, 40)), height=draw(st.integers(1, 40))) for f in frames}
    shapes: list[FrameShape] = []
    for position, frame in enumerate(frames):
        here = FrameShape(frame=frame, shape=keys[frame])
        shapes.append(here)
        if position + 1 < len(frames) and draw(st.booleans()):  # moves on to the next keyframe
            after = FrameShape(frame=frames[position + 1], shape=keys[frames[position + 1]])
            shapes += [FrameShape(frame=f, shape=between(here, after, f), keyframe=False)
                       for f in range(frame + 1, after.frame)]
    return VideoObject(class_name="car", frames=shapes)


@settings(max_examples=150, deadline=None)
@given(st.lists(tracks(), min_size=1, max_size=3))
def test_random_tracks_go_to_label_studio_and_back_frame_for_frame(objects):
    video = VideoAnnotation(width=W, height=H, frames_count=FRAMES, fps=Fraction(30000, 1001), objects=objects)
    results, report = video_to_labelstudio(video, CONFIG)
    assert report.lossless
    back, _ = video_from_labelstudio(results, CONFIG, width=W, height=H, frames_count=FRAMES,
                                     fps=Fraction(30000, 1001))
    for before, after in zip(video.objects, back.objects):
        assert [(f.frame, f.shape) for f in after.frames] == [(f.frame, f.shape) for f in before.frames]
        assert {f.frame for f in before.frames if f.keyframe} <= {f.frame for f in after.frames if f.keyframe}
    again, _ = video_to_labelstudio(back, CONFIG)
    assert again == results  # one trip settles it: Label Studio's own JSON comes back exactly


def test_results_are_what_label_studio_validates():
    from label_studio_sdk.label_interface import LabelInterface

    video, _ = _read([
        {"id": "t", "type": "videorectangle", "from_name": "box", "to_name": "video",
         "value": {"labels": ["car"], "sequence": [_step(1, 0), _step(30, 20, enabled=False)]}},
        {"id": "r", "type": "timelinelabels", "from_name": "weather", "to_name": "video",
         "value": {"ranges": [{"start": 3, "end": 9}], "timelinelabels": ["sun"]}},
    ])
    results, _ = video_to_labelstudio(video, CONFIG)
    assert [r["type"] for r in results] == ["videorectangle", "timelinelabels"]
    assert LabelInterface(CONFIG).validate_prediction({"result": results}, return_errors=True) == []
