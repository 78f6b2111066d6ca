"""Names of group members: split_name accepts plain relative paths and nothing else."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from zarr.names import join_path, split_name


# Accepted names.


@pytest.mark.parametrize("name, parts", [
    ("x", ("x",)),
    ("a/b/c", ("a", "b", "c")),
    ("data.zarr", ("data.zarr",)),
    ("a.b/c..d/e.", ("a.b", "c..d", "e.")),
    ("x.sync", ("x.sync",)),
    ("0/1", ("0", "1")),
    (" ", (" ",)),
    ("with space/and-dash_underscore", ("with space", "and-dash_underscore")),
    ("ünïcødé/名前", ("ünïcødé", "名前")),
])
def test_split_name_accepts_plain_paths(name, parts):
    assert split_name(name) == parts
    assert isinstance(split_name(name), tuple)
    assert "/".join(split_name(name)) == name


# Rejected names, each with a message that says what is wrong.


@pytest.mark.parametrize("name, message", [
    ("", "may not be empty"),
    ("/", "begin or end with '/'"),
    ("/x", "begin or end with '/'"),
    ("x/", "begin or end with '/'"),
    ("/a/b/", "begin or end with '/'"),
    ("a//b", "empty component"),
    ("a///b", "empty component"),
    (".", "would leave the group"),
    ("..", "would leave the group"),
    ("../x", "would leave the group"),
    ("a/../b", "would leave the group"),
    ("a/..", "would leave the group"),
    ("a/./b", "would leave the group"),
    ("./a", "would leave the group"),
    (".hidden", "reserved"),
    ("a/.hidden", "reserved"),
    (".zarray", "reserved"),
    (".zgroup", "reserved"),
    (".zattrs", "reserved"),
    ("a/.zattrs/b", "reserved"),
    ("...", "reserved"),
    ("...x", "reserved"),
    ("a\\b", "backslash"),
    ("..\\x", "backslash"),
    ("\\", "backslash"),
    ("a\x00b", "NUL"),
    ("\x00", "NUL"),
])
def test_split_name_rejects_bad_names(name, message):
    with pytest.raises(ValueError, match=message) as info:
        split_name(name)
    if name:
        # The message quotes the name, so the caller sees which one was bad.
        assert repr(name) in str(info.value)


@pytest.mark.parametrize("name", [None, 1, 1.5, b"x", ["a"], ("a", "b"), object()])
def test_split_name_rejects_non_strings(name):
    with pytest.raises(TypeError, match="must be a string"):
        split_name(name)


def test_split_name_doctest_message():
    with pytest.raises(ValueError) as info:
        split_name("../x")
    assert str(info.value) == "bad name '../x': '..' would leave the group"


# join_path.


@pytest.mark.parametrize("parts, path", [
    ((), ""),
    (("",), ""),
    (("a",), "a"),
    (("", "a", "b"), "a/b"),
    (("a", "", "b"), "a/b"),
    (("a", "b", ""), "a/b"),
    (("a/b", "c"), "a/b/c"),
    (("", ""), ""),
])
def test_join_path(parts, path):
    assert join_path(*parts) == path


def test_join_path_inverts_split_name():
    for name in ["x", "a/b", "a/b/c/d"]:
        assert join_path(*split_name(name)) == name
        assert join_path("root", *split_name(name)) == "root/" + name


# Properties.

_ALPHABET = st.sampled_from(list("ab.z0/\\ ") + ["\x00", "é", ".."])
_any_text = st.lists(_ALPHABET, max_size=12).map("".join)
_good_component = (st.text(st.characters(blacklist_characters="/\\\x00",
                                         blacklist_categories=("Cs",)), min_size=1, max_size=8)
                   .filter(lambda c: not c.startswith(".")))


@given(_any_text | st.text(max_size=12))
@example("a/../b")
@example("a/.b")
@example("./a")
@example("a/b/")
def test_any_accepted_name_is_a_plain_relative_path(name):
    try:
        parts = split_name(name)
    except ValueError:
        # Rejected names are exactly those with a bad part.
        raw = name.split("/")
        assert (not name or "\\" in name or "\x00" in name
                or any(not p or p.startswith(".") for p in raw))
        return
    assert "/".join(parts) == name
    assert join_path(*parts) == name
    assert parts and all(parts)
    for part in parts:
        assert part not in (".", "..")
        assert not part.startswith(".")
        assert "/" not in part and "\\" not in part and "\x00" not in part
    assert not name.startswith("/") and not name.endswith("/")
    assert ".." not in parts


@given(st.lists(_good_component, min_size=1, max_size=5))
def test_names_joined_from_good_components_are_accepted(components):
    name = "/".join(components)
    assert split_name(name) == tuple(components)
    assert join_path(*split_name(name)) == name


@given(st.lists(_good_component, min_size=0, max_size=3),
       st.sampled_from(["", ".", "..", ".x", "a\\b", "a\x00"]),
       st.lists(_good_component, min_size=0, max_size=3))
def test_one_bad_component_rejects_the_whole_name(before, bad, after):
    name = "/".join(before + [bad] + after)
    with pytest.raises(ValueError):
        split_name(name)
