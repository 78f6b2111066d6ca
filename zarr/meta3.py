"""The ``zarr.json`` metadata of the Zarr v3 format: encoding and checking.

An array's options are the same dict as a v2 array's (see
:mod:`zarr.options`), with ``zarr_format`` 3 and the v3 members besides:
``codecs`` (the normalized codec list), ``chunk_key_encoding``,
``dimension_names`` and ``attributes``; ``chunks`` is the shape of the
chunk grid's cells (a shard's, for a sharded array) and ``inner_chunks``
the inner chunks' shape (None unless sharded).

Examples
--------
>>> meta = parse_v3_metadata(json.dumps({
...     "zarr_format": 3, "node_type": "array", "shape": [10], "data_type": "float32",
...     "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5]}},
...     "chunk_key_encoding": {"name": "default"}, "fill_value": "NaN",
...     "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}), "zarr.json")
>>> meta["dtype"], meta["chunks"], meta["fill_value"], meta["chunk_key_encoding"]
(dtype('float32'), (5,), nan, {'name': 'default', 'separator': '/'})
"""

import base64
import json
import math

import numpy as np

from zarr.codecs.v3 import BYTES_TO_BYTES, DEFAULT_INDEX_CODECS, bytes_to_bytes, normalize_codecs
from zarr.errors import MetadataError
from zarr.meta import load_json

