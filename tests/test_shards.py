"""Sharded v3 arrays (zarr/shards.py): values against numpy for every kind of
selection, what a read costs, crafted shard indexes, and writers of one
shard's inner chunks in threads and processes."""

import json
import math
import multiprocessing
import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import zarr
from zarr.ext import CorruptChunkError, crc32c
from zarr.shards import EMPTY, ShardChunk
from zarr.storage import MemoryStore

BYTES = {"name": "bytes", "configuration": {"endian": "little"}}
ZSTD = {"name": "zstd", "configuration": {"level": 1, "checksum": False}}


class CountingStore(MemoryStore):
    """A memory store that counts the bytes reads return."""

    def __init__(self):
        MemoryStore.__init__(self)
        self.read_bytes = 0
        self.calls = []
        self._ranged = False

    def get(self, key, *args):
        value = MemoryStore.get(self, key, *args)
        if not self._ranged:
            self.read_bytes += len(value)
            self.calls.append(("get", key))
        return value

    def get_ranges(self, key, ranges):
        self._ranged = True
        try:
            got = MemoryStore.get_ranges(self, key, ranges)
        finally:
            self._ranged = False
        self.read_bytes += sum(len(g) for g in got)
        self.calls.append(("get_ranges", key, len(ranges)))
        return got


def sharded(store, shape=(30, 28), chunks=(5, 4), shards=(10, 12), dtype="i4", **kwargs):
    return zarr.open(store, mode="w", shape=shape, chunks=chunks, shards=shards, dtype=dtype,
                     zarr_format=3, **kwargs)


def test_options_and_zarr_json():
    store = MemoryStore()
    z = sharded(store, compressor=zarr.Zstd(2))
    assert z.chunks == (5, 4) and z.shards == (10, 12) and z.cdata_shape == (3, 3)
    doc = json.loads(store.get("zarr.json"))
    assert doc["chunk_grid"]["configuration"]["chunk_shape"] == [10, 12]
    (codec,) = doc["codecs"]
    assert codec["name"] == "sharding_indexed"
    assert codec["configuration"]["chunk_shape"] == [5, 4]
    assert [c["name"] for c in codec["configuration"]["codecs"]] == ["bytes", "zstd"]
    assert [c["name"] for c in codec["configuration"]["index_codecs"]] == ["bytes", "crc32c"]
    assert zarr.open(store, mode="r", chunks=(5, 4)).shards == (10, 12)
    with pytest.raises(ValueError, match="not a multiple"):
        sharded(MemoryStore(), chunks=(4, 4), shards=(10, 12))
    with pytest.raises(TypeError, match="zarr_format=3"):
        zarr.open(MemoryStore(), shape=4, chunks=2, shards=4)


@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize("checksum", [True, False])
def test_round_trip_both_index_layouts(location, checksum):
    index_codecs = [BYTES] + ([{"name": "crc32c"}] if checksum else [])
    codecs = [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [3, 4], "codecs": [BYTES, ZSTD], "index_codecs": index_codecs,
        "index_location": location}}]
    store = MemoryStore()
    z = zarr.open(store, shape=(20, 17), chunks=(6, 8), dtype="f8", zarr_format=3,
                  codecs=codecs, fill_value=np.nan)
    a = np.random.default_rng(1).normal(size=(20, 17))
    z[2:19, 1:16] = a[2:19, 1:16]
    want = np.full(a.shape, np.nan)
    want[2:19, 1:16] = a[2:19, 1:16]
    r = zarr.open(store, mode="r")
    np.testing.assert_array_equal(r[...], want)
    assert r.shards == (6, 8) and r.chunks == (3, 4)
    shard = store.get("c/0/0")
    ncells = 2 * 2
    index_nbytes = 16 * ncells + (4 if checksum else 0)
    raw = shard[:index_nbytes] if location == "start" else shard[-index_nbytes:]
    pairs = np.frombuffer(raw[:16 * ncells], "<u8").reshape(ncells, 2)
    assert (pairs[:, 0] != EMPTY).all()  # every inner chunk of shard 0 holds data
    if checksum:
        assert crc32c(raw[:16 * ncells]) == int.from_bytes(raw[-4:], "little")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_basic_selections_against_numpy(data):
    shape = data.draw(st.tuples(st.integers(1, 25), st.integers(1, 19)))
    store = MemoryStore()
    z = sharded(store, shape=shape, chunks=(2, 3), shards=(6, 6), dtype="i2", fill_value=-3)
    want = np.full(shape, -3, "i2")

    def region():
        out = []
        for n in shape:
            a = data.draw(st.integers(0, n - 1))
            b = data.draw(st.integers(a + 1, n))
            step = data.draw(st.sampled_from([1, 1, 2, 3]))
            out.append(slice(a, b, step))
        return tuple(out)

    for _ in range(3):
        sel = region()
        value = data.draw(st.integers(-1000, 1000))
        ref = np.arange(want[sel].size, dtype="i2").reshape(want[sel].shape) + value
        z[sel] = ref
        want[sel] = ref
        np.testing.assert_array_equal(z[...], want)
        read = region()
        np.testing.assert_array_equal(z[read], want[read])
        i, j = data.draw(st.integers(0, shape[0] - 1)), data.draw(st.integers(0, shape[1] - 1))
        assert z[i, j] == want[i, j]
    np.testing.assert_array_equal(z.get_orthogonal_selection(([0, shape[0] - 1], slice(None))),
                                  want[[0, shape[0] - 1]])


