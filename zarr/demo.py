"""A walk through zarr: the arrays of the README session, then the chunks
and codecs beneath them. ``python -m zarr.demo``."""

import os
import tempfile
import time

import numpy as np

import zarr
from zarr.ext import SHUFFLE_NAMES, Chunk, SynchronizedChunk, compress, decompress
from zarr.util import human_readable_size as human


def show(code, namespace):
    """Print a line as typed at the prompt, run it, and print what it returns."""
    print(">>> " + code)
    try:
        result = eval(code, namespace)
    except SyntaxError:
        exec(code, namespace)
        return
    if result is not None:
        print(repr(result))


def session():
    """The session of the README: create, fill, slice, resize, append."""
    ns = {"np": np, "zarr": zarr}
    for code in [
        "z = zarr.empty(shape=(10000, 1000), dtype='i4', chunks=(1000, 100))",
        "z",
        "z[:] = np.arange(10000000, dtype='i4').reshape(10000, 1000)",
        "z",
        "z[:]",
        "z[:100]",
        "z[:, :100]",
        "z.resize(20000, 1000)",
        "z",
        "z[10000:, :] = np.arange(10000000, dtype='i4').reshape(10000, 1000)",
        "z",
        "a = np.arange(10000000, dtype='i4').reshape(10000, 1000)",
        "z = zarr.array(a, chunks=(1000, 100))",
        "z",
        "z.append(a+a)",
        "z",
        "z.append(np.vstack([a, a]), axis=1)",
        "z",
        "z[19999, 1999], z[5, ::-400]",
    ]:
        show(code, ns)
    print()


def persistent_session():
    """Arrays in a directory: written, listed, reopened; a lazy petabyte array."""
    with tempfile.TemporaryDirectory() as tmp:
        ns = {"np": np, "zarr": zarr, "os": os}
        os.chdir(tmp)
        for code in [
            "z = zarr.open('example.zarr', mode='w', shape=(10000, 1000), dtype='i4', "
            "chunks=(1000, 100))",
            "z[:] = np.arange(10000000, dtype='i4').reshape(10000, 1000)",
            "z",
            "sorted(os.listdir('example.zarr'))[:5]",
            "print(open('example.zarr/.zarray').read())",
            "r = zarr.open('example.zarr', mode='r')",
            "r[9999, 990:]",
            "z.append(np.zeros((5, 1000), 'i4'))",
            "zarr.open('example.zarr', mode='r').shape",
            "big = zarr.open('big.zarr', mode='w', shape=(1e8, 1e7), dtype='i4', "
            "chunks=(1000, 1000), lazy=True)",
            "big",
            "big[0, :2000] = 42; big[99999999, -1] = 7",
            "zarr.open('big.zarr', mode='r', lazy=True)",
            "sorted(os.listdir('big.zarr'))",
        ]:
            show(code, ns)
        os.chdir("/")
    print()


def group_session():
    """A small hierarchy in a directory: groups, arrays, attributes, tree()."""
    with tempfile.TemporaryDirectory() as tmp:
        ns = {"np": np, "zarr": zarr, "os": os}
        os.chdir(tmp)
        for code in [
            "root = zarr.open_group('experiment.zarr', mode='w', zarr_format=2)",
            "root.attrs.update(title='a small hierarchy', version=2)",
            "t = root.zeros('run1/temperature', shape=(1000, 100), chunks=(100, 100), "
            "dtype='f4')",
            "t.attrs['units'] = 'K'",
            "root['run1/time'] = np.arange(1000.0)",
            "root.create_group('run2/calibration')",
            "print(root.tree())",
            "sorted(os.listdir('experiment.zarr/run1'))",
            "print(open('experiment.zarr/run1/temperature/.zattrs').read())",
            "zarr.open('experiment.zarr', mode='r')['run1/temperature'].attrs['units']",
            "zarr.open('experiment.zarr', mode='r').attrs.asdict()",
        ]:
            show(code, ns)
        os.chdir("/")
    print()


