"""Garbage chunk files for tests/test_persistent_faults.py.

Imported by the tests to build arrays whose chunk "1" holds garbage, and run
as a script (``python _fault_garbage.py MANIFEST``) to read them all in a
fresh interpreter, so that a crash shows as a signal in the return code.
"""

import json
import os
import random
import struct
import sys

import msgpack
import numpy as np

import zarr
from zarr.ext import compress

SHAPE, CHUNKS = (100,), (10,)
#: The selections read from an array whose chunk 1 (elements 10 to 19) is bad.
SELECTIONS = [Ellipsis, slice(10, 20), 15, slice(12, 14), slice(5, 25), slice(19, 9, -3)]


def _selection_repr(sel):
    return repr(sel)


def _other_chunk(directory, dtype, chunks, cname="blosclz", **kwargs):
    """The bytes of chunk 0 of an array of another kind."""
    path = os.path.join(directory, "other-%s-%s-%s.zarr" % (np.dtype(dtype).str.strip("<>|"),
                                                            chunks, cname))
    o = zarr.open(path, mode="w", shape=SHAPE, dtype=dtype, chunks=chunks, cname=cname,
                  **kwargs)
    o[:] = "x" if np.dtype(dtype).hasobject else 1
    with open(os.path.join(path, "0"), "rb") as f:
        return f.read()


def _patched(good, offset, value):
    bad = bytearray(good)
    bad[offset:offset + 4] = struct.pack("<I", value)
    return bytes(bad)


def _random(seed, n):
    return random.Random(seed).randbytes(n)


def numeric_cases(directory):
    """name -> (array options, bytes of a bad chunk 1) for a compressed int32 array."""
    good = _good(directory, "i4", "blosclz")
    nbytes = CHUNKS[0] * 4
    return {
        "truncated-half": good[:len(good) // 2],
        "truncated-header": good[:10],
        "truncated-last-byte": good[:-1],
        "one-byte-too-many": good + b"\0",
        "empty": b"",
        "zero-bytes": b"\0" * len(good),
        "zero-bytes-4k": b"\0" * 4096,
        "random-1": _random(1, 1),
        "random-16": _random(2, 16),
        "random-56": _random(3, len(good)),
        "random-4k": _random(4, 4096),
        "header-huge-nbytes": _patched(good, 4, 2**31 - 1),
        "header-double-nbytes": _patched(good, 4, 2 * nbytes),
        "header-huge-cbytes": _patched(good, 12, 2**31 - 1),
        "header-huge-blocksize": _patched(good, 8, 2**31 - 1),
        "header-typesize-255": good[:3] + b"\xff" + good[4:],
        "other-dtype-f8": _other_chunk(directory, "f8", CHUNKS),
        "other-dtype-i2-same-nbytes": _other_chunk(directory, "i2", (20,)),
        "other-shape": _other_chunk(directory, "i4", (20,)),
        "raw-bytes-of-right-size": np.arange(10, 20, dtype="i4").tobytes(),
        "object-chunk": _other_chunk(directory, object, CHUNKS),
    }


def raw_cases(directory):
    """name -> bytes of a bad chunk 1 for an uncompressed (cname=None) int32 array."""
    good = _good(directory, "i4", None)
    return {
        "empty": b"",
        "one-byte": b"\1",
        "one-item-short": good[:-4],
        "one-byte-short": good[:-1],
        "one-byte-too-many": good + b"\0",
        "twice": good + good,
        "compressed-frame": _good(directory, "i4", "blosclz"),
    }


def object_cases(directory, codec, cname):
    """name -> bytes of a bad chunk 1 for an object array of ``codec``."""
    good = _good(directory, object, cname, object_codec=codec)

    def c(data):
        return data if cname is None else compress(data, 1, "lz4")

    cases = {
        "empty": b"",
        "truncated": good[:len(good) // 2],
        "random": _random(5, 50),
        "payload-msgpack-three-items": c(msgpack.packb([1, 2, 3])),
        "payload-msgpack-map": c(msgpack.packb({"a": 1})),
        "payload-invalid-msgpack": c(b"\xc1\xc1\xc1"),
        "payload-count-huge": c(b"\xff\xff\xff\x7f"),
        "payload-item-runs-past-end": c(b"\x0a\0\0\0" + b"\xff\xff\xff\x7f"),
    }
    if cname is not None:
        cases["zero-bytes"] = b"\0" * 64
    if codec == "vlen-utf8":
        cases["payload-bad-utf8"] = c(b"\x0a\0\0\0" + b"\x01\0\0\0\xff" * 10)
    return cases


def _good(directory, dtype, cname, **kwargs):
    """The bytes of chunk 1 of a good array of this kind."""
    path = os.path.join(directory, "good-%s-%s-%s.zarr" % (
        np.dtype(dtype).str.strip("<>|"), cname, kwargs.get("object_codec")))
    z = make_array(path, dtype, cname, **kwargs)
    with open(os.path.join(path, "1"), "rb") as f:
        return f.read()


def expected(dtype):
    if np.dtype(dtype).hasobject:
        out = np.empty(SHAPE, object)
        out[:] = [("s%d" % i) for i in range(SHAPE[0])]
        return out
    return np.arange(SHAPE[0], dtype=dtype)


def make_array(path, dtype, cname, **kwargs):
    """A fully written array of SHAPE and CHUNKS."""
    z = zarr.open(path, mode="w", shape=SHAPE, dtype=dtype, chunks=CHUNKS, cname=cname,
                  **kwargs)
    values = expected(dtype)
    if kwargs.get("object_codec") == "vlen-bytes":
        values = np.array([s.encode() for s in values], object)
    z[:] = values
    return z


def read_outcomes(path):
    """Read every selection of the array at ``path``: [(selection, error type, message)]."""
    z = zarr.open(path, mode="r")
    out = []
    for sel in SELECTIONS:
        try:
            z[sel]
        except Exception as e:  # noqa: BLE001 - the outcome is what is recorded
            out.append((_selection_repr(sel), type(e).__name__, str(e)))
        else:
            out.append((_selection_repr(sel), None, ""))
    return out


def fuzz(path, n, seed):
    """Flip random bytes of chunk 1 of the array at ``path`` n times and read it each time:
    a count of outcomes by error type (None when the read succeeded)."""
    chunk = os.path.join(path, "1")
    with open(chunk, "rb") as f:
        good = f.read()
    rng = random.Random(seed)
    z = zarr.open(path, mode="r")
    counts = {}
    for _ in range(n):
        bad = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            # Mostly the header and the block table, where the lengths are.
            i = rng.randrange(min(len(bad), 32)) if rng.random() < 0.7 else rng.randrange(len(bad))
            bad[i] = rng.randrange(256)
        with open(chunk, "wb") as f:
            f.write(bytes(bad))
        try:
            z[...]
            z[12:14]
            outcome = None
        except Exception as e:  # noqa: BLE001
            outcome = type(e).__name__
        counts[str(outcome)] = counts.get(str(outcome), 0) + 1
    with open(chunk, "wb") as f:
        f.write(good)
    return counts


def main(manifest):
    with open(manifest) as f:
        todo = json.load(f)
    result = {"cases": {p: read_outcomes(p) for p in todo["cases"]},
              "fuzz": {p: fuzz(p, todo["fuzz_n"], i) for i, p in enumerate(todo["fuzz"])}}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
