"""Where the members of a hierarchy live: the nodes of a store.

A group asks its nodes object what is at a path (an array, a group or
nothing), for the names under a path, and to make, remove and move members.
Paths are relative to the hierarchy's root in the store, components joined
by ``/`` (``''`` is the root); they have been checked by
:func:`zarr.names.split_name`. A group is a node holding ``.zgroup``, an
array one holding ``.zarray``, as the Zarr v2 format has them, in any store;
in a hierarchy of the Zarr v3 format, both hold a ``zarr.json`` whose
``node_type`` says which. A hierarchy holds nodes of its own format only: a
node of the other format is not a member, and making or opening a member
where one is raises, naming it.
"""

import errno
import os

from zarr.aside import aside_path, discard, swap_in
from zarr.attrs import Attributes, NodeAttributes
from zarr.errors import ContainsArrayError, ContainsGroupError, ReadOnlyError
from zarr.persistent import open_array
from zarr.storage import (ARRAY_META, ATTRS, GROUP_META, V3_META, LocalStore, join_key,
                          node_format)
from zarr.sync import ProcessSynchronizer

GROUP_TEXT = '{\n    "zarr_format": 2\n}\n'
GROUP_V3_TEXT = '{\n  "zarr_format": 3,\n  "node_type": "group",\n  "attributes": {}\n}\n'
#: The metadata key and text of a new group, by format.
GROUP_NEW = {2: (GROUP_META, GROUP_TEXT), 3: (V3_META, GROUP_V3_TEXT)}


def foreign_node_error(kind, found, expected, where):
    """The error for a node of another format than its hierarchy's."""
    error = ContainsArrayError if kind == "array" else ContainsGroupError
    what = "a Zarr v%d %s" % (found, kind or "node")
    return error(errno.EEXIST, "%s, in a Zarr v%d hierarchy (formats are not mixed), is at"
                 % (what, expected), where)


