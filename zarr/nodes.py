"""Where the members of a hierarchy live: in memory, or in directories.

A group asks its nodes object what is at a path (an array, a group or
nothing), for the names under a path, and to make, remove and move members.
Paths are relative to the hierarchy's root, components joined by ``/``
(``''`` is the root); they have been checked by :func:`zarr.names.split_name`.
"""

import errno
import itertools
import os
import shutil
import threading

from zarr.attrs import Attributes
from zarr.errors import ContainsArrayError, ContainsGroupError, ReadOnlyError
from zarr.storage import ATTRS, GROUP_META, directory_kind, write_text_atomic

GROUP_TEXT = '{\n    "zarr_format": 2\n}\n'

_removals = itertools.count()


def _parent_and_name(path):
    head, _, tail = path.rpartition("/")
    return head, tail


class _GroupNode:
    __slots__ = ("members", "attrs")

    def __init__(self):
        self.members = {}
        self.attrs = Attributes()

    def __getstate__(self):
        return self.members, self.attrs

    def __setstate__(self, state):
        self.members, self.attrs = state


class MemoryNodes:
    """The members of a hierarchy in memory: a tree of dicts holding arrays."""

    read_only = False
    directory = None

    def __init__(self, synchronized=True, threads=None):
        self._root = _GroupNode()
        self._lock = threading.RLock()
        self.array_options = {"synchronized": synchronized, "threads": threads}

    def _node(self, path):
        node = self._root
        for part in path.split("/") if path else ():
            if not isinstance(node, _GroupNode):
                return None
            node = node.members.get(part)
            if node is None:
                return None
        return node

    def kind(self, path):
        node = self._node(path)
        if node is None:
            return None
        return "group" if isinstance(node, _GroupNode) else "array"

    def members(self, path):
        node = self._node(path)
        return sorted(node.members) if isinstance(node, _GroupNode) else []

    def attributes(self, path):
        node = self._node(path)
        if node is None:
            raise KeyError("no member at /%s (removed?)" % path)
        return node.attrs

    def exists(self, path):
        return self._node(path) is not None

    def remove_if_empty_new(self, path, member):
        pass  # parents are only made once the array is placed

    def __getstate__(self):
        return {"_root": self._root, "array_options": self.array_options}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def open_array(self, path):
        return self._node(path)

    def create_array(self, path, overwrite, kwargs):
        from zarr.creation import create
        # Placed by add_array once the caller has made its parents.
        return create(**dict(self.array_options, **kwargs))

    def discard_array(self, path, array):
        pass  # not placed yet

    def add_array(self, path, array, overwrite=False):
        parent, name = _parent_and_name(path)
        with self._lock:
            members = self._node(parent).members
            if not overwrite and name in members:  # another thread made it meanwhile
                error = ContainsGroupError if isinstance(members[name], _GroupNode) \
                    else ContainsArrayError
                raise error(errno.EEXIST, "a member was made meanwhile at", "/" + path)
            members[name] = array
        return array

    def make_group(self, path):
        parent, name = _parent_and_name(path)
        with self._lock:
            members = self._node(parent).members
            if not isinstance(members.get(name), _GroupNode):
                members[name] = _GroupNode()

    def remove(self, path):
        parent, name = _parent_and_name(path)
        with self._lock:
            del self._node(parent).members[name]

    def move(self, source, dest):
        with self._lock:
            parent, name = _parent_and_name(source)
            node = self._node(parent).members.pop(name)
            parent, name = _parent_and_name(dest)
            self._node(parent).members[name] = node


