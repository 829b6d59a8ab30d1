"""The videos sub-API on the sandbox through the real SDK: videos added, listed, downloaded; tracks written and read."""

from __future__ import annotations

import contextlib
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annobridge.annotations import Rectangle
from annobridge.errors import Conflict, NotFound, ValidationError
from annobridge.fidelity import FidelityReport, Outcome
from annobridge.schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag
from annobridge_supervisely import video_keep
from annobridge_supervisely.convert import video_fps
from annobridge_sandbox_supervisely.testing.videos import write_square_video

from .provider_support import counted, unique

NTSC = Fraction(30000, 1001)
SCHEMA = LabelSchema(
    media="video",
    classes=(ObjectClass(name="square", shape=ShapeKind.RECTANGLE, color="#00FF00"),),
    tags=(TagSpec(name="moving", applies_to=TagTarget.ITEMS_ONLY),
          TagSpec(name="light", value_type=TagValueType.ONEOF_STRING, values=("day", "night"),
                  applies_to=TagTarget.ITEMS_ONLY),
          TagSpec(name="speed", value_type=TagValueType.ANY_NUMBER, applies_to=TagTarget.OBJECTS_ONLY)),
)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Two generated videos: 24 frames at 24 fps, and 10 NTSC frames (whose rounded duration alone misleads
    Fraction.limit_denominator(1001))."""
    folder = tmp_path_factory.mktemp("clips")
    return [write_square_video(folder / "walk.mp4", frames_count=24, fps=24),
            write_square_video(folder / "ntsc.mp4", frames_count=10, fps=float(NTSC), width=128, height=80, shade=90)]


@pytest.fixture
def project(sv):
    made = sv.projects.create(unique("videos-api"), schema=SCHEMA)
    yield made
    with contextlib.suppress(NotFound):
        sv.projects.delete(made.id)


@pytest.fixture
def videos(sv, project, clips):
    """name -> listed Item of each clip, added to the project."""
    ids = sv.videos.add(project.id, [c.path for c in clips])
    listed = {i.id: i for i in sv.videos.list(project_id=project.id)}
    assert sorted(listed) == sorted(ids)
    return {listed[i].name: listed[i] for i in ids}


def _track(clip, frames, *, author=None, tags=()) -> VideoObject:
    """The square where the clip draws it, on `frames` (boxes from the generator, inside the picture)."""
    shapes = []
    for frame in frames:
        left, top, right, bottom = clip.boxes[frame]
        shapes.append(FrameShape(frame=frame, shape=Rectangle(x=left, y=top, width=right - left, height=bottom - top)))
    return VideoObject(class_name="square", frames=shapes, author=author, tags=tags)


def _annotation(video, objects=(), tags=()) -> VideoAnnotation:
    return VideoAnnotation(item=video.id, width=video.width, height=video.height, frames_count=video.frames_count,
                           fps=video.fps, objects=objects, tags=tags)


def _read(sv, video) -> list[VideoAnnotation]:
    return list(sv.videos.annotations(item_ids=[video.id]))


def _shapes(annotation: VideoAnnotation) -> list[tuple]:
    return sorted((o.class_name, tuple((f.frame, f.shape) for f in o.frames)) for o in annotation.objects)


@given(rate=st.one_of(st.integers(1, 120).map(Fraction), st.integers(1, 120).map(lambda k: Fraction(1000 * k, 1001))),
       frames=st.integers(1, 200_000))
def test_the_rate_comes_back_exactly_from_a_duration_rounded_to_six_decimals(rate, frames):
    assert video_fps({"framesCount": frames, "duration": round(frames / float(rate), 6)}) == rate


def test_a_rate_the_server_states_is_taken_as_stated():
    meta = {"framesCount": 3, "duration": 0.1, "streams": [{"codecType": "video", "avgFrameRate": "25/1"}]}
    assert video_fps(meta) == 25 and video_fps({"framesCount": 3}) is None


def test_videos_are_listed_with_size_frames_and_exact_rate(sv, videos, clips, project):
    got = {name: (v.width, v.height, v.frames_count, v.fps, v.project_id) for name, v in videos.items()}
    assert got == {"walk.mp4": (160, 96, 24, 24, project.id), "ntsc.mp4": (128, 80, 10, NTSC, project.id)}
    assert all(isinstance(v.fps, Fraction) for v in videos.values())
    with pytest.raises(ValidationError, match="exactly one of job_id, project_id"):
        sv.videos.list()
    with pytest.raises(NotFound):
        list(sv.videos.list(project_id=10**8))


def test_videos_go_only_into_a_video_project_and_are_checked_before_any_upload(sv, world, project, clips, tmp_path):
    images = sv.projects.create(unique("stills"), schema=LabelSchema(classes=SCHEMA.classes))
    try:
        with counted(sv) as seen:
            with pytest.raises(ValidationError) as refused:
                sv.videos.add(images.id, [clips[0].path])
        assert str(refused.value) == (f"project {images.id} holds images; videos go into a video project "
                                      "(a schema with media='video')")
        assert not [m for m in seen if "upload" in m or "bulk.add" in m]
    finally:
        sv.projects.delete(images.id)
    (tmp_path / "notes.txt").write_text("not a video")
    with pytest.raises(ValidationError, match="notes.txt"):
        sv.videos.add(project.id, [clips[0].path, tmp_path / "notes.txt"])
    with pytest.raises(ValidationError, match="dataset_id"):
        sv.videos.add(project.id, [clips[0].path], dataset_id=world.dataset_id)
    with pytest.raises(NotFound):
        sv.videos.add(10**8, [clips[0].path])
    assert list(sv.videos.list(project_id=project.id)) == []


def test_a_name_the_dataset_holds_is_refused_rather_than_renamed(sv, project, videos, clips):
    with counted(sv) as seen:
        with pytest.raises(Conflict, match=rf"holds 'walk.mp4' \(id {videos['walk.mp4'].id}\) already"):
            sv.videos.add(project.id, [{"path": clips[1].path, "name": "fresh.mp4"}, clips[0].path])
    assert not [m for m in seen if "upload" in m or "bulk.add" in m]
    assert sorted(v.name for v in sv.videos.list(project_id=project.id)) == ["ntsc.mp4", "walk.mp4"]


def test_download_gives_the_bytes_back_and_names_a_repeated_name_by_its_id(sv, project, videos, clips, tmp_path):
    other = sv.api.dataset.create(project.id, "more").id
    [again] = sv.videos.add(project.id, [clips[0].path], dataset_id=other)
    paths = sv.videos.download(project.id, directory=tmp_path / "all")
    assert [p.name for p in paths] == ["walk.mp4", "ntsc.mp4", f"walk_{again}.mp4"]
    assert [p.read_bytes() for p in paths] == [clips[0].path.read_bytes(), clips[1].path.read_bytes(),
                                               clips[0].path.read_bytes()]
    picked = sv.videos.download(project.id, directory=tmp_path / "one", item_ids=[videos["ntsc.mp4"].id])
    assert [p.read_bytes() for p in picked] == [clips[1].path.read_bytes()]
    with pytest.raises(ValidationError, match="are not videos of project"):
        sv.videos.download(project.id, directory=tmp_path / "none", item_ids=[10**8])
    assert not (tmp_path / "none").exists()


def test_tracks_tags_and_authors_come_back_as_written(sv, world, project, videos, clips):
    walk = videos["walk.mp4"]
    labeler = "labeler_1"  # a member of the team (the world fixture makes it)
    speed = VideoTag(name="speed", value=3, frames=FrameRange(start=2, end=6))
    square = _track(clips[0], range(2, 12), author=labeler, tags=(speed,))
    late = _track(clips[0], [20, 22, 23])
    tags = (VideoTag(name="moving", frames=FrameRange(start=2, end=11)), VideoTag(name="light", value="night"))
    written = _annotation(walk, (square, late), tags)
    report = sv.videos.write(project.id, [written])
    assert report.lossless and report.count("track", Outcome.CARRIED) == 2, str(report)
    [got] = _read(sv, walk)
    assert (got.item, got.width, got.height, got.frames_count, got.fps) == (walk.id, 160, 96, 24, 24)
    assert _shapes(got) == _shapes(written)
    first = next(o for o in got.objects if o.frames[0].frame == 2)
    assert first.author == labeler and [(t.name, t.value, t.frames) for t in first.tags] == [("speed", 3, speed.frames)]
    assert next(o for o in got.objects if o.frames[0].frame == 20).author == sv.users.me().login
    assert sorted((t.name, t.value, t.frames) for t in got.tags) == sorted((t.name, t.value, t.frames) for t in tags)
    assert _read(sv, videos["ntsc.mp4"]) == []  # nothing on it: left out, as an empty image is
    assert [a.item for a in sv.videos.annotations(project_id=project.id)] == [walk.id]


def test_an_author_who_is_not_a_member_is_shown_as_the_uploader_and_kept_for_the_way_back(sv, project, videos, clips):
    ntsc = videos["ntsc.mp4"]
    report = sv.videos.write(project.id, [_annotation(ntsc, (_track(clips[1], [0, 1], author="nobody-here"),))])
    assert report.count("author", Outcome.KEPT) == 1 and report.lossless, str(report)
    held = sv.api.video.annotation.download(ntsc.id)
    assert {f["labelerLogin"] for frame in held["frames"] for f in frame["figures"]} == {sv.users.me().login}
    [got] = _read(sv, ntsc)
    assert got.fps == NTSC and got.objects[0].author == "nobody-here"


def test_append_adds_and_replace_takes_the_place_of_objects_and_tags(sv, project, videos, clips):
    walk, ntsc = videos["walk.mp4"], videos["ntsc.mp4"]
    night = VideoTag(name="light", value="night")
    sv.videos.write(project.id, [_annotation(walk, (_track(clips[0], [0, 1]),), (night,)),
                                 _annotation(ntsc, (_track(clips[1], [3]),))])
    sv.videos.write(project.id, [_annotation(walk, (_track(clips[0], [5]),))], mode="append")
    assert sorted(o.frames[0].frame for o in _read(sv, walk)[0].objects) == [0, 5]
    day = VideoTag(name="light", value="day", frames=FrameRange(start=4, end=9))
    replacement = _annotation(walk, (_track(clips[0], [7, 8]),), (day,))
    report = sv.videos.write(project.id, [replacement], mode="replace")
    assert report.lossless, str(report)
    [got] = _read(sv, walk)
    assert _shapes(got) == _shapes(replacement) and [(t.name, t.value, t.frames) for t in got.tags] == [
        ("light", "day", day.frames)]
    assert [o.frames[0].frame for o in _read(sv, ntsc)[0].objects] == [3]  # another video: untouched
    sv.videos.write(project.id, [_annotation(walk)], mode="replace")
    assert _read(sv, walk) == []


def test_a_bad_annotation_is_refused_before_anything_is_written(sv, world, project, videos, clips):
    walk, ntsc = videos["walk.mp4"], videos["ntsc.mp4"]
    good = _annotation(walk, (_track(clips[0], [0]),))
    longer = _annotation(ntsc).model_copy(update={"frames_count": 15})
    bus = _annotation(ntsc, (VideoObject(class_name="bus", frames=[FrameShape(frame=0, shape=Rectangle(
        x=0, y=0, width=4, height=4))]),))
    stranger = VideoAnnotation(item=world.image_ids[0], width=10, height=10, frames_count=1, fps=1)
    cases = ((longer, r"with 15 frames, the video 'ntsc.mp4' is 128x80 with 10 frames"), (bus, "bus"),
             (stranger, rf"annotations.item: \[{world.image_ids[0]}\] are not videos of project {project.id}"))
    for bad, says in cases:
        with counted(sv) as seen:
            with pytest.raises(ValidationError, match=says):
                sv.videos.write(project.id, [good, bad], mode="replace")
        assert not [m for m in seen if "add" in m or "remove" in m], seen
    with pytest.raises(ValidationError, match="mode"):
        sv.videos.write(project.id, [good], mode="merge")
    assert _read(sv, walk) == []


def test_a_labeling_job_on_videos_lists_its_videos_and_their_annotations(sv, world, project, videos, clips):
    walk = videos["walk.mp4"]
    sv.videos.write(project.id, [_annotation(walk, (_track(clips[0], [1, 2]),))])
    (job,) = sv.api.labeling_job.create("video job", walk.dataset_id, user_ids=[world.labelers[0]],
                                        toolbox_settings={"playbackRate": 2})
    listed = list(sv.videos.list(job_id=job.id))
    assert sorted((v.name, v.frames_count, v.fps) for v in listed) == [("ntsc.mp4", 10, NTSC), ("walk.mp4", 24, 24)]
    [got] = sv.videos.annotations(job_id=job.id)
    assert got.item == walk.id and [f.frame for f in got.objects[0].frames] == [1, 2]
    with pytest.raises(ValidationError, match="not items of labeling job"):
        sv.videos.annotations(job_id=job.id, item_ids=[10**8])


def test_annotations_are_written_and_read_in_bulk(sv, project, videos, clips):
    with counted(sv) as seen:
        sv.videos.write(project.id, [_annotation(v, (_track(clips[n], range(v.frames_count)),))
                                     for n, v in enumerate(videos.values())])
    # one api.video.annotation.append a video: its objects in one request, its figures 100 a request; nothing read
    assert (seen["annotation-objects.bulk.add"], seen["figures.bulk.add"]) == (2, 2), seen
    assert seen["videos.annotations.bulk.info"] == 0, seen
    with counted(sv) as seen:
        got = list(sv.videos.annotations(project_id=project.id))
    assert sorted(a.item for a in got) == sorted(v.id for v in videos.values())
    assert seen["videos.annotations.bulk.info"] == 1
    with pytest.raises(NotFound):
        list(sv.videos.annotations(item_ids=[10**8]))


# -- what Supervisely cannot hold, kept in the video's custom data -------------------------------------------------

KEYFRAMES = (True, False, False, True, False, False, True)  # frames 2..8: keyframes at 2, 5 and 8


def _interpolated(clip) -> VideoObject:
    """The square on frames 2..8, set by hand on 2, 5 and 8 and filled in between."""
    track = _track(clip, range(2, 9))
    frames = tuple(f.model_copy(update={"keyframe": k}) for f, k in zip(track.frames, KEYFRAMES, strict=True))
    return track.model_copy(update={"frames": frames})


def test_update_custom_data_replaces_a_videos_custom_data_which_its_info_and_listing_show(sv, videos):
    walk = videos["walk.mp4"]
    assert sv.api.video.update_custom_data(walk.id, {"owner": "qa"}) == {"success": True}
    sv.api.video.update_custom_data(walk.id, {"batch": 2})
    assert sv.api.video.get_info_by_id(walk.id).custom_data == {"batch": 2}
    assert {v.id: v.custom_data for v in sv.api.video.get_list(walk.dataset_id)} == {
        walk.id: {"batch": 2}, videos["ntsc.mp4"].id: {}}
    with pytest.raises(Exception, match="field 'customData' must be"):
        sv.api.video.update_custom_data(walk.id, ["not", "an object"])
    with pytest.raises(Exception, match=str(10**8)):
        sv.api.video.update_custom_data(10**8, {})


def _custom_data(sv, video) -> dict:
    return sv.api.video.get_info_by_id(video.id).custom_data


def _flags(annotation: VideoAnnotation) -> list[list[tuple[int, bool]]]:
    return [[(f.frame, f.keyframe) for f in o.frames] for o in annotation.objects]


def test_an_interpolated_track_comes_back_with_its_keyframe_flags_kept_for_the_way_back(sv, project, videos, clips):
    walk = videos["walk.mp4"]
    written = _annotation(walk, (_interpolated(clips[0]),)).model_copy(update={"description": "square crossing"})
    report = sv.videos.write(project.id, [written])
    assert report.lossless and report.count("interpolated frame", Outcome.KEPT) == 4, str(report)
    assert report.count("interpolated frame", Outcome.APPROXIMATED) == 0
    assert "interpolated frame -> kept for the way back (supervisely, shown as a figure set on its frame): 4" in str(
        report)
    assert report.count("video description", Outcome.KEPT) == 1
    assert sv.videos.preview([written], schema=SCHEMA).losses() == report.losses()  # what write does, dry
    assert set(_custom_data(sv, walk)) == {video_keep.KEY}
    held = sv.api.video.annotation.download(walk.id)  # Supervisely shows a figure on every frame, no keyframes
    assert sorted(frame["index"] for frame in held["frames"]) == list(range(2, 9))
    read = FidelityReport()
    [got] = sv.videos.annotations(item_ids=[walk.id], report=read)
    assert got.objects[0].frames == written.objects[0].frames and got.description == "square crossing"
    assert read.count("kept for the way back (restored)", Outcome.CARRIED) == 1 and read.lossless, str(read)


def test_a_video_edited_since_the_write_reads_as_supervisely_shows_it_and_counts_the_stash_dropped(
    sv, project, videos, clips
):
    walk = videos["walk.mp4"]
    sv.videos.write(project.id, [_annotation(walk, (_interpolated(clips[0]),))])
    [held] = sv.api.video.annotation.download(walk.id)["objects"]
    left, top, right, bottom = clips[0].boxes[12]
    box = {"points": {"exterior": [[left, top], [right, bottom]], "interior": []}}
    sv.api.video.figure.create(walk.id, held["id"], 12, box, "rectangle")  # a person adds a figure
    read = FidelityReport()
    [got] = sv.videos.annotations(item_ids=[walk.id], report=read)
    assert _flags(got) == [[(frame, True) for frame in (*range(2, 9), 12)]]
    assert read.count("kept for the way back", Outcome.DROPPED) == 1, str(read)
    assert "the item was edited in supervisely since" in str(read)


def test_a_users_own_custom_data_survives_writes_and_replace_replaces_the_stash(sv, project, videos, clips):
    walk = videos["walk.mp4"]
    sv.api.video.update_custom_data(walk.id, {"owner": "qa", "batch": [1, 2]})
    sv.videos.write(project.id, [_annotation(walk, (_interpolated(clips[0]),))])
    stored = _custom_data(sv, walk)
    assert stored["owner"] == "qa" and stored["batch"] == [1, 2] and video_keep.KEY in stored
    plain = _annotation(walk, (_track(clips[0], [0, 1]),))
    report = sv.videos.write(project.id, [plain], mode="replace")
    assert report.exact and _custom_data(sv, walk) == {"owner": "qa", "batch": [1, 2]}, str(report)
    read = FidelityReport()
    [got] = sv.videos.annotations(item_ids=[walk.id], report=read)
    assert _flags(got) == [[(0, True), (1, True)]] and read.lossless, str(read)
    again = sv.videos.write(project.id, [_annotation(walk, (_interpolated(clips[0]),))], mode="replace")
    assert again.count("interpolated frame", Outcome.KEPT) == 4 and _custom_data(sv, walk)["owner"] == "qa"
    assert _flags(_read(sv, walk)[0]) == [list(zip(range(2, 9), KEYFRAMES))]


def test_append_onto_a_video_holding_objects_stores_no_stash_and_counts_what_is_lost(sv, project, videos, clips):
    walk, ntsc = videos["walk.mp4"], videos["ntsc.mp4"]
    sv.videos.write(project.id, [_annotation(walk, (_track(clips[0], [0, 1]),))])
    report = sv.videos.write(project.id, [_annotation(walk, (_interpolated(clips[0]),)),
                                          _annotation(ntsc, (_track(clips[1], [0, 1], author="nobody-here"),))])
    assert report.count("interpolated frame", Outcome.APPROXIMATED) == 4, str(report)  # walk held a track
    assert report.count("interpolated frame", Outcome.KEPT) == 0
    assert report.count("author", Outcome.KEPT) == 1  # ntsc held nothing: its stash is stored
    assert not video_keep.stored(_custom_data(sv, walk)) and video_keep.stored(_custom_data(sv, ntsc))
    read = FidelityReport()
    got = {a.item: a for a in sv.videos.annotations(project_id=project.id, report=read)}
    assert sorted(_flags(got[walk.id])) == [[(0, True), (1, True)], [(frame, True) for frame in range(2, 9)]]
    assert got[ntsc.id].objects[0].author == "nobody-here" and read.lossless, str(read)


def test_several_annotations_for_one_video_in_one_call_store_no_stash(sv, project, videos, clips):
    walk = videos["walk.mp4"]
    sv.videos.write(project.id, [_annotation(walk, (_interpolated(clips[0]),))])  # a stash is stored
    parts = [_annotation(walk, (_interpolated(clips[0]),)), _annotation(walk, (_track(clips[0], [20]),))]
    report = sv.videos.write(project.id, parts, mode="replace")
    assert report.count("interpolated frame", Outcome.APPROXIMATED) == 4 and not report.count(outcome=Outcome.KEPT)
    assert not video_keep.stored(_custom_data(sv, walk))  # the old stash went with what it was made for
    read = FidelityReport()
    [got] = sv.videos.annotations(item_ids=[walk.id], report=read)
    assert sorted(_flags(got)) == [[(frame, True) for frame in range(2, 9)], [(20, True)]] and read.lossless
