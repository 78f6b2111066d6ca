"""Chunks of Python objects: variable-length strings, bytes and lists.

The elements are encoded in the layout of the Zarr v2 ``msgpack2`` filter
(a msgpack array of the elements, then the dtype string and the chunk
shape), then compressed with blosc like any chunk. ``vlen-utf8`` and
``vlen-bytes`` chunks (a count, then each element as a 4-byte length and its
bytes), which other writers use for strings, are read and written too.
"""

import fcntl
import os
import struct
import threading

import msgpack
import numpy as np

from zarr.errors import CorruptChunkError
from zarr.ext import compress, decompress, read_file, write_file_atomic

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
    """One chunk of an object array, in memory or (with ``path``) in a file.

    The interface of :class:`zarr.ext.Chunk`: ``read``, ``write``, ``clear``,
    ``get_cdata``, ``set_cdata``, ``cbytes``, ``is_initialized``.

    Examples
    --------
    >>> c = ObjectChunk(4, fill_value="")
    >>> c[1:3] = ["a", "bc"]
    >>> c[...].tolist()
    ['', 'a', 'bc', '']
    """

    def __init__(self, shape, cname="blosclz", clevel=5, shuffle=1, fill_value=None,
                 blocksize=0, codec="msgpack2", path=None, fsync=False, synchronized=False,
                 lock_path=None, lock=None):
        self.shape = tuple(shape) if not isinstance(shape, int) else (shape,)
        self.dtype = np.dtype(object)
        self.cname, self.clevel, self.shuffle = cname, clevel, shuffle
        self.blocksize, self.codec = blocksize, codec
        self.fill_value = fill_value
        self.path, self.fsync, self.lock_path = path, fsync, lock_path
        self.nbytes = int(np.prod(self.shape)) * self.dtype.itemsize
        self._cdata = None
        self._lock = (lock or threading.Lock()) if synchronized else None
        if codec not in ("msgpack2", "vlen-utf8", "vlen-bytes"):
            raise ValueError("unknown object codec %r" % codec)
        if cname is not None:
            compress(b"", 1, cname, clevel, shuffle)  # checks the options

    def _context(self):
        return "chunk" if self.path is None else "chunk file %s" % self.path

    def _load(self):
        return self._cdata if self.path is None else read_file(self.path)

    def _store(self, cdata):
        if self.path is None:
            self._cdata = cdata
        else:
            write_file_atomic(self.path, cdata, self.fsync)

    def _decode(self, cdata):
        data = cdata
        if self.cname is not None:
            try:
                data = decompress(cdata)
            except CorruptChunkError as e:  # name the chunk file, as other chunks do
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
        cdata = self._load()
        return 0 if cdata is None else len(cdata)

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
        with _Locked(self):
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
        with _Locked(self):
            if self.path is None:
                self._cdata = None
            else:
                try:
                    os.remove(self.path)
                except FileNotFoundError:
                    pass

    def get_cdata(self):
        return self._load()

    def set_cdata(self, cdata):
        if cdata is None:
            self.clear()
            return
        cdata = bytes(cdata)
        self._decode(cdata)  # validates
        with _Locked(self):
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
    """The thread lock of a synchronized object chunk, and its file lock if any."""

    def __init__(self, chunk):
        self.chunk = chunk
        self.file = None

    def __enter__(self):
        if self.chunk._lock is not None:
            self.chunk._lock.acquire()
            if self.chunk.lock_path is not None:
                os.makedirs(os.path.dirname(self.chunk.lock_path) or ".", exist_ok=True)
                self.file = open(self.chunk.lock_path, "a+b")
                fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        if self.file is not None:
            self.file.close()
        if self.chunk._lock is not None:
            self.chunk._lock.release()
