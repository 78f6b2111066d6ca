"""User attributes of arrays and groups: a dict of JSON values, in memory or in .zattrs."""

import enum
import json
import math
import os
import pickle
import threading

import numpy as np
import pytest

import zarr
from zarr.storage import LocalStore
from zarr.attrs import MAX_ARRAY_ELEMENTS, Attributes, dumps_attributes, json_value
from zarr.errors import MetadataError, ReadOnlyError

from arrays import KINDS
from threads import run_in_threads
from trees import METADATA, hidden_leftovers, snapshot

# What the tests run against.


class Subject:
    """Something with attributes: ``obj``, and ``reopen(mode)`` for the same thing
    opened afresh (from its directory; in memory, the same object)."""

    def __init__(self, obj, reopen=None):
        self.obj = obj
        in_directory = isinstance(getattr(obj, "store", None), LocalStore)
        self.path = obj.path if in_directory else None
        self._reopen = reopen

    @property
    def attrs(self):
        return self.obj.attrs

    @property
    def in_directory(self):
        return self.path is not None

    @property
    def zattrs(self):
        return os.path.join(self.path, ".zattrs")

    def reopen(self, mode="r+"):
        if self._reopen is None:
            return self.obj
        return self._reopen(mode)

    def state(self):
        """What 'nothing changed' compares: the attributes, and in a directory the
        bytes and modification times of every file."""
        if not self.in_directory:
            return self.attrs.asdict()
        return self.attrs.asdict(), snapshot(self.path)


def _array_subject(kind, tmp_path):
    z = KINDS[kind]((6,), "f8", (2,))
    if not isinstance(z.store, LocalStore):
        # In a store of another kind: the same array opened afresh on that store.
        return Subject(z, lambda mode: zarr.open(z.store, mode=mode, path=z.key_prefix))
    lazy = "lazy" in kind
    synchronized = kind.startswith("synchronized") or kind == "nested-directory"
    return Subject(z, lambda mode: zarr.open(z.path, mode=mode, lazy=lazy,
                                             synchronized=synchronized))


def _make_subject(name, tmp_path):
    if name in KINDS:
        return _array_subject(name, tmp_path)
    path = str(tmp_path / "g.zarr")
    if name == "memory-group":
        return Subject(zarr.group())
    if name == "memory-subgroup":
        g = zarr.group()
        return Subject(g.create_group("a/b"), lambda mode: g["a/b"])
    if name == "memory-member-array":
        g = zarr.group()
        return Subject(g.zeros("a/x", shape=6, chunks=2), lambda mode: g["a/x"])
    if name == "directory-group":
        return Subject(zarr.open_group(path, mode="w"),
                       lambda mode: zarr.open_group(path, mode=mode))
    if name == "directory-subgroup":
        g = zarr.open_group(path, mode="w")
        return Subject(g.create_group("a/b"), lambda mode: zarr.open_group(path, mode=mode)["a/b"])
    if name == "directory-member-array":
        g = zarr.open_group(path, mode="w")
        return Subject(g.zeros("a/x", shape=6, chunks=2),
                       lambda mode: zarr.open_group(path, mode=mode)["a/x"])
    if name == "process-sync-array":
        z = zarr.open(path, mode="w", shape=6, chunks=2, process_sync=True)
        return Subject(z, lambda mode: zarr.open(path, mode=mode, process_sync=True))
    raise AssertionError(name)


ALL = sorted(KINDS) + ["memory-group", "memory-subgroup", "memory-member-array",
                       "directory-group", "directory-subgroup", "directory-member-array",
                       "process-sync-array"]
DIRECTORIES = [name for name in ALL if name not in ("memory", "synchronized-memory",
                                                    "dict-store", "counting-store")
               and not name.startswith(("memory-", "fsspec-"))]


@pytest.fixture(params=ALL)
def subject(request, tmp_path):
    return _make_subject(request.param, tmp_path)


@pytest.fixture(params=DIRECTORIES)
def dsubject(request, tmp_path):
    s = _make_subject(request.param, tmp_path)
    assert s.in_directory
    return s


def on_disk(s):
    with open(s.zattrs) as f:
        return json.load(f)


