"""What a video file is, read with PyAV (imported here only): its size, its exact frame count and its exact rate."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from annobridge.errors import ValidationError

__all__ = ["INFO_KEY", "VideoFacts", "probe_video"]

INFO_KEY = "video_info"  # the task data field holding a video's facts (and its name), written by videos.add


@dataclass(frozen=True)
class VideoFacts:
    """A video's width and height in pixels, how many frames it has, and its frames per second, exact."""

    width: int
    height: int
    frames_count: int
    fps: Fraction

    def as_info(self) -> dict[str, int | str]:
        """The facts as a task's `video_info` holds them: the rate as "n/d" text, so it stays exact in JSON.

        >>> VideoFacts(64, 48, 90, Fraction(30000, 1001)).as_info()
        {'width': 64, 'height': 48, 'frames_count': 90, 'fps': '30000/1001'}
        """
        return {"width": self.width, "height": self.height, "frames_count": self.frames_count, "fps": str(self.fps)}

    @classmethod
    def of_task(cls, data: dict[str, Any]) -> VideoFacts | None:
        """The facts a task's data holds under INFO_KEY; None when it holds none (or not all of them, or bad ones).

        >>> VideoFacts.of_task({"video_info": {"width": 64, "height": 48, "frames_count": 9, "fps": "24"}}).fps
        Fraction(24, 1)
        """
        info = data.get(INFO_KEY)
        if not isinstance(info, dict):
            return None
        try:
            facts = cls(width=int(info["width"]), height=int(info["height"]), frames_count=int(info["frames_count"]),
                        fps=Fraction(str(info["fps"])))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return None
        return facts if min(facts.width, facts.height, facts.frames_count) > 0 and facts.fps > 0 else None


def probe_video(path: str | Path, what: str | None = None) -> VideoFacts:
    """The facts of the first video stream of the file; ValidationError naming `what` (else the path) when PyAV
    cannot read it as a video. The frame count is the container's when it gives one, else the packets counted."""
    import av

    what = what or str(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValidationError(f"{what} holds no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            width, height = stream.codec_context.width, stream.codec_context.height
            frames = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
    except av.error.FFmpegError as exc:
        raise ValidationError(f"{what} is not a video PyAV can read: {exc}") from None
    if not rate or not width or not height or not frames:
        raise ValidationError(f"{what}: no frame rate, size or frames could be read from it")
    return VideoFacts(width=int(width), height=int(height), frames_count=int(frames), fps=Fraction(rate))