class DirectoryNodes:
    """The members of a hierarchy in a directory of the Zarr v2 format:
    a group is a directory holding ``.zgroup``, an array one holding ``.zarray``."""

    def __init__(self, root, mode, synchronized=True, lazy=False, fsync=False,
                 process_sync=False, threads=None):
        self.directory_root = root
        self.mode = mode
        self.read_only = mode == "r"
        self.fsync = fsync
        self.array_options = {"synchronized": synchronized, "lazy": lazy, "fsync": fsync,
                              "process_sync": process_sync, "threads": threads}

    def directory(self, path):
        return os.path.join(self.directory_root, *path.split("/")) if path else \
            self.directory_root

    def kind(self, path):
        return directory_kind(self.directory(path))

    def members(self, path):
        names = []
        try:
            entries = os.scandir(self.directory(path))
        except FileNotFoundError:
            return names
        with entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                if directory_kind(entry.path) is not None:
                    names.append(entry.name)
        return sorted(names)

    def attributes(self, path):
        where = self.directory(path)
        lock = None
        if self.array_options["process_sync"]:
            from zarr.storage import ProcessSynchronizer
            lock = ProcessSynchronizer(where.rstrip(os.sep) + ".sync").array_lock
        return Attributes(os.path.join(where, ATTRS), read_only=self.read_only,
                          fsync=self.fsync, lock=lock)

    def _array_mode(self):
        return "r" if self.read_only else "r+"

    #: An object every array opened here holds (see zarr.chunked's temporary storage).
    keeper = None

    def open_array(self, path):
        from zarr.persistent import open as open_array
        z = open_array(self.directory(path), mode=self._array_mode(), **self.array_options)
        if self.keeper is not None:
            z._keeper = self.keeper
        return z

    def create_array(self, path, overwrite, kwargs):
        """A new array at ``path``; one replacing a member is made under a hidden
        name beside it, and swapped in by :meth:`add_array` once it is written,
        so that a failed write leaves the old member as it was."""
        from zarr.persistent import open as open_array
        kwargs = dict(self.array_options, **kwargs)
        where = self.directory(path)
        if overwrite and self.kind(path) is not None:
            parent, name = os.path.split(where)
            where = os.path.join(parent, ".%s.creating.%d.%d" % (name, os.getpid(),
                                                                 next(_removals)))
        return open_array(where, mode="w" if overwrite else "w-", **kwargs)

    def add_array(self, path, array, overwrite=False):
        where = self.directory(path)
        if array.path == where:
            return array
        parent, name = os.path.split(where)
        old = os.path.join(parent, ".%s.removing.%d.%d" % (name, os.getpid(), next(_removals)))
        os.rename(where, old)
        os.rename(array.path, where)
        if os.path.islink(old):
            os.unlink(old)
        else:
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(array.path + ".sync", ignore_errors=True)
        return self._reopen(path, array)

    def _reopen(self, path, array):
        from zarr.persistent import LazyPersistentArray, _class_for, _read_metadata
        from zarr.storage import ProcessSynchronizer
        where = self.directory(path)
        synchronizer = None
        if array.synchronizer is not None:
            synchronizer = ProcessSynchronizer(where + ".sync")
        cls = _class_for(array._synchronized, isinstance(array, LazyPersistentArray))
        return cls(where, "r+", _read_metadata(where), array._fsync, synchronizer, array.threads)

    def discard_array(self, path, array):
        if array.path != self.directory(path):
            shutil.rmtree(array.path, ignore_errors=True)
            shutil.rmtree(array.path + ".sync", ignore_errors=True)
        elif self.kind(path) == "array":
            self.remove(path)

    def make_group(self, path):
        where = self.directory(path)
        os.makedirs(where, exist_ok=True)
        meta = os.path.join(where, GROUP_META)
        if not os.path.isfile(meta):
            write_text_atomic(meta, GROUP_TEXT, self.fsync)

    def remove(self, path):
        """Remove a member: renamed to a hidden name first, so that no half-removed
        member is ever listed, then deleted."""
        where = self.directory(path)
        if os.path.islink(where):  # a member linked in: the link goes, not its target
            os.unlink(where)
            return
        parent, name = os.path.split(where)
        hidden = os.path.join(parent, ".%s.removing.%d.%d" % (name, os.getpid(),
                                                              next(_removals)))
        os.rename(where, hidden)
        shutil.rmtree(hidden)
        if self._has_lock_directory(path):
            shutil.rmtree(where + ".sync", ignore_errors=True)

    def _has_lock_directory(self, path):
        """Whether ``<path>.sync`` is the lock directory of the array at path
        (process_sync), not a member of its own."""
        return os.path.isdir(self.directory(path) + ".sync") and self.kind(path + ".sync") is None

    def move(self, source, dest):
        locks = self._has_lock_directory(source)
        os.rename(self.directory(source), self.directory(dest))
        if locks:
            os.rename(self.directory(source) + ".sync", self.directory(dest) + ".sync")

    def exists(self, path):
        return os.path.lexists(self.directory(path))

    def remove_if_empty_new(self, path, member):
        """After a failed creation of ``member``: remove the directories made on
        the way to it, from its parent up to ``path``, those still empty only
        (another thread may be making a member there meanwhile)."""
        top = self.directory(path)
        where = os.path.dirname(self.directory(member))
        while True:
            try:
                os.rmdir(where)
            except OSError:
                return
            if where == top:
                return
            where = os.path.dirname(where)


def check_writable(nodes, what):
    if nodes.read_only:
        raise ReadOnlyError("cannot %s: the group at %s is open read-only (mode 'r')"
                            % (what, nodes.directory("")))
