# The blosc codec: compress, validate, decompress and getitem, with the GIL
# released around every call into c-blosc.

from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release,
                             PyBUF_SIMPLE, PyBUF_WRITABLE)
from cpython.bytes cimport PyBytes_AS_STRING, _PyBytes_Resize
from cpython.object cimport PyObject
from cpython.ref cimport Py_DECREF, Py_XDECREF
from libc.stdint cimport uint8_t, int32_t, uint32_t, int64_t, uint64_t
from libc.stdlib cimport free

from cblosc cimport *

cdef extern from "Python.h":
    # Declared by hand to get the new reference as a raw pointer, which
    # _PyBytes_Resize needs.
    PyObject* _bytes_new "PyBytes_FromStringAndSize"(const char* v, Py_ssize_t n) except NULL
    const Py_ssize_t PY_SSIZE_T_MAX


#: The c-blosc version this module is linked with.
BLOSC_VERSION = (<bytes>BLOSC_VERSION_STRING).decode("ascii")

#: The compressors available in the linked c-blosc, by name.
COMPRESSORS = tuple((<bytes>blosc_list_compressors()).decode("ascii").split(","))

#: Shuffle codes and their names.
SHUFFLE_NAMES = {BLOSC_NOSHUFFLE: "NOSHUFFLE", BLOSC_SHUFFLE: "BYTESHUFFLE",
                 BLOSC_BITSHUFFLE: "BITSHUFFLE"}

#: The largest buffer blosc compresses, in bytes.
MAX_BUFFERSIZE = BLOSC_MAX_BUFFERSIZE

# The layout of a blosc 1.x frame: a 16-byte header (HEADER, in ext.pxd;
# little-endian integers, read with _u32), then for compressed frames a table
# of block starts, each block made of one or `typesize` splits, each split a
# 4-byte length and that many bytes.
cdef enum:
    FLAG_RESERVED = 0x08
    FLAG_NOSPLIT = 0x10
    MAX_SPLITS = 16
    MIN_SPLIT_BUFFER = 128
    # Compression buffers this large may use huge pages (numpy's threshold).
    HUGE_PAGE_MIN = 4 << 20
    # A blosclz match length grows by 255 for each 0xFF byte and is held in
    # a 32-bit int: only a split longer than this can hold a run overflowing it.
    BLOSCLZ_RUN_SCAN = 8421504   # 2**31 // 255

cdef dict _COMPFORMAT_NAMES = {BLOSC_BLOSCLZ_FORMAT: "blosclz", BLOSC_LZ4_FORMAT: "lz4",
                               BLOSC_SNAPPY_FORMAT: "snappy", BLOSC_ZLIB_FORMAT: "zlib",
                               BLOSC_ZSTD_FORMAT: "zstd"}
cdef dict _CNAME_BYTES = {name: name.encode("ascii") for name in COMPRESSORS}
# Compressor formats (flag bits 5-7) that the linked library decodes.
cdef set _KNOWN_FORMATS = set()
for _name in COMPRESSORS:
    _KNOWN_FORMATS.add({"blosclz": BLOSC_BLOSCLZ_FORMAT, "lz4": BLOSC_LZ4_FORMAT,
                        "lz4hc": BLOSC_LZ4_FORMAT, "snappy": BLOSC_SNAPPY_FORMAT,
                        "zlib": BLOSC_ZLIB_FORMAT, "zstd": BLOSC_ZSTD_FORMAT}[_name])


def check_options(cname, clevel, shuffle):
    """Validate compression options and return them normalised.

    Parameters
    ----------
    cname : str
        A compressor among :data:`COMPRESSORS`.
    clevel : int
        Compression level, 0 (no compression) to 9.
    shuffle : int
        0 (NOSHUFFLE), 1 (BYTESHUFFLE) or 2 (BITSHUFFLE).

    Returns
    -------
    (str, int, int)

    Examples
    --------
    >>> check_options("lz4", 5, 1)
    ('lz4', 5, 1)
    """
    if isinstance(cname, bytes):
        cname = cname.decode("ascii", "replace")
    if cname not in _CNAME_BYTES:
        raise ValueError("unknown compressor %r: choose one of %s"
                         % (cname, ", ".join(COMPRESSORS)))
    if isinstance(clevel, bool) or not isinstance(clevel, int) and not hasattr(clevel, "__index__"):
        raise TypeError("clevel must be an integer from 0 to 9, not %r" % (clevel,))
    clevel = int(clevel)
    if not 0 <= clevel <= 9:
        raise ValueError("clevel must be an integer from 0 to 9, not %d" % clevel)
    if isinstance(shuffle, bool) or not isinstance(shuffle, int) and not hasattr(shuffle, "__index__"):
        raise TypeError("shuffle must be 0 (NOSHUFFLE), 1 (BYTESHUFFLE) or 2 (BITSHUFFLE), "
                        "not %r" % (shuffle,))
    shuffle = int(shuffle)
    if shuffle not in SHUFFLE_NAMES:
        raise ValueError("shuffle must be 0 (NOSHUFFLE), 1 (BYTESHUFFLE) or 2 (BITSHUFFLE), "
                         "not %d" % shuffle)
    return cname, clevel, shuffle


