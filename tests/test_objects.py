"""Object chunks read from a store are untrusted: a bounded decoded size, an exact structure.

Every hostile chunk here is stored under a chunk's key with the store's own
``set`` (no validation on the way in), on every kind of array, and must read
as a CorruptChunkError naming the chunk, without allocating more than the
bound; the chunk is left as it was.
"""

import struct
import tracemalloc

import msgpack
import numpy as np
import pytest

import zarr
import zarr.objects
from arrays import KINDS
from zarr.ext import compress

N = 10  # elements in the one chunk of each array


def object_array(kind, codec, cname="zstd"):
    return KINDS[kind]((N,), dtype=object, chunks=(N,), object_codec=codec, cname=cname)


def plant(z, payload, cname="zstd"):
    """Store ``payload`` (compressed when the array compresses) as chunk 0 of z, as is."""
    frame = payload if cname is None else compress(payload, 1, cname, 9, 0)
    key = z._chunk((0,) * z.ndim).key
    z.store.set(key, frame)
    return key, frame


def peak_while(f):
    """(what f raised, the peak bytes Python allocated while it ran)."""
    tracemalloc.start()
    try:
        f()
    except Exception as e:  # noqa: BLE001 - returned to be checked
        raised = e
    else:
        raised = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak


def msgpack_chunk(elements, dtype="|O", shape=(N,)):
    return msgpack.packb(list(elements) + [dtype, shape if shape is None else list(shape)],
                         use_bin_type=True)


def vlen_chunk(elements, count=None):
    parts = [struct.pack("<I", len(elements) if count is None else count)]
    for e in elements:
        parts += [struct.pack("<I", len(e)), e]
    return b"".join(parts)


CODECS = ["msgpack2", "vlen-utf8", "vlen-bytes"]


def big_payload(codec, size):
    """A well-formed chunk of N elements, one of them ``size`` bytes."""
    if codec == "msgpack2":
        return msgpack_chunk(["x" * size] + [None] * (N - 1))
    return vlen_chunk([b"x" * size] + [b""] * (N - 1))


# The decoded size is bounded by the element count.

@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("codec", CODECS)
def test_a_frame_decompressing_past_the_bound_is_refused_before_it_is_allocated(
        kind, codec, monkeypatch):
    monkeypatch.setattr(zarr.objects, "MAX_ELEMENT_BYTES", 1000)
    z = object_array(kind, codec)
    payload = big_payload(codec, 1 << 20)   # 1 MB: 100 times the chunk's bound
    key, frame = plant(z, payload)
    assert len(frame) < 1000                # a small frame that decompresses to a lot
    raised, peak = peak_while(lambda: z[...])
    assert isinstance(raised, zarr.CorruptChunkError), raised
    assert key.rpartition("/")[2] in str(raised) and "MAX_ELEMENT_BYTES" in str(raised)
    assert peak < 200_000, peak             # never the 1 MB it claims
    for read in (lambda: z[3], lambda: z[2:5]):
        with pytest.raises(zarr.CorruptChunkError, match="MAX_ELEMENT_BYTES"):
            read()
    assert z.store.get(key) == frame        # left as it was
    # Raised, the limit lets the same chunk be read.
    monkeypatch.setattr(zarr.objects, "MAX_ELEMENT_BYTES", 1 << 20)
    value = z[0]
    assert len(value) == 1 << 20 and z[1] in (None, b"", "")


@pytest.mark.parametrize("codec", CODECS)
def test_an_uncompressed_chunk_past_the_bound_is_refused(codec, monkeypatch):
    monkeypatch.setattr(zarr.objects, "MAX_ELEMENT_BYTES", 1000)
    z = object_array("directory", codec, cname=None)
    plant(z, big_payload(codec, 1 << 20), cname=None)
    with pytest.raises(zarr.CorruptChunkError, match="MAX_ELEMENT_BYTES"):
        z[...]


@pytest.mark.parametrize("kind", ["memory", "directory", "memory-store"])
def test_a_header_claiming_two_gigabytes_allocates_nothing(kind):
    # The default bound of a 10-element chunk is 640 MB; the header claims 2 GB.
    z = object_array(kind, "msgpack2")
    frame = bytearray(compress(msgpack_chunk(["a"] * N), 1, "zstd", 5, 0))
    frame[4:8] = struct.pack("<I", (1 << 31) - 100)
    key = z._chunk((0,)).key
    z.store.set(key, bytes(frame))
    raised, peak = peak_while(lambda: z[...])
    assert isinstance(raised, zarr.CorruptChunkError), raised
    assert "decompresses to 2147483548 bytes" in str(raised), raised
    assert key.rpartition("/")[2] in str(raised)
    assert peak < 100_000, peak


