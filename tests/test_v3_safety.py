"""The decoders of the Zarr v3 format on hostile input: mutants of real
shards (their index and their inner chunks) and of real chunks of v3 codec
chains (crc32c, transpose, big-endian bytes) decode or raise
CorruptChunkError, never another exception, a crash or an unbounded
allocation; and a shard refused by ``set_cdata`` leaves the stored one as it
was. Half the mutants have their checksums made right again (``reseal``), so
that what the crc32c would catch reaches the index checks and the inner
decoders. At least 10,000 mutants a base set under the "ci" profile."""

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mutation import (GENERIC, MUTANTS_PER_EXAMPLE, budget_follows_the_profile, mutate,
                      mutations, smooth)
from zarr.codecs.v3 import Pipeline, normalize_codecs
from zarr.ext import CorruptChunkError, crc32c
from zarr.shards import EMPTY, ShardChunk
from zarr.storage import MemoryStore

BYTES = {"name": "bytes", "configuration": {"endian": "little"}}
CRC = {"name": "crc32c"}


class Base:
    """A real encoding (``frame``) of ``array`` and what decodes it."""

    def __init__(self, name, frame, array, decoder):
        self.name, self.frame, self.array, self.decoder = name, frame, array, decoder

    def __repr__(self):
        return self.name


def _shard_base(name, inner_codecs, checksum, location, array, inner_shape, blank=()):
    store = MemoryStore()
    shard = ShardChunk(store, "s", array.shape, array.dtype, 0, inner_shape, inner_codecs,
                       checksum, location)
    value = array.copy()
    for region in blank:  # inner chunks of the fill value: absent from the shard
        value[region] = 0
    shard[...] = value
    return Base(name, store.get("s"), value, shard)


