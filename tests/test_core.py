"""Behaviour of arrays, against numpy on the same data, for every kind of array."""

import pickle
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zarr
from arrays import KINDS, basic_selections, reference, shapes_and_chunks
from dtypes import DTYPES, sample


@pytest.fixture(params=sorted(KINDS))
def make(request):
    return KINDS[request.param]


def filled(make, data, chunks, **kwargs):
    z = make(data.shape, data.dtype, chunks, **kwargs)
    z[...] = data
    return z


def same(result, expected):
    """Equal values, shape and dtype, and a scalar where numpy gives a scalar."""
    assert type(result) is type(expected) or (
        isinstance(result, np.generic) and isinstance(expected, np.generic)), (
        type(result), type(expected))
    assert np.shape(result) == np.shape(expected)
    assert np.asarray(result).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(result, expected)


# Reading and writing with basic selections, against numpy.

@given(st.data())
def test_read_any_selection(data):
    shape, chunks = data.draw(shapes_and_chunks())
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    a = reference(shape, "i4")
    z = filled(KINDS[kind], a, chunks)
    sel = data.draw(basic_selections(shape))
    same(z[sel], a[sel])


@given(st.data())
def test_reads_return_contiguous_arrays_of_their_own(data):
    shape, chunks = data.draw(shapes_and_chunks())
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    dtype = data.draw(st.sampled_from(["i4", object]))
    a = reference(shape, "i4").astype(dtype)
    z = filled(KINDS[kind], a, chunks)
    sel = data.draw(basic_selections(shape))
    r = z[sel]
    if isinstance(r, np.ndarray):
        assert r.flags.c_contiguous and r.flags.writeable
        assert r.base is None or r.base.size == r.size
        r[...] = -5 if r.dtype != object else "x"
        same(z[sel], a[sel])


@given(st.data())
def test_write_any_selection(data):
    shape, chunks = data.draw(shapes_and_chunks())
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    a = reference(shape, "i4")
    z = filled(KINDS[kind], a, chunks, fill_value=-1)
    sel = data.draw(basic_selections(shape))
    target_shape = a[sel].shape
    how = data.draw(st.sampled_from(["array", "scalar", "broadcast"]))
    if how == "scalar":
        value = -7
    elif how == "array":
        value = -reference(target_shape, "i4", seed=1)
    else:
        value = -reference(target_shape[-1:] if target_shape else (), "i4", seed=2)
    a[sel] = value
    z[sel] = value
    np.testing.assert_array_equal(z[...], a)


@given(st.data())
def test_unwritten_regions_read_as_fill_value(data):
    shape, chunks = data.draw(shapes_and_chunks(max_dims=3))
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    z = KINDS[kind](shape, "f4", chunks, fill_value=np.nan)
    a = np.full(shape, np.nan, "f4")
    sel = data.draw(basic_selections(shape))
    z[sel] = 2.5
    a[sel] = 2.5
    np.testing.assert_array_equal(z[...], a)
    sel = data.draw(basic_selections(shape))
    same(z[sel], a[sel])


def test_empty_reads_as_zero_not_leftover_memory(make):
    big = np.full((1000, 1000), 12345, "i8")  # dirty the allocator
    del big
    z = make((1000, 1000), "i8", (100, 100))
    assert not z[...].any()
    assert z.nchunks_initialized == 0 and z.cbytes == 0


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_dtypes_round_trip(make, dtype):
    a = sample(dtype, (37, 11))
    z = filled(make, a, (8, 4))
    assert z.dtype == a.dtype
    np.testing.assert_array_equal(z[...], a)
    np.testing.assert_array_equal(z[3:30:4, ::-3], a[3:30:4, ::-3])
    same(z[5, 2], a[5, 2])


# numpy's errors.

