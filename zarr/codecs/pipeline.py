"""How an array's codecs come together: the compressor and filters it is
created with (:func:`codec_of`, :func:`filters_of`), and the codec of its
chunks when they are not plain blosc frames nor raw (:class:`ChunkCodec`).

A chunk is encoded by its filters in order, then by its compressor; it is
decoded the other way round. Every stage but the compressor's output has a
size known from the chunk's (``encoded_size``), so each decoding is given
room for exactly the bytes it must give, and no more.
"""

import numpy as np

from zarr.codecs.blosc import Blosc
from zarr.codecs.filters import as_u1, fill_out
from zarr.codecs.registry import DEFAULT, get_codec
from zarr.ext import CorruptChunkError


def codec_of(compressor=DEFAULT, cname=DEFAULT, clevel=DEFAULT, shuffle=DEFAULT,
             blocksize=DEFAULT):
    """The codec an array is created with: ``compressor`` (a codec, a
    configuration dict, or None for raw chunks), or the first zarr's options
    ``cname`` (None for raw), ``clevel``, ``shuffle``, ``blocksize``; not both.

    Examples
    --------
    >>> codec_of(cname="lz4"), codec_of(cname=None)
    (Blosc(cname='lz4', clevel=5, shuffle=1, blocksize=0), None)
    >>> codec_of({"id": "zstd", "level": 1})
    Zstd(level=1, checksum=False)
    """
    options = {k: v for k, v in (("cname", cname), ("clevel", clevel), ("shuffle", shuffle),
                                 ("blocksize", blocksize)) if v is not DEFAULT}
    if compressor is not DEFAULT:
        if options:
            raise TypeError("give compressor= or the options %s, not both" % ", ".join(options))
        return _codec(compressor, "compressor")
    if "cname" in options and options["cname"] is None:
        return None
    return Blosc(options.get("cname", "blosclz"), options.get("clevel", 5),
                 options.get("shuffle", 1), options.get("blocksize") or 0)


def _codec(value, what):
    if isinstance(value, dict):
        return get_codec(value)
    if value is not None and not all(callable(getattr(value, name, None)) for name in
                                     ("get_config", "encode", "decode", "max_encoded_size")):
        raise TypeError("%s must be a codec (zarr.Blosc, zarr.Zstd...), its configuration or "
                        "None, not %r" % (what, value))
    return value


def filters_of(filters):
    """The filters an array is created with, as a tuple of codecs: None or
    a list of codecs or their configurations.

    Examples
    --------
    >>> filters_of([{"id": "delta", "dtype": "<i4"}])
    (Delta(dtype='<i4', astype='<i4'),)
    """
    if filters is None:
        return ()
    if isinstance(filters, dict) or not isinstance(filters, (list, tuple)):
        raise TypeError("filters must be a list of codecs or None, not %r" % (filters,))
    found = tuple(_codec(f, "a filter") for f in filters)
    if None in found:
        raise TypeError("a filter must be a codec, not None")
    return found


def stage_sizes(filters, nbytes):
    """The size of a chunk of ``nbytes`` after each filter: ValueError for a
    filter whose encodings have no size fixed by the chunk's (a compressor).

    Examples
    --------
    >>> from zarr.codecs.filters import CRC32, Delta
    >>> stage_sizes((Delta("<i2", "<i4"), CRC32()), 20)
    [20, 40, 44]
    """
    sizes = [nbytes]
    for f in filters:
        size = f.encoded_size(sizes[-1])
        if size is None:
            raise ValueError("%r cannot be a filter: its encodings have no fixed size "
                             "(it is a compressor)" % (f,))
        sizes.append(size)
    return sizes


class ChunkCodec:
    """The codec of an array's chunks of ``nbytes`` bytes: ``filters`` (a
    tuple of codecs), then ``compressor`` (a codec or None), for
    :class:`zarr.ext.Chunk`'s ``codec``.

    Examples
    --------
    >>> from zarr.codecs.compressors import Zstd
    >>> from zarr.codecs.filters import Delta
    >>> codec = ChunkCodec((Delta("<i4"),), Zstd(), 400)
    >>> a = np.arange(100, dtype="<i4")
    >>> out = np.empty_like(a)
    >>> bool((codec.decode(codec.encode(a), out) == a).all())
    True
    """

    __slots__ = ("filters", "compressor", "nbytes", "_sizes")

    def __init__(self, filters, compressor, nbytes):
        self.filters = tuple(filters)
        self.compressor = compressor
        self.nbytes = nbytes
        self._sizes = stage_sizes(self.filters, nbytes)

    def encode(self, arr):
        buf = arr
        for f in self.filters:
            buf = f.encode(buf)
        if self.compressor is not None:
            buf = self.compressor.encode(buf)
        return buf if type(buf) is bytes else as_u1(buf).tobytes()

    def decode(self, cdata, out=None, max_nbytes=None):
        """Decode ``cdata`` into ``out`` (filled exactly), or a new uint8 array."""
        if out is None:
            out = np.empty(self.nbytes, np.uint8)
        if not self.filters:
            if self.compressor is None:
                return fill_out(out, as_u1(cdata), "raw")
            self.compressor.decode(cdata, out)
            return out
        if self.compressor is None:
            buf = as_u1(cdata)
            if buf.nbytes != self._sizes[-1]:
                raise CorruptChunkError("invalid chunk: %d bytes, expected %d for its filters"
                                        % (buf.nbytes, self._sizes[-1]))
        else:
            buf = self.compressor.decode(cdata, np.empty(self._sizes[-1], np.uint8))
        for i in range(len(self.filters) - 1, 0, -1):
            buf = self.filters[i].decode(buf, np.empty(self._sizes[i], np.uint8))
        self.filters[0].decode(buf, out)
        return out

    def max_encoded_size(self, nbytes):
        size = stage_sizes(self.filters, nbytes)[-1]
        return size if self.compressor is None else self.compressor.max_encoded_size(size)

    def __eq__(self, other):
        return (type(other) is ChunkCodec and self.filters == other.filters
                and self.compressor == other.compressor and self.nbytes == other.nbytes)

    def __hash__(self):
        return hash((self.filters, self.compressor, self.nbytes))

    def __repr__(self):
        return "ChunkCodec(filters=%r, compressor=%r)" % (list(self.filters), self.compressor)

    def __reduce__(self):
        return ChunkCodec, (self.filters, self.compressor, self.nbytes)
