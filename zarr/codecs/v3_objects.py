"""The Zarr v3 codecs as zarr-python 3 names them, as value objects:
:class:`BloscCodec`, :class:`ZstdCodec`, :class:`GzipCodec`,
:class:`Crc32cCodec`, :class:`BytesCodec`, :class:`TransposeCodec`,
:class:`VLenUTF8Codec` and :class:`VLenBytesCodec`.

Each is one entry of a v3 array's ``codecs`` list: ``to_dict()`` gives its
JSON (``{"name": ..., "configuration": {...}}``) and :func:`from_dict` makes
one from it. Two compare equal when their JSON does. A v3 array's
``compressors``, ``filters`` and ``serializer`` are these objects, and the
creation functions take them wherever they take a codec.

Examples
--------
>>> BloscCodec(cname="zstd", clevel=3, shuffle="shuffle", typesize=8).to_dict()
{'name': 'blosc', 'configuration': {'typesize': 8, 'cname': 'zstd', 'clevel': 3, 'shuffle': 'shuffle', 'blocksize': 0}}
>>> from_dict({"name": "bytes", "configuration": {"endian": "little"}}) == BytesCodec()
True
"""

from zarr.codecs.v3 import BYTES_TO_BYTES, bytes_to_bytes

#: Each codec's options and their defaults, in the order its JSON lists them.
_OPTIONS = {
    "blosc": (("typesize", None), ("cname", "zstd"), ("clevel", 5), ("shuffle", None),
              ("blocksize", 0)),
    "zstd": (("level", 0), ("checksum", False)),
    "gzip": (("level", 5),),
    "crc32c": (),
    "bytes": (("endian", "little"),),
    "transpose": (("order", None),),
    "vlen-utf8": (),
    "vlen-bytes": (),
}


class V3Codec:
    """One codec of a v3 chain (see the module); made by its subclasses."""

    __slots__ = ("_config",)
    name = None

    def __init__(self, **options):
        known = dict(_OPTIONS[self.name])
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise TypeError("%s has no option %s (only %s)" % (
                type(self).__name__, ", ".join(unknown), ", ".join(known) or "none"))
        known.update(options)
        _check(self.name, known)
        if self.name == "transpose":
            known["order"] = list(known["order"])
        object.__setattr__(self, "_config", known)

    def __getattr__(self, name):
        try:
            return object.__getattribute__(self, "_config")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("a codec is a value: make a new one")

    def to_dict(self):
        """The codec's entry in a ``zarr.json``'s ``codecs``; options left
        unset (None) are left out, for the array to fill in."""
        config = {k: v for k, v in self._config.items() if v is not None}
        return {"name": self.name, "configuration": config} if config else {"name": self.name}

    def __eq__(self, other):
        to_dict = getattr(other, "to_dict", None)
        if not callable(to_dict):
            return NotImplemented
        return self.to_dict() == _filled(to_dict())

    def __hash__(self):
        return hash(repr(self.to_dict()))

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % item for item in self._config.items()))

    def __reduce__(self):
        return from_dict, (self.to_dict(),)


def _check(name, config):
    """ValueError or TypeError, as the codec would raise when used, for
    options it cannot take: refused where the object is made."""
    if name in BYTES_TO_BYTES:
        given = {k: v for k, v in config.items() if v is not None}
        bytes_to_bytes(name, given, 1)  # a typesize left out is the array's item size
    elif name == "bytes" and config["endian"] not in (None, "little", "big"):
        raise ValueError("bytes endian must be 'little' or 'big', not %r" % (config["endian"],))
    elif name == "transpose":
        order = config["order"]
        if (isinstance(order, (str, bytes)) or not hasattr(order, "__len__")
                or sorted(order) != list(range(len(order)))
                or not all(type(i) is int for i in order)):
            raise ValueError("transpose order must be a permutation of range(n), not %r"
                             % (order,))


def _filled(spec):
    """``spec`` with the defaults of its codec's options filled in."""
    if not isinstance(spec, dict) or spec.get("name") not in _OPTIONS:
        return spec
    config = {k: v for k, v in _OPTIONS[spec["name"]] if v is not None}
    config.update(spec.get("configuration") or {})
    return {"name": spec["name"], "configuration": config} if config else {"name": spec["name"]}


class BloscCodec(V3Codec):
    __slots__ = ()
    name = "blosc"


class ZstdCodec(V3Codec):
    __slots__ = ()
    name = "zstd"


class GzipCodec(V3Codec):
    __slots__ = ()
    name = "gzip"


class Crc32cCodec(V3Codec):
    __slots__ = ()
    name = "crc32c"


class BytesCodec(V3Codec):
    __slots__ = ()
    name = "bytes"


class TransposeCodec(V3Codec):
    __slots__ = ()
    name = "transpose"


class VLenUTF8Codec(V3Codec):
    __slots__ = ()
    name = "vlen-utf8"


class VLenBytesCodec(V3Codec):
    __slots__ = ()
    name = "vlen-bytes"


_CLASSES = {cls.name: cls for cls in (BloscCodec, ZstdCodec, GzipCodec, Crc32cCodec, BytesCodec,
                                      TransposeCodec, VLenUTF8Codec, VLenBytesCodec)}


def from_dict(spec):
    """The codec object of one entry of a v3 ``codecs`` list.

    Examples
    --------
    >>> from_dict({"name": "zstd", "configuration": {"level": 3, "checksum": False}})
    ZstdCodec(level=3, checksum=False)
    """
    name = spec.get("name") if isinstance(spec, dict) else None
    if name not in _CLASSES:
        raise ValueError("no codec object for %r (known: %s)" % (spec, ", ".join(_CLASSES)))
    return _CLASSES[name](**(spec.get("configuration") or {}))
