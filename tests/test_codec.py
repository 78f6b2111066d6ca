"""The blosc codec calls of zarr.ext: round trips, options, sizes, getitem, threads."""

import mmap
import os
import threading

import numpy as np
import pytest

import zarr.ext as ext
from zarr.ext import CodecError, CorruptChunkError

from dtypes import DTYPES, sample

CNAMES = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]


def test_library_reports_its_compressors_and_version():
    assert ext.list_compressors() == CNAMES
    assert ext.COMPRESSORS == tuple(CNAMES)
    assert ext.BLOSC_VERSION.startswith("1.21.")
    assert ext.complib_info("lz4")[0] == "LZ4"
    assert ext.complib_info("blosclz")[0] == "BloscLZ"


@pytest.mark.parametrize("cname", CNAMES)
@pytest.mark.parametrize("shuffle", [0, 1, 2])
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_round_trip_every_dtype_compressor_and_shuffle(dtype, cname, shuffle):
    data = sample(dtype, (3000,))
    frame = ext.compress(data, data.itemsize, cname, 5, shuffle)
    assert isinstance(frame, bytes)
    assert ext.cbuffer_sizes(frame)[:2] == (data.nbytes, len(frame))
    out = np.empty_like(data)
    assert ext.decompress(frame, out, data.itemsize) is out
    np.testing.assert_array_equal(out, data)
    assert out.tobytes() == data.tobytes()
    assert ext.decompress(frame) == data.tobytes()


@pytest.mark.parametrize("clevel", range(10))
def test_every_clevel(clevel):
    data = sample("f8", (20000,))
    frame = ext.compress(data, 8, "blosclz", clevel, 1)
    assert ext.decompress(frame) == data.tobytes()
    if clevel == 0:
        assert len(frame) == data.nbytes + 16


def test_compression_levels_trade_size():
    data = np.arange(1 << 18, dtype="i4")
    sizes = [len(ext.compress(data, 4, "zstd", level, 1)) for level in (1, 9)]
    assert sizes[1] <= sizes[0] < data.nbytes


@pytest.mark.parametrize("blocksize", [0, 128, 4096, 65536, 1 << 20])
def test_blocksize_round_trip(blocksize):
    data = sample("f4", (100000,))
    frame = ext.compress(data, 4, "lz4", 5, 1, blocksize)
    assert ext.decompress(frame) == data.tobytes()


def test_incompressible_data_is_stored_and_still_round_trips():
    data = np.random.default_rng(1).integers(0, 256, 100000, dtype="u1")
    frame = ext.compress(data, 1, "blosclz", 9, 0)
    assert len(frame) <= data.nbytes + 16
    assert ext.decompress(frame) == data.tobytes()


def test_empty_and_tiny_buffers():
    for payload in [b"", b"x", b"ab" * 7, bytes(range(256))]:
        frame = ext.compress(payload)
        assert ext.decompress(frame) == payload
        ext.validate(frame, nbytes=len(payload))


def test_accepts_any_contiguous_buffer():
    data = np.arange(1000, dtype="u2")
    for source in (data, data.tobytes(), bytearray(data.tobytes()), memoryview(data)):
        assert ext.decompress(ext.compress(source, 2)) == data.tobytes()
    out = bytearray(data.nbytes)
    ext.decompress(ext.compress(data, 2), out)
    assert bytes(out) == data.tobytes()


def test_rejects_non_contiguous_source_and_readonly_dest():
    data = np.arange(100, dtype="i8")
    with pytest.raises((BufferError, ValueError)):
        ext.compress(data[::2], 8)
    frame = ext.compress(data, 8)
    with pytest.raises((BufferError, TypeError)):
        ext.decompress(frame, b"\x00" * data.nbytes)


def test_destination_of_the_wrong_size_is_refused():
    data = np.arange(100, dtype="i8")
    frame = ext.compress(data, 8)
    for size in (data.nbytes - 8, data.nbytes + 8):
        with pytest.raises(CorruptChunkError, match="nbytes"):
            ext.decompress(frame, bytearray(size))


@pytest.mark.parametrize("cname", ["snappy", "LZ4", "", "gzip", None, 3])
def test_unknown_compressor_names_the_allowed_ones(cname):
    with pytest.raises(ValueError, match="blosclz, lz4, lz4hc, zlib, zstd"):
        ext.compress(b"abc", 1, cname)


@pytest.mark.parametrize("clevel", [-1, 10, 100])
def test_bad_clevel(clevel):
    with pytest.raises(ValueError, match="0 to 9"):
        ext.compress(b"abc", 1, "lz4", clevel)


