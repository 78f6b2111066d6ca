"""A store over one zip archive, in zarr-python's layout: each key is the name
of an entry, its value the entry's bytes."""

import fcntl
import os
import threading
import warnings
import weakref
from collections.abc import MutableMapping

from zarr.errors import MetadataError
from zarr.ext import READ_FLAGS, check_regular_file
from zarr.storage.base import Store, check_value, normalize_key, normalize_prefix
from zarr.storage.files import MAX_METADATA_SIZE, raise_with_path
from zarr.storage.local import LocalStore
from zarr.storage.partials import partial_name
from zarr.storage.wrapper import WrapperStore
from zarr.storage.zipformat import (LOCAL_SIG, STORED, MissingEndError, ZipFormatError,
                                    central_record, check_readable, data_offset, dos_time, end_records,
                                    local_header, new_entry, read_directory, read_entry,
                                    scan_entries)

MODES = ("r", "w", "a")

_WRITE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC

# The archives this process has open: (st_dev, st_ino) -> the modes they are
# open in, to say in an error whether the other opener is this process.
_open_here = {}
_open_here_lock = threading.Lock()


class ZipDuplicateWarning(UserWarning):
    """A key written again into a zip archive: the entry cannot be replaced in
    place, so a new one is appended and the last one is what reads see; the
    old bytes stay in the file."""


class ZipInUseError(BlockingIOError):
    """A zip archive that another writer holds (or that readers hold, for a
    writer): one process, and one :class:`ZipStore` in it, writes an archive
    at a time, and nobody reads it meanwhile."""


def _in_use_error(path, ident, writing):
    with _open_here_lock:
        here = list(_open_here.get(ident, ()))
    if here:
        who = "by another ZipStore of this process (mode %s)" % "/".join(map(repr, here))
    else:
        who = "by another process"
    if writing:
        why = ("%s is open %s: a zip archive has one writer at a time, and no reader while "
               "it is written (processes may not write one archive together; write one "
               "archive per process, or a directory store)" % (path, who))
    else:
        why = ("%s is open for writing %s: its central directory is written when that "
               "writer closes it; read it then" % (path, who))
    return ZipInUseError(why)


class _Archive:
    """An open archive: what a :class:`ZipStore` reads and writes, and what its
    finalizer needs to finish the file (it holds no reference to the store)."""

    def __init__(self, path, fd, mode):
        self.path, self.fd, self.mode = path, fd, mode
        self.writable = mode != "r"
        self.pid = os.getpid()  # the only process that writes through it
        self.ident = None
        self.entries = []  # every entry, in the order of the central directory
        self.index = {}  # key -> its last entry
        self.end = 0  # where the next entry goes
        self.limit = 0  # where the bytes of the entries read from the file must end
        self.dirty = False  # whether the file lacks the central directory of `entries`
        self.wlock = threading.Lock()  # held by a write, a flush and closing
        self.cond = threading.Condition(threading.Lock())
        self.users = 0  # calls reading the file now: the descriptor stays open for them
        self.closed = False

    def enter(self):
        with self.cond:
            if self.closed:
                raise ValueError("%s: the ZipStore is closed" % self.path)
            self.users += 1

    def leave(self):
        with self.cond:
            self.users -= 1
            if not self.users:
                self.cond.notify_all()

    def add(self, entry):
        """Index ``entry``, the last one of its name so far."""
        self.entries.append(entry)
        if not entry.is_dir:
            try:
                self.index[normalize_key(entry.name)] = entry
            except (ValueError, TypeError):
                pass  # a name that is no key (a path out of the store): kept, not listed

    def write(self, parts, offset):
        """Write the byte strings ``parts`` at ``offset``, naming the file in an error."""
        try:
            views = [memoryview(p).cast("B") for p in parts]
            while views:
                n = os.pwritev(self.fd, views, offset)
                offset += n
                while views and n >= len(views[0]):
                    n -= len(views[0])
                    views.pop(0)
                if views:
                    views[0] = views[0][n:]
        except OSError as e:
            raise_with_path(e, self.path)
            raise

    def write_directory(self):
        """Write the central directory and end records after the last entry,
        and cut the file there: the archive is whole (entries written later
        go over that directory)."""
        records = b"".join(central_record(entry) for entry in self.entries)
        tail = end_records(len(self.entries), self.end, len(records))
        self.write([records, tail], self.end)
        try:
            os.ftruncate(self.fd, self.end + len(records) + len(tail))
        except OSError as e:
            raise_with_path(e, self.path)
            raise
        self.dirty = False

    def finish(self):
        """Close: wait for the reads under way, write the central directory if
        entries were added since (in the process that opened the archive only),
        release the lock and the descriptor. Run once, by ``close`` or when the
        store is collected or the interpreter exits."""
        with self.wlock:
            with self.cond:
                self.closed = True
                while self.users:
                    self.cond.wait()
            try:
                if self.writable and self.dirty and os.getpid() == self.pid:
                    self.write_directory()
            finally:
                os.close(self.fd)
                with _open_here_lock:
                    modes = _open_here.get(self.ident)
                    if modes:
                        modes.remove(self.mode)
                        if not modes:
                            del _open_here[self.ident]


