"""Selections and their projections onto chunks, against numpy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrays import basic_selections, shapes_and_chunks
from zarr.indexing import (NotBasicSelection, 
    chunk_projections,
    dim_projections,
    normalize_selection,
    one_chunk_selection,
    selection_shape,
)


@given(st.integers(0, 40), st.integers(1, 12), st.data())
def test_dim_projections_cover_the_selection_exactly(n, c, data):
    bound = st.one_of(st.none(), st.integers(-n - 3, n + 3))
    s = slice(data.draw(bound), data.draw(bound),
              data.draw(st.one_of(st.none(), st.integers(-15, 15).filter(bool))))
    positions = np.arange(n)
    expected = positions[s]
    out = np.full(len(expected), -1)
    seen = []
    for k, csel, osel, whole in dim_projections(s, n, c):
        chunk = positions[k * c:(k + 1) * c]
        part = np.arange(k * c, (k + 1) * c)[csel]
        assert len(part) > 0 and (part < n).all()
        assert (out[osel] == -1).all()  # no output position written twice
        out[osel] = part
        assert whole == (csel == slice(0, c, 1) and len(chunk) == c)
        seen.append(k)
    np.testing.assert_array_equal(out, expected)
    assert len(seen) == len(set(seen))  # each chunk visited once


@given(st.integers(1, 30), st.integers(1, 7), st.data())
def test_dim_projections_of_an_integer(n, c, data):
    i = data.draw(st.integers(0, n - 1))
    [(k, local, osel, whole)] = dim_projections(i, n, c)
    assert k * c + local == i and 0 <= local < c and osel is None and not whole


@given(st.data())
def test_normalized_selection_selects_what_numpy_selects(data):
    shape, chunks = data.draw(shapes_and_chunks())
    sel = data.draw(basic_selections(shape))
    a = np.arange(int(np.prod(shape))).reshape(shape)
    norm, scalar = normalize_selection(sel, shape)
    assert len(norm) == len(shape)
    np.testing.assert_array_equal(a[norm], a[sel])
    assert scalar == np.isscalar(a[sel])
    assert selection_shape(norm, shape) == np.shape(a[sel])


@given(st.data())
def test_chunk_projections_visit_only_touched_chunks(data):
    shape, chunks = data.draw(shapes_and_chunks(max_dims=3))
    sel = data.draw(basic_selections(shape))
    norm, _ = normalize_selection(sel, shape)
    a = np.arange(int(np.prod(shape))).reshape(shape)
    expected = a[norm]
    out = np.full(expected.shape, -1)
    touched = set()
    for key, csel, osel, whole in chunk_projections(norm, shape, chunks):
        region = tuple(slice(k * c, (k + 1) * c) for k, c in zip(key, chunks))
        block = a[region]
        # The chunk as stored: edge chunks padded to the full chunk shape.
        padded = np.full(chunks, -2)
        padded[tuple(slice(0, m) for m in block.shape)] = block
        part = padded[csel]
        assert (np.asarray(part) >= 0).all()
        out[osel + (Ellipsis,)] = part
        assert whole == (block.shape == chunks and all(
            type(s) is slice and s == slice(0, c, 1) for s, c in zip(csel, chunks)))
        touched.add(key)
    np.testing.assert_array_equal(out, expected)
    mask = np.zeros(shape, bool)
    mask[norm] = True
    if mask.ndim == 0:
        wanted = {()}
    else:
        wanted = {tuple(i // c for i, c in zip(idx, chunks)) for idx in zip(*np.nonzero(mask))}
    assert touched == wanted


@given(st.data())
def test_one_chunk_selection_is_the_selection_within_its_only_chunk(data):
    shape, chunks = data.draw(shapes_and_chunks(max_dims=3))
    sel = data.draw(basic_selections(shape))
    norm, _ = normalize_selection(sel, shape)
    a = np.arange(int(np.prod(shape))).reshape(shape)
    expected = a[norm]
    mask = np.zeros(shape, bool)
    mask[norm] = True
    touched = ({()} if mask.ndim == 0 else
               {tuple(i // c for i, c in zip(idx, chunks)) for idx in zip(*np.nonzero(mask))})
    found = one_chunk_selection(norm, shape, chunks)
    has_slice = any(type(s) is slice for s in norm)
    if len(touched) != 1 or not has_slice:
        assert found is None
        return
    key, within = found
    assert {key} == touched
    region = tuple(slice(k * c, (k + 1) * c) for k, c in zip(key, chunks))
    np.testing.assert_array_equal(a[region][within], expected)


@pytest.mark.parametrize("sel,message", [
    ((..., ...), "single ellipsis"), ((0, 0, 0), "too many indices"),
    (7, "index 7 is out of bounds for axis 0 with size 7"),
    ((0, -4), "index -4 is out of bounds for axis 1 with size 3"),
])
def test_index_errors_as_numpy(sel, message):
    with pytest.raises(IndexError, match=message):
        normalize_selection(sel, (7, 3))
    with pytest.raises(IndexError):
        np.zeros((7, 3))[sel]


@pytest.mark.parametrize("sel", [1.0, "x", [0], np.array([0]), None, True, np.bool_(False),
                                 (slice(None), 2.5)])
def test_other_kinds_are_not_basic(sel):
    with pytest.raises(NotBasicSelection, match="basic selection takes only"):
        normalize_selection(sel, (7, 3))


def test_numpy_integers_and_index_objects_are_integers():
    class Index:
        def __index__(self):
            return 2
    assert normalize_selection((np.int8(-1), Index()), (7, 3)) == ((6, 2), True)
