"""Delayed operations: numpy expressions over arrays too big for memory,
computed block by block only when a result is asked for
(:class:`DelayedArray`).

Examples
--------
>>> import numpy as np, zarr
>>> from zarr.delayed import DelayedArray
>>> z = zarr.array(np.arange(12.0).reshape(3, 4), chunks=(2, 2))
>>> d = np.sqrt(DelayedArray(z) * 2)[1:, ::2]
>>> d.shape, d.max().round(3)
((2, 2), np.float64(4.472))
"""

from zarr.delayed.array import DelayedArray
from zarr.delayed.blocks import buffer_size
from zarr.delayed.files import HDF5Dataset, TileDBArray, hdf5, tiledb

__all__ = ["DelayedArray", "HDF5Dataset", "TileDBArray", "buffer_size", "hdf5", "tiledb"]
