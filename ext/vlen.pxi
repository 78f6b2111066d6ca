# The vlen-utf8, vlen-bytes and vlen-array layouts of object chunks (as
# numcodecs' VLenUTF8, VLenBytes and VLenArray write them): a little-endian
# uint32 count, then each element as a uint32 length and its bytes. The loops
# over elements run here, not in Python.

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DecodeUTF8
from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memcpy


cdef inline uint32_t _le32(const uint8_t* p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


cdef inline void _put_le32(uint8_t* p, uint32_t v) noexcept nogil:
    p[0] = v & 0xff
    p[1] = (v >> 8) & 0xff
    p[2] = (v >> 16) & 0xff
    p[3] = (v >> 24) & 0xff


def decode_vlen(const uint8_t[::1] data, Py_ssize_t n, bint utf8):
    """The n elements of a vlen chunk as a 1-D object array (str with
    ``utf8``, else bytes); ValueError unless ``data`` is exactly that.

    Examples
    --------
    >>> decode_vlen(b"\\x02\\x00\\x00\\x00\\x01\\x00\\x00\\x00a\\x00\\x00\\x00\\x00", 2, True).tolist()
    ['a', '']
    """
    cdef Py_ssize_t end = data.shape[0], pos = 4, i, length
    cdef const uint8_t* base = &data[0] if end else NULL
    cdef list items
    if end < 4:
        raise ValueError("%d bytes: too short for the count of elements" % end)
    if _le32(base) != n:
        raise ValueError("holds %d elements, expected %d" % (_le32(base), n))
    items = [None] * n
    for i in range(n):
        if pos + 4 > end:
            raise ValueError("the length of element %d runs past the end" % i)
        length = _le32(base + pos)
        pos += 4
        if length > end - pos:
            raise ValueError("element %d runs past the end" % i)
        if utf8:
            items[i] = PyUnicode_DecodeUTF8(<const char*>(base + pos), length, "strict")
        else:
            items[i] = PyBytes_FromStringAndSize(<const char*>(base + pos), length)
        pos += length
    if pos != end:
        raise ValueError("%d bytes after the elements" % (end - pos))
    out = np.empty(n, object)
    out[:] = items
    return out


def encode_vlen(arr, bint utf8, context="chunk"):
    """The vlen bytes of the object array ``arr`` (its elements str with
    ``utf8``, else bytes; None is stored empty); TypeError naming ``context``
    for any other element.

    Examples
    --------
    >>> encode_vlen(np.array(["a", None], object), True)
    b'\\x02\\x00\\x00\\x00\\x01\\x00\\x00\\x00a\\x00\\x00\\x00\\x00'
    """
    cdef list items = arr.ravel().tolist()
    cdef Py_ssize_t n = len(items), i, total = 4, length
    cdef list encoded = [None] * n
    cdef const char* src
    cdef uint8_t* dst
    kind, name = (str, "str") if utf8 else (bytes, "bytes")
    if n > 0xffffffff:
        raise ValueError("%s: %d elements do not fit a vlen count" % (context, n))
    for i in range(n):
        item = items[i]
        if item is None:
            item = "" if utf8 else b""
        elif not isinstance(item, kind):
            raise TypeError("%s: a %s array holds %s (or None), not %s: %r"
                            % (context, "vlen-utf8" if utf8 else "vlen-bytes", name,
                               type(item).__name__, item))
        encoded[i] = item
        if utf8:
            PyUnicode_AsUTF8AndSize(item, &length)
        else:
            length = PyBytes_GET_SIZE(item)
        if length > 0xffffffff:
            raise ValueError("%s: an element of %d bytes does not fit a vlen length"
                             % (context, length))
        total += 4 + length
    out = PyBytes_FromStringAndSize(NULL, total)
    dst = <uint8_t*>PyBytes_AS_STRING(out)
    _put_le32(dst, <uint32_t>n)
    dst += 4
    for i in range(n):
        item = encoded[i]
        if utf8:
            src = PyUnicode_AsUTF8AndSize(item, &length)
        else:
            src = PyBytes_AS_STRING(item)
            length = PyBytes_GET_SIZE(item)
        _put_le32(dst, <uint32_t>length)
        memcpy(dst + 4, src, length)
        dst += 4 + length
    return out


# The vlen-array layout (numcodecs' VLenArray): the same count and lengths,
# each element the bytes of a 1-D array of one dtype.

def decode_vlen_array(const uint8_t[::1] data, Py_ssize_t n, dtype):
    """The n elements of a vlen-array chunk as a 1-D object array of 1-D
    arrays of ``dtype``; ValueError unless ``data`` is exactly that.

    Examples
    --------
    >>> data = b"\\x01\\x00\\x00\\x00\\x08\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00"
    >>> decode_vlen_array(data, 1, np.dtype("<i4"))[0].tolist()
    [1, 2]
    """
    cdef Py_ssize_t end = data.shape[0], pos = 4, i, length
    cdef Py_ssize_t itemsize = dtype.itemsize
    cdef const uint8_t* base = &data[0] if end else NULL
    cdef list items
    cdef _Buffer buf
    if itemsize < 1:
        raise TypeError("vlen-array items of %s have no size" % dtype)
    if end < 4:
        raise ValueError("%d bytes: too short for the count of elements" % end)
    if _le32(base) != n:
        raise ValueError("holds %d elements, expected %d" % (_le32(base), n))
    items = [None] * n
    for i in range(n):
        if pos + 4 > end:
            raise ValueError("the length of element %d runs past the end" % i)
        length = _le32(base + pos)
        pos += 4
        if length > end - pos:
            raise ValueError("element %d runs past the end" % i)
        if length % itemsize:
            raise ValueError("element %d holds %d bytes, not items of %s" % (i, length, dtype))
        item = np.empty(length // itemsize, dtype)
        if length:
            buf = _export(item, True)
            memcpy(buf.view.buf, base + pos, length)
        items[i] = item
        pos += length
    if pos != end:
        raise ValueError("%d bytes after the elements" % (end - pos))
    out = np.empty(n, object)
    out[:] = items
    return out


def encode_vlen_array(arr, dtype, context="chunk"):
    """The vlen-array bytes of the object array ``arr``: each element as a
    1-D array of ``dtype`` (cast as numpy casts; None and [] are empty, a
    scalar is one item); ValueError or TypeError naming ``context`` for an
    element that is no such array.

    Examples
    --------
    >>> encode_vlen_array(np.array([[1, 2], None], object), np.dtype("<u1"))
    b'\\x02\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x01\\x02\\x00\\x00\\x00\\x00'
    """
    cdef list items = arr.ravel().tolist() if arr.ndim else [arr[()]]
    cdef Py_ssize_t n = len(items), i, total = 4, length
    cdef list encoded = [None] * n
    cdef uint8_t* dst
    cdef _Buffer buf
    if n > 0xffffffff:
        raise ValueError("%s: %d elements do not fit a vlen count" % (context, n))
    for i in range(n):
        item = items[i]
        try:
            a = np.ascontiguousarray(() if item is None else item, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError("%s: a vlen-array of %s holds arrays of numbers, not %s: %r (%s)"
                            % (context, dtype, type(item).__name__, item, e)) from None
        if a.ndim != 1:
            raise ValueError("%s: a vlen-array holds 1-D arrays, not one of shape %s"
                             % (context, a.shape))
        if a.nbytes > 0xffffffff:
            raise ValueError("%s: an element of %d bytes does not fit a vlen length"
                             % (context, a.nbytes))
        encoded[i] = a
        total += 4 + a.nbytes
    out = PyBytes_FromStringAndSize(NULL, total)
    dst = <uint8_t*>PyBytes_AS_STRING(out)
    _put_le32(dst, <uint32_t>n)
    dst += 4
    for i in range(n):
        buf = _export(encoded[i])
        length = buf.view.len
        _put_le32(dst, <uint32_t>length)
        if length:
            memcpy(dst + 4, buf.view.buf, length)
        dst += 4 + length
    return out
