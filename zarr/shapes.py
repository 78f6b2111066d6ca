"""The shape of an array over a store: the stored shape, which every handle
takes on, and the changes of it (resize, append).

:class:`ShapeChanges` is a part of :class:`zarr.Array`. A handle keeps the
shape it last read with a cheap stamp of its ``.zarray`` (``Store.stamp``:
one ``stat`` in a directory); writes and shape changes compare the stamp and
read the metadata again only when it changed, so that a handle whose array
another handle resized indexes against the stored shape, and one whose array
was removed raises instead of reading fill values or writing chunks.
"""

import contextlib
import errno

import numpy as np

from zarr.errors import MetadataError
from zarr.indexing import cells_outside
from zarr.meta import array_metadata, dumps
from zarr.meta3 import dumps_v3, v3_document
from zarr.options import metadata_of, read_metadata
from zarr.storage import describe_node
from zarr.util import normalize_resize


class ShapeChanges:
    """The stored shape and its changes (see :class:`zarr.Array`)."""

    # The stored metadata: a handle takes on the shape another handle stored,
    # and refuses an array that is gone.

    def _metadata_current(self):
        """Whether the shape this handle knows is the stored one: True, or False
        after taking on the stored shape (another handle resized the array).
        Costs one ``stamp`` of the store (a ``stat`` in a directory) unless
        the metadata changed. FileNotFoundError when the metadata is gone,
        MetadataError when another array replaced it."""
        stamp = self._store.stamp(self._meta_key)
        if stamp is not None and stamp == self._stamp:
            return True
        self._reload_metadata(stamp)
        return False

    def _reload_metadata(self, stamp):
        """Take on the shape stored (as of ``stamp``, taken before reading)."""
        where = describe_node(self._store, self._key_prefix)
        if stamp is None:
            raise FileNotFoundError(errno.ENOENT, "the array's %s is gone (the array was "
                                    "removed) at" % self._meta_key.rpartition("/")[2], where)
        meta = read_metadata(self._store, self._key_prefix)
        ours = dict(self._metadata(), shape=None, attributes=None)
        theirs = dict(metadata_of(meta), shape=None, attributes=None)
        if theirs != ours:
            changed = sorted(k for k, v in theirs.items() if ours.get(k, v) != v)
            raise MetadataError("%s: the array was replaced by another (its %s changed)"
                                % (where, ", ".join(changed)))
        self._shape = meta["shape"]
        self._stamp = stamp

    @contextlib.contextmanager
    def _shape_change(self):
        """Held across a resize or an append: the synchronizer's array lock
        (shared by every handle of the array in this process; in every
        process with a process synchronizer), under which the stored shape
        is taken on before it changes."""
        sync = self._synchronizer
        if sync is None:
            self._metadata_current()
            yield
            return
        with sync.array_lock(self._lock_ident):
            if getattr(sync, "across_processes", False):
                # Always read: the stamp of a file another host replaced may
                # repeat (its clock, its file system's inode numbers).
                self._reload_metadata(self._store.stamp(self._meta_key))
            else:
                self._metadata_current()
            yield

    # Shape changes.

    def resize(self, *shape):
        """Change the shape; data inside the new shape keeps its place.

        Every stored chunk outside the new shape is dropped (the store is
        listed, so chunks another handle left there go too), and the part of
        an edge chunk that falls outside is reset to the fill value, so that
        growing again shows fill values there, never old data.

        Every handle of the array checks the stored shape before each write
        (one ``stat`` of ``.zarray`` in a directory): a write begun after a
        resize returned, through any handle in any process, sees the new
        shape (an index beyond it is an IndexError). Resizes and appends of a
        synchronized array hold its array lock and start from the stored
        shape: in one process, threads and handles resizing one array take
        turns; across processes they do with a :class:`zarr.ProcessSynchronizer`
        (``process_sync=True``), without one a resize may start from a shape
        another process is changing. A write running while another thread
        or process resizes is not ordered with it: it may write into the old
        shape, and what it writes beyond the new one is lost, or, in the part
        of an edge chunk beyond the new shape, may show again when the array
        grows back.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros((10, 10), chunks=(4, 4), dtype="i4")
        >>> z[:] = 1
        >>> z.resize(5, 5); z.resize(10, 10)
        >>> int(z[...].sum()), z.nchunks_initialized
        (25, 4)
        """
        new = normalize_resize(shape, self.ndim)
        self._check_writable()
        self._store.check_writable(self._meta_key)  # before a chunk is dropped
        with self._shape_change():
            self._resize(new)

    def _resize(self, new):
        old = self._shape
        grid_old = self.cdata_shape
        grid_new = tuple(-(-n // c) for n, c in zip(new, self._chunks))
        kept = []
        growing = all(n >= o for n, o in zip(new, old))
        uncovered = cells_outside(grid_new, grid_old) if growing else None
        if uncovered is not None:
            # Growing: whatever another handle left in the cells now covered goes.
            for key in uncovered:
                self._drop_chunk(key)
        else:
            # Every stored chunk outside the new grid goes, however far out.
            for key, _ in self._stored_chunks(within=False):
                if any(k >= g for k, g in zip(key, grid_new)):
                    self._drop_chunk(key)
                elif all(k < g for k, g in zip(key, grid_old)):
                    kept.append(key)
        for axis, (n_old, n_new, c) in enumerate(zip(old, new, self._chunks)):
            if n_new < n_old and n_new % c:
                edge = n_new // c
                local = [slice(None)] * self.ndim
                local[axis] = slice(n_new % c, None)
                local = tuple(local)
                for key in kept:
                    if key[axis] == edge:
                        self._chunk(key).write(local, self._fill_value)
        self._shape = new
        try:
            self._shape_changed()
        except BaseException:
            self._shape = old  # the stored shape did not change (a full disk, say)
            raise

    def _metadata(self):
        if self._v3_meta is not None:
            return v3_document(dict(self._v3_meta, shape=self._shape))
        stored = np.dtype(object) if self._dtype.hasobject else self._dtype  # StringDType too
        return array_metadata(self._shape, stored, self._chunks, self._compressor,
                              self.fill_value, self._separator,
                              self._object_codec if self._dtype.hasobject else None,
                              self._filters)

    def _shape_changed(self):
        if self._v3_meta is not None:
            # The attributes stored now stay (they are changed under the array lock).
            stored = read_metadata(self._store, self._key_prefix)
            text = dumps_v3(v3_document(dict(self._v3_meta, shape=self._shape),
                                        stored["attributes"]))
        else:
            text = dumps(self._metadata())
        self._store.set(self._meta_key, text.encode())
        self._stamp = self._store.stamp(self._meta_key)
        if self._separator == "/":
            self._store.prune(self._key_prefix)

    def _drop_chunk(self, key):
        self._chunk(key).clear()

    def append(self, data, axis=0):
        """Grow the array along ``axis`` by ``data``.

        ``data`` must match the array's shape on every other axis. If writing
        it fails, the array keeps its old shape and data. Appends start from
        the stored shape under the array's lock, as :meth:`resize` says.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(6).reshape(2, 3), chunks=(2, 2))
        >>> z.append(np.ones((2, 3), int)); z.append([[9], [9], [9], [9]], axis=1)
        >>> z.shape, z[:, -1].tolist()
        ((4, 4), [9, 9, 9, 9])
        """
        ndim = self.ndim
        if ndim == 0:
            raise ValueError("cannot append to a 0-d array")
        if not -ndim <= axis < ndim:
            raise np.exceptions.AxisError(axis, ndim)
        axis %= ndim
        if not isinstance(data, np.ndarray):
            data = np.asarray(data, dtype=self._dtype)
        if data.ndim != ndim:
            raise ValueError("data to append must have %d dimensions, not %d (shape %s)"
                             % (ndim, data.ndim, data.shape))
        data = self._prepare_value(data, data.shape)
        self._check_writable()
        self._store.check_writable(self._meta_key)  # before a chunk is dropped
        with self._shape_change():
            for i, (n, m) in enumerate(zip(self._shape, data.shape)):
                if i != axis and n != m:
                    raise ValueError("data of shape %s cannot be appended along axis %d to an "
                                     "array of shape %s" % (data.shape, axis, self._shape))
            old = self._shape
            new = list(old)
            new[axis] += data.shape[axis]
            self._resize(tuple(new))
            sel = [slice(None)] * ndim
            sel[axis] = slice(old[axis], new[axis])
            try:
                self[tuple(sel)] = data
            except BaseException:
                self._resize(old)
                raise
