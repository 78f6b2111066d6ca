"""The session of the seed README, typed as a user would."""

import re

import numpy as np

import zarr


def summary(z):
    """(class line, options line, sizes line) with cbytes and ratio checked against z."""
    first, options, sizes = repr(z).splitlines()
    m = re.fullmatch(r"  nbytes: (\S+); cbytes: (\S+)(?:; ratio: (\S+))?; initialized: (\d+)/(\d+)",
                     sizes)
    assert m, sizes
    nbytes, cbytes, ratio, initialized, total = m.groups()
    assert cbytes == zarr.util.human_readable_size(z.cbytes)
    assert (ratio is None) == (z.cbytes == 0)
    if ratio is not None:  # of the chunks written, each stored whole
        written = z.nchunks_initialized * np.prod(z.chunks) * z.itemsize
        assert float(ratio) == round(written / z.cbytes, 1)
    return first, options, nbytes, int(initialized), int(total)


def test_seed_session():
    options = "  cname: blosclz; clevel: 5; shuffle: 1 (BYTESHUFFLE)"
    cls = "zarr.SynchronizedArray"
    a = np.arange(10000000, dtype="i4").reshape(10000, 1000)

    z = zarr.empty(shape=(10000, 1000), dtype="i4", chunks=(1000, 100))
    assert summary(z) == (cls + "((10000, 1000), int32, chunks=(1000, 100))", options,
                          "38.1M", 0, 100)
    assert repr(z).splitlines()[2] == "  nbytes: 38.1M; cbytes: 0; initialized: 0/100"

    z[:] = a
    assert summary(z)[2:] == ("38.1M", 100, 100)
    assert 25 < z.nbytes / z.cbytes < 60   # c-blosc 1.21 compresses this about 36 times
    np.testing.assert_array_equal(z[:], a)
    np.testing.assert_array_equal(z[:100], a[:100])
    np.testing.assert_array_equal(z[:, :100], a[:, :100])

    z.resize(20000, 1000)
    assert summary(z)[0] == cls + "((20000, 1000), int32, chunks=(1000, 100))"
    assert summary(z)[2:] == ("76.3M", 100, 200)
    assert (z[10000:] == 0).all()
    z[10000:, :] = a
    assert summary(z)[2:] == ("76.3M", 200, 200)
    np.testing.assert_array_equal(z[...], np.vstack([a, a]))

    z = zarr.array(a, chunks=(1000, 100))
    assert summary(z)[2:] == ("38.1M", 100, 100)
    z.append(a + a)
    assert summary(z)[0] == cls + "((20000, 1000), int32, chunks=(1000, 100))"
    assert summary(z)[2:] == ("76.3M", 200, 200)
    z.append(np.vstack([a, a]), axis=1)
    assert summary(z)[0] == cls + "((20000, 2000), int32, chunks=(1000, 100))"
    assert summary(z)[2:] == ("152.6M", 400, 400)
    expected = np.hstack([np.vstack([a, a + a]), np.vstack([a, a])])
    np.testing.assert_array_equal(z[...], expected)
    np.testing.assert_array_equal(z[12345:12400:7, 1990:], expected[12345:12400:7, 1990:])
