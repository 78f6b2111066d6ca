"""Chunk and SynchronizedChunk: reads and writes against numpy, fill values,
fast paths, errors and threads."""

import pickle
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, strategies as st

from zarr.ext import Chunk, CorruptChunkError, SynchronizedChunk, compress

from dtypes import DTYPES, sample
from threads import run_in_threads

CHUNK_CLASSES = [Chunk, SynchronizedChunk]


@st.composite
def index_for(draw, shape):
    """A valid basic numpy index for shape: ints, slices with any step, Ellipsis."""
    items = []
    for n in shape:
        if draw(st.booleans()):
            items.append(draw(st.integers(-n, n - 1)))
        else:
            bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
            step = st.one_of(st.none(), st.integers(-3, 3).filter(bool))
            items.append(slice(draw(bound), draw(bound), draw(step)))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(items)))
        stop = draw(st.integers(start, len(items)))
        items[start:stop] = [Ellipsis]
    else:
        del items[draw(st.integers(0, len(items))):]
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


shapes = st.lists(st.integers(1, 9), min_size=0, max_size=4).map(tuple)


@given(data=st.data(), shape=shapes, cls=st.sampled_from(CHUNK_CLASSES),
       dtype=st.sampled_from(["i2", "f8", "u1", "c8", "S3"]))
def test_reads_and_writes_match_numpy(data, shape, cls, dtype):
    ref = np.zeros(shape, dtype)
    c = cls(shape, dtype, cname=data.draw(st.sampled_from(["blosclz", "lz4", "zstd"])),
            shuffle=data.draw(st.integers(0, 2)), blocksize=data.draw(st.sampled_from([0, 128])))
    for _ in range(3):
        sel = data.draw(index_for(shape))
        value = sample(dtype, ref[sel].shape, seed=data.draw(st.integers(0, 99)))
        if data.draw(st.booleans()) and value.size:
            value = value.ravel()[0]
        c[sel] = value
        ref[sel] = value
        np.testing.assert_array_equal(c[...], ref)
        got, want = c[sel], ref[sel]
        assert type(got) is type(want)
        assert np.shape(got) == np.shape(want)
        np.testing.assert_array_equal(got, want)


@given(data=st.data(), shape=shapes.filter(len))
def test_uninitialized_reads_fill_value_for_any_index(data, shape):
    c = Chunk(shape, "f4", fill_value=-2.5)
    sel = data.draw(index_for(shape))
    want = np.full(shape, -2.5, "f4")[sel]
    got = c[sel]
    np.testing.assert_array_equal(got, want)
    assert np.shape(got) == np.shape(want)
    assert not c.is_initialized and c.cbytes == 0 and c.get_cdata() is None


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("cls", CHUNK_CLASSES)
def test_whole_round_trip_every_dtype(dtype, cls):
    data = sample(dtype, (20, 30))
    c = cls((20, 30), dtype, "lz4", 5, 2)
    c[...] = data
    out = c[...]
    assert out.dtype == data.dtype
    assert out.tobytes() == data.tobytes()
    np.testing.assert_array_equal(c[3:7, ::4], data[3:7, ::4])
    part = sample(dtype, (2, 30), seed=5)
    c[5:7] = part
    data[5:7] = part
    assert c[:].tobytes() == data.tobytes()
    assert 0 < c.cbytes
    assert c.nbytes == data.nbytes


def test_zero_dimensional_chunk():
    c = Chunk((), "f8", fill_value=3.0)
    assert c[()] == 3.0 and c[...].shape == ()
    c[()] = 7.5
    assert c[()] == 7.5 and isinstance(c[()], np.float64)
    c[...] = 1
    assert c[...].shape == () and c[...] == 1