def test_fill_only_inner_chunks_and_shards_are_not_stored():
    store = MemoryStore()
    z = sharded(store, fill_value=0)
    z[0:5, 0:4] = 1  # one inner chunk of shard (0, 0)
    assert sorted(k for k in store.keys() if k != "zarr.json") == ["c/0/0"]
    index = np.frombuffer(store.get("c/0/0")[-(16 * 6 + 4):-4], "<u8").reshape(6, 2)
    assert (index[0] != EMPTY).all() and (index[1:] == EMPTY).all()
    z[0:5, 0:4] = 0
    assert "c/0/0" not in store  # every inner chunk is the fill value again
    z[...] = 7
    assert z.nchunks_initialized == 9
    z.resize(12, 10)
    np.testing.assert_array_equal(z[...], np.full((12, 10), 7, "i4"))
    z.resize(30, 28)
    want = np.zeros((30, 28), "i4")
    want[:12, :10] = 7
    np.testing.assert_array_equal(z[...], want)


def test_one_element_costs_the_index_and_one_inner_chunk():
    store = CountingStore()
    z = zarr.open(store, shape=(4096, 4096), chunks=(64, 64), shards=(1024, 1024), dtype="f4",
                  zarr_format=3, compressor=None)
    z[1024:2048, 0:1024] = np.ones((1024, 1024), "f4")
    shard_size = store.getsize("c/1/0")
    assert shard_size == 1024 * 1024 * 4 + 16 * 256 + 4
    store.read_bytes, store.calls = 0, []
    r = zarr.open(store, mode="r")
    store.read_bytes, store.calls = 0, []
    assert r[1500, 700] == 1
    # The index, the inner chunk, its index entry again and the shard's last byte twice.
    assert store.read_bytes == 16 * 256 + 4 + 64 * 64 * 4 + 16 + 2, store.calls
    assert not [c for c in store.calls if c[0] == "get" and c[1].startswith("c/")]


def _shard_bytes(location="end", checksum=True):
    store = MemoryStore()
    codecs = [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [4], "codecs": [BYTES],
        "index_codecs": [BYTES] + ([{"name": "crc32c"}] if checksum else []),
        "index_location": location}}]
    z = zarr.open(store, shape=16, chunks=16, dtype="i4", zarr_format=3, codecs=codecs)
    z[...] = np.arange(16)
    return store, store.get("c/0")


def _with_index(pairs, data, checksum=True):
    raw = np.asarray(pairs, "<u8").tobytes()
    if checksum:
        raw += crc32c(raw).to_bytes(4, "little")
    return data + raw


