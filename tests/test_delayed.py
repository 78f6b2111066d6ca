"""Delayed arrays (zarr.delayed) against numpy, over every kind of seed."""

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarr
from zarr.delayed import DelayedArray

DATA = np.random.default_rng(0).standard_normal((23, 17)) * 10


class Counting:
    """A seed that counts the elements read from it."""

    def __init__(self, array, chunks):
        self.array, self.chunks = array, chunks
        self.shape, self.dtype = array.shape, array.dtype
        self.read = 0

    def __getitem__(self, selection):
        out = self.array[selection]
        self.read += np.size(out)
        return out


@pytest.fixture(params=["numpy", "zarr", "h5py", "counting"])
def seed(request, tmp_path):
    if request.param == "numpy":
        return DATA
    if request.param == "zarr":
        return zarr.array(DATA, chunks=(7, 5))
    if request.param == "h5py":
        f = h5py.File(tmp_path / "d.h5", "w")
        request.addfinalizer(f.close)
        return f.create_dataset("x", data=DATA, chunks=(7, 5))
    return Counting(DATA, (7, 5))


def test_nothing_is_read_until_asked():
    seed = Counting(DATA, (7, 5))
    d = np.log1p(abs(DelayedArray(seed) / np.arange(1, 18))) * 2 + 1
    d = d[3:9, [0, 4, 16]].T
    assert seed.read == 0 and d.shape == (3, 6)
    np.testing.assert_allclose(np.asarray(d),
                               (np.log1p(abs(DATA / np.arange(1, 18))) * 2 + 1)[3:9, [0, 4, 16]].T)
    assert seed.read <= 6 * 3 * 2  # the rows and columns asked for, not the array


def test_a_subset_reads_only_the_chunks_it_covers():
    z = zarr.array(DATA, chunks=(7, 5))
    counted = Counting(z, (7, 5))
    d = (DelayedArray(counted) * 3)[8:12, 6:9]
    d.compute()
    assert counted.read == 4 * 3


def test_ufuncs_and_operators(seed):
    d = DelayedArray(seed)
    x = DATA
    cases = [
        (np.log1p(abs(d)), np.log1p(abs(x))), (np.sqrt(d * d), np.sqrt(x * x)),
        (d / np.arange(1, 18), x / np.arange(1, 18)), (2 ** (d / 10), 2 ** (x / 10)),
        (d - 1, x - 1), (1 - d, 1 - x), (d // 3, x // 3), (d % 3, x % 3), (-d, -x),
        (+d, +x), (d > 0, x > 0), (d <= 1, x <= 1), (d == d, x == x), (d != 0, x != 0),
        ((d > 0) & (d < 5), (x > 0) & (x < 5)), ((d > 0) | (d < -5), (x > 0) | (x < -5)),
        ((d > 0) ^ (d < 5), (x > 0) ^ (x < 5)), (~(d > 0), ~(x > 0)),
        (np.isnan(d), np.isnan(x)), (np.maximum(d, 0), np.maximum(x, 0)),
        (np.arctan2(d, d[:1]), np.arctan2(x, x[:1])),  # a delayed (1, 17) broadcast
        (d.astype("i4"), x.astype("i4")), (d.T, x.T), (d.transpose(1, 0), x.T),
        (np.round(d, 1), np.round(x, 1)), (d.round(), x.round()), (np.clip(d, -1, 2), np.clip(x, -1, 2)),
        (np.where(d > 0, d, 0), np.where(x > 0, x, 0)),
        (np.concatenate([d, d[:2]]), np.concatenate([x, x[:2]])),
        (np.concatenate([d, d[:, :2]], axis=1), np.concatenate([x, x[:, :2]], axis=1)),
        (np.stack([d, d * 2], axis=1), np.stack([x, x * 2], axis=1)),
    ]
    for got, want in cases:
        assert isinstance(got, DelayedArray)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(np.asarray(got), want)


def test_ufuncs_of_several_outputs(seed):
    frac, whole = np.modf(DelayedArray(seed))
    want = np.modf(DATA)
    np.testing.assert_array_equal(frac.compute(), want[0])
    np.testing.assert_array_equal(whole.compute(), want[1])


@pytest.mark.parametrize("selection", [
    (slice(None), slice(None)), (5,), (slice(2, 20, 3), 4), (-1, slice(None, None, -2)),
    ([3, 1, 1, 22],), (slice(None), [16, 0, 5]), (np.arange(23) % 3 == 0, slice(1, 9)),
    (Ellipsis, 2), ([0, 5], [1, 2, 3]), (slice(20, 2, -4), [4, 4, 0]), (slice(5, 5),),
])
def test_subsets(seed, selection):
    d = DelayedArray(seed) * 2
    want = DATA * 2
    for axis, sel in enumerate(selection):  # numpy's orthogonal form, one axis at a time
        if sel is Ellipsis:
            want = want[..., selection[-1]]
            break
        index = [slice(None)] * want.ndim
        index[axis - sum(1 for s in selection[:axis] if isinstance(s, int))] = sel
        want = want[tuple(index)]
    got = d[selection]
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.compute(), want)


