"""Reads of a few runs of items that decompress only the blocks they touch."""

import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import zarr
from zarr.ext import Chunk, CorruptChunkError, StoreChunk, SynchronizedChunk
from zarr.storage import LocalStore

from arrays import basic_selections

# 512 KB chunks in blocks of 64 KB: a small box touches one or two of eight blocks.
SHAPE = (64, 64, 16)
DATA = np.random.default_rng(3).normal(size=SHAPE).cumsum(axis=2)


def chunk(cls=Chunk, blocksize=8192, **kwargs):
    c = cls(SHAPE, "f8", blocksize=blocksize, **kwargs)
    c[...] = DATA
    return c


@pytest.fixture(scope="module")
def chunks():
    return [chunk(), chunk(SynchronizedChunk), chunk(blocksize=0), chunk(cname="zstd")]


@settings(max_examples=300)
@given(data=st.data())
def test_any_selection_reads_as_numpy(chunks, data):
    sel = data.draw(basic_selections(SHAPE))
    expected = DATA[sel]
    for c in chunks:
        got = c[sel]
        assert np.shape(got) == np.shape(expected)
        np.testing.assert_array_equal(got, expected)
        if isinstance(expected, np.ndarray) and expected.ndim:
            out = np.full(expected.shape, -1.0)
            assert c.read(sel, out) is out
            np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("sel", [
    (slice(3, 13), slice(10, 20), 5),
    (slice(13, 3, -1), slice(20, 10, -2), slice(None)),
    (slice(0, 64, 20), 7, slice(2, 9)),
    (5, slice(None), slice(15, None, -3)),
    (slice(60, 64), slice(62, 64), slice(14, 16)),
])
def test_boxes_and_strided_runs(sel):
    np.testing.assert_array_equal(chunk()[sel], DATA[sel])


def test_result_is_a_copy_not_a_view():
    c = chunk()
    r = c[2:4, 5:7, 1]
    r[...] = 99
    assert c[2, 5, 1] == DATA[2, 5, 1]
    assert r.flags.owndata or r.base is None or r.base.size == r.size


def PersistentChunk(path, *args, **kwargs):
    """A chunk in the file at ``path``: a chunk of a directory store."""
    directory, name = os.path.split(path)
    return StoreChunk(LocalStore(directory), name, *args, **kwargs)


def _path_of(c):
    return c.store.file_path(c.key)


def test_raw_chunks_slice_their_bytes():
    c = chunk(cname=None)
    np.testing.assert_array_equal(c[3:40:7, ::-5, 2], DATA[3:40:7, ::-5, 2])
    with pytest.raises(CorruptChunkError):
        Chunk(SHAPE, "f8", cname=None).set_cdata(b"\0" * 10)


def test_a_corrupt_file_raises_before_any_block_is_read(tmp_path):
    path = str(tmp_path / "0")
    c = PersistentChunk(path, SHAPE, "f8", blocksize=8192)
    c[...] = DATA
    np.testing.assert_array_equal(c[1:3, 4:6, 7], DATA[1:3, 4:6, 7])
    frame = bytearray(open(path, "rb").read())
    # a block start that points past the end of the frame
    frame[16:20] = (len(frame) + 1000).to_bytes(4, "little")
    with open(path, "wb") as f:
        f.write(bytes(frame))
    with pytest.raises(CorruptChunkError, match=os.path.basename(path)):
        c[1:3, 4:6, 7]
    with open(path, "wb") as f:
        f.write(bytes(frame[:40]))
    with pytest.raises(CorruptChunkError):
        c[1:3, 4:6, 7]


def test_arrays_read_boxes_through_it(tmp_path):
    a = np.random.default_rng(0).normal(size=(300, 2500)).cumsum(axis=1)
    for z in (zarr.array(a, chunks=(100, 2500)),
              zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=a.shape, chunks=(100, 2500))):
        z[...] = a
        for i, j in [(0, 0), (95, 2495), (150, 1000), (290, 7)]:
            np.testing.assert_array_equal(z[i:i + 10, j:j + 10], a[i:i + 10, j:j + 10])
        np.testing.assert_array_equal(z[::37, 100:3000:250], a[::37, 100:3000:250])


