"""Which object codec a new array gets, by every way of making one, and what it accepts.

Strings (``dtype=str``, or object data all str) are ``vlen-utf8`` and bytes
``vlen-bytes``, which zarr-python and xarray read (tests/test_interop_groups.py
reads them there); ``msgpack2`` is for mixed objects, ``dtype=object`` with no
data, and on request. The choice is made in one place,
``zarr.objects.object_options``.
"""

import json
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

import zarr
from arrays import KINDS, new_path

STRS = np.array(["a", "", "\u00e9\U0001f600", "x" * 300], object)
BYTES = np.array([b"a", b"", b"\x00\xff", b"y" * 300], object)
MIXED = np.array(["a", b"b", 1, None], object)


def codec_on_disk(path):
    with open(os.path.join(path, ".zarray")) as f:
        return [f["id"] for f in json.load(f)["filters"]]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("dtype,codec,fill", [(str, "vlen-utf8", ""), ("U", "vlen-utf8", ""),
                                              (bytes, "vlen-bytes", b""),
                                              ("S", "vlen-bytes", b""),
                                              (object, "msgpack2", None)])
def test_the_dtype_chooses_the_codec_of_an_empty_array(kind, dtype, codec, fill):
    z = KINDS[kind]((4,), dtype=dtype, chunks=(2,))
    assert z.dtype == object and z._object_codec == codec
    assert z.fill_value == fill and type(z.fill_value) is type(fill)
    assert z[...].tolist() == [fill] * 4


def test_the_codec_asked_for_is_the_codec():
    assert zarr.zeros(3, dtype=str, object_codec="msgpack2")._object_codec == "msgpack2"
    assert zarr.zeros(3, dtype=object, object_codec="vlen-utf8")._object_codec == "vlen-utf8"
    assert zarr.array(STRS, object_codec="msgpack2")._object_codec == "msgpack2"
    with pytest.raises(ValueError, match="vlen-bytes"):
        zarr.zeros(3, dtype=str, object_codec="vlen-bytes")
    with pytest.raises(ValueError, match="unknown object codec"):
        zarr.zeros(3, dtype=object, object_codec="pickle")


@pytest.mark.parametrize("data,codec", [(STRS, "vlen-utf8"), (BYTES, "vlen-bytes"),
                                        (MIXED, "msgpack2"),
                                        (np.array(["a", None], object), "msgpack2"),
                                        (np.array([], object), "msgpack2"),
                                        (STRS.reshape(2, 2), "vlen-utf8")])
def test_the_data_chooses_the_codec(data, codec):
    for z in (zarr.array(data), zarr.group().array("x", data),
              zarr.open_group(new_path(), mode="w").array("x", data)):
        assert z._object_codec == codec, z
        assert z[...].tolist() == data.tolist()


def test_strings_by_path_and_in_groups_are_vlen_utf8_on_disk():
    path = new_path()
    zarr.open(path, mode="w", shape=3, dtype=str)
    assert codec_on_disk(path) == ["vlen-utf8"]
    g = zarr.open_group(new_path(), mode="w")
    g.create("s", shape=3, dtype=str)
    g.array("t", STRS)
    g["u"] = STRS
    g.zeros("v", shape=2, dtype=bytes)
    assert [codec_on_disk(os.path.join(g.store.root, m)) for m in "stuv"] == \
        [["vlen-utf8"]] * 3 + [["vlen-bytes"]]
    # dtype=str opens the array it made
    assert zarr.open(path, mode="r", dtype=str).dtype == object


def test_fill_values_of_strings_convert_as_numpy():
    assert zarr.ones(2, dtype=str)[...].tolist() == np.ones(2, str).tolist() == ["1", "1"]
    assert zarr.full(2, 2.5, dtype=str)[...].tolist() == ["2.5", "2.5"]
    assert zarr.ones(2, dtype=bytes)[...].tolist() == [b"1", b"1"]
    with pytest.raises(ValueError, match="holds str"):
        zarr.full(2, 5, dtype=object, object_codec="vlen-utf8")