cdef extern from *:
    """
    #if defined(__linux__)
    #include <sys/mman.h>
    #include <stdint.h>
    #endif
    /* Ask for transparent huge pages for the 2 MiB-aligned part of a buffer. */
    static void zarr_madvise_hugepage(char* p, Py_ssize_t n) {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        uintptr_t huge = (uintptr_t)2 << 20;
        uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
        uintptr_t end = ((uintptr_t)p + (uintptr_t)n) & ~(huge - 1);
        if (end > start) madvise((void*)start, end - start, MADV_HUGEPAGE);
    #else
        (void)p; (void)n;
    #endif
    }
    """
    void zarr_madvise_hugepage(char* p, Py_ssize_t n) nogil


# Worst-case frame buffers of at least HUGE_PAGE_MIN bytes are advised to use
# huge pages (see set_madvise_hugepage).
import os
cdef bint _madvise_hugepage = os.environ.get("ZARR_MADVISE_HUGEPAGE", "1").strip() != "0"


def set_madvise_hugepage(bint enabled):
    """Whether to advise the kernel to back large compression buffers with
    transparent huge pages; returns the previous setting.

    A chunk is compressed into a new buffer of the worst-case size, whose
    pages the kernel supplies fresh as the codec writes them. For buffers of
    4 MiB and more, zarr asks for huge pages (``madvise(MADV_HUGEPAGE)``), as
    numpy does for its own arrays of that size: one fault per 2 MiB instead of
    one per 4 KiB. The default is on (Linux only); ``ZARR_MADVISE_HUGEPAGE=0``
    in the environment turns it off at import.

    Examples
    --------
    >>> previous = set_madvise_hugepage(False)
    >>> set_madvise_hugepage(previous)
    False
    """
    global _madvise_hugepage
    previous = _madvise_hugepage
    _madvise_hugepage = enabled
    return previous


cdef bytes _compress(const void* src, Py_ssize_t nbytes, Py_ssize_t typesize,
                     const char* cname, int clevel, int shuffle, Py_ssize_t blocksize,
                     int nthreads=1):
    """Compress nbytes at src into a new bytes object (options already checked)."""
    cdef Py_ssize_t destsize = nbytes + BLOSC_MAX_OVERHEAD
    cdef PyObject* out
    cdef char* dest
    cdef int n
    cdef object result
    if nbytes > BLOSC_MAX_BUFFERSIZE:
        raise CodecError("cannot compress %d bytes: blosc takes at most %d bytes in one buffer"
                         % (nbytes, BLOSC_MAX_BUFFERSIZE))
    if typesize < 1:
        typesize = 1
    out = _bytes_new(NULL, destsize)
    dest = PyBytes_AS_STRING(<object>out)
    if destsize >= HUGE_PAGE_MIN and _madvise_hugepage:
        zarr_madvise_hugepage(dest, destsize)
    with nogil:
        n = blosc_compress_ctx(clevel, shuffle, <size_t>typesize, <size_t>nbytes, src,
                               dest, <size_t>destsize, cname, <size_t>blocksize, nthreads)
    if n <= 0:
        Py_DECREF(<object>out)
        raise CodecError("blosc failed to compress %d bytes (error %d)" % (nbytes, n))
    if n < destsize:
        _PyBytes_Resize(&out, n)
    result = <object>out
    Py_DECREF(result)
    return result


