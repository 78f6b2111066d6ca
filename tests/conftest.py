import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import zarr
from s3server import s3_bucket, s3_server  # noqa: F401  (fixtures)

# The suites of hierarchies were written for Zarr v2 groups, which
# zarr.open_group made before it followed zarr-python 3's default format (3,
# zarr.config's default_zarr_format): they run with 2. The tests of that
# default, and the documentation's examples, set 3 where they run.
zarr.config.set(default_zarr_format=2)

# "ci" is what CI runs (.ci/run sets HYPOTHESIS_PROFILE=ci); "dev" is quick.
settings.register_profile(
    "ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Scale for tests that count their own iterations: 1 in dev, 10 in ci.
FUZZ_SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 1


# The interoperability environment, shared by tests/test_interop.py and
# tests/test_interop_groups.py: a virtual environment beside the project,
# .venv-interop, holding zarr-python 3, numcodecs, msgpack and TensorStore.

ROOT = Path(__file__).resolve().parents[1]
INTEROP_VENV = ROOT / ".venv-interop"
INTEROP_REQUIREMENTS = ["zarr>=3.1,<3.2", "numcodecs", "msgpack", "tensorstore", "s3fs"]

# Creating the environment is part of the test: any failure there fails it.
INTEROP_VENV_TIMEOUT = 600


def clean_env():
    """os.environ without what would make another python see this project."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def run_checked(args, timeout, **kwargs):
    """Run ``args`` in clean_env(); a non-zero exit fails the test with its output."""
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          env=clean_env(), **kwargs)
    if proc.returncode != 0:
        pytest.fail("%s failed (exit %d):\n%s\n%s" % (" ".join(map(str, args)), proc.returncode,
                                                       proc.stdout[-5000:], proc.stderr[-5000:]))
    return proc


def _venv(root, requirements, then=None):
    """The python of the virtual environment ``root``, created (under a file
    lock) unless its stamp shows it already holds ``requirements``;
    ``then(python)`` finishes a new one."""
    root.mkdir(exist_ok=True)
    python = root / "bin" / "python"
    stamp = root / ".requirements"
    wanted = "\n".join(requirements) + "\n"
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
            start = time.monotonic()
            for entry in root.iterdir():
                if entry.name != ".lock":
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() \
                        else entry.unlink()
            run_checked([sys.executable, "-m", "venv", str(root)], INTEROP_VENV_TIMEOUT)
            run_checked([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                         "-q"] + requirements, INTEROP_VENV_TIMEOUT)
            if then is not None:
                then(python)
            stamp.write_text(wanted)
            sys.stderr.write("created %s in %.1f s\n" % (root, time.monotonic() - start))
    return python


@pytest.fixture(scope="session")
def interop_python():
    """The python of .venv-interop (zarr-python 3 and the other peers)."""
    return _venv(INTEROP_VENV, INTEROP_REQUIREMENTS)


# The environment of the peers that call this package as `zarr` (xarray): their
# packages, and this checkout on the path through a .pth file (its built
# extension, the one the project's .venv compiled).
PEERS_VENV = ROOT / ".venv-peers"
PEERS_REQUIREMENTS = ["xarray==2026.9.*", "dask[array]", "numpy", "msgpack", "fsspec",
                      # what xarray's own tests of its Zarr backend use
                      "pytest", "pytest-asyncio", "pytest-timeout", "numcodecs", "scipy"]


def _put_on_path(python):
    purelib = run_checked([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"], 60).stdout.strip()
    Path(purelib, "zarr-engine-checkout.pth").write_text(str(ROOT) + "\n")


@pytest.fixture(scope="session")
def peers_python():
    """The python of .venv-peers, whose ``import zarr`` is this checkout."""
    return _venv(PEERS_VENV, PEERS_REQUIREMENTS, _put_on_path)


#: The tests that make TileDB contexts: the TileDB tests and the examples of
#: the module that reads TileDB arrays.
TILEDB_TESTS = ("test_delayed_tiledb.py", "[zarr.delayed.files]")


def pytest_collection_modifyitems(session, config, items):
    """The tests that use TileDB last: once a TileDB context exists, a fork
    may deadlock (TileDB says so), and many tests after them fork."""
    items.sort(key=lambda item: any(name in item.nodeid for name in TILEDB_TESTS))
