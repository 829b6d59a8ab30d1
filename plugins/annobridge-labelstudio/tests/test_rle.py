"""annobridge_labelstudio.rle against label_studio_sdk.converter.brush: byte-identical output, strict input."""

from __future__ import annotations

import numpy as np
import pytest
from annobridge_labelstudio import rle
from hypothesis import given, settings
from hypothesis import strategies as st
from label_studio_sdk.converter import brush

from annobridge.errors import ValidationError

# Runs of every length class the encoder distinguishes, including the 65536 split.
RUN_LENGTHS = [1, 2, 8, 9, 16, 17, 255, 256, 257, 65535, 65536, 65537, 131072, 131073, 200_000]


@st.composite
def byte_runs(draw):
    """A flat uint8 array made of runs, some long enough to need the 16-bit form."""
    runs = draw(
        st.lists(
            st.tuples(
                st.integers(0, 255), st.one_of(st.integers(1, 20), st.integers(1, 300), st.sampled_from(RUN_LENGTHS))
            ),
            min_size=1,
            max_size=12,
        )
    )
    return np.concatenate([np.full(n, v, dtype=np.uint8) for v, n in runs])


@given(byte_runs())
@settings(max_examples=150, deadline=None)
def test_encode_matches_the_sdk_byte_for_byte(values):
    assert rle.encode(values) == brush.encode_rle(values)


@given(byte_runs())
@settings(max_examples=60, deadline=None)
def test_decode_matches_the_sdk_and_inverts_encode(values):
    encoded = brush.encode_rle(values)
    decoded = rle.decode(encoded)
    assert decoded.dtype == np.uint8
    np.testing.assert_array_equal(decoded, values)
    if values.size < 5000:  # the SDK's bit-string decoder is slow
        np.testing.assert_array_equal(decoded, brush.decode_rle(encoded))


@given(st.integers(1, 40), st.integers(1, 40), st.data())
@settings(max_examples=80, deadline=None)
def test_mask_to_rle_matches_mask2rle(width, height, data):
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=width * height, max_size=width * height))).reshape(
        height, width
    )
    assert rle.mask_to_rle(mask) == brush.mask2rle(mask.astype(np.uint8) * 255)
    np.testing.assert_array_equal(rle.rle_to_mask(rle.mask_to_rle(mask), width, height), mask)


def test_integer_masks_are_written_as_their_values_like_mask2rle():
    mask = np.array([[0, 1, 200], [200, 200, 0]], dtype=np.uint8)
    assert rle.mask_to_rle(mask) == brush.mask2rle(mask)
    assert rle.rle_to_alpha(rle.mask_to_rle(mask), 3, 2).tolist() == mask.tolist()


def test_literal_blocks_and_other_word_sizes_decode():
    # A hand-made stream: 5 values, word size 4, literal block of 3 then a run of 2 of value 9.
    bits = f"{5:032b}" + f"{3:05b}" + "".join(f"{s - 1:04b}" for s in (3, 4, 8, 16))
    bits += "0" + "00" + f"{2:03b}" + "0001" + "0010" + "0011"  # literal: 1, 2, 3
    bits += "1" + "00" + f"{1:03b}" + "1001"  # run: 9, 9
    bits += "0" * (-len(bits) % 8)
    stream = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
    assert rle.decode(stream).tolist() == brush.decode_rle(stream).tolist() == [1, 2, 3, 9, 9]


def test_an_empty_image_and_a_full_one():
    for mask in (np.zeros((3, 5), bool), np.ones((3, 5), bool)):
        assert rle.mask_to_rle(mask) == brush.mask2rle(mask.astype(np.uint8) * 255)


@pytest.mark.parametrize(
    "bad, message",
    [
        ([0, 0, 1], "too short"),
        ("abc", "string"),
        ([0, 0, 0, 8, 57, 27, 999], "bytes"),
        ([[0, 1]], "flat"),
        ([1.5, 2.0], "flat list of integers"),
        (brush.encode_rle(np.zeros(40, np.uint8))[:-3], "truncated"),
        (brush.encode_rle(np.zeros(40, np.uint8)) + [0, 0, 7], "unexpected data"),
        (brush.encode_rle(np.zeros(40, np.uint8))[:-1] + [255], "unexpected data"),
    ],
)
def test_malformed_rle_is_refused_with_a_reason(bad, message):
    with pytest.raises(rle.RLEError, match=message):
        rle.decode(bad)


def test_a_run_past_the_declared_length_is_refused():
    stream = brush.encode_rle(np.zeros(40, np.uint8))
    shorter = [0, 0, 0, 20] + stream[4:]  # same tokens, header now says 20 values
    with pytest.raises(rle.RLEError, match="overruns"):
        rle.decode(shorter)


def test_word_sizes_over_a_byte_are_refused():
    header = f"{1:032b}" + f"{15:05b}" + "0010001101111111" + "000"
    stream = [int(header[i : i + 8], 2) for i in range(0, 56, 8)] + [0, 0, 0]
    with pytest.raises(rle.RLEError, match="word size 16"):
        rle.decode(stream)


def test_size_mismatch_names_the_image_before_decoding():
    stream = rle.mask_to_rle(np.ones((4, 4), bool))
    with pytest.raises(rle.RLEError, match=r"5x4 image: RLE declares 64 values, expected 80"):
        rle.rle_to_mask(stream, 5, 4)


def test_rle_errors_are_validation_errors():
    assert issubclass(rle.RLEError, ValidationError)


def test_encoding_refuses_non_bytes():
    with pytest.raises(rle.RLEError):
        rle.encode([0, 256])
    with pytest.raises(rle.RLEError):
        rle.mask_to_rle(np.zeros(4, bool))
