"""The options of an array: checked once, and read from and written to the
``.zarray`` of its store (:mod:`zarr.meta` is that file's encoding)."""

import numpy as np

from zarr.codecs import Blosc, ChunkCodec
from zarr.errors import MetadataError
from zarr.ext import StoreChunk
from zarr.meta import array_metadata, decode_dtype, dumps, parse_array_metadata
from zarr.objects import ObjectChunk
from zarr.storage import ARRAY_META, ATTRS, describe_node, join_key
from zarr.util import normalize_chunks, normalize_shape


def new_metadata(shape, dtype, chunks, compressor, fill_value, separator, object_codec,
                 filters=()):
    """The options of a new array, checked (dtype, chunk size, fill value)
    before anything is written: what they would store as a ``.zarray`` must
    read back as these options, so that no array is made that cannot be
    opened again."""
    shape = normalize_shape(shape)
    dtype = np.dtype(dtype if dtype is not None else "f8")
    if dtype.subdtype is not None:
        raise ValueError("dtype %s has items that are arrays of shape %s: give the array those "
                         "dimensions instead (dtype %s)"
                         % (dtype, dtype.subdtype[1], dtype.subdtype[0]))
    if separator not in (".", "/"):
        raise ValueError("dimension_separator must be '.' or '/', not %r" % (separator,))
    meta = {"shape": shape, "dtype": dtype,
            "chunks": normalize_chunks(chunks, shape, dtype.itemsize),
            "compressor": compressor, "fill_value": fill_value,
            "dimension_separator": separator,
            "object_codec": object_codec if dtype.hasobject else None,
            "filters": tuple(filters)}
    if filters and dtype.hasobject:
        raise ValueError("an object array has no filters but its object codec (object_codec=)")
    proto = prototype_chunk(meta)
    meta["dtype"], meta["fill_value"] = proto.dtype, proto.fill_value
    _check_reads_back(meta)
    return meta


def _check_reads_back(meta):
    """ValueError unless the ``.zarray`` of ``meta`` reads back as ``meta``."""
    stored = metadata_of(meta)
    try:
        dtype = decode_dtype(stored["dtype"])
    except (TypeError, ValueError):
        dtype = None
    if dtype != meta["dtype"]:
        raise ValueError("dtype %s cannot be stored in a %s: it would read back as %s"
                         % (meta["dtype"], ARRAY_META, stored["dtype"] if dtype is None
                            else dtype))
    try:
        back = parse_array_metadata(dumps(stored), "the %s of these options" % ARRAY_META)
        prototype_chunk(back)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError("these options cannot be stored: %s" % e) from None
    if metadata_of(back) != stored:
        raise ValueError("these options would read back otherwise from their %s: %s, not %s"
                         % (ARRAY_META, metadata_of(back), stored))


def prototype_chunk(meta):
    """A chunk of the array ``meta`` describes, at no key: the one every chunk
    of the array is made from (see ``StoreChunk.at``). Raises for options no
    array can have."""
    codec = meta["compressor"]
    dtype = np.dtype(meta["dtype"])
    filters = meta.get("filters", ())
    if dtype.hasobject:
        return ObjectChunk(None, "", meta["chunks"], fill_value=meta["fill_value"],
                           codec=meta["object_codec"] or "msgpack2", compressor=codec)
    if codec is None and not filters:
        return StoreChunk(None, "", meta["chunks"], dtype, None, 0, 0, meta["fill_value"])
    if (type(codec) is Blosc and codec.typesize in (None, dtype.itemsize) and not filters):
        # A plain blosc frame: the chunk's own blosc path (partial reads).
        return StoreChunk(None, "", meta["chunks"], dtype, codec.cname, codec.clevel,
                          codec.shuffle, meta["fill_value"], codec.blocksize)
    nbytes = int(np.prod(meta["chunks"])) * dtype.itemsize
    return StoreChunk(None, "", meta["chunks"], dtype, fill_value=meta["fill_value"],
                      codec=ChunkCodec(filters, codec, nbytes))


def write_new_metadata(store, path, meta):
    """Write the ``.zattrs`` and then the ``.zarray`` of a new array."""
    store.set(join_key(path, ATTRS), b"{}\n")
    store.set(join_key(path, ARRAY_META), dumps(metadata_of(meta)).encode())


def metadata_of(meta):
    """The ``.zarray`` dict of the options ``meta``."""
    return array_metadata(meta["shape"], meta["dtype"], meta["chunks"], meta["compressor"],
                          meta["fill_value"], meta["dimension_separator"],
                          meta["object_codec"], meta.get("filters", ()))


def read_metadata(store, path):
    """The options of the array at ``path`` in ``store``; FileNotFoundError
    when there is none, MetadataError naming the key when it is bad."""
    key = join_key(path, ARRAY_META)
    try:
        data = store.get(key)
    except KeyError:
        raise FileNotFoundError("no array (no %s) at %s"
                                % (ARRAY_META, describe_node(store, path))) from None
    where = describe_node(store, key)
    meta = parse_array_metadata(data, where)
    try:
        prototype_chunk(meta)
    except (TypeError, ValueError, OverflowError) as e:
        # Options no array can have (chunks over blosc's limit, a fill value
        # out of range...): name the key.
        raise MetadataError("%s: %s" % (where, e)) from None
    return meta

