"""The creation functions."""

import numpy as np
import pytest

import zarr
from dtypes import sample


def test_defaults_follow_numpy_and_the_seed():
    z = zarr.empty(100)
    assert type(z) is zarr.SynchronizedArray
    assert z.dtype == np.float64 and z.chunks == (100,) and z.fill_value == 0
    assert (z.cname, z.clevel, z.shuffle) == ("blosclz", 5, 1)
    assert type(zarr.empty(5, synchronized=False)) is zarr.Array
    assert zarr.empty((1e4, 1e3), dtype="i4").shape == (10000, 1000)


@pytest.mark.parametrize("fn,value", [(zarr.zeros, 0), (zarr.ones, 1),
                                      (lambda s, **k: zarr.full(s, 7, **k), 7),
                                      (zarr.empty, 0)])
def test_constant_arrays_store_nothing(fn, value):
    z = fn((30, 40), dtype="i2", chunks=(7, 9))
    assert z.nchunks_initialized == 0 and z.cbytes == 0
    np.testing.assert_array_equal(z[...], np.full((30, 40), value, "i2"))
    assert z.dtype == np.int16


def test_full_takes_its_dtype_from_the_value():
    assert zarr.full(3, 2.5).dtype == np.float64
    assert zarr.full(3, np.int8(2)).dtype == np.int8
    assert np.isnan(zarr.full(3, np.nan)[...]).all()
    assert zarr.full(2, "ab", dtype="U2")[...].tolist() == ["ab", "ab"]


@pytest.mark.parametrize("dtype", ["i4", "f8", "M8[s]", "U3", [("a", "u1"), ("b", "f4")]])
def test_array_from_numpy(dtype):
    a = sample(dtype, (50, 30))
    z = zarr.array(a, chunks=(16, 16))
    np.testing.assert_array_equal(z[...], a)
    assert z.dtype == a.dtype and z.nchunks_initialized == 8


def test_array_from_lists_scalars_and_casts():
    assert zarr.array([[1, 2], [3, 4]]).shape == (2, 2)
    assert zarr.array([1.7, 2.2], dtype="i4")[...].tolist() == [1, 2]
    z = zarr.array(3.5)
    assert z.shape == () and z[()] == 3.5


def test_array_from_another_zarr_array_shares_compressed_chunks():
    a = sample("f8", (100, 80))
    src = zarr.array(a, chunks=(30, 30), cname="zstd", clevel=2, fill_value=np.nan)
    src.resize(110, 80)
    copy = zarr.array(src, cname="zstd", clevel=2, fill_value=np.nan)
    assert copy.chunks == src.chunks
    np.testing.assert_array_equal(copy[...], src[...])
    assert copy.store.get("0.0") is src.store.get("0.0")
    # A different encoding goes through the values, a slab of chunk rows at a time.
    other = zarr.array(src, chunks=(7, 80), cname="lz4", dtype="f4")
    np.testing.assert_array_equal(other[...], src[...].astype("f4"))
    assert other.chunks == (7, 80) and other.cname == "lz4"
    # The copy is independent of its source.
    src[...] = 0
    assert np.isnan(copy[105, 0]) and copy[0, 0] == a[0, 0]


def test_array_from_an_array_like_with_chunks():
    class Dataset:
        """A minimal h5py-like dataset that records the slabs it is asked for."""
        def __init__(self, a):
            self.a, self.shape, self.dtype, self.chunks, self.reads = a, a.shape, a.dtype, (10, 5), []

        def __getitem__(self, sel):
            self.reads.append(sel)
            return self.a[sel]

    a = sample("i8", (35, 12))
    ds = Dataset(a)
    z = zarr.array(ds)
    assert z.chunks == (10, 5)
    np.testing.assert_array_equal(z[...], a)
    assert len(ds.reads) == 4


def test_like_functions():
    src = zarr.zeros((20, 30), dtype="u2", chunks=(5, 6), cname="lz4", clevel=1, shuffle=2,
                     synchronized=False)
    for fn, fill in [(zarr.empty_like, 0), (zarr.zeros_like, 0), (zarr.ones_like, 1),
                     (lambda a, **k: zarr.full_like(a, 9, **k), 9)]:
        z = fn(src)
        assert (z.shape, z.dtype, z.chunks, z.cname, z.clevel, z.shuffle) == (
            (20, 30), np.dtype("u2"), (5, 6), "lz4", 1, 2)
        assert type(z) is zarr.Array
        assert (z[...] == fill).all()
        assert fn(src, dtype="f4", chunks=(10, 10)).chunks == (10, 10)
    n = zarr.zeros_like(np.ones((4, 5), "i1"))
    assert (n.shape, n.dtype, type(n)) == ((4, 5), np.dtype("i1"), zarr.SynchronizedArray)
    assert zarr.ones_like([[1, 2, 3]]).shape == (1, 3)


def test_empty_is_never_leftover_memory():
    for _ in range(3):
        junk = np.full(1 << 20, 0x5A5A5A5A, "u4")
        del junk
        assert not zarr.empty(1 << 20, dtype="u4", chunks=1 << 16)[...].any()


@pytest.mark.parametrize("make", [zarr.zeros, zarr.ones])
def test_zeros_and_ones_refuse_a_fill_value(make):
    with pytest.raises(TypeError, match="fill_value"):
        make(5, fill_value=7)
    with pytest.raises(TypeError, match="fill_value"):
        getattr(zarr, make.__name__ + "_like")(np.ones(3), fill_value=7)
