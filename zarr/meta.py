"""The ``.zarray`` metadata of the Zarr v2 format: encoding and checking."""

import base64
import json
import math
import numbers

import numpy as np

from zarr.errors import MetadataError
from zarr.codecs import codec_registry, get_codec

ZARR_FORMAT = 2

#: The filter this project writes for object arrays, and the ones it reads.
MSGPACK2 = {"id": "msgpack2", "raw": False, "use_bin_type": True, "use_single_float": False}
OBJECT_CODECS = ("msgpack2", "vlen-utf8", "vlen-bytes")
#: The keys of a ``.zarray`` that the Zarr v2 format requires (dimension_separator is optional).
REQUIRED_KEYS = ("zarr_format", "shape", "chunks", "dtype", "compressor", "fill_value", "order",
                 "filters")


def encode_dtype(dtype):
    """A numpy dtype as the format writes it: its typestr, or a list of fields.

    Examples
    --------
    >>> encode_dtype(np.dtype("f8")), encode_dtype(np.dtype([("x", "i2", (2,))]))
    ('<f8', [['x', '<i2', [2]]])
    """
    if dtype.fields is None:
        return dtype.str
    return [[name, dtype[name].base.str] + ([list(dtype[name].shape)] if dtype[name].shape
                                              else []) for name in dtype.names]


def decode_dtype(obj):
    """The numpy dtype of a ``.zarray``'s dtype entry.

    Examples
    --------
    >>> decode_dtype("<M8[s]"), decode_dtype([["x", "<i2", [2]]])
    (dtype('<M8[s]'), dtype([('x', '<i2', (2,))]))
    """
    if isinstance(obj, list):
        if not all(isinstance(f, list) and 2 <= len(f) <= 3 and isinstance(f[0], str)
                   for f in obj):
            raise ValueError("fields must be lists [name, typestr] or [name, typestr, shape]")
        return np.dtype([tuple(f[:2]) + ((tuple(f[2]),) if len(f) > 2 else ()) for f in obj])
    return np.dtype(obj)


