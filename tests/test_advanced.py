"""Advanced indexing (zarr.advanced, zarr.selections) against numpy, the oracle:
z[sel] and z[sel] = v for every index numpy takes, and the orthogonal, point,
mask and block selections."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import zarr
from zarr.advanced import block_selection
from zarr.grouping import dim_groups, point_groups

from arrays import KINDS, reference, selection_forms, shapes_and_chunks


@st.composite
def int_arrays(draw, n, max_dims=2, allow_bad=False):
    """An integer index of a dimension of length n: a list or an array, 1-D or more."""
    ndim = draw(st.integers(1, max_dims))
    shape = tuple(draw(st.integers(0, 4)) for _ in range(ndim))
    size = int(np.prod(shape))
    lo, hi = (-n - 1, n) if allow_bad and draw(st.integers(0, 9)) == 0 else (-n, n - 1)
    if hi < lo or (n == 0 and not allow_bad):
        values = []
        shape = (0,)
    else:
        values = draw(st.lists(st.integers(lo, hi), min_size=size, max_size=size))
    arr = np.array(values, dtype=draw(st.sampled_from(["i8", "i4", "u2"]))
                   if not any(v < 0 for v in values) else "i8").reshape(shape)
    return arr.tolist() if draw(st.booleans()) else arr


@st.composite
def numpy_indices(draw, shape, allow_bad=False):
    """Any index numpy takes (and, with allow_bad, some it refuses)."""
    parts = []
    d = 0
    while d < len(shape):
        n = shape[d]
        kinds = ["slice", "all", "ints", "bools"] + (["int"] if n > 0 else [])
        if d + 1 < len(shape):
            kinds.append("mask")
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "all":
            parts.append(slice(None))
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-n - 3, n + 3))
            step = st.one_of(st.none(), st.integers(-4, 4).filter(bool))
            parts.append(slice(draw(bound), draw(bound), draw(step)))
        elif kind == "ints":
            parts.append(draw(int_arrays(n, allow_bad=allow_bad)))
        elif kind == "bools":
            # A wrong length, or 0 (which numpy lets match any length).
            m = n + (draw(st.sampled_from([0, 0, 0, 1, -n])) if allow_bad else 0)
            parts.append(np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)), bool))
        else:
            k = 2
            size = shape[d] * shape[d + 1]
            mask = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)),
                            bool).reshape(shape[d:d + k])
            parts.append(mask)
            d += 1
        d += 1
    # New axes and 0-d booleans anywhere.
    for _ in range(draw(st.integers(0, 2))):
        extra = draw(st.sampled_from([None, None, True, False, np.bool_(True)]))
        parts.insert(draw(st.integers(0, len(parts))), extra)
    return draw(selection_forms(parts))


def _outcome(f):
    try:
        return f(), None
    except (IndexError, TypeError, ValueError, OverflowError) as e:
        return None, type(e)


def _same(got, expected):
    assert np.shape(got) == np.shape(expected)
    assert type(got) is type(expected) or isinstance(got, np.ndarray) == isinstance(
        expected, np.ndarray)
    np.testing.assert_array_equal(got, expected)


@st.composite
def arrays_and_indices(draw, allow_bad=False):
    shape, chunks = draw(shapes_and_chunks(max_dims=4, max_side=7))
    return shape, chunks, draw(numpy_indices(shape, allow_bad))


@given(arrays_and_indices(allow_bad=True))
def test_getitem_is_numpys(case):
    shape, chunks, sel = case
    a = reference(shape, "i4")
    z = zarr.array(a, chunks=chunks)
    expected, error = _outcome(lambda: a[sel])
    if error is not None:
        with pytest.raises(error):
            z[sel]
        return
    _same(z[sel], expected)


@given(arrays_and_indices(allow_bad=True), st.data())
def test_setitem_is_numpys(case, data):
    shape, chunks, sel = case
    a = reference(shape, "i4")
    z = zarr.array(a, chunks=chunks)
    target, error = _outcome(lambda: a[sel])
    if error is not None:
        with pytest.raises(error):
            z[sel] = 1
        np.testing.assert_array_equal(z[...], a)
        return
    rshape = np.shape(target)
    # The value: a scalar, the result's shape, or a shape that broadcasts to it.
    form = data.draw(st.sampled_from(["scalar", "full", "broadcast"]))
    if form == "scalar":
        value = -7
    else:
        vshape = tuple(1 if form == "broadcast" and data.draw(st.booleans()) else m
                       for m in rshape)
        value = -np.arange(1, int(np.prod(vshape)) + 1, dtype="i4").reshape(vshape)
    expected = a.copy()
    expected[sel] = value
    z[sel] = value
    np.testing.assert_array_equal(z[...], expected)


@given(arrays_and_indices())
def test_bad_values_raise_as_numpy_and_leave_the_array_as_it_was(case):
    shape, chunks, sel = case
    a = reference(shape, "i4")
    target, error = _outcome(lambda: a[sel])
    if error is not None:
        return
    z = zarr.array(a, chunks=chunks)
    for bad in (np.zeros(tuple(m + 1 for m in np.shape(target)) or (2,), "i4"),
                np.int64(2 ** 40), np.float64("nan"), np.array(["x"])):
        with np.errstate(invalid="ignore"):
            _, expected = _outcome(lambda: a.copy().__setitem__(sel, bad))
        if expected is None:
            continue
        with pytest.raises((expected, OverflowError)):
            z[sel] = bad
        np.testing.assert_array_equal(z[...], a)


@st.composite
def orthogonal_indices(draw, shape):
    parts = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "ints", "bools"] if n else
                                    ["slice", "bools"]))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-n - 3, n + 3))
            step = st.one_of(st.none(), st.integers(-4, 4).filter(bool))
            parts.append(slice(draw(bound), draw(bound), draw(step)))
        elif kind == "ints":
            parts.append(np.array(draw(st.lists(st.integers(-n, n - 1), max_size=6)), "i8"))
        else:
            parts.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool))
    return tuple(parts)


def _ix_reference(a, sel):
    """a's orthogonal selection by numpy: each index applied on its own axis."""
    out = a
    axis = 0
    for s in sel:
        if isinstance(s, np.ndarray):
            idx = np.flatnonzero(s) if s.dtype == bool else s
            out = np.take(out, idx, axis=axis)
            axis += 1
        elif type(s) is slice:
            out = out[(slice(None),) * axis + (s,)]
            axis += 1
        else:
            out = np.take(out, s, axis=axis)
    return out


