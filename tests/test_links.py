"""Symbolic links below a directory store's root: read through, never changed through.

Deletions, moves and creation never go through a link to a directory below
the root: they raise an OSError (ELOOP) naming the link, and nothing outside
the root changes. Removing a node that is a link removes the link. The root
itself may be a link. These concern directory stores only (a LocalStore,
given by path, directly or wrapped).
"""

import errno
import os

import numpy as np
import pytest

import zarr
from zarr.storage import LocalStore, WrapperStore


def snapshot(path):
    """Every entry under path: links by target, files by bytes, directories by name."""
    result = {}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, path)
            if os.path.islink(full):
                result[rel] = ("link", os.readlink(full))
            elif os.path.isdir(full):
                result[rel] = ("dir",)
            else:
                with open(full, "rb") as f:
                    result[rel] = ("file", f.read())
    return result


def assert_link_error(info, link):
    assert info.value.errno == errno.ELOOP, info.value
    assert info.value.filename == link, info.value
    assert "symbolic link" in str(info.value)


STORES = {
    "path": lambda root: root,
    "local": lambda root: LocalStore(root),
    "wrapped-local": lambda root: WrapperStore(LocalStore(root)),
}


@pytest.fixture(params=list(STORES))
def make_store(request):
    return STORES[request.param]


@pytest.fixture
def linked_group(tmp_path, make_store):
    """A group whose member ``link`` is a symbolic link to a group outside the
    root (holding the array ``sub``), and a member array ``a`` of its own."""
    outside = str(tmp_path / "outside.zarr")
    o = zarr.open_group(outside, mode="w")
    o.zeros("sub", shape=(6,), chunks=(3,), dtype="i4")[:] = np.arange(6)
    o.zeros("deeper/x", shape=(2,), dtype="i4")
    with open(os.path.join(outside, "user-file"), "wb") as f:
        f.write(b"mine")
    root = str(tmp_path / "root.zarr")
    g = zarr.open_group(make_store(root), mode="w")
    g.zeros("a", shape=(4,), chunks=(2,), dtype="i4")[:] = 7
    os.symlink(outside, os.path.join(root, "link"))
    return g, root, outside


def test_creating_through_a_linked_member_group_raises(linked_group):
    g, root, outside = linked_group
    before = snapshot(outside)
    link = os.path.join(root, "link")
    for make in (lambda: g.zeros("link/new", shape=(3,)),
                 lambda: g.create_group("link/newgroup"),
                 lambda: g.require_group("link/deeper/newer"),
                 lambda: g.array("link/data", np.arange(3)),
                 lambda: g.zeros("link/sub", shape=(3,), overwrite=True)):
        with pytest.raises(OSError) as info:
            make()
        assert_link_error(info, link)
        assert snapshot(outside) == before
    assert "new" not in g["link"] and g["link/sub"][...].tolist() == list(range(6))


def test_deleting_through_a_linked_member_group_raises(linked_group):
    g, root, outside = linked_group
    before = snapshot(outside)
    link = os.path.join(root, "link")
    for delete in (lambda: g.__delitem__("link/sub"), lambda: g.__delitem__("link/deeper/x")):
        with pytest.raises(OSError) as info:
            delete()
        assert_link_error(info, link)
    assert snapshot(outside) == before
    # Reading through the link stays allowed.
    np.testing.assert_array_equal(g["link/sub"][...], np.arange(6))
    assert sorted(g["link"].array_keys()) == ["sub"]


def test_writing_through_a_linked_member_group_raises(linked_group):
    g, root, outside = linked_group
    before = snapshot(outside)
    z = g["link/sub"]
    for write in (lambda: z.__setitem__(slice(None), 1), lambda: z.__setitem__(0, 1),
                  lambda: z.attrs.__setitem__("x", 1), lambda: z.resize(3),
                  lambda: z.append(np.arange(3, dtype="i4"))):
        with pytest.raises(OSError) as info:
            write()
        assert_link_error(info, os.path.join(root, "link"))
    assert snapshot(outside) == before
    np.testing.assert_array_equal(g["link/sub"][...], np.arange(6))


def test_moving_through_a_linked_member_group_raises(linked_group):
    g, root, outside = linked_group
    before = snapshot(outside)
    link = os.path.join(root, "link")
    for source, dest in (("a", "link/moved"), ("link/sub", "b"), ("link/sub", "link/moved")):
        with pytest.raises(OSError) as info:
            g.move(source, dest)
        assert_link_error(info, link)
        assert snapshot(outside) == before
    assert g["a"][...].tolist() == [7] * 4 and "b" not in g


def test_a_linked_member_is_removed_and_moved_as_a_link(linked_group):
    g, root, outside = linked_group
    before = snapshot(outside)
    g.move("link", "renamed")
    assert os.path.islink(os.path.join(root, "renamed"))
    np.testing.assert_array_equal(g["renamed/sub"][...], np.arange(6))
    del g["renamed"]
    assert not os.path.lexists(os.path.join(root, "renamed")) and "renamed" not in g
    assert snapshot(outside) == before


def test_a_root_that_is_a_link_takes_every_change(tmp_path, make_store):
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "root")
    g = zarr.open_group(make_store(str(tmp_path / "root")), mode="w")
    g.zeros("x/y", shape=(4,), chunks=(2,), dtype="i4")[:] = 3
    g.move("x/y", "z")
    g.create_group("w")
    del g["w"]
    assert sorted(os.listdir(real)) == [".zgroup", "x", "z"]
    np.testing.assert_array_equal(zarr.open(str(real / "z"))[...], [3] * 4)