def _encode_float(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return float(v)


def _decode_float(v):
    if isinstance(v, str):
        try:
            return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
        except KeyError:
            raise MetadataError("fill_value %r is not a number" % v) from None
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        raise MetadataError("fill_value %r is not a number" % (v,))
    return float(v)


def encode_fill_value(value, dtype):
    """A fill value as JSON: NaN and infinities as strings, complex numbers as
    [real, imag], bytes and structured values in base64, datetimes as int64.

    Examples
    --------
    >>> encode_fill_value(np.nan, np.dtype("f4")), encode_fill_value(1 - 1j, np.dtype("c8"))
    ('NaN', [1.0, -1.0])
    """
    if value is None:
        return None
    kind = dtype.kind
    if kind == "O":
        return value if isinstance(value, (str, int, float, bool)) else None
    a = np.asarray(value, dtype)
    if kind == "b":
        return bool(a)
    if kind in "iu":
        return int(a)
    if kind == "f":
        return _encode_float(float(a))
    if kind == "c":
        return [_encode_float(a.real.item()), _encode_float(a.imag.item())]
    if kind in "mM":
        return int(a.view("i8"))
    if kind == "U":
        return str(a)
    return base64.standard_b64encode(a.tobytes()).decode("ascii")


def decode_fill_value(value, dtype):
    """The inverse of :func:`encode_fill_value`; None gives None (the default).

    Examples
    --------
    >>> decode_fill_value("-Infinity", np.dtype("f8")), decode_fill_value("AAE=", np.dtype("S2"))
    (-inf, np.bytes_(b'\\x00\\x01'))
    """
    if value is None:
        return None
    kind = dtype.kind
    try:
        if kind == "O":
            return value
        if kind == "b":
            return bool(value)
        if kind in "iu":
            if isinstance(value, float) and value != int(value):
                raise MetadataError("fill_value %r for an integer dtype" % value)
            return int(value)
        if kind == "f":
            return _decode_float(value)
        if kind == "c":
            return complex(_decode_float(value[0]), _decode_float(value[1]))
        if kind in "mM":
            return np.array(int(value), "i8").view(dtype)[()]
        if kind == "U":
            return str(value)
        raw = base64.standard_b64decode(value)
        if kind == "S":
            return np.frombuffer(raw.ljust(dtype.itemsize, b"\0")[:dtype.itemsize], dtype)[0]
        if len(raw) != dtype.itemsize:
            raise MetadataError("fill_value of %d bytes for items of %d" % (len(raw), dtype.itemsize))
        return np.frombuffer(raw, dtype)[0]
    except MetadataError:
        raise
    except (TypeError, ValueError, IndexError, OverflowError) as e:
        raise MetadataError("fill_value %r does not fit dtype %s: %s" % (value, dtype, e)) from None


def array_metadata(shape, dtype, chunks, compressor, fill_value, dimension_separator,
                   object_codec=None):
    """The ``.zarray`` of an array, as a dict; ``compressor`` is a codec
    (:mod:`zarr.codecs`) or None."""
    compressor = None if compressor is None else compressor.get_config()
    filters = None
    if dtype.hasobject:
        filters = [MSGPACK2 if object_codec in (None, "msgpack2") else {"id": object_codec}]
    return {
        "zarr_format": ZARR_FORMAT,
        "shape": list(shape),
        "chunks": list(chunks),
        "dtype": encode_dtype(dtype),
        "compressor": compressor,
        "fill_value": (base64.standard_b64encode(fill_value).decode("ascii")
                       if object_codec == "vlen-bytes" and isinstance(fill_value, bytes)
                       else encode_fill_value(fill_value, dtype)),
        "order": "C",
        "filters": filters,
        "dimension_separator": dimension_separator,
    }


def dumps(meta):
    return json.dumps(meta, indent=4, sort_keys=True, ensure_ascii=True, allow_nan=False) + "\n"


_MAX_INDEX = 2**63 - 1


def _ints(meta, name, where, positive):
    value = meta.get(name)
    if not isinstance(value, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in value):
        raise MetadataError("%s: %s must be a list of integers, not %r" % (where, name, value))
    if any(n < (1 if positive else 0) for n in value):
        raise MetadataError("%s: %s must be %s, not %r"
                            % (where, name, "positive" if positive else "non-negative", value))
    if any(n > _MAX_INDEX for n in value):
        raise MetadataError("%s: %s %r is too large (over %d)" % (where, name, value, _MAX_INDEX))
    return tuple(value)


def parse_array_metadata(text, where):
    """Check a ``.zarray`` and return the options of the array it describes.

    Raises
    ------
    MetadataError
        For bad JSON, a format other than 2, or impossible values; the
        message names ``where``.
    """
    try:
        meta = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise MetadataError("%s: not valid JSON: %s" % (where, e)) from None
    if not isinstance(meta, dict):
        raise MetadataError("%s: expected a JSON object" % where)
    # Every key the format requires: a missing "dtype" or "compressor" must not
    # read as float64 or as raw chunks.
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise MetadataError("%s: missing required key(s) %s" % (where, ", ".join(missing)))
    if type(meta["zarr_format"]) is not int or meta["zarr_format"] != ZARR_FORMAT:
        raise MetadataError("%s: zarr_format %r is not supported (only 2)"
                            % (where, meta.get("zarr_format")))
    shape = _ints(meta, "shape", where, False)
    chunks = _ints(meta, "chunks", where, True)
    if len(chunks) != len(shape):
        raise MetadataError("%s: chunks %r do not match shape %r" % (where, chunks, shape))
    if not isinstance(meta["dtype"], (str, list)):  # np.dtype(None) would be float64
        raise MetadataError("%s: dtype %r is not a typestr nor a list of fields"
                            % (where, meta["dtype"]))
    try:
        dtype = decode_dtype(meta.get("dtype"))
    except (TypeError, ValueError) as e:
        raise MetadataError("%s: dtype %r: %s" % (where, meta.get("dtype"), e)) from None
    if dtype.itemsize == 0:
        raise MetadataError("%s: dtype %r has items of size 0" % (where, meta["dtype"]))
    if meta.get("order", "C") != "C":
        raise MetadataError("%s: order %r is not supported (only 'C')" % (where, meta.get("order")))
    config = meta.get("compressor")
    try:
        compressor = get_codec(config, dtype.itemsize)
    except KeyError:
        raise MetadataError("%s: compressor %r is not supported (have %s, or null)"
                            % (where, config, ", ".join(sorted(codec_registry)))) from None
    except (TypeError, ValueError) as e:
        raise MetadataError("%s: bad compressor %r: %s" % (where, config, e)) from None
    filters = meta.get("filters") or []
    object_codec = None
    if dtype.hasobject:
        ids = [f.get("id") if isinstance(f, dict) else None for f in filters]
        if len(ids) != 1 or ids[0] not in OBJECT_CODECS:
            raise MetadataError("%s: an object array needs one of the filters %s, not %r"
                                % (where, ", ".join(OBJECT_CODECS), filters))
        object_codec = ids[0]
    elif filters:
        raise MetadataError("%s: filters %r are not supported" % (where, filters))
    separator = meta.get("dimension_separator")
    if separator is None:
        separator = "."
    if separator not in (".", "/"):
        raise MetadataError("%s: dimension_separator %r (expected '.' or '/')" % (where, separator))
    try:
        fill_value = decode_fill_value(meta.get("fill_value"), dtype)
        if object_codec == "vlen-bytes" and isinstance(fill_value, str):
            # zarr-python 3 writes the fill of a vlen-bytes array in base64
            fill_value = base64.b64decode(fill_value, validate=True)
    except ValueError as e:  # MetadataError, or bad base64 (binascii.Error)
        raise MetadataError("%s: %s" % (where, e)) from None
    return {
        "shape": shape, "chunks": chunks, "dtype": dtype, "compressor": compressor,
        "fill_value": fill_value, "dimension_separator": separator,
        "object_codec": object_codec,
    }
