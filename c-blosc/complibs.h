/* The functions of zstd, lz4 and zlib that zarr.ext calls directly.

   c-blosc's static library (libblosc.a) carries these three libraries (zstd
   1.5, lz4 1.10, zlib 1.3) but its wheel installs no header of theirs, so
   their prototypes are written here, from the libraries' documented public
   APIs. zlib's z_stream is its stable public layout; deflateInit2_ and
   inflateInit2_ are given the version and sizeof(z_stream) so that zlib
   refuses a mismatch (Z_VERSION_ERROR) rather than misreading the struct. */

#ifndef ZARR_COMPLIBS_H
#define ZARR_COMPLIBS_H

#include <stddef.h>

/* zstd */
typedef struct ZSTD_CCtx_s ZSTD_CCtx;
size_t ZSTD_compressBound(size_t srcSize);
ZSTD_CCtx* ZSTD_createCCtx(void);
size_t ZSTD_freeCCtx(ZSTD_CCtx* cctx);
size_t ZSTD_CCtx_setParameter(ZSTD_CCtx* cctx, int param, int value);
size_t ZSTD_compress2(ZSTD_CCtx* cctx, void* dst, size_t dstCapacity,
                      const void* src, size_t srcSize);
size_t ZSTD_decompress(void* dst, size_t dstCapacity, const void* src, size_t compressedSize);
unsigned long long ZSTD_findDecompressedSize(const void* src, size_t srcSize);
unsigned long long ZSTD_decompressBound(const void* src, size_t srcSize);
unsigned ZSTD_isError(size_t code);
const char* ZSTD_getErrorName(size_t code);
int ZSTD_minCLevel(void);
int ZSTD_maxCLevel(void);
#define ZARR_ZSTD_C_COMPRESSIONLEVEL 100
#define ZARR_ZSTD_C_CHECKSUMFLAG 201
#define ZARR_ZSTD_CONTENTSIZE_UNKNOWN (0ULL - 1)
#define ZARR_ZSTD_CONTENTSIZE_ERROR (0ULL - 2)

/* lz4 (block format) */
int LZ4_compressBound(int inputSize);
int LZ4_compress_fast(const char* src, char* dst, int srcSize, int dstCapacity,
                      int acceleration);
int LZ4_decompress_safe(const char* src, char* dst, int compressedSize, int dstCapacity);
#define ZARR_LZ4_MAX_INPUT_SIZE 0x7E000000

/* zlib */
typedef struct zarr_z_stream {
    const unsigned char* next_in;
    unsigned int avail_in;
    unsigned long total_in;
    unsigned char* next_out;
    unsigned int avail_out;
    unsigned long total_out;
    const char* msg;
    void* state;
    void* zalloc;
    void* zfree;
    void* opaque;
    int data_type;
    unsigned long adler;
    unsigned long reserved;
} zarr_z_stream;

const char* zlibVersion(void);
int deflateInit2_(zarr_z_stream* strm, int level, int method, int windowBits, int memLevel,
                  int strategy, const char* version, int stream_size);
int deflate(zarr_z_stream* strm, int flush);
int deflateEnd(zarr_z_stream* strm);
unsigned long deflateBound(zarr_z_stream* strm, unsigned long sourceLen);
int inflateInit2_(zarr_z_stream* strm, int windowBits, const char* version, int stream_size);
int inflate(zarr_z_stream* strm, int flush);
int inflateEnd(zarr_z_stream* strm);
int inflateReset(zarr_z_stream* strm);
unsigned long crc32_z(unsigned long crc, const unsigned char* buf, size_t len);
unsigned long adler32_z(unsigned long adler, const unsigned char* buf, size_t len);

#define ZARR_Z_OK 0
#define ZARR_Z_STREAM_END 1
#define ZARR_Z_NEED_DICT 2
#define ZARR_Z_BUF_ERROR (-5)
#define ZARR_Z_NO_FLUSH 0
#define ZARR_Z_FINISH 4
#define ZARR_Z_DEFLATED 8

#endif
