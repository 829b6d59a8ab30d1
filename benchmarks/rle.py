"""Brush RLE: annobridge_labelstudio.rle against label_studio_sdk.converter.brush (mask2rle, decode_rle), side by side.

Run: .venv/bin/python benchmarks/rle.py [--quick]. Prints a Markdown table: best-of-N wall time of
each encoder and decoder on the same masks, and whether their bytes are identical. A benchmark,
not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from annobridge_labelstudio import rle
from label_studio_sdk.converter import brush


def disc_mask(size: int, count: int, seed: int = 0) -> np.ndarray:
    """`count` random discs on a size x size image; one big disc when count is 1."""
    rng = np.random.default_rng(seed)
    rows, cols = np.ogrid[:size, :size]
    mask = np.zeros((size, size), dtype=bool)
    for _ in range(count):
        cy, cx = rng.integers(0, size, 2) if count > 1 else (size // 2, size // 2)
        radius = size // 3 if count == 1 else rng.integers(size // 100 + 2, size // 20 + 4)
        mask |= (rows - cy) ** 2 + (cols - cx) ** 2 <= radius**2
    return mask


def noise_mask(size: int, seed: int = 0) -> np.ndarray:
    """Salt-and-pepper: the worst case, a run change at almost every pixel."""
    return np.random.default_rng(seed).random((size, size)) < 0.5


def best_of(repeats: int, fn, *args):
    """(best seconds, result) over `repeats` calls."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def row(name: str, mask: np.ndarray, repeats: int, sdk_repeats: int) -> str:
    as_uint8 = mask.astype(np.uint8) * 255
    sdk_enc, sdk_rle = best_of(sdk_repeats, brush.mask2rle, as_uint8)
    our_enc, our_rle = best_of(repeats, rle.mask_to_rle, mask)
    sdk_dec, sdk_values = best_of(sdk_repeats, brush.decode_rle, sdk_rle)
    our_dec, our_values = best_of(repeats, rle.decode, sdk_rle)
    identical = our_rle == sdk_rle and np.array_equal(our_values, sdk_values)
    runs = int(np.count_nonzero(mask.ravel()[1:] != mask.ravel()[:-1])) + 1
    return (
        f"| {name} | {runs:,} | {len(sdk_rle):,} | {_ms(sdk_enc)} | {_ms(our_enc)} | {sdk_enc / our_enc:,.0f}x"
        f" | {_ms(sdk_dec)} | {_ms(our_dec)} | {sdk_dec / our_dec:,.0f}x | {'yes' if identical else 'NO'} |"
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def main(argv: list[str] | None = None) -> int:
    """Print the table; --quick runs the 1024x1024 masks only."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1024x1024 masks only")
    args = parser.parse_args(argv)
    cases = [
        ("1024x1024, one disc", disc_mask(1024, 1), 5, 3),
        ("1024x1024, 300 discs", disc_mask(1024, 300), 5, 3),
        ("1024x1024, noise", noise_mask(1024), 3, 1),
    ]
    if not args.quick:
        cases += [
            ("4096x4096, one disc", disc_mask(4096, 1), 3, 1),
            ("4096x4096, 300 discs", disc_mask(4096, 300), 3, 1),
        ]
    print(
        "| mask | pixel runs | RLE bytes | encode: SDK mask2rle | encode: annobridge | speed-up"
        " | decode: SDK decode_rle | decode: annobridge | speed-up | identical |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, mask, repeats, sdk_repeats in cases:
        print(row(name, mask, repeats, sdk_repeats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
