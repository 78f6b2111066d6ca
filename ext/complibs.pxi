# The zstd, lz4 and zlib codecs as the Zarr v2 format uses them (the frames
# numcodecs' Zstd, LZ4, Zlib and GZip write), the crc32 and adler32 checksums
# and numcodecs' byte shuffle: each a call into the libraries c-blosc's
# static library carries, with the GIL released.
#
# Every decoder takes untrusted bytes. With ``dest`` the decoded size must be
# exactly ``len(dest)``: a size in the frame (zstd's content size, the lz4
# size prefix, gzip's trailer) is checked against it before anything is
# written, and the decoder is never given room for more. Without ``dest`` the
# decoded size must be at most ``max_nbytes``, checked the same way before
# the output is allocated. Anything else raises CorruptChunkError.

from cpython.bytes cimport PyBytes_AS_STRING, _PyBytes_Resize
from cpython.object cimport PyObject
from cpython.ref cimport Py_DECREF
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memset, strncpy

from ccomplibs cimport *
from cblosc cimport BLOSC_MAX_BUFFERSIZE

#: The range of zstd compression levels (0 is zstd's default level, 3).
ZSTD_LEVELS = (ZSTD_minCLevel(), ZSTD_maxCLevel())

#: The largest buffer the lz4 block format holds.
LZ4_MAX_INPUT = ZARR_LZ4_MAX_INPUT_SIZE

#: The zlib version this module is linked with.
ZLIB_VERSION = (<bytes>zlibVersion()).decode("ascii")

# What zlib's stream functions are fed and given at most in one call (their
# counts are 32-bit).
cdef enum:
    Z_PIECE = 1 << 30
    # Outcomes of _inflate_into.
    INFLATE_OK = 0
    INFLATE_FULL = 1        # the output is full and the stream goes on
    INFLATE_TRUNCATED = 2
    INFLATE_ERROR = 3       # zlib's message says what
    INFLATE_TRAILING = 4
    INFLATE_DICTIONARY = 5
    INFLATE_NO_MEMORY = 6
    INFLATE_INIT = 7


cdef object _corrupt(object context, str what, str reason):
    if context is None:
        return CorruptChunkError("invalid %s: %s" % (what, reason))
    return CorruptChunkError("%s: invalid %s: %s" % (context, what, reason))


cdef object _shrunk(PyObject* out, Py_ssize_t allocated, Py_ssize_t n):
    """The bytes object out (a new reference, of allocated bytes) cut to n bytes."""
    if n < allocated:
        _PyBytes_Resize(&out, n)
    result = <object>out
    Py_DECREF(result)
    return result


cdef object _checked_dest(object dest):
    """The writable buffer export of dest, or None."""
    if dest is None:
        return None
    return _export(dest, True)


cdef Py_ssize_t _check_max(Py_ssize_t max_nbytes) except -1:
    if max_nbytes < 0:
        raise ValueError("max_nbytes must be 0 or more, not %d" % max_nbytes)
    return max_nbytes


# --- zstd -------------------------------------------------------------------

