"""What zarr-python 3's groups and arrays answer that xarray and dask ask of
them, on this package's groups and arrays, and its creation arguments in
this package's terms.

:class:`ArrayAPI3` and :class:`GroupAPI3` are parts of :class:`zarr.Array`
and :class:`zarr.Group`: ``metadata.zarr_format``,
``metadata.dimension_names``, ``compressors``, ``serializer``,
``members()``, ``create_array``. :func:`creation_options` turns
zarr-python 3's keywords (``compressors=``, ``filters=``, ``config=``...)
into :func:`zarr.open`'s.
"""

import numpy as np

from zarr import config as zarr_config
from zarr.async_array import AsyncArray
from zarr.codecs import DEFAULT
from zarr.codecs.v3 import BYTES_TO_BYTES, bytes_to_bytes
from zarr.codecs.v3_objects import from_dict
from zarr.meta import NO_FILL


class NodeMetadata:
    """``node.metadata``: the format of a node and, for a v3 array, the
    names of its dimensions (AttributeError for a v2 node, which has none).

    Examples
    --------
    >>> NodeMetadata(3, ("x", None)).dimension_names
    ('x', None)
    """

    def __init__(self, zarr_format, dimension_names=None):
        self.zarr_format = zarr_format
        self._dimension_names = dimension_names

    @property
    def dimension_names(self):
        if self.zarr_format != 3:
            raise AttributeError("a Zarr v2 node has no dimension_names")
        return self._dimension_names

    def __repr__(self):
        return "NodeMetadata(zarr_format=%d)" % self.zarr_format


def one_codec(value, what, dtype=None):
    """A codec of this package, or its configuration, for one codec of
    zarr-python's kinds (ours, numcodecs', the v3 objects of
    :mod:`zarr.codecs.v3_objects` or zarr-python's, dicts)."""
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            raise NotImplementedError("%s=%r: more than one %s in a chain"
                                      % (what, value, what.rstrip("s")))
        value = value[0] if value else None
    if value is None or isinstance(value, dict):
        return value
    if hasattr(value, "encode") and hasattr(value, "max_encoded_size"):
        return value  # one of ours
    config = getattr(value, "get_config", None)
    if callable(config):
        return dict(config())  # numcodecs' codecs describe themselves
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):  # v3 codec objects
        spec = to_dict()
        name, config = spec.get("name"), dict(spec.get("configuration") or {})
        if name not in BYTES_TO_BYTES:
            raise ValueError("%s: %r is not a bytes-to-bytes codec (%s), which is all this "
                             "package takes here" % (what, value, ", ".join(BYTES_TO_BYTES)))
        # Variable-length items (str, bytes, objects) are encoded as bytes.
        itemsize = None if dtype is None else 1 if np.dtype(dtype).hasobject else \
            np.dtype(dtype).itemsize or 1
        if name == "blosc" and config.get("shuffle") is None:  # as zarr-python 3 fills it in
            config["shuffle"] = "bitshuffle" if itemsize == 1 else "shuffle"
        return bytes_to_bytes(name, config, itemsize)
    raise TypeError("%s: expected a codec or its configuration, not %r" % (what, value))


def _filters(value, dtype):
    if value in ("auto", None) or (isinstance(value, (list, tuple)) and not value):
        return None
    if not isinstance(value, (list, tuple)):
        value = [value]
    return [one_codec(f, "filters", dtype) for f in value]


def _fill(value, dtype, zarr_format):
    """The fill value to create with: None is v2's null (v3 has none: its default)."""
    if value is not None:
        return value
    return DEFAULT if zarr_format == 3 else NO_FILL


def _serializer_ok(serializer, dtype):
    """Whether ``serializer`` is the one this package gives arrays of ``dtype``."""
    if isinstance(serializer, str) and serializer == "auto" or serializer is None:
        return True
    spec = serializer.to_dict() if hasattr(serializer, "to_dict") else serializer
    name = spec.get("name") if isinstance(spec, dict) else None
    objects = dtype in (str, bytes, object) or (dtype is not None and np.dtype(dtype).kind in "OT")
    if objects:
        return name in ("vlen-utf8", "vlen-bytes") and not spec.get("configuration")
    # Only the default byte order: another would be stored otherwise than asked.
    return name == "bytes" and (spec.get("configuration") or {}).get("endian") in (None,
                                                                                  "little")


def check_config(config):
    """zarr-python 3's array ``config``, checked: its ``write_empty_chunks``
    (None when it does not say); ``order`` must be 'C', and anything else
    raises NotImplementedError.

    Examples
    --------
    >>> check_config({"write_empty_chunks": False, "order": "C"})
    False
    """
    config = dict(config or {})
    write_empty = config.pop("write_empty_chunks", None)
    if write_empty is not None and type(write_empty) is not bool:
        raise TypeError("write_empty_chunks must be True or False, not %r" % (write_empty,))
    if config.pop("order", None) not in (None, "C"):
        raise NotImplementedError("order: arrays are stored in C order")
    if config:
        raise NotImplementedError("config=%r" % (config,))
    return write_empty


