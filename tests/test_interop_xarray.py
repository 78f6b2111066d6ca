"""Across engines: a dataset written by xarray on this package and read by
xarray on zarr-python 3, and the other way round, in both formats, with its
encoding (chunks, compressors, ``_FillValue``, dimensions); appends along a
dimension and region writes made by the other engine in between.

Each step is tests/interop/peer_xarray_engines.py in one of two venvs:
.venv-peers (xarray on this checkout) and .venv-xarray-zarr-python (the same
xarray and dask on zarr-python 3.1). The reading step asserts, with
``xarray.testing.assert_identical``, the dataset the script makes itself.
"""

import json
from pathlib import Path

import pytest

from conftest import ROOT, _venv, run_checked

PEER = Path(__file__).resolve().parent / "interop" / "peer_xarray_engines.py"
VENV = ROOT / ".venv-xarray-zarr-python"
REQUIREMENTS = ["xarray==2026.9.*", "zarr>=3.1,<3.2", "dask[array]", "numcodecs"]


@pytest.fixture(scope="module")
def engines(peers_python):
    return {"ours": peers_python, "zarr-python": _venv(VENV, REQUIREMENTS)}


def step(python, name, path, fmt):
    proc = run_checked([str(python), str(PEER), name, str(path), str(fmt)], 600, cwd="/")
    return proc.stdout


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("first, second", [("ours", "zarr-python"), ("zarr-python", "ours")])
def test_each_engine_reads_and_extends_what_the_other_wrote(engines, tmp_path, fmt, first,
                                                             second):
    which = run_checked([str(engines["ours"]), "-c", "import zarr; print(zarr.__file__)"], 120,
                        cwd="/").stdout.strip()
    assert Path(which).resolve() == ROOT / "zarr" / "__init__.py"
    path = tmp_path / "data.zarr"
    step(engines[first], "create", path, fmt)
    step(engines[second], "append", path, fmt)
    step(engines[first], "region", path, fmt)
    seen = {engine: json.loads(step(engines[engine], "check", path, fmt).splitlines()[-1])
            for engine in (first, second)}
    assert seen["ours"] == seen["zarr-python"]
    temp = seen["ours"]["temp"]
    assert temp["chunks"] == [3, 2] and temp["dims"] == ["time", "x"]
    assert temp["fill"] in ("nan", "np.float64(nan)")
    blosc = temp["compressors"][0]
    if fmt == 3:
        assert blosc["name"] == "blosc" and blosc["configuration"]["cname"] == "zstd"
        assert blosc["configuration"]["clevel"] == 3
    else:
        assert (blosc["id"], blosc["cname"], blosc["clevel"], blosc["shuffle"]) == \
            ("blosc", "zstd", 3, 1)
    assert seen["ours"]["count"]["fill"] in ("-1", "np.int32(-1)", "np.int64(-1)")