def zstd_compress(source, int level=0, bint checksum=False):
    """One zstd frame of ``source`` (any contiguous buffer), its content size
    written in the frame header, as numcodecs' ``Zstd`` writes it.

    ``level`` is clamped by zstd to :data:`ZSTD_LEVELS` (0 means zstd's
    default); ``checksum`` adds the frame's 32-bit content checksum.

    Examples
    --------
    >>> frame = zstd_compress(b"abc" * 100, 3)
    >>> frame[:4], zstd_decompress(frame) == b"abc" * 100
    (b'(\\xb5/\\xfd', True)
    """
    cdef _Buffer src = _export(source)
    cdef size_t bound = ZSTD_compressBound(<size_t>src.view.len)
    cdef size_t n
    cdef ZSTD_CCtx* cctx
    cdef PyObject* out
    cdef char* dst
    out = _bytes_new(NULL, <Py_ssize_t>bound)
    dst = PyBytes_AS_STRING(<object>out)
    with nogil:
        cctx = ZSTD_createCCtx()
        if cctx != NULL:
            n = ZSTD_CCtx_setParameter(cctx, ZARR_ZSTD_C_COMPRESSIONLEVEL, level)
            if not ZSTD_isError(n):
                n = ZSTD_CCtx_setParameter(cctx, ZARR_ZSTD_C_CHECKSUMFLAG, 1 if checksum else 0)
            if not ZSTD_isError(n):
                n = ZSTD_compress2(cctx, dst, bound, src.view.buf, <size_t>src.view.len)
            ZSTD_freeCCtx(cctx)
    if cctx == NULL:
        Py_DECREF(<object>out)
        raise MemoryError("zstd could not make a compression context")
    if ZSTD_isError(n):
        Py_DECREF(<object>out)
        raise CodecError("zstd failed to compress %d bytes: %s"
                         % (src.view.len, (<bytes>ZSTD_getErrorName(n)).decode("ascii")))
    return _shrunk(out, <Py_ssize_t>bound, <Py_ssize_t>n)


