"""Files replaced in one step, and read whole (regular files only, metadata
within a size limit): the file work of :class:`LocalStore`."""

import errno
import os

from zarr.errors import MetadataError
from zarr.ext import READ_FLAGS, check_regular_file, exchange_files
from zarr.storage.partials import PARTIAL_SUFFIX, partial_name  # noqa: F401 - PARTIAL_SUFFIX is
                                                                # imported from here too

#: The largest metadata file (``.zarray``, ``.zgroup``, ``.zattrs``) that is
#: read, in bytes; a larger one is refused unread.
MAX_METADATA_SIZE = 64 * 2**20

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC

# Cleared when the kernel has no renameat2 (ENOSYS).
_exchange_works = True
# The devices (st_dev) whose file systems refused an exchange.
_no_exchange_devices = set()


def _replace_by_exchange(tmp, target, dir_fd, path):
    """Swap tmp (the new file) with an existing target, then remove tmp (now the
    old file); both relative to dir_fd (None: paths). False, with nothing
    done, when target does not exist or the exchange is not supported there.
    Errors name ``path``, the target's path."""
    global _exchange_works
    if not _exchange_works:
        return False
    if _no_exchange_devices and os.stat(tmp, dir_fd=dir_fd).st_dev in _no_exchange_devices:
        return False
    try:
        exchange_files(tmp, target, dir_fd)
    except OSError as e:
        if e.errno == errno.ENOENT:
            return False
        if e.errno == errno.ENOSYS:
            _exchange_works = False
            return False
        if e.errno in (errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
            _no_exchange_devices.add(os.stat(tmp, dir_fd=dir_fd).st_dev)
            return False
        if e.errno == errno.EPERM:
            return False  # a rename may still be allowed, or says why not
        raise OSError(e.errno, e.strerror, path) from None
    try:
        os.remove(tmp, dir_fd=dir_fd)
    except IsADirectoryError:
        # A directory was in the way, which a rename would have refused: put it
        # back where it was.
        try:
            exchange_files(tmp, target, dir_fd)
        except OSError as e:
            raise OSError(e.errno, "a directory was in the way of %s and could not be put "
                          "back from %s: %s" % (path, tmp, e.strerror), path) from None
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path) from None
    except OSError:
        pass  # the write is done; a leftover temporary file is ignored by readers
    return True


def write_file_atomic(path, data, fsync=False, exchange=False):
    """Replace the file at ``path`` by ``data`` in one step.

    The bytes go to a temporary file in the same directory (named by
    :func:`zarr.storage.partials.partial_name`), which is then renamed over
    ``path``: a reader sees the old file or the new one, never a torn one.
    If anything fails, the temporary file is removed, ``path`` is left as it
    was, and the error names ``path``. With ``fsync``, the file and its
    directory are synced to disk before returning. Missing parent
    directories are created.

    With ``exchange`` (and without ``fsync``), an existing file is replaced
    by swapping it with the temporary file in one step (Linux's
    ``renameat2(RENAME_EXCHANGE)``), then removing the old one. On ext4 a
    rename over an existing file starts the new file's writeback at once and
    waits for the disk to take it; the exchange leaves the writeback to the
    kernel's usual delay, as a new file gets. Readers, and writers killed at
    any point, still see the old file or the new one; after a power loss
    within that delay the file may be empty (as a new file may), where a
    rename over it would have left the old or the new one.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_file_atomic(os.path.join(d, "a", "x"), b"new")
    >>> open(os.path.join(d, "a", "x"), "rb").read()
    b'new'
    """
    path = os.fspath(path)
    write_in_directory(None, path, os.path.basename(path), data, fsync, exchange)


