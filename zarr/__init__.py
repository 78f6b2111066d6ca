"""Chunked, compressed N-dimensional arrays over c-blosc.

The compiled layer, :mod:`zarr.ext`, holds the blosc codec calls and the chunk
objects; the arrays are built on it in pure Python.
"""

import zarr.allocator  # noqa: F401  (sets malloc's thresholds if ZARR_TUNE_MALLOC=1)
from zarr.core import Array, SynchronizedArray
from zarr.creation import (
    array,
    create,
    empty,
    empty_like,
    full,
    full_like,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from zarr.attrs import Attributes
from zarr.errors import (ContainsArrayError, ContainsGroupError, MetadataError, NotAFileError,
                         ReadOnlyError)
from zarr.ext import (
    BLOSC_VERSION,
    COMPRESSORS,
    Chunk,
    CodecError,
    CorruptChunkError,
    StoreChunk,
    SynchronizedChunk,
)
from zarr.codecs import (CRC32, LZ4, Adler32, Blosc, Delta, FixedScaleOffset, GZip, Shuffle,
                         VLenArray, Zlib, Zstd)
from zarr.persistent import (
    LazyPersistentArray,
    PersistentArray,
    SynchronizedLazyPersistentArray,
    SynchronizedPersistentArray,
)
from zarr.hierarchy import Group, group
from zarr.consolidated import consolidate_metadata, open_consolidated
from zarr.opening import open, open_like
from zarr.api3 import create_array, open_array, open_group
from zarr.async_array import AsyncArray
from zarr import config
from zarr.parallel import get_threads, set_threads
from zarr import storage
from zarr.storage import DirectoryStore, LocalStore, MemoryStore, WrapperStore
from zarr.sync import DistributedSynchronizer, ProcessSynchronizer, ThreadSynchronizer
from zarr.table import Table, from_pandas, open_table

#: The version of this package.
__engine_version__ = "0.1.0.dev0"
#: The level of zarr-python's API this package answers to: dask and xarray
#: read it to pick the calls they make (``create_array``, ``open_array``,
#: ``zarr.storage.FsspecStore``), as they would with zarr-python 3.1.
__version__ = "3.1.0"

__all__ = [
    "get_threads",
    "set_threads",
    "create_array",
    "AsyncArray",
    "config",
    "open_array",
    "Array",
    "Attributes",
    "ContainsArrayError",
    "ContainsGroupError",
    "Group",
    "Table",
    "from_pandas",
    "open_table",
    "group",
    "open_group",
    "consolidate_metadata",
    "open_consolidated",
    "LazyPersistentArray",
    "MetadataError",
    "PersistentArray",
    "Blosc",
    "Zstd",
    "LZ4",
    "Zlib",
    "GZip",
    "Delta",
    "FixedScaleOffset",
    "Shuffle",
    "CRC32",
    "Adler32",
    "VLenArray",
    "DirectoryStore",
    "LocalStore",
    "MemoryStore",
    "ProcessSynchronizer",
    "DistributedSynchronizer",
    "StoreChunk",
    "ThreadSynchronizer",
    "WrapperStore",
    "storage",
    "ReadOnlyError",
    "SynchronizedLazyPersistentArray",
    "SynchronizedPersistentArray",
    "open",
    "open_like",
    "BLOSC_VERSION",
    "COMPRESSORS",
    "Chunk",
    "CodecError",
    "CorruptChunkError",
    "NotAFileError",
    "SynchronizedArray",
    "SynchronizedChunk",
    "array",
    "create",
    "empty",
    "empty_like",
    "full",
    "full_like",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
]

#: Subpackages imported on first use (``zarr.chunked.copy(...)`` after ``import zarr``).
_ON_FIRST_USE = ("chunked", "delayed", "sparse")


def __getattr__(name):
    if name in _ON_FIRST_USE:
        import importlib
        return importlib.import_module("zarr." + name)
    raise AttributeError("module 'zarr' has no attribute %r" % (name,))
