"""Conformance of video projects: videos added, listed and downloaded, tracks and frame ranges written and read."""

from __future__ import annotations

import contextlib
from fractions import Fraction
from typing import Iterable

import pytest

from ...annotations import Rectangle
from ...capabilities import Capability
from ...errors import NotFound, ValidationError
from ...fidelity import Outcome
from ...schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from ...video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between
from ..videos import write_test_video
from .base import SAMPLE_SCHEMA, ConformanceBase, assert_unsupported, lacks, needs, unique

__all__ = ["VIDEO_SCHEMA", "VideoTests"]

VIDEO_SCHEMA = LabelSchema(
    media="video",
    classes=(ObjectClass(name="car", shape=ShapeKind.RECTANGLE, color="#FF0000"),
             ObjectClass(name="person", shape=ShapeKind.RECTANGLE, color="#0000FF")),
    tags=(TagSpec(name="weather", value_type=TagValueType.ONEOF_STRING, values=("rain", "sun"),
                  applies_to=TagTarget.ITEMS_ONLY),
          TagSpec(name="turn", applies_to=TagTarget.ITEMS_ONLY)),
)
# (name, frames, fps): 64 x 48 pixels each, so boxes on multiples of 16 x 12 are exact in percent too; none
# reaches the far edges, where Supervisely keeps a box one pixel short (its last row and column)
VIDEOS = (("walk.mp4", 24, Fraction(24)), ("ntsc.mp4", 30, Fraction(30000, 1001)))
WIDTH, HEIGHT = 64, 48


def _box(x: int, y: int) -> Rectangle:
    return Rectangle(x=x, y=y, width=16, height=12)


def tracks_of(annotations: Iterable[VideoAnnotation], *, keyframes: bool = True) -> list[tuple]:
    """Every object across these annotations as (class, ((frame, shape, keyframe), ...)), sorted."""
    return sorted((o.class_name, tuple((f.frame, f.shape, f.keyframe if keyframes else None) for f in o.frames))
                  for a in annotations for o in a.objects)


def ranges_of(annotations: Iterable[VideoAnnotation]) -> list[tuple]:
    """Every video tag across these annotations as (name, value, first frame, last frame), sorted."""
    return sorted((t.name, t.value, t.frames.start if t.frames else None, t.frames.end if t.frames else None)
                  for a in annotations for t in a.tags)


