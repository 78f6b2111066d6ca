"""A store over any fsspec filesystem: object storage (S3, GCS, Azure), HTTP,
memory, local files.

Each key is one object under the store's root path. A chunk write is one
whole-object upload (on S3 a single PUT, or a multipart upload completed in
one step: a reader sees the old object or the new one); a small read of a
chunk asks for byte ranges (``cat_ranges``), not the whole object; listings
ask the service afresh each time (no cached listing hides another writer's
objects).

Only a missing key reads as missing: a missing bucket, a refused request or
a timeout raises the filesystem's own exception class, with the URL and the
key in its message.
"""

import hashlib
import json
import os

from zarr.storage.base import Store, join_key, normalize_key, normalize_prefix
from zarr.storage.local import LocalStore
from zarr.storage.memory import MemoryStore, copied_from_live_process, this_process
from zarr.storage.partials import partial_writer

# The error codes of object stores that mean the container, not the key, is missing.
_MISSING_CONTAINER = ("NoSuchBucket", "ContainerNotFound", "BucketNotFound")


def _error_code(exc):
    """The service's error code behind ``exc`` (botocore's ``response``), if any."""
    seen = 0
    while exc is not None and seen < 8:
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            code = response.get("Error", {}).get("Code")
            if code:
                return code
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _container_missing(exc):
    if _error_code(exc) in _MISSING_CONTAINER:
        return True
    return "bucket does not exist" in str(exc).lower()


def _with_location(exc, where):
    """``exc`` again, of the same class where it can be made, naming ``where``."""
    message = "%s: %s" % (where, exc if str(exc) else type(exc).__name__)
    try:
        if isinstance(exc, OSError) and exc.errno is not None:
            new = type(exc)(exc.errno, message)
        else:
            new = type(exc)(message)
    except Exception:
        exc.add_note(where)
        return exc
    new.__cause__ = exc
    return new