# Reading and writing.


def test_new_attributes_are_empty(subject):
    attrs = subject.attrs
    assert isinstance(attrs, Attributes)
    assert len(attrs) == 0 and list(attrs) == [] and attrs.asdict() == {}
    assert "a" not in attrs and attrs.get("a") is None and attrs.get("a", 3) == 3
    with pytest.raises(KeyError):
        attrs["a"]
    assert attrs.read_only is False
    assert dict(attrs) == {}


def test_set_get_and_reopen(subject):
    attrs = subject.attrs
    values = {"int": 1, "neg": -5, "big": 2 ** 70, "float": 2.5, "true": True, "false": False,
              "none": None, "text": "m/s", "unicode": "ünïcødé ☃", "list": [1, "a", None],
              "nested": {"a": {"b": [1.5, {"c": True}]}}, "empty_list": [], "empty": {}}
    for key, value in values.items():
        attrs[key] = value
    for a in (attrs, subject.reopen().attrs, subject.reopen("r").attrs):
        assert a.asdict() == values
        for key, value in values.items():
            assert a[key] == value
            assert type(a[key]) is type(value)
        assert a["true"] is True and a["none"] is None
        assert len(a) == len(values)
        assert list(a) == list(values)  # in the order set
    if subject.in_directory:
        assert on_disk(subject) == values


def test_update(subject):
    attrs = subject.attrs
    attrs["keep"] = 0
    attrs.update({"a": 1, "b": 2})
    attrs.update(c=3)
    attrs.update([("d", 4)], e=5)
    attrs.update({"a": 10})
    expected = {"keep": 0, "a": 10, "b": 2, "c": 3, "d": 4, "e": 5}
    assert attrs.asdict() == expected
    assert subject.reopen().attrs.asdict() == expected
    attrs.update()
    assert attrs.asdict() == expected


def test_delete(subject):
    attrs = subject.attrs
    attrs.update(a=1, b=2, c=3)
    del attrs["b"]
    assert attrs.asdict() == {"a": 1, "c": 3}
    assert "b" not in attrs and "b" not in subject.reopen().attrs
    before = subject.state()
    with pytest.raises(KeyError):
        del attrs["b"]
    with pytest.raises(KeyError):
        del attrs["missing"]
    assert subject.state() == before


def test_mapping_methods(subject):
    attrs = subject.attrs
    attrs.update(a=1, b=[2])
    assert sorted(attrs.keys()) == ["a", "b"]
    assert sorted(attrs.items()) == [("a", 1), ("b", [2])]
    assert list(attrs.values()) == [1, [2]]
    assert attrs == {"a": 1, "b": [2]}
    assert attrs.pop("a") == 1 and "a" not in subject.reopen().attrs
    assert attrs.pop("missing", "default") == "default"
    assert attrs.setdefault("s", "x") == "x" and attrs.setdefault("s", "y") == "x"
    assert subject.reopen().attrs["s"] == "x"
    attrs.put({"only": 1, "arr": np.arange(2)})
    assert attrs.asdict() == {"only": 1, "arr": [0, 1]}
    assert subject.reopen().attrs.asdict() == {"only": 1, "arr": [0, 1]}
    attrs.clear()
    assert attrs.asdict() == {} and len(subject.reopen().attrs) == 0
    if subject.in_directory:
        assert on_disk(subject) == {}
    assert "Attributes(" in repr(attrs)


def test_asdict_is_a_copy(subject):
    subject.attrs["list"] = [1, 2]
    subject.attrs["dict"] = {"a": 1}
    d = subject.attrs.asdict()
    d["list"].append(3)
    d["dict"]["b"] = 2
    d["new"] = 1
    assert subject.attrs.asdict() == {"list": [1, 2], "dict": {"a": 1}}


def test_values_read_are_not_the_stored_values(subject):
    # Changing a value read from the attributes changes nothing stored, in memory as in
    # a directory (where every read parses the file afresh).
    subject.attrs["list"] = [1, 2]
    subject.attrs["dict"] = {"a": 1}
    subject.attrs["list"].append(3)
    subject.attrs["dict"]["b"] = 2
    assert subject.attrs["list"] == [1, 2]
    assert subject.attrs["dict"] == {"a": 1}


