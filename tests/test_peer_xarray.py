"""xarray's Zarr I/O on this package (tests/interop/peer_xarray.py, run in
.venv-peers, where ``import zarr`` is this checkout): to_zarr and open_zarr
in both formats, appends, region writes, consolidated metadata, dask."""

import json
from pathlib import Path

from conftest import run_checked

PEER = Path(__file__).resolve().parent / "interop" / "peer_xarray.py"


def test_xarray_writes_and_reads_datasets_on_this_package(peers_python, tmp_path):
    which = run_checked([str(peers_python), "-c", "import zarr; print(zarr.__file__)"], 120,
                        cwd=str(tmp_path)).stdout.strip()
    assert Path(which).resolve() == (Path(__file__).resolve().parents[1] / "zarr" /
                                     "__init__.py")
    proc = run_checked([str(peers_python), str(PEER), str(tmp_path)], 600, cwd=str(tmp_path))
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    failed = {name: why for name, why in results.items() if why != "ok"}
    assert not failed, "\n\n".join("%s:\n%s" % item for item in failed.items())
    assert len(results) == 7
