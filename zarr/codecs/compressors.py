"""The compressors other writers of the Zarr v2 format use: zstd, lz4, zlib
and gzip, with numcodecs' ids, options and byte layouts.

Each calls the library in :mod:`zarr.ext` (the ones c-blosc's static library
carries) with the GIL released; each decoder checks the size a frame gives
against the size expected before it decodes (see :mod:`zarr.codecs.registry`).

Examples
--------
>>> import numpy as np
>>> a = np.arange(1000, dtype="i4")
>>> codec = Zstd(level=3)
>>> out = np.empty_like(a)
>>> _ = codec.decode(codec.encode(a), out)
>>> bool((out == a).all()), codec.get_config()
(True, {'id': 'zstd', 'level': 3, 'checksum': False})
"""

from zarr.codecs.registry import Codec, check_int, register_codec
from zarr.ext import (MAX_BUFFERSIZE, lz4_compress, lz4_decompress, zlib_compress,
                      zlib_decompress, zstd_compress, zstd_decompress)

def frame_bound(nbytes):
    """The most bytes a stored frame of ``nbytes`` of data is read at: more
    than every library's worst case (zstd's, lz4's and zlib's bounds are
    under n + n / 128 + 1 KiB) and the extras a frame may carry (skippable
    frames, gzip's name and comment).

    Examples
    --------
    >>> frame_bound(1000)
    67536
    """
    return 2 * nbytes + 65536


class Compressor(Codec):
    """A codec whose encodings have no fixed size."""

    __slots__ = ()

    def max_encoded_size(self, nbytes):
        return frame_bound(nbytes)


@register_codec
class Zstd(Compressor):
    """zstd (numcodecs' ``Zstd``): one frame, its content size in its header.

    Parameters
    ----------
    level : int
        The compression level; 0 (the default) is zstd's default (3);
        negative levels are faster. zstd clamps it to :data:`zarr.ext.ZSTD_LEVELS`.
    checksum : bool
        Whether the frame carries a checksum of its content (checked on
        decoding).

    Examples
    --------
    >>> Zstd(level=5, checksum=True)
    Zstd(level=5, checksum=True)
    """

    codec_id = "zstd"
    _options = ("level", "checksum")
    __slots__ = _options

    def __init__(self, level=0, checksum=False):
        if type(checksum) is not bool:
            raise TypeError("zstd checksum must be true or false, not %r" % (checksum,))
        self._set(level=check_int("zstd", "level", level, -2**31, 2**31 - 1), checksum=checksum)

    def encode(self, buf):
        return zstd_compress(buf, self.level, self.checksum)

    def decode(self, buf, out=None, max_nbytes=MAX_BUFFERSIZE):
        return zstd_decompress(buf, out, max_nbytes)


@register_codec
class LZ4(Compressor):
    """lz4 (numcodecs' ``LZ4``): the data's size as a little-endian 32-bit
    integer, then one lz4 block.

    Parameters
    ----------
    acceleration : int
        1 (the default) compresses most; larger values are faster.

    Examples
    --------
    >>> LZ4().encode(b"abcd" * 4)[:4]
    b'\\x10\\x00\\x00\\x00'
    """

    codec_id = "lz4"
    _options = ("acceleration",)
    __slots__ = _options

    def __init__(self, acceleration=1):
        self._set(acceleration=check_int("lz4", "acceleration", acceleration))

    def encode(self, buf):
        return lz4_compress(buf, self.acceleration)

    def decode(self, buf, out=None, max_nbytes=MAX_BUFFERSIZE):
        return lz4_decompress(buf, out, max_nbytes)


@register_codec
class Zlib(Compressor):
    """zlib (numcodecs' ``Zlib``): one zlib stream.

    Parameters
    ----------
    level : int
        -1 (zlib's default, 6) to 9; 1 by default.

    Examples
    --------
    >>> import zlib
    >>> zlib.decompress(Zlib(9).encode(b"abc"))
    b'abc'
    """

    codec_id = "zlib"
    _options = ("level",)
    __slots__ = _options

    def __init__(self, level=1):
        self._set(level=check_int("zlib", "level", level, -1, 9))

    def encode(self, buf):
        return zlib_compress(buf, self.level)

    def decode(self, buf, out=None, max_nbytes=MAX_BUFFERSIZE):
        return zlib_decompress(buf, out, max_nbytes)


@register_codec
class GZip(Compressor):
    """gzip (numcodecs' ``GZip``): one gzip member (more are read).

    Parameters
    ----------
    level : int
        -1 to 9; 1 by default.

    Examples
    --------
    >>> import gzip
    >>> gzip.decompress(GZip(5).encode(b"abc"))
    b'abc'
    """

    codec_id = "gzip"
    _options = ("level",)
    __slots__ = _options

    def __init__(self, level=1):
        self._set(level=check_int("gzip", "level", level, -1, 9))

    def encode(self, buf):
        return zlib_compress(buf, self.level, True)

    def decode(self, buf, out=None, max_nbytes=MAX_BUFFERSIZE):
        return zlib_decompress(buf, out, max_nbytes, True)
