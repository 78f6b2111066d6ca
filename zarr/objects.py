"""Chunks of Python objects: variable-length strings, bytes and lists.

The elements are encoded in the layout of the Zarr v2 ``msgpack2`` filter
(a msgpack array of the elements, then the dtype string and the chunk
shape), then compressed by the array's compressor (blosc, zstd...) like any
chunk. ``vlen-utf8`` and ``vlen-bytes`` chunks (a count, then each element
as a 4-byte length and its bytes), which zarr-python and xarray write for
strings, are read and written too, and so are ``vlen-array`` chunks (each
element a 1-D array of one dtype, :class:`zarr.codecs.VLenArray`);
:func:`object_options` says which a new array uses.

A chunk read from a store is untrusted: before anything is decompressed, the
size its frame says it decompresses to must be within :func:`decoded_bound`
of its element count (see :data:`MAX_ELEMENT_BYTES`), and the decoded bytes
must be exactly the chunk's elements: their count, every length within the
data, the msgpack trailer, no byte left over. Anything else is a
:class:`zarr.CorruptChunkError` naming the chunk.
"""

import gc
import math
import struct

import msgpack
import numpy as np

from zarr.codecs import DEFAULT, Blosc, VLenArray, get_codec
from zarr.codecs.filters import as_u1
from zarr.errors import CorruptChunkError
from zarr.ext import cbuffer_sizes, decode_vlen, encode_vlen
from zarr.meta import NO_FILL, OBJECT_CODECS

_MSGPACK_ARRAY16 = struct.Struct(">H")
_MSGPACK_ARRAY32 = struct.Struct(">I")

#: The decoded bytes an element of an object chunk may take, on average over
#: its chunk (64 MB). A chunk of n elements whose frame says it decompresses
#: to more than n times this (see :func:`decoded_bound`) is refused before any
#: memory is allocated for it, and a write whose elements encode to more is
#: refused before it is stored. No string, short bytes value or small list
#: comes near it, while a hostile frame of a few kilobytes in a chunk of 10
#: elements can make a reader allocate at most 640 MB for it, not blosc's
#: limit of 2 GB (and the objects built from it). Raise it to read or write
#: chunks of larger elements: ``zarr.objects.MAX_ELEMENT_BYTES = 1 << 30``
#: (it is read at each read and write).
MAX_ELEMENT_BYTES = 64 << 20

# Bytes of framing beside the elements: the vlen count, msgpack's array
# header and its trailer (the dtype string and the chunk shape).
_FRAMING = 4096

def decoded_bound(n):
    """The most bytes a chunk of ``n`` elements may decode to: ``n`` times
    :data:`MAX_ELEMENT_BYTES`, and room for the framing.

    Examples
    --------
    >>> decoded_bound(10) // (1 << 20)
    640
    """
    return n * MAX_ELEMENT_BYTES + _FRAMING


def _too_large(what, nbytes, n):
    return ("%s %d bytes, more than the %d that an object chunk of %d elements may hold "
            "(zarr.objects.MAX_ELEMENT_BYTES = %d an element; raise it for larger elements)"
            % (what, nbytes, decoded_bound(n), n, MAX_ELEMENT_BYTES))


def encode_objects(arr, codec, context="chunk"):
    """The bytes of the object array ``arr`` in ``codec``; TypeError naming
    ``context`` for an element that codec cannot hold."""
    if codec == "msgpack2":
        return _pack(arr.ravel().tolist() + [arr.dtype.str, list(arr.shape)])
    if isinstance(codec, VLenArray):
        return codec.encode(arr, context)
    return encode_vlen(arr, codec == "vlen-utf8", context)


_STR, _BYTES = np.dtype(str), np.dtype(bytes)   # numpy's str and bytes of no size


