# cython: language_level=3
"""Declarations of zarr.ext, shared by the parts that ext.pyx includes.

Everything one part of the module uses from another is declared here: every
cdef class with its attributes and C methods, and the module-level C
functions and constants that cross from one part to another. The parts
(the .pxi files) hold the definitions only, so they can be included in any
order. Helpers that a part uses only itself stay undeclared, in that part.

Cython finds this file for the module zarr.ext through ext/zarr/ext.pxd (see
there); it lives here, next to ext.pyx, so that cythonize's check for a stale
ext.c sees it too.

Sections follow the parts: codec.pxi, chunk.pxi, store_chunk.pxi. (errors.pxi,
copy.pxi and allocator.pxi share nothing at the C level.)
"""

from cpython.pythread cimport PyThread_type_lock
from libc.stdint cimport uint8_t, uint32_t, int64_t


# --- codec.pxi: the blosc codec ------------------------------------------

cdef enum:
    # The length of a blosc 1.x frame's header (the rest of the frame's layout
    # is described in codec.pxi).
    HEADER = 16


cdef inline uint32_t _u32(const uint8_t* p) noexcept nogil:
    """The little-endian 32-bit integer at p (a field of a frame's header)."""
    return (<uint32_t>p[0]) | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


cdef bytes _compress(const void* src, Py_ssize_t nbytes, Py_ssize_t typesize,
                     const char* cname, int clevel, int shuffle, Py_ssize_t blocksize,
                     int nthreads=*)
cdef str _check_header(const uint8_t* src, Py_ssize_t srclen, Py_ssize_t nbytes,
                       Py_ssize_t itemsize)
cdef int _validate(const uint8_t* src, Py_ssize_t srclen, Py_ssize_t nbytes,
                   Py_ssize_t itemsize, object context, int64_t j_lo=*,
                   int64_t j_hi=*) except -1
cdef int _decompress_checked(const uint8_t* src, Py_ssize_t srclen, void* dest,
                             Py_ssize_t nbytes, object context, int nthreads=*) except -1
cdef int _decompress(const uint8_t* src, Py_ssize_t srclen, void* dest, Py_ssize_t nbytes,
                     Py_ssize_t itemsize, object context, int nthreads=*) except -1
cdef int _getitem(const uint8_t* src, Py_ssize_t srclen, Py_ssize_t nbytes,
                  Py_ssize_t itemsize, Py_ssize_t start, Py_ssize_t nitems,
                  void* dest, object context, bint validated=*) except -1
cdef str _describe(object context, str reason)


cdef class _Buffer:
    cdef Py_buffer view
    cdef bint held


cdef object _export(obj, bint writable=*)

# The compressor names, as the bytes c-blosc takes.
cdef dict _CNAME_BYTES


# --- chunk.pxi: the chunk objects ----------------------------------------

cdef bint _is_whole(object sel, tuple shape)
cdef tuple _contiguous_run(object sel, tuple shape)
cdef object _sparse_plan(object sel, tuple shape, Py_ssize_t itemsize, Py_ssize_t blocksize,
                         Py_ssize_t nbytes)
cdef object _deliver(object res, object out)


