"""Synchronizers: who may write a chunk while a read-modify-write is under way.

An array is given a synchronizer, or none. Each read-modify-write of a chunk
holds the lock the synchronizer gives for it (``chunk_lock``); resizes and
appends hold its ``array_lock`` while they re-read and rewrite the metadata.

- :class:`ThreadSynchronizer` (what ``synchronized=True`` gives): threads of
  this process; locks from :mod:`zarr.locks`, shared by every array object on
  the same chunks.
- :class:`ProcessSynchronizer`: processes too, with ``fcntl`` lock files in a
  directory all of them reach.
- :class:`DistributedSynchronizer`: the processes of a dask.distributed
  cluster, with a ``distributed.Lock`` of the scheduler per chunk, where
  they share no file system (object storage).
"""

import contextlib
import fcntl
import os
import sys

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


class _HeldAfterThreadLock:
    """A thread lock, then a lock of a wider reach (``_take``); released in reverse."""

    __slots__ = ("thread",)

    def acquire(self):
        self.thread.acquire()
        try:
            self._take()
        except BaseException:
            self.thread.release()
            raise
        return True

    def release(self):
        try:
            self._drop()
        finally:
            self.thread.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


class _FileLock(_HeldAfterThreadLock):
    """A thread lock, then an exclusive ``flock`` on a file."""

    __slots__ = ("path", "file")

    def __init__(self, thread, path):
        self.thread, self.path, self.file = thread, path, None

    def _take(self):
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

    def _drop(self):
        f, self.file = self.file, None
        if f is not None:
            f.close()  # closing drops the flock


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


class _ClusterLock(_HeldAfterThreadLock):
    """A thread lock, then a ``distributed.Lock`` named for what it guards."""

    __slots__ = ("name", "timeout", "lock")

    def __init__(self, thread, name, timeout):
        self.thread, self.name, self.timeout, self.lock = thread, name, timeout, None

    def _take(self):
        try:
            from distributed import Lock
        except ImportError:
            raise ImportError("DistributedSynchronizer needs dask.distributed "
                              "(pip install distributed)") from None
        lock = Lock(self.name)
        if not lock.acquire(timeout=self.timeout):
            raise TimeoutError("the cluster lock %r was not given within %s s"
                               % (self.name, self.timeout))
        self.lock = lock

    def _drop(self):
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()


def _lock_name(kind, ident, key=None):
    parts = [str(part) for part in (ident if isinstance(ident, tuple) else (ident,))]
    return "zarr-%s:%s%s" % (kind, ":".join(parts), "" if key is None else "/" + key)


class DistributedSynchronizer(ThreadSynchronizer):
    """Chunk locks held by the scheduler of a dask.distributed cluster.

    Each read-modify-write of a chunk holds a ``distributed.Lock`` named by
    the array's store, path and chunk key (after the chunk's thread lock),
    so that the workers of a cluster, on any machines, exclude each other's
    writes to one chunk without a shared file system: what arrays on object
    storage written from many workers need. Appends and resizes hold the
    array's lock. The locks are asked of the cluster of the client or worker
    the calling process has (a task on a worker, or a process with a
    ``distributed.Client``); each costs a round trip to the scheduler.

    Parameters
    ----------
    timeout : float, optional
        Seconds to wait for a lock before TimeoutError (by default, as long
        as it takes).

    Examples
    --------
    >>> sync = DistributedSynchronizer(timeout=30)
    >>> sync
    DistributedSynchronizer(timeout=30)
    >>> sync.lock_name(("local", "/data/x.zarr"), "0.0")
    'zarr-chunk:local:/data/x.zarr/0.0'
    """

    across_processes = True

    def __init__(self, timeout=None):
        if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
            raise ValueError("timeout is a number of seconds above 0, not %r" % (timeout,))
        self.timeout = timeout

    @staticmethod
    def lock_name(ident, key):
        """The name of the cluster lock of chunk ``key`` of the array ``ident`` names."""
        return _lock_name("chunk", ident, key)

    def chunk_lock(self, ident, key):
        return _ClusterLock(thread_lock("chunk", ident, key), self.lock_name(ident, key),
                            self.timeout)

    @contextlib.contextmanager
    def array_lock(self, ident=None):
        with _ClusterLock(thread_lock("array", ident), _lock_name("array", ident), self.timeout):
            yield

    def __eq__(self, other):
        return type(other) is type(self) and other.timeout == self.timeout

    def __hash__(self):
        return hash((type(self), self.timeout))

    def __repr__(self):
        return "DistributedSynchronizer(%s)" % (
            "" if self.timeout is None else "timeout=%r" % self.timeout)

    def __reduce__(self):
        return DistributedSynchronizer, (self.timeout,)


def cluster_synchronizer():
    """A :class:`DistributedSynchronizer` when this process is a worker of a
    dask.distributed cluster or has a client of one, else None.

    Examples
    --------
    >>> cluster_synchronizer() is None  # no cluster here
    True
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    for probe in ("get_worker", "default_client"):
        try:
            getattr(distributed, probe)()
        except (ValueError, AttributeError):
            continue
        return DistributedSynchronizer()
    return None
