"""A store over a directory: one file per key, as the Zarr v2 format lays them out."""

import errno
import itertools
import os
import shutil
import stat

from zarr.storage.base import Store, check_value, normalize_key, normalize_prefix
from zarr.storage.files import (PARTIAL_SUFFIX, open_regular, raise_with_path, read_file,
                                remove_empty_dirs, write_file_atomic)

_hidden_names = itertools.count()


def _is_metadata(key):
    return key.rpartition("/")[2].startswith(".")


class LocalStore(Store):
    """The keys of a store as files under the directory ``root``: key
    ``a/b/0.0`` is the file ``root/a/b/0.0``.

    What it promises:

    - ``set`` is atomic: the bytes go to a temporary file beside the key's
      (``.<name>.<pid>.<n>.partial``, never listed or read as a key), which
      then replaces it in one step; a reader, or a writer killed at any
      point, sees the old file or the new one. Chunk files are replaced by
      exchanging them with the new file (``renameat2``), metadata files
      (names beginning with ``.``) by a rename; see
      :func:`zarr.storage.files.write_file_atomic` for what each may cost
      after a power loss. ``fsync=True`` syncs every file and its directory
      before ``set`` returns.
    - Only a missing file is a missing key: permission and I/O errors, a
      directory in the way, are raised naming the file. Only regular files
      are read (through links too): a FIFO, a device or a link to one is
      refused unread (:class:`zarr.errors.NotAFileError`), and a metadata
      file (a name beginning with ``.``) of more than
      :data:`zarr.storage.files.MAX_METADATA_SIZE` bytes is a MetadataError.
    - ``get_ranges`` reads only the ranges asked for; chunks read through a
      directory store read the blosc blocks a small read needs straight from
      the file (``file_path``).
    - ``rename`` of a node is one rename of its directory; ``delete_prefix``
      renames the directory to a hidden name first, so no half-removed node
      is ever listed, and removes a symbolic link rather than its target.

    Parameters
    ----------
    root : str or path-like
        The directory (made when the first key is written).
    read_only : bool
        Refuse every change with :class:`zarr.ReadOnlyError`.
    fsync : bool
        Sync each file to disk before ``set`` returns.

    Examples
    --------
    >>> import os, tempfile
    >>> store = LocalStore(tempfile.mkdtemp())
    >>> store["a/.zattrs"] = b"{}"
    >>> store.list(), os.listdir(os.path.join(store.root, "a"))
    (['a/.zattrs'], ['.zattrs'])
    """

    supports_partial_reads = True
    supports_rename = True

    def __init__(self, root, read_only=False, fsync=False):
        self.root = os.fspath(root)
        self.read_only = bool(read_only)
        self.fsync = bool(fsync)

    @property
    def file_prefix(self):
        """What the path of a key's file begins with, the key following it as it
        is (on POSIX, where keys and paths share their separator); else None."""
        return os.path.join(self.root, "") if os.sep == "/" else None

    def file_path(self, key):
        """The file that holds ``key``."""
        if os.sep == "/":
            return os.path.join(self.root, key)
        return os.path.join(self.root, *key.split("/"))

    def directory(self, prefix):
        """The directory of the keys under ``prefix``."""
        return os.path.join(self.root, *prefix.split("/")) if prefix else self.root

    def _get(self, key):
        data = read_file(self.file_path(key), _is_metadata(key))
        if data is None:
            raise KeyError(key)
        return data

    def get_ranges(self, key, ranges):
        path = self.file_path(normalize_key(key))
        try:
            fd = open_regular(path)[0]
        except FileNotFoundError:
            raise KeyError(key) from None
        except OSError as e:
            raise_with_path(e, path)
            raise
        try:
            return [os.pread(fd, length, start) for start, length in ranges]
        except OSError as e:
            raise_with_path(e, path)
            raise
        finally:
            os.close(fd)

    def _set(self, key, value):
        write_file_atomic(self.file_path(key), value, self.fsync, not _is_metadata(key))

    def _delete(self, key):
        path = self.file_path(key)
        try:
            if stat.S_ISDIR(os.lstat(path).st_mode):
                raise KeyError(key)  # a node's directory, not a key
            os.remove(path)
        except FileNotFoundError:
            raise KeyError(key) from None

    def getsize(self, key):
        path = self.file_path(normalize_key(key))
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise KeyError(key) from None
        if stat.S_ISDIR(st.st_mode):
            raise KeyError(key)
        return st.st_size

    def stamp(self, key):
        """The file's (inode, modification time, size), or None when it is
        missing: one ``stat``. Metadata files are replaced by a rename, so
        each version is a new inode; a stamp can repeat only if a file is
        replaced twice within one tick of the file system's clock, by files
        of the same size, the second reusing the inode of the first."""
        # The paths of the keys stamped (metadata keys, checked on every write)
        # are kept, so that a stamp costs the stat and little else.
        paths = self.__dict__.setdefault("_stamp_paths", {})
        path = paths.get(key)
        if path is None:
            path = self.file_path(normalize_key(key))
            if len(paths) >= 4096:
                paths.clear()
            paths[key] = path
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _list(self, start):
        top = self.directory(start.rstrip("/"))
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel = os.path.relpath(dirpath, self.root)
            base = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for name in filenames:
                if not name.endswith(PARTIAL_SUFFIX):
                    yield base + name

    def _entries(self, prefix):
        """The directory entries under ``prefix``, but temporary files of writes."""
        try:
            entries = os.scandir(self.directory(normalize_prefix(prefix)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        with entries:
            return [entry for entry in entries if not entry.name.endswith(PARTIAL_SUFFIX)]

    def list_dir(self, prefix=""):
        names = []
        for entry in self._entries(prefix):
            try:
                if entry.name.startswith(".") and entry.is_dir():
                    continue  # a node being removed or built aside
            except OSError:
                continue
            names.append(entry.name)
        return sorted(names)

    def list_dir_sizes(self, prefix=""):
        """(name, size) of the files directly under ``prefix``, from one scan
        of the directory (no file is opened)."""
        found = []
        for entry in self._entries(prefix):
            try:
                if entry.is_file():
                    found.append((entry.name, entry.stat().st_size))
            except FileNotFoundError:
                continue
        return found

    def contains_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        return os.path.isdir(self.directory(prefix))

    def exists(self, prefix):
        """Whether anything (a file, a directory, a link) is at ``prefix``."""
        return os.path.lexists(self.directory(normalize_prefix(prefix)))

    def delete_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        where = self.directory(prefix)
        if not prefix:
            for name in os.listdir(where):
                full = os.path.join(where, name)
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)
                else:
                    os.remove(full)
            return
        if os.path.islink(where):  # a node linked in: the link goes, not its target
            os.unlink(where)
            return
        if not os.path.isdir(where):
            try:
                os.remove(where)
            except FileNotFoundError:
                pass
            return
        hidden = self.hidden_name(where, "removing")
        os.rename(where, hidden)
        shutil.rmtree(hidden)

    @staticmethod
    def hidden_name(where, what):
        """A hidden path beside ``where``, for a node being removed or built aside."""
        parent, name = os.path.split(where)
        return os.path.join(parent, ".%s.%s.%d.%d" % (name, what, os.getpid(),
                                                       next(_hidden_names)))

    def rename(self, source, dest):
        source, dest = normalize_prefix(source), normalize_prefix(dest)
        self._check_writable(dest)
        src, dst = self.directory(source), self.directory(dest)
        if not os.path.lexists(src):
            raise KeyError(source)
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, "something is in the way", dst)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.rename(src, dst)

    def set_if_absent(self, key, value):
        """Store ``value`` at ``key`` unless a value is there; whether it was
        stored. Atomic: of writers racing for one key, one stores its value."""
        key = normalize_key(key)
        value = check_value(key, value)
        self._check_writable(key)
        path = self.file_path(key)
        directory, name = os.path.split(path)
        tmp = self.hidden_name(path, "claim") + PARTIAL_SUFFIX
        write_file_atomic(tmp, value, self.fsync)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            os.remove(tmp)
        return True

    def prune(self, prefix=""):
        remove_empty_dirs(self.directory(normalize_prefix(prefix)))

    def describe_key(self, key):
        return "file %s" % self.file_path(key)

    def lock_identity(self, key):
        # By real path: the same directory as a store's top or below another's.
        return ("local", os.path.realpath(self.directory(key)))

    def with_read_only(self, read_only=True):
        """The same directory, read-only (or not)."""
        return type(self)(self.root, read_only, self.fsync)

    def __eq__(self, other):
        return (type(other) is type(self) and other.root == self.root
                and other.read_only == self.read_only)

    def __hash__(self):
        return hash((type(self), self.root, self.read_only))

    def __repr__(self):
        return "%s(%r%s)" % (type(self).__name__, self.root,
                             ", read_only=True" if self.read_only else "")

    def __reduce__(self):
        return type(self), (self.root, self.read_only, self.fsync)


#: The Zarr v2 name of the same store.
DirectoryStore = LocalStore
