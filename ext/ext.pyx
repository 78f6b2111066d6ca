# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""zarr.ext: the compiled layer of zarr.

The blosc codec calls (compress, decompress, validate, getitem) and the chunk
objects built on them. Every codec call runs on c-blosc's context functions
with the GIL released, so calls from many threads run in parallel.

The module is one extension assembled from the parts below, one idea each.
"""

include "errors.pxi"
include "codec.pxi"
include "chunk.pxi"
include "copy.pxi"
include "persistent.pxi"
include "allocator.pxi"
