"""Arrays over a store: numpy's indexing over a grid of chunks.

Every kind of array is this one mechanism: an array over (store, path,
codec, synchronizer). Its metadata is the ``.zarray`` at ``path`` in the
store; a chunk is the value at its chunk key, read and written by a chunk
object made when it is touched (:class:`zarr.ext.StoreChunk`, or
:class:`zarr.objects.ObjectChunk` for object arrays), which holds the
synchronizer's lock across each read-modify-write. The array keeps no state
per chunk.
"""

import math
from functools import partial

import numpy as np

from zarr.api3_nodes import ArrayAPI3
from zarr.attrs import Attributes, NodeAttributes
from zarr.bands import Bands
from zarr.codecs import DEFAULT, Blosc, codec_of, filters_of
from zarr.delayed.operands import DelayedOperations
from zarr.errors import ReadOnlyError
from zarr.ext import SHUFFLE_NAMES
from zarr.indexing import (NotBasicSelection, chunk_projections, normalize_selection,
                            one_chunk_selection, selection_shape)
from zarr.objects import check_elements, object_options
from zarr.options import new_metadata, prototype_chunk, read_metadata, write_new_metadata
from zarr.parallel import check_threads, get_threads, run_tasks
from zarr.selections import Selections
from zarr.shapes import ShapeChanges
from zarr.storage import ARRAY_META, ATTRS, V3_META, MemoryStore, chunk_key, join_key
from zarr.storage.keys import iter_chunk_keys
from zarr.sync import ThreadSynchronizer
from zarr.tokens import memory_token, new_version
from zarr.util import check_out, human_readable_size

# Dtype kinds whose casts can fail on values (strings, objects, datetimes): a
# value of another dtype is converted whole before any chunk is written, so
# that a bad element leaves the array as it was.
_FALLIBLE_KINDS = "OSUVmM"


class Summary(str):
    """A text summary, shown as itself at the interactive prompt."""

    def __repr__(self):
        return str(self)


