"""Functions that create arrays in memory, as numpy's do."""

import numpy as np

from zarr.codecs import DEFAULT
from zarr.core import Array, SynchronizedArray
from zarr.objects import object_options
from zarr.persistent import open_array
from zarr.names import node_path
from zarr.storage import MemoryStore, as_store


def create(shape, dtype=None, chunks=None, cname=DEFAULT, clevel=DEFAULT, shuffle=DEFAULT,
           fill_value=None, synchronized=True, blocksize=DEFAULT, threads=None,
           object_codec=None, compressor=DEFAULT, store=None, path=None, overwrite=False,
           filters=None, zarr_format=None, codecs=None, chunk_key_encoding=None,
           dimension_names=None, shards=None):
    """Create an array with no chunk written: in memory, or in ``store``.

    Parameters
    ----------
    shape : int or tuple of int
        Integral floats such as ``1e8`` are accepted.
    dtype : numpy dtype, optional
        float64 by default.
    chunks : int or tuple, optional
        The chunk shape; None or -1 in a dimension means the whole dimension;
        left out, a shape of about 1 MB is chosen.
    cname : str
        Blosc compressor: 'blosclz' (default), 'lz4', 'lz4hc', 'zlib' or 'zstd'.
    clevel : int
        Compression level, 0 to 9 (default 5).
    shuffle : int
        0 (NOSHUFFLE), 1 (BYTESHUFFLE, default) or 2 (BITSHUFFLE).
    fill_value : scalar, optional
        What unwritten elements read as; 0 of the dtype by default.
    synchronized : bool
        True (the default) gives a :class:`SynchronizedArray`, safe for
        threads writing selections that share chunks.
    blocksize : int, optional
        Blosc block size in bytes; 0 or None (default) lets blosc choose.
        Smaller blocks (e.g. 16384, which blosc makes 128 KB blocks for
        float64) make reads of single elements and small boxes cheaper, and
        whole-array writes and reads dearer.
    threads : int, optional
        How many threads a read or write of many chunks uses; None (default)
        follows :func:`zarr.get_threads`.
    object_codec : {'msgpack2', 'vlen-utf8', 'vlen-bytes'}, optional
        How an object array encodes its elements. By default ``dtype=str``
        makes an object array of ``vlen-utf8`` (filled with ''),
        ``dtype=bytes`` one of ``vlen-bytes``, both of which zarr-python and
        xarray read; ``dtype=object`` one of ``msgpack2``, which holds mixed
        objects (:func:`zarr.array` of elements all str or all bytes picks
        ``vlen-utf8`` or ``vlen-bytes``): see :func:`zarr.objects.object_options`.
    compressor : codec or None, optional
        The codec instead of ``cname``, ``clevel``, ``shuffle`` and
        ``blocksize``: :class:`zarr.Blosc`, or another codec of the Zarr v2
        format (:class:`zarr.Zstd`, :class:`zarr.LZ4`, :class:`zarr.Zlib`,
        :class:`zarr.GZip`), or its configuration (``{"id": "zstd",
        "level": 3}``); None stores chunks raw.
    filters : list of codecs, optional
        Codecs applied before the compressor: :class:`zarr.Delta`,
        :class:`zarr.FixedScaleOffset`, :class:`zarr.Shuffle`,
        :class:`zarr.CRC32`, :class:`zarr.Adler32` (or configurations).
    store : path, store or MutableMapping, optional
        Where the array is made (in memory by default): as :func:`zarr.open`
        takes it, in mode 'w-' (mode 'w' with ``overwrite``), at ``path``
        in the store.
    zarr_format, codecs, chunk_key_encoding, dimension_names, shards
        A Zarr v3 array (``zarr_format=3``; in memory, a v3 array in a
        :class:`zarr.storage.MemoryStore`), as :func:`zarr.open` takes them.

    Examples
    --------
    >>> import zarr
    >>> zarr.create((10000, 1000), dtype="i4", chunks=(1000, 100))
    zarr.SynchronizedArray((10000, 1000), int32, chunks=(1000, 100))
      cname: blosclz; clevel: 5; shuffle: 1 (BYTESHUFFLE)
      nbytes: 38.1M; cbytes: 0; initialized: 0/100
    """
    v3 = dict(zarr_format=zarr_format, codecs=codecs, chunk_key_encoding=chunk_key_encoding,
              dimension_names=dimension_names, shards=shards)
    if store is None and any(v is not None for v in v3.values()):
        store = MemoryStore()
    if store is not None:
        mode = "w" if overwrite else "w-"
        return open_array(as_store(store, mode=mode), node_path(path), mode, shape, dtype,
                          chunks, cname, clevel, shuffle,
                          DEFAULT if fill_value is None else fill_value, synchronized,
                          blocksize=blocksize, object_codec=object_codec, threads=threads,
                          compressor=compressor, filters=filters, **v3)
    cls = SynchronizedArray if synchronized else Array
    return cls(shape, dtype=dtype, chunks=chunks, cname=cname, clevel=clevel, shuffle=shuffle,
               fill_value=fill_value, blocksize=blocksize, threads=threads,
               object_codec=object_codec, compressor=compressor, filters=filters)


