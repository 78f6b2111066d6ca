"""Untrusted frames of the other codecs: zstd, lz4, zlib, gzip, crc32, adler32, vlen-array.

Every malformed buffer raises CorruptChunkError (a ValueError), none crashes
or takes more memory than the chunk it is meant to fill. The size a frame
gives (zstd's content size, lz4's size prefix, gzip's trailer) is checked
before anything is written: a refused frame leaves the destination as it was.
Then mutants of real frames (tests/mutation.py) go through every entry point.
"""

import re
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarr.ext as ext
from zarr.codecs import CRC32, LZ4, Adler32, GZip, VLenArray, Zlib, Zstd
from zarr.ext import Chunk, CorruptChunkError
from zarr.objects import ObjectChunk
from zarr.storage import MemoryStore

from mutation import (GENERIC, MUTANTS_PER_EXAMPLE, budget_follows_the_profile, byte_field,
                      mutate, mutations, noisy, smooth, u32_field)

SENTINEL = 0xAB


def sentinel(n):
    return bytearray([SENTINEL]) * n


def zstd_header_length(frame):
    fhd = frame[4]
    fcs_flag, single, did_flag = fhd >> 6, (fhd >> 5) & 1, fhd & 3
    fcs = [1 if single else 0, 2, 4, 8][fcs_flag]
    return 5 + (0 if single else 1) + [0, 1, 2, 4][did_flag] + fcs


def zstd_without_content_size(frame, window_log=20):
    """The frame with its header rewritten to give no content size (a window
    descriptor instead), as streaming writers make them."""
    fhd = frame[4]
    did = [0, 1, 2, 4][fhd & 3]
    single = (fhd >> 5) & 1
    start = 5 + (0 if single else 1)
    return (frame[:4] + bytes([fhd & 0x07, (window_log - 10) << 3]) + frame[start:start + did]
            + frame[zstd_header_length(frame):])


def zstd_claiming(nbytes):
    """A header-only zstd frame whose 8-byte content size is nbytes."""
    return b"\x28\xb5\x2f\xfd" + bytes([0xE0]) + struct.pack("<Q", nbytes) + b"\x01\x00\x00"


# Sizes given by the frame are checked before anything is written.

def test_zstd_content_size_other_than_expected_writes_nothing():
    data = smooth(1000, "<i4").tobytes()
    frame = Zstd(3).encode(data)
    for n in (len(data) - 1, len(data) + 1, 0):
        dest = sentinel(n)
        with pytest.raises(CorruptChunkError, match="content size is %d bytes, expected %d"
                           % (len(data), n)):
            Zstd().decode(frame, dest)
        assert dest == sentinel(n)


@pytest.mark.parametrize("claim", [2**31, 2**40, 2**64 - 3])
def test_zstd_huge_content_size_is_refused_unallocated(claim):
    frame = zstd_claiming(claim)
    with pytest.raises(CorruptChunkError, match="over the limit|not whole zstd frames"):
        Zstd().decode(frame)
    with pytest.raises(CorruptChunkError):
        Zstd().decode(frame, bytearray(100))


def test_zstd_frame_without_content_size_decodes_into_exactly_its_room():
    data = smooth(5000, "<f4").tobytes()
    frame = zstd_without_content_size(Zstd(3).encode(data))
    assert Zstd().decode(frame) == data
    assert Zstd().decode(frame, bytearray(len(data))) == data
    with pytest.raises(CorruptChunkError, match="decodes to more than %d" % (len(data) - 1)):
        Zstd().decode(frame, bytearray(len(data) - 1))
    with pytest.raises(CorruptChunkError, match="decodes to %d bytes, expected" % len(data)):
        Zstd().decode(frame, bytearray(len(data) + 1))
    with pytest.raises(CorruptChunkError, match="decodes to more than 1000"):
        Zstd().decode(frame, max_nbytes=1000)


def test_zstd_checksum_is_checked():
    data = smooth(1000, "<i4").tobytes()
    frame = bytearray(Zstd(1, checksum=True).encode(data))
    frame[-1] ^= 1
    with pytest.raises(CorruptChunkError, match="zstd: .*checksum"):
        Zstd().decode(bytes(frame), bytearray(len(data)))


