"""Moving the chunk files of a :class:`zarr.storage.ShardedStore` into their
containers, in place (:meth:`zarr.storage.ShardedStore.consolidate`)."""

from zarr.errors import CorruptChunkError
from zarr.parallel import check_threads, run_tasks
from zarr.progress import Progress
from zarr.storage.base import normalize_prefix
from zarr.storage.files import read_file
from zarr.storage.keys import ARRAY_META
from zarr.storage.local import LocalStore


def consolidate(store, path="", threads=None, progress=None):
    """What :meth:`zarr.storage.ShardedStore.consolidate` does, for ``store``.

    Examples
    --------
    >>> import tempfile, zarr
    >>> root = tempfile.mkdtemp()
    >>> zarr.open(root, mode="w", shape=(4, 4, 4), chunks=2, dtype="u1",
    ...           dimension_separator="/")[:] = 7
    >>> consolidate(zarr.storage.ShardedStore(root))[:2]
    ['0/0/0', '0/0/1']
    """
    store._check_writable(path or ARRAY_META)
    prefix = normalize_prefix(path)
    start = prefix + "/" if prefix else ""
    by_container = {}
    arrays = set()
    for key in sorted(LocalStore._list(store, start)):
        routed = store.route(key)
        if routed is not None:
            by_container.setdefault(routed[0], []).append((key, routed[1]))
        elif key.endswith("/" + ARRAY_META) or key == ARRAY_META:
            arrays.add(key[:-len(ARRAY_META)].rstrip("/"))
    if store._array_ndim(prefix):
        arrays.add(prefix)
    moved = []
    bar = Progress(sum(map(len, by_container.values())), progress, "chunks")

    def task(container_key, items):
        def run():
            done = _move(store, container_key, items, bar)
            moved.extend(done)
        return run
    try:
        run_tasks([task(c, items) for c, items in sorted(by_container.items())],
                  check_threads(threads))
    finally:
        bar.close()
    for array in sorted(arrays):
        store.prune(array)
    return sorted(moved)


def _move(store, container_key, items, bar):
    """Move the files of ``items`` ((key, name) pairs) into the container
    ``container_key``; the keys moved."""
    moved = []
    batch_limit = max(store.getsize(key) for key, _ in items) if items else 0

    def apply(session):
        pending, size = [], 0
        for key, name in items:
            data = read_file(store.file_path(key))
            if data is None:
                continue  # written into the container, or deleted, meanwhile
            if not (session.has(name) and session.read(name) == data):
                if size + len(data) > batch_limit and pending:
                    _finish(session, pending)
                    moved.extend(k for k, _, _ in pending)
                    bar.update(len(pending))
                    pending, size = [], 0
                session.put(name, data)
                size += len(data)
            pending.append((key, name, data))
        _finish(session, pending)
        moved.extend(k for k, _, _ in pending)
        bar.update(len(pending))

    def _finish(session, pending):
        session.flush()
        for key, name, data in pending:
            if session.read(name) != data:
                raise CorruptChunkError("%s: the copy of chunk %r read back differs from "
                                        "its file; the file is kept"
                                        % (store.file_path(container_key), key))
            LocalStore._delete(store, key)
    store._container(container_key).change(apply, store._make_parent(container_key), store.fsync)
    return moved
