"""Arrays on S3 (moto's server on 127.0.0.1) with zarr-python 3, each way
round: zarr-python reads the arrays and the consolidated group we write to a
bucket; we read the Zarr v2 and the sharded v3 arrays it writes there.
zarr-python's part is ``tests/interop/peer_s3.py``, run in the interop
environment (see ``interop_python`` in conftest.py)."""

import hashlib
import json
from pathlib import Path

import numpy as np

import zarr
from conftest import run_checked

PEER = Path(__file__).resolve().parent / "interop" / "peer_s3.py"


def digest(a):
    return {"shape": list(a.shape), "dtype": a.dtype.str,
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}


def test_zarr_python_reads_ours_on_s3_and_we_read_theirs(interop_python, s3_server,
                                                          s3_bucket, tmp_path):
    opts = s3_server.storage_options
    url = "s3://%s/" % s3_bucket
    a = (np.arange(120 * 90, dtype="i4") - 5000).reshape(120, 90)
    b = np.linspace(-3, 3, 1000).astype("f4")
    zarr.open(url + "ours/v2", mode="w", shape=a.shape, chunks=(25, 40), dtype="i4",
              cname="lz4", storage_options=opts)[...] = a
    zarr.open(url + "ours/nested", mode="w", shape=b.shape, chunks=(128,), dtype="f4",
              dimension_separator="/", fill_value=np.nan, storage_options=opts)[100:] = b[100:]
    zarr.open(url + "ours/v3", mode="w", shape=a.shape, chunks=(10, 30), shards=(40, 90),
              dtype="i4", zarr_format=3, storage_options=opts)[...] = a
    g = zarr.open_group(url + "ours/group", mode="w", storage_options=opts)
    g.attrs["title"] = "written by us"
    g.array("sub/x", b, chunks=(300,))
    zarr.consolidate_metadata(url + "ours/group", storage_options=opts)

    proc = run_checked([str(interop_python), str(PEER), s3_server.endpoint, s3_bucket],
                       timeout=300, cwd=str(tmp_path))
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    nested = b.copy()
    nested[:100] = np.nan
    assert theirs["ours/v2"] == digest(a)
    assert theirs["ours/nested"] == digest(nested)
    assert theirs["ours/v3"] == digest(a)
    assert theirs["ours/group"] == {"attrs": {"title": "written by us"}, "x": digest(b)}

    walk = np.cumsum(np.random.default_rng(7).normal(size=(300, 200)), axis=0)
    z2 = zarr.open(url + "theirs/v2", mode="r", storage_options=opts)
    assert z2.chunks == (64, 50)
    np.testing.assert_array_equal(z2[...], walk)
    z3 = zarr.open(url + "theirs/v3", mode="r", storage_options=opts)
    assert z3.shards == (64, 100) and z3.chunks == (32, 50)
    want = walk.copy()
    want[250:] = -1.0
    np.testing.assert_array_equal(z3[...], want)
    np.testing.assert_array_equal(z3[123, 45:55], want[123, 45:55])
