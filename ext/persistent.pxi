# Chunks whose compressed bytes live in a file: written atomically through a
# temporary file in the same directory, read and validated on every access.

import fcntl
import itertools
import os

from libc.errno cimport errno, EISDIR, ENOENT, ENOSYS, EINVAL, EOPNOTSUPP, EPERM, EXDEV

cdef object _partial_names = itertools.count()
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
       RENAME_EXCHANGE); -1 with errno set on failure. */
    static int zarr_exchange_files(const char* a, const char* b) {
    #if defined(__linux__) && defined(SYS_renameat2)
        return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2);
    #else
        (void)a; (void)b;
        errno = ENOSYS;
        return -1;
    #endif
    }
    """
    int zarr_exchange_files(const char* a, const char* b) nogil

# Cleared when the kernel has no renameat2 (ENOSYS).
cdef bint _exchange_works = True
# The devices (st_dev) whose file systems refused an exchange.
cdef set _no_exchange_devices = set()


cdef bint _replace_by_exchange(str tmp, str path) except -1:
    """Swap tmp (the new file) with an existing path, then remove tmp (now the
    old file). False, with nothing done, when path does not exist or the
    exchange is not supported there."""
    global _exchange_works
    cdef bytes a = os.fsencode(tmp), b = os.fsencode(path)
    cdef const char* pa = a
    cdef const char* pb = b
    cdef int rc, err
    if not _exchange_works:
        return False
    if _no_exchange_devices and os.stat(tmp).st_dev in _no_exchange_devices:
        return False
    with nogil:
        rc = zarr_exchange_files(pa, pb)
        err = errno
    if rc == 0:
        try:
            os.remove(tmp)
        except IsADirectoryError:
            # A directory was in the way, which a rename would have refused: put
            # it back where it was.
            with nogil:
                rc = zarr_exchange_files(pa, pb)
                err = errno
            if rc != 0:
                raise OSError(err, "a directory was in the way of %s and could not be put back "
                              "from %s: %s" % (path, tmp, os.strerror(err)), path) from None
            raise IsADirectoryError(EISDIR, os.strerror(EISDIR), path) from None
        except OSError:
            pass  # the write is done; a leftover temporary file is ignored by readers
        return True
    if err == ENOENT:
        return False
    if err == ENOSYS:
        _exchange_works = False
        return False
    if err in (EINVAL, EOPNOTSUPP, EXDEV):
        _no_exchange_devices.add(os.stat(tmp).st_dev)
        return False
    if err == EPERM:
        return False  # a rename may still be allowed, or says why not
    raise OSError(err, os.strerror(err), path)


#: The suffix of the temporary files of writes in progress; never a chunk.
PARTIAL_SUFFIX = ".partial"


def write_file_atomic(path, data, bint fsync=False, bint exchange=False):
    """Replace the file at ``path`` by ``data`` in one step.

    The bytes go to a temporary file in the same directory (named
    ``.<name>.<pid>.<n>.partial``), which is then renamed over ``path``: a
    reader sees the old file or the new one, never a torn one. If anything
    fails, the temporary file is removed and ``path`` is left as it was.
    With ``fsync``, the file and its directory are synced to disk before
    returning. Missing parent directories are created.

    With ``exchange`` (and without ``fsync``), an existing file is replaced
    by swapping it with the temporary file in one step (Linux's
    ``renameat2(RENAME_EXCHANGE)``), then removing the old one. On ext4 a
    rename over an existing file starts the new file's writeback at once and
    waits for the disk to take it; the exchange leaves the writeback to the
    kernel's usual delay, as a new file gets. Readers, and writers killed at
    any point, still see the old file or the new one; after a power loss
    within that delay the file may be empty (as a new file may), where a
    rename over it would have left the old or the new one.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_file_atomic(os.path.join(d, "a", "x"), b"new")
    >>> open(os.path.join(d, "a", "x"), "rb").read()
    b'new'
    """
    path = os.fspath(path)
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, ".%s.%d.%d%s" % (name, os.getpid(), next(_partial_names),
                                                    PARTIAL_SUFFIX))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileNotFoundError:
        os.makedirs(directory or ".", exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            view = memoryview(data).cast("B")
            written = 0
            while written < len(view):
                written += os.write(fd, view[written:])
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if not (exchange and not fsync and _replace_by_exchange(tmp, path)):
            os.replace(tmp, path)
    except BaseException as e:
        try:
            os.remove(tmp)
        except (FileNotFoundError, IsADirectoryError):
            pass
        if isinstance(e, OSError) and e.filename == tmp and e.errno is not None:
            raise type(e)(e.errno, e.strerror, path) from e
        _raise_with_path(e, path)
        raise
    if fsync:
        dfd = os.open(directory or ".", os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def read_file(path):
    """The bytes of the file at ``path``, or None when there is no such file.

    Any other failure to read (permission denied, an I/O error, a directory
    in the way) raises.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as e:
        _raise_with_path(e, path)
        raise
    try:
        return _read_fd(fd, os.fstat(fd).st_size)
    except OSError as e:
        _raise_with_path(e, path)
        raise
    finally:
        os.close(fd)