@pytest.mark.parametrize("change, message", [
    (lambda p: p.__setitem__((0, 0), 10_000), "outside"),       # offset past the end
    (lambda p: p.__setitem__((1, 0), 8), "overlap"),            # overlapping ranges
    (lambda p: p.__setitem__((2, 1), 1 << 40), "over the"),     # nbytes over the bound
    (lambda p: p.__setitem__((3, 1), EMPTY), "only one"),       # half empty
    (lambda p: p.__setitem__((3, 1), 0), "0 bytes"),
    (lambda p: p.__setitem__((3, 0), EMPTY - 8), "outside"),    # offset + nbytes wraps
])
def test_crafted_index_raises(change, message):
    store, shard = _shard_bytes(checksum=False)
    data = shard[:-64]
    pairs = np.frombuffer(shard[-64:], "<u8").reshape(4, 2).copy()
    change(pairs)
    store.set("c/0", _with_index(pairs, data, checksum=False))
    z = zarr.open(store, mode="r")
    with pytest.raises(CorruptChunkError, match=message):
        z[...]


def test_wrong_checksum_and_truncated_shard_raise():
    store, shard = _shard_bytes()
    bad = bytearray(shard)
    bad[-5] ^= 1  # a bit of the index
    store.set("c/0", bytes(bad))
    z = zarr.open(store, mode="r")
    with pytest.raises(CorruptChunkError, match="crc32c"):
        z[...]
    with pytest.raises(CorruptChunkError, match="crc32c"):
        z[3]  # the ranged path checks it too
    store.set("c/0", shard[:30])
    with pytest.raises(CorruptChunkError, match="shorter than its index"):
        z[...]
    store.set("c/0", b"")
    with pytest.raises(CorruptChunkError):
        z[...]
    # The bad shard is refused by a write too, and left as it was.
    zw = zarr.open(store, mode="r+")
    with pytest.raises(CorruptChunkError):
        zw[0] = 5
    assert store.get("c/0") == b""


def test_corrupt_inner_chunk_raises_naming_the_shard():
    store = MemoryStore()
    z = zarr.open(store, shape=16, chunks=4, shards=16, dtype="i4", zarr_format=3,
                  compressor=zarr.Zstd(1))
    z[...] = np.arange(16)
    shard = bytearray(store.get("c/0"))
    shard[5] ^= 0xFF  # inside the first inner chunk's zstd frame
    store.set("c/0", bytes(shard))
    with pytest.raises(CorruptChunkError, match="shard"):
        zarr.open(store, mode="r")[...]


@pytest.mark.parametrize("seed", range(3))
def test_mutated_shards_never_crash(seed):
    """Random byte flips and truncations of a shard: a value or a
    CorruptChunkError, never a crash or another exception."""
    store, shard = _shard_bytes()
    rng = np.random.default_rng(seed)
    z = zarr.open(store, mode="r")
    for _ in range(300):
        data = bytearray(shard)
        for _ in range(rng.integers(1, 4)):
            data[rng.integers(0, len(data))] = rng.integers(0, 256)
        if rng.random() < 0.3:
            data = data[:rng.integers(0, len(data))]
        store.set("c/0", bytes(data))
        try:
            z[...]
            z[int(rng.integers(0, 16))]
        except CorruptChunkError:
            pass


def _thread_writer(z, column, rounds):
    for r in range(rounds):
        z[:, column] = r + 1


def test_threads_writing_inner_chunks_of_one_shard_lose_nothing():
    store = MemoryStore()
    z = zarr.open(store, shape=(8, 8), chunks=(8, 1), shards=(8, 8), dtype="i4",
                  zarr_format=3)
    threads = [threading.Thread(target=_thread_writer, args=(z, c, 40)) for c in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(z[...], np.full((8, 8), 40, "i4"))


def _process_writer(path, column):
    z = zarr.open(path, mode="r+", process_sync=True)
    for r in range(15):
        z[:, column] = r + 1


def test_processes_writing_inner_chunks_of_one_shard_lose_nothing(tmp_path):
    path = str(tmp_path / "a")
    zarr.open(path, shape=(8, 4), chunks=(8, 1), shards=(8, 4), dtype="i4", zarr_format=3)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(path, c)) for c in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], np.full((8, 4), 15, "i4"))


