"""The v3 codec objects of zarr-python 3's names (zarr/codecs/v3_objects.py),
and codecs comparing equal by configuration (zarr.codecs.registry.same_config)."""

import pickle

import numpy as np
import pytest

import zarr
from zarr.codecs import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, TransposeCodec,
                         VLenUTF8Codec, ZstdCodec)
from zarr.codecs.v3_objects import from_dict


@pytest.mark.parametrize("codec", [
    BloscCodec(cname="lz4", clevel=1, shuffle="bitshuffle", typesize=4), ZstdCodec(level=9),
    GzipCodec(level=1), Crc32cCodec(), BytesCodec(endian="big"), TransposeCodec(order=(1, 0)),
    VLenUTF8Codec()])
def test_each_is_a_value_of_its_json(codec):
    spec = codec.to_dict()
    assert from_dict(spec) == codec and hash(from_dict(spec)) == hash(codec)
    assert pickle.loads(pickle.dumps(codec)) == codec
    assert codec != 3 and codec != ZstdCodec(level=100)
    with pytest.raises(AttributeError):
        codec.level = 2


def test_defaults_compare_as_filled_in():
    assert BytesCodec() == from_dict({"name": "bytes", "configuration": {"endian": "little"}})
    assert ZstdCodec() == from_dict({"name": "zstd"})
    assert BloscCodec().to_dict()["configuration"] == {"cname": "zstd", "clevel": 5,
                                                       "blocksize": 0}


def test_bad_options_raise():
    with pytest.raises(TypeError, match="no option"):
        ZstdCodec(levels=3)
    with pytest.raises(ValueError, match="shuffle"):
        BloscCodec(shuffle="sideways")
    with pytest.raises(ValueError, match="no codec object"):
        from_dict({"name": "sharding_indexed"})


def test_a_v3_array_takes_them_and_gives_them_back():
    z = zarr.create_array(shape=(6,), chunks=(3,), dtype="i2", zarr_format=3,
                          compressors=BloscCodec(cname="zstd", clevel=2))
    # zarr-python 3 fills in a blosc codec's shuffle and typesize from the data type.
    assert z.compressors == (BloscCodec(cname="zstd", clevel=2, shuffle="shuffle", typesize=2,
                                        blocksize=0),)
    assert z.serializer == BytesCodec()
    z[...] = np.arange(6)
    assert z[...].tolist() == list(range(6))
    one = zarr.create_array(shape=(6,), dtype="u1", zarr_format=3, compressors=BloscCodec())
    assert one.compressors[0].shuffle == "bitshuffle"
    with pytest.raises(ValueError, match="not a bytes-to-bytes codec"):
        zarr.create_array(shape=(6,), dtype="u1", compressors=BytesCodec())


class NumcodecsLike:
    """A codec of another library that describes itself as numcodecs' do."""

    def __init__(self, **config):
        self.config = config

    def get_config(self):
        return dict(self.config)


def test_codecs_equal_those_of_other_libraries_of_the_same_configuration():
    ours = zarr.Blosc(cname="zstd", clevel=3, shuffle=2)
    theirs = NumcodecsLike(id="blosc", cname="zstd", clevel=3, shuffle=2, blocksize=0)
    assert ours == theirs and theirs != zarr.Blosc(cname="zstd", clevel=4, shuffle=2)
    assert (ours,) == (theirs,)  # what xarray compares
    assert zarr.Zstd(level=3) == NumcodecsLike(id="zstd", level=3, checksum=False)
    assert zarr.Zstd(level=3) != NumcodecsLike(id="gzip", level=3)
    assert zarr.Zstd(level=3) != "zstd"
