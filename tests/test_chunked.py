"""zarr.chunked's array functions against numpy, over every kind of source.

Sources: numpy arrays, this package's arrays in memory and in directories,
h5py datasets and dask arrays; 1-D, 2-D and 3-D, shapes that are not
multiples of the chunks or of ``blen`` (edge blocks), zero-row arrays. Also:
blocks aligned to the source's chunks by default, blocks on the pool's
threads, errors, hypothesis properties, and ChunkedArrayWrapper over arrays.
(Storages, the registry and the progress bar: tests/test_chunked_storage.py.)
"""

import itertools
import operator
import threading
import time

import dask.array as da
import h5py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zarr
from zarr import chunked
from zarr.chunked import blocks
from zarr.chunked.wrappers import ChunkedArrayWrapper

KINDS = ["numpy", "memory", "directory", "hdf5", "dask"]

#: (shape, chunks): edge chunks on every axis, and row counts not multiples of blen 3.
CASES = [((23,), (5,)), ((17, 6), (4, 4)), ((9, 4, 5), (2, 3, 2))]
CASE_IDS = ["1d", "2d", "3d"]

REDUCTIONS = [(chunked.amax, np.amax), (chunked.amin, np.amin), (chunked.asum, np.sum),
              (chunked.count_nonzero, np.count_nonzero)]
REDUCTION_IDS = ["amax", "amin", "asum", "count_nonzero"]


