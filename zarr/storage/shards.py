"""The container files of a sharded store: read without locks, changed in
groups under one lock per file.

Every change of a container (:func:`zarr.storage.h5container.commit`) is
appended past the file's end and made the file's content by one write of its
superblock, so a reader needs no lock: it reads the version the superblock
names, and that version's bytes are never overwritten. Changes hold two
locks, in this order: the container's thread lock in this process, then an
exclusive ``flock`` on the container file itself (the lock HDF5's own file
locking takes, so that h5py writers wait for ours and ours for theirs). The
threads waiting for the lock do not commit one after the other: the one that
gets it commits every change queued meanwhile in one version of the file.

A container in another HDF5 layout, or mostly garbage (values replaced or
removed), is rewritten aside in this module's layout and renamed over the
old file; a process waiting for the old file's lock sees, once it has it,
that the path names a new file, and locks that one instead.

Examples
--------
>>> import os, tempfile
>>> c = container_file(os.path.join(tempfile.mkdtemp(), "0.h5"))
>>> c.change(lambda session: session.put("1.2", b"abc"), make_parent=lambda: None)
>>> c.read("1.2"), c.names()
(b'abc', {'1.2': 3})
"""

import contextvars
import os
import fcntl
import stat
import threading
import time
import weakref

from zarr.errors import CorruptChunkError, NotAFileError
from zarr.parallel import run_tasks
from zarr.storage import h5container as h5c
from zarr.storage.partials import partial_name

#: A change that would leave a container's unreachable bytes exceeding its live
#: ones by this much writes the container anew, beside itself, instead.
COMPACT_SLACK = 64 << 10
#: The most bytes of chunk values a :class:`WriteBatch` holds before committing them.
BATCH_BYTES = 64 << 20

_READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC
_WRITE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
_READ_ATTEMPTS = 5
# An index read through h5py is kept only when the file has not changed for
# this long (seconds): the file's modification time, the only sign that it
# changed, has a coarse clock.
_FOREIGN_SETTLED = 1.0

_registry = {}
_registry_lock = threading.Lock()
_MAX_REGISTRY = 8192
# Every ContainerFile of the process, so that a forked child can renew their
# locks (a thread of the parent may have held one at the fork).
_every = weakref.WeakSet()


def _renew_after_fork():
    global _registry_lock
    _registry_lock = threading.Lock()
    for container in list(_every):
        container._renew()


os.register_at_fork(after_in_child=_renew_after_fork)


class WriteBatch:
    """The chunk writes of one call into containers, held until the call
    ends and then committed as one version of each container.

    The values wait in their :class:`ContainerFile` (one per file in the
    process), where every reader and writer of this process sees them, so
    that a chunk lock let go before the commit loses no update: a writer
    that reads a held chunk changes the held value, and each commit stores
    the newest one. Other processes see the values once committed. Only
    the context that opened the batch (and the package's threads working
    for it, which run in copies of it) holds its writes; any other writer
    commits before it returns, as always.
    """

    def __init__(self, owner, commit_group, budget=None):
        self.owner = owner  # the store whose writes are held
        self._commit_group = commit_group
        self._budget = BATCH_BYTES if budget is None else budget
        self._lock = threading.Lock()
        self._groups = {}  # container key: (its ContainerFile, {name there: (chunk key, value)})
        self._nbytes = 0

    def put(self, container, container_key, key, name, value):
        container.hold(name, value)
        with self._lock:
            self._groups.setdefault(container_key, (container, {}))[1][name] = (key, value)
            self._nbytes += len(value)
            if self._nbytes <= self._budget:
                return
            # Over budget: the putting thread commits what is held so far.
            groups, self._groups, self._nbytes = self._groups, {}, 0
        self._commit(groups, 1)

    def commit(self, threads=None):
        """Commit what is held, on up to ``threads`` threads:
        ``commit_group(container_key, container, {name: chunk key})`` for
        each container. Every container is tried; the first error is raised
        once all are done, and no value of this batch is held after it."""
        with self._lock:
            groups, self._groups, self._nbytes = self._groups, {}, 0
        self._commit(groups, threads)

    def _commit(self, groups, threads):
        errors = []

        def committing(container_key, container, items):
            def task():
                try:
                    self._commit_group(container_key, container,
                                       {name: key for name, (key, _) in items.items()})
                except Exception as e:
                    errors.append(e)
            return task
        try:
            run_tasks([committing(ck, c, items) for ck, (c, items) in groups.items()], threads)
        finally:
            for container, items in groups.values():  # those never tried (an interrupt)
                for name, (_, value) in items.items():
                    container.drop_held(name, value)
        if errors:
            raise errors[0]


