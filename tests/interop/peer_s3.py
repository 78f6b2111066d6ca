"""zarr-python's part of tests/test_interop_s3.py, run in the interop
environment: read the arrays we wrote to a bucket of moto's server and print
their digests; write arrays of its own there.

    python peer_s3.py ENDPOINT BUCKET
"""

import hashlib
import json
import sys

import numpy as np
import zarr

endpoint, bucket = sys.argv[1:3]
options = {"key": "testing", "secret": "testing", "client_kwargs": {"endpoint_url": endpoint}}


def digest(a):
    return {"shape": list(a.shape), "dtype": a.dtype.str,
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}


out = {}
for name in ("ours/v2", "ours/nested", "ours/v3"):
    z = zarr.open_array("s3://%s/%s" % (bucket, name), mode="r", storage_options=options)
    out[name] = digest(z[...])
root = zarr.open_group("s3://%s/ours/group" % bucket, mode="r", storage_options=options,
                       zarr_format=2, use_consolidated=True)
out["ours/group"] = {"attrs": dict(root.attrs), "x": digest(root["sub/x"][...])}

walk = np.cumsum(np.random.default_rng(7).normal(size=(300, 200)), axis=0)
zarr.create_array(store="s3://%s/theirs/v2" % bucket, storage_options=options, shape=walk.shape,
                  chunks=(64, 50), dtype="f8", zarr_format=2, fill_value=0.0)[...] = walk
z3 = zarr.create_array(store="s3://%s/theirs/v3" % bucket, storage_options=options,
                       shape=walk.shape, chunks=(32, 50), shards=(64, 100), dtype="f8",
                       zarr_format=3, fill_value=-1.0)
z3[:250] = walk[:250]
print(json.dumps(out))
