"""The codec contract, the registry of codecs by id, and the base class.

A codec is a value: made and checked once, equal to another of the same
configuration, written to a ``.zarray`` as :meth:`Codec.get_config` (a JSON
object with an ``id``, in numcodecs' form) and made again from it by
:func:`get_codec`. Codecs turn bytes (or arrays) into bytes:

- ``encode(buf)``: the encoded bytes (a filter may give an array).
- ``decode(buf, out=None, max_nbytes=None)``: the decoded bytes, or written
  into ``out`` when given, which they must fill exactly. ``buf`` is
  untrusted: anything but a valid encoding of the right size raises
  :class:`zarr.CorruptChunkError`, with no more memory taken than ``out``
  (or ``max_nbytes``) allows.
- ``encoded_size(nbytes)``: the size of the encoding of ``nbytes`` bytes,
  for the filters and checksums whose encodings have one; None for
  compressors.
- ``max_encoded_size(nbytes)``: a bound of any valid encoding of ``nbytes``
  bytes, under which a stored value is read at all.
"""

import json

codec_registry = {}


class _Default:
    """The value of an option that was not given."""

    def __repr__(self):
        return "<default>"


DEFAULT = _Default()


def register_codec(cls):
    """Make ``cls`` (with a ``codec_id`` and a ``from_config``) known to
    :func:`get_codec`; returns it, so it can decorate a class."""
    codec_registry[cls.codec_id] = cls
    return cls


def get_codec(config, itemsize=None):
    """The codec a configuration describes, or None for ``None``.

    ``itemsize`` resolves options that depend on the items (blosc's
    ``shuffle=-1``, "auto"). KeyError for an id with no codec; ValueError or
    TypeError for bad options.

    Examples
    --------
    >>> get_codec({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1})
    Blosc(cname='lz4', clevel=5, shuffle=1, blocksize=0)
    >>> get_codec({"id": "zstd", "level": 3})
    Zstd(level=3, checksum=False)
    """
    if config is None:
        return None
    if not isinstance(config, dict) or not isinstance(config.get("id"), str):
        raise TypeError("a codec configuration is a dict with an 'id', not %r" % (config,))
    try:
        cls = codec_registry[config["id"]]
    except KeyError:
        raise KeyError("no codec %r (have %s)" % (config["id"], ", ".join(sorted(codec_registry))))
    return cls.from_config(config, itemsize)


def check_int(codec_id, name, value, low=None, high=None):
    """``value`` as an int: TypeError unless it is one (not a bool),
    ValueError outside [low, high]."""
    if type(value) is not int and not (hasattr(value, "__index__") and not isinstance(value, bool)):
        raise TypeError("%s %s must be an integer, not %r" % (codec_id, name, value))
    value = int(value.__index__())
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError("%s %s must be %s, not %d" % (
            codec_id, name, "%d to %d" % (low, high) if high is not None else
            "at least %d" % low, value))
    return value


def same_config(codec, other):
    """Whether ``other``, a codec of this package or another that describes
    itself with ``get_config()`` (numcodecs'), has the configuration of
    ``codec``; NotImplemented for anything else, so that Python asks ``other``.

    Examples
    --------
    >>> from zarr.codecs import Zstd
    >>> same_config(Zstd(level=3), Zstd(level=3)), same_config(Zstd(level=3), 3)
    (True, NotImplemented)
    """
    get_config = getattr(other, "get_config", None)
    if not callable(get_config):
        return NotImplemented
    try:
        return codec.get_config() == get_config()
    except Exception:  # another library's codec that cannot describe itself
        return NotImplemented


class Codec:
    """The base of the codecs other than blosc: value semantics from
    :meth:`get_config`, :meth:`from_config` by keyword, and a repr.

    A subclass sets ``codec_id`` and ``_options`` (the names of its
    configuration, as its ``__init__`` takes them) and stores them with
    :meth:`_set` in its ``__init__``.
    """

    codec_id = None
    _options = ()
    __slots__ = ()

    def _set(self, **values):
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("a codec is a value: make a new one")

    def get_config(self):
        """The codec as a JSON object: its ``id`` and options."""
        config = {"id": self.codec_id}
        config.update((name, getattr(self, name)) for name in self._options)
        return config

    @classmethod
    def from_config(cls, config, itemsize=None):
        """The codec of a configuration with this ``id``; ValueError for an
        option it does not have."""
        unknown = sorted(set(config) - set(cls._options) - {"id"})
        if unknown:
            raise ValueError("%s has no option %s (only %s)" % (
                cls.codec_id, ", ".join(map(repr, unknown)),
                ", ".join(cls._options) or "none"))
        return cls(**{name: config[name] for name in cls._options if name in config})

    def encoded_size(self, nbytes):
        return None

    def __eq__(self, other):
        return same_config(self, other)

    def __hash__(self):
        return hash(json.dumps(self.get_config(), sort_keys=True))

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % (name, getattr(self, name)) for name in self._options))

    def __reduce__(self):
        return get_codec, (self.get_config(),)