def zstd_decompress(source, dest=None, Py_ssize_t max_nbytes=BLOSC_MAX_BUFFERSIZE,
                    context=None):
    """Decode the zstd frames of ``source`` (one or more, skippable frames
    allowed), into ``dest`` when given, else into new bytes.

    The content sizes the frame headers give are checked before anything is
    decoded: their sum must be ``len(dest)`` (or at most ``max_nbytes``). A
    frame without a content size is decoded into room for exactly that many
    bytes, no more; zstd checks the content checksum when the frame has one.

    Raises
    ------
    CorruptChunkError
        Naming ``context`` (when given), for anything but frames of that size.

    Examples
    --------
    >>> zstd_decompress(zstd_compress(b"x" * 10), bytearray(10))
    bytearray(b'xxxxxxxxxx')
    >>> zstd_decompress(zstd_compress(b"x" * 10), bytearray(9))
    Traceback (most recent call last):
    ...
    zarr.ext.CorruptChunkError: invalid zstd frame: its content size is 10 bytes, expected 9
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out = _checked_dest(dest)
    cdef unsigned long long size, bound
    cdef Py_ssize_t capacity
    cdef size_t n
    cdef PyObject* raw = NULL
    cdef void* dst
    _check_max(max_nbytes)
    if src.view.len == 0:
        raise _corrupt(context, "zstd frame", "0 bytes, no frame")
    with nogil:
        size = ZSTD_findDecompressedSize(src.view.buf, <size_t>src.view.len)
    if size == ZARR_ZSTD_CONTENTSIZE_ERROR:
        raise _corrupt(context, "zstd frame", "%d bytes that are not whole zstd frames"
                       % src.view.len)
    if out is not None:
        capacity = out.view.len
        if size != ZARR_ZSTD_CONTENTSIZE_UNKNOWN and size != <unsigned long long>capacity:
            raise _corrupt(context, "zstd frame", "its content size is %d bytes, expected %d"
                           % (size, capacity))
        dst = out.view.buf
    else:
        if size == ZARR_ZSTD_CONTENTSIZE_UNKNOWN:
            with nogil:
                bound = ZSTD_decompressBound(src.view.buf, <size_t>src.view.len)
            if bound == ZARR_ZSTD_CONTENTSIZE_ERROR:
                raise _corrupt(context, "zstd frame", "its blocks are not whole")
            capacity = <Py_ssize_t>min(bound, <unsigned long long>max_nbytes)
        elif size > <unsigned long long>max_nbytes:
            raise _corrupt(context, "zstd frame", "its content size is %d bytes, over the "
                           "limit of %d" % (size, max_nbytes))
        else:
            capacity = <Py_ssize_t>size
        raw = _bytes_new(NULL, capacity)
        dst = PyBytes_AS_STRING(<object>raw)
    with nogil:
        n = ZSTD_decompress(dst, <size_t>capacity, src.view.buf, <size_t>src.view.len)
    if ZSTD_isError(n) or (out is not None and n != <size_t>capacity):
        if raw != NULL:
            Py_DECREF(<object>raw)
        if ZSTD_isError(n):
            reason = (<bytes>ZSTD_getErrorName(n)).decode("ascii", "replace")
            if size == ZARR_ZSTD_CONTENTSIZE_UNKNOWN and "too small" in reason:
                reason = "it decodes to more than %d bytes" % capacity
            else:
                reason = "zstd: " + reason
        else:
            reason = "it decodes to %d bytes, expected %d" % (n, capacity)
        raise _corrupt(context, "zstd frame", reason)
    if raw == NULL:
        return dest
    return _shrunk(raw, capacity, <Py_ssize_t>n)


# --- lz4, with numcodecs' 4-byte size prefix --------------------------------

def lz4_compress(source, int acceleration=1):
    """``source`` as numcodecs' ``LZ4`` stores it: its size as a little-endian
    32-bit integer, then one lz4 block (``LZ4_compress_fast``).

    Examples
    --------
    >>> frame = lz4_compress(b"abcd" * 50)
    >>> frame[:4], lz4_decompress(frame) == b"abcd" * 50
    (b'\\xc8\\x00\\x00\\x00', True)
    """
    cdef _Buffer src = _export(source)
    cdef int bound, n
    cdef PyObject* out
    cdef char* dst
    if src.view.len > ZARR_LZ4_MAX_INPUT_SIZE:
        raise CodecError("cannot compress %d bytes: lz4 takes at most %d bytes in one buffer"
                         % (src.view.len, ZARR_LZ4_MAX_INPUT_SIZE))
    bound = LZ4_compressBound(<int>src.view.len)
    out = _bytes_new(NULL, 4 + bound)
    dst = PyBytes_AS_STRING(<object>out)
    _put_le32(<uint8_t*>dst, <uint32_t>src.view.len)
    with nogil:
        n = LZ4_compress_fast(<const char*>src.view.buf, dst + 4, <int>src.view.len, bound,
                              acceleration)
    if n <= 0:
        Py_DECREF(<object>out)
        raise CodecError("lz4 failed to compress %d bytes (error %d)" % (src.view.len, n))
    return _shrunk(out, 4 + bound, 4 + n)


def lz4_decompress(source, dest=None, Py_ssize_t max_nbytes=BLOSC_MAX_BUFFERSIZE,
                   context=None):
    """Decode a frame of :func:`lz4_compress` into ``dest`` when given, else
    into new bytes; its size prefix is checked against ``len(dest)`` (or
    ``max_nbytes``) before anything is decoded.

    Raises
    ------
    CorruptChunkError

    Examples
    --------
    >>> lz4_decompress(b"\\x05\\x00\\x00\\x00Phello")
    b'hello'
    >>> lz4_decompress(b"\\x05\\x00\\x00\\x00Phell")
    Traceback (most recent call last):
    ...
    zarr.ext.CorruptChunkError: invalid lz4 frame: its block does not decode (lz4 error -2)
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out = _checked_dest(dest)
    cdef const uint8_t* p = <const uint8_t*>src.view.buf
    cdef Py_ssize_t size, srclen = src.view.len
    cdef int n
    cdef PyObject* raw = NULL
    cdef char* dst
    cdef char empty[1]
    _check_max(max_nbytes)
    if srclen < 4:
        raise _corrupt(context, "lz4 frame", "%d bytes, too short for the 4-byte size prefix"
                       % srclen)
    size = <int>_u32(p)
    if size < 0 or size > ZARR_LZ4_MAX_INPUT_SIZE:
        raise _corrupt(context, "lz4 frame", "its size prefix %d is not a size lz4 encodes"
                       % size)
    if out is not None:
        if size != out.view.len:
            raise _corrupt(context, "lz4 frame", "its size prefix is %d bytes, expected %d"
                           % (size, out.view.len))
        dst = <char*>out.view.buf
    elif size > max_nbytes:
        raise _corrupt(context, "lz4 frame", "its size prefix is %d bytes, over the limit of %d"
                       % (size, max_nbytes))
    else:
        raw = _bytes_new(NULL, size)
        dst = PyBytes_AS_STRING(<object>raw)
    if srclen - 4 > 0x7FFFFFFF:
        n = -1
    else:
        with nogil:
            n = LZ4_decompress_safe(<const char*>(p + 4), dst if size else empty,
                                    <int>(srclen - 4), <int>size)
    if n != size:
        if raw != NULL:
            Py_DECREF(<object>raw)
        if n < 0:
            raise _corrupt(context, "lz4 frame", "its block does not decode (lz4 error %d)" % n)
        raise _corrupt(context, "lz4 frame", "it decodes to %d bytes, its prefix says %d"
                       % (n, size))
    if raw == NULL:
        return dest
    result = <object>raw
    Py_DECREF(result)
    return result