@pytest.mark.parametrize("sel,error", [
    (10, IndexError), (-11, IndexError), ((0, 5), IndexError), ((0, -6), IndexError),
    ((0, 0, 0), IndexError), ((..., ...), IndexError),
    (1.0, IndexError), ("a", IndexError), ([1, 10], IndexError), ((None, 0, 5), IndexError),
    (slice(0, 1.5), TypeError), (slice(None, None, 0), ValueError), ((True, 0, 0, 0), IndexError),
    (np.ones(9, bool), IndexError), ([[0], [1, 2]], ValueError),
])
def test_bad_selections_raise_as_numpy(make, sel, error):
    with pytest.raises(error):
        np.zeros((10, 5))[sel]
    z = make((10, 5), "i4", (3, 3))
    z[...] = 1
    before = z[...]
    with pytest.raises(error):
        z[sel]
    with pytest.raises(error):
        z[sel] = 0
    np.testing.assert_array_equal(z[...], before)


@pytest.mark.parametrize("sel,value", [
    (slice(0, 3), np.ones(4)), (..., np.ones((10, 4))), ((0, slice(None)), np.ones((2, 5))),
    (..., np.ones((2, 10, 5))),
])
def test_values_that_do_not_broadcast(make, sel, value):
    z = make((10, 5), "i4", (3, 3))
    z[...] = 3
    with pytest.raises(ValueError, match="could not broadcast"):
        z[sel] = value
    assert (z[...] == 3).all()


def test_values_with_leading_ones_broadcast_as_numpy(make):
    a = np.zeros((4, 6))
    z = make(a.shape, a.dtype, (3, 4))
    a[1:3] = np.ones((1, 1, 2, 6))
    z[1:3] = np.ones((1, 1, 2, 6))
    np.testing.assert_array_equal(z[...], a)


def test_casting_on_write_as_numpy(make):
    a = np.zeros(10, "i4")
    z = make(10, "i4", 4)
    for sel, value in [(slice(0, 5), np.linspace(0, 9.9, 5)), (slice(5, 10), [1.7, -2.2, 3, 4, 5]),
                       (2, 7.9), (..., np.arange(10, dtype="u8"))]:
        a[sel] = value
        z[sel] = value
        np.testing.assert_array_equal(z[...], a)
    s = make(4, "U4", 2)
    s[...] = np.array([1, 22, 333, 4444])
    assert s[...].tolist() == ["1", "22", "333", "4444"]


def test_failed_cast_leaves_data_as_it_was(make):
    z = make(10, "i4", 3)
    z[...] = np.arange(10)
    with pytest.raises(ValueError):
        z[...] = np.array(["1"] * 9 + ["x"])
    with pytest.raises(OverflowError):
        z8 = make(4, "u1", 2)
        z8[0] = 300
    assert z[...].tolist() == list(range(10))


# 0-d arrays and the numpy conventions.

def test_zero_dimensional(make):
    z = make((), "f8", ())
    assert z.shape == () and z.chunks == () and z.nchunks == 1
    same(z[()], np.float64(0))
    same(z[...], np.array(0.0))
    z[()] = 4.5
    same(z[()], np.float64(4.5))
    z[...] = 5
    assert float(np.asarray(z)) == 5.0
    with pytest.raises(TypeError):
        len(z)
    with pytest.raises(IndexError):
        z[0]


def test_numpy_conventions(make):
    a = reference((25, 7), "i8")
    z = filled(make, a, (4, 3))
    np.testing.assert_array_equal(np.asarray(z), a)
    np.testing.assert_array_equal(np.asarray(z, dtype="f4"), a.astype("f4"))
    assert np.asarray(z, dtype="f4").dtype == np.float32
    with pytest.raises(ValueError):
        np.asarray(z, copy=False)
    assert len(z) == 25
    rows = list(z)
    assert len(rows) == 25
    for row, expected in zip(rows, a):
        np.testing.assert_array_equal(row, expected)
    same(z[()], a[()])
    same(z[3], a[3])
    same(z[3, 4], a[3, 4])
    same(z[-1, ..., -1], a[-1, ..., -1])
    assert list(filled(make, np.arange(5), 2)) == [0, 1, 2, 3, 4]