def _raise_with_path(e, path):
    """Raise ``e`` again naming ``path`` when it is an OSError that names no file
    (as those of os.write or of a read after open do)."""
    if isinstance(e, OSError) and e.filename is None and e.errno is not None:
        raise type(e)(e.errno, e.strerror, os.fspath(path)) from e


cdef class _WholeFile:
    """The bytes of a chunk file read whole by a read that first meant to read
    part of it, handed on so that the file is not opened again."""
    cdef bytes data

    def __cinit__(self, bytes data):
        self.data = data


cdef bytes _read_fd(fd, Py_ssize_t size):
    """The file open at fd, from its start: the size bytes fstat gave, read on
    to the end when the file turns out shorter or its size is unknown (0)."""
    cdef bytes data = os.pread(fd, size if size > 0 else 65536, 0)
    if 0 < size <= len(data):
        return data
    parts = [data]
    offset = len(data)
    while parts[len(parts) - 1]:
        part = os.pread(fd, 1 << 20, offset)
        parts.append(part)
        offset += len(part)
    return b"".join(parts)


cdef class PersistentChunk(Chunk):
    """A :class:`Chunk` whose compressed bytes are the file at ``path``.

    A missing file is an uninitialized chunk. A write replaces the file
    atomically (see :func:`write_file_atomic`); the bytes read from the file
    are validated on every read, since anything may have written them.

    Parameters
    ----------
    path : str
        The chunk's file.
    shape, dtype, cname, clevel, shuffle, fill_value, blocksize
        As :class:`Chunk`.
    fsync : bool
        Sync each write to disk before returning (default False).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "0.0")
    >>> c = PersistentChunk(path, (100, 100), "i4")
    >>> c[5] = 7
    >>> os.path.exists(path), int(PersistentChunk(path, (100, 100), "i4")[5, 0])
    (True, 7)
    """
    cdef readonly str path
    cdef readonly bint fsync

    def __init__(self, path, shape, dtype, cname="blosclz", clevel=5, shuffle=1,
                 fill_value=None, blocksize=0, fsync=False):
        Chunk.__init__(self, shape, dtype, cname, clevel, shuffle, fill_value, blocksize)
        self.path = os.fspath(path)
        self.fsync = fsync

    cdef object _load(self):
        return read_file(self.path)

    cdef int _store(self, bytes cdata) except -1:
        write_file_atomic(self.path, cdata, self.fsync, True)
        return 0

    cdef int _erase(self) except -1:
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
        return 0

    cdef Py_ssize_t _stored_size(self) except -1:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    cdef bint _validated(self, object cdata):
        return False

    cdef object _context(self):
        return "chunk file %s" % self.path

    cpdef object read(self, object sel=Ellipsis, object out=None):
        """Return ``chunk[sel]``, or copy it into ``out``; see :meth:`Chunk.read`.

        A selection that needs few of the frame's blocks reads only the
        header, the block-start table and those blocks from the file.
        """
        cdef object res
        if not self._raw and not _is_whole(sel, self.shape):
            res = self._read_part(sel)
            if type(res) is _WholeFile:
                return self._read_cdata((<_WholeFile>res).data, sel, out)
            if res is not _NOT_HANDLED:
                return _deliver(res, out)
        return Chunk.read(self, sel, out)

    cdef object _read_part(self, object sel):
        """sel read from the blocks of the file that hold it, or _NOT_HANDLED
        when reading the whole file is as cheap, or the file is missing or not
        a plain compressed frame (the whole-chunk path then deals with it)."""
        try:
            return self._read_part_of_file(sel)
        except OSError as e:
            _raise_with_path(e, self.path)
            raise

    cdef object _read_part_of_file(self, object sel):
        cdef tuple run = _contiguous_run(sel, self.shape)
        cdef Py_ssize_t size, blocksize, nblocks, nbytes = self.nbytes, table_end
        cdef Py_ssize_t lo, hi, b0, b1, start, stop, needed = 0, first, nitems, offset
        cdef Py_ssize_t length
        cdef const uint8_t* src
        cdef _Buffer view
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return _NOT_HANDLED
        try:
            size = os.fstat(fd).st_size
            header = os.pread(fd, HEADER, 0)
            if len(header) < HEADER or size > nbytes + HEADER:
                return _NOT_HANDLED
            src = <const uint8_t*>PyBytes_AS_STRING(header)
            if (_check_header(src, size, nbytes, self.itemsize) is not None
                    or src[2] & BLOSC_MEMCPYED or nbytes == 0):
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
                return _WholeFile(_read_fd(fd, size))
            if table_end > size:
                return _NOT_HANDLED
            table = os.pread(fd, table_end - HEADER, HEADER)
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
                    return _NOT_HANDLED  # blocks not in file order: read it all
                pieces.append((start, stop, length))
                starts[b0:b1 + 1] += length - start
                length += stop - start
            frame = np.empty(length, np.uint8)
            frame[:HEADER] = np.frombuffer(header, np.uint8)
            frame[12:16] = np.frombuffer(np.uint32(length).astype("<u4").tobytes(), np.uint8)
            frame[HEADER:table_end] = np.frombuffer(starts.astype("<u4").tobytes(), np.uint8)
            for start, stop, offset in pieces:
                if os.preadv(fd, [memoryview(frame)[offset:offset + stop - start]],
                             start) != stop - start:
                    return _NOT_HANDLED
        finally:
            os.close(fd)
        view = _export(frame)
        src = <const uint8_t*>view.view.buf
        size = length
        for b0, b1 in spans:
            _validate(src, size, nbytes, self.itemsize, self._context(), b0, b1)
        if plan is None:
            res = np.empty(rshape, self.dtype)
            self._getitem_ptr(src, size, first, nitems, res)
            return res if rshape else res[()]
        return self._read_plan(src, size, plan)

    def __reduce__(self):
        return (_rebuild_persistent_chunk, (type(self), self.path, self.shape,
                                            self.dtype.str if not self.dtype.fields
                                            else self.dtype.descr, self.cname, self.clevel,
                                            self.shuffle, self.fill_value, self.blocksize,
                                            self.fsync))