# --- zlib and gzip ----------------------------------------------------------

cdef int _window_bits(bint gzip) noexcept nogil:
    return 31 if gzip else 15


def zlib_compress(source, int level=1, bint gzip=False):
    """``source`` deflated into one zlib stream (as numcodecs' ``Zlib``), or
    with ``gzip`` into one gzip member (as numcodecs' ``GZip``; its header
    holds no name and a modification time of 0). ``level`` is -1 (zlib's
    default) to 9.

    Examples
    --------
    >>> stream = zlib_compress(b"abc" * 100, 6)
    >>> import zlib; zlib.decompress(stream) == b"abc" * 100
    True
    """
    cdef _Buffer src = _export(source)
    cdef zarr_z_stream strm
    cdef int rc
    cdef unsigned long bound
    cdef Py_ssize_t done_in = 0, total = src.view.len
    cdef size_t produced = 0
    cdef unsigned int given_in, given_out
    cdef PyObject* out
    cdef unsigned char* dst
    if not -1 <= level <= 9:
        raise ValueError("zlib level must be -1 to 9, not %d" % level)
    memset(&strm, 0, sizeof(strm))
    rc = deflateInit2_(&strm, level, ZARR_Z_DEFLATED, _window_bits(gzip), 8, 0,
                       zlibVersion(), <int>sizeof(zarr_z_stream))
    if rc != ZARR_Z_OK:
        raise CodecError("zlib could not start a stream (error %d)" % rc)
    bound = deflateBound(&strm, <unsigned long>total) + 64
    out = _bytes_new(NULL, <Py_ssize_t>bound)
    dst = <unsigned char*>PyBytes_AS_STRING(<object>out)
    with nogil:
        while True:
            given_in = <unsigned int>min(total - done_in, <Py_ssize_t>Z_PIECE)
            given_out = <unsigned int>min(bound - produced, <size_t>Z_PIECE)
            strm.next_in = <const unsigned char*>src.view.buf + done_in
            strm.avail_in = given_in
            strm.next_out = dst + produced
            strm.avail_out = given_out
            rc = deflate(&strm, ZARR_Z_FINISH if done_in + given_in == total
                         else ZARR_Z_NO_FLUSH)
            done_in += given_in - strm.avail_in
            produced += given_out - strm.avail_out
            if rc != ZARR_Z_OK:
                break
            if produced >= bound:
                rc = -100
                break
        deflateEnd(&strm)
    if rc != ZARR_Z_STREAM_END:
        Py_DECREF(<object>out)
        raise CodecError("zlib failed to compress %d bytes (error %d)" % (total, rc))
    return _shrunk(out, <Py_ssize_t>bound, <Py_ssize_t>produced)