def test_properties(make):
    z = make((100, 30), "f4", (10, 7), cname="zstd", clevel=3, shuffle=2, fill_value=1.5)
    assert (z.shape, z.dtype, z.chunks, z.ndim, z.size, z.itemsize, z.nbytes) == (
        (100, 30), np.dtype("f4"), (10, 7), 2, 3000, 4, 12000)
    assert (z.cname, z.clevel, z.shuffle, z.fill_value) == ("zstd", 3, 2, 1.5)
    assert (z.nchunks, z.nchunks_initialized, z.cbytes, z.cdata_shape) == (50, 0, 0, (10, 5))
    z[:10, :7] = 0
    assert z.nchunks_initialized == 1 and z.cbytes > 16
    z[:, :] = 0
    assert z.nchunks_initialized == 50


@pytest.mark.parametrize("option,value,error", [
    ("cname", "snappy", ValueError), ("clevel", 10, ValueError), ("shuffle", 3, ValueError),
    ("dtype", "V0", TypeError), ("chunks", (0, 5), ValueError), ("chunks", (5,), ValueError),
    ("fill_value", "x", ValueError),
])
def test_bad_options(make, option, value, error):
    kwargs = {"dtype": "i4", "chunks": (5, 5)}
    kwargs[option] = value
    with pytest.raises(error):
        make((10, 10), **kwargs)


def test_a_chunk_over_the_blosc_limit_is_refused_at_creation(make):
    with pytest.raises(ValueError, match="over blosc's limit"):
        make((10**6, 10**6), "f8", (10**5, 10**5))


# Resize and append.

