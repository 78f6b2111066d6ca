"""The codecs of the Zarr v3 format: their JSON form (``{"name": ...,
"configuration": {...}}``) and the pipeline that encodes a chunk with them.

A v3 array lists its codecs in order: array-to-array codecs (``transpose``),
exactly one array-to-bytes codec (``bytes``, ``sharding_indexed``, or
``vlen-utf8`` / ``vlen-bytes`` for strings), then bytes-to-bytes codecs
(``blosc``, ``zstd``, ``gzip``, ``crc32c``). The bytes-to-bytes ones are the
codec objects of :mod:`zarr.codecs` (blosc, zstd and gzip frames are the same
bytes in both formats); :class:`Pipeline` runs them over a chunk.

Examples
--------
>>> import numpy as np
>>> codecs = normalize_codecs([{"name": "bytes", "configuration": {"endian": "big"}},
...                            {"name": "zstd", "configuration": {"level": 1}}], np.dtype("i4"))
>>> [c["name"] for c in codecs], codecs[1]["configuration"]
(['bytes', 'zstd'], {'level': 1, 'checksum': False})
>>> p = Pipeline(codecs, (4,), np.dtype("i4"))
>>> out = np.empty(4, "i4")
>>> p.decode(p.encode(np.arange(4, dtype="i4")), out).tolist()
[0, 1, 2, 3]
"""

import numpy as np

from zarr.codecs.blosc import Blosc
from zarr.codecs.compressors import GZip, Zstd
from zarr.codecs.filters import as_u1, fill_out
from zarr.codecs.registry import Codec, check_int
from zarr import ext
from zarr.ext import CorruptChunkError

#: Blosc's shuffle modes by their v3 names.
BLOSC_SHUFFLES = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}
ARRAY_TO_BYTES = ("bytes", "sharding_indexed", "vlen-utf8", "vlen-bytes")
BYTES_TO_BYTES = ("blosc", "zstd", "gzip", "crc32c")
KNOWN = ("transpose",) + ARRAY_TO_BYTES + BYTES_TO_BYTES
#: The index codecs written by default: little-endian pairs and their crc32c.
DEFAULT_INDEX_CODECS = [{"name": "bytes", "configuration": {"endian": "little"}},
                        {"name": "crc32c"}]


class CRC32C(Codec):
    """The v3 ``crc32c`` codec: the data, then its CRC-32C as 4 bytes little-endian.

    Examples
    --------
    >>> CRC32C().encode(b"123456789")[-4:].hex()
    '839206e3'
    """

    codec_id = "crc32c"
    __slots__ = ()

    def encode(self, buf):
        data = as_u1(buf)
        return data.tobytes() + int(ext.crc32c(data)).to_bytes(4, "little")

    def decode(self, buf, out=None, max_nbytes=None):
        data = as_u1(buf)
        if data.nbytes < 4:
            raise CorruptChunkError("invalid crc32c data: %d bytes, shorter than its checksum"
                                    % data.nbytes)
        body = data[:-4]
        if int(ext.crc32c(body)) != int.from_bytes(data[-4:].tobytes(), "little"):
            raise CorruptChunkError("invalid crc32c data: the checksum does not match")
        if out is None:
            if max_nbytes is not None and body.nbytes > max_nbytes:
                raise CorruptChunkError("invalid crc32c data: %d bytes, over the %d expected"
                                        % (body.nbytes, max_nbytes))
            return body
        return fill_out(out, body, "crc32c")

    def encoded_size(self, nbytes):
        return nbytes + 4

    def max_encoded_size(self, nbytes):
        return nbytes + 4


def _config(codec):
    if isinstance(codec, str):
        codec = {"name": codec}
    if not isinstance(codec, dict) or not isinstance(codec.get("name"), str):
        raise ValueError("a v3 codec is a dict with a 'name' (and a 'configuration'), not %r"
                         % (codec,))
    unknown = set(codec) - {"name", "configuration"}
    if unknown:
        raise ValueError("codec %r has unknown members %s" % (codec["name"], sorted(unknown)))
    config = codec.get("configuration", {})
    if not isinstance(config, dict):
        raise ValueError("the configuration of codec %r must be an object, not %r"
                         % (codec["name"], config))
    if codec["name"] not in KNOWN:
        raise ValueError("unknown codec %r (known: %s)" % (codec["name"], ", ".join(KNOWN)))
    return codec["name"], config


def _only(name, config, allowed):
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        raise ValueError("codec %r has no option %s (only %s)"
                         % (name, ", ".join(unknown), ", ".join(allowed) or "none"))


