"""Untrusted blosc frames: every malformed buffer raises CorruptChunkError, none crashes.

The checks a wrapper makes before handing a buffer to c-blosc are numbered as
in the project's safety note (notes/cblosc-safety.md); each group of tests
below starts from a real frame made by ``zarr.ext.compress``, edits it so that
it breaks one check, and expects every entry point to refuse it:
``decompress(buf, dest=...)``, ``validate(buf, nbytes=..., itemsize=...)``,
``getitem(buf, start, nitems, dest, itemsize)`` and ``Chunk.set_cdata(buf)``.
"""

import re
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarr.ext as ext
from zarr.ext import Chunk, CodecError, CorruptChunkError, SynchronizedChunk

from mutation import (MUTANTS_PER_EXAMPLE, U32_EDGES, append, budget_follows_the_profile,
                      flip_bits, mutate, mutations, noisy, smooth, span, truncate)

HEADER = struct.Struct("<BBBBIII")
FIELDS = ("version", "versionlz", "flags", "typesize", "nbytes", "blocksize", "cbytes")
FLAG_SHUFFLE, FLAG_MEMCPYED, FLAG_BITSHUFFLE, FLAG_RESERVED, FLAG_NOSPLIT = 1, 2, 4, 8, 0x10
FORMATS = {"blosclz": 0, "lz4": 1, "lz4hc": 1, "zlib": 3, "zstd": 4}

#: A blosclz split must be longer than this to hold a 0xFF run overflowing its 32-bit match length.
BLOSCLZ_RUN_SCAN = 2**31 // 255


# Frames and their layout.

def header(frame):
    """The 16-byte header of a frame as a dict of FIELDS."""
    return dict(zip(FIELDS, HEADER.unpack_from(frame)))


def edit(frame, **fields):
    """A copy of frame with some header fields replaced."""
    buf = bytearray(frame)
    values = header(buf)
    values.update(fields)
    HEADER.pack_into(buf, 0, *(values[name] for name in FIELDS))
    return bytes(buf)


def put_u32(frame, offset, value):
    """A copy of frame with the 4 bytes at offset replaced by value (LE, taken mod 2**32)."""
    buf = bytearray(frame)
    struct.pack_into("<I", buf, offset, value % 2**32)
    return bytes(buf)