@pytest.mark.parametrize("dtype,fill", [
    ("i4", 0), ("i4", -7), ("u1", 255), ("f8", np.nan), ("f4", -np.inf), ("c16", 1 - 2j),
    ("?", True), ("M8[s]", "2020-01-02T03:04:05"), ("m8[ms]", 1500), ("S4", b"ab"),
    ("U3", "\u00e9\u00e9"), ([("a", "i4"), ("b", "f4")], (3, 1.5)),
])
def test_fill_values(dtype, fill):
    c = Chunk((10, 10), dtype, fill_value=fill)
    want = np.full((10, 10), np.array(fill, dtype=dtype), dtype)
    np.testing.assert_array_equal(c[...], want)
    np.testing.assert_array_equal(c[2:4, 5], want[2:4, 5])
    c[0, 0] = want[0, 0]
    np.testing.assert_array_equal(c[...], want)


def test_default_fill_is_zero_of_the_dtype_never_leftover_memory():
    for dtype in ["f8", "i8", "S5", "U2", [("a", "i4"), ("b", "S2")]]:
        c = Chunk(1000, dtype)
        assert c[...].tobytes() == np.zeros(1000, dtype).tobytes()
        c[10] = np.ones(1, dtype)[0] if np.dtype(dtype).fields is None else (1, b"x")
        expected = np.zeros(1000, dtype)
        expected[10] = c[10]
        assert c[...].tobytes() == expected.tobytes()


def test_uninitialized_chunk_holds_no_memory():
    c = Chunk((10000, 1000), "f8")
    assert c.nbytes == 80_000_000 and c.cbytes == 0 and not c.is_initialized


def test_clear_returns_to_fill():
    c = SynchronizedChunk(100, "i4", fill_value=9)
    c[:] = 1
    assert c.is_initialized
    c.clear()
    assert not c.is_initialized and (c[...] == 9).all()


def test_dtype_casting_on_write_is_numpys():
    c = Chunk(5, "i4")
    ref = np.zeros(5, "i4")
    for sel, value in [(slice(None), 3.9), (1, -2.7), (slice(2, 4), [True, False]),
                       (slice(None), np.arange(5, dtype="u8"))]:
        c[sel] = value
        ref[sel] = value
        np.testing.assert_array_equal(c[...], ref)
    with pytest.raises(ValueError):
        c[0] = "not a number"
    np.testing.assert_array_equal(c[...], ref)


def test_failed_writes_leave_the_chunk_unchanged():
    c = SynchronizedChunk((4, 5), "f8")
    c[...] = np.arange(20.0).reshape(4, 5)
    before = c.get_cdata()
    with pytest.raises(ValueError):
        c[:2] = np.ones(3)                     # does not broadcast
    with pytest.raises(ValueError):
        c[...] = np.ones((5, 4))
    with pytest.raises(IndexError):
        c[4] = 1.0
    with pytest.raises(IndexError):
        c[0, 0, 0] = 1.0
    with pytest.raises(IndexError):
        c[1.5] = 1.0
    assert c.get_cdata() is before
    # and the lock was released by each failure
    c[0] = 1.0
    assert (c[0] == 1.0).all()


def test_bad_reads_raise_numpys_errors():
    c = Chunk((4, 5), "i4")
    c[...] = 1
    for uninit in (Chunk((4, 5), "i4"), c):
        with pytest.raises(IndexError):
            uninit[4]
        with pytest.raises(IndexError):
            uninit[0, -6]
        with pytest.raises(IndexError):
            uninit[0, 0, 0]
        with pytest.raises(IndexError):
            uninit["a"]


