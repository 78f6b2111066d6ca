"""Arrays in directories: chunk keys, chunk files, metadata files and locks."""

import contextlib
import fcntl
import os

from zarr.ext import PARTIAL_SUFFIX, read_file, write_file_atomic

ARRAY_META = ".zarray"
ATTRS = ".zattrs"
GROUP_META = ".zgroup"


def directory_kind(path):
    """What the directory ``path`` holds in the Zarr v2 format: 'array'
    (``.zarray``), 'group' (``.zgroup``) or None."""
    if os.path.isfile(os.path.join(path, ARRAY_META)):
        return "array"
    if os.path.isfile(os.path.join(path, GROUP_META)):
        return "group"
    return None


def chunk_key(key, separator="."):
    """The name of a chunk's file: grid indices joined by the separator ("0" for 0-d).

    Examples
    --------
    >>> chunk_key((2, 0)), chunk_key((2, 0), "/"), chunk_key(())
    ('2.0', '2/0', '0')
    """
    return separator.join(map(str, key)) if key else "0"


def _parse_index(name):
    if not name.isdigit() or (len(name) > 1 and name[0] == "0"):
        return None
    return int(name)


def iter_chunk_files(root, ndim, separator="."):
    """Yield (grid index, size in bytes) for each chunk file under ``root``.

    Only names that are chunk keys count: hidden files, temporary files of
    interrupted writes (``*.partial``) and anything else are ignored. Files
    are found with ``os.scandir`` and nothing else is opened.
    """
    if separator == "/" and ndim > 1:
        yield from _iter_nested(root, ndim, ())
        return
    try:
        entries = os.scandir(root)
    except FileNotFoundError:
        return
    with entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.endswith(PARTIAL_SUFFIX):
                continue
            parts = name.split(".") if ndim else [name]
            if len(parts) != max(ndim, 1):
                continue
            key = tuple(_parse_index(p) for p in parts)
            if None in key or (ndim == 0 and key != (0,)):
                continue
            try:
                if entry.is_file():
                    yield (key if ndim else ()), entry.stat().st_size
            except FileNotFoundError:
                continue


def _iter_nested(directory, ndim, prefix):
    try:
        entries = os.scandir(directory)
    except FileNotFoundError:
        return
    with entries:
        for entry in entries:
            index = _parse_index(entry.name)
            if index is None:
                continue
            key = prefix + (index,)
            try:
                if len(key) < ndim and entry.is_dir():
                    yield from _iter_nested(entry.path, ndim, key)
                elif len(key) == ndim and entry.is_file():
                    yield key, entry.stat().st_size
            except FileNotFoundError:
                continue


def read_text(path):
    data = read_file(path)
    return None if data is None else data.decode("utf-8", "replace")


def write_text_atomic(path, text, fsync=False):
    write_file_atomic(path, text.encode("utf-8"), fsync)


def remove_empty_dirs(root):
    """Remove the empty subdirectories under root (left by nested chunk keys)."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        if dirpath != root and not dirnames and not filenames:
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


class ProcessSynchronizer:
    """File locks that serialise chunk writes across processes.

    Each chunk has a lock file ``<path>/<key>.lock``, taken with ``fcntl``
    across each read-modify-write of that chunk; appends and resizes take
    ``<path>/.zarray.lock`` while they re-read and rewrite the metadata. The
    directory is kept beside the array, not inside it.

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

    def __init__(self, path):
        self.path = os.fspath(path)

    def chunk_lock_path(self, key):
        return os.path.join(self.path, key.replace("/", ".") + ".lock")

    @contextlib.contextmanager
    def array_lock(self):
        os.makedirs(self.path, exist_ok=True)
        with open(os.path.join(self.path, ".zarray.lock"), "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            yield

    def __repr__(self):
        return "ProcessSynchronizer(%r)" % self.path

    def __reduce__(self):
        return ProcessSynchronizer, (self.path,)