@pytest.mark.parametrize("clevel", [1.5, "5", True, None])
def test_clevel_of_the_wrong_type(clevel):
    with pytest.raises(TypeError, match="clevel"):
        ext.compress(b"abc", 1, "lz4", clevel)


@pytest.mark.parametrize("shuffle", [-1, 3, 8])
def test_bad_shuffle_names_the_allowed_ones(shuffle):
    with pytest.raises(ValueError, match="NOSHUFFLE.*BYTESHUFFLE.*BITSHUFFLE"):
        ext.compress(b"abc", 1, "lz4", 5, shuffle)


def test_check_options_normalises():
    assert ext.check_options(b"zstd", np.int64(3), np.uint8(2)) == ("zstd", 3, 2)
    assert ext.SHUFFLE_NAMES == {0: "NOSHUFFLE", 1: "BYTESHUFFLE", 2: "BITSHUFFLE"}


def test_negative_blocksize_is_refused():
    with pytest.raises(ValueError, match="blocksize"):
        ext.compress(b"abc" * 100, 1, "lz4", 5, 1, -1)


@pytest.mark.parametrize("cname", CNAMES)
@pytest.mark.parametrize("dtype", ["u1", "i4", "f8", "c16", "M8[s]", "S7", "U5",
                                   [("x", "<f8", (40,))]], ids=str)
def test_getitem_matches_numpy(cname, dtype):
    data = sample(dtype, (50000,))
    frame = ext.compress(data, data.itemsize, cname, 5, 1, 4096)
    for start, n in [(0, 1), (12345, 1), (49999, 1), (100, 700), (0, 50000), (49000, 1000)]:
        out = np.empty(n, data.dtype)
        assert ext.getitem(frame, start, n, out, data.itemsize) is out
        np.testing.assert_array_equal(out, data[start:start + n])


def test_getitem_out_of_range_and_bad_dest():
    data = np.arange(1000, dtype="i4")
    frame = ext.compress(data, 4)
    with pytest.raises(IndexError):
        ext.getitem(frame, 999, 2, np.empty(2, "i4"), 4)
    with pytest.raises(IndexError):
        ext.getitem(frame, -1, 1, np.empty(1, "i4"), 4)
    with pytest.raises(ValueError, match="dest"):
        ext.getitem(frame, 0, 2, np.empty(3, "i4"), 4)
    out = np.empty(3, "i4")
    ext.getitem(frame, 10, 3, out)   # itemsize taken from the frame
    assert out.tolist() == [10, 11, 12]


def test_buffer_over_blosc_limit_is_refused_before_compression():
    assert ext.MAX_BUFFERSIZE == 2**31 - 1 - 16
    huge = mmap.mmap(-1, ext.MAX_BUFFERSIZE + 1)   # virtual memory, never touched
    try:
        with pytest.raises(CodecError, match="at most"):
            ext.compress(huge, 1)
    finally:
        huge.close()


def _run_in_threads(target, n):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # reported below, in the main thread
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.parametrize("cname", CNAMES)
def test_many_threads_compress_and_decompress_at_once(cname):
    arrays = [sample("f8", (40000,), seed=i) for i in range(8)]
    frames = [ext.compress(a, 8, cname, 5, 1) for a in arrays]

    def work(i):
        for _ in range(10):
            a = arrays[i]
            frame = ext.compress(a, 8, cname, 5, 1)
            assert frame == frames[i]
            out = np.empty_like(a)
            ext.decompress(frame, out)
            np.testing.assert_array_equal(out, a)

    _run_in_threads(work, 8)


def test_huge_page_advice_changes_no_byte():
    data = np.cumsum(np.random.default_rng(5).normal(0, 1e-3, 5 << 17))  # 5 MiB of float64
    previous = ext.set_madvise_hugepage(True)
    try:
        advised = ext.compress(data, typesize=8)
        assert ext.set_madvise_hugepage(False) is True
        plain = ext.compress(data, typesize=8)
        assert ext.set_madvise_hugepage(True) is False
    finally:
        ext.set_madvise_hugepage(previous)
    assert advised == plain
    np.testing.assert_array_equal(np.frombuffer(ext.decompress(advised), "f8"), data)


def test_zarr_madvise_hugepage_0_turns_the_advice_off_at_import():
    import subprocess
    import sys
    code = "import zarr.ext as e; print(e.set_madvise_hugepage(True))"
    env = dict(os.environ, ZARR_MADVISE_HUGEPAGE="0")
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout.strip() == "False"
    env["ZARR_MADVISE_HUGEPAGE"] = "1"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout.strip() == "True"
