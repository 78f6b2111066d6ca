"""A store whose metadata is fixed: the keys of another store, but the
metadata of one hierarchy answered from consolidated metadata in memory."""

import json

from zarr.errors import ReadOnlyError
from zarr.storage.base import Store, join_key, normalize_key, normalize_prefix
from zarr.storage.keys import ARRAY_META, ATTRS, CONSOLIDATED_META, GROUP_META, V3_META
from zarr.storage.wrapper import WrapperStore

#: The names of the metadata keys of a node (Zarr v2's, and v3's, which a
#: consolidated v2 hierarchy never holds).
METADATA_NAMES = frozenset((ARRAY_META, GROUP_META, ATTRS, V3_META))


def _is_metadata(key):
    return key.rpartition("/")[2] in METADATA_NAMES


class ConsolidatedStore(WrapperStore):
    """``store`` with the metadata of the hierarchy at ``root`` taken from
    ``metadata``, a dict from keys relative to ``root`` (``'.zgroup'``,
    ``'a/x/.zarray'``) to their bytes.

    Every metadata key under ``root`` (a name of :data:`METADATA_NAMES`) is
    answered from ``metadata`` alone: one that it lacks is missing, whatever
    ``store`` holds. Listing a group of the hierarchy answers from it too;
    every other key (chunks, keys outside ``root``) is the inner store's. So a
    hierarchy opened over it reads no metadata from ``store``.

    Writes follow ``writable``: False refuses every change; True lets chunks
    be written and deleted, and refuses, with :class:`zarr.ReadOnlyError`
    and before anything is changed, every change of metadata under ``root``:
    ``set`` or ``delete`` of a metadata key, ``delete_prefix`` or ``rename``
    of a prefix holding one. This is what :func:`zarr.open_consolidated`
    opens a hierarchy over.

    Parameters
    ----------
    store : zarr.storage.Store
    metadata : dict of str to bytes
    root : str
        Where the hierarchy is in ``store``.
    writable : bool
        Whether chunks may be written.

    Examples
    --------
    >>> from zarr.storage import MemoryStore
    >>> inner = MemoryStore({".zgroup": b"{}", "x/0": b"abc"})
    >>> store = ConsolidatedStore(inner, {".zgroup": b'{"zarr_format": 2}'}, writable=True)
    >>> store[".zgroup"], store["x/0"]
    (b'{"zarr_format": 2}', b'abc')
    >>> store["x/1"] = b"def"
    >>> store[".zattrs"] = b"{}"
    Traceback (most recent call last):
    ...
    zarr.errors.ReadOnlyError: cannot change '.zattrs': the metadata of the hierarchy at '' in ...
    """

    def __init__(self, store, metadata, root="", writable=False):
        if not isinstance(store, Store):
            raise TypeError("a ConsolidatedStore wraps a store, not %s" % type(store).__name__)
        WrapperStore.__init__(self, store)
        self.root = normalize_prefix(root)
        self.writable = bool(writable)
        self._values = {}
        self._children = {"": set()}  # relative prefix -> the names directly under it
        for key, value in metadata.items():
            key = normalize_key(key)
            if not isinstance(value, bytes):
                raise TypeError("the metadata of %r is %s, not bytes" % (key, type(value).__name__))
            self._values[key] = value
            parts = key.split("/")
            for i in range(len(parts)):
                self._children.setdefault("/".join(parts[:i]), set()).add(parts[i])

    # Where a key is: its path relative to the root, or None outside it.

    def _relative(self, key):
        if not self.root:
            return key
        if key == self.root:
            return ""
        if key.startswith(self.root + "/"):
            return key[len(self.root) + 1:]
        return None

    def _fixed(self, key):
        """The key relative to the root when it is a metadata key answered here, else None."""
        if not _is_metadata(key):
            return None
        return self._relative(key)

    def _covers_metadata(self, prefix):
        """Whether a change under ``prefix`` would touch the consolidated metadata."""
        if not prefix or (self.root + "/").startswith(prefix + "/"):
            return True  # the root, or a prefix above it
        rel = self._relative(prefix)
        return rel is not None and rel in self._children

    def _is_group(self, rel):
        if join_key(rel, GROUP_META) in self._values:
            return True
        v3 = self._values.get(join_key(rel, V3_META))
        if v3 is None:
            return False
        try:
            return json.loads(v3).get("node_type") == "group"
        except (ValueError, AttributeError):
            return False

    # Reads.

    @property
    def read_only(self):
        return not self.writable or WrapperStore.read_only.fget(self)

    def _get(self, key):
        rel = self._fixed(key)
        if rel is None:
            return self.store.get(key)
        return self._values[rel]

    def get_ranges(self, key, ranges):
        if self._fixed(normalize_key(key)) is not None:
            return Store.get_ranges(self, key, ranges)
        return self.store.get_ranges(key, ranges)

    def getsize(self, key):
        rel = self._fixed(normalize_key(key))
        if rel is None:
            return self.store.getsize(key)
        return len(self._values[rel])

    def stamp(self, key):
        rel = self._fixed(normalize_key(key))
        if rel is None:
            return self.store.stamp(key)
        return self._values.get(rel)

    def list_dir(self, prefix=""):
        prefix = normalize_prefix(prefix)
        rel = self._relative(prefix)
        if rel is None:
            return self.store.list_dir(prefix)
        fixed = self._children.get(rel, set())
        if self._is_group(rel):
            return sorted(fixed)
        return sorted(fixed | {name for name in self.store.list_dir(prefix)
                               if name not in METADATA_NAMES})

    def _list(self, start):
        ours = [join_key(self.root, rel) for rel in self._values]
        return [key for key in self.store._list(start) if self._fixed(key) is None] + \
            [key for key in ours if key.startswith(start)]

    def contains_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        rel = self._relative(prefix)
        if rel is not None and self._children.get(rel):
            return True
        return self.store.contains_prefix(prefix)

    # What the inner store offers for chunks: their files, their sizes, its directories.

    def read_batch(self):
        return self.store.read_batch()

    def write_batch(self, threads=None):
        return self.store.write_batch(threads)

    @property
    def indirect_chunks(self):
        # A store whose chunks are not files of their own (shard containers)
        # must be read through get, never through file_path.
        return getattr(self.store, "indirect_chunks", False)

    @property
    def open_value(self):
        return self.store.open_value  # AttributeError when it has none

    @property
    def file_path(self):
        return self.store.file_path  # AttributeError when it has none

    @property
    def file_prefix(self):
        return self.store.file_prefix

    @property
    def directory(self):
        return self.store.directory

    @property
    def list_dir_sizes(self):
        inner = self.store.list_dir_sizes

        def list_dir_sizes(prefix=""):
            prefix = normalize_prefix(prefix)
            rel = self._relative(prefix)
            if rel is None:
                return inner(prefix)
            found = [] if self._is_group(rel) else \
                [(name, size) for name, size in inner(prefix) if name not in METADATA_NAMES]
            return found + [(name, len(self._values[join_key(rel, name)]))
                            for name in sorted(self._children.get(rel, ()))
                            if join_key(rel, name) in self._values]
        return list_dir_sizes

    # Writes.

    def _refusal(self, what):
        if not self.writable:
            return ReadOnlyError("cannot change %r: the hierarchy at %r in %r is open read-only "
                                 "(zarr.open_consolidated, mode 'r')" % (what, self.root, self.store))
        return ReadOnlyError(
            "cannot change %r: the metadata of the hierarchy at %r in %r is consolidated "
            "(zarr.open_consolidated, mode 'r+'): chunks may be written, but attributes, shapes "
            "and members may not change. Open it with zarr.open_group to change them, then "
            "run zarr.consolidate_metadata again" % (what, self.root, self.store))

    def _check_writable(self, key):
        if not self.writable or self._fixed(key) is not None:
            raise self._refusal(key)
        WrapperStore._check_writable(self, key)

    def set_if_absent(self, key, value):
        self._check_writable(normalize_key(key))
        return WrapperStore.set_if_absent(self, key, value)

    def delete_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        if not self.writable or self._covers_metadata(prefix):
            raise self._refusal(prefix)
        return self.store.delete_prefix(prefix)

    def rename(self, source, dest):
        source, dest = normalize_prefix(source), normalize_prefix(dest)
        for prefix in (source, dest):
            if not self.writable or self._covers_metadata(prefix):
                raise self._refusal(prefix)
        return self.store.rename(source, dest)

    def prune(self, prefix=""):
        if self.writable:
            self.store.prune(prefix)

    def sweep_partials(self, prefix="", budget=None, refuse_links=False):
        if not self.writable:
            return []
        return WrapperStore.sweep_partials(self, prefix, budget, refuse_links)

    # Naming.

    def describe_key(self, key):
        rel = self._fixed(key)
        if rel is None:
            return self.store.describe_key(key)
        # A v3 hierarchy's is in its group's zarr.json, a v2 one's in .zmetadata.
        where = V3_META if V3_META in self._values else CONSOLIDATED_META
        return "%r of the consolidated metadata in %s" % (
            rel, self.store.describe_key(join_key(self.root, where)))

    def __eq__(self, other):
        return (type(other) is type(self) and other.store is self.store
                and other.root == self.root and other._values is self._values
                and other.writable == self.writable)

    def __hash__(self):
        return hash((type(self), id(self.store), self.root))

    def __repr__(self):
        return "ConsolidatedStore(%r, root=%r%s)" % (self.store, self.root,
                                                     ", writable=True" if self.writable else "")
