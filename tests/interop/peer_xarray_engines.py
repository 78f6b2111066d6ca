"""One step of a dataset's life in a Zarr store, done by xarray on whichever
``zarr`` this python imports, for tests/test_interop_xarray.py:

    python peer_xarray_engines.py STEP PATH FORMAT

- ``create``: ``to_zarr(mode="w")`` of the first six times, with encodings
  (chunks, compressors, ``_FillValue``);
- ``append``: ``to_zarr(mode="a", append_dim="time")`` of four more;
- ``region``: ``to_zarr(region={"time": slice(2, 4)})`` of new values there;
- ``check``: ``open_zarr`` and ``assert_identical`` with the dataset all
  three steps make, printing the encodings read (JSON) on the last line.

The values are made here, the same in every process: the oracle.
"""

import json
import sys
import warnings

import numpy as np
import xarray as xr
import zarr

warnings.simplefilter("ignore")


def part(start, stop, seed):
    rng = np.random.default_rng(seed)
    n = stop - start
    temp = rng.normal(size=(n, 4))
    temp[rng.random((n, 4)) < 0.2] = np.nan
    return xr.Dataset(
        {"temp": (("time", "x"), temp, {"units": "K"}),
         "count": (("time", "x"), rng.integers(0, 100, (n, 4)).astype("i4")),
         "label": (("time",), np.array(["t%d" % i for i in range(start, stop)]))},
        coords={"time": np.arange(start, stop), "x": np.arange(4) * 10.0},
        attrs={"title": "across engines"})


def region_values():
    return np.random.default_rng(7).normal(size=(2, 4))


def expected():
    ds = xr.concat([part(0, 6, 1), part(6, 10, 2)], dim="time")
    temp = ds["temp"].values.copy()
    temp[2:4] = region_values()
    return ds.assign(temp=(("time", "x"), temp, {"units": "K"}))


def compressor(fmt):
    if fmt == 3:
        return zarr.codecs.BloscCodec(cname="zstd", clevel=3, shuffle="shuffle")
    import numcodecs
    return numcodecs.Blosc(cname="zstd", clevel=3, shuffle=1)


def codec_json(codec):
    return codec.to_dict() if hasattr(codec, "to_dict") else codec.get_config()


def main():
    step, path, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if step == "create":
        encoding = {"temp": {"chunks": (3, 2), "compressors": (compressor(fmt),),
                             "_FillValue": np.nan},
                    "count": {"chunks": (3, 4), "_FillValue": -1}}
        part(0, 6, 1).to_zarr(path, mode="w", zarr_format=fmt, encoding=encoding)
    elif step == "append":
        part(6, 10, 2).to_zarr(path, mode="a", append_dim="time", zarr_format=fmt)
    elif step == "region":
        new = xr.Dataset({"temp": (("time", "x"), region_values(), {"units": "K"})})
        new.to_zarr(path, region={"time": slice(2, 4)}, zarr_format=fmt)
    else:
        got = xr.open_zarr(path, zarr_format=fmt).compute()
        xr.testing.assert_identical(got, expected())
        seen = {}
        for name, var in got.variables.items():
            enc = var.encoding
            seen[name] = {"chunks": list(enc.get("chunks") or []), "dims": list(var.dims),
                          "dtype": str(enc.get("dtype", var.dtype)),
                          "fill": None if "_FillValue" not in enc else repr(enc["_FillValue"]),
                          "compressors": [codec_json(c) for c in enc.get("compressors") or ()]}
        print(json.dumps(seen))


if __name__ == "__main__":
    main()