_holding = contextvars.ContextVar("zarr_container_writes", default=None)


def held_writes(store):
    """The :class:`WriteBatch` of ``store`` open in this context, or None."""
    batch = _holding.get()
    return batch if batch is not None and batch.owner is store else None


class holding_writes:
    """A context in which ``store``'s chunk writes into containers are held
    in a :class:`WriteBatch` and committed when it ends (also when it ends
    by an exception: what was written stays written, as it would unbatched).
    A context inside another of the same store adds to the outer batch."""

    def __init__(self, store, threads=None):
        self.store, self.threads = store, threads
        self._token = self._batch = None

    def __enter__(self):
        if held_writes(self.store) is None:
            self._batch = WriteBatch(self.store, self.store._commit_held)
            self._token = _holding.set(self._batch)
        return self

    def __exit__(self, *exc):
        if self._batch is not None:
            _holding.reset(self._token)
            self._batch.commit(self.threads)
        return False


def container_file(path):
    """The :class:`ContainerFile` of ``path``, shared by every store of this
    process that reaches the file (by its real path)."""
    real = os.path.realpath(path)
    with _registry_lock:
        found = _registry.get(real)
        if found is None:
            if len(_registry) >= _MAX_REGISTRY:
                # Two objects of one file are safe: their flocks exclude each
                # other. One holding values for a commit stays the only one.
                for key in [k for k, c in _registry.items() if not c._held]:
                    del _registry[key]
            found = _registry[real] = ContainerFile(real)
        return found


class _Work:
    __slots__ = ("apply", "done", "error", "result", "fsync", "make_parent")

    def __init__(self, apply):
        self.apply, self.done, self.error, self.result = apply, False, None, None


class Session:
    """The changes of one locked version of a container: read what it holds,
    queue puts and removes, :meth:`flush` them into a new version."""

    def __init__(self, container, fd, index):
        self.container, self.fd, self.index = container, fd, index
        self.fsync = False
        self._puts, self._removes = {}, set()

    def has(self, name):
        if name in self._puts:
            return True
        return name not in self._removes and self._held(name)

    def _held(self, name):
        index = self.index
        return name in index.entries or name in index.inline or name in index.bad

    def read(self, name):
        """The bytes of ``name`` in this version, queued changes included."""
        if name in self._puts:
            return bytes(self._puts[name])
        if name in self._removes:
            raise KeyError(name)
        return h5c.read_value(self.fd, self.index, name)

    def put(self, name, value):
        if len(value) > h5c.MAX_VALUE:
            raise ValueError("a container's value is at most %d bytes, not %d"
                             % (h5c.MAX_VALUE, len(value)))
        self._removes.discard(name)
        self._puts[name] = value

    def remove(self, name):
        """Queue the removal of ``name`` (a value held for it included);
        whether it was there."""
        was = self.container.drop_held(name) | self.has(name)
        self._puts.pop(name, None)
        if self._held(name):
            self._removes.add(name)
        return was

    def flush(self):
        """Commit the queued changes as a new version of the file."""
        if not self._puts and not self._removes:
            return
        index, container = self.index, self.container
        puts, removes = self._puts, self._removes
        if not index.ours or (h5c.garbage_after(index, puts, removes)
                              > h5c.live_after(index, puts, removes) + COMPACT_SLACK):
            # Mostly garbage once committed in place: written aside instead,
            # with only the values kept copied.
            self.index = container._rewrite(self.fd, index, self._puts, self._removes,
                                            self.fsync)
            self.fd = container._fd
        else:
            self.index = h5c.commit(self.fd, index, self._puts, self._removes, self.fsync)
            container._remember(self.fd, self.index)
        self._puts, self._removes = {}, set()


