"""The ``.zarray`` metadata of the Zarr v2 format: encoding and checking."""

import base64
import json
import math

import numpy as np

from zarr.errors import MetadataError
from zarr.codecs import codec_registry, get_codec
from zarr.storage.files import MAX_METADATA_SIZE

ZARR_FORMAT = 2

#: The filter this project writes for object arrays, and the ones it reads.
MSGPACK2 = {"id": "msgpack2", "raw": False, "use_bin_type": True, "use_single_float": False}
OBJECT_CODECS = ("msgpack2", "vlen-utf8", "vlen-bytes", "vlen-array")
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


#: The fill values of floats that JSON has no number for, as the format names them.
_FLOAT_NAMES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _decode_float(v, dtype):
    """A fill value for the float dtype: a number it can hold, or a name of _FLOAT_NAMES."""
    if isinstance(v, str):
        if v not in _FLOAT_NAMES:
            raise MetadataError("fill_value %r is not a number (nor 'NaN', 'Infinity' or "
                                "'-Infinity')" % v)
        return _FLOAT_NAMES[v]
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise MetadataError("fill_value %r is not a number" % (v,))
    try:
        f = float(v)
    except OverflowError:  # an integer beyond every float
        f = None
    if f is None or (math.isfinite(f) and not _fits_float(f, dtype)):
        raise MetadataError("fill_value %r is out of the range of %s" % (v, dtype))
    return f


def _fits_float(f, dtype):
    """Whether the finite float f stays finite in the float dtype."""
    with np.errstate(over="ignore"):
        return bool(np.isfinite(dtype.type(f)))


def _decode_int(v, dtype):
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # as some writers write integers
    if not isinstance(v, int) or isinstance(v, bool):
        raise MetadataError("fill_value %r is not an integer" % (v,))
    info = np.iinfo(dtype)
    if not info.min <= v <= info.max:
        raise MetadataError("fill_value %d is out of the range of %s (%d to %d)"
                            % (v, dtype, info.min, info.max))
    return v


def _decode_base64(v, dtype):
    if not isinstance(v, str):
        raise MetadataError("fill_value %r of %s is not a base64 string" % (v, dtype))
    try:
        raw = base64.b64decode(v, validate=True)
    except ValueError as e:  # binascii.Error, or a character outside ASCII
        raise MetadataError("fill_value %r of %s is not base64: %s" % (v, dtype, e)) from None
    if len(raw) > dtype.itemsize or (dtype.kind == "V" and len(raw) != dtype.itemsize):
        raise MetadataError("fill_value of %d bytes for items of %d" % (len(raw), dtype.itemsize))
    return raw


#: The fill value of a new Zarr v2 array stored with none (``null``): its
#: ``fill_value`` is None, and its chunks never written read as zeros (``''``
#: and ``b''`` for strings and bytes). A fill value of None given to the
#: creation functions means the default, zero.
NO_FILL = type("NoFill", (), {"__repr__": lambda self: "NO_FILL"})()


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
        return int(a.astype(dtype.newbyteorder("=")).view("i8"))
    if kind == "U":
        return str(a)
    return base64.standard_b64encode(a.tobytes()).decode("ascii")


