"""Directories below a store's root reached without following a symbolic link:
where :class:`LocalStore` creates, replaces, removes and moves files.

The root itself may be a link (it is the path the user gave). Below it, each
directory on the way to a change is opened relative to the one before with
``O_NOFOLLOW``, and the change is made relative to the last (``dir_fd``), so
no link, even one put there meanwhile, leads a change outside the root.
Reads may go through links; changes raise :func:`link_error` instead.
"""

import errno
import os
import stat

from zarr.storage.partials import PARTIAL_SUFFIX, writer_is_gone

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_NOFOLLOW = _DIR_FLAGS | getattr(os, "O_NOFOLLOW", 0)


def link_error(link, target):
    """The OSError (ELOOP) of a change to ``target`` refused because ``link``,
    on the way to it below the store's root, is a symbolic link."""
    return OSError(errno.ELOOP, "cannot change %s: a symbolic link below the store's root is on "
                   "the way, and changes never go through one (reads do)" % target, link)


def open_directory(root, parts, create=False, target=None):
    """An open file descriptor (close it) of the directory ``root/parts[0]/...``,
    each part opened without following a symbolic link.

    ``create`` makes missing directories (the root too); else a missing one
    raises FileNotFoundError. A link on the way raises :func:`link_error`, a
    file NotADirectoryError; both name the part and mention ``target`` (what
    was to change).

    Examples
    --------
    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> fd = open_directory(root, ["a", "b"], create=True)
    >>> os.close(fd); os.path.isdir(os.path.join(root, "a", "b"))
    True
    >>> os.symlink(root, os.path.join(root, "link"))
    >>> open_directory(root, ["link", "b"])
    Traceback (most recent call last):
    ...
    OSError: [Errno 40] cannot change ...: a symbolic link below the store's root is on ...
    """
    if parts:
        try:  # the common case in one call: the root followed, its first part not
            fd = os.open(root + "/" + parts[0], _NOFOLLOW)
        except OSError:
            pass  # missing, a link, a file: found out step by step below
        else:
            if len(parts) == 1:
                return fd
            return _open_parts(fd, root, parts, 1, create, target)
    try:
        fd = os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        if not create:
            raise
        try:
            os.makedirs(root, exist_ok=True)
            fd = os.open(root, _DIR_FLAGS)
        except OSError as e:
            raise type(e)(e.errno, e.strerror, target or root) from None
    return _open_parts(fd, root, parts, 0, create, target)


def _open_parts(fd, root, parts, start, create, target):
    """open_directory on from parts[start], in the directory open at fd (closed
    on the way, and on an error: the caller closes nothing)."""
    for i in range(start, len(parts)):
        try:
            child = _open_part(fd, root, parts, i, create, target)
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_part(fd, root, parts, i, create, target):
    part = parts[i]
    try:
        return os.open(part, _NOFOLLOW, dir_fd=fd)
    except FileNotFoundError:
        where = os.path.join(root, *parts[:i + 1])
        if not create:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), where) from None
        try:
            os.mkdir(part, dir_fd=fd)
        except FileExistsError:
            pass  # made meanwhile; opened as any other
        except OSError as e:
            raise type(e)(e.errno, e.strerror, target or where) from None
        return _open_child(fd, part, where, target)
    except OSError as e:
        where = os.path.join(root, *parts[:i + 1])
        if e.errno not in (errno.ENOTDIR, errno.ELOOP):
            raise type(e)(e.errno, e.strerror, target or where) from None
        return _open_child(fd, part, where, target)


def _open_child(fd, part, where, target):
    try:
        return os.open(part, _NOFOLLOW, dir_fd=fd)
    except OSError as e:
        if e.errno not in (errno.ENOTDIR, errno.ELOOP):
            raise type(e)(e.errno, e.strerror, target or where) from None
        try:
            is_link = stat.S_ISLNK(os.lstat(part, dir_fd=fd).st_mode)
        except OSError:
            is_link = False
        if is_link:
            raise link_error(where, target or where) from None
        raise NotADirectoryError(errno.ENOTDIR, "not a directory, on the way to %s"
                                 % (target or where), where) from None


def tidy(fd, where, remove_empty=False, budget=None, refuse_links=False):
    """Remove, under the directory open at ``fd`` (shown as ``where``), the
    temporary files whose writers are gone and, with ``remove_empty``, the
    directories left empty; the paths of the files removed.

    Hidden directories (another writer's work, being built or removed) and
    symbolic links are never entered; with ``refuse_links`` a link to a
    directory raises :func:`link_error`. With ``budget``, at most that many
    entries are looked at (a directory entered counts as 32; one that holds
    more than the budget has left is not looked into, and the tidy stops),
    and a directory whose size says it holds more than a hundred or two is not
    listed (one ``fstat``), so the cost stays small in any array.
    Failures to remove are ignored: tidying never stops a caller.
    """
    removed = []
    left = [budget]
    _tidy(fd, where, remove_empty, left, refuse_links, removed)
    return removed


# What entering a directory costs of a budget, in entries.
_DIRECTORY_COST = 32

#: A directory larger than this (bytes, as ``fstat`` gives) is not listed by a
#: tidy on a budget: on ext4 one block, a hundred names or two.
SMALL_DIRECTORY = 4096


def _tidy(fd, where, remove_empty, left, refuse_links, removed):
    """Whether the directory is empty (of anything but what was removed)."""
    if left[0] is not None and os.fstat(fd).st_size > SMALL_DIRECTORY:
        return False
    with os.scandir(fd) as scan:
        entries = list(scan)
    if left[0] is not None:
        if len(entries) > left[0]:
            left[0] = 0
            return False
        left[0] -= len(entries)
    empty = True
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if name[0] != "." and _tidy_child(fd, name, where, remove_empty, left,
                                                  refuse_links, removed) and remove_empty:
                    os.rmdir(name, dir_fd=fd)
                else:
                    empty = False
            elif name.endswith(PARTIAL_SUFFIX) and writer_is_gone(name):
                os.unlink(name, dir_fd=fd)
                removed.append(os.path.join(where, name))
            else:
                empty = False
                if refuse_links and entry.is_symlink() and entry.is_dir():
                    raise link_error(os.path.join(where, name), where)
        except FileNotFoundError:
            continue
        except OSError as e:
            if e.errno == errno.ELOOP and refuse_links:
                raise
            empty = False
    return empty


def _tidy_child(fd, name, where, remove_empty, left, refuse_links, removed):
    if left[0] is not None:
        if left[0] < _DIRECTORY_COST:
            left[0] = 0
            return False
        left[0] -= _DIRECTORY_COST
    try:
        child = os.open(name, _NOFOLLOW, dir_fd=fd)
    except OSError:
        return False  # replaced by a link or a file meanwhile, or unreadable
    try:
        return _tidy(child, os.path.join(where, name), remove_empty, left, refuse_links, removed)
    finally:
        os.close(child)
