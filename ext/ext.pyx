# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""zarr.ext: the compiled layer of zarr.

The blosc codec calls (compress, decompress, validate, getitem), the other
codecs of the Zarr v2 format (zstd, lz4, zlib and gzip, crc32 and adler32,
byte shuffle) and the chunk objects built on them. Every codec call runs with
the GIL released (blosc on its context functions), so calls from many threads
run in parallel.

The module is one extension assembled from the parts below, one idea each.
"""

# What one part uses from another (cdef classes and their attributes, C
# methods and functions, constants) is declared in ext.pxd, and each part
# cimports what it uses itself: the parts can be included in any order. This
# one reads from the codec up.
include "errors.pxi"
include "codec.pxi"
include "chunk.pxi"
include "copy.pxi"
include "store_chunk.pxi"
include "vlen.pxi"
include "complibs.pxi"
include "allocator.pxi"