class FsspecStore(Store):
    """The keys under ``path`` of the fsspec filesystem ``fs``.

    Parameters
    ----------
    fs : fsspec.AbstractFileSystem
        The filesystem (``s3fs.S3FileSystem(...)``, ``fsspec.filesystem('memory')``).
    path : str
        The root of the store in ``fs`` (``'bucket/data.zarr'``).
    read_only : bool
        Refuse writes.

    Notes
    -----
    - ``set`` is one whole-object upload; on a local filesystem it writes a
      temporary file and renames it over the key's.
    - ``get_ranges`` asks the filesystem for the ranges only; a small read of
      a blosc chunk costs two ranged requests (the header and block table,
      then the blocks), not the chunk.
    - ``list_sizes`` lists everything under a prefix in one listing (one
      request per 1000 keys on S3), which a lazy array's ``initialized``
      count uses.
    - A store over fsspec's ``memory`` filesystem holds bytes of this process
      only: pickled, it carries them, and unpickled in another process it is
      a :class:`MemoryStore` copy, which refuses writes while this process
      runs.

    Examples
    --------
    >>> import fsspec
    >>> store = FsspecStore(fsspec.filesystem("memory"), "/doc/fsspec-store")
    >>> store["a/0.0"] = b"abc"
    >>> store.get_ranges("a/0.0", [(1, 2)]), store.list()
    ([b'bc'], ['a/0.0'])
    >>> store.delete_prefix("")
    """

    supports_partial_reads = True
    #: Concurrent requests of a many-chunk read or write over a network filesystem.
    REMOTE_IO_THREADS = 16

    def __init__(self, fs, path="", read_only=False):
        if not hasattr(fs, "cat_file") or not hasattr(fs, "pipe_file"):
            raise TypeError("FsspecStore wraps an fsspec filesystem, not %s" % type(fs).__name__)
        if not isinstance(path, str):
            raise TypeError("the path of an FsspecStore is a string, not %r" % (path,))
        self.fs = fs
        self.path = fs._strip_protocol(path).rstrip("/") if path else ""
        self.read_only = bool(read_only)
        self._root_marker = getattr(fs, "root_marker", "") or ""
        protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
        self.process_local = "memory" in protocols
        self._local_files = "file" in protocols or "local" in protocols
        self.io_threads = 1 if self.process_local or self._local_files else \
            self.REMOTE_IO_THREADS
        # s3fs asks an object's size before a whole read (to split large ones): one
        # request more per chunk, which a single stream does without.
        self._whole = {"max_concurrency": 1} if "max_concurrency" in getattr(
            fs, "__dict__", {}) or hasattr(type(fs), "_cat_file_concurrent") else {}
        # Local files are written and removed as a directory store does (fsspec's
        # pipe_file writes in place: a reader could see part of a value).
        self._directory = LocalStore(self.path or self._root_marker or ".") \
            if self._local_files else None
        self._ident = None

    @classmethod
    def from_url(cls, url, storage_options=None, read_only=False):
        """The store at ``url`` (``'s3://bucket/a.zarr'``, ``'memory://x'``,
        ``'file:///data/a.zarr'``, a local path), with the filesystem's
        ``storage_options`` (``{'anon': True}``, ``{'client_kwargs':
        {'endpoint_url': ...}}``).

        Examples
        --------
        >>> FsspecStore.from_url("memory://doc/url")
        FsspecStore('memory:///doc/url')
        """
        try:
            from fsspec.core import url_to_fs
        except ImportError:
            raise ImportError("FsspecStore needs fsspec (pip install fsspec, and s3fs for "
                              "s3:// URLs)") from None
        if not isinstance(url, (str, os.PathLike)):
            raise TypeError("a URL is a string, not %r" % (url,))
        if storage_options is not None and not isinstance(storage_options, dict):
            raise TypeError("storage_options is a dict, not %r" % (storage_options,))
        fs, path = url_to_fs(os.fspath(url), **(storage_options or {}))
        return cls(fs, path, read_only=read_only)

    # Where things are.

    def _full(self, key):
        # At the root of a filesystem whose names begin with a root marker
        # (memory, local files: '/'), the names of keys begin with it too.
        return self.path + "/" + key if self.path else self._root_marker + key

    def url(self, key=""):
        """The URL of ``key`` (of the root for ``''``)."""
        full = self._full(key) if key else self.path
        return self.fs.unstrip_protocol(full)

    def _relative(self, name):
        name = self.fs._strip_protocol(name).rstrip("/")
        root = self.path + "/" if self.path else self._root_marker
        if not name.startswith(root):
            return None if self.path else name
        return name[len(root):]

    def _raise(self, exc, key):
        """The exception for a failure of the filesystem on ``key``: KeyError for a
        missing key, else the filesystem's, naming the URL."""
        if isinstance(exc, (FileNotFoundError, IsADirectoryError)) and not _container_missing(exc):
            raise KeyError(key) from None
        raise _with_location(exc, "%s (key %r)" % (self.url(key), key)) from None

    # The protocol.

    def _get(self, key):
        try:
            return self.fs.cat_file(self._full(key), **self._whole)
        except Exception as exc:
            self._raise(exc, key)

    def get_ranges(self, key, ranges):
        key = normalize_key(key)
        ranges = [(int(start), int(length)) for start, length in ranges]
        if not ranges:
            return []
        if any(start < 0 or length < 0 for start, length in ranges):
            raise ValueError("ranges of %r are (start, length) >= 0, not %r" % (key, ranges))
        # An empty range is never asked: S3 answers 'bytes=5-4' with the whole object.
        asked = [(start, length) for start, length in ranges if length]
        if not asked:
            self.getsize(key)  # KeyError when missing, as a read would raise
            return [b""] * len(ranges)
        try:
            got = self._cat_ranges(key, asked)
        except KeyError:
            raise
        except Exception:
            # A range that begins past the end is refused (HTTP 416): read up to the end.
            size = self.getsize(key)
            if all(start < size for start, _ in asked):
                raise
            within = [(start, length) for start, length in asked if start < size]
            parts = iter(self._cat_ranges(key, within) if within else [])
            got = [next(parts) if start < size else b"" for start, _ in asked]
        parts = iter(got)
        return [next(parts) if length else b"" for _, length in ranges]

    def _cat_ranges(self, key, ranges):
        full = self._full(key)
        try:
            parts = self.fs.cat_ranges([full] * len(ranges), [s for s, _ in ranges],
                                       [s + n for s, n in ranges], on_error="return")
        except Exception as exc:
            self._raise(exc, key)
        for part in parts:
            if isinstance(part, BaseException):
                self._raise(part, key)
        return [bytes(part) for part in parts]

    def _set(self, key, value):
        full = self._full(key)
        data = value if type(value) is bytes else bytes(value)
        if self._directory is not None:
            self._directory._set(key, data)
            return
        try:
            self.fs.pipe_file(full, data)
        except Exception as exc:
            raise _with_location(exc, "%s (key %r)" % (self.url(key), key)) from None

    def _delete(self, key):
        self.getsize(key)  # KeyError when missing: object stores delete nothing silently
        try:
            self.fs.rm_file(self._full(key))
        except Exception as exc:
            self._raise(exc, key)

    def delete_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        if self._directory is not None:
            self._directory.delete_prefix(prefix)
            return
        start = prefix + "/" if prefix else ""
        # Every object under the prefix, the 'folder' objects of S3 tools (keys
        # ending in '/') among them.
        paths = [name for name, _, _ in self._objects(start)]
        if prefix:
            try:
                self.getsize(prefix)
                paths.append(self._full(prefix))
            except KeyError:
                pass
        # fsspec's rm of a list drops the '/' that ends a folder object's name.
        folders = [name for name in paths if name.endswith("/")]
        paths = [name for name in paths if not name.endswith("/")]
        try:
            if paths:
                self.fs.rm(paths)
            for name in folders:
                try:
                    self.fs.rm_file(name)
                except FileNotFoundError:
                    pass
        except FileNotFoundError:
            pass
        except Exception as exc:
            raise _with_location(exc, self.url(prefix)) from None

    def _is_key(self, name, rel):
        """Whether the object ``name`` (``rel`` in the store) holds a key: not the
        temporary file of a local write in progress, nor an empty 'folder'
        object that S3 consoles and tools make (a name ending in '/')."""
        if name.endswith("/"):
            return False
        return not (self._local_files and partial_writer(rel.rpartition("/")[2]) is not None)

    def _objects(self, start):
        """(name in the filesystem, relative name, info) of every object under
        the directory ``start`` names."""
        directory = start.rstrip("/")
        where = self._full(directory) if directory else self.path or self._root_marker
        try:
            self.fs.invalidate_cache(where)
            found = self.fs.find(where, detail=True)
        except FileNotFoundError as exc:
            if _container_missing(exc):
                raise _with_location(exc, self.url(directory)) from None
            return []
        except Exception as exc:
            raise _with_location(exc, self.url(directory)) from None
        out = []
        for name, info in found.items():
            if info.get("type", "file") != "file":
                continue
            rel = self._relative(name)
            if rel and rel.startswith(start):
                out.append((name, rel, info))
        return out

    def _find(self, start):
        """{relative key: size} of every key under the directory ``start`` names."""
        return {rel: info.get("size") for name, rel, info in self._objects(start)
                if self._is_key(name, rel)}

    def _list(self, start):
        return list(self._find(start))

    def list_sizes(self, prefix=""):
        """(key below ``prefix``, size) for every key under ``prefix``, from one
        listing: what a chunk count asks instead of a listing per directory.

        Examples
        --------
        >>> import fsspec
        >>> store = FsspecStore(fsspec.filesystem("memory"), "/doc/sizes")
        >>> store["a/0/1"] = b"abc"
        >>> store.list_sizes("a")
        [('0/1', 3)]
        >>> store.delete_prefix("")
        """
        prefix = normalize_prefix(prefix)
        start = prefix + "/" if prefix else ""
        return sorted((key[len(start):], size) for key, size in self._find(start).items())

    def list_dir(self, prefix=""):
        return [name for name, _ in self.list_dir_sizes(prefix)]

    def list_dir_sizes(self, prefix=""):
        """(name, size) of what is directly under ``prefix``; size None for a
        name that holds longer keys."""
        prefix = normalize_prefix(prefix)
        where = self._full(prefix) if prefix else self.path or self._root_marker
        try:
            self.fs.invalidate_cache(where)
            entries = self.fs.ls(where, detail=True)
        except (FileNotFoundError, NotADirectoryError) as exc:
            if _container_missing(exc):
                raise _with_location(exc, self.url(prefix)) from None
            return []
        except Exception as exc:
            raise _with_location(exc, self.url(prefix)) from None
        found = {}
        for info in entries:
            rel = self._relative(info["name"])
            if not rel or (prefix and not rel.startswith(prefix + "/")):
                continue
            name = rel[len(prefix) + 1:] if prefix else rel
            if not name or "/" in name or not self._is_key(info["name"], name):
                continue
            is_file = info.get("type", "file") == "file"
            if is_file or name not in found:
                found[name] = info.get("size") if is_file else None
        return sorted(found.items())

    def contains_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        if not prefix:
            return bool(self._list(""))
        return bool(self.list_dir_sizes(prefix))

    def getsize(self, key):
        key = normalize_key(key)
        full = self._full(key)
        try:
            self.fs.invalidate_cache(full)
            info = self.fs.info(full)
        except Exception as exc:
            self._raise(exc, key)
        if info.get("type", "file") != "file":
            raise KeyError(key)
        return int(info["size"])

    def describe_key(self, key):
        return "object %s" % self.url(key)

    def lock_identity(self, key):
        if self._ident is None:
            # An object among the options is named by its type: its repr can hold its
            # address, other in each process (locks a little coarser, never apart).
            options = json.dumps(getattr(self.fs, "storage_options", {}), sort_keys=True,
                                 default=lambda o: type(o).__module__ + "." + type(o).__qualname__)
            # A digest: the options can hold credentials, and the names of cluster
            # locks are shown by the scheduler (its dashboard, its logs).
            digest = hashlib.sha256(options.encode("utf-8")).hexdigest()[:32]
            self._ident = ("fsspec", type(self.fs).__module__ + "." + type(self.fs).__name__,
                           digest)
        return self._ident + (join_key(self.path, key) if key else self.path,)

    def with_read_only(self, read_only=True):
        """The same objects, read-only (or not)."""
        return type(self)(self.fs, self.path, read_only)

    def __eq__(self, other):
        return (type(other) is type(self) and other.fs == self.fs and other.path == self.path
                and other.read_only == self.read_only)

    def __hash__(self):
        return hash((type(self), self.path, self.read_only))

    def __repr__(self):
        return "%s(%r%s)" % (type(self).__name__, self.url(),
                             ", read_only=True" if self.read_only else "")

    def __reduce__(self):
        if not self.process_local:
            return type(self), (self.fs, self.path, self.read_only)
        # The bytes of a memory filesystem go with the pickle, as a MemoryStore's do.
        values = {key: self._get(key) for key in self._list("")}
        return _unpickle_process_local, (type(self), self.fs, self.path, self.read_only,
                                         this_process(), values)


def _unpickle_process_local(cls, fs, path, read_only, origin, values):
    """The store again in the process that pickled it; elsewhere a
    :class:`MemoryStore` copy of its keys, which refuses writes while that
    process runs (they would never reach its memory)."""
    if tuple(origin) == this_process():
        return cls(fs, path, read_only)
    copy = MemoryStore(read_only=read_only)
    copy._values.update(values)
    copy._origin = tuple(origin) if copied_from_live_process(tuple(origin)) else None
    return copy


#: The Zarr v2 name of the same store.
FSStore = FsspecStore
