"""Groups: named arrays and groups kept together, in memory or in directories."""

import errno
import os

import numpy as np

from zarr.api3_nodes import API3_KEYWORDS, GroupAPI3
from zarr.core import Summary
from zarr.creation import _fixed_fill, _is_array_like, _like, copy_into
from zarr.errors import ContainsArrayError, ContainsGroupError, MetadataError
from zarr.nodes import GROUP_NEW, Nodes, check_writable
from zarr.objects import object_options
from zarr.names import join_path, node_path, split_name
from zarr.meta3 import read_node_document
from zarr.parallel import check_threads
from zarr.persistent import MODES, clear_node
from zarr.storage import (GROUP_META, V3_META, LocalStore, MemoryStore, as_store, describe_node,
                          join_key, node_format, normalize_prefix)
from zarr.util import normalize_shape


class Group(GroupAPI3):
    """A group of arrays and groups, each under a name, with attributes.

    Members are reached by name or by path (``g['a/b/x']``); creating a
    member by path makes the groups on the way. In a directory a group is a
    directory of the Zarr v2 format (``.zgroup``, ``.zattrs``) and its
    members are subdirectories. Make one with :func:`zarr.group` or
    :func:`zarr.open_group`.

    Examples
    --------
    >>> import zarr
    >>> g = zarr.group()
    >>> x = g.zeros("data/x", shape=(100, 10), chunks=(10, 10), dtype="i4")
    >>> g.attrs["title"] = "an example"
    >>> print(g.tree())
    /
     └── data
         └── x (100, 10) int32
    >>> sorted(g["data"])
    ['x']
    """

    def __init__(self, nodes, path=""):
        self._nodes = nodes
        self._path = path

    # What the group is.

    @property
    def name(self):
        """The group's path in its store, ``'/'`` for the top (as zarr-python's)."""
        return "/" + self._nodes.key(self._path)

    @property
    def basename(self):
        return self._path.rpartition("/")[2]

    @property
    def path(self):
        """The group's directory in a directory store, else None."""
        return self._nodes.directory(self._path)

    @property
    def store(self):
        """The store the group is in (:mod:`zarr.storage`)."""
        return self._nodes.store

    @property
    def key_prefix(self):
        """Where in its store the group is: '' at the top, else its path."""
        return self._nodes.key(self._path)

    @property
    def read_only(self):
        return self._nodes.read_only

    @property
    def attrs(self):
        """The group's user attributes (:class:`zarr.attrs.Attributes`)."""
        return self._nodes.attributes(self._path)

    def __repr__(self):
        where = "" if self.path is None else ", path=%r" % self.path
        return "zarr.Group(%r, members=%d%s)" % (self.name, len(self), where)

    def __eq__(self, other):
        return (isinstance(other, Group) and other._nodes is self._nodes
                and other._path == self._path)

    def __hash__(self):
        return hash((id(self._nodes), self._path))

    # Members.

    def _full(self, name):
        parts = split_name(name)
        if self._nodes.zarr_format == 3 and V3_META in parts:
            raise ValueError("bad name %r: %r is the metadata of a Zarr v3 node" % (name, V3_META))
        return join_path(self._path, *parts)

    def __getitem__(self, name):
        full = self._full(name)
        kind = self._nodes.kind(full)
        if kind == "array":
            return self._nodes.open_array(full)
        if kind == "group":
            return Group(self._nodes, full)
        raise KeyError(name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name):
        try:
            full = self._full(name)
        except (TypeError, ValueError):
            return False
        return self._nodes.kind(full) is not None

    def __iter__(self):
        return iter(self._nodes.members(self._path))

    def __len__(self):
        return len(self._nodes.members(self._path))

    def keys(self):
        """The names of the members, sorted."""
        return list(self)

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]

    def _members_of_kind(self, kind):
        for name in self:
            if self._nodes.kind(join_path(self._path, name)) == kind:
                yield name

    def array_keys(self):
        """The names of the member arrays, sorted."""
        return list(self._members_of_kind("array"))

    def group_keys(self):
        """The names of the member groups, sorted."""
        return list(self._members_of_kind("group"))

    def arrays(self):
        """Yield (name, array) for each member array."""
        for name in self._members_of_kind("array"):
            yield name, self[name]

    def groups(self):
        """Yield (name, group) for each member group."""
        for name in self._members_of_kind("group"):
            yield name, self[name]

    def visititems(self, func):
        """Call ``func(path, member)`` for every member below the group, depth first,
        paths relative to the group; stop at and return the first value that is not None."""
        def visit(group, prefix):
            for name, member in group.items():
                path = join_path(prefix, name)
                result = func(path, member)
                if result is not None:
                    return result
                if isinstance(member, Group):
                    result = visit(member, path)
                    if result is not None:
                        return result
            return None
        return visit(self, "")

    def visit(self, func):
        """Call ``func(path)`` for every member below the group, as :meth:`visititems`."""
        return self.visititems(lambda path, member: func(path))

    # Making groups.

    def _check_parents(self, full):
        """Raise if a member on the way to ``full`` is an array; nothing is written."""
        parts = full.split("/")
        for i in range(len(self._path.split("/")) if self._path else 0, len(parts) - 1):
            prefix = "/".join(parts[:i + 1])
            kind = self._nodes.kind(prefix)
            if kind == "array":
                raise ContainsArrayError(errno.EEXIST, "%r is an array and cannot hold members:"
                                         % ("/" + prefix), "/" + full)
            if kind is None:
                return

    def _make_parents(self, full):
        parts = full.split("/")
        for i in range(len(parts) - 1):
            prefix = "/".join(parts[:i + 1])
            if self._nodes.kind(prefix) is None:
                self._nodes.make_group(prefix)

    def _check_free(self, full, overwrite):
        kind = self._nodes.kind(full)
        if kind is not None and not overwrite:
            error = ContainsArrayError if kind == "array" else ContainsGroupError
            raise error(errno.EEXIST, "a%s %s is already at" % ("n" if kind == "array" else "",
                                                                 kind), "/" + full)
        return kind

    def create_group(self, name, overwrite=False):
        """Make a member group (and the groups on the way to it).

        Raises :class:`zarr.ContainsGroupError` or
        :class:`zarr.ContainsArrayError` if a member is already at ``name``,
        unless ``overwrite`` (which removes it).

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> g.create_group("a/b").name
        '/a/b'
        """
        check_writable(self._nodes, "create a group")
        full = self._full(name)
        kind = self._check_free(full, overwrite)
        self._check_parents(full)
        if kind is not None:
            self._nodes.remove(full)
        self._make_parents(full)
        self._nodes.make_group(full)
        return Group(self._nodes, full)

    def require_group(self, name):
        """The member group at ``name``, made if missing (with the groups on the way).

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> g.require_group("a") == g.require_group("a")
        True
        """
        full = self._full(name)
        kind = self._nodes.kind(full)
        if kind == "group":
            return Group(self._nodes, full)
        if kind == "array":
            raise ContainsArrayError(errno.EEXIST, "an array, not a group, is at", "/" + full)
        return self.create_group(name)

    def require_groups(self, *names):
        for name in names:
            self._full(name)  # every name checked before any group is made
        return tuple(self.require_group(name) for name in names)

    # Making arrays.

    def create(self, name, shape, dtype=None, chunks=None, overwrite=False, **kwargs):
        """Make a member array with nothing written; options as :func:`zarr.create`
        (in memory) or :func:`zarr.open` (in a directory).

        Raises :class:`zarr.ContainsArrayError` or
        :class:`zarr.ContainsGroupError` if a member is already at ``name``,
        unless ``overwrite``. Bad options raise before anything is written.

        Examples
        --------
        >>> import zarr
        >>> zarr.group().create("x", shape=(10, 10), chunks=5, dtype="u1").nchunks
        4
        """
        if API3_KEYWORDS.intersection(kwargs):  # zarr-python 3's call
            return self.create_array(name, shape=shape, dtype=dtype, overwrite=overwrite,
                                     **dict(kwargs, chunks="auto" if chunks is None else chunks))
        return self._create(name, overwrite, dict(kwargs, shape=shape, dtype=dtype,
                                                  chunks=chunks))

    def _create(self, name, overwrite, kwargs, data=None, settings=None):
        check_writable(self._nodes, "create an array")
        full = self._full(name)
        self._check_free(full, overwrite)
        self._check_parents(full)
        new_parent = self._first_missing_parent(full)
        z = None
        try:
            z = self._nodes.create_array(full, overwrite, kwargs)
            z._apply_settings(settings)  # before the data: write_empty_chunks
            if data is not None:
                copy_into(z, data)
            self._make_parents(full)
            added = self._nodes.add_array(full, z, overwrite)
            added._apply_settings(settings)
            return added
        except BaseException:
            if z is not None:
                self._nodes.discard_array(full, z)
            if new_parent is not None:
                self._nodes.remove_if_empty_new(new_parent, full)
            raise

    def _first_missing_parent(self, full):
        parts = full.split("/")
        for i in range(len(parts) - 1):
            prefix = "/".join(parts[:i + 1])
            if not self._nodes.exists(prefix):
                return prefix
        return None

    def empty(self, name, shape, dtype=None, **kwargs):
        """A member array that reads as its fill value; see :meth:`create`."""
        return self.create(name, shape, dtype=dtype, **kwargs)

    def zeros(self, name, shape, dtype=None, **kwargs):
        """A member array of zeros; see :meth:`create`."""
        kwargs["fill_value"] = _fixed_fill(kwargs, None)
        return self.create(name, shape, dtype=dtype, **kwargs)

    def ones(self, name, shape, dtype=None, **kwargs):
        """A member array of ones; see :meth:`create`."""
        kwargs["fill_value"] = _fixed_fill(kwargs, 1)
        return self.create(name, shape, dtype=dtype, **kwargs)

    def full(self, name, shape, fill_value, dtype=None, **kwargs):
        """A member array holding ``fill_value`` everywhere; see :meth:`create`."""
        if dtype is None:
            dtype = np.asarray(fill_value).dtype
        return self.create(name, shape, dtype=dtype, fill_value=fill_value, **kwargs)

    def array(self, name, data, dtype=None, chunks=None, overwrite=False, **kwargs):
        """A member array holding a copy of ``data``, as :func:`zarr.array`.

        ``data`` is converted before anything is written; if copying it fails
        the new array is removed.

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> g.array("y", np.arange(5), chunks=2)[...].tolist()
        [0, 1, 2, 3, 4]
        """
        if not _is_array_like(data):
            data = np.asarray(data, dtype=dtype)
        if chunks is None:
            source = getattr(data, "chunks", None)
            if isinstance(source, tuple) and len(source) == len(data.shape):
                chunks = source
        dtype = data.dtype if dtype is None else dtype
        kwargs = dict(kwargs, shape=data.shape, dtype=dtype, chunks=chunks,
                      object_codec=object_options(dtype, kwargs.get("object_codec"), data=data)[1])
        return self._create(name, overwrite, kwargs, data=data)

    def _like(self, a, kwargs):
        like = _like(a, kwargs)
        if "synchronized" not in kwargs:
            like.pop("synchronized", None)
        return like

    def empty_like(self, name, a, **kwargs):
        """A member array like ``a`` (shape, dtype, chunks, compression), nothing written."""
        return self._create(name, kwargs.pop("overwrite", False), self._like(a, kwargs))

    def zeros_like(self, name, a, **kwargs):
        kwargs["fill_value"] = _fixed_fill(kwargs, None)
        return self.empty_like(name, a, **kwargs)

    def ones_like(self, name, a, **kwargs):
        kwargs["fill_value"] = _fixed_fill(kwargs, 1)
        return self.empty_like(name, a, **kwargs)

    def full_like(self, name, a, fill_value, **kwargs):
        kwargs["fill_value"] = fill_value
        return self.empty_like(name, a, **kwargs)

    def require_array(self, name, shape, dtype=None, exact=False, **kwargs):
        """The member array at ``name``, made with :meth:`create` if missing.

        An existing array must have ``shape``, and a dtype that ``dtype``
        casts to safely (equal to it when ``exact``): TypeError otherwise.

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> a = g.require_array("x", shape=10, dtype="i4")
        >>> g.require_array("x", shape=10, dtype="i2").dtype
        dtype('int32')
        """
        full = self._full(name)
        kind = self._nodes.kind(full)
        if kind == "group":
            raise ContainsGroupError(errno.EEXIST, "a group, not an array, is at", "/" + full)
        if kind is None:
            return self.create(name, shape, dtype=dtype, **kwargs)
        z = self._nodes.open_array(full)
        if normalize_shape(shape) != z.shape:
            raise TypeError("the array at %s has shape %s, not %s"
                            % ("/" + full, z.shape, normalize_shape(shape)))
        if dtype is not None:
            dtype = np.dtype(dtype)
            if (dtype != z.dtype) if exact else not np.can_cast(dtype, z.dtype):
                raise TypeError("the array at %s has dtype %s, not %s%s"
                                % ("/" + full, z.dtype, "" if exact else "one %s casts to: "
                                   % dtype, dtype))
        return z

    # h5py's names for the same.

    def create_dataset(self, name, shape=None, dtype=None, data=None, **kwargs):
        """:meth:`array` when ``data`` is given, else :meth:`create` (h5py's name)."""
        if data is not None:
            if shape is not None and normalize_shape(shape) != np.shape(data):
                raise ValueError("shape %s does not match the data's shape %s"
                                 % (normalize_shape(shape), np.shape(data)))
            return self.array(name, data, dtype=dtype, **kwargs)
        return self.create(name, shape, dtype=dtype, **kwargs)

    def require_dataset(self, name, shape, dtype=None, exact=False, **kwargs):
        """:meth:`require_array` (h5py's name)."""
        return self.require_array(name, shape, dtype=dtype, exact=exact, **kwargs)

    def __setitem__(self, name, data):
        self.array(name, data, overwrite=True)

    # Removing and moving.

    def __delitem__(self, name):
        check_writable(self._nodes, "remove a member")
        full = self._full(name)
        if self._nodes.kind(full) is None:
            raise KeyError(name)
        self._nodes.remove(full)

    def move(self, source, dest):
        """Rename the member at ``source`` to ``dest`` (both relative to this group),
        making the groups on the way to ``dest``.

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> _ = g.zeros("a", shape=3)
        >>> g.move("a", "b/c")
        >>> "a" in g, "b/c" in g
        (False, True)
        """
        check_writable(self._nodes, "move a member")
        full_source, full_dest = self._full(source), self._full(dest)
        if self._nodes.kind(full_source) is None:
            raise KeyError(source)
        self._check_free(full_dest, False)
        if full_dest.startswith(full_source + "/"):
            raise ValueError("cannot move %r into itself (%r)" % (source, dest))
        self._check_parents(full_dest)
        self._make_parents(full_dest)
        self._nodes.move(full_source, full_dest)

    # A view of the whole.

    def tree(self, level=None):
        """An indented text view of the members below the group, with each array's
        shape and dtype, down to ``level`` levels (all by default).

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> _ = g.zeros("a/x", shape=(2, 3), dtype="f4")
        >>> _ = g.create_group("b")
        >>> print(g.tree())
        /
         ├── a
         │   └── x (2, 3) float32
         └── b
        """
        lines = ["/" if not self._path else self.basename]

        def walk(group, indent, depth):
            if level is not None and depth >= level:
                return
            names = list(group)
            for i, name in enumerate(names):
                last = i == len(names) - 1
                member = group[name]
                branch = " └── " if last else " ├── "
                if isinstance(member, Group):
                    lines.append(indent + branch + name)
                    walk(member, indent + ("    " if last else " │  "), depth + 1)
                else:
                    lines.append("%s%s%s %s %s" % (indent, branch, name, member.shape,
                                                   member.dtype))
        walk(self, "", 0)
        return Summary("\n".join(lines))