def _open_archive(path, mode):
    """An :class:`_Archive` of the file at ``path``, opened and locked as
    ``mode`` says, its central directory read (or its entries recovered)."""
    try:
        fd = os.open(path, READ_FLAGS if mode == "r" else _WRITE_FLAGS, 0o666)
    except OSError as e:
        raise_with_path(e, path)
        raise
    archive = _Archive(path, fd, mode)
    try:
        st = os.fstat(fd)
        check_regular_file(st, path)
        ident = (st.st_dev, st.st_ino)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if mode == "r" else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _in_use_error(path, ident, mode != "r") from None
        size = os.fstat(fd).st_size
        if mode == "w" and size:
            # (Only then: on ext4 a file cut to nothing is flushed when closed.)
            os.ftruncate(fd, 0)
            size = 0
        if mode == "w" or (mode == "a" and size == 0):
            archive.dirty = True  # even an empty archive is written on close
        else:
            _read_entries(archive, size, mode)
    except BaseException as e:
        os.close(fd)
        raise_with_path(e, path)
        raise
    archive.ident = ident
    with _open_here_lock:
        _open_here.setdefault(ident, []).append(archive.mode)
    return archive


def _read_entries(archive, size, mode):
    fd, path = archive.fd, archive.path
    try:
        entries, cd_offset = read_directory(fd, size, path)
    except MissingEndError as e:
        started = size >= 4 and int.from_bytes(os.pread(fd, 4, 0), "little") == LOCAL_SIG
        if not started:
            raise
        if mode == "r":
            raise MissingEndError("%s; it begins as a zip archive does: if its writer was killed "
                                  "before closing it, open it in mode 'a' to recover the "
                                  "entries written whole" % e) from None
        entries, end = scan_entries(fd, size, path)
        if not entries:
            raise MissingEndError("%s; no entry in it is whole: nothing to recover" % e) from None
        warnings.warn("%s had no central directory (its writer did not close it): %d entries "
                      "recovered, the %d bytes after them dropped"
                      % (path, len(entries), size - end), UserWarning, stacklevel=4)
        archive.dirty = True
        cd_offset = end
    for entry in entries:
        archive.add(entry)
    archive.end = archive.limit = cd_offset


def _is_metadata(key):
    return key.rpartition("/")[2].startswith(".")


