"""A directory store whose chunks live many to a file, in HDF5 containers.

The chunks of an array with ``/`` as its dimension separator (``a/0/1/2``)
are sharded: those of the trailing ``consolidate_depth - 1`` dimensions
share one container file. With the default depth of 3, the chunk ``0/1/2``
of a 3-d array is the dataset ``1.2`` of the file ``0.h5``; of a 4-d array,
the chunk ``0/1/2/3`` is ``2.3`` in ``0/1.h5``. Arrays of fewer dimensions
than the depth are sharded across axis 0 (the chunk ``4/5`` of a 2-d array
is ``5`` in ``4.h5``), and 1-d arrays in files of 1000 chunks (the chunk
``2345`` is ``2345`` in ``2.h5``). Everything else (metadata, arrays with
``.`` as their separator, any other file) is a plain file, as in
:class:`zarr.storage.LocalStore`.

A chunk is looked up as a plain file first, then in its container, so a
nested directory of one file per chunk opens as it is, and
:meth:`ShardedStore.consolidate` moves its files into containers in place.
See :mod:`zarr.storage.shards` for how a container changes safely.
"""

import errno
import fcntl
import json
import os

from zarr.errors import CorruptChunkError
from zarr.storage.base import join_key, normalize_key, normalize_prefix
from zarr.storage.files import open_regular, read_file
from zarr.storage.keys import ARRAY_META
from zarr.storage.local import LocalStore
from zarr.storage.nofollow import open_directory
from zarr.storage.shard_consolidation import consolidate
from zarr.storage.shard_reads import read_snapshot, reading_snapshot
from zarr.storage.shards import container_file, held_writes, holding_writes

CONTAINER_SUFFIX = ".h5"
#: The chunks of a 1-d array in one container.
CHUNKS_PER_FILE_1D = 1000
_MAX_DIMS = 64


def _is_coordinate(part):
    return part.isdigit() and part.isascii() and (part == "0" or part[0] != "0")