def bytes_to_bytes(name, config, itemsize):
    """The codec object of a v3 bytes-to-bytes codec."""
    if name == "blosc":
        _only(name, config, ("cname", "clevel", "shuffle", "typesize", "blocksize"))
        shuffle = config.get("shuffle", "noshuffle")
        if shuffle not in BLOSC_SHUFFLES:
            raise ValueError("blosc shuffle must be one of %s, not %r"
                             % (", ".join(BLOSC_SHUFFLES), shuffle))
        typesize = config.get("typesize", itemsize)
        if BLOSC_SHUFFLES[shuffle] and typesize is None:
            raise ValueError("blosc with shuffle %r needs a typesize" % shuffle)
        return Blosc(config.get("cname", "zstd"), config.get("clevel", 5),
                     BLOSC_SHUFFLES[shuffle], config.get("blocksize", 0) or 0,
                     None if typesize is None else check_int("blosc", "typesize", typesize, 1, 255))
    if name == "zstd":
        _only(name, config, ("level", "checksum"))
        return Zstd(config.get("level", 0), config.get("checksum", False))
    if name == "gzip":
        _only(name, config, ("level",))
        return GZip(config.get("level", 6))
    if name == "crc32c":
        _only(name, config, ())
        if not hasattr(ext, "crc32c"):
            raise ValueError("codec crc32c is not supported by this version")
        return CRC32C()
    raise ValueError("%r is not a bytes-to-bytes codec" % name)


def v3_config(codec, itemsize):
    """The v3 JSON of one of our bytes-to-bytes codec objects (an array's
    ``compressor``); ValueError for a codec the v3 format has no name for."""
    if isinstance(codec, Blosc):
        shuffle = {v: k for k, v in BLOSC_SHUFFLES.items()}[codec.shuffle]
        return {"name": "blosc", "configuration": {
            "cname": codec.cname, "clevel": codec.clevel, "shuffle": shuffle,
            "typesize": codec.typesize or itemsize, "blocksize": codec.blocksize}}
    if isinstance(codec, Zstd):
        return {"name": "zstd", "configuration": {"level": codec.level,
                                                  "checksum": codec.checksum}}
    if isinstance(codec, GZip):
        return {"name": "gzip", "configuration": {"level": codec.level}}
    if isinstance(codec, CRC32C):
        return {"name": "crc32c"}
    raise ValueError("%r has no Zarr v3 form: a v3 array takes blosc, zstd, gzip or crc32c "
                     "(zarr.Blosc, zarr.Zstd, zarr.GZip)" % (codec,))


def _normalize_one(name, config, dtype, ndim):
    if name == "transpose":
        _only(name, config, ("order",))
        order = config.get("order")
        if (not isinstance(order, list) or sorted(order) != list(range(ndim))
                or not all(type(i) is int for i in order)):
            raise ValueError("transpose order must be a permutation of range(%d), not %r"
                             % (ndim, order))
        return {"name": name, "configuration": {"order": order}}
    if name == "bytes":
        _only(name, config, ("endian",))
        endian = config.get("endian")
        if endian not in ("little", "big") and not (endian is None and (
                dtype.itemsize == 1 or dtype.kind == "S")):
            raise ValueError("bytes endian must be 'little' or 'big' (it may be left out for "
                             "1-byte data types and bytes only), not %r" % (endian,))
        return {"name": name, "configuration": {"endian": endian}} if endian else {"name": name}
    if name in ("vlen-utf8", "vlen-bytes"):
        _only(name, config, ())
        return {"name": name}
    if name == "sharding_indexed":
        return {"name": name, "configuration": config}  # checked by the sharding layer
    raise ValueError("%r is not an array-to-array or array-to-bytes codec" % name)


def normalize_codecs(codecs, dtype, ndim=None):
    """The v3 codec list ``codecs`` checked and with every option filled in:
    ValueError naming what is wrong (an unknown codec, options, order)."""
    if not isinstance(codecs, (list, tuple)) or not codecs:
        raise ValueError("codecs must be a non-empty list, not %r" % (codecs,))
    found = []
    stage = "array"
    for codec in codecs:
        name, config = _config(codec)
        if name == "transpose":
            if stage != "array":
                raise ValueError("transpose must come before the array-to-bytes codec")
            if ndim is None:
                raise ValueError("transpose needs the array's dimensions")
            found.append(_normalize_one(name, config, dtype, ndim))
        elif name in ARRAY_TO_BYTES:
            if stage != "array":
                raise ValueError("a second array-to-bytes codec %r: a chain has exactly one"
                                 % name)
            stage = "bytes"
            if (name in ("vlen-utf8", "vlen-bytes")) != dtype.hasobject:
                raise ValueError("codec %r is not for data type %s" % (name, dtype))
            found.append(_normalize_one(name, config, dtype, ndim))
        else:
            if stage != "bytes":
                raise ValueError("bytes-to-bytes codec %r before the array-to-bytes codec"
                                 % name)
            codec_object = bytes_to_bytes(name, config, dtype.itemsize)
            entry = {"name": name}
            if name != "crc32c":
                entry["configuration"] = v3_config(codec_object, dtype.itemsize)[
                    "configuration"]
            found.append(entry)
    if stage != "bytes":
        raise ValueError("codecs %r have no array-to-bytes codec (bytes, sharding_indexed...)"
                         % ([c.get("name") if isinstance(c, dict) else c for c in codecs],))
    return found