def empty(shape, dtype=None, **kwargs):
    """An array with nothing written: it reads as its fill value (0 unless given).

    Unlike ``numpy.empty``, never leftover memory. Keyword arguments as :func:`create`.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.empty((4, 4), dtype="i4", chunks=2)
    >>> int(z[...].sum()), z.nchunks_initialized
    (0, 0)
    """
    return create(shape, dtype=dtype, **kwargs)


def _fixed_fill(kwargs, value):
    if "fill_value" in kwargs:
        raise TypeError("zeros and ones take no fill_value (use full)")
    return value


def zeros(shape, dtype=None, **kwargs):
    """An array of zeros (stored as the fill value: no chunk is written).

    Examples
    --------
    >>> import zarr
    >>> zarr.zeros(5, dtype="f4")[...].tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0]
    """
    kwargs["fill_value"] = _fixed_fill(kwargs, None)
    return create(shape, dtype=dtype, **kwargs)


def ones(shape, dtype=None, **kwargs):
    """An array of ones (stored as the fill value: no chunk is written).

    Examples
    --------
    >>> import zarr
    >>> zarr.ones((2, 2), dtype="i2")[...].tolist()
    [[1, 1], [1, 1]]
    """
    kwargs["fill_value"] = _fixed_fill(kwargs, 1)
    return create(shape, dtype=dtype, **kwargs)


def full(shape, fill_value, dtype=None, **kwargs):
    """An array holding ``fill_value`` everywhere (no chunk is written).

    Examples
    --------
    >>> import zarr
    >>> zarr.full(3, np.nan)[...].tolist()
    [nan, nan, nan]
    """
    if dtype is None:
        dtype = np.asarray(fill_value).dtype
    kwargs["fill_value"] = fill_value
    return create(shape, dtype=dtype, **kwargs)


def _is_array_like(data):
    return (not isinstance(data, (list, tuple, np.ndarray))
            and hasattr(data, "shape") and hasattr(data, "dtype") and hasattr(data, "__getitem__"))


def _source_chunks(data):
    chunks = getattr(data, "chunks", None)
    if (isinstance(chunks, tuple) and len(chunks) == len(data.shape)
            and all(isinstance(c, (int, np.integer)) for c in chunks)):
        return chunks
    return None


def array(data, dtype=None, chunks=None, **kwargs):
    """An array holding a copy of ``data``.

    ``data`` may be anything numpy converts, or an array-like with ``shape``,
    ``dtype`` and slicing (another zarr array, an h5py dataset, a memmap),
    which is copied a chunk's worth of rows at a time. The chunk shape of an
    array-like that has one is kept unless ``chunks`` is given. Keyword
    arguments as :func:`create`.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.array(np.arange(10000000, dtype="i4").reshape(10000, 1000), chunks=(1000, 100))
    >>> z.nchunks_initialized, z[9999, 999]
    (100, np.int32(9999999))
    """
    if not _is_array_like(data):
        data = np.asarray(data, dtype=dtype)
    if dtype is None:
        dtype = data.dtype
    if chunks is None:
        chunks = _source_chunks(data)
    codec = object_options(dtype, kwargs.pop("object_codec", None), data=data)[1]
    z = create(data.shape, dtype=dtype, chunks=chunks, object_codec=codec, **kwargs)
    copy_into(z, data)
    return z