@given(shapes_and_chunks(max_dims=4, max_side=7), st.data())
def test_orthogonal_selection_is_ix(case, data):
    shape, chunks = case
    sel = data.draw(orthogonal_indices(shape))
    a = reference(shape, "i4")
    z = zarr.array(a, chunks=chunks)
    expected = _ix_reference(a, sel)
    _same(np.asarray(z.oindex[sel]), np.asarray(expected))
    out = np.full(np.shape(expected), -1, "i4")
    assert z.get_orthogonal_selection(sel, out=out) is out
    np.testing.assert_array_equal(out, expected)
    # Write: the same positions of a numpy array, through np.ix_ of the indices.
    value = -np.arange(1, np.size(expected) + 1, dtype="i4").reshape(np.shape(expected))
    z.oindex[sel] = value
    ix = []
    keep = []
    for s, n in zip(sel, shape):
        if isinstance(s, np.ndarray):
            ix.append(np.flatnonzero(s) if s.dtype == bool else np.asarray(s) % max(n, 1))
            keep.append(True)
        elif type(s) is slice:
            ix.append(np.arange(n)[s])
            keep.append(True)
        else:
            ix.append(np.array([s % n]))
            keep.append(False)
    full = value.reshape([len(i) for i in ix]) if ix else value
    expected_a = a.copy()
    if ix:
        expected_a[np.ix_(*ix)] = full
    else:
        expected_a[()] = value
    np.testing.assert_array_equal(z[...], expected_a)