def group(store=None, overwrite=False, synchronized=True, threads=None, **kwargs):
    """A new group: in memory, or the root group of a store (a directory for a path).

    With ``store``, the same as :func:`open_group` in mode 'a' (mode 'w' with
    ``overwrite``), keyword arguments as it takes them.

    Examples
    --------
    >>> import zarr
    >>> g = zarr.group()
    >>> g.create_group("a").create_group("b").name
    '/a/b'
    """
    if store is None:
        zarr_format = kwargs.pop("zarr_format", None) or 2
        if kwargs:
            raise TypeError("options of groups in stores given without a store: %s"
                            % ", ".join(sorted(kwargs)))
        if zarr_format not in (2, 3):
            raise ValueError("zarr_format must be 2 or 3, not %r" % (zarr_format,))
        store = MemoryStore()
        name, text = GROUP_NEW[zarr_format]
        store.set(name, text.encode())
        return Group(Nodes(store, "a", "", synchronized, False, False, check_threads(threads),
                           zarr_format))
    return open_group(store, mode="w" if overwrite else "a", synchronized=synchronized,
                      threads=threads, **kwargs)


def open_group(store, mode="a", synchronized=True, lazy=False, fsync=False, process_sync=False,
               threads=None, path=None, zarr_format=None, storage_options=None):
    """Open or create a group in a store (a directory for a path).

    Parameters
    ----------
    store : str, path-like, store or MutableMapping
        The group's directory, or a store (:mod:`zarr.storage`).
    mode : {'r', 'r+', 'a', 'w', 'w-'}
        As :func:`zarr.open`: 'r' read only, 'r+' read and write an existing
        group; 'a' (the default) opens or creates; 'w' creates, replacing
        what was there (refusing a directory that is not an array or a
        group); 'w-' creates and fails if something is there.
    synchronized, lazy, fsync, process_sync, threads
        How the group opens its arrays, as :func:`zarr.open` takes them.
        With ``process_sync``, changes to the attributes of the group and
        of its member groups also hold a file lock (in ``<dir>.sync``
        beside each), so that processes updating them lose nothing.
    path : str, optional
        Where in the store the group is (its top by default).
    zarr_format : {None, 2, 3}
        The format of a new group: 2 (the default; ``.zgroup``) or 3
        (``zarr.json``), which its members take too. An existing group opens
        in its own format; a value given that is not it raises
        :class:`zarr.ContainsGroupError` naming the format found.
    storage_options : dict, optional
        For a URL (``s3://bucket/a.zarr``): the options of its fsspec
        filesystem (:meth:`zarr.storage.FsspecStore.from_url`).

    Examples
    --------
    >>> import tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> g = zarr.open_group(path, mode="w")
    >>> g.zeros("x", shape=(4, 4), chunks=2, dtype="i4")[...].sum()
    np.int64(0)
    >>> zarr.open(path, mode="r")["x"].shape
    (4, 4)
    """
    if storage_options:
        store = as_store(store, read_only=mode == "r", mode=mode, storage_options=storage_options)
    return open_group_at(store, node_path(path), mode, synchronized, lazy, fsync, process_sync,
                         threads, zarr_format)


