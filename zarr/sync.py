"""Synchronizers: who may write a chunk while a read-modify-write is under way.

An array is given a synchronizer, or none. Each read-modify-write of a chunk
holds the lock the synchronizer gives for it (``chunk_lock``); resizes and
appends hold its ``array_lock`` while they re-read and rewrite the metadata.

- :class:`ThreadSynchronizer` (what ``synchronized=True`` gives): threads of
  this process; locks from :mod:`zarr.locks`, shared by every array object on
  the same chunks.
- :class:`ProcessSynchronizer`: processes too, with ``fcntl`` lock files in a
  directory all of them reach.
"""

import contextlib
import fcntl
import os

from zarr.locks import thread_lock


class ThreadSynchronizer:
    """Chunk locks among the threads of this process.

    Examples
    --------
    >>> sync = ThreadSynchronizer()
    >>> lock = sync.chunk_lock(("memory", "x"), "0.0")
    >>> with lock:
    ...     pass
    """

    def chunk_lock(self, ident, key):
        """The lock of chunk ``key`` of the array ``ident`` names (its store's
        lock namespace and its path)."""
        return thread_lock("chunk", ident, key)

    @contextlib.contextmanager
    def array_lock(self, ident=None):
        with thread_lock("array", ident):
            yield

    #: Whether its locks hold across processes.
    across_processes = False

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        return "ThreadSynchronizer()"

    def __reduce__(self):
        return ThreadSynchronizer, ()


class _FileLock:
    """A thread lock, then an exclusive ``flock`` on a file; released in reverse."""

    __slots__ = ("thread", "path", "file")

    def __init__(self, thread, path):
        self.thread, self.path, self.file = thread, path, None

    def acquire(self):
        self.thread.acquire()
        try:
            try:
                f = open(self.path, "a+b")
            except FileNotFoundError:
                os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
                f = open(self.path, "a+b")
            try:
                fcntl.flock(f, fcntl.LOCK_EX)
            except BaseException:
                f.close()
                raise
            self.file = f
        except BaseException:
            self.thread.release()
            raise
        return True

    def release(self):
        f, self.file = self.file, None
        try:
            if f is not None:
                f.close()  # closing drops the flock
        finally:
            self.thread.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


class ProcessSynchronizer(ThreadSynchronizer):
    """File locks that serialise chunk writes across processes.

    Each chunk has a lock file ``<path>/<key>.lock``, taken with ``fcntl``
    across each read-modify-write of that chunk (after the chunk's thread
    lock); appends and resizes take ``<path>/.zarray.lock`` while they
    re-read and rewrite the metadata. The directory is kept beside the
    array, not inside it. The processes must share the file system of
    ``path`` (and its ``flock``).

    Parameters
    ----------
    path : str
        The directory of the lock files (created when needed).

    Examples
    --------
    >>> import tempfile
    >>> sync = ProcessSynchronizer(tempfile.mkdtemp())
    >>> with sync.array_lock():
    ...     pass
    """

    across_processes = True

    def __init__(self, path):
        self.path = os.fspath(path)

    def chunk_lock_path(self, key):
        return os.path.join(self.path, key.replace("/", ".") + ".lock")

    def chunk_lock(self, ident, key):
        return _FileLock(thread_lock("chunk", ident, key), self.chunk_lock_path(key))

    @contextlib.contextmanager
    def array_lock(self, ident=None):
        with _FileLock(thread_lock("array", self.path), os.path.join(self.path, ".zarray.lock")):
            yield

    def __eq__(self, other):
        return type(other) is type(self) and other.path == self.path

    def __hash__(self):
        return hash((type(self), self.path))

    def __repr__(self):
        return "ProcessSynchronizer(%r)" % self.path

    def __reduce__(self):
        return ProcessSynchronizer, (self.path,)
