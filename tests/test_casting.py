"""Writes convert their values as numpy's assignment does, error for error."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarr

DTYPES = ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8", "c16",
          "M8[D]", "m8[s]", "U3", "S3"]

_special = [0, 1, -1, 2**7, 2**8, 2**15, 2**31, 2**32, 2**40, 2**63 - 1, 2**64 - 1, 1.5, -2.5,
            1e20, float("nan"), float("inf"), 1j]


@st.composite
def scalars(draw):
    """A value to write: a numpy scalar of some dtype, or a Python number."""
    raw = draw(st.one_of(st.sampled_from(_special), st.integers(-2**65, 2**65),
                         st.floats(allow_nan=True)))
    kind = draw(st.sampled_from(["python", "numpy"]))
    if kind == "python":
        return raw
    dtype = draw(st.sampled_from(DTYPES[:14] + ["M8[D]"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return np.array(raw).astype(dtype)[()]
        except (OverflowError, ValueError, TypeError):
            return np.array(0).astype(dtype)[()]


def outcome(assign):
    """What an assignment does: ('ok', the element) or ('error', its class)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", assign())
        except (OverflowError, ValueError, TypeError) as e:
            return ("error", type(e))


@settings(max_examples=300, deadline=None)
@given(value=scalars(), dtype=st.sampled_from(DTYPES), whole=st.booleans())
def test_scalar_writes_convert_as_numpy_does(value, dtype, whole):
    def into_numpy():
        a = np.zeros(4, dtype)
        if whole:
            a[1:3] = value
        else:
            a[1] = value
        return a.tobytes()

    z = zarr.zeros(4, dtype=dtype, chunks=2)
    before = z[...].tobytes()

    def into_zarr():
        if whole:
            z[1:3] = value
        else:
            z[1] = value
        return z[...].tobytes()

    expected, got = outcome(into_numpy), outcome(into_zarr)
    assert got == expected, (value, dtype)
    if expected[0] == "error":
        assert z[...].tobytes() == before  # a value that does not fit changes nothing


@pytest.mark.parametrize("value, error", [
    (np.int64(2**40), OverflowError), (np.uint64(2**64 - 1), OverflowError),
    (np.float64(1e20), OverflowError), (np.float64("nan"), ValueError),
    (np.datetime64("2020-01-01"), TypeError)])
def test_the_values_that_were_stored_wrong_now_raise(value, error):
    for z in (zarr.zeros(10, dtype="i4", chunks=5), zarr.open({}, mode="w", shape=10,
                                                                 dtype="i4", chunks=5)):
        with pytest.raises(error):
            z[0] = value
        with pytest.raises(error):
            z[0:3] = value
        assert z.nchunks_initialized == 0