def api3_config(config):
    """``config`` with zarr-python 3's defaults (:mod:`zarr.config`) filled in:
    what its creation functions give :func:`zarr.open`."""
    check_config(config)
    config = dict(config or {})
    if config.get("write_empty_chunks") is None:
        config["write_empty_chunks"] = zarr_config.get("array.write_empty_chunks")
    return config


def default_format(zarr_format):
    """``zarr_format``, or zarr-python 3's default (:mod:`zarr.config`) for None."""
    return zarr_config.get("default_zarr_format") if zarr_format is None else zarr_format


def v2_separator(encoding):
    """The ``dimension_separator`` of a Zarr v2 array given zarr-python 3's
    ``chunk_key_encoding`` (``{"name": "v2", "configuration": {"separator": "/"}}``).

    Examples
    --------
    >>> v2_separator({"name": "v2", "configuration": {"separator": "/"}})
    '/'
    """
    if isinstance(encoding, dict) and encoding.get("name") == "v2":
        separator = (encoding.get("configuration") or {}).get("separator", ".")
        if separator in (".", "/"):
            return separator
    raise ValueError("chunk_key_encoding %r: a Zarr v2 array takes {'name': 'v2', "
                     "'configuration': {'separator': '.' or '/'}}" % (encoding,))


def shape_of(shape, dtype, data):
    """(shape, dtype, data as an array) of a creation given ``data`` or not."""
    if data is not None:
        data = np.asarray(data)
        if shape is not None and tuple(shape) != data.shape:
            raise ValueError("shape %s given with data of shape %s" % (shape, data.shape))
        shape, dtype = data.shape, data.dtype if dtype is None else dtype
    if shape is None:
        raise TypeError("create_array needs shape= (or data=)")
    return shape, dtype, data


def creation_options(shape, dtype=None, chunks="auto", shards=None, filters="auto",
                     compressors="auto", serializer="auto", fill_value=DEFAULT, order=None,
                     zarr_format=None, chunk_key_encoding=None, dimension_names=None,
                     config=None):
    """:func:`zarr.open`'s options for zarr-python 3's creation keywords;
    NotImplementedError for what this package cannot make.

    Examples
    --------
    >>> creation_options((4,), "i2", compressors=None, zarr_format=2)["compressor"] is None
    True
    """
    if not _serializer_ok(serializer, dtype):
        raise NotImplementedError("serializer=%r: only the default serializer" % (serializer,))
    if order not in (None, "C"):
        raise NotImplementedError("order=%r: arrays are stored in C order" % (order,))
    zarr_format = default_format(zarr_format)
    if zarr_format not in (2, 3):
        raise ValueError("zarr_format must be 2 or 3, not %r" % (zarr_format,))
    separator = {}
    if zarr_format == 2 and chunk_key_encoding is not None:
        separator["dimension_separator"] = v2_separator(chunk_key_encoding)
        chunk_key_encoding = None
    return dict(separator, shape=shape, dtype=dtype, chunks=None if chunks == "auto" else chunks,
                fill_value=_fill(fill_value, dtype, zarr_format),
                compressor=DEFAULT if compressors == "auto" else one_codec(
                    compressors, "compressors", dtype),
                filters=_filters(filters, dtype), zarr_format=zarr_format, shards=shards,
                chunk_key_encoding=chunk_key_encoding, dimension_names=dimension_names,
                config=api3_config(config))


#: The keywords by which a call of ``Group.create`` is zarr-python 3's.
API3_KEYWORDS = frozenset(("compressors", "serializer", "config", "attributes", "order"))


