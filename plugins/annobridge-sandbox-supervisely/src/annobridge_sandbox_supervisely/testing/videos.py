"""Test videos made on the spot: a few seconds of generated frames (a square moving on a plain background) as mp4."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class WrittenVideo:
    """What was written: the file, its frame count, rate and size, and the square's box on every frame."""

    path: Path
    frames_count: int
    fps: int
    width: int
    height: int
    boxes: tuple[tuple[int, int, int, int], ...]  # (left, top, right, bottom) per frame, inclusive


def square_box(index: int, width: int, height: int, side: int) -> tuple[int, int, int, int]:
    """Where the square is on frame `index`: it moves right and down by 2 px a frame, wrapping inside the picture."""
    left = (4 + 2 * index) % (width - side)
    top = (3 + index) % (height - side)
    return left, top, left + side - 1, top + side - 1


def write_square_video(
    path: Path, *, frames_count: int = 48, fps: int = 24, width: int = 160, height: int = 96, side: int = 24,
    shade: int = 40,
) -> WrittenVideo:
    """Encode `frames_count` generated frames as mp4 (mp4v) with OpenCV; `shade` tints the background."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write mp4v video to {path}")
    boxes = []
    try:
        for index in range(frames_count):
            frame = np.full((height, width, 3), shade, dtype=np.uint8)
            left, top, right, bottom = square_box(index, width, height, side)
            frame[top : bottom + 1, left : right + 1] = (30, 200, 240)
            writer.write(frame)
            boxes.append((left, top, right, bottom))
    finally:
        writer.release()
    return WrittenVideo(Path(path), frames_count, fps, width, height, tuple(boxes))
