"""The codecs whose encodings have a size fixed by what they encode: the
filters ``delta``, ``fixedscaleoffset`` and ``shuffle``, and the checksums
``crc32`` and ``adler32``, with numcodecs' ids, options and byte layouts.

A filter encodes to an array, as numcodecs' do (so that a blosc compressor
after it shuffles by the same item size); the checksums write the 32-bit
checksum of the data, little-endian, before it (``location='start'``, the
default) or after it (``'end'``).

Examples
--------
>>> import numpy as np
>>> Delta("<i4").encode(np.array([5, 6, 8, 11], "<i4")).tolist()
[5, 1, 2, 3]
>>> bytes(CRC32().encode(b"hello"))
b'\\x86\\xa6\\x106hello'
"""

import math

import numpy as np

from zarr.codecs.registry import Codec, check_int, register_codec
from zarr.ext import MAX_BUFFERSIZE, CorruptChunkError, adler32, byte_shuffle, byte_unshuffle, crc32


def as_u1(buf):
    """The bytes of ``buf`` (bytes, a buffer, a C-contiguous array) as a 1-D uint8 array."""
    if isinstance(buf, np.ndarray):
        return np.ascontiguousarray(buf).reshape(-1).view(np.uint8)
    return np.frombuffer(buf, np.uint8)


def fill_out(out, data, what):
    """Write the uint8 array ``data`` into ``out`` (a writable buffer or a
    C-contiguous array), which it must fill exactly; returns ``out``."""
    if isinstance(out, np.ndarray):
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("out must be a writable C-contiguous array")
        view = out.reshape(-1).view(np.uint8)
    else:
        view = np.frombuffer(out, np.uint8)
    if view.nbytes != data.nbytes:
        raise CorruptChunkError("invalid %s data: it decodes to %d bytes, expected %d"
                                % (what, data.nbytes, view.nbytes))
    view[...] = data
    return out


def _number_dtype(codec_id, name, dtype, kinds="iuf"):
    try:
        dtype = np.dtype(dtype)
    except TypeError as e:
        raise TypeError("%s %s: %s" % (codec_id, name, e)) from None
    if dtype.kind not in kinds or dtype.fields is not None:
        raise ValueError("%s %s must be a dtype of numbers, not %s" % (codec_id, name, dtype))
    return dtype


def _view(buf, dtype, what):
    data = as_u1(buf)
    if data.nbytes % dtype.itemsize:
        raise CorruptChunkError("invalid %s data: %d bytes are not items of %s"
                                % (what, data.nbytes, dtype))
    return data.view(dtype)


class _Typed(Codec):
    """A filter from items of ``dtype`` to items of ``astype``."""

    __slots__ = ()

    def get_config(self):
        config = super().get_config()
        config.update(dtype=self.dtype.str, astype=self.astype.str)
        return config

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % (name, value) for name, value in self.get_config().items()
            if name != "id"))

    def encoded_size(self, nbytes):
        if nbytes % self.dtype.itemsize:
            raise ValueError("%s: %d bytes are not items of %s" % (self.codec_id, nbytes,
                                                                   self.dtype))
        return nbytes // self.dtype.itemsize * self.astype.itemsize

    def max_encoded_size(self, nbytes):
        return self.encoded_size(nbytes)

    def _out(self, dec, out):
        if out is None:
            return dec
        return fill_out(out, as_u1(dec), self.codec_id)


@register_codec
class Delta(_Typed):
    """Differences of neighbours (numcodecs' ``Delta``): the first item as it
    is, then each item less the one before, as ``astype``.

    Parameters
    ----------
    dtype : dtype
        The items encoded.
    astype : dtype, optional
        The items written (``dtype`` by default).

    Examples
    --------
    >>> Delta("<i8", astype="<i2")
    Delta(dtype='<i8', astype='<i2')
    """

    codec_id = "delta"
    _options = ("dtype", "astype")
    __slots__ = _options

    def __init__(self, dtype, astype=None):
        dtype = _number_dtype("delta", "dtype", dtype, "iufc")
        astype = dtype if astype is None else _number_dtype("delta", "astype", astype, "iufc")
        self._set(dtype=dtype, astype=astype)

    def encode(self, buf):
        arr = _view(buf, self.dtype, "delta")
        enc = np.empty(arr.shape, self.astype)
        if arr.size:
            enc[0] = arr[0]
            enc[1:] = np.diff(arr)
        return enc

    def decode(self, buf, out=None, max_nbytes=None):
        enc = _view(buf, self.astype, "delta")
        dec = np.empty(enc.shape, self.dtype)
        np.cumsum(enc, out=dec)
        return self._out(dec, out)