cdef Py_ssize_t _expected_typesize(Py_ssize_t itemsize) noexcept nogil:
    return itemsize if 0 < itemsize <= BLOSC_MAX_TYPESIZE else 1


cdef str _check_header(const uint8_t* src, Py_ssize_t srclen, Py_ssize_t nbytes,
                       Py_ssize_t itemsize):
    """Checks on the 16-byte header; None when they pass, else the reason.

    nbytes < 0 means: accept the header's own nbytes.
    """
    cdef uint32_t h_nbytes, h_blocksize, h_cbytes
    cdef int flags, typesize, fmt
    if srclen < HEADER:
        return "buffer of %d bytes is shorter than the %d-byte blosc header" % (srclen, HEADER)
    if src[0] != BLOSC_VERSION_FORMAT:
        return "unsupported blosc format version %d (expected %d)" % (src[0], BLOSC_VERSION_FORMAT)
    flags = src[2]
    if flags & FLAG_RESERVED:
        return "reserved flag bit 0x08 is set (flags 0x%02x)" % flags
    fmt = flags >> 5
    if fmt not in _KNOWN_FORMATS:
        return "compressor format %d (%s) is not available in this c-blosc" % (
            fmt, _COMPFORMAT_NAMES.get(fmt, "unknown"))
    if src[1] != 1:
        return "unsupported %s format version %d" % (_COMPFORMAT_NAMES[fmt], src[1])
    typesize = src[3]
    h_nbytes = _u32(src + 4)
    h_blocksize = _u32(src + 8)
    h_cbytes = _u32(src + 12)
    if h_cbytes != <uint64_t>srclen:
        return "header gives cbytes=%d but the buffer holds %d bytes" % (h_cbytes, srclen)
    if h_nbytes > <uint32_t>BLOSC_MAX_BUFFERSIZE:
        return "header gives nbytes=%d, over blosc's limit" % h_nbytes
    if nbytes >= 0 and h_nbytes != <uint64_t>nbytes:
        return "header gives nbytes=%d, expected %d" % (h_nbytes, nbytes)
    if h_cbytes > h_nbytes + HEADER:
        return "header gives cbytes=%d, more than nbytes + 16 = %d" % (h_cbytes, h_nbytes + HEADER)
    if typesize == 0 or (itemsize > 0 and typesize != 1
                         and typesize != _expected_typesize(itemsize)):
        return "header gives typesize=%d for items of %d bytes" % (typesize, itemsize)
    if h_nbytes == 0:
        if h_cbytes != HEADER:
            return "empty buffer with cbytes=%d" % h_cbytes
        return None
    if h_blocksize == 0 or h_blocksize > h_nbytes:
        return "header gives blocksize=%d for nbytes=%d" % (h_blocksize, h_nbytes)
    if flags & BLOSC_MEMCPYED and h_cbytes != h_nbytes + HEADER:
        return "uncompressed (memcpyed) buffer with cbytes=%d, expected %d" % (
            h_cbytes, h_nbytes + HEADER)
    return None


cdef int _has_long_ff_run(const uint8_t* p, Py_ssize_t n, Py_ssize_t limit) noexcept nogil:
    cdef Py_ssize_t i, run = 0
    for i in range(n):
        if p[i] == 0xFF:
            run += 1
            if run > limit:
                return 1
        else:
            run = 0
    return 0


