"""Chunks of Python objects: variable-length strings, bytes and lists.

The elements are encoded in the layout of the Zarr v2 ``msgpack2`` filter
(a msgpack array of the elements, then the dtype string and the chunk
shape), then compressed with blosc like any chunk. ``vlen-utf8`` and
``vlen-bytes`` chunks (a count, then each element as a 4-byte length and its
bytes), which other writers use for strings, are read and written too.
"""

import struct

import msgpack
import numpy as np

from zarr.errors import CorruptChunkError
from zarr.ext import compress, decompress

_U32 = struct.Struct("<I")


def encode_objects(arr, codec):
    if codec == "msgpack2":
        return msgpack.packb(arr.ravel().tolist() + [arr.dtype.str, list(arr.shape)],
                             use_bin_type=True, use_single_float=False)
    parts = [_U32.pack(arr.size)]
    for item in arr.ravel().tolist():
        if codec == "vlen-utf8":
            item = ("" if item is None else str(item)).encode("utf-8")
        elif item is None:  # the default fill, as numcodecs' VLenBytes encodes it
            item = b""
        elif not isinstance(item, bytes):
            raise TypeError("a vlen-bytes array holds bytes, not %r" % type(item).__name__)
        parts.append(_U32.pack(len(item)))
        parts.append(item)
    return b"".join(parts)


def decode_objects(data, codec, shape, context):
    n = int(np.prod(shape))
    out = np.empty(n, object)
    try:
        if codec == "msgpack2":
            items = msgpack.unpackb(data, raw=False, use_list=True, strict_map_key=False)
            if not isinstance(items, list) or len(items) != n + 2:
                raise ValueError("expected %d elements and a dtype and shape" % n)
            for i in range(n):
                out[i] = items[i]
        else:
            (count,) = _U32.unpack_from(data, 0)
            if count != n:
                raise ValueError("holds %d elements, expected %d" % (count, n))
            pos = 4
            for i in range(n):
                (length,) = _U32.unpack_from(data, pos)
                pos += 4
                if pos + length > len(data):
                    raise ValueError("element %d runs past the end" % i)
                item = bytes(data[pos:pos + length])
                out[i] = item.decode("utf-8") if codec == "vlen-utf8" else item
                pos += length
    except (ValueError, TypeError, struct.error, msgpack.UnpackException) as e:
        raise CorruptChunkError("%s: invalid %s data: %s" % (context, codec, e)) from None
    return out.reshape(shape)


class ObjectChunk:
    """One chunk of an object array: the value at ``key`` in ``store``.

    The interface of :class:`zarr.ext.StoreChunk`: ``read``, ``write``,
    ``clear``, ``get_cdata``, ``set_cdata``, ``cbytes``, ``is_initialized``,
    ``at``. With ``lock``, each read-modify-write holds it.

    Examples
    --------
    >>> from zarr.storage import MemoryStore
    >>> c = ObjectChunk(MemoryStore(), "0", 4, fill_value="")
    >>> c[1:3] = ["a", "bc"]
    >>> c[...].tolist()
    ['', 'a', 'bc', '']
    """

    def __init__(self, store, key, shape, cname="blosclz", clevel=5, shuffle=1, fill_value=None,
                 blocksize=0, codec="msgpack2", lock=None):
        self.shape = tuple(shape) if not isinstance(shape, int) else (shape,)
        self.dtype = np.dtype(object)
        self.cname, self.clevel, self.shuffle = cname, clevel, shuffle
        self.blocksize, self.codec = blocksize, codec
        self.fill_value = fill_value
        self.store, self.key, self.lock = store, key, lock
        self.nbytes = int(np.prod(self.shape)) * self.dtype.itemsize
        if codec not in ("msgpack2", "vlen-utf8", "vlen-bytes"):
            raise ValueError("unknown object codec %r" % codec)
        if cname is not None:
            compress(b"", 1, cname, clevel, shuffle)  # checks the options

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
        if self.cname is not None:
            try:
                data = decompress(cdata)
            except CorruptChunkError as e:  # name the chunk, as other chunks do
                raise CorruptChunkError("%s: %s" % (self._context(), e)) from None
        return decode_objects(data, self.codec, self.shape, self._context())

    def _whole(self):
        cdata = self._load()
        if cdata is None:
            out = np.empty(self.shape, object)
            out[...] = self.fill_value
            return out
        if self.cname is None:
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
            data = encode_objects(arr, self.codec)
            if self.cname is not None:
                data = compress(data, 1, self.cname, self.clevel, self.shuffle, self.blocksize)
            self._store(data)

    __setitem__ = write

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
