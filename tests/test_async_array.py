"""zarr.AsyncArray (zarr/async_array.py): an array's reads and writes as
coroutines, run on the event loop's threads; numpy is the oracle."""

import asyncio

import numpy as np
import pytest

import zarr


def test_coroutines_read_and_write_as_the_array_does(tmp_path):
    a = np.arange(120, dtype="i4").reshape(10, 12)
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=a.shape, chunks=(3, 5), dtype="i4")
    z[...] = a
    coroutines = z._async_array
    assert isinstance(coroutines, zarr.AsyncArray)
    assert (coroutines.shape, coroutines.dtype, coroutines.chunks) == (z.shape, z.dtype, z.chunks)

    async def work():
        return await asyncio.gather(
            coroutines.getitem((slice(2, 7), slice(None, None, 3))),
            coroutines.oindex.getitem(([1, 8, 3], [0, 11])),
            coroutines.vindex.getitem(([1, 8, 3], [0, 11, 2])),
            coroutines.getitem(()))

    basic, outer, points, whole = asyncio.run(work())
    np.testing.assert_array_equal(basic, a[2:7, ::3])
    np.testing.assert_array_equal(outer, a[np.ix_([1, 8, 3], [0, 11])])
    np.testing.assert_array_equal(points, a[[1, 8, 3], [0, 11, 2]])
    np.testing.assert_array_equal(whole, a)

    async def write():
        await coroutines.setitem((0, slice(None)), -1)
        await coroutines.oindex.setitem(([2, 4], [1, 3]), -2)
        await coroutines.vindex.setitem(([9], [9]), -3)
        await coroutines.resize((11, 12))

    asyncio.run(write())
    a[0] = -1
    a[np.ix_([2, 4], [1, 3])] = -2
    a[9, 9] = -3
    want = np.zeros((11, 12), "i4")
    want[:10] = a
    np.testing.assert_array_equal(zarr.open(str(tmp_path / "a.zarr"), mode="r")[...], want)


def test_errors_reach_the_awaiting_code():
    coroutines = zarr.zeros((4, 4), chunks=2)._async_array
    with pytest.raises(IndexError):
        asyncio.run(coroutines.getitem((9, 0)))
    with pytest.raises(AttributeError):
        coroutines._private