@given(shapes_and_chunks(max_dims=4, max_side=7), st.data())
def test_coordinate_and_mask_selections(case, data):
    shape, chunks = case
    if not shape:
        return
    a = reference(shape, "i4")
    z = zarr.array(a, chunks=chunks)
    npts = data.draw(st.integers(0, 12))
    coords = tuple(np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=npts,
                                               max_size=npts)) if n else [], "i8")
                   for n in shape)
    if all(n for n in shape) or npts == 0:
        _same(z.vindex[coords], a[coords])
        _same(z.get_coordinate_selection(coords), a[coords])
        b = a.copy()
        b[coords] = np.arange(npts, dtype="i4")
        z.vindex[coords] = np.arange(npts, dtype="i4")
        np.testing.assert_array_equal(z[...], b)
        a = b
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=a.size, max_size=a.size)),
                    bool).reshape(shape)
    _same(z.vindex[mask], a[mask])
    _same(z.get_mask_selection(mask), a[mask])
    b = a.copy()
    b[mask] = 99
    z.set_mask_selection(mask, 99)
    np.testing.assert_array_equal(z[...], b)


@given(shapes_and_chunks(max_dims=3, max_side=9), st.data())
def test_block_selection(case, data):
    shape, chunks = case
    a = reference(shape, "i4")
    z = zarr.array(a, chunks=chunks)
    grid = [-(-n // c) for n, c in zip(shape, chunks)]
    sel = []
    for g in grid:
        if g and data.draw(st.booleans()):
            sel.append(data.draw(st.integers(-g, g - 1)))
        else:
            bound = st.one_of(st.none(), st.integers(-g - 1, g + 1))
            sel.append(slice(data.draw(bound), data.draw(bound)))
    sel = tuple(sel)
    # The elements of the blocks, as numpy slices them.
    parts = []
    for s, n, c, g in zip(sel, shape, chunks, grid):
        if type(s) is slice:
            start, stop, _ = s.indices(g)
            parts.append(slice(start * c, max(start, stop) * c))
        else:
            parts.append(slice((s % g) * c, (s % g + 1) * c))
    expected = a[tuple(parts)]
    np.testing.assert_array_equal(z.blocks[sel], expected)
    z.blocks[sel] = -1
    b = a.copy()
    b[tuple(parts)] = -1
    np.testing.assert_array_equal(z[...], b)


# Named cases: negative steps, duplicates, unsorted indices, every kind of array.

CASES = [
    ([7, 1, 1, -1],),
    (slice(None, None, -3), [4, 0, 4]),
    ([[9, 0], [3, 3]], slice(2, None, -1)),
    ([3, 2, 1], [0, 5, 5]),
    ([[3], [2]], slice(None, None, -2)),
    (slice(None, 4), [5, 1]),
    (None, [1, 8], None, 4),
    (np.arange(10) % 3 == 0,),
    (np.ones((10, 6), bool),),
    (True, Ellipsis, [2, 2]),
]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("sel", CASES, ids=range(len(CASES)))
def test_named_cases_on_every_kind(kind, sel):
    a = reference((10, 6), "f8")
    z = KINDS[kind]((10, 6), "f8", (3, 4))
    z[...] = a
    _same(z[sel], a[sel])
    b = a.copy()
    value = -np.arange(np.size(a[sel]), dtype="f8").reshape(np.shape(a[sel]))
    b[sel] = value
    z[sel] = value
    np.testing.assert_array_equal(z[...], b)


def test_duplicates_keep_the_last_value_as_numpy():
    a = np.zeros(10, "i4")
    z = zarr.zeros(10, dtype="i4", chunks=3)
    idx = [1, 5, 1, 8, 5, 1]
    a[idx] = [1, 2, 3, 4, 5, 6]
    z[idx] = [1, 2, 3, 4, 5, 6]
    np.testing.assert_array_equal(z[...], a)
    assert z[1] == 6 and z[5] == 5


def test_object_arrays():
    a = np.array([{"a": 1}, "x", 3, None, [1, 2]] * 2, dtype=object)
    z = zarr.array(a, chunks=3)
    assert z[[4, 0, 9]].tolist() == a[[4, 0, 9]].tolist()
    z[[1, 6]] = ["p", "q"]
    a[[1, 6]] = ["p", "q"]
    assert z[...].tolist() == a.tolist()


def test_errors_are_numpys_and_nothing_is_written():
    a = np.arange(20).reshape(4, 5)
    z = zarr.array(a, chunks=2)
    for sel, error in [([4], IndexError), ([0.5], IndexError), ([[0, 1], [0]], ValueError),
                       (np.array([True]), IndexError), ("x", IndexError), ({1}, IndexError),
                       ([None], IndexError), (([0, 1], [0, 1, 2]), IndexError),
                       (1.0, IndexError), ((0, slice(0, 1.5)), TypeError)]:
        with pytest.raises(error):
            a[sel]
        with pytest.raises(error):
            z[sel]
        with pytest.raises(error):
            z[sel] = 1
    np.testing.assert_array_equal(z[...], a)
    for bad, error in (([[0, 1]], IndexError), ([[0, 1], [1]], ValueError),
                       ((np.zeros((4, 5), bool)[0],), IndexError), ((None, 1), IndexError)):
        with pytest.raises(error):
            z.oindex[bad]
    with pytest.raises(IndexError, match="one integer array for each"):
        z.vindex[[0, 1]]
    with pytest.raises(IndexError, match="step 1"):
        z.blocks[::2]
    with pytest.raises(IndexError):
        z.blocks[2]


def test_out_arguments():
    a = np.arange(30).reshape(5, 6)
    z = zarr.array(a, chunks=(2, 4))
    out = np.empty((2, 6), a.dtype)
    assert z.get_orthogonal_selection(([4, 0], slice(None)), out=out) is out
    np.testing.assert_array_equal(out, a[[4, 0]])
    with pytest.raises(ValueError, match="shape"):
        z.get_coordinate_selection(([1], [1]), out=np.empty(2, a.dtype))


def test_reads_visit_each_chunk_once():
    from arrays import counting_store
    z = counting_store((100, 100), "i4", (10, 10))
    z[...] = np.arange(10000).reshape(100, 100)
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, 100, 1000), rng.integers(0, 100, 1000)
    z.store.calls.clear()
    got = z.vindex[i, j]
    np.testing.assert_array_equal(got, i * 100 + j)
    touched = len(set(zip((i // 10).tolist(), (j // 10).tolist())))
    reads = z.store.calls["get"] + z.store.calls["get_ranges"]
    assert reads <= touched * 2  # a ranged read is at most two requests


def test_dim_groups_and_point_groups():
    groups = dim_groups(np.array([9, 0, 4, 3, 9]), 4)
    assert [g[0] for g in groups] == [0, 1, 2]
    assert [np.asarray(g[2]).tolist() for g in groups] == [[1, 3], [2], [0, 4]]
    assert [g[1] if isinstance(g[1], slice) else g[1].tolist() for g in groups][1] == \
        slice(0, 1)
    pg = point_groups([np.array([0, 5, 1]), np.array([3, 0, 2])], [2, 2])
    assert [key for key, _, _ in pg] == [(0, 1), (2, 0)]
    assert block_selection((Ellipsis, -1), (5, 5), (2, 2)) == (slice(0, 5), slice(4, 5))


@given(arrays_and_indices(), st.sampled_from(sorted(KINDS)))
def test_every_kind_reads_and_writes_as_numpy(case, kind):
    shape, chunks, sel = case
    a = reference(shape, "f8")
    z = KINDS[kind](shape, "f8", chunks)
    z[...] = a
    expected, error = _outcome(lambda: a[sel])
    if error is not None:
        with pytest.raises(error):
            z[sel]
        return
    _same(z[sel], expected)
    value = -np.arange(1, np.size(a[sel]) + 1, dtype="f8").reshape(np.shape(a[sel]))
    a[sel] = value
    z[sel] = value
    np.testing.assert_array_equal(z[...], a)


@pytest.mark.parametrize("kind", ["memory", "directory", "counting-store"])
def test_sparse_parts_read_only_their_blocks(kind, monkeypatch):
    import zarr.selections as selections
    calls = []
    original = selections._read_items
    monkeypatch.setattr(selections, "_read_items",
                        lambda *args: calls.append(1) or original(*args))
    a = np.cumsum(np.random.default_rng(0).normal(0, 1, (400, 1000)), axis=1)
    z = KINDS[kind](a.shape, "f8", (200, 1000), blocksize=16384)
    z[...] = a
    rng = np.random.default_rng(1)
    i, j = rng.integers(0, 400, 30), rng.integers(0, 1000, 30)
    _same(z.vindex[i, j], a[i, j])
    _same(z[i[:5], :, None][:, ::97], a[i[:5], :, None][:, ::97])
    _same(z.oindex[np.sort(i), [999, 0, 500]], a[np.ix_(np.sort(i), [999, 0, 500])])
    assert calls
    z.vindex[i, j] = -1.0
    a[i, j] = -1.0
    _same(z.vindex[i, j], a[i, j])
    np.testing.assert_array_equal(z[...], a)


# Dtypes numpy's scalars do not carry (big-endian, fixed-size strings, objects).

DTYPES_KEPT = [">i4", "U3", "S3", object]


@given(arrays_and_indices(), st.sampled_from(DTYPES_KEPT))
def test_getitem_keeps_the_dtype_as_numpy(case, dtype):
    shape, chunks, sel = case
    a = reference(shape, "i4").astype(dtype)
    z = zarr.array(a, chunks=chunks)
    expected, error = _outcome(lambda: a[sel])
    if error is not None:
        with pytest.raises(error):
            z[sel]
        return
    got = z[sel]
    _same(got, expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype


@pytest.mark.parametrize("dtype", DTYPES_KEPT)
@pytest.mark.parametrize("sel", [(0, None), (0, 1, None), (None, 1, 1), (None, 0, None, 2)])
def test_new_axes_around_one_element_keep_the_dtype(dtype, sel):
    a = np.array([[1, 22, 333], [4, 55, 666]]).astype(dtype)
    z = zarr.array(a, chunks=1)
    assert z[sel].dtype == a[sel].dtype
    assert z[sel].tolist() == a[sel].tolist()
    nested = np.empty((1, 2), object)
    nested[0, 0], nested[0, 1] = [1, 2], {"k": 3}
    zn = zarr.array(nested, chunks=1)
    assert zn[0, 0, None].dtype == object and zn[0, 0, None].tolist() == [[1, 2]]


# Empty booleans, numpy's rule: an axis of length 0 matches any axis.

EMPTY_BOOLS = [np.zeros(0, bool), (np.zeros(0, bool), slice(None)), np.zeros((0, 4), bool),
               np.zeros((3, 0), bool), (slice(None), np.zeros(0, bool)),
               (np.zeros(0, bool), [1]), (np.zeros(0, bool), np.zeros(0, bool)),
               np.zeros((0, 5), bool), np.zeros((1, 0), bool), np.zeros(1, bool),
               (np.zeros(0, bool), [0, 1]), (np.zeros(0, bool), 7)]


@pytest.mark.parametrize("shape", [(3, 4), (0, 4)])
@pytest.mark.parametrize("sel", EMPTY_BOOLS, ids=range(len(EMPTY_BOOLS)))
def test_empty_booleans_as_numpy(shape, sel):
    a = reference(shape, "i4")
    z = zarr.array(a, chunks=2)
    expected, error = _outcome(lambda: a[sel])
    if error is not None:
        with pytest.raises(error):
            z[sel]
        with pytest.raises(error):
            z[sel] = 1
        return
    _same(z[sel], expected)
    z[sel] = 1
    a[sel] = 1
    np.testing.assert_array_equal(z[...], a)


# Unsigned indices beyond the largest intp are out of bounds, not negative.

@pytest.mark.parametrize("big", [2**64 - 1, 2**63])
def test_uint64_indices_are_never_negative(big):
    a = reference((3, 4), "i4")
    z = zarr.array(a, chunks=2)
    idx = np.array([0, big], np.uint64)
    for read in (lambda: z[idx], lambda: z[np.uint64(big)], lambda: z.oindex[idx],
                 lambda: z.oindex[:, idx], lambda: z.vindex[idx, [0, 0]],
                 lambda: z.get_coordinate_selection((idx, np.array([1, 1], np.uint64))),
                 lambda: z.blocks[np.uint64(big)]):
        with pytest.raises(IndexError):
            read()
    for write in (lambda: z.__setitem__(idx, 5), lambda: z.oindex.__setitem__(idx, 5),
                  lambda: z.vindex.__setitem__((idx, [0, 0]), 5)):
        with pytest.raises(IndexError):
            write()
    np.testing.assert_array_equal(z[...], a)


def test_blocks_take_one_ellipsis_as_numpy():
    a = np.arange(12).reshape(3, 4)
    z = zarr.array(a, chunks=2)
    with pytest.raises(IndexError):
        a[..., ...]
    for sel in ((Ellipsis, Ellipsis), (Ellipsis, 0, Ellipsis)):
        with pytest.raises(IndexError, match="single ellipsis"):
            z.blocks[sel]
        with pytest.raises(IndexError, match="single ellipsis"):
            z.blocks[sel] = 1
    np.testing.assert_array_equal(z.blocks[..., 1], a[:, 2:4])


def test_one_element_of_oindex_and_vindex_is_a_scalar_as_numpy():
    a = reference((3, 4), "i4")
    z = zarr.array(a, chunks=2)
    for got in (z.oindex[1, 2], z.vindex[1, 2], z.get_orthogonal_selection((-2, 2)),
                z.get_coordinate_selection((np.array(1), np.array(2)))):
        assert type(got) is type(a[1, 2]) and got == a[1, 2]
    zo = zarr.array(np.array([["a", "b"]], object), chunks=1)
    assert zo.oindex[0, 1] == "b" and zo.vindex[0, 1] == "b"


def test_vindex_takes_a_zarr_boolean_array_as_a_mask():
    a = reference((3, 4), "i4")
    z = zarr.array(a, chunks=2)
    mask = a % 3 == 0
    zmask = zarr.array(mask, chunks=(2, 3))
    _same(z.vindex[zmask], a[mask])
    _same(z.get_mask_selection(zmask), a[mask])
    _same(z[zmask], a[mask])
    z.vindex[zmask] = -1
    a[mask] = -1
    np.testing.assert_array_equal(z[...], a)


# out= receives only what casts into it without loss (numpy's 'safe' casting).

@pytest.mark.parametrize("dtype,out_dtype,ok", [("i4", "i8", True), ("i4", "f8", True),
                                                (">i4", "<i4", True), ("f8", "f4", False),
                                                ("f8", "i8", False), ("i8", "i4", False),
                                                ("u4", "i4", False), ("c16", "f8", False),
                                                ("U3", "U2", False), ("U2", "U3", True),
                                                (object, "f8", False), ("i4", object, True)])
def test_out_of_a_dtype_that_loses_values_is_refused(dtype, out_dtype, ok):
    a = reference((5, 6), "i4").astype(dtype)
    z = zarr.array(a, chunks=(2, 4))
    reads = [
        (lambda out: z.get_basic_selection((slice(1, 3), slice(None)), out=out), a[1:3]),
        (lambda out: z.get_block_selection((0, slice(None)), out=out), a[0:2]),
        (lambda out: z.get_orthogonal_selection(([4, 0], slice(None)), out=out), a[[4, 0]]),
        (lambda out: z.get_coordinate_selection(([4, 0], [1, 5]), out=out), a[[4, 0], [1, 5]]),
        (lambda out: z.get_mask_selection(a == a[0, 0], out=out), a[a == a[0, 0]]),
    ]
    for read, expected in reads:
        out = np.zeros(expected.shape, out_dtype)
        if ok:
            assert read(out) is out
            assert out.tolist() == expected.astype(out_dtype).tolist()
        else:
            with pytest.raises(TypeError, match="without loss"):
                read(out)
            assert not out.any()
