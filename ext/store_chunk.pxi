# Chunks whose compressed bytes are a value of a store: a mapping from string
# keys to bytes (zarr.storage). The chunk asks the store for its frame, or for
# byte ranges of it when a small read needs few of its blocks, and hands the
# store each new frame; the codec calls stay here, with the GIL released.

import os
import stat as stat_module

import numpy as np

from cpython.bytes cimport PyBytes_AS_STRING
from libc.errno cimport errno, EINVAL, EISDIR, ENOSYS
from libc.stdint cimport uint8_t
from posix.stat cimport S_ISDIR, S_ISREG

from cblosc cimport BLOSC_MEMCPYED

cdef object _NOT_HANDLED = object()

cdef extern from *:
    """
    #include <errno.h>
    #if defined(__linux__)
    #include <fcntl.h>
    #include <sys/syscall.h>
    #include <unistd.h>
    #endif
    /* Swap the files at two paths in one step (Linux renameat2's
       RENAME_EXCHANGE), both relative to the directory open at dirfd (the
       current directory when dirfd < 0); -1 with errno set on failure. */
    static int zarr_exchange_files(int dirfd, const char* a, const char* b) {
    #if defined(__linux__) && defined(SYS_renameat2)
        if (dirfd < 0) dirfd = AT_FDCWD;
        return (int)syscall(SYS_renameat2, dirfd, a, dirfd, b, 2);
    #else
        (void)dirfd; (void)a; (void)b;
        errno = ENOSYS;
        return -1;
    #endif
    }
    """
    int zarr_exchange_files(int dirfd, const char* a, const char* b) nogil


def exchange_files(a, b, dir_fd=None):
    """Swap the files (or directories) at paths ``a`` and ``b`` in one step,
    with Linux's ``renameat2(RENAME_EXCHANGE)``; both relative to the
    directory open at ``dir_fd`` when it is given. OSError with the system's
    errno when it fails (ENOSYS where the kernel has no renameat2)."""
    cdef bytes pa = os.fsencode(a), pb = os.fsencode(b)
    cdef const char* ca = pa
    cdef const char* cb = pb
    cdef int rc, err, fd = -1 if dir_fd is None else dir_fd
    with nogil:
        rc = zarr_exchange_files(fd, ca, cb)
        err = errno
    if rc != 0:
        raise OSError(err, os.strerror(err), os.fsdecode(b))


#: How chunk and metadata files are opened: never blocking, so that a FIFO in
#: place of one is refused (check_regular_file) rather than waited on.
READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0)

_IRREGULAR_KINDS = ((stat_module.S_ISFIFO, "a FIFO"), (stat_module.S_ISCHR, "a character device"),
                    (stat_module.S_ISBLK, "a block device"), (stat_module.S_ISSOCK, "a socket"))


cpdef check_regular_file(object st, object path):
    """Raise unless ``st`` (the ``os.stat_result`` of a file open at ``path``)
    is a regular file's: IsADirectoryError for a directory, :class:`NotAFileError`
    for anything else (a FIFO, a device, a socket), whose reads may block or
    never end. Links are followed by the open, so a link to a regular file passes.

    Examples
    --------
    >>> import os
    >>> check_regular_file(os.stat("/dev/null"), "/dev/null")
    Traceback (most recent call last):
    ...
    zarr.ext.NotAFileError: /dev/null is not a regular file but a character device; not read
    """
    cdef unsigned int mode = st.st_mode
    if S_ISREG(mode):
        return
    path = os.fspath(path)
    if S_ISDIR(mode):
        raise IsADirectoryError(EISDIR, os.strerror(EISDIR), path)
    kind = "of an unknown kind"
    for test, name in _IRREGULAR_KINDS:
        if test(mode):
            kind = name
    raise NotAFileError(EINVAL, "is not a regular file but %s; not read" % kind, path)


#: The first ranged request of a partial read asks for the header and the
#: block table of a frame whose blocks are at least this size; smaller blocks
#: take a second request for the rest of the table.
cdef Py_ssize_t _TABLE_GUESS_BLOCK = 32768


