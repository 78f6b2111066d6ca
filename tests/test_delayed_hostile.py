"""Hostile cases for zarr.delayed and zarr.sparse, numpy and scipy the oracles:
each test asserts what numpy (scipy) gives, so that it fails on a bug."""

import h5py
import numpy as np
import pytest
import scipy.sparse

import zarr
from zarr.delayed import DelayedArray, buffer_size
from zarr.sparse import CompressedSparseMatrix

RNG = np.random.default_rng(7)
X3 = RNG.standard_normal((2, 3, 4))
X2 = RNG.integers(-5, 5, (6, 7)).astype(np.int8)


@pytest.fixture
def small_blocks():
    """Blocks of a few elements, so that every computation crosses many."""
    with buffer_size(64):
        yield


def same(got, want):
    """``got`` (a delayed array or a result) is numpy's ``want``: shape, dtype, values."""
    if isinstance(got, DelayedArray):
        assert got.shape == np.shape(want) and got.dtype == np.asarray(want).dtype
        got = got.compute()
    assert np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want)


# Transposes of three dimensions and more.

@pytest.mark.parametrize("axes", [(1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (-1, 0, 1)])
def test_transpose_of_3d_by_any_permutation(axes):
    d = DelayedArray(zarr.array(X3, chunks=(1, 2, 3)))
    same(d.transpose(*axes), X3.transpose(*axes))


def test_transpose_of_a_cube_is_not_its_inverse():
    # (3, 3, 3): the shapes agree whatever the order, so a wrong one gave wrong values.
    c = np.arange(27.0).reshape(3, 3, 3)
    same(DelayedArray(c).transpose(1, 2, 0), c.transpose(1, 2, 0))
    same(np.transpose(DelayedArray(c), (2, 0, 1))[1:, ::-1, [2, 0]],
         c.transpose(2, 0, 1)[1:, ::-1][:, :, [2, 0]])


# stack along any axis, and index lists along the new axis.

@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_stack_along_any_axis(small_blocks, axis):
    x = X2.astype(float)
    d = DelayedArray(zarr.array(x, chunks=(2, 3)))
    same(np.stack([d, d + 1], axis=axis), np.stack([x, x + 1], axis=axis))


def test_stack_of_3d_along_the_last_axes():
    d = DelayedArray(X3)
    same(np.stack([d, d * 2], axis=2), np.stack([X3, X3 * 2], axis=2))
    same(np.stack([d, d * 2], axis=-1), np.stack([X3, X3 * 2], axis=-1))


def test_stack_then_repeated_positions_along_the_new_axis():
    d = DelayedArray(X2)
    s = np.stack([d, d + 1])
    want = np.stack([X2, X2 + 1])
    same(s[[0, 0, 1]], want[[0, 0, 1]])
    same(s[[1, 1]][:, ::-2], want[[1, 1]][:, ::-2])
    same(np.stack([d, d], axis=1)[:, [1, 0, 0]], np.stack([X2, X2], axis=1)[:, [1, 0, 0]])


# Index arrays given as numpy arrays.

def test_subset_by_a_numpy_index_array():
    d = DelayedArray(X2)
    same(d[np.array([0, 2])], X2[np.array([0, 2])])
    same(d[np.array([5, 1], dtype=np.uint64)], X2[np.array([5, 1], dtype=np.uint64)])
    same(d[X2[:, 0] > 0], X2[X2[:, 0] > 0])


def test_subset_by_an_empty_numpy_mask():
    e = np.zeros(0)
    same(DelayedArray(e)[np.zeros(0, bool)], e[np.zeros(0, bool)])
    same(DelayedArray(e)[np.array([], dtype=np.int64)], e[np.array([], dtype=np.int64)])


# clip: numpy's own rules.

def test_clip_by_python_ints_beyond_the_integer_type():
    d = DelayedArray(X2)
    same(np.clip(d, -300, 3), np.clip(X2, -300, 3))
    same(d.clip(None, 1000), X2.clip(None, 1000))


def test_clip_dtypes_and_delayed_bounds(small_blocks):
    d = DelayedArray(zarr.array(X2, chunks=(2, 3)))
    same(np.clip(d, 0.5, 2), np.clip(X2, 0.5, 2))
    same(np.clip(d, d[:1], d[1:2] + 2), np.clip(X2, X2[:1], X2[1:2] + 2))
    same(np.clip(d, 3, 1), np.clip(X2, 3, 1))


# Generalized ufuncs work on whole core dimensions: not element by element.

def test_matmul_is_not_element_wise(small_blocks):
    x = np.arange(16.0).reshape(4, 4)
    d = DelayedArray(zarr.array(x, chunks=(2, 2)))
    try:
        got = np.matmul(d, d)
    except TypeError:
        return  # refused: fine
    same(got, x @ x)


def test_vecdot_gives_numpys_shape():
    x = np.arange(12.0).reshape(3, 4)
    try:
        got = np.vecdot(DelayedArray(x), DelayedArray(x))
    except TypeError:
        return
    same(got, np.vecdot(x, x))


# Means of infinite values, over many blocks.

def test_mean_of_an_infinite_value_is_infinite(small_blocks):
    x = np.arange(40.0).reshape(4, 10)
    x[0, 0] = np.inf
    d = DelayedArray(zarr.array(x, chunks=(2, 2)))
    with np.errstate(all="ignore"):
        same(d.mean(), x.mean())
        same(d.mean(axis=1), x.mean(axis=1))
        same(d.mean(axis=0, keepdims=True), x.mean(axis=0, keepdims=True))
        big = np.full((4, 10), 1e308)  # numpy's sum overflows: its mean is inf
        same(DelayedArray(zarr.array(big, chunks=(2, 2))).mean(), big.mean())


# The preview shows the values numpy shows.

def test_preview_of_strings_holding_commas():
    a = np.array(["a,b", "c"] * 5)
    text = repr(DelayedArray(a))
    assert "'a,b'" in text and text.count("'a,b'") == 3 and "'a,  b'" not in text
    text = repr(DelayedArray(a.reshape(2, 5)))
    assert text.count("'a,b'") == 5 and text.count("'c'") == 5


# Results of no dimensions, or of empty ones.

def test_to_dask_of_a_0d_array():
    got = (DelayedArray(np.array(2.5)) * 2).to_dask()
    assert got.shape == () and got.dtype == np.float64
    assert got.compute() == 5.0


@pytest.mark.parametrize("x", [np.array(2.5), np.zeros((0, 3)), np.arange(7, dtype="u2"),
                               np.arange(60.0).reshape(3, 4, 5)])
def test_to_zarr_and_dask_of_odd_shapes(tmp_path, x):
    d = DelayedArray(x) + 1
    z = d.to_zarr(str(tmp_path / "a.zarr"))
    same(np.asarray(z[...]), x + 1)
    same(np.asarray(d.to_dask().compute()), x + 1)


# What numpy takes and so should a delayed array.

def test_a_0d_integer_array_as_an_index():
    d = DelayedArray(X2)
    same(d[np.array(2)], X2[np.array(2)])
    same(d[:, np.array(-1, dtype=np.int8)], X2[:, np.array(-1, dtype=np.int8)])


def test_ufunc_with_where_true():
    same(np.add(DelayedArray(X2), 1, where=True), np.add(X2, 1, where=True))


def test_divmod_operator():
    d = DelayedArray(X2)
    for got, want in zip(divmod(d, 4), divmod(X2, 4)):
        same(got, want)
    for got, want in zip(divmod(7, d + 6), divmod(7, X2 + 6)):
        same(got, want)


# Seeds that take one index list at a time (h5py): what is read is bounded.

class Virtual:
    """A large seed whose values are their flat positions, made as read; it
    takes slices and one list, as h5py does, and counts what it reads."""

    def __init__(self, shape):
        self.shape, self.dtype, self.read = shape, np.dtype("i8"), 0

    def __getitem__(self, selection):
        assert sum(1 for s in selection if isinstance(s, list)) <= 1
        axes = [np.arange(*s.indices(n)) if isinstance(s, slice) else np.asarray(s)
                for s, n in zip(selection, self.shape)]
        out = np.ravel_multi_index(np.ix_(*axes), self.shape)
        self.read += out.size
        return out

    def values(self, *axes):
        return np.ravel_multi_index(np.ix_(*[np.arange(n)[a] for a, n in zip(axes, self.shape)]),
                                    self.shape)


def test_lists_far_apart_read_little_more_than_they_keep():
    seed = Virtual((3000, 20000))
    rows, cols = [0, 2999], np.arange(0, 20000, 20)
    got = DelayedArray(seed)[rows, cols].compute()
    same(got, seed.values(rows, cols))
    assert seed.read <= 4 * got.size  # not the 3000 rows that cover the two ends


def test_lists_on_every_axis_of_a_3d_seed():
    seed = Virtual((400, 3000, 500))
    sel = ([399, 0, 399, 200], [2999, 5, 1500, 1501, 0], [0, 499, 3, 3])
    d = DelayedArray(seed)
    want = seed.values(*sel)
    same(d[sel], want)
    assert seed.read <= 4 * want.size + 64 * 6  # not 400 x 5 x 500
    same(d[sel][::-1, [4, 0], ::-2], want[::-1][:, [4, 0]][:, :, ::-2])
    same(d[::-97, sel[1], 7:1:-2], seed.values(slice(None, None, -97), sel[1], slice(7, 1, -2)))


def test_lists_on_every_axis_of_an_h5py_dataset(tmp_path):
    x = np.arange(40 * 300 * 50.0).reshape(40, 300, 50)
    with h5py.File(tmp_path / "x.h5", "w") as f:
        h = f.create_dataset("x", data=x, chunks=(8, 30, 10))
        sel = ([39, 0, 39, 20], [299, 5, 150, 151, 0], [0, 49, 3, 3])
        d = DelayedArray(h)
        same(d[sel], x[np.ix_(*sel)])
        same(d[sel][::-1, [4, 0], ::-2], x[np.ix_(*sel)][::-1][:, [4, 0]][:, :, ::-2])
        same((d * 2)[[0, 39], ::-7, [49, 0]],
             (x * 2)[np.ix_([0, 39], np.arange(300)[::-7], [49, 0])])


# Sparse matrices against scipy.

SPARSE = scipy.sparse.random(7, 5, density=0.4, format="csc", random_state=3)


def _arrays(m):
    return {"data": m.data, "indices": m.indices, "indptr": m.indptr}


@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_one_value_is_scipys_scalar(fmt):
    m = SPARSE.asformat(fmt)
    s = CompressedSparseMatrix(_arrays(m), m.shape, by_column=fmt == "csc")
    for i, j in [(1, 2), (-1, -1), (np.int64(6), np.uint8(4)), (0, 0)]:
        got, want = s[i, j], m[i, j]
        assert not scipy.sparse.issparse(got)
        assert got == want and np.asarray(got).dtype == np.asarray(want).dtype
    assert s[1, :].shape == m[1, :].shape == (1, 5)


def test_sparse_sum_axes_as_scipys():
    s = CompressedSparseMatrix(_arrays(SPARSE), SPARSE.shape, by_column=True)
    np.testing.assert_allclose(s.sum(axis=(0, 1)), SPARSE.sum(axis=(0, 1)))
    np.testing.assert_allclose(s.sum(axis=(-1,)), np.asarray(SPARSE.sum(axis=-1)).ravel())
    for bad in [True, 1.0, "0"]:
        with pytest.raises(TypeError):
            SPARSE.sum(axis=bad)
        with pytest.raises(TypeError):
            s.sum(axis=bad)
    with pytest.raises(ValueError):
        s.sum(axis=2)


def test_sparse_shape_of_bools_refused():
    with pytest.raises(ValueError):
        CompressedSparseMatrix(_arrays(SPARSE), (True, 5), by_column=True)
