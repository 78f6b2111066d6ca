"""Sample data of every dtype kind, shared by the tests."""

import numpy as np

DTYPES = [
    "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8",
    "f2", "f4", "f8", "c8", "c16", "?",
    "M8[ns]", "M8[D]", "m8[s]",
    "S7", "U5",
    ">i4", ">f8",
    [("a", "<i4"), ("b", "<f8"), ("c", "S3")],
    [("x", "<f8", (40,))],   # items of 320 bytes: over blosc's typesize limit
]


def sample(dtype, shape, seed=0):
    """Random but compressible data of any dtype kind."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype.fields:
        out = np.zeros(n, dtype)
        for name in dtype.names:
            sub = dtype[name]
            base = sub.base if sub.shape else sub
            out[name] = sample(base, (n,) + sub.shape, seed + 1).reshape((n,) + sub.shape)
        return out.reshape(shape)
    kind = dtype.kind
    if kind == "b":
        data = rng.random(n) < 0.3
    elif kind in "iu":
        info = np.iinfo(dtype)
        data = np.cumsum(rng.integers(-3, 4, n)) % min(info.max, 1000) + max(info.min, 0)
    elif kind == "f":
        data = np.cumsum(rng.normal(0, 1, n))
    elif kind == "c":
        data = np.cumsum(rng.normal(0, 1, n)) + 1j * rng.normal(0, 1, n)
    elif kind in "mM":
        data = np.cumsum(rng.integers(0, 100, n)).astype("i8")
        return data.view(dtype.newbyteorder("=")).astype(dtype).reshape(shape)
    elif kind == "S":
        words = [b"abc", b"", b"zarr", b"x" * dtype.itemsize, b"\x00\xff"]
        data = np.array([words[i] for i in rng.integers(0, len(words), n)], dtype)
    elif kind == "U":
        words = ["abc", "", "zarr", "\u00e9t\u00e9", "\U0001f600"]
        data = np.array([words[i] for i in rng.integers(0, len(words), n)], dtype)
    else:
        raise TypeError(dtype)
    return np.asarray(data).astype(dtype).reshape(shape)
