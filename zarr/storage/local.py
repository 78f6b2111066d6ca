"""A store over a directory: one file per key, as the Zarr v2 format lays them out."""

import errno
import itertools
import os
import shutil
import stat

from zarr.storage.base import Store, check_value, normalize_key, normalize_prefix
from zarr.storage.files import (PARTIAL_SUFFIX, open_regular, raise_with_path, read_file,
                                write_in_directory)
from zarr.storage.nofollow import open_directory, tidy
from zarr.storage.partials import partial_name

_hidden_names = itertools.count()
# How often a write makes its directory again when it is removed meanwhile.
_SET_ATTEMPTS = 10


def _is_metadata(key):
    return key.rpartition("/")[2].startswith(".")


def _lexists(name, dir_fd):
    try:
        os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    return True


def _remove_entry(dir_fd, name):
    """Remove the file, link or directory tree ``name`` (relative to dir_fd),
    never following a link."""
    try:
        if stat.S_ISDIR(os.lstat(name, dir_fd=dir_fd).st_mode):
            shutil.rmtree(name, dir_fd=dir_fd)
        else:
            os.unlink(name, dir_fd=dir_fd)
    except FileNotFoundError:
        pass


class LocalStore(Store):
    """The keys of a store as files under the directory ``root``: key
    ``a/b/0.0`` is the file ``root/a/b/0.0``.

    What it promises:

    - ``set`` is atomic: the bytes go to a temporary file beside the key's
      (``.<name>.<pid>@<host>.<n>.partial``, never listed or read as a
      key), which then replaces it in one step; a reader, or a writer killed
      at any point, sees the old file or the new one. Chunk files are
      replaced by exchanging them with the new file (``renameat2``),
      metadata files (names beginning with ``.``) by a rename; see
      :func:`zarr.storage.files.write_file_atomic` for what each may cost
      after a power loss. ``fsync=True`` syncs every file and its directory
      before ``set`` returns. The temporary files of killed writers are
      removed by :meth:`sweep_partials` (and :meth:`prune`).
    - Only a missing file is a missing key: permission and I/O errors, a
      directory in the way, are raised naming the key's file (never a
      temporary one). Only regular files are read (through links too): a
      FIFO, a device or a link to one is refused unread
      (:class:`zarr.errors.NotAFileError`), and a metadata file (a name
      beginning with ``.``) of more than
      :data:`zarr.storage.files.MAX_METADATA_SIZE` bytes is a MetadataError.
    - Symbolic links below the root are read through (a chunk row or a
      member linked from elsewhere reads as if it were here), but no change
      goes through one: ``set``, ``delete``, ``delete_prefix``, ``rename``
      and the directories made on the way open each directory below the
      root without following a link (``O_NOFOLLOW``, then calls relative to
      it), and raise an OSError (ELOOP) naming the link instead; nothing
      outside the root is created, replaced, removed or moved. A key or node
      that is itself a link is replaced or removed as the link. The root may
      be a link.
    - ``get_ranges`` reads only the ranges asked for; chunks read through a
      directory store read the blosc blocks a small read needs straight from
      the file (``file_path``).
    - ``rename`` of a node is one rename of its directory; ``delete_prefix``
      renames the directory to a hidden name first, so no half-removed node
      is ever listed.

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
        self._prefix = os.path.join(self.root, "")  # a key's file is this and the key

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
            if e.errno == errno.ENAMETOOLONG:
                raise KeyError(key) from None
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
        parent, _, name = key.rpartition("/")
        path = self._prefix + key
        exchange = name[0] != "."  # chunks; metadata files are renamed over
        if not parent:
            write_in_directory(None, path, name, value, self.fsync, exchange)
            return
        for attempt in range(_SET_ATTEMPTS):
            try:
                fd = open_directory(self.root, parent.split("/"), True, path)
            except FileNotFoundError:
                # A directory on the way was removed (pruned) while it was made.
                if attempt == _SET_ATTEMPTS - 1:
                    raise
                continue
            try:
                write_in_directory(fd, path, name, value, self.fsync, exchange)
                return
            except FileNotFoundError:
                if attempt == _SET_ATTEMPTS - 1:
                    raise  # else the directory was removed meanwhile (pruned): made again
            finally:
                os.close(fd)

    def _open_parent(self, key, create=False):
        """An open descriptor of the directory of ``key``'s file, reached without
        following a symbolic link below the root (see :mod:`zarr.storage.nofollow`)."""
        return open_directory(self.root, key.split("/")[:-1], create, self.file_path(key))

    def _parent(self, key):
        """(descriptor or None, name): where ``key`` is, for calls taking
        ``dir_fd``; None and the file's path for a key at the top (close the
        descriptor). FileNotFoundError when a directory on the way is missing."""
        if "/" not in key:
            return None, os.path.join(self.root, key)
        return self._open_parent(key), key.rpartition("/")[2]

    def _delete(self, key):
        path = self.file_path(key)
        try:
            fd, name = self._parent(key)
        except (FileNotFoundError, NotADirectoryError):
            raise KeyError(key) from None
        try:
            if stat.S_ISDIR(os.lstat(name, dir_fd=fd).st_mode):
                raise KeyError(key)  # a node's directory, not a key
            os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            raise KeyError(key) from None
        except OSError as e:
            raise type(e)(e.errno, e.strerror, path) from None
        finally:
            if fd is not None:
                os.close(fd)

    def getsize(self, key):
        path = self.file_path(normalize_key(key))
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise KeyError(key) from None
        except OSError as e:
            if e.errno == errno.ENAMETOOLONG:  # no file can have that name
                raise KeyError(key) from None
            raise
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
        if not prefix:
            try:
                fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except FileNotFoundError:
                return
            try:
                for name in os.listdir(fd):
                    _remove_entry(fd, name)
            finally:
                os.close(fd)
            return
        try:
            fd, name = self._parent(prefix)
        except (FileNotFoundError, NotADirectoryError):
            return
        try:
            try:
                st = os.lstat(name, dir_fd=fd)
            except FileNotFoundError:
                return
            if not stat.S_ISDIR(st.st_mode):
                # A file, or a node linked in: the link goes, not its target.
                _remove_entry(fd, name)
                return
            hidden = self.hidden_name(name, "removing")
            os.rename(name, hidden, src_dir_fd=fd, dst_dir_fd=fd)
            shutil.rmtree(hidden, dir_fd=fd)
        finally:
            if fd is not None:
                os.close(fd)

    @staticmethod
    def hidden_name(where, what):
        """A hidden path beside ``where``, for a node being removed or built aside."""
        parent, name = os.path.split(where)
        return os.path.join(parent, ".%s.%s.%d.%d" % (name, what, os.getpid(),
                                                       next(_hidden_names)))

    def rename(self, source, dest):
        source, dest = normalize_prefix(source), normalize_prefix(dest)
        self._check_writable(dest)
        dst = self.directory(dest)
        try:
            sfd, sname = self._parent(source)
        except (FileNotFoundError, NotADirectoryError):
            raise KeyError(source) from None
        try:
            if not _lexists(sname, sfd):
                raise KeyError(source)
            if "/" in dest:
                dfd, dname = self._open_parent(dest, create=True), dest.rpartition("/")[2]
            else:
                dfd, dname = None, dst
            try:
                if _lexists(dname, dfd):
                    raise FileExistsError(errno.EEXIST, "something is in the way", dst)
                os.rename(sname, dname, src_dir_fd=sfd, dst_dir_fd=dfd)
            finally:
                if dfd is not None:
                    os.close(dfd)
        finally:
            if sfd is not None:
                os.close(sfd)

    def set_if_absent(self, key, value):
        """Store ``value`` at ``key`` unless a value is there; whether it was
        stored. Atomic: of writers racing for one key, one stores its value."""
        key = normalize_key(key)
        value = check_value(key, value)
        self._check_writable(key)
        path = self.file_path(key)
        parent, _, name = key.rpartition("/")
        fd = self._open_parent(key, create=True) if parent else None
        try:
            if fd is None:
                name = path
            claim = partial_name(os.path.basename(name))
            try:
                write_in_directory(fd, os.path.join(os.path.dirname(path), claim), claim, value,
                                   self.fsync)
            except OSError as e:
                raise type(e)(e.errno, e.strerror, path) from None
            if fd is None:
                claim = os.path.join(self.root, claim)
            try:
                os.link(claim, name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
            except FileExistsError:
                return False
            except OSError as e:
                raise type(e)(e.errno, e.strerror, path) from None
            finally:
                try:
                    os.unlink(claim, dir_fd=fd)
                except OSError:
                    pass  # a temporary file: ignored, and swept once this process is gone
        finally:
            if fd is not None:
                os.close(fd)
        return True

    def remove_if_empty(self, prefix):
        """Remove the directory of ``prefix`` if it is empty (and not reached
        through a symbolic link below the root); whether it was removed."""
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        if not prefix:
            return False
        try:
            fd, name = self._parent(prefix)
        except OSError:
            return False
        try:
            os.rmdir(name, dir_fd=fd)
        except OSError:
            return False
        finally:
            if fd is not None:
                os.close(fd)
        return True

    def prune(self, prefix=""):
        """Remove the empty directories under ``prefix`` (left by nested chunk
        keys) and the temporary files of writers that are gone (see
        :meth:`sweep_partials`); never through a symbolic link."""
        self._tidy(normalize_prefix(prefix), remove_empty=True)

    def sweep_partials(self, prefix="", budget=None, refuse_links=False):
        """Remove the temporary files under ``prefix`` that writers killed
        mid-write left: those whose name says they were written on this host
        by a process that is gone (:func:`zarr.storage.partials.writer_is_gone`);
        never a live writer's. The paths removed.

        With ``budget``, no more than that many directory entries are looked
        at, and a large directory is not listed at all (one ``fstat`` says
        so): the cheap sweep of opening an array. Symbolic links are not
        followed; with ``refuse_links``, a link to a directory under
        ``prefix``, or on the way to it, raises OSError (ELOOP) naming it.

        Examples
        --------
        >>> import os, tempfile
        >>> from zarr.storage.partials import HOST
        >>> store = LocalStore(tempfile.mkdtemp())
        >>> store["a/0"] = b"x"
        >>> left = os.path.join(store.root, "a", ".0.999999999@%s.0.partial" % HOST)
        >>> open(left, "wb").close()  # a process id that no process has
        >>> store.sweep_partials("a") == [left], os.listdir(os.path.join(store.root, "a"))
        (True, ['0'])
        """
        return self._tidy(normalize_prefix(prefix), budget=budget, refuse_links=refuse_links)

    def _tidy(self, prefix, remove_empty=False, budget=None, refuse_links=False):
        if self.read_only:
            return []
        where = self.directory(prefix)
        try:
            fd = open_directory(self.root, prefix.split("/") if prefix else [], target=where)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as e:
            if refuse_links or e.errno != errno.ELOOP:
                raise
            return []  # reached through a link: nothing there is ours to remove
        try:
            return tidy(fd, where, remove_empty, budget, refuse_links)
        finally:
            os.close(fd)

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