def layout(frame):
    """Block starts and splits of a well-formed compressed (not memcpyed) frame.

    Returns
    -------
    starts : list of int
        Each block's offset, as in the block-start table at 16 + 4 * j.
    splits : list of (int, int, int, int)
        ``(block, offset of the 4-byte length, length, decoded size)`` of
        every split, in the order of the frame.
    """
    h = header(frame)
    nblocks, leftover = divmod(h["nbytes"], h["blocksize"])
    nblocks += leftover > 0
    starts = list(struct.unpack_from("<%dI" % nblocks, frame, 16))
    splits = []
    for j, off in enumerate(starts):
        size = leftover if j == nblocks - 1 and leftover else h["blocksize"]
        ts = h["typesize"]
        nsplits = ts if (size == h["blocksize"] and not h["flags"] & FLAG_NOSPLIT
                         and ts <= 16 and size // ts >= 128) else 1
        for _ in range(nsplits):
            (csize,) = struct.unpack_from("<i", frame, off)
            splits.append((j, off, csize, size // nsplits))
            off += 4 + csize
    return starts, splits


def records(n):
    """Items of 320 bytes, over blosc's typesize limit of 255."""
    out = np.zeros(n, [("x", "<f8", (40,))])
    out["x"] = smooth(40 * n, "f8", 6).reshape(n, 40)
    return out


class Base:
    """A real frame and the array it holds."""

    def __init__(self, name, array, cname, clevel=5, shuffle=1, blocksize=0):
        self.name = name
        self.array = array
        self.itemsize = array.dtype.itemsize
        self.nbytes = array.nbytes
        self.frame = ext.compress(array, self.itemsize, cname, clevel, shuffle, blocksize)
        self.memcpyed = bool(self.frame[2] & FLAG_MEMCPYED)
        self.starts, self.splits = ([], []) if self.memcpyed else layout(self.frame)

    def __repr__(self):
        return self.name


BASES = [
    Base("i4-blosclz-small", np.arange(100, dtype="i4"), "blosclz"),
    Base("u1-zlib-tiny", smooth(300, "u1"), "zlib", shuffle=0),
    Base("u1-lz4-memcpyed-tiny", np.arange(100, dtype="u1"), "lz4"),
    Base("f4-lz4-2blocks", smooth(25000, "f4"), "lz4", blocksize=4096),
    Base("f4-lz4-128B-blocks", smooth(25000, "f4"), "lz4", blocksize=128),
    Base("f4-lz4-small-blocks", smooth(2000, "f4", 8), "lz4", blocksize=128),
    Base("f8-blosclz-100k", smooth(12500, "f8", 1), "blosclz"),
    Base("u2-lz4hc-bitshuffle", smooth(50000, "u2", 2), "lz4hc", shuffle=2),
    Base("i8-zstd-bitshuffle", smooth(12500, "i8", 3), "zstd", shuffle=2),
    Base("u1-zstd-noisy-blocks", noisy(100000), "zstd", shuffle=0, blocksize=4096),
    Base("u1-blosclz-noisy", noisy(100000, 1), "blosclz", shuffle=0),
    Base("u4-zlib-noisy", noisy(100000, 2).view("u4"), "zlib"),
    Base("u4-lz4-random", np.random.default_rng(4).integers(0, 2**32, 25000, dtype="u4"), "lz4"),
    Base("i2-blosclz-clevel0", smooth(50000, "i2", 5), "blosclz", clevel=0),
    Base("S3-blosclz", np.array([b"ab", b"xyz", b"\xff"] * 10000, "S3"), "blosclz"),
    Base("rec320-zstd", records(300), "zstd"),
]
BASE = {b.name: b for b in BASES}
SMOOTH = BASE["f4-lz4-2blocks"]
BLOCKS = BASE["u1-zstd-noisy-blocks"]
MEMCPYED = BASE["i2-blosclz-clevel0"]


def test_base_frames_cover_the_layouts_they_are_meant_to():
    assert [b.name for b in BASES if b.memcpyed] == [
        "u1-lz4-memcpyed-tiny", "u4-lz4-random", "i2-blosclz-clevel0"]
    assert [len(SMOOTH.starts), len(SMOOTH.splits)] == [2, 5]
    assert header(SMOOTH.frame)["nbytes"] % header(SMOOTH.frame)["blocksize"]
    assert len(BASE["f4-lz4-128B-blocks"].starts) > 700
    assert len(BLOCKS.starts) == 25
    assert any(csize == bound for _, _, csize, bound in BLOCKS.splits)
    assert {b.frame[2] & (FLAG_SHUFFLE | FLAG_BITSHUFFLE) for b in BASES} == {0, 1, 4}
    assert {b.frame[2] >> 5 for b in BASES} == set(FORMATS.values())
    assert BASE["rec320-zstd"].frame[3] == 1


@pytest.mark.parametrize("base", [b for b in BASES if not b.memcpyed], ids=repr)
def test_layout_of_real_frames_ends_at_cbytes(base):
    _, splits = layout(base.frame)
    _, off, csize, _ = splits[-1]
    assert off + 4 + csize == len(base.frame) == header(base.frame)["cbytes"]
    assert all(0 < csize <= bound for _, _, csize, bound in splits)


# The four entry points, each given a buffer, the size it must decode to and the item size.

def dtype_of(itemsize):
    return np.dtype({1: "u1", 2: "u2", 4: "u4", 8: "u8"}.get(itemsize, "V%d" % itemsize))


def via_decompress(buf, nbytes, itemsize):
    dest = bytearray(nbytes)
    assert ext.decompress(buf, dest=dest, itemsize=itemsize) is dest
    return bytes(dest)


def via_validate(buf, nbytes, itemsize):
    assert ext.validate(buf, nbytes=nbytes, itemsize=itemsize) is None


def via_getitem(buf, nbytes, itemsize):
    dest = bytearray(itemsize)
    assert ext.getitem(buf, 0, 1, dest, itemsize) is dest
    return bytes(dest)


def via_chunk(buf, nbytes, itemsize):
    chunk = Chunk(nbytes // itemsize, dtype_of(itemsize))
    chunk.set_cdata(buf)
    assert chunk.get_cdata() == bytes(buf)


ENTRIES = [via_decompress, via_validate, via_getitem, via_chunk]
# getitem checks a frame against its own nbytes: it has no expected size to differ from.
SIZED_ENTRIES = [via_decompress, via_validate, via_chunk]


def name_of(f):
    return f.__name__


def rejects(entry, good, bad, nbytes, itemsize, match):
    """Check that entry takes good and refuses bad with a message matching match."""
    entry(good, nbytes, itemsize)
    with pytest.raises(CorruptChunkError, match=match) as info:
        entry(bad, nbytes, itemsize)
    message = str(info.value)
    prefix = "chunk: invalid blosc buffer: " if entry is via_chunk else "invalid blosc buffer: "
    assert message.startswith(prefix), message
    return message


# 1. The input is at least 16 bytes.

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("length", [0, 1, 4, 15])
def test_1_shorter_than_header(entry, length):
    b = SMOOTH
    rejects(entry, b.frame, b.frame[:length], b.nbytes, b.itemsize,
            r"buffer of %d bytes is shorter than the 16-byte blosc header" % length)


@pytest.mark.parametrize("length", [0, 15])
def test_1_shorter_than_header_in_cbuffer_sizes(length):
    with pytest.raises(CorruptChunkError, match="shorter than the 16-byte"):
        ext.cbuffer_sizes(SMOOTH.frame[:length])


# 2. Version byte 2, flag 0x08 clear, a compressor code the library knows, its format version 1.

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("version", [0, 1, 3, 0xFF])
def test_2_version_byte(entry, version):
    b = SMOOTH
    rejects(entry, b.frame, edit(b.frame, version=version), b.nbytes, b.itemsize,
            r"unsupported blosc format version %d \(expected 2\)" % version)


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [SMOOTH, MEMCPYED], ids=repr)
def test_2_reserved_flag(entry, base):
    flags = base.frame[2] | FLAG_RESERVED
    rejects(entry, base.frame, edit(base.frame, flags=flags), base.nbytes, base.itemsize,
            r"reserved flag bit 0x08 is set \(flags 0x%02x\)" % flags)


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("fmt,name",
                         [(2, "snappy"), (5, "unknown"), (6, "unknown"), (7, "unknown")])
def test_2_compressor_format_not_available(entry, fmt, name):
    b = SMOOTH
    bad = edit(b.frame, flags=(b.frame[2] & 0x1F) | fmt << 5)
    rejects(entry, b.frame, bad, b.nbytes, b.itemsize,
            r"compressor format %d \(%s\) is not available" % (fmt, name))


def test_2_every_built_in_format_is_known():
    assert ext.COMPRESSORS == ("blosclz", "lz4", "lz4hc", "zlib", "zstd")
    for base in BASES:
        assert base.frame[2] >> 5 in FORMATS.values()
        ext.validate(base.frame, nbytes=base.nbytes, itemsize=base.itemsize)


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [SMOOTH, BASE["i8-zstd-bitshuffle"], MEMCPYED], ids=repr)
@pytest.mark.parametrize("versionlz", [0, 2, 0xFF])
def test_2_compressor_format_version(entry, base, versionlz):
    name = {0: "blosclz", 1: "lz4", 4: "zstd"}[base.frame[2] >> 5]
    rejects(entry, base.frame, edit(base.frame, versionlz=versionlz), base.nbytes, base.itemsize,
            r"unsupported %s format version %d" % (name, versionlz))


# 3. The header's cbytes equals the input's length exactly.

def cbytes_message(cbytes, length):
    return r"header gives cbytes=%d but the buffer holds %d bytes" % (cbytes, length)


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [SMOOTH, BLOCKS, MEMCPYED], ids=repr)
@pytest.mark.parametrize("cut", ["header-only", "header+1", "half", "minus-4", "minus-1"])
def test_3_truncated(entry, base, cut):
    n = len(base.frame)
    length = {"header-only": 16, "header+1": 17, "half": n // 2, "minus-4": n - 4,
              "minus-1": n - 1}[cut]
    rejects(entry, base.frame, base.frame[:length], base.nbytes, base.itemsize,
            cbytes_message(n, length))


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [SMOOTH, BLOCKS, MEMCPYED], ids=repr)
@pytest.mark.parametrize("extra", [b"\x00", b"\xff" * 7, bytes(range(256)) * 16])
def test_3_trailing_bytes(entry, base, extra):
    n = len(base.frame)
    rejects(entry, base.frame, base.frame + extra, base.nbytes, base.itemsize,
            cbytes_message(n, n + len(extra)))


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("cbytes", [-1, +1, 0, 16, 0xFFFFFFFF])
def test_3_cbytes_field_differs_from_length(entry, cbytes):
    b = SMOOTH
    n = len(b.frame)
    value = n + cbytes if cbytes in (-1, 1) else cbytes
    rejects(entry, b.frame, edit(b.frame, cbytes=value), b.nbytes, b.itemsize,
            cbytes_message(value, n))