class ArrayAPI3:
    """zarr-python 3's properties of an array (see :class:`zarr.Array`)."""

    @property
    def metadata(self):
        """The array's format and, for v3, dimension names (:class:`NodeMetadata`)."""
        return NodeMetadata(self.zarr_format, self.dimension_names)

    def _v3_chain(self):
        codecs = self._v3_meta["codecs"]
        if codecs and codecs[0]["name"] == "sharding_indexed":  # the inner chunks' chain
            codecs = codecs[0]["configuration"]["codecs"]
        return codecs

    @property
    def compressors(self):
        """The compressors as a tuple of codecs: ``()`` for raw chunks; for a
        v3 array its bytes-to-bytes codecs, as :mod:`zarr.codecs.v3_objects`."""
        if self.zarr_format == 3:
            return tuple(from_dict(c) for c in self._v3_chain() if c["name"] in BYTES_TO_BYTES)
        return () if self.compressor is None else (self.compressor,)

    @property
    def serializer(self):
        """A v3 array's array-to-bytes codec (``BytesCodec``, ``VLenUTF8Codec``...);
        None for v2."""
        if self.zarr_format != 3:
            return None
        return from_dict(next(c for c in self._v3_chain() if c["name"] != "transpose"))

    @property
    def read_only(self):
        return self._mode == "r"

    @property
    def write_empty_chunks(self):
        """Whether a write that leaves a chunk holding only the fill value
        stores it (True, this package's default) or deletes it (False, the
        default of zarr-python 3's creation functions, :mod:`zarr.config`).
        Either way the chunk reads back the same, bit for bit: a chunk is
        deleted only when every item has the fill value's bytes. A setting of
        this handle, not of the stored array; always True in a store that
        cannot delete (a zip archive).

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros(10, chunks=5)
        >>> z.write_empty_chunks = False
        >>> z[:] = 1; z[5:] = 0
        >>> z.nchunks_initialized
        1
        """
        return self._proto.write_empty

    @write_empty_chunks.setter
    def write_empty_chunks(self, value):
        if type(value) is not bool:
            raise TypeError("write_empty_chunks must be True or False, not %r" % (value,))
        # A store that cannot delete (a zip archive) keeps every chunk written.
        self._proto.write_empty = value or not getattr(self._store, "supports_deletes", True)

    @property
    def string_dtype(self):
        """Whether an array of str (``vlen-utf8``) reads as numpy's
        ``StringDType`` (True: the default of zarr-python 3's calls, as
        zarr-python 3 reads them) or as an object array of str (False: this
        package's own functions). Either way the same strings are stored; a
        setting of this handle. False for arrays of anything else.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(["a", "bc"], dtype=str)
        >>> z.dtype, z.string_dtype
        (dtype('O'), False)
        >>> z.string_dtype = True
        >>> z[...]
        array(['a', 'bc'], dtype=StringDType())
        """
        return self._dtype.kind == "T"

    @string_dtype.setter
    def string_dtype(self, value):
        if type(value) is not bool:
            raise TypeError("string_dtype must be True or False, not %r" % (value,))
        if value and not self.holds_strings:
            raise TypeError("string_dtype: the array %s holds %s, not str"
                            % (self._describe(), self._object_codec if self._dtype.hasobject
                               else self._dtype))
        if self.holds_strings:
            self._dtype = np.dtypes.StringDType() if value else np.dtype(object)

    @property
    def holds_strings(self):
        """Whether the array holds str (an object array of ``vlen-utf8``)."""
        return self._dtype.hasobject and self._object_codec == "vlen-utf8"

    def _settings(self):
        """What this handle was told, for a copy of it (its pickles)."""
        return {"write_empty_chunks": self.write_empty_chunks,
                "string_dtype": self.string_dtype}

    def _apply_settings(self, settings):
        """Take ``settings`` (of :meth:`_settings`; a ``string_dtype`` only
        where the array holds str)."""
        for name, value in (settings or {}).items():
            if name == "string_dtype" and not self.holds_strings:
                continue
            setattr(self, name, value)

    @property
    def _async_array(self):
        """The array's coroutines (:class:`zarr.AsyncArray`)."""
        return AsyncArray(self)


class GroupAPI3:
    """zarr-python 3's calls of a group (see :class:`zarr.Group`)."""

    @property
    def metadata(self):
        return NodeMetadata(self._nodes.zarr_format)

    def members(self, max_depth=0):
        """(name, member) of each member: arrays and groups."""
        if max_depth not in (0, None):
            raise NotImplementedError("members(max_depth=%r)" % (max_depth,))
        return tuple(self.items())

    def create_array(self, name, *, shape=None, dtype=None, data=None, attributes=None,
                     overwrite=False, **kwargs):
        """A member array, made from zarr-python 3's keywords (as
        :func:`zarr.create_array`), in the group's format unless given."""
        shape, dtype, data = shape_of(shape, dtype, data)
        kwargs.setdefault("zarr_format", self._nodes.zarr_format)
        asked = check_config(kwargs.get("config"))
        options = creation_options(shape, dtype, **kwargs)
        # As the group's other arrays are opened (zarr.open_group's settings),
        # unless the call says otherwise.
        settings = dict(self._nodes.array_settings or {
            "write_empty_chunks": options["config"]["write_empty_chunks"], "string_dtype": True})
        del options["config"]
        if asked is not None:
            settings["write_empty_chunks"] = asked
        z = self._create(name, overwrite, options, data, settings)
        if attributes:
            z.attrs.update(attributes)
        return z
