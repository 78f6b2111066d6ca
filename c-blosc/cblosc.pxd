# cython: language_level=3
"""Cython declarations of the part of c-blosc 1.x (blosc.h) that zarr.ext calls.

Only the context (``*_ctx``) functions and the stateless helpers are declared:
the global-state API (blosc_init, blosc_set_nthreads, blosc_compress, ...) is
deliberately absent, so that every call is safe from many threads at once.
"""


cdef extern from "blosc.h" nogil:
    enum:
        BLOSC_VERSION_FORMAT
        BLOSC_MIN_HEADER_LENGTH
        BLOSC_MAX_OVERHEAD
        BLOSC_MAX_BUFFERSIZE
        BLOSC_MAX_TYPESIZE
        BLOSC_NOSHUFFLE
        BLOSC_SHUFFLE
        BLOSC_BITSHUFFLE
        BLOSC_DOSHUFFLE
        BLOSC_MEMCPYED
        BLOSC_DOBITSHUFFLE
        BLOSC_BLOSCLZ_FORMAT
        BLOSC_LZ4_FORMAT
        BLOSC_SNAPPY_FORMAT
        BLOSC_ZLIB_FORMAT
        BLOSC_ZSTD_FORMAT

    const char* BLOSC_VERSION_STRING

    int blosc_compress_ctx(int clevel, int doshuffle, size_t typesize,
                           size_t nbytes, const void* src, void* dest,
                           size_t destsize, const char* compressor,
                           size_t blocksize, int numinternalthreads)
    int blosc_decompress_ctx(const void* src, void* dest, size_t destsize,
                             int numinternalthreads)
    int blosc_getitem(const void* src, int start, int nitems, void* dest)

    const char* blosc_list_compressors()
    int blosc_compname_to_compcode(const char* compname)
    int blosc_get_complib_info(const char* compname, char** complib, char** version)
    void blosc_cbuffer_sizes(const void* cbuffer, size_t* nbytes,
                             size_t* cbytes, size_t* blocksize)
    int blosc_cbuffer_validate(const void* cbuffer, size_t cbytes, size_t* nbytes)
