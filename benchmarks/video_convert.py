"""Video annotation conversion in frames a second: Supervisely video JSON -> neutral -> Label Studio tracks, and back.

    .venv/bin/python benchmarks/video_convert.py [--videos 100] [--frames 300] [--quick]

Each video (1280x720, 30000/1001 fps) holds one car tracked over every frame: a hand-set box every 10th frame
and the straight line between, as a tracker or Label Studio's interpolation leaves it, plus a frame-range tag.
The Supervisely JSON is made by annobridge's writer from that track, then timed in this process, no server:

1. Supervisely video JSON -> neutral (`video_convert.video_from_supervisely`, every figure a hand-set frame);
2. neutral -> Label Studio `videorectangle` + `timelinelabels` (`video_regions.video_to_labelstudio`);
3. Label Studio results -> neutral (`video_regions.video_from_labelstudio`);
4. neutral -> Supervisely video JSON (`video_convert.video_to_supervisely`).

The best of --repeats runs is kept; the round trip is checked to give back every figure. Migrating video
projects end to end (media included) is not measured here yet. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction

WIDTH, HEIGHT, FPS = 1280, 720, Fraction(30000, 1001)
META = {
    "classes": [{"title": "car", "shape": "rectangle", "color": "#E6194B"}],
    "tags": [{"name": "weather", "value_type": "oneof_string", "values": ["rain", "sun"], "color": "#3CB44B"}],
}
CONFIG = (
    '<View><Video name="video" value="$video"/><VideoRectangle name="box" toName="video"/>'
    '<Labels name="videoLabels" toName="video"><Label value="car"/></Labels>'
    '<TimelineLabels name="weather" toName="video"><Label value="rain"/><Label value="sun"/></TimelineLabels></View>'
)


def supervisely_videos(videos: int, frames: int) -> list[dict]:
    """Supervisely video JSON of `videos` videos, one car each, written by annobridge from a keyframed track."""
    from annobridge.annotations import Rectangle
    from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between
    from annobridge_supervisely.video_convert import video_to_supervisely

    out = []
    for number in range(videos):
        keys = [FrameShape(frame=f, shape=Rectangle(x=(number * 7 + f * 3) % (WIDTH - 200), y=100 + f % 50,
                                                   width=120 + f % 30, height=80))
                for f in range(0, frames, 10)] + [FrameShape(frame=frames - 1, shape=Rectangle(x=5, y=5, width=90,
                                                                                              height=60))]
        track = []
        for a, b in zip(keys, keys[1:]):
            track.append(a)
            track += [FrameShape(frame=f, shape=between(a, b, f), keyframe=False) for f in range(a.frame + 1, b.frame)]
        track.append(keys[-1])
        video = VideoAnnotation(width=WIDTH, height=HEIGHT, frames_count=frames, fps=FPS,
                                objects=[VideoObject(class_name="car", frames=track)],
                                tags=[VideoTag(name="weather", value="rain", frames=FrameRange(start=0,
                                                                                           end=frames // 2))])
        out.append(video_to_supervisely(video, META)[0])
    return out


def measure(data: list[dict], frames: int, repeats: int) -> tuple[dict[str, float], int]:
    """Seconds of each step (best of `repeats`) and the keyframes Label Studio got, checking the round trip."""
    from annobridge_labelstudio.video_regions import video_from_labelstudio, video_to_labelstudio
    from annobridge_supervisely.meta import parse_meta
    from annobridge_supervisely.video_convert import video_from_supervisely, video_to_supervisely

    meta = parse_meta(META)
    best: dict[str, float] = {}
    for _ in range(repeats):
        clock = time.perf_counter()
        neutral = [video_from_supervisely(d, meta, fps=FPS)[0] for d in data]
        t1 = time.perf_counter()
        results = [video_to_labelstudio(v, CONFIG)[0] for v in neutral]
        t2 = time.perf_counter()
        back = [video_from_labelstudio(r, CONFIG, width=WIDTH, height=HEIGHT, frames_count=frames, fps=FPS)[0]
                for r in results]
        t3 = time.perf_counter()
        written = [video_to_supervisely(v, meta)[0] for v in back]
        t4 = time.perf_counter()
        for step, seconds in zip(("sv->neutral", "neutral->ls", "ls->neutral", "neutral->sv"),
                                 (t1 - clock, t2 - t1, t3 - t2, t4 - t3)):
            best[step] = min(best.get(step, seconds), seconds)
    for before, after in zip(data, written):
        figures = [[(f["index"], g["geometry"]) for f in d["frames"] for g in f["figures"]] for d in (before, after)]
        assert figures[0] == figures[1], "the round trip changed a figure"
    return best, sum(len(r["value"]["sequence"]) for track in results for r in track if r["type"] == "videorectangle")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=100)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20 videos, one run")
    args = parser.parse_args(argv)
    if args.quick:
        args.videos, args.repeats = 20, 1
    import label_studio_sdk.label_interface  # noqa: F401  both SDKs loaded before any clock starts
    import supervisely  # noqa: F401

    print(f"making {args.videos} videos of {args.frames} frames", file=sys.stderr, flush=True)
    data = supervisely_videos(args.videos, args.frames)
    seconds, keyframes = measure(data, args.frames, args.repeats)
    total = args.videos * args.frames
    steps = [("Supervisely video JSON -> neutral", "sv->neutral"), ("neutral -> Label Studio tracks", "neutral->ls"),
             ("Label Studio tracks -> neutral", "ls->neutral"), ("neutral -> Supervisely video JSON", "neutral->sv")]
    lines = [f"{args.videos} videos x {args.frames} frames ({total:,} figures), one tracked car and a frame-range "
             f"tag each, {WIDTH}x{HEIGHT}; best of {args.repeats}", "",
             "| step | seconds | frames/s |", "|---|---:|---:|"]
    for title, key in steps:
        lines.append(f"| {title} | {seconds[key]:.2f} | {total / seconds[key]:,.0f} |")
    there = seconds["sv->neutral"] + seconds["neutral->ls"]
    back = seconds["ls->neutral"] + seconds["neutral->sv"]
    lines.append(f"| **Supervisely -> Label Studio** | {there:.2f} | **{total / there:,.0f}** |")
    lines.append(f"| **Label Studio -> Supervisely** | {back:.2f} | **{total / back:,.0f}** |")
    lines += ["", f"Label Studio got {keyframes:,} keyframes: Supervisely stores no keyframes, so every figure "
              "reads as set by hand and becomes one. One process, no server; a whole round trip gives back every "
              "figure."]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
