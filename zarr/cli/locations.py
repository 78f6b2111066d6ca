"""What a command-line PATH names, and opening it.

A PATH is a directory (an array or group; a directory whose arrays keep
their chunks in HDF5 containers opens as a :class:`zarr.storage.ShardedStore`),
a zip archive (``data.zip``), an HDF5 file (``data.h5``, through h5py), a
``.npy`` file, or a URL (``s3://bucket/a.zarr``). A path that goes on past
an archive or an HDF5 file names a node inside it: ``data.zip/group/a``.
"""

import os

from zarr.errors import MetadataError
from zarr.storage import LocalStore, ZipStore, as_store, is_url, node_format
from zarr.storage.sharded import CONTAINER_SUFFIX, ShardedStore, _is_coordinate

#: How many directory entries the look for shard containers reads, at most.
SCAN_BUDGET = 4096

ZIP_SUFFIXES = (".zip",)
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf", ".he5")
NPY_SUFFIXES = (".npy",)


class UsageError(Exception):
    """Bad usage: the command exits with status 2."""


class Problem(Exception):
    """A problem with the data or the paths given: the command exits with status 1."""


def file_kind(path):
    """'zip', 'hdf5', 'npy' or None, from a file's name (and an HDF5 file's signature)."""
    lower = path.lower()
    if lower.endswith(ZIP_SUFFIXES):
        return "zip"
    if lower.endswith(NPY_SUFFIXES):
        return "npy"
    if lower.endswith(HDF5_SUFFIXES):
        return "hdf5"
    if os.path.isfile(path):
        try:
            with open(path, "rb") as f:
                if f.read(8) == b"\x89HDF\r\n\x1a\n":
                    return "hdf5"
        except OSError:
            pass
    return None


class Location:
    """A PATH split into the thing it names and the node inside it.

    ``kind`` is 'directory', 'zip', 'hdf5', 'npy' or 'url'; ``file`` the
    directory, file or URL; ``inner`` the node's path inside it ('' for its top).
    """

    def __init__(self, text, kind, file, inner=""):
        self.text, self.kind, self.file, self.inner = text, kind, file, inner.strip("/")

    def __repr__(self):
        return "Location(%r, %r, %r, %r)" % (self.text, self.kind, self.file, self.inner)

    @property
    def exists(self):
        if self.kind == "url":
            return True
        return os.path.lexists(self.file)


def parse(text):
    """The :class:`Location` of ``text``, whether it exists or not.

    Examples
    --------
    >>> parse("s3://bucket/a.zarr").kind
    'url'
    >>> parse("/nowhere/data.zip/g/a")
    Location('/nowhere/data.zip/g/a', 'zip', '/nowhere/data.zip', 'g/a')
    """
    if not text:
        raise UsageError("an empty path")
    if is_url(text):
        return Location(text, "url", text)
    path = os.path.normpath(text)
    parts = path.split(os.sep)
    i = 1
    for i in range(1, len(parts) + 1):
        head = os.sep.join(parts[:i]) or os.sep
        rest = "/".join(parts[i:])
        if os.path.isdir(head):
            continue
        if os.path.lexists(head):
            kind = file_kind(head)
            if kind is None:
                if rest:
                    raise Problem("%s: a file that is neither a zip archive nor an HDF5 "
                                  "file cannot hold %r" % (head, rest))
                return Location(text, "file", head)
            return Location(text, kind, head, rest)
        break
    else:
        return Location(text, "directory", path)
    for j in range(i, len(parts) + 1):  # nothing is there from parts[i - 1] on
        head = os.sep.join(parts[:j])
        kind = file_kind(head)
        if kind is not None:
            return Location(text, kind, head, "/".join(parts[j:]))
    return Location(text, "directory", path)


def has_containers(root, budget=SCAN_BUDGET):
    """Whether the directory ``root`` holds shard containers (``<n>.h5``
    among chunk directories), from a look at no more than ``budget`` entries:
    of each level of chunk directories, only the first is entered."""
    pending = [root]
    seen = 0
    while pending and seen < budget:
        top = pending.pop()
        try:
            with os.scandir(top) as entries:
                first_coordinate = None
                for entry in entries:
                    seen += 1
                    name = entry.name
                    if name.endswith(CONTAINER_SUFFIX) and _is_coordinate(
                            name[:-len(CONTAINER_SUFFIX)]) and entry.is_file(follow_symlinks=False):
                        return True
                    if entry.is_dir(follow_symlinks=False):
                        if _is_coordinate(name):
                            if first_coordinate is None:
                                first_coordinate = entry.path
                        elif not name.startswith("."):
                            pending.append(entry.path)
                    if seen >= budget:
                        break
                if first_coordinate is not None:
                    pending.append(first_coordinate)
        except OSError:
            continue
    return False


def open_store(loc, read_only=True, storage_options=None):
    """The store of a Zarr location (a directory, a zip archive, a URL)."""
    if loc.kind == "url":
        return as_store(loc.file, read_only=read_only, storage_options=storage_options or None)
    if storage_options:
        raise UsageError("--storage-options are for URLs (s3://...), not for %s" % loc.file)
    if loc.kind == "zip":
        return ZipStore(loc.file, "r" if read_only else "a")
    if loc.kind == "directory":
        if os.path.isdir(loc.file) and has_containers(loc.file):
            return ShardedStore(loc.file, read_only=read_only)
        return LocalStore(loc.file, read_only=read_only)
    what = {"hdf5": "an HDF5 file", "npy": "a .npy file"}.get(loc.kind, "a file")
    raise Problem("%s is %s, not a Zarr array or group" % (loc.file, what))


def must_exist(loc):
    if not loc.exists:
        raise Problem("%s: no such file or directory" % loc.file)


def open_node(loc, storage_options=None, read_only=True):
    """The array or group at a Zarr location, opened read only: (node, store)."""
    import zarr
    from zarr.hierarchy import open_group_at

    must_exist(loc)
    store = open_store(loc, read_only, storage_options)
    kind, _ = node_format(store, loc.inner)
    mode = "r" if read_only else "r+"
    if kind == "array":
        return zarr.open(store, mode=mode, path=loc.inner), store
    if kind == "group":
        return open_group_at(store, loc.inner, mode=mode), store
    where = loc.text
    raise Problem("%s: no Zarr array or group there (no .zarray, .zgroup or zarr.json)" % where)


def describe_error(error):
    """A one-line message for an exception met while reading."""
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return "%s: %s" % (error.filename, error.strerror)
    if isinstance(error, MetadataError):
        return str(error)
    text = str(error) or type(error).__name__
    return text if isinstance(error, (OSError, ValueError)) else "%s: %s" % (
        type(error).__name__, text)


__all__ = ["Location", "parse", "open_store", "open_node", "UsageError", "Problem",
           "has_containers", "describe_error"]