class Array(Selections, ShapeChanges, ArrayAPI3, DelayedOperations):
    """A chunked, compressed N-dimensional array in memory.

    The array is cut into chunks of shape ``chunks``; each chunk is kept
    compressed with blosc in a :class:`zarr.storage.MemoryStore` (or the
    ``store`` given), and costs no memory until it is written. Indexing
    follows numpy, advanced indexing included; ``oindex``, ``vindex`` and
    ``blocks`` give orthogonal, point and block selections. A write
    broadcasts and casts its value as numpy does. Only the chunks a
    selection touches are visited.

    Use the creation functions (:func:`zarr.empty`, :func:`zarr.zeros`,
    :func:`zarr.array`, ...) rather than this class directly.

    Parameters
    ----------
    shape : int or tuple of int
    dtype : numpy dtype, optional
        float64 by default, as in numpy.
    chunks : int or tuple, optional
        The chunk shape; None or -1 in a dimension means the whole dimension;
        left out, a shape of about 1 MB is chosen.
    cname, clevel, shuffle : compression options
        See :func:`zarr.ext.check_options`; or ``compressor``, a codec
        (:class:`zarr.Blosc`, :class:`zarr.Zstd`, ... or a configuration such
        as ``{"id": "zstd", "level": 3}``) or None for raw chunks.
    fill_value : scalar, optional
        What unwritten elements read as; 0 of the dtype by default.
    blocksize : int, optional
        Blosc's block size in bytes; 0 or None (the default) lets blosc choose.
        Smaller blocks make small reads cheaper and whole-array work dearer.
    object_codec : {'msgpack2', 'vlen-utf8', 'vlen-bytes'} or codec, optional
        How an object array encodes its elements: by default ``vlen-utf8``
        for ``dtype=str``, ``vlen-bytes`` for ``dtype=bytes``, ``msgpack2``
        for ``dtype=object`` (see :func:`zarr.objects.object_options`); or
        :class:`zarr.VLenArray` for elements that are 1-D arrays.
    threads : int, optional
        How many threads a read or write of many chunks uses; None (the
        default) follows :func:`zarr.get_threads`.
    filters : list of codecs, optional
        Codecs applied to a chunk before its compressor, in order
        (:class:`zarr.Delta`, :class:`zarr.FixedScaleOffset`,
        :class:`zarr.Shuffle`, :class:`zarr.CRC32`, :class:`zarr.Adler32`,
        or their configurations).

    Examples
    --------
    >>> import zarr
    >>> z = zarr.Array((100, 100), "i4", chunks=(10, 10))
    >>> z[5:15, 5] = 7
    >>> int(z[...].sum()), z.nchunks_initialized
    (70, 2)
    """

    _synchronized = False

    def __init__(self, shape, dtype=None, chunks=None, cname=DEFAULT, clevel=DEFAULT,
                 shuffle=DEFAULT, fill_value=None, blocksize=DEFAULT, object_codec=None,
                 threads=None, compressor=DEFAULT, filters=None):
        threads = check_threads(threads)
        dtype, object_codec, fill_value = object_options(dtype, object_codec, fill_value)
        meta = new_metadata(shape, dtype, chunks, codec_of(compressor, cname, clevel, shuffle,
                                                           blocksize),
                            fill_value, ".", object_codec, filters_of(filters))
        store = MemoryStore()
        write_new_metadata(store, "", meta)
        self._setup(store, "", "a", meta, ThreadSynchronizer() if self._synchronized else None,
                    threads)

    @classmethod
    def _over(cls, store, path, mode, meta, synchronizer=None, threads=None):
        """An array of this kind over the metadata ``meta`` read from ``store`` at ``path``."""
        z = cls.__new__(cls)
        z._setup(store, path, mode, meta, synchronizer, threads)
        return z

    def _setup(self, store, path, mode, meta, synchronizer, threads):
        self._store = store
        self._key_prefix = path
        self._mode = mode
        self._threads = threads
        self._shape = meta["shape"]
        self._chunks = meta["chunks"]
        self._compressor = meta["compressor"]
        self._filters = tuple(meta.get("filters", ()))
        self._separator = meta["dimension_separator"]
        self._zarr_format = meta.get("zarr_format", 2)
        encoding = meta.get("chunk_key_encoding")
        self._key_leading = "c" if encoding is not None and encoding["name"] == "default" \
            else None
        self._v3_meta = meta if self._zarr_format == 3 else None
        self._object_codec = meta["object_codec"] or "msgpack2"
        proto = prototype_chunk(meta)
        self._dtype = proto.dtype
        self._fill_value = proto.fill_value
        self._no_fill = meta["fill_value"] is None
        self._proto = proto.at(store, "", None)  # bound once to what the store offers
        if synchronizer is None and self._synchronized:
            synchronizer = ThreadSynchronizer()
        self._synchronizer = synchronizer
        self._lock_ident = store.lock_identity(path)
        self._meta_key = join_key(path, V3_META if self._zarr_format == 3 else ARRAY_META)
        self._stamp = store.stamp(self._meta_key)
        self._is_fill = _fill_test(self._dtype, self._fill_value)

    # Properties.

    @property
    def shape(self):
        """The array's shape."""
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def chunks(self):
        """The shape of each chunk (edge chunks are stored at this shape too);
        of each inner chunk of a sharded array."""
        inner = None if self._v3_meta is None else self._v3_meta.get("inner_chunks")
        return self._chunks if inner is None else inner

    @property
    def shards(self):
        """The shape of each shard of a sharded v3 array (the cells of its
        grid, each stored as one value), else None."""
        if self._v3_meta is None or self._v3_meta.get("inner_chunks") is None:
            return None
        return self._chunks

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return math.prod(self._shape)

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        """The size of the data uncompressed, in bytes."""
        return self.size * self._dtype.itemsize

    @property
    def cbytes(self):
        """The size of the compressed chunks as stored, headers included, in bytes."""
        return sum(size for _, size in self._stored_chunks())

    @property
    def cdata_shape(self):
        """The number of chunks along each dimension."""
        return tuple(-(-n // c) for n, c in zip(self._shape, self._chunks))

    @property
    def nchunks(self):
        return math.prod(self.cdata_shape)

    @property
    def nchunks_initialized(self):
        """The number of chunks that hold written data."""
        return sum(1 for _ in self._stored_chunks())

    @property
    def compressor(self):
        """The codec of the chunks (:class:`zarr.Blosc`, :class:`zarr.Zstd`...),
        or None for raw chunks."""
        return self._compressor

    @property
    def filters(self):
        """The codecs applied before the compressor, as a list; None when
        there are none (an object array's codec is its ``object_codec``)."""
        return list(self._filters) or None

    @property
    def _blosc(self):
        return self._compressor if isinstance(self._compressor, Blosc) else None

    # Blosc's options: None and 0 when the chunks are not blosc frames.
    cname = property(lambda self: getattr(self._blosc, "cname", None))
    clevel = property(lambda self: getattr(self._blosc, "clevel", 0))
    shuffle = property(lambda self: getattr(self._blosc, "shuffle", 0))
    blocksize = property(lambda self: getattr(self._blosc, "blocksize", 0))

    @property
    def fill_value(self):
        """The fill value; None for a Zarr v2 array stored with none (``null``),
        whose chunks never written read as zeros."""
        return None if self._no_fill else self._fill_value

    @property
    def store(self):
        """The store that holds the array's metadata and chunks (:mod:`zarr.storage`)."""
        return self._store

    @property
    def key_prefix(self):
        """Where in its store the array is: '' at the top, else its path."""
        return self._key_prefix

    @property
    def dimension_separator(self):
        return self._separator

    @property
    def zarr_format(self):
        """The format of the stored array: 2 (``.zarray``) or 3 (``zarr.json``)."""
        return self._zarr_format

    @property
    def dimension_names(self):
        """The names of the dimensions a v3 array stores (a tuple), else None."""
        return None if self._v3_meta is None else self._v3_meta.get("dimension_names")

    @property
    def synchronizer(self):
        """What locks each chunk across a read-modify-write (:mod:`zarr.sync`), or None."""
        return self._synchronizer

    @property
    def threads(self):
        """How many threads a read or write of many chunks uses (None: the
        default of :func:`zarr.get_threads`); settable."""
        return self._threads

    @threads.setter
    def threads(self, value):
        self._threads = check_threads(value)

    def _threads_for(self, threads):
        if threads is not None:
            return check_threads(threads)
        if self._threads is not None:
            return self._threads
        # A store whose requests wait on a network overlaps more of them than cores.
        return max(get_threads(), getattr(self._store, "io_threads", 1))

    @property
    def attrs(self):
        """The array's user attributes, a dict of JSON values (:class:`zarr.attrs.Attributes`)."""
        attrs = self.__dict__.get("_attrs")
        if attrs is None:
            attrs = self.__dict__.setdefault("_attrs", self._new_attributes())
        return attrs

    def _new_attributes(self):
        sync = self._synchronizer
        lock = sync.array_lock if getattr(sync, "across_processes", False) else None
        if self._zarr_format == 3:
            # The array lock of any synchronizer: a resize rewrites zarr.json too.
            lock = None if sync is None else partial(sync.array_lock, self._lock_ident)
            return NodeAttributes(self._store, self._meta_key, read_only=self._mode == "r",
                                  lock=lock)
        return Attributes(self._store, join_key(self._key_prefix, ATTRS),
                          read_only=self._mode == "r", lock=lock, node=self._meta_key)

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    # Summaries.

    def _summary_lines(self):
        stored = self._stored_chunks()
        cbytes = sum(size for _, size in stored)
        sizes = "nbytes: %s; cbytes: %s" % (human_readable_size(self.nbytes),
                                            human_readable_size(cbytes))
        if cbytes > 0:
            # Over the chunks written (stored whole, edge chunks too): unwritten
            # chunks take no bytes and compress nothing.
            written = len(stored) * math.prod(self._chunks) * self._dtype.itemsize
            sizes += "; ratio: %.1f" % (written / cbytes)
        sizes += "; initialized: %d/%d" % (len(stored), self.nchunks)
        return [
            "zarr.%s(%s, %s, chunks=%s%s)" % (
                type(self).__name__, self._shape, self._dtype, self.chunks,
                "" if self.shards is None else ", shards=%s" % (self.shards,)),
            self._codec_line(),
            "  " + sizes,
        ]

    def _codec_line(self):
        if self._v3_meta is not None:
            codecs = self._v3_meta["codecs"]
            if codecs[0]["name"] == "sharding_indexed":
                codecs = codecs[0]["configuration"]["codecs"]
            return "  zarr_format: 3; codecs: %s" % ", ".join(c["name"] for c in codecs)
        if self._filters or not (self._compressor is None or self._blosc is not None):
            return "  compressor: %r%s" % (self._compressor, "".join(
                "; filter: %r" % f for f in self._filters))
        return "  cname: %s; clevel: %d; shuffle: %d (%s)" % (
            self.cname, self.clevel, self.shuffle, SHUFFLE_NAMES[self.shuffle])

    def __repr__(self):
        return "\n".join(self._summary_lines())

    @property
    def info(self):
        """The array's summary: shape, dtype, chunks, compression, sizes."""
        return Summary(repr(self))

    # Chunks.

    def _chunk(self, index, for_reading=False):
        """The chunk at a grid index: an object made for this access, over the
        store, holding the synchronizer's lock of the chunk unless only read."""
        key = chunk_key(index, self._separator, self._key_leading)
        sync = self._synchronizer
        lock = None if sync is None or for_reading else sync.chunk_lock(self._lock_ident, key)
        prefix = self._key_prefix
        return self._proto.at(self._store, prefix + "/" + key if prefix else key, lock)

    def _existing_chunk(self, index):
        """The chunk at a grid index, for reading (reads take no lock)."""
        return self._chunk(index, True)

    def _stored_chunks(self, within=True):
        """(grid index, stored size) of every initialized chunk (of every chunk
        stored, inside the shape or not, when ``within`` is False)."""
        found = iter_chunk_keys(self._store, self._key_prefix, self.ndim, self._separator,
                                self._key_leading)
        if not within:
            return list(found)
        grid = self.cdata_shape
        return [(index, size) for index, size in found
                if all(k < g for k, g in zip(index, grid))]

    # Reading.

    def __getitem__(self, selection):
        try:
            return self.get_basic_selection(selection)
        except NotBasicSelection:
            return self._get_numpy(selection)

    def get_basic_selection(self, selection=Ellipsis, out=None, threads=None):
        """Read ``z[selection]``, into ``out`` when it is given.

        Parameters
        ----------
        selection : int, slice, Ellipsis or a tuple of them
        out : ndarray, optional
            An array of the selection's shape to receive the result; reading
            into an existing array saves allocating (and page-faulting) a new
            one on every call.
        threads : int, optional
            How many threads decompress the chunks (default: the array's
            ``threads``).

        Returns
        -------
        ndarray or scalar
            ``out`` when it is given.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(100).reshape(10, 10), chunks=(3, 3))
        >>> out = np.empty((2, 10), z.dtype)
        >>> z.get_basic_selection(slice(4, 6), out=out) is out, out[1, ::4].tolist()
        (True, [50, 54, 58])
        """
        return self._get(selection, out, threads, True)

    def _get(self, selection, out, threads, check):
        # A read that may have found a chunk missing (its first element is the
        # fill value) checks once that the metadata is still there, and reads
        # again if the stored shape changed; reads of stored chunks check nothing.
        try:
            sel, scalar = normalize_selection(selection, self._shape)
        except NotBasicSelection:
            raise
        except IndexError:
            if not check or self._metadata_current():
                raise
            return self._get(selection, out, threads, False)
        if out is not None:
            check_out(out, selection_shape(sel, self._shape), self._dtype)
            if (self._read_into(sel, out, self._threads_for(threads)) and check
                    and not self._metadata_current()):
                return self._get(selection, out, threads, False)
            return out
        if scalar:
            key = tuple(i // c for i, c in zip(sel, self._chunks))
            value = self._existing_chunk(key).read(
                tuple(i - k * c for i, k, c in zip(sel, key, self._chunks)))
            if check and self._is_fill(value) and not self._metadata_current():
                return self._get(selection, out, threads, False)
            return value
        threads = self._threads_for(threads)
        within = one_chunk_selection(sel, self._shape, self._chunks)
        if within is not None:
            res = self._existing_chunk(within[0]).read(within[1])
            if (check and res.size and self._is_fill(res.flat[0])
                    and not self._metadata_current()):
                return self._get(selection, out, threads, False)
            if res.dtype != self._dtype:  # str read as StringDType (string_dtype)
                return res.astype(self._dtype)
            # A view of a decompressed chunk would keep the whole chunk alive.
            return res if res.base is None and res.flags.c_contiguous else res.copy()
        out = np.empty(selection_shape(sel, self._shape), self._dtype)
        if self._read_into(sel, out, threads) and check and not self._metadata_current():
            return self._get(selection, None, threads, False)
        return out

    def _read_into(self, sel, out, threads):
        """Read sel into out; whether a chunk may have been missing (the first
        element of a chunk's part is the fill value)."""
        tasks = []
        bands = None
        dests = []
        for key, csel, osel, whole in chunk_projections(sel, self._shape, self._chunks):
            dest = out[osel + (Ellipsis,)]
            dests.append(dest)
            chunk = self._existing_chunk(key)
            if not whole:
                tasks.append(partial(chunk.read, csel, dest))
            elif dest.flags.c_contiguous:
                tasks.append(partial(chunk.read, Ellipsis, dest))
            else:
                if bands is None:
                    bands = Bands(self._chunks, self._dtype)
                bands.add(key, osel, chunk)
        if bands is not None:
            tasks.extend(bands.scatter_tasks(out))
        with self._store.read_batch():
            run_tasks(tasks, threads)
        is_fill = self._is_fill
        return any(d.size and is_fill(d.flat[0]) for d in dests)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("a zarr array cannot be viewed as a numpy array without a copy")
        a = self[...]
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a

    def __iter__(self):
        if not self._shape:
            raise TypeError("iteration over a 0-d array")
        step = self._chunks[0]
        for start in range(0, self._shape[0], step):
            yield from self[start:start + step]

    # Writing.

    def _prepare_value(self, value, shape):
        """value as an array of shape ``shape`` (broadcast, maybe not yet cast)."""
        if self._dtype.hasobject:
            # Elements may be sequences themselves: assign as numpy does.
            array = np.empty(shape, object)
            array[...] = value
            check_elements(array, self._object_codec, self._describe())
            return array
        if isinstance(value, np.generic):
            # A numpy scalar is converted as numpy's a[i] = value converts it:
            # as its value (2**40 into int32 overflows, NaN into an integer is
            # a ValueError), never by an unsafe cast of its bytes.
            packed = np.empty((), self._dtype)
            packed[()] = value
            value = packed
        elif not isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=self._dtype)
        elif value.dtype != self._dtype and (value.dtype.kind in _FALLIBLE_KINDS
                                             or self._dtype.kind in _FALLIBLE_KINDS):
            value = value.astype(self._dtype)
        given = value.shape
        while value.ndim > len(shape) and value.shape[0] == 1:
            value = value[0]
        try:
            return np.broadcast_to(value, shape)
        except ValueError:
            raise ValueError("could not broadcast input array from shape %s into shape %s"
                             % (given, shape)) from None

    def __setitem__(self, selection, value):
        try:
            self.set_basic_selection(selection, value)
        except NotBasicSelection:
            self._set_numpy(selection, value)

    def set_basic_selection(self, selection, value, threads=None):
        """Write ``z[selection] = value``, broadcasting and casting as numpy does.

        The value is checked (shape, cast) before any chunk is written, so a
        bad value leaves the array as it was. ``threads`` says how many
        threads compress the chunks (default: the array's ``threads``).

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros((4, 4), dtype="i4", chunks=2)
        >>> z.set_basic_selection((slice(None), 1), [1, 2, 3, 4])
        >>> z[:, 1].tolist()
        [1, 2, 3, 4]
        """
        # Against the stored shape: another handle may have resized the array
        # (or removed it: then nothing is written).
        self._metadata_current()
        sel, scalar = normalize_selection(selection, self._shape)
        value = self._prepare_value(value, selection_shape(sel, self._shape))
        self._check_writable()
        if scalar:
            key = tuple(i // c for i, c in zip(sel, self._chunks))
            self._chunk(key).write(tuple(i - k * c for i, k, c in zip(sel, key, self._chunks)),
                                   value[()] if self._dtype.hasobject else value)
            return
        self._write_from(sel, value, self._threads_for(threads))

    def _check_writable(self):
        # Called before every change of data or shape: refuses mode 'r', and
        # moves the version on, so that dask's token of the array changes (see
        # zarr.tokens).
        if self._mode == "r":
            raise ReadOnlyError("the array %s is open read-only (mode 'r')"
                                % self._describe())
        self._version = new_version()

    def _describe(self):
        return "%r in %r" % (self._key_prefix, self._store)

    def _write_from(self, sel, value, threads=1):
        # The chunks of one write may be stored together (the store's
        # batch keeps them visible to this process's threads meanwhile), but
        # not under another process's locks: each chunk is stored before its
        # lock is let go.
        if not getattr(self._synchronizer, "across_processes", False):
            with self._store.write_batch(threads):
                self._write_chunks(sel, value, threads)
        else:
            self._write_chunks(sel, value, threads)

    def _write_chunks(self, sel, value, threads):
        constant = value.ndim == 0 or not any(value.strides)
        shared = None  # the compressed frame of a constant whole chunk, made once
        tasks = []
        bands = None
        for key, csel, osel, whole in chunk_projections(sel, self._shape, self._chunks):
            chunk = self._chunk(key)
            part = value[osel + (Ellipsis,)]
            if not whole:
                tasks.append(partial(chunk.write, csel, part))
            elif part.dtype == self._dtype and part.flags.c_contiguous:
                tasks.append(partial(chunk.write, Ellipsis, part))
            elif constant:
                if shared is None:
                    chunk.write(Ellipsis, np.full(self._chunks, part.reshape(-1)[0], self._dtype))
                    shared = chunk.get_cdata()
                else:
                    tasks.append(partial(chunk.set_cdata, shared))
            else:
                if bands is None:
                    bands = Bands(self._chunks, self._dtype)
                bands.add(key, osel, chunk)
        if bands is not None:
            tasks.extend(bands.gather_tasks(value))
        run_tasks(tasks, threads)

    def _copy_frames_to(self, other):
        """Give ``other`` (same shape and encoding) this array's compressed chunks."""
        with other._store.write_batch(other._threads):
            for key, _ in self._stored_chunks():
                frame = self._chunk(key).get_cdata()
                if frame is not None:
                    other._chunk(key).set_cdata(frame)

    # Pickling: an in-memory array travels as its compressed chunks.

    def __reduce__(self):
        store = self._store.copy_prefix(self._key_prefix)
        return _rebuild_array, (type(self), store, self._threads, self._settings())

    # dask names graphs by this token: the version of the data, never the data.

    _version = 0  # until the first write

    def __dask_tokenize__(self):
        return memory_token(self)


def _rebuild_array(cls, store, threads, settings=None):
    z = cls._over(store, "", "a", read_metadata(store, ""), None, threads)
    z._apply_settings(settings)
    return z


class SynchronizedArray(Array):
    """An :class:`Array` whose chunks lock across each read-modify-write.

    Threads writing different selections that share chunks lose no update.
    Resizes and appends take turns under the array's lock; a write that runs
    while another thread resizes is not ordered with it (see :meth:`resize`).

    Examples
    --------
    >>> import zarr
    >>> z = zarr.SynchronizedArray(1000, "i8", chunks=100)
    >>> z[::2] = 1
    >>> int(z[...].sum())
    500
    """

    _synchronized = True


def _fill_test(dtype, fill):
    """A test of whether a read element may be the fill value, as every element
    of a missing chunk is: a comparison of numpy scalars (of bytes for
    structured items; any element of an object array may be)."""
    if dtype.hasobject:
        return lambda value: True
    if dtype.fields is not None or dtype.kind == "V":
        raw = np.asarray(fill, dtype).tobytes()
        return lambda value: value.tobytes() == raw
    if fill != fill:  # NaN, NaT
        return lambda value: value != value
    return lambda value: value == fill
