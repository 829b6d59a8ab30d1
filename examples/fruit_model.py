"""A toy fruit detector standing in for a model: colour thresholds and connected regions -> neutral boxes.

>>> ann = detect(photos()[0])                              # doctest: +SKIP
>>> sorted({o.class_name for o in ann.objects})            # doctest: +SKIP
['kiwi']
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np

from annobridge.annotations import ItemAnnotation, ObjectAnnotation, ObjectOrigin, Rectangle

VERSION = "fruit-colours-1"
STEP = 4  # look at every 4th pixel: plenty for fruit 90 px and more across
MIN_CELLS = 40  # regions smaller than this (in sampled cells) are noise
KIWI_RIM = 1 / 0.86  # the thresholds see the green flesh; the brown rim around it is 14 % wider


def _masks(rgb: np.ndarray) -> dict[str, np.ndarray]:
    r, g, b = (rgb[..., k].astype(int) for k in range(3))
    return {
        "lemon": (r > 200) & (g > 160) & (b < 120),  # yellow peel
        "kiwi": (g > r + 30) & (g > b + 60),  # green flesh
    }


def _regions(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """(left, top, right, bottom, cells) of each 4-connected region of a sampled mask, in grid cells."""
    seen = np.zeros_like(mask, dtype=bool)
    found = []
    height, width = mask.shape
    for y0, x0 in zip(*np.nonzero(mask)):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        queue, box, cells = deque([(y0, x0)]), [x0, y0, x0, y0], 0
        while queue:
            y, x = queue.popleft()
            cells += 1
            box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
        found.append((int(box[0]), int(box[1]), int(box[2]), int(box[3]), cells))
    return found


def detect(path: str | Path) -> ItemAnnotation:
    """The fruits on one photo as boxes (origin "model"), the way a detector's output would come.

    >>> detect("examples/data/lemons/IMG_2084.jpeg").objects[0].class_name   # doctest: +SKIP
    'lemon'
    """
    from PIL import Image  # Pillow comes with either vendor SDK

    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"))
    height, width = rgb.shape[:2]
    objects = []
    for name, mask in _masks(rgb).items():
        for left, top, right, bottom, cells in _regions(mask[::STEP, ::STEP]):
            if cells < MIN_CELLS:
                continue
            x0, y0, x1, y1 = left * STEP, top * STEP, (right + 1) * STEP, (bottom + 1) * STEP
            if name == "kiwi":
                cx, cy, half_w, half_h = (
                    (x0 + x1) / 2,
                    (y0 + y1) / 2,
                    (x1 - x0) * KIWI_RIM / 2,
                    (y1 - y0) * KIWI_RIM / 2,
                )
                x0, y0, x1, y1 = round(cx - half_w), round(cy - half_h), round(cx + half_w), round(cy + half_h)
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
            box = Rectangle(x=x0, y=y0, width=x1 - x0, height=y1 - y0)
            objects.append(ObjectAnnotation(class_name=name, shape=box, origin=ObjectOrigin.MODEL))
    return ItemAnnotation(item=Path(path).name, width=width, height=height, objects=objects)