@register_codec
class FixedScaleOffset(_Typed):
    """Numbers as integers (numcodecs' ``FixedScaleOffset``):
    ``round((x - offset) * scale)`` as ``astype``, and back as
    ``y / scale + offset``.

    Parameters
    ----------
    offset, scale : number
        ``scale`` is not 0.
    dtype : dtype
        The items encoded.
    astype : dtype, optional
        The items written (``dtype`` by default).

    Examples
    --------
    >>> codec = FixedScaleOffset(offset=1000, scale=10, dtype="<f8", astype="<u1")
    >>> codec.encode(np.array([1000.0, 1000.5, 1001.25])).tolist()
    [0, 5, 12]
    """

    codec_id = "fixedscaleoffset"
    _options = ("scale", "offset", "dtype", "astype")
    __slots__ = _options

    def __init__(self, offset, scale, dtype, astype=None):
        for name, value in (("offset", offset), ("scale", scale)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                raise TypeError("fixedscaleoffset %s must be a finite number, not %r"
                                % (name, value))
        if scale == 0:
            raise ValueError("fixedscaleoffset scale must not be 0")
        dtype = _number_dtype("fixedscaleoffset", "dtype", dtype)
        astype = dtype if astype is None else _number_dtype("fixedscaleoffset", "astype", astype)
        self._set(scale=scale, offset=offset, dtype=dtype, astype=astype)

    def encode(self, buf):
        arr = _view(buf, self.dtype, "fixedscaleoffset")
        return np.around((arr - self.offset) * self.scale).astype(self.astype, copy=False)

    def decode(self, buf, out=None, max_nbytes=None):
        enc = _view(buf, self.astype, "fixedscaleoffset")
        dec = ((enc / self.scale) + self.offset).astype(self.dtype, copy=False)
        return self._out(dec, out)


@register_codec
class Shuffle(Codec):
    """Byte shuffle (numcodecs' ``Shuffle``): byte j of every element, for
    each j in turn; elements of ``elementsize`` bytes (1 or less: a copy).

    Examples
    --------
    >>> bytes(Shuffle(2).encode(b"aAbBcC"))
    b'abcABC'
    """

    codec_id = "shuffle"
    _options = ("elementsize",)
    __slots__ = _options

    def __init__(self, elementsize=4):
        self._set(elementsize=check_int("shuffle", "elementsize", elementsize, 0))

    def encoded_size(self, nbytes):
        if self.elementsize > 1 and nbytes % self.elementsize:
            raise ValueError("shuffle: %d bytes are not elements of %d bytes"
                             % (nbytes, self.elementsize))
        return nbytes

    max_encoded_size = encoded_size

    def _run(self, buf, out, step):
        data = as_u1(buf)
        if self.elementsize > 1 and data.nbytes % self.elementsize:
            raise CorruptChunkError("invalid shuffle data: %d bytes are not elements of %d "
                                    "bytes" % (data.nbytes, self.elementsize))
        target = np.empty(data.nbytes, np.uint8)
        if self.elementsize > 1:
            step(data, target, self.elementsize)
        else:
            target[...] = data
        return target if out is None else fill_out(out, target, "shuffle")

    def encode(self, buf):
        return self._run(buf, None, byte_shuffle)

    def decode(self, buf, out=None, max_nbytes=None):
        return self._run(buf, out, byte_unshuffle)


class _Checksum32(Codec):
    """The data and its 32-bit checksum (little-endian), before or after it."""

    _options = ("location",)
    __slots__ = _options

    def __init__(self, location="start"):
        if location not in ("start", "end"):
            raise ValueError("%s location must be 'start' or 'end', not %r"
                             % (self.codec_id, location))
        self._set(location=location)

    def get_config(self):
        # numcodecs writes the location only when it is not the default
        config = {"id": self.codec_id}
        if self.location != "start":
            config["location"] = self.location
        return config

    def encoded_size(self, nbytes):
        return nbytes + 4

    max_encoded_size = encoded_size

    def encode(self, buf):
        data = as_u1(buf)
        enc = np.empty(data.nbytes + 4, np.uint8)
        payload, check = (enc[4:], enc[:4]) if self.location == "start" else (enc[:-4], enc[-4:])
        payload[...] = data
        check.view("<u4")[0] = self._checksum(data)
        return enc

    def decode(self, buf, out=None, max_nbytes=MAX_BUFFERSIZE):
        data = as_u1(buf)
        n = data.nbytes
        if n < 4:
            raise CorruptChunkError("invalid %s data: %d bytes, too short for the checksum"
                                    % (self.codec_id, n))
        if out is None and n - 4 > max_nbytes:
            raise CorruptChunkError("invalid %s data: %d bytes, over the limit of %d"
                                    % (self.codec_id, n - 4, max_nbytes))
        payload, check = (data[4:], data[:4]) if self.location == "start" else (data[:-4],
                                                                                 data[-4:])
        if out is not None and as_u1(out).nbytes != n - 4:
            raise CorruptChunkError("invalid %s data: it holds %d bytes, expected %d"
                                    % (self.codec_id, n - 4, as_u1(out).nbytes))
        stored, computed = int(check.view("<u4")[0]), self._checksum(payload)
        if stored != computed:
            raise CorruptChunkError("invalid %s data: the checksum of the data is 0x%08x, "
                                    "0x%08x is stored" % (self.codec_id, computed, stored))
        return payload.tobytes() if out is None else fill_out(out, payload, self.codec_id)


@register_codec
class CRC32(_Checksum32):
    """A crc32 checksum of the data (numcodecs' ``CRC32``).

    Examples
    --------
    >>> CRC32().decode(CRC32().encode(b"data"))
    b'data'
    """

    codec_id = "crc32"
    __slots__ = ()
    _checksum = staticmethod(crc32)


@register_codec
class Adler32(_Checksum32):
    """An adler32 checksum of the data (numcodecs' ``Adler32``).

    Examples
    --------
    >>> Adler32(location="end").get_config()
    {'id': 'adler32', 'location': 'end'}
    """

    codec_id = "adler32"
    __slots__ = ()
    _checksum = staticmethod(adler32)