def test_lz4_size_prefix_other_than_expected_writes_nothing():
    data = smooth(1000, "<i4").tobytes()
    frame = LZ4().encode(data)
    assert struct.unpack_from("<i", frame)[0] == len(data)  # numcodecs' layout
    for n in (len(data) - 1, len(data) + 1):
        dest = sentinel(n)
        with pytest.raises(CorruptChunkError, match="size prefix is %d bytes, expected %d"
                           % (len(data), n)):
            LZ4().decode(frame, dest)
        assert dest == sentinel(n)


@pytest.mark.parametrize("prefix", [2**31, 2**32 - 1, 0x7E000001])
def test_lz4_impossible_size_prefix_is_refused_unallocated(prefix):
    frame = struct.pack("<I", prefix) + b"\x00" * 8
    with pytest.raises(CorruptChunkError, match="not a size lz4 encodes"):
        LZ4().decode(frame)


def test_lz4_prefix_over_the_limit_is_refused():
    frame = LZ4().encode(bytes(5000))
    with pytest.raises(CorruptChunkError, match="over the limit of 4999"):
        LZ4().decode(frame, max_nbytes=4999)


def test_lz4_block_shorter_than_its_prefix_says():
    frame = bytearray(LZ4().encode(b"abcdefgh" * 100))
    struct.pack_into("<I", frame, 0, 801)
    with pytest.raises(CorruptChunkError, match="lz4"):
        LZ4().decode(bytes(frame), bytearray(801))


def test_gzip_trailer_size_over_expected_writes_nothing():
    data = smooth(1000, "<i4").tobytes()
    stream = GZip().encode(data)
    dest = sentinel(len(data) - 1)
    with pytest.raises(CorruptChunkError, match="trailer gives a size of %d bytes, more than "
                       "the expected %d" % (len(data), len(data) - 1)):
        GZip().decode(stream, dest)
    assert dest == sentinel(len(data) - 1)
    with pytest.raises(CorruptChunkError, match="more than the limit of 100"):
        GZip().decode(stream, max_nbytes=100)


def test_gzip_members_one_after_another_are_one_stream():
    data = noisy(20000)
    stream = GZip(1).encode(data[:7000]) + GZip(9).encode(data[7000:])
    assert GZip().decode(stream) == data.tobytes()
    assert GZip().decode(stream, bytearray(20000)) == data.tobytes()


@pytest.mark.parametrize("codec", [Zlib(), GZip()], ids=repr)
def test_deflate_streams_of_another_size_or_with_trailing_bytes(codec):
    data = smooth(1000, "<i4").tobytes()
    stream = codec.encode(data)
    with pytest.raises(CorruptChunkError, match="decodes to more than %d" % (len(data) - 1)):
        Zlib().decode(zlib.compress(data), bytearray(len(data) - 1))
    with pytest.raises(CorruptChunkError, match="decodes to %d bytes, expected" % len(data)):
        codec.decode(stream, bytearray(len(data) + 1))
    with pytest.raises(CorruptChunkError, match="bytes after the end of its stream"):
        codec.decode(stream + b"\x00", bytearray(len(data)))


@pytest.mark.parametrize("codec,position", [(Zlib(), -1), (GZip(), -6)], ids=["zlib", "gzip"])
def test_deflate_checksums_are_checked(codec, position):
    data = smooth(1000, "<i4").tobytes()
    stream = bytearray(codec.encode(data))
    stream[position] ^= 1
    with pytest.raises(CorruptChunkError, match="zlib: incorrect"):
        codec.decode(bytes(stream), bytearray(len(data)))


def test_zlib_stream_with_a_preset_dictionary_is_refused():
    c = zlib.compressobj(zdict=b"dictionary")
    stream = c.compress(b"dictionary words") + c.flush()
    with pytest.raises(CorruptChunkError, match="preset dictionary"):
        Zlib().decode(stream, bytearray(16))