def decode_fill_value(value, dtype):
    """The inverse of :func:`encode_fill_value`; None gives None (the default).

    Only the encodings of the Zarr v2 format for the dtype are read; a value
    of another type, out of the dtype's range (an integer too large, a float
    that would become infinite), or not valid base64 raises a MetadataError.

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
            if type(value) not in (bool, int) or value not in (0, 1):
                raise MetadataError("fill_value %r is not a boolean" % (value,))
            return bool(value)
        if kind in "iu":
            return _decode_int(value, dtype)
        if kind == "f":
            return _decode_float(value, dtype)
        if kind == "c":
            if not isinstance(value, list) or len(value) != 2:
                raise MetadataError("fill_value %r is not a pair [real, imag]" % (value,))
            part = np.dtype("f%d" % (dtype.itemsize // 2))
            return complex(_decode_float(value[0], part), _decode_float(value[1], part))
        if kind in "mM":
            if value == "NaT":
                return np.array("NaT", dtype)[()]
            return np.array(_decode_int(value, np.dtype("i8")), "i8").astype(dtype)[()]
        if kind == "U":
            if not isinstance(value, str):
                raise MetadataError("fill_value %r is not a string" % (value,))
            if len(value) > dtype.itemsize // 4:
                raise MetadataError("fill_value %r is longer than the %d characters of %s"
                                    % (value, dtype.itemsize // 4, dtype))
            return value
        raw = _decode_base64(value, dtype)
        return np.frombuffer(raw.ljust(dtype.itemsize, b"\0"), dtype)[0]
    except MetadataError:
        raise
    except (TypeError, ValueError, IndexError, OverflowError) as e:
        raise MetadataError("fill_value %r does not fit dtype %s: %s" % (value, dtype, e)) from None


def object_codec_config(object_codec):
    """The filter entry of an object codec: its name (msgpack2, vlen-utf8,
    vlen-bytes) or a codec (:class:`zarr.codecs.VLenArray`).

    Examples
    --------
    >>> object_codec_config("vlen-utf8")
    {'id': 'vlen-utf8'}
    """
    if object_codec in (None, "msgpack2"):
        return dict(MSGPACK2)
    if isinstance(object_codec, str):
        return {"id": object_codec}
    return object_codec.get_config()


def array_metadata(shape, dtype, chunks, compressor, fill_value, dimension_separator,
                   object_codec=None, filters=()):
    """The ``.zarray`` of an array, as a dict; ``compressor`` is a codec
    (:mod:`zarr.codecs`) or None, ``filters`` a sequence of codecs."""
    compressor = None if compressor is None else compressor.get_config()
    filters = [f.get_config() for f in filters] or None
    if dtype.hasobject:
        filters = [object_codec_config(object_codec)]
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


def load_json(data, where):
    """The JSON document of a metadata file (bytes, or text).

    Raises
    ------
    MetadataError
        Naming ``where``, for a file over :data:`zarr.storage.files.MAX_METADATA_SIZE`
        bytes, not UTF-8, not JSON, or nested deeper than the parser can go.

    Examples
    --------
    >>> load_json(b'{"zarr_format": 2}', ".zgroup")
    {'zarr_format': 2}
    >>> load_json(b"[" * 100000, "x/.zattrs")
    Traceback (most recent call last):
    ...
    zarr.errors.MetadataError: x/.zattrs: not valid JSON: nested too deeply
    """
    if len(data) > MAX_METADATA_SIZE:
        raise MetadataError("%s: %d bytes, over the limit of %d bytes of a metadata file "
                            "(zarr.storage.files.MAX_METADATA_SIZE)"
                            % (where, len(data), MAX_METADATA_SIZE))
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
    except UnicodeDecodeError as e:
        raise MetadataError("%s: not valid JSON: not UTF-8: %s" % (where, e)) from None
    try:
        return json.loads(text)
    except ValueError as e:
        raise MetadataError("%s: not valid JSON: %s" % (where, e)) from None
    except RecursionError:
        raise MetadataError("%s: not valid JSON: nested too deeply" % where) from None


def parse_array_metadata(text, where):
    """Check a ``.zarray`` (bytes, or text) and return the options of the
    array it describes.

    Raises
    ------
    MetadataError
        For bad JSON (see :func:`load_json`), a format other than 2, or
        impossible values; the message names ``where``.
    """
    meta = load_json(text, where)
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
    if dtype.subdtype is not None:
        raise MetadataError("%s: dtype %r is a subarray dtype, which the format does not have "
                            "(only fields of a structured dtype may have a shape)"
                            % (where, meta["dtype"]))
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
    filters = meta["filters"]
    if filters is not None and not isinstance(filters, list):
        raise MetadataError("%s: filters %r must be a list or null" % (where, filters))
    filters = filters or []
    object_codec = None
    if dtype.hasobject:
        ids = [f.get("id") if isinstance(f, dict) else None for f in filters]
        if len(ids) != 1 or ids[0] not in OBJECT_CODECS:
            raise MetadataError("%s: an object array needs one of the filters %s, not %r"
                                % (where, ", ".join(OBJECT_CODECS), filters))
        object_codec = ids[0]
        if object_codec == "vlen-array":
            object_codec = _filter(filters[0], dtype, where)
        filters = ()
    else:
        filters = tuple(_filter(f, dtype, where) for f in filters)
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
        "object_codec": object_codec, "filters": filters,
    }


def _filter(config, dtype, where):
    """The codec of a filter's configuration, or a MetadataError naming it."""
    try:
        return get_codec(config, dtype.itemsize)
    except KeyError:
        raise MetadataError("%s: filter %r is not supported (have %s)"
                            % (where, config, ", ".join(sorted(codec_registry)))) from None
    except (TypeError, ValueError) as e:
        raise MetadataError("%s: bad filter %r: %s" % (where, config, e)) from None
