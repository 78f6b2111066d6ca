"""The command line (zarr/cli) against awkward input, run in this process."""

import numpy as np
import pytest

import zarr
from zarr.cli import main

h5py = pytest.importorskip("h5py")


def run(capsys, *args):
    """(exit status, stdout, stderr) of ``zarr ARGS``."""
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def make(path, data, **kwargs):
    z = zarr.open(str(path), mode="w", shape=data.shape, dtype=data.dtype, **kwargs)
    z[...] = data
    return z


@pytest.mark.parametrize("command", ["tree", "ls"])
def test_tree_and_ls_of_an_array(tmp_path, capsys, command):
    make(tmp_path / "a.zarr", np.arange(6, dtype="i4").reshape(2, 3), chunks=(1, 3))
    rc, out, err = run(capsys, command, tmp_path / "a.zarr")
    assert rc == 0, err
    assert out.strip() and ("(2, 3) int32" in out if command == "tree" else "\n" not in out.strip())
    rc, out, err = run(capsys, command, "--json", tmp_path / "a.zarr")
    assert rc == 0, err


@pytest.mark.parametrize("selection", ["[[0, 1], [0, 1]]", "[[1, 0], :, [3, 0, 3]]",
                                       "[[2, 0], 1, [1, 3]]", "[:, [0, 2], [1, 3]]",
                                       "[1, :, [3, 0]]", "[[2, 0], :, 1]", "[..., 1, [0, 2]]",
                                       "[2, ..., [1]]"])
def test_cat_with_several_lists_never_prints_other_values(tmp_path, capsys, selection):
    a = np.arange(3 * 3 * 4).reshape(3, 3, 4)
    make(tmp_path / "a.zarr", a, chunks=(2, 2, 2))
    rc, out, err = run(capsys, "cat", tmp_path / "a.zarr", selection)
    try:
        expected = str(eval("a" + selection))
    except IndexError:
        expected = None
    if rc == 0:
        assert expected is not None and out.rstrip("\n") == expected
    else:  # refused as bad usage, in one line
        assert rc == 2 and out == "" and err.count("\n") == 1


def test_cat_puts_a_list_apart_from_the_integers_first_as_numpy_does(tmp_path, capsys):
    a = np.arange(6 * 2000 * 3).reshape(6, 2000, 3)
    make(tmp_path / "a.zarr", a, chunks=(2, 500, 3))
    for selection in ("[4, :, [2, 0]]", "[4, ::-1, [1]]"):
        rc, out, err = run(capsys, "cat", tmp_path / "a.zarr", selection)
        assert rc == 0, err
        assert out.rstrip("\n") == str(eval("a" + selection)), selection


def test_copy_of_a_v3_hierarchy_keeps_its_members_visible(tmp_path, capsys):
    g = zarr.open_group(str(tmp_path / "v3.zarr"), mode="w", zarr_format=3)
    g.create_dataset("a", shape=(5,), dtype=">u2")[...] = np.arange(5)
    g.create_group("sub").create_dataset("b", shape=(2, 2), dtype="f8")[...] = 1.5
    for dst in ("c.zarr", "c.zip"):
        rc, out, err = run(capsys, "copy", "--no-progress", tmp_path / "v3.zarr", tmp_path / dst)
        assert rc == 0, err
        rc, out, err = run(capsys, "verify", "--checksum", tmp_path / dst)
        assert rc == 0, err
        assert sorted(line.split(":")[0] for line in out.splitlines()) == ["a", "sub/b"]
        copied = zarr.open(str(tmp_path / dst), mode="r")
        np.testing.assert_array_equal(copied["a"][...], np.arange(5))
        np.testing.assert_array_equal(copied["sub/b"][...], np.full((2, 2), 1.5))


@pytest.mark.parametrize("dst", ["c.zarr", "c.zip", "c.h5"])
def test_copy_with_chunks_larger_than_the_shape(tmp_path, capsys, dst):
    a = np.arange(12).reshape(3, 4)
    make(tmp_path / "a.zarr", a, chunks=(2, 2))
    rc, out, err = run(capsys, "copy", "--no-progress", "--chunks", "100000,100000",
                       tmp_path / "a.zarr", tmp_path / dst)
    assert rc == 0, err
    if dst != "c.h5":
        np.testing.assert_array_equal(zarr.open(str(tmp_path / dst), mode="r")[...], a)


def test_copy_of_a_sharded_array_with_other_chunks(tmp_path, capsys):
    a = np.arange(100, dtype="i4").reshape(10, 10)
    z = zarr.open(str(tmp_path / "s.zarr"), mode="w", zarr_format=3, shape=a.shape,
                  chunks=(2, 2), shards=(4, 4), dtype=a.dtype)
    z[...] = a
    rc, out, err = run(capsys, "copy", "--no-progress", "--chunks", "3,3",
                       tmp_path / "s.zarr", tmp_path / "r.zarr")
    assert rc == 0, err
    r = zarr.open(str(tmp_path / "r.zarr"), mode="r")
    assert r.chunks == (3, 3)
    np.testing.assert_array_equal(r[...], a)


def test_a_chunk_shape_too_large_for_an_index_is_bad_usage(tmp_path, capsys):
    make(tmp_path / "a.zarr", np.arange(4), chunks=(2,))
    rc, out, err = run(capsys, "copy", "--no-progress", "--chunks", "9" * 30,
                       tmp_path / "a.zarr", tmp_path / "b.zarr")
    assert rc == 2 and err.count("\n") == 1, err
    assert not (tmp_path / "b.zarr").exists()


def test_copy_to_hdf5_of_fixed_width_text_and_of_dates(tmp_path, capsys):
    text = np.array(["é", "ab", ""] * 3)
    make(tmp_path / "u.zarr", text, chunks=(4,))
    rc, out, err = run(capsys, "copy", "--no-progress", tmp_path / "u.zarr", tmp_path / "u.h5")
    assert rc == 0, err
    with h5py.File(tmp_path / "u.h5", "r") as f:
        assert f["data"].asstr()[...].tolist() == text.tolist()
    make(tmp_path / "m.zarr", np.arange(3).astype("M8[s]"), chunks=(2,))
    rc, out, err = run(capsys, "copy", "--no-progress", tmp_path / "m.zarr", tmp_path / "m.h5")
    assert rc == 1 and "datetime64" in err and err.count("\n") == 1, err
    assert "TypeError" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zarr", "u.h5", "u.zarr"]


def test_overwrite_never_removes_a_directory_that_is_not_zarr(tmp_path, capsys):
    top = tmp_path / "work"
    top.mkdir()
    (top / "notes.txt").write_text("keep me")
    make(top / "a.zarr", np.arange(4), chunks=(2,))
    rc, out, err = run(capsys, "copy", "--no-progress", "--overwrite", top / "a.zarr", top)
    assert rc == 1 and "Zarr" in err and err.count("\n") == 1, err
    assert (top / "notes.txt").read_text() == "keep me"
    np.testing.assert_array_equal(zarr.open(str(top / "a.zarr"), mode="r")[...], np.arange(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    # An empty directory, or a Zarr node, is replaced.
    (tmp_path / "empty").mkdir()
    rc, out, err = run(capsys, "copy", "--no-progress", "--overwrite", top / "a.zarr",
                       tmp_path / "empty")
    assert rc == 0, err
    np.testing.assert_array_equal(zarr.open(str(tmp_path / "empty"), mode="r")[...], np.arange(4))