def test_like_arrays_and_copies_keep_the_codec():
    v = zarr.array(STRS, chunks=2)
    m = zarr.array(MIXED, chunks=2)
    for a in (v, m):
        for like in (zarr.empty_like(a), zarr.zeros_like(a), zarr.full_like(a, None)):
            assert like._object_codec == a._object_codec
        opened = zarr.open_like(a, new_path())
        assert opened._object_codec == a._object_codec and opened.fill_value == a.fill_value
    # A copy of an array in another codec is encoded again, not copied frame by frame.
    z = zarr.array(v, object_codec="msgpack2")
    assert z._object_codec == "msgpack2" and z[...].tolist() == STRS.tolist()
    assert zarr.array(v)._object_codec == "vlen-utf8"


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("dtype,bad", [(str, 5), (str, b"x"), (str, ["a"]), (bytes, "x"),
                                       (bytes, 1.5)])
def test_a_value_the_codec_cannot_hold_is_a_type_error_leaving_the_chunk(kind, dtype, bad):
    z = KINDS[kind]((4,), dtype=dtype, chunks=(4,))
    good = STRS if dtype is str else BYTES
    z[...] = good
    key = z._chunk((0,)).key
    before = z.store.get(key)
    values = np.array(good, object)
    values[2] = bad
    for write in (lambda: z.__setitem__(1, bad), lambda: z.__setitem__(Ellipsis, values),
                  lambda: z.__setitem__(slice(1, 3), values[1:3])):
        with pytest.raises(TypeError, match="holds %s" % dtype.__name__):
            write()
        assert z.store.get(key) == before
    assert z[...].tolist() == good.tolist()
    # None is the fill numcodecs writes as empty.
    z[0] = None
    assert z[0] == dtype()


def test_table_columns_of_bytes_are_vlen_bytes_and_take_other_rows():
    df = pd.DataFrame({"b": pd.Series(BYTES, dtype=object), "s": pd.Series(STRS, dtype=object)})
    t = zarr.from_pandas(df, zarr.group())
    assert [t[c]._object_codec for c in "bs"] == ["vlen-bytes", "vlen-utf8"]
    t.append(pd.DataFrame({"b": pd.Series(["text", None], dtype=object, index=[4, 5]),
                           "s": pd.Series([b"raw", 3], dtype=object, index=[4, 5])}))
    assert [t[c]._object_codec for c in "bs"] == ["msgpack2", "msgpack2"]
    assert t.to_pandas()["b"].tolist() == BYTES.tolist() + ["text", None]
    assert t.to_pandas()["s"].tolist() == STRS.tolist() + [b"raw", 3]


@given(st.lists(st.one_of(st.text(), st.none()), max_size=20))
def test_vlen_layout_is_the_count_then_lengths_and_bytes(items):
    import struct
    from zarr.ext import decode_vlen, encode_vlen
    arr = np.array(items + [""], object)[:len(items)] if items else np.empty(0, object)
    data = encode_vlen(arr, True)
    expected = struct.pack("<I", len(items)) + b"".join(
        struct.pack("<I", len((s or "").encode())) + (s or "").encode() for s in items)
    assert data == expected
    assert decode_vlen(data, len(items), True).tolist() == [s or "" for s in items]
    raw = [(s or "").encode() for s in items]
    assert decode_vlen(encode_vlen(np.array(raw + [b""], object)[:len(raw)], False),
                       len(raw), False).tolist() == raw


@pytest.mark.parametrize("codec,good,bad", [("vlen-utf8", "x", b"y"), ("vlen-bytes", b"x", "y")])
def test_a_bad_element_anywhere_leaves_every_chunk_as_it_was(codec, good, bad):
    z = zarr.zeros(6, dtype=object, chunks=2, object_codec=codec)
    z[...] = [good] * 6
    with pytest.raises(TypeError, match=codec):
        z[...] = [good, good, good, good, good, bad]
    with pytest.raises(TypeError, match=codec):
        z[[0, 5]] = [good, 7]
    assert z[...].tolist() == [good] * 6


# msgpack2 holds only what reads back as it was written; every codec checks
# the whole value before any chunk is written.

def _snapshot(z):
    """The array's shape and every chunk's stored bytes."""
    return z.shape, {key: z._chunk(key).get_cdata() for key, _ in z._stored_chunks(False)}


MSGPACK_REFUSED = [(1, 2), {(1, 2): 3}, {"a": (1,)}, [1, (2,)], np.int64(3), np.float32(1.5),
                   1.5 + 2j, 2**64, -2**63 - 1, object(), "\ud800", {"k": np.arange(2)},
                   {1.5: {frozenset(): 1}}]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("bad", MSGPACK_REFUSED, ids=repr)
