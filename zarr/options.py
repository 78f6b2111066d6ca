"""The options of an array: checked once, and read from and written to the
``.zarray`` of its store, or its ``zarr.json`` in the Zarr v3 format
(:mod:`zarr.meta` and :mod:`zarr.meta3` are those files' encodings)."""

import numpy as np

from zarr.codecs import DEFAULT, Blosc, ChunkCodec
from zarr.codecs.v3 import Pipeline, v3_config
from zarr.errors import MetadataError
from zarr.ext import StoreChunk
from zarr.meta import NO_FILL, array_metadata, decode_dtype, dumps, parse_array_metadata
from zarr.codecs.v3 import normalize_codecs
from zarr.meta3 import (OBJECT_TYPES, compressor_of, data_type_name, dumps_v3, key_encoding,
                        parse_v3_metadata, sharding_config, sharding_parts, split_sharding,
                        v3_document)
from zarr.objects import ObjectChunk
from zarr.shards import ShardChunk
from zarr.storage import ARRAY_META, ATTRS, V3_META, describe_node, join_key
from zarr.util import normalize_chunks, normalize_shape


def new_metadata(shape, dtype, chunks, compressor, fill_value, separator, object_codec,
                 filters=()):
    """The options of a new array, checked (dtype, chunk size, fill value)
    before anything is written: what they would store as a ``.zarray`` must
    read back as these options, so that no array is made that cannot be
    opened again. ``fill_value`` :data:`NO_FILL` stores none."""
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
    no_fill = fill_value is NO_FILL
    if no_fill:
        meta["fill_value"] = None
    proto = prototype_chunk(meta)
    # An object array given no fill keeps none (null), as a NO_FILL one does.
    keep_none = no_fill or (meta["fill_value"] is None and dtype.hasobject)
    meta["dtype"], meta["fill_value"] = proto.dtype, None if keep_none else proto.fill_value
    _check_reads_back(meta)
    return meta


def new_metadata_v3(shape, dtype, chunks, compressor, fill_value, object_codec=None,
                    codecs=None, chunk_key_encoding=None, dimension_names=None, shards=None):
    """The options of a new Zarr v3 array, checked before anything is written.

    ``codecs`` is a v3 codec list (JSON dicts); when None, the chain is
    ``bytes`` and then ``compressor`` (one of our codec objects with a v3
    form, or None). ``chunk_key_encoding`` is "default" (keys ``c/0/0``),
    "v2" (``0.0``), or its JSON dict; ``dimension_names`` a name (or None)
    per dimension. With ``shards`` (a shape, a multiple of the chunks'),
    the grid's cells are shards of that shape holding inner chunks of
    ``chunks`` encoded by the codecs (``sharding_indexed``, its index at the
    end with its crc32c).

    Examples
    --------
    >>> meta = new_metadata_v3((10,), "i2", 5, None, None)
    >>> meta["codecs"], int(meta["fill_value"]), meta["chunk_key_encoding"]["separator"]
    ([{'name': 'bytes', 'configuration': {'endian': 'little'}}], 0, '/')
    """
    shape = normalize_shape(shape)
    dtype = np.dtype(dtype if dtype is not None else "f8")
    if dtype.subdtype is not None or dtype.fields is not None:
        raise ValueError("dtype %s has no Zarr v3 data type (v3 has bool, int8..uint64, "
                         "float16..float64, complex64, complex128, str and bytes)" % (dtype,))
    data_type_name(dtype, object_codec)  # a ValueError for a type v3 cannot name
    endian = "big" if dtype.byteorder == ">" else "little"
    if dtype.hasobject:
        if object_codec not in OBJECT_TYPES.values():
            raise ValueError("a Zarr v3 object array holds str or bytes (dtype=str or bytes), "
                             "not object codec %r" % (object_codec,))
        fill_value = ("" if object_codec == "vlen-utf8" else b"") if fill_value is None \
            else fill_value
    else:
        dtype = dtype.newbyteorder("=")
        if fill_value is None:
            fill_value = {"b": False, "U": "", "S": b""}.get(dtype.kind, 0)
    if codecs is None:
        first = {"name": object_codec} if dtype.hasobject else {"name": "bytes"} \
            if dtype.kind == "S" else {"name": "bytes", "configuration": {"endian": endian}}
        codecs = [first] + ([] if compressor is None else [v3_config(compressor, dtype.itemsize)])
    codecs = normalize_codecs(codecs, dtype, len(shape))
    chunks = normalize_chunks(chunks, shape, dtype.itemsize)
    if shards is not None:
        if codecs[0]["name"] == "sharding_indexed":
            raise ValueError("give shards= or a sharding_indexed codec, not both")
        shards = normalize_chunks(shards, shape, dtype.itemsize)
        if any(s % c for s, c in zip(shards, chunks)):
            raise ValueError("the shard shape %s is not a multiple of the chunk shape %s"
                             % (shards, chunks))
        inner, chunks = chunks, shards
        codecs = [sharding_config(inner, codecs)]
    else:
        codecs, inner = split_sharding(codecs, chunks, dtype)
    meta = {"zarr_format": 3, "shape": shape, "dtype": dtype,
            "chunks": chunks, "inner_chunks": inner,
            "codecs": codecs, "compressor": compressor_of(codecs, dtype.itemsize),
            "fill_value": fill_value, "object_codec": object_codec if dtype.hasobject else None,
            "filters": (), "chunk_key_encoding": _key_encoding_arg(chunk_key_encoding),
            "attributes": {}}
    meta["dimension_separator"] = meta["chunk_key_encoding"]["separator"]
    if dimension_names is not None:
        names = tuple(dimension_names)
        if len(names) != len(shape) or not all(n is None or isinstance(n, str) for n in names):
            raise ValueError("dimension_names must be %d strings or None, not %r"
                             % (len(shape), dimension_names))
        meta["dimension_names"] = names
    proto = prototype_chunk(meta)
    meta["fill_value"] = proto.fill_value
    back = parse_v3_metadata(dumps_v3(v3_document(meta)), "the zarr.json of these options")
    if v3_document(back) != v3_document(meta):
        raise ValueError("these options would read back otherwise from their zarr.json: %s, "
                         "not %s" % (v3_document(back), v3_document(meta)))
    return meta