@given(st.data())
def test_resize_keeps_data_and_regrown_regions_read_as_fill(data):
    shape, chunks = data.draw(shapes_and_chunks(max_dims=3, max_side=9))
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    a = reference(shape, "i4")
    z = filled(KINDS[kind], a, chunks, fill_value=-1)
    for _ in range(3):
        new = tuple(data.draw(st.integers(0, 12)) for _ in shape)
        b = np.full(new, -1, "i4")
        common = tuple(slice(0, min(m, n)) for m, n in zip(a.shape, new))
        b[common] = a[common]
        z.resize(new)
        a = b
        assert z.shape == new
        np.testing.assert_array_equal(z[...], a)
        grid = tuple(-(-n // c) for n, c in zip(new, chunks))
        assert z.nchunks == int(np.prod(grid))
        assert z.nchunks_initialized <= z.nchunks


def test_shrink_then_grow_shows_fill_in_the_kept_edge_chunk(make):
    z = make(10, "i4", 4, fill_value=-1)
    z[...] = np.arange(10)
    z.resize(5)
    assert z.nchunks_initialized == 2
    z.resize(10)
    assert z[...].tolist() == [0, 1, 2, 3, 4, -1, -1, -1, -1, -1]


def test_resize_forms_and_errors(make):
    z = make((10, 10), "i4", (3, 3))
    z.resize(12, 11)
    assert z.shape == (12, 11)
    z.resize((2, 3))
    assert z.shape == (2, 3)
    z.resize([4.0, 5])
    assert z.shape == (4, 5)
    for bad in [(1,), (1, 2, 3)]:
        with pytest.raises(ValueError):
            z.resize(*bad)
    with pytest.raises(ValueError):
        z.resize(-1, 2)
    with pytest.raises(TypeError):
        z.resize(1.5, 2)
    assert z.shape == (4, 5)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_append_on_any_axis(make, axis):
    a = reference((5, 6, 7), "i4")
    z = filled(make, a, (2, 4, 3))
    for n in (1, 3, 6):
        extra = np.moveaxis(reference((n,) + tuple(np.delete(a.shape, axis % 3)), "i4", n),
                            0, axis)
        z.append(extra, axis=axis)
        a = np.concatenate([a, extra], axis=axis)
        assert z.shape == a.shape
        np.testing.assert_array_equal(z[...], a)


def test_append_checks_shapes_and_keeps_data_on_failure(make):
    z = make((4, 3), "i4", (2, 2))
    z[...] = 1
    with pytest.raises(ValueError, match="cannot be appended"):
        z.append(np.ones((2, 4)))
    with pytest.raises(ValueError, match="dimensions"):
        z.append(np.ones(3))
    with pytest.raises(np.exceptions.AxisError):
        z.append(np.ones((4, 3)), axis=2)
    with pytest.raises(ValueError):
        z.append(np.array([["1", "2", "x"]]))
    assert z.shape == (4, 3) and (z[...] == 1).all()
    z.append([[5, 5, 5]])
    assert z[...].tolist() == [[1, 1, 1]] * 4 + [[5, 5, 5]]


# Summaries.

def test_human_sizes_in_the_summary(make):
    z = make((10000, 1000), "i4", (1000, 100))
    lines = repr(z).splitlines()
    assert lines[0] == "zarr.%s((10000, 1000), int32, chunks=(1000, 100))" % type(z).__name__
    assert lines[1] == "  cname: blosclz; clevel: 5; shuffle: 1 (BYTESHUFFLE)"
    assert lines[2] == "  nbytes: 38.1M; cbytes: 0; initialized: 0/100"
    z[...] = 7
    cbytes = z.cbytes
    assert cbytes == sum(len(z._existing_chunk(k).get_cdata()) for k in np.ndindex(*z.cdata_shape))
    ratio = 40_000_000 / cbytes
    assert repr(z).splitlines()[2] == "  nbytes: 38.1M; cbytes: %s; ratio: %.1f; initialized: %s" % (
        zarr.util.human_readable_size(cbytes), ratio, "100/100")
    assert str(z.info) == repr(z) and repr(z.info) == repr(z)



def summary_ratio(z):
    sizes = repr(z).splitlines()[2]
    return float(sizes.split("ratio: ")[1].split(";")[0]) if "ratio: " in sizes else None


def test_the_ratio_is_over_the_chunks_written(make):
    # Two of 10**9 chunks written: the ratio of those two, not of the whole shape.
    z = make((10**9, 100), "f8", (100, 100))
    assert summary_ratio(z) is None
    z[0] = 1.5
    z[10**9 - 1] = np.arange(100.0)  # the last chunk, stored whole
    stored = 2 * 100 * 100 * 8
    assert summary_ratio(z) == round(stored / z.cbytes, 1)
    assert 1 < summary_ratio(z) < 1000
    # Written whole, the same as the array's own nbytes over cbytes.
    w = make((40, 30), "i4", (10, 10))
    w[...] = 3
    assert summary_ratio(w) == round(w.nbytes / w.cbytes, 1)


# Pickling.

def test_pickle_round_trip(make):
    a = reference((30, 20), "f8")
    z = filled(make, a, (7, 6), cname="lz4", fill_value=np.nan)
    z.resize(35, 20)
    y = pickle.loads(pickle.dumps(z))
    assert type(y) is type(z)
    np.testing.assert_array_equal(y[...], z[...])
    assert (y.chunks, y.cname, y.nchunks_initialized, y.cbytes) == (
        z.chunks, z.cname, z.nchunks_initialized, z.cbytes)
    assert np.isnan(y.fill_value)


# Threads.

SYNCHRONIZED = sorted(k for k in KINDS if k.startswith("synchronized"))


@pytest.mark.parametrize("kind", SYNCHRONIZED)
@pytest.mark.parametrize("nthreads", [2, 4])
def test_threads_writing_interleaved_columns_lose_no_update(nthreads, kind):
    """Each thread increments its own columns; all columns share every chunk."""
    z = KINDS[kind]((40, 4 * nthreads), "i8", (10, 4 * nthreads))
    rounds = 300 if "memory" in kind else 100
    barrier = threading.Barrier(nthreads)

    def work(t):
        barrier.wait()
        for _ in range(rounds):
            z[:, t::nthreads] = z[:, t::nthreads] + 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (z[...] == rounds).all()


@pytest.mark.parametrize("kind", SYNCHRONIZED)
def test_threads_writing_disjoint_rows_of_shared_chunks(kind):
    z = KINDS[kind]((1000, 50), "i4", (100, 50))
    a = reference((1000, 50), "i4")

    def work(t):
        for i in range(t, 1000, 4):
            z[i] = a[i]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(z[...], a)


# Reading into an existing array.

@given(st.data())
def test_get_basic_selection_into_out(data):
    shape, chunks = data.draw(shapes_and_chunks(max_dims=3))
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    a = reference(shape, "i4")
    z = filled(KINDS[kind], a, chunks)
    sel = data.draw(basic_selections(shape))
    expected = np.asarray(a[sel])
    order = data.draw(st.sampled_from(["C", "F"]))
    out = np.full(expected.shape, -1, "i8", order=order)
    assert z.get_basic_selection(sel, out=out) is out
    np.testing.assert_array_equal(out, expected)


def test_get_basic_selection_checks_out(make):
    z = make((10, 10), "f8", (3, 3))
    with pytest.raises(ValueError, match="shape"):
        z.get_basic_selection(slice(0, 5), out=np.empty((4, 10)))
    with pytest.raises(ValueError, match="shape"):
        z.get_basic_selection(Ellipsis, out=[0] * 100)
    ro = np.empty((10, 10))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        z.get_basic_selection(Ellipsis, out=ro)


@given(st.sampled_from(["i1", "i4", "u4", "f4", "f8", "c8", "M8[s]", "U2", "S2", "?"]),
       st.sampled_from(["i2", "i4", "i8", "u8", "f4", "f8", "c16", "M8[ms]", "U3", "S1", "O"]))
def test_out_takes_only_a_dtype_that_loses_nothing(dtype, out_dtype):
    a = reference((6, 5), "i4").astype(dtype)
    z = zarr.array(a, chunks=(4, 2))
    out = np.zeros((6, 3), out_dtype)
    before = out.copy()
    if np.can_cast(dtype, out_dtype, "safe"):
        assert z.get_basic_selection((slice(None), slice(1, 4)), out=out) is out
        np.testing.assert_array_equal(out, a[:, 1:4].astype(out_dtype))
    else:
        with pytest.raises(TypeError, match="without loss"):
            z.get_basic_selection((slice(None), slice(1, 4)), out=out)
        np.testing.assert_array_equal(out, before)


def test_single_element_read_decompresses_only_its_block(make):
    """Damage the last block of a 1 MB chunk: elements of the first block still read."""
    a = sample("f8", (131072,))
    z = make(a.shape, "f8", a.shape, blocksize=8192)
    z[...] = a
    chunk = z._existing_chunk((0,))
    frame = bytearray(chunk.get_cdata())
    nbytes, cbytes, blocksize = zarr.ext.cbuffer_sizes(frame)
    assert nbytes // blocksize >= 8
    nblocks = nbytes // blocksize
    last = int.from_bytes(frame[16 + 4 * (nblocks - 1):20 + 4 * (nblocks - 1)], "little")
    for i in range(last + 8, last + 48):  # inside the first split's payload
        frame[i] ^= 0x5A
    chunk.set_cdata(bytes(frame))  # lengths intact: it passes validation
    for i in [0, 1, 100, blocksize // 8 - 1]:
        assert z[i] == a[i]
    np.testing.assert_array_equal(z[10:20], a[10:20])
    try:
        whole = z[...]
    except zarr.CorruptChunkError:
        pass
    else:
        assert not np.array_equal(whole, a)