# 4. The header's nbytes equals the expected chunk size, which is the destination size.

def nbytes_cases():
    """(entry, base, delta): a chunk only takes sizes in whole items."""
    return [pytest.param(entry, base, delta, id="%s-%s-%+d" % (entry.__name__, base, delta))
            for entry in SIZED_ENTRIES for base in (SMOOTH, BLOCKS, MEMCPYED)
            for delta in (-8, -1, 1, 8)
            if entry is not via_chunk or delta % base.itemsize == 0]


@pytest.mark.parametrize("entry,base,delta", nbytes_cases())
def test_4_header_nbytes_differs_from_expected(entry, base, delta):
    expected = base.nbytes + delta
    with pytest.raises(CorruptChunkError,
                       match=r"header gives nbytes=%d, expected %d" % (base.nbytes, expected)):
        entry(base.frame, expected, base.itemsize)
    rejects(entry, base.frame, edit(base.frame, nbytes=expected), base.nbytes, base.itemsize,
            r"header gives nbytes=%d, expected %d" % (expected, base.nbytes))


def test_4_chunk_of_another_shape_or_dtype_refuses_the_frame():
    frame = SMOOTH.frame
    Chunk(25000, "f4").set_cdata(frame)
    Chunk((100, 250), "i4").set_cdata(frame)
    for chunk in (Chunk(24999, "f4"), Chunk(25001, "f4"), Chunk(25000, "f8"), Chunk(50000, "f4")):
        with pytest.raises(CorruptChunkError,
                           match=r"chunk: .*header gives nbytes=100000, expected"):
            chunk.set_cdata(frame)
    with pytest.raises(CorruptChunkError, match=r"header gives typesize=4 for items of 2 bytes"):
        Chunk(50000, "i2").set_cdata(frame)


