"""The temporary files of writes: their names say whose they are, what killed
writers leave is swept once they are gone (and never a live writer's), and a
failed write names the key's file."""

import errno
import itertools
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import zarr
from test_persistent_faults import make_read_only, partial_files, run_unprivileged, world_dir
from zarr.storage import LocalStore, WrapperStore
from zarr.storage import nofollow, partials
from zarr.storage.partials import HOST, partial_writer, writer_is_gone

assert world_dir  # a fixture of the tests below

# A writer that stops halfway through the bytes of its temporary file, says so,
# and waits there to be killed.
HANG_MID_WRITE = textwrap.dedent("""
    import os, sys, time
    import zarr
    z = zarr.open(sys.argv[1], mode="r+")
    real_write = os.write

    def write(fd, data):
        real_write(fd, bytes(memoryview(data)[:1]))
        print("writing", flush=True)
        time.sleep(600)

    os.write = write
    z[int(sys.argv[2])] = 1
""")


def killed_mid_write(path, index):
    """Start a writer of element ``index`` of the array at ``path``, kill it
    (SIGKILL) while it writes its temporary file; its process id."""
    proc = subprocess.Popen([sys.executable, "-c", HANG_MID_WRITE, path, str(index)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "writing\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return proc.pid


@pytest.fixture
def live_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def gone_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def plant(directory, name):
    full = os.path.join(directory, name)
    with open(full, "wb") as f:
        f.write(b"partial")
    return full


@pytest.mark.parametrize("separator", [".", "/"])
@pytest.mark.parametrize("lazy", [False, True])
def test_temporary_files_of_killed_writers_go_on_opening_to_write(tmp_path, separator, lazy,
                                                                  live_process):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(40, 2), chunks=(4, 2), dtype="i4",
                  dimension_separator=separator, lazy=lazy)
    z[:] = 3
    pid = killed_mid_write(path, 13)
    left = partial_files(path)
    chunk = os.path.join(path, "3%s0" % separator)
    assert len(left) == 1, left
    where, name = os.path.split(os.path.join(path, left[0]))
    assert where == os.path.dirname(chunk)
    assert name.startswith(".%s.%d@%s." % (os.path.basename(chunk), pid, HOST)), name
    # Of live writers (another process, this one), of another host, not a writer's.
    dead = gone_pid()
    kept = sorted(os.path.relpath(plant(where, name), path) for name in (
        ".2.%d@%s.0.partial" % (live_process, HOST), ".2.%d.0.partial" % live_process,
        ".4.%d@%s.3.partial" % (os.getpid(), HOST), ".5.%d@not-%s.1.partial" % (dead, HOST),
        "5.partial"))
    assert partial_files(path) == sorted(left + kept)
    zarr.open(path, mode="r", lazy=lazy)
    assert partial_files(path) == sorted(left + kept)  # reading removes nothing
    a = zarr.open(path, mode="r+", lazy=lazy)
    assert partial_files(path) == kept
    np.testing.assert_array_equal(a[...], np.full((40, 2), 3))  # the killed write never landed
    a[13] = 5
    assert a[13].tolist() == [5, 5] and partial_files(path) == kept


def test_temporary_files_of_killed_writers_go_on_resize_of_a_large_array(tmp_path,
                                                                         live_process):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(3000,), chunks=(1,), dtype="u1", cname=None)
    z[:] = 1
    if os.stat(path).st_size <= nofollow.SMALL_DIRECTORY:
        pytest.skip("directories here do not tell their size")
    gone = [plant(path, ".%d.%d@%s.0.partial" % (i, gone_pid(), HOST)) for i in (5, 2999)]
    live = plant(path, ".7.%d@%s.0.partial" % (live_process, HOST))
    # Opening lists no large directory: what is left stays...
    z = zarr.open(path, mode="r+")
    z.resize(4000)  # ... and so does growing, as cheap as opening ...
    assert all(os.path.exists(p) for p in gone + [live])
    z.resize(2000)  # ... but a shrink, which lists every chunk anyway, sweeps
    assert [os.path.exists(p) for p in gone + [live]] == [False, False, True]
    assert z.nchunks_initialized == 2000


def test_sweeping_on_a_budget_looks_at_no_large_directory(tmp_path, monkeypatch):
    store = LocalStore(str(tmp_path / "s"))
    for i in range(3000):
        store["a/%d" % i] = b""
    if os.stat(store.directory("a")).st_size <= nofollow.SMALL_DIRECTORY:
        pytest.skip("directories here do not tell their size")
    left = plant(store.directory("a"), ".1.%d@%s.0.partial" % (gone_pid(), HOST))
    monkeypatch.setattr(nofollow.os, "scandir", None)  # listing would raise
    assert store.sweep_partials("a", budget=256) == []
    monkeypatch.undo()
    assert store.sweep_partials("a") == [left]