def check_elements(arr, codec, context):
    """TypeError (ValueError for a str that is not UTF-8) naming ``context``
    when an element of the object array ``arr`` is one that ``codec`` cannot
    hold, or would not read back as it was; checked for a whole value before
    any chunk of it is written.

    A vlen codec holds str, or bytes, and None (read back as ``''`` or
    ``b''``, as numcodecs writes it); a vlen-array 1-D arrays of numbers. ``msgpack2`` holds what msgpack reads
    back as an equal value: str, bytes, bool, int of 64 bits, float, None, and
    lists and dicts of them; a tuple (read back as a list), a dict with a
    tuple key, or a numpy integer is refused.

    Examples
    --------
    >>> check_elements(np.array([1, "a", [None, {"k": 2.5}]], object), "msgpack2", "z")
    >>> a = np.empty(1, object)
    >>> a[0] = (1, 2)
    >>> check_elements(a, "msgpack2", "z")
    Traceback (most recent call last):
    ...
    TypeError: z: a msgpack2 array cannot hold (1, 2): it would read back as [1, 2]
    """
    if isinstance(codec, VLenArray):
        codec.encode(arr, context)  # raises for an element it cannot hold
        return
    if codec == "msgpack2":
        _check_msgpack(arr.ravel().tolist(), context)
        return
    try:
        encode_vlen(arr, codec == "vlen-utf8", context)
    except UnicodeEncodeError as e:
        raise ValueError("%s: a vlen-utf8 array holds str that UTF-8 can encode, not %r (%s)"
                         % (context, e.object, e.reason)) from None


