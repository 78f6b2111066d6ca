# The chunk objects: one chunk of an array, its elements compressed with
# blosc. Selections are numpy's, in the chunk's own coordinates.

import operator

import numpy as np

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport uint8_t
from libc.string cimport memcmp, memcpy
from cpython.pythread cimport (PyThread_type_lock, PyThread_allocate_lock,
                               PyThread_free_lock, PyThread_acquire_lock,
                               PyThread_release_lock, WAIT_LOCK, NOWAIT_LOCK)

from cblosc cimport BLOSC_MAX_BUFFERSIZE, BLOSC_MAX_OVERHEAD


cdef tuple _chunk_shape(shape):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError("chunk shape must be a tuple of integers, not %r" % (shape,)) from None
    for n in dims:
        if n < 1:
            raise ValueError("chunk dimensions must be positive, not %r" % (dims,))
    return dims


cdef object _chunk_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        raise TypeError("a chunk holds fixed-size items; dtype %s holds Python objects, "
                        "which need an object codec" % dtype)
    if dtype.itemsize == 0:
        raise TypeError("dtype %s has items of size 0" % dtype)
    return dtype


cdef object _fill_array(fill_value, dtype):
    """A 0-d array of dtype holding fill_value (zero of the dtype when None)."""
    if fill_value is None:
        return np.zeros((), dtype)
    fill = np.array(fill_value, dtype=dtype)
    if fill.ndim != 0:
        raise ValueError("fill_value must be a scalar, not an array of shape %s" % (fill.shape,))
    return fill


cdef bint _is_full_slice(object s, Py_ssize_t n):
    if type(s) is not slice:
        return False
    if s.start is None and s.stop is None and s.step is None:
        return True
    start, stop, step = s.indices(n)
    return start == 0 and stop == n and step == 1


cdef bint _is_whole(object sel, tuple shape):
    """Whether sel selects every element of shape, as an array (not a scalar)."""
    cdef Py_ssize_t ndim = len(shape), i, p, nright
    if sel is Ellipsis:
        return True
    if type(sel) is not tuple:
        sel = (sel,)
    if len(sel) == 0 or len(sel) > ndim + 1:
        return False
    p = -1
    for i in range(len(sel)):
        if sel[i] is Ellipsis:
            if p >= 0:
                return False
            p = i
    if p < 0:
        if len(sel) > ndim:
            return False
        for i in range(len(sel)):
            if not _is_full_slice(sel[i], shape[i]):
                return False
        return True
    nright = len(sel) - p - 1
    if p + nright > ndim:
        return False
    for i in range(p):
        if not _is_full_slice(sel[i], shape[i]):
            return False
    for i in range(nright):
        if not _is_full_slice(sel[p + 1 + i], shape[ndim - nright + i]):
            return False
    return True


cdef tuple _contiguous_run(object sel, tuple shape):
    """(first item, item count, result shape) when sel picks one run of
    consecutive items in C order, else None (numpy then handles sel)."""
    cdef Py_ssize_t ndim = len(shape), i, k, n, start, length, step
    cdef Py_ssize_t first = 0, nitems = 1, stride = 1
    cdef list starts, lengths, steps
    cdef list result = []
    if type(sel) is not tuple:
        sel = (sel,)
    if len(sel) > ndim:
        return None
    starts = []
    lengths = []
    steps = []
    for i in range(ndim):
        n = shape[i]
        s = sel[i] if i < len(sel) else slice(None)
        if type(s) is slice:
            start, stop, step = s.indices(n)
            length = len(range(start, stop, step))
            result.append(length)
        elif type(s) is int or isinstance(s, np.integer):
            start = s
            if start < 0:
                start += n
            if not 0 <= start < n:
                return None
            length = 1
            step = 1
        else:
            return None
        starts.append(start)
        lengths.append(length)
        steps.append(step)
    k = 0
    while k < ndim and lengths[k] == 1:
        k += 1
    for i in range(k + 1, ndim):
        if not (starts[i] == 0 and lengths[i] == shape[i] and steps[i] == 1):
            return None
    if k < ndim and steps[k] != 1 and lengths[k] > 1:
        return None
    for i in range(ndim - 1, -1, -1):
        first += starts[i] * stride
        nitems *= lengths[i]
        stride *= shape[i]
    if nitems == 0:
        return None
    return first, nitems, tuple(result)


