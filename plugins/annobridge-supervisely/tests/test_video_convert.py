"""Supervisely video annotation JSON <-> the neutral VideoAnnotation, and on to Label Studio tracks and back."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge.annotations import Polygon, Rectangle
from annobridge.errors import ValidationError
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between
from annobridge_supervisely.video_convert import video_from_supervisely, video_to_supervisely

META = {
    "classes": [{"title": "car", "shape": "rectangle", "color": "#FF0000"},
                {"title": "road", "shape": "polygon", "color": "#00FF00"}],
    "tags": [{"name": "weather", "value_type": "oneof_string", "values": ["rain", "sun"], "color": "#0000FF"},
             {"name": "turn", "value_type": "none", "color": "#FF00FF"},
             {"name": "parked", "value_type": "none", "color": "#00FFFF", "applicable_type": "objectsOnly"}],
}
LS_CONFIG = (
    '<View><Video name="video" value="$video"/><VideoRectangle name="box" toName="video"/>'
    '<Labels name="videoLabels" toName="video"><Label value="car"/></Labels>'
    '<TimelineLabels name="weather" toName="video"><Label value="rain"/><Label value="sun"/></TimelineLabels>'
    '<TimelineLabels name="turn" toName="video"><Label value="turn"/></TimelineLabels></View>'
)
W, H, FRAMES = 64, 48, 40


def _figure(key, frame, left, top=2, right=None, bottom=12):
    return {"index": frame, "figures": [{"key": f"f{frame}", "objectKey": key, "geometryType": "rectangle",
                                         "geometry": {"points": {"exterior": [[left, top], [right or left + 10,
                                                                                            bottom]],
                                                                 "interior": []}}}]}


def test_a_supervisely_video_annotation_reads_as_tracks_and_writes_back():
    data = {
        "size": {"height": H, "width": W}, "description": "street", "key": "k", "framesCount": FRAMES,
        "tags": [{"name": "weather", "value": "rain", "frameRange": [0, 9]}, {"name": "turn"}],
        "objects": [{"key": "car1", "classTitle": "car", "tags": [{"name": "parked", "frameRange": [3, 4]}]}],
        "frames": [_figure("car1", f, f) for f in range(3, 8)],
    }
    video, report = video_from_supervisely(data, META, fps="30000/1001", item=9)
    car = video.objects[0]
    assert [f.frame for f in car.frames] == [3, 4, 5, 6, 7] and all(f.keyframe for f in car.frames)
    assert car.at(5).shape == Rectangle(x=5, y=2, width=10, height=10)
    assert car.tags == (VideoTag(name="parked", frames=FrameRange(start=3, end=4)),)
    assert video.tags[0].frames == FrameRange(start=0, end=9) and video.tags[1].frames is None
    assert video.time_of(30) == Fraction(1001, 1000) and report.lossless

    written, back = video_to_supervisely(video, META)
    assert [t for t in written["tags"]] == data["tags"]
    assert [(o["classTitle"], o["tags"]) for o in written["objects"]] == [("car", data["objects"][0]["tags"])]
    assert [(f["index"], f["figures"][0]["geometry"]) for f in written["frames"]] == [
        (f["index"], f["figures"][0]["geometry"]) for f in data["frames"]]
    assert back.exact


def test_interpolated_frames_are_written_as_figures_and_counted():
    a = FrameShape(frame=0, shape=Rectangle(x=0, y=0, width=10, height=10))
    b = FrameShape(frame=4, shape=Rectangle(x=8, y=0, width=10, height=10))
    frames = [a] + [FrameShape(frame=f, shape=between(a, b, f), keyframe=False) for f in (1, 2, 3)] + [b]
    video = VideoAnnotation(width=W, height=H, frames_count=FRAMES, fps=25,
                            objects=[VideoObject(class_name="car", frames=frames)])
    data, report = video_to_supervisely(video, META)
    assert [f["index"] for f in data["frames"]] == [0, 1, 2, 3, 4]
    assert report.count("interpolated frame", "approximated") == 3


def test_bad_input_is_named():
    with pytest.raises(ValidationError, match="video 9, frame 0: a figure of unknown object 'ghost'"):
        video_from_supervisely({"size": {"height": H, "width": W}, "framesCount": 3, "objects": [],
                                "frames": [_figure("ghost", 0, 1)]}, META, fps=25, item=9)
    twice = {"size": {"height": H, "width": W}, "framesCount": 3, "objects": [{"key": "c", "classTitle": "car"}],
             "frames": [_figure("c", 0, 1), _figure("c", 0, 2)]}
    with pytest.raises(ValidationError, match="video 9, object 'c' \\(car\\): .*each once"):
        video_from_supervisely(twice, META, fps=25, item=9)
    video = VideoAnnotation(width=W, height=H, frames_count=3, fps=25, objects=[
        VideoObject(class_name="truck", frames=[FrameShape(frame=0, shape=Polygon(exterior=[(0, 0), (1, 0), (0, 1)]))])
    ])
    with pytest.raises(ValidationError, match="unknown class 'truck'"):
        video_to_supervisely(video, META)


@st.composite
def supervisely_videos(draw):
    """Cars on whole-pixel boxes over random frames, and frame-range tags: what a Supervisely video holds."""
    objects, frames = [], {}
    for number in range(draw(st.integers(0, 3))):
        key = f"car{number}"
        objects.append({"key": key, "classTitle": "car", "tags": []})
        for frame in sorted(draw(st.sets(st.integers(0, FRAMES - 1), min_size=1, max_size=10))):
            left, top = draw(st.integers(0, W - 12)), draw(st.integers(0, H - 12))
            figure = _figure(key, frame, left, top, left + draw(st.integers(1, 10)), top + draw(st.integers(1, 10)))
            frames.setdefault(frame, []).extend(figure["figures"])
    tags = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, FRAMES - 1))
        tags.append({"name": "weather", "value": draw(st.sampled_from(["rain", "sun"])),
                     "frameRange": [start, draw(st.integers(start, FRAMES - 1))]})
    return {"size": {"height": H, "width": W}, "description": "", "key": "k", "framesCount": FRAMES, "tags": tags,
            "objects": objects, "frames": [{"index": i, "figures": frames[i]} for i in sorted(frames)]}


@settings(max_examples=60, deadline=None)
@given(supervisely_videos())
def test_supervisely_to_label_studio_and_back_keeps_every_figure(data):
    from annobridge_labelstudio.video_regions import video_from_labelstudio, video_to_labelstudio

    video, _ = video_from_supervisely(data, META, fps=25)
    results, to_ls = video_to_labelstudio(video, LS_CONFIG)
    assert to_ls.lossless
    back, _ = video_from_labelstudio(results, LS_CONFIG, width=W, height=H, frames_count=FRAMES, fps=25)
    assert [t.model_dump() for t in back.tags] == [t.model_dump() for t in video.tags]
    for before, after in zip(video.objects, back.objects):
        # every figure comes back as a keyframe with its box; no frame the figures left empty is filled in
        assert after.frames == before.frames
    written, _ = video_to_supervisely(back, META)
    figures = lambda d: sorted((f["index"], g["geometry"]["points"]["exterior"]) for f in d["frames"]  # noqa: E731
                               for g in f["figures"])
    assert figures(written) == figures(data)


def test_a_box_reaching_the_far_edges_is_counted_where_the_sdk_trims_it():
    """The SDK keeps figures inside the frame's last pixel row and column: a box to the far edge comes back a pixel
    short there, and the report says so for that frame alone."""
    edge, inside = Rectangle(x=48, y=36, width=16, height=12), Rectangle(x=8, y=6, width=16, height=12)
    video = VideoAnnotation(width=W, height=H, frames_count=3, fps=25, objects=[VideoObject(
        class_name="car", frames=[FrameShape(frame=0, shape=inside), FrameShape(frame=1, shape=edge)])])
    data, report = video_to_supervisely(video, META)
    assert report.count("frame shape", "approximated") == 1 and not report.lossless
    back, _ = video_from_supervisely(data, META, fps=25)
    assert [f.shape for f in back.objects[0].frames] == [inside, Rectangle(x=48, y=36, width=15, height=11)]