def test_values_set_are_copied(subject):
    value = [1, {"a": 2}]
    subject.attrs["v"] = value
    value.append(3)
    value[1]["b"] = 4
    assert subject.attrs["v"] == [1, {"a": 2}]


def test_a_second_object_sees_changes_at_once(dsubject):
    first = dsubject.attrs
    second = dsubject.reopen().attrs
    third = Attributes(LocalStore(os.path.dirname(dsubject.zattrs)), ".zattrs")
    first["a"] = 1
    assert second["a"] == 1 and third["a"] == 1
    second.update(b=2)
    assert first.asdict() == {"a": 1, "b": 2} == third.asdict()
    del third["a"]
    assert "a" not in first and "a" not in second
    assert dsubject.reopen("r").attrs.asdict() == {"b": 2}


def test_zattrs_file_is_json_of_the_attributes(dsubject):
    dsubject.attrs.update(a=1, b="x", c=[1.5])
    with open(dsubject.zattrs) as f:
        text = f.read()
    assert text == dumps_attributes({"a": 1, "b": "x", "c": [1.5]})
    assert json.loads(text) == {"a": 1, "b": "x", "c": [1.5]}
    dsubject.attrs["é"] = "☃"
    with open(dsubject.zattrs, "rb") as f:
        raw = f.read()
    assert raw.isascii()  # escaped, readable anywhere
    assert json.loads(raw) == {"a": 1, "b": "x", "c": [1.5], "é": "☃"}
    assert dsubject.reopen().attrs["é"] == "☃"


def test_a_missing_zattrs_reads_as_empty_and_is_written_back(dsubject):
    dsubject.attrs["a"] = 1
    os.remove(dsubject.zattrs)
    assert dsubject.attrs.asdict() == {} and len(dsubject.attrs) == 0
    dsubject.attrs["b"] = 2
    assert on_disk(dsubject) == {"b": 2}


# Conversion of numpy values.

SCALARS = [
    (np.int8(-3), -3, int), (np.int16(300), 300, int), (np.int32(-7), -7, int),
    (np.int64(2 ** 40), 2 ** 40, int), (np.uint8(255), 255, int),
    (np.uint64(2 ** 64 - 1), 2 ** 64 - 1, int), (np.float16(0.5), 0.5, float),
    (np.float32(0.25), 0.25, float), (np.float64(1.1), 1.1, float),
    (np.bool_(True), True, bool), (np.bool_(False), False, bool),
    (np.str_("text"), "text", str), (np.str_(""), "", str),
]


@pytest.mark.parametrize("value, expected, kind", SCALARS, ids=lambda v: repr(v))
def test_numpy_scalars_become_json_values(subject, value, expected, kind):
    subject.attrs["v"] = value
    subject.attrs["in_list"] = [value]
    subject.attrs["in_dict"] = {"k": value}
    for attrs in (subject.attrs, subject.reopen().attrs):
        got = attrs["v"]
        assert got == expected and type(got) is kind
        assert type(attrs["in_list"][0]) is kind and attrs["in_list"] == [expected]
        assert type(attrs["in_dict"]["k"]) is kind
        assert type(attrs.asdict()["v"]) is kind


def test_long_double_becomes_a_float(subject):
    # np.longdouble is a float kind like the others: it is stored as a float (or refused
    # with an error naming the key, but never with json's own message and never kept
    # as a numpy scalar).
    subject.attrs["q"] = np.longdouble(1.5)
    for attrs in (subject.attrs, subject.reopen().attrs):
        assert attrs["q"] == 1.5 and type(attrs["q"]) is float


ARRAYS = [
    (np.arange(4, dtype="i2"), [0, 1, 2, 3]),
    (np.arange(6, dtype="u1").reshape(2, 3), [[0, 1, 2], [3, 4, 5]]),
    (np.array([0.5, -1.25], dtype="f4"), [0.5, -1.25]),
    (np.array([True, False]), [True, False]),
    (np.array(["a", "bc"]), ["a", "bc"]),
    (np.array(7), 7),
    (np.zeros(0), []),
    (np.zeros((2, 0)), [[], []]),
]


