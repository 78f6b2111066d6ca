"""The examples in the docstrings and the README run and print what they show."""

import doctest
import importlib
import os
import pkgutil

import numpy as np
import pytest

import zarr
import zarr.ext

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def users_defaults():
    """The examples run with the defaults a user has (tests/conftest.py sets
    zarr.config's default_zarr_format to 2 for the other suites)."""
    with zarr.config.set(default_zarr_format=3):
        yield


def test_ext_docstring_examples():
    result = doctest.testmod(zarr.ext, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0


#: Modules without examples: no public function of their own to show.
NO_EXAMPLES = {"zarr.__main__", "zarr.bands", "zarr.demo", "zarr.errors", "zarr.nodes", "zarr.options"}

MODULES = sorted(m.name for m in pkgutil.walk_packages(zarr.__path__, "zarr.")
                 if m.name != "zarr.ext")


def test_every_module_is_found():
    assert {"zarr.core", "zarr.advanced", "zarr.storage.local", "zarr.chunked.core"} <= \
        set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted >= (0 if name in NO_EXAMPLES else 1)


def test_readme_examples():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = "\n".join(line for line in f.read().splitlines() if not line.startswith("```"))
    test = doctest.DocTestParser().get_doctest(text, {}, "README.md", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 8
    assert result.failed == 0
