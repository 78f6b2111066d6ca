# cython: language_level=3
"""Cython declarations of the zstd, lz4 and zlib functions that zarr.ext calls.

They live in c-blosc's static library; complibs.h (beside this file) gives
their prototypes, since the blosc wheel installs no header of theirs.
"""


cdef extern from "complibs.h" nogil:
    enum:
        ZARR_ZSTD_C_COMPRESSIONLEVEL
        ZARR_ZSTD_C_CHECKSUMFLAG
        ZARR_LZ4_MAX_INPUT_SIZE
        ZARR_Z_OK
        ZARR_Z_STREAM_END
        ZARR_Z_NEED_DICT
        ZARR_Z_BUF_ERROR
        ZARR_Z_NO_FLUSH
        ZARR_Z_FINISH
        ZARR_Z_DEFLATED
    const unsigned long long ZARR_ZSTD_CONTENTSIZE_UNKNOWN
    const unsigned long long ZARR_ZSTD_CONTENTSIZE_ERROR

    ctypedef struct ZSTD_CCtx:
        pass
    size_t ZSTD_compressBound(size_t srcSize)
    ZSTD_CCtx* ZSTD_createCCtx()
    size_t ZSTD_freeCCtx(ZSTD_CCtx* cctx)
    size_t ZSTD_CCtx_setParameter(ZSTD_CCtx* cctx, int param, int value)
    size_t ZSTD_compress2(ZSTD_CCtx* cctx, void* dst, size_t dstCapacity,
                          const void* src, size_t srcSize)
    size_t ZSTD_decompress(void* dst, size_t dstCapacity, const void* src,
                           size_t compressedSize)
    unsigned long long ZSTD_findDecompressedSize(const void* src, size_t srcSize)
    unsigned long long ZSTD_decompressBound(const void* src, size_t srcSize)
    unsigned ZSTD_isError(size_t code)
    const char* ZSTD_getErrorName(size_t code)
    int ZSTD_minCLevel()
    int ZSTD_maxCLevel()

    int LZ4_compressBound(int inputSize)
    int LZ4_compress_fast(const char* src, char* dst, int srcSize, int dstCapacity,
                          int acceleration)
    int LZ4_decompress_safe(const char* src, char* dst, int compressedSize, int dstCapacity)

    ctypedef struct zarr_z_stream:
        const unsigned char* next_in
        unsigned int avail_in
        unsigned long total_in
        unsigned char* next_out
        unsigned int avail_out
        unsigned long total_out
        const char* msg
        void* state
        void* zalloc
        void* zfree
        void* opaque
        int data_type
        unsigned long adler
        unsigned long reserved
    const char* zlibVersion()
    int deflateInit2_(zarr_z_stream* strm, int level, int method, int windowBits,
                      int memLevel, int strategy, const char* version, int stream_size)
    int deflate(zarr_z_stream* strm, int flush)
    int deflateEnd(zarr_z_stream* strm)
    unsigned long deflateBound(zarr_z_stream* strm, unsigned long sourceLen)
    int inflateInit2_(zarr_z_stream* strm, int windowBits, const char* version,
                      int stream_size)
    int inflate(zarr_z_stream* strm, int flush)
    int inflateEnd(zarr_z_stream* strm)
    int inflateReset(zarr_z_stream* strm)
    unsigned long crc32_z(unsigned long crc, const unsigned char* buf, size_t len)
    unsigned long adler32_z(unsigned long adler, const unsigned char* buf, size_t len)