class Sources:
    """Makes a source of each kind holding a numpy array, in chunks."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.files = []
        self.count = itertools.count()

    def make(self, kind, x, chunks):
        x = np.asarray(x)
        chunks = tuple(chunks)
        n = next(self.count)
        if kind == "numpy":
            return x
        if kind == "memory":
            return zarr.array(x, chunks=chunks)
        if kind == "directory":
            z = zarr.open(str(self.tmp_path / ("src%d.zarr" % n)), mode="w", shape=x.shape,
                          dtype=x.dtype, chunks=chunks)
            z[...] = x
            return z
        if kind == "hdf5":
            f = h5py.File("src%d.h5" % n, "w", driver="core", backing_store=False)
            self.files.append(f)
            # HDF5 wants chunks no larger than the fixed axes.
            h5chunks = (chunks[0],) + tuple(max(1, min(c, m)) for c, m in
                                            zip(chunks[1:], x.shape[1:]))
            return f.create_dataset("x", data=x, chunks=h5chunks,
                                    maxshape=(None,) + x.shape[1:])
        if kind == "dask":
            return da.from_array(x, chunks=chunks)
        raise AssertionError(kind)

    def close(self):
        for f in self.files:
            f.close()


@pytest.fixture
def sources(tmp_path):
    s = Sources(tmp_path)
    yield s
    s.close()


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


def ints(shape, seed=0, dtype="i4"):
    """Small integers, zeros among them (count_nonzero has something to count)."""
    return np.random.default_rng(seed).integers(-4, 5, size=shape).astype(dtype)


def rowsum(b):
    """The sum of each row of ``b`` (rows of any shape, zero rows included)."""
    return b.reshape(len(b), int(np.prod(b.shape[1:], dtype=int))).sum(axis=1)


def read(r):
    if isinstance(r, ChunkedArrayWrapper):
        r = r.values
    return np.asarray(r[...])


def assert_stored(r, expected):
    """``r`` is a new array of a storage (not numpy) holding ``expected``, dtype included."""
    expected = np.asarray(expected)
    assert not isinstance(r, np.ndarray), "expected an array of the storage, got numpy"
    assert tuple(r.shape) == expected.shape
    got = read(r)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_array_equal(got, expected)


def assert_value(r, expected):
    """A reduction's numpy answer: array or scalar as numpy's, same dtype and values."""
    assert isinstance(r, np.ndarray) == isinstance(expected, np.ndarray), (type(r),
                                                                            type(expected))
    assert np.asarray(r).dtype == np.asarray(expected).dtype, (np.asarray(r).dtype,
                                                               np.asarray(expected).dtype)
    np.testing.assert_array_equal(r, expected)


def all_axes(ndim):
    """None, every axis as an int (positive and negative), and tuples of them."""
    axes = [None] + list(range(ndim)) + list(range(-ndim, 0))
    axes += [(a,) for a in range(ndim)] + [(-1,)]
    for k in range(2, ndim + 1):
        axes += list(itertools.combinations(range(ndim), k))
    if ndim >= 2:
        axes += [(-1, 0), (0, -1)]
    return axes


def reduces_rows(axis, ndim):
    if axis is None:
        return True
    axes = axis if isinstance(axis, tuple) else (axis,)
    return 0 in [a % ndim for a in axes]


# Reductions.


@pytest.mark.parametrize("func, ref", REDUCTIONS, ids=REDUCTION_IDS)
@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_reductions_equal_numpy_on_every_axis(sources, kind, func, ref, shape, chunks):
    x = ints(shape)
    src = sources.make(kind, x, chunks)
    for axis in all_axes(len(shape)):
        for blen in (None, 3):
            expected = ref(x, axis=axis)
            r = func(src, axis=axis, blen=blen)
            if reduces_rows(axis, len(shape)):
                assert_value(r, expected)
            else:
                assert_stored(r, expected)


@pytest.mark.parametrize("func, ref", REDUCTIONS, ids=REDUCTION_IDS)
def test_reduction_over_every_axis_is_a_scalar_whatever_the_blocks(func, ref):
    # numpy gives a scalar for axis=(0, 1) of a 2-D array; so must one block or many.
    x = ints((6, 4))
    for blen in (2, 6, 50):
        for axis in (None, (0, 1), (1, 0), (-1, -2)):
            r = func(x, axis=axis, blen=blen)
            assert not isinstance(r, np.ndarray), (blen, axis, repr(r))
            assert np.asarray(r).dtype == np.asarray(ref(x, axis=axis)).dtype
            assert r == ref(x, axis=axis)


@pytest.mark.parametrize("func, ref", REDUCTIONS, ids=REDUCTION_IDS)
def test_reductions_of_zero_rows_act_as_numpy(sources, kind, func, ref):
    x = np.zeros((0, 4), "f8")
    src = sources.make(kind, x, (3, 2))
    for axis in (None, 0, 1, -1, (0, 1)):
        try:
            expected = ref(x, axis=axis)
        except ValueError:
            with pytest.raises(ValueError):
                func(src, axis=axis)
            continue
        r = func(src, axis=axis)
        if reduces_rows(axis, 2):
            assert_value(r, expected)
        else:
            assert_stored(r, expected)


@pytest.mark.parametrize("kind", ["numpy", "memory", "hdf5", "dask"])
def test_amax_amin_propagate_nan(sources, kind):
    x = np.arange(60, dtype="f8").reshape(15, 4) - 20
    x[1, 0] = np.nan     # first block
    x[7, 2] = np.nan     # a middle block
    x[14, 3] = np.nan    # the edge block
    x[:, 1] = np.nan     # a whole column
    src = sources.make(kind, x, (4, 3))
    for func, ref in [(chunked.amax, np.amax), (chunked.amin, np.amin)]:
        for axis in (None, 0, 1, -1, (0, 1)):
            for blen in (None, 2, 5):
                expected = ref(x, axis=axis)
                r = func(src, axis=axis, blen=blen)
                if reduces_rows(axis, 2):
                    assert_value(r, expected)
                else:
                    assert_stored(r, expected)
    # NaN only in the last, short block of a 1-D array.
    y = np.arange(10.0)
    y[-1] = np.nan
    for blen in (3, 4, 20):
        assert np.isnan(chunked.amax(sources.make(kind, y, (3,)), blen=blen))
        assert np.isnan(chunked.amin(sources.make(kind, y, (3,)), blen=blen))


@pytest.mark.parametrize("kind", ["numpy", "memory", "hdf5"])
def test_float_sums_are_close_to_numpy(sources, kind):
    x = np.random.default_rng(3).standard_normal((41, 3)).astype("f4")
    src = sources.make(kind, x, (6, 3))
    for axis in (None, 0, 1):
        r = chunked.asum(src, axis=axis, blen=5)
        expected = np.sum(x, axis=axis)
        got = read(r) if axis == 1 else np.asarray(r)
        assert got.dtype == expected.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    x[3, 1] = np.nan
    src = sources.make(kind, x, (6, 3))
    assert np.isnan(chunked.asum(src))
    np.testing.assert_array_equal(np.isnan(chunked.asum(src, axis=0)), [False, True, False])


@pytest.mark.parametrize("dtype", ["i1", "u1", "i2", "u4", "bool", "f2"])
def test_sums_take_numpy_result_dtype(dtype):
    x = (np.arange(300) % 7).astype(dtype).reshape(100, 3)
    z = zarr.array(x, chunks=(9, 2))
    for axis in (None, 0, 1):
        expected = np.sum(x, axis=axis)
        r = chunked.asum(z, axis=axis, blen=11)
        got = read(r) if axis == 1 else np.asarray(r)
        assert got.dtype == np.asarray(expected).dtype
        np.testing.assert_allclose(got.astype("f8"), np.asarray(expected).astype("f8"),
                                   rtol=1e-2)
    assert_value(chunked.amax(z, blen=11), np.amax(x))
    # int8 sums do not overflow: numpy sums them as int64.
    big = np.full(1000, 100, "i1")
    assert chunked.asum(zarr.array(big, chunks=64)) == 100000


def test_mapper_and_custom_reducer(sources, kind):
    x = ints((13, 5), seed=4)
    src = sources.make(kind, x, (4, 5))
    assert_value(chunked.asum(src, mapper=lambda b: b * b, blen=3), np.sum(x * x))
    assert_value(chunked.amax(src, axis=0, mapper=np.abs), np.amax(np.abs(x), axis=0))
    assert_stored(chunked.count_nonzero(src, axis=1, mapper=lambda b: b > 1),
                  np.count_nonzero(x > 1, axis=1))
    r = chunked.reduce_axis(src, np.prod, np.multiply, axis=0, blen=3,
                            mapper=lambda b: b.astype("i8") % 3 + 1)
    assert_value(r, np.prod(x.astype("i8") % 3 + 1, axis=0))
    r = chunked.reduce_axis(src, np.prod, np.multiply, axis=1, blen=3,
                            mapper=lambda b: b.astype("i8") % 3 + 1)
    assert_stored(r, np.prod(x.astype("i8") % 3 + 1, axis=1))


def test_block_functions_nested_in_a_mapper(sources):
    # A mapper may itself call a block-wise function on the same thread: the outer
    # block must not be overwritten by the inner call's reads.
    x = np.arange(1, 41, dtype="f8").reshape(10, 4)
    z = sources.make("memory", x, (5, 4))
    for threads in (1, 2):
        r = chunked.asum(z, mapper=lambda b: b / chunked.amax(z), threads=threads)
        assert r == pytest.approx((x / x.max()).sum())
        r = chunked.asum(z, axis=1, mapper=lambda b: b - chunked.amin(z), threads=threads)
        assert_stored(r, (x - x.min()).sum(axis=1))


# Copy, store, map_blocks.


@pytest.mark.parametrize("shape, chunks", CASES + [((0, 4), (3, 2))],
                         ids=CASE_IDS + ["zero-rows"])
def test_copy_equals_numpy(sources, kind, shape, chunks):
    x = ints(shape, seed=1)
    src = sources.make(kind, x, chunks)
    n = shape[0]
    for start, stop in [(0, None), (2, None), (1, n - 1), (-3, None), (0, n + 10),
                        (5, 2), (n, None)]:
        for blen in (None, 3):
            assert_stored(chunked.copy(src, start, stop, blen=blen), x[start:stop])


def test_copy_keeps_the_source_chunks(sources):
    x = ints((17, 6))
    for kind in ("memory", "directory", "hdf5"):
        src = sources.make(kind, x, (4, 5))
        assert tuple(chunked.copy(src).chunks) == (4, 5)
        assert tuple(chunked.copy(src, 3, 9).chunks) == (4, 5)
        assert tuple(chunked.copy(src, chunks=(3, 6)).chunks) == (3, 6)


def test_store_writes_rows_at_an_offset(sources, kind):
    x = ints((11, 3), seed=2)
    src = sources.make(kind, x, (4, 3))
    out = zarr.zeros((20, 3), dtype="i4", chunks=(5, 3))
    assert chunked.store(src, out, start=2, stop=9, offset=6, blen=3) is out
    expected = np.zeros((20, 3), "i4")
    expected[6:13] = x[2:9]
    np.testing.assert_array_equal(out[...], expected)
    with pytest.raises(ValueError, match="fit"):
        chunked.store(src, out, offset=15)
    with pytest.raises(ValueError, match="shape"):
        chunked.store(src, zarr.zeros((20, 4), dtype="i4"))


@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_map_blocks_equals_numpy(sources, kind, shape, chunks):
    x = ints(shape, seed=5)
    src = sources.make(kind, x, chunks)

    def keep(b):
        return rowsum(b) % 3 != 0

    for blen in (None, 3, 1):
        # A filter: fewer rows than the block, some blocks empty.
        assert_stored(chunked.map_blocks(src, lambda b: b[keep(b)], blen=blen), x[keep(x)])
        # A row reduction (of rows that are not scalars) and a change of dtype.
        if len(shape) > 1:
            assert_stored(chunked.map_blocks(src, lambda b: b.sum(axis=-1), blen=blen),
                          x.sum(axis=-1))
        assert_stored(chunked.map_blocks(src, lambda b: b * 0.5, blen=blen), x * 0.5)
        # Nothing kept at all.
        assert_stored(chunked.map_blocks(src, lambda b: b[rowsum(b) > 99], blen=blen), x[:0])


def test_map_blocks_scalar_per_block_and_zero_rows(sources, kind):
    x = ints((10, 2), seed=6)
    src = sources.make(kind, x, (4, 2))
    assert_stored(chunked.map_blocks(src, lambda b: b.sum(), blen=3),
                  np.array([x[i:i + 3].sum() for i in range(0, 10, 3)]))
    empty = sources.make(kind, np.zeros((0, 2), "i4"), (4, 2))
    assert_stored(chunked.map_blocks(empty, lambda b: b * 2.0), np.zeros((0, 2)))


def test_map_blocks_rejects_blocks_of_other_row_shapes():
    x = np.arange(20).reshape(10, 2)
    with pytest.raises(ValueError, match="shape"):
        chunked.map_blocks(x, lambda b: b if b[0, 0] == 0 else b[:, :1], blen=3, threads=1)


def test_map_blocks_from_an_unchunked_source_has_sizeable_chunks():
    # Without chunks to copy, the output must not be grown by one-row chunks.
    x = np.arange(20000)
    for src in (x, da.from_array(x, chunks=3000)):
        r = chunked.map_blocks(src, lambda b: b * 2, blen=2000)
        np.testing.assert_array_equal(r[...], x * 2)
        assert r.chunks[0] >= 100, r.chunks
        assert r.nchunks <= 100, r.nchunks


def test_map_blocks_keeps_the_order_of_blocks_whatever_their_speed():
    x = np.arange(60).reshape(30, 2)

    def f(b):
        time.sleep(0.002 * (30 - int(b[0, 0]) // 2) / 10)   # early blocks are the slowest
        return b[b[:, 0] % 4 == 0] * 10

    for threads in (1, 2, 4):
        assert_stored(chunked.map_blocks(x, f, blen=2, threads=threads),
                      x[x[:, 0] % 4 == 0] * 10)


@pytest.mark.parametrize("dtype", ["<U3", "S2", "M8[D]", "m8[s]", "c16", "bool",
                                   [("a", "i4"), ("b", "f8", (2,))], "O"])
def test_other_dtypes(dtype):
    n = 14
    if dtype == "O":
        x = np.array([{"a": i} if i % 2 else [i, "s"] for i in range(n)], dtype=object)
    elif isinstance(dtype, list):
        x = np.zeros(n, dtype=dtype)
        x["a"] = np.arange(n)
        x["b"][:, 1] = np.arange(n) / 2
    else:
        x = np.array([str(i % 10) * (1 + i % 2) for i in range(n)]).astype(dtype) \
            if np.dtype(dtype).kind in "USb" else (np.arange(n) % 3).astype(dtype)
    cond = np.arange(n) % 3 != 1
    for src in (x, zarr.array(x, chunks=4)):
        for r, expected in [(chunked.copy(src, blen=3), x),
                            (chunked.take(src, [13, 0, 0, 5], blen=3), x[[13, 0, 0, 5]]),
                            (chunked.compress(cond, src, blen=3), x[cond]),
                            (chunked.subset(src, [2, 1]), x[[2, 1]]),
                            (chunked.map_blocks(src, lambda b: b[::2], blen=3),
                             np.concatenate([x[i:i + 3][::2] for i in range(0, n, 3)])),
                            (chunked.concatenate([src, x[:3]], blen=5),
                             np.concatenate([x, x[:3]]))]:
            got = r[...]
            assert got.dtype == expected.dtype
            if dtype == "O":
                assert got.tolist() == expected.tolist()
            else:
                np.testing.assert_array_equal(got, expected)


def test_compress_and_take_into_a_given_out(sources, kind):
    x = ints((13, 4), seed=24)
    src = sources.make(kind, x, (4, 4))
    cond = x[:, 0] > 0
    out = zarr.zeros((int(cond.sum()), 4), dtype="i4", chunks=(3, 4))
    assert chunked.compress(cond, src, out=out, blen=3) is out
    np.testing.assert_array_equal(out[...], x[cond])
    out = zarr.zeros((13, 2), dtype="i4")
    assert chunked.compress([False, True, True], src, axis=1, out=out) is out
    np.testing.assert_array_equal(out[...], x[:, [1, 2]])
    out = zarr.zeros((5, 4), dtype="i4", chunks=(2, 4))
    assert chunked.take(src, [12, 0, 3, 3, -1], out=out) is out
    np.testing.assert_array_equal(out[...], x[[12, 0, 3, 3, -1]])
    with pytest.raises(ValueError, match="shape"):
        chunked.take(src, [1, 2], out=zarr.zeros((3, 4), dtype="i4"))
    with pytest.raises(ValueError, match="shape"):
        chunked.compress(cond, src, out=zarr.zeros((13, 4), dtype="i4"))


def test_compress_and_take_refuse_an_out_that_loses_values(sources, kind):
    x = ints((13, 4), seed=25, dtype="i8")
    src = sources.make(kind, x, (4, 4))
    cond = x[:, 0] > 0
    for out_dtype, ok in (("i4", False), ("f4", False), ("u8", False), ("f8", True),
                          ("i8", True), ("O", True)):
        out = zarr.zeros((int(cond.sum()), 4), dtype=out_dtype, chunks=(3, 4))
        taken = zarr.zeros((3, 4), dtype=out_dtype)
        if ok:
            assert chunked.compress(cond, src, out=out, blen=3) is out
            assert out[...].tolist() == x[cond].tolist()
            assert chunked.take(src, [2, 0, 2], out=taken) is taken
            assert taken[...].tolist() == x[[2, 0, 2]].tolist()
        else:
            with pytest.raises(TypeError, match="without loss"):
                chunked.compress(cond, src, out=out, blen=3)
            with pytest.raises(TypeError, match="without loss"):
                chunked.take(src, [2, 0, 2], out=taken)
            assert out.nchunks_initialized == taken.nchunks_initialized == 0


@pytest.mark.parametrize("big", [2**64 - 1, 2**63, 2**63 + 7])
def test_take_of_uint64_indices_beyond_int64_never_wraps(big):
    x = np.arange(5) * 10
    idx = np.array([1, big], np.uint64)
    with pytest.raises(IndexError, match="out of bounds"):
        chunked.take(x, idx)
    with pytest.raises(IndexError, match="out of bounds"):
        chunked.subset(np.arange(20).reshape(5, 4), idx)
    assert chunked.take(x, idx, mode="wrap")[...].tolist() == [10, big % 5 * 10]
    assert chunked.take(x, idx, mode="clip")[...].tolist() == [10, 40]


# Selections.


def conditions(n, seed):
    rng = np.random.default_rng(seed)
    out = [rng.random(n) < 0.5, np.zeros(n, bool), np.ones(n, bool)]
    if n > 2:
        out.append(rng.random(n - 2) < 0.6)   # shorter than the axis: False beyond
    out.append(np.zeros(0, bool))
    return out


def padded(cond, n):
    full = np.zeros(n, bool)
    full[:len(cond)] = cond
    return full


@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_compress_equals_numpy_along_every_axis(sources, kind, shape, chunks):
    x = ints(shape, seed=7)
    src = sources.make(kind, x, chunks)
    ndim = len(shape)
    for axis in list(range(ndim)) + [-1]:
        for cond in conditions(shape[axis], seed=axis + 10):
            expected = np.compress(cond, x, axis=axis)
            for blen in (None, 3):
                assert_stored(chunked.compress(cond, src, axis=axis, blen=blen), expected)
                if len(cond):   # (an empty list: test_compress_with_an_empty_list_condition)
                    assert_stored(chunked.compress(cond.tolist(), src, axis=axis, blen=blen),
                                  expected)


def test_compress_condition_of_any_kind(sources, kind):
    x = ints((19, 3), seed=8)
    src = sources.make("memory", x, (4, 3))
    cond = np.random.default_rng(9).random(19) < 0.4
    for c in (cond, cond[:12]):
        csrc = sources.make(kind, c, (5,))
        for axis, data in ((0, src), (1, sources.make("numpy", x.T.copy(), (3, 4)))):
            expected = np.compress(c, x if axis == 0 else x.T, axis=axis)
            assert_stored(chunked.compress(csrc, data, axis=axis, blen=3), expected)


def test_compress_of_zero_rows(sources, kind):
    x = np.zeros((0, 3), "i2")
    src = sources.make(kind, x, (2, 2))
    assert_stored(chunked.compress(np.zeros(0, bool), src), x)
    assert_stored(chunked.compress(np.array([True, False, True]), src, axis=1), x[:, [0, 2]])


def test_compress_with_an_empty_list_condition_as_numpy():
    # np.compress([], x) is an empty selection, though np.asarray([]) is float.
    x = np.arange(6).reshape(3, 2)
    assert_stored(chunked.compress([], x), np.compress([], x, axis=0))


def take_cases(n):
    """(indices, modes) with numpy-valid indices for each mode."""
    inside = [[n - 1, 0, 0, n // 2, -1, -n], [], [n - 1] * 3, [1, 0], list(range(n))[::-1]]
    outside = [[n, -n - 1, 2 * n + 1, 0], [-3 * n - 2]]
    return [(i, ("raise", "wrap", "clip")) for i in inside] + \
        [(i, ("wrap", "clip")) for i in outside]


@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_take_equals_numpy_along_every_axis(sources, kind, shape, chunks):
    x = ints(shape, seed=11)
    src = sources.make(kind, x, chunks)
    ndim = len(shape)
    for axis in list(range(ndim)) + [-1]:
        for indices, modes in take_cases(shape[axis]):
            for mode in modes:
                expected = np.take(x, indices, axis=axis, mode=mode)
                for blen in (None, 3) if mode != "clip" else (None,):
                    r = chunked.take(src, indices, axis=axis, mode=mode, blen=blen)
                    assert_stored(r, expected)
        for bad in ([shape[axis]], [-shape[axis] - 1], [0, shape[axis] + 5]):
            with pytest.raises(IndexError):
                np.take(x, bad, axis=axis)
            with pytest.raises(IndexError):
                chunked.take(src, bad, axis=axis)


def test_take_with_index_arrays_of_any_int_dtype():
    x = np.arange(30).reshape(10, 3)
    for dtype in ("i1", "u2", "i8", "u8"):
        idx = np.array([9, 0, 3, 3], dtype=dtype)
        assert_stored(chunked.take(x, idx, blen=4), np.take(x, idx, axis=0))


def test_take_from_zero_rows(sources, kind):
    x = np.zeros((0, 3), "f4")
    src = sources.make(kind, x, (2, 2))
    assert_stored(chunked.take(src, []), np.take(x, [], axis=0))
    assert_stored(chunked.take(src, [2, 0], axis=1), np.take(x, [2, 0], axis=1))
    for mode in ("raise", "wrap", "clip"):
        with pytest.raises(IndexError):
            np.take(x, [0], axis=0, mode=mode)
        with pytest.raises(IndexError):
            chunked.take(src, [0], mode=mode)


def subset_selections(n, seed):
    rng = np.random.default_rng(seed)
    out = [None, rng.random(n) < 0.5, np.ones(n, bool), np.zeros(n, bool),
           [n - 1, 0, 0, -1, n // 2], [], list(range(n))]
    if n > 2:
        out.append(rng.random(n - 1) < 0.5)   # a shorter boolean selection
    return out


def as_indices(sel, n):
    if sel is None:
        return np.arange(n)
    sel = np.asarray(sel)
    if sel.dtype == bool:
        return np.flatnonzero(padded(sel, n))
    return np.asarray(sel, dtype=np.intp)


@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_subset_equals_numpy(sources, kind, shape, chunks):
    x = ints(shape, seed=12)
    src = sources.make(kind, x, chunks)
    sels1 = subset_selections(shape[1], 14) if len(shape) > 1 else [None]
    for sel0 in subset_selections(shape[0], 13):
        for sel1 in sels1:
            expected = x[as_indices(sel0, shape[0])]
            if len(shape) > 1:
                expected = expected[:, as_indices(sel1, shape[1])]
            for blen in (None, 3):
                assert_stored(chunked.subset(src, sel0, sel1, blen=blen), expected)
    with pytest.raises(IndexError):
        chunked.subset(src, [shape[0]])
    if len(shape) > 1:
        with pytest.raises(IndexError):
            chunked.subset(src, None, [-shape[1] - 1])
    else:
        with pytest.raises(ValueError):
            chunked.subset(src, None, [0])


# Concatenate and binary_op.


@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_concatenate_equals_numpy(sources, kind, shape, chunks):
    ndim = len(shape)
    for axis in range(-ndim, ndim):
        a = ints(shape, seed=15)
        shape_b = list(shape)
        shape_b[axis] = 3
        b = ints(shape_b, seed=16, dtype="f4")
        shape_c = list(shape)
        shape_c[axis] = 0 if axis % ndim == 0 else 2
        c = ints(shape_c, seed=17, dtype="u2")
        tup = [sources.make(kind, a, chunks), sources.make("memory", b, chunks),
               sources.make("numpy", c, chunks), sources.make(kind, a, chunks)]
        expected = np.concatenate([a, b, c, a], axis=axis)
        assert expected.dtype == np.float64   # i4, f4, u2: numpy's result_type
        for blen in (None, 3):
            assert_stored(chunked.concatenate(tup, axis=axis, blen=blen), expected)
        assert_stored(chunked.concatenate(tup[:1], axis=axis), a)


@pytest.mark.parametrize("dtypes", [("i1", "u1"), ("bool", "i4"), ("u8", "i8"), ("f2", "i2"),
                                    ("i4", "i4", "c8")])
def test_concatenate_takes_numpy_result_type(sources, kind, dtypes):
    parts = [(np.arange(12).reshape(6, 2) % 3).astype(d) for d in dtypes]
    srcs = [sources.make(kind, p, (4, 2)) for p in parts]
    for axis in (0, 1):
        assert_stored(chunked.concatenate(srcs, axis=axis, blen=5),
                      np.concatenate(parts, axis=axis))


OPS = [operator.add, operator.truediv, operator.floordiv, operator.lt, np.maximum,
       np.bitwise_xor]


@pytest.mark.parametrize("shape, chunks", CASES, ids=CASE_IDS)
def test_binary_op_equals_numpy(sources, kind, shape, chunks):
    x = ints(shape, seed=18)
    y = ints(shape, seed=19) % 4 + 1   # no zero divisors
    row = (np.arange(np.prod(shape[1:], dtype=int)).reshape(shape[1:]) % 5 + 1).astype("i2")
    src = sources.make(kind, x, chunks)
    others = [
        np.int32(3),                                   # a scalar of the same dtype
        np.float32(2.5),
        row,                                           # broadcast against each row
        row[np.newaxis],                               # one row
        sources.make("numpy", y, chunks),              # same shape, read by rows
        sources.make("memory", y, (3,) + tuple(chunks[1:])),
        sources.make("hdf5", y, (5,) + tuple(chunks[1:])),
        sources.make("dask", y, (2,) + tuple(chunks[1:])),
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        for other in others:
            o = np.asarray(other[...]) if hasattr(other, "shape") else other
            for op in OPS:
                if op is np.bitwise_xor and np.asarray(o).dtype.kind == "f":
                    continue
                expected = op(x, o)
                assert_stored(chunked.binary_op(src, op, other), expected)
                if op in (operator.add, operator.lt):
                    assert_stored(chunked.binary_op(src, op, other, blen=3), expected)


def test_binary_op_by_columns_of_the_same_rows(sources, kind):
    x = ints((13, 4), seed=20)
    col = ints((13, 1), seed=21)
    src = sources.make(kind, x, (5, 2))
    for other in (col, sources.make(kind, col, (4, 1))):
        assert_stored(chunked.binary_op(src, operator.sub, other, blen=3), x - col)


def test_binary_op_of_zero_rows(sources, kind):
    x = np.zeros((0, 3), "i4")
    src = sources.make(kind, x, (2, 2))
    assert_stored(chunked.binary_op(src, operator.add, np.float64(1)), x + np.float64(1))
    assert_stored(chunked.binary_op(src, operator.mul, sources.make(kind, x, (2, 2))), x * x)


@pytest.mark.parametrize("dtype, scalar, op", [("i4", 3, operator.add), ("i4", 2, operator.pow),
                                               ("f4", 1.5, operator.mul),
                                               ("u1", 7, operator.floordiv),
                                               ("i2", 1, operator.lshift)])
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_binary_op_with_python_scalars_keeps_numpy_dtype(dtype, scalar, op):
    # Python scalars are weak (NEP 50): int32 + 3 is int32, float32 * 1.5 float32.
    x = (np.arange(24) % 9).astype(dtype).reshape(8, 3)
    z = zarr.array(x, chunks=(3, 3))
    expected = op(x, scalar)
    for src in (x, z):
        assert_stored(chunked.binary_op(src, op, scalar, blen=3), expected)
        assert_stored(chunked.binary_op(src, lambda a, b: op(b, a), scalar), op(scalar, x))


def test_binary_op_with_out_of_range_python_scalar_raises_as_numpy():
    x = np.arange(6, dtype="i1").reshape(3, 2)
    with pytest.raises(OverflowError):
        x + 1000
    with pytest.raises(OverflowError):
        chunked.binary_op(x, operator.add, 1000)


def test_binary_op_rejects_operands_that_do_not_fit():
    x = np.arange(35).reshape(7, 5)
    for other in (np.ones((6, 5)), zarr.ones((8, 5)), np.ones(4), np.ones((7, 4)),
                  np.ones((3, 5)), zarr.ones((7, 2))):
        with pytest.raises(ValueError):
            chunked.binary_op(x, operator.add, other)
    with pytest.raises(ValueError):
        chunked.binary_op(x, operator.add, [1, 2, 3])


# Blocks: aligned to the source's chunks, on the pool's threads.


class Recording:
    """A numpy array behind an array-like with chunks, that records each read
    (the slice of rows, and the thread) and calls ``hook`` on reads of two
    rows or more (not on the probes of a row or none some functions make)."""

    def __init__(self, x, chunks=None, hook=None):
        self.x = np.asarray(x)
        self.shape = self.x.shape
        self.dtype = self.x.dtype
        if chunks is not None:
            self.chunks = tuple(chunks)
        self.hook = hook
        self.reads = []
        self.threads = set()
        self.lock = threading.Lock()

    def __getitem__(self, item):
        out = self.x[item]
        with self.lock:
            self.reads.append(item)
            self.threads.add(threading.get_ident())
        if self.hook is not None and np.ndim(out) and len(out) >= 2:
            self.hook()
        return out


def row_spans(reads, n):
    """(start, stop) of each non-empty slice of rows among ``reads``."""
    spans = []
    for item in reads:
        item = item[0] if isinstance(item, tuple) else item
        if isinstance(item, slice):
            start, stop, step = item.indices(n)
            if stop > start:
                assert step == 1
                spans.append((start, stop))
    return spans


def block_spans(reads, n, rows):
    """The blocks read: row_spans, less the one-row probe of the first row
    that a reduction along other axes may make (when that is not a block)."""
    spans = sorted(row_spans(reads, n))
    if rows > 1 and (0, 1) in spans:
        spans.remove((0, 1))
    return spans


def chunk_spans(n, rows):
    return [(i, min(i + rows, n)) for i in range(0, n, rows)]


def aligned_calls(src):
    """Each function with default blocks, as a function of its source."""
    n = src.shape[0]
    return {
        "copy": lambda: chunked.copy(src),
        "map_blocks": lambda: chunked.map_blocks(src, lambda b: b[::2]),
        "amax0": lambda: chunked.amax(src, axis=0),
        "asum": lambda: chunked.asum(src),
        "asum1": lambda: chunked.asum(src, axis=1),
        "count_nonzero": lambda: chunked.count_nonzero(src, axis=(0, 1)),
        "compress1": lambda: chunked.compress([True, False, True], src, axis=1),
        "take1": lambda: chunked.take(src, [2, 0], axis=1),
        "binary_op": lambda: chunked.binary_op(src, operator.add, 1),
        "binary_op_by_rows": lambda: chunked.binary_op(src, operator.add,
                                                       np.ones((n, 3), "i4")),
        "concatenate1": lambda: chunked.concatenate([src, np.zeros((n, 2), "i4")], axis=1),
        "concatenate0": lambda: chunked.concatenate([src, np.zeros((3, 3), "i4")]),
    }


def test_default_blocks_are_the_source_chunks():
    x = ints((18, 3))
    src = Recording(x, chunks=(4, 2))
    for name, call in aligned_calls(src).items():
        src.reads.clear()
        call()
        assert block_spans(src.reads, 18, 4) == chunk_spans(18, 4), name


def test_default_blocks_of_a_dask_array_are_its_chunks(monkeypatch):
    x = ints((18, 3))
    d = da.from_array(x, chunks=(5, 3))
    seen = []
    getitem = da.Array.__getitem__

    def record(self, item):
        if self is d:
            seen.append(item)
        return getitem(self, item)

    monkeypatch.setattr(da.Array, "__getitem__", record)
    for name, call in aligned_calls(d).items():
        seen.clear()
        call()
        assert block_spans(seen, 18, 5) == chunk_spans(18, 5), name


def test_default_blocks_of_our_arrays_are_their_chunks(monkeypatch, tmp_path):
    x = ints((18, 3))
    for z in (zarr.array(x, chunks=(4, 2)),
              zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=x.shape, dtype=x.dtype,
                        chunks=(4, 2))):
        z[...] = x
        cls = type(z)
        seen = []
        original = cls.get_basic_selection

        def record(self, selection=Ellipsis, *args, **kwargs):
            if self is z:
                seen.append(selection)
            return original(self, selection, *args, **kwargs)

        original_orthogonal = cls.get_orthogonal_selection

        def record_orthogonal(self, selection, *args, **kwargs):
            if self is z:
                seen.append(selection[0])  # the rows: a slice along axis 0
            return original_orthogonal(self, selection, *args, **kwargs)

        monkeypatch.setattr(cls, "get_basic_selection", record)
        monkeypatch.setattr(cls, "get_orthogonal_selection", record_orthogonal)
        for name, call in aligned_calls(z).items():
            seen.clear()
            call()
            assert block_spans(seen, 18, 4) == chunk_spans(18, 4), name
        monkeypatch.undo()


def test_default_blocks_of_an_hdf5_dataset_are_its_chunks(monkeypatch):
    x = ints((18, 3))
    with h5py.File("blocks.h5", "w", driver="core", backing_store=False) as f:
        h = f.create_dataset("x", data=x, chunks=(5, 3))
        seen = []
        read_direct, getitem = h5py.Dataset.read_direct, h5py.Dataset.__getitem__

        def record_direct(self, dest, source_sel=None, dest_sel=None):
            if self == h:
                seen.append(source_sel)
            return read_direct(self, dest, source_sel, dest_sel)

        def record_item(self, args, new_dtype=None):
            if self == h:
                seen.append(args)
            return getitem(self, args, new_dtype)

        monkeypatch.setattr(h5py.Dataset, "read_direct", record_direct)
        monkeypatch.setattr(h5py.Dataset, "__getitem__", record_item)
        for name, call in aligned_calls(h).items():
            seen.clear()
            call()
            assert block_spans(seen, 18, 5) == chunk_spans(18, 5), name


def test_row_selections_read_within_chunks():
    # take, subset and compress along rows read only spans inside one chunk each.
    x = ints((30, 3))
    src = Recording(x, chunks=(7, 3))
    calls = [lambda: chunked.take(src, [29, 0, 13, 14, 14, 6, 7, -1]),
             lambda: chunked.subset(src, [3, 28, 8, 9, 21], [0, 2]),
             lambda: chunked.compress(np.arange(30) % 4 == 1, src)]
    for call in calls:
        src.reads.clear()
        call()
        spans = row_spans(src.reads, 30)
        assert spans
        for a, b in spans:
            assert a // 7 == (b - 1) // 7, (a, b)


def test_default_blocks_without_chunks_are_about_block_target_bytes():
    x = np.zeros((100000, 10))   # 8 MB: rows of 80 bytes
    src = Recording(x)
    chunked.asum(src, axis=0)
    rows = blocks.BLOCK_TARGET // 80
    assert sorted(row_spans(src.reads, 100000)) == chunk_spans(100000, rows)


def test_given_blen_sets_the_blocks():
    x = ints((18, 3))
    src = Recording(x, chunks=(4, 3))
    for blen in (1, 5, np.int64(7), 18, 50):
        for call in (lambda: chunked.asum(src, axis=0, blen=blen),
                     lambda: chunked.copy(src, blen=blen),
                     lambda: chunked.binary_op(src, operator.add, 1, blen=blen)):
            src.reads.clear()
            call()
            assert sorted(row_spans(src.reads, 18)) == chunk_spans(18, min(int(blen), 18))


def first_two_meet():
    """A function whose first two calls wait for each other (for ten seconds at
    most): it only returns if two threads run blocks at once."""
    barrier = threading.Barrier(2, timeout=10)
    calls = itertools.count()

    def wait():
        if next(calls) < 2:
            barrier.wait()
    return wait


def test_blocks_run_on_two_threads():
    x = ints((40, 3))
    # run_blocks: the calling thread and a pool thread.
    for name, call in [("copy", lambda s: chunked.copy(s, blen=4, threads=2)),
                       ("asum", lambda s: chunked.asum(s, axis=0, blen=4, threads=2)),
                       ("amax1", lambda s: chunked.amax(s, axis=1, blen=4, threads=2)),
                       ("take", lambda s: chunked.take(s, [0, 1, 8, 9, 16, 17, 24, 25], blen=2,
                                                       threads=2)),
                       ("compress", lambda s: chunked.compress(np.arange(40) % 2 == 0, s,
                                                               blen=4, threads=2)),
                       ("binary_op", lambda s: chunked.binary_op(s, operator.mul, 2, blen=4,
                                                                 threads=2))]:
        src = Recording(x, chunks=(4, 3), hook=first_two_meet())
        call(src)
        assert len(src.threads) >= 2, name
    # map_blocks: blocks computed ahead on the pool, in order in the result.
    seen = set()
    wait = first_two_meet()

    def f(b):
        seen.add(threading.get_ident())
        wait()
        return b[b[:, 0] % 2 == 0]

    r = chunked.map_blocks(x, f, blen=3, threads=2)
    assert len(seen) >= 2
    np.testing.assert_array_equal(r[...], x[x[:, 0] % 2 == 0])


def test_one_thread_runs_blocks_in_the_caller():
    x = ints((40, 3))
    me = threading.get_ident()
    src = Recording(x, chunks=(4, 3))
    for call in (lambda: chunked.copy(src, threads=1), lambda: chunked.asum(src, threads=1),
                 lambda: chunked.take(src, [5, 30, 1], threads=1),
                 lambda: chunked.compress(np.arange(40) % 3 == 0, src, threads=1)):
        src.threads.clear()
        call()
        assert src.threads == {me}
    seen = set()
    chunked.map_blocks(x, lambda b: seen.add(threading.get_ident()) or b, blen=2, threads=1)
    assert seen == {me}
    # So does the default when it is one thread.
    old = zarr.set_threads(1)
    try:
        seen.clear()
        chunked.map_blocks(x, lambda b: seen.add(threading.get_ident()) or b, blen=2)
        assert seen == {me}
        src.threads.clear()
        chunked.copy(src)
        assert src.threads == {me}
    finally:
        zarr.set_threads(old)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_results_do_not_depend_on_threads(threads):
    x = ints((57, 4), seed=22)
    z = zarr.array(x, chunks=(5, 3))
    cond = np.arange(57) % 3 == 1
    assert_stored(chunked.copy(z, blen=2, threads=threads), x)
    assert_value(chunked.asum(z, axis=0, blen=2, threads=threads), x.sum(axis=0))
    assert_stored(chunked.amax(z, axis=1, blen=2, threads=threads), x.max(axis=1))
    assert_stored(chunked.compress(cond, z, blen=2, threads=threads), x[cond])
    assert_stored(chunked.take(z, [56, 0, 3, 3, -2], blen=2, threads=threads),
                  x[[56, 0, 3, 3, -2]])
    assert_stored(chunked.map_blocks(z, lambda b: b[b[:, 0] > 0], blen=2, threads=threads),
                  x[x[:, 0] > 0])
    assert_stored(chunked.concatenate([z, x], blen=2, threads=threads), np.concatenate([x, x]))
    assert_stored(chunked.binary_op(z, operator.sub, z, blen=2, threads=threads), x - x)


def test_errors_in_blocks_reach_the_caller():
    x = np.arange(40).reshape(20, 2)

    class Boom(Exception):
        pass

    def f(b):
        if b[0, 0] >= 20:
            raise Boom()
        return b

    for threads in (1, 2):
        with pytest.raises(Boom):
            chunked.map_blocks(x, f, blen=2, threads=threads)
        with pytest.raises(Boom):
            chunked.asum(x, mapper=f, blen=2, threads=threads)

        def op(a, b):
            if a.size and a[0, 0] >= 20:
                raise Boom()
            return a + b
        with pytest.raises(Boom):
            chunked.binary_op(x, op, 1, blen=2, threads=threads)


# Errors.


def every_call(data):
    """Each function called on ``data`` with valid other arguments."""
    return {
        "copy": lambda **kw: chunked.copy(data, **kw),
        "map_blocks": lambda **kw: chunked.map_blocks(data, lambda b: b, **kw),
        "amax": lambda **kw: chunked.amax(data, **kw),
        "amin": lambda **kw: chunked.amin(data, axis=1, **kw),
        "asum": lambda **kw: chunked.asum(data, axis=0, **kw),
        "count_nonzero": lambda **kw: chunked.count_nonzero(data, **kw),
        "reduce_axis": lambda **kw: chunked.reduce_axis(data, np.sum, np.add, **kw),
        "compress": lambda **kw: chunked.compress([True, False], data, **kw),
        "compress1": lambda **kw: chunked.compress([True, False], data, axis=1, **kw),
        "take": lambda **kw: chunked.take(data, [1, 0], **kw),
        "subset": lambda **kw: chunked.subset(data, [1], [0], **kw),
        "concatenate": lambda **kw: chunked.concatenate([data, data], **kw),
        "concatenate1": lambda **kw: chunked.concatenate([data, data], axis=1, **kw),
        "binary_op": lambda **kw: chunked.binary_op(data, operator.add, 1, **kw),
    }


@pytest.mark.parametrize("blen", [0, -1, 1.5, True, False, "3", np.float64(2.0)])
def test_bad_blen(blen):
    x = np.arange(20).reshape(10, 2)
    for name, call in every_call(zarr.array(x, chunks=(3, 2))).items():
        with pytest.raises(ValueError, match="blen"):
            call(blen=blen)
    for name, call in every_call(x).items():
        with pytest.raises(ValueError, match="blen"):
            call(blen=blen)


@pytest.mark.parametrize("data", [5, "abcd", None, {"a": 1}, object(), 2.5])
def test_data_that_is_not_an_array(data):
    for name, call in every_call(data).items():
        with pytest.raises(TypeError, match="array-like"):
            call()
    with pytest.raises(TypeError, match="array-like"):
        chunked.concatenate([np.zeros((2, 2)), data])
    with pytest.raises(TypeError, match="array-like"):
        chunked.store(data, zarr.zeros(3))


def test_lists_are_arrays_and_zero_dimensions_are_not():
    assert_stored(chunked.copy([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    assert chunked.asum([1, 2, 3]) == 6
    for name, call in every_call(np.array(3.0)).items():
        with pytest.raises(ValueError, match="dimension"):
            call()


@pytest.mark.parametrize("create", ["table", "arr", None, "ARRAY", 1])
def test_bad_create(create):
    x = np.arange(20).reshape(10, 2)
    for name, call in every_call(x).items():
        with pytest.raises(ValueError, match="create"):
            call(create=create)
    for name, call in every_call(x).items():
        assert call(create="array") is not None


def test_bad_axes():
    x = np.arange(24).reshape(6, 4)
    for func, ref in REDUCTIONS:
        for axis in (2, -3, (0, 2), (5,)):
            with pytest.raises(np.exceptions.AxisError):
                ref(x, axis=axis)
            with pytest.raises(np.exceptions.AxisError):
                func(x, axis=axis)
        with pytest.raises(ValueError):
            func(x, axis=(0, 0))
        with pytest.raises(ValueError):
            func(x, axis=(1, -1))
        for axis in (1.0, "0", True):
            with pytest.raises(TypeError):
                func(x, axis=axis)
    for call in (lambda a: chunked.compress([True], x, axis=a),
                 lambda a: chunked.take(x, [0], axis=a),
                 lambda a: chunked.concatenate([x, x], axis=a)):
        for axis in (2, -3):
            with pytest.raises(np.exceptions.AxisError):
                call(axis)
    for axis in (1.0, "0"):
        with pytest.raises(TypeError):
            chunked.compress([True], x, axis=axis)
        with pytest.raises(TypeError):
            chunked.take(x, [0], axis=axis)


def test_bad_conditions():
    x = np.arange(24).reshape(6, 4)
    for cond in ([0, 1, 1], np.array([1.0, 0.0]), np.array(["a", "b"]), zarr.array([0, 1])):
        with pytest.raises(TypeError, match="boolean"):
            chunked.compress(cond, x)
    with pytest.raises(ValueError, match="1-D"):
        chunked.compress(np.ones((2, 2), bool), x)
    with pytest.raises(ValueError, match="1-D"):
        chunked.compress(np.bool_(True), x)
    # Longer than the axis: numpy raises IndexError; ValueError is as clear.
    for axis in (0, 1):
        with pytest.raises((IndexError, ValueError)):
            chunked.compress(np.ones(x.shape[axis] + 1, bool), x, axis=axis)


def test_bad_indices_and_modes():
    x = np.arange(24).reshape(6, 4)
    with pytest.raises(ValueError, match="mode"):
        chunked.take(x, [0], mode="bogus")
    with pytest.raises(TypeError, match="integers"):
        chunked.take(x, [0.5, 1.0])
    with pytest.raises(ValueError, match="1-D"):
        chunked.take(x, [[0, 1]])
    with pytest.raises(TypeError, match="integers"):
        chunked.subset(x, ["a"])
    with pytest.raises(ValueError):
        chunked.subset(x, np.ones(7, bool))


def test_concatenate_shape_mismatches():
    a = np.zeros((4, 3))
    for tup, axis in [([a, np.zeros((4, 2))], 0), ([a, np.zeros((3, 3))], 1),
                      ([a, np.zeros(4)], 0), ([a, np.zeros((4, 3, 1))], 0),
                      ([a, zarr.zeros((2, 4))], 0), ([np.zeros(5), np.zeros((5, 1))], 0)]:
        with pytest.raises(ValueError):
            np.concatenate(tup if not isinstance(tup[1], zarr.Array) else
                           [tup[0], tup[1][...]], axis=axis)
        with pytest.raises(ValueError, match="joined|shape"):
            chunked.concatenate(tup, axis=axis)
    with pytest.raises(ValueError, match="at least one"):
        chunked.concatenate([])


# Properties.


@st.composite
def arrays_and_blocks(draw):
    ndim = draw(st.integers(1, 3))
    shape = (draw(st.integers(0, 25)),) + tuple(draw(st.integers(1, 5))
                                               for _ in range(ndim - 1))
    chunks = tuple(draw(st.integers(1, n + 2)) for n in shape)
    blen = draw(st.none() | st.integers(1, 30))
    kind = draw(st.sampled_from(["numpy", "memory", "dask"]))
    seed = draw(st.integers(0, 2 ** 16))
    x = np.random.default_rng(seed).integers(-3, 4, size=shape).astype("i2")
    if kind == "memory":
        src = zarr.array(x, chunks=chunks)
    elif kind == "dask":
        src = da.from_array(x, chunks=chunks)
    else:
        src = x
    return x, src, blen


@given(arrays_and_blocks(), st.data())
def test_property_reductions_and_copy(case, data):
    x, src, blen = case
    threads = data.draw(st.sampled_from([1, 2]))
    axis = data.draw(st.sampled_from(all_axes(x.ndim)))
    assert_stored(chunked.copy(src, blen=blen, threads=threads), x)
    for func, ref in REDUCTIONS:
        try:
            expected = ref(x, axis=axis)
        except ValueError:
            with pytest.raises(ValueError):
                func(src, axis=axis, blen=blen, threads=threads)
            continue
        r = func(src, axis=axis, blen=blen, threads=threads)
        if reduces_rows(axis, x.ndim):
            np.testing.assert_array_equal(r, expected)
            assert np.asarray(r).dtype == np.asarray(expected).dtype
        else:
            assert_stored(r, expected)


@given(arrays_and_blocks(), st.data())
def test_property_selections(case, data):
    x, src, blen = case
    n = x.shape[0]
    cond = np.array(data.draw(st.lists(st.booleans(), max_size=n)), dtype=bool)
    assert_stored(chunked.compress(cond, src, blen=blen), np.compress(cond, x, axis=0))
    if n:
        idx = data.draw(st.lists(st.integers(-n, n - 1), max_size=30))
        assert_stored(chunked.take(src, idx, blen=blen), np.take(x, idx, axis=0))
        wide = data.draw(st.lists(st.integers(-3 * n, 3 * n), max_size=10))
        mode = data.draw(st.sampled_from(["wrap", "clip"]))
        assert_stored(chunked.take(src, wide, blen=blen, mode=mode),
                      np.take(x, wide, axis=0, mode=mode))
    if x.ndim > 1:
        m = x.shape[1]
        cols = data.draw(st.lists(st.integers(-m, m - 1), max_size=6))
        rows = data.draw(st.lists(st.integers(-n, n - 1), max_size=12)) if n else []
        assert_stored(chunked.subset(src, rows, cols, blen=blen), x[np.array(rows, int)][
            :, np.array(cols, int)])
        ccond = np.array(data.draw(st.lists(st.booleans(), max_size=m)), dtype=bool)
        assert_stored(chunked.compress(ccond, src, axis=1, blen=blen),
                      np.compress(ccond, x, axis=1))
    assert_stored(chunked.map_blocks(src, lambda b: b[rowsum(b) > 0], blen=blen),
                  x[rowsum(x) > 0])
    assert_stored(chunked.binary_op(src, np.subtract, np.int16(2), blen=blen), x - np.int16(2))


# Wrappers over arrays.


@pytest.fixture
def h5data():
    x = (np.arange(1, 1 + 13 * 5) % 11 + 1).astype("i8").reshape(13, 5)
    with h5py.File("wrapper.h5", "w", driver="core", backing_store=False) as f:
        yield x, f.create_dataset("x", data=x, chunks=(4, 2))


def test_wrapper_over_hdf5_reductions(h5data):
    x, h = h5data
    w = ChunkedArrayWrapper(h)
    assert_value(w.max(axis=0), x.max(axis=0))
    assert_value(w.sum(), x.sum())
    assert_value(w.min(), x.min())
    assert_value(w.count_nonzero(axis=0), np.count_nonzero(x, axis=0))
    m = w.min(axis=1)
    assert isinstance(m, ChunkedArrayWrapper)
    assert_stored(m.values, x.min(axis=1))
    assert_stored(w.sum(axis=-1, blen=3, storage="hdf5mem").values, x.sum(axis=1))
    assert isinstance(w.sum(axis=1, storage="hdf5mem").values, h5py.Dataset)
    assert_value(w.reduce_axis(np.max, np.maximum, axis=0, mapper=np.negative),
                 np.max(-x, axis=0))


def test_wrapper_over_hdf5_selections_and_copies(h5data):
    x, h = h5data
    w = ChunkedArrayWrapper(h)
    cond = x[:, 0] % 2 == 0
    for r, expected in [
        (w.compress(cond), x[cond]),
        (w.compress(ChunkedArrayWrapper(zarr.array(cond))), x[cond]),
        (w.compress([True, False, True], axis=1), x[:, [0, 2]]),
        (w.take([12, 0, 0, -1]), x[[12, 0, 0, -1]]),
        (w.take([4, 1], axis=1, blen=3), x[:, [4, 1]]),
        (w.subset([3, 1], [True, False, False, True]), x[[3, 1]][:, [0, 3]]),
        (w.subset(None, [2]), x[:, [2]]),
        (w.concatenate([x, h]), np.concatenate([x, x, x])),
        (w.concatenate(ChunkedArrayWrapper(x[:, :2]), axis=1), np.concatenate([x, x[:, :2]],
                                                                             axis=1)),
        (w.copy(), x),
        (w.copy(2, 9, storage="tmp"), x[2:9]),
        (w.map_blocks(lambda b: b[b[:, 1] > 5]), x[x[:, 1] > 5]),
        (w.binary_op(np.maximum, ChunkedArrayWrapper(x[::-1].copy())), np.maximum(x, x[::-1])),
    ]:
        assert isinstance(r, ChunkedArrayWrapper)
        assert_stored(r.values, expected)
    out = zarr.zeros((20, 5), dtype="i8")
    assert w.store(out, 0, 4, offset=1) is out
    np.testing.assert_array_equal(out[1:5], x[:4])


def test_wrapper_as_an_array(h5data):
    x, h = h5data
    w = ChunkedArrayWrapper(h)
    assert len(w) == 13
    assert w.shape == (13, 5) and w.ndim == 2 and w.size == 65
    assert w.dtype == np.dtype("i8") and w.nbytes == 65 * 8
    assert w.chunks == (4, 2)
    r = repr(w)
    assert "(13, 5)" in r and "int64" in r and "(4, 2)" in r and "Dataset" in r
    np.testing.assert_array_equal(np.asarray(w), x)
    assert np.asarray(w, dtype="f4").dtype == np.float32
    np.testing.assert_array_equal(w[2:4, 1], x[2:4, 1])
    assert ChunkedArrayWrapper(w).values is h        # a wrapper of a wrapper unwraps
    assert ChunkedArrayWrapper([[1, 2]]).shape == (1, 2)
    assert ChunkedArrayWrapper(np.zeros(3)).chunks is None
    with pytest.raises(TypeError):
        ChunkedArrayWrapper(5)
    with pytest.raises(TypeError):
        hash(w)


BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
          operator.mod, operator.pow, operator.and_, operator.or_, operator.xor]
COMPARE = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


@pytest.mark.parametrize("op", BINARY + COMPARE, ids=lambda op: op.__name__)
def test_wrapper_operators_equal_numpy(h5data, op):
    x, h = h5data
    w = ChunkedArrayWrapper(h)
    y = (x[::-1] % 3 + 1).copy()
    others = [3, 2.0, np.int64(2), y[0], y, zarr.array(y, chunks=(3, 5)),
              ChunkedArrayWrapper(zarr.array(y, chunks=(5, 2)))]
    for other in others:
        o = read(other) if isinstance(other, (ChunkedArrayWrapper, zarr.Array)) else other
        if op in (operator.and_, operator.or_, operator.xor) and isinstance(o, float):
            continue
        r = op(w, other)
        assert isinstance(r, ChunkedArrayWrapper), type(r)
        assert_stored(r.values, op(x, o))
    # Reflected, with a Python scalar on the left (comparisons reflect to their mirror).
    for scalar in (3, 7, 2.5):
        if op in (operator.and_, operator.or_, operator.xor) and isinstance(scalar, float):
            continue
        r = op(scalar, w)
        assert isinstance(r, ChunkedArrayWrapper), type(r)
        assert_stored(r.values, op(scalar, x))


def test_wrapper_reflected_operators_with_a_numpy_array_on_the_left(h5data):
    # ndarray + wrapper must give the wrapper's block-wise answer (its __radd__),
    # not numpy's whole-array one through __array__.
    x, h = h5data
    w = ChunkedArrayWrapper(h)
    y = x[::-1] % 3 + 1
    for left in (y, y[0], np.int64(2)):
        for op in (operator.add, operator.sub, operator.truediv, operator.lt):
            r = op(left, w)
            assert isinstance(r, ChunkedArrayWrapper), (type(left), op, type(r))
            assert_stored(r.values, op(left, x))


def test_wrapper_operators_with_python_scalars_keep_the_dtype():
    w = ChunkedArrayWrapper(zarr.array(np.arange(12, dtype="i4").reshape(4, 3), chunks=(2, 3)))
    assert (w + 1).dtype == np.int32
    assert (2 * w).dtype == np.int32
    assert (w / 2).dtype == np.float64
    fw = ChunkedArrayWrapper(np.ones((4, 3), "f4"))
    assert (fw * 0.5).dtype == np.float32


def test_wrapper_works_over_every_kind(sources, kind):
    x = ints((11, 4), seed=23)
    w = ChunkedArrayWrapper(sources.make(kind, x, (3, 4)))
    assert_value(w.max(axis=0), x.max(axis=0))
    assert_value(w.sum(), x.sum())
    assert_stored(w.min(axis=1).values, x.min(axis=1))
    assert_stored((w * np.int32(2) - w).values, x)
    assert_stored((w > 0).values, x > 0)


def test_reducer_results_that_view_the_block_are_kept_apart():
    x = np.arange(16).reshape(8, 2)
    z = zarr.array(x, chunks=(2, 2))
    got = chunked.reduce_axis(z, lambda b, axis: b[0], np.add, axis=0, threads=1)
    np.testing.assert_array_equal(got, x[::2].sum(axis=0))


def test_a_mapper_that_drops_a_dimension_keeps_reductions_right():
    x = np.arange(60).reshape(3, 4, 5)
    z = zarr.array(x, chunks=(2, 2, 5))
    got = chunked.asum(z, axis=1, mapper=lambda b: b[:, :, 0])
    np.testing.assert_array_equal(got[...], x[:, :, 0].sum(axis=1))


def test_map_blocks_refuses_a_later_block_of_a_wider_dtype():
    with pytest.raises(TypeError, match="dtype"):
        chunked.map_blocks(np.arange(6), lambda b: b if b[0] == 0 else b + 0.5, blen=3)