@pytest.mark.parametrize("value, expected", ARRAYS, ids=lambda v: repr(v))
def test_small_numpy_arrays_become_lists(subject, value, expected):
    subject.attrs["a"] = value
    subject.attrs["t"] = (1, (2, value))
    for attrs in (subject.attrs, subject.reopen().attrs):
        assert attrs["a"] == expected
        assert attrs["t"] == [1, [2, expected]]
        flat = json.dumps(attrs["a"])  # plain JSON types all the way down
        assert json.loads(flat) == expected


def test_array_element_types_after_reopening(subject):
    subject.attrs["ints"] = np.arange(3, dtype="u8")
    subject.attrs["floats"] = np.arange(3, dtype="f4")
    subject.attrs["strs"] = np.array(["x"])
    again = subject.reopen().attrs
    assert [type(v) for v in again["ints"]] == [int] * 3
    assert [type(v) for v in again["floats"]] == [float] * 3
    assert [type(v) for v in again["strs"]] == [str]


def test_the_largest_array_allowed(subject):
    subject.attrs["max"] = np.zeros(MAX_ARRAY_ELEMENTS, dtype="u1")
    assert len(subject.reopen().attrs["max"]) == MAX_ARRAY_ELEMENTS == 65536
    before = subject.state()
    with pytest.raises(TypeError, match="'too_big'.*too big") as info:
        subject.attrs["too_big"] = np.zeros(MAX_ARRAY_ELEMENTS + 1, dtype="u1")
    assert "65537" in str(info.value)
    with pytest.raises(TypeError, match="too big"):
        subject.attrs["too_big"] = np.zeros((300, 300))
    with pytest.raises(TypeError, match="'in_list'"):
        subject.attrs["in_list"] = [1, np.zeros(MAX_ARRAY_ELEMENTS + 1)]
    assert subject.state() == before


def test_json_value_conversions():
    assert json_value({"n": np.int64(3), "xy": np.arange(2.0)}, "params") == \
        {"n": 3, "xy": [0.0, 1.0]}

    class Color(enum.IntEnum):
        RED = 1
    out = json_value(Color.RED, "c")
    assert out == 1 and type(out) is int
    assert json_value(True, "b") is True and json_value(np.bool_(False), "b") is False
    assert json_value((1, (2, 3)), "t") == [1, [2, 3]]
    assert type(json_value(np.float64(2.0), "f")) is float
    out = json_value(np.str_("s"), "s")
    assert out == "s" and type(out) is str


# Values JSON cannot hold.


class Custom:
    pass


BAD_VALUES = [
    ("complex", 1 + 2j), ("numpy complex", np.complex128(1)), ("complex array", np.zeros(2, "c8")),
    ("bytes", b"raw"), ("numpy bytes", np.bytes_(b"x")), ("bytes array", np.array([b"a"])),
    ("object array", np.array([1, "a"], dtype=object)), ("datetime64", np.datetime64("2020-01-01")),
    ("datetime64 array", np.array(["2020-01-01"], dtype="M8[D]")),
    ("timedelta64", np.timedelta64(1, "s")), ("structured", np.zeros(2, dtype="i4,f4")),
    ("void", np.zeros(1, dtype="V4")[0]), ("set", {1, 2}), ("frozenset", frozenset()),
    ("custom", Custom()), ("type", int), ("function", len), ("bytearray", bytearray(b"x")),
    ("range", range(3)), ("int key", {1: "a"}), ("tuple key", {("a",): 1}),
    ("None key", {None: 1}), ("nested bad", {"ok": [1, {"deep": 1j}]}),
    ("nested int key", [{"fine": {2: 3}}]), ("bad in tuple", (1, b"x")),
]