cdef int _check_blocks(const uint8_t* src, Py_ssize_t cbytes, Py_ssize_t* where,
                       int64_t j_lo=0, int64_t j_hi=-1) noexcept nogil:
    """Walk the block-start table and every split's length of a header-checked,
    compressed (not memcpyed) buffer; only of blocks j_lo to j_hi when j_hi
    >= 0 (a frame read in part holds only those). Returns 0, or an error code
    with the offending block in *where."""
    cdef int flags = src[2]
    cdef int typesize = src[3]
    cdef int fmt = flags >> 5
    cdef bint dont_split = (flags & FLAG_NOSPLIT) != 0
    cdef int64_t nbytes = _u32(src + 4)
    cdef int64_t blocksize = _u32(src + 8)
    cdef int64_t nblocks = nbytes // blocksize
    cdef int64_t leftover = nbytes % blocksize
    cdef int64_t j, s, bsize, nsplits, neblock, off, csize, table_end
    if leftover > 0:
        nblocks += 1
    table_end = HEADER + 4 * nblocks
    if table_end > cbytes:
        where[0] = -1
        return 1
    if j_hi < 0 or j_hi >= nblocks:
        j_hi = nblocks - 1
    for j in range(j_lo, j_hi + 1):
        where[0] = j
        bsize = blocksize
        if j == nblocks - 1 and leftover > 0:
            bsize = leftover
            nsplits = 1
        elif (not dont_split and typesize <= MAX_SPLITS
              and bsize // typesize >= MIN_SPLIT_BUFFER):
            nsplits = typesize
        else:
            nsplits = 1
        if bsize % nsplits:
            return 4
        neblock = bsize // nsplits
        off = _u32(src + HEADER + 4 * j)
        if off < table_end or off >= cbytes:
            return 2
        for s in range(nsplits):
            if off > cbytes - 4:
                return 3
            csize = <int32_t>_u32(src + off)
            off += 4
            if csize <= 0 or csize > neblock or csize > cbytes - off:
                return 3
            if (fmt == BLOSC_BLOSCLZ_FORMAT and csize != neblock and csize > BLOSCLZ_RUN_SCAN
                    and _has_long_ff_run(src + off, csize,
                                         min(neblock // 255 + 64, BLOSCLZ_RUN_SCAN - 1))):
                return 5
            off += csize
    return 0


cdef str _block_error(int code, Py_ssize_t where):
    if code == 1:
        return "block-start table does not fit in the buffer"
    if code == 2:
        return "block %d starts outside the buffer" % where
    if code == 3:
        return "block %d has a split whose length runs outside its bounds" % where
    if code == 4:
        return "block %d cannot be split evenly by the typesize" % where
    if code == 5:
        return "block %d holds a run of 0xFF bytes that no blosclz stream contains" % where
    return "block %d is invalid (code %d)" % (where, code)


cdef int _validate(const uint8_t* src, Py_ssize_t srclen, Py_ssize_t nbytes,
                   Py_ssize_t itemsize, object context, int64_t j_lo=0,
                   int64_t j_hi=-1) except -1:
    """Raise CorruptChunkError unless src is safe to hand to the decompressor
    (for blocks j_lo to j_hi only, when j_hi >= 0)."""
    cdef str reason = _check_header(src, srclen, nbytes, itemsize)
    cdef int code = 0
    cdef Py_ssize_t where = 0
    if reason is None and _u32(src + 4) > 0 and not (src[2] & BLOSC_MEMCPYED):
        with nogil:
            code = _check_blocks(src, srclen, &where, j_lo, j_hi)
        if code:
            reason = _block_error(code, where)
    if reason is not None:
        raise CorruptChunkError(_describe(context, reason))
    return 0


cdef str _describe(object context, str reason):
    if context is None:
        return "invalid blosc buffer: " + reason
    return "%s: invalid blosc buffer: %s" % (context, reason)


cdef int _decompress_checked(const uint8_t* src, Py_ssize_t srclen, void* dest,
                             Py_ssize_t nbytes, object context, int nthreads=1) except -1:
    """Decompress a frame that _validate passed for exactly nbytes into dest."""
    cdef int n
    if nbytes == 0:
        return 0
    with nogil:
        n = blosc_decompress_ctx(src, dest, <size_t>nbytes, nthreads)
    if n != nbytes:
        raise CorruptChunkError(_describe(
            context, "decompression failed (blosc returned %d for %d bytes)" % (n, nbytes)))
    return 0


cdef int _decompress(const uint8_t* src, Py_ssize_t srclen, void* dest, Py_ssize_t nbytes,
                     Py_ssize_t itemsize, object context, int nthreads=1) except -1:
    """Validate src for a destination of exactly nbytes, then decompress into it."""
    _validate(src, srclen, nbytes, itemsize, context)
    return _decompress_checked(src, srclen, dest, nbytes, context, nthreads)


cdef int _getitem(const uint8_t* src, Py_ssize_t srclen, Py_ssize_t nbytes,
                  Py_ssize_t itemsize, Py_ssize_t start, Py_ssize_t nitems,
                  void* dest, object context, bint validated=False) except -1:
    """Validate src (unless it was validated before): its header, its block
    table and the blocks that hold the items, which are all blosc_getitem
    reads; then decompress items [start, start + nitems) into dest."""
    cdef int n
    cdef Py_ssize_t typesize, scale, blocksize
    if (itemsize <= 0 or start < 0 or nitems < 0 or nitems > nbytes // itemsize
            or start > nbytes // itemsize - nitems):
        if not validated:
            _validate(src, srclen, nbytes, itemsize, context)
        raise IndexError("items %d to %d are outside a buffer of %d bytes"
                         % (start, start + nitems, nbytes))
    if not validated:
        blocksize = _u32(src + 8) if srclen >= HEADER else 0
        if nitems > 0 and blocksize > 0:
            _validate(src, srclen, nbytes, itemsize, context, start * itemsize // blocksize,
                      ((start + nitems) * itemsize - 1) // blocksize)
        else:
            _validate(src, srclen, nbytes, itemsize, context)
    if nitems == 0:
        return 0
    typesize = src[3]
    scale = itemsize // typesize   # the header's typesize is itemsize or 1
    with nogil:
        n = blosc_getitem(src, <int>(start * scale), <int>(nitems * scale), dest)
    if n != nitems * itemsize:
        raise CorruptChunkError(_describe(
            context, "decompression of items %d to %d failed (blosc returned %d)"
            % (start, start + nitems, n)))
    return 0


cdef class _Buffer:
    """A contiguous buffer export, released when the object goes."""

    def __cinit__(self, obj, bint writable=False):
        PyObject_GetBuffer(obj, &self.view, PyBUF_WRITABLE if writable else PyBUF_SIMPLE)
        self.held = True

    def __dealloc__(self):
        if self.held:
            PyBuffer_Release(&self.view)


cdef object _export(obj, bint writable=False):
    # numpy exports no buffer for datetime64 / timedelta64: view those as bytes.
    dtype = getattr(obj, "dtype", None)
    if dtype is not None and dtype.kind in "mM":
        obj = obj.reshape(-1).view("u1")
    return _Buffer(obj, writable)


def compress(source, Py_ssize_t typesize=1, cname="blosclz", clevel=5, shuffle=1,
             Py_ssize_t blocksize=0, int nthreads=1):
    """Compress a contiguous buffer into one blosc frame.

    Parameters
    ----------
    source : buffer
        Any C-contiguous object with the buffer protocol (bytes, numpy array...).
    typesize : int
        Item size in bytes, which the shuffle filters work with.
    cname, clevel, shuffle
        Compression options, see :func:`check_options`.
    blocksize : int
        Block size in bytes; 0 lets blosc choose.
    nthreads : int
        Threads blosc starts for this call to compress blocks in parallel
        (1, the default, starts none). Arrays run chunks in parallel instead.

    Returns
    -------
    bytes

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(1000, dtype="i4")
    >>> frame = compress(a, a.itemsize, "lz4", 5, 1)
    >>> len(frame) < a.nbytes
    True
    """
    cdef _Buffer buf
    cname, clevel, shuffle = check_options(cname, clevel, shuffle)
    if blocksize < 0:
        raise ValueError("blocksize must be 0 (automatic) or positive, not %d" % blocksize)
    if nthreads < 1:
        raise ValueError("nthreads must be at least 1, not %d" % nthreads)
    buf = _export(source)
    return _compress(buf.view.buf, buf.view.len, typesize, _CNAME_BYTES[cname],
                     clevel, shuffle, blocksize, nthreads)


def decompress(source, dest=None, Py_ssize_t itemsize=0, int nthreads=1):
    """Validate a blosc frame, then decompress it.

    Parameters
    ----------
    source : buffer
        The compressed frame (untrusted: it is checked before decompression).
    dest : writable buffer, optional
        Where to decompress; its size must equal the frame's nbytes.
    itemsize : int, optional
        When given, the frame's typesize must match it.
    nthreads : int
        Threads blosc starts for this call (see :func:`compress`).

    Returns
    -------
    bytes or dest

    Raises
    ------
    CorruptChunkError
        If the frame is inconsistent, truncated or fails to decompress.

    Examples
    --------
    >>> decompress(compress(b"abcd" * 100)) == b"abcd" * 100
    True
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out
    cdef PyObject* raw
    cdef object result
    cdef Py_ssize_t nbytes
    if nthreads < 1:
        raise ValueError("nthreads must be at least 1, not %d" % nthreads)
    if dest is not None:
        out = _export(dest, True)
        _decompress(<const uint8_t*>src.view.buf, src.view.len, out.view.buf,
                    out.view.len, itemsize, None, nthreads)
        return dest
    _validate(<const uint8_t*>src.view.buf, src.view.len, -1, itemsize, None)
    nbytes = _u32(<const uint8_t*>src.view.buf + 4)
    raw = _bytes_new(NULL, nbytes)
    result = <object>raw
    Py_DECREF(result)
    _decompress_checked(<const uint8_t*>src.view.buf, src.view.len,
                        PyBytes_AS_STRING(result), nbytes, None, nthreads)
    return result


def validate(source, Py_ssize_t nbytes=-1, Py_ssize_t itemsize=0):
    """Check that a blosc frame is safe to decompress, without decompressing it.

    Parameters
    ----------
    source : buffer
    nbytes : int, optional
        The decompressed size the frame must have (default: its own).
    itemsize : int, optional
        The item size the frame's typesize must match.

    Raises
    ------
    CorruptChunkError

    Examples
    --------
    >>> validate(compress(b"x" * 64), nbytes=64)
    """
    cdef _Buffer src = _export(source)
    _validate(<const uint8_t*>src.view.buf, src.view.len, nbytes, itemsize, None)


def cbuffer_sizes(source):
    """Return (nbytes, cbytes, blocksize) from a frame's header.

    The header is only read, not trusted: see :func:`validate`.

    Examples
    --------
    >>> cbuffer_sizes(compress(b"x" * 64))[0]
    64
    """
    cdef _Buffer src = _export(source)
    cdef const uint8_t* p = <const uint8_t*>src.view.buf
    if src.view.len < HEADER:
        raise CorruptChunkError(_describe(None, "buffer of %d bytes is shorter than the "
                                                "%d-byte blosc header" % (src.view.len, HEADER)))
    return (_u32(p + 4), _u32(p + 12), _u32(p + 8))


def getitem(source, Py_ssize_t start, Py_ssize_t nitems, dest, Py_ssize_t itemsize=0):
    """Decompress items [start, start + nitems) of a frame into dest.

    Only the blocks that hold those items are decompressed.

    Parameters
    ----------
    source : buffer
    start, nitems : int
        In items of ``itemsize`` bytes.
    dest : writable buffer of nitems * itemsize bytes
    itemsize : int, optional
        The size of one item; by default the frame's typesize.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(100000, dtype="i8")
    >>> out = np.empty(3, "i8")
    >>> getitem(compress(a, 8), 500, 3, out, 8).tolist()
    [500, 501, 502]
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out = _export(dest, True)
    if src.view.len < HEADER:
        _validate(<const uint8_t*>src.view.buf, src.view.len, -1, itemsize, None)
    if itemsize == 0:
        itemsize = (<const uint8_t*>src.view.buf)[3] or 1
    if itemsize < 0:
        raise ValueError("itemsize must be positive, not %d" % itemsize)
    if nitems < 0 or nitems > PY_SSIZE_T_MAX // itemsize:
        raise ValueError("nitems must be between 0 and %d, not %d"
                         % (PY_SSIZE_T_MAX // itemsize, nitems))
    if out.view.len != nitems * itemsize:
        raise ValueError("dest holds %d bytes, expected %d" % (out.view.len, nitems * itemsize))
    # The whole frame checked, as every function of this module checks what it is given.
    _validate(<const uint8_t*>src.view.buf, src.view.len, -1, itemsize, None)
    _getitem(<const uint8_t*>src.view.buf, src.view.len,
             _u32(<const uint8_t*>src.view.buf + 4), itemsize, start, nitems,
             out.view.buf, None, True)
    return dest


def list_compressors():
    """The compressor names available, as a list.

    Examples
    --------
    >>> "blosclz" in list_compressors()
    True
    """
    return list(COMPRESSORS)


def complib_info(cname):
    """Return (library, version) of the library behind a compressor.

    Examples
    --------
    >>> complib_info("zstd")[0]
    'Zstd'
    """
    cdef char* lib
    cdef char* ver
    cname = check_options(cname, 5, 1)[0]
    if blosc_get_complib_info(_CNAME_BYTES[cname], &lib, &ver) < 0:
        raise ValueError("no library information for %r" % cname)
    try:
        return (<bytes>lib).decode("ascii"), (<bytes>ver).decode("ascii")
    finally:
        free(lib)
        free(ver)