class Nodes:
    """The members of a hierarchy rooted at ``root`` in ``store``.

    Parameters
    ----------
    store : zarr.storage.Store
    mode : str
        'r' makes every change raise :class:`zarr.ReadOnlyError`.
    root : str
        The hierarchy's root in the store.
    array_options : dict
        How arrays are opened: ``synchronized``, ``lazy``, ``process_sync``, ``threads``.
    zarr_format : {2, 3}
        The format of the hierarchy's nodes.
    """

    def __init__(self, store, mode="a", root="", synchronized=True, lazy=False,
                 process_sync=False, threads=None, zarr_format=2):
        self.store = store
        self.zarr_format = zarr_format
        self.mode = mode
        self.root = root
        self.read_only = mode == "r"
        self.array_options = {"synchronized": synchronized, "lazy": lazy,
                              "process_sync": process_sync, "threads": threads}

    #: An object every array opened here holds (see zarr.chunked's temporary storage).
    keeper = None
    #: What the arrays opened here are told (``write_empty_chunks``,
    #: ``string_dtype``: see zarr.Array); None: their own defaults.
    array_settings = None

    def key(self, path):
        """The store's prefix of the member at ``path``."""
        return join_key(self.root, path) if path else self.root

    def directory(self, path):
        """The directory of the member at ``path`` in a directory store (or one
        over a directory: see :class:`zarr.storage.ConsolidatedStore`), else None."""
        directory = getattr(self.store, "directory", None)
        return directory(self.key(path)) if directory is not None else None

    def describe(self, path):
        where = self.directory(path)
        return where if where is not None else "/" + path

    def kind(self, path):
        """'array', 'group' or None; an error for a node of the other format."""
        kind, found = node_format(self.store, self.key(path))
        if found is not None and found != self.zarr_format:
            raise foreign_node_error(kind, found, self.zarr_format, self.describe(path))
        return kind

    def members(self, path):
        prefix = self.key(path)
        names = []
        for name in self.store.list_dir(prefix):
            if name.startswith(".") or name == V3_META:
                continue
            kind, found = node_format(self.store, join_key(prefix, name))
            if kind is not None and found == self.zarr_format:
                names.append(name)
        return names

    def attributes(self, path):
        kind = self.kind(path)
        if kind is None:
            raise KeyError("no member at /%s (removed?)" % path)
        lock = None
        if self.array_options["process_sync"] and isinstance(self.store, LocalStore):
            where = self.directory(path)
            lock = ProcessSynchronizer(where.rstrip(os.sep) + ".sync").array_lock
        if self.zarr_format == 3:
            return NodeAttributes(self.store, join_key(self.key(path), V3_META),
                                  read_only=self.read_only, lock=lock)
        node = join_key(self.key(path), ARRAY_META if kind == "array" else GROUP_META)
        return Attributes(self.store, join_key(self.key(path), ATTRS), read_only=self.read_only,
                          lock=lock, node=node)

    def exists(self, path):
        key = self.key(path)
        exists = getattr(self.store, "exists", None)
        if exists is not None:
            return exists(key)
        return self.store.contains_prefix(key) or key in self.store

    def _array_mode(self):
        return "r" if self.read_only else "r+"

    def open_array(self, path):
        z = open_array(self.store, self.key(path), mode=self._array_mode(),
                       zarr_format=self.zarr_format, **self.array_options)
        if self.keeper is not None:
            z._keeper = self.keeper
        z._apply_settings(self.array_settings)
        return z

    def create_array(self, path, overwrite, kwargs):
        """A new array at ``path``; one replacing a member is made under a hidden
        name beside it, and swapped in by :meth:`add_array` once it is written,
        so that a failed write leaves the old member as it was."""
        kwargs = dict(self.array_options, **kwargs)
        if kwargs.setdefault("zarr_format", self.zarr_format) != self.zarr_format:
            raise ValueError("a Zarr v%d array cannot be made in a Zarr v%d hierarchy "
                             "(formats are not mixed)" % (kwargs["zarr_format"],
                                                          self.zarr_format))
        key = self.key(path)
        if overwrite and self.kind(path) is not None:
            key = aside_path(key)
        return open_array(self.store, key, mode="w" if overwrite else "w-", **kwargs)

    def add_array(self, path, array, overwrite=False):
        key = self.key(path)
        if array.key_prefix == key:
            return array
        swap_in(self.store, array.key_prefix, key)
        self._remove_lock_directory(array.key_prefix)
        return self.open_array(path)

    def discard_array(self, path, array):
        if array.key_prefix != self.key(path):
            discard(self.store, array.key_prefix)
            self._remove_lock_directory(array.key_prefix)
        elif self.kind(path) == "array":
            self.remove(path)

    def make_group(self, path):
        name, text = GROUP_NEW[self.zarr_format]
        key = join_key(self.key(path), name)
        if key not in self.store:
            self.store.set(key, text.encode())

    def remove(self, path):
        """Remove a member (in a directory: renamed to a hidden name first, so
        that no half-removed member is ever listed, then deleted)."""
        key = self.key(path)
        self.store.delete_prefix(key)
        self._remove_lock_directory(key)

    def _lock_directory(self, key):
        """``<dir>.sync``, the lock directory of the array at ``key``, when it holds
        nothing but lock files (never a member, nor a user's files); else None."""
        if not isinstance(self.store, LocalStore) or not key:
            return None
        where = self.store.directory(key) + ".sync"
        if os.path.islink(where) or not os.path.isdir(where):
            return None
        for dirpath, dirnames, filenames in os.walk(where):
            if dirnames or any(not name.endswith(".lock") for name in filenames):
                return None
        return where

    def _remove_lock_directory(self, key):
        if self._lock_directory(key) is not None:
            try:  # through the store: never through a symbolic link below its root
                self.store.delete_prefix(key + ".sync")
            except OSError:
                pass

    def move(self, source, dest):
        src, dst = self.key(source), self.key(dest)
        locks = self._lock_directory(src)
        self.store.rename(src, dst)
        if locks is not None:
            self.store.rename(src + ".sync", dst + ".sync")

    def remove_if_empty_new(self, path, member):
        """After a failed creation of ``member``: remove the directories made on
        the way to it, from its parent up to ``path``, those still empty only
        (another thread may be making a member there meanwhile)."""
        if not isinstance(self.store, LocalStore):
            return
        top = self.key(path)
        where = self.key(member).rpartition("/")[0]
        while where and self.store.remove_if_empty(where) and where != top:
            where = where.rpartition("/")[0]


def check_writable(nodes, what):
    if nodes.read_only:
        raise ReadOnlyError("cannot %s: the group at %s is open read-only (mode 'r')"
                            % (what, nodes.describe("")))


def member_exists_error(kind, path):
    error = ContainsGroupError if kind == "group" else ContainsArrayError
    return error(errno.EEXIST, "a member was made meanwhile at", "/" + path)