def _rebuild_persistent_chunk(cls, path, shape, dtype, cname, clevel, shuffle, fill_value,
                              blocksize, fsync):
    return cls(path, shape, dtype, cname, clevel, shuffle, fill_value, blocksize, fsync)


cdef class SynchronizedPersistentChunk(PersistentChunk):
    """A :class:`PersistentChunk` that locks across each read-modify-write.

    A thread lock always (its own, or ``thread_lock`` when chunk objects
    made for one chunk at different times must share one); with
    ``lock_path``, also an exclusive ``fcntl`` lock on that file, so that processes writing parts of one chunk lose no
    update either. The GIL is released while waiting for either lock.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> c = SynchronizedPersistentChunk(os.path.join(d, "0"), 10, "i4",
    ...                                 lock_path=os.path.join(d, "0.lock"))
    >>> c[2:4] = 1
    >>> int(c[...].sum())
    2
    """
    cdef PyThread_type_lock _lock
    cdef readonly object lock_path
    cdef object _lock_file
    cdef object _thread_lock

    def __cinit__(self, *args, **kwargs):
        self._lock = PyThread_allocate_lock()
        if self._lock == NULL:
            raise MemoryError("cannot allocate a lock")

    def __dealloc__(self):
        if self._lock != NULL:
            PyThread_free_lock(self._lock)

    def __init__(self, path, shape, dtype, cname="blosclz", clevel=5, shuffle=1,
                 fill_value=None, blocksize=0, fsync=False, lock_path=None, thread_lock=None):
        PersistentChunk.__init__(self, path, shape, dtype, cname, clevel, shuffle,
                                 fill_value, blocksize, fsync)
        self.lock_path = None if lock_path is None else os.fspath(lock_path)
        self._thread_lock = thread_lock

    cdef int _acquire(self) except -1:
        if self._thread_lock is not None:
            self._thread_lock.acquire()
        elif not PyThread_acquire_lock(self._lock, NOWAIT_LOCK):
            with nogil:
                PyThread_acquire_lock(self._lock, WAIT_LOCK)
        if self.lock_path is not None:
            try:
                self._lock_file = _open_lock_file(self.lock_path)
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            except BaseException:
                if self._lock_file is not None:
                    self._lock_file.close()
                    self._lock_file = None
                self._release_thread_lock()
                raise
        return 0

    cdef void _release(self) noexcept:
        if self._lock_file is not None:
            try:
                self._lock_file.close()  # closing drops the fcntl lock
            except BaseException:
                pass
            self._lock_file = None
        self._release_thread_lock()

    cdef void _release_thread_lock(self) noexcept:
        if self._thread_lock is None:
            PyThread_release_lock(self._lock)
            return
        try:
            self._thread_lock.release()
        except BaseException:
            pass

    def __reduce__(self):
        return (_rebuild_synchronized_persistent_chunk,
                (self.path, self.shape, self.dtype.str if not self.dtype.fields
                 else self.dtype.descr, self.cname, self.clevel, self.shuffle,
                 self.fill_value, self.blocksize, self.fsync, self.lock_path))


def _rebuild_synchronized_persistent_chunk(path, shape, dtype, cname, clevel, shuffle,
                                           fill_value, blocksize, fsync, lock_path):
    return SynchronizedPersistentChunk(path, shape, dtype, cname, clevel, shuffle, fill_value,
                                       blocksize, fsync, lock_path)


def _open_lock_file(path):
    try:
        return open(path, "a+b")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return open(path, "a+b")