def _key_encoding_arg(value):
    if value is None or value == "default":
        return {"name": "default", "separator": "/"}
    if value == "v2":
        return {"name": "v2", "separator": "."}
    if isinstance(value, dict):
        try:
            return key_encoding(value)
        except MetadataError as e:
            raise ValueError(str(e)) from None
    raise ValueError("chunk_key_encoding must be 'default', 'v2' or a dict, not %r" % (value,))


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
    if meta.get("zarr_format") == 3:
        return _v3_prototype(meta)
    codec = meta["compressor"]
    dtype = np.dtype(meta["dtype"])
    filters = meta.get("filters", ())
    if dtype.hasobject:
        fill = meta["fill_value"]
        if fill is None:  # null: strings and bytes read as empty ones, as zarr-python's
            fill = {"vlen-utf8": "", "vlen-bytes": b""}.get(meta["object_codec"])
        return ObjectChunk(None, "", meta["chunks"], fill_value=fill,
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


def _v3_prototype(meta):
    codecs, dtype, chunks = meta["codecs"], np.dtype(meta["dtype"]), meta["chunks"]
    fill = meta["fill_value"]
    if codecs[0]["name"] == "sharding_indexed":
        inner, inner_codecs, checksum, location = sharding_parts(
            codecs[0]["configuration"], chunks, dtype)
        if dtype.hasobject:
            raise ValueError("string and bytes arrays in shards are not supported by this "
                             "version")
        return ShardChunk(None, "", chunks, dtype, fill, inner, inner_codecs, checksum,
                          location)
    if dtype.hasobject:
        stages = codecs[1:]
        if len(stages) > 1 or any(c["name"] == "crc32c" for c in stages):
            raise ValueError("a string or bytes array takes at most one compressor after %s, "
                             "not %s" % (codecs[0]["name"], [c["name"] for c in stages]))
        return ObjectChunk(None, "", chunks, fill_value=fill, codec=codecs[0]["name"],
                           compressor=meta["compressor"])
    pipeline = Pipeline(codecs, chunks, dtype)
    if pipeline.plain and not pipeline.stages:
        return StoreChunk(None, "", chunks, dtype, None, 0, 0, fill)
    codec = pipeline.stages[0] if len(pipeline.stages) == 1 else None
    if pipeline.plain and type(codec) is Blosc and codec.typesize in (None, dtype.itemsize):
        # The chunk's own blosc path (partial reads), as for a v2 blosc array.
        return StoreChunk(None, "", chunks, dtype, codec.cname, codec.clevel, codec.shuffle,
                          fill, codec.blocksize)
    return StoreChunk(None, "", chunks, dtype, fill_value=fill, codec=pipeline)


def write_new_metadata(store, path, meta):
    """Write the ``.zattrs`` and then the ``.zarray`` of a new array (its
    ``zarr.json`` in the v3 format)."""
    if meta.get("zarr_format") == 3:
        store.set(join_key(path, V3_META), dumps_v3(v3_document(meta)).encode())
        return
    store.set(join_key(path, ATTRS), b"{}\n")
    store.set(join_key(path, ARRAY_META), dumps(metadata_of(meta)).encode())


def metadata_of(meta):
    """The ``.zarray`` dict of the options ``meta`` (``zarr.json`` for v3)."""
    if meta.get("zarr_format") == 3:
        return v3_document(meta)
    return array_metadata(meta["shape"], meta["dtype"], meta["chunks"], meta["compressor"],
                          meta["fill_value"], meta["dimension_separator"],
                          meta["object_codec"], meta.get("filters", ()))


def read_metadata(store, path):
    """The options of the array at ``path`` in ``store`` (a ``.zarray``, or
    a ``zarr.json`` of the v3 format); FileNotFoundError when there is none,
    MetadataError naming the key when it is bad."""
    key = join_key(path, ARRAY_META)
    parse = parse_array_metadata
    try:
        data = store.get(key)
    except KeyError:
        key, parse = join_key(path, V3_META), parse_v3_metadata
        try:
            data = store.get(key)
        except KeyError:
            raise FileNotFoundError("no array (no %s nor %s) at %s"
                                    % (ARRAY_META, V3_META, describe_node(store, path))) from None
    where = describe_node(store, key)
    meta = parse(data, where)
    try:
        prototype_chunk(meta)
    except (TypeError, ValueError, OverflowError) as e:
        # Options no array can have (chunks over blosc's limit, a fill value
        # out of range...): name the key.
        raise MetadataError("%s: %s" % (where, e)) from None
    return meta

