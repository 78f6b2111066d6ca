"""Chunked, compressed N-dimensional arrays over c-blosc.

The compiled layer, :mod:`zarr.ext`, holds the blosc codec calls and the chunk
objects; the arrays are built on it in pure Python.
"""

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
from zarr.ext import (
    BLOSC_VERSION,
    COMPRESSORS,
    Chunk,
    CodecError,
    CorruptChunkError,
    SynchronizedChunk,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "Array",
    "BLOSC_VERSION",
    "COMPRESSORS",
    "Chunk",
    "CodecError",
    "CorruptChunkError",
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
