"""The strided copy of zarr.ext and the band moves built on it, against numpy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import zarr
import zarr.bands
from arrays import KINDS, basic_selections, reference, shapes_and_chunks
from zarr.ext import copy_strided


@given(st.data())
def test_copy_strided_matches_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    dtype = data.draw(st.sampled_from(["u1", "i4", "f8", "c16", "S3", [("a", "i2"), ("b", "f4")]]))
    src = np.frombuffer(np.random.default_rng(0).bytes(int(np.prod(shape)) * np.dtype(dtype).itemsize),
                        dtype).reshape(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    flips = tuple(slice(None, None, data.draw(st.sampled_from([1, -1]))) for _ in shape)
    # dst and src of one shape, each with its own memory layout.
    base = np.zeros(tuple(shape[i] for i in perm), dtype)
    dst = base.transpose(np.argsort(perm))[flips + (Ellipsis,)]
    view = src.transpose(perm).copy().transpose(np.argsort(perm)) if data.draw(st.booleans()) else src
    copy_strided(dst, view)
    assert np.ascontiguousarray(dst).tobytes() == src.tobytes()  # bytes: NaNs compare too


def test_copy_strided_errors():
    with pytest.raises(ValueError, match="shapes"):
        copy_strided(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="items"):
        copy_strided(np.zeros(3, "f8"), np.zeros(3, "f4"))
    with pytest.raises(ValueError):
        copy_strided(np.zeros(3), np.zeros((3, 1)))
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises((ValueError, BufferError)):
        copy_strided(ro, np.ones(3))
    with pytest.raises(TypeError, match="int64"):
        copy_strided(np.zeros(3, "M8[s]"), np.zeros(3, "M8[s]"))
    assert (ro == 0).all()


def test_broadcast_source():
    dst = np.zeros((4, 5))
    copy_strided(dst, np.broadcast_to(np.arange(5.0), (4, 5)))
    np.testing.assert_array_equal(dst, np.tile(np.arange(5.0), (4, 1)))


@pytest.mark.parametrize("band_bytes", [1, 200, 10**9])
@given(data=st.data())
def test_band_moves_whatever_the_run_length(band_bytes, data):
    old = zarr.bands.BAND_BYTES
    zarr.bands.BAND_BYTES = band_bytes
    try:
        shape, chunks = data.draw(shapes_and_chunks(max_dims=3, max_side=14))
        kind = data.draw(st.sampled_from(sorted(KINDS)))
        dtype = data.draw(st.sampled_from(["i4", "M8[s]", "f4"]))
        a = reference(shape, "i8").astype(dtype)
        z = KINDS[kind](shape, dtype, chunks)
        z[...] = a
        np.testing.assert_array_equal(z[...], a)
        sel = data.draw(basic_selections(shape))
        np.testing.assert_array_equal(z[sel], a[sel])
        value = np.array(a[sel])
        if value.ndim:
            value = value[..., ::-1]  # a strided value
        a[sel] = value
        z[sel] = value
        np.testing.assert_array_equal(z[...], a)
        wider = "M8[ms]" if dtype == "M8[s]" else "f8"  # a cast that loses nothing
        out = np.zeros(np.shape(a[sel]), wider, order="F")
        z.get_basic_selection(sel, out=out)
        np.testing.assert_array_equal(out, np.asarray(a[sel]).astype(wider))
    finally:
        zarr.bands.BAND_BYTES = old