class ZipStore(Store):
    """The keys of a store as the entries of one zip archive at ``path``, in
    the layout of zarr-python's ``ZipStore`` (the entry ``a/0.0`` holds key
    ``a/0.0``), so that each reads the other's archives.

    What it promises:

    - Values are written uncompressed (``ZIP_STORED``: chunks are compressed
      already); entries deflated by other writers are read too, their
      length and CRC-32 checked (stored ones too, on a whole read).
    - Writing a key again appends a new entry, with a
      :class:`ZipDuplicateWarning`: the last one wins on read, here and in
      zarr-python, and the old bytes stay in the file. Nothing can be
      deleted or renamed: ``delete``, ``delete_prefix`` and ``rename`` of
      something that is there raise NotImplementedError, changing nothing.
    - The central directory is written by ``close`` (by ``with``, and when
      the store is collected or the interpreter exits), and by ``flush``;
      until then the file is not a valid archive. Killed before that, the
      archive opens in mode 'a' again with every entry written whole (a
      warning says how many), from its local headers; mode 'r' refuses it.
    - Threads may read and write at once. Processes may not write one
      archive: it is locked (``flock``) while open, exclusively by a writer,
      shared by readers, and a second writer, or a reader while it is
      written, gets a :class:`ZipInUseError` saying so. A pickled store
      opens again read-only; one open for writing does not pickle.
    - Mode 'r' changes nothing in the file. A file that is not a zip
      archive, or is truncated or corrupt, raises a :class:`ZipFormatError`
      naming it (and the entry); every size and offset read is checked
      against the file before anything is allocated.
    - ``get_ranges`` of a stored entry reads only the ranges asked for.

    Parameters
    ----------
    path : str or path-like
        The archive.
    mode : {'r', 'w', 'a'}
        'r' reads an existing archive; 'w' creates one, replacing what was at
        ``path``; 'a' adds to an existing archive, or creates one.

    Examples
    --------
    >>> import os, tempfile, zipfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x.zip")
    >>> with ZipStore(path, mode="w") as store:
    ...     store["a/.zattrs"] = b"{}"
    >>> zipfile.ZipFile(path).namelist(), ZipStore(path)["a/.zattrs"]
    (['a/.zattrs'], b'{}')
    """

    supports_partial_reads = True
    supports_deletes = False

    def __init__(self, path, mode="r"):
        if mode not in MODES:
            raise ValueError("a ZipStore's mode is one of 'r', 'w', 'a', not %r" % (mode,))
        self.path = os.fspath(path)
        self.mode = mode
        self.read_only = mode == "r"
        self._archive = _open_archive(self.path, mode)
        self._finalizer = weakref.finalize(self, self._archive.finish)

    @classmethod
    def from_store(cls, source, path, overwrite=False):
        """Archive every key of ``source`` (a store, a directory's path or a
        mapping) into a new zip archive at ``path``, reading each value once;
        how many entries were written. The archive is written beside ``path``
        and put in its place once whole: a failure leaves what was at
        ``path``. FileExistsError if ``path`` exists, unless ``overwrite``.

        Examples
        --------
        >>> import os, tempfile, zarr
        >>> where = tempfile.mkdtemp()
        >>> z = zarr.open(os.path.join(where, "a.zarr"), mode="w", shape=(4,), chunks=(2,))
        >>> z[:] = 1
        >>> ZipStore.from_store(os.path.join(where, "a.zarr"), os.path.join(where, "a.zip"))
        4
        >>> zarr.open(os.path.join(where, "a.zip"), mode="r")[:].tolist()
        [1.0, 1.0, 1.0, 1.0]
        """
        if isinstance(source, (str, os.PathLike)):
            if not os.path.isdir(source):
                raise FileNotFoundError("%s: no directory store to archive" % (source,))
            source = LocalStore(source, read_only=True)
        elif not isinstance(source, Store):
            if not isinstance(source, MutableMapping):
                raise TypeError("from_store archives a store, a path or a mapping, not %s"
                                % type(source).__name__)
            source = WrapperStore(source)
        if not overwrite and os.path.lexists(path):
            raise FileExistsError("%s exists; pass overwrite=True to replace it" % (path,))
        keys = source.list()
        directory, name = os.path.split(os.path.abspath(path))
        aside = os.path.join(directory, partial_name(name))
        try:
            with cls(aside, "w") as archive:
                for key in keys:
                    archive.set(key, source.get(key))
            if overwrite:
                os.replace(aside, path)
            else:
                os.link(aside, path)  # refuses a file made meanwhile
        finally:
            try:
                os.unlink(aside)
            except FileNotFoundError:
                pass
        return len(keys)

    @property
    def closed(self):
        """Whether the store is closed."""
        return self._archive.closed

    def close(self):
        """Finish the archive (see :meth:`flush`) and close it; a second call does nothing."""
        self._finalizer()

    def flush(self):
        """Write the central directory now: the file is a valid archive of
        what was written so far until the next write (which goes over it)."""
        archive = self._archive
        Store._check_writable(self, "")
        with archive.wlock:
            self._check_open_for_writing(archive)
            if archive.dirty:
                archive.write_directory()

    def _check_open_for_writing(self, archive):
        if archive.closed:
            raise ValueError("%s: the ZipStore is closed" % self.path)
        if os.getpid() != archive.pid:
            raise ZipInUseError("%s is open for writing in process %d; process %d (a fork of "
                                "it) may not write to it" % (self.path, archive.pid,
                                                             os.getpid()))

    def _check_writable(self, key):
        Store._check_writable(self, key)
        self._check_open_for_writing(self._archive)

    def _entry(self, key):
        """The entry of ``key``, its data offset known; the caller has entered."""
        archive = self._archive
        entry = archive.index[key]
        if entry.data < 0:
            entry.data = data_offset(archive.fd, entry, archive.limit, archive.path)
        return entry

    def _get(self, key):
        archive = self._archive
        archive.enter()
        try:
            entry = self._entry(key)
            if entry.usize > MAX_METADATA_SIZE and _is_metadata(key):
                raise MetadataError("entry %r of %s: %d bytes, over the limit of %d bytes of a "
                                    "metadata file (zarr.storage.files.MAX_METADATA_SIZE); not "
                                    "read" % (key, self.path, entry.usize, MAX_METADATA_SIZE))
            return read_entry(archive.fd, entry, archive.path)
        finally:
            archive.leave()

    def get_ranges(self, key, ranges):
        key = normalize_key(key)
        ranges = [(int(start), int(length)) for start, length in ranges]
        if any(start < 0 or length < 0 for start, length in ranges):
            raise ValueError("ranges of %r: starts and lengths are not negative, not %r"
                             % (key, ranges))
        archive = self._archive
        archive.enter()
        try:
            entry = self._entry(key)
            check_readable(entry, self.path)
            if entry.method != STORED:
                value = self._get(key)
                return [value[start:start + length] for start, length in ranges]
            out = []
            for start, length in ranges:
                start = min(start, entry.csize)
                length = min(length, entry.csize - start)
                part = b"" if not length else os.pread(archive.fd, length,
                                                       entry.data + start)
                if len(part) != length:
                    raise ZipFormatError("%s: truncated: entry %r ends past the end of the file"
                                         % (self.path, key))
                out.append(part)
            return out
        finally:
            archive.leave()

    def _set(self, key, value, only_if_absent=False):
        archive = self._archive
        if not only_if_absent and key in archive.index:
            warnings.warn("%s: %r written again: a new entry is appended, which reads will "
                          "see; the old one stays in the file" % (self.path, key),
                          ZipDuplicateWarning, stacklevel=3)
        entry = new_entry(key, value, 0, dos_time())  # its CRC-32, outside the lock
        with archive.wlock:
            self._check_open_for_writing(archive)
            if only_if_absent and key in archive.index:
                return False
            entry.offset = archive.end
            header = local_header(entry)
            archive.write([header, value], archive.end)
            entry.data = archive.end + len(header)
            archive.end = entry.data + entry.csize
            archive.dirty = True
            archive.add(entry)
        return True

    def set_if_absent(self, key, value):
        """Store ``value`` at ``key`` unless a value is there; whether it was stored."""
        key = normalize_key(key)
        value = check_value(key, value)
        self._check_writable(key)
        return self._set(key, value, only_if_absent=True)

    def _cannot(self, what, key):
        return NotImplementedError(
            "%s: cannot %s %r: an entry of a zip archive cannot be removed or renamed in "
            "place. Build a new archive without it (ZipStore.from_store of a copy), or keep "
            "the data in a directory store while it changes" % (self.path, what, key))

    def _delete(self, key):
        if key not in self._archive.index:
            raise KeyError(key)
        raise self._cannot("delete", key)

    def delete_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        if prefix in self._archive.index or self.contains_prefix(prefix):
            raise self._cannot("delete", prefix)

    def rename(self, source, dest):
        source, dest = normalize_prefix(source), normalize_prefix(dest)
        self._check_writable(dest)
        if not self.contains_prefix(source):
            raise KeyError(source)
        raise self._cannot("rename", source)

    def _keys(self):
        archive = self._archive
        with archive.cond:
            if archive.closed:
                raise ValueError("%s: the ZipStore is closed" % self.path)
            return list(archive.index)

    def _list(self, start):
        return [key for key in self._keys() if key.startswith(start)]

    def list_dir_sizes(self, prefix=""):
        """(name, size) of the keys directly under ``prefix``."""
        prefix = normalize_prefix(prefix)
        start = prefix + "/" if prefix else ""
        index = self._archive.index
        return [(key[len(start):], index[key].usize) for key in self._list(start)
                if "/" not in key[len(start):]]

    def getsize(self, key):
        key = normalize_key(key)
        if self._archive.closed:
            raise ValueError("%s: the ZipStore is closed" % self.path)
        return self._archive.index[key].usize

    def stamp(self, key):
        """Where the last entry of ``key`` is in the file (each version of a key
        is a new entry elsewhere), or None when there is none."""
        entry = self._archive.index.get(key)
        return None if entry is None else entry.offset

    def describe_key(self, key):
        return "entry %r of %s" % (key, self.path)

    def lock_identity(self, key):
        return ("zip", os.path.realpath(self.path), key)

    def __reduce__(self):
        if not self.read_only:
            raise TypeError("%r is open for writing and does not pickle: one process writes "
                            "a zip archive (close it, then send ZipStore(path, 'r'))" % self)
        return type(self), (self.path, "r")

    def __repr__(self):
        return "ZipStore(%r, mode=%r)" % (self.path, self.mode)
