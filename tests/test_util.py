"""Shapes, chunk shapes and sizes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarr.util import (
    guess_chunks,
    human_readable_size,
    normalize_chunks,
    normalize_resize,
    normalize_shape,
)


@pytest.mark.parametrize("given_,expected", [
    (5, (5,)), (1e8, (100000000,)), ((1e8, 1e7), (100000000, 10000000)), ((), ()),
    ([3, np.int64(4)], (3, 4)), (np.int32(7), (7,)), ((0, 2.0), (0, 2)),
])
def test_normalize_shape(given_, expected):
    assert normalize_shape(given_) == expected
    assert all(type(n) is int for n in normalize_shape(given_))


@pytest.mark.parametrize("bad,error", [
    (1.5, TypeError), ((2, float("nan")), TypeError), (-1, ValueError), ("10", TypeError),
    (None, TypeError), ((True, 2), TypeError), (float("inf"), TypeError),
])
def test_normalize_shape_errors(bad, error):
    with pytest.raises(error):
        normalize_shape(bad)


@given(st.lists(st.integers(0, 10**6), max_size=4), st.sampled_from([1, 2, 4, 8, 16]))
def test_guessed_chunks_are_about_a_megabyte(shape, itemsize):
    chunks = guess_chunks(shape, itemsize)
    assert len(chunks) == len(shape)
    assert all(1 <= c <= max(1, n) for c, n in zip(chunks, shape))
    nbytes = int(np.prod(chunks)) * itemsize
    assert nbytes <= 1 << 20 or all(c == 1 for c in chunks)
    # Not needlessly small: doubling any dimension that was cut would pass the target.
    whole = int(np.prod([max(1, n) for n in shape])) * itemsize
    assert nbytes > (1 << 20) // 2 ** len(shape) // 2 or nbytes == whole


def test_guessed_chunks_keep_rows_whole_when_they_can():
    assert guess_chunks((10**6, 100), 8) == (977, 100)   # 781 KB; 1954 rows would be 1.5 MB
    assert guess_chunks((100,), 8) == (100,)
    assert guess_chunks((0, 5), 4) == (1, 5)
    assert guess_chunks((), 8) == ()


@pytest.mark.parametrize("chunks,expected", [
    (None, (313, 500)), (100, (100, 100)), ((10, None), (10, 1000)), ((-1, 7), (10000, 7)),
    ((2.0, 3), (2, 3)), ([5, np.int16(5)], (5, 5)),
])
def test_normalize_chunks(chunks, expected):
    assert normalize_chunks(chunks, (10000, 1000), 4) == expected


@pytest.mark.parametrize("chunks,error", [
    ((0, 5), ValueError), ((5,), ValueError), ((5, 5, 5), ValueError), ((1.5, 2), TypeError),
    ((-2, 5), ValueError), (("a", 5), TypeError),
])
def test_normalize_chunks_errors(chunks, error):
    with pytest.raises(error):
        normalize_chunks(chunks, (10, 10), 4)


def test_normalize_resize():
    assert normalize_resize((3, 4), 2) == (3, 4)
    assert normalize_resize(((3, 4),), 2) == (3, 4)
    assert normalize_resize((5,), 1) == (5,)
    assert normalize_resize(([5],), 1) == (5,)
    with pytest.raises(ValueError):
        normalize_resize((3,), 2)


@pytest.mark.parametrize("nbytes,text", [
    (0, "0"), (1023, "1023"), (1024, "1.0K"), (40_000_000, "38.1M"), (2_000_000, "1.9M"),
    (4 * 10**15, "3.6P"), (1024**3 * 5.5, "5.5G"), (1024**2 - 1, "1.0M"), (1024**6, "1024.0P"),
])
def test_human_readable_size(nbytes, text):
    assert human_readable_size(nbytes) == text