def test_the_default_bound_is_64_mb_an_element():
    assert zarr.objects.MAX_ELEMENT_BYTES == 64 << 20
    assert zarr.objects.decoded_bound(10) == 10 * (64 << 20) + 4096


@pytest.mark.parametrize("codec", CODECS)
def test_a_write_no_reader_could_read_back_is_refused(codec, monkeypatch):
    z = object_array("directory", codec)
    z[...] = np.array([b"k"] * N if codec == "vlen-bytes" else ["k"] * N, object)
    before = z.store.get(z._chunk((0,)).key)
    monkeypatch.setattr(zarr.objects, "MAX_ELEMENT_BYTES", 1000)
    big = b"x" * 20_000 if codec == "vlen-bytes" else "x" * 20_000
    with pytest.raises(ValueError, match="MAX_ELEMENT_BYTES"):
        z[0] = big
    assert z.store.get(z._chunk((0,)).key) == before


# The decoded bytes are exactly the chunk's elements.

def _msgpack_cases():
    good = ["s%d" % i for i in range(N)]
    return {
        "one element too few": msgpack_chunk(good[:-1]),
        "one element too many": msgpack_chunk(good + ["extra"]),
        "no trailer": msgpack.packb(good, use_bin_type=True),
        "a trailer of another dtype": msgpack_chunk(good, dtype="<i4"),
        "a trailer of another shape": msgpack_chunk(good, shape=(N + 1,)),
        "a shape that is not a list": msgpack_chunk(good, shape=None),
        "trailing bytes": msgpack_chunk(good) + b"\x00\x01",
        "a map, not an array": msgpack.packb({"a": 1}),
        "a count of 2**32 - 1 in the header": b"\xdd\xff\xff\xff\xff" + b"\xc0" * 4,
        "empty": b"",
    }


def _vlen_cases():
    good = [("s%d" % i).encode() for i in range(N)]
    return {
        "a count one too few": vlen_chunk(good, count=N - 1),
        "a count one too many": vlen_chunk(good, count=N + 1),
        "a count of 2**32 - 1": vlen_chunk(good, count=2**32 - 1),
        "a length running past the end": vlen_chunk(good)[:-1],
        "a length field cut short": vlen_chunk(good[:-1]).replace(
            struct.pack("<I", N - 1), struct.pack("<I", N), 1) + b"\x01\x00",
        "a length of 2**32 - 1": struct.pack("<I", N) + struct.pack("<I", 2**32 - 1),
        "trailing bytes": vlen_chunk(good) + b"\x00",
        "trailing zero lengths": vlen_chunk(good) + struct.pack("<I", 0),
        "shorter than the count": b"\x01\x00",
    }


CASES = [("msgpack2", name, data) for name, data in _msgpack_cases().items()] + \
        [(codec, name, data) for codec in ("vlen-utf8", "vlen-bytes")
         for name, data in _vlen_cases().items()]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("codec,case,payload", CASES, ids=[c + ": " + n for c, n, _ in CASES])
def test_malformed_object_chunks_are_corrupt_chunk_errors(kind, codec, case, payload):
    z = object_array(kind, codec)
    key, frame = plant(z, payload)
    for read in (lambda: z[...], lambda: z[1], lambda: z[2:4]):
        with pytest.raises(zarr.CorruptChunkError) as info:
            read()
        assert key.rpartition("/")[2] in str(info.value) and codec in str(info.value)
    assert z.store.get(key) == frame
    # A write into part of the chunk reads it first: refused, the chunk unchanged.
    with pytest.raises(zarr.CorruptChunkError):
        z[1] = b"x" if codec == "vlen-bytes" else "x"
    assert z.store.get(key) == frame


@pytest.mark.parametrize("codec,case,payload", CASES, ids=[c + ": " + n for c, n, _ in CASES])
def test_malformed_uncompressed_object_chunks_are_corrupt_chunk_errors(codec, case, payload):
    z = object_array("directory", codec, cname=None)
    plant(z, payload, cname=None)
    with pytest.raises(zarr.CorruptChunkError, match=codec):
        z[...]


@pytest.mark.parametrize("codec", CODECS)
def test_well_formed_chunks_still_read(codec):
    values = [("s%d" % i).encode() if codec == "vlen-bytes" else "s%d" % i for i in range(N)]
    z = object_array("directory", codec)
    plant(z, msgpack_chunk(values) if codec == "msgpack2" else
          vlen_chunk([v if isinstance(v, bytes) else v.encode() for v in values]))
    assert z[...].tolist() == values
    # A msgpack2 trailer of the flattened shape of a chunk is accepted too.
    if codec == "msgpack2":
        z2 = KINDS["directory"]((2, 5), dtype=object, chunks=(2, 5), object_codec=codec)
        plant(z2, msgpack_chunk(values, shape=(N,)))
        assert z2[...].ravel().tolist() == values