#: The v3 data types and their numpy dtypes (in native byte order).
DATA_TYPES = {name: np.dtype(name) for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")}
#: The variable-length data types zarr-python 3 writes, and their codecs.
OBJECT_TYPES = {"string": "vlen-utf8", "bytes": "vlen-bytes",
                "variable_length_bytes": "vlen-bytes"}
#: zarr-python 3's data types for numpy's fixed-length strings, by dtype kind.
FIXED_LENGTH = {"U": "fixed_length_utf32", "S": "null_terminated_bytes"}
#: The largest item of a fixed-length string type read (numpy's limit is 2 GB).
MAX_ITEM_BYTES = 2 ** 24
_ARRAY_KEYS = {"zarr_format", "node_type", "shape", "data_type", "chunk_grid",
               "chunk_key_encoding", "fill_value", "codecs"}
#: The members of a group's zarr.json (consolidated metadata is not read from it).
_GROUP_KEYS = {"zarr_format", "node_type", "attributes", "consolidated_metadata"}
_OPTIONAL_KEYS = {"attributes", "storage_transformers", "dimension_names"}
GROUP_V3 = {"zarr_format": 3, "node_type": "group", "attributes": {}}


def data_type_name(dtype, object_codec=None):
    """The v3 name of a numpy dtype (ValueError for one v3 has no name for).

    Examples
    --------
    >>> data_type_name(np.dtype(">f8")), data_type_name(np.dtype("O"), "vlen-utf8")
    ('float64', 'string')
    """
    if dtype.hasobject:
        names = {"vlen-utf8": "string", "vlen-bytes": "bytes"}
        if object_codec not in names:
            raise ValueError("a Zarr v3 object array holds str (vlen-utf8) or bytes "
                             "(vlen-bytes), not %r" % (object_codec,))
        return names[object_codec]
    if dtype.kind in FIXED_LENGTH and dtype.fields is None:
        return {"name": FIXED_LENGTH[dtype.kind], "configuration": {
            "length_bytes": dtype.itemsize}}
    native = dtype.newbyteorder("=")
    for name, known in DATA_TYPES.items():
        if known == native:
            return name
    raise ValueError("data type %s has no Zarr v3 name (v3 has bool, int8..uint64, "
                     "float16..float64, complex64, complex128, str and bytes, fixed-length "
                     "U and S)" % (dtype,))


def _fixed_length_dtype(data_type, where):
    """The numpy dtype of a ``fixed_length_utf32`` or ``null_terminated_bytes``
    data type (zarr-python 3's names for numpy's U and S), else None."""
    if not isinstance(data_type, dict) or data_type.get("name") not in FIXED_LENGTH.values():
        return None
    name = data_type["name"]
    config = data_type.get("configuration")
    size = config.get("length_bytes") if isinstance(config, dict) else None
    unit = 4 if name == "fixed_length_utf32" else 1
    if (type(size) is not int or not 0 < size <= MAX_ITEM_BYTES or size % unit
            or set(config) != {"length_bytes"} or set(data_type) - {"name", "configuration"}):
        raise MetadataError("%s: data_type %r: length_bytes must be a positive multiple of %d "
                            "up to %d" % (where, data_type, unit, MAX_ITEM_BYTES))
    return np.dtype("U%d" % (size // 4) if unit == 4 else "S%d" % size)


def _float_fill(value, dtype):
    if isinstance(value, str):
        names = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        if value in names:
            return names[value]
        if value.startswith("0x"):
            size = dtype.itemsize
            try:
                bits = int(value, 16)
            except ValueError:
                bits = -1
            if not 0 <= bits < 2 ** (8 * size) or len(value) != 2 + 2 * size:
                raise MetadataError("fill_value %r is not a %d-byte hex bit pattern"
                                    % (value, size))
            return np.frombuffer(bits.to_bytes(size, "little"), dtype.newbyteorder("<"))[0]\
                .astype(dtype)[()]
        raise MetadataError("fill_value %r is not a number (nor NaN, Infinity, -Infinity or "
                            "a hex bit pattern)" % value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MetadataError("fill_value %r is not a number" % (value,))
    try:
        f = float(value)
    except OverflowError:
        raise MetadataError("fill_value %r is out of the range of %s" % (value, dtype)) from None
    with np.errstate(over="ignore"):
        if math.isfinite(f) and not np.isfinite(dtype.type(f)):
            raise MetadataError("fill_value %r is out of the range of %s" % (value, dtype))
    return dtype.type(f)[()]


def decode_fill_value(value, dtype, data_type):
    """The fill value of a ``zarr.json`` for ``dtype``; MetadataError when it
    does not fit (a v3 fill value is never null)."""
    if value is None:
        raise MetadataError("fill_value is null: a Zarr v3 array has one of its data type")
    kind = dtype.kind
    if kind == "O":
        if data_type == "string":
            if not isinstance(value, str):
                raise MetadataError("fill_value %r of a string array is not a string" % (value,))
            return value
        if isinstance(value, list) and all(type(b) is int and 0 <= b < 256 for b in value):
            return bytes(value)
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except ValueError:
                pass
        raise MetadataError("fill_value %r of a bytes array is not a list of bytes" % (value,))
    if kind == "U":
        if not isinstance(value, str) or len(value) > dtype.itemsize // 4:
            raise MetadataError("fill_value %r is not a string of at most %d characters"
                                % (value, dtype.itemsize // 4))
        return value
    if kind == "S":
        try:
            found = base64.b64decode(value, validate=True) if isinstance(value, str) else None
        except ValueError:
            found = None
        if found is None or len(found) > dtype.itemsize:
            raise MetadataError("fill_value %r is not the base64 of at most %d bytes"
                                % (value, dtype.itemsize))
        return found
    if kind == "b":
        if type(value) is not bool:
            raise MetadataError("fill_value %r is not true or false" % (value,))
        return value
    if kind in "iu":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(value) is not int:
            raise MetadataError("fill_value %r is not an integer" % (value,))
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            raise MetadataError("fill_value %d is out of the range of %s" % (value, dtype))
        return value
    if kind == "f":
        return float(_float_fill(value, dtype))
    if not isinstance(value, list) or len(value) != 2:
        raise MetadataError("fill_value %r of %s is not a pair [real, imag]" % (value, dtype))
    part = np.dtype("f%d" % (dtype.itemsize // 2))
    return complex(float(_float_fill(value[0], part)), float(_float_fill(value[1], part)))


def _encode_float(v, dtype):
    if math.isnan(v):
        bits = np.array(v, dtype.newbyteorder("<")).tobytes()
        canonical = np.array(np.nan, dtype.newbyteorder("<")).tobytes()
        return "NaN" if bits == canonical else "0x" + bits[::-1].hex()
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return float(v)


def encode_fill_value(value, dtype, object_codec=None):
    """A fill value as a ``zarr.json`` writes it.

    Examples
    --------
    >>> encode_fill_value(float("nan"), np.dtype("f4")), encode_fill_value(2j, np.dtype("c8"))
    ('NaN', [0.0, 2.0])
    """
    kind = dtype.kind
    if kind == "O":
        if object_codec == "vlen-bytes":
            return list(bytes(value or b""))
        return "" if value is None else str(value)
    if kind in FIXED_LENGTH:
        a = np.asarray("" if value is None else value, dtype)[()]
        return str(a) if kind == "U" else base64.b64encode(bytes(a)).decode("ascii")
    a = np.asarray(0 if value is None else value, dtype)
    if kind == "b":
        return bool(a)
    if kind in "iu":
        return int(a)
    if kind == "f":
        return _encode_float(a[()], dtype)
    part = np.dtype("f%d" % (dtype.itemsize // 2))
    return [_encode_float(a.real[()], part), _encode_float(a.imag[()], part)]


def _ints(value, what, where, positive):
    if not isinstance(value, list) or not all(type(v) is int and (v > 0 if positive else v >= 0)
                                              and v < 2 ** 63 for v in value):
        raise MetadataError("%s: %s must be a list of %s integers, not %r"
                            % (where, what, "positive" if positive else "non-negative", value))
    return tuple(value)


def _named(value, what, where, names):
    if not isinstance(value, dict) or value.get("name") not in names:
        raise MetadataError("%s: %s %r is not supported (only %s)"
                            % (where, what, value.get("name") if isinstance(value, dict)
                               else value, ", ".join(names)))
    config = value.get("configuration", {})
    if not isinstance(config, dict):
        raise MetadataError("%s: the configuration of %s must be an object" % (where, what))
    return value["name"], config


def key_encoding(value, where="chunk_key_encoding"):
    """The chunk key encoding ``{"name", "separator"}`` of a ``zarr.json`` entry."""
    name, config = _named(value, "chunk_key_encoding", where, ("default", "v2"))
    separator = config.get("separator", "/" if name == "default" else ".")
    if separator not in ("/", ".") or set(config) - {"separator"}:
        raise MetadataError("%s: chunk_key_encoding configuration %r is not supported "
                            "(separator '/' or '.')" % (where, config))
    return {"name": name, "separator": separator}


def sharding_parts(config, shard_shape, dtype, where="sharding_indexed"):
    """The checked configuration of a ``sharding_indexed`` codec for shards of
    ``shard_shape``: (inner chunk shape, inner codecs, index codecs, index location)."""
    unknown = set(config) - {"chunk_shape", "codecs", "index_codecs", "index_location"}
    if unknown:
        raise ValueError("sharding_indexed has no option %s" % ", ".join(sorted(unknown)))
    inner = config.get("chunk_shape")
    if (not isinstance(inner, list) or len(inner) != len(shard_shape)
            or not all(type(c) is int and c > 0 for c in inner)):
        raise ValueError("sharding_indexed chunk_shape must be %d positive integers, not %r"
                         % (len(shard_shape), inner))
    if any(s % c for s, c in zip(shard_shape, inner)):
        raise ValueError("the shard shape %s is not a multiple of the inner chunk shape %s"
                         % (tuple(shard_shape), tuple(inner)))
    codecs = normalize_codecs(config.get("codecs", [{"name": "bytes", "configuration":
                                                     {"endian": "little"}}]),
                              dtype, len(shard_shape))
    if any(c["name"] == "sharding_indexed" for c in codecs):
        raise ValueError("sharding inside sharding is not supported")
    index_codecs = config.get("index_codecs", DEFAULT_INDEX_CODECS)
    names = [c.get("name") if isinstance(c, dict) and isinstance(c.get("configuration", {}),
                                                                  dict) else None
             for c in index_codecs] if isinstance(index_codecs, list) else None
    endian = None
    if names and names[0] == "bytes":
        endian = index_codecs[0].get("configuration", {}).get("endian", "little")
    if names not in (["bytes"], ["bytes", "crc32c"]) or endian != "little":
        raise ValueError("sharding_indexed index_codecs %r are not supported (only bytes "
                         "little-endian, optionally then crc32c)" % (index_codecs,))
    location = config.get("index_location", "end")
    if location not in ("start", "end"):
        raise ValueError("sharding_indexed index_location must be 'start' or 'end', not %r"
                         % (location,))
    return tuple(inner), codecs, names == ["bytes", "crc32c"], location


def sharding_config(inner_chunks, codecs, checksum=True, location="end"):
    """The ``sharding_indexed`` entry of a codec list."""
    return {"name": "sharding_indexed", "configuration": {
        "chunk_shape": list(inner_chunks), "codecs": codecs,
        "index_codecs": DEFAULT_INDEX_CODECS if checksum else DEFAULT_INDEX_CODECS[:1],
        "index_location": location}}


def split_sharding(codecs, shard_shape, dtype):
    """The normalized codec list ``codecs`` with its ``sharding_indexed``
    entry checked and every option filled in, and the inner chunk shape
    (None when not sharded); ValueError for a sharding codec not first and
    alone."""
    if codecs[0]["name"] == "sharding_indexed":
        if len(codecs) > 1:
            raise ValueError("codecs after sharding_indexed are not supported")
        inner, inner_codecs, checksum, location = sharding_parts(
            codecs[0]["configuration"], shard_shape, dtype)
        return [sharding_config(inner, inner_codecs, checksum, location)], inner
    if any(c["name"] == "sharding_indexed" for c in codecs):
        raise ValueError("transpose before sharding_indexed is not supported")
    return codecs, None


def compressor_of(codecs, itemsize):
    """The first compressing bytes-to-bytes codec of a chain (inner chain of a
    sharded one), as one of our codec objects, or None: what ``compressor`` shows."""
    if codecs and codecs[0]["name"] == "sharding_indexed":
        codecs = codecs[0]["configuration"]["codecs"]
    for codec in codecs:
        if codec["name"] in BYTES_TO_BYTES and codec["name"] != "crc32c":
            return bytes_to_bytes(codec["name"], codec.get("configuration", {}), itemsize)
    return None


def parse_v3_metadata(text, where):
    """Check a ``zarr.json`` (bytes or text) of an array and return its options.

    Raises
    ------
    MetadataError
        For bad JSON, a node that is not a v3 array, or anything unsupported
        or impossible; the message names ``where`` and what it found.
    """
    doc = load_json(text, where)
    if not isinstance(doc, dict):
        raise MetadataError("%s: expected a JSON object" % where)
    if doc.get("zarr_format") != 3:
        raise MetadataError("%s: zarr_format %r, not 3" % (where, doc.get("zarr_format")))
    if doc.get("node_type") != "array":
        raise MetadataError("%s: node_type %r, not 'array'" % (where, doc.get("node_type")))
    missing = sorted(_ARRAY_KEYS - set(doc))
    if missing:
        raise MetadataError("%s: missing %s" % (where, ", ".join(missing)))
    for key in sorted(set(doc) - _ARRAY_KEYS - _OPTIONAL_KEYS):
        value = doc[key]
        if not (isinstance(value, dict) and value.get("must_understand") is False):
            raise MetadataError("%s: unknown member %r (an extension this version does not "
                                "support)" % (where, key))
    if doc.get("storage_transformers"):
        raise MetadataError("%s: storage_transformers %r are not supported"
                            % (where, [t.get("name") if isinstance(t, dict) else t
                                       for t in doc["storage_transformers"]]))
    shape = _ints(doc["shape"], "shape", where, False)
    data_type = doc["data_type"]
    if isinstance(data_type, str) and data_type in DATA_TYPES:
        dtype, object_codec = DATA_TYPES[data_type], None
    elif isinstance(data_type, str) and data_type in OBJECT_TYPES:
        dtype, object_codec = np.dtype(object), OBJECT_TYPES[data_type]
    elif _fixed_length_dtype(data_type, where) is not None:
        dtype, object_codec = _fixed_length_dtype(data_type, where), None
    else:
        raise MetadataError("%s: unknown data_type %r (supported: %s)"
                            % (where, data_type, ", ".join(list(DATA_TYPES) + [
                                "string", "bytes"] + list(FIXED_LENGTH.values()))))
    _, grid = _named(doc["chunk_grid"], "chunk_grid", where, ("regular",))
    chunks = _ints(grid.get("chunk_shape"), "chunk_grid chunk_shape", where, True)
    if len(chunks) != len(shape) or set(grid) - {"chunk_shape"}:
        raise MetadataError("%s: chunk_shape %r does not match shape %r"
                            % (where, list(chunks), list(shape)))
    encoding = key_encoding(doc["chunk_key_encoding"], where)
    try:
        codecs, inner = split_sharding(normalize_codecs(doc["codecs"], dtype, len(shape)),
                                       chunks, dtype)
    except (TypeError, ValueError) as e:
        raise MetadataError("%s: %s" % (where, e)) from None
    names = doc.get("dimension_names")
    if names is not None and (not isinstance(names, list) or len(names) != len(shape) or not all(
            n is None or isinstance(n, str) for n in names)):
        raise MetadataError("%s: dimension_names must be %d strings or nulls, not %r"
                            % (where, len(shape), names))
    attributes = doc.get("attributes", {})
    if not isinstance(attributes, dict):
        raise MetadataError("%s: attributes must be an object" % where)
    return {"zarr_format": 3, "shape": shape, "dtype": dtype, "chunks": chunks,
            "inner_chunks": inner, "codecs": codecs,
            "compressor": compressor_of(codecs, dtype.itemsize),
            "fill_value": _fill_of(doc["fill_value"], dtype, data_type, where),
            "dimension_separator": encoding["separator"], "chunk_key_encoding": encoding,
            "object_codec": object_codec, "filters": (),
            "dimension_names": None if names is None else tuple(names),
            "attributes": attributes}


def _fill_of(value, dtype, data_type, where):
    try:
        return decode_fill_value(value, dtype, data_type)
    except MetadataError as e:
        raise MetadataError("%s: %s" % (where, e)) from None


def v3_document(meta, attributes=None):
    """The ``zarr.json`` dict of the options ``meta`` of a v3 array."""
    dtype = meta["dtype"]
    doc = {"zarr_format": 3, "node_type": "array", "shape": list(meta["shape"]),
           "data_type": data_type_name(dtype, meta["object_codec"]),
           "chunk_grid": {"name": "regular",
                          "configuration": {"chunk_shape": list(meta["chunks"])}},
           "chunk_key_encoding": {"name": meta["chunk_key_encoding"]["name"],
                                  "configuration": {"separator":
                                                    meta["chunk_key_encoding"]["separator"]}},
           "fill_value": encode_fill_value(meta["fill_value"], dtype, meta["object_codec"]),
           "codecs": meta["codecs"],
           "attributes": meta.get("attributes", {}) if attributes is None else attributes}
    if meta.get("dimension_names") is not None:
        doc["dimension_names"] = list(meta["dimension_names"])
    return doc


def dumps_v3(doc):
    """The text of a ``zarr.json``."""
    return json.dumps(doc, indent=2, ensure_ascii=True, allow_nan=False) + "\n"


def read_node_document(data, where):
    """The ``zarr.json`` of a v3 node as a dict with its ``node_type``."""
    doc = load_json(data, where)
    if not isinstance(doc, dict) or doc.get("zarr_format") != 3 or \
            doc.get("node_type") not in ("array", "group"):
        raise MetadataError("%s: not the metadata of a Zarr v3 array or group" % where)
    if doc["node_type"] == "group":
        if not isinstance(doc.get("attributes", {}), dict):
            raise MetadataError("%s: attributes must be an object" % where)
        for key in sorted(set(doc) - _GROUP_KEYS):
            value = doc[key]
            if not (isinstance(value, dict) and value.get("must_understand") is False):
                raise MetadataError("%s: unknown member %r (an extension this version does "
                                    "not support)" % (where, key))
    return doc

