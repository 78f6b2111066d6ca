"""Chunked, compressed N-dimensional arrays over c-blosc.

The compiled layer, :mod:`zarr.ext`, holds the blosc codec calls and the chunk
objects; the arrays are built on it in pure Python.
"""

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
    "BLOSC_VERSION",
    "COMPRESSORS",
    "Chunk",
    "CodecError",
    "CorruptChunkError",
    "SynchronizedChunk",
]
