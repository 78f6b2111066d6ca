"""zarr-python 3's calls that dask makes (zarr/api3.py): create_array and
open_array, with numpy as the oracle, and the version strings."""

import pickle

import numpy as np
import pytest
from packaging.version import Version

import zarr
from zarr.errors import ContainsGroupError


def test_the_api_level_and_the_engine_version():
    assert Version(zarr.__version__).major == 3
    assert Version(zarr.__engine_version__) < Version("1")


class _ConfigCodec:
    """A codec of numcodecs' kind: it describes itself by get_config."""

    def get_config(self):
        return {"id": "zstd", "level": 3}


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_create_array_makes_what_it_is_asked(tmp_path, zarr_format):
    a = np.arange(300, dtype="i2").reshape(10, 30)
    z = zarr.create_array(str(tmp_path / "s.zarr"), name="g/h/x", shape=a.shape, dtype=a.dtype,
                          chunks=(4, 7), compressors=_ConfigCodec(), fill_value=-1,
                          zarr_format=zarr_format, attributes={"units": "m"})
    z[2:9, 3:] = a[2:9, 3:]
    want = np.full_like(a, -1)
    want[2:9, 3:] = a[2:9, 3:]
    back = zarr.open_array(str(tmp_path / "s.zarr"), path="g/h/x", mode="r")
    np.testing.assert_array_equal(back[...], want)
    assert back.zarr_format == zarr_format and back.chunks == (4, 7)
    assert back.attrs["units"] == "m" and back.compressor.get_config()["id"] == "zstd"
    root = zarr.open_group(str(tmp_path / "s.zarr"), mode="r")
    assert list(root) == ["g"] and list(root["g"]) == ["h"]  # the parents are groups


def test_create_array_defaults_and_data(tmp_path):
    with zarr.config.set(default_zarr_format=3):  # zarr-python 3's default (conftest sets 2)
        z = zarr.create_array(shape=(5,), dtype="f8")
    assert z.zarr_format == 3 and z.fill_value == 0 and z[...].tolist() == [0] * 5
    d = np.linspace(0, 1, 50).reshape(5, 10)
    z = zarr.create_array({}, data=d, chunks=(2, 3), compressors=None, zarr_format=2)
    np.testing.assert_array_equal(z[...], d)
    assert z.compressor is None
    s = zarr.create_array(str(tmp_path / "sh.zarr"), shape=(40, 40), chunks=(5, 5),
                          shards=(20, 20), dtype="u1", zarr_format=3)
    s[...] = 7
    assert zarr.open_array(str(tmp_path / "sh.zarr"), mode="r").shards == (20, 20)


