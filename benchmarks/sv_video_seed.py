"""Seed a Supervisely sandbox database with a video project through annobridge, once per size (cached).

    >>> path, project_id = seeded(videos=100, frames=300)                  # doctest: +SKIP

The project has the conformance VIDEO_SCHEMA; its videos are generated 64x48 clips at 30000/1001 fps
(annobridge.testing.videos), added with sv.videos.add; on each, sv.videos.write puts one car tracked over
every frame (a box set by hand every 10th frame and on the last, the straight line between, as
annobridge.video.between draws it) and "weather: rain" over the first half of its frames.
"""

from __future__ import annotations

import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from counting import counting_sandbox  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "annobridge-bench-cache"
PROJECT_NAME = "Bench videos"
WIDTH, HEIGHT, FPS = 64, 48, Fraction(30000, 1001)
KEY_EVERY = 10  # a box set by hand every 10th frame, the straight line between


def car_track(number: int, frames: int) -> list:
    """The FrameShapes of video `number`'s car: a hand-set box every KEY_EVERY frames and on the last, the straight
    line (annobridge.video.between) on the frames between, every frame of the video covered.

    >>> track = car_track(3, 25)
    >>> len(track), [f.frame for f in track if f.keyframe]
    (25, [0, 10, 20, 24])
    """
    from annobridge.annotations import Rectangle
    from annobridge.video import FrameShape, between

    def box(frame: int) -> Rectangle:
        return Rectangle(x=(number * 7 + frame * 3) % (WIDTH - 20), y=(number + frame // KEY_EVERY * 5) % (HEIGHT - 14),
                         width=12 + frame % 8, height=10 + frame // KEY_EVERY % 4)

    keys = [FrameShape(frame=f, shape=box(f)) for f in [*range(0, frames - 1, KEY_EVERY), frames - 1]]
    track = []
    for a, b in zip(keys, keys[1:]):
        track.append(a)
        track += [FrameShape(frame=f, shape=between(a, b, f), keyframe=False) for f in range(a.frame + 1, b.frame)]
    return track + [keys[-1]]


def labels_of(video: Any, number: int) -> Any:
    """The VideoAnnotation written onto a listed video: its car, and "weather: rain" over its first half."""
    from annobridge.video import FrameRange, VideoAnnotation, VideoObject, VideoTag

    return VideoAnnotation(
        item=video.id, width=video.width, height=video.height, frames_count=video.frames_count, fps=video.fps,
        objects=[VideoObject(class_name="car", frames=car_track(number, video.frames_count))],
        tags=[VideoTag(name="weather", value="rain", frames=FrameRange(start=0, end=video.frames_count // 2))],
    )


def seed(path: Path, videos: int, frames: int) -> int:
    """Make the source project through annobridge in a fresh sandbox over `path`; its project id."""
    import annobridge
    from annobridge.testing.conformance import VIDEO_SCHEMA
    from annobridge.testing.videos import write_test_video

    with (counting_sandbox(path) as sandbox, tempfile.TemporaryDirectory(prefix="annobridge-clips-") as folder,
          annobridge.connect("supervisely+" + sandbox.server_address, token=sandbox.token) as sv):
        project = sv.projects.create(PROJECT_NAME, schema=VIDEO_SCHEMA)
        clips = [write_test_video(Path(folder) / f"clip_{n:04d}.mp4", frames_count=frames, fps=FPS, width=WIDTH,
                                  height=HEIGHT, shade=20 + (2 * n) % 220) for n in range(videos)]
        for start in range(0, videos, 50):
            sv.videos.add(project.id, clips[start : start + 50])
        listed = sorted(sv.videos.list(project_id=project.id), key=lambda v: v.name)
        wrong = [v.name for v in listed if (v.width, v.height, v.frames_count, v.fps) != (WIDTH, HEIGHT, frames, FPS)]
        if len(listed) != videos or wrong:
            raise RuntimeError(f"seeding: {len(listed)} videos listed for {videos}; not as made: {wrong[:5]}")
        for start in range(0, videos, 20):
            sv.videos.write(project.id, [labels_of(v, start + n) for n, v in enumerate(listed[start : start + 20])])
        return int(project.id)


def seeded(videos: int, frames: int) -> tuple[Path, int]:
    """The cached sandbox database holding the source project (made once per size) and the project's id."""
    import sqlite3

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"sv-videos-{videos}x{frames}-v1.sqlite"
    started = time.perf_counter()
    if not path.exists():
        with tempfile.TemporaryDirectory(prefix="annobridge-seed-") as folder:
            fresh = Path(folder) / "seed.sqlite"
            seed(fresh, videos, frames)
            partial = path.with_suffix(".partial")
            with sqlite3.connect(fresh) as source, sqlite3.connect(partial) as copy:
                source.backup(copy)  # one file, whatever the sandbox left in its WAL
            partial.replace(path)
    with sqlite3.connect(path) as conn:
        (project_id,) = conn.execute("SELECT id FROM projects WHERE name = ?", (PROJECT_NAME,)).fetchone()
    print(f"sandbox database with {videos} videos x {frames} frames ready in {time.perf_counter() - started:.1f}s",
          file=sys.stderr, flush=True)
    return path, project_id