def test_shard_chunk_set_cdata_checks_first():
    store, shard = _shard_bytes()
    proto = ShardChunk(store, "c/0", (16,), np.dtype("i4"), 0, (4,), [BYTES])
    other = proto.at(store, "c/1")
    other.set_cdata(shard)
    np.testing.assert_array_equal(other[...], np.arange(16))
    with pytest.raises(CorruptChunkError):
        other.set_cdata(shard[:-1] + bytes([shard[-1] ^ 1]))
    np.testing.assert_array_equal(other[...], np.arange(16))


@pytest.mark.parametrize("shards", [(), None])
def test_zero_dimensional_array_reads_and_writes_like_numpy(shards):
    z = zarr.open(MemoryStore(), mode="w", shape=(), chunks=(), dtype="i2", zarr_format=3,
                  shards=shards, fill_value=4)
    want = np.full((), 4, "i2")
    for _ in range(2):
        assert type(z[()]) is type(want[()]) and z[()] == want[()]
        assert isinstance(z[...], np.ndarray) and z[...].shape == ()
        z[()] = 9
        want[()] = 9
        assert z[()] == 9
    z[...] = 4
    assert z[...] == 4 and z.nchunks_initialized == (0 if shards == () else 1)


V3_DTYPES = ["i2", "bool", "c8", "f2", "f8", "u1", "c16"]


def _fill_values(dtype):
    kind = np.dtype(dtype).kind
    if kind == "b":
        return st.booleans()
    if kind == "f":
        return st.sampled_from([0.0, -0.0, float("nan"), 1.5, float("inf")])
    if kind == "c":
        return st.sampled_from([0j, complex(float("nan"), -0.0), 1 + 2j])
    return st.sampled_from([0, 1, 7])


def _ramp(shape, dtype):
    n = np.arange(math.prod(shape)).reshape(shape)
    kind = np.dtype(dtype).kind
    if kind == "b":
        return n % 3 == 0
    return (n % 90 + (1j * n if kind == "c" else 0)).astype(dtype)


def _index(draw, n):
    if n and draw(st.booleans()):
        return draw(st.integers(-n, n - 1))
    return slice(draw(st.none() | st.integers(-n - 2, n + 2)),
                 draw(st.none() | st.integers(-n - 2, n + 2)),
                 draw(st.sampled_from([None, 1, 2, 3, -1, -2])))


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_v3_arrays_of_any_kind_against_numpy(data):
    """Sharded or not, 0-d to 3-d, with transposes and big-endian chunks,
    through every kind of selection, resize and append."""
    draw = data.draw
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0 if ndim else 1, 9)) for _ in range(ndim))
    inner = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    shards = tuple(c * draw(st.integers(1, 3)) for c in inner) if draw(st.booleans()) else None
    dtype = draw(st.sampled_from(V3_DTYPES))
    fill = draw(_fill_values(dtype))
    codecs = None
    if ndim >= 2 and draw(st.booleans()):
        codecs = [{"name": "transpose", "configuration": {
            "order": draw(st.permutations(list(range(ndim))))}},
            {"name": "bytes", "configuration": {"endian": draw(st.sampled_from(["little",
                                                                                 "big"]))}},
            {"name": "crc32c"}]
    store = MemoryStore()
    z = zarr.open(store, mode="w", shape=shape, chunks=inner, dtype=dtype, zarr_format=3,
                  shards=shards, fill_value=fill, codecs=codecs)
    want = np.full(shape, fill, dtype)
    ops = ["basic", "read", "orthogonal", "points", "mask", "resize", "append"] if ndim else \
        ["basic", "read"]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(ops))
        if op in ("basic", "read"):
            sel = tuple(_index(draw, n) for n in shape) if ndim else \
                draw(st.sampled_from([(), Ellipsis]))
            if op == "basic":
                z[sel] = value = _ramp(want[sel].shape, dtype)
                want[sel] = value
            else:
                got = z[sel]
                assert isinstance(got, np.ndarray) == isinstance(want[sel], np.ndarray)
                np.testing.assert_array_equal(got, want[sel])
        elif op == "orthogonal":
            idx = tuple(sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=1,
                                                 max_size=4)))) if n else slice(None)
                        for n in shape)
            grid = np.ix_(*[np.arange(n)[i] for n, i in zip(shape, idx)])
            z.oindex[idx] = value = _ramp(want[grid].shape, dtype)
            want[grid] = value
            np.testing.assert_array_equal(z.oindex[idx], want[grid])
        elif op == "points" and 0 not in shape:
            k = draw(st.integers(1, 5))
            idx = tuple(np.array(draw(st.lists(st.integers(-n, n - 1), min_size=k, max_size=k)))
                        for n in shape)
            np.testing.assert_array_equal(z.vindex[idx], want[idx])
            unique = sorted({tuple(p) for p in zip(*[i % n for i, n in zip(idx, shape)])})
            idx = tuple(np.array(c) for c in zip(*unique))
            z.vindex[idx] = value = _ramp(want[idx].shape, dtype)
            want[idx] = value
        elif op == "mask":
            mask = np.array(draw(st.lists(st.booleans(), min_size=want.size,
                                          max_size=want.size)), bool).reshape(shape)
            np.testing.assert_array_equal(z[mask], want[mask])
            z[mask] = value = _ramp(want[mask].shape, dtype)
            want[mask] = value
        elif op == "resize":
            new = tuple(draw(st.integers(0, 12)) for _ in range(ndim))
            z.resize(*new)
            grown = np.full(new, fill, dtype)
            common = tuple(slice(0, min(a, b)) for a, b in zip(shape, new))
            grown[common] = want[common]
            want, shape = grown, new
        elif op == "append":
            axis = draw(st.integers(0, ndim - 1))
            extra = list(shape)
            extra[axis] = draw(st.integers(0, 7))
            value = _ramp(tuple(extra), dtype)
            z.append(value, axis=axis)
            want = np.concatenate([want, value], axis=axis)
            shape = want.shape
        assert z.shape == want.shape
        np.testing.assert_array_equal(z[...], want)
    back = pickle.loads(pickle.dumps(zarr.open(store, mode="r")))
    assert back.shape == shape and json.loads(store.get("zarr.json"))["shape"] == list(shape)
    np.testing.assert_array_equal(back[...], want)


