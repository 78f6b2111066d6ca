"""Block-wise computation over chunked array-likes, with results in a storage of choice.

The functions take any array-like with ``shape``, ``dtype`` and slicing
(this package's arrays, numpy arrays, h5py datasets, dask arrays), read it a
block of rows at a time (``blen`` rows, by default one chunk's), run
independent blocks side by side on the package's thread pool, and write
what they make to a new array or table of the storage named by
``storage=`` (see :data:`storage_registry`), handing it the remaining
keyword arguments.

Examples
--------
>>> import numpy as np
>>> from zarr import chunked
>>> x = np.arange(10000000)
>>> chunked.asum(x)
np.int64(49999995000000)
>>> chunked.copy(x, storage="tmp").path  # doctest: +ELLIPSIS
'/tmp/zarr-tmp-.../data.zarr'
"""

from zarr.chunked.core import binary_op, concatenate, copy, map_blocks, store
from zarr.chunked.reductions import amax, amin, asum, count_nonzero, reduce_axis
from zarr.chunked.selection import compress, subset, take
from zarr.chunked.tables import (compress_table, concatenate_table, copy_table, eval_table,
                                 take_table)
from zarr.chunked.wrappers import ChunkedArrayWrapper, ChunkedTableWrapper
from zarr.chunked.storage import (DirStorage, HDF5MemStorage, HDF5TmpStorage, MemStorage,
                                  TmpStorage, get_storage, storage_registry)

__all__ = ["store", "copy", "map_blocks", "binary_op", "concatenate", "reduce_axis", "amax",
           "amin", "asum", "count_nonzero", "compress", "take", "subset", "storage_registry",
           "get_storage", "MemStorage", "TmpStorage", "DirStorage", "HDF5MemStorage",
           "HDF5TmpStorage", "ChunkedArrayWrapper", "ChunkedTableWrapper", "copy_table",
           "compress_table", "take_table", "concatenate_table", "eval_table"]
