"""Codecs as value objects, with their JSON configurations and a registry.

A codec is made and checked once, where it is made; an array holds one as
its compressor (or None for raw chunks), and filters before it, and writes
their :meth:`get_config` into its ``.zarray``. :func:`get_codec` makes a
codec from such a configuration by its ``id``, from :data:`codec_registry`;
a new codec plugs in with :func:`register_codec`. The codecs are those of
the Zarr v2 format, with numcodecs' ids, options and byte layouts:

- compressors: ``blosc`` (:class:`Blosc`), ``zstd``, ``lz4``, ``zlib``,
  ``gzip`` (:mod:`zarr.codecs.compressors`);
- filters: ``delta``, ``fixedscaleoffset``, ``shuffle``, and the checksums
  ``crc32`` and ``adler32`` (:mod:`zarr.codecs.filters`), which may be
  compressors too;
- for object arrays: ``vlen-array`` (:class:`VLenArray`), and
  ``vlen-utf8``, ``vlen-bytes`` and ``msgpack2``, named by their id
  (:mod:`zarr.objects`).

Examples
--------
>>> import numpy as np, zarr
>>> z = zarr.array(np.arange(1000, dtype="<i4"), chunks=100, compressor=Zstd(level=3),
...                filters=[Delta("<i4")])
>>> z.compressor.get_config(), [f.get_config() for f in z.filters]
({'id': 'zstd', 'level': 3, 'checksum': False}, [{'id': 'delta', 'dtype': '<i4', 'astype': '<i4'}])
>>> int(z[999]), z.nbytes // z.cbytes > 10
(999, True)
"""

from zarr.codecs.registry import DEFAULT, Codec, codec_registry, get_codec, register_codec
from zarr.codecs.blosc import Blosc
from zarr.codecs.compressors import GZip, LZ4, Zlib, Zstd
from zarr.codecs.filters import CRC32, Adler32, Delta, FixedScaleOffset, Shuffle
from zarr.codecs.pipeline import ChunkCodec, codec_of, filters_of
from zarr.codecs.vlen import VLenArray
from zarr.codecs.v3_objects import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec,
                                    TransposeCodec, VLenBytesCodec, VLenUTF8Codec, ZstdCodec)

__all__ = ["DEFAULT", "Codec", "codec_registry", "get_codec", "register_codec", "Blosc", "GZip",
           "LZ4", "Zlib", "Zstd", "CRC32", "Adler32", "Delta", "FixedScaleOffset", "Shuffle",
           "ChunkCodec", "codec_of", "filters_of", "VLenArray", "BloscCodec", "BytesCodec",
           "Crc32cCodec", "GzipCodec", "TransposeCodec", "VLenBytesCodec", "VLenUTF8Codec",
           "ZstdCodec"]
