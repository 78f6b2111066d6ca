"""The blosc codec: c-blosc's frames, as numcodecs' ``Blosc`` writes them."""

import operator

from zarr.codecs.registry import register_codec, same_config
from zarr.ext import (COMPRESSORS, MAX_BUFFERSIZE, SHUFFLE_NAMES, CorruptChunkError,
                      cbuffer_sizes, check_options, compress, decompress)


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
    typesize : int, optional
        The item size blosc shuffles by, 1 to 255; by default the item size
        of what it compresses.

    Examples
    --------
    >>> codec = Blosc(cname="zstd", clevel=3)
    >>> codec.get_config()
    {'id': 'blosc', 'cname': 'zstd', 'clevel': 3, 'shuffle': 1, 'blocksize': 0}
    >>> Blosc.from_config(codec.get_config()) == codec
    True
    """

    codec_id = "blosc"
    __slots__ = ("cname", "clevel", "shuffle", "blocksize", "typesize")

    def __init__(self, cname="blosclz", clevel=5, shuffle=1, blocksize=0, typesize=None):
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
        if typesize is not None:
            if isinstance(typesize, bool):
                raise TypeError("typesize must be an integer, not %r" % (typesize,))
            typesize = operator.index(typesize)
            if not 1 <= typesize <= 255:
                raise ValueError("typesize must be 1 to 255, not %d" % typesize)
        object.__setattr__(self, "typesize", typesize)

    def __setattr__(self, name, value):
        raise AttributeError("a codec is a value: make a new one")

    @property
    def shuffle_name(self):
        return SHUFFLE_NAMES[self.shuffle]

    def get_config(self):
        """The codec as the ``compressor`` entry of a ``.zarray``."""
        config = {"id": "blosc", "cname": self.cname, "clevel": self.clevel,
                  "shuffle": self.shuffle, "blocksize": self.blocksize}
        if self.typesize is not None:
            config["typesize"] = self.typesize
        return config

    def encode(self, buf):
        """One blosc frame of ``buf``, shuffled by ``typesize`` (else by the
        item size of ``buf``, 1 for bytes)."""
        typesize = self.typesize or getattr(buf, "itemsize", 1)
        return compress(buf, typesize, self.cname, self.clevel, self.shuffle, self.blocksize)

    def decode(self, buf, out=None, max_nbytes=MAX_BUFFERSIZE):
        """The bytes of a blosc frame, validated first (see :func:`zarr.ext.validate`)."""
        if out is not None:
            return decompress(buf, out)
        nbytes = cbuffer_sizes(buf)[0]
        if nbytes > max_nbytes:
            raise CorruptChunkError("invalid blosc buffer: header gives nbytes=%d, over the "
                                    "limit of %d" % (nbytes, max_nbytes))
        return decompress(buf)

    def encoded_size(self, nbytes):
        return None

    def max_encoded_size(self, nbytes):
        return nbytes + 16

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
        typesize = config.get("typesize")
        for name, value in (("clevel", clevel), ("shuffle", shuffle), ("blocksize", blocksize),
                            ("typesize", 1 if typesize is None else typesize)):
            if type(value) is not int:
                raise TypeError("blosc %s must be an integer, not %r" % (name, value))
        return cls(cname, clevel, shuffle, blocksize, typesize)

    def __eq__(self, other):
        return same_config(self, other)

    def __hash__(self):
        return hash((self.cname, self.clevel, self.shuffle, self.blocksize, self.typesize))

    def __repr__(self):
        return "Blosc(cname=%r, clevel=%d, shuffle=%d, blocksize=%d%s)" % (
            self.cname, self.clevel, self.shuffle, self.blocksize,
            "" if self.typesize is None else ", typesize=%d" % self.typesize)

    def __reduce__(self):
        return Blosc, (self.cname, self.clevel, self.shuffle, self.blocksize, self.typesize)
