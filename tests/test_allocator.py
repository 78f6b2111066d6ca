"""zarr.allocator: glibc malloc's thresholds, set once when zarr is imported."""

import platform
import subprocess
import sys
import textwrap

import pytest

import zarr
import zarr.allocator
from zarr.ext import set_malloc_thresholds

GLIBC = platform.libc_ver()[0] == "glibc"

# Run in a fresh interpreter: how many bytes malloc has mapped fresh from the
# kernel while a 20 MiB bytes object is alive, and whether zarr set the
# thresholds. The test process itself is never tuned.
PROBE = textwrap.dedent("""
    import ctypes, json
    import zarr.allocator

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    before = libc.mallinfo2().hblkhd
    frame = bytes(20 << 20)
    print(json.dumps({"mapped": libc.mallinfo2().hblkhd - before,
                      "tuned": zarr.allocator.TUNED}))
""")


def probe(env_value):
    import json
    import os
    env = dict(os.environ)
    env.pop("ZARR_TUNE_MALLOC", None)
    if env_value is not None:
        env["ZARR_TUNE_MALLOC"] = env_value
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc malloc's")
def test_importing_zarr_leaves_glibc_defaults():
    untuned = probe(None)
    assert untuned["tuned"] is False
    assert untuned["mapped"] >= 20 << 20
    assert probe("0")["tuned"] is False


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc malloc's")
def test_zarr_tune_malloc_1_serves_20_mib_blocks_from_the_heap():
    assert probe("1") == {"mapped": 0, "tuned": True}


def test_only_zarr_tune_malloc_1_asks():
    assert zarr.allocator._asked({"ZARR_TUNE_MALLOC": "1"})
    assert zarr.allocator._asked({"ZARR_TUNE_MALLOC": " 1\n"})
    for value in ("0", "", "yes", "2"):
        assert not zarr.allocator._asked({"ZARR_TUNE_MALLOC": value})
    assert not zarr.allocator._asked({})


@pytest.mark.parametrize("values", [(-1, 0), (0, -1)])
def test_negative_thresholds_raise(values):
    with pytest.raises(ValueError, match="thresholds"):
        set_malloc_thresholds(*values)