@pytest.mark.parametrize("nbytes", [ext.MAX_BUFFERSIZE + 1, 0x7FFFFFFF, 0xFFFFFFFF])
def test_4_nbytes_over_blosc_limit(nbytes):
    b = SMOOTH
    bad = edit(b.frame, nbytes=nbytes, blocksize=nbytes)
    match = r"header gives nbytes=%d, over blosc's limit" % nbytes
    with pytest.raises(CorruptChunkError, match=match):
        ext.validate(bad)
    with pytest.raises(CorruptChunkError, match=match):
        ext.decompress(bad)
    with pytest.raises(CorruptChunkError, match=match):
        ext.getitem(bad, 0, 1, bytearray(4), 4)
    for entry in SIZED_ENTRIES:
        rejects(entry, b.frame, bad, b.nbytes, b.itemsize, match)


# 5. cbytes <= nbytes + 16.

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [BASE["u1-zlib-tiny"], SMOOTH], ids=repr)
@pytest.mark.parametrize("over", [1, 2, 1000])
def test_5_cbytes_over_nbytes_plus_16(entry, base, over):
    """Pad a compressed frame (with cbytes kept equal to its length) past nbytes + 16."""
    length = base.nbytes + 16 + over
    bad = edit(base.frame + bytes(length - len(base.frame)), cbytes=length)
    rejects(entry, base.frame, bad, base.nbytes, base.itemsize,
            r"header gives cbytes=%d, more than nbytes \+ 16 = %d" % (length, base.nbytes + 16))


# 6. typesize equals the itemsize (or 1).

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("typesize", [0, 2, 3, 8, 255])
def test_6_typesize_differs_from_itemsize(entry, typesize):
    b = SMOOTH
    rejects(entry, b.frame, edit(b.frame, typesize=typesize), b.nbytes, b.itemsize,
            r"header gives typesize=%d for items of 4 bytes" % typesize)


def test_6_typesize_zero_without_itemsize():
    bad = edit(SMOOTH.frame, typesize=0)
    for call in (lambda: ext.validate(bad), lambda: ext.decompress(bad)):
        with pytest.raises(CorruptChunkError,
                           match=r"header gives typesize=0 for items of 0 bytes"):
            call()


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
def test_6_typesize_one_is_accepted_for_any_itemsize(entry):
    data = smooth(25000, "i4")
    frame = ext.compress(data, 1, "lz4", 5, 0)
    assert frame[3] == 1
    out = entry(frame, data.nbytes, 4)
    if entry is via_decompress:
        assert out == data.tobytes()
    elif entry is via_getitem:
        assert out == data[:1].tobytes()


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("typesize", [2, 44, 255])
def test_6_items_over_255_bytes_need_typesize_one(entry, typesize):
    b = BASE["rec320-zstd"]
    rejects(entry, b.frame, edit(b.frame, typesize=typesize), b.nbytes, b.itemsize,
            r"header gives typesize=%d for items of 320 bytes" % typesize)


# 7. 0 < blocksize <= nbytes.

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [SMOOTH, MEMCPYED], ids=repr)
@pytest.mark.parametrize("blocksize", [0, "nbytes+1", 0x7FFFFFFF, 0xFFFFFFFF])
def test_7_blocksize_out_of_range(entry, base, blocksize):
    value = base.nbytes + 1 if blocksize == "nbytes+1" else blocksize
    rejects(entry, base.frame, edit(base.frame, blocksize=value), base.nbytes, base.itemsize,
            r"header gives blocksize=%d for nbytes=%d" % (value, base.nbytes))


# 8. memcpyed implies cbytes == nbytes + 16.

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
def test_8_memcpyed_flag_on_a_compressed_frame(entry):
    b = SMOOTH
    bad = edit(b.frame, flags=b.frame[2] | FLAG_MEMCPYED)
    rejects(entry, b.frame, bad, b.nbytes, b.itemsize,
            r"uncompressed \(memcpyed\) buffer with cbytes=%d, expected %d"
            % (len(b.frame), b.nbytes + 16))


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("cut", [1, 2, 1000])
def test_8_memcpyed_frame_cut_short_with_consistent_cbytes(entry, cut):
    b = MEMCPYED
    length = len(b.frame) - cut
    bad = edit(b.frame[:length], cbytes=length)
    rejects(entry, b.frame, bad, b.nbytes, b.itemsize,
            r"uncompressed \(memcpyed\) buffer with cbytes=%d, expected %d"
            % (length, b.nbytes + 16))


# 9. The block-start table fits, each block starts inside the buffer, each split is bounded.

