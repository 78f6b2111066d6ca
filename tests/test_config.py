"""zarr.config (zarr/config.py): zarr-python 3's settings, what they govern
(zarr-python 3's calls) and what they leave alone (this package's own)."""

import threading

import numpy as np
import pytest

import zarr


def test_set_changes_now_and_restores_at_the_end_of_its_block():
    before = zarr.config.get("default_zarr_format")
    with zarr.config.set(default_zarr_format=3):
        assert zarr.config.get("default_zarr_format") == 3
        with zarr.config.set({"array.write_empty_chunks": True, "default_zarr_format": 2}):
            assert zarr.config.config["array"]["write_empty_chunks"] is True
            assert zarr.config.config["default_zarr_format"] == 2
        assert zarr.config.get("array.write_empty_chunks") is False
        assert zarr.config.get("default_zarr_format") == 3
    assert zarr.config.get("default_zarr_format") == before
    # Without a with block, the change stays (as zarr-python's does).
    zarr.config.set(array__write_empty_chunks=True)
    try:
        assert zarr.config.get("array.write_empty_chunks") is True
    finally:
        zarr.config.set({"array.write_empty_chunks": False})


@pytest.mark.parametrize("values, error", [
    ({"default_zarr_format": 4}, NotImplementedError),
    ({"default_zarr_format": "3"}, NotImplementedError),
    ({"default_zarr_format": True}, NotImplementedError),
    ({"array.order": "F"}, NotImplementedError),
    ({"array.rectilinear_chunks": True}, NotImplementedError),
    ({"array.write_empty_chunks": 0}, NotImplementedError),
    ({"async.concurrency": 10}, KeyError),
    ({"array": {"order": "C"}}, KeyError),
])
def test_what_cannot_be_honoured_raises_where_it_is_set(values, error):
    before = zarr.config.get("default_zarr_format"), zarr.config.get("array.write_empty_chunks")
    with pytest.raises(error):
        zarr.config.set(values)
    # A refused change changes nothing, not even its valid part.
    with pytest.raises(NotImplementedError):
        zarr.config.set({"array.write_empty_chunks": True, "default_zarr_format": 5})
    assert (zarr.config.get("default_zarr_format"),
            zarr.config.get("array.write_empty_chunks")) == before
    assert zarr.config.get("no.such.key", "default") == "default"


def test_the_default_format_governs_zarr_python_3s_calls_only(tmp_path):
    for fmt in (2, 3):
        with zarr.config.set(default_zarr_format=fmt):
            assert zarr.create_array(shape=(3,), dtype="i4").zarr_format == fmt
            g = zarr.open_group(str(tmp_path / ("g%d" % fmt)), mode="w")
            assert g.metadata.zarr_format == fmt
            assert g.create_array("x", shape=(2,), dtype="f8").zarr_format == fmt
            # This package's own functions keep Zarr v2.
            assert zarr.open(str(tmp_path / ("own%d" % fmt)), mode="w", shape=3).zarr_format == 2
            assert zarr.group().metadata.zarr_format == 2
            assert zarr.zeros(3).zarr_format == 2
    # An existing group opens in its own format, whatever the default.
    with zarr.config.set(default_zarr_format=2):
        assert zarr.open_group(str(tmp_path / "g3"), mode="a").metadata.zarr_format == 3


def test_write_empty_chunks_default_governs_zarr_python_3s_arrays(tmp_path):
    path = str(tmp_path / "w.zarr")
    z = zarr.create_array(path, shape=(8,), chunks=(2,), dtype="f8", fill_value=0)
    assert z.write_empty_chunks is False
    z[...] = np.array([0, 0, 1, 0, 0, 0, 0, 2.0])
    assert z.nchunks_initialized == 2
    with zarr.config.set({"array.write_empty_chunks": True}):
        z = zarr.create_array(path, shape=(8,), chunks=(2,), dtype="f8", overwrite=True)
        z[...] = 0
        assert z.write_empty_chunks is True and z.nchunks_initialized == 4
        assert zarr.open_array(path).write_empty_chunks is True
        assert zarr.open_group(str(tmp_path / "g"), mode="w").create_array(
            "y", shape=(2,), dtype="i1").write_empty_chunks is True
    assert zarr.open_array(path).write_empty_chunks is False
    assert zarr.open_array(path, config={"write_empty_chunks": True}).write_empty_chunks
    # Members of a group of zarr-python 3's open_group follow it; this package's own
    # functions store every chunk.
    g = zarr.open_group(str(tmp_path / "g"), mode="a")
    assert g["y"].write_empty_chunks is False
    assert zarr.open(path).write_empty_chunks is True
    assert zarr.hierarchy.open_group(str(tmp_path / "g"))["y"].write_empty_chunks is True


def test_settings_are_the_same_in_every_thread():
    seen = []
    with zarr.config.set(default_zarr_format=3):
        t = threading.Thread(target=lambda: seen.append(zarr.config.get("default_zarr_format")))
        t.start()
        t.join()
    assert seen == [3]