def test_msgpack2_refuses_what_it_would_not_read_back(kind, bad):
    z = KINDS[kind]((6,), dtype=object, chunks=(2,))
    assert z._object_codec == "msgpack2"
    z[...] = MIXED.tolist() + [2.5, {"k": [1]}]
    before = _snapshot(z)
    values = np.empty(6, object)
    values[:] = [None] * 6
    values[4] = bad
    for write in (lambda: z.__setitem__(4, bad), lambda: z.__setitem__(Ellipsis, values),
                  lambda: z.__setitem__(slice(3, 6), values[3:])):
        with pytest.raises(TypeError, match="msgpack2 array cannot hold"):
            write()
        assert _snapshot(z) == before
    assert z[...].tolist() == MIXED.tolist() + [2.5, {"k": [1]}]


_keys = st.one_of(st.text(max_size=5), st.binary(max_size=5), st.integers(-2**63, 2**64 - 1),
                  st.booleans(), st.none(), st.floats(allow_nan=False))
_msgpack_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1), st.floats(),
              st.text(max_size=8), st.binary(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=12)


def _equal(x, y):
    """x == y, NaN equal to NaN, and of the same types all the way down."""
    if type(x) is not type(y):
        return False
    if isinstance(x, float) and x != x:
        return y != y
    if isinstance(x, list):
        return len(x) == len(y) and all(map(_equal, x, y))
    if isinstance(x, dict):
        return len(x) == len(y) and all(k in y and _equal(v, y[k]) for k, v in x.items())
    return x == y


@given(st.lists(_msgpack_values, min_size=1, max_size=6))
def test_msgpack2_takes_and_gives_back_what_msgpack_holds(items):
    z = zarr.empty(len(items), dtype=object, chunks=2, object_codec="msgpack2")
    values = np.empty(len(items), object)
    values[:] = items
    z[...] = values
    assert all(map(_equal, z[...].tolist(), items))


def _write_paths(z, value):
    """Every way of writing ``value`` (6 elements) over the 6 elements of z."""
    mask = np.ones(6, bool)
    return {
        "setitem": lambda: z.__setitem__(Ellipsis, value),
        "slice": lambda: z.__setitem__(slice(None, None, -1), value[::-1]),
        "array index": lambda: z.__setitem__([5, 4, 3, 2, 1, 0], value[::-1]),
        "mask": lambda: z.__setitem__(mask, value),
        "oindex": lambda: z.oindex.__setitem__([0, 1, 2, 3, 4, 5], value),
        "vindex": lambda: z.vindex.__setitem__(mask, value),
        "coordinates": lambda: z.vindex.__setitem__(([0, 1, 2, 3, 4, 5],), value),
        "blocks": lambda: z.blocks.__setitem__(slice(None), value),
        "append": lambda: z.append(value),
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("codec,good,bad", [("msgpack2", [1, "a"], (1, 2)),
                                            ("msgpack2", "x", "\udc00"),
                                            ("vlen-utf8", "x", b"y"),
                                            ("vlen-utf8", "x", "\ud800"),
                                            ("vlen-bytes", b"x", "y")])
def test_a_refused_element_last_leaves_every_chunk_by_every_write(kind, codec, good, bad):
    z = KINDS[kind]((6,), dtype=object, chunks=(2,), object_codec=codec)
    value = np.empty(6, object)
    value[:] = [good] * 6
    z[...] = value
    before = _snapshot(z)
    value[5] = bad  # in the chunk written last
    for name, write in _write_paths(z, value).items():
        with pytest.raises((TypeError, ValueError), match=codec):
            write()
        assert _snapshot(z) == before, name
    assert z[...].tolist() == [good] * 6


def test_nan_is_held_by_msgpack2():
    z = zarr.empty(3, dtype=object, chunks=2, object_codec="msgpack2")
    z[...] = np.array([float("nan"), [1, float("nan")], {"a": float("nan")}], object)
    got = z[...].tolist()
    assert got[0] != got[0] and got[1][1] != got[1][1] and got[2]["a"] != got[2]["a"]


def test_msgpack2_takes_subclasses_that_read_back_equal():
    class Name(str):
        pass
    z = zarr.empty(4, dtype=object, chunks=2, object_codec="msgpack2")
    value = np.empty(4, object)
    value[:] = [np.float64(2.5), Name("n"), [np.float64("nan")], {"k": True}]
    z[...] = value
    got = z[...].tolist()
    assert got[:2] == [2.5, "n"] and got[2][0] != got[2][0] and got[3] == {"k": True}
    assert [type(x) for x in got[:2]] == [float, str]