# Chunk files: small reads take only the blocks they need from the file.


@pytest.fixture(scope="module")
def file_chunk(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("part") / "0.0")
    c = PersistentChunk(path, SHAPE, "f8", blocksize=8192)
    c[...] = DATA
    return c


@settings(max_examples=300)
@given(data=st.data())
def test_file_reads_of_any_selection_match_numpy(file_chunk, data):
    sel = data.draw(basic_selections(SHAPE))
    expected = DATA[sel]
    got = file_chunk[sel]
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_array_equal(got, expected)


def test_file_reads_only_the_blocks_needed(file_chunk, monkeypatch):
    read = []
    real_pread, real_preadv = os.pread, os.preadv

    def pread(fd, n, offset):
        read.append(n)
        return real_pread(fd, n, offset)

    def preadv(fd, buffers, offset):
        read.append(sum(len(b) for b in buffers))
        return real_preadv(fd, buffers, offset)

    monkeypatch.setattr(os, "pread", pread)
    monkeypatch.setattr(os, "preadv", preadv)
    assert file_chunk[40, 7, 3] == DATA[40, 7, 3]
    size = os.path.getsize(_path_of(file_chunk))
    assert 0 < sum(read) < size / 4


def _corrupt_copy(file_chunk, tmp_path, edit):
    frame = bytearray(open(_path_of(file_chunk), "rb").read())
    edit(frame)
    path = str(tmp_path / "bad")
    with open(path, "wb") as f:
        f.write(bytes(frame))
    return PersistentChunk(path, SHAPE, "f8", blocksize=8192)


def test_a_corrupt_block_read_in_part_raises_naming_the_file(file_chunk, tmp_path):
    def zero_the_first_split_length_of_block_3(frame):
        start = int.from_bytes(frame[16 + 12:16 + 16], "little")
        frame[start:start + 4] = b"\xff\xff\xff\x7f"

    c = _corrupt_copy(file_chunk, tmp_path, zero_the_first_split_length_of_block_3)
    nitems_per_block = 65536 // 8
    with pytest.raises(CorruptChunkError, match="bad.*block 3"):
        c[np.unravel_index(3 * nitems_per_block + 5, SHAPE)]
    # blocks that are sound still read
    assert c[0, 0, 1] == DATA[0, 0, 1]


@pytest.mark.parametrize("edit", [
    lambda f: f.__setitem__(slice(16, 20), (10 ** 9).to_bytes(4, "little")),  # block 0 far out
    lambda f: f.__setitem__(slice(16, 20), (3).to_bytes(4, "little")),  # block 0 in the header
    lambda f: f.__delitem__(slice(len(f) - 100, None)),  # truncated
    lambda f: f.__setitem__(slice(12, 16), (5).to_bytes(4, "little")),  # cbytes lies
])
def test_bad_tables_and_sizes_raise(file_chunk, tmp_path, edit):
    c = _corrupt_copy(file_chunk, tmp_path, edit)
    with pytest.raises(CorruptChunkError):
        c[0, 0, 1]


@pytest.mark.parametrize("blocksize", [None, 16384, 4096])
def test_boxes_in_the_last_partial_block_of_a_file(tmp_path, blocksize):
    # 100 x 2500 float64 is 2 MB: with blocksize 16384, 15 blocks of 128 KB
    # and a partial 16th.
    a = np.random.default_rng(5).normal(size=(100, 2500)).cumsum(axis=1)
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=a.shape, chunks=a.shape,
                  blocksize=blocksize)
    z[...] = a
    for i, j in [(90, 2490), (99, 0), (0, 0), (45, 1200)]:
        np.testing.assert_array_equal(z[i:i + 10, j:j + 10], a[i:i + 10, j:j + 10])
        assert z[i, j] == a[i, j]
    np.testing.assert_array_equal(z[95:, ::100], a[95:, ::100])