def _unpack(data):
    """The msgpack value ``data`` holds, as every msgpack2 chunk is read.

    The garbage collector is paused meanwhile (as msgpack's documentation
    advises): the lists and dicts made would otherwise set off collections
    that find nothing, three quarters of the time of a chunk of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return msgpack.unpackb(data, raw=False, use_list=True, strict_map_key=False)
    finally:
        if enabled:
            gc.enable()


def _check_msgpack(items, context):
    try:
        # Of exact types (no tuple, no subclass), what packs reads back equal.
        _pack(items, strict_types=True)
        return
    except (TypeError, ValueError, OverflowError):
        pass
    try:  # a subclass (numpy's float64, say) may read back as an equal value
        back = _unpack(_pack(items))
        ok = back == items or _same(items, back)  # NaN is not == NaN
    except (TypeError, ValueError, OverflowError, msgpack.UnpackException):
        ok = False
    if ok:
        return
    for item in items:  # which one: on the way to an error only
        try:
            back = _unpack(_pack(item))
        except (TypeError, ValueError, OverflowError, msgpack.UnpackException) as e:
            raise TypeError("%s: a msgpack2 array cannot hold %r (%s: %s)"
                            % (context, item, type(e).__name__, e)) from None
        if not _same(item, back):
            raise TypeError("%s: a msgpack2 array cannot hold %r: it would read back as %r"
                            % (context, item, back))
    raise TypeError("%s: a msgpack2 array cannot hold these elements" % context)


def _pack(value, strict_types=False):
    return msgpack.packb(value, use_bin_type=True, use_single_float=False,
                         strict_types=strict_types)



def _same(given, back):
    """Whether ``back``, read from msgpack, equals ``given`` (NaN equal to NaN)."""
    if isinstance(given, float) and given != given:
        return isinstance(back, float) and back != back
    if isinstance(given, list) and isinstance(back, list):
        return len(given) == len(back) and all(map(_same, given, back))
    if isinstance(given, dict) and isinstance(back, dict):
        return len(given) == len(back) and all(
            k in back and _same(v, back[k]) for k, v in given.items())
    try:
        return bool(given == back)
    except Exception:  # noqa: BLE001 - an element whose == fails is no equal value
        return False


def object_options(dtype, object_codec=None, fill_value=None, data=None):
    """The dtype, object codec and fill value of a new array: where every way
    of making an array chooses its object codec.

    - ``dtype=str`` (or ``'U'``, numpy's str of no size, or its
      ``StringDType``): an object array of ``vlen-utf8``, filled with
      ``''``, as zarr-python makes it;
      ``dtype=bytes`` (or ``'S'``): ``vlen-bytes``, filled with ``b''``. A
      fill value of another type converts as numpy's ``np.full(n, 1, str)``.
    - ``dtype=object``: ``vlen-utf8`` when every element of ``data`` is a
      str, ``vlen-bytes`` when every one is bytes (the codecs zarr-python and
      xarray read), the codec of ``data`` when it is an object zarr array;
      else (mixed objects, None among them, or no data: ``zarr.empty(n,
      dtype=object)``) ``msgpack2``, which holds str, bytes, numbers, None,
      lists and dicts.
    - ``object_codec``, when given, is the codec: one of those names, or
      ``vlen-array``'s codec (:class:`zarr.codecs.VLenArray`, or its
      configuration), whose elements are 1-D arrays of one dtype.

    Other dtypes have no object codec (None). ValueError for a codec that
    cannot hold the dtype's elements or its fill value.

    Examples
    --------
    >>> object_options(str)
    (dtype('O'), 'vlen-utf8', '')
    >>> object_options(object, data=np.array(["a", "b"], object))[1]
    'vlen-utf8'
    >>> object_options(object, data=np.array(["a", None], object))[1]
    'msgpack2'
    >>> object_options("i4", fill_value=3)
    ('i4', None, 3)
    """
    if dtype is None:
        return dtype, None, fill_value
    given = np.dtype(dtype)
    if given.kind == "T":  # numpy's StringDType: its strings are stored as str
        given = _STR
    if given == _STR or given == _BYTES:
        kind = str if given == _STR else bytes
        codec = "vlen-utf8" if kind is str else "vlen-bytes"
        if object_codec not in (None, codec, "msgpack2"):
            raise ValueError("object_codec %r does not hold %s (dtype=%s)"
                             % (object_codec, kind.__name__, kind.__name__))
        if fill_value is None:
            fill_value = kind()
        elif fill_value is not NO_FILL and not isinstance(fill_value, kind):
            fill_value = np.array(fill_value, dtype=kind).item()
        return np.dtype(object), object_codec or codec, fill_value
    if not given.hasobject:
        return dtype, None, fill_value
    if object_codec is None:
        object_codec = getattr(data, "_object_codec", None) or _codec_of_elements(data)
    if isinstance(object_codec, dict):
        object_codec = get_codec(object_codec)
    if object_codec == "vlen-array":
        raise ValueError("a vlen-array codec has a dtype: object_codec=zarr.VLenArray('<i4'), "
                         "say")
    if not isinstance(object_codec, VLenArray) and object_codec not in OBJECT_CODECS:
        raise ValueError("unknown object codec %r (have %s)"
                         % (object_codec, ", ".join(OBJECT_CODECS)))
    kind = None if isinstance(object_codec, VLenArray) else \
        {"vlen-utf8": str, "vlen-bytes": bytes}.get(object_codec)
    if (kind is not None and fill_value is not None and fill_value is not NO_FILL
            and not isinstance(fill_value, kind)):
        raise ValueError("fill_value %r: a %s array holds %s" % (fill_value, object_codec,
                                                               kind.__name__))
    return dtype, object_codec, fill_value


def _codec_of_elements(data):
    """vlen-utf8 for elements all str, vlen-bytes all bytes, else msgpack2."""
    if isinstance(data, np.ndarray) and data.dtype.hasobject and data.size:
        types = set(map(type, data.ravel().tolist()))
        if all(issubclass(t, str) for t in types):
            return "vlen-utf8"
        if all(issubclass(t, bytes) for t in types):
            return "vlen-bytes"
    return "msgpack2"


def _msgpack_count(data):
    """The length in the header of the msgpack array ``data`` begins with."""
    if not data:
        raise ValueError("no data")
    first = data[0]
    if 0x90 <= first <= 0x9f:
        return first & 0x0f
    if first == 0xdc:
        return _MSGPACK_ARRAY16.unpack_from(data, 1)[0]
    if first == 0xdd:
        return _MSGPACK_ARRAY32.unpack_from(data, 1)[0]
    raise ValueError("not a msgpack array (first byte 0x%02x)" % first)


def _decode_msgpack(data, n, out):
    count = _msgpack_count(data)
    if count != n + 2:
        raise ValueError("holds %d items, expected %d elements and a dtype and shape"
                         % (count, n))
    try:
        items = _unpack(data)
    except msgpack.ExtraData as e:
        raise ValueError("%d bytes after the elements" % len(e.extra)) from None
    dtype, shape = items[n], items[n + 1]
    if dtype != "|O" or not isinstance(shape, list) or not all(
            type(k) is int and k >= 0 for k in shape) or math.prod(shape) != n:
        raise ValueError("the trailer (dtype %r, shape %r) is not that of %d objects"
                         % (dtype, shape, n))
    for i in range(n):
        out[i] = items[i]


def decode_objects(data, codec, shape, context):
    """The object array of ``shape`` that ``data`` encodes in ``codec``;
    CorruptChunkError naming ``context`` unless ``data`` is exactly that."""
    n = int(np.prod(shape))
    out = np.empty(n, object)
    try:
        if len(data) > decoded_bound(n):
            raise ValueError(_too_large("decodes to", len(data), n))
        if codec == "msgpack2":
            _decode_msgpack(data, n, out)
        elif isinstance(codec, VLenArray):
            out = codec.decode(data, n)
        else:
            out = decode_vlen(data, n, codec == "vlen-utf8")
    except (ValueError, TypeError, struct.error, msgpack.UnpackException) as e:
        raise CorruptChunkError("%s: invalid %s data: %s"
                                % (context, getattr(codec, "codec_id", codec), e)) from None
    return out.reshape(shape)


class ObjectChunk:
    """One chunk of an object array: the value at ``key`` in ``store``.

    The interface of :class:`zarr.ext.StoreChunk`: ``read``, ``write``,
    ``clear``, ``get_cdata``, ``set_cdata``, ``cbytes``, ``is_initialized``,
    ``at``. With ``lock``, each read-modify-write holds it. ``codec`` is the
    object codec; ``compressor`` the codec of the encoded elements (a codec
    of :mod:`zarr.codecs`, or None), else blosc with ``cname``, ``clevel``,
    ``shuffle`` and ``blocksize`` (``cname=None``: none).

    Examples
    --------
    >>> from zarr.storage import MemoryStore
    >>> c = ObjectChunk(MemoryStore(), "0", 4, fill_value="")
    >>> c[1:3] = ["a", "bc"]
    >>> c[...].tolist()
    ['', 'a', 'bc', '']
    """

    def __init__(self, store, key, shape, cname="blosclz", clevel=5, shuffle=1, fill_value=None,
                 blocksize=0, codec="msgpack2", lock=None, compressor=DEFAULT):
        self.shape = tuple(shape) if not isinstance(shape, int) else (shape,)
        self.dtype = np.dtype(object)
        if compressor is DEFAULT:
            compressor = None if cname is None else Blosc(cname, clevel, shuffle, blocksize)
        self.compressor, self.codec = compressor, codec
        self.fill_value = fill_value
        self.store, self.key, self.lock = store, key, lock
        self.nbytes = int(np.prod(self.shape)) * self.dtype.itemsize
        if not isinstance(codec, VLenArray) and codec not in OBJECT_CODECS:
            raise ValueError("unknown object codec %r" % (codec,))

    #: False: a write that leaves only fill values deletes the chunk (see
    #: ``zarr.Array.write_empty_chunks``).
    write_empty = True

    def at(self, store, key, lock=None):
        """A chunk like this one at another key."""
        c = object.__new__(ObjectChunk)
        c.__dict__.update(self.__dict__)
        c.store, c.key, c.lock = store, key, lock
        return c

    def _context(self):
        describe = getattr(self.store, "describe_key", None)
        return "chunk %s" % (describe(self.key) if describe is not None else self.key)

    def _load(self):
        try:
            value = self.store.get(self.key)
        except KeyError:
            return None
        if not isinstance(value, bytes):
            try:
                value = bytes(memoryview(value))
            except TypeError:
                raise TypeError("the store's value at %r is not bytes-like: %s"
                                % (self.key, type(value).__name__)) from None
        return value

    def _store(self, cdata):
        self.store.set(self.key, cdata)

    def _decode(self, cdata):
        data = cdata
        if self.compressor is not None:
            n = math.prod(self.shape)
            try:
                # Decoded into no more than the bound: what a frame claims is
                # checked before anything is allocated.
                if type(self.compressor) is Blosc:
                    nbytes = cbuffer_sizes(cdata)[0]
                    if nbytes > decoded_bound(n):
                        raise CorruptChunkError(_too_large("decompresses to", nbytes, n))
                data = self.compressor.decode(cdata, max_nbytes=decoded_bound(n))
            except CorruptChunkError as e:  # name the chunk, as other chunks do
                reason = str(e)
                if "MAX_ELEMENT_BYTES" not in reason and ("limit" in reason
                                                          or "more than" in reason):
                    reason += (" (an object chunk of %d elements decodes to at most %d bytes: "
                               "zarr.objects.MAX_ELEMENT_BYTES = %d an element; raise it for "
                               "larger elements)" % (n, decoded_bound(n), MAX_ELEMENT_BYTES))
                raise CorruptChunkError("%s: %s" % (self._context(), reason)) from None
            if not isinstance(data, bytes):
                data = as_u1(data).tobytes()
        return decode_objects(data, self.codec, self.shape, self._context())

    def _whole(self):
        cdata = self._load()
        if cdata is None:
            out = np.empty(self.shape, object)
            out[...] = self.fill_value
            return out
        if self.compressor is None:
            return self._decode(cdata)
        try:
            return self._decode(cdata)
        except ValueError as e:
            if isinstance(e, CorruptChunkError):
                raise
            raise CorruptChunkError("%s: %s" % (self._context(), e)) from None

    @property
    def cbytes(self):
        try:
            return self.store.getsize(self.key)
        except KeyError:
            return 0

    @property
    def is_initialized(self):
        return self.cbytes > 0

    def read(self, sel=Ellipsis, out=None):
        res = self._whole()[sel]
        if out is None:
            return res
        out[...] = res
        return out

    __getitem__ = read

    def write(self, sel, value):
        with _Locked(self.lock):
            if _selects_all(sel, self.shape):  # nothing of the old chunk is kept, nor read
                arr = np.empty(self.shape, object)
            else:
                arr = self._whole()
            arr[sel] = value
            if not self.write_empty and self._only_fill(arr):
                try:
                    self.store.delete(self.key)
                except KeyError:
                    pass
                return
            data = encode_objects(arr, self.codec, self._context())
            if len(data) > decoded_bound(arr.size):  # what no reader would read back
                raise ValueError("%s: %s" % (self._context(), _too_large(
                    "the elements encode to", len(data), arr.size)))
            if self.compressor is not None:
                data = self.compressor.encode(data)
                if not isinstance(data, bytes):
                    data = as_u1(data).tobytes()
            self._store(data)

    __setitem__ = write

    def _only_fill(self, arr):
        """Whether every element is the fill value, of its type and its very
        value (``-0.0`` is not ``0.0``; a NaN is only itself): what the chunk
        reads as once deleted."""
        fill = self.fill_value
        kind, text = type(fill), repr(fill)
        return all(v is fill or (type(v) is kind and v == fill and repr(v) == text)
                   for v in arr.flat)

    def clear(self):
        with _Locked(self.lock):
            try:
                self.store.delete(self.key)
            except KeyError:
                pass

    def get_cdata(self):
        return self._load()

    def set_cdata(self, cdata):
        if cdata is None:
            self.clear()
            return
        cdata = bytes(cdata)
        self._decode(cdata)  # validates
        with _Locked(self.lock):
            self._store(cdata)


def _selects_all(sel, shape):
    """Whether sel is ``...`` or full slices over every dimension of shape."""
    if sel is Ellipsis:
        return True
    if not isinstance(sel, tuple):
        sel = (sel,)
    return len(sel) == len(shape) and all(
        isinstance(s, slice) and s.indices(n) == (0, n, 1) for s, n in zip(sel, shape))


class _Locked:
    """Holds a chunk's lock, if it has one."""

    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        if self.lock is not None:
            self.lock.acquire()

    def __exit__(self, *exc):
        if self.lock is not None:
            self.lock.release()