def write_in_directory(dir_fd, path, name, data, fsync=False, exchange=False):
    """:func:`write_file_atomic` of the file ``name`` in the directory open at
    ``dir_fd``; ``path`` is its whole path, which errors name. With
    ``dir_fd`` None, of the file at ``path`` (whose last part is ``name``),
    its directory made when missing.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> fd = os.open(d, os.O_RDONLY)
    >>> write_in_directory(fd, os.path.join(d, "x"), "x", b"new"); os.close(fd)
    >>> os.listdir(d)
    ['x']
    """
    target = name if dir_fd is not None else path
    tmp, fd = _new_partial(dir_fd, path, name)
    try:
        try:
            view = memoryview(data).cast("B")
            written = 0
            while written < len(view):
                written += os.write(fd, view[written:])
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if not (exchange and not fsync and _replace_by_exchange(tmp, target, dir_fd, path)):
            os.replace(tmp, target, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        if fsync:
            _sync_directory(dir_fd, path)
    except BaseException as e:
        try:
            os.remove(tmp, dir_fd=dir_fd)
        except OSError:
            pass  # gone already (renamed in), or not ours to remove: ignored by readers
        if isinstance(e, OSError) and e.errno is not None and e.filename != path:
            # The temporary file, or nothing, named: the key's file instead.
            raise type(e)(e.errno, e.strerror, path) from e
        raise


def _new_partial(dir_fd, path, name):
    """(name, or path when dir_fd is None; open descriptor) of a new temporary
    file for the file ``name`` at ``path``. A name taken already (a file left
    by a killed process that had this process's id) gives way to the next."""
    for _ in range(1000):
        tmp = partial_name(name)
        if dir_fd is None:
            tmp = path[:len(path) - len(name)] + tmp
        try:
            try:
                return tmp, os.open(tmp, _NEW_FILE, 0o666, dir_fd=dir_fd)
            except FileNotFoundError:
                if dir_fd is not None:
                    raise
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                return tmp, os.open(tmp, _NEW_FILE, 0o666, dir_fd=dir_fd)
        except FileExistsError:
            continue
        except OSError as e:
            raise type(e)(e.errno, e.strerror, path) from None
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file beside", path)


def _sync_directory(dir_fd, path):
    if dir_fd is not None:
        os.fsync(dir_fd)
        return
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_regular(path):
    """A file descriptor open for reading on the file at ``path``, and its
    ``os.stat_result``. The open never blocks, and a file that is not a
    regular file (a FIFO, a device, a link to one) is refused unread, as
    :func:`zarr.ext.check_regular_file` says; FileNotFoundError when there
    is none, other failures raised naming the file.

    Examples
    --------
    >>> fd, st = open_regular(__file__)
    >>> st.st_size > 0
    True
    >>> os.close(fd)
    """
    fd = os.open(path, READ_FLAGS)
    try:
        st = os.fstat(fd)
        check_regular_file(st, path)
    except BaseException as e:
        os.close(fd)
        raise_with_path(e, path)
        raise
    return fd, st


def read_file(path, metadata=False):
    """The bytes of the file at ``path``, or None when there is no such file.

    Any other failure to read (permission denied, an I/O error, a directory
    in the way, a file that is not a regular file: see :func:`open_regular`)
    raises. With ``metadata``, a file of more than :data:`MAX_METADATA_SIZE`
    bytes is a MetadataError, unread.

    Examples
    --------
    >>> read_file("/nonexistent/file") is None
    True
    """
    try:
        fd, st = open_regular(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno == errno.ENAMETOOLONG:  # no file can have that name
            return None
        raise_with_path(e, path)
        raise
    limit = MAX_METADATA_SIZE if metadata else None
    try:
        size = st.st_size
        if limit is not None and size > limit:
            raise _too_large(path, "%d bytes" % size)
        data = os.pread(fd, size if size > 0 else 65536, 0)
        if 0 < size <= len(data):
            return data
        # Shorter than fstat said, or of no size (as some files of /proc): read
        # on to the end.
        parts = [data]
        offset = len(data)
        while parts[-1] and (limit is None or offset <= limit):
            part = os.pread(fd, 1 << 20, offset)
            parts.append(part)
            offset += len(part)
        if limit is not None and offset > limit:
            raise _too_large(path, "more than %d bytes" % limit)
        return b"".join(parts)
    except OSError as e:
        raise_with_path(e, path)
        raise
    finally:
        os.close(fd)


def _too_large(path, size):
    return MetadataError("file %s: %s, over the limit of %d bytes of a metadata file "
                         "(zarr.storage.files.MAX_METADATA_SIZE); not read"
                         % (path, size, MAX_METADATA_SIZE))


def raise_with_path(e, path):
    """Raise ``e`` again naming ``path`` when it is an OSError that names no file
    (as those of os.write or of a read after open do)."""
    if isinstance(e, OSError) and e.filename is None and e.errno is not None:
        raise type(e)(e.errno, e.strerror, os.fspath(path)) from e