#: A selection of more runs than this is read by decompressing the whole chunk.
cdef Py_ssize_t MAX_RUNS = 4096


cdef object _sparse_plan(object sel, tuple shape, Py_ssize_t itemsize, Py_ssize_t blocksize,
                         Py_ssize_t nbytes):
    """How to read a selection that is several runs of items touching few of a
    frame's blocks: (lowest item, item count from it, groups of [first, stop)
    items to decompress, offset of the selection's first element from the
    lowest item, result shape, result strides in bytes); None when reading the
    whole chunk is as cheap (the runs touch over half the blocks and span over
    a quarter of the chunk, or there are too many of them) or sel is not
    slices and integers."""
    cdef Py_ssize_t ndim = len(shape), i, n, start, stop, step, length, stride = 1
    cdef Py_ssize_t nruns = 1, run_len, first = 0, lo = 0, hi, p, q, b0, b1
    cdef Py_ssize_t g_block = -1, touched = 0, outer
    cdef list starts = [], steps = [], lengths = [], cstrides = [0] * ndim
    cdef list rshape = [], rstrides = [], positions, groups, last
    if type(sel) is not tuple:
        sel = (sel,)
    if ndim == 0 or len(sel) > ndim or blocksize <= 0:
        return None
    for i in range(ndim - 1, -1, -1):
        cstrides[i] = stride
        stride *= shape[i]
    for i in range(ndim):
        n = shape[i]
        s = sel[i] if i < len(sel) else slice(None)
        if type(s) is slice:
            start, stop, step = s.indices(n)
            length = len(range(start, stop, step))
            if length == 0:
                return None
            rshape.append(length)
            rstrides.append(step * cstrides[i] * itemsize)
        elif type(s) is int or isinstance(s, np.integer):
            start = s
            if start < 0:
                start += n
            if not 0 <= start < n:
                return None
            step, length = 1, 1
        else:
            return None
        starts.append(start)
        steps.append(step)
        lengths.append(length)
        first += start * cstrides[i]
        lo += (start + (length - 1) * step if step < 0 else start) * cstrides[i]
    # Runs of consecutive items: along the last axis when its step is 1.
    run_len = lengths[ndim - 1] if steps[ndim - 1] == 1 else 1
    for i in range(ndim - 1 if run_len > 1 else ndim):
        nruns *= lengths[i]
    if nruns > MAX_RUNS:
        return None
    positions = [lo]
    outer = ndim - 1 if run_len > 1 else ndim
    for i in range(outer):
        positions = [p + k * abs(steps[i]) * cstrides[i]
                     for p in positions for k in range(lengths[i])]
    positions.sort()
    # Merge runs whose blocks overlap or touch; count the blocks decompressed.
    groups = []
    for p in positions:
        q = p + run_len
        b0 = p * itemsize // blocksize
        b1 = (q * itemsize - 1) // blocksize
        if groups and b0 <= g_block + 1:
            last = groups[len(groups) - 1]
            if q > last[1]:
                last[1] = q
            if b1 > g_block:
                touched += b1 - g_block
                g_block = b1
        else:
            groups.append([p, q])
            touched += b1 - b0 + 1
            g_block = b1
    hi = groups[len(groups) - 1][1]
    # Over half the blocks: decompressing the whole chunk costs as much, unless
    # the selection spans a small part of the chunk (one block of a chunk of one).
    if touched * blocksize * 2 > nbytes and (hi - lo) * itemsize * 4 > nbytes:
        return None
    return lo, hi - lo, groups, first - lo, tuple(rshape), tuple(rstrides)