@pytest.mark.parametrize("lazy", [False, True])
def test_resize_never_deletes_through_a_linked_chunk_row(tmp_path, make_store, lazy):
    """With '/' separators a chunk row is a directory: one that is a link to a
    directory outside is read through, but no resize or write deletes or
    replaces anything in it."""
    outside = str(tmp_path / "outside")
    os.mkdir(outside)
    root = str(tmp_path / "root.zarr")
    g = zarr.open_group(make_store(root), mode="w")
    z = g.zeros("a", shape=(8, 4), chunks=(2, 2), dtype="i4", dimension_separator="/",
                lazy=lazy)
    values = np.arange(32, dtype="i4").reshape(8, 4)
    z[...] = values
    row = os.path.join(root, "a", "3")
    for name in os.listdir(row):
        os.rename(os.path.join(row, name), os.path.join(outside, name))
    os.rmdir(row)
    os.symlink(outside, row)
    with open(os.path.join(outside, "user-file"), "wb") as f:
        f.write(b"mine")
    before = snapshot(outside)
    np.testing.assert_array_equal(z[...], values)  # read through the link
    for change in (lambda: z.resize(4, 4), lambda: z.resize(7, 4), lambda: z.resize(8, 1),
                   lambda: z.__setitem__((6, 0), 1), lambda: z.__setitem__((6, 3), 1)):
        with pytest.raises(OSError) as info:
            change()
        assert_link_error(info, row)
        assert snapshot(outside) == before
        assert z.shape == (8, 4) and zarr.open(os.path.join(root, "a")).shape == (8, 4)
        np.testing.assert_array_equal(z[...], values)
    # A write of many chunks changes the others (as it would were the disk full).
    with pytest.raises(OSError) as info:
        z[...] = 0
    assert_link_error(info, row)
    assert snapshot(outside) == before
    np.testing.assert_array_equal(z[6:], values[6:])
    # The link itself goes with its array.
    del g["a"]
    assert not os.path.lexists(os.path.join(root, "a")) and snapshot(outside) == before


def test_a_linked_chunk_file_is_replaced_or_removed_as_a_link(tmp_path):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(4,), chunks=(2,), dtype="u1",
                  cname=None)
    target = tmp_path / "target"
    target.write_bytes(b"\x05\x05")
    os.symlink(target, os.path.join(z.path, "0"))
    assert z[:2].tolist() == [5, 5]
    z[:2] = 1
    assert not os.path.islink(os.path.join(z.path, "0")) and target.read_bytes() == b"\x05\x05"
    os.remove(os.path.join(z.path, "0"))
    os.symlink(target, os.path.join(z.path, "0"))
    z.resize(1)
    z.resize(2)
    assert target.read_bytes() == b"\x05\x05"


def test_the_store_never_changes_through_a_link(tmp_path):
    outside = tmp_path / "outside"
    (outside / "empty").mkdir(parents=True)
    (outside / "k").write_bytes(b"v")
    (outside / "node").mkdir()
    (outside / "node" / "k").write_bytes(b"w")
    store = LocalStore(str(tmp_path / "root"))
    store["x/k"] = b"mine"
    link = os.path.join(store.root, "x", "link")
    os.symlink(outside, link)
    before = snapshot(str(outside))
    changes = {"set": lambda: store.set("x/link/new", b"1"),
               "set existing": lambda: store.set("x/link/k", b"1"),
               "set nested": lambda: store.set("x/link/node/deeper/k", b"1"),
               "set_if_absent": lambda: store.set_if_absent("x/link/new", b"1"),
               "delete": lambda: store.delete("x/link/k"),
               "delete_prefix": lambda: store.delete_prefix("x/link/node"),
               "rename from": lambda: store.rename("x/link/node", "y"),
               "rename to": lambda: store.rename("x/k", "x/link/moved"),
               "rename into": lambda: store.rename("x", "x/link/x"),
               "sweep, refusing links": lambda: store.sweep_partials("x", refuse_links=True)}
    for name, change in changes.items():
        with pytest.raises(OSError) as info:
            change()
        assert_link_error(info, link)
        assert snapshot(str(outside)) == before, name
    # Tidying skips what is through a link, and removing the link removes it only.
    assert store.sweep_partials("x/link") == []
    store.prune("x")
    store.prune("x/link")
    assert snapshot(str(outside)) == before
    assert store["x/link/k"] == b"v" and store.getsize("x/link/node/k") == 1
    store.delete_prefix("x/link")
    assert not os.path.lexists(link) and snapshot(str(outside)) == before
    assert store.list() == ["x/k"]


def test_a_link_at_the_top_of_the_store_is_removed_as_a_link(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "k").write_bytes(b"v")
    store = LocalStore(str(tmp_path / "root"))
    store["a/k"] = b"1"
    os.symlink(outside, os.path.join(store.root, "link"))
    store.delete_prefix("")
    assert os.listdir(store.root) == [] and (outside / "k").read_bytes() == b"v"


def test_a_file_on_the_way_is_not_a_directory_error_naming_it(tmp_path):
    store = LocalStore(str(tmp_path / "root"))
    store["a"] = b"1"
    with pytest.raises(NotADirectoryError) as info:
        store["a/b"] = b"2"
    assert info.value.filename == os.path.join(store.root, "a")
    assert store["a"] == b"1"