cdef class Chunk:
    cdef readonly tuple shape
    cdef readonly object dtype
    cdef readonly object cname
    cdef readonly int clevel
    cdef readonly int shuffle
    cdef readonly Py_ssize_t blocksize
    cdef readonly Py_ssize_t nbytes
    cdef readonly Py_ssize_t size
    cdef readonly Py_ssize_t itemsize
    # The codec of a chunk that is neither a blosc frame nor raw (None for
    # those): any object with encode, decode and max_encoded_size.
    cdef readonly object codec
    cdef Py_ssize_t _max_cbytes
    cdef object _fill
    cdef bytes _cname_b
    cdef bint _raw
    cdef bytes _cdata
    # False: a write that leaves only the fill value erases the chunk instead.
    cdef public bint write_empty

    # Storage of the compressed bytes; subclasses keep them elsewhere.
    cdef object _load(self)
    cdef int _store(self, bytes cdata) except -1
    cdef int _erase(self) except -1
    cdef Py_ssize_t _stored_size(self) except -1

    # Locking; a no-op here.
    cdef int _acquire(self) except -1
    cdef void _release(self) noexcept

    # Codec calls.
    cdef bytes _compress_array(self, arr)
    cdef object _context(self)
    cdef bint _validated(self, object cdata)
    cdef int _decompress_into(self, bytes cdata, arr) except -1
    cdef int _check_raw(self, cdata) except -1
    cdef int _codec_decode(self, object cdata, arr) except -1
    cdef object _whole(self, object cdata, object out)
    cdef bint _only_fill(self, object buf) except -1

    # Reads and writes.
    cpdef object read(self, object sel=*, object out=*)
    cdef object _read_cdata(self, object cdata, object sel, object out)
    cdef object _read_sparse(self, bytes cdata, object sel)
    cdef object _read_plan(self, const uint8_t* src, Py_ssize_t srclen, object plan)
    cdef int _getitem_ptr(self, const uint8_t* src, Py_ssize_t srclen, Py_ssize_t first,
                          Py_ssize_t nitems, arr) except -1
    cdef int _getitem_into(self, bytes cdata, Py_ssize_t first, Py_ssize_t nitems,
                           arr) except -1
    cpdef write(self, object sel, object value)
    cdef int _write(self, object sel, object value) except -1


cdef class SynchronizedChunk(Chunk):
    cdef PyThread_type_lock _lock

    cdef int _acquire(self) except -1
    cdef void _release(self) noexcept


# --- store_chunk.pxi: chunks whose bytes are a value of a store -----------

cdef class _Ranges:
    cdef object fetch(self, list ranges)
    cdef bint fetch_into(self, object frame, list pieces) except -1
    cdef object whole(self)
    cdef Py_ssize_t known_size(self)


cdef class _FileRanges(_Ranges):
    cdef int fd
    cdef Py_ssize_t size

    cdef object fetch(self, list ranges)
    cdef bint fetch_into(self, object frame, list pieces) except -1
    cdef object whole(self)
    cdef Py_ssize_t known_size(self)


cdef class _SliceRanges(_FileRanges):
    cdef Py_ssize_t base
    cdef bint shared
    cdef object context

    cdef object fetch(self, list ranges)
    cdef bint fetch_into(self, object frame, list pieces) except -1
    cdef object whole(self)


cdef class _StoreRanges(_Ranges):
    cdef object store
    cdef str key

    cdef object fetch(self, list ranges)
    cdef bint fetch_into(self, object frame, list pieces) except -1
    cdef object whole(self)


cdef class _WholeValue:
    cdef bytes data


cdef class StoreChunk(Chunk):
    cdef readonly object store
    cdef readonly str key
    cdef readonly object lock
    cdef object _file_path
    cdef object _file_prefix
    cdef object _open_value
    cdef bint _ranged

    cdef _bind(self, store, str key, lock)
    cpdef StoreChunk at(self, object store, str key, object lock=*)
    cdef str _path(self)
    cdef Py_ssize_t _max_frame(self)
    cdef object _too_large(self, Py_ssize_t size)
    cdef bytes _bounded(self, object value)

    # Storage, locking and codec context: the store's.
    cdef object _load(self)
    cdef int _store(self, bytes cdata) except -1
    cdef int _erase(self) except -1
    cdef Py_ssize_t _stored_size(self) except -1
    cdef bint _validated(self, object cdata)
    cdef object _context(self)
    cdef int _acquire(self) except -1
    cdef void _release(self) noexcept

    # Reads of part of the value.
    cpdef object read(self, object sel=*, object out=*)
    cdef object _read_part(self, object sel)
    cdef object _read_part_opened(self, object sel)
    cdef _SliceRanges _opened(self, tuple found)
    cdef object _read_ranges(self, object sel, _Ranges source)