@pytest.mark.parametrize("what, value", BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_values_json_cannot_hold_raise_naming_the_key(subject, what, value):
    subject.attrs["existing"] = [1, 2]
    before = subject.state()
    with pytest.raises(TypeError) as info:
        subject.attrs["the_key"] = value
    assert "'the_key'" in str(info.value)
    with pytest.raises(TypeError) as info:
        subject.attrs.update({"good": 1, "bad_one": value, "also_good": 2})
    assert "'bad_one'" in str(info.value)
    with pytest.raises(TypeError) as info:
        subject.attrs.update(good=1, kw_bad=value)
    assert "'kw_bad'" in str(info.value)
    with pytest.raises(TypeError) as info:
        subject.attrs.put({"replacement": 1, "put_bad": value})
    assert "'put_bad'" in str(info.value)
    assert subject.state() == before
    assert subject.reopen().attrs.asdict() == {"existing": [1, 2]}


@pytest.mark.parametrize("key", [1, None, b"k", ("a",), 1.5])
def test_attribute_names_must_be_strings(subject, key):
    before = subject.state()
    with pytest.raises(TypeError, match="must be strings"):
        subject.attrs[key] = 1
    with pytest.raises(TypeError, match="must be strings"):
        subject.attrs.update({"fine": 1, key: 2})
    with pytest.raises(TypeError, match="must be strings"):
        subject.attrs.put({key: 2})
    assert subject.state() == before
    assert key not in subject.attrs


def test_an_error_message_is_clear(subject):
    with pytest.raises(TypeError) as info:
        subject.attrs["when"] = np.datetime64("2020-01-01")
    assert str(info.value) == \
        "attribute 'when': a value of type datetime64 cannot be stored as JSON"
    with pytest.raises(TypeError) as info:
        subject.attrs["m"] = {1: 2}
    assert str(info.value) == "attribute 'm': dict keys must be strings for JSON, not 1"


# NaN and infinities.


def test_nan_and_infinities_round_trip(subject):
    subject.attrs.update(nan=float("nan"), inf=float("inf"), ninf=-np.inf,
                         f32nan=np.float32("nan"), arr=np.array([1.0, np.nan, -np.inf]))
    for attrs in (subject.attrs, subject.reopen().attrs, subject.reopen("r").attrs):
        assert math.isnan(attrs["nan"]) and math.isnan(attrs["f32nan"])
        assert attrs["inf"] == math.inf and attrs["ninf"] == -math.inf
        arr = attrs["arr"]
        assert arr[0] == 1.0 and math.isnan(arr[1]) and arr[2] == -math.inf
        d = attrs.asdict()
        assert math.isnan(d["nan"]) and d["inf"] == math.inf
    if subject.in_directory:
        with open(subject.zattrs) as f:
            text = f.read()
        assert "NaN" in text and "Infinity" in text and "-Infinity" in text


# Read-only.


READ_ONLY_CHANGES = {
    "setitem": lambda a: a.__setitem__("k", 1),
    "setitem_existing": lambda a: a.__setitem__("a", 1),
    "update": lambda a: a.update(k=1),
    "update_empty": lambda a: a.update(),
    "delitem": lambda a: a.__delitem__("a"),
    "delitem_missing": lambda a: a.__delitem__("missing"),
    "put": lambda a: a.put({}),
    "clear": lambda a: a.clear(),
    "pop": lambda a: a.pop("a"),
    "popitem": lambda a: a.popitem(),
    "setdefault": lambda a: a.setdefault("k", 1),
}


@pytest.mark.parametrize("change", sorted(READ_ONLY_CHANGES))
def test_mode_r_refuses_changes(dsubject, change):
    dsubject.attrs.update(a=1, b=[2])
    before = snapshot(dsubject.path)
    attrs = dsubject.reopen("r").attrs
    assert attrs.read_only is True
    assert attrs.asdict() == {"a": 1, "b": [2]}
    with pytest.raises(ReadOnlyError):
        READ_ONLY_CHANGES[change](attrs)
    assert snapshot(dsubject.path) == before
    assert attrs.asdict() == {"a": 1, "b": [2]}
    # Still readable, and the writable object still writes.
    assert attrs["a"] == 1 and "b" in attrs and len(attrs) == 2
    dsubject.attrs["after"] = 1
    assert attrs["after"] == 1


def test_read_only_group_member_attributes(tmp_path):
    path = str(tmp_path / "g.zarr")
    g = zarr.open_group(path, mode="w")
    g.zeros("x", shape=2).attrs["a"] = 1
    g.create_group("s").attrs["b"] = 2
    before = snapshot(path)
    r = zarr.open_group(path, mode="r")
    for attrs in (r.attrs, r["x"].attrs, r["s"].attrs):
        assert attrs.read_only
        with pytest.raises(ReadOnlyError):
            attrs["new"] = 1
    assert r["x"].attrs["a"] == 1 and r["s"].attrs["b"] == 2
    assert snapshot(path) == before


def test_read_only_attributes_object():
    a = Attributes(read_only=True)
    with pytest.raises(ReadOnlyError):
        a["k"] = 1
    assert a.asdict() == {}


# Corrupt files.


@pytest.mark.parametrize("text", ["{not json", "", "{\"a\": 1", "\xff\xfe", "nul\x00"])
def test_corrupt_zattrs_is_a_metadata_error_naming_the_file(dsubject, text):
    with open(dsubject.zattrs, "w", encoding="latin-1") as f:
        f.write(text)
    before = snapshot(dsubject.path)
    attrs = dsubject.reopen().attrs
    for read in (lambda: attrs["a"], attrs.asdict, lambda: len(attrs), lambda: list(attrs),
                 lambda: "a" in attrs, lambda: attrs.get("a")):
        with pytest.raises(MetadataError, match="zattrs") as info:
            read()
        assert dsubject.zattrs in str(info.value)
        assert "JSON" in str(info.value)
    for write in (lambda: attrs.__setitem__("a", 1), lambda: attrs.update(a=1),
                  lambda: attrs.__delitem__("a"), attrs.clear, lambda: attrs.put({"a": 1})):
        with pytest.raises(MetadataError, match="zattrs"):
            write()
    assert snapshot(dsubject.path) == before
    # The array or group itself still opens.
    dsubject.reopen("r")


@pytest.mark.parametrize("text, kind", [("[1, 2]", "list"), ("3", "int"), ('"s"', "str"),
                                        ("null", "NoneType"), ("true", "bool")])
def test_zattrs_that_is_not_an_object_is_a_metadata_error(dsubject, text, kind):
    with open(dsubject.zattrs, "w") as f:
        f.write(text)
    before = snapshot(dsubject.path)
    attrs = dsubject.reopen().attrs
    with pytest.raises(MetadataError, match="JSON object") as info:
        attrs.asdict()
    assert dsubject.zattrs in str(info.value) and kind in str(info.value)
    with pytest.raises(MetadataError):
        attrs["a"] = 1
    assert snapshot(dsubject.path) == before


# Atomic writes.


def test_writes_leave_no_temporary_files(dsubject):
    for i in range(50):
        dsubject.attrs["k%d" % i] = list(range(i))
        if i % 5 == 0:
            del dsubject.attrs["k%d" % i]
    dsubject.attrs.put({"final": True})
    dsubject.attrs.clear()
    dsubject.attrs.update(last=1)
    assert hidden_leftovers(dsubject.path) == []
    parent = os.path.dirname(dsubject.path)
    assert [n for n in os.listdir(parent) if n.startswith(".") and n not in METADATA] == []
    names = os.listdir(dsubject.path)
    assert ".zattrs" in names
    assert not any(n.endswith(".partial") for n in names)
    assert on_disk(dsubject) == {"last": 1}


def test_a_failed_write_leaves_no_temporary_files(dsubject):
    dsubject.attrs["a"] = 1
    before = snapshot(dsubject.path)
    with pytest.raises(TypeError):
        dsubject.attrs.update(b=2, c=object())
    assert snapshot(dsubject.path) == before
    assert hidden_leftovers(dsubject.path) == []


def test_readers_never_see_a_torn_file(dsubject):
    stop = threading.Event()
    errors = []
    big = "x" * 20000

    def read():
        reader = dsubject.reopen().attrs
        while not stop.is_set():
            try:
                d = reader.asdict()
                assert d == {} or set(d) == {"n", "pad"}
            except BaseException as e:
                errors.append(e)
                return
    t = threading.Thread(target=read)
    t.start()
    try:
        for i in range(200):
            dsubject.attrs.put({"n": i, "pad": big})
    finally:
        stop.set()
        t.join()
    assert errors == []


# Threads.


def test_concurrent_updates_on_one_object_lose_nothing(subject):
    attrs = subject.attrs

    def work(i):
        for j in range(25):
            attrs["t%d_%d" % (i, j)] = j
    run_in_threads(work, 8)
    expected = {"t%d_%d" % (i, j): j for i in range(8) for j in range(25)}
    assert attrs.asdict() == expected
    assert subject.reopen().attrs.asdict() == expected


@pytest.mark.parametrize("what", ["group", "member-group", "member-array"])
def test_concurrent_updates_through_a_directory_group_lose_nothing(tmp_path, what):
    # g.attrs (and g['x'] for an array) make a new object at each access: threads of one
    # process writing through them must not lose each other's keys either.
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    g.create_group("s")
    g.zeros("x", shape=2)
    target = {"group": lambda: g.attrs, "member-group": lambda: g["s"].attrs,
              "member-array": lambda: g["x"].attrs}[what]

    def work(i):
        for j in range(25):
            target()["t%d_%d" % (i, j)] = j
    run_in_threads(work, 8)
    assert len(target()) == 200


# Pickling.


@pytest.mark.parametrize("kind", ["memory", "synchronized-memory"])
def test_pickled_memory_arrays_keep_their_attributes(kind):
    z = KINDS[kind]((4,), "i4", (2,))
    z[...] = [1, 2, 3, 4]
    z.attrs.update(a=1, nested={"l": [1.5, None]}, nan=float("nan"), s=np.str_("t"))
    again = pickle.loads(pickle.dumps(z))
    assert type(again) is type(z)
    np.testing.assert_array_equal(again[...], [1, 2, 3, 4])
    d = again.attrs.asdict()
    assert d["a"] == 1 and d["nested"] == {"l": [1.5, None]} and math.isnan(d["nan"])
    assert d["s"] == "t" and list(d) == ["a", "nested", "nan", "s"]
    # They are a copy: changing one changes nothing in the other.
    again.attrs["b"] = 2
    assert "b" not in z.attrs
    # An array with no attributes pickles with none.
    plain = pickle.loads(pickle.dumps(KINDS[kind]((2,), "i4", (2,))))
    assert plain.attrs.asdict() == {}


def test_pickled_directory_members_read_their_attributes(dsubject):
    obj = dsubject.obj  # directory arrays and groups pickle as their path
    obj.attrs["a"] = [1]
    again = pickle.loads(pickle.dumps(obj))
    assert again.attrs["a"] == [1]
    obj.attrs["b"] = 2  # one file: seen by both
    assert again.attrs["b"] == 2


# The object itself.


def test_attributes_in_memory_directly():
    a = Attributes()
    a["x"] = np.int32(1)
    assert a.asdict() == {"x": 1} and type(a["x"]) is int
    assert zarr.Attributes is Attributes


def test_attrs_is_cached_on_arrays(subject):
    if isinstance(subject.obj, zarr.Array):
        assert subject.obj.attrs is subject.obj.attrs


def test_memory_group_attributes_are_kept_by_the_group():
    g = zarr.group()
    g.create_group("a").attrs["k"] = 1
    assert g["a"].attrs["k"] == 1
    g.attrs["root"] = True
    assert g.attrs["root"] is True
    g.move("a", "b")
    assert g["b"].attrs.asdict() == {"k": 1}


def test_group_attributes_from_processes_lose_nothing_with_process_sync(tmp_path):
    import multiprocessing
    path = str(tmp_path / "g.zarr")
    zarr.open_group(path, mode="w", process_sync=True)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_set_keys, args=(path, k)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert [p.exitcode for p in procs] == [0] * 4
    attrs = zarr.open_group(path, mode="r").attrs.asdict()
    assert sorted(attrs) == sorted("p%d-%d" % (k, i) for k in range(4) for i in range(50))


def _set_keys(path, k):
    g = zarr.open_group(path, mode="r+", process_sync=True)
    for i in range(50):
        g.attrs["p%d-%d" % (k, i)] = i