class ShardedStore(LocalStore):
    """A directory store that keeps the chunks of nested arrays many to a
    file, in HDF5 containers (h5py reads them; see :mod:`zarr.storage.sharded`
    for the layout).

    What it promises, besides what :class:`LocalStore` promises of plain files:

    - A reader sees each chunk's old value or its new one, never a part; a
      writer killed at any point leaves every other chunk of its container
      readable, and the chunk it wrote old or new. Changes of a container are
      appended to it and made its content by one write of its first 96
      bytes; readers take no lock (but of files in another HDF5 layout).
    - Writers of one container, threads or processes, lose no update: each
      change holds the container's thread lock, then an ``flock`` on the
      file, whatever synchronizer the array has (an array's synchronizer
      still serialises the read-modify-write of one chunk, as in any store).
    - A chunk stored as a plain file stays one when written again (reads
      look there first); :meth:`consolidate` moves such files into their
      containers.

    Parameters
    ----------
    path : str or path-like
        The directory.
    consolidate_depth : int
        The chunks of the trailing ``consolidate_depth - 1`` dimensions share
        a container (at least 2).
    write_direct : bool
        Write new chunks into containers; False writes plain files, as a
        nested directory store does.
    container : {'h5'}
        The container format (zip archives are :class:`zarr.storage.ZipStore`).
    read_only, fsync : bool
        As :class:`LocalStore`; ``fsync`` also syncs each change of a
        container before and after the write that makes it its content.

    Examples
    --------
    >>> import os, tempfile, zarr
    >>> store = ShardedStore(tempfile.mkdtemp())
    >>> z = zarr.open(store, mode="w", shape=(40, 40, 40), chunks=(10, 10, 10), dtype="i4")
    >>> z[:] = 1
    >>> sorted(os.listdir(store.root))[:3], store.list("")[2:4]
    (['.zarray', '.zattrs', '0.h5'], ['0/0/0', '0/0/1'])
    """

    dimension_separator = "/"
    indirect_chunks = True  # chunks are read through get, not from a file of their own

    def __init__(self, path, consolidate_depth=3, write_direct=True, container="h5",
                 read_only=False, fsync=False):
        if isinstance(consolidate_depth, bool) or not isinstance(consolidate_depth, int) \
                or not 2 <= consolidate_depth <= _MAX_DIMS:
            raise ValueError("consolidate_depth must be an int from 2 to %d, not %r"
                             % (_MAX_DIMS, consolidate_depth))
        if container != "h5":
            raise ValueError("container must be 'h5', not %r (for zip archives, use "
                             "zarr.storage.ZipStore)" % (container,))
        LocalStore.__init__(self, path, read_only, fsync)
        self.consolidate_depth = consolidate_depth
        self.write_direct = bool(write_direct)
        self.container = container
        self._arrays = {}
        self._containers = {}

    # Where a chunk lives.

    def _array_ndim(self, prefix):
        """The number of dimensions of the array at ``prefix`` if its chunk keys
        are nested (``/``), else None."""
        snapshot = read_snapshot(self)
        if snapshot is not None:
            return snapshot.ndim(prefix, self._read_array_ndim)
        return self._read_array_ndim(prefix)

    def _read_array_ndim(self, prefix):
        key = join_key(prefix, ARRAY_META)
        stamp = LocalStore.stamp(self, key)  # one stat: an array made or remade meanwhile
        cached = self._arrays.get(prefix)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        ndim = None
        if stamp is not None:
            try:
                meta = json.loads(LocalStore._get(self, key))
            except (KeyError, ValueError, OSError):
                meta = None
            if (isinstance(meta, dict) and meta.get("dimension_separator") == "/"
                    and isinstance(meta.get("shape"), list) and len(meta["shape"]) <= _MAX_DIMS):
                ndim = len(meta["shape"]) or None
        if len(self._arrays) > 4096:
            self._arrays.clear()
        self._arrays[prefix] = (stamp, ndim)
        return ndim

    def _array_of(self, parts):
        """(array prefix, its ndim, the coordinates after it) of the shallowest
        nested array whose directory holds ``parts``, or None."""
        run = 0
        while run < len(parts) and _is_coordinate(parts[len(parts) - 1 - run]):
            run += 1
        for n in range(min(run, _MAX_DIMS), -1, -1):
            prefix = "/".join(parts[:len(parts) - n])
            ndim = self._array_ndim(prefix)
            if ndim is not None:
                return prefix, ndim, parts[len(parts) - n:]
        return None

    def _held(self, ndim):
        """How many of a chunk's coordinates name its container's file."""
        return 1 if ndim < self.consolidate_depth else ndim - self.consolidate_depth + 1

    def _container_key(self, prefix, ndim, coords):
        if ndim == 1:
            coords = [str(int(coords[0]) // CHUNKS_PER_FILE_1D)]
        return join_key(prefix, "/".join(coords)) + CONTAINER_SUFFIX

    def route(self, key):
        """(the key of the container file of chunk ``key``, its name there), or
        None when ``key`` is not a sharded chunk's.

        Examples
        --------
        >>> import tempfile, zarr
        >>> store = ShardedStore(tempfile.mkdtemp())
        >>> _ = zarr.open(store, path="a", mode="w", shape=(9, 9, 9, 9), chunks=3, dtype="u1")
        >>> store.route("a/0/1/2/0"), store.route("a/.zarray")
        (('a/0/1.h5', '2.0'), None)
        """
        return self._route(normalize_key(key))

    def _route(self, key):
        found = self._array_of(key.split("/"))
        if found is None:
            return None
        prefix, ndim, coords = found
        if len(coords) != ndim:
            return None
        held = 0 if ndim == 1 else self._held(ndim)
        return self._container_key(prefix, ndim, coords[:held] or coords), \
            ".".join(coords[held:] if ndim > 1 else coords)

    def _container(self, container_key):
        found = self._containers.get(container_key)
        if found is None:
            if len(self._containers) > 4096:
                self._containers.clear()
            found = self._containers[container_key] = container_file(self.file_path(container_key))
        return found

    def _chunk_key(self, prefix, ndim, where, name):
        """The key of ``name`` in the container at ``where`` (its coordinates)
        of the array at ``prefix``, or None when it is not a chunk's name."""
        parts = name.split(".")
        if ndim == 1:
            if len(parts) != 1 or not _is_coordinate(name) \
                    or int(name) // CHUNKS_PER_FILE_1D != int(where[0]):
                return None
            return join_key(prefix, name)
        if len(parts) != ndim - len(where) or not all(map(_is_coordinate, parts)):
            return None
        return join_key(prefix, "/".join(list(where) + parts))

    def _as_container(self, key):
        """(prefix, ndim, coordinates) when the file ``key`` is a container, else None."""
        if not key.endswith(CONTAINER_SUFFIX):
            return None
        parts = key[:-len(CONTAINER_SUFFIX)].split("/")
        if not _is_coordinate(parts[-1]):
            return None
        found = self._array_of(parts)
        if found is None:
            return None
        prefix, ndim, coords = found
        if len(coords) != (1 if ndim == 1 else self._held(ndim)):
            return None
        return prefix, ndim, coords

    def _keys_of(self, key):
        """{chunk key: size} of the container file ``key``."""
        prefix, ndim, where = self._as_container(key)
        out = {}
        for name, size in self._container(key).names().items():
            chunk = self._chunk_key(prefix, ndim, where, name)
            if chunk is not None:
                out[chunk] = size
        return out

    def _bad(self, error, key, container_key):
        return CorruptChunkError("chunk %r in container %s: %s"
                                 % (key, self.file_path(container_key), error))

    # Reading.

    def _refuse_container(self, key):
        if self._as_container(key) is not None:
            raise ValueError("%r is the container file of chunks, not a key of this store: "
                             "its chunks are the keys" % key)

    def _get(self, key):
        routed = self.route(key)
        if routed is None:
            if self._as_container(key) is not None:
                raise KeyError(key)
            return LocalStore._get(self, key)
        data = read_file(self.file_path(key))
        if data is not None:
            return data
        try:
            return self._container(routed[0]).read(routed[1])
        except KeyError:
            raise KeyError(key) from None
        except CorruptChunkError as e:
            raise self._bad(e, key, routed[0]) from None

    def open_value(self, key):
        """Where the bytes of ``key`` are, for a read that may need only part
        of them: ``(fd, offset, size)`` in a file open at ``fd``, which the
        caller closes (``(fd, offset, size, True)`` when the store closes it,
        once the read of many chunks it is part of ends: see
        :meth:`read_batch`); the bytes themselves; or None when ``key`` is
        missing.

        Examples
        --------
        >>> import os, tempfile, zarr
        >>> store = ShardedStore(tempfile.mkdtemp())
        >>> z = zarr.open(store, mode="w", shape=(4, 4, 4), chunks=2, dtype="u1")
        >>> z[:] = 1
        >>> fd, offset, size = store.open_value("0/1/1")
        >>> os.pread(fd, size, offset) == store["0/1/1"]
        True
        >>> os.close(fd)
        """
        key = normalize_key(key)
        routed = self._route(key)
        if routed is None and self._as_container(key) is not None:
            return None
        path = self.file_path(key)
        snapshot = read_snapshot(self)
        if snapshot is not None and routed is not None:
            found = snapshot.find(key, routed, path, self._container(routed[0]))
            if found is not None:
                return found
        try:
            fd, st = open_regular(path)
            return fd, 0, st.st_size
        except FileNotFoundError:
            pass
        except OSError as e:
            if e.errno != errno.ENAMETOOLONG:  # no file can have that name
                raise
        if routed is None:
            return None
        try:
            return self._container(routed[0]).open_value(routed[1])
        except CorruptChunkError as e:
            raise self._bad(e, key, routed[0]) from None

    def get_ranges(self, key, ranges):
        routed = self.route(key)
        if routed is not None:
            try:
                return LocalStore.get_ranges(self, key, ranges)
            except KeyError:
                pass
            try:
                return self._container(routed[0]).read(routed[1], list(ranges))
            except KeyError:
                raise KeyError(key) from None
            except CorruptChunkError as e:
                raise self._bad(e, key, routed[0]) from None
        if self._as_container(normalize_key(key)) is not None:
            raise KeyError(key)
        return LocalStore.get_ranges(self, key, ranges)

    def getsize(self, key):
        if self._as_container(normalize_key(key)) is not None:
            raise KeyError(key)
        try:
            return LocalStore.getsize(self, key)
        except KeyError:
            routed = self.route(key)
            if routed is None:
                raise
        try:
            return self._container(routed[0]).size(routed[1])
        except KeyError:
            raise KeyError(key) from None
        except CorruptChunkError as e:
            raise self._bad(e, key, routed[0]) from None

    # Writing.

    def _make_parent(self, container_key):
        def make():
            parent = container_key.rpartition("/")[0]
            if parent:
                os.close(open_directory(self.root, parent.split("/"), True,
                                        self.file_path(container_key)))
        return make

    def _locked_plain(self, container_key, change):
        """Run ``change()`` (of a plain chunk file) holding the container's lock
        when the container exists, else its directory's (which a container's
        creation takes), so that no consolidation moves the file meanwhile."""
        container = self._container(container_key)
        while True:
            if os.path.exists(container.path):
                return container.change(lambda session: change(), fsync=self.fsync)
            directory = os.path.dirname(container.path)
            try:
                fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except FileNotFoundError:
                return change()  # no container can be made before this directory
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if not os.path.exists(container.path):
                    return change()
            finally:
                os.close(fd)

    def _set(self, key, value):
        routed = self.route(key)
        if routed is None:
            self._refuse_container(key)
            return LocalStore._set(self, key, value)
        plain = self.file_path(key)
        if not self.write_direct or os.path.lexists(plain):  # a plain file stays one
            return self._locked_plain(routed[0], lambda: LocalStore._set(self, key, value))
        value = bytes(value)
        container = self._container(routed[0])
        batch = held_writes(self)
        if batch is not None:
            return batch.put(container, routed[0], key, routed[1], value)
        container.hold(routed[1], value)  # so that no older held value wins over it
        self._commit_held(routed[0], container, {routed[1]: key})

    def read_batch(self):
        """A context in which a read of many chunks opens each container
        once (see :mod:`zarr.storage.shard_reads`)."""
        return reading_snapshot(self)

    def write_batch(self, threads=None):
        """A context whose chunk writes into containers are held, then
        committed as one version of each container (one lock, append and
        superblock write for many chunks): each array write uses one, unless
        a synchronizer of processes guards it. See
        :class:`zarr.storage.shards.WriteBatch`.

        Examples
        --------
        >>> import tempfile, numpy as np, zarr
        >>> store = ShardedStore(tempfile.mkdtemp())
        >>> z = zarr.open(store, mode="w", shape=(4, 4), chunks=(2, 2), dtype="i4")
        >>> with store.write_batch():
        ...     z[:2] = 1
        ...     int(z[:2].sum())  # the held chunks are read back
        8
        >>> int(zarr.open(store, mode="r")[...].sum())
        8
        """
        return holding_writes(self, threads)

    def _commit_held(self, container_key, container, keys):
        """Commit the values held in ``container`` for ``keys`` ({name: chunk key})."""
        def put(session, name, value):
            key = keys[name]
            if os.path.lexists(self.file_path(key)):
                LocalStore._set(self, key, value)  # a plain file made meanwhile
            else:
                session.put(name, value)
        container.commit_held(list(keys), put, self._make_parent(container_key), self.fsync)

    def _delete(self, key):
        routed = self.route(key)
        if routed is None:
            if self._as_container(key) is not None:
                raise KeyError(key)
            return LocalStore._delete(self, key)

        def plain():
            try:
                LocalStore._delete(self, key)
            except KeyError:
                return False
            return True

        def apply(session):
            found = session.remove(routed[1])
            if not plain() and not found:
                raise KeyError(key)
        container = self._container(routed[0])
        while True:
            if os.path.exists(container.path):
                try:
                    return container.change(apply, fsync=self.fsync)
                except FileNotFoundError:
                    continue  # removed meanwhile
            if not self._locked_plain(routed[0], plain):
                raise KeyError(key)
            return

    # Listing.

    def _list(self, start):
        keys = set()
        prefix = start.rstrip("/")
        inside = self._array_of(prefix.split("/")) if prefix else None
        top = start
        if inside is not None and inside[2]:
            top = join_key(inside[0], "")  # a container above start: list its array
        for key in LocalStore._list(self, top):
            if self._as_container(key) is not None:
                keys.update(k for k in self._keys_of(key) if k.startswith(start))
            elif key.startswith(start):
                keys.add(key)
        return keys

    def _level(self, prefix):
        """(array prefix, ndim, coordinates) of a listing inside a nested
        array, or None."""
        if not prefix:
            ndim = self._array_ndim("")
            return ("", ndim, []) if ndim else None
        found = self._array_of(prefix.split("/"))
        if found is None or len(found[2]) >= found[1]:
            return None
        return found

    def _container_entries(self, prefix):
        """{name: size or None (a directory)} of the chunks in containers
        directly under ``prefix``, and the container files to leave out."""
        prefix = normalize_prefix(prefix)
        level = self._level(prefix)
        if level is None:
            return {}, set()
        array, ndim, coords = level
        k = len(coords)
        entries, hidden = {}, set()
        if ndim == 1 or k + 1 == self._held(ndim):
            for entry in self._entries(prefix):
                key = join_key(prefix, entry.name)
                if self._as_container(key) is None:
                    continue
                hidden.add(entry.name)
                if ndim == 1:
                    entries.update((c.rpartition("/")[2], size)
                                   for c, size in self._keys_of(key).items())
                else:
                    entries[entry.name[:-len(CONTAINER_SUFFIX)]] = None
            return entries, hidden
        held = self._held(ndim)
        if ndim > 1 and k >= held:
            container_key = self._container_key(array, ndim, coords[:held])
            if os.path.exists(self.file_path(container_key)):
                for chunk, size in self._keys_of(container_key).items():
                    rest = chunk.split("/")[len(array.split("/")) if array else 0:]
                    if rest[:k] == coords:
                        entries[rest[k]] = size if k + 1 == ndim else None
        return entries, hidden

    def list_dir(self, prefix=""):
        entries, hidden = self._container_entries(prefix)
        plain = [name for name in LocalStore.list_dir(self, prefix) if name not in hidden]
        return sorted(set(plain) | set(entries))

    def list_dir_sizes(self, prefix=""):
        entries, hidden = self._container_entries(prefix)
        found = {name: size for name, size in LocalStore.list_dir_sizes(self, prefix)
                 if name not in hidden}
        for name, size in entries.items():
            if size is not None:
                found.setdefault(name, size)
        return sorted(found.items())

    def contains_prefix(self, prefix):
        if LocalStore.contains_prefix(self, prefix):
            return True
        return bool(self._container_entries(prefix)[0])

    def delete_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        found = self._array_of(prefix.split("/")) if prefix else None
        if found is None or not found[2]:
            return LocalStore.delete_prefix(self, prefix)  # containers go with directories
        # Below an array's directory: chunks in containers go one by one.
        for key in sorted(self._list(prefix + "/")) + [prefix]:
            try:
                self._delete(key)
            except KeyError:
                pass
        LocalStore.delete_prefix(self, prefix)

    # The rest.

    def describe_key(self, key):
        routed = self.route(key)
        if routed is None:
            return LocalStore.describe_key(self, key)
        return "chunk %r (file %s, or %r in container %s)" % (
            key, self.file_path(key), routed[1], self.file_path(routed[0]))

    def with_read_only(self, read_only=True):
        return type(self)(self.root, self.consolidate_depth, self.write_direct, self.container,
                          read_only, self.fsync)

    def __eq__(self, other):
        return (type(other) is type(self) and other.root == self.root
                and other.read_only == self.read_only
                and other.consolidate_depth == self.consolidate_depth
                and other.write_direct == self.write_direct)

    def __hash__(self):
        return hash((type(self), self.root, self.read_only, self.consolidate_depth))

    def __repr__(self):
        return "%s(%r, consolidate_depth=%d%s%s)" % (
            type(self).__name__, self.root, self.consolidate_depth,
            "" if self.write_direct else ", write_direct=False",
            ", read_only=True" if self.read_only else "")

    def __reduce__(self):
        return type(self), (self.root, self.consolidate_depth, self.write_direct,
                            self.container, self.read_only, self.fsync)

    def consolidate(self, path="", threads=None, progress=None):
        """Move the plain chunk files of the nested arrays under ``path`` (an
        array, or a group and everything under it) into their containers, and
        remove the directories left empty; the keys moved, sorted.

        Each container is filled by one task (on ``threads`` of the package's
        threads, :func:`zarr.parallel.run_tasks`), holding its lock: it copies
        a few files into it, no more bytes at once than the largest chunk,
        makes the copies the container's content, reads them back, compares
        them with the files, and only then deletes the files. A consolidation
        killed at any point leaves each chunk in its file, in its container,
        or in both with the same bytes (a file is read first, so the file
        wins); running it again finishes the job. ``progress=True`` shows a
        progress bar (tqdm).

        Examples
        --------
        >>> import os, tempfile, zarr
        >>> root = tempfile.mkdtemp()
        >>> z = zarr.open(root, mode="w", shape=(4, 4, 4), chunks=2, dtype="u1",
        ...               dimension_separator="/")
        >>> z[:] = 7
        >>> moved = ShardedStore(root).consolidate()
        >>> len(moved), sorted(os.listdir(root)), int(zarr.open(ShardedStore(root))[3, 3, 3])
        (8, ['.zarray', '.zattrs', '0.h5', '1.h5'], 7)
        """
        return consolidate(self, path, threads, progress)