cdef int _inflate_into(const unsigned char* src, Py_ssize_t srclen, unsigned char* dst,
                       Py_ssize_t capacity, bint gzip, Py_ssize_t* produced,
                       char* message, Py_ssize_t message_size) noexcept nogil:
    """Inflate the whole of src (a zlib stream, or gzip members one after
    another) into at most capacity bytes at dst; an INFLATE_ outcome, the
    bytes produced in *produced, zlib's message for INFLATE_ERROR."""
    cdef zarr_z_stream strm
    cdef int rc, outcome = INFLATE_OK
    cdef Py_ssize_t in_done = 0, out_done = 0
    cdef Py_ssize_t room
    cdef unsigned int given_in, given_out
    cdef unsigned char spare[1]
    memset(&strm, 0, sizeof(strm))
    if inflateInit2_(&strm, _window_bits(gzip), zlibVersion(), <int>sizeof(zarr_z_stream)) \
            != ZARR_Z_OK:
        return INFLATE_INIT
    while True:
        given_in = <unsigned int>min(srclen - in_done, <Py_ssize_t>Z_PIECE)
        room = capacity - out_done
        given_out = <unsigned int>min(room, <Py_ssize_t>Z_PIECE)
        strm.next_in = src + in_done
        strm.avail_in = given_in
        # With no room left, one spare byte tells a stream that goes on from
        # one that ends exactly here.
        strm.next_out = dst + out_done if room else spare
        strm.avail_out = given_out if room else 1
        rc = inflate(&strm, ZARR_Z_NO_FLUSH)
        in_done += given_in - strm.avail_in
        if room:
            out_done += given_out - strm.avail_out
        elif strm.avail_out == 0:
            outcome = INFLATE_FULL
            break
        if rc == ZARR_Z_OK:
            continue
        if rc == ZARR_Z_STREAM_END:
            if in_done == srclen:
                break
            if gzip and srclen - in_done >= 2 and src[in_done] == 0x1f \
                    and src[in_done + 1] == 0x8b:
                inflateReset(&strm)  # another member
                continue
            outcome = INFLATE_TRAILING
        elif rc == ZARR_Z_NEED_DICT:
            outcome = INFLATE_DICTIONARY
        elif rc == ZARR_Z_BUF_ERROR and in_done == srclen:
            outcome = INFLATE_TRUNCATED
        elif rc == -4:
            outcome = INFLATE_NO_MEMORY
        else:
            outcome = INFLATE_ERROR
        break
    if outcome == INFLATE_ERROR and message_size > 0:
        message[0] = 0
        if strm.msg != NULL:
            strncpy(message, strm.msg, message_size - 1)
            message[message_size - 1] = 0
    inflateEnd(&strm)
    produced[0] = out_done
    return outcome


cdef str _inflate_reason(int outcome, const char* message, Py_ssize_t capacity,
                         Py_ssize_t srclen, Py_ssize_t produced):
    if outcome == INFLATE_FULL:
        return "it decodes to more than %d bytes" % capacity
    if outcome == INFLATE_TRUNCATED:
        return "it ends after %d bytes, before the end of its stream" % srclen
    if outcome == INFLATE_TRAILING:
        return "bytes after the end of its stream"
    if outcome == INFLATE_DICTIONARY:
        return "it needs a preset dictionary"
    if outcome == INFLATE_INIT:
        return "zlib could not start a stream"
    if message[0]:
        return "zlib: %s" % (<bytes>message).decode("ascii", "replace")
    return "zlib could not decode it"