def test_create_array_refuses_what_exists_and_what_it_cannot_do(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.create_array(path, shape=(4,), dtype="i4", fill_value=0)
    z[...] = 3
    with pytest.raises(FileExistsError):
        zarr.create_array(path, shape=(8,), dtype="i4")
    assert zarr.open_array(path, mode="r")[...].tolist() == [3, 3, 3, 3]
    for bad in ({"order": "F"}, {"serializer": {"name": "vlen-utf8"}},
                {"config": {"unknown": 1}},
                {"compressors": [{"id": "zstd"}, {"id": "gzip"}]}):
        with pytest.raises(NotImplementedError):
            zarr.create_array({}, shape=(4,), dtype="i4", **bad)
    with pytest.raises(TypeError):
        zarr.create_array({}, dtype="i4")
    with pytest.raises(ValueError, match="shape"):
        zarr.create_array({}, shape=(3,), data=np.zeros(4))
    z = zarr.create_array(path, shape=(8,), dtype="f4", overwrite=True)
    assert zarr.open_array(path, mode="r").shape == (8,)


def test_open_array_opens_arrays_only(tmp_path):
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    g.zeros("x", shape=(3,), chunks=2)
    with pytest.raises(ContainsGroupError):
        zarr.open_array(str(tmp_path / "g.zarr"), mode="r")
    assert zarr.open_array(str(tmp_path / "g.zarr"), path="x", mode="r").shape == (3,)
    with pytest.raises(FileNotFoundError):
        zarr.open_array(str(tmp_path / "none.zarr"), mode="r")
    z = zarr.open_array(str(tmp_path / "new.zarr"), mode="w", shape=(2, 2), chunks=(1, 1))
    assert z.shape == (2, 2)


def test_a_v2_array_made_with_no_fill_value_keeps_none(tmp_path):
    path = str(tmp_path / "n.zarr")
    z = zarr.create_array(path, shape=(6,), chunks=(3,), dtype="i4", fill_value=None,
                          zarr_format=2)
    assert z.fill_value is None and z[...].tolist() == [0] * 6
    z[3:] = 7
    z.resize((9,))
    back = zarr.open_array(path, mode="r")
    assert back.fill_value is None and back[...].tolist() == [0, 0, 0, 7, 7, 7, 0, 0, 0]
    with open(path + "/.zarray") as f:
        assert '"fill_value": null' in f.read()
    with zarr.config.set(default_zarr_format=3):
        assert zarr.create_array({}, shape=(2,), dtype="i4", fill_value=None).fill_value == 0
    assert zarr.create_array({}, shape=(2,), dtype="i4", zarr_format=2).fill_value == 0


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_groups_and_arrays_answer_zarr_python_3s_questions(tmp_path, zarr_format):
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w", zarr_format=zarr_format)
    assert g.metadata.zarr_format == zarr_format
    x = g.create("x", shape=(6, 4), dtype="f4", fill_value=np.nan, chunks=(3, 2),
                 compressors=_ConfigCodec(), filters=None, config={"write_empty_chunks": True},
                 overwrite=False, **({"dimension_names": ["t", "c"]} if zarr_format == 3 else {}))
    x[...] = np.arange(24).reshape(6, 4)
    y = g.create_array("sub/y", shape=(3,), dtype="i8", compressors=None, attributes={"a": 1})
    assert [name for name, _ in g.members()] == ["sub", "x"]
    assert x.metadata.zarr_format == zarr_format and not x.read_only
    assert y.compressors == ()
    assert x.compressors == ((zarr.codecs.ZstdCodec(level=3),) if zarr_format == 3
                             else (x.compressor,))
    assert y.attrs["a"] == 1 and np.isnan(x.fill_value)
    if zarr_format == 3:
        assert x.metadata.dimension_names == ("t", "c")
        assert x.serializer.to_dict() == {"name": "bytes", "configuration": {"endian": "little"}}
    else:
        with pytest.raises(AttributeError):
            x.metadata.dimension_names
        assert x.serializer is None
    z = g.create("z", shape=(3,), dtype="i4", config={"write_empty_chunks": False})
    assert z.write_empty_chunks is False and x.write_empty_chunks is True
    with pytest.raises(NotImplementedError):
        g.create("w", shape=(3,), dtype="i4", config={"order": "F"})
    assert "w" not in g
    back = zarr.open(str(tmp_path / "g.zarr"), path="x", mode="r", config={})
    np.testing.assert_array_equal(back[...], np.arange(24).reshape(6, 4))
    assert back.read_only


def test_open_group_makes_parents_and_takes_leading_slashes(tmp_path):
    path = str(tmp_path / "p.zarr")
    zarr.open_group(path, mode="w", path="/a/b/c").attrs["here"] = True
    root = zarr.open_group(path, mode="r")
    assert list(root) == ["a"] and list(root["a"]) == ["b"] and list(root["a/b"]) == ["c"]
    assert root["a/b/c"].attrs["here"] is True
    assert zarr.open_group(path, mode="r", path="/a/b/c").attrs["here"] is True
    assert sorted(zarr.open_group(path, mode="r", path="/")) == ["a"]
    for bad in ("//", "//a", "a//b", "/.zarray"):
        with pytest.raises(ValueError):
            zarr.open_group(path, mode="a", path=bad)


def test_v2_chunk_key_encoding_gives_the_dimension_separator():
    store = zarr.storage.MemoryStore()
    z = zarr.create_array(store, name="x", shape=(4, 4), chunks=(2, 2), dtype="u1",
                          zarr_format=2, fill_value=0,
                          chunk_key_encoding={"name": "v2", "configuration": {"separator": "/"}})
    z[...] = 1
    assert "x/1/1" in store and "x/1.1" not in store and z[...].sum() == 16
    for bad in ({"name": "default"}, {"name": "v2", "configuration": {"separator": "-"}}):
        with pytest.raises(ValueError, match="chunk_key_encoding"):
            zarr.create_array({}, shape=(4,), dtype="u1", zarr_format=2, chunk_key_encoding=bad)


def test_stores_give_read_only_handles():
    store = zarr.storage.MemoryStore()
    reader = store.with_read_only()
    store["k"] = b"v"
    assert reader["k"] == b"v" and reader.read_only and not store.read_only
    with pytest.raises(zarr.ReadOnlyError):
        reader["k"] = b"w"
    assert reader.with_read_only(False)["k"] == b"v"
    wrapped = zarr.storage.WrapperStore({"a": b"1"})
    frozen = wrapped.with_read_only()
    assert frozen["a"] == b"1" and frozen.read_only and not wrapped.read_only
    with pytest.raises(zarr.ReadOnlyError):
        frozen["b"] = b"2"
    around = zarr.storage.WrapperStore(store).with_read_only()
    assert around.read_only and around.store.read_only and not store.read_only


def test_open_group_uses_consolidated_metadata_as_asked(tmp_path):
    path = str(tmp_path / "c.zarr")
    g = zarr.open_group(path, mode="w")
    g.zeros("x", shape=3, chunks=2)
    with pytest.raises(ValueError):  # nothing consolidated yet
        zarr.open_group(path, mode="r", use_consolidated=True)
    zarr.consolidate_metadata(path)
    g.zeros("later", shape=3, chunks=2)  # not in .zmetadata
    assert sorted(zarr.open_group(path, mode="r", use_consolidated=True)) == ["x"]
    assert sorted(zarr.open_group(path, mode="r")) == ["later", "x"]  # nothing hidden
    assert sorted(zarr.open_group(path, mode="r", use_consolidated=False)) == ["later", "x"]
    assert sorted(zarr.open_group(path, mode="a")) == ["later", "x"]
    with pytest.raises(ValueError):
        zarr.open_consolidated(path, zarr_format=3)
    with pytest.raises(ValueError):
        zarr.consolidate_metadata(path, zarr_format=3)
    assert sorted(zarr.consolidate_metadata(path, zarr_format=2)) == ["later", "x"]
    with pytest.raises(ValueError):
        zarr.open_group(str(tmp_path / "g2.zarr"), mode="w").store and zarr.open_consolidated(
            str(tmp_path / "g2.zarr"))


def test_a_groups_name_is_its_path_in_the_store(tmp_path):
    # xarray opens a member as zarr.open(store=group.store, path=group.name + "/" + member).
    path = str(tmp_path / "n.zarr")
    g = zarr.open_group(path, mode="w", path="sub/g", zarr_format=2)
    g.zeros("v", shape=3, chunks=2)[...] = [1, 2, 3]
    assert g.name == "/sub/g" and g["v"].key_prefix == "sub/g/v"
    member = "/".join([g.name.rstrip("/"), "v"]).lstrip("/")
    z = zarr.open(store=g.store, path=member, config={"write_empty_chunks": False})
    assert z[...].tolist() == [1, 2, 3] and z.write_empty_chunks is False
    assert zarr.open_group(path, mode="r").name == "/"


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_strings_read_as_numpy_string_dtype_through_zarr_python_3s_calls(tmp_path, zarr_format):
    T = np.dtypes.StringDType()
    path = str(tmp_path / "s.zarr")
    values = np.array(["", "a", "déjà", "日本語", "x" * 40], dtype=T)
    z = zarr.create_array(path, shape=(5,), chunks=(2,), dtype=T, zarr_format=zarr_format)
    assert z.dtype == T and z.string_dtype and z.holds_strings
    z[...] = values
    z[1] = "b"
    values[1] = "b"
    for got in (z[...], z[1:4], z.oindex[[0, 4]], z.vindex[[3, 1]],
                z.get_mask_selection(np.array([1, 0, 1, 0, 1], bool))):
        assert got.dtype == T
    np.testing.assert_array_equal(z[...], values)
    np.testing.assert_array_equal(z.oindex[[0, 4]], values[[0, 4]])
    z.resize((7,))
    back = zarr.open_array(path, mode="r")
    assert back.dtype == T and back[...].tolist() == values.tolist() + ["", ""]
    assert pickle.loads(pickle.dumps(back)).dtype == T
    # The stored metadata is that of str (vlen-utf8), which this package's own
    # functions read as objects of str.
    own = zarr.open(path, mode="r")
    assert own.dtype == np.dtype(object) and not own.string_dtype
    assert own[...].tolist() == values.tolist() + ["", ""]
    own.string_dtype = True
    assert own[...].dtype == T
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w", zarr_format=zarr_format)
    g.create_array("s", shape=(2,), dtype=str)
    assert zarr.open_group(str(tmp_path / "g.zarr"), mode="r")["s"].dtype == T
    assert zarr.hierarchy.open_group(str(tmp_path / "g.zarr"), mode="r")["s"].dtype == object
    with pytest.raises(TypeError, match="not str"):
        zarr.zeros(3).string_dtype = True