class VideoTests(ConformanceBase):
    """A new video project of two generated videos, through `backend.videos`."""

    @pytest.fixture
    def video_paths(self, tmp_path):
        folder = tmp_path / "videos"
        folder.mkdir()
        return [write_test_video(folder / name, frames_count=frames, fps=fps, width=WIDTH, height=HEIGHT,
                                 shade=40 + 50 * n) for n, (name, frames, fps) in enumerate(VIDEOS)]

    @pytest.fixture
    def video_project(self, backend):
        made = backend.projects.create(unique("conformance-video"), schema=VIDEO_SCHEMA)
        yield made
        with contextlib.suppress(NotFound):
            backend.projects.delete(made.id)

    @pytest.fixture
    def videos(self, backend, video_project, video_paths):
        """name -> the listed Item of each video added to the project."""
        added = backend.videos.add(video_project.id, video_paths)
        listed = {str(i.id): i for i in backend.videos.list(project_id=video_project.id)}
        assert sorted(listed) == sorted(str(i) for i in added)
        return {listed[str(i)].name: listed[str(i)] for i in added}

    def _annotation(self, video, objects=(), tags=()) -> VideoAnnotation:
        return VideoAnnotation(item=video.id, width=video.width, height=video.height, frames_count=video.frames_count,
                               fps=video.fps, objects=objects, tags=tags)

    def _read(self, backend, video) -> list[VideoAnnotation]:
        """What the video (an Item, or its id) holds, as the annotations that hold something."""
        item = getattr(video, "id", video)
        return [a for a in backend.videos.annotations(item_ids=[item]) if a.objects or a.tags]

    @needs(Capability.VIDEO)
    def test_each_video_is_listed_with_its_size_frames_and_exact_rate(self, videos):
        got = {name: (v.width, v.height, v.frames_count, v.fps) for name, v in videos.items()}
        assert got == {name: (WIDTH, HEIGHT, frames, fps) for name, frames, fps in VIDEOS}

    @needs(Capability.VIDEO)
    def test_download_gives_back_the_bytes_that_were_added(self, backend, video_project, videos, video_paths,
                                                           tmp_path):
        ids = [videos[name].id for name, _, _ in VIDEOS]
        paths = backend.videos.download(video_project.id, directory=tmp_path / "a", item_ids=ids)
        assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in video_paths]
        backwards = backend.videos.download(video_project.id, directory=tmp_path / "b", item_ids=ids[::-1])
        assert [p.read_bytes() for p in backwards] == [p.read_bytes() for p in video_paths[::-1]]  # in the order asked

    @needs(Capability.VIDEO)
    def test_tracks_and_frame_ranges_come_back_as_written(self, backend, video_project, videos):
        video = videos["ntsc.mp4"]
        car = VideoObject(class_name="car", frames=[FrameShape(frame=f, shape=_box(16 * f, 12)) for f in (0, 1, 2)]
                          + [FrameShape(frame=10, shape=_box(32, 24))])
        person = VideoObject(class_name="person", frames=[FrameShape(frame=f, shape=_box(0, 30)) for f in (5, 6, 7)])
        tags = (VideoTag(name="weather", value="sun", frames=FrameRange(start=0, end=11)),
                VideoTag(name="turn", frames=FrameRange(start=3, end=4)))
        written = self._annotation(video, (car, person), tags)
        report = backend.videos.write(video_project.id, [written])
        assert report.lossless, str(report)
        (got,) = self._read(backend, video)
        assert (got.item, got.width, got.height, got.frames_count, got.fps) == (
            video.id, WIDTH, HEIGHT, video.frames_count, Fraction(30000, 1001))
        assert tracks_of([got]) == tracks_of([written])
        assert ranges_of([got]) == ranges_of([written])
        assert self._read(backend, videos["walk.mp4"]) == []

    @needs(Capability.VIDEO)
    def test_interpolated_frames_are_kept_or_reported(self, backend, video_project, videos):
        video = videos["walk.mp4"]
        start, end = FrameShape(frame=0, shape=_box(0, 0)), FrameShape(frame=4, shape=_box(16, 12))
        moving = [start] + [FrameShape(frame=f, shape=between(start, end, f), keyframe=False) for f in (1, 2, 3)]
        written = self._annotation(video, (VideoObject(class_name="car", frames=moving + [end]),))
        report = backend.videos.write(video_project.id, [written])
        got = self._read(backend, video)
        assert tracks_of(got, keyframes=False) == tracks_of([written], keyframes=False)
        if report.lossless:
            assert tracks_of(got) == tracks_of([written])
        else:
            approximated = report.count(outcome=Outcome.APPROXIMATED)
            assert approximated == report.count("interpolated frame", Outcome.APPROXIMATED) == 3, str(report)
            assert report.count(outcome=Outcome.DROPPED) == 0, str(report)

    @needs(Capability.VIDEO)
    def test_videos_added_with_their_annotations_read_back_as_written(self, backend, video_project, video_paths):
        name, frames, fps = VIDEOS[1]
        start, end = FrameShape(frame=2, shape=_box(0, 12)), FrameShape(frame=6, shape=_box(32, 24))
        track = [start] + [FrameShape(frame=f, shape=between(start, end, f), keyframe=False) for f in (3, 4, 5)]
        written = VideoAnnotation(width=WIDTH, height=HEIGHT, frames_count=frames, fps=fps,
                                  objects=(VideoObject(class_name="car", frames=track + [end]),),
                                  tags=(VideoTag(name="turn", frames=FrameRange(start=1, end=2)),))
        ids, report = backend.videos.add_with_annotations(video_project.id, video_paths, [[], [written]])
        assert report.lossless, str(report)
        assert self._read(backend, ids[0]) == []
        (got,) = self._read(backend, ids[1])
        assert got.item == ids[1] and tracks_of([got]) == tracks_of([written])
        assert ranges_of([got]) == ranges_of([written])
        with pytest.raises(ValidationError, match="groups"):
            backend.videos.add_with_annotations(video_project.id, video_paths, [[written]])

    @needs(Capability.VIDEO)
    def test_append_adds_and_replace_takes_the_place(self, backend, video_project, videos):
        walk, ntsc = videos["walk.mp4"], videos["ntsc.mp4"]
        car = VideoObject(class_name="car", frames=[FrameShape(frame=1, shape=_box(16, 12))])
        person = VideoObject(class_name="person", frames=[FrameShape(frame=2, shape=_box(32, 24))])
        backend.videos.write(video_project.id, [self._annotation(walk, (car,)), self._annotation(ntsc, (car,))])
        backend.videos.write(video_project.id, [self._annotation(walk, (person,))], mode="append")
        assert [t[0] for t in tracks_of(self._read(backend, walk))] == ["car", "person"]
        backend.videos.write(video_project.id, [self._annotation(walk, (person,))], mode="replace")
        assert [t[0] for t in tracks_of(self._read(backend, walk))] == ["person"]
        assert [t[0] for t in tracks_of(self._read(backend, ntsc))] == ["car"]

    @needs(Capability.VIDEO)
    def test_a_bad_annotation_is_refused_before_anything_is_written(self, backend, video_project, videos):
        walk, ntsc = videos["walk.mp4"], videos["ntsc.mp4"]
        good = self._annotation(walk, (VideoObject(class_name="car", frames=[FrameShape(frame=0, shape=_box(0, 0))]),))
        wrong_length = self._annotation(ntsc).model_copy(update={"frames_count": ntsc.frames_count + 5})
        unknown_class = self._annotation(ntsc, (VideoObject(class_name="bus",
                                                            frames=[FrameShape(frame=0, shape=_box(0, 0))]),))
        for bad, named in ((wrong_length, "frames"), (unknown_class, "bus")):
            with pytest.raises(ValidationError, match=named):
                backend.videos.write(video_project.id, [good, bad])
        assert self._read(backend, walk) == []

    @needs(Capability.VIDEO)
    def test_videos_go_only_into_a_video_project(self, backend, video_paths):
        images = backend.projects.create(unique("conformance-images"), schema=SAMPLE_SCHEMA)
        try:
            with pytest.raises(ValidationError, match="video"):
                backend.videos.add(images.id, video_paths[:1])
            assert list(backend.items.list(project_id=images.id)) == []
        finally:
            backend.projects.delete(images.id)

    @needs(Capability.VIDEO)
    def test_a_file_that_is_not_a_video_is_refused_before_any_upload(self, backend, video_project, tmp_path,
                                                                    video_paths):
        notes = tmp_path / "notes.txt"
        notes.write_text("not a video")
        with pytest.raises(ValidationError, match="notes.txt"):
            backend.videos.add(video_project.id, [video_paths[0], notes])
        assert list(backend.videos.list(project_id=video_project.id)) == []

    @lacks(Capability.VIDEO)
    def test_a_backend_without_video_says_why(self, backend, tmp_path):
        assert_unsupported(backend, Capability.VIDEO, lambda: backend.videos.add(1, []))