def main():
    print("zarr %s over c-blosc %s; compressors: %s"
          % (zarr.__engine_version__, zarr.BLOSC_VERSION, ", ".join(zarr.COMPRESSORS)))
    print()
    session()
    persistent_session()
    group_session()

    rng = np.random.default_rng(0)
    data = {
        "int32 arange": np.arange(1000 * 256, dtype="i4").reshape(1000, 256),
        "float64 random walk": np.cumsum(rng.normal(0, 1, 128 * 1024)).reshape(128, 1024),
        "uint8 noise": rng.integers(0, 256, 1 << 20, dtype="u1").reshape(1024, 1024),
    }
    print("One 1 MB chunk of each kind, compressed with each codec (clevel 5):")
    print("  %-20s %-8s %-12s %8s %8s %7s %9s %9s" % (
        "data", "cname", "shuffle", "nbytes", "cbytes", "ratio", "comp", "decomp"))
    for name, arr in data.items():
        for cname in zarr.COMPRESSORS:
            for shuffle in (0, 1, 2):
                t0 = time.perf_counter()
                frame = compress(arr, arr.itemsize, cname, 5, shuffle)
                t1 = time.perf_counter()
                out = np.empty_like(arr)
                decompress(frame, out)
                t2 = time.perf_counter()
                assert np.array_equal(out, arr)
                print("  %-20s %-8s %-12s %8s %8s %7.1f %7.2fms %7.2fms" % (
                    name, cname, SHUFFLE_NAMES[shuffle], human(arr.nbytes), human(len(frame)),
                    arr.nbytes / len(frame), (t1 - t0) * 1e3, (t2 - t1) * 1e3))
    print()

    print("A chunk object: partial writes, fill values, sizes")
    c = SynchronizedChunk((1000, 100), "f8", cname="lz4", fill_value=np.nan)
    print("  new:          ", c, "initialized:", c.is_initialized)
    c[:500] = np.linspace(0, 1, 500 * 100).reshape(500, 100)
    print("  half written: ", c, "ratio %.1f" % (c.nbytes / c.cbytes))
    print("  c[499, :3] =", c[499, :3], "  c[500, :3] =", c[500, :3])
    c[500:] = 0
    print("  all written:  ", c, "ratio %.1f" % (c.nbytes / c.cbytes))
    whole = np.empty((1000, 100))
    c.read(Ellipsis, whole)
    print("  whole read into the caller's array: sum = %.3f" % whole.sum())

    print()
    print("Corrupt bytes raise, they never crash:")
    frame = bytearray(c.get_cdata())
    frame[12] ^= 0x40
    try:
        Chunk((1000, 100), "f8").set_cdata(bytes(frame))
    except zarr.CorruptChunkError as e:
        print("  CorruptChunkError:", e)

    shell_session()


def shell_session():
    """The command line on a small hierarchy: info, tree and verify."""
    import shlex
    import subprocess
    import sys
    import tempfile

    print()
    print("From a shell: python -m zarr (or the zarr command)")
    with tempfile.TemporaryDirectory(prefix="zarr-demo-") as tmp:
        path = tmp + "/survey.zarr"
        g = zarr.open_group(path, mode="w", zarr_format=2)
        g.attrs["title"] = "a survey"
        t = g.create("raw/temperature", shape=(2000, 500), chunks=(500, 100), dtype="f4")
        t[...] = np.random.default_rng(0).normal(15, 5, size=t.shape).astype("f4")
        g.create("raw/station", shape=(2000,), chunks=(1000,), dtype="i2")[...] = 7
        for args in (["info", path + "/raw/temperature"], ["tree", path],
                     ["verify", path, "--checksum"]):
            print("$ zarr " + " ".join(shlex.quote(a.replace(tmp + "/", "")) for a in args))
            done = subprocess.run([sys.executable, "-m", "zarr"] + args, capture_output=True,
                                  text=True, cwd=tmp)
            print((done.stdout + done.stderr).replace(tmp + "/", "").rstrip())
            if done.returncode != 0:
                raise SystemExit("zarr %s failed (exit %d)" % (args[0], done.returncode))


if __name__ == "__main__":
    main()
