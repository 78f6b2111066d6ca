# Copies between strided arrays without the GIL: the scatter of decompressed
# chunks into a result array and the gather of a value into chunk buffers.

from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release,
                             PyBUF_RECORDS, PyBUF_RECORDS_RO)
from libc.string cimport memcpy

cdef enum:
    MAX_COPY_DIMS = 32


cdef void _copy_loop(char* dst, const char* src, int ndim, const Py_ssize_t* shape,
                     const Py_ssize_t* dstrides, const Py_ssize_t* sstrides,
                     Py_ssize_t inner) noexcept nogil:
    """memcpy runs of ``inner`` bytes over the first ndim dimensions, in C order."""
    cdef Py_ssize_t idx[MAX_COPY_DIMS]
    cdef Py_ssize_t n = 1, i
    cdef int j
    for j in range(ndim):
        idx[j] = 0
        n *= shape[j]
    for i in range(n):
        memcpy(dst, src, inner)
        j = ndim - 1
        while j >= 0:
            idx[j] += 1
            dst += dstrides[j]
            src += sstrides[j]
            if idx[j] < shape[j]:
                break
            dst -= dstrides[j] * shape[j]
            src -= sstrides[j] * shape[j]
            idx[j] = 0
            j -= 1


def copy_strided(dst, src):
    """Copy ``src`` into ``dst``, two arrays of one shape and item size.

    Elements are visited in the C order of the shape, so the order of the
    axes decides which side is read or written sequentially; the trailing
    dimensions that are contiguous in both are copied as one ``memcpy``. The
    GIL is released during the copy.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(12, dtype="i4").reshape(3, 4)
    >>> b = np.zeros((4, 3), "i4")
    >>> copy_strided(b.T, a)
    >>> b[:, 0].tolist()
    [0, 1, 2, 3]
    """
    cdef Py_buffer d, s
    cdef int ndim, k, j
    cdef Py_ssize_t inner, itemsize
    for arr in (dst, src):
        if getattr(arr, "dtype", None) is not None and arr.dtype.hasobject:
            raise TypeError("arrays of Python objects are copied by numpy, not by memcpy")
        if getattr(arr, "dtype", None) is not None and arr.dtype.kind in "mM":
            raise TypeError("view datetime64 and timedelta64 arrays as int64 to copy them")
    PyObject_GetBuffer(dst, &d, PyBUF_RECORDS)
    try:
        PyObject_GetBuffer(src, &s, PyBUF_RECORDS_RO)
        try:
            ndim = d.ndim
            if s.ndim != ndim or s.itemsize != d.itemsize:
                raise ValueError("copy between arrays of %d and %d dimensions, items of %d "
                                 "and %d bytes" % (ndim, s.ndim, d.itemsize, s.itemsize))
            for j in range(ndim):
                if d.shape[j] != s.shape[j]:
                    raise ValueError("copy between arrays of different shapes")
                if d.shape[j] == 0:
                    return
            if ndim > MAX_COPY_DIMS:
                raise ValueError("copy of more than %d dimensions" % MAX_COPY_DIMS)
            itemsize = d.itemsize
            inner = itemsize
            k = ndim
            while k > 0 and d.strides[k - 1] == inner and s.strides[k - 1] == inner:
                inner *= d.shape[k - 1]
                k -= 1
            with nogil:
                _copy_loop(<char*>d.buf, <const char*>s.buf, k, d.shape, d.strides,
                           s.strides, inner)
        finally:
            PyBuffer_Release(&s)
    finally:
        PyBuffer_Release(&d)
