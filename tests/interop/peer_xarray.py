"""xarray on this package, in .venv-peers (see ``peers_python`` in
conftest.py): datasets written with ``to_zarr`` and read with ``open_zarr``
in both formats, appended to, written by region, consolidated or not, and
computed on with dask; each case checked against the dataset in memory with
xarray's own assertions. Prints one JSON line: {case: "ok" or the error}.

    python peer_xarray.py DIRECTORY
"""

import json
import sys
import traceback
import warnings

import numpy as np
import xarray as xr
import zarr

warnings.simplefilter("ignore")
root = sys.argv[1]


def dataset(offset=0):
    n = 6
    return xr.Dataset(
        {"temp": (("time", "x"), np.cumsum(np.random.default_rng(offset).normal(size=(n, 5)),
                                          axis=0)),
         "count": (("time",), np.arange(n, dtype="i4") + offset),
         "flag": (("time",), np.arange(n) % 2 == 0),
         "name": (("time",), np.array(["a", "", "ccc", "dd", "e", ""], object))},
        coords={"time": np.arange(n) + offset, "x": np.linspace(0, 1, 5)},
        attrs={"title": "a test", "n": 6})


def case_round_trip(fmt, consolidated):
    path = "%s/rt-%d-%s.zarr" % (root, fmt, consolidated)
    ds = dataset()
    ds.to_zarr(path, zarr_format=fmt, consolidated=consolidated)
    back = xr.open_zarr(path, consolidated=consolidated).load()
    xr.testing.assert_identical(back, ds)
    assert back.temp.encoding["chunks"] == (6, 5)


def case_append_and_region(fmt):
    path = "%s/ap-%d.zarr" % (root, fmt)
    first, second = dataset(), dataset(6)
    first.to_zarr(path, zarr_format=fmt, consolidated=False)
    second.to_zarr(path, append_dim="time", consolidated=False)
    both = xr.concat([first, second], "time")
    xr.testing.assert_identical(xr.open_zarr(path, consolidated=False).load(), both)
    part = (both.isel(time=slice(3, 9))[["temp"]] * 10).drop_vars("x")
    part.to_zarr(path, region={"time": slice(3, 9)}, consolidated=False)
    want = both.copy(deep=True)
    want["temp"][3:9] = both.temp[3:9].values * 10
    xr.testing.assert_identical(xr.open_zarr(path, consolidated=False).load(), want)


def case_dask(fmt):
    path = "%s/dk-%d.zarr" % (root, fmt)
    ds = xr.Dataset({"v": (("a", "b"), np.arange(120.0).reshape(12, 10))}).chunk({"a": 4})
    ds.to_zarr(path, zarr_format=fmt, consolidated=False)
    lazy = xr.open_zarr(path, consolidated=False)
    assert lazy.v.chunks == ((4, 4, 4), (10,))
    assert float(lazy.v.mean().compute()) == np.arange(120.0).mean()
    opened = zarr.open_group(path, mode="r")
    assert type(opened["v"]).__module__.startswith("zarr.")  # this package's arrays


results = {}
for name, run in [("round trip v2 consolidated", lambda: case_round_trip(2, True)),
                  ("round trip v2", lambda: case_round_trip(2, False)),
                  ("round trip v3", lambda: case_round_trip(3, False)),
                  ("append and region v2", lambda: case_append_and_region(2)),
                  ("append and region v3", lambda: case_append_and_region(3)),
                  ("dask v2", lambda: case_dask(2)),
                  ("dask v3", lambda: case_dask(3))]:
    try:
        run()
        results[name] = "ok"
    except Exception:
        results[name] = traceback.format_exc(limit=-3)
print(json.dumps(results))