def test_sweeping_on_a_budget_stops(tmp_path):
    store = LocalStore(str(tmp_path / "s"))
    dead = gone_pid()
    for row in range(50):
        store["a/%d/0" % row] = b""
        plant(store.directory("a/%d" % row), ".0.%d@%s.0.partial" % (dead, HOST))
    removed = store.sweep_partials("a", budget=100)
    assert 0 < len(removed) < 10  # a directory entered costs 32 entries
    assert len(store.sweep_partials("a")) == 50 - len(removed)
    assert partial_files(store.root) == []


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_read_only_store_sweeps_nothing(tmp_path, wrapped):
    store = LocalStore(str(tmp_path / "s"))
    store["a/0"] = b""
    left = plant(store.directory("a"), ".0.%d@%s.0.partial" % (gone_pid(), HOST))
    read_only = store.with_read_only()
    assert (WrapperStore(read_only) if wrapped else read_only).sweep_partials("a") == []
    assert os.path.exists(left)


def test_the_names_of_temporary_files_say_whose_they_are():
    me = os.getpid()
    name = partials.partial_name("0.0")
    assert partial_writer(name) == (me, HOST) and not writer_is_gone(name)
    assert partial_writer(partials.partial_name("k" * 300)) == (me, HOST)
    assert len(partials.partial_name("é" * 200).encode()) <= 255
    dead = gone_pid()
    assert writer_is_gone(".0.%d@%s.0.partial" % (dead, HOST))
    assert writer_is_gone(".0.%d.0.partial" % dead)  # no host: this one's
    assert not writer_is_gone(".0.%d@other.0.partial" % dead)
    assert writer_is_gone(".0.99999999@%s.0.partial" % HOST)  # no such process id
    for name in ("0.0", ".0.0.partial", ".0.x.0.partial", "0.%d.0.partial" % dead,
                 ".0.%d@%s.0" % (dead, HOST), ".0.0@%s.1.partial" % HOST,
                 ".0.-1@%s.1.partial" % HOST):
        assert not writer_is_gone(name), name
    if os.geteuid() != 0:
        assert not writer_is_gone(".0.1@%s.0.partial" % HOST)  # init: EPERM, alive


def test_a_temporary_name_taken_by_a_dead_process_of_the_same_id_gives_way(tmp_path,
                                                                          monkeypatch):
    """Process ids come round again (in containers, always the same): a name
    that a killed process of this id left is not this write's end."""
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(4,), chunks=(2,), dtype="i4")
    monkeypatch.setattr(partials, "_numbers", itertools.count(7))
    taken = [plant(z.path, ".0.%d@%s.%d.partial" % (os.getpid(), HOST, n)) for n in (7, 8)]
    z[:2] = 5
    assert z[...].tolist() == [5, 5, 0, 0]
    assert all(open(p, "rb").read() == b"partial" for p in taken)


# A failed write names the key's file, never the temporary one.


def test_a_write_refused_by_permissions_names_the_key_file(world_dir):
    for separator in (".", "/"):
        path = os.path.join(world_dir, "a%d.zarr" % len(separator))
        z = zarr.open(path, mode="w", shape=(10, 10), dtype="i4", chunks=(4, 4),
                      dimension_separator=separator)
        z[:4] = 1
        make_read_only(path)

        def attempt():
            a = zarr.open(path, mode="r+")
            writes = {"0%s0" % separator: lambda: a.__setitem__((0, 0), 5),
                      "2%s2" % separator: lambda: a.__setitem__((9, 9), 5),
                      ".zattrs": lambda: a.attrs.__setitem__("x", 1),
                      ".zarray": lambda: a.resize(20, 10),
                      "0%s2" % separator: lambda: a.resize(4, 8)}
            for key, write in writes.items():
                with pytest.raises(PermissionError) as info:
                    write()
                assert info.value.filename == os.path.join(path, key), (key, info.value)
                assert partial_files(path) == []
                assert a.shape == (10, 10)

        run_unprivileged(attempt)


def test_names_too_long_for_a_temporary_file_are_written_and_longer_ones_named(tmp_path):
    """Binding as root too: the kernel's limit on a file name's length."""
    store = LocalStore(str(tmp_path / "s"))
    longest = "k" * 255
    store[longest] = b"top"
    store["a/" + longest] = b"nested"
    assert store[longest] == b"top" and store.list("a") == ["a/" + longest]
    assert store.set_if_absent("b/" + longest, b"claimed")
    assert store["b/" + longest] == b"claimed"
    for key in ("k" * 256, "a/" + "k" * 256):
        with pytest.raises(OSError) as info:
            store[key] = b"x"
        assert info.value.errno == errno.ENAMETOOLONG
        assert info.value.filename == store.file_path(key)
    assert partial_files(store.root) == []