cdef class _Ranges:
    """Byte ranges of one stored value: its bytes from an offset, on request."""

    cdef object fetch(self, list ranges):
        """The bytes of each (start, length) range, shorter at the value's end."""
        raise NotImplementedError

    cdef bint fetch_into(self, object frame, list pieces) except -1:
        """Each (start, stop, offset) piece's bytes [start, stop) of the value
        into frame[offset:]; False when the value ends first."""
        parts = self.fetch([(start, stop - start) for start, stop, offset in pieces])
        for (start, stop, offset), part in zip(pieces, parts):
            if len(part) != stop - start:
                return False
            frame[offset:offset + stop - start] = np.frombuffer(part, np.uint8)
        return True

    cdef object whole(self):
        """The whole value."""
        raise NotImplementedError

    cdef Py_ssize_t known_size(self):
        """The value's length when known without a request, else -1."""
        return -1


cdef class _FileRanges(_Ranges):
    """Ranges of a file already open."""

    cdef object fetch(self, list ranges):
        return [os.pread(self.fd, length, start) for start, length in ranges]

    cdef bint fetch_into(self, object frame, list pieces) except -1:
        # Straight into the frame: no buffer of each block's bytes on the way.
        view = memoryview(frame)
        for start, stop, offset in pieces:
            if os.preadv(self.fd, [view[offset:offset + stop - start]], start) != stop - start:
                return False
        return True

    cdef object whole(self):
        return _read_fd(self.fd, self.size, self.size)

    cdef Py_ssize_t known_size(self):
        return self.size


cdef class _SliceRanges(_FileRanges):
    """Ranges of a value that is the bytes [base, base + size) of a file
    already open (a chunk in a container file)."""

    cdef object fetch(self, list ranges):
        cdef Py_ssize_t start, length
        out = []
        for start, length in ranges:
            start = min(max(start, 0), self.size)
            length = max(0, min(length, self.size - start))
            out.append(os.pread(self.fd, length, self.base + start) if length else b"")
        return out

    cdef bint fetch_into(self, object frame, list pieces) except -1:
        view = memoryview(frame)
        for start, stop, offset in pieces:
            if stop > self.size:
                return False
            if (os.preadv(self.fd, [view[offset:offset + stop - start]], self.base + start)
                    != stop - start):
                return False
        return True

    cdef object whole(self):
        data = os.pread(self.fd, self.size, self.base)
        if len(data) != self.size:
            raise CorruptChunkError("%s: cut short, %d of its %d bytes are in its file"
                                    % (self.context, len(data), self.size))
        return data


cdef class _StoreRanges(_Ranges):
    """Ranges of a store's value, through the store's ``get_ranges``."""

    cdef object fetch(self, list ranges):
        parts = self.store.get_ranges(self.key, ranges)
        if not isinstance(parts, (list, tuple)) or len(parts) != len(ranges):
            raise TypeError("the store's get_ranges gave %r for %d ranges of %r: expected a "
                            "list of as many bytes" % (type(parts).__name__, len(ranges),
                                                      self.key))
        return [_as_bytes(part, self.key) for part in parts]

    cdef object whole(self):
        return self.store.get(self.key)


cdef bytes _read_fd(fd, Py_ssize_t size, Py_ssize_t limit):
    """The file open at fd, from its start: the size bytes fstat gave, read on
    to the end when the file turns out shorter or its size is unknown (0), but
    never more than limit + 1 bytes (so that a caller sees that it is over limit)."""
    cdef bytes data = os.pread(fd, size if size > 0 else min(65536, limit + 1), 0)
    cdef Py_ssize_t offset
    if 0 < size <= len(data):
        return data
    parts = [data]
    offset = len(data)
    while parts[len(parts) - 1] and offset <= limit:
        part = os.pread(fd, min(1 << 20, limit + 1 - offset), offset)
        parts.append(part)
        offset += len(part)
    return b"".join(parts)


