"""dask's own tests of its Zarr I/O (``da.from_zarr``, ``da.to_zarr``,
``Array.to_zarr``: the zarr tests of ``dask/array/tests/test_array_core.py``,
the slow sharding ones included), run against this package.

dask's test files come from its sdist, of the version installed here,
fetched by pip into a cache beside the tests and run in their own directory,
with dask's own pytest configuration (every warning an error), so that the
``zarr`` they import is this package. The two
``test_xarray_blockwise_fusion_store`` tests of ``test_xarray.py``, which go
through xarray's Zarr backend, run in .venv-peers (which holds xarray), from
the sdist of the dask there.
"""

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import dask

CACHE = Path(__file__).resolve().parent / ".peer-suites"

#: The tests of dask's file that concern Zarr (24 in the Zarr v2 format,
#: the rest sharded v3 arrays and the slow sharding round trips).
EXPECTED = 33


def dask_sources(version=None):
    """The unpacked sdist of dask ``version``, the installed one's by default
    (fetched once)."""
    version = version or dask.__version__
    root = CACHE / ("dask-%s" % version)
    if (root / "dask" / "array" / "tests" / "test_array_core.py").exists():
        return root
    CACHE.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
                    ":all:", "dask==%s" % version, "-d", str(CACHE)], check=True, timeout=600)
    with tarfile.open(CACHE / ("dask-%s.tar.gz" % version)) as tar:
        tar.extractall(CACHE, filter="data")
    return root


def test_dask_zarr_tests_pass_on_this_package():
    root = dask_sources()
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    ours = subprocess.run([sys.executable, "-c", "import zarr; print(zarr.__engine_version__)"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 0, ours.stderr  # the zarr there is this package
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "dask/array/tests/test_array_core.py", "-k", "zarr",
         "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--runslow", "-rfEs"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0:
        pytest.fail("dask's zarr tests failed:\n%s\n%s" % (proc.stdout[-6000:], proc.stderr[-2000:]))
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    assert counts.get("passed") == EXPECTED, summary
    assert not set(counts) - {"passed", "deselected"}, summary


def test_dasks_xarray_zarr_fusion_tests_pass_on_this_package(peers_python):
    version = subprocess.run([str(peers_python), "-c", "import dask; print(dask.__version__)"],
                             cwd="/", capture_output=True, text=True, check=True,
                             timeout=120).stdout.strip()
    root = dask_sources(version)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [str(peers_python), "-m", "pytest",
         "dask/array/tests/test_xarray.py::test_xarray_blockwise_fusion_store",
         "-q", "-p", "no:cacheprovider", "-p", "no:asyncio", "-o", "addopts=", "-rfEs"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0:
        pytest.fail("dask's xarray zarr tests failed:\n%s\n%s"
                    % (proc.stdout[-6000:], proc.stderr[-2000:]))
    assert re.fullmatch(r"2 passed in [0-9.]+s( \(.*\))?", summary), summary