class Pipeline:
    """The codec of a v3 array's chunks of ``chunk_shape`` and ``dtype``
    (native byte order), from its normalized codec list, for
    :class:`zarr.ext.Chunk`'s ``codec``: array-to-array codecs, ``bytes``,
    then the bytes-to-bytes codecs in order; decoded the other way round,
    each stage into a buffer of the size it must give."""

    __slots__ = ("codecs", "chunk_shape", "dtype", "order", "stored_dtype", "stages",
                 "nbytes", "_sizes")

    def __init__(self, codecs, chunk_shape, dtype):
        self.codecs = codecs
        self.chunk_shape = tuple(chunk_shape)
        self.dtype = np.dtype(dtype)
        self.order = None
        endian = "little"
        self.stages = []
        for codec in codecs:
            name, config = codec["name"], codec.get("configuration", {})
            if name == "transpose":
                order = tuple(config["order"])
                self.order = order if self.order is None else tuple(self.order[i] for i in order)
            elif name == "bytes":
                endian = config.get("endian") or "little"
            elif name in BYTES_TO_BYTES:
                self.stages.append(bytes_to_bytes(name, config, self.dtype.itemsize))
            else:
                raise ValueError("codec %r cannot be in this pipeline" % name)
        if self.order == tuple(range(len(self.chunk_shape))):
            self.order = None
        self.stored_dtype = self.dtype.newbyteorder("<" if endian == "little" else ">")
        self.nbytes = int(np.prod(self.chunk_shape)) * self.dtype.itemsize
        sizes = [self.nbytes]
        for stage in self.stages:
            sizes.append(None if sizes[-1] is None else stage.encoded_size(sizes[-1]))
        self._sizes = sizes

    @property
    def plain(self):
        """Whether the chunk's bytes are the array's own (no transpose, native order)."""
        return self.order is None and self.stored_dtype == self.dtype.newbyteorder("=")

    def encode(self, arr):
        if self.order is not None:
            arr = arr.transpose(self.order)
        buf = np.ascontiguousarray(arr, self.stored_dtype)
        for stage in self.stages:
            buf = stage.encode(buf)
        return buf if type(buf) is bytes else as_u1(buf).tobytes()

    def decode(self, cdata, out=None, max_nbytes=None):
        if out is None:
            out = np.empty(self.chunk_shape, self.dtype)
        direct = self.plain and isinstance(out, np.ndarray) and out.flags.c_contiguous
        buf = cdata
        for i in range(len(self.stages) - 1, -1, -1):
            size = self._sizes[i]
            if i == 0 and direct:
                target = out
            else:
                target = None if size is None else np.empty(size, np.uint8)
            bound = self._bound(i)
            buf = self.stages[i].decode(buf, target, bound) if target is None \
                else self.stages[i].decode(buf, target)
            if target is not None:
                buf = target
        if direct and self.stages:
            return out
        data = as_u1(buf)
        if data.nbytes != self.nbytes:
            raise CorruptChunkError("invalid chunk: %d bytes, expected %d"
                                    % (data.nbytes, self.nbytes))
        shape = self.chunk_shape if self.order is None else \
            tuple(self.chunk_shape[i] for i in self.order)
        stored = data.view(self.stored_dtype).reshape(shape)
        if self.order is not None:
            stored = stored.transpose(np.argsort(self.order))
        out[...] = stored
        return out

    def _bound(self, i):
        n = self.nbytes
        for stage in self.stages[:i]:
            n = stage.max_encoded_size(n)
        return n

    def max_encoded_size(self, nbytes):
        for stage in self.stages:
            nbytes = stage.max_encoded_size(nbytes)
        return nbytes

    def __eq__(self, other):
        return (type(other) is Pipeline and self.codecs == other.codecs
                and self.chunk_shape == other.chunk_shape and self.dtype == other.dtype)

    def __hash__(self):
        return hash((repr(self.codecs), self.chunk_shape, self.dtype))

    def __repr__(self):
        return "Pipeline(%r)" % ([c["name"] for c in self.codecs],)

    def __reduce__(self):
        return Pipeline, (self.codecs, self.chunk_shape, self.dtype)
