"""Coroutines over an array, as zarr-python 3's ``AsyncArray`` gives them:
``await a.getitem(key)``, ``await a.oindex.getitem(key)``,
``await a.vindex.getitem(key)`` and ``await a.setitem(key, value)``.

An array's reads and writes run on threads (blosc releases the GIL), so a
coroutine hands its call to the event loop's executor and awaits it: many
reads awaited together (xarray's ``load_async``) run side by side while the
loop stays free. ``array._async_array`` gives the coroutines of an array.

Examples
--------
>>> import asyncio, numpy as np, zarr
>>> z = zarr.array(np.arange(10), chunks=3)
>>> async def first_and_last(a):
...     return await asyncio.gather(a.getitem(slice(0, 2)), a.oindex.getitem([9]))
>>> [x.tolist() for x in asyncio.run(first_and_last(z._async_array))]
[[0, 1], [9]]
"""

import asyncio
import functools


async def _on_thread(call, *args):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(call, *args))


class AsyncIndex:
    """``getitem``/``setitem`` coroutines over one of an array's indexers
    (``oindex``, ``vindex``)."""

    def __init__(self, indexer):
        self._indexer = indexer

    async def getitem(self, selection):
        return await _on_thread(self._indexer.__getitem__, selection)

    async def setitem(self, selection, value):
        return await _on_thread(self._indexer.__setitem__, selection, value)


class AsyncArray:
    """The coroutines of an array (see the module).

    The array's properties (``shape``, ``dtype``, ``chunks``, ``attrs``...)
    are read through, unchanged.
    """

    def __init__(self, array):
        self._array = array

    @property
    def oindex(self):
        return AsyncIndex(self._array.oindex)

    @property
    def vindex(self):
        return AsyncIndex(self._array.vindex)

    async def getitem(self, selection):
        return await _on_thread(self._array.__getitem__, selection)

    async def setitem(self, selection, value):
        return await _on_thread(self._array.__setitem__, selection, value)

    async def resize(self, new_shape):
        return await _on_thread(self._array.resize, new_shape)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._array, name)

    def __repr__(self):
        return "<AsyncArray over %r>" % (self._array,)
