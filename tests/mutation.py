"""Mutants of real encoded buffers, for the fuzz tests of every decoder.

A mutant is a real encoding (a "base", any object with a ``frame``) changed
by one to three operations, each drawn for the buffer the previous ones made.
An operation is a small tuple that :func:`apply` carries out, so that
hypothesis keeps and reports operations, not buffers. :data:`GENERIC` are the
operations any format gets; a format adds its own (a header field set to an
edge value, say) as functions ``(draw, buf, base) -> operation``.
"""

import os
import struct

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from conftest import FUZZ_SCALE

#: Mutants checked per hypothesis example; with the profiles of conftest.py that makes
#: 100 x 5 = 500 mutants under "dev" and 500 x 25 = 12,500 under "ci", for each base set.
MUTANTS_PER_EXAMPLE = max(5, 5 * FUZZ_SCALE // 2)

U32_EDGES = (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)


def budget_follows_the_profile():
    """The mutants one fuzz test checks: at least 10,000 under "ci"."""
    total = settings.default.max_examples * MUTANTS_PER_EXAMPLE
    if os.environ.get("HYPOTHESIS_PROFILE") == "ci":
        assert total >= 10_000
    else:
        assert 300 <= total <= 2_000
    return total


def u32_edges(*near):
    """Boundary values for a 32-bit field, and any."""
    return (st.sampled_from(U32_EDGES + tuple(v % 2**32 for v in near))
            | st.integers(0, 2**32 - 1))


def truncate(draw, buf, base):
    return ("truncate", draw(st.integers(0, max(0, len(buf) - 1))))


def append(draw, buf, base):
    return ("append", draw(st.binary(min_size=1, max_size=64) | st.just(b"\x00" * 4096)))


def flip_bits(draw, buf, base):
    if not buf:
        return append(draw, buf, base)
    last = len(buf) - 1
    positions = st.integers(0, min(15, last)) | st.integers(0, last)
    return ("flip", tuple(draw(st.tuples(positions, st.integers(0, 7)))
                          for _ in range(draw(st.integers(1, 8)))))


def span(draw, buf, base):
    """Overwrite a span with 0xFF, zeros or random bytes."""
    if not buf:
        return append(draw, buf, base)
    start = draw(st.integers(0, len(buf) - 1))
    length = draw(st.integers(1, len(buf) - start))
    fill = draw(st.sampled_from(["ff", "zero", "random"]))
    if fill == "random" and length <= 256:
        return ("span", start, draw(st.binary(min_size=length, max_size=length)))
    return ("span", start, length, fill, draw(st.integers(0, 2**32 - 1)))


def u32_field(draw, buf, offsets, near=()):
    """Set one of the 32-bit little-endian fields at ``offsets`` (negative:
    from the end) to an edge value; flip bits when none fits in buf."""
    fitting = [o for o in offsets if 0 <= (o if o >= 0 else len(buf) + o) <= len(buf) - 4]
    if not fitting:
        return flip_bits(draw, buf, None)
    offset = draw(st.sampled_from(fitting))
    if offset < 0:
        offset += len(buf)
    return ("u32", offset, draw(u32_edges(len(buf), len(buf) - 4, *near)))


def byte_field(draw, buf, positions, near=()):
    """Set one of the bytes at ``positions`` to an edge value or any."""
    fitting = [p for p in positions if p < len(buf)]
    if not fitting:
        return append(draw, buf, None)
    pos = draw(st.sampled_from(fitting))
    return ("byte", pos, draw(st.sampled_from((0, 1, 0xFF, buf[pos] ^ 1, buf[pos] ^ 0x80)
                                              + tuple(near)) | st.integers(0, 255)))


GENERIC = [truncate, append, flip_bits, flip_bits, span, span]


def apply(buf, op):
    """buf (a bytearray) changed by one operation."""
    kind, *args = op
    if kind == "truncate":
        del buf[args[0]:]
    elif kind == "append":
        buf += args[0]
    elif kind == "resize":
        # cut or extend, and write the new length into the 32-bit field at 12
        # (blosc's cbytes)
        (length,) = args
        buf = buf[:length] + bytes(max(0, length - len(buf)))
        struct.pack_into("<I", buf, 12, length)
    elif kind == "flip":
        for pos, bit in args[0]:
            buf[pos] ^= 1 << bit
    elif kind in ("u32", "i32"):
        struct.pack_into("<I" if kind == "u32" else "<i", buf, *args)
    elif kind == "byte":
        buf[args[0]] = args[1]
    elif len(args) == 2:
        start, data = args
        buf[start:start + len(data)] = data
    else:
        start, length, fill, seed = args
        rng = np.random.default_rng(seed)
        buf[start:start + length] = (b"\xff" * length if fill == "ff" else bytes(length)
                                     if fill == "zero" else rng.bytes(length))
    return buf


def mutate(frame, ops):
    buf = bytearray(frame)
    for op in ops:
        buf = apply(buf, op)
    return bytes(buf)


@st.composite
def mutations(draw, base, operations):
    """One to three of ``operations``, each drawn for the mutant the previous ones made."""
    buf = bytearray(base.frame)
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(operations))(draw, buf, base)
        buf = apply(buf, op)
        ops.append(op)
    return ops


# Data to encode: what compresses well, and what half does not.

def smooth(n, dtype, seed=0):
    """A random walk of small steps, modulo 1000, as ``dtype``."""
    rng = np.random.default_rng(seed)
    return (np.cumsum(rng.integers(-3, 4, n)) % 1000).astype(dtype)


def noisy(n, seed=0):
    """Bytes half random, half a ramp: in small blocks, some splits are stored raw."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.integers(0, 256, n // 2, dtype="u1"),
                           (np.arange(n - n // 2) % 251).astype("u1")])