@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("blocksize", [1, 2, 7])
def test_9_block_table_does_not_fit(entry, blocksize):
    b = BLOCKS
    assert 16 + 4 * -(-b.nbytes // blocksize) > len(b.frame)
    rejects(entry, b.frame, edit(b.frame, blocksize=blocksize), b.nbytes, b.itemsize,
            r"block-start table does not fit in the buffer")


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("keep", [1, 4, 20])
def test_9_buffer_ending_inside_its_table(entry, keep):
    """A 25-block frame cut inside its table, with cbytes and nbytes kept consistent."""
    b = BLOCKS
    bad = edit(b.frame[:16 + keep], cbytes=16 + keep)
    rejects(entry, b.frame, bad, b.nbytes, b.itemsize, r"block-start table does not fit")


@pytest.mark.parametrize("entry", [via_validate, via_chunk], ids=name_of)
def test_9_bare_header_claiming_data(entry):
    bare = bytearray(16)
    HEADER.pack_into(bare, 0, 2, 1, FLAG_NOSPLIT, 1, 1000, 1000, 16)
    with pytest.raises(CorruptChunkError, match=r"block-start table does not fit"):
        entry(bytes(bare), 1000, 1)


def test_9_bare_header_claiming_data_is_refused_everywhere():
    bare = bytearray(16)
    HEADER.pack_into(bare, 0, 2, 1, FLAG_NOSPLIT, 1, 1000, 1000, 16)
    bare = bytes(bare)
    expected = r"block-start table does not fit"
    with pytest.raises(CorruptChunkError, match=expected):
        ext.decompress(bare)
    with pytest.raises(CorruptChunkError, match=expected):
        ext.decompress(bare, dest=bytearray(1000))
    with pytest.raises(CorruptChunkError, match=expected):
        ext.getitem(bare, 0, 1, bytearray(1), 1)
    chunk = Chunk(1000, "u1")
    with pytest.raises(CorruptChunkError, match=expected):
        chunk.set_cdata(bare)
    assert not chunk.is_initialized


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base", [SMOOTH, BLOCKS], ids=repr)
@pytest.mark.parametrize("block", [0, -1])
@pytest.mark.parametrize("where", ["cbytes", "cbytes+1000", 0x7FFFFFFF, 0xFFFFFFFF,
                                   0, 15, "table", "table_end-4", "table_end-1"])
def test_9_block_starts_outside_the_buffer_or_in_the_table(entry, base, block, where):
    nblocks = len(base.starts)
    j = block % nblocks
    table_end = 16 + 4 * nblocks
    value = {"cbytes": len(base.frame), "cbytes+1000": len(base.frame) + 1000, "table": 16,
             "table_end-4": table_end - 4, "table_end-1": table_end - 1}.get(where, where)
    bad = put_u32(base.frame, 16 + 4 * j, value)
    rejects(entry, base.frame, bad, base.nbytes, base.itemsize,
            r"block %d starts outside the buffer" % j)


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("back", [1, 3])
def test_9_block_starting_too_near_the_end_for_a_split_length(entry, back):
    b = BLOCKS
    j = len(b.starts) - 1
    bad = put_u32(b.frame, 16 + 4 * j, len(b.frame) - back)
    rejects(entry, b.frame, bad, b.nbytes, b.itemsize,
            r"block %d has a split whose length runs outside its bounds" % j)


def split_cases():
    """(base, split index, new length, why) for splits whose length is out of bounds."""
    cases = []
    for base in (SMOOTH, BLOCKS, BASE["f4-lz4-128B-blocks"]):
        for k in (0, 1, len(base.splits) - 1):
            block, off, csize, bound = base.splits[k]
            room = len(base.frame) - off - 4
            cases += [(base, k, 0, "zero"), (base, k, -1, "negative"),
                      (base, k, -2**31, "negative"), (base, k, 2**31 - 1, "huge")]
            if room < bound:
                cases.append((base, k, room + 1, "past the end"))
            if bound < room:
                cases.append((base, k, bound + 1, "over the block"))
    return cases


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("base,k,length,why", split_cases(),
                         ids=lambda v: v if isinstance(v, str) else repr(v))
def test_9_split_length_out_of_bounds(entry, base, k, length, why):
    block, off, csize, bound = base.splits[k]
    assert length != csize
    bad = put_u32(base.frame, off, length)
    rejects(entry, base.frame, bad, base.nbytes, base.itemsize,
            r"block %d has a split whose length runs outside its bounds" % block)


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
@pytest.mark.parametrize("blocksize", [65537, 65538, 65539])
def test_9_block_not_split_evenly(entry, blocksize):
    """A frame of 4-byte items split 4 ways per block, given a blocksize not a multiple of 4."""
    b = SMOOTH
    assert not b.frame[2] & FLAG_NOSPLIT and b.frame[3] == 4
    rejects(entry, b.frame, edit(b.frame, blocksize=blocksize), b.nbytes, b.itemsize,
            r"block 0 cannot be split evenly by the typesize")


def blosclz_split_frame(body, nbytes, flags=FLAG_NOSPLIT):
    """A one-block, one-split frame for nbytes bytes of 1-byte items holding body as its split."""
    frame = bytearray(24 + len(body))
    HEADER.pack_into(frame, 0, 2, 1, flags, 1, nbytes, nbytes, len(frame))
    struct.pack_into("<Ii", frame, 16, 20, len(body))
    frame[24:] = body
    return bytes(frame)


FF_N = 9_000_000


@pytest.fixture(scope="module")
def ff_frame():
    """A blosclz frame whose one 8999992-byte split is all 0xFF."""
    length = FF_N - 8
    assert length > BLOSCLZ_RUN_SCAN
    frame = blosclz_split_frame(b"\xff" * length, FF_N)
    assert header(frame)["cbytes"] == FF_N + 16
    return frame


def test_9_random_data_over_8mb_is_stored_memcpyed():
    """Why the long-split frames below are made by hand: blosc would not write them."""
    data = np.random.default_rng(9).integers(0, 256, FF_N, dtype="u1")
    frame = ext.compress(data, 1, "blosclz", 5, 0)
    assert frame[2] & FLAG_MEMCPYED and len(frame) == FF_N + 16


@pytest.mark.parametrize("entry", ENTRIES, ids=name_of)
def test_9_blosclz_long_ff_run(entry, ff_frame):
    with pytest.raises(CorruptChunkError, match=r"block 0 holds a run of 0xFF bytes"):
        entry(ff_frame, FF_N, 1)


@pytest.mark.parametrize("flags", [0, FLAG_SHUFFLE, FLAG_BITSHUFFLE])
def test_9_blosclz_long_ff_run_whatever_the_filter(flags, ff_frame):
    bad = edit(ff_frame, flags=flags)
    with pytest.raises(CorruptChunkError, match=r"run of 0xFF"):
        ext.validate(bad, nbytes=FF_N, itemsize=1)


@pytest.mark.parametrize("run", [BLOSCLZ_RUN_SCAN, BLOSCLZ_RUN_SCAN + 1000])
def test_9_blosclz_ff_run_long_enough_to_overflow(run):
    body = bytearray(FF_N - 8)
    body[100:100 + run] = b"\xff" * run
    with pytest.raises(CorruptChunkError, match=r"run of 0xFF"):
        ext.validate(blosclz_split_frame(bytes(body), FF_N), nbytes=FF_N, itemsize=1)


def test_9_blosclz_ff_run_of_a_legal_match_length_passes_validation():
    """A run as long as the longest match in the block encodes is no reason to refuse."""
    body = bytearray(FF_N - 8)
    body[100:100 + FF_N // 255] = b"\xff" * (FF_N // 255)
    frame = blosclz_split_frame(bytes(body), FF_N)
    ext.validate(frame, nbytes=FF_N, itemsize=1)
    with pytest.raises(CorruptChunkError, match=r"decompression failed"):
        ext.decompress(frame, dest=bytearray(FF_N))


def test_9_ff_run_in_an_lz4_split_is_left_to_lz4():
    frame = edit(blosclz_split_frame(b"\xff" * (FF_N - 8), FF_N),
                 flags=FLAG_NOSPLIT | FORMATS["lz4"] << 5)
    ext.validate(frame, nbytes=FF_N, itemsize=1)
    with pytest.raises(CorruptChunkError, match=r"decompression failed"):
        ext.decompress(frame, dest=bytearray(FF_N))


def test_9_raw_split_full_of_ff_is_data():
    """A split as long as its block is stored raw and never reaches blosclz: 0xFF there is data."""
    size, tail = 8_600_000, 65536
    zeros = ext.compress(np.zeros(tail, "u1"), 1, "blosclz", 5, 0)
    assert layout(zeros)[0] == [20]
    stream = zeros[20:]
    frame = bytearray(16 + 8)
    HEADER.pack_into(frame, 0, 2, 1, FLAG_NOSPLIT, 1, size + tail, size,
                     24 + 4 + size + len(stream))
    struct.pack_into("<II", frame, 16, 24, 24 + 4 + size)
    frame += struct.pack("<i", size) + b"\xff" * size + stream
    assert len(frame) == header(frame)["cbytes"] <= size + tail + 16
    out = ext.decompress(bytes(frame))
    assert out == b"\xff" * size + bytes(tail)


# 10. The return value equals nbytes: a frame that passes validation but does not decode.

def corrupt_payload(base):
    """base.frame with 16 bytes zeroed at the start of its first compressed (not raw) split,
    and the first item of the block holding that split."""
    block, off, csize, _ = next(s for s in base.splits if s[2] < s[3])
    buf = bytearray(base.frame)
    buf[off + 4:off + 4 + min(16, csize)] = bytes(min(16, csize))
    return bytes(buf), block * header(base.frame)["blocksize"] // base.itemsize


PAYLOAD_BASES = [BASE[n] for n in ("f8-blosclz-100k", "f4-lz4-2blocks", "u2-lz4hc-bitshuffle",
                                   "u4-zlib-noisy", "i8-zstd-bitshuffle", "u1-zstd-noisy-blocks")]


@pytest.mark.parametrize("base", PAYLOAD_BASES, ids=repr)
def test_10_valid_looking_frame_that_fails_to_decompress(base):
    bad, first = corrupt_payload(base)
    ext.validate(bad, nbytes=base.nbytes, itemsize=base.itemsize)
    with pytest.raises(CorruptChunkError,
                       match=r"^invalid blosc buffer: decompression failed \(blosc returned -?\d+ "
                             r"for %d bytes\)$" % base.nbytes):
        ext.decompress(bad, dest=np.empty_like(base.array), itemsize=base.itemsize)
    with pytest.raises(CorruptChunkError, match=r"decompression failed"):
        ext.decompress(bad)
    dest = np.empty(3, base.array.dtype)
    with pytest.raises(CorruptChunkError,
                       match=r"decompression of items %d to %d failed" % (first, first + 3)):
        ext.getitem(bad, first, 3, dest, base.itemsize)
    chunk = Chunk(base.array.shape, base.array.dtype)
    chunk.set_cdata(bad)
    with pytest.raises(CorruptChunkError,
                       match=r"^chunk: invalid blosc buffer: decompression failed"):
        chunk.read()
    with pytest.raises(CorruptChunkError, match=r"^chunk: invalid blosc buffer: decompression"):
        chunk[first + 1]


# 11. One typed error, naming the chunk.

def test_11_error_is_a_value_error_of_the_project():
    assert issubclass(CorruptChunkError, CodecError)
    assert issubclass(CorruptChunkError, ValueError)
    with pytest.raises(ValueError):
        ext.validate(b"")


@pytest.mark.parametrize("bad", [
    b"",
    SMOOTH.frame[:-1],
    SMOOTH.frame + b"\x00",
    edit(SMOOTH.frame, version=3),
    edit(SMOOTH.frame, nbytes=SMOOTH.nbytes - 4),
    edit(SMOOTH.frame, typesize=8),
    put_u32(SMOOTH.frame, 16, 0xFFFFFFFF),
    put_u32(SMOOTH.frame, SMOOTH.splits[0][1], 0),
], ids=["empty", "truncated", "trailing", "version", "nbytes", "typesize", "block-start",
        "split-length"])
@pytest.mark.parametrize("cls", [Chunk, SynchronizedChunk], ids=lambda c: c.__name__)
def test_11_failed_set_cdata_leaves_the_chunk_as_it_was(cls, bad):
    chunk = cls(25000, "f4", cname="zstd")
    data = smooth(25000, "f4", 7)
    chunk[...] = data
    before = chunk.get_cdata()
    with pytest.raises(CorruptChunkError, match=r"^chunk: invalid blosc buffer: "):
        chunk.set_cdata(bad)
    assert chunk.get_cdata() is before
    np.testing.assert_array_equal(chunk[...], data)
    np.testing.assert_array_equal(chunk[10:20], data[10:20])
    empty = cls(25000, "f4", fill_value=-1)
    with pytest.raises(CorruptChunkError):
        empty.set_cdata(bad)
    assert not empty.is_initialized and empty.get_cdata() is None
    assert (empty[...] == -1).all()


# Arguments of getitem, against a valid frame.

@pytest.mark.parametrize("start,nitems,error", [(-1, 1, IndexError), (25000, 1, IndexError),
                                                (24999, 2, IndexError), (0, -1, ValueError)])
def test_getitem_outside_the_frame_is_refused(start, nitems, error):
    dest = bytearray(4 * max(nitems, 0))
    with pytest.raises(error):
        ext.getitem(SMOOTH.frame, start, nitems, dest, 4)


@pytest.mark.parametrize("start", [2**62, 2**62 + 5])
def test_getitem_with_a_huge_start_is_an_index_error(start):
    dest = np.empty(1, "f4")
    with pytest.raises(IndexError):
        ext.getitem(SMOOTH.frame, start, 1, dest, 4)


@pytest.mark.parametrize("nitems", [2**62, 2**63 - 1])
def test_getitem_with_a_huge_count_is_refused(nitems):
    with pytest.raises((ValueError, IndexError)):
        ext.getitem(SMOOTH.frame, 0, nitems, bytearray(0), 4)


# Every truncation of a real frame.

@pytest.mark.parametrize("base", [BASE["f4-lz4-small-blocks"], BASE["u1-zlib-tiny"],
                                  BASE["u1-lz4-memcpyed-tiny"], BASE["S3-blosclz"]], ids=repr)
def test_every_truncation_is_rejected(base):
    frame = base.frame
    view = memoryview(frame)
    n = len(frame)
    chunk = Chunk(base.array.shape, base.array.dtype)
    dest = bytearray(base.nbytes)
    item = bytearray(base.itemsize)
    for length in range(n):
        part = view[:length]
        expected = (cbytes_message(n, length) if length >= 16 else
                    r"buffer of %d bytes is shorter than the 16-byte" % length)
        calls = (lambda: ext.validate(part, nbytes=base.nbytes, itemsize=base.itemsize),
                 lambda: ext.decompress(part, dest=dest, itemsize=base.itemsize),
                 lambda: ext.decompress(part),
                 lambda: ext.getitem(part, 0, 1, item, base.itemsize),
                 lambda: chunk.set_cdata(part))
        for call in calls:
            with pytest.raises(CorruptChunkError, match=expected):
                call()
    assert not chunk.is_initialized
    chunk.set_cdata(view)
    np.testing.assert_array_equal(chunk[...], base.array)


# Fuzzing: mutants of real frames (the operations of tests/mutation.py, and
# those of blosc's header, block table and splits).

def test_fuzz_budget_follows_the_profile():
    budget_follows_the_profile()


def edges(buf, base):
    """Boundary values for a 32-bit field of a mutant of base."""
    n = len(buf)
    h = header(base.frame)
    near = (n - 1, n, n + 1, h["nbytes"] - 1, h["nbytes"] + 1, h["nbytes"] + 16,
            h["nbytes"] + 17, h["blocksize"] - 1, h["blocksize"] + 1, 2 * h["blocksize"], 16,
            16 + 4 * max(1, len(base.starts)))
    return st.sampled_from(U32_EDGES + near) | st.integers(0, 2**32 - 1)


def resize(draw, buf, base):
    """Cut or extend the frame and make the header's cbytes agree with its new length."""
    if len(buf) < 16:
        return append(draw, buf, base)
    longer = st.integers(len(buf) + 1, len(buf) + 64)
    return ("resize", draw(st.integers(16, len(buf) - 1) | longer if len(buf) > 16 else longer))


def header_word(draw, buf, base):
    if len(buf) < 16:
        return truncate(draw, buf, base)
    return ("u32", draw(st.sampled_from([4, 8, 12])), draw(edges(buf, base)))


def header_byte(draw, buf, base):
    if len(buf) < 4:
        return truncate(draw, buf, base)
    pos = draw(st.integers(0, 3))
    near = [0, 1, 2, 3, 0xFF, buf[pos] ^ FLAG_MEMCPYED, buf[pos] ^ FLAG_NOSPLIT,
            buf[pos] ^ FLAG_BITSHUFFLE]
    return ("byte", pos, draw(st.sampled_from(near) | st.integers(0, 255)))


def block_start(draw, buf, base):
    off = 16 + 4 * draw(st.integers(0, max(0, len(base.starts) - 1)))
    if not base.starts or off + 4 > len(buf):
        return flip_bits(draw, buf, base)
    others = st.sampled_from(base.starts)
    return ("u32", off, draw(edges(buf, base) | others | others.map(lambda s: s + 1)))


def split_length(draw, buf, base):
    if not base.splits:
        return header_word(draw, buf, base)
    _, off, csize, bound = draw(st.sampled_from(base.splits))
    if off + 4 > len(buf):
        return flip_bits(draw, buf, base)
    room = len(buf) - off - 4
    near = [0, 1, -1, -2**31, 2**31 - 1, bound - 1, bound, bound + 1, room, room + 1,
            csize - 1, csize + 1]
    return ("i32", off, draw(st.sampled_from(near) | st.integers(-2**31, 2**31 - 1)))


MUTATIONS = [truncate, append, resize, flip_bits, flip_bits, header_word, header_byte,
             block_start, split_length, split_length, span, span]


def outcome(call):
    """Run call: return "ok", or "corrupt" on CorruptChunkError; other exceptions propagate."""
    try:
        call()
    except CorruptChunkError as e:
        assert re.match(r"(chunk: )?invalid blosc buffer: \S", str(e)), str(e)
        return "corrupt"
    return "ok"


def exercise(base, mutant, pick):
    """Run every entry point on mutant; success must give data of the right size."""
    nbytes, itemsize, array = base.nbytes, base.itemsize, base.array
    valid = outcome(lambda: ext.validate(mutant, nbytes=nbytes, itemsize=itemsize))

    dest = np.empty_like(array)
    decoded = outcome(lambda: ext.decompress(mutant, dest=dest, itemsize=itemsize))
    if valid == "corrupt":
        assert decoded == "corrupt"
    if decoded == "ok" and mutant == base.frame:
        np.testing.assert_array_equal(dest, array)

    def own_size():
        out = ext.decompress(mutant)
        assert isinstance(out, bytes) and len(out) == header(mutant)["nbytes"]
    outcome(own_size)

    total = header(mutant)["nbytes"] // itemsize if len(mutant) >= 16 else 1
    start = pick % total if total else 0
    nitems = min(1 + pick % 7, total - start) if total else 0
    item_dest = bytearray(nitems * itemsize)
    outcome(lambda: ext.getitem(mutant, start, nitems, item_dest, itemsize))

    chunk = Chunk(array.shape, array.dtype, cname="lz4")
    chunk[...] = array
    before = chunk.get_cdata()
    stored = outcome(lambda: chunk.set_cdata(mutant))
    assert stored == valid
    if stored == "corrupt":
        assert chunk.get_cdata() is before
        np.testing.assert_array_equal(chunk.read(), array)
        return
    assert chunk.get_cdata() == mutant

    def read():
        out = chunk.read()
        assert out.shape == array.shape and out.dtype == array.dtype
    outcome(read)

    def read_run():
        out = chunk.read(slice(start % array.shape[0], start % array.shape[0] + 2))
        assert out.dtype == array.dtype and 1 <= len(out) <= 2
    outcome(read_run)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_frames_raise_corrupt_chunk_error_or_decode(data):
    base = data.draw(st.sampled_from(BASES), label="base")
    for i in range(MUTANTS_PER_EXAMPLE):
        ops = data.draw(mutations(base, MUTATIONS), label="mutations %d" % i)
        pick = data.draw(st.integers(0, 2**31), label="pick %d" % i)
        exercise(base, mutate(base.frame, ops), pick)


@pytest.mark.parametrize("base", BASES, ids=repr)
def test_unmutated_frames_pass_every_entry_point(base):
    exercise(base, base.frame, 3)
    for entry in ENTRIES:
        entry(base.frame, base.nbytes, base.itemsize)
    assert ext.decompress(base.frame) == base.array.tobytes()
