"""The built extension (c-blosc linked in statically, nothing of it exported),
and the package installed whole."""

import os
import subprocess

import zarr.ext


def test_extension_needs_no_blosc_library_at_run_time():
    out = subprocess.run(["ldd", zarr.ext.__file__], capture_output=True, text=True,
                         check=True).stdout
    assert "libc.so" in out
    assert "blosc" not in out
    assert "libz" not in out and "zstd" not in out


def test_extension_exports_only_its_init_function():
    out = subprocess.run(["nm", "-D", "--defined-only", zarr.ext.__file__],
                         capture_output=True, text=True, check=True).stdout
    names = [line.split()[-1] for line in out.splitlines() if line.strip()]
    assert "PyInit_ext" in names
    assert not [n for n in names if n.startswith(("blosc", "ZSTD", "LZ4", "deflate", "inflate"))]
    assert len(names) <= 4


def test_linked_library_is_the_pinned_c_blosc():
    assert zarr.ext.BLOSC_VERSION.startswith("1.21.7")
    assert zarr.ext.COMPRESSORS == ("blosclz", "lz4", "lz4hc", "zlib", "zstd")


def test_every_subpackage_is_installed():
    """pyproject.toml lists each package directory of zarr/: an install that is
    not editable holds them all."""
    import tomllib
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = {os.path.relpath(d, root).replace(os.sep, ".")
             for d, _, files in os.walk(os.path.join(root, "zarr")) if "__init__.py" in files}
    assert found == listed