@pytest.mark.parametrize("codec", [CRC32(), Adler32(), CRC32("end"), Adler32("end")], ids=repr)
def test_checksums_in_numcodecs_layout(codec):
    data = b"some bytes of a chunk"
    expected = (zlib.crc32 if codec.codec_id == "crc32" else zlib.adler32)(data)
    check = struct.pack("<I", expected)
    enc = bytes(codec.encode(data))
    assert enc == (check + data if codec.location == "start" else data + check)
    assert codec.decode(enc) == data
    bad = bytearray(enc)
    bad[len(bad) // 2] ^= 4
    dest = sentinel(len(data))
    with pytest.raises(CorruptChunkError, match="checksum of the data is 0x"):
        codec.decode(bytes(bad), dest)
    assert dest == sentinel(len(data))
    with pytest.raises(CorruptChunkError, match="holds %d bytes, expected %d"
                       % (len(data), len(data) + 1)):
        codec.decode(enc, bytearray(len(data) + 1))
    with pytest.raises(CorruptChunkError, match="too short"):
        codec.decode(enc[:3])


# Bases: real frames of each codec, and how a chunk of them is read.

class Base:
    """A real encoding of ``array`` by ``codec`` (a frame to mutate)."""

    def __init__(self, name, codec, array, frame=None, fields=()):
        self.name, self.codec, self.array = name, codec, array
        self.frame = frame if frame is not None else bytes(codec.encode(array))
        self.fields = fields

    def __repr__(self):
        return self.name


S = smooth(2500, "<f4")
N = noisy(6000)
BASES = [
    Base("zstd", Zstd(3), S),
    Base("zstd-checksum-noisy", Zstd(1, checksum=True), N),
    Base("zstd-no-content-size", Zstd(), S,
         frame=zstd_without_content_size(Zstd(3).encode(S))),
    Base("zstd-two-frames", Zstd(), S,
         frame=Zstd(1).encode(S[:1000]) + Zstd(5).encode(S[1000:])),
    Base("lz4", LZ4(), S),
    Base("lz4-noisy", LZ4(5), N),
    Base("zlib", Zlib(1), S),
    Base("zlib-noisy", Zlib(9), N),
    Base("gzip", GZip(1), S),
    Base("gzip-two-members", GZip(), S, frame=GZip(1).encode(S[:1500]) + GZip(6).encode(S[1500:])),
    Base("crc32", CRC32(), S),
    Base("adler32-end", Adler32("end"), N),
]
BY_CODEC = {}
for _b in BASES:
    BY_CODEC.setdefault(_b.name.split("-")[0], []).append(_b)


def codec_fields(draw, buf, base):
    """The format's own fields set to edge values: zstd's header and first
    block header, lz4's size prefix, gzip's and zlib's headers and trailers,
    the checksums."""
    n = base.array.nbytes
    kind = base.name.split("-")[0]
    if kind == "zstd":
        head = zstd_header_length(base.frame)
        return draw(st.sampled_from([
            lambda: byte_field(draw, buf, [4, 5, 6, head, head + 1, head + 2]),
            lambda: u32_field(draw, buf, [5, 6, head, -4], (n, n - 1, n + 1, n << 3)),
        ]))()
    if kind == "lz4":
        return u32_field(draw, buf, [0], (n, n - 1, n + 1, 2 * n))
    if kind in ("zlib", "gzip"):
        return draw(st.sampled_from([
            lambda: byte_field(draw, buf, [0, 1, 2, 3, 8, 9]),
            lambda: u32_field(draw, buf, [-4, -8, 4], (n, n - 1, n + 1)),
        ]))()
    return u32_field(draw, buf, [0, -4])


OPERATIONS = GENERIC + [codec_fields, codec_fields, codec_fields]


def test_fuzz_budget_follows_the_profile():
    budget_follows_the_profile()


@pytest.mark.parametrize("base", BASES, ids=repr)
def test_bases_decode_to_their_arrays(base):
    out = np.empty_like(base.array)
    base.codec.decode(base.frame, out)
    np.testing.assert_array_equal(out, base.array)


@pytest.mark.parametrize("base", BASES, ids=repr)
def test_every_truncation_is_refused(base):
    frame = base.frame
    dest = np.empty_like(base.array)
    step = max(1, len(frame) // 400)
    for length in list(range(0, len(frame), step)) + [len(frame) - 1]:
        with pytest.raises(CorruptChunkError):
            base.codec.decode(frame[:length], dest)
        with pytest.raises(CorruptChunkError):
            base.codec.decode(frame[:length], max_nbytes=4 * base.array.nbytes)


def outcome(call):
    """Run call: "ok", or "corrupt" on CorruptChunkError; other exceptions propagate."""
    try:
        call()
    except CorruptChunkError as e:
        assert re.search(r"invalid (zstd frame|lz4 frame|zlib stream|gzip stream|crc32 data|"
                         r"adler32 data): \S|bytes of the largest frame the chunk can have",
                         str(e)), str(e)[:300]
        return "corrupt"
    return "ok"


def exercise(base, mutant):
    """Every entry point on mutant: a chunk's size exactly, a bound, a chunk."""
    array, codec = base.array, base.codec
    dest = np.empty_like(array)
    exact = outcome(lambda: codec.decode(mutant, dest))
    if exact == "ok" and mutant == base.frame:
        np.testing.assert_array_equal(dest, array)

    def bounded():
        out = codec.decode(mutant, max_nbytes=2 * array.nbytes)
        assert len(out) <= 2 * array.nbytes
    outcome(bounded)

    chunk = Chunk(array.shape, array.dtype, codec=codec)
    chunk[...] = array
    before = chunk.get_cdata()
    stored = outcome(lambda: chunk.set_cdata(mutant))
    assert stored == exact
    if stored == "corrupt":
        assert chunk.get_cdata() is before
        np.testing.assert_array_equal(chunk[...], array)
    else:
        got = chunk[10:20]
        assert got.dtype == array.dtype and got.shape == (10,)


@pytest.mark.parametrize("kind", sorted(BY_CODEC))
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_frames_raise_corrupt_chunk_error_or_decode(kind, data):
    base = data.draw(st.sampled_from(BY_CODEC[kind]), label="base")
    for i in range(MUTANTS_PER_EXAMPLE):
        ops = data.draw(mutations(base, OPERATIONS), label="mutations %d" % i)
        exercise(base, mutate(base.frame, ops))


# vlen-array chunks: the count, each length, each element's bytes.

def ragged(n, seed=0):
    rng = np.random.default_rng(seed)
    out = np.empty(n, object)
    for i in range(n):
        out[i] = rng.integers(-1000, 1000, rng.integers(0, 9)).astype("<i2")
    return out


class VlenBase:
    def __init__(self, name, n, seed):
        self.name = name
        self.array = ragged(n, seed)
        self.codec = VLenArray("<i2")
        self.frame = self.codec.encode(self.array)
        self.lengths = []
        pos = 4
        for item in self.array:
            self.lengths.append(pos)
            pos += 4 + item.nbytes

    def __repr__(self):
        return self.name


VLEN_BASES = [VlenBase("vlen-array-small", 5, 1), VlenBase("vlen-array-200", 200, 2)]


def vlen_fields(draw, buf, base):
    return u32_field(draw, buf, [0] + base.lengths[:8] + base.lengths[-2:],
                     (len(base.array), len(buf), 2, 3, 1 << 20))


def exercise_vlen(base, mutant):
    store = MemoryStore()
    chunk = ObjectChunk(store, "0", len(base.array), codec=base.codec, compressor=None)
    chunk[...] = base.array
    before = store["0"]
    result = outcome_vlen(lambda: chunk.set_cdata(mutant))
    if result == "corrupt":
        assert store["0"] == before
    else:
        got = chunk[...]
        assert got.shape == base.array.shape
        assert all(isinstance(x, np.ndarray) and x.dtype == np.dtype("<i2") for x in got)
        if mutant == base.frame:
            assert [x.tolist() for x in got] == [x.tolist() for x in base.array]


def outcome_vlen(call):
    try:
        call()
    except CorruptChunkError as e:
        assert "invalid vlen-array data: " in str(e), str(e)
        return "corrupt"
    return "ok"


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_vlen_array_chunks_raise_corrupt_chunk_error_or_decode(data):
    base = data.draw(st.sampled_from(VLEN_BASES), label="base")
    for i in range(MUTANTS_PER_EXAMPLE):
        ops = data.draw(mutations(base, GENERIC + [vlen_fields] * 3), label="mutations %d" % i)
        exercise_vlen(base, mutate(base.frame, ops))


@pytest.mark.parametrize("base", VLEN_BASES, ids=repr)
def test_unmutated_vlen_array_chunk_reads_back(base):
    exercise_vlen(base, base.frame)
