"""Label Studio brush RLE, encoded and decoded with numpy; byte-identical to label_studio_sdk.converter.brush.

The format (thi-ng's rle-pack, as Label Studio's brush tool writes it) is a bit stream:
a 32-bit value count, a 5-bit word size minus one, four 4-bit run-length field sizes
minus one, then tokens. A token is one flag bit, a 2-bit index into the field sizes and
a count; flag 1 repeats one word count+1 times, flag 0 is followed by count+1 literal
words. A mask is stored as the RGBA bytes of the whole image, so every pixel is four
equal values and the alpha channel carries the mask.

The encoder is fully vectorised. The decoder steps once per token in Python (never
once per bit or per pixel, as the SDK does) and fills the pixels with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from annobridge.errors import ValidationError

__all__ = ["RLEError", "decode", "encode", "mask_to_rle", "rle_to_alpha", "rle_to_mask"]

_WORD = 8
_SIZES = (3, 4, 8, 16)  # run-length field widths the SDK (and Label Studio) write
_HEADER_BITS = 32 + 5 + 4 * 4
_CHUNK = 1 << 16  # the longest run one 16-bit token holds


class RLEError(ValidationError):
    """A brush RLE that is not well formed, or does not fit the image it is for."""


def encode(values: np.ndarray | Sequence[int]) -> list[int]:
    """Encode a flat array of bytes (0..255) as Label Studio RLE; same output as the SDK's encode_rle.

    >>> encode([0, 0, 0, 0, 255, 255, 255, 255])
    [0, 0, 0, 8, 57, 27, 252, 96, 17, 255, 128]
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise RLEError(f"RLE encodes a flat array, got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() > 255):
        raise RLEError("RLE values must be bytes (0..255)")
    return _encode_runs(*_runs(array.astype(np.uint8, copy=False)), array.size)


def mask_to_rle(mask: np.ndarray) -> list[int]:
    """Encode a 2-D mask as Label Studio brush RLE; same output as the SDK's mask2rle.

    A boolean mask is written with alpha 255 where it is set; an integer mask is
    written as its values, the way mask2rle does.

    >>> mask_to_rle(np.array([[False, True]]))
    [0, 0, 0, 8, 57, 27, 252, 96, 17, 255, 128]
    """
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise RLEError(f"a mask must be 2-D, got shape {mask.shape}")
    flat = mask.ravel()
    if flat.dtype == bool:
        flat = flat.astype(np.uint8) * np.uint8(255)
    elif flat.size and (flat.min() < 0 or flat.max() > 255):
        raise RLEError("mask values must be bytes (0..255)")
    values, lengths = _runs(flat.astype(np.uint8, copy=False))
    return _encode_runs(values, lengths * 4, flat.size * 4)  # every pixel is 4 equal RGBA bytes


def decode(rle: Sequence[int] | bytes | np.ndarray, expected: int | None = None) -> np.ndarray:
    """Decode Label Studio RLE to a flat uint8 array; same output as the SDK's decode_rle.

    Raises RLEError, saying what is wrong, for anything that is not a well-formed stream,
    or (with `expected`) that declares a different number of values.

    >>> decode([0, 0, 0, 8, 57, 27, 252, 96, 17, 255, 128]).tolist()
    [0, 0, 0, 0, 255, 255, 255, 255]
    """
    data = _as_bytes(rle)
    total = len(data) * 8
    if total < _HEADER_BITS:
        raise RLEError(f"RLE too short: {len(data)} bytes cannot hold the 53-bit header")
    head = int.from_bytes(data[:7], "big")
    num = head >> 24
    word = ((head >> 19) & 0x1F) + 1
    sizes = [((head >> shift) & 0xF) + 1 for shift in (15, 11, 7, 3)]
    if expected is not None and num != expected:
        raise RLEError(f"RLE declares {num} values, expected {expected}")
    if word > 8:
        raise RLEError(f"RLE word size {word} bits does not fit a byte")
    padded = data + bytes(8)  # every token header can then be read from one 8-byte window
    counts, values, literal = [], [], []  # per token: its count, its run value or its first literal bit
    pos, i = _HEADER_BITS, 0
    while i < num:
        if pos + 3 > total:
            raise RLEError(f"RLE truncated: {i} of {num} values decoded when the data ran out")
        window = int.from_bytes(padded[pos >> 3 : (pos >> 3) + 8], "big")
        left = 64 - (pos & 7)  # bits of the window from this token on
        size = sizes[(window >> (left - 3)) & 3]
        count = ((window >> (left - 3 - size)) & ((1 << size) - 1)) + 1
        if i + count > num:
            raise RLEError(f"RLE run of {count} at value {i} overruns the declared length {num}")
        counts.append(count)
        if (window >> (left - 1)) & 1:
            values.append((window >> (left - 3 - size - word)) & ((1 << word) - 1))
            literal.append(-1)
            pos += 3 + size + word
        else:
            values.append(0)
            literal.append(pos + 3 + size)
            pos += 3 + size + count * word
        i += count
    if pos > total:
        raise RLEError(f"RLE truncated: the last token needs {pos - total} more bits than the data has")
    tail = total - pos
    if tail >= 16 or int.from_bytes(data[-2:], "big") & ((1 << tail) - 1):
        raise RLEError(f"RLE has unexpected data in the {tail} bits after its {num} values")
    return _expand(
        np.asarray(counts, np.int64), np.asarray(values, np.uint8), np.asarray(literal, np.int64), padded, word
    )


def _expand(counts: np.ndarray, values: np.ndarray, literal: np.ndarray, padded: bytes, word: int) -> np.ndarray:
    """Tokens to values: a run is one segment of `count` equal values, a literal block `count` segments of one."""
    is_literal = literal >= 0
    segments = np.where(is_literal, counts, 1)
    first = np.cumsum(segments) - segments  # each token's first segment
    seg_values = np.empty(int(segments.sum()), dtype=np.uint8)
    seg_lengths = np.ones(seg_values.size, dtype=np.int64)
    seg_values[first[~is_literal]] = values[~is_literal]
    seg_lengths[first[~is_literal]] = counts[~is_literal]
    if is_literal.any():
        starts = np.repeat(literal[is_literal], counts[is_literal]) + word * _within(counts[is_literal])
        bits = np.unpackbits(np.frombuffer(padded, dtype=np.uint8))
        weights = (1 << np.arange(word - 1, -1, -1)).astype(np.uint16)
        seg_values[_spans(first[is_literal], counts[is_literal])] = bits[starts[:, None] + np.arange(word)] @ weights
    return np.repeat(seg_values, seg_lengths)


def rle_to_alpha(rle: Sequence[int] | bytes | np.ndarray, width: int, height: int) -> np.ndarray:
    """Decode a brush RLE for a width x height image to its alpha channel, shape (height, width).

    >>> rle_to_alpha(mask_to_rle(np.array([[False, True]])), 2, 1).tolist()
    [[0, 255]]
    """
    try:
        values = decode(rle, expected=width * height * 4)
    except RLEError as exc:
        raise RLEError(f"brush mask for a {width}x{height} image: {exc}") from None
    return values.reshape(height, width, 4)[:, :, 3]


def rle_to_mask(rle: Sequence[int] | bytes | np.ndarray, width: int, height: int) -> np.ndarray:
    """Decode a brush RLE to a boolean mask: set wherever alpha is not 0 (as Label Studio draws it).

    >>> rle_to_mask(mask_to_rle(np.array([[False, True]])), 2, 1).tolist()
    [[False, True]]
    """
    return rle_to_alpha(rle, width, height) > 0


def _as_bytes(rle: Sequence[int] | bytes | np.ndarray) -> bytes:
    if isinstance(rle, (bytes, bytearray)):
        return bytes(rle)
    if isinstance(rle, str):
        raise RLEError("RLE must be a list of byte values, got a string")
    try:
        array = np.asarray(rle)
    except (TypeError, ValueError) as exc:
        raise RLEError(f"RLE must be a list of byte values: {exc}") from None
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise RLEError(f"RLE must be a flat list of integers, got {array.dtype} with shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() > 255):
        raise RLEError(f"RLE values must be bytes (0..255), found {int(array.min())}..{int(array.max())}")
    return array.astype(np.uint8).tobytes()


def _runs(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and lengths of the runs of equal neighbours in a flat array."""
    if not flat.size:
        return np.zeros(0, np.uint8), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    return flat[starts], np.diff(np.append(starts, flat.size))


def _encode_runs(values: np.ndarray, lengths: np.ndarray, num: int) -> list[int]:
    """The SDK's token choice, vectorised: one token per run, long runs split every 65536."""
    if num >= 1 << 32:
        raise RLEError(f"RLE cannot hold {num} values (at most 2**32 - 1)")
    extra = np.where(lengths > 256, (lengths - 1) // _CHUNK, 0)  # full 65536-runs before the last part
    token_run = np.repeat(np.arange(lengths.size), extra + 1)
    last = np.cumsum(extra + 1) - 1  # index of each run's final token
    count = np.full(token_run.size, _CHUNK, dtype=np.uint64)
    count[last] = lengths - extra * _CHUNK
    run_length = lengths[token_run]  # the field width follows the whole run's length, as in the SDK
    selector = np.select([run_length <= 8, run_length <= 16, run_length <= 256], [0, 1, 2], 3).astype(np.uint64)
    size = np.asarray(_SIZES, dtype=np.uint64)[selector]
    single = run_length == 1
    flag = (~single).astype(np.uint64)
    field = np.where(single, 0, count - 1).astype(np.uint64)
    code = (
        (flag << (size + 10)) | (selector << (size + 8)) | (field << np.uint64(8)) | values[token_run].astype(np.uint64)
    )
    header = [(num, 32), (_WORD - 1, 5)] + [(s - 1, 4) for s in _SIZES]
    codes = np.concatenate((np.array([c for c, _ in header], dtype=np.uint64), code))
    widths = np.concatenate((np.array([w for _, w in header], dtype=np.uint64), size + 11))
    return _pack(codes, widths)


def _pack(codes: np.ndarray, widths: np.ndarray) -> list[int]:
    """Concatenate variable-width big-endian codes (each at most 32 bits) into bytes, SDK padding."""
    ends = np.cumsum(widths)
    total = int(ends[-1])
    total += 8 - total % 8  # the SDK always pads, a whole zero byte when already aligned
    starts = ends - widths
    word = starts >> np.uint64(6)
    free = np.uint64(64) - (starts & np.uint64(63))
    fits = widths <= free
    words = np.zeros(total // 64 + 2, dtype=np.uint64)
    head = np.where(fits, codes << np.where(fits, free - widths, 0), codes >> np.where(fits, 0, widths - free))
    np.bitwise_or.at(words, word.astype(np.int64), head)
    spill = ~fits
    if spill.any():
        rest = widths[spill] - free[spill]
        np.bitwise_or.at(words, word[spill].astype(np.int64) + 1, codes[spill] << (np.uint64(64) - rest))
    return list(words.astype(">u8").tobytes()[: total // 8])


def _within(lengths: Sequence[int]) -> np.ndarray:
    """0..n-1 for each n in lengths, concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def _spans(starts: Sequence[int], lengths: Sequence[int]) -> np.ndarray:
    """The indices start..start+n-1 for each (start, n), concatenated."""
    return np.repeat(np.asarray(starts, dtype=np.int64), lengths) + _within(lengths)
