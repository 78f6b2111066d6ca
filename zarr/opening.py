"""``zarr.open`` and ``zarr.open_like``: an array or a group, from a path or a store."""

import errno

import numpy as np

from zarr.api3_nodes import check_config
from zarr.codecs import DEFAULT
from zarr.errors import ContainsGroupError
from zarr.hierarchy import open_group
from zarr.persistent import MODES, open_array
from zarr.names import node_path
from zarr.storage import as_store, describe_node, node_format
from zarr.table import Table, holds_table


def open(store, mode="a", shape=None, dtype=None, chunks=None, cname=DEFAULT, clevel=DEFAULT,
         shuffle=DEFAULT, fill_value=DEFAULT, synchronized=True, lazy=False, blocksize=DEFAULT,
         dimension_separator=None, fsync=False, process_sync=False, synchronizer=None,
         object_codec=None, threads=None, compressor=DEFAULT, path=None, filters=None,
         zarr_format=None, codecs=None, chunk_key_encoding=None, dimension_names=None,
         shards=None, storage_options=None, config=None):
    """Open or create an array in a store (a directory by default), or open a group.

    A node holding a group (``.zgroup``) opens as a :class:`zarr.Group`
    in modes 'r', 'r+' and 'a' (see :func:`zarr.open_group`), or as a
    :class:`zarr.Table` if it holds a table (:func:`zarr.from_pandas`);
    mode 'w' replaces it with the new array.

    Parameters
    ----------
    store : str, path-like, store or MutableMapping
        A path is a directory (:class:`zarr.storage.LocalStore`); a URL
        (``s3://bucket/a.zarr``, ``memory://x``) the objects under it
        (:class:`zarr.storage.FsspecStore`); a ``dict`` or other mapping is wrapped in a
        :class:`zarr.storage.WrapperStore`.
    mode : {'r', 'r+', 'a', 'w', 'w-'}
        'r' read only and 'r+' read and write an existing array
        (FileNotFoundError when there is none); 'a' (the default) opens it or
        creates it; 'w' creates it, replacing what was there; 'w-' creates it
        and fails if it exists (FileExistsError).
    shape, dtype, chunks : optional
        Required to create; when opening, a value that contradicts the array
        raises ValueError.
    cname, clevel, shuffle, fill_value, blocksize, compressor
        Compression and fill options to create with ('blosclz', 5, 1, 0 of
        the dtype, blosc's block size), or a codec as ``compressor``
        (:class:`zarr.Blosc`, :class:`zarr.Zstd`, :class:`zarr.LZ4`,
        :class:`zarr.Zlib`, :class:`zarr.GZip`, or a configuration such as
        ``{"id": "zstd", "level": 3}``); ``cname=None`` or
        ``compressor=None`` stores chunks uncompressed. When opening, a value
        given that contradicts the array raises ValueError.
    synchronized : bool
        Lock each chunk across read-modify-write in threads (default True).
    lazy : bool
        The lazy kind, for arrays of very many chunks (no array keeps state
        per chunk).
    dimension_separator : {'.', '/'}, optional
        How chunk keys join grid indices when creating ('/' nests
        directories); by default the store's preference ('/' in a
        :class:`zarr.storage.ShardedStore`), else '.'.
    fsync : bool
        Sync each chunk and metadata file to disk before a write returns
        (a path only; a store has its own setting).
    process_sync : bool
        Lock chunks across processes too, with file locks in ``<path>.sync``
        beside the array; or pass a :class:`zarr.ProcessSynchronizer` as
        ``synchronizer``. Needed when several processes write regions that
        share chunks; chunk-aligned writes need none.
    object_codec : {'msgpack2', 'vlen-utf8', 'vlen-bytes'}, optional
        How an object array encodes its elements when it is created; by
        default ``vlen-utf8`` for ``dtype=str`` (filled with ''),
        ``vlen-bytes`` for ``dtype=bytes`` (both read by zarr-python and
        xarray), ``msgpack2`` for ``dtype=object`` (mixed objects): see
        :func:`zarr.objects.object_options`.
    threads : int, optional
        How many threads a read or write of many chunks uses (compression
        and file work); None (default) follows :func:`zarr.get_threads`.
    path : str, optional
        Where in the store the array is ('' or None: at its top).
    filters : list of codecs, optional
        Codecs applied before the compressor when the array is created
        (:class:`zarr.Delta`, :class:`zarr.FixedScaleOffset`,
        :class:`zarr.Shuffle`, :class:`zarr.CRC32`, :class:`zarr.Adler32`).
    zarr_format : {None, 2, 3}
        The format of a new array: 2 (the default; ``.zarray``) or 3
        (``zarr.json``). An existing array opens in its own format; a value
        given that is not it raises :class:`zarr.ContainsArrayError`.
    codecs : list of dict, optional
        A v3 array's codecs in their JSON form (``bytes``, ``transpose``,
        ``blosc``, ``zstd``, ``gzip``, ``crc32c``); by default ``bytes``
        and then the compressor.
    chunk_key_encoding : {'default', 'v2'} or dict, optional
        A v3 array's chunk keys: ``c/0/0`` (default; ``dimension_separator='.'``
        gives ``c.0.0``) or ``0.0`` (v2).
    dimension_names : sequence of str or None, optional
        A v3 array's names of its dimensions (``Array.dimension_names``).
    shards : tuple of int, optional
        A sharded v3 array: each cell of the grid is one stored shard of this
        shape (a multiple of ``chunks``) holding inner chunks of ``chunks``.
    storage_options : dict, optional
        For a URL (``s3://bucket/a.zarr``): the options of its fsspec
        filesystem (:meth:`zarr.storage.FsspecStore.from_url`).
    config : dict, optional
        zarr-python 3's array configuration: ``write_empty_chunks`` (see
        :attr:`zarr.Array.write_empty_chunks`; this package's default is
        True), ``order`` 'C'.

    Examples
    --------
    >>> import numpy as np, tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> z = zarr.open(path, shape=(10000, 1000), dtype="i4", chunks=(1000, 100))
    >>> z[:] = np.arange(10000000, dtype="i4").reshape(10000, 1000)
    >>> zarr.open(path, mode="r")[9999, -1]
    np.int32(9999999)
    """
    if mode not in MODES:
        raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))
    write_empty = check_config(config)
    store = as_store(store, fsync=fsync, mode=mode, storage_options=storage_options)
    path = node_path(path)
    named = [value for value in (cname, clevel, shuffle, fill_value, compressor, blocksize)
             if value is not DEFAULT] + ([filters] if filters is not None else [])
    if node_format(store, path)[0] == "group" and mode != "w":
        if mode == "w-":
            raise ContainsGroupError(errno.EEXIST, "a group is at", describe_node(store, path))
        if shape is not None or dtype is not None or chunks is not None or named:
            raise ContainsGroupError(errno.EEXIST, "a group, not an array, is at",
                                     describe_node(store, path))
        group = open_group(store, mode, synchronized=synchronized, lazy=lazy,
                           process_sync=process_sync, threads=threads, path=path,
                           zarr_format=zarr_format)
        return Table(group) if holds_table(group) else group
    z = open_array(store, path, mode, shape, dtype, chunks, cname, clevel, shuffle,
                   fill_value, synchronized, lazy, blocksize, dimension_separator,
                   process_sync, synchronizer, object_codec, threads, compressor, filters,
                   zarr_format, codecs, chunk_key_encoding, dimension_names, shards)
    if write_empty is not None:
        z.write_empty_chunks = write_empty
    if dtype is not None and np.dtype(dtype).kind == "T":  # asked for numpy's StringDType
        z.string_dtype = True
    return z