@pytest.mark.parametrize("shape,match", [
    ((0, 4), "positive"), ((-1,), "positive"), ((2.5,), "integers"), ("abc", "integers"),
])
def test_bad_shapes(shape, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Chunk(shape, "f8")


def test_bad_dtype_and_options():
    with pytest.raises(TypeError, match="object"):
        Chunk(10, object)
    with pytest.raises(TypeError, match="object"):
        Chunk(10, [("a", "i4"), ("b", object)])
    with pytest.raises(TypeError):
        Chunk(10, "not a dtype")
    with pytest.raises(ValueError, match="blosclz, lz4"):
        Chunk(10, "f8", cname="snappy")
    with pytest.raises(ValueError, match="0 to 9"):
        Chunk(10, "f8", clevel=11)
    with pytest.raises(ValueError, match="BITSHUFFLE"):
        Chunk(10, "f8", shuffle=5)
    with pytest.raises(ValueError, match="blocksize"):
        Chunk(10, "f8", blocksize=-1)
    with pytest.raises(ValueError, match="scalar"):
        Chunk(10, "f8", fill_value=[1, 2])


def test_chunk_over_blosc_limit_is_refused_at_creation():
    with pytest.raises(ValueError, match="limit"):
        Chunk((1 << 28,), "f8")
    Chunk((1 << 27,), "f8")       # 1 GiB: allowed, and costs nothing until written


def test_whole_read_decompresses_straight_into_the_callers_array():
    c = Chunk((512, 256), "f8")
    data = sample("f8", (512, 256))
    c[...] = data
    out = np.empty((512, 256))
    tracemalloc.start()
    try:
        result = c.read(Ellipsis, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result is out
    np.testing.assert_array_equal(out, data)
    assert peak < data.nbytes // 10


def test_whole_write_compresses_straight_from_the_callers_array():
    c = Chunk((512, 256), "f8")
    data = sample("f8", (512, 256))
    tracemalloc.start()
    try:
        c[...] = data
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the compressed frame is allocated at its largest size (nbytes + 16) and
    # then shrunk; a copy of the input would add another nbytes.
    assert peak < data.nbytes + data.nbytes // 10
    np.testing.assert_array_equal(c[...], data)


def test_small_run_reads_decompress_only_their_blocks():
    # One element of a 1 MB chunk: blosc_getitem, no full-chunk buffer.
    data = sample("f8", (256, 512))
    c = Chunk((256, 512), "f8", blocksize=65536)
    c[...] = data
    for sel in [(100, 7), (3, slice(10, 20)), (slice(7, 9),), (-1, -1), (slice(5, 6), 0)]:
        tracemalloc.start()
        try:
            got = c[sel]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        np.testing.assert_array_equal(got, data[sel])
        assert np.shape(got) == np.shape(data[sel])
        assert peak < data.nbytes // 4, sel


def test_partial_read_into_out():
    c = Chunk((10, 10), "i8")
    c[...] = np.arange(100).reshape(10, 10)
    out = np.zeros((3, 10), "i8")
    assert c.read((slice(2, 5),), out) is out
    np.testing.assert_array_equal(out, np.arange(20, 50).reshape(3, 10))
    strided = np.zeros((10, 6), "i8")[:, ::2]
    c.read((slice(None), slice(0, 3)), strided)
    np.testing.assert_array_equal(strided, np.arange(100).reshape(10, 10)[:, :3])
    with pytest.raises(ValueError):
        c.read(Ellipsis, np.empty((10, 9), "i8"))


def test_cdata_transfer_and_validation():
    a = Chunk((50, 50), "f4", "zstd")
    a[...] = sample("f4", (50, 50))
    b = Chunk((50, 50), "f4", "zstd")
    b.set_cdata(a.get_cdata())
    np.testing.assert_array_equal(a[...], b[...])
    with pytest.raises(CorruptChunkError, match="nbytes"):
        Chunk((50, 49), "f4").set_cdata(a.get_cdata())
    with pytest.raises(CorruptChunkError, match="typesize"):
        Chunk((50, 25), "f8").set_cdata(a.get_cdata())
    b.set_cdata(None)
    assert not b.is_initialized


def test_cdata_from_another_codec_setting_reads_back():
    data = sample("i8", (40, 40))
    frame = compress(data, 8, "zlib", 7, 2)
    c = Chunk((40, 40), "i8")           # blosclz by default: reading needs no setting
    c.set_cdata(frame)
    np.testing.assert_array_equal(c[...], data)


@pytest.mark.parametrize("cls", CHUNK_CLASSES)
def test_pickle(cls):
    c = cls((30, 3), [("a", "i4"), ("b", "S2")], "lz4hc", 7, 2, fill_value=(1, b"z"))
    c[5:9] = (4, b"ok")
    d = pickle.loads(pickle.dumps(c))
    assert type(d) is cls
    assert (d.shape, d.dtype, d.cname, d.clevel, d.shuffle) == (c.shape, c.dtype, "lz4hc", 7, 2)
    assert d[...].tobytes() == c[...].tobytes()
    assert d.fill_value == c.fill_value
    e = pickle.loads(pickle.dumps(cls(4, "f8")))
    assert not e.is_initialized


def test_repr_and_properties():
    c = SynchronizedChunk((10, 20), "i2", "zstd", 3, 0)
    assert "SynchronizedChunk" in repr(c) and "zstd" in repr(c)
    assert (c.ndim, c.size, c.itemsize, c.nbytes) == (2, 200, 2, 400)


def test_two_threads_writing_their_own_halves_lose_no_update():
    c = SynchronizedChunk(20000, "i8")
    c[...] = sample("i8", (20000,))
    n = 1000

    def work(i):
        half = slice(0, 10000) if i == 0 else slice(10000, 20000)
        for k in range(1, n + 1):
            c[half] = k

    run_in_threads(work, 2)
    assert (c[...] == n).all()


@pytest.mark.parametrize("nthreads", [2, 4])
def test_threads_incrementing_interleaved_columns_lose_no_update(nthreads):
    c = SynchronizedChunk((64, 64), "i4")
    n = 300

    def work(i):
        cols = (slice(None), slice(i, None, nthreads))
        for _ in range(n):
            c[cols] = c[cols] + 1

    run_in_threads(work, nthreads)
    assert (c[...] == n).all()


@pytest.mark.parametrize("cname", ["blosclz", "lz4", None])
def test_read_items_is_flat_indexing(cname):
    a = np.cumsum(np.random.default_rng(3).normal(0, 1, 300000)).reshape(300, 1000)
    c = Chunk(a.shape, "f8", cname=cname, blocksize=16384 if cname else 0, fill_value=-1.0)
    np.testing.assert_array_equal(c.read_items(np.array([5, 70000])), [-1.0, -1.0])
    c[...] = a
    for idx in ([0], [299999], [1, 2, 3, 150000, 299998], np.arange(0, 300000, 7), []):
        idx = np.asarray(idx, np.intp)
        np.testing.assert_array_equal(c.read_items(idx), a.reshape(-1)[idx])
    for bad in ([-1], [300000], [[1]]):
        with pytest.raises(IndexError):
            c.read_items(np.array(bad))


@pytest.mark.parametrize("cname", ["blosclz", None])
def test_read_items_refuses_positions_it_was_not_promised(cname):
    big = np.arange(300000, dtype="f8")
    for shape, data in (((4, 5), np.arange(20, dtype="f8").reshape(4, 5)), (big.shape, big)):
        c = Chunk(shape, "f8", cname=cname, blocksize=16384 if cname else 0)
        c[...] = data
        size = data.size
        for bad in ([3, -1, 17], [5, 3], [3, 3], [0, size + 1000, 5], [0, 2**40, 7],
                    np.array([0, 2**64 - 1, 7], np.uint64), np.array([2**64 - 1], np.uint64),
                    np.array([1.0]), np.array([True])):
            with pytest.raises(IndexError, match="item positions"):
                c.read_items(np.array(bad))
        idx = np.array([0, 7, size - 1], np.uint64)
        np.testing.assert_array_equal(c.read_items(idx), data.reshape(-1)[idx.astype(int)])
