# Chunks whose compressed bytes live in a file: written atomically through a
# temporary file in the same directory, read and validated on every access.

import fcntl
import itertools
import os

cdef object _partial_names = itertools.count()

#: The suffix of the temporary files of writes in progress; never a chunk.
PARTIAL_SUFFIX = ".partial"


def write_file_atomic(path, data, bint fsync=False):
    """Replace the file at ``path`` by ``data`` in one step.

    The bytes go to a temporary file in the same directory (named
    ``.<name>.<pid>.<n>.partial``), which is then renamed over ``path``: a
    reader sees the old file or the new one, never a torn one. If anything
    fails, the temporary file is removed and ``path`` is left as it was.
    With ``fsync``, the file and its directory are synced to disk before
    returning. Missing parent directories are created.

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
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
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
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        _raise_with_path(e, path)
        raise


def _raise_with_path(e, path):
    """Raise ``e`` again naming ``path`` when it is an OSError that names no file
    (as those of os.write or of a read after open do)."""
    if isinstance(e, OSError) and e.filename is None and e.errno is not None:
        raise type(e)(e.errno, e.strerror, os.fspath(path)) from e


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
        write_file_atomic(self.path, cdata, self.fsync)
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