def open_group_at(store, path, mode="a", synchronized=True, lazy=False, fsync=False,
                  process_sync=False, threads=None, zarr_format=None):
    """:func:`open_group` at a path of the store that may be hidden (a group
    built aside under ``.name.creating...``): for the package's own use."""
    if mode not in MODES:
        raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))
    threads = check_threads(threads)
    store = as_store(store, fsync=fsync, mode=mode)
    path = normalize_prefix(path)
    where = describe_node(store, path)
    if zarr_format not in (None, 2, 3):
        raise ValueError("zarr_format must be 2 or 3, not %r" % (zarr_format,))
    kind, found = node_format(store, path)
    if found == 3 and kind is None:
        raise MetadataError("%s: a zarr.json that is not the metadata of a Zarr v3 array or "
                            "group" % describe_node(store, join_key(path, V3_META)))
    if kind == "array" and mode != "w":
        raise ContainsArrayError(errno.EEXIST, "an array (Zarr v%d), not a group, is at"
                                 % found, where)
    if kind == "group" and mode != "w" and zarr_format not in (None, found):
        raise ContainsGroupError(errno.EEXIST, "a Zarr v%d group, not v%d (zarr_format=%d), "
                                 "is at" % (found, zarr_format, zarr_format), where)
    if mode in ("r", "r+") and kind is None:
        raise FileNotFoundError(errno.ENOENT, "no group (no %s nor %s) at"
                                % (GROUP_META, V3_META), where)
    if mode == "w-" and kind is not None:
        raise ContainsGroupError(errno.EEXIST, "a group (Zarr v%d) is already at" % found,
                                 where)
    if kind == "group" and found == 3 and mode != "w":
        read_node_document(store.get(join_key(path, V3_META)),
                           describe_node(store, join_key(path, V3_META)))
    if mode == "w" or kind is None:
        if isinstance(store, LocalStore):
            directory = store.directory(path)
            if os.path.lexists(directory) and not os.path.isdir(directory):
                raise FileExistsError(errno.EEXIST, "a file is in the way", directory)
        if mode == "w":
            clear_node(store, path)
        found = zarr_format or 2
        name, text = GROUP_NEW[found]
        store.set(join_key(path, name), text.encode())
    nodes = Nodes(store, mode, path, synchronized=synchronized, lazy=lazy,
                  process_sync=process_sync, threads=threads, zarr_format=found)
    return Group(nodes)