def copy_into(z, data):
    """Write ``data`` (of z's shape) into z, a slab of chunk rows at a time."""
    if isinstance(data, np.ndarray) or z.ndim == 0:
        z[...] = data[...]
        return
    if isinstance(data, Array) and _same_encoding(z, data):
        data._copy_frames_to(z)
        return
    step = (z.shards or z.chunks)[0]  # whole shards: no shard is rewritten
    for start in range(0, z.shape[0], step):
        z[start:start + step] = np.asarray(data[start:start + step])


def _same_encoding(a, b):
    """Whether the chunks of ``a`` are stored as ``b`` stores them (its
    stored values can be copied as they are)."""
    if a.zarr_format != b.zarr_format or a.shards != b.shards:
        return False
    if a.zarr_format == 3 and a._v3_meta["codecs"] != b._v3_meta["codecs"]:
        return False
    return (a.dtype == b.dtype and a.chunks == b.chunks and a.shape == b.shape
            and a.compressor == b.compressor and a._object_codec == b._object_codec
            and a.filters == b.filters
            and np.array_equal(np.asarray(a.fill_value), np.asarray(b.fill_value),
                               equal_nan=a.dtype.kind in "fc"))


def _like(a, kwargs):
    """The creation arguments of an array like ``a``, updated by kwargs."""
    if isinstance(a, Array):
        like = dict(shape=a.shape, dtype=a.dtype, chunks=a.chunks, compressor=a.compressor,
                    fill_value=a.fill_value, synchronized=a._synchronized, filters=a.filters)
        if a.dtype.hasobject:
            like["object_codec"] = a._object_codec
        if any(k in kwargs for k in ("cname", "clevel", "shuffle", "blocksize")):
            codec = a.compressor
            del like["compressor"]
            if codec is None:
                like["cname"] = None
            elif hasattr(codec, "cname"):
                like.update(cname=codec.cname, clevel=codec.clevel, shuffle=codec.shuffle,
                            blocksize=codec.blocksize)
        if a.zarr_format == 3 and kwargs.get("zarr_format", 3) == 3:
            like.update(zarr_format=3, shards=a.shards, dimension_names=a.dimension_names)
            del like["filters"]
            if not set(kwargs) & {"compressor", "cname", "clevel", "shuffle", "blocksize"}:
                codecs = a._v3_meta["codecs"]
                if a.shards is not None:
                    codecs = codecs[0]["configuration"]["codecs"]
                like.pop("compressor", None)
                like["codecs"] = codecs
    else:
        if not hasattr(a, "shape") or not hasattr(a, "dtype"):
            a = np.asarray(a)
        like = dict(shape=a.shape, dtype=a.dtype, chunks=_source_chunks(a))
    like.update(kwargs)
    return like


def empty_like(a, **kwargs):
    """An empty array with the shape, dtype, chunks and compression of ``a``.

    Examples
    --------
    >>> import zarr
    >>> zarr.empty_like(np.ones((3, 4), "u1")).shape
    (3, 4)
    """
    return create(**_like(a, kwargs))


def zeros_like(a, **kwargs):
    """An array of zeros like ``a``."""
    kwargs["fill_value"] = _fixed_fill(kwargs, None)
    return create(**_like(a, kwargs))


def ones_like(a, **kwargs):
    """An array of ones like ``a``."""
    kwargs["fill_value"] = _fixed_fill(kwargs, 1)
    return create(**_like(a, kwargs))


def full_like(a, fill_value, **kwargs):
    """An array holding ``fill_value`` everywhere, like ``a``."""
    kwargs["fill_value"] = fill_value
    return create(**_like(a, kwargs))
