"""Draws the demo photos: lemons (yellow ellipses) and cut kiwis (brown rim, green flesh) on a wooden table, with masks."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw


@dataclass(frozen=True)
class Fruit:
    """One fruit: kind ("lemon" or "kiwi") and its ellipse (centre and radii, pixels)."""

    kind: str
    cx: int
    cy: int
    rx: int
    ry: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the ellipse."""
        return (self.cx - self.rx, self.cy - self.ry, self.cx + self.rx, self.cy + self.ry)


def place(rng: np.random.Generator, width: int, height: int, kinds: list[str]) -> list[Fruit]:
    """Fruits of the given kinds at random, non-overlapping places inside the picture."""
    fruits: list[Fruit] = []
    for kind in kinds:
        for _ in range(500):
            r = int(rng.integers(45, 95))
            rx, ry = (int(r * 1.3), r) if kind == "lemon" else (r, int(r * 0.9))
            cx = int(rng.integers(rx + 5, width - rx - 5))
            cy = int(rng.integers(ry + 5, height - ry - 5))
            fruit = Fruit(kind, cx, cy, rx, ry)
            if all(_apart(fruit, other) for other in fruits):
                fruits.append(fruit)
                break
        else:
            raise RuntimeError(f"no room for another {kind} on a {width}x{height} picture")
    return fruits


def _apart(a: Fruit, b: Fruit) -> bool:
    return (a.cx - b.cx) ** 2 + (a.cy - b.cy) ** 2 > (max(a.rx, a.ry) + max(b.rx, b.ry) + 6) ** 2


def draw(width: int, height: int, fruits: list[Fruit], rng: np.random.Generator) -> tuple[bytes, list[np.ndarray]]:
    """(JPEG bytes, one bool mask per fruit) of a table with the fruits on it."""
    img = Image.fromarray(_table(width, height, rng))
    pen = ImageDraw.Draw(img)
    for fruit in fruits:
        (_lemon if fruit.kind == "lemon" else _kiwi)(pen, fruit, rng)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue(), [_mask(width, height, fruit) for fruit in fruits]


def _table(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    grain = 14 * np.sin(y / 6.0 + 2.5 * np.sin(x / 85.0)) + rng.normal(0, 5, (height, width))
    base = np.array([176, 128, 84], dtype=np.float32)
    return np.clip(base + grain[..., None] * np.array([1.0, 0.8, 0.55]), 0, 255).astype(np.uint8)


def _shrink(fruit: Fruit, k: float, dx: int = 0, dy: int = 0) -> tuple[int, int, int, int]:
    rx, ry = fruit.rx * k, fruit.ry * k
    return (int(fruit.cx + dx - rx), int(fruit.cy + dy - ry), int(fruit.cx + dx + rx), int(fruit.cy + dy + ry))


def _lemon(pen: ImageDraw.ImageDraw, fruit: Fruit, rng: np.random.Generator) -> None:
    pen.ellipse(fruit.box, fill=(214, 172, 18))
    pen.ellipse(_shrink(fruit, 0.9), fill=(246, 214, 44))
    pen.ellipse(_shrink(fruit, 0.3, -fruit.rx // 3, -fruit.ry // 3), fill=(255, 240, 150))


def _kiwi(pen: ImageDraw.ImageDraw, fruit: Fruit, rng: np.random.Generator) -> None:
    pen.ellipse(fruit.box, fill=(112, 78, 42))
    pen.ellipse(_shrink(fruit, 0.86), fill=(118, 168, 38))
    pen.ellipse(_shrink(fruit, 0.28), fill=(228, 232, 182))
    for angle in np.linspace(0, 2 * np.pi, 18, endpoint=False) + rng.uniform(0, 0.3):
        sx = fruit.cx + 0.45 * fruit.rx * np.cos(angle)
        sy = fruit.cy + 0.45 * fruit.ry * np.sin(angle)
        pen.ellipse((sx - 3, sy - 2, sx + 3, sy + 2), fill=(20, 16, 10))


def _mask(width: int, height: int, fruit: Fruit) -> np.ndarray:
    layer = Image.new("L", (width, height), 0)
    ImageDraw.Draw(layer).ellipse(fruit.box, fill=1)
    return np.array(layer, dtype=bool)