class ReplacingStore(MemoryStore):
    """A memory store where another writer replaces ``key`` with ``value``
    just before the ``when``-th ranged read of it (counting from 0)."""

    def __init__(self):
        MemoryStore.__init__(self)
        self.plan = None
        self.ranged = 0

    def get_ranges(self, key, ranges):
        if self.plan is not None and self.plan[0] == key and self.plan[1] == self.ranged:
            MemoryStore.set(self, key, self.plan[2])
            self.plan = None
        self.ranged += 1
        return MemoryStore.get_ranges(self, key, ranges)


@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize("when", [0, 1])
def test_ranged_read_of_a_shard_replaced_meanwhile_gives_old_or_new_values(location, when):
    """A shard rewritten by another writer between the reads of its index
    and of its inner chunks (or between its size and its index): a reader
    gets the values of one version, never another inner chunk's values nor
    a CorruptChunkError."""
    store = ReplacingStore()
    codecs = [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [4], "codecs": [BYTES], "index_location": location}}]
    z = zarr.open(store, mode="w", shape=32, chunks=32, dtype="i4", zarr_format=3,
                  codecs=codecs)
    z[8:12] = 2
    old = store.get("c/0")
    z[0:4] = 1  # now inner chunk 0 is stored, and inner chunk 2 is further on
    z[20:24] = 5
    new = store.get("c/0")
    store.set("c/0", old)
    r = zarr.open(store, mode="r")
    store.ranged, store.plan = 0, ("c/0", when, new)
    assert r[9] == 2 and store.plan is None
    if when == 0:  # inner chunk 0 is absent from the old shard: one ranged read
        store.set("c/0", old)
        store.ranged, store.plan = 0, ("c/0", when, new)
        assert r[0] in (0, 1) and store.plan is None


def test_opening_a_sharded_array_allocates_no_inner_chunk():
    import tracemalloc

    store = MemoryStore()
    zarr.open(store, mode="w", shape=(2**28,), chunks=2**28, shards=2**28, dtype="u1",
              zarr_format=3, fill_value=3)
    tracemalloc.start()
    try:
        z = zarr.open(store, mode="r+")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**24
    z[:4] = 3  # the fill value: no shard stored
    z[-2:] = [1, 2]
    assert z.nchunks_initialized == 1 and z[-3:].tolist() == [3, 1, 2]