class ContainerFile:
    """One container file: its cached index, its locks and its queue of changes."""

    def __init__(self, path):
        self.path = path
        self._cached = None  # (identity, index)
        self._renew()
        _every.add(self)

    def _renew(self):
        inherited = getattr(self, "_fd", None)
        if inherited is not None:  # a copy of the parent's locked file: its lock is the parent's
            try:
                os.close(inherited)
            except OSError:
                pass
        self._commit_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue = []
        self._held_lock = threading.Lock()
        self._held = {}  # name: value written by a WriteBatch, not yet committed
        self._fd = None  # the locked file's descriptor, while a change holds the lock

    # Reading.

    def _identity(self, st, superblock):
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, superblock)

    def _index(self, fd, st, superblock, reading=True):
        cached = self._cached
        if cached is not None:
            identity, index = cached
            if identity == self._identity(st, superblock):
                return index
        try:
            index = h5c.read_index(fd, self.path)
        except h5c.ForeignLayout:
            if reading:  # while no HDF5 writer has the file (they lock it)
                fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                index = h5c.read_index_h5py(self.path)
            finally:
                if reading:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            if time.time() - st.st_mtime_ns / 1e9 < _FOREIGN_SETTLED:
                return index
        if index.ours and index.superblock != superblock:
            raise CorruptChunkError("container file %s changed while it was read" % self.path)
        self._cached = (self._identity(st, superblock), index)
        return index

    def _remember(self, fd, index):
        st = os.fstat(fd)
        self._cached = (self._identity(st, index.superblock), index)

    def _with_index(self, use, missing, keep=False):
        """``use(fd, index)`` on the file's current version; ``missing()`` when
        the file is missing or empty. With ``keep``, a tuple ``use`` returns
        holds ``fd``, left open for the caller to close."""
        for attempt in range(_READ_ATTEMPTS):
            try:
                fd = os.open(self.path, _READ_FLAGS)
            except (FileNotFoundError, NotADirectoryError):
                return missing()
            kept = False
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise NotAFileError("container %s is not a regular file" % self.path)
                if st.st_size == 0:
                    return missing()  # made by a writer that has not committed yet
                superblock = os.pread(fd, h5c.SUPERBLOCK_SIZE, 0)
                try:
                    result = use(fd, self._index(fd, st, superblock))
                    kept = keep and type(result) is tuple
                    return result
                except CorruptChunkError:
                    # A superblock read while a writer replaced it can be part
                    # old, part new: a second look at a file that changed says.
                    if attempt + 1 < _READ_ATTEMPTS and _changed(fd, superblock):
                        continue
                    raise
            finally:
                if not kept:
                    os.close(fd)
        raise AssertionError("unreachable")

    def read(self, name, ranges=None):
        """The bytes of ``name`` (or of its ``(start, length)`` ranges);
        KeyError when the file or the name is missing."""
        held = self.held(name)
        if held is not None:
            return held if ranges is None else [held[start:start + length]
                                                for start, length in ranges]

        def missing():
            raise KeyError(name)
        return self._with_index(lambda fd, index: h5c.read_value(fd, index, name, ranges),
                                missing)

    def open_value(self, name):
        """Where the value of ``name`` is: ``(fd, offset, nbytes)`` in the
        file open at ``fd``, which the caller closes; its bytes, when it is
        not a plain range of the file (held for a commit, or in a layout
        read through h5py); None when the file or the name is missing.

        The range keeps this value's bytes while ``fd`` is open: a change
        appends past the version's end, a compaction writes a new file.
        """
        held = self.held(name)
        if held is not None:
            return held

        def use(fd, index):
            where = h5c.value_range(index, name)
            if where is None:
                try:
                    return h5c.read_value(fd, index, name)  # its bytes, or its error
                except KeyError:
                    return None
            return (fd,) + where
        return self._with_index(use, lambda: None, keep=True)

    def open_version(self):
        """``(fd, index)`` of the file's current version, open until the
        caller closes ``fd``, when it is in this package's layout; else None
        (missing, empty, or read through h5py)."""
        def use(fd, index):
            return (fd, index) if index.ours else None
        return self._with_index(use, lambda: None, keep=True)

    def size(self, name):
        """The length of the value of ``name``; KeyError when it is missing."""
        held = self.held(name)
        if held is not None:
            return len(held)

        def missing():
            raise KeyError(name)
        return self._with_index(lambda fd, index: index.size_of(name), missing)

    def names(self):
        """{name: size} of the values the file holds (empty when it is missing)."""
        return self._with_index(
            lambda fd, index: {name: index.size_of(name) for name in index.names()}, dict)

    # Values held for a commit (see WriteBatch).

    def hold(self, name, value):
        with self._held_lock:
            self._held[name] = value

    def held(self, name):
        """The value held for ``name``, or None."""
        if not self._held:
            return None
        with self._held_lock:
            return self._held.get(name)

    def drop_held(self, name, value=None):
        """Forget the value held for ``name`` (only if it is ``value``, when
        given); whether there was one."""
        with self._held_lock:
            held = self._held.get(name)
            if held is None or (value is not None and held is not value):
                return False
            del self._held[name]
            return True

    def commit_held(self, names, put=None, make_parent=None, fsync=False):
        """Commit the newest values held for ``names`` (those still held) in
        one version, each by ``put(session, name, value)`` (default
        ``session.put``). They stop being held once stored, or once the
        commit fails (and its error is raised): nothing is held that is not
        on its way to the file."""
        def apply(session):
            with self._held_lock:
                values = [(n, self._held[n]) for n in names if n in self._held]
            for name, value in values:
                (put or Session.put)(session, name, value)
            return values
        with self._held_lock:
            tried = {n: self._held[n] for n in names if n in self._held}
        try:
            values = self.change(apply, make_parent, fsync)
        except BaseException:
            with self._held_lock:  # a newer value stays, for its own writer to commit
                for name, value in tried.items():
                    if self._held.get(name) is value:
                        del self._held[name]
            raise
        with self._held_lock:
            for name, value in values:
                if self._held.get(name) is value:
                    del self._held[name]

    # Changing.

    def change(self, apply, make_parent=None, fsync=False):
        """Run ``apply(session)`` with the file locked, in one group with the
        changes other threads queue meanwhile, and commit; what it returns.
        An exception of ``apply`` is raised to its caller alone (its changes
        are dropped); a failure of the commit is raised to every caller.

        A missing file is made (holding the lock of its directory, see
        :meth:`zarr.storage.ShardedStore`), its directories by
        ``make_parent()``, when that is given; else FileNotFoundError."""
        work = _Work(apply)
        work.fsync, work.make_parent = fsync, make_parent
        with self._queue_lock:
            self._queue.append(work)
        with self._commit_lock:
            if not work.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._run(batch)
        if work.error is not None:
            raise work.error
        return work.result

    def _run(self, batch):
        makers = [w.make_parent for w in batch if w.make_parent is not None]
        try:
            fd = self._lock(makers[0] if makers else None)
        except BaseException as e:
            for work in batch:
                work.error, work.done = e, True
            return
        try:
            session = Session(self, fd, self._locked_index(fd))
            session.fsync = any(w.fsync for w in batch)
            for work in batch:
                saved = dict(session._puts), set(session._removes)
                try:
                    work.result = work.apply(session)
                except Exception as e:
                    session._puts, session._removes = saved
                    work.error = e
            session.flush()
        except BaseException as e:
            for work in batch:
                if work.error is None:
                    work.error = e
        finally:
            for work in batch:
                work.done = True
            os.close(self._fd)
            self._fd = None

    def _open_for_change(self, make_parent):
        try:
            return os.open(self.path, _WRITE_FLAGS & ~os.O_CREAT)
        except FileNotFoundError:
            if make_parent is None:
                raise
        try:
            directory = os.open(os.path.dirname(self.path), _READ_FLAGS | os.O_DIRECTORY)
        except FileNotFoundError:
            make_parent()
            directory = os.open(os.path.dirname(self.path), _READ_FLAGS | os.O_DIRECTORY)
        try:
            fcntl.flock(directory, fcntl.LOCK_EX)  # see ShardedStore._locked_plain
            return os.open(self.path, _WRITE_FLAGS, 0o666)
        finally:
            os.close(directory)

    def _lock(self, make_parent):
        """The container file, open for writing and locked."""
        while True:
            fd = self._open_for_change(make_parent)
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise NotAFileError("container %s is not a regular file" % self.path)
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    now = os.stat(self.path)
                except FileNotFoundError:
                    now = None
                if now is not None and (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                    self._fd = fd
                    return fd
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # replaced by a rewrite while this waited: lock the new file

    def _locked_index(self, fd):
        st = os.fstat(fd)
        if st.st_size == 0:
            return h5c.empty_index()
        return self._index(fd, st, os.pread(fd, h5c.SUPERBLOCK_SIZE, 0), reading=False)

    def _rewrite(self, fd, index, puts, removes, fsync):
        """Write the file's values with the changes into a new file beside it,
        then rename it over the old one; the new one stays locked."""
        directory, name = os.path.split(self.path)
        tmp = os.path.join(directory, partial_name(name))
        new = os.open(tmp, _WRITE_FLAGS | os.O_EXCL, 0o666)
        try:
            fcntl.flock(new, fcntl.LOCK_EX)
            result = h5c.rewrite(new, index, lambda n: h5c.read_value(fd, index, n), puts,
                                 removes, fsync)
            os.replace(tmp, self.path)
        except BaseException:
            os.close(new)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        os.close(fd)
        self._fd = new
        st = os.fstat(new)
        result.identity = (st.st_dev, st.st_ino)
        self._remember(new, result)
        return result


def _changed(fd, superblock):
    """Whether the superblock of the file at ``fd`` is no longer ``superblock``."""
    time.sleep(0.001)
    return os.pread(fd, h5c.SUPERBLOCK_SIZE, 0) != superblock
