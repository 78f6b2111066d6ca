"""Snapshots of directory trees, for tests that check what a call wrote or left."""

import os

METADATA = {".zarray", ".zgroup", ".zattrs"}


def snapshot(path):
    """Every file and directory under path (hidden ones included): relative name ->
    (bytes, mtime) for a file, "dir" for a directory."""
    result = {}
    for root, dirs, names in os.walk(path):
        for d in dirs:
            result[os.path.relpath(os.path.join(root, d), path)] = "dir"
        for n in names:
            full = os.path.join(root, n)
            with open(full, "rb") as f:
                result[os.path.relpath(full, path)] = (f.read(), os.stat(full).st_mtime_ns)
    return result


def hidden_leftovers(path):
    """Paths under path whose names begin with '.' and are not metadata files."""
    out = []
    for root, dirs, names in os.walk(path):
        out.extend(os.path.join(root, n) for n in dirs + names
                   if n.startswith(".") and n not in METADATA)
    return out


def iter_chunk_files(path, ndim, separator="."):
    """(grid index, size) of the chunk files of the array in directory ``path``."""
    from zarr.storage import LocalStore
    from zarr.storage.keys import iter_chunk_keys
    return iter_chunk_keys(LocalStore(path), "", ndim, separator)
