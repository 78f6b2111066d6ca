"""The examples in the docstrings and the README run and print what they show."""

import doctest
import importlib
import os

import numpy as np
import pytest

import zarr.ext

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_ext_docstring_examples():
    result = doctest.testmod(zarr.ext, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0


@pytest.mark.parametrize("name", ["zarr.core", "zarr.creation", "zarr.indexing", "zarr.util",
                                  "zarr.persistent", "zarr.storage", "zarr.meta",
                                  "zarr.objects", "zarr.hierarchy", "zarr.attrs",
                                  "zarr.names", "zarr.chunked", "zarr.chunked.blocks",
                                  "zarr.chunked.core", "zarr.chunked.reductions",
                                  "zarr.chunked.selection", "zarr.chunked.storage",
                                  "zarr.chunked.tables",
                                  "zarr.chunked.wrappers", "zarr.table"])
def test_module_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3
    assert result.failed == 0


@pytest.mark.parametrize("name", ["zarr.storage.base", "zarr.storage.files",
                                  "zarr.storage.keys", "zarr.storage.local",
                                  "zarr.storage.memory", "zarr.storage.wrapper",
                                  "zarr.storage.nofollow", "zarr.storage.partials", "zarr.codecs",
                                  "zarr.sync", "zarr.locks", "zarr.opening", "zarr.aside", "zarr.columns",
                                  "zarr.tokens"])
def test_docstring_examples_of_the_smaller_modules(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1
    assert result.failed == 0


def test_readme_examples():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = "\n".join(line for line in f.read().splitlines() if not line.startswith("```"))
    test = doctest.DocTestParser().get_doctest(text, {}, "README.md", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 8
    assert result.failed == 0