A2 = smooth(24 * 20, "<i4").reshape(24, 20)
SHARD_BASES = [
    _shard_base("end-crc-bytes", [BYTES], True, "end", A2, (6, 5)),
    _shard_base("start-zstd", [BYTES, {"name": "zstd", "configuration": {"level": 1}}], False,
                "start", A2, (8, 10), blank=[np.s_[:8, :10]]),
    _shard_base("end-crc-blosc-crc", [BYTES, {"name": "blosc", "configuration": {
        "cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 4}}, CRC], True, "end",
        A2, (12, 10), blank=[np.s_[12:, 10:]]),
    _shard_base("end-gzip-1d", [BYTES, {"name": "gzip", "configuration": {"level": 2}}], True,
                "end", smooth(300, "<i2"), (30,)),
    _shard_base("start-crc-transpose-big-crc", [
        {"name": "transpose", "configuration": {"order": [1, 0]}},
        {"name": "bytes", "configuration": {"endian": "big"}}, CRC], True, "start", A2, (6, 10),
        blank=[np.s_[6:12, :10]]),
]


def _pipeline_base(name, codecs, array):
    codecs = normalize_codecs(codecs, array.dtype, array.ndim)
    pipeline = Pipeline(codecs, array.shape, array.dtype)
    return Base(name, pipeline.encode(array), array, pipeline)


PIPELINE_BASES = [
    _pipeline_base("bytes-crc", [BYTES, CRC], A2),
    _pipeline_base("transpose-big-zstd-crc", [
        {"name": "transpose", "configuration": {"order": [1, 0]}},
        {"name": "bytes", "configuration": {"endian": "big"}},
        {"name": "zstd", "configuration": {"level": 3, "checksum": True}}, CRC], A2),
    _pipeline_base("gzip-crc-f8", [BYTES, {"name": "gzip", "configuration": {"level": 1}}, CRC],
                   np.linspace(0, 1, 200)),
    _pipeline_base("blosc-bitshuffle", [BYTES, {"name": "blosc", "configuration": {
        "cname": "zstd", "clevel": 3, "shuffle": "bitshuffle", "typesize": 4}}], A2),
]


def index_field(draw, buf, base):
    """Set one 64-bit offset or nbytes of a shard's index to an edge value."""
    shard = base.decoder
    start = 0 if shard.location == "start" else len(buf) - shard.index_nbytes
    slots = 2 * shard.ncells
    if start < 0 or len(buf) < start + 8 * slots:
        return ("truncate", max(0, len(buf) - 1))
    slot = draw(st.integers(0, slots - 1))
    value = draw(st.sampled_from([0, 1, 8, len(buf), len(buf) - 1, EMPTY, EMPTY - 1, 2**63,
                                  shard.inner_bound, shard.inner_bound + 1])
                 | st.integers(0, 2**64 - 1))
    return ("u64", start + 8 * slot, value)


def _apply_u64(frame, ops):
    """mutate, with the 64-bit field operation of index_field besides."""
    buf = bytearray(frame)
    for op in ops:
        if op[0] == "u64":
            struct.pack_into("<Q", buf, op[1], op[2])
        else:
            buf = bytearray(mutate(bytes(buf), [op]))
    return bytes(buf)


def reseal(mutant, base):
    """``mutant`` with its checksum made right again: a shard's index crc32c,
    or the trailing crc32c of a chunk whose chain ends with one."""
    buf = bytearray(mutant)
    decoder = base.decoder
    if isinstance(decoder, ShardChunk):
        if not decoder.checksum or len(buf) < decoder.index_nbytes:
            return mutant
        start = 0 if decoder.location == "start" else len(buf) - decoder.index_nbytes
        end = start + decoder.index_nbytes - 4
        buf[end:end + 4] = crc32c(bytes(buf[start:end])).to_bytes(4, "little")
    else:
        if decoder.codecs[-1]["name"] != "crc32c" or len(buf) < 4:
            return mutant
        buf[-4:] = crc32c(bytes(buf[:-4])).to_bytes(4, "little")
    return bytes(buf)


def _outcome(call):
    try:
        call()
    except CorruptChunkError:
        return "corrupt"
    return "ok"


def exercise_shard(base, mutant):
    shard = base.decoder
    store = MemoryStore()
    probe = shard.at(store, "s")
    store.set("s", mutant)
    whole = _outcome(lambda: probe[...])
    if whole == "ok":
        got = probe[...]
        assert got.shape == base.array.shape and got.dtype == base.array.dtype
        if mutant == base.frame:
            np.testing.assert_array_equal(got, base.array)
    corner = tuple(n - 1 for n in base.array.shape)
    part = _outcome(lambda: probe[corner])
    if whole == "ok":
        assert part == "ok"
    # A refused shard is not stored over a good one.
    kept = shard.at(MemoryStore(), "s")
    kept.set_cdata(base.frame)
    if _outcome(lambda: kept.set_cdata(mutant)) == "corrupt":
        assert kept.get_cdata() == base.frame
    # A partial write over a mutant either refuses it or writes a shard that reads back.
    writer = shard.at(MemoryStore(), "s")
    writer.store.set("s", mutant)
    index = (0,) * len(base.array.shape)
    if _outcome(lambda: writer.__setitem__(index, 7)) == "ok":
        assert writer[index] == 7


@pytest.mark.parametrize("base", SHARD_BASES + PIPELINE_BASES, ids=repr)
def test_bases_decode_to_their_arrays(base):
    if isinstance(base.decoder, ShardChunk):
        probe = base.decoder.at(MemoryStore(), "s")
        probe.store.set("s", base.frame)
        np.testing.assert_array_equal(probe[...], base.array)
    else:
        np.testing.assert_array_equal(base.decoder.decode(base.frame), base.array)


def test_shards_with_absent_inner_chunks_are_among_the_bases():
    for base in SHARD_BASES[1:3]:
        shard = base.decoder
        raw = base.frame[:shard.index_nbytes] if shard.location == "start" else \
            base.frame[-shard.index_nbytes:]
        pairs = np.frombuffer(raw[:16 * shard.ncells], "<u8").reshape(-1, 2)
        assert (pairs[:, 0] == EMPTY).any() and (pairs[:, 0] != EMPTY).any()


def test_fuzz_budget_follows_the_profile():
    budget_follows_the_profile()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_shards_decode_or_raise_corrupt_chunk_error(data):
    base = data.draw(st.sampled_from(SHARD_BASES), label="base")
    operations = GENERIC + [index_field] * 4
    for i in range(MUTANTS_PER_EXAMPLE):
        ops = data.draw(mutations_u64(base, operations), label="mutations %d" % i)
        mutant = _apply_u64(base.frame, ops)
        if data.draw(st.booleans(), label="reseal %d" % i):
            mutant = reseal(mutant, base)
        exercise_shard(base, mutant)


@st.composite
def mutations_u64(draw, base, operations):
    """As mutation.mutations, with index_field's 64-bit operations applied too."""
    frame = base.frame
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(operations))(draw, bytearray(frame), base)
        ops.append(op)
        frame = _apply_u64(frame, [op])
    return ops


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_v3_chunks_decode_or_raise_corrupt_chunk_error(data):
    base = data.draw(st.sampled_from(PIPELINE_BASES), label="base")
    out = np.empty_like(base.array)
    for i in range(MUTANTS_PER_EXAMPLE):
        ops = data.draw(mutations(base, GENERIC), label="mutations %d" % i)
        mutant = mutate(base.frame, ops)
        if data.draw(st.booleans(), label="reseal %d" % i):
            mutant = reseal(mutant, base)
        if _outcome(lambda: base.decoder.decode(mutant, out)) == "ok" and \
                mutant == base.frame:
            np.testing.assert_array_equal(out, base.array)
        got = []
        if _outcome(lambda: got.append(base.decoder.decode(mutant))) == "ok":
            assert got[0].shape == base.array.shape


def test_crc32c_catches_every_single_bit_flip():
    base = PIPELINE_BASES[0]
    for pos in range(0, len(base.frame), 7):
        for bit in (0, 5):
            mutant = bytearray(base.frame)
            mutant[pos] ^= 1 << bit
            with pytest.raises(CorruptChunkError, match="crc32c"):
                base.decoder.decode(bytes(mutant))


def test_resealed_mutants_get_past_the_checksums():
    shard = SHARD_BASES[0]
    raw = bytearray(shard.frame)
    struct.pack_into("<Q", raw, len(raw) - shard.decoder.index_nbytes, 2**63)
    with pytest.raises(CorruptChunkError, match="crc32c"):
        exercise_shard_read(shard, bytes(raw))
    with pytest.raises(CorruptChunkError, match="outside"):
        exercise_shard_read(shard, reseal(bytes(raw), shard))
    chunk = PIPELINE_BASES[1]
    cut = chunk.frame[:len(chunk.frame) // 2] + chunk.frame[-4:]
    with pytest.raises(CorruptChunkError, match="crc32c"):
        chunk.decoder.decode(cut)
    with pytest.raises(CorruptChunkError) as info:
        chunk.decoder.decode(reseal(cut, chunk))
    assert "crc32c" not in str(info.value)


def exercise_shard_read(base, mutant):
    probe = base.decoder.at(MemoryStore(), "s")
    probe.store.set("s", mutant)
    return probe[...]
