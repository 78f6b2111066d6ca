"""What one read of many chunks of a :class:`zarr.storage.ShardedStore`
finds once and uses for all of them.

A read of a hundred chunks of one container would otherwise open that
container a hundred times, look for a hundred plain files that are not
there and read the array's metadata a hundred times to route the keys. In a
:class:`ReadSnapshot` (open while an array reads many chunks: the store's
``read_batch``) each container is opened once, each directory is looked for
once and each array's metadata read once.

The snapshot only ever answers "the value is here": a chunk it does not
find in the version of its container it opened (or whose directory held
plain files) is looked up afresh, as without a snapshot, so a chunk moved
into its container meanwhile is never missed. A chunk it answers for is
read as it was at some moment of the read, as the read of each chunk of a
call is: the bytes of a version of a container stay its own while the file
is open (a change appends, a compaction writes a new file).
"""

import contextvars
import os
import threading

from zarr.errors import CorruptChunkError
from zarr.storage import h5container as h5c

_reading = contextvars.ContextVar("zarr_shard_reads", default=None)
_UNSEEN = object()


def read_snapshot(store):
    """The :class:`ReadSnapshot` of ``store`` open in this context, or None."""
    snapshot = _reading.get()
    return snapshot if snapshot is not None and snapshot.owner is store else None


class ReadSnapshot:
    """The containers, directories and array metadata one read has seen.

    The package's threads working for the read run in copies of its context
    and share the snapshot; everything it holds is closed when it ends.
    """

    def __init__(self, owner):
        self.owner = owner
        self._lock = threading.Lock()
        self._ndims = {}  # array prefix: its ndim for routing, as _array_ndim says
        self._dirs = {}  # directory path: whether it exists
        self._versions = {}  # container key: (fd, index) of a version, or None
        self._closed = False

    def ndim(self, prefix, find):
        """The routing ndim of the array at ``prefix``: ``find(prefix)``, once."""
        found = self._ndims.get(prefix, _UNSEEN)
        if found is _UNSEEN:
            found = self._ndims[prefix] = find(prefix)
        return found

    def find(self, key, routed, path, container):
        """``(fd, offset, size, True)`` (``fd`` is the snapshot's, open until it
        ends) or the bytes of chunk ``key`` (at ``routed``, in ``container``,
        or as the file ``path``), or None when it is to be looked up afresh."""
        directory = path.rpartition("/")[0]
        exists = self._dirs.get(directory)
        if exists is None:
            exists = self._dirs[directory] = os.path.isdir(directory)
        if exists:  # a plain file may be there: the usual look-up finds it
            return None
        held = container.held(routed[1])
        if held is not None:
            return held
        if routed[0] not in self._versions:
            self._open(routed[0], container)
        name = routed[1]
        version = self._versions.get(routed[0])
        if version is None:
            return None
        fd, index = version
        where = h5c.value_range(index, name)
        return None if where is None else (fd,) + where + (True,)

    def _open(self, container_key, container):
        try:
            opened = container.open_version()
        except (CorruptChunkError, OSError):
            opened = None  # the usual look-up says what is wrong, naming the chunk
        with self._lock:
            if not self._closed and container_key not in self._versions:
                self._versions[container_key] = opened
                return
        if opened is not None:  # another thread's is kept
            os.close(opened[0])

    def close(self):
        with self._lock:
            self._closed = True
            versions, self._versions = self._versions, {}
        for version in versions.values():
            if version is not None:
                os.close(version[0])


class reading_snapshot:
    """A context in which ``store``'s reads share a :class:`ReadSnapshot`;
    inside another of the same store, the outer one.

    Examples
    --------
    >>> import tempfile, zarr
    >>> store = zarr.storage.ShardedStore(tempfile.mkdtemp())
    >>> zarr.open(store, mode="w", shape=(4, 4), chunks=2, dtype="u1")[:] = 1
    >>> with reading_snapshot(store):
    ...     fd, offset, size, shared = store.open_value("0/1")  # fd: the snapshot's
    ...     read_snapshot(store) is not None
    True
    >>> read_snapshot(store) is None
    True
    """

    def __init__(self, store):
        self.store = store
        self._token = self._snapshot = None

    def __enter__(self):
        if read_snapshot(self.store) is None:
            self._snapshot = ReadSnapshot(self.store)
            self._token = _reading.set(self._snapshot)
        return self

    def __exit__(self, *exc):
        if self._snapshot is not None:
            _reading.reset(self._token)
            self._snapshot.close()
        return False