cdef class Chunk:
    """One chunk of an array: its elements, compressed with blosc, in memory.

    An uninitialized chunk holds no memory and reads as ``fill_value``.
    Selections are numpy's, in the chunk's own coordinates. Reading the whole
    chunk decompresses straight into the output array; writing the whole chunk
    from a C-contiguous array of its dtype compresses straight from it; a small
    run of consecutive items is read with ``blosc_getitem``, which decompresses
    only the blocks that hold it. Every codec call releases the GIL.

    Parameters
    ----------
    shape : int or tuple of int
        The chunk's shape; each dimension positive.
    dtype : numpy dtype
        Any fixed-size dtype (numbers, bool, datetimes, bytes, unicode, structured).
    cname : str or None
        Compressor, one of :data:`COMPRESSORS` (default 'blosclz'); None
        stores the elements raw, as their C-order bytes.
    clevel : int
        Compression level from 0 to 9 (default 5).
    shuffle : int
        0 (NOSHUFFLE), 1 (BYTESHUFFLE, the default) or 2 (BITSHUFFLE).
    fill_value : scalar, optional
        What the elements read as before they are written; 0 of the dtype by default.
    blocksize : int
        Blosc block size in bytes; 0 (the default) lets blosc choose.
    codec : codec, optional
        Any other codec instead of blosc (``cname`` etc. are then ignored):
        an object with ``encode(array) -> bytes``, ``decode(bytes, out)``
        that fills ``out`` (an array of the chunk's shape and dtype) exactly
        or raises :class:`CorruptChunkError`, and ``max_encoded_size(nbytes)``,
        such as :class:`zarr.Zstd`. Its chunks are always decoded whole.

    Examples
    --------
    >>> c = Chunk((100, 100), "f8")
    >>> c[10:20, 5] = 1.5
    >>> float(c[15, 5]), float(c[0, 0]), c.is_initialized
    (1.5, 0.0, True)
    """

    def __init__(self, shape, dtype, cname="blosclz", clevel=5, shuffle=1,
                 fill_value=None, blocksize=0, codec=None):
        cdef Py_ssize_t n
        self.shape = _chunk_shape(shape)
        self.dtype = _chunk_dtype(dtype)
        if codec is not None:
            for name in ("encode", "decode", "max_encoded_size"):
                if not callable(getattr(codec, name, None)):
                    raise TypeError("codec %r has no method %s" % (codec, name))
            self.codec = codec
            self._raw = False
            self.cname, self.clevel, self.shuffle = None, 0, 0
            self._cname_b = b""
        elif cname is None:
            self._raw = True
            self.cname, self.clevel, self.shuffle = None, 0, 0
            self._cname_b = b""
        else:
            self.cname, self.clevel, self.shuffle = check_options(cname, clevel, shuffle)
            self._cname_b = _CNAME_BYTES[self.cname]
        self.blocksize = operator.index(blocksize)
        if self.blocksize < 0:
            raise ValueError("blocksize must be 0 (automatic) or positive, not %d" % self.blocksize)
        self._fill = _fill_array(fill_value, self.dtype)
        self.itemsize = self.dtype.itemsize
        self.write_empty = True
        n = 1
        for d in self.shape:
            n *= d
        self.size = n
        if n > BLOSC_MAX_BUFFERSIZE // self.itemsize:
            raise ValueError("a chunk of shape %s and dtype %s is over blosc's limit of %d bytes "
                             "a buffer: choose smaller chunks"
                             % (self.shape, self.dtype, BLOSC_MAX_BUFFERSIZE))
        self.nbytes = n * self.itemsize
        if self.codec is not None:
            self._max_cbytes = operator.index(self.codec.max_encoded_size(self.nbytes))
        else:
            self._max_cbytes = self.nbytes if self._raw else self.nbytes + BLOSC_MAX_OVERHEAD
        self._cdata = None

    # Storage of the compressed bytes; subclasses keep them elsewhere.

    cdef object _load(self):
        return self._cdata

    cdef int _store(self, bytes cdata) except -1:
        self._cdata = cdata
        return 0

    cdef int _erase(self) except -1:
        self._cdata = None
        return 0

    cdef Py_ssize_t _stored_size(self) except -1:
        return 0 if self._cdata is None else len(self._cdata)

    # Locking; a no-op here, a real lock in SynchronizedChunk.

    cdef int _acquire(self) except -1:
        return 0

    cdef void _release(self) noexcept:
        pass

    # Codec calls on whole chunks.

    cdef bytes _compress_array(self, arr):
        """Compress a C-contiguous array of this chunk's shape and dtype."""
        cdef _Buffer buf
        if self.codec is not None:
            out = self.codec.encode(arr)
            return out if type(out) is bytes else bytes(memoryview(out))
        buf = _export(arr)
        if self._raw:
            return PyBytes_FromStringAndSize(<char*>buf.view.buf, buf.view.len)
        return _compress(buf.view.buf, buf.view.len, self.itemsize, self._cname_b,
                         self.clevel, self.shuffle, self.blocksize)

    cdef object _context(self):
        return "chunk"

    cdef bint _validated(self, object cdata):
        """Whether cdata is known to be a valid frame for this chunk.

        In memory it always is: the bytes are immutable, and they are either
        this chunk's own compression or passed validation in set_cdata.
        Chunks whose bytes come from elsewhere on every read return False.
        """
        return cdata is self._cdata

    cdef int _decompress_into(self, bytes cdata, arr) except -1:
        """Decompress cdata into a writable C-contiguous array of this chunk's layout."""
        cdef _Buffer buf
        if self.codec is not None:
            return self._codec_decode(cdata, arr)
        buf = _export(arr, True)
        if self._raw:
            self._check_raw(cdata)
            memcpy(buf.view.buf, PyBytes_AS_STRING(cdata), self.nbytes)
            return 0
        if self._validated(cdata):
            return _decompress_checked(<const uint8_t*>PyBytes_AS_STRING(cdata), len(cdata),
                                       buf.view.buf, self.nbytes, self._context())
        return _decompress(<const uint8_t*>PyBytes_AS_STRING(cdata), len(cdata), buf.view.buf,
                           self.nbytes, self.itemsize, self._context())

    cdef int _codec_decode(self, object cdata, arr) except -1:
        """Decode cdata with the chunk's codec into arr; its errors name the chunk."""
        try:
            self.codec.decode(cdata, arr)
        except CorruptChunkError as e:
            raise CorruptChunkError("%s: %s" % (self._context(), e)) from None
        return 0

    cdef int _check_raw(self, cdata) except -1:
        if len(cdata) != self.nbytes:
            raise CorruptChunkError("%s: raw chunk of %d bytes, expected %d"
                                    % (self._context(), len(cdata), self.nbytes))
        return 0

    cdef object _whole(self, object cdata, object out):
        """The whole chunk, decompressed into out (a new array when None)."""
        if out is None:
            out = np.empty(self.shape, self.dtype)
        elif getattr(out, "shape", None) != self.shape:
            raise ValueError("output of shape %s for a chunk of shape %s"
                             % (getattr(out, "shape", None), self.shape))
        if cdata is None:
            out[...] = self._fill
        elif (type(out) is np.ndarray and out.dtype == self.dtype
              and out.flags.c_contiguous and out.flags.writeable):
            self._decompress_into(cdata, out)
        else:
            tmp = np.empty(self.shape, self.dtype)
            self._decompress_into(cdata, tmp)
            out[...] = tmp
        return out

    # Public interface.

    @property
    def fill_value(self):
        """The value of the elements that were never written."""
        return self._fill[()]

    @property
    def cbytes(self):
        """Size of the compressed buffer as stored, header included (0 if none)."""
        return self._stored_size()

    @property
    def is_initialized(self):
        """Whether the chunk holds written data (else it reads as fill_value)."""
        return self._stored_size() > 0

    @property
    def ndim(self):
        return len(self.shape)

    def __getitem__(self, sel):
        return self.read(sel)

    def __setitem__(self, sel, value):
        self.write(sel, value)

    cpdef object read(self, object sel=Ellipsis, object out=None):
        """Return ``chunk[sel]``, or copy it into ``out`` and return ``out``.

        Parameters
        ----------
        sel : index
            Any basic numpy index in the chunk's coordinates; ``...`` (the
            default) for the whole chunk.
        out : ndarray, optional
            An array of the selection's shape to receive the result.

        Examples
        --------
        >>> c = Chunk(10, "i4")
        >>> c[:] = range(10)
        >>> c.read(slice(2, 5)).tolist()
        [2, 3, 4]
        """
        return self._read_cdata(self._load(), sel, out)

    cdef object _read_cdata(self, object cdata, object sel, object out):
        """``read`` of the stored bytes cdata (None: uninitialized)."""
        cdef tuple run
        cdef Py_ssize_t first, nitems
        if _is_whole(sel, self.shape):
            return self._whole(cdata, out)
        if cdata is None:
            res = np.broadcast_to(self._fill, self.shape)[sel]
            if isinstance(res, np.ndarray):
                res = res.copy()
            return _deliver(res, out)
        if self.codec is not None:  # decoded whole
            tmp = self._whole(cdata, None)
            res = tmp[sel]
            if isinstance(res, np.ndarray) and res.size * 2 < tmp.size:
                res = res.copy()
            return _deliver(res, out)
        run = _contiguous_run(sel, self.shape)
        if run is not None and run[1] * self.itemsize * 4 <= self.nbytes:
            first, nitems, result_shape = run
            if (out is not None and type(out) is np.ndarray and out.shape == result_shape
                    and out.dtype == self.dtype and out.flags.c_contiguous and out.flags.writeable):
                res = out
            else:
                res = np.empty(result_shape, self.dtype)
            self._getitem_into(cdata, first, nitems, res)
            if res is out:
                return out
            return _deliver(res if result_shape else res[()], out)
        if self._raw:
            self._check_raw(cdata)
            res = np.frombuffer(cdata, self.dtype).reshape(self.shape)[sel]
            return _deliver(res.copy() if isinstance(res, np.ndarray) else res, out)
        res = self._read_sparse(cdata, sel)
        if res is not None:
            return _deliver(res, out)
        tmp = self._whole(cdata, None)
        res = tmp[sel]
        if isinstance(res, np.ndarray) and res.size * 2 < tmp.size:
            res = res.copy()
        return _deliver(res, out)

    cdef object _read_sparse(self, bytes cdata, object sel):
        """sel read by decompressing only the blocks its runs of items lie in,
        or None when decompressing the whole chunk is as cheap."""
        cdef const uint8_t* src = <const uint8_t*>PyBytes_AS_STRING(cdata)
        cdef Py_ssize_t srclen = len(cdata)
        cdef Py_ssize_t blocksize
        if srclen < 16:
            return None  # too short to be a frame: the whole-chunk path says why
        validated = self._validated(cdata)
        if not validated:
            reason = _check_header(src, srclen, self.nbytes, self.itemsize)
            if reason is not None:
                raise CorruptChunkError(_describe(self._context(), reason))
        blocksize = _u32(src + 8)
        plan = _sparse_plan(sel, self.shape, self.itemsize, blocksize, self.nbytes)
        if plan is None:
            return None
        if not validated:
            # Only the blocks the plan decompresses (and the block table).
            for g in plan[2]:
                _validate(src, srclen, self.nbytes, self.itemsize, self._context(),
                          g[0] * self.itemsize // blocksize,
                          (g[1] * self.itemsize - 1) // blocksize)
        return self._read_plan(src, srclen, plan)

    cdef object _read_plan(self, const uint8_t* src, Py_ssize_t srclen, object plan):
        """The selection of a _sparse_plan, from a frame already validated for
        the blocks the plan's groups lie in: a new array."""
        lo, count, groups, offset, rshape, rstrides = plan
        tmp = np.empty(count, self.dtype)
        for g in groups:
            self._getitem_ptr(src, srclen, g[0], g[1] - g[0], tmp[g[0] - lo:g[1] - lo])
        return np.ndarray(rshape, self.dtype, tmp, offset * self.itemsize, rstrides).copy()

    cdef int _getitem_ptr(self, const uint8_t* src, Py_ssize_t srclen, Py_ssize_t first,
                          Py_ssize_t nitems, arr) except -1:
        """Items [first, first + nitems) of a validated frame into arr."""
        cdef _Buffer buf = _export(arr, True)
        return _getitem(src, srclen, self.nbytes, self.itemsize, first, nitems, buf.view.buf,
                        self._context(), True)

    cdef int _getitem_into(self, bytes cdata, Py_ssize_t first, Py_ssize_t nitems, arr) except -1:
        cdef _Buffer buf = _export(arr, True)
        if self._raw:
            self._check_raw(cdata)
            if first < 0 or nitems < 0 or first + nitems > self.size:
                raise IndexError("items %d to %d are outside a chunk of %d items"
                                 % (first, first + nitems, self.size))
            memcpy(buf.view.buf, PyBytes_AS_STRING(cdata) + first * self.itemsize,
                   nitems * self.itemsize)
            return 0
        return _getitem(<const uint8_t*>PyBytes_AS_STRING(cdata), len(cdata), self.nbytes,
                        self.itemsize, first, nitems, buf.view.buf, self._context(),
                        self._validated(cdata))

    cpdef write(self, object sel, object value):
        """Set ``chunk[sel] = value`` with numpy's broadcasting and casting.

        A write of the whole chunk compresses straight from ``value`` when it
        is a C-contiguous array of the chunk's shape and dtype; any other
        write decompresses, modifies and compresses again. If the write fails
        (a bad index, a value that does not broadcast) the chunk is unchanged.

        Examples
        --------
        >>> c = Chunk((4, 4), "u1", fill_value=7)
        >>> c[1] = 0
        >>> int(c[...].sum())
        84
        """
        self._acquire()
        try:
            self._write(sel, value)
        finally:
            self._release()

    cdef int _write(self, object sel, object value) except -1:
        if _is_whole(sel, self.shape):
            if (type(value) is np.ndarray and value.shape == self.shape
                    and value.dtype == self.dtype and value.flags.c_contiguous):
                buf = value
            else:
                buf = np.empty(self.shape, self.dtype)
                buf[...] = value
        else:
            buf = self._whole(self._load(), None)
            buf[sel] = value
        if not self.write_empty and self._only_fill(buf):
            self._erase()
        else:
            self._store(self._compress_array(buf))
        return 0

    cdef bint _only_fill(self, object buf) except -1:
        """Whether every item of buf, a C-contiguous array of the chunk, has
        the bytes of the fill value: what the chunk reads as once erased (a
        -0.0 among 0.0 fill, or another NaN's bits, is kept)."""
        cdef const uint8_t[::1] data = np.asarray(buf).reshape(-1).view(np.uint8)
        cdef const uint8_t[::1] fill = np.ascontiguousarray(self._fill).reshape(-1).view(
            np.uint8)
        cdef Py_ssize_t n = data.shape[0], k = fill.shape[0]
        cdef int differs
        if n == 0:
            return True
        if memcmp(&data[0], &fill[0], k) != 0:
            return False
        with nogil:  # every item equals the one before it
            differs = memcmp(&data[0], &data[k], n - k)
        return differs == 0

    def clear(self):
        """Drop the chunk's data: it reads as fill_value again and holds no memory."""
        self._acquire()
        try:
            self._erase()
        finally:
            self._release()

    def get_cdata(self):
        """The compressed bytes as stored (a blosc frame), or None if uninitialized."""
        return self._load()

    def set_cdata(self, cdata):
        """Replace the chunk's data with a compressed frame, validated first.

        Raises
        ------
        CorruptChunkError
            If cdata is not a valid blosc frame of this chunk's size and item size.
        """
        if cdata is None:
            self.clear()
            return
        cdata = bytes(cdata)
        if self._raw:
            self._check_raw(cdata)
        elif self.codec is not None:
            if len(cdata) > self._max_cbytes:
                raise CorruptChunkError("%s: %d bytes, more than the %d bytes of the largest "
                                        "frame the chunk can have"
                                        % (self._context(), len(cdata), self._max_cbytes))
            self._codec_decode(cdata, np.empty(self.shape, self.dtype))
        else:
            _validate(<const uint8_t*>PyBytes_AS_STRING(cdata), len(cdata), self.nbytes,
                      self.itemsize, self._context())
        self._acquire()
        try:
            self._store(cdata)
        finally:
            self._release()

    def read_items(self, offsets):
        """The items at the flat (C order) positions ``offsets``, sorted and
        distinct, as a new 1-D array, decompressing only the blosc blocks they
        lie in.

        Examples
        --------
        >>> c = Chunk((4, 5), "i4")
        >>> c[...] = np.arange(20).reshape(4, 5)
        >>> c.read_items(np.array([3, 17])).tolist()
        [3, 17]
        """
        cdef object cdata = self._load()
        cdef const uint8_t* src
        cdef Py_ssize_t n, srclen, blocksize, s, e, lo, hi, touched
        idx = _item_positions(offsets, self.size)
        n = idx.shape[0]
        if n == 0 or cdata is None:
            res = np.empty(n, self.dtype)
            res[...] = self._fill
            return res
        if self._raw:
            self._check_raw(cdata)
            return np.frombuffer(cdata, self.dtype)[idx]
        if self.codec is not None:
            return self._whole(cdata, None).reshape(-1)[idx]
        src = <const uint8_t*>PyBytes_AS_STRING(cdata)
        srclen = len(cdata)
        if srclen < 16:
            return self._whole(cdata, None).reshape(-1)[idx]
        validated = self._validated(cdata)
        if not validated:
            reason = _check_header(src, srclen, self.nbytes, self.itemsize)
            if reason is not None:
                raise CorruptChunkError(_describe(self._context(), reason))
        blocksize = _u32(src + 8)
        blocks = idx * self.itemsize // blocksize
        # Runs of blocks that touch: each is one ranged decompression.
        cuts = (np.flatnonzero(np.diff(blocks) > 1) + 1).tolist()
        touched = len(np.unique(blocks))
        if touched * blocksize * 2 > self.nbytes:
            return self._whole(cdata, None).reshape(-1)[idx]
        res = np.empty(n, self.dtype)
        starts = [0] + cuts
        stops = cuts + [n]
        for s, e in zip(starts, stops):
            lo = idx[s]
            hi = idx[e - 1] + 1
            if not validated:
                _validate(src, srclen, self.nbytes, self.itemsize, self._context(),
                          lo * self.itemsize // blocksize, (hi * self.itemsize - 1) // blocksize)
            tmp = np.empty(hi - lo, self.dtype)
            self._getitem_ptr(src, srclen, lo, hi - lo, tmp)
            res[s:e] = tmp[idx[s:e] - lo]
        return res

    def __repr__(self):
        if self.codec is not None:
            return "%s(shape=%s, dtype=%s, codec=%r, cbytes=%d)" % (
                type(self).__name__, self.shape, self.dtype, self.codec, self.cbytes)
        return "%s(shape=%s, dtype=%s, cname=%r, clevel=%d, shuffle=%d, cbytes=%d)" % (
            type(self).__name__, self.shape, self.dtype, self.cname, self.clevel,
            self.shuffle, self.cbytes)

    def __reduce__(self):
        return (_rebuild_chunk, (type(self), self.shape, self.dtype.str if not self.dtype.fields
                                 else self.dtype.descr, self.cname, self.clevel, self.shuffle,
                                 self.fill_value, self.blocksize, self._load(), self.codec))


def _rebuild_chunk(cls, shape, dtype, cname, clevel, shuffle, fill_value, blocksize, cdata,
                   codec=None):
    chunk = cls(shape, dtype, cname, clevel, shuffle, fill_value, blocksize, codec)
    chunk.set_cdata(cdata)
    return chunk


cdef object _item_positions(object offsets, Py_ssize_t size):
    """offsets as a 1-D intp array of sorted, distinct positions in a chunk of
    ``size`` items; IndexError for anything else (negative positions included:
    they are not counted from the end)."""
    given = np.asarray(offsets)
    if given.ndim != 1 or (given.size and given.dtype.kind not in "iu"):
        raise IndexError("item positions must be a 1-D array of integers, not %s of shape %s"
                         % (given.dtype, given.shape))
    if given.size and (given[0] < 0 or given[given.size - 1] >= size
                       or not (given[1:] > given[:-1]).all()):
        raise IndexError("item positions must be sorted, distinct and within a chunk of %d "
                         "items" % size)
    return np.ascontiguousarray(given, dtype=np.intp)


cdef object _deliver(object res, object out):
    if out is None:
        return res
    out[...] = res
    return out


cdef class SynchronizedChunk(Chunk):
    """A :class:`Chunk` whose writes hold a lock across read-modify-write.

    Two threads writing parts of one chunk lose no update. The lock is taken
    with the GIL released, and the codec calls made while it is held release
    the GIL too, so other threads run meanwhile. Reads take no lock: they see
    the chunk before or after a write, never in between.

    Examples
    --------
    >>> c = SynchronizedChunk(1000, "i8")
    >>> c[:500] = 1
    >>> int(c[...].sum())
    500
    """

    def __cinit__(self, *args, **kwargs):
        self._lock = PyThread_allocate_lock()
        if self._lock == NULL:
            raise MemoryError("cannot allocate a lock")

    def __dealloc__(self):
        if self._lock != NULL:
            PyThread_free_lock(self._lock)

    cdef int _acquire(self) except -1:
        if not PyThread_acquire_lock(self._lock, NOWAIT_LOCK):
            with nogil:
                PyThread_acquire_lock(self._lock, WAIT_LOCK)
        return 0

    cdef void _release(self) noexcept:
        PyThread_release_lock(self._lock)