cdef object _read_file(path, StoreChunk chunk):
    """The bytes of the file at path of chunk, None when there is no such
    file; a file that is not a regular file is refused (check_regular_file),
    one larger than any frame of the chunk is a CorruptChunkError, both
    unread; any other failure to read raises, naming the file (as
    zarr.storage.files.read_file)."""
    cdef Py_ssize_t size, limit = chunk._max_frame()
    try:
        fd = os.open(path, READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as e:
        _raise_with_path(e, path)
        raise
    try:
        st = os.fstat(fd)
        check_regular_file(st, path)
        size = st.st_size
        if size > limit:
            raise chunk._too_large(size)
        data = _read_fd(fd, size, limit)
        if len(data) > limit:
            raise chunk._too_large(len(data))
        return data
    except OSError as e:
        _raise_with_path(e, path)
        raise
    finally:
        os.close(fd)


cdef class _WholeValue:
    """The bytes of a chunk's value read whole by a read that first meant to
    read part of it, handed on so that the value is not asked for again."""

    def __cinit__(self, bytes data):
        self.data = data


cdef class _KeyContext:
    """How an error names a chunk of a store: made for every codec call, put
    into words only when an error is raised."""
    cdef object store
    cdef str key

    def __str__(self):
        describe = getattr(self.store, "describe_key", None)
        return "chunk %s" % (describe(self.key) if describe is not None else self.key)


cdef bytes _as_bytes(object value, str key):
    """A store's value as bytes; TypeError naming the key when it is not bytes-like."""
    if type(value) is bytes:
        return <bytes>value
    try:
        return bytes(memoryview(value))
    except TypeError:
        raise TypeError("the store's value at %r is not bytes-like: %s"
                        % (key, type(value).__name__)) from None


cdef class StoreChunk(Chunk):
    """A :class:`Chunk` whose compressed bytes are the value at ``key`` in ``store``.

    A missing key is an uninitialized chunk; any other failure of the store
    is raised. A write hands the new frame to the store's ``set`` (atomic per
    key in every store of :mod:`zarr.storage`); the bytes read back are
    validated on every read, since anything may have written them. With
    ``lock`` (any object with ``acquire`` and ``release``, as a
    synchronizer gives), each read-modify-write holds it.

    A small read that needs few of the frame's blocks asks the store for the
    header, the block table and those blocks only: through an open file when
    the store has a ``file_path(key)`` (a directory), through
    ``get_ranges`` when the store says ``supports_partial_reads``.

    Parameters
    ----------
    store : zarr.storage.Store
    key : str
    shape, dtype, cname, clevel, shuffle, fill_value, blocksize
        As :class:`Chunk`.
    lock : lock, optional
    codec : codec, optional
        As :class:`Chunk`.

    Examples
    --------
    >>> from zarr.storage import MemoryStore
    >>> store = MemoryStore()
    >>> c = StoreChunk(store, "0.0", (100, 100), "i4")
    >>> c[5] = 7
    >>> sorted(store), int(StoreChunk(store, "0.0", (100, 100), "i4")[5, 0])
    (['0.0'], 7)
    """

    def __init__(self, store, key, shape, dtype, cname="blosclz", clevel=5, shuffle=1,
                 fill_value=None, blocksize=0, lock=None, codec=None):
        Chunk.__init__(self, shape, dtype, cname, clevel, shuffle, fill_value, blocksize, codec)
        self._bind(store, key, lock)

    cdef _bind(self, store, str key, lock):
        self.store = store
        self.key = key
        self.lock = lock
        self._open_value = None
        if getattr(store, "indirect_chunks", False):
            # A store of directories whose chunks are not all files of their own:
            # it says where a chunk's bytes are (open_value), if it can.
            self._file_path = self._file_prefix = None
            self._open_value = getattr(store, "open_value", None)
        else:
            self._file_path = getattr(store, "file_path", None)
            # A store whose files are its root's path and the key (a directory
            # on POSIX) says so with file_prefix: the path is made here.
            self._file_prefix = getattr(store, "file_prefix", None)
        self._ranged = bool(getattr(store, "supports_partial_reads", False))

    cpdef StoreChunk at(self, object store, str key, object lock=None):
        """A chunk like this one (shape, dtype, compression, fill value) at
        another key: made without checking the options again."""
        cdef StoreChunk c = StoreChunk.__new__(StoreChunk)
        c.shape = self.shape
        c.dtype = self.dtype
        c.cname = self.cname
        c.clevel = self.clevel
        c.shuffle = self.shuffle
        c.blocksize = self.blocksize
        c.nbytes = self.nbytes
        c.size = self.size
        c.itemsize = self.itemsize
        c._fill = self._fill
        c._cname_b = self._cname_b
        c._raw = self._raw
        c.codec = self.codec
        c._max_cbytes = self._max_cbytes
        c._cdata = None
        c.write_empty = self.write_empty
        if store is self.store:  # what the store offers, found once for the prototype
            c.store, c.key, c.lock = store, key, lock
            c._file_path, c._ranged = self._file_path, self._ranged
            c._file_prefix = self._file_prefix
            c._open_value = self._open_value
        else:
            c._bind(store, key, lock)
        return c

    cdef str _path(self):
        if self._file_prefix is not None:
            return self._file_prefix + self.key
        return self._file_path(self.key)

    cdef Py_ssize_t _max_frame(self):
        """The most bytes a valid value of this chunk can have."""
        return self._max_cbytes

    cdef object _too_large(self, Py_ssize_t size):
        """The error for a value of size bytes, more than _max_frame."""
        if self._raw:
            return CorruptChunkError("%s: raw chunk of %d bytes, expected %d; not read"
                                     % (self._context(), size, self.nbytes))
        return CorruptChunkError("%s: %d bytes, more than the %d bytes of the largest frame "
                                 "the chunk can have; not read"
                                 % (self._context(), size, self._max_frame()))

    cdef bytes _bounded(self, object value):
        """A store's value of this chunk as bytes; CorruptChunkError when it is
        longer than any frame of the chunk."""
        cdef Py_ssize_t n
        if type(value) is bytes:
            n = len(<bytes>value)
        else:
            try:
                n = memoryview(value).nbytes
            except TypeError:
                n = 0  # _as_bytes says what it is
        if n > self._max_frame():
            raise self._too_large(n)
        return _as_bytes(value, self.key)

    cdef object _load(self):
        cdef _SliceRanges slice_
        if self._open_value is not None:
            found = self._open_value(self.key)
            if found is None or type(found) is not tuple:
                return found if found is None else self._bounded(found)
            slice_ = self._opened(found)
            try:
                return slice_.whole()
            finally:
                if not slice_.shared:
                    os.close(slice_.fd)
        if self._file_path is not None:
            # A directory's chunk file, read here: as the store's get reads
            # it, without its frames of Python on the way.
            return _read_file(self._path(), self)
        try:
            value = self.store.get(self.key)
        except KeyError:
            return None
        return self._bounded(value)

    cdef int _store(self, bytes cdata) except -1:
        self.store.set(self.key, cdata)
        return 0

    cdef int _erase(self) except -1:
        try:
            self.store.delete(self.key)
        except KeyError:
            pass
        return 0

    cdef Py_ssize_t _stored_size(self) except -1:
        try:
            return self.store.getsize(self.key)
        except KeyError:
            return 0

    cdef bint _validated(self, object cdata):
        return False

    cdef object _context(self):
        cdef _KeyContext context = _KeyContext.__new__(_KeyContext)
        context.store = self.store
        context.key = self.key
        return context

    cdef int _acquire(self) except -1:
        if self.lock is not None:
            self.lock.acquire()
        return 0

    cdef void _release(self) noexcept:
        if self.lock is not None:
            try:
                self.lock.release()
            except BaseException:
                pass

    cpdef object read(self, object sel=Ellipsis, object out=None):
        """Return ``chunk[sel]``, or copy it into ``out``; see :meth:`Chunk.read`.

        A selection that needs few of the frame's blocks reads only the
        header, the block-start table and those blocks from the store.
        """
        cdef object res
        if (not self._raw and self.codec is None
                and (self._file_path is not None or self._ranged)
                and not _is_whole(sel, self.shape)):
            res = self._read_part(sel)
            if type(res) is _WholeValue:
                return self._read_cdata((<_WholeValue>res).data, sel, out)
            if res is not _NOT_HANDLED:
                return _deliver(res, out)
        return Chunk.read(self, sel, out)

    cdef object _read_part(self, object sel):
        """sel read from the blocks of the value that hold it, or _NOT_HANDLED
        when reading the whole value is as cheap, or the value is missing or
        not a plain compressed frame (the whole-chunk path then deals with it)."""
        cdef _FileRanges fr
        cdef _StoreRanges sr
        if self._open_value is not None:
            return self._read_part_opened(sel)
        if self._file_path is None:
            sr = _StoreRanges.__new__(_StoreRanges)
            sr.store = self.store
            sr.key = self.key
            try:
                return self._read_ranges(sel, sr)
            except KeyError:
                return _NOT_HANDLED
            except CorruptChunkError:
                # Ranges of one value asked in several calls may straddle a
                # writer's replacement of it: the whole value, asked in one
                # call, is the old one or the new one (and says if it is bad).
                return _NOT_HANDLED
        path = self._path()
        try:
            fd = os.open(path, READ_FLAGS)
        except FileNotFoundError:
            return _NOT_HANDLED
        except OSError as e:
            _raise_with_path(e, path)
            raise
        try:
            st = os.fstat(fd)
            check_regular_file(st, path)
            fr = _FileRanges.__new__(_FileRanges)
            fr.fd = fd
            fr.size = st.st_size
            if fr.size > self._max_frame():
                raise self._too_large(fr.size)
            return self._read_ranges(sel, fr)
        except OSError as e:
            _raise_with_path(e, path)
            raise
        finally:
            os.close(fd)

    cdef object _read_part_opened(self, object sel):
        """_read_part of a chunk whose store says where its bytes are: one
        look-up for the header, the table and the blocks, or the whole value."""
        cdef _SliceRanges slice_
        found = self._open_value(self.key)
        if found is None:
            return _NOT_HANDLED
        if type(found) is not tuple:
            return _WholeValue(self._bounded(found))
        slice_ = self._opened(found)
        try:
            res = self._read_ranges(sel, slice_)
            if res is _NOT_HANDLED:  # not a frame read by parts: whole, from the same file
                return _WholeValue(slice_.whole())
            return res
        finally:
            if not slice_.shared:
                os.close(slice_.fd)

    cdef _SliceRanges _opened(self, tuple found):
        """The ranges of the (fd, offset, size) a store's open_value gave, or
        of its (fd, offset, size, True), whose fd the store closes; a value
        longer than any frame of the chunk is refused unread (its fd closed
        unless it is the store's)."""
        cdef _SliceRanges slice_ = _SliceRanges.__new__(_SliceRanges)
        if len(found) == 4:
            slice_.fd, slice_.base, slice_.size, slice_.shared = found
        else:
            slice_.fd, slice_.base, slice_.size = found
        if slice_.size > self._max_frame():
            if not slice_.shared:
                os.close(slice_.fd)
            raise self._too_large(slice_.size)
        slice_.context = self._context()
        return slice_

    cdef object _read_ranges(self, object sel, _Ranges source):
        cdef tuple run = _contiguous_run(sel, self.shape)
        cdef Py_ssize_t size, blocksize, nblocks, nbytes = self.nbytes, table_end
        cdef Py_ssize_t b0, b1, start, stop, needed = 0, first, nitems, offset, length
        cdef Py_ssize_t known = source.known_size(), guess
        cdef const uint8_t* src
        cdef _Buffer view
        if nbytes == 0 or (known >= 0 and (known < HEADER or known > nbytes + HEADER)):
            return _NOT_HANDLED
        # The header and, for blocks of _TABLE_GUESS_BLOCK bytes or more, the
        # whole block table in one request.
        guess = HEADER + 4 * ((nbytes + _TABLE_GUESS_BLOCK - 1) // _TABLE_GUESS_BLOCK)
        head = source.fetch([(0, guess)])[0]
        if len(head) < HEADER:
            return _NOT_HANDLED
        src = <const uint8_t*>PyBytes_AS_STRING(head)
        size = known if known >= 0 else <Py_ssize_t>_u32(src + 12)
        if (_check_header(src, size, nbytes, self.itemsize) is not None
                or src[2] & BLOSC_MEMCPYED):
            return _NOT_HANDLED
        blocksize = _u32(src + 8)
        nblocks = (nbytes + blocksize - 1) // blocksize
        table_end = HEADER + 4 * nblocks
        # The runs of items to decompress: one run, or the groups of a sparse plan.
        if run is not None:
            first, nitems, rshape = run
            ranges = [(first, first + nitems)]
            plan = None
        else:
            plan = _sparse_plan(sel, self.shape, self.itemsize, blocksize, nbytes)
            if plan is None:
                return _NOT_HANDLED
            ranges = [(g[0], g[1]) for g in plan[2]]
        spans = []
        for lo, hi in ranges:
            b0 = lo * self.itemsize // blocksize
            b1 = (hi * self.itemsize - 1) // blocksize
            if spans and b0 <= spans[len(spans) - 1][1] + 1:
                spans[len(spans) - 1][1] = max(b1, spans[len(spans) - 1][1])
            else:
                spans.append([b0, b1])
        for b0, b1 in spans:
            needed += (b1 - b0 + 1) * blocksize
        if needed * 2 > nbytes:
            return _WholeValue(self._bounded(source.whole()))
        if table_end > size:
            return _NOT_HANDLED
        if len(head) >= table_end:
            table = head[HEADER:table_end]
        else:
            table = head[HEADER:] + source.fetch([(len(head), table_end - len(head))])[0]
        if len(table) != table_end - HEADER:
            return _NOT_HANDLED
        starts = np.frombuffer(table, "<u4").astype(np.int64)
        # A compact frame: the header, the table, and only the blocks needed,
        # packed one span after another with their table entries moved to
        # match. The entries of other blocks are never read.
        pieces = []
        length = table_end
        for b0, b1 in spans:
            start = starts[b0]
            stop = starts[b1 + 1] if b1 + 1 < nblocks else size
            if not (table_end <= start < stop <= size
                    and (starts[b0:b1 + 1] >= start).all()
                    and (starts[b0:b1 + 1] < stop).all()):
                return _NOT_HANDLED  # blocks not in the value's order: read it all
            pieces.append((start, stop, length))
            starts[b0:b1 + 1] += length - start
            length += stop - start
        frame = np.empty(length, np.uint8)
        frame[:HEADER] = np.frombuffer(head, np.uint8, HEADER)
        frame[12:16] = np.frombuffer(np.uint32(length).astype("<u4").tobytes(), np.uint8)
        frame[HEADER:table_end] = np.frombuffer(starts.astype("<u4").tobytes(), np.uint8)
        if not source.fetch_into(frame, pieces):
            return _NOT_HANDLED  # the value is shorter than its header says
        view = _export(frame)
        src = <const uint8_t*>view.view.buf
        for b0, b1 in spans:
            _validate(src, length, nbytes, self.itemsize, self._context(), b0, b1)
        if plan is None:
            res = np.empty(rshape, self.dtype)
            self._getitem_ptr(src, length, first, nitems, res)
            return res if rshape else res[()]
        return self._read_plan(src, length, plan)

    def __reduce__(self):
        return (_rebuild_store_chunk, (self.store, self.key, self.shape,
                                       self.dtype.str if not self.dtype.fields
                                       else self.dtype.descr, self.cname, self.clevel,
                                       self.shuffle, self.fill_value, self.blocksize,
                                       self.lock, self.codec))


def _rebuild_store_chunk(store, key, shape, dtype, cname, clevel, shuffle, fill_value,
                         blocksize, lock, codec=None):
    return StoreChunk(store, key, shape, dtype, cname, clevel, shuffle, fill_value, blocksize,
                      lock, codec)


def _raise_with_path(e, path):
    """Raise ``e`` again naming ``path`` when it is an OSError that names no file
    (as those of os.write or of a read after open do)."""
    if isinstance(e, OSError) and e.filename is None and e.errno is not None:
        raise type(e)(e.errno, e.strerror, os.fspath(path)) from e
