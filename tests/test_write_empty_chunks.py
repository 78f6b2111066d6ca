"""``write_empty_chunks = False``: a write that leaves a chunk holding only the
fill value deletes it, and the array reads exactly as numpy says, bit for bit;
in every kind of chunk (blosc, raw, codec pipelines, v3, objects, shards),
through every way of writing, and in the pickles of an array."""

import pickle

import numpy as np
import pytest
from hypothesis import given, strategies as st

import zarr
from zarr.ext import StoreChunk
from zarr.storage import MemoryStore


def stored_chunks(z):
    return sorted(index for index, _ in z._stored_chunks())


def test_a_chunk_of_the_fill_values_bytes_is_deleted_and_no_other():
    store = MemoryStore()
    c = StoreChunk(store, "0", (4,), "f8", fill_value=0.0)
    c.write_empty = False
    c[...] = 1.0
    assert list(store) == ["0"]
    c[...] = 0.0
    assert list(store) == []
    c[...] = np.array([0.0, -0.0, 0.0, 0.0])  # -0.0 is not the fill value's bytes
    assert list(store) == ["0"] and np.signbit(c[...][1])
    nan = StoreChunk(store, "1", (3,), "f4", fill_value=np.nan)
    nan.write_empty = False
    nan[...] = np.nan
    assert "1" not in store
    other_nan = np.frombuffer(np.array([0x7FC00001], "<u4").tobytes(), "<f4")[0]
    nan[1] = other_nan
    assert "1" in store  # a NaN of other bits is kept, and reads back so
    assert nan[...].view("<u4")[1] == 0x7FC00001


@pytest.mark.parametrize("options", [
    {},
    {"compressor": None},
    {"compressor": zarr.Zstd(level=1)},
    {"filters": [zarr.Delta("<i4")], "compressor": zarr.Zlib()},
    {"zarr_format": 3},
    {"zarr_format": 3, "shards": (4, 6)},
])
def test_every_write_path_reads_as_numpy(options):
    z = zarr.open(MemoryStore(), mode="w", shape=(8, 12), chunks=(2, 3), dtype="i4",
                  fill_value=7, **options)
    z.write_empty_chunks = False
    want = np.full((8, 12), 7, "i4")
    writes = [
        ((slice(None), slice(None)), np.arange(96).reshape(8, 12)),  # whole chunks
        ((slice(0, 4), slice(0, 6)), 7),  # a constant: whole chunks of the fill value
        ((slice(1, 3), slice(2, 5)), 7),  # partial chunks back to the fill value
        ((slice(4, 8), slice(None)), np.full((4, 12), 7)),  # full bands
        ((5, 5), 9),
        ((5, 5), 7),
        ((slice(None), slice(None)), 7),
    ]
    for sel, value in writes:
        z[sel] = value
        want[sel] = value
        np.testing.assert_array_equal(z[...], want)
        grid = [(i, j) for i in range(4) for j in range(4)
                if (want[2 * i:2 * i + 2, 3 * j:3 * j + 3] != 7).any()]
        if "shards" not in options:
            assert stored_chunks(z) == grid
    assert z.nchunks_initialized == 0


def test_object_arrays_drop_chunks_of_their_fill_value():
    z = zarr.open(MemoryStore(), mode="w", shape=(6,), chunks=(2,), dtype=str, fill_value="")
    z.write_empty_chunks = False
    z[...] = ["a", "", "", "", "b", ""]
    assert stored_chunks(z) == [(0,), (2,)]
    z[0] = ""
    assert stored_chunks(z) == [(2,)]
    assert z[...].tolist() == ["", "", "", "", "b", ""]


def test_the_setting_travels_with_pickles(tmp_path):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(4,), chunks=(2,))
    z.write_empty_chunks = False
    m = zarr.zeros(4, chunks=2)
    m.write_empty_chunks = False
    for a in (z, m):
        b = pickle.loads(pickle.dumps(a))
        assert b.write_empty_chunks is False
        b[...] = 0
        assert b.nchunks_initialized == 0
    with pytest.raises(TypeError):
        z.write_empty_chunks = 0


@given(writes=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 12),
                                 st.sampled_from([0.0, 1.0, -0.0, np.nan])), max_size=12))
def test_reads_as_numpy_after_any_writes(writes):
    z = zarr.zeros(12, chunks=3, dtype="f8")
    z.write_empty_chunks = False
    want = np.zeros(12)
    for start, stop, value in writes:
        z[start:stop] = value
        want[start:stop] = value
    assert z[...].tobytes() == want.tobytes()
    kept = {i // 3 for i in range(12) if want[i:i + 1].tobytes() != b"\0" * 8}
    assert {i for (i,) in stored_chunks(z)} == kept