def open_like(a, store, mode="a", **kwargs):
    """Open or create an array at ``store`` (a path or a store) with the shape,
    dtype, chunks and compression of ``a``; keyword arguments as :func:`open`
    override them.

    Examples
    --------
    >>> import tempfile, zarr
    >>> z = zarr.open_like(zarr.zeros((5, 5), chunks=2), tempfile.mkdtemp() + "/b.zarr")
    >>> z.chunks
    (2, 2)
    """
    like = {"shape": a.shape, "dtype": a.dtype}
    if isinstance(getattr(a, "chunks", None), tuple):
        like["chunks"] = a.chunks
    if hasattr(a, "compressor") and not any(k in kwargs for k in ("cname", "clevel", "shuffle",
                                                                   "blocksize")):
        like["compressor"] = a.compressor
    else:
        for name in ("cname", "clevel", "shuffle", "blocksize"):
            if hasattr(a, name) and "compressor" not in kwargs:
                like[name] = getattr(a, name)
    if hasattr(a, "fill_value"):
        like["fill_value"] = a.fill_value
    if getattr(a, "filters", None) and "filters" not in kwargs:
        like["filters"] = a.filters
    if getattr(a, "_object_codec", None) is not None and a.dtype.hasobject:
        like["object_codec"] = a._object_codec
    like.update(kwargs)
    return open(store, mode, **like)
