"""xarray's own tests of its Zarr backend, run against this package.

The tests come from the sdist of the xarray installed in .venv-peers (where
``import zarr`` is this checkout), fetched by pip into a cache beside the
tests and run in their own directory with xarray's own pytest configuration
(every warning raised in xarray an error), both Zarr formats:

- ``xarray/tests/test_backends.py -k "Zarr or zarr or fsspec"``: the classes
  TestZarrDictStore, TestZarrDirectoryStore, TestZarrWriteEmpty,
  TestZarrNoConsolidatedMetadataSupport, TestZarrRegionAuto,
  TestDataArrayToZarr, the module-level Zarr tests and the fsspec ones;
- ``xarray/tests/test_backends_datatree.py -k "Zarr or zarr"``: TestZarrDatatreeIO.

:data:`EXCLUDED` lists the tests left out, each with its reason.
"""

import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import clean_env, run_checked

CACHE = Path(__file__).resolve().parent / ".peer-suites"
BACKENDS = "xarray/tests/test_backends.py"
DATATREE = "xarray/tests/test_backends_datatree.py"

#: Node-id prefixes of the tests not run, and why.
EXCLUDED = {
    BACKENDS + "::TestInstrumentedZarrStore":
        "counts the calls that zarr-python's MemoryStore receives (list_prefix, get...); "
        "this package's stores are asked other things",
    BACKENDS + "::TestZarrWriteEmpty::test_avoid_excess_metadata_calls":
        "patches zarr-python's zarr.AsyncGroup.getitem to count metadata requests",
    **{BACKENDS + "::%s::test_indexing[" % cls:
       "patches zarr.core.indexing.AsyncOIndex and AsyncVIndex, classes inside zarr-python"
       for cls in ("TestZarrDictStore", "TestZarrDirectoryStore", "TestZarrWriteEmpty",
                   "TestZarrNoConsolidatedMetadataSupport")},
    BACKENDS + "::test_raises_key_error_on_invalid_zarr_store":
        "its NCZarr fallback awaits zarr-python's asynchronous store.get(key); this "
        "package's store.get is synchronous, and an array's path is its directory",
    **{BACKENDS + "::%s::test_append_string_length_mismatch_works" % cls:
       "xarray skips it for zarr-python 3.1 and later, whose fixed-length string data "
       "types this package writes too; xarray tells them apart by zarr.core.dtype"
       for cls in ("TestZarrDictStore", "TestZarrDirectoryStore", "TestZarrWriteEmpty",
                   "TestZarrNoConsolidatedMetadataSupport")},
    BACKENDS + "::TestZarrRegionAuto::test_dataset_to_zarr_align_chunks_true[2-ZipStore]":
        "its unused fixture makes ZipStore(path) of a missing file, which raises "
        "FileNotFoundError here at once (zarr-python opens the file on first use)",
    BACKENDS + "::TestZarrRegionAuto::test_dataset_to_zarr_align_chunks_true[3-ZipStore]":
        "as the [2-ZipStore] case",
}

#: What the run gives (xarray 2026.9.0 on this machine's packages).
EXPECTED = {"passed": 1459, "skipped": 165, "xfailed": 16, "xpassed": 2}


def xarray_sources(python):
    """The unpacked sdist of the xarray that ``python`` imports (fetched once)."""
    version = run_checked([str(python), "-c", "import xarray; print(xarray.__version__)"],
                          120, cwd="/").stdout.strip()
    root = CACHE / ("xarray-%s" % version)
    if (root / BACKENDS).exists():
        return root
    CACHE.mkdir(exist_ok=True)
    run_checked([str(python), "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                 "xarray==%s" % version, "-d", str(CACHE)], 600)
    with tarfile.open(CACHE / ("xarray-%s.tar.gz" % version)) as tar:
        tar.extractall(CACHE, filter="data")
    return root


def test_xarray_zarr_tests_pass_on_this_package(peers_python):
    root = xarray_sources(peers_python)
    which = run_checked([str(peers_python), "-c", "import zarr; print(zarr.__file__)"], 120,
                        cwd=str(root)).stdout.strip()
    assert Path(which).resolve() == Path(__file__).resolve().parents[1] / "zarr" / "__init__.py"
    command = [str(peers_python), "-m", "pytest", BACKENDS, DATATREE,
               "-k", "Zarr or zarr or fsspec", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
               "--timeout", "300", "-rfE"]
    for prefix in EXCLUDED:
        command += ["--deselect", prefix]
    proc = subprocess.run(command, cwd=root, env=clean_env(), capture_output=True, text=True,
                          timeout=1800)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0:
        pytest.fail("xarray's zarr tests failed:\n%s\n%s"
                    % (proc.stdout[-8000:], proc.stderr[-2000:]))
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    counts.pop("deselected", None)
    counts.pop("warnings", None)
    assert counts == EXPECTED, summary
