"""The ``vlen-array`` object codec: each element of an object array a 1-D
array of one dtype (numcodecs' ``VLenArray``), as zarr-python writes ragged
arrays. (``vlen-utf8``, ``vlen-bytes`` and ``msgpack2`` are named by their
id alone: see :mod:`zarr.objects`.)

Examples
--------
>>> import numpy as np
>>> codec = VLenArray("<i2")
>>> a = np.empty(2, object); a[0] = [1, 2, 3]; a[1] = []
>>> [x.tolist() for x in codec.decode(codec.encode(a), 2)]
[[1, 2, 3], []]
"""

import numpy as np

from zarr.codecs.registry import Codec, register_codec
from zarr.ext import decode_vlen_array, encode_vlen_array


@register_codec
class VLenArray(Codec):
    """Object arrays whose elements are 1-D arrays of ``dtype``.

    Examples
    --------
    >>> VLenArray("<f8").get_config()
    {'id': 'vlen-array', 'dtype': '<f8'}
    """

    codec_id = "vlen-array"
    _options = ("dtype",)
    __slots__ = _options

    def __init__(self, dtype):
        try:
            dtype = np.dtype(dtype)
        except TypeError as e:
            raise TypeError("vlen-array dtype: %s" % e) from None
        if dtype.hasobject or dtype.itemsize == 0 or dtype.fields is not None:
            raise ValueError("vlen-array dtype must be fixed-size items, not %s" % dtype)
        self._set(dtype=dtype)

    def get_config(self):
        return {"id": self.codec_id, "dtype": self.dtype.str}

    def __repr__(self):
        return "VLenArray(dtype=%r)" % self.dtype.str

    def encode(self, arr, context="chunk"):
        return encode_vlen_array(np.asarray(arr, object), self.dtype, context)

    def decode(self, buf, n):
        """The ``n`` elements of ``buf``; ValueError unless it holds exactly them."""
        return decode_vlen_array(buf, n, self.dtype)