def test_subsets_of_subsets(seed):
    d = DelayedArray(seed)
    np.testing.assert_array_equal(d[::-1][2:15:2][[0, 3]][:, 3:12][:, ::-3].compute(),
                                  DATA[::-1][2:15:2][[0, 3]][:, 3:12][:, ::-3])
    assert d[4, 5][...] == DATA[4, 5]


@pytest.mark.parametrize("kind", ["sum", "prod", "mean", "var", "std", "min", "max", "any",
                                  "all", "count_nonzero"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
def test_reductions(seed, kind, axis):
    d = DelayedArray(seed) / 10
    x = DATA / 10
    got = getattr(np, kind)(d, axis=axis)
    want = getattr(np, kind)(x, axis=axis)
    assert np.shape(got) == np.shape(want) and np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-10)
    if kind != "count_nonzero":
        np.testing.assert_allclose(getattr(d, kind)(axis=axis, keepdims=True),
                                   getattr(x, kind)(axis=axis, keepdims=True), rtol=1e-10)


def test_reductions_of_integers_and_options():
    x = np.arange(-50, 50, dtype="i2").reshape(10, 10)
    d = DelayedArray(zarr.array(x, chunks=(3, 4)))
    for kind in ("sum", "mean", "var", "std", "prod"):
        got, want = getattr(d, kind)(axis=0), getattr(x, kind)(axis=0)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(d.var(ddof=1), x.var(ddof=1))
    assert d.sum(dtype="f4").dtype == np.float32
    assert np.sum(d[:0]) == 0 and np.isnan(d[:0].mean())
    with pytest.raises(ValueError, match="zero-size"):
        d[:0].min()
    with pytest.raises(np.exceptions.AxisError):
        d.sum(axis=2)


def test_bad_input_is_refused_when_built(seed):
    d = DelayedArray(seed)
    with pytest.raises(ValueError, match=r"\(23, 17\) and \(5,\)"):
        d + np.arange(5)
    with pytest.raises(ValueError, match=r"\(23, 17\) and \(17, 23\)"):
        d * d.T
    with pytest.raises(TypeError, match="out="):
        np.add(d, 1, out=np.empty(d.shape))
    with pytest.raises(TypeError, match="reduce is not element-wise"):
        np.add.reduce(d, where=True)
    with pytest.raises(TypeError, match="numpy.cumsum is not among"):
        np.cumsum(d)
    with pytest.raises(TypeError, match="inv"):
        np.linalg.inv(d[:5, :5])
    with pytest.raises(IndexError):
        d[23]
    with pytest.raises(IndexError):
        d[:, [17]]
    with pytest.raises(IndexError):
        d[None]
    with pytest.raises(TypeError, match="seed needs"):
        DelayedArray(object())


def test_summary_computes_only_its_corners():
    big = np.arange(1000 * 800, dtype="f8").reshape(1000, 800)
    seed = Counting(big, (100, 100))
    text = repr(DelayedArray(seed) + 1)
    assert text.splitlines()[0] == "<1000 x 800> DelayedArray object of type 'float64'"
    assert "..." in text and "8.00000e+05]]" in text and text.count("\n") == 7
    assert seed.read <= 6 * 6 * 4


def test_arrays_of_this_package_as_seeds(tmp_path):
    z = zarr.open(str(tmp_path / "a"), mode="w", shape=DATA.shape, chunks=(4, 4), dtype="f8")
    z[...] = DATA
    d = DelayedArray(z)
    assert d.chunks == (4, 4)
    np.testing.assert_allclose(np.log1p(abs(d)).sum(axis=1), np.log1p(abs(DATA)).sum(axis=1))


OPS = [
    ("add", lambda a: a + 1.5), ("mul", lambda a: a * -2), ("abs", abs),
    ("sqrt", lambda a: np.sqrt(abs(a))), ("sub rows", lambda a: a - a[:1]),
    ("T", lambda a: a.T), ("rev", lambda a: a[::-1]), ("step", lambda a: a[::2]),
    ("cols", lambda a: a[:, [0, -1, 0]] if a.shape[1] else a),
    ("clip", lambda a: np.clip(a, -3, 3)), ("where", lambda a: np.where(a > 0, a, -a)),
]


@settings(max_examples=60, deadline=None)
@given(shape=st.tuples(st.integers(1, 12), st.integers(1, 12)),
       chunks=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       ops=st.lists(st.sampled_from(OPS), max_size=5),
       reduce_axis=st.sampled_from([None, 0, 1]))
def test_chains_against_numpy(shape, chunks, ops, reduce_axis):
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    d = DelayedArray(zarr.array(x, chunks=chunks))
    for _, op in ops:
        x, d = op(x), op(d)
    np.testing.assert_allclose(d.compute(), x)
    np.testing.assert_allclose(d.sum(axis=reduce_axis), x.sum(axis=reduce_axis), atol=1e-9)
    np.testing.assert_allclose(d.std(axis=reduce_axis), x.std(axis=reduce_axis), atol=1e-9)


def test_results_in_stores_and_dask(tmp_path):
    x = DATA
    d = np.log1p(abs(DelayedArray(zarr.array(x, chunks=(7, 5)))))
    want = np.log1p(abs(x))
    z = d.to_zarr(str(tmp_path / "a.zarr"))
    assert z.chunks == (7, 5)
    np.testing.assert_array_equal(zarr.open(str(tmp_path / "a.zarr"), mode="r")[...], want)
    with pytest.raises(Exception, match="exist"):
        d.to_zarr(str(tmp_path / "a.zarr"))  # never overwritten by default
    np.testing.assert_array_equal(zarr.open(str(tmp_path / "a.zarr"), mode="r")[...], want)
    z = (d * 2).to_zarr(str(tmp_path / "b.zarr"), chunks=(4, 17))
    np.testing.assert_array_equal(z[...], want * 2)
    for storage in ("mem", "tmp", "hdf5mem"):
        np.testing.assert_array_equal(np.asarray(d.store(storage=storage)[...]), want)
    dx = d[2:, ::2].to_dask()
    assert dx.shape == (21, 9)
    np.testing.assert_allclose(dx.sum(axis=0).compute(), want[2:, ::2].sum(axis=0))


@pytest.mark.parametrize("threads", [1, 2])
def test_blocks_cut_from_large_chunks(threads):
    from zarr.delayed import blocks, buffer_size
    with buffer_size(8 * 17 * 3):  # a third of a chunk's rows
        _cut_blocks(blocks, threads)
    with pytest.raises(ValueError, match="positive"):
        buffer_size(0)


def _cut_blocks(blocks, threads):
    z = zarr.array(DATA, chunks=(10, 17))
    counted = Counting(z, (10, 17))
    d = DelayedArray(counted) + 1
    spans = [s for s, _ in blocks.blocks(d.shape, blocks.block_shape(d.shape, d.chunks, 8),
                                         d.chunks)]
    assert all(s[0].stop - s[0].start <= 4 and (s[0].start // 10) == ((s[0].stop - 1) // 10)
               for s in spans)  # within one chunk's rows
    np.testing.assert_array_equal(d.compute(threads=threads), DATA + 1)
    np.testing.assert_allclose(blocks.reduce(d._node, "var", 0, threads=threads),
                               (DATA + 1).var(axis=0))
    assert counted.read == 2 * DATA.size


def test_writes_into_large_chunks_lose_nothing(tmp_path):
    x = np.random.default_rng(3).standard_normal((400, 3000))  # chunks of 9.6 MB
    d = DelayedArray(x) * 2
    for _ in range(3):
        z = d.to_zarr(str(tmp_path / "big.zarr"), chunks=(400, 3000), mode="w", threads=2)
        np.testing.assert_array_equal(z[...], x * 2)


def test_arrays_of_this_package_take_part():
    z = zarr.array(DATA, chunks=(7, 5))
    for got, want in [(z + 1, DATA + 1), (1 - z, 1 - DATA), (z > 5, DATA > 5),
                      (np.log1p(abs(z)), np.log1p(abs(DATA))), (-z, -DATA),
                      (np.ones(17) * z, np.ones(17) * DATA), (z ** 2 / z[:1], DATA ** 2 / DATA[:1])]:
        assert isinstance(got, DelayedArray)
        np.testing.assert_array_equal(got.compute(), want)
    assert np.sum(z) == pytest.approx(DATA.sum()) and isinstance(np.mean(z, axis=0), np.ndarray)
    np.testing.assert_allclose(np.mean(z, axis=0), DATA.mean(axis=0))
    assert np.max(z) == DATA.max() and np.count_nonzero(z > 0) == np.count_nonzero(DATA > 0)
    # What is not element-wise works on the values, as before.
    assert isinstance(np.asarray(z), np.ndarray)
    np.testing.assert_array_equal(np.concatenate([z, z]), np.concatenate([DATA, DATA]))
    np.testing.assert_array_equal(np.add.reduce(z, axis=1), np.add.reduce(DATA, axis=1))
    out = np.empty(DATA.shape)
    assert np.add(z, 1, out=out) is out and (out == DATA + 1).all()
    assert z == z and z != zarr.array(DATA) and len({z}) == 1  # identity, still hashable


def test_reductions_of_a_large_array_stay_in_bounded_memory():
    import tracemalloc
    z = zarr.zeros((20000, 10000), chunks=(1000, 1000), dtype="f8")  # 1.6 GB, mostly empty
    z[0, 0], z[-1, -1] = 5, 2
    tracemalloc.start()
    try:
        total, top = np.sum(z), np.max(z, axis=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == 7 and top[0] == 5 and top[-1] == 2 and top.shape == (10000,)
    assert peak < 100e6


def test_hdf5_datasets_reopened_for_each_read(tmp_path):
    from zarr.delayed import hdf5
    path = tmp_path / "whee.h5"
    data = np.random.default_rng(4).random((40, 50))
    with h5py.File(path, "w") as f:
        f.create_dataset("yay", data=data, chunks=(10, 25))
        f.create_group("group")
    arr = hdf5(path, "yay")
    assert arr.chunks == (10, 25)
    scaling = np.random.default_rng(5).random(50) + 0.5
    transformed = np.log1p(arr / scaling)
    np.testing.assert_allclose(transformed.compute(), np.log1p(data / scaling))
    np.testing.assert_allclose(transformed[[30, 2, 2], ::-7].compute(),
                               np.log1p(data / scaling)[[30, 2, 2]][:, ::-7])
    with h5py.File(path, "r+") as f:  # another program's write, between two reads
        f["yay"][0, :] = 0
    assert (arr[0].compute() == 0).all()
    np.testing.assert_array_equal(hdf5(path, "yay", native_order=False).compute(), f_T(path))
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        hdf5(tmp_path / "nope.h5", "yay")
    with pytest.raises(KeyError, match="no dataset 'nay'"):
        hdf5(path, "nay")
    with pytest.raises(TypeError, match="is a group"):
        hdf5(path, "group")


def f_T(path):
    with h5py.File(path, "r") as f:
        return f["yay"][...].T


def test_the_blocks_of_a_petabyte_array_are_made_as_they_are_run():
    import itertools
    import tracemalloc
    from zarr.delayed import blocks
    shape, chunks = (10**8, 10**7), (1000, 1000)  # 3.6 PB of int32: 2e9 blocks
    tracemalloc.start()
    try:
        block = blocks.block_shape(shape, chunks, 4)
        first = list(itertools.islice(blocks.blocks(shape, block, chunks), 1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert block == (500, 1000) and first[1][0] == (slice(0, 500), slice(1000, 2000))
    assert peak < 2_000_000
    ran = []
    blocks.run_blocks(lambda s, i: lambda: ran.append(s), iter(first), 2)
    assert sorted(ran) == sorted(s for s, _ in first)


@pytest.mark.parametrize("n,step,chunk", [(10, 3, 4), (1000, 7, 10), (5, 10, 2), (0, 3, 4),
                                          (17, 4, 4), (9, 2, 9)])
def test_spans_of_a_dimension(n, step, chunk):
    from zarr.delayed.blocks import _Spans
    spans = _Spans(n, step, chunk)
    got = [spans[i] for i in range(len(spans))]
    if step >= chunk:
        want = [(a, min(a + step, n)) for a in range(0, n, step)]
    else:
        want = [(a, min(a + step, c + chunk, n)) for c in range(0, n, chunk)
                for a in range(c, min(c + chunk, n), step)]
    assert got == want
