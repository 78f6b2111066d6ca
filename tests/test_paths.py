"""Paths that are not directory stores: a .zip file (a ZipStore), an HDF5
file, a URL.

An HDF5 file or a URL is a ValueError that says what was found, from every
function that takes a path, in every mode, and nothing is created or changed.
"""

import os
import zipfile

import numpy as np
import pandas as pd
import pytest

import zarr

SIGNATURE = b"\x89HDF\r\n\x1a\n"


def openers(path):
    """Every way of opening or making something at a path, with options to create."""
    return {
        "open r": lambda: zarr.open(path, mode="r"),
        "open a": lambda: zarr.open(path, mode="a", shape=3),
        "open w": lambda: zarr.open(path, mode="w", shape=3),
        "open w-": lambda: zarr.open(path, mode="w-", shape=3),
        "open_group a": lambda: zarr.open_group(path),
        "open_group w": lambda: zarr.open_group(path, mode="w"),
        "create": lambda: zarr.create(3, store=path),
        "open_table": lambda: zarr.open_table(path),
        "from_pandas w": lambda: zarr.from_pandas(pd.DataFrame({"a": [1]}), path, mode="w"),
    }


def snapshot(directory):
    return sorted((root, tuple(sorted(files)), tuple(sorted(dirs)))
                  for root, dirs, files in os.walk(directory))


@pytest.mark.parametrize("name", ["x.zip", "X.ZIP", "sub/x.zip"])
def test_a_zip_path_opens_a_zip_store(tmp_path, name):
    os.makedirs(tmp_path / "sub", exist_ok=True)
    path = str(tmp_path / name)
    before = snapshot(tmp_path)
    for call in (lambda: zarr.open(path, mode="r"), lambda: zarr.open_group(path, mode="r"),
                 lambda: zarr.open_table(path)):
        with pytest.raises(FileNotFoundError):
            call()
        assert snapshot(tmp_path) == before  # reading creates nothing
    for what, call in openers(path).items():
        if what.startswith("from_pandas"):
            with pytest.raises(NotImplementedError, match="cannot write a table"):
                call()
            continue
        if what in ("open r", "open_table"):
            continue
        if os.path.exists(path):
            os.remove(path)  # each makes a new node
        node = call()
        assert isinstance(node.store, zarr.storage.ZipStore), what
        assert node.store.mode == ("w" if what in ("open w", "open_group w") else "a"), what
        node.store.close()
        assert zipfile.ZipFile(path).testzip() is None, what
    z = zarr.open(path, mode="w", shape=3, dtype="i4")
    z[:] = 7
    z.store.close()
    z = zarr.open(path, mode="r")
    assert z.store.mode == "r" and z[...].tolist() == [7] * 3


def test_a_zip_path_ending_in_a_separator_is_a_directory(tmp_path):
    z = zarr.open(str(tmp_path / "x.zip") + "/", mode="w", shape=2, dtype="i4")
    assert isinstance(z.store, zarr.storage.LocalStore) and os.path.isdir(tmp_path / "x.zip")


def test_a_directory_named_zip_is_a_directory(tmp_path):
    os.mkdir(tmp_path / "d.zip")
    z = zarr.open(str(tmp_path / "d.zip"), mode="w", shape=4, dtype="i4")
    z[:] = 5
    assert zarr.open(str(tmp_path / "d.zip"), mode="r")[...].tolist() == [5] * 4


@pytest.mark.parametrize("user_block", [0, 512, 1024, 4096])
def test_an_hdf5_file_is_named_as_one(tmp_path, user_block):
    path = tmp_path / "f.h5"
    h5py = pytest.importorskip("h5py")
    kwargs = {"userblock_size": user_block} if user_block else {}
    with h5py.File(path, "w", **kwargs) as f:
        f["x"] = np.arange(5)
    data = path.read_bytes()
    assert data.find(SIGNATURE) == user_block
    for what, call in openers(str(path)).items():
        with pytest.raises(ValueError, match="is an HDF5 file") as info:
            call()
        assert "h5py" in str(info.value) and ".zarray" not in str(info.value), what
        assert path.read_bytes() == data, what
    assert sorted(os.listdir(tmp_path)) == ["f.h5"]


def test_the_hdf5_signature_is_looked_for_where_hdf5_puts_it(tmp_path):
    for offset, found in [(0, True), (512, True), (2048, True), (1 << 20, True), (100, False),
                          (513, False), (3072, False)]:
        path = tmp_path / ("s%d" % offset)
        path.write_bytes(b"\0" * offset + SIGNATURE + b"\0" * 64)
        if found:
            with pytest.raises(ValueError, match="HDF5"):
                zarr.open(str(path), mode="r")
        else:
            with pytest.raises(OSError):   # some file, not an HDF5 one: as before
                zarr.open(str(path), mode="r")
    # Shorter than the signature, empty: not HDF5.
    for data in (b"", SIGNATURE[:5]):
        (tmp_path / "short").write_bytes(data)
        with pytest.raises(OSError):
            zarr.open(str(tmp_path / "short"), mode="r")