def zlib_decompress(source, dest=None, Py_ssize_t max_nbytes=BLOSC_MAX_BUFFERSIZE,
                    bint gzip=False, context=None):
    """Inflate a zlib stream (or with ``gzip``, one or more gzip members) into
    ``dest`` when given, else into new bytes.

    zlib checks the stream's own checksum (adler32, or gzip's crc32 and size).
    Inflation is given room for ``len(dest)`` bytes (or ``max_nbytes``) and
    no more, and must end exactly at the end of ``source``; with gzip, the
    size in the last member's trailer is checked first.

    Raises
    ------
    CorruptChunkError

    Examples
    --------
    >>> zlib_decompress(zlib_compress(b"abc"), bytearray(3))
    bytearray(b'abc')
    >>> zlib_decompress(zlib_compress(b"abc", gzip=True)[:-1], gzip=True)
    Traceback (most recent call last):
    ...
    zarr.ext.CorruptChunkError: invalid gzip stream: it ends after 22 bytes, before the end of its stream
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out = _checked_dest(dest)
    cdef const unsigned char* p = <const unsigned char*>src.view.buf
    cdef Py_ssize_t srclen = src.view.len, capacity, produced = 0
    cdef uint32_t isize
    cdef int outcome
    cdef char message[200]
    cdef unsigned char* dst
    cdef unsigned char* buf = NULL
    cdef str what = "gzip stream" if gzip else "zlib stream"
    _check_max(max_nbytes)
    message[0] = 0
    capacity = out.view.len if out is not None else max_nbytes
    if gzip and srclen >= 18:
        # The last member's size, modulo 2**32: never over the whole output.
        isize = _le32(<const uint8_t*>(p + srclen - 4))
        if capacity < 0x100000000 and isize > capacity:
            raise _corrupt(context, what, "its trailer gives a size of %d bytes, more than %s %d"
                           % (isize, "the expected" if out is not None else "the limit of",
                              capacity))
    if out is not None:
        dst = <unsigned char*>out.view.buf
        with nogil:
            outcome = _inflate_into(p, srclen, dst, capacity, gzip, &produced, message,
                                    sizeof(message))
        if outcome == INFLATE_OK and produced != capacity:
            raise _corrupt(context, what, "it decodes to %d bytes, expected %d"
                           % (produced, capacity))
        if outcome == INFLATE_NO_MEMORY:
            raise MemoryError("zlib ran out of memory")
        if outcome != INFLATE_OK:
            raise _corrupt(context, what, _inflate_reason(outcome, message, capacity, srclen,
                                                          produced))
        return dest
    # Unknown size: room for a few times the input, doubled while the stream
    # goes on, never past max_nbytes.
    capacity = min(max_nbytes, max(4 * srclen, 65536))
    while True:
        buf = <unsigned char*>malloc(capacity if capacity else 1)
        if buf == NULL:
            raise MemoryError("cannot allocate %d bytes" % capacity)
        with nogil:
            outcome = _inflate_into(p, srclen, buf, capacity, gzip, &produced, message,
                                    sizeof(message))
        if outcome == INFLATE_FULL and capacity < max_nbytes:
            free(buf)
            capacity = min(max_nbytes, 2 * capacity)
            continue
        break
    try:
        if outcome == INFLATE_NO_MEMORY:
            raise MemoryError("zlib ran out of memory")
        if outcome != INFLATE_OK:
            raise _corrupt(context, what, _inflate_reason(outcome, message, capacity, srclen,
                                                          produced))
        return PyBytes_FromStringAndSize(<char*>buf, produced)
    finally:
        free(buf)


# --- checksums and byte shuffle ----------------------------------------------

def crc32(source, unsigned long value=0):
    """The crc32 of ``source`` (as zlib's, and Python's ``zlib.crc32``),
    continuing from ``value``.

    Examples
    --------
    >>> hex(crc32(b"hello"))
    '0x3610a686'
    """
    cdef _Buffer src = _export(source)
    with nogil:
        value = crc32_z(value, <const unsigned char*>src.view.buf, <size_t>src.view.len)
    return value & 0xffffffff


def adler32(source, unsigned long value=1):
    """The adler32 of ``source`` (as Python's ``zlib.adler32``), continuing
    from ``value``.

    Examples
    --------
    >>> hex(adler32(b"hello"))
    '0x62c0215'
    """
    cdef _Buffer src = _export(source)
    with nogil:
        value = adler32_z(value, <const unsigned char*>src.view.buf, <size_t>src.view.len)
    return value & 0xffffffff


cdef uint32_t _crc32c_table[8][256]


cdef void _crc32c_init() noexcept:
    cdef uint32_t c
    cdef int i, k
    for i in range(256):
        c = <uint32_t>i
        for k in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        _crc32c_table[0][i] = c
    for i in range(256):
        for k in range(1, 8):
            c = _crc32c_table[k - 1][i]
            _crc32c_table[k][i] = (c >> 8) ^ _crc32c_table[0][c & 0xff]


_crc32c_init()


cdef uint32_t _crc32c(uint32_t crc, const unsigned char* p, size_t n) noexcept nogil:
    # Eight bytes a step (slicing by 8), then the rest one by one.
    cdef uint32_t lo, hi
    crc = ~crc
    while n >= 8:
        lo = (<uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16)
              | (<uint32_t>p[3] << 24)) ^ crc
        hi = (<uint32_t>p[4] | (<uint32_t>p[5] << 8) | (<uint32_t>p[6] << 16)
              | (<uint32_t>p[7] << 24))
        crc = (_crc32c_table[7][lo & 0xff] ^ _crc32c_table[6][(lo >> 8) & 0xff]
               ^ _crc32c_table[5][(lo >> 16) & 0xff] ^ _crc32c_table[4][lo >> 24]
               ^ _crc32c_table[3][hi & 0xff] ^ _crc32c_table[2][(hi >> 8) & 0xff]
               ^ _crc32c_table[1][(hi >> 16) & 0xff] ^ _crc32c_table[0][hi >> 24])
        p += 8
        n -= 8
    while n:
        crc = (crc >> 8) ^ _crc32c_table[0][(crc ^ p[0]) & 0xff]
        p += 1
        n -= 1
    return ~crc


def crc32c(source, uint32_t value=0):
    """The CRC-32C (Castagnoli) of ``source``, continuing from ``value``:
    the checksum of the Zarr v3 ``crc32c`` codec.

    Examples
    --------
    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    cdef _Buffer src = _export(source)
    with nogil:
        value = _crc32c(value, <const unsigned char*>src.view.buf, <size_t>src.view.len)
    return value


cdef int _shuffle_check(_Buffer src, _Buffer out, Py_ssize_t elementsize) except -1:
    if elementsize < 1:
        raise ValueError("elementsize must be positive, not %d" % elementsize)
    if src.view.len % elementsize:
        raise ValueError("%d bytes are not whole elements of %d bytes"
                         % (src.view.len, elementsize))
    if out.view.len != src.view.len:
        raise ValueError("dest holds %d bytes, the source %d" % (out.view.len, src.view.len))
    return 0


def byte_shuffle(source, dest, Py_ssize_t elementsize):
    """numcodecs' ``Shuffle``: byte j of element i of ``source`` becomes byte
    ``j * n + i`` of ``dest`` (n elements of ``elementsize`` bytes).

    Examples
    --------
    >>> bytes(byte_shuffle(b"abcdef", bytearray(6), 2))
    b'acebdf'
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out = _export(dest, True)
    cdef const uint8_t* s = <const uint8_t*>src.view.buf
    cdef uint8_t* d = <uint8_t*>out.view.buf
    cdef Py_ssize_t n, i, j
    _shuffle_check(src, out, elementsize)
    n = src.view.len // elementsize
    with nogil:
        for i in range(n):
            for j in range(elementsize):
                d[j * n + i] = s[i * elementsize + j]
    return dest


def byte_unshuffle(source, dest, Py_ssize_t elementsize):
    """The inverse of :func:`byte_shuffle`.

    Examples
    --------
    >>> bytes(byte_unshuffle(b"acebdf", bytearray(6), 2))
    b'abcdef'
    """
    cdef _Buffer src = _export(source)
    cdef _Buffer out = _export(dest, True)
    cdef const uint8_t* s = <const uint8_t*>src.view.buf
    cdef uint8_t* d = <uint8_t*>out.view.buf
    cdef Py_ssize_t n, i, j
    _shuffle_check(src, out, elementsize)
    n = src.view.len // elementsize
    with nogil:
        for i in range(n):
            for j in range(elementsize):
                d[i * elementsize + j] = s[j * n + i]
    return dest
