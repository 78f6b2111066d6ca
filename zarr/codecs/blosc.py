"""Compressors as value objects, with their JSON configurations and a registry.

A codec is made and checked once, where it is made; an array holds one (or
None for raw chunks) and writes its :meth:`get_config` as the ``compressor``
of its ``.zarray``. :func:`get_codec` makes a codec from such a
configuration, by its ``id``, from :data:`codec_registry`; a new codec
plugs in with :func:`register_codec`.
"""

import operator

from zarr.ext import COMPRESSORS, SHUFFLE_NAMES, check_options

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
    """The codec a ``compressor`` configuration describes, or None for ``None``.

    ``itemsize`` resolves options that depend on the items (blosc's
    ``shuffle=-1``, "auto"). KeyError for an id with no codec; ValueError or
    TypeError for bad options.

    Examples
    --------
    >>> get_codec({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1})
    Blosc(cname='lz4', clevel=5, shuffle=1, blocksize=0)
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


@register_codec
class Blosc:
    """The blosc compressor and its options, checked where it is made.

    Parameters
    ----------
    cname : str
        One of :data:`zarr.ext.COMPRESSORS` (default 'blosclz').
    clevel : int
        0 to 9 (default 5).
    shuffle : int
        0 (NOSHUFFLE), 1 (BYTESHUFFLE, the default) or 2 (BITSHUFFLE).
    blocksize : int
        Bytes per blosc block; 0 (the default) lets blosc choose.

    Examples
    --------
    >>> codec = Blosc(cname="zstd", clevel=3)
    >>> codec.get_config()
    {'id': 'blosc', 'cname': 'zstd', 'clevel': 3, 'shuffle': 1, 'blocksize': 0}
    >>> Blosc.from_config(codec.get_config()) == codec
    True
    """

    codec_id = "blosc"
    __slots__ = ("cname", "clevel", "shuffle", "blocksize")

    def __init__(self, cname="blosclz", clevel=5, shuffle=1, blocksize=0):
        cname, clevel, shuffle = check_options(cname, clevel, shuffle)
        if blocksize is None:
            blocksize = 0
        if isinstance(blocksize, bool):
            raise TypeError("blocksize must be an integer, not %r" % (blocksize,))
        blocksize = operator.index(blocksize)
        if blocksize < 0:
            raise ValueError("blocksize must be 0 (automatic) or positive, not %d" % blocksize)
        object.__setattr__(self, "cname", cname)
        object.__setattr__(self, "clevel", clevel)
        object.__setattr__(self, "shuffle", shuffle)
        object.__setattr__(self, "blocksize", blocksize)

    def __setattr__(self, name, value):
        raise AttributeError("a codec is a value: make a new one")

    @property
    def shuffle_name(self):
        return SHUFFLE_NAMES[self.shuffle]

    def get_config(self):
        """The codec as the ``compressor`` entry of a ``.zarray``."""
        return {"id": "blosc", "cname": self.cname, "clevel": self.clevel,
                "shuffle": self.shuffle, "blocksize": self.blocksize}

    @classmethod
    def from_config(cls, config, itemsize=None):
        """The codec of a configuration (``id`` 'blosc'); ``shuffle=-1`` (auto)
        is bit shuffle for 1-byte items, byte shuffle otherwise."""
        cname = config.get("cname")
        if cname is None:
            raise ValueError("a blosc configuration names its cname")
        if cname not in COMPRESSORS:
            raise ValueError("blosc compressor %r is not available (have %s)"
                             % (cname, ", ".join(COMPRESSORS)))
        shuffle = config.get("shuffle", 1)
        if shuffle == -1:
            shuffle = 2 if itemsize == 1 else 1
        clevel = config.get("clevel", 5)
        blocksize = config.get("blocksize", 0) or 0
        for name, value in (("clevel", clevel), ("shuffle", shuffle), ("blocksize", blocksize)):
            if type(value) is not int:
                raise TypeError("blosc %s must be an integer, not %r" % (name, value))
        return cls(cname, clevel, shuffle, blocksize)

    def __eq__(self, other):
        return type(other) is type(self) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash((self.cname, self.clevel, self.shuffle, self.blocksize))

    def __repr__(self):
        return "Blosc(cname=%r, clevel=%d, shuffle=%d, blocksize=%d)" % (
            self.cname, self.clevel, self.shuffle, self.blocksize)

    def __reduce__(self):
        return Blosc, (self.cname, self.clevel, self.shuffle, self.blocksize)


def codec_of(compressor=DEFAULT, cname=DEFAULT, clevel=DEFAULT, shuffle=DEFAULT,
             blocksize=DEFAULT):
    """The codec an array is created with: ``compressor`` (a codec, a
    configuration dict, or None for raw chunks), or the first zarr's options
    ``cname`` (None for raw), ``clevel``, ``shuffle``, ``blocksize``; not both.

    Examples
    --------
    >>> codec_of(cname="lz4"), codec_of(cname=None)
    (Blosc(cname='lz4', clevel=5, shuffle=1, blocksize=0), None)
    """
    options = {k: v for k, v in (("cname", cname), ("clevel", clevel), ("shuffle", shuffle),
                                 ("blocksize", blocksize)) if v is not DEFAULT}
    if compressor is not DEFAULT:
        if options:
            raise TypeError("give compressor= or the options %s, not both" % ", ".join(options))
        if isinstance(compressor, dict):
            return get_codec(compressor)
        if compressor is not None and not hasattr(compressor, "get_config"):
            raise TypeError("compressor must be a codec (zarr.Blosc), its configuration or "
                            "None, not %r" % (compressor,))
        return compressor
    if "cname" in options and options["cname"] is None:
        return None
    return Blosc(options.get("cname", "blosclz"), options.get("clevel", 5),
                 options.get("shuffle", 1), options.get("blocksize") or 0)
