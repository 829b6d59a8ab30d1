"""Test videos made on the spot with PyAV (which ships its own ffmpeg): a square moving over a plain background."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

__all__ = ["write_test_video"]


def write_test_video(
    path: str | Path, *, frames_count: int = 24, fps: Fraction | int | str = 24, width: int = 64, height: int = 48,
    shade: int = 40,
) -> Path:
    """Encode `frames_count` frames of `width` x `height` at `fps` as MPEG-4 in an mp4; `shade` tints the background,
    so two videos made with different shades differ in their bytes.

    >>> import tempfile, pathlib
    >>> write_test_video(pathlib.Path(tempfile.mkdtemp()) / "clip.mp4", frames_count=3).stat().st_size > 0
    True
    """
    import av
    import numpy as np

    path = Path(path)
    side = max(2, min(width, height) // 4)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames_count):
            pixels = np.full((height, width, 3), shade, dtype=np.uint8)
            left, top = (2 * index) % (width - side), index % (height - side)
            pixels[top : top + side, left : left + side] = (240, 200, 30)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode(None))
    return path
